"""Specification of cluster DNS (k8slab.net.dns): cluster.local names, search paths, headless Services."""

from __future__ import annotations

import pytest

from k8slab.api.server import APIServer
from k8slab.client import Client
from k8slab.net.dns import ClusterDNS, candidates, search_path
from k8slab.sim import Loop
from k8slab.store import Store


def make_dns() -> tuple[ClusterDNS, Client, Loop]:
    loop = Loop(seed=0, strict=True)
    api = APIServer(Store(loop))
    admin = Client(api)
    for namespace in ("shop",):
        admin.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
    dns = ClusterDNS(Client(api, user="system:serviceaccount:kube-system:coredns"))
    dns.run()
    return dns, admin, loop


def svc(name: str, namespace: str = "default", **spec) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"selector": {"app": name}, "ports": [{"port": 80}], **spec},
    }


def endpoint_slice(service: str, addresses: list[tuple[str, bool]]) -> dict:
    return {
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": {
            "name": f"{service}-abcde",
            "namespace": "default",
            "labels": {"kubernetes.io/service-name": service},
        },
        "addressType": "IPv4",
        "ports": [{"port": 80}],
        "endpoints": [{"addresses": [ip], "conditions": {"ready": ready}} for ip, ready in addresses],
    }


def test_a_pods_search_path_starts_with_its_own_namespace():
    assert search_path("shop") == ["shop.svc.cluster.local", "svc.cluster.local", "cluster.local"]


def test_short_names_try_the_search_path_first_and_long_or_absolute_names_as_they_are():
    assert candidates("web", "shop")[0] == "web.shop.svc.cluster.local"
    assert candidates("web", "shop")[-1] == "web"
    assert candidates("a.b.c.d.e.f", "shop")[0] == "a.b.c.d.e.f"  # five dots or more: as it is first
    assert candidates("web.default.svc.cluster.local.", "shop") == ["web.default.svc.cluster.local"]


def test_every_form_of_a_services_name_resolves_to_its_cluster_ip():
    dns, admin, loop = make_dns()
    ip = admin.create(svc("web"))["spec"]["clusterIP"]
    loop.run(seconds=1)
    for name in ("web", "web.default", "web.default.svc", "web.default.svc.cluster.local", "WEB.default"):
        answer = dns.resolve(name, "default")
        assert answer.addresses == [ip] and answer.name == "web.default.svc.cluster.local", name


def test_a_short_name_finds_only_the_service_of_the_pods_own_namespace():
    dns, admin, loop = make_dns()
    admin.create(svc("cart", namespace="shop"))
    loop.run(seconds=1)
    assert dns.resolve("cart", "default").rcode == "NXDOMAIN"
    assert dns.resolve("cart", "shop").found
    assert dns.resolve("cart.shop", "default").found


def test_an_unknown_name_is_nxdomain_after_trying_the_whole_search_path():
    dns, _, _ = make_dns()
    answer = dns.resolve("nope", "default")
    assert answer.rcode == "NXDOMAIN" and not answer.found
    assert answer.tried == [
        "nope.default.svc.cluster.local",
        "nope.svc.cluster.local",
        "nope.cluster.local",
        "nope",
    ]


def test_a_headless_service_answers_with_its_ready_endpoints_only():
    dns, admin, loop = make_dns()
    admin.create(svc("db", clusterIP="None"))
    admin.create(endpoint_slice("db", [("10.244.1.10", True), ("10.244.1.9", True), ("10.244.3.4", False)]))
    loop.run(seconds=1)
    assert dns.resolve("db", "default").addresses == ["10.244.1.9", "10.244.1.10"]  # in address order


def test_a_headless_service_without_ready_endpoints_exists_but_has_no_address():
    dns, admin, loop = make_dns()
    admin.create(svc("db", clusterIP="None"))
    loop.run(seconds=1)
    answer = dns.resolve("db", "default")
    assert answer.rcode == "NOERROR" and answer.addresses == []


def test_an_external_name_service_is_a_cname():
    dns, admin, loop = make_dns()
    admin.create(
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "search", "namespace": "default"},
            "spec": {"type": "ExternalName", "externalName": "www.example.com"},
        }
    )
    loop.run(seconds=1)
    answer = dns.resolve("search", "default")
    assert answer.cname == "www.example.com" and not answer.found


def test_pod_names_made_of_the_address_resolve_to_it():
    dns, _, _ = make_dns()
    assert dns.resolve("10-244-1-7.default.pod.cluster.local").addresses == ["10.244.1.7"]


def test_a_deleted_service_stops_resolving_once_the_watch_delivers_it():
    dns, admin, loop = make_dns()
    admin.create(svc("web"))
    loop.run(seconds=1)
    admin.delete("services", "web", namespace="default")
    loop.run(seconds=1)
    assert not dns.resolve("web", "default").found


@pytest.mark.parametrize("name", ["", None, 42])
def test_a_bad_name_raises(name):
    dns, _, _ = make_dns()
    with pytest.raises(ValueError, match="a DNS name is a non-empty string"):
        dns.resolve(name, "default")
