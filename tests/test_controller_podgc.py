"""PodGC: pods no kubelet will ever finish are deleted, as kube-controller-manager's podgc does."""

import pytest

from k8slab.api.errors import NotFound
from k8slab.api.server import APIServer
from k8slab.client import Client
from k8slab.controllers.podgc import PodGCController
from k8slab.sim import Loop
from k8slab.store import Store


@pytest.fixture
def setup():
    loop = Loop(seed=0)
    api = APIServer(Store(loop))
    api.create({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-1"}})
    controller = PodGCController(Client(api, user="system:kube-controller-manager"))
    controller.run()
    return loop, api, controller


def pod(name: str, node: str | None = None) -> dict:
    spec = {"containers": [{"name": "app", "image": "nginx"}]}
    if node:
        spec["nodeName"] = node
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec}


def test_a_pod_bound_to_a_node_that_does_not_exist_is_failed_and_deleted_after_the_quarantine(setup):
    loop, api, controller = setup
    api.create(pod("ghost", "node-9"))
    loop.run(seconds=41)  # seen missing at 20 s; the 40 s quarantine ends at 60 s
    assert api.get("pods", "ghost")
    seen = []
    api.watch("pods", callback=lambda event: seen.append((event["type"], event["object"])))
    loop.run(seconds=20)
    with pytest.raises(NotFound):
        api.get("pods", "ghost")
    assert [kind for kind, _ in seen][-2:] == ["MODIFIED", "DELETED"]
    failed = seen[-2][1]
    condition = next(c for c in failed["status"]["conditions"] if c["type"] == "DisruptionTarget")
    assert (condition["reason"], condition["message"]) == ("DeletionByPodGC", "PodGC: node no longer exists")
    assert failed["status"]["phase"] == "Failed"
    assert controller.deleted == ["default/ghost"]


def test_pods_on_existing_nodes_and_unbound_pods_are_left_alone(setup):
    loop, api, controller = setup
    api.create(pod("fine", "node-1"))
    api.create(pod("pending"))
    loop.run(seconds=120)
    assert api.get("pods", "fine") and api.get("pods", "pending")
    assert controller.deleted == []


def test_a_node_that_registers_during_the_quarantine_keeps_its_pods(setup):
    loop, api, controller = setup
    api.create(pod("early", "node-2"))
    loop.run(seconds=30)
    api.create({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-2"}})
    loop.run(seconds=60)
    assert api.get("pods", "early")


def test_bad_settings_are_refused():
    loop = Loop(seed=0)
    with pytest.raises(ValueError, match="period must be > 0"):
        PodGCController(Client(APIServer(Store(loop))), period=0)
