"""Specification of the node lifecycle controller (k8slab.controllers.nodelifecycle) and its taint eviction.

No kubelet runs: the tests play the kubelet, renewing a node's Lease in
kube-node-lease and posting its Ready condition. Pods are bound to a node
directly, so deleting one makes it Terminating (it has a deletionTimestamp).
"""

from __future__ import annotations

from k8slab import Cluster
from k8slab.client import Client
from k8slab.controllers.manager import ControllerManager
from k8slab.controllers.nodelifecycle import NodeLifecycleController

USER = "system:kube-controller-manager"


def setup(nodes: int = 1) -> tuple[Cluster, Client, NodeLifecycleController]:
    cluster = Cluster(nodes=nodes, components=())
    client = Client(cluster.api, user=USER)
    controller = NodeLifecycleController(client)
    controller.run()
    return cluster, client, controller


def renew_lease(client: Client, node: str) -> None:
    """What a kubelet does every 10 s: renew its node's Lease."""
    loop = client.loop
    try:
        lease = client.get("leases", node, namespace="kube-node-lease")
    except Exception:
        client.create(
            {
                "apiVersion": "coordination.k8s.io/v1",
                "kind": "Lease",
                "metadata": {"name": node, "namespace": "kube-node-lease"},
                "spec": {
                    "holderIdentity": node,
                    "leaseDurationSeconds": 40,
                    "renewTime": loop.micro_timestamp(),
                },
            }
        )
        return
    lease["spec"]["renewTime"] = loop.micro_timestamp()
    client.update(lease)


def post_ready(client: Client, node: str) -> None:
    """What a kubelet does when it comes back: post Ready=True with a fresh heartbeat."""
    obj = client.get("nodes", node)
    for condition in obj["status"]["conditions"]:
        status = "False" if condition["type"] != "Ready" else "True"
        condition.update(status=status, reason="KubeletReady", lastHeartbeatTime=client.loop.timestamp())
    client.update_status(obj)


def keep_renewing(client: Client, node: str, period: float = 10.0) -> None:
    renew_lease(client, node)
    client.loop.call_later(period, keep_renewing, client, node, period)


def ready_status(client: Client, node: str) -> str:
    obj = client.get("nodes", node)
    return next(c["status"] for c in obj["status"]["conditions"] if c["type"] == "Ready")


def taints(client: Client, node: str) -> list[tuple[str, str]]:
    return [(t["key"], t["effect"]) for t in client.get("nodes", node)["spec"].get("taints") or []]


def bound_pod(client: Client, name: str, node: str = "node-1", tolerations: list | None = None) -> dict:
    """A pod already on `node`; with `tolerations`, those instead of DefaultTolerationSeconds' two."""
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"nodeName": node, "containers": [{"name": "web", "image": "nginx:1.27"}]},
    }
    if tolerations is None:
        return client.create(pod)
    pod["spec"]["tolerations"] = tolerations
    admission = client.api.admission
    plugin = next(p for p in admission.mutating if p.name == "DefaultTolerationSeconds")
    admission.remove(plugin.name)
    try:
        return client.create(pod)
    finally:
        admission.add_mutating(plugin.name, plugin.hook, plugin.operations, plugin.kinds)


def terminating(client: Client, name: str) -> bool:
    try:
        pod = client.get("pods", name, namespace="default")
    except Exception:
        return True
    return bool(pod["metadata"].get("deletionTimestamp"))


def test_a_node_whose_lease_is_renewed_stays_ready():
    cluster, client, _ = setup()
    keep_renewing(client, "node-1")
    cluster.run(seconds=300)
    assert ready_status(client, "node-1") == "True"
    assert taints(client, "node-1") == []


def test_a_silent_node_becomes_unknown_after_the_grace_period_and_not_before():
    cluster, client, _ = setup()
    cluster.run(until=40)
    assert ready_status(client, "node-1") == "True"
    cluster.run(until=46)
    node = client.get("nodes", "node-1")
    for condition in node["status"]["conditions"]:
        assert condition["status"] == "Unknown"
        assert condition["reason"] == "NodeStatusUnknown"
        assert condition["message"] == "Kubelet stopped posting node status."
    assert ("node.kubernetes.io/unreachable", "NoExecute") in taints(client, "node-1")
    assert ("node.kubernetes.io/unreachable", "NoSchedule") in taints(client, "node-1")
    no_execute = next(t for t in node["spec"]["taints"] if t["effect"] == "NoExecute")
    assert no_execute["timeAdded"] == "2024-01-01T00:00:45Z"


def test_a_pod_with_the_default_toleration_is_evicted_300_seconds_after_the_taint():
    cluster, client, _ = setup()
    bound_pod(client, "web-1")
    cluster.run(until=45 + 299)  # tainted at 45 s
    assert not terminating(client, "web-1")
    cluster.run(until=45 + 301)
    assert terminating(client, "web-1")


