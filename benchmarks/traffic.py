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

from k8slab.api.server import APIServer
from k8slab.client import Client
from k8slab.net.proxy import KubeProxy, build_rules, endpoints_map, service_port_infos
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
    print_table(rows, f"k8slab traffic benchmark ({'quick' if args.quick else 'full'} run): {machine()}")
    print()
    print(
        f"target: rules for {total_endpoints:,} endpoints in under 1 s: "
        f"{'met' if sync < 1 else 'NOT met'} ({sync:.2f} s)"
    )


if __name__ == "__main__":
    main()
