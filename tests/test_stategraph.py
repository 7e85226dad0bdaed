"""The state graph draws owners, nodes and pod states truthfully, and records frames in virtual time."""

import pathlib
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from k8slab import Cluster
from k8slab.api.errors import NotFound
from k8slab.viz.stategraph import (
    STATE_COLOURS,
    STATES,
    Frame,
    Player,
    Recorder,
    ScaleSlider,
    Snapshot,
    pod_state,
    record,
    snapshot,
    state_graph,
)

WEB = str(pathlib.Path(__file__).resolve().parent.parent / "data" / "manifests" / "web.yaml")


def deployment_cluster(replicas: int = 3, nodes: int = 3) -> Cluster:
    cluster = Cluster(nodes=nodes, seed=0)
    cluster.kubectl(f"create deployment web --image=nginx:1.27 --replicas={replicas}")
    cluster.run(seconds=5)
    return cluster


def pod(name="web", node="", phase="Pending", ready=None, deleting=False, waiting=None, owner_uid=None):
    metadata = {"name": name, "namespace": "default", "uid": f"uid-{name}"}
    if deleting:
        metadata["deletionTimestamp"] = "2024-01-01T00:00:10Z"
    if owner_uid:
        metadata["ownerReferences"] = [
            {
                "apiVersion": "apps/v1",
                "kind": "ReplicaSet",
                "name": "rs",
                "uid": owner_uid,
                "controller": True,
            }
        ]
    status = {"phase": phase, "conditions": []}
    if ready is not None:
        status["conditions"].append({"type": "Ready", "status": "True" if ready else "False"})
    if waiting:
        status["containerStatuses"] = [
            {"name": "c", "ready": False, "restartCount": 0, "state": {"waiting": {"reason": waiting}}}
        ]
    spec = {"containers": [{"name": "c", "image": "nginx"}]}
    if node:
        spec["nodeName"] = node
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec, "status": status}


# -- pod states -------------------------------------------------------------------------------


def test_a_pod_without_a_node_is_pending_and_a_bound_one_is_container_creating():
    assert pod_state(pod()) == "Pending"
    assert pod_state(pod(node="node-1")) == "ContainerCreating"


def test_a_running_pod_is_ready_only_when_its_ready_condition_is_true():
    assert pod_state(pod(node="node-1", phase="Running", ready=False)) == "Running"
    assert pod_state(pod(node="node-1", phase="Running", ready=True)) == "Ready"


def test_a_pod_with_a_deletion_timestamp_is_terminating_even_when_ready():
    assert pod_state(pod(node="node-1", phase="Running", ready=True, deleting=True)) == "Terminating"


def test_a_finished_pod_keeps_its_phase_even_while_deleted():
    assert pod_state(pod(node="node-1", phase="Failed", deleting=True)) == "Failed"
    assert pod_state(pod(node="node-1", phase="Succeeded")) == "Succeeded"


def test_a_container_failing_to_start_colours_the_pod_failed():
    assert pod_state(pod(node="node-1", waiting="ImagePullBackOff")) == "Failed"
    assert pod_state(pod(node="node-1", waiting="ContainerCreating")) == "ContainerCreating"


def test_every_state_has_a_colour():
    assert set(STATE_COLOURS) == set(STATES)


# -- the DOT text ----------------------------------------------------------------------------


def test_the_graph_links_deployment_to_replicaset_to_each_pod_by_owner_references():
    cluster = deployment_cluster()
    dot = state_graph(cluster).source
    rs = cluster.api.list("replicasets")["items"][0]["metadata"]["name"]
    assert f'"deployment/default/web" -> "replicaset/default/{rs}"' in dot
    pods = [p["metadata"]["name"] for p in cluster.api.list("pods")["items"]]
    assert len(pods) == 3
    for name in pods:
        assert f'"replicaset/default/{rs}" -> "pod/default/{name}"' in dot


def test_each_pod_is_drawn_inside_the_box_of_its_node():
    cluster = deployment_cluster()
    dot = state_graph(cluster).source
    for p in cluster.api.list("pods")["items"]:
        pattern = r"subgraph \"cluster_node/" + p["spec"]["nodeName"] + r"\" \{(.*?)\n\t\}"
        box = re.search(pattern, dot, re.S)
        assert box is not None
        assert f'"pod/default/{p["metadata"]["name"]}"' in box.group(1)


def test_every_node_gets_a_box_even_with_no_pods():
    cluster = Cluster(nodes=4, seed=0)
    dot = state_graph(cluster).source
    for n in range(1, 5):
        assert f'subgraph "cluster_node/node-{n}"' in dot
    assert "empty" in dot


def test_pods_without_a_node_sit_in_a_dashed_box_of_their_own():
    cluster = Cluster(nodes=2, seed=0, components=())
    cluster.api.create(pod("lonely"))
    dot = state_graph(cluster).source
    assert "subgraph cluster_unscheduled" in dot
    assert '"pod/default/lonely"' in dot
    assert "->" not in dot, "a pod with no owner has no arrow"


