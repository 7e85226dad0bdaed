"""Specification of the NodePort allocator (k8slab.net.nodeports)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from k8slab.api.errors import InternalError, Invalid
from k8slab.net.nodeports import NodePortAllocator


def node_port_service(*node_ports: int | None, service_type: str = "NodePort") -> dict:
    ports = []
    for index, node_port in enumerate(node_ports):
        port = {"name": f"p{index}", "port": 80 + index, "protocol": "TCP"}
        if node_port is not None:
            port["nodePort"] = node_port
        ports.append(port)
    return {"metadata": {"name": "web"}, "spec": {"type": service_type, "ports": ports}}


def test_a_requested_port_in_range_is_given():
    allocator = NodePortAllocator(random.Random(0))
    assert allocator.allocate(30080) == 30080


def test_a_port_out_of_range_is_refused_in_the_api_servers_words():
    allocator = NodePortAllocator(random.Random(0))
    with pytest.raises(
        ValueError, match="provided port is not in the valid range. The range of valid ports is 30000-32767"
    ):
        allocator.allocate(8080)


def test_a_taken_port_is_refused():
    allocator = NodePortAllocator(random.Random(0))
    allocator.allocate(30080)
    with pytest.raises(ValueError, match="provided port is already allocated"):
        allocator.allocate(30080)


def test_random_ports_come_from_the_upper_band_first():
    allocator = NodePortAllocator(random.Random(0))
    ports = [allocator.allocate() for _ in range(200)]
    assert all(30086 <= port <= 32767 for port in ports)
    assert len(set(ports)) == 200


def test_the_lower_band_is_used_when_the_upper_is_full_and_then_the_range_is_full():
    allocator = NodePortAllocator(random.Random(0), "30000-30099")  # 100 ports, static band of 16
    ports = [allocator.allocate() for _ in range(100)]
    assert sorted(ports) == list(range(30000, 30100))
    assert all(p >= 30016 for p in ports[:84])
    with pytest.raises(ValueError, match="range is full"):
        allocator.allocate()


def test_a_service_gets_a_node_port_for_every_port():
    allocator = NodePortAllocator(random.Random(0))
    service = allocator.allocate_service(node_port_service(None, 30080))
    ports = [p["nodePort"] for p in service["spec"]["ports"]]
    assert ports[1] == 30080 and 30000 <= ports[0] <= 32767


def test_a_clash_is_invalid_with_the_field_path_and_changes_nothing():
    allocator = NodePortAllocator(random.Random(0))
    allocator.allocate_service(node_port_service(30080))
    before = set(allocator.allocated)
    service = node_port_service(None, 30080)
    with pytest.raises(Invalid) as raised:
        allocator.allocate_service(service)
    assert str(raised.value) == (
        'Service "web" is invalid: spec.ports[1].nodePort: Invalid value: 30080: '
        "provided port is already allocated"
    )
    assert allocator.allocated == before
    assert "nodePort" not in service["spec"]["ports"][0]


def test_a_full_range_is_an_internal_error_and_releases_what_it_took():
    allocator = NodePortAllocator(random.Random(0), "30000-30001")
    allocator.allocate(30000)
    with pytest.raises(InternalError, match="failed to allocate a nodePort: range is full"):
        allocator.allocate_service(node_port_service(None, None))
    assert allocator.allocated == {30000}


def test_cluster_ip_services_and_load_balancers_without_node_ports_get_none():
    allocator = NodePortAllocator(random.Random(0))
    assert (
        "nodePort"
        not in allocator.allocate_service(node_port_service(None, service_type="ClusterIP"))["spec"]["ports"][
            0
        ]
    )
    lb = node_port_service(None, service_type="LoadBalancer")
    lb["spec"]["allocateLoadBalancerNodePorts"] = False
    assert "nodePort" not in allocator.allocate_service(lb)["spec"]["ports"][0]


def test_releasing_a_service_frees_its_ports():
    allocator = NodePortAllocator(random.Random(0))
    service = allocator.allocate_service(node_port_service(None, None))
    allocator.release_service(service)
    assert allocator.allocated == set()


def test_a_bad_range_is_refused():
    with pytest.raises(ValueError):
        NodePortAllocator(random.Random(0), "32767-30000")
    with pytest.raises(ValueError):
        NodePortAllocator(random.Random(0), "lots")


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32), st.lists(st.one_of(st.none(), st.integers(29990, 30030)), max_size=40))
def test_ports_handed_out_are_always_distinct_and_in_range(seed, requests):
    allocator = NodePortAllocator(random.Random(seed), "30000-30020")
    given_out = []
    for requested in requests:
        try:
            given_out.append(allocator.allocate(requested))
        except ValueError:
            pass
    assert len(given_out) == len(set(given_out)) == len(allocator.allocated)
    assert all(30000 <= port <= 30020 for port in given_out)


def test_a_local_load_balancer_gets_a_health_check_node_port_too():
    allocator = NodePortAllocator(random.Random(0))
    service = node_port_service(None, service_type="LoadBalancer")
    service["spec"]["externalTrafficPolicy"] = "Local"
    allocator.allocate_service(service)
    health = service["spec"]["healthCheckNodePort"]
    assert 30000 <= health <= 32767 and health != service["spec"]["ports"][0]["nodePort"]
    allocator.release_service(service)
    assert allocator.allocated == set()


def test_a_failed_service_keeps_the_node_ports_its_author_asked_for_and_frees_them():
    allocator = NodePortAllocator(random.Random(0))
    allocator.allocate(30090)
    service = node_port_service(30081, 30090)
    with pytest.raises(Invalid):
        allocator.allocate_service(service)
    assert [p.get("nodePort") for p in service["spec"]["ports"]] == [30081, 30090]
    assert allocator.allocated == {30090}
