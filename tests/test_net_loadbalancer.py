"""Specification of the load balancer (k8slab.net.loadbalancer) with kube-proxies behind it.

No kubelet runs here: a test gives each pod its node, IP and Ready condition
itself, as the scheduler and a kubelet would.
"""

from __future__ import annotations

import pytest

from k8slab.api.server import APIServer
from k8slab.client import Client
from k8slab.cluster import node_object
from k8slab.controllers.endpointslice import EndpointSliceController
from k8slab.net.loadbalancer import LoadBalancerController
from k8slab.net.proxy import KubeProxy
from k8slab.sim import Loop
from k8slab.store import Store


def lb_service(name: str = "web", **spec) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "type": "LoadBalancer",
            "selector": {"app": "web"},
            "ports": [{"name": "http", "port": 80, "targetPort": 8080}],
            **spec,
        },
    }


class Lab:
    """Three nodes, each with a kube-proxy; the EndpointSlice controller; the load balancer."""

    def __init__(self, seed: int = 0, pool: str = "203.0.113.0/24"):
        self.loop = Loop(seed=seed, strict=True)
        self.api = APIServer(Store(self.loop))
        self.admin = Client(self.api)
        for index in (1, 2, 3):
            self.admin.create(node_object(index, {}))
        EndpointSliceController(Client(self.api, user="system:kube-controller-manager")).run()
        self.proxies = {}
        for index in (1, 2, 3):
            proxy = KubeProxy(Client(self.api, user="system:kube-proxy"), f"node-{index}")
            proxy.run()
            self.proxies[f"node-{index}"] = proxy
        self.lb = LoadBalancerController(Client(self.api, user="system:cloud-controller-manager"), pool=pool)
        for name, proxy in self.proxies.items():
            self.lb.register_proxy(name, proxy)
        self.lb.run()
        self.ips = 2

    def run(self, seconds: float = 12) -> None:
        self.loop.run(seconds=seconds)

    def start_pod(self, name: str, node: str, ready: bool = True) -> str:
        self.admin.create(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": name, "namespace": "default", "labels": {"app": "web"}},
                "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]},
            }
        )
        self.admin.bind("default", name, node)
        pod = self.admin.get("pods", name, namespace="default")
        ip = f"10.244.{node[-1]}.{self.ips}"
        self.ips += 1
        pod["status"].update(phase="Running", podIP=ip, podIPs=[{"ip": ip}])
        pod["status"]["conditions"] = [{"type": "Ready", "status": "True" if ready else "False"}]
        self.admin.update_status(pod)
        return ip

    def set_ready(self, name: str, ready: bool) -> None:
        pod = self.admin.get("pods", name, namespace="default")
        pod["status"]["conditions"] = [{"type": "Ready", "status": "True" if ready else "False"}]
        self.admin.update_status(pod)

    def ingress(self, name: str = "web") -> list[dict]:
        service = self.admin.get("services", name, namespace="default")
        return (service.get("status") or {}).get("loadBalancer", {}).get("ingress", [])

    def events(self, name: str = "web") -> list[tuple[str, str, str]]:
        return [
            (e["type"], e["reason"], e["message"])
            for e in self.admin.list("events", namespace="default")["items"]
            if e["involvedObject"]["name"] == name
        ]

    def nodes_chosen(self, ip: str, count: int = 300) -> set[str]:
        return {self.lb.route(ip, 80, client="198.51.100.7").node for _ in range(count)}


# ----------------------------------------------------------------------------- the service controller


def test_a_load_balancer_service_gets_an_external_ip_in_its_status_and_the_events_say_so():
    lab = Lab()
    lab.admin.create(lb_service())
    lab.run()
    assert lab.ingress() == [{"ip": "203.0.113.1", "ipMode": "VIP"}]
    assert lab.events() == [
        ("Normal", "EnsuringLoadBalancer", "Ensuring load balancer"),
        ("Normal", "EnsuredLoadBalancer", "Ensured load balancer"),
    ]


def test_kubectl_shows_the_external_ip():
    from k8slab.kubectl import Kubectl

    lab = Lab()
    lab.admin.create(lb_service())
    lab.run()
    assert "203.0.113.1" in Kubectl(lab.api).run("get svc web")


