"""Specification of the EndpointSlice controller (k8slab.controllers.endpointslice), in virtual time.

No kubelet runs here: a test gives a pod its node, its IP and its Ready
condition itself, through the API, as the scheduler and a kubelet would.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from k8slab.api.server import APIServer
from k8slab.client import Client
from k8slab.cluster import node_object
from k8slab.controllers.endpointslice import (
    CONTROLLER_NAME,
    EndpointSliceController,
    find_port,
)
from k8slab.controllers.manager import ControllerManager
from k8slab.sim import Loop
from k8slab.store import Store


def service(name: str = "web", selector: dict | None = None, ports: list[dict] | None = None, **spec) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": "default", "labels": {"tier": "front"}},
        "spec": {
            "selector": selector if selector is not None else {"app": name},
            "ports": ports or [{"name": "http", "port": 80, "targetPort": "http"}],
            **spec,
        },
    }


def pod(name: str, labels: dict | None = None, ports: list[dict] | None = None) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default", "labels": labels or {"app": "web"}},
        "spec": {
            "containers": [
                {
                    "name": "web",
                    "image": "nginx:1.27",
                    "ports": ports if ports is not None else [{"name": "http", "containerPort": 8080}],
                }
            ]
        },
    }


class Lab:
    """An API server with three nodes (zones a, b, c), an admin client and a running controller."""

    def __init__(self, seed: int = 0, max_endpoints_per_slice: int = 100):
        self.loop = Loop(seed=seed, strict=True)
        self.api = APIServer(Store(self.loop))
        self.admin = Client(self.api)
        for index in (1, 2, 3):
            self.admin.create(node_object(index, {}))
        client = Client(self.api, user="system:kube-controller-manager")
        self.controller = EndpointSliceController(client, max_endpoints_per_slice=max_endpoints_per_slice)
        self.controller.run()
        self.next_ip = 2

    def run(self, seconds: float = 2) -> None:
        self.loop.run(seconds=seconds)

    def start_pod(self, name: str, node: str = "node-1", ready: bool = True, **kwargs) -> dict:
        """Create a pod, bind it, give it an IP and (if asked) a Ready condition."""
        self.admin.create(pod(name, **kwargs))
        self.admin.bind("default", name, node)
        obj = self.admin.get("pods", name, namespace="default")
        obj["status"]["phase"] = "Running"
        obj["status"]["podIP"] = f"10.244.{node[-1]}.{self.next_ip}"
        obj["status"]["podIPs"] = [{"ip": obj["status"]["podIP"]}]
        self.next_ip += 1
        obj["status"]["conditions"] = [{"type": "Ready", "status": "True" if ready else "False"}]
        return self.admin.update_status(obj)

    def set_ready(self, name: str, ready: bool) -> None:
        obj = self.admin.get("pods", name, namespace="default")
        obj["status"]["conditions"] = [{"type": "Ready", "status": "True" if ready else "False"}]
        self.admin.update_status(obj)

    def slices(self, service_name: str = "web") -> list[dict]:
        items = self.admin.list(
            "endpointslices", namespace="default", label_selector=f"kubernetes.io/service-name={service_name}"
        )["items"]
        return sorted(items, key=lambda s: s["metadata"]["name"])

    def endpoints(self, service_name: str = "web") -> dict[str, dict]:
        """targetRef name -> endpoint, over every slice of the Service."""
        return {
            ep["targetRef"]["name"]: ep for s in self.slices(service_name) for ep in s["endpoints"]
        }


# ----------------------------------------------------------------------------- the slice object


def test_a_service_with_ready_pods_gets_one_slice_named_after_it_and_owned_by_it():
    lab = Lab()
    svc = lab.admin.create(service())
    lab.start_pod("web-1")
    lab.start_pod("web-2", node="node-2")
    lab.run()
    [slice_] = lab.slices()
    meta = slice_["metadata"]
    assert meta["generateName"] == "web-"
    assert meta["name"].startswith("web-") and len(meta["name"]) == len("web-") + 5
    assert meta["labels"] == {
        "tier": "front",
        "kubernetes.io/service-name": "web",
        "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
    }
    assert meta["ownerReferences"] == [
        {
            "apiVersion": "v1", "kind": "Service", "name": "web", "uid": svc["metadata"]["uid"],
            "controller": True, "blockOwnerDeletion": True,
        }
    ]
    assert slice_["addressType"] == "IPv4"
    assert slice_["ports"] == [{"name": "http", "port": 8080, "protocol": "TCP"}]


def test_an_endpoint_carries_address_conditions_node_zone_and_target_ref():
    lab = Lab()
    lab.admin.create(service())
    created = lab.start_pod("web-1", node="node-2")
    lab.run()
    endpoint = lab.endpoints()["web-1"]
    assert endpoint == {
        "addresses": [created["status"]["podIP"]],
        "conditions": {"ready": True, "serving": True, "terminating": False},
        "nodeName": "node-2",
        "zone": "zone-b",
        "targetRef": {
            "kind": "Pod", "namespace": "default", "name": "web-1", "uid": created["metadata"]["uid"]
        },
    }


def test_a_pod_without_an_ip_is_not_an_endpoint_yet():
    lab = Lab()
    lab.admin.create(service())
    lab.admin.create(pod("web-1"))
    lab.run()
    assert lab.endpoints() == {}


def test_finished_pods_are_not_endpoints():
    lab = Lab()
    lab.admin.create(service())
    lab.start_pod("web-1")
    lab.run()
    obj = lab.admin.get("pods", "web-1", namespace="default")
    obj["status"]["phase"] = "Succeeded"
    lab.admin.update_status(obj)
    lab.run()
    assert lab.endpoints() == {}


# ----------------------------------------------------------------------------- conditions over time


def test_a_pod_that_is_not_ready_is_listed_not_ready_and_not_serving():
    lab = Lab()
    lab.admin.create(service())
    lab.start_pod("web-1", ready=False)
    lab.run()
    assert lab.endpoints()["web-1"]["conditions"] == {"ready": False, "serving": False, "terminating": False}


def test_becoming_ready_and_unready_updates_the_slice():
    lab = Lab()
    lab.admin.create(service())
    lab.start_pod("web-1", ready=False)
    lab.run()
    lab.set_ready("web-1", True)
    lab.run()
    assert lab.endpoints()["web-1"]["conditions"]["ready"] is True
    lab.set_ready("web-1", False)
    lab.run()
    assert lab.endpoints()["web-1"]["conditions"]["ready"] is False


def test_a_terminating_ready_pod_is_serving_but_not_ready():
    lab = Lab()
    lab.admin.create(service())
    lab.start_pod("web-1")
    lab.run()
    lab.admin.delete("pods", "web-1", namespace="default", grace_period_seconds=30)
    lab.run()
    assert lab.endpoints()["web-1"]["conditions"] == {"ready": False, "serving": True, "terminating": True}


def test_publish_not_ready_addresses_makes_every_endpoint_ready():
    lab = Lab()
    lab.admin.create(service(publishNotReadyAddresses=True))
    lab.start_pod("web-1", ready=False)
    lab.run()
    assert lab.endpoints()["web-1"]["conditions"] == {"ready": True, "serving": False, "terminating": False}


def test_a_deleted_pod_leaves_the_slice():
    lab = Lab()
    lab.admin.create(service())
    lab.start_pod("web-1")
    lab.start_pod("web-2")
    lab.run()
    name = lab.slices()[0]["metadata"]["name"]
    lab.admin.delete("pods", "web-1", namespace="default", grace_period_seconds=0)
    lab.run()
    assert list(lab.endpoints()) == ["web-2"]
    assert lab.slices()[0]["metadata"]["name"] == name  # updated in place, not recreated


def test_a_pod_whose_labels_stop_matching_leaves_the_slice():
    lab = Lab()
    lab.admin.create(service())
    lab.start_pod("web-1")
    lab.run()
    lab.admin.patch("pods", "web-1", {"metadata": {"labels": {"app": "other"}}}, namespace="default")
    lab.run()
    assert lab.endpoints() == {}


# ----------------------------------------------------------------------------- ports


def test_target_port_by_number_is_used_as_is():
    lab = Lab()
    lab.admin.create(service(ports=[{"name": "http", "port": 80, "targetPort": 9376}]))
    lab.start_pod("web-1")
    lab.run()
    assert lab.slices()[0]["ports"] == [{"name": "http", "port": 9376, "protocol": "TCP"}]


def test_target_port_by_name_resolves_per_pod_so_pods_with_different_numbers_get_different_slices():
    lab = Lab()
    lab.admin.create(service())
    lab.start_pod("web-1", ports=[{"name": "http", "containerPort": 8080}])
    lab.start_pod("web-2", ports=[{"name": "http", "containerPort": 9090}])
    lab.run()
    by_port = {s["ports"][0]["port"]: [e["targetRef"]["name"] for e in s["endpoints"]] for s in lab.slices()}
    assert by_port == {8080: ["web-1"], 9090: ["web-2"]}


def test_a_port_name_no_container_declares_gives_an_endpoint_without_ports():
    lab = Lab()
    lab.admin.create(service(ports=[{"name": "http", "port": 80, "targetPort": "metrics"}]))
    lab.start_pod("web-1")
    lab.run()
    [slice_] = lab.slices()
    assert slice_["ports"] == []
    assert [e["targetRef"]["name"] for e in slice_["endpoints"]] == ["web-1"]


def test_find_port_matches_name_and_protocol():
    p = pod("x", ports=[{"name": "dns", "containerPort": 53, "protocol": "UDP"}])
    assert find_port(p, {"targetPort": "dns", "protocol": "UDP"}) == 53
    assert find_port(p, {"targetPort": "dns", "protocol": "TCP"}) is None


# ----------------------------------------------------------------------------- no endpoints, no selector


def test_a_service_selecting_nothing_gets_one_empty_placeholder_slice():
    lab = Lab()
    lab.admin.create(service(selector={"app": "typo"}))
    lab.run()
    [slice_] = lab.slices()
    assert slice_["endpoints"] == [] and slice_["ports"] == []


def test_the_placeholder_becomes_the_real_slice_when_pods_arrive():
    lab = Lab()
    lab.admin.create(service())
    lab.run()
    [placeholder] = lab.slices()
    lab.start_pod("web-1")
    lab.run()
    [slice_] = lab.slices()
    assert slice_["metadata"]["name"] == placeholder["metadata"]["name"]
    assert slice_["ports"] == [{"name": "http", "port": 8080, "protocol": "TCP"}]
    assert list(lab.endpoints()) == ["web-1"]


def test_a_service_without_a_selector_gets_no_slices_from_the_controller():
    lab = Lab()
    svc = service()
    del svc["spec"]["selector"]
    lab.admin.create(svc)
    lab.start_pod("web-1")
    lab.run()
    assert lab.slices() == []


def test_an_external_name_service_gets_no_slices():
    lab = Lab()
    lab.admin.create(
        {
            "apiVersion": "v1", "kind": "Service", "metadata": {"name": "db", "namespace": "default"},
            "spec": {"type": "ExternalName", "externalName": "db.example.com", "selector": {"app": "db"}},
        }
    )
    lab.run()
    assert lab.slices("db") == []


def test_slices_that_someone_deletes_are_written_again():
    lab = Lab()
    lab.admin.create(service())
    lab.start_pod("web-1")
    lab.run()
    lab.admin.delete("endpointslices", lab.slices()[0]["metadata"]["name"], namespace="default")
    lab.run()
    assert list(lab.endpoints()) == ["web-1"]


def test_changing_the_services_labels_updates_its_slices():
    lab = Lab()
    lab.admin.create(service())
    lab.start_pod("web-1")
    lab.run()
    lab.admin.patch("services", "web", {"metadata": {"labels": {"tier": "back"}}}, namespace="default")
    lab.run()
    assert lab.slices()[0]["metadata"]["labels"]["tier"] == "back"


# ----------------------------------------------------------------------------- many endpoints


def test_endpoints_are_split_into_slices_of_at_most_max_endpoints_per_slice():
    lab = Lab(max_endpoints_per_slice=3)
    lab.admin.create(service())
    for i in range(7):
        lab.start_pod(f"web-{i}")
    lab.run()
    sizes = sorted(len(s["endpoints"]) for s in lab.slices())
    assert sizes == [1, 3, 3]
    assert len(lab.endpoints()) == 7


@settings(max_examples=15, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["add", "ready", "unready", "delete"]), st.integers(0, 5)),
        min_size=1,
        max_size=12,
    )
)
def test_slices_always_end_up_listing_exactly_the_pods_that_have_an_ip(steps):
    lab = Lab(max_endpoints_per_slice=2)
    lab.admin.create(service())
    alive: dict[str, bool] = {}
    for action, index in steps:
        name = f"web-{index}"
        if action == "add" and name not in alive:
            lab.start_pod(name, node=f"node-{index % 3 + 1}")
            alive[name] = True
        elif action in ("ready", "unready") and name in alive:
            lab.set_ready(name, action == "ready")
            alive[name] = action == "ready"
        elif action == "delete" and name in alive:
            lab.admin.delete("pods", name, namespace="default", grace_period_seconds=0)
            del alive[name]
        lab.loop.run(seconds=0.01 * (index % 3))
    lab.run()
    endpoints = lab.endpoints()
    assert {name: e["conditions"]["ready"] for name, e in endpoints.items()} == alive
    assert all(0 < len(s["endpoints"]) <= 2 for s in lab.slices()) or (
        not alive and len(lab.slices()) == 1
    )
    assert not lab.loop.errors


def test_the_same_seed_gives_the_same_slices():
    def names(seed):
        lab = Lab(seed=seed)
        lab.admin.create(service())
        for i in range(4):
            lab.start_pod(f"web-{i}")
        lab.run()
        return [
            (s["metadata"]["name"], [e["targetRef"]["name"] for e in s["endpoints"]]) for s in lab.slices()
        ]

    assert names(3) == names(3)


# ----------------------------------------------------------------------------- controller manager


def test_the_controller_manager_knows_the_endpointslice_controller_by_name():
    loop = Loop(seed=0, strict=True)
    api = APIServer(Store(loop))
    admin = Client(api)
    manager = ControllerManager(api, controllers=["endpointslice"])
    manager.start()
    admin.create(service(selector={"app": "none"}))
    loop.run(seconds=1)
    [slice_] = admin.list("endpointslices", namespace="default")["items"]
    assert slice_["metadata"]["labels"]["endpointslice.kubernetes.io/managed-by"] == CONTROLLER_NAME
