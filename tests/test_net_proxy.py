"""Specification of kube-proxy's rules (k8slab.net.proxy), with the EndpointSlice controller feeding it.

No kubelet runs here: a test gives each pod its node, IP and Ready condition
itself, as the scheduler and a kubelet would.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from k8slab.api.server import APIServer
from k8slab.client import Client
from k8slab.cluster import node_object
from k8slab.controllers.endpointslice import EndpointSliceController
from k8slab.net.proxy import (
    EndpointInfo,
    KubeProxy,
    Packet,
    RecentLists,
    ServicePortInfo,
    build_rules,
    endpoint_chain,
    endpoints_map,
    probability,
    saved_probability,
    service_chain,
    walk,
)
from k8slab.sim import Loop
from k8slab.store import Store

NODE_1_IP = "10.0.0.11"  # node_object(1)'s InternalIP


def web_service(**spec) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {
            "selector": {"app": "web"},
            "ports": [{"name": "http", "port": 80, "targetPort": "http"}],
            **spec,
        },
    }


class Lab:
    """An API server, three nodes, the EndpointSlice controller and a kube-proxy on node-1."""

    def __init__(self, seed: int = 0, node: str = "node-1"):
        self.loop = Loop(seed=seed, strict=True)
        self.api = APIServer(Store(self.loop))
        self.admin = Client(self.api)
        for index in (1, 2, 3):
            self.admin.create(node_object(index, {}))
        EndpointSliceController(Client(self.api, user="system:kube-controller-manager")).run()
        self.proxy = KubeProxy(Client(self.api, user="system:kube-proxy"), node)
        self.proxy.run()
        self.ips = 2

    def run(self, seconds: float = 3) -> None:
        self.loop.run(seconds=seconds)

    def start_pod(self, name: str, node: str = "node-1", ready: bool = True, port_name: str = "http") -> str:
        self.admin.create(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": name, "namespace": "default", "labels": {"app": "web"}},
                "spec": {
                    "containers": [
                        {
                            "name": "web",
                            "image": "nginx:1.27",
                            "ports": [{"name": port_name, "containerPort": 8080}],
                        }
                    ]
                },
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

    def cluster_ip(self, name: str = "web") -> str:
        return self.admin.get("services", name, namespace="default")["spec"]["clusterIP"]

    def chosen(self, count: int, source: str = "10.244.2.100", port: int = 80) -> dict[str, int]:
        counts: dict[str, int] = {}
        for _ in range(count):
            verdict = self.proxy.route(source, self.cluster_ip(), port)
            counts[verdict.endpoint] = counts.get(verdict.endpoint, 0) + 1
        return counts


# ----------------------------------------------------------------------------- names and numbers


def test_chain_names_are_upstreams_hashes():
    assert service_chain("default/kubernetes:https", "tcp") == "KUBE-SVC-NPX46M4PTMTKRN6Y"
    assert service_chain("ns1/svc1:p80", "tcp") == "KUBE-SVC-XPGD46QRK7WJZT7O"
    assert endpoint_chain("ns1/svc1:p80", "tcp", "10.180.0.1:80") == "KUBE-SEP-SXIVWICOYRO3J4NJ"


def test_probabilities_are_written_with_ten_decimals_and_saved_as_the_kernel_keeps_them():
    assert [probability(n) for n in (4, 3, 2)] == ["0.2500000000", "0.3333333333", "0.5000000000"]
    assert saved_probability("0.3333333333") == "0.33333333349"
    assert saved_probability("0.2500000000") == "0.25000000000"


def endpoints(n: int, node: str = "node-1") -> list[EndpointInfo]:
    return [EndpointInfo(f"10.244.1.{i + 2}", 8080, node_name=node) for i in range(n)]


def web_port(**kwargs) -> ServicePortInfo:
    return ServicePortInfo("default", "web", "http", "TCP", "10.96.0.10", 80, **kwargs)


def test_endpoint_i_of_n_is_taken_with_probability_one_over_n_minus_i_and_the_last_always():
    rules = build_rules([web_port()], {("default/web", "http", "TCP"): endpoints(4)})
    chain = rules.chain("nat", service_chain("default/web:http", "tcp"))
    picks = [rule for rule in chain if rule.target.startswith("KUBE-SEP-")]
    assert [rule.probability for rule in picks] == ["0.2500000000", "0.3333333333", "0.5000000000", ""]
    assert "--probability 0.33333333349" in picks[1].save_text()


def test_the_cluster_ip_rule_sends_the_service_to_its_chain_and_masquerades_off_cluster_sources():
    rules = build_rules([web_port()], {("default/web", "http", "TCP"): endpoints(1)})
    text = rules.save()
    svc = service_chain("default/web:http", "tcp")
    assert (
        f'-A KUBE-SERVICES -d 10.96.0.10/32 -p tcp -m comment --comment "default/web:http cluster IP" '
        f"-m tcp --dport 80 -j {svc}"
    ) in text
    assert (
        f"-A {svc} ! -s 10.244.0.0/16 -d 10.96.0.10/32 -p tcp "
        '-m comment --comment "default/web:http cluster IP" -m tcp --dport 80 -j KUBE-MARK-MASQ'
    ) in text
    sep = endpoint_chain("default/web:http", "tcp", "10.244.1.2:8080")
    assert (
        f"-A {sep} -p tcp -m comment --comment default/web:http -m tcp "
        "-j DNAT --to-destination 10.244.1.2:8080" in text
    )
    assert text.splitlines()[-2] == "COMMIT"


def test_endpoints_are_ordered_as_upstream_sorts_them_by_their_text():
    slices = [
        {
            "metadata": {
                "name": "web-abcde",
                "namespace": "default",
                "labels": {"kubernetes.io/service-name": "web"},
            },
            "addressType": "IPv4",
            "ports": [{"name": "http", "port": 80, "protocol": "TCP"}],
            "endpoints": [
                {"addresses": [ip], "conditions": {"ready": True}} for ip in ("10.0.0.2", "10.0.0.10")
            ],
        }
    ]
    assert [str(e) for e in endpoints_map(slices)[("default/web", "http", "TCP")]] == [
        "10.0.0.10:80",
        "10.0.0.2:80",
    ]


# ----------------------------------------------------------------------------- from the API to the rules


def test_a_service_with_three_ready_pods_gets_three_endpoint_chains_and_routes_to_them():
    lab = Lab()
    lab.admin.create(web_service())
    ips = {lab.start_pod(f"web-{i}", node=f"node-{i + 1}") for i in range(3)}
    lab.run()
    frame = lab.proxy.frame("nat", "KUBE-SEP-")
    assert set(frame[frame.target == "DNAT"]["to"]) == {f"{ip}:8080" for ip in ips}
    verdict = lab.proxy.route("10.244.2.50", lab.cluster_ip(), 80)
    assert verdict.action == "DNAT" and verdict.ip in ips and verdict.port == 8080
    assert verdict.service == "default/web:http"
    assert verdict.chains[:3] == ["PREROUTING", "KUBE-SERVICES", service_chain("default/web:http", "tcp")]


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("n", [2, 3, 5])
def test_each_pod_gets_one_nth_of_new_connections(seed, n):
    rules = build_rules([web_port()], {("default/web", "http", "TCP"): endpoints(n)})
    rng = random.Random(seed)
    count = 20_000
    tally: dict[str, int] = {}
    for _ in range(count):
        verdict = walk(rules, Packet("10.244.2.9", "10.96.0.10", 80), rng)
        tally[verdict.endpoint] = tally.get(verdict.endpoint, 0) + 1
    assert len(tally) == n
    sigma = ((1 / n) * (1 - 1 / n) / count) ** 0.5
    for share in (c / count for c in tally.values()):
        assert abs(share - 1 / n) < 4.5 * sigma


def test_the_proxy_spreads_cluster_traffic_evenly_over_the_pods_of_the_cluster():
    lab = Lab(seed=4)
    lab.admin.create(web_service())
    for i in range(3):
        lab.start_pod(f"web-{i}", node=f"node-{i + 1}")
    lab.run()
    counts = lab.chosen(6000)
    assert len(counts) == 3 and all(abs(c / 6000 - 1 / 3) < 0.03 for c in counts.values())


def test_a_pod_that_stops_being_ready_leaves_the_rotation_and_comes_back():
    lab = Lab()
    lab.admin.create(web_service())
    lab.start_pod("web-0")
    sick = lab.start_pod("web-1", node="node-2")
    lab.run()
    lab.set_ready("web-1", False)
    lab.run()
    assert f"{sick}:8080" not in lab.chosen(200)
    lab.set_ready("web-1", True)
    lab.run()
    assert f"{sick}:8080" in lab.chosen(200)


def test_terminating_pods_that_still_serve_are_used_only_when_no_pod_is_ready():
    lab = Lab()
    lab.admin.create(web_service())
    old = lab.start_pod("web-0")
    lab.run()
    lab.admin.delete("pods", "web-0", namespace="default", grace_period_seconds=30)
    lab.run()
    assert lab.chosen(20) == {f"{old}:8080": 20}  # the last pod shutting down still gets traffic
    new = lab.start_pod("web-1", node="node-2")
    lab.run()
    assert lab.chosen(50) == {f"{new}:8080": 50}


def test_rules_follow_changes_within_the_min_sync_period_in_one_sync():
    lab = Lab()
    lab.run()
    before = lab.proxy.syncs
    lab.admin.create(web_service())
    for i in range(5):
        lab.start_pod(f"web-{i}")
    lab.run(seconds=0.5)
    assert lab.proxy.syncs - before == 1  # the first change syncs at once; the rest wait for the period
    lab.run(seconds=2)
    assert lab.proxy.syncs - before == 2  # one second later, one sync takes in the whole burst
    assert len(lab.chosen(100)) == 5


# ----------------------------------------------------------------------------- no endpoints


def test_a_service_selecting_nothing_is_rejected_in_the_filter_table():
    lab = Lab()
    lab.admin.create(web_service(selector={"app": "wbe"}))  # a typo
    lab.run()
    ip = lab.cluster_ip()
    assert (
        f'-A KUBE-SERVICES -d {ip}/32 -p tcp -m comment --comment "default/web:http has no endpoints" '
        "-m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable"
    ) in lab.proxy.save()
    assert not [r for r in lab.proxy.rules.chain("nat", "KUBE-SERVICES") if r.destination == ip]
    verdict = lab.proxy.route("10.244.2.9", ip, 80)
    assert (verdict.action, verdict.service) == ("REJECT", "default/web:http")


def test_a_target_port_name_no_container_declares_leaves_the_service_without_endpoints():
    lab = Lab()
    lab.admin.create(web_service())
    lab.start_pod("web-0", port_name="web")  # the Service asks for "http"
    lab.run()
    assert lab.proxy.route("10.244.2.9", lab.cluster_ip(), 80).action == "REJECT"
    assert not lab.loop.errors


def test_only_not_ready_pods_means_reject():
    lab = Lab()
    lab.admin.create(web_service())
    lab.start_pod("web-0", ready=False)
    lab.run()
    assert lab.proxy.route("10.244.2.9", lab.cluster_ip(), 80).action == "REJECT"


def test_a_port_the_service_does_not_have_matches_no_rule():
    lab = Lab()
    lab.admin.create(web_service())
    lab.start_pod("web-0")
    lab.run()
    assert lab.proxy.route("10.244.2.9", lab.cluster_ip(), 443).action == "ACCEPT"


def test_headless_and_external_name_services_get_no_rules():
    lab = Lab()
    lab.admin.create(web_service(clusterIP="None"))
    lab.admin.create(
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "db", "namespace": "default"},
            "spec": {"type": "ExternalName", "externalName": "db.example.com"},
        }
    )
    lab.start_pod("web-0")
    lab.run()
    assert not any("default/web" in rule.comment or "default/db" in rule.comment for rule in lab.proxy.rules)


# ----------------------------------------------------------------------------- NodePort and policies


def node_port_service(**spec) -> dict:
    svc = web_service(type="NodePort", **spec)
    svc["spec"]["ports"][0]["nodePort"] = 30080
    return svc


def test_a_node_port_reaches_a_pod_from_outside_and_is_masqueraded():
    lab = Lab()
    lab.admin.create(node_port_service())
    ip = lab.start_pod("web-0", node="node-2")
    lab.run()
    verdict = lab.proxy.route("203.0.113.7", NODE_1_IP, 30080)
    assert (verdict.action, verdict.endpoint, verdict.masquerade) == ("DNAT", f"{ip}:8080", True)
    assert "KUBE-NODEPORTS" in verdict.chains
    assert any(chain.startswith("KUBE-EXT-") for chain in verdict.chains)


def test_a_node_port_without_endpoints_is_rejected_in_kube_external_services():
    lab = Lab()
    lab.admin.create(node_port_service(selector={"app": "nothing"}))
    lab.run()
    verdict = lab.proxy.route("203.0.113.7", NODE_1_IP, 30080)
    assert verdict.action == "REJECT"
    assert verdict.trace[-1][:2] == ("filter", "KUBE-EXTERNAL-SERVICES")


def test_external_traffic_policy_local_drops_outside_traffic_on_a_node_without_pods_but_keeps_pod_traffic():
    lab = Lab()
    lab.admin.create(node_port_service(externalTrafficPolicy="Local"))
    ip = lab.start_pod("web-0", node="node-2")  # none on node-1, where this proxy runs
    lab.run()
    outside = lab.proxy.route("203.0.113.7", NODE_1_IP, 30080)
    assert outside.action == "DROP"
    assert "has no local endpoints" in lab.proxy.save()
    from_a_pod = lab.proxy.route("10.244.1.50", NODE_1_IP, 30080)
    assert (from_a_pod.action, from_a_pod.endpoint) == ("DNAT", f"{ip}:8080")


def test_external_traffic_policy_local_keeps_the_client_address_on_a_node_with_a_pod():
    lab = Lab()
    lab.admin.create(node_port_service(externalTrafficPolicy="Local"))
    local = lab.start_pod("web-0", node="node-1")
    lab.start_pod("web-1", node="node-2")
    lab.run()
    for _ in range(20):
        verdict = lab.proxy.route("203.0.113.7", NODE_1_IP, 30080)
        assert (verdict.endpoint, verdict.masquerade) == (f"{local}:8080", False)


def test_internal_traffic_policy_local_without_local_pods_drops_cluster_ip_traffic():
    lab = Lab()
    lab.admin.create(web_service(internalTrafficPolicy="Local"))
    lab.start_pod("web-0", node="node-2")
    lab.run()
    assert lab.proxy.route("10.244.1.9", lab.cluster_ip(), 80).action == "DROP"


# ----------------------------------------------------------------------------- session affinity


def affinity_service(timeout: int = 10800) -> dict:
    return web_service(
        sessionAffinity="ClientIP", sessionAffinityConfig={"clientIP": {"timeoutSeconds": timeout}}
    )


def test_client_ip_affinity_writes_recent_checks_before_the_random_choice():
    lab = Lab()
    lab.admin.create(affinity_service())
    lab.start_pod("web-0")
    lab.start_pod("web-1")
    lab.run()
    chain = lab.proxy.rules.chain("nat", service_chain("default/web:http", "tcp"))
    kinds = [rule.recent or ("statistic" if rule.probability else "last") for rule in chain[1:]]
    assert kinds == ["rcheck", "rcheck", "statistic", "last"]
    assert "-m recent --rcheck --seconds 10800 --reap --name KUBE-SEP-" in lab.proxy.save()
    assert "-m recent --set --name KUBE-SEP-" in lab.proxy.save()


def test_client_ip_affinity_sends_one_client_to_one_pod_until_the_timeout():
    lab = Lab(seed=1)
    lab.admin.create(affinity_service(timeout=60))
    for i in range(3):
        lab.start_pod(f"web-{i}", node=f"node-{i + 1}")
    lab.run()
    assert len(lab.chosen(50, source="10.244.3.77")) == 1
    spread = {lab.proxy.route(f"10.244.3.{i}", lab.cluster_ip(), 80).endpoint for i in range(100, 160)}
    assert len(spread) == 3  # other clients still spread
    first = lab.proxy.route("10.244.2.5", lab.cluster_ip(), 80).endpoint
    later = set()
    for _ in range(10):
        lab.run(seconds=61)  # past the timeout: the client is forgotten and chosen afresh
        later.add(lab.proxy.route("10.244.2.5", lab.cluster_ip(), 80).endpoint)
    assert later - {first}


# ----------------------------------------------------------------------------- output and bad input


def test_the_same_seed_gives_the_same_iptables_save_text():
    def text(seed):
        lab = Lab(seed=seed)
        lab.admin.create(web_service())
        for i in range(3):
            lab.start_pod(f"web-{i}", node=f"node-{i + 1}")
        lab.run()
        return lab.proxy.save()

    assert text(5) == text(5)


def test_the_rules_frame_has_one_row_per_rule_with_kernel_probabilities():
    lab = Lab()
    lab.admin.create(web_service())
    for i in range(3):
        lab.start_pod(f"web-{i}")
    lab.run()
    frame = lab.proxy.frame()
    assert len(frame) == len(lab.proxy.rules)
    assert list(frame.columns) == [
        "table",
        "chain",
        "num",
        "source",
        "destination",
        "protocol",
        "dport",
        "probability",
        "target",
        "to",
        "comment",
    ]
    picks = frame[frame.chain.str.startswith("KUBE-SVC-") & frame.target.str.startswith("KUBE-SEP-")]
    assert [round(float(p), 4) for p in picks.probability.dropna()] == [0.3333, 0.5]


def test_bad_arguments_are_refused_before_anything_runs():
    lab = Lab()
    with pytest.raises(ValueError):
        KubeProxy(Client(lab.api), "")
    with pytest.raises(ValueError):
        KubeProxy(Client(lab.api), "node-1", cluster_cidr="10.244.0.0/33")


def test_a_proxy_on_a_node_the_api_does_not_know_still_programs_cluster_ip_rules():
    lab = Lab(node="node-9")
    lab.admin.create(web_service())
    lab.start_pod("web-0")
    lab.run()
    assert lab.proxy.route("10.244.2.9", lab.cluster_ip(), 80).action == "DNAT"


def test_slices_written_by_hand_with_odd_content_do_not_crash_the_proxy():
    lab = Lab()
    svc = web_service()
    del svc["spec"]["selector"]
    lab.admin.create(svc)
    lab.admin.create(
        {
            "apiVersion": "discovery.k8s.io/v1",
            "kind": "EndpointSlice",
            "metadata": {
                "name": "web-manual",
                "namespace": "default",
                "labels": {"kubernetes.io/service-name": "web"},
            },
            "addressType": "IPv4",
            "ports": [{"name": "http", "port": 9000}, {"name": "other"}],
            "endpoints": [{"addresses": ["10.1.2.3"]}],
        }
    )
    lab.run()
    assert not lab.loop.errors
    assert lab.proxy.route("10.244.2.9", lab.cluster_ip(), 80).endpoint == "10.1.2.3:9000"


@settings(max_examples=40, deadline=None)
@given(
    st.integers(0, 2**32),
    st.lists(
        st.tuples(
            st.sampled_from(["10.96.0.1", "10.96.0.2", "10.96.0.3", NODE_1_IP, "10.96.9.9"]),
            st.sampled_from([80, 443, 30001, 30003]),
            st.sampled_from(["10.244.1.5", "203.0.113.9", NODE_1_IP]),
        ),
        min_size=1,
        max_size=30,
    ),
)
def test_the_indexed_walk_gives_the_same_verdicts_as_trying_every_rule(seed, packets):
    ports = [
        ServicePortInfo(
            "default", "a", "", "TCP", "10.96.0.1", 80, node_port=30001, externally_accessible=True
        ),
        ServicePortInfo("default", "b", "", "TCP", "10.96.0.2", 80, session_affinity_seconds=30),
        ServicePortInfo(
            "default", "c", "", "TCP", "10.96.0.3", 443, node_port=30003, externally_accessible=True
        ),
        *(ServicePortInfo("default", f"x{i}", "", "TCP", f"10.96.1.{i}", 80) for i in range(12)),
    ]
    eps = {port.key: endpoints(1 + i % 4) for i, port in enumerate(ports) if port.name != "c"}
    rules = build_rules(ports, eps, "node-1")
    fast_rng, slow_rng = random.Random(seed), random.Random(seed)
    fast_recent, slow_recent = RecentLists(), RecentLists()
    for destination, port, source in packets:
        packet = Packet(source, destination, port)
        fast = walk(rules, packet, fast_rng, local_ips=(NODE_1_IP,), recent=fast_recent)
        slow = walk(rules, packet, slow_rng, local_ips=(NODE_1_IP,), recent=slow_recent, indexed=False)
        assert (fast.action, fast.endpoint, fast.masquerade, fast.trace) == (
            slow.action,
            slow.endpoint,
            slow.masquerade,
            slow.trace,
        )


# ----------------------------------------------------------------------------- with the whole cluster


def test_with_kubelets_traffic_reaches_the_deployments_pods_and_only_those_left_after_a_scale_down():
    from k8slab import Cluster

    cluster = Cluster(nodes=3, seed=0)  # runs the EndpointSlice controller and a kube-proxy per node
    proxy = cluster.proxies["node-1"]
    cluster.apply(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web"},
            "spec": {
                "replicas": 3,
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {
                        "containers": [
                            {
                                "name": "web",
                                "image": "nginx:1.27",
                                "ports": [{"name": "http", "containerPort": 80}],
                            }
                        ]
                    },
                },
            },
        }
    )
    cluster.apply(web_service())
    cluster.run(seconds=20)
    ip = cluster.api.get("services", "web", "default")["spec"]["clusterIP"]
    pod_ips = {f"{p['status']['podIP']}:80" for p in cluster.api.list("pods", "default")["items"]}
    assert len(pod_ips) == 3
    assert {proxy.route("10.244.2.9", ip, 80).endpoint for _ in range(100)} == pod_ips
    cluster.api.patch("deployments", "web", {"spec": {"replicas": 1}}, namespace="default")
    cluster.run(seconds=40)
    [left] = [f"{p['status']['podIP']}:80" for p in cluster.api.list("pods", "default")["items"]]
    assert {proxy.route("10.244.2.9", ip, 80).endpoint for _ in range(50)} == {left}
    assert not cluster.loop.errors


def test_rules_and_verdicts_show_a_short_text_and_a_static_html_in_notebooks():
    rules = build_rules([web_port()], {("default/web", "http", "TCP"): endpoints(2)})
    bundle = rules._repr_mimebundle_()
    assert bundle["text/plain"] == repr(rules) == "ProxyRules(filter=4 rules, nat=16 rules)"
    assert bundle["text/html"].startswith("<pre># Generated by iptables-save")
    verdict = walk(rules, Packet("10.244.2.9", "10.96.0.10", 80), random.Random(0))
    assert repr(verdict) == "Verdict(DNAT -> 10.244.1.3:8080 (default/web:http), 4 rules matched)"
    assert verdict._repr_mimebundle_()["text/html"].count("<tr>") == 5


def test_healthz_answers_200_while_kube_proxy_runs_and_503_once_it_stops_while_its_rules_stay():
    lab = Lab()
    lab.admin.create(web_service())
    lab.start_pod("web-0")
    lab.run()
    assert lab.proxy.healthz()[0] == 200
    lab.proxy.stop()
    assert lab.proxy.healthz()[0] == 503
    assert lab.proxy.route("10.244.2.9", lab.cluster_ip(), 80).action == "DNAT"  # the kernel keeps the rules
    lab.proxy.run()
    lab.run()
    assert lab.proxy.healthz()[0] == 200
