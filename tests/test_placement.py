"""The pod placement picture and its live view (k8slab.viz.placement): DOT, static HTML, controls."""

from hypothesis import given, settings
from hypothesis import strategies as st

from k8slab import Cluster
from k8slab.viz.placement import (
    PlacementView,
    parse_taint,
    placement,
    placement_graph,
    placement_html,
    snapshot,
    utilisation,
)


def pod(name, cpu="500m", memory="512Mi", **spec):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [{"name": "app", "image": "nginx:1.27",
                                     "resources": {"requests": {"cpu": cpu, "memory": memory}}}], **spec}}


def cluster_with(nodes=3, pods=()):
    cluster = Cluster(nodes=nodes, seed=0)
    for manifest in pods:
        cluster.api.create(manifest)
    cluster.run(seconds=2)
    return cluster


def test_nodes_are_listed_in_natural_order():
    place = snapshot(cluster_with(nodes=11))
    assert [n.name for n in place.nodes][:3] == ["node-1", "node-2", "node-3"]
    assert place.nodes[-1].name == "node-11"


def test_a_node_counts_the_requests_of_the_pods_bound_to_it():
    cluster = cluster_with(nodes=1, pods=[pod("a", "500m", "1Gi"), pod("b", "250m", "256Mi")])
    node = snapshot(cluster).nodes[0]
    assert [p.name for p in node.pods] == ["a", "b"]
    assert node.cpu_requested == 750 and node.memory_requested == 1280 * 2**20
    assert node.cpu_allocatable == 4000


def test_a_pending_pod_carries_the_schedulers_message():
    cluster = cluster_with(pods=[pod("huge", cpu="64")])
    (pending,) = snapshot(cluster).pending
    assert pending.name == "huge"
    assert pending.reason.startswith("0/3 nodes are available: 3 Insufficient cpu.")


def test_node_label_shows_name_zone_bars_and_pods():
    cluster = cluster_with(nodes=1, pods=[pod("web", "1", "4Gi")])
    source = placement(cluster).source
    assert "<B>node-1</B>" in source and "zone-a" in source
    assert "1 / 4 (25%)" in source and "4Gi / 16Gi (25%)" in source
    assert "web<BR/>1 4Gi" in source


