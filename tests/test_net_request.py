"""Specification of the request path (k8slab.net.request): one HTTP request through the cluster, traced."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from k8slab import Cluster
from k8slab.api.errors import NotFound
from k8slab.net.fastpath import FastRoutes
from k8slab.net.proxy import EndpointInfo, Packet, RecentLists, ServicePortInfo, build_rules, walk
from k8slab.net.request import CONNECT_TIMEOUT, DEFAULT_CLIENT, INTERNET, LB_TO_NODE, request

LB_IP = "203.0.113.1"


def deployment(name: str = "web", replicas: int = 3, image: str = "nginx:1.27") -> dict:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "web", "image": image, "ports": [{"containerPort": 80}]}]},
            },
        },
    }


def service(name: str, selector: str = "web", **spec) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"selector": {"app": selector}, "ports": [{"port": 80, "targetPort": 80}], **spec},
    }


CLIENT_POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "client", "namespace": "default"},
    "spec": {"containers": [{"name": "c", "image": "busybox", "command": ["sleep", "3600"]}]},
}


def web_cluster(seed: int = 0, replicas: int = 3, **lb_spec) -> Cluster:
    cluster = Cluster(nodes=3, seed=seed)
    cluster.apply([deployment(replicas=replicas), service("web"), CLIENT_POD])
    cluster.apply(service("web-lb", type="LoadBalancer", **lb_spec))
    cluster.run(seconds=30)
    return cluster


@pytest.fixture(scope="module")
def cluster() -> Cluster:
    return web_cluster()


def pods_by_node(cluster: Cluster) -> dict[str, str]:
    frame = cluster.get("pods", wide=True)
    return {row.NAME: row.NODE for row in frame.itertuples() if row.NAME.startswith("web-")}


# ----------------------------------------------------------------------------- the way through


def test_a_request_to_the_load_balancer_is_answered_by_a_pod_of_the_service(cluster):
    response = request(cluster, f"http://{LB_IP}/")
    assert response.ok and response.status == 200
    name = response.pod.split("/")[1]
    assert name in pods_by_node(cluster) and response.node == pods_by_node(cluster)[name]
    assert response.body == f"Hello from {name} (version 1.27)\n"
    assert response.version == "1.27"
    assert response.headers["Content-Length"] == str(len(response.body))


def test_the_trace_walks_steps_11_to_15_in_order_and_its_latencies_add_up(cluster):
    response = request(cluster, f"http://{LB_IP}/")
    steps = [hop.step for hop in response.trace]
    assert steps[0] == 11 and steps[-1] == 15 and steps == sorted(steps)
    assert set(steps) == {11, 12, 13, 14, 15}
    assert response.trace[-1].total == pytest.approx(response.latency)
    assert response.latency == pytest.approx(sum(hop.latency for hop in response.trace))
    assert response.trace[0].latency == INTERNET and response.trace[1].latency == LB_TO_NODE


def test_the_rules_hop_names_the_dnat_to_the_pod_and_its_kube_sep_chain(cluster):
    response = request(cluster, f"http://{LB_IP}/")
    dnat = next(hop for hop in response.trace if hop.what.startswith("DNAT"))
    assert dnat.what.startswith(f"DNAT {LB_IP}:80 -> {response.endpoint} (KUBE-SEP-")
    assert "KUBE-SERVICES" in dnat.rules and "KUBE-SVC-" in dnat.rules


def test_a_pod_on_another_node_adds_a_hop_over_the_pod_network_each_way():
    cluster = web_cluster(replicas=1)
    entries = set()
    for _ in range(20):
        response = request(cluster, f"http://{LB_IP}/")
        entry = response.trace[1].node
        entries.add(entry)
        crossing = [hop for hop in response.trace if hop.component == "pod network"]
        assert len(crossing) == (0 if entry == response.node else 2)
    assert len(entries) > 1


def test_the_load_balancer_masquerades_with_policy_cluster_and_keeps_the_client_with_policy_local():
    cluster = web_cluster()
    assert request(cluster, f"http://{LB_IP}/").client.startswith("10.0.0.")
    local = web_cluster(externalTrafficPolicy="Local")
    responses = [request(local, f"http://{LB_IP}/") for _ in range(10)]
    assert all(r.ok and r.client == DEFAULT_CLIENT for r in responses)
    assert all(r.trace[1].node == r.node for r in responses)  # never leaves the node it arrived on


def test_a_request_does_not_move_virtual_time_nor_the_clusters_own_dice(cluster):
    now, state = cluster.now, cluster.loop.random.getstate()
    request(cluster, f"http://{LB_IP}/")
    request(cluster, "http://web/", source="client")
    assert cluster.now == now and cluster.loop.random.getstate() == state


def test_the_same_seed_gives_the_same_responses_and_traces():
    def run() -> list:
        cluster = web_cluster(seed=3)
        return [
            (r.status, r.body, r.pod, r.frame().to_dict("records"))
            for r in (request(cluster, f"http://{LB_IP}/") for _ in range(15))
        ]

    assert run() == run()


def test_a_nodeport_on_any_node_reaches_a_pod():
    cluster = Cluster(nodes=3, seed=0)
    cluster.apply(
        [
            deployment(),
            service("web-np", type="NodePort", ports=[{"port": 80, "targetPort": 80, "nodePort": 30080}]),
        ]
    )
    cluster.run(seconds=30)
    if not cluster.api.get("services", "web-np", "default")["spec"]["ports"][0].get("nodePort"):
        pytest.skip("the API server drops nodePort here")
    for address in ("10.0.0.11", "10.0.0.12", "10.0.0.13"):
        response = request(cluster, f"http://{address}:30080/")
        assert response.ok, response.error
        assert response.trace[0].step == 12 and response.trace[0].latency == INTERNET


def test_each_pod_gets_about_a_third_of_the_requests_through_the_cluster_ip(cluster):
    counts: dict[str, int] = {}
    for _ in range(3000):
        response = request(cluster, "http://web/", source="client")
        counts[response.pod] = counts.get(response.pod, 0) + 1
    assert len(counts) == 3
    assert all(abs(n / 3000 - 1 / 3) < 0.04 for n in counts.values()), counts


def test_kube_proxys_health_check_port_answers_on_a_node_address(cluster):
    response = request(cluster, "http://10.0.0.11:10256/healthz")
    assert response.status == 200 and '"nodeEligible": true' in response.body


# ----------------------------------------------------------------------------- cluster DNS


@pytest.mark.parametrize(
    "name",
    [
        "web",
        "web.default",
        "web.default.svc",
        "web.default.svc.cluster.local",
        "web.default.svc.cluster.local.",
    ],
)
def test_a_pod_reaches_a_service_by_any_form_of_its_name(cluster, name):
    response = request(cluster, f"http://{name}/", source="default/client")
    assert response.ok, response.error
    lookup = response.trace[0]
    assert lookup.component == "CoreDNS" and "web.default.svc.cluster.local A 10." in lookup.what


def test_a_name_that_does_not_exist_cannot_be_resolved(cluster):
    response = request(cluster, "http://nope.default.svc.cluster.local/", source="client")
    assert not response.ok and response.status == 0
    assert response.error == "curl: (6) Could not resolve host: nope.default.svc.cluster.local"
    assert "NXDOMAIN" in response.trace[0].what


def test_cluster_names_do_not_resolve_from_the_internet(cluster):
    response = request(cluster, "http://web.default.svc.cluster.local/")
    assert response.error == "curl: (6) Could not resolve host: web.default.svc.cluster.local"


def test_a_headless_service_resolves_to_its_ready_pods_addresses():
    cluster = web_cluster()
    cluster.apply(service("web-headless", clusterIP="None"))
    cluster.run(seconds=2)
    from k8slab.net.request import network

    answer = network(cluster).dns.resolve("web-headless", "default")
    pod_ips = sorted(cluster.get("pods", wide=True).query("NAME.str.startswith('web-')")["IP"])
    assert sorted(answer.addresses) == pod_ips
    response = request(cluster, "http://web-headless/", source="client")
    assert response.ok and response.endpoint.split(":")[0] in pod_ips
    assert not any(hop.what.startswith("DNAT") for hop in response.trace)


# ----------------------------------------------------------------------------- failures are traces


def test_a_service_with_no_ready_endpoints_is_refused_by_its_reject_rule(cluster):
    cluster.apply(service("empty", selector="nothing"))
    cluster.run(seconds=2)
    response = request(cluster, "http://empty/", source="client")
    assert response.error.startswith("curl: (7) Failed to connect to empty port 80 after ")
    assert response.error.endswith(": Connection refused")
    assert any("REJECT: default/empty has no endpoints" in hop.what for hop in response.trace)


def test_a_port_the_service_does_not_have_times_out(cluster):
    response = request(cluster, "http://web:81/", source="client")
    assert response.error == "curl: (28) Connection timed out after 10000 milliseconds"
    assert response.latency == pytest.approx(CONNECT_TIMEOUT)


def test_a_port_nothing_listens_on_at_a_node_is_refused(cluster):
    response = request(cluster, "http://10.0.0.12:31999/")
    assert response.error.endswith("Connection refused")


def test_cluster_and_pod_addresses_are_not_reachable_from_the_internet(cluster):
    for url in ("http://10.96.0.1/", "http://10.244.1.2/"):
        response = request(cluster, url)
        assert response.error.startswith("curl: (28)")
        assert "private to the cluster" in response.trace[0].what


def test_an_address_no_pod_holds_gives_no_route_to_host(cluster):
    response = request(cluster, "http://10.244.2.250/", source="client")
    assert response.error.endswith("No route to host")


def test_a_failed_node_times_out_until_the_load_balancers_health_checks_take_it_out():
    cluster = web_cluster()
    cluster.fail_node("node-2")
    before = [request(cluster, f"http://{LB_IP}/") for _ in range(60)]
    down = [r for r in before if r.trace[1].node == "node-2" or r.node == "node-2"]
    assert down and all(r.error.startswith("curl: (28)") for r in down)
    cluster.run(seconds=11)  # two failed checks, 5 s apart
    after = [request(cluster, f"http://{LB_IP}/") for _ in range(60)]
    assert all(r.trace[1].node != "node-2" for r in after)


def test_a_crashed_container_refuses_the_connection():
    cluster = web_cluster(replicas=1)
    pod = next(iter(pods_by_node(cluster)))
    cluster.crash_container(pod)
    response = request(cluster, "http://web/", source="client")  # before the endpoint goes
    assert response.error.endswith("Connection refused")
    assert response.pod == f"default/{pod}"


def test_an_unhealthy_web_server_answers_500_itself():
    cluster = web_cluster(replicas=1)
    pod, node = next(iter(pods_by_node(cluster).items()))
    cluster.kubelets[node].container("default", pod, "web").set_healthy(False)
    response = request(cluster, "http://web/", source="client")
    assert response.status == 500 and not response.ok and not response.error


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"url": 42}, "curl: (3)"),
        ({"url": ""}, "curl: (3)"),
        ({"url": "ftp://web/"}, 'curl: (1) Protocol "ftp" not supported'),
        ({"url": "http://web:99999/"}, "curl: (3)"),
        ({"url": "http://web/", "method": "FETCH"}, "unknown HTTP method"),
        ({"url": "http://web/", "timeout": 0}, "timeout must be"),
        ({"url": "http://web/", "client_ip": "nowhere"}, "client_ip must be"),
        ({"url": "http://web/", "headers": "x"}, "headers must be"),
    ],
)
def test_bad_arguments_raise_with_a_clear_message_and_change_nothing(cluster, kwargs, message):
    revision, now = cluster.store.revision, cluster.now
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        request(cluster, **kwargs)
    assert (cluster.store.revision, cluster.now) == (revision, now)


def test_a_source_pod_that_does_not_exist_is_not_found(cluster):
    with pytest.raises(NotFound, match='pods "ghost" not found'):
        request(cluster, "http://web/", source="ghost")


def test_a_response_shows_a_short_line_and_a_static_html_trace(cluster):
    bundle = request(cluster, f"http://{LB_IP}/")._repr_mimebundle_()
    assert bundle["text/plain"].startswith("<Response [200] GET http://203.0.113.1/: 200 from default/web-")
    assert "\n" not in bundle["text/plain"]
    assert bundle["text/html"].count("<tr>") == 10  # a header and nine hops


# ----------------------------------------------------------------------------- the fast path agrees


def _endpoints(n: int, node_of=lambda j: f"node-{j % 3 + 1}") -> list[EndpointInfo]:
    return [EndpointInfo(f"10.244.{j % 3 + 1}.{10 + j}", 8080, node_name=node_of(j)) for j in range(n)]


@settings(max_examples=40, deadline=None)
@given(
    st.integers(0, 2**32),
    st.lists(
        st.tuples(
            st.sampled_from(
                ["10.96.0.1", "10.96.0.2", "10.96.0.3", "10.96.0.4", "10.0.0.11", LB_IP, "10.9.9.9"]
            ),
            st.sampled_from([80, 443, 30001, 30003, 30004]),
            st.sampled_from(["10.244.1.10", "10.244.2.5", "198.51.100.7", "10.0.0.11", "10.244.2.11"]),
        ),
        min_size=1,
        max_size=40,
    ),
)
def test_the_fast_path_gives_the_same_verdicts_and_draws_as_the_walk(seed, packets):
    ports = [
        ServicePortInfo(
            "default", "a", "", "TCP", "10.96.0.1", 80, node_port=30001, externally_accessible=True
        ),
        ServicePortInfo("default", "b", "", "TCP", "10.96.0.2", 80, session_affinity_seconds=30),
        ServicePortInfo(
            "default", "c", "", "TCP", "10.96.0.3", 443, node_port=30003, externally_accessible=True
        ),
        ServicePortInfo(
            "default",
            "d",
            "",
            "TCP",
            "10.96.0.4",
            80,
            node_port=30004,
            load_balancer_ips=(LB_IP,),
            external_policy_local=True,
            externally_accessible=True,
        ),
        *(ServicePortInfo("default", f"x{i}", "", "TCP", f"10.96.1.{i}", 80) for i in range(12)),
    ]
    eps = {port.key: _endpoints(1 + i % 4) for i, port in enumerate(ports) if port.name != "c"}
    rules = build_rules(ports, eps, "node-1")
    fast_rng, slow_rng = random.Random(seed), random.Random(seed)
    fast_recent, slow_recent = RecentLists(), RecentLists()
    fast_routes = FastRoutes()
    for destination, port, source in packets:
        fast = fast_routes.route(
            rules, source, destination, port, "tcp", fast_rng, 0.0, ("10.0.0.11",), fast_recent
        )
        slow = walk(rules, Packet(source, destination, port), slow_rng, 0.0, ("10.0.0.11",), slow_recent)
        assert (fast.action, fast.endpoint, fast.service, fast.masquerade, fast.trace) == (
            slow.action,
            slow.endpoint,
            slow.service,
            slow.masquerade,
            slow.trace,
        )
        assert fast_rng.getstate() == slow_rng.getstate()


def test_session_affinity_sends_one_client_to_one_pod_while_others_spread():
    cluster = web_cluster()
    cluster.apply(service("sticky", sessionAffinity="ClientIP"))
    cluster.run(seconds=2)
    pods = {request(cluster, "http://sticky/", source="client").pod for _ in range(30)}
    assert len(pods) == 1
    spread = {request(cluster, "http://web/", source="client").pod for _ in range(30)}
    assert len(spread) == 3


def test_with_every_node_down_the_load_balancer_has_nowhere_to_send_and_drops_the_connection():
    cluster = web_cluster()
    for node in ("node-1", "node-2", "node-3"):
        cluster.fail_node(node)
    cluster.run(seconds=11)
    response = request(cluster, f"http://{LB_IP}/")
    assert response.error.startswith("curl: (28)")
    assert response.trace[0].what == "no healthy node behind the load balancer: the connection is dropped"
    assert len(response.trace) == 2 and response.trace[-1].step == 11


def test_a_load_balancer_ip_with_no_endpoints_is_refused_not_left_to_time_out():
    """kube-proxy jumps to KUBE-EXTERNAL-SERVICES from FORWARD too, so forwarded traffic meets the REJECT."""
    from k8slab import Cluster

    cluster = Cluster(nodes=2, seed=0)
    cluster.apply({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "empty"},
                   "spec": {"type": "LoadBalancer", "selector": {"app": "nobody"}, "ports": [{"port": 80}]}})
    cluster.run(seconds=15)
    ip = cluster.api.get("services", "empty")["status"]["loadBalancer"]["ingress"][0]["ip"]
    response = cluster.request(f"http://{ip}/")
    assert not response.ok
    assert "Connection refused" in response.error
