"""How fast does kube-proxy program its rules and walk a packet through them? Prints figures only.

    python benchmarks/traffic.py           # 1,000 Services x 10 endpoints (well under a minute)
    python benchmarks/traffic.py --quick   # 100 Services x 10 endpoints

What it measures, one thread, wall-clock time (DESIGN.md, "Speed"; issue 6):

* rules programming: one full `syncProxyRules` for N Services with 10 ready
  endpoints each, from objects in the informers' caches (Services and
  EndpointSlices written through the API server beforehand, not timed):
  reading the Service ports, grouping the slices' endpoints, and building
  every chain. Target: under 1 s for 1,000 Services x 10 endpoints.
* the same, `build_rules` alone (the table from already-parsed ports and endpoints);
* `iptables-save` text for that table;
* new connections walked through the table per second (`KubeProxy.route`),
  to a Service in the middle of KUBE-SERVICES (the walk tries its rules in
  order, as the kernel does). The request path (issue 6, second half) adds
  its own costs on top.
"""

from __future__ import annotations

import argparse
import time

from report import machine, print_table  # benchmarks/report.py, shared by every script

from k8slab import Cluster
from k8slab.api.server import APIServer
from k8slab.client import Client
from k8slab.net.fastpath import FastRoutes
from k8slab.net.proxy import KubeProxy, Packet, build_rules, endpoints_map, service_port_infos, walk
from k8slab.net.request import network, request
from k8slab.net.traffic import traffic
from k8slab.sim import Loop
from k8slab.store import Store

ENDPOINTS = 10


def service(i: int) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": f"svc-{i:04d}", "namespace": "default"},
        "spec": {"ports": [{"name": "http", "port": 80, "targetPort": 8080}]},  # no selector: slices by hand
    }


def endpoint_slice(i: int) -> dict:
    return {
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": {
            "name": f"svc-{i:04d}-abcde",
            "namespace": "default",
            "labels": {"kubernetes.io/service-name": f"svc-{i:04d}"},
        },
        "addressType": "IPv4",
        "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
        "endpoints": [
            {
                "addresses": [f"10.{128 + i // 250}.{i % 250}.{j + 2}"],
                "conditions": {"ready": True, "serving": True, "terminating": False},
                "nodeName": f"node-{j % 3 + 1}",
            }
            for j in range(ENDPOINTS)
        ],
    }


def best_of(repeats: int, work) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def deployment(i: int) -> dict:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": f"app-{i}", "namespace": "default"},
        "spec": {
            "replicas": 10,
            "selector": {"matchLabels": {"app": f"app-{i}"}},
            "template": {
                "metadata": {"labels": {"app": f"app-{i}"}},
                "spec": {
                    "containers": [{"name": "web", "image": "nginx:1.27", "ports": [{"containerPort": 80}]}]
                },
            },
        },
    }


def app_service(i: int) -> dict:
    spec = {"selector": {"app": f"app-{i % 10}"}, "ports": [{"port": 80, "targetPort": 80}]}
    if i == 0:
        spec["type"] = "LoadBalancer"
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": f"svc-{i:04d}"}, "spec": spec}


def rate_of(count: int, work) -> float:
    start = time.perf_counter()
    for _ in range(count):
        work()
    return count / (time.perf_counter() - start)


