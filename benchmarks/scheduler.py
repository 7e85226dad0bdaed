"""How fast is the scheduler? Prints figures; asserts nothing (DESIGN.md, "Speed").

    python benchmarks/scheduler.py            # 5,000 nodes: 10,000 pods, then 150,000 pods
    python benchmarks/scheduler.py --quick    # 500 nodes, 2,000 pods
    python benchmarks/scheduler.py --reference  # also time the per-node plugin path

The shape of upstream's scheduler_perf SchedulingBasic: nodes of 4 cpu / 32Gi /
110 pods spread over three zones, then pending pods with small requests
(100m-500m cpu, 128Mi-512Mi), scheduled with the default plugins. The
scheduler runs as it does in a cluster: informers, queue, filter and score,
a binding written through the API server, and the watch event coming back.
Events are not written (a Scheduled event per pod is one more API write;
`--events` times that too). Time to create the pods is not counted; pods/s is bound pods over the wall
time of the event loop until every pod is bound. "Algorithm only" times the
scheduler's own work (Filter, Score, pick, assume) without the API server, the
store and the watch, which cost about as much again per pod. The 150,000-pod
run uses 100m / 128Mi pods, so that they all fit on 5,000 4-cpu nodes.

The design target is 2,700+ pods/s at 5,000 nodes (ten times scheduler_perf's
threshold of 270 pods/s).

Before the clock starts, what the set-up built (the nodes, the pending pods)
is moved out of the garbage collector's sight with `gc.freeze()`, as a
long-running Python server does: otherwise each of Python's full collections
walks every one of those objects again, which measures the collector, not
the scheduler (`--no-freeze` shows the difference: about a fifth).
"""

from __future__ import annotations

import argparse
import gc
import platform
import sys
import time

from k8slab.api.server import APIServer
from k8slab.client import Client
from k8slab.cluster import node_object
from k8slab.scheduler import Scheduler
from k8slab.sim import Loop
from k8slab.store import Store


def make_api(nodes: int, seed: int = 0) -> APIServer:
    api = APIServer(Store(Loop(seed=seed)))
    for index in range(1, nodes + 1):
        node = node_object(index, {"cpu": "4", "memory": "32Gi", "pods": "110"})
        del node["spec"]["podCIDR"], node["spec"]["podCIDRs"]  # node_object's CIDRs stop at 255 nodes
        api.create(node)
    return api


def pod_object(i: int, small: bool = False) -> dict:
    cpus, memories = ("100m", "200m", "500m"), ("128Mi", "256Mi", "512Mi")
    if small:
        cpus, memories = ("100m",), ("128Mi",)
    requests = {"cpu": cpus[i % len(cpus)], "memory": memories[i % len(memories)]}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"pod-{i:06d}", "namespace": "default"},
            "spec": {"containers": [{"name": "c", "image": "registry.k8s.io/pause:3.9",
                                     "resources": {"requests": requests}}]}}


def create_pods(api: APIServer, count: int, small: bool = False) -> None:
    for i in range(count):
        api.create(pod_object(i, small), namespace="default")


class NoEvents:
    """An event recorder that drops events (the Scheduled event per pod is a second write per pod)."""

    def event(self, obj: dict, type: str, reason: str, message: str) -> None:
        pass


def schedule(nodes: int, pods: int, fast_path: bool = True, small: bool = False,
             events: bool = False, freeze: bool = True) -> tuple[float, Scheduler]:
    """End to end: pods created through the API, scheduled, bound through the API, watched back."""
    api = make_api(nodes)
    scheduler = Scheduler(Client(api, user="system:kube-scheduler"), fast_path=fast_path,
                          recorder=None if events else NoEvents())
    scheduler.run()
    api.loop.run()  # the informers list the nodes
    api.requests.clear()
    create_pods(api, pods, small)
    if freeze:
        gc.freeze()
    begin, cpu = time.perf_counter(), time.process_time()
    api.loop.run(seconds=3600)
    elapsed = time.perf_counter() - begin
    CPU_SECONDS.append(time.process_time() - cpu)
    gc.unfreeze()
    if scheduler.scheduled != pods:
        print(f"  warning: only {scheduler.scheduled} of {pods} pods were bound", file=sys.stderr)
    return elapsed, scheduler


def algorithm_only(nodes: int, pods: int, fast_path: bool = True) -> float:
    """Only the scheduling algorithm: Filter, Score, pick, and assume in the cache; no API, no watch."""
    from k8slab.scheduler.framework import CycleState
    from k8slab.scheduler.nodeinfo import PodInfo

    scheduler = Scheduler(Client(APIServer(Store(Loop()))), fast_path=fast_path)
    for index in range(1, nodes + 1):
        scheduler._on_node_add(node_object(index, {"cpu": "4", "memory": "32Gi", "pods": "110"}))
    fwk = scheduler.framework_for({"spec": {}})
    infos = [PodInfo.of(pod_object(i)) for i in range(pods)]
    gc.freeze()
    begin, cpu = time.perf_counter(), time.process_time()
    for info in infos:
        scheduler._assume(info, scheduler.schedule_pod(fwk, CycleState(), info).suggested_host)
    elapsed = time.perf_counter() - begin
    CPU_SECONDS.append(time.process_time() - cpu)
    gc.unfreeze()
    return elapsed


#: The process's cpu seconds of each timed run: on a shared machine, steadier than the wall clock.
CPU_SECONDS: list[float] = []


def report(label: str, pods: int, elapsed: float) -> None:
    cpu = CPU_SECONDS[-1]
    print(f"{label:<48} {pods:>8,} pods  {elapsed:8.2f} s  {pods / elapsed:10,.0f} pods/s"
          f"  (cpu {cpu:.2f} s: {pods / cpu:,.0f} pods/s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a few seconds")
    parser.add_argument("--reference", action="store_true", help="also time the per-node plugin path")
    parser.add_argument("--events", action="store_true", help="also time with a Scheduled event per pod")
    parser.add_argument("--no-freeze", action="store_true",
                        help="also time end to end without gc.freeze() of the set-up's objects")
    args = parser.parse_args()
    nodes, pods, big = (500, 2_000, 0) if args.quick else (5_000, 10_000, 150_000)
    print(f"k8slab scheduler benchmark, Python {platform.python_version()} on {platform.machine()}")
    report(f"{nodes:,} nodes, algorithm only, fast path", pods, algorithm_only(nodes, pods))
    if args.reference:
        count = min(pods, 1_000)
        elapsed = algorithm_only(nodes, count, fast_path=False)
        report(f"{nodes:,} nodes, algorithm only, per-node plugins", count, elapsed)
    elapsed, _ = schedule(nodes, pods)
    report(f"{nodes:,} nodes, end to end through the API, fast path", pods, elapsed)
    if args.no_freeze:
        elapsed, _ = schedule(nodes, pods, freeze=False)
        report(f"{nodes:,} nodes, end to end, without gc.freeze()", pods, elapsed)
    if args.events:
        elapsed, _ = schedule(nodes, pods, events=True)
        report(f"{nodes:,} nodes, end to end, with Scheduled events", pods, elapsed)
    if big:
        elapsed, _ = schedule(nodes, big, small=True)
        report(f"{nodes:,} nodes, end to end through the API, fast path", big, elapsed)


if __name__ == "__main__":
    main()