def test_pods_are_labelled_with_kubectls_status_and_filled_with_their_state_colour():
    snap = Snapshot(
        0,
        pods=[
            pod("a", node="node-1", phase="Running", ready=True),
            pod("b", node="node-1", waiting="ErrImagePull"),
        ],
        nodes=[],
    )
    dot = snap.dot()
    assert f'label="a\nRunning" fillcolor="{STATE_COLOURS["Ready"]}"' in dot
    assert f'label="b\nErrImagePull" fillcolor="{STATE_COLOURS["Failed"]}"' in dot
    assert "(no such node)" in dot


def test_a_not_ready_node_is_drawn_in_red_with_its_status():
    cluster = Cluster(nodes=2, seed=0, components=())
    node = cluster.api.get("nodes", "node-2")
    for condition in node["status"]["conditions"]:
        if condition["type"] == "Ready":
            condition["status"] = "Unknown"
    cluster.api.update_status(node)
    cluster.kubectl("cordon node-1")
    dot = state_graph(cluster).source
    assert "node-2 (zone-b)\nNotReady" in dot
    assert "node-1 (zone-a)\nReady,SchedulingDisabled" in dot


def test_pod_names_drop_the_deployment_prefix_but_keep_hash_and_suffix():
    cluster = deployment_cluster(replicas=1)
    name = cluster.api.list("pods")["items"][0]["metadata"]["name"]
    dot = state_graph(cluster).source
    assert f'label="{name[len("web-") :]}\n' in dot


def test_an_empty_old_replicaset_is_dashed():
    cluster = deployment_cluster(replicas=2)
    cluster.kubectl("set image deployment/web nginx=nginx:1.28")
    cluster.run(seconds=5)
    cluster.kubectl("scale deployment/web --replicas=0")
    cluster.run(seconds=5)
    dot = state_graph(cluster).source
    assert dot.count("rounded,filled,dashed") >= 2


def test_all_namespaces_prefix_names_with_their_namespace():
    cluster = Cluster(nodes=1, seed=0, components=())
    cluster.api.create(pod("a"))
    dot = state_graph(cluster, namespace=None).source
    assert 'label="default/a\n' in dot


def test_the_same_cluster_gives_the_same_dot_bytes():
    assert state_graph(deployment_cluster()).source == state_graph(deployment_cluster()).source


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["", "node-1", "node-2"]),
            st.sampled_from(["Pending", "Running", "Failed", "Succeeded"]),
            st.booleans(),
            st.booleans(),
        ),
        max_size=12,
    )
)
def test_the_picture_does_not_depend_on_the_order_objects_arrive_in(specs):
    pods = [pod(f"p{i}", node=n, phase=ph, ready=r, deleting=d) for i, (n, ph, r, d) in enumerate(specs)]
    nodes = [{"metadata": {"name": "node-2"}}, {"metadata": {"name": "node-1"}}]
    forward = Snapshot(0, pods=pods, nodes=nodes).dot()
    backward = Snapshot(0, pods=list(reversed(pods)), nodes=list(reversed(nodes))).dot()
    assert forward == backward
    assert sum(Snapshot(0, pods=pods).counts().values()) == len(pods)


# -- snapshot, recorder, record --------------------------------------------------------------


def test_snapshot_reads_only_the_namespace_asked_for_but_every_node():
    cluster = Cluster(nodes=2, seed=0, components=())
    cluster.kubectl("create namespace other")
    cluster.api.create(pod("here"))
    there = pod("there")
    there["metadata"]["namespace"] = "other"
    cluster.api.create(there)
    snap = snapshot(cluster)
    assert [p["metadata"]["name"] for p in snap.pods] == ["here"]
    assert len(snap.nodes) == 2
    assert len(snapshot(cluster, namespace=None).pods) == 2


def test_snapshot_refuses_what_is_not_a_cluster():
    with pytest.raises(TypeError, match="needs a Cluster or an APIServer"):
        snapshot("cluster")


def test_record_takes_a_frame_at_each_multiple_of_every_and_at_the_end():
    cluster = Cluster(nodes=3, seed=0)
    cluster.apply(WEB)
    frames = record(cluster, seconds=5, every=2)
    assert [f.time for f in frames] == [0, 2, 4, 5]
    assert frames[0].counts["Pending"] == 0 and sum(frames[-1].counts.values()) == 3
    assert cluster.now == 5


def test_a_recorder_sees_what_happens_between_its_frames_and_makes_no_requests_per_frame():
    cluster = Cluster(nodes=3, seed=0)
    recorder = Recorder(cluster, every=1)
    requests = len(cluster.api.requests)
    cluster.kubectl("create deployment web --image=nginx:1.27 --replicas=2")
    cluster.run(seconds=3)
    frames = recorder.stop()
    mine = [r for r in cluster.api.requests[requests:] if r.user == "k8slab-state-graph"]
    assert mine == []
    assert [sum(f.counts.values()) for f in frames] == [0, 2, 2, 2]
    cluster.run(seconds=3)
    assert len(recorder.frames) == 4, "a stopped recorder takes no more frames"