def test_a_cluster_ip_service_gets_no_load_balancer():
    lab = Lab()
    lab.admin.create(lb_service(type="ClusterIP"))
    lab.run()
    assert lab.ingress() == [] and lab.lb.balancers == {}


def test_a_requested_load_balancer_ip_is_used_when_it_is_in_the_pool():
    lab = Lab()
    lab.admin.create(lb_service(loadBalancerIP="203.0.113.50"))
    lab.run()
    assert lab.ingress() == [{"ip": "203.0.113.50", "ipMode": "VIP"}]


def test_a_requested_ip_outside_the_pool_fails_with_a_warning_and_is_retried_with_back_off():
    lab = Lab()
    lab.admin.create(lb_service(loadBalancerIP="192.0.2.9"))
    lab.run(seconds=1)
    assert lab.ingress() == []
    warning = (
        "Warning",
        "SyncLoadBalancerFailed",
        "Error syncing load balancer: failed to ensure load balancer: "
        "requested IP 192.0.2.9 is not in the pool 203.0.113.0/24",
    )
    assert warning in lab.events()
    first = lab.admin.list("events", namespace="default")["items"][-1]["count"]
    lab.run(seconds=40)  # retries after 5, 10, 20 s
    last = [
        e
        for e in lab.admin.list("events", namespace="default")["items"]
        if e["reason"] == "SyncLoadBalancerFailed"
    ]
    assert last[0]["count"] == first + 3
    assert not lab.loop.errors


def test_when_the_pool_is_empty_the_service_waits_and_gets_the_address_another_service_gives_back():
    lab = Lab(pool="203.0.113.0/30")  # two usable addresses
    lab.admin.create(lb_service("a"))
    lab.admin.create(lb_service("b"))
    lab.admin.create(lb_service("c"))
    lab.run(seconds=2)
    assert [lab.ingress(n) for n in "abc"] == [
        [{"ip": "203.0.113.1", "ipMode": "VIP"}],
        [{"ip": "203.0.113.2", "ipMode": "VIP"}],
        [],
    ]
    assert (
        "Warning",
        "SyncLoadBalancerFailed",
        "Error syncing load balancer: failed to ensure load balancer: "
        "no IP addresses left in the pool 203.0.113.0/30",
    ) in lab.events("c")
    lab.admin.delete("services", "a", namespace="default")
    lab.run(seconds=30)
    assert lab.ingress("c") == [{"ip": "203.0.113.1", "ipMode": "VIP"}]


def test_changing_the_type_away_from_load_balancer_deletes_it_and_clears_the_status():
    lab = Lab()
    lab.admin.create(lb_service())
    lab.run()
    # kube-apiserver drops the type-dependent fields itself (dropTypeDependentFields); the lab's does not yet.
    patch = {
        "spec": {"type": "ClusterIP", "externalTrafficPolicy": None, "allocateLoadBalancerNodePorts": None}
    }
    lab.admin.patch("services", "web", patch, namespace="default")
    lab.run()
    assert lab.ingress() == [] and lab.lb.balancers == {} and lab.lb.pool.allocated == set()
    assert lab.events()[-2:] == [
        ("Normal", "DeletingLoadBalancer", "Deleting load balancer"),
        ("Normal", "DeletedLoadBalancer", "Deleted load balancer"),
    ]


def test_nodes_labelled_to_be_excluded_are_not_backends_and_changes_update_the_hosts():
    lab = Lab()
    lab.admin.create(lb_service())
    lab.run()
    assert sorted(lab.lb.balancers["default/web"].backends) == ["node-1", "node-2", "node-3"]
    lab.admin.patch(
        "nodes",
        "node-3",
        {"metadata": {"labels": {"node.kubernetes.io/exclude-from-external-load-balancers": ""}}},
    )
    lab.run()
    assert sorted(lab.lb.balancers["default/web"].backends) == ["node-1", "node-2"]
    assert lab.events()[-1] == ("Normal", "UpdatedLoadBalancer", "Updated load balancer with new hosts")


# ----------------------------------------------------------------------------- health checks and traffic


def test_traffic_is_spread_over_every_healthy_node():
    lab = Lab()
    lab.admin.create(lb_service())
    lab.start_pod("web-0", "node-1")
    lab.run()
    assert lab.nodes_chosen("203.0.113.1") == {"node-1", "node-2", "node-3"}


