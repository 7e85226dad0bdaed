"""kubectl cordon, uncordon and taint: what they print, what they change on the Node, and how they refuse.

Expected texts are kubectl's own (k8s.io/kubectl pkg/cmd/drain and
pkg/cmd/taint). Only the API server runs: each command is a patch of the Node.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from k8slab import Cluster
from k8slab.kubectl.commands import parse_taints, taint_string, update_taints


@pytest.fixture
def cluster() -> Cluster:
    return Cluster(nodes=2, seed=0, components=())


def node(cluster: Cluster, name: str = "node-1") -> dict:
    return cluster.api.get("nodes", name)


def taints(cluster: Cluster, name: str = "node-1") -> list[dict]:
    return node(cluster, name)["spec"].get("taints") or []


# ---------------------------------------------------------------------------------------------- cordon


def test_cordon_sets_unschedulable_and_says_cordoned(cluster):
    output = cluster.kubectl("cordon node-1")
    assert output == "node/node-1 cordoned\n"
    assert output.exit_code == 0
    assert node(cluster)["spec"]["unschedulable"] is True


def test_cordon_twice_says_already_cordoned_and_writes_nothing(cluster):
    cluster.kubectl("cordon node-1")
    version = node(cluster)["metadata"]["resourceVersion"]
    assert cluster.kubectl("cordon node-1") == "node/node-1 already cordoned\n"
    assert node(cluster)["metadata"]["resourceVersion"] == version


def test_uncordon_removes_unschedulable(cluster):
    cluster.kubectl("cordon node-1")
    assert cluster.kubectl("uncordon node-1") == "node/node-1 uncordoned\n"
    assert "unschedulable" not in node(cluster)["spec"]


def test_uncordon_of_a_schedulable_node_says_already_uncordoned(cluster):
    assert cluster.kubectl("uncordon node-1") == "node/node-1 already uncordoned\n"


def test_cordoned_node_shows_scheduling_disabled_in_get_nodes(cluster):
    cluster.kubectl("cordon node-2")
    assert "node-2   Ready,SchedulingDisabled" in cluster.kubectl("get nodes")


def test_cordon_takes_several_nodes_and_type_slash_name(cluster):
    assert cluster.kubectl("cordon node-1 node/node-2") == "node/node-1 cordoned\nnode/node-2 cordoned\n"


def test_cordon_with_a_selector_cordons_the_matching_nodes(cluster):
    output = cluster.kubectl("cordon -l topology.kubernetes.io/zone=zone-b")
    assert output == "node/node-2 cordoned\n"
    assert not node(cluster, "node-1")["spec"].get("unschedulable")


def test_cordon_dry_run_client_changes_nothing(cluster):
    assert cluster.kubectl("cordon node-1 --dry-run=client") == "node/node-1 cordoned (dry run)\n"
    assert not node(cluster)["spec"].get("unschedulable")


def test_cordon_dry_run_server_changes_nothing(cluster):
    assert cluster.kubectl("cordon node-1 --dry-run=server") == "node/node-1 cordoned (server dry run)\n"
    assert not node(cluster)["spec"].get("unschedulable")


def test_cordon_of_a_missing_node_is_not_found_and_changes_nothing(cluster):
    output = cluster.kubectl("cordon node-1 nope")
    assert output == 'Error from server (NotFound): nodes "nope" not found\n'
    assert output.exit_code == 1
    assert not node(cluster)["spec"].get("unschedulable")


def test_cordon_without_a_node_is_a_usage_error(cluster):
    output = cluster.kubectl("cordon")
    assert output == "error: USAGE: cordon NODE [flags]\nSee 'kubectl cordon -h' for help and examples\n"
    assert output.exit_code == 1


def test_cordon_with_a_name_and_a_selector_is_refused_in_kubectls_words(cluster):
    # (sic) kubectl itself prints "error: " twice here.
    assert cluster.kubectl("uncordon node-1 -l a=b") == (
        "error: error: cannot specify both a node name and a --selector option\n"
        "See 'kubectl uncordon -h' for help and examples\n")


def test_cordon_of_another_kind_is_refused(cluster):
    output = cluster.kubectl("cordon pod/web")
    assert output.exit_code == 1
    assert 'expected resource of type node, got "/v1, Resource=pods"' in output


def test_cordon_is_no_longer_listed_as_not_modelled(cluster):
    assert "does not model" not in cluster.kubectl("cordon node-1")
    assert "Mark node as unschedulable" in cluster.kubectl("--help")


# ---------------------------------------------------------------------------------------------- taint


def test_taint_adds_key_value_effect(cluster):
    output = cluster.kubectl("taint nodes node-1 dedicated=gpu:NoSchedule")
    assert output == "node/node-1 tainted\n"
    assert taints(cluster) == [{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}]


def test_taint_without_value(cluster):
    cluster.kubectl("taint node node-1 maintenance:NoExecute")
    assert [(t["key"], t.get("value"), t["effect"]) for t in taints(cluster)] == [
        ("maintenance", None, "NoExecute")]


def test_taint_adds_several_taints_new_ones_first(cluster):
    cluster.kubectl("taint nodes node-1 a=1:NoSchedule")
    assert cluster.kubectl("taint nodes node-1 b:NoExecute c=3:PreferNoSchedule") == "node/node-1 tainted\n"
    assert [t["key"] for t in taints(cluster)] == ["b", "c", "a"]


def test_taint_with_same_key_and_effect_needs_overwrite(cluster):
    cluster.kubectl("taint nodes node-1 dedicated=gpu:NoSchedule")
    output = cluster.kubectl("taint nodes node-1 dedicated=cpu:NoSchedule")
    assert output == ("error: node node-1 already has dedicated taint(s) with same effect(s) and --overwrite "
                      "is false\n")
    assert output.exit_code == 1
    assert taints(cluster)[0]["value"] == "gpu"


def test_taint_overwrite_replaces_the_value_and_says_modified(cluster):
    cluster.kubectl("taint nodes node-1 dedicated=gpu:NoSchedule")
    output = cluster.kubectl("taint nodes node-1 dedicated=cpu:NoSchedule --overwrite")
    assert output == "node/node-1 modified\n"
    assert taints(cluster) == [{"key": "dedicated", "value": "cpu", "effect": "NoSchedule"}]


def test_same_key_with_another_effect_is_a_second_taint(cluster):
    cluster.kubectl("taint nodes node-1 dedicated=gpu:NoSchedule")
    assert cluster.kubectl("taint nodes node-1 dedicated=gpu:NoExecute") == "node/node-1 tainted\n"
    assert len(taints(cluster)) == 2


def test_taint_removal_by_key_and_effect(cluster):
    cluster.kubectl("taint nodes node-1 dedicated=gpu:NoSchedule dedicated=gpu:NoExecute")
    assert cluster.kubectl("taint nodes node-1 dedicated:NoSchedule-") == "node/node-1 untainted\n"
    assert [t["effect"] for t in taints(cluster)] == ["NoExecute"]


def test_taint_removal_by_key_removes_every_effect(cluster):
    cluster.kubectl("taint nodes node-1 dedicated=gpu:NoSchedule dedicated=gpu:NoExecute")
    assert cluster.kubectl("taint nodes node-1 dedicated-") == "node/node-1 untainted\n"
    assert "taints" not in node(cluster)["spec"]


def test_removing_a_missing_taint_is_an_error_and_changes_nothing(cluster):
    cluster.kubectl("taint nodes node-1 a:NoSchedule")
    output = cluster.kubectl("taint nodes node-1 a- b:NoSchedule-")
    assert output == 'error: taint "b:NoSchedule" not found\n'
    assert output.exit_code == 1
    assert [t["key"] for t in taints(cluster)] == ["a"]


def test_invalid_effect_is_a_usage_error(cluster):
    output = cluster.kubectl("taint nodes node-1 a=b:Sometimes")
    assert output == ("error: invalid taint effect: Sometimes, unsupported taint effect\n"
                      "See 'kubectl taint -h' for help and examples\n")
    assert taints(cluster) == []


@pytest.mark.parametrize(("spec", "message"), [
    ("a=b=c:NoSchedule", "invalid taint spec: a=b=c:NoSchedule"),
    ("a:b:NoSchedule", "invalid taint spec: a:b:NoSchedule"),
    ("a=b", "invalid taint spec: a=b, name part must consist of"),  # a key that holds "=" (no effect)
])
def test_malformed_taint_specs_are_refused(cluster, spec, message):
    output = cluster.kubectl(f"taint nodes node-1 {spec}")
    assert output.startswith(f"error: {message}")
    assert output.endswith("See 'kubectl taint -h' for help and examples\n")
    assert output.exit_code == 1


def test_bad_taint_key_names_the_rule(cluster):
    output = cluster.kubectl("taint nodes node-1 b@d:NoSchedule")
    assert output.startswith("error: invalid taint spec: b@d:NoSchedule, name part must consist of "
                             "alphanumeric")


def test_duplicate_taints_in_one_command_are_refused(cluster):
    output = cluster.kubectl("taint nodes node-1 a=1:NoSchedule a=2:NoSchedule")
    assert output.startswith("error: duplicated taints with the same key and effect: "
                             "{a 2 NoSchedule <nil>}\n")


def test_adding_and_removing_the_same_taint_is_refused(cluster):
    output = cluster.kubectl("taint nodes node-1 a=b:NoSchedule a-")
    assert output == ('error: can not both modify and remove the following taint(s) in the same command: '
                      '{"a":""}\n')


def test_taint_of_pods_is_refused(cluster):
    assert cluster.kubectl("taint pods web a:NoSchedule") == (
        "error: invalid resource type pods, only node types are supported\n")


def test_taint_needs_a_resource_name_a_selector_or_all(cluster):
    assert cluster.kubectl("taint nodes a:NoSchedule") == (
        "error: at least one resource name must be specified since 'all' parameter is not set\n")


def test_taint_needs_a_taint(cluster):
    assert cluster.kubectl("taint nodes node-1") == "error: at least one taint update is required\n"


def test_taint_resources_come_before_taints(cluster):
    assert cluster.kubectl("taint nodes a:NoSchedule node-1") == (
        "error: all resources must be specified before taint changes: node-1\n")


def test_taint_all_and_selector_together_are_refused(cluster):
    assert cluster.kubectl("taint nodes --all -l a=b x:NoSchedule") == (
        "error: setting 'all' parameter with a non empty selector is prohibited\n")


def test_taint_all_taints_every_node(cluster):
    assert cluster.kubectl("taint nodes --all x:NoSchedule") == "node/node-1 tainted\nnode/node-2 tainted\n"


def test_taint_with_a_selector_taints_the_matching_nodes(cluster):
    assert cluster.kubectl("taint nodes -l topology.kubernetes.io/zone=zone-a x:NoSchedule") == (
        "node/node-1 tainted\n")
    assert taints(cluster, "node-2") == []


def test_taint_goes_on_past_a_missing_node(cluster):
    output = cluster.kubectl("taint nodes nope node-2 x:NoSchedule")
    assert output.stdout == "node/node-2 tainted\n"
    assert output.stderr == 'Error from server (NotFound): nodes "nope" not found\n'
    assert output.exit_code == 1


def test_taint_dry_run_changes_nothing(cluster):
    assert cluster.kubectl("taint nodes node-1 x:NoSchedule --dry-run=client") == (
        "node/node-1 tainted (dry run)\n")
    assert cluster.kubectl("taint nodes node-1 x:NoSchedule --dry-run=server") == (
        "node/node-1 tainted (server dry run)\n")
    assert taints(cluster) == []


def test_a_tainted_node_keeps_untolerating_pods_away():
    cluster = Cluster(nodes=2, seed=0)
    cluster.kubectl("taint nodes node-1 dedicated=gpu:NoSchedule")
    cluster.kubectl("cordon node-2")
    cluster.kubectl("create deployment web --image=nginx --replicas=2")
    cluster.run(seconds=5)
    pods = cluster.api.list("pods", "default")["items"]
    assert pods and all(not pod["spec"].get("nodeName") for pod in pods)
    cluster.kubectl("uncordon node-2")
    cluster.run(seconds=15)  # the node lifecycle controller lifts its unschedulable taint too
    pods = cluster.api.list("pods", "default")["items"]
    assert {pod["spec"].get("nodeName") for pod in pods} == {"node-2"}


# ---------------------------------------------------------------------------------------------- invariants

_KEYS = st.sampled_from(["a", "b", "example.com/c"])
_EFFECTS = st.sampled_from(["NoSchedule", "PreferNoSchedule", "NoExecute"])


def _taint(key: str, value: str, effect: str) -> dict:
    return {"key": key, "value": value, "effect": effect} if value else {"key": key, "effect": effect}


_TAINTS = st.lists(st.builds(_taint, _KEYS, st.sampled_from(["", "x", "y"]), _EFFECTS),
                   unique_by=lambda t: (t["key"], t["effect"]), max_size=6)


@settings(max_examples=200, deadline=None)
@given(old=_TAINTS, add=_TAINTS)
def test_overwrite_leaves_taints_unique_by_key_and_effect_with_the_new_values(old, add):
    specs = [taint_string(t) for t in add]
    to_add, to_remove = parse_taints(specs) if specs else ([], [])
    _, new = update_taints("node-1", old, to_add, to_remove, overwrite=True)
    pairs = [(t["key"], t["effect"]) for t in new]
    assert len(pairs) == len(set(pairs))
    assert set(pairs) == {(t["key"], t["effect"]) for t in old + add}
    for taint in add:
        assert taint in new


@settings(max_examples=200, deadline=None)
@given(old=_TAINTS)
def test_removing_every_key_leaves_no_taints(old):
    keys = sorted({t["key"] for t in old})
    if not keys:
        return
    _, to_remove = parse_taints([f"{key}-" for key in keys])
    operation, new = update_taints("node-1", old, [], to_remove, overwrite=False)
    assert new == [] and operation == "untainted"