def test_cordoned_and_tainted_nodes_say_so():
    cluster = cluster_with(nodes=2)
    cluster.api.patch("nodes", "node-1", {"spec": {"unschedulable": True}})
    cluster.api.patch("nodes", "node-2", {"spec": {"taints": [
        {"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}]}})
    source = placement(cluster).source
    assert "SchedulingDisabled (cordoned)" in source
    assert "taint dedicated=gpu:NoSchedule" in source


def test_the_pending_box_appears_only_when_a_pod_waits():
    assert "pending [label=" not in placement(cluster_with(pods=[pod("fits")])).source
    source = placement(cluster_with(pods=[pod("huge", cpu="64")])).source
    assert "pending [label=" in source and "Insufficient cpu" in source


def test_pending_pods_with_the_same_reason_share_one_row():
    source = placement(cluster_with(pods=[pod("big-1", cpu="64"), pod("big-2", cpu="64")])).source
    assert source.count("Insufficient cpu") == 1
    assert "big-1 (64, 512Mi), big-2 (64, 512Mi)" in source


def test_nodes_are_laid_out_in_rows_of_five():
    source = placement(cluster_with(nodes=7)).source
    assert '"node_node-1" -> "node_node-6"' in source and '"node_node-2" -> "node_node-7"' in source
    assert '"node_node-1" -> "node_node-2"' not in source


def test_the_picture_is_the_same_for_the_same_seed():
    def source():
        return placement(cluster_with(pods=[pod(f"p{i}") for i in range(8)])).source

    assert source() == source()


def test_the_diagram_prints_a_short_stable_line():
    text = repr(placement(cluster_with(pods=[pod("a"), pod("huge", cpu="64")])))
    assert text == "Placement(t=2s, nodes=3, pods=2, pending=1)"


def test_static_html_has_the_same_facts_without_graphviz():
    page = placement_html(snapshot(cluster_with(nodes=1, pods=[pod("a", "2", "1Gi"), pod("huge", cpu="64")])))
    assert "<svg" not in page
    assert "node-1" in page and "2 / 4" in page and "huge" in page and "Insufficient cpu" in page


def test_utilisation_table_has_a_row_per_node():
    table = utilisation(cluster_with(nodes=2, pods=[pod("a", "2", "8Gi")]))
    assert list(table.index) == ["node-1", "node-2"]
    assert table["cpu %"].sum() == 50 and table["memory %"].sum() == 50 and table["pods"].sum() == 1


def test_parse_taint_reads_kubectls_forms():
    assert parse_taint("dedicated=gpu:NoSchedule") == {
        "key": "dedicated", "value": "gpu", "effect": "NoSchedule"}
    assert parse_taint("spot:PreferNoSchedule") == {"key": "spot", "effect": "PreferNoSchedule"}


# -- the live view -----------------------------------------------------------------


def test_view_adds_pods_of_the_chosen_size_and_the_scheduler_places_them():
    cluster = cluster_with()
    view = PlacementView(cluster)
    assert view.add_pods(3, cpu="1", memory="1Gi") == ["pod-1", "pod-2", "pod-3"]
    view.run(2)
    placed = {p.name: n.name for n in view.place.nodes for p in n.pods}
    assert sorted(placed) == ["pod-1", "pod-2", "pod-3"]
    assert cluster.api.get("pods", "pod-1")["spec"]["containers"][0]["resources"]["requests"] == {
        "cpu": "1", "memory": "1Gi"}


def test_pods_that_just_landed_are_highlighted_once():
    view = PlacementView(cluster_with())
    view.add_pods(2)
    assert view.new == frozenset()
    view.run(1)
    assert view.new == {"default/pod-1", "default/pod-2"}
    assert view.graph.source.count('BGCOLOR="#326ce5" BORDER="1"') == 2
    view.run(1)
    assert view.new == frozenset()


def test_view_buttons_drive_the_same_actions():
    cluster = cluster_with()
    view = PlacementView(cluster)
    view.count.value, view.cpu.value, view.memory.value = 2, "250m", "256Mi"
    view.add_pods_button.click()
    assert [p["metadata"]["name"] for p in cluster.api.list("pods", "default")["items"]] == ["pod-1", "pod-2"]
    view.node.value = "node-2"
    view.cordon_button.click()
    assert cluster.api.get("nodes", "node-2")["spec"]["unschedulable"] is True
    view.uncordon_button.click()
    assert "unschedulable" not in cluster.api.get("nodes", "node-2")["spec"]
    view.taint_spec.value = "spot=true:PreferNoSchedule"
    view.taint_button.click()
    assert cluster.api.get("nodes", "node-2")["spec"]["taints"] == [
        {"key": "spot", "value": "true", "effect": "PreferNoSchedule"}]
    view.seconds.value = 1
    view.run_button.click()
    assert view.place.time == 3 and not view.place.pending


def test_add_node_button_joins_a_node_and_offers_it_in_the_list():
    cluster = cluster_with()
    view = PlacementView(cluster)
    view.add_node_button.click()
    assert cluster.api.get("nodes", "node-4")["metadata"]["name"] == "node-4"
    assert list(view.node.options) == ["node-1", "node-2", "node-3", "node-4"]
    assert view.message == "node/node-4 joined"


def test_a_cordoned_node_gets_no_new_pods():
    view = PlacementView(cluster_with(nodes=2))
    view.cordon("node-1")
    view.add_pods(4)
    view.run(2)
    assert [len(n.pods) for n in view.place.nodes] == [0, 4]


def test_a_tainted_node_repels_pods_without_a_toleration():
    view = PlacementView(cluster_with(nodes=2))
    view.taint("node-2", "dedicated=gpu:NoSchedule")
    view.add_pods(3)
    view.run(2)
    assert [len(n.pods) for n in view.place.nodes] == [3, 0]
    view.untaint("node-2", "dedicated")
    assert "taints" not in view.api.get("nodes", "node-2")["spec"]


def test_tainting_again_with_the_same_key_and_effect_replaces_the_value():
    view = PlacementView(cluster_with(nodes=1))
    view.taint("node-1", "dedicated=gpu:NoSchedule")
    view.taint("node-1", "dedicated=db:NoSchedule")
    assert view.api.get("nodes", "node-1")["spec"]["taints"] == [
        {"key": "dedicated", "value": "db", "effect": "NoSchedule"}]


def test_a_bad_taint_is_reported_and_changes_nothing():
    cluster = cluster_with()
    view = PlacementView(cluster)
    before = cluster.store.revision
    view.taint_spec.value = "no-effect-here"
    view.taint_button.click()
    assert view.message == (
        "error: invalid taint spec: no-effect-here, expected key=value:Effect or key:Effect")
    view.taint_spec.value = "a=b:Sometimes"
    view.taint_button.click()
    assert 'Unsupported value: "Sometimes"' in view.message
    assert cluster.store.revision == before
    assert "Sometimes" in view.status.value  # shown under the controls


def test_a_bad_size_creates_no_pod_at_all():
    cluster = cluster_with()
    view = PlacementView(cluster)
    view._act(lambda: view.add_pods(3, cpu="lots", memory="1Gi"))
    assert view.message.startswith("error: ") and "quantities must match" in view.message
    assert cluster.api.list("pods", "default")["items"] == []
    assert view.add_pods(1) == ["pod-1"]  # no name was used up by the failed attempt


def test_actions_on_a_missing_node_say_not_found():
    view = PlacementView(cluster_with())
    view._act(lambda: view.cordon("node-9"))
    assert view.message == 'error: nodes "node-9" not found'


def test_pod_names_skip_names_already_taken():
    cluster = cluster_with(pods=[pod("pod-1")])
    assert PlacementView(cluster).add_pods(2) == ["pod-2", "pod-3"]


def test_view_shows_a_short_line_and_static_html_for_strict_nbval():
    view = PlacementView(cluster_with(pods=[pod("a")]))
    bundle = view._repr_mimebundle_()
    assert bundle["text/plain"] == "PlacementView(t=2s, nodes=3, pods=1, pending=0)"
    assert "<svg" not in bundle["text/html"] and "node-1" in bundle["text/html"]
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert view.picture.value.startswith("<svg")


def test_view_needs_a_cluster():
    try:
        PlacementView(object())
    except TypeError as error:
        assert "needs a k8slab Cluster" in str(error)
    else:
        raise AssertionError("PlacementView(object()) was accepted")


@settings(max_examples=20, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["100m", "500m", "1", "3", "5"]),
                          st.sampled_from(["128Mi", "1Gi", "8Gi", "20Gi"])), max_size=12))
def test_every_pod_is_shown_once_and_bars_add_up_its_requests(sizes):
    cluster = cluster_with(nodes=2, pods=[pod(f"p{i}", cpu, memory) for i, (cpu, memory) in enumerate(sizes)])
    place = snapshot(cluster)
    shown = [p.name for n in place.nodes for p in n.pods] + [p.name for p in place.pending]
    assert sorted(shown) == sorted(f"p{i}" for i in range(len(sizes)))
    for node in place.nodes:
        assert node.cpu_requested <= node.cpu_allocatable  # the scheduler never overfills a node
        assert node.cpu_requested == sum(p.cpu for p in node.pods)
    assert placement_graph(place).source.count('"node_node-1" [label=') == 1