def request_path(services: int) -> list[tuple[str, str, str]]:
    """Requests per second through the whole path, in a cluster of 100 pods and `services` Services."""
    cluster = Cluster(nodes=3, seed=0)
    cluster.apply([deployment(i) for i in range(10)])
    cluster.apply(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "client"},
            "spec": {"containers": [{"name": "c", "image": "busybox", "command": ["sleep", "1d"]}]},
        }
    )
    cluster.run(seconds=30)
    cluster.apply([app_service(i) for i in range(services)])
    cluster.run(seconds=15)
    lb_ip = cluster.api.get("services", "svc-0000", "default")["status"]["loadBalancer"]["ingress"][0]["ip"]
    middle = f"svc-{services // 2:04d}"
    assert request(cluster, f"http://{lb_ip}/").ok
    assert request(cluster, f"http://{middle}/", source="client").ok
    rules = len(cluster.proxies["node-1"].rules)
    count = 20_000
    from_internet = rate_of(count, lambda: request(cluster, f"http://{lb_ip}/"))
    from_pod = rate_of(count, lambda: request(cluster, f"http://{middle}/", source="client"))
    start = time.perf_counter()
    frame = traffic(cluster, f"http://{lb_ip}/", rate=1000, seconds=10)
    with_loop = len(frame) / (time.perf_counter() - start)
    assert frame["ok"].all()
    proxy = cluster.proxies["node-1"]
    cluster_ip = cluster.api.get("services", middle, "default")["spec"]["clusterIP"]
    rng, fast = network(cluster).rng, FastRoutes()
    fast_rate = rate_of(
        count,
        lambda: fast.route(proxy.rules, "10.244.1.9", cluster_ip, 80, "tcp", rng, 0.0, proxy.node_ips, None),
    )
    walk_rate = rate_of(
        2_000, lambda: walk(proxy.rules, Packet("10.244.1.9", cluster_ip, 80), rng, 0.0, proxy.node_ips)
    )
    container = next(c for c in cluster.kubelets["node-1"].runtime.containers() if c.pod.startswith("app-"))
    container_rate = rate_of(count, lambda: container.handle_http("GET", "/", {}))
    shape = f"100 pods, {services:,} Services, {rules:,} rules per node"
    return [
        ("requests/s, internet -> load balancer -> pod", f"{from_internet:,.0f}", f"{shape}; traced"),
        ("requests/s, pod -> DNS name -> pod", f"{from_pod:,.0f}", f"cluster DNS, then {middle}'s IP"),
        ("requests/s, traffic() with the loop running", f"{with_loop:,.0f}", "1,000 per virtual s for 10 s"),
        ("new connections/s, rules fast path", f"{fast_rate:,.0f}", "FastRoutes.route (= walk's verdicts)"),
        ("new connections/s, rules walk", f"{walk_rate:,.0f}", "walk, the readable path"),
        ("container handle_http calls/s", f"{container_rate:,.0f}", "the web server behaviour alone"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 Services instead of 1,000")
    args = parser.parse_args()
    services = 100 if args.quick else 1_000

    loop = Loop(seed=0)
    api = APIServer(Store(loop))
    admin = Client(api)
    for i in range(services):
        admin.create(service(i))
        admin.create(endpoint_slice(i))
    proxy = KubeProxy(Client(api, user="system:kube-proxy"), "node-1", node_ips=("10.0.0.11",))
    proxy.run()
    loop.run(seconds=2)

    sync = best_of(3, proxy.sync_proxy_rules)
    rules = proxy.rules
    ports = [p for s in proxy.services.list() for p in service_port_infos(s)]
    endpoints = endpoints_map(proxy.endpoint_slices.list())
    build = best_of(3, lambda: build_rules(ports, endpoints, "node-1"))
    save = best_of(3, rules.save)

    middle = admin.get("services", f"svc-{services // 2:04d}", namespace="default")["spec"]["clusterIP"]
    walks = 2_000
    start = time.perf_counter()
    for k in range(walks):
        proxy.route(f"10.244.{k % 200}.{k % 250 + 1}", middle, 80)
    walk_rate = walks / (time.perf_counter() - start)

    total_endpoints = services * ENDPOINTS
    rows = [
        (
            "syncProxyRules, from the informers' caches",
            f"{sync * 1000:.0f} ms",
            f"{services:,} Services x {ENDPOINTS} endpoints = {total_endpoints:,} endpoints, "
            f"{len(rules):,} rules",
        ),
        ("build_rules alone", f"{build * 1000:.0f} ms", "ports and endpoints already parsed"),
        ("iptables-save text", f"{save * 1000:.0f} ms", f"{len(rules.save().splitlines()):,} lines"),
        (
            "new connections walked per second",
            f"{walk_rate:,.0f}",
            f"to the Service in the middle of {services:,} in KUBE-SERVICES",
        ),
    ]
    path_rows = request_path(services)
    rows += path_rows
    print_table(rows, f"k8slab traffic benchmark ({'quick' if args.quick else 'full'} run): {machine()}")
    print()
    print(
        f"target: rules for {total_endpoints:,} endpoints in under 1 s: "
        f"{'met' if sync < 1 else 'NOT met'} ({sync:.2f} s)"
    )
    best = float(path_rows[0][1].replace(",", ""))
    print(f"target: 50,000+ simulated requests/s: {'met' if best >= 50_000 else 'NOT met'} ({best:,.0f}/s)")


if __name__ == "__main__":
    main()