def test_a_recorder_refuses_a_bad_interval():
    with pytest.raises(ValueError, match="every must be"):
        Recorder(Cluster(nodes=1, seed=0), every=0)


def test_recording_twice_gives_identical_frames():
    def frames():
        cluster = Cluster(nodes=3, seed=0)
        cluster.apply(WEB)
        return record(cluster, seconds=4, every=1)

    assert [(f.time, f.dot) for f in frames()] == [(f.time, f.dot) for f in frames()]


# -- the player ------------------------------------------------------------------------------


def small_frames() -> list[Frame]:
    cluster = Cluster(nodes=2, seed=0)
    cluster.kubectl("create deployment web --image=nginx:1.27 --replicas=2")
    return record(cluster, seconds=2, every=1)


def test_the_player_shows_the_frame_the_slider_points_at():
    player = Player(small_frames())
    assert player.index == 0 and "frame 1 of 3" in player.caption.value
    player.slider.value = 2
    assert player.index == 2 and "frame 3 of 3" in player.caption.value
    assert player.picture.value.startswith("<svg")
    player.show(-2)
    assert player.index == 1


def test_the_players_text_and_static_html_are_short_and_stable():
    bundle = Player(small_frames(), start=-1)._repr_mimebundle_()
    assert bundle["text/plain"] == "Player(3 frames from t = 0 s to 2 s; showing t = 2 s)"
    assert "<svg" not in bundle["text/html"]
    assert "node-1" in bundle["text/html"] and "Pending" in bundle["text/html"]
    again = Player(small_frames(), start=-1)._repr_mimebundle_()
    assert (again["text/plain"], again["text/html"]) == (bundle["text/plain"], bundle["text/html"])


def test_the_player_refuses_no_frames_and_bad_positions():
    with pytest.raises(ValueError, match="at least one frame"):
        Player([])
    player = Player(small_frames())
    with pytest.raises(ValueError, match="from 0 to 2"):
        player.show(3)
    assert player.index == 0


# -- the replicas slider ---------------------------------------------------------------------------


def test_moving_the_replicas_slider_scales_the_deployment_and_redraws():
    cluster = deployment_cluster(replicas=2)
    slider = ScaleSlider(cluster, "web")
    assert slider.slider.value == 2 and "2 pods" in slider.caption.value
    slider.slider.value = 5
    assert cluster.api.get("deployments", "web")["spec"]["replicas"] == 5
    assert "5 pods" in slider.caption.value and slider.picture.value.startswith("<svg")
    slider.scale(1)
    assert (
        len([p for p in cluster.api.list("pods")["items"] if not p["metadata"].get("deletionTimestamp")]) == 1
    )
    assert slider._repr_mimebundle_()["text/plain"] == "ScaleSlider(deployment/web, replicas=1)"


def test_the_slider_refuses_replicas_outside_its_range_and_changes_nothing():
    cluster = deployment_cluster(replicas=2)
    slider = ScaleSlider(cluster, "web", maximum=4)
    revision = cluster.store.revision
    with pytest.raises(ValueError, match="from 0 to 4"):
        slider.scale(7)
    assert cluster.store.revision == revision
    with pytest.raises(NotFound):
        ScaleSlider(cluster, "nope")


def test_nodes_are_drawn_in_natural_order():
    dot = state_graph(Cluster(nodes=11, seed=0, components=())).source
    assert dot.index('"cluster_node/node-2"') < dot.index('"cluster_node/node-10"')


def test_past_max_pod_edges_one_arrow_per_replicaset_and_node_carries_the_count():
    cluster = deployment_cluster(replicas=6)
    snap = snapshot(cluster)
    snap.max_pod_edges = 5
    dot = snap.dot()
    arrows = re.findall(r'"replicaset/default/[^"]+" -> "pod/default/[^"]+" \[label="(\d+) pods?"', dot)
    assert len(arrows) == 3, "one arrow for each of the three nodes"
    assert sum(int(n) for n in arrows) == 6
    snap.max_pod_edges = 40
    assert snap.dot().count('-> "pod/') == 6


def test_frames_follow_pods_from_pending_to_ready_as_the_kubelets_start_them():
    cluster = Cluster(nodes=3, seed=0)
    recorder = Recorder(cluster, every=0.5)
    cluster.kubectl("create deployment web --image=nginx:1.27 --replicas=3")
    cluster.run(seconds=6)
    frames = recorder.stop()
    assert frames[0].counts["Ready"] == 0
    assert any(f.counts["ContainerCreating"] == 3 for f in frames)
    assert frames[-1].counts["Ready"] == 3
    assert f'fillcolor="{STATE_COLOURS["Ready"]}"' in frames[-1].dot
