"""Specification of the garbage collector (k8slab.controllers.garbagecollector): ownerReference cascades.

The ReplicaSet controller runs beside it, so pods get their owners the way
they do in a cluster. No kubelet runs: pods are never bound to a node, so a
pod's deletion is immediate.
"""

from __future__ import annotations

from k8slab.api.server import APIServer
from k8slab.client import Client
from k8slab.controllers.controller_utils import get_controller_of
from k8slab.controllers.manager import ControllerManager
from k8slab.sim import Loop
from k8slab.store import Store


def replica_set(name: str = "web", replicas: int = 2, owner: dict | None = None) -> dict:
    rs = {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]},
            },
        },
    }
    if owner is not None:
        rs["metadata"]["ownerReferences"] = [
            {"apiVersion": owner["apiVersion"], "kind": owner["kind"], "name": owner["metadata"]["name"],
             "uid": owner["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}
        ]
    return rs


def deployment(name: str = "web") -> dict:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]},
            },
        },
    }


def pod_owned_by(name: str, owner_uid: str, owner_name: str = "web", app: str = "other") -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": "default",
            "labels": {"app": app},
            "ownerReferences": [
                {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": owner_name, "uid": owner_uid,
                 "controller": True, "blockOwnerDeletion": True}
            ],
        },
        "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]},
    }


class Lab:
    """An API server with the ReplicaSet controller and the garbage collector (no Deployment controller)."""

    def __init__(self):
        self.loop = Loop(strict=True)
        self.api = APIServer(Store(self.loop))
        self.admin = Client(self.api)
        self.manager = ControllerManager(self.api, controllers=("replicaset", "garbagecollector"))
        self.manager.start()
        self.deleted: list[str] = []  # "Kind/name" in the order the API server removed them
        for resource in ("pods", "replicasets", "deployments"):
            self.admin.watch(resource, callback=self._record)

    def _record(self, event) -> None:
        if event.type == "DELETED":
            self.deleted.append(f"{event.object['kind']}/{event.object['metadata']['name']}")

    def run(self, seconds: float = 5) -> None:
        self.loop.run(seconds=seconds)

    def pods(self) -> list[dict]:
        return self.admin.list("pods", namespace="default")["items"]

    def names(self, resource: str) -> list[str]:
        return [obj["metadata"]["name"] for obj in self.admin.list(resource, namespace="default")["items"]]


def test_background_deleting_a_replica_set_deletes_its_pods_after_it():
    lab = Lab()
    lab.admin.create(replica_set(replicas=2))
    lab.run()
    assert len(lab.pods()) == 2
    lab.admin.delete("replicasets", "web", namespace="default")  # default: Background
    lab.run()
    assert lab.pods() == []
    assert lab.deleted[0] == "ReplicaSet/web" and len(lab.deleted) == 3


def test_foreground_deleting_a_replica_set_deletes_its_pods_first():
    lab = Lab()
    lab.admin.create(replica_set(replicas=2))
    lab.run()
    lab.admin.delete("replicasets", "web", namespace="default", propagation_policy="Foreground")
    rs = lab.admin.get("replicasets", "web", namespace="default")
    assert rs["metadata"]["deletionTimestamp"] and rs["metadata"]["finalizers"] == ["foregroundDeletion"]
    lab.run()
    assert lab.names("replicasets") == [] and lab.pods() == []
    assert lab.deleted[-1] == "ReplicaSet/web" and len(lab.deleted) == 3


def test_foreground_cascades_through_a_chain_of_owners():
    lab = Lab()
    owner = lab.admin.create(deployment())
    lab.admin.create(replica_set("web", replicas=2, owner=owner))
    lab.run()
    assert len(lab.pods()) == 2
    lab.admin.delete("deployments", "web", namespace="default", propagation_policy="Foreground")
    lab.run()
    assert lab.names("deployments") == [] and lab.names("replicasets") == [] and lab.pods() == []
    assert lab.deleted[-2:] == ["ReplicaSet/web", "Deployment/web"]  # pods, then their owner, then its owner


def test_orphan_deleting_a_replica_set_leaves_its_pods_without_owner():
    lab = Lab()
    lab.admin.create(replica_set(replicas=2))
    lab.run()
    lab.admin.delete("replicasets", "web", namespace="default", propagation_policy="Orphan")
    lab.run()
    assert lab.names("replicasets") == []
    pods = lab.pods()
    assert len(pods) == 2 and all(not pod["metadata"].get("ownerReferences") for pod in pods)


def test_a_dependent_whose_owner_never_existed_is_deleted():
    lab = Lab()
    lab.admin.create(pod_owned_by("stray", "00000000-0000-4000-8000-000000000000", owner_name="ghost"))
    lab.run()
    assert lab.names("pods") == []


def test_a_dependent_of_an_owner_recreated_with_another_uid_is_deleted():
    lab = Lab()
    lab.admin.create(replica_set("web", replicas=0))
    lab.admin.create(pod_owned_by("stale", "00000000-0000-4000-8000-000000000000", owner_name="web"))
    lab.run()
    assert lab.names("pods") == [] and lab.names("replicasets") == ["web"]


def test_a_dependent_with_a_live_owner_is_kept():
    lab = Lab()
    rs = lab.admin.create(replica_set("web", replicas=1))
    lab.admin.create(pod_owned_by("kept", rs["metadata"]["uid"], app="web"))
    lab.run()
    assert lab.names("pods") == ["kept"]
    assert get_controller_of(lab.pods()[0])["uid"] == rs["metadata"]["uid"]


def test_the_graph_lists_an_owners_dependents():
    lab = Lab()
    rs = lab.admin.create(replica_set(replicas=2))
    lab.run()
    gc = lab.manager["garbagecollector"]
    dependents = gc.dependents_of(rs["metadata"]["uid"])
    assert sorted(d.name for d in dependents) == sorted(lab.names("pods"))


def test_a_node_lease_goes_with_its_node():
    lab = Lab()
    node = lab.admin.create({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-1"}})
    lab.admin.create({
        "apiVersion": "coordination.k8s.io/v1",
        "kind": "Lease",
        "metadata": {
            "name": "node-1",
            "namespace": "kube-node-lease",
            "ownerReferences": [
                {"apiVersion": "v1", "kind": "Node", "name": "node-1", "uid": node["metadata"]["uid"]}
            ],
        },
        "spec": {"holderIdentity": "node-1", "leaseDurationSeconds": 40},
    })
    lab.run()
    assert lab.admin.list("leases", namespace="kube-node-lease")["items"] != []
    lab.admin.delete("nodes", "node-1")
    lab.run()
    assert lab.admin.list("leases", namespace="kube-node-lease")["items"] == []
