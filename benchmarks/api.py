"""How fast is the API server? Prints figures; asserts nothing (DESIGN.md, "Speed").

    python benchmarks/api.py             # the full run (well under a minute)
    python benchmarks/api.py --quick     # a few seconds, smaller sizes
    python benchmarks/api.py --profile   # also where a create spends its time (cProfile)

What it measures, one thread, wall-clock time, on the in-memory store:

* creates/s: pods with labels, each through the whole write path (decode,
  defaults, admission, validation, a transaction in etcd);
* gets/s of those pods;
* the latency of a list over the pods of one namespace: with no selector, with
  a label selector matching 1% and 10% of them, and with field selectors
  (spec.nodeName matching 1%, metadata.name matching one pod); and of a list
  across every namespace.

The target is 20,000+ creates/s.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import time
from collections.abc import Callable

from report import machine, print_table  # benchmarks/report.py, shared by every script

from k8slab.api.server import APIServer
from k8slab.sim import Loop
from k8slab.store import Store

FULL = {"per_namespace": 10_000, "lists": 10}
QUICK = {"per_namespace": 1_000, "lists": 3}
NAMESPACES = ("default", "team-b")
CREATE_TARGET = 20_000


def seconds(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def pod(name: str, namespace: str, i: int) -> dict:
    """A pod as a Deployment would stamp it: app-N labels 1% of pods alike, tier-N 10% of them."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": {"app": f"app-{i % 100}", "tier": f"tier-{i % 10}", "pod-template-hash": "7d9f8c6b5d"},
        },
        "spec": {
            "containers": [
                {
                    "name": "web",
                    "image": "nginx:1.27",
                    "ports": [{"containerPort": 80}],
                    "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}},
                }
            ]
        },
    }


def new_api() -> APIServer:
    api = APIServer(Store(Loop(seed=0)))
    api.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-b"}})
    return api


def pods_to_create(size: dict) -> list[dict]:
    per_namespace = size["per_namespace"]
    return [pod(f"web-{i:05d}", ns, i) for ns in NAMESPACES for i in range(per_namespace)]


def bench_creates(size: dict) -> tuple[list[tuple[str, str, str]], APIServer]:
    api = new_api()
    pods = pods_to_create(size)
    create = api.create

    def run() -> None:
        for obj in pods:
            create(obj)

    elapsed = seconds(run)
    rate = len(pods) / elapsed
    verdict = "meets" if rate >= CREATE_TARGET else "misses"
    return [
        (
            "creates/s",
            f"{rate:,.0f}",
            f"{len(pods):,} pods with 3 labels, {elapsed * 1e6 / len(pods):,.0f} us each "
            f"({verdict} the {CREATE_TARGET:,}/s target)",
        )
    ], api


def bench_gets(api: APIServer, size: dict) -> list[tuple[str, str, str]]:
    names = [f"web-{i:05d}" for i in range(size["per_namespace"])]
    get = api.get

    def run() -> None:
        for name in names:
            get("pods", name, "default")

    elapsed = seconds(run)
    return [("gets/s", f"{len(names) / elapsed:,.0f}", f"{len(names):,} gets of live pods")]


def bench_lists(api: APIServer, size: dict) -> list[tuple[str, str, str]]:
    per_namespace = size["per_namespace"]
    for i in range(0, per_namespace, 100):  # 1% of the pods in default run on node-1
        api.bind("default", f"web-{i:05d}", "node-1")
    cases = [
        ("list, no selector", "default", None, None),
        ("list, label selector 1%", "default", "app=app-7", None),
        ("list, label selector 10%", "default", "tier=tier-3", None),
        ("list, set-based selector 10%", "default", "tier in (tier-3),app notin (app-1)", None),
        ("list, field selector 1%", "default", None, "spec.nodeName=node-1"),
        ("list, field selector one name", "default", None, "metadata.name=web-00042"),
        ("list, label selector 1%, all namespaces", None, "app=app-7", None),
    ]
    rows = []
    for label, namespace, label_selector, field_selector in cases:
        returned = 0

        def run(ns=namespace, ls=label_selector, fs=field_selector) -> None:
            nonlocal returned
            for _ in range(size["lists"]):
                returned = len(api.list("pods", ns, label_selector=ls, field_selector=fs)["items"])

        elapsed = seconds(run)
        over = per_namespace * (len(NAMESPACES) if namespace is None else 1)
        rows.append(
            (label, f"{elapsed / size['lists'] * 1000:,.2f} ms", f"{returned:,} of {over:,} pods returned")
        )
    return rows


def profile_creates(size: dict, top: int = 25) -> str:
    api = new_api()
    pods = pods_to_create({"per_namespace": min(size["per_namespace"], 2_500)})
    profiler = cProfile.Profile()
    profiler.enable()
    for obj in pods:
        api.create(obj)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    out.write(f"cProfile of {len(pods):,} creates (profiling slows each call down several times)\n")
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="smaller sizes: a few seconds instead of a minute"
    )
    parser.add_argument("--profile", action="store_true", help="also print where a create spends its time")
    args = parser.parse_args(argv)
    size = QUICK if args.quick else FULL

    rows, api = bench_creates(size)
    rows += bench_gets(api, size)
    rows += bench_lists(api, size)

    run = "quick" if args.quick else "full"
    title = (
        f"k8slab API server benchmark ({run} run): {machine()}"
    )
    print_table(rows, title)
    if args.profile:
        print()
        print(profile_creates(size))


if __name__ == "__main__":
    main()
