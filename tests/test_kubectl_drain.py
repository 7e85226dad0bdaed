"""`kubectl drain` (through Cluster.drain): cordon, refuse what would be lost, evict, wait."""

import pathlib

import pytest

from k8slab import Cluster
from k8slab.api.errors import NotFound
from k8slab.kubectl.drain import drain

WEB = pathlib.Path(__file__).resolve().parent.parent / "data" / "manifests" / "web.yaml"


@pytest.fixture
def cluster():
    cluster = Cluster(nodes=3, seed=0)
    cluster.apply(WEB)
    cluster.run(seconds=20)
    return cluster


def bare_pod(name: str, node: str, volumes=None) -> dict:
    spec = {"nodeName": node, "containers": [{"name": "app", "image": "nginx"}]}
    if volumes:
        spec["volumes"] = volumes
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec}


def test_drain_cordons_evicts_and_the_replacements_run_elsewhere(cluster):
    result = cluster.drain("node-1")
    lines = str(result).splitlines()
    assert lines[0] == "node/node-1 cordoned"
    assert lines[1].startswith("evicting pod default/nginx-deployment-")
    assert lines[2].startswith("pod/nginx-deployment-") and lines[2].endswith(" evicted")
    assert lines[-1] == "node/node-1 drained"
    assert result.drained
    assert cluster.api.get("nodes", "node-1")["spec"]["unschedulable"] is True
    cluster.run(seconds=20)
    pods = cluster.api.list("pods")["items"]
    assert len(pods) == 3
    assert all(p["spec"]["nodeName"] != "node-1" and p["status"]["phase"] == "Running" for p in pods)


def test_draining_a_cordoned_node_says_already_cordoned(cluster):
    cluster.drain("node-2")
    again = str(cluster.drain("node-2")).splitlines()
    assert again == ["node/node-2 already cordoned", "node/node-2 drained"]


def test_a_pod_without_a_controller_blocks_the_drain_and_is_kept(cluster):
    cluster.api.create(bare_pod("lonely", "node-3"))
    result = cluster.drain("node-3")
    assert not result.drained
    assert result.err[0] == (
        'error: unable to drain node "node-3" due to error: cannot delete Pods that declare no controller '
        "(use --force to override): default/lonely, continuing command..."
    )
    assert cluster.api.get("pods", "lonely")["spec"]["nodeName"] == "node-3"


def test_force_deletes_a_pod_without_a_controller_with_a_warning(cluster):
    cluster.api.create(bare_pod("lonely", "node-3"))
    cluster.run(seconds=5)
    result = cluster.drain("node-3", force=True)
    assert result.drained
    assert result.err == ["Warning: deleting Pods that declare no controller: default/lonely"]
    with pytest.raises(NotFound):
        cluster.api.get("pods", "lonely")


def test_emptydir_data_needs_its_own_flag(cluster):
    cluster.api.create(bare_pod("scratch", "node-2", volumes=[{"name": "tmp", "emptyDir": {}}]))
    result = cluster.drain("node-2", force=True)
    assert "cannot delete Pods with local storage (use --delete-emptydir-data to override): default/scratch" \
        in result.err[-1]
    assert cluster.drain("node-2", force=True, delete_emptydir_data=True).drained


def test_draining_an_unknown_node_is_not_found_and_changes_nothing(cluster):
    revision = cluster.store.revision
    with pytest.raises(NotFound, match='nodes "node-7" not found'):
        drain(cluster.api, "node-7")
    assert cluster.store.revision == revision


def test_kubectl_drain_prints_what_kubectl_prints_and_exits_0(cluster):
    output = cluster.kubectl("drain node-1")
    assert output.exit_code == 0
    lines = output.stdout.splitlines()
    assert lines[0] == "node/node-1 cordoned" and lines[-1] == "node/node-1 drained"


def test_kubectl_drain_refusal_exits_1_with_the_pending_nodes(cluster):
    cluster.api.create(bare_pod("lonely", "node-3"))
    output = cluster.kubectl("drain node-3")
    assert output.exit_code == 1
    assert output.stderr.splitlines()[-3:] == [
        "There are pending nodes to be drained:",
        " node-3",
        "error: cannot delete Pods that declare no controller (use --force to override): default/lonely",
    ]
    assert cluster.kubectl("drain node-3 --force").exit_code == 0


def test_kubectl_drain_needs_exactly_one_node(cluster):
    output = cluster.kubectl("drain")
    assert output.exit_code == 1
    assert "USAGE: drain NODE [flags]" in output.stderr
