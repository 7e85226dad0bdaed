"""How fast does a whole cluster bring pods to Running? Prints figures; asserts nothing (DESIGN.md, "Speed").

    python benchmarks/cluster.py               # 1,000 nodes / 30,000 pods, then 5,000 nodes / 150,000 pods
    python benchmarks/cluster.py --quick       # 100 nodes / 3,000 pods
    python benchmarks/cluster.py --nodes 1000 --pods 30000 --profile   # one size, with cProfile's top

Each size runs in a fresh process (so that its peak memory is its own):
`Cluster(nodes=N)` with the control plane (controller manager, scheduler) and
a kubelet on every node, then Deployments of 100 replicas each (pause
containers asking 100m cpu and 128Mi, so that 30 fit on a default node) are
applied, and the loop runs in steps of 10 virtual seconds until every pod
is Running. Everything a real cluster does on the way is done: the ReplicaSet
controller creates the pods in slow-start batches, the scheduler binds each
one, each kubelet watches its own pods (one watch per node, indexed by
spec.nodeName), pulls the image once per node, starts the container and
writes the pod's status twice, and Events are written (Scheduled, Pulled,
Created, Started), as are the nodes' Leases every 10 virtual seconds.

cAdvisor, metrics-server and kube-proxy are not started: they watch and
sample, but bring no pod to Running (`--full` starts every component).

Printed: wall seconds (set-up of the nodes, then apply to all Running; and the
process's cpu seconds, steadier than wall time on a shared machine),
virtual seconds, the peak resident memory of the process, and the API
requests served. Targets (issue 5): 150,000 pods Running in under 120 s of
wall time and under 4 GiB.

Python's garbage collector: with `--freeze`, what exists after each 10 s
step is moved out of the collector's sight (`gc.freeze()`), as long-running
Python servers do; otherwise each full collection walks every pod again.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import platform
import pstats
import resource
import subprocess
import sys
import time

SIZES = ((1_000, 30_000), (5_000, 150_000))
QUICK = ((100, 3_000),)
REPLICAS_PER_DEPLOYMENT = 100
STEP = 10.0  # virtual seconds between checks
VIRTUAL_LIMIT = 3_600.0


def deployment(index: int, replicas: int) -> dict:
    name = f"app-{index:03d}"
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {
                    "containers": [
                        {
                            "name": "pause",
                            "image": "registry.k8s.io/pause:3.9",
                            "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}},
                        }
                    ]
                },
            },
        },
    }


class RunningCounter:
    """Counts Running pods from a watch (cheaper than listing 150,000 pods every step)."""

    def __init__(self, api):
        self.phase: dict[str, str] = {}
        self.running = 0
        self.watch = api.watch("pods", callback=self.on_event)

    def on_event(self, event) -> None:
        meta = event.object["metadata"]
        key = f"{meta['namespace']}/{meta['name']}"
        before = self.phase.pop(key, "")
        now = "" if event.type == "DELETED" else (event.object.get("status") or {}).get("phase", "")
        if now:
            self.phase[key] = now
        self.running += (now == "Running") - (before == "Running")


def peak_memory_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # Linux reports KiB


def run_one(nodes: int, pods: int, full: bool, freeze: bool, profile: bool, replicas: int) -> dict:
    from k8slab.cluster import CONTROL_PLANE, Cluster

    components = None if full else (*CONTROL_PLANE, "kubelet")
    begin = time.perf_counter()
    cluster = Cluster(nodes=nodes, seed=0, components=components)
    cluster.run(seconds=1)  # the informers list the nodes; kubelets post their first status
    setup = time.perf_counter() - begin
    if freeze:
        gc.freeze()
    counter = RunningCounter(cluster.api)
    deployments = [deployment(i, min(replicas, pods - i * replicas)) for i in range(-(-pods // replicas))]
    profiler = cProfile.Profile() if profile else None
    if profiler is not None:
        profiler.enable()
    begin, cpu_begin, virtual_begin = time.perf_counter(), time.process_time(), cluster.loop.now
    for obj in deployments:
        cluster.api.create(obj)
    while counter.running < pods and cluster.loop.now - virtual_begin < VIRTUAL_LIMIT:
        cluster.run(seconds=STEP)
        if freeze:
            gc.freeze()
    wall, cpu = time.perf_counter() - begin, time.process_time() - cpu_begin
    if profiler is not None:
        profiler.disable()
    result = {
        "nodes": nodes,
        "pods": pods,
        "running": counter.running,
        "setup_s": setup,
        "wall_s": wall,
        "cpu_s": cpu,
        "virtual_s": cluster.loop.now - virtual_begin,
        "peak_gib": peak_memory_gib(),
        "requests": len(cluster.api.requests),
        "errors": len(cluster.loop.errors),
    }
    if profiler is not None:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("tottime").print_stats(30)
        stats.sort_stats("cumulative").print_stats(45)
        result["profile"] = out.getvalue()
    return result


def print_result(result: dict) -> None:
    verdict = "" if result["running"] == result["pods"] else f"  (only {result['running']:,} Running)"
    print(
        f"{result['nodes']:>6,} nodes {result['pods']:>8,} pods: set-up {result['setup_s']:7.1f} s, "
        f"to Running {result['wall_s']:7.1f} s wall ({result['cpu_s']:.1f} s cpu), "
        f"{result['virtual_s']:6.0f} s virtual, "
        f"peak {result['peak_gib']:5.2f} GiB, {result['requests']:,} API requests, "
        f"{result['errors']} loop errors{verdict}"
    )
    if "profile" in result:
        print(result["profile"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 nodes, 3,000 pods")
    parser.add_argument("--nodes", type=int, help="one size: this many nodes (with --pods)")
    parser.add_argument("--pods", type=int, help="one size: this many pods (with --nodes)")
    parser.add_argument("--full", action="store_true", help="also start cAdvisor, metrics-server, kube-proxy")
    parser.add_argument("--freeze", action="store_true", help="gc.freeze() after each 10 s step")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions (one size)")
    parser.add_argument("--replicas", type=int, default=REPLICAS_PER_DEPLOYMENT,
                        help=f"replicas per Deployment (default {REPLICAS_PER_DEPLOYMENT})")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child or args.profile:
        result = run_one(args.nodes, args.pods, args.full, args.freeze, args.profile, args.replicas)
        if args.child:
            print(json.dumps(result))
        else:
            print_result(result)
        return
    sizes = ((args.nodes, args.pods),) if args.nodes else QUICK if args.quick else SIZES
    print(f"k8slab cluster benchmark, Python {platform.python_version()} on {platform.machine()}"
          f"{', gc.freeze() per step' if args.freeze else ''}")
    for nodes, pods in sizes:
        command = [sys.executable, __file__, "--child", "--nodes", str(nodes), "--pods", str(pods)]
        command += ["--full"] * args.full + ["--freeze"] * args.freeze + ["--replicas", str(args.replicas)]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            print(f"{nodes:,} nodes, {pods:,} pods: failed\n{done.stderr[-2000:]}")
            continue
        print_result(json.loads(done.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    main()