def test_a_pod_that_does_not_tolerate_the_taint_is_evicted_at_once():
    cluster, client, _ = setup()
    bound_pod(client, "web-1", tolerations=[])
    cluster.run(until=44)
    assert not terminating(client, "web-1")
    cluster.run(until=46)
    assert terminating(client, "web-1")


def test_a_pod_that_tolerates_the_taint_forever_stays():
    cluster, client, _ = setup()
    forever = [{"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"}]
    bound_pod(client, "web-1", tolerations=forever)
    cluster.run(until=2000)
    assert not terminating(client, "web-1")


def test_returning_heartbeats_make_the_node_ready_and_remove_the_taints_before_eviction():
    cluster, client, _ = setup()
    bound_pod(client, "web-1")
    cluster.run(until=100)
    assert ready_status(client, "node-1") == "Unknown"
    keep_renewing(client, "node-1")
    post_ready(client, "node-1")
    cluster.run(until=106)
    assert ready_status(client, "node-1") == "True"
    assert taints(client, "node-1") == []
    cluster.run(until=1000)
    assert not terminating(client, "web-1")  # the eviction was cancelled


def test_a_node_whose_ready_is_false_gets_the_not_ready_taint():
    cluster, client, _ = setup()
    keep_renewing(client, "node-1")
    node = client.get("nodes", "node-1")
    next(c for c in node["status"]["conditions"] if c["type"] == "Ready")["status"] = "False"
    client.update_status(node)
    cluster.run(seconds=6)
    assert taints(client, "node-1") == [
        ("node.kubernetes.io/not-ready", "NoExecute"),
        ("node.kubernetes.io/not-ready", "NoSchedule"),
    ]


def test_events_say_what_happened():
    cluster, client, _ = setup()
    bound_pod(client, "web-1", tolerations=[])
    cluster.run(until=50)
    events = {(e["source"]["component"], e["reason"], e["message"]) for e in client.list("events")["items"]}
    assert ("node-controller", "NodeNotReady", "Node node-1 status is now: NodeNotReady") in events
    assert (
        "taint-eviction-controller",
        "TaintManagerEviction",
        "Marking for deletion Pod default/web-1",
    ) in events


def test_the_same_story_runs_the_same_way_twice():
    def story() -> list:
        cluster, client, _ = setup(nodes=2)
        keep_renewing(client, "node-2")
        for i in range(3):
            bound_pod(client, f"web-{i}", node=f"node-{1 + i % 2}")
        cluster.run(until=400)
        pods = client.list("pods", namespace="default")["items"]
        return [
            [(p["metadata"]["name"], p["metadata"].get("deletionTimestamp")) for p in pods],
            [client.get("nodes", n)["spec"].get("taints") for n in ("node-1", "node-2")],
        ]

    assert story() == story()


def test_it_is_registered_but_not_a_default_controller():
    assert "nodelifecycle" in ControllerManager.CONTROLLERS
    assert "nodelifecycle" not in ControllerManager.DEFAULT_CONTROLLERS
    cluster = Cluster(nodes=1)
    cluster.run(seconds=120)
    assert ready_status(Client(cluster.api), "node-1") == "True"


def test_the_manager_runs_it_when_asked():
    cluster = Cluster(nodes=1, components=())
    manager = ControllerManager(Client(cluster.api, user=USER), controllers=("nodelifecycle",))
    manager.start()
    cluster.run(seconds=50)
    assert ready_status(Client(cluster.api), "node-1") == "Unknown"


def test_pods_of_a_node_that_stops_being_ready_are_marked_not_ready_and_recover_with_it():
    import pathlib

    from k8slab import Cluster

    cluster = Cluster(nodes=3, seed=0)
    cluster.apply(pathlib.Path(__file__).resolve().parent.parent / "data" / "manifests" / "web.yaml")
    cluster.run(seconds=20)
    on_node = [p["metadata"]["name"] for p in cluster.api.list("pods")["items"]
               if p["spec"]["nodeName"] == "node-2"]
    assert on_node

    def ready(name: str) -> str:
        pod = cluster.api.get("pods", name)
        return next(c["status"] for c in pod["status"]["conditions"] if c["type"] == "Ready")

    cluster.fail_node("node-2")
    cluster.run(seconds=35)
    assert [ready(name) for name in on_node] == ["True"] * len(on_node)  # within the 40 s grace period
    cluster.run(seconds=15)
    assert [ready(name) for name in on_node] == ["False"] * len(on_node)
    events = cluster.api.list("events", field_selector=f"involvedObject.name={on_node[0]}")["items"]
    assert any(e["reason"] == "NodeNotReady" and e["message"] == "Node is not ready" for e in events)
    cluster.recover_node("node-2")
    cluster.run(seconds=15)
    assert [ready(name) for name in on_node] == ["True"] * len(on_node)