def test_a_new_load_balancer_sends_nothing_until_its_nodes_pass_two_checks():
    lab = Lab()
    lab.admin.create(lb_service())
    lab.run(seconds=1)
    decision = lab.lb.route("203.0.113.1", 80)
    assert decision.node == "" and decision.reason == "no healthy node behind the load balancer"
    lab.run(seconds=5)
    assert lab.lb.route("203.0.113.1", 80).node


def test_a_node_whose_kube_proxy_stops_is_taken_out_after_two_failed_checks_and_comes_back():
    lab = Lab()
    lab.admin.create(lb_service())
    lab.start_pod("web-0", "node-1")
    lab.run()
    lab.proxies["node-2"].stop()
    lab.run(seconds=5)
    assert lab.lb.balancers["default/web"].backends["node-2"].healthy  # one failure is not enough
    lab.run(seconds=5)
    assert lab.nodes_chosen("203.0.113.1") == {"node-1", "node-3"}
    frame = lab.lb.frame()
    row = frame[frame.node == "node-2"].iloc[0]
    assert (row["healthy"], row["last status"], row["failures in a row"]) == (False, "no answer", 2)
    lab.proxies["node-2"].run()
    lab.run(seconds=12)
    assert lab.nodes_chosen("203.0.113.1") == {"node-1", "node-2", "node-3"}


def test_external_traffic_policy_local_sends_traffic_only_to_nodes_with_a_ready_pod():
    lab = Lab()
    lab.admin.create(lb_service(externalTrafficPolicy="Local", healthCheckNodePort=32000))
    lab.start_pod("web-0", "node-1")
    lab.start_pod("web-1", "node-3")
    lab.run()
    assert lab.nodes_chosen("203.0.113.1") == {"node-1", "node-3"}
    assert lab.proxies["node-2"].service_health("default", "web") == (
        503,
        {
            "service": {"namespace": "default", "name": "web"},
            "localEndpoints": 0,
            "serviceProxyHealthy": True,
        },
    )
    lab.set_ready("web-1", False)
    lab.run()
    assert lab.nodes_chosen("203.0.113.1") == {"node-1"}
    assert list(lab.lb.frame()["check"]) == ["10.0.0.11:32000/", "10.0.0.12:32000/", "10.0.0.13:32000/"]


def test_a_connection_through_the_load_balancer_reaches_a_pod_through_the_nodes_rules():
    lab = Lab()
    lab.admin.create(lb_service())
    pod_ip = lab.start_pod("web-0", "node-2")
    lab.run()
    decision = lab.lb.route("203.0.113.1", 80, client="198.51.100.7")
    verdict = lab.proxies[decision.node].route("198.51.100.7", "203.0.113.1", 80)
    assert (verdict.action, verdict.endpoint) == ("DNAT", f"{pod_ip}:8080")
    assert any("loadbalancer IP" in rule.comment for _, _, _, rule in verdict.trace)


def test_an_address_or_port_without_a_load_balancer_is_dropped_with_a_reason():
    lab = Lab()
    lab.admin.create(lb_service())
    lab.run()
    decision = lab.lb.route("203.0.113.1", 443)
    assert decision.node == "" and decision.reason == "no load balancer listens on this address and port"
    assert (
        repr(decision)
        == "Decision(203.0.113.1:443 dropped: no load balancer listens on this address and port)"
    )


def test_bad_settings_are_refused():
    lab = Lab()
    with pytest.raises(ValueError):
        LoadBalancerController(Client(lab.api), pool="not a network")
    with pytest.raises(ValueError):
        LoadBalancerController(Client(lab.api), interval=0)


def test_the_same_seed_spreads_the_same_way():
    def picks(seed):
        lab = Lab(seed=seed)
        lab.admin.create(lb_service())
        lab.run()
        return [lab.lb.route("203.0.113.1", 80).node for _ in range(30)]

    assert picks(2) == picks(2)


def test_a_load_balancer_with_no_node_to_send_to_says_so():
    lab = Lab()
    for index in (1, 2, 3):
        lab.admin.patch(
            "nodes",
            f"node-{index}",
            {"metadata": {"labels": {"node.kubernetes.io/exclude-from-external-load-balancers": "true"}}},
        )
    lab.admin.create(lb_service())
    lab.run()
    assert (
        "Warning",
        "UnAvailableLoadBalancer",
        "There are no available nodes for LoadBalancer",
    ) in lab.events()
