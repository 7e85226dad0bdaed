"""The API server hands out NodePorts as kube-apiserver does: on create, kept on update, freed on delete."""

import pytest

from k8slab.api.errors import Invalid
from k8slab.api.server import APIServer
from k8slab.sim import Loop
from k8slab.store import Store


@pytest.fixture
def api():
    return APIServer(Store(Loop(seed=0)))


def service(name: str, kind: str = "NodePort", node_port: int | None = None, **spec) -> dict:
    port = {"port": 80, "targetPort": 80}
    if node_port:
        port["nodePort"] = node_port
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
            "spec": {"type": kind, "selector": {"app": name}, "ports": [port], **spec}}


def node_port(obj: dict) -> int | None:
    return obj["spec"]["ports"][0].get("nodePort")


def test_a_nodeport_service_gets_a_port_from_the_upper_band(api):
    created = api.create(service("web"))
    assert 30086 <= node_port(created) <= 32767


def test_a_requested_port_is_kept_and_a_second_claim_is_refused_without_a_change(api):
    assert node_port(api.create(service("web", node_port=30080))) == 30080
    revision = api.store.revision
    with pytest.raises(Invalid, match="spec.ports\\[0\\].nodePort: Invalid value: 30080: provided port is "
                                      "already allocated"):
        api.create(service("other", node_port=30080))
    assert api.store.revision == revision
    assert len(api.service_ips.allocated) == 2  # the kubernetes Service and web: no clusterIP leaked


def test_a_port_out_of_range_is_invalid(api):
    with pytest.raises(Invalid, match="provided port is not in the valid range. The range of valid ports is "
                                      "30000-32767"):
        api.create(service("web", node_port=8080))


def test_deleting_the_service_frees_its_port(api):
    api.create(service("web", node_port=30080))
    api.delete("services", "web", "default")
    assert node_port(api.create(service("again", node_port=30080))) == 30080


def test_an_update_without_node_ports_keeps_the_allocated_ones(api):
    port = node_port(api.create(service("web")))
    current = api.get("services", "web", "default")
    current["spec"]["ports"][0].pop("nodePort")
    current["metadata"]["labels"] = {"tier": "front"}
    assert node_port(api.update(current)) == port


def test_patching_a_clusterip_service_to_nodeport_allocates_and_back_frees(api):
    api.create(service("web", kind="ClusterIP"))
    patched = api.patch("services", "web", {"spec": {"type": "NodePort"}}, namespace="default")
    port = node_port(patched)
    assert port
    back = api.patch("services", "web", {"spec": {"type": "ClusterIP"}}, namespace="default")
    assert node_port(back) is None
    assert "externalTrafficPolicy" not in back["spec"]
    assert port not in api.node_ports.allocated


def test_a_local_load_balancer_gets_a_health_check_node_port(api):
    created = api.create(service("web", kind="LoadBalancer", externalTrafficPolicy="Local"))
    assert created["spec"]["healthCheckNodePort"] in api.node_ports.allocated
    back = api.patch("services", "web", {"spec": {"type": "ClusterIP"}}, namespace="default")
    assert "healthCheckNodePort" not in back["spec"]
    assert api.node_ports.allocated == set()
