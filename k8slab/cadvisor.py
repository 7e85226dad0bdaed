"""cAdvisor and metrics-server: what the containers use, measured and reported back (step 10, notebook 06).

Three pieces, as in a real cluster:

* **cAdvisor** runs inside every kubelet. Every *housekeeping interval* it
  reads each running container's CPU and memory from the container runtime
  and keeps the samples. `CAdvisor(loop, kubelet)` does that on the virtual
  clock; `usage("containers" | "pods" | "nodes")` gives the samples as a
  pandas DataFrame (time, node, namespace, pod, container, cpu_cores,
  memory_bytes), summed per pod and per node.
* **The kubelet's eviction manager** compares the node's `memory.available`
  (capacity minus the memory in use) with the hard eviction threshold
  (`memory.available<100Mi`). While it is below, the node reports the
  condition `MemoryPressure=True` (reason `KubeletHasInsufficientMemory`),
  and Events go to the API: `NodeHasInsufficientMemory` when the condition
  turns, `EvictionThresholdMet` ("Attempting to reclaim memory") on every
  check that finds the threshold met. That is the "reports back to the API"
  of step 10: conditions on the Node and Events stored in etcd.
* **metrics-server** scrapes every kubelet every `--metric-resolution` and
  serves the latest numbers as the `metrics.k8s.io/v1beta1` API
  (NodeMetrics and PodMetrics): what `kubectl top` and the Horizontal Pod
  Autoscaler read. `MetricsServer(loop, client)` is that component; the
  cluster attaches it to the API server as `api.metrics`.

Timings are upstream's: the kubelet runs cAdvisor with a 10 s housekeeping
interval (`defaultHousekeepingInterval` in pkg/kubelet/cadvisor) and keeps
2 minutes of samples in memory (`statsCacheDuration`); the eviction manager
checks every 10 s; the pressure condition stays True for 5 minutes after the
signal last crossed the threshold (`--eviction-pressure-transition-period`);
metrics-server's flag default is 60 s, and the manifest it is installed with
(components.yaml) sets `--metric-resolution=15s`, which the lab uses.

CPU is measured as real systems do: a cumulative counter of CPU-seconds.
metrics-server divides the difference between two scrapes by the time
between them, so the number `kubectl top` shows is an *average over a
window* (10 or 20 s here), and a new pod shows up only after two scrapes.
Memory is the *working set* at the last sample, the number the kubelet
evicts on and the OOM killer compares with the limit.

What the lab simplifies, said out loud:

* A container's usage comes from its simulated behaviour in the runtime
  (`container.usage(now)` gives CPU cores and memory bytes at that instant);
  the CPU counter adds `cores x seconds since the last sample`.
* Housekeeping runs at exactly every 10 s on every node, with no jitter
  (real cAdvisor spreads it between 10 and 15 s), so runs compare byte for byte.
* The node's own processes (the OS, the kubelet, the container runtime) are a
  constant `SYSTEM_USAGE` added to the node's total.
* The lab keeps `history_seconds` of samples (default ten minutes), more than
  cAdvisor's two minutes, so notebooks can plot usage over time; in a real
  cluster long histories are Prometheus' job, not cAdvisor's.
* The eviction manager here watches one signal (`memory.available`) and
  reports; choosing and evicting a pod is the kubelet's.
"""

from __future__ import annotations

import functools
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

import pandas as pd

from k8slab.api.errors import NotFound, StatusError
from k8slab.api.quantity import Format, new_quantity, new_scaled_quantity, parse_quantity

MiB = 1024 * 1024

#: kubelet's cAdvisor housekeeping interval (pkg/kubelet/cadvisor: defaultHousekeepingInterval = 10s).
HOUSEKEEPING_INTERVAL = 10.0
#: How long real cAdvisor keeps samples in memory (statsCacheDuration = 2m).
STATS_CACHE_DURATION = 120.0
#: How much history the lab keeps for plots (virtual seconds; None keeps everything).
HISTORY_SECONDS = 600.0
#: metrics-server's --metric-resolution in its release manifest (the flag's own default is 60s).
METRIC_RESOLUTION = 15.0
#: The kubelet's default hard eviction threshold for memory (evictionHard: memory.available<100Mi).
MEMORY_AVAILABLE_THRESHOLD = 100 * MiB
#: --eviction-pressure-transition-period: how long a pressure condition stays after the signal clears.
EVICTION_PRESSURE_TRANSITION_PERIOD = 300.0
#: What the node itself uses besides pods (OS, kubelet, container runtime): the lab's constant.
SYSTEM_USAGE = (0.05, 256 * MiB)  # (CPU cores, memory bytes)

METRICS_API_VERSION = "metrics.k8s.io/v1beta1"

MEMORY_PRESSURE = "MemoryPressure"
#: The kubelet's words for the MemoryPressure condition (pkg/kubelet/nodestatus/setters.go).
HAS_INSUFFICIENT_MEMORY = (
    "True", "KubeletHasInsufficientMemory", "kubelet has insufficient memory available",
)
HAS_SUFFICIENT_MEMORY = ("False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available")


# ====================================================================================================
# What cAdvisor measures
# ====================================================================================================


class ContainerSample(NamedTuple):
    """One container at one housekeeping: what it used, and its CPU counter so far.

    A `Sample` does not keep these objects: a 5,000-node cluster would make
    150,000 of them every 10 s. It keeps who the containers are once (shared
    with the sample before while the node runs the same containers) and the
    numbers in compact arrays; `Sample.rows` gives plain tuples in this field
    order, `Sample.containers` these named records.
    """

    namespace: str
    pod: str
    pod_uid: str
    container: str
    started_at: float  # tells a restarted container (a new counter) from the one before
    cpu_cores: float  # the rate at the sample
    memory_bytes: int  # the working set
    cpu_seconds: float  # cumulative CPU time since the container started (cAdvisor's usage counter)


@dataclass(frozen=True)
class Sample:
    """One housekeeping pass over a node: every running container, and the node's totals."""

    time: float
    node: str
    keys: tuple[tuple[str, str, str, str, float], ...]  # (namespace, pod, pod uid, container, started at)
    container_cpu: array  # cores, one per key
    container_memory: array  # working-set bytes, one per key
    container_counters: array  # cumulative CPU seconds, one per key
    cpu_cores: float  # pods + the node's own processes
    memory_bytes: int
    cpu_seconds: float  # the node's cumulative CPU time
    memory_capacity: int | None  # the machine's memory (None: not known yet)

    @property
    def rows(self) -> Iterator[tuple]:
        """One plain tuple per container, in ContainerSample's field order."""
        for key, cpu, memory, counter in zip(self.keys, self.container_cpu, self.container_memory,
                                             self.container_counters, strict=True):
            yield (*key, cpu, memory, counter)

    @property
    def containers(self) -> tuple[ContainerSample, ...]:
        """The containers of this sample, with field names."""
        return tuple(ContainerSample._make(row) for row in self.rows)

    @property
    def memory_available(self) -> int | None:
        """The eviction signal memory.available: capacity minus the working set (None: capacity unknown)."""
        if self.memory_capacity is None:
            return None
        return self.memory_capacity - self.memory_bytes


class CAdvisor:
    """The container monitor in one kubelet: samples its containers every housekeeping interval.

        cadvisor = CAdvisor(loop, kubelet, client=Client(api, user="system:node:node-1"))
        cadvisor.start()
        loop.run(seconds=60)
        cadvisor.usage("pods")          # a DataFrame: time, node, namespace, pod, cpu_cores, memory_bytes
        cadvisor.memory_available()     # bytes, the eviction signal

    What it needs from the kubelet: `kubelet.name`, `kubelet.runtime.containers()`
    (objects with `.namespace`, `.pod`, `.pod_uid`, `.name`, `.started_at`
    and `.usage(now) -> (cpu_cores, memory_bytes)`), and, if it has one,
    `kubelet.add_condition_provider(fn)`, through which the MemoryPressure
    condition reaches the Node's status (the kubelet then records the
    `NodeHasInsufficientMemory` Event when it posts the change; without one,
    this monitor records it). With a `client` (by default the kubelet's) it
    records the eviction manager's Events and, when no `memory_capacity` is
    given, reads the machine's memory from the Node's `status.capacity`.
    """

    def __init__(
        self,
        loop: Any,
        kubelet: Any,
        *,
        client: Any = None,
        housekeeping_interval: float = HOUSEKEEPING_INTERVAL,
        history_seconds: float | None = HISTORY_SECONDS,
        system_usage: tuple[float, int] = SYSTEM_USAGE,
        memory_capacity: int | str | None = None,
        eviction_threshold: int | str = MEMORY_AVAILABLE_THRESHOLD,
        pressure_transition_period: float = EVICTION_PRESSURE_TRANSITION_PERIOD,
        record_events: bool = True,
    ):
        if client is None:
            client = getattr(kubelet, "client", None)  # k8slab's Kubelet: talk to the API as the kubelet does
        _positive("housekeeping_interval", housekeeping_interval)
        if history_seconds is not None:
            _positive("history_seconds", history_seconds)
        if isinstance(pressure_transition_period, bool) or not isinstance(pressure_transition_period,
                                                                         int | float) \
                or pressure_transition_period < 0:
            raise ValueError(f"pressure_transition_period must be a number of seconds >= 0, got "
                             f"{pressure_transition_period!r}")
        self.loop = loop
        self.kubelet = kubelet
        self.node = str(kubelet.name)
        self.client = client
        self.housekeeping_interval = float(housekeeping_interval)
        self.history_seconds = history_seconds
        self.system_usage = (float(system_usage[0]), int(system_usage[1]))
        self.memory_capacity = _bytes("memory_capacity", memory_capacity) if memory_capacity is not None \
            else None
        self.eviction_threshold = _bytes("eviction_threshold", eviction_threshold)
        self.pressure_transition_period = float(pressure_transition_period)
        self.samples: deque[Sample] = deque()
        self.running = False
        #: MemoryPressure as the eviction manager last decided it: True while the threshold is (recently) met.
        self.memory_pressure = False
        self._pressure_last_observed: float | None = None
        self._counters: dict[tuple[str, str, float], float] = {}  # (pod uid, container, started) -> cpu s
        self._node_cpu_seconds = 0.0
        self._last_time: float | None = None
        self._timer = None
        self._condition_provider_added = False  # True: the kubelet posts the condition and its Events
        self._recorder = None
        if client is not None and record_events:
            from k8slab.controllers.events import EventRecorder

            self._recorder = EventRecorder(client, "kubelet")

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"CAdvisor(node={self.node!r}, samples={len(self.samples)}, {state})"

    # ------------------------------------------------------------------ running

    def start(self) -> None:
        """Take a sample now and every housekeeping interval; report MemoryPressure through the kubelet."""
        if self.running:
            return
        self.running = True
        add_provider = getattr(self.kubelet, "add_condition_provider", None)
        if add_provider is not None and not self._condition_provider_added:
            add_provider(self.conditions)
            self._condition_provider_added = True
        self._timer = self.loop.call_soon(self._tick)

    def stop(self) -> None:
        """Stop sampling (a node that fails takes its kubelet, and cAdvisor, with it)."""
        self.running = False
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _tick(self) -> None:
        if not self.running:
            return
        # The next tick is booked first, so a sample that fails cannot stop the sampling.
        self._timer = self.loop.call_later(self.housekeeping_interval, self._tick)
        if self.kubelet_up:
            self.housekeeping()

    @property
    def kubelet_up(self) -> bool:
        """cAdvisor lives in the kubelet's process: while the kubelet is stopped, nothing is sampled."""
        return bool(getattr(self.kubelet, "running", True))

    def housekeeping(self) -> Sample:
        """One pass: read every running container, add up the node's totals, check the eviction signal."""
        now = self.loop.now
        since = self._last_time
        keys: list[tuple[str, str, str, str, float]] = []
        cpus, memories, totals = array("d"), array("q"), array("d")
        counters: dict[tuple[str, str, float], float] = {}
        previous = self._counters
        cpu_total, memory_total = self.system_usage
        for container in self._containers():
            cpu, memory = container.usage(now)
            memory = int(memory)
            started = container.started_at or 0.0
            key = (container.pod_uid, container.name, started)
            # The CPU counter: the rate seen now, times the time since the last look (or since the start).
            begin = started if since is None or since < started else since
            total = previous.get(key, 0.0) + (cpu * (now - begin) if now > begin else 0.0)
            counters[key] = total
            keys.append((container.namespace, container.pod, container.pod_uid, container.name, started))
            cpus.append(cpu)
            memories.append(memory)
            totals.append(total)
            cpu_total += cpu
            memory_total += memory
        self._counters = counters
        self._node_cpu_seconds += cpu_total * (now - since if since is not None else 0.0)
        new_keys = tuple(keys)
        if self.samples and self.samples[-1].keys == new_keys:
            new_keys = self.samples[-1].keys  # the same containers as last time: share, do not copy
        sample = Sample(now, self.node, new_keys, cpus, memories, totals, cpu_total, memory_total,
                        self._node_cpu_seconds, self._machine_memory())
        self._last_time = now
        self.samples.append(sample)
        if self.history_seconds is not None:
            while self.samples and self.samples[0].time < now - self.history_seconds:
                self.samples.popleft()
        self._synchronize_eviction(sample)
        return sample

    def _containers(self) -> list[Any]:
        runtime = getattr(self.kubelet, "runtime", None)
        if runtime is None:
            return []
        return list(runtime.containers())

    def _machine_memory(self) -> int | None:
        """The machine's memory (cAdvisor's MachineInfo); here the Node's capacity, read once."""
        if self.memory_capacity is None and self.client is not None:
            try:
                node = self.client.get("nodes", self.node)
                memory = ((node.get("status") or {}).get("capacity") or {}).get("memory")
                if memory:
                    self.memory_capacity = parse_quantity(str(memory)).value
            except (StatusError, ValueError):
                return None  # not registered yet: try again at the next housekeeping
        return self.memory_capacity

    # ------------------------------------------------------------------ the eviction manager's signal

    def memory_available(self) -> int | None:
        """memory.available at the last sample, in bytes (None before a sample, or with no capacity known)."""
        return self.samples[-1].memory_available if self.samples else None

    def conditions(self) -> dict[str, tuple[str, str, str]]:
        """The node condition this monitor decides, for the kubelet's node status: {type: (status, reason,
        message)}, in the kubelet's words."""
        return {MEMORY_PRESSURE: HAS_INSUFFICIENT_MEMORY if self.memory_pressure else HAS_SUFFICIENT_MEMORY}

    def _synchronize_eviction(self, sample: Sample) -> None:
        """The eviction manager's synchronize, for memory.available only.

        Threshold met: note when, say so with an Event (every check, which
        the recorder counts up), and raise MemoryPressure. The condition
        falls again only once the threshold has not been met for the
        pressure transition period, so a node does not flap.
        """
        available = sample.memory_available
        met = available is not None and available < self.eviction_threshold
        if met:
            self._pressure_last_observed = sample.time
        recently = (self._pressure_last_observed is not None
                    and sample.time - self._pressure_last_observed < self.pressure_transition_period)
        pressure = met or recently
        if pressure != self.memory_pressure:
            self.memory_pressure = pressure
            if not self._condition_provider_added:  # else the kubelet says so when it posts the condition
                status = "NodeHasInsufficientMemory" if pressure else "NodeHasSufficientMemory"
                self._node_event("Normal", status)
        if met and self._recorder is not None:
            self._recorder.event(self._node_ref(), "Warning", "EvictionThresholdMet",
                                 "Attempting to reclaim memory")

    def _node_event(self, type: str, status: str) -> None:
        """The kubelet's recordNodeStatusEvent: `Node node-1 status is now: NodeHasInsufficientMemory`."""
        if self._recorder is not None:
            self._recorder.event(self._node_ref(), type, status, f"Node {self.node} status is now: {status}")

    def _node_ref(self) -> dict:
        # The kubelet refers to its Node with the node's name as uid (kl.nodeRef).
        return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": self.node, "uid": self.node}}

    # ------------------------------------------------------------------ the samples as tables

    def usage(self, kind: str = "pods") -> pd.DataFrame:
        """The samples kept, as a DataFrame: "containers", "pods" (summed per pod) or "nodes"."""
        return usage_frame([self], kind)


def usage_frame(cadvisors: Iterable[CAdvisor], kind: str = "pods") -> pd.DataFrame:
    """Several nodes' samples as one DataFrame, ordered by time, then node, namespace, pod."""
    if kind not in USAGE_COLUMNS:
        raise ValueError(f'kind must be one of {", ".join(USAGE_COLUMNS)}, got {kind!r}')
    rows: list[tuple] = []
    for cadvisor in cadvisors:
        for sample in cadvisor.samples:
            if kind == "nodes":
                rows.append((sample.time, sample.node, sample.cpu_cores, sample.memory_bytes,
                             sample.memory_available))
            elif kind == "containers":
                rows += [(sample.time, sample.node, namespace, pod, container, cpu, memory)
                         for namespace, pod, _, container, _, cpu, memory, _ in sample.rows]
            else:
                pods: dict[tuple[str, str], list[float]] = {}
                for namespace, pod, _, _, _, cpu, memory, _ in sample.rows:
                    total = pods.setdefault((namespace, pod), [0.0, 0])
                    total[0] += cpu
                    total[1] += memory
                rows += [(sample.time, sample.node, namespace, pod, cpu, int(memory))
                         for (namespace, pod), (cpu, memory) in pods.items()]
    frame = pd.DataFrame(rows, columns=list(USAGE_COLUMNS[kind]))
    keys = [column for column in ("time", "node", "namespace", "pod", "container") if column in frame.columns]
    frame = frame.sort_values(keys, kind="stable").reset_index(drop=True)
    if kind == "nodes":
        frame["memory_available_bytes"] = frame["memory_available_bytes"].astype("Int64")
    return frame


USAGE_COLUMNS = {
    "containers": ("time", "node", "namespace", "pod", "container", "cpu_cores", "memory_bytes"),
    "pods": ("time", "node", "namespace", "pod", "cpu_cores", "memory_bytes"),
    "nodes": ("time", "node", "cpu_cores", "memory_bytes", "memory_available_bytes"),
}


# ====================================================================================================
# metrics-server: the metrics.k8s.io API
# ====================================================================================================


@dataclass
class _Scrape:
    """What metrics-server keeps per node: the last two samples it scraped (a rate needs two points)."""

    previous: Sample | None = None
    last: Sample | None = None


class MetricsServer:
    """metrics-server: scrapes every kubelet's cAdvisor and serves metrics.k8s.io/v1beta1.

        metrics = MetricsServer(loop, client)
        metrics.register(cadvisor)            # one per kubelet
        metrics.start()                       # scrape every 15 s
        metrics.nodes()                       # [NodeMetrics, ...]
        metrics.pods("default")               # [PodMetrics, ...]

    Like the real one it lists and watches Nodes and Pods (for their labels,
    so `kubectl top pods -l app=web` works, and to forget what is gone) and
    keeps only the latest window in memory: it is a pipe for autoscalers and
    `kubectl top`, not a monitoring system. Without a `client` it serves
    every node and pod it scraped, with no labels.
    """

    def __init__(self, loop: Any, client: Any = None, resolution: float = METRIC_RESOLUTION):
        _positive("resolution", resolution)
        self.loop = loop
        self.client = client
        self.resolution = float(resolution)
        self.cadvisors: dict[str, CAdvisor] = {}
        self.scrapes: dict[str, _Scrape] = {}
        self.running = False
        self._timer = None
        self._nodes = self._pods = None
        if client is not None:
            from k8slab.client import Informer

            self._nodes = Informer(client, "nodes")
            self._pods = Informer(client, "pods")

    def __repr__(self) -> str:
        return f"MetricsServer(nodes={len(self.cadvisors)}, resolution={self.resolution:g}s)"

    def register(self, cadvisor: CAdvisor) -> None:
        """Scrape this kubelet's cAdvisor from now on (the real one finds kubelets from the Nodes)."""
        self.cadvisors[cadvisor.node] = cadvisor

    def unregister(self, node: str) -> None:
        self.cadvisors.pop(node, None)
        self.scrapes.pop(node, None)

    def start(self) -> None:
        if self.running:
            return
        self.running = True
        for informer in (self._nodes, self._pods):
            if informer is not None and not informer.started:
                informer.run()
        self._timer = self.loop.call_later(self.resolution, self._tick)

    def stop(self) -> None:
        self.running = False
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _tick(self) -> None:
        if not self.running:
            return
        self._timer = self.loop.call_later(self.resolution, self._tick)
        self.scrape()

    def scrape(self) -> None:
        """Ask every kubelet for its latest sample; a kubelet that does not answer loses its metrics."""
        for node, cadvisor in self.cadvisors.items():
            scrape = self.scrapes.setdefault(node, _Scrape())
            answers = cadvisor.running and cadvisor.kubelet_up
            latest = cadvisor.samples[-1] if answers and cadvisor.samples else None
            if latest is None:
                self.scrapes[node] = _Scrape()
            elif scrape.last is None or latest.time > scrape.last.time:
                scrape.previous, scrape.last = scrape.last, latest

    # ------------------------------------------------------------------ the API

    def nodes(self, name: str | None = None, label_selector: str | None = None) -> list[dict]:
        """NodeMetrics for every node with a window (or the one named: NotFound if it has none)."""
        selector = _selector(label_selector)
        items = []
        for node in sorted(self.scrapes):
            scrape = self.scrapes[node]
            if scrape.previous is None or scrape.last is None:
                continue
            labels = self._labels("nodes", node)
            if labels is None or (name is not None and node != name) or not selector.matches(labels):
                continue
            window = scrape.last.time - scrape.previous.time
            cpu = (scrape.last.cpu_seconds - scrape.previous.cpu_seconds) / window
            items.append({
                "kind": "NodeMetrics",
                "apiVersion": METRICS_API_VERSION,
                "metadata": {"name": node, "creationTimestamp": self.loop.timestamp(),
                             "labels": dict(labels)},
                "timestamp": self.loop.timestamp(scrape.last.time),
                "window": go_duration(window),
                "usage": _usage(cpu, scrape.last.memory_bytes),
            })
        if name is not None and not items:
            raise NotFound(f'nodemetrics.metrics.k8s.io "{name}" not found', name, "nodes", "metrics.k8s.io")
        return items

    def pods(self, namespace: str | None = None, name: str | None = None,
             label_selector: str | None = None) -> list[dict]:
        """PodMetrics for the pods of a namespace (None: every namespace), or the one named.

        A pod is listed once two scrapes saw all its containers with the same
        start time: a container that restarted between them starts a new CPU
        counter, and the pod waits for the next window.
        """
        selector = _selector(label_selector)
        items = []
        created = self.loop.timestamp()
        for node in sorted(self.scrapes):
            scrape = self.scrapes[node]
            if scrape.previous is None or scrape.last is None:
                continue
            window = scrape.last.time - scrape.previous.time
            stamp, window_text = self.loop.timestamp(scrape.last.time), go_duration(window)
            # A container's CPU counter at the previous scrape, by (pod uid, container, start time).
            before = {(uid, container, started): counter
                      for _, _, uid, container, started, _, _, counter in scrape.previous.rows}
            pods: dict[tuple[str, str, str], list[tuple]] = {}
            for row in scrape.last.rows:
                pod_namespace, pod_name, pod_uid = row[0], row[1], row[2]
                if (namespace is None or pod_namespace == namespace) and (name is None or pod_name == name):
                    pods.setdefault((pod_namespace, pod_name, pod_uid), []).append(row)
            for (pod_namespace, pod_name, pod_uid), rows in pods.items():
                if any((uid, container, started) not in before for _, _, uid, container, started, *_ in rows):
                    continue
                labels = self._labels("pods", f"{pod_namespace}/{pod_name}", pod_uid)
                if labels is None or not selector.matches(labels):
                    continue
                containers = []
                for _, _, uid, container, started, _, memory, counter in rows:
                    cpu = (counter - before[(uid, container, started)]) / window
                    containers.append({"name": container, "usage": _usage(cpu, memory)})
                items.append({
                    "kind": "PodMetrics",
                    "apiVersion": METRICS_API_VERSION,
                    "metadata": {"name": pod_name, "namespace": pod_namespace, "creationTimestamp": created,
                                 "labels": dict(labels)},
                    "timestamp": stamp,
                    "window": window_text,
                    "containers": containers,
                })
        items.sort(key=lambda item: (item["metadata"]["namespace"], item["metadata"]["name"]))
        if name is not None and not items:
            raise NotFound(f'podmetrics.metrics.k8s.io "{namespace or ""}/{name}" not found', name, "pods",
                           "metrics.k8s.io")
        return items

    def usage(self, kind: str = "pods") -> pd.DataFrame:
        """Every registered cAdvisor's samples as one DataFrame (see `CAdvisor.usage`)."""
        return usage_frame([self.cadvisors[node] for node in sorted(self.cadvisors)], kind)

    def _labels(self, resource: str, key: str, uid: str | None = None) -> dict | None:
        """The object's labels from the informer (None: metrics-server does not know it, so skips it)."""
        informer = self._nodes if resource == "nodes" else self._pods
        if informer is None:
            return {}
        obj = informer.get(key)
        if obj is None:
            return None
        meta = obj.get("metadata") or {}
        if uid is not None and meta.get("uid") and meta.get("uid") != uid:
            return None  # a new pod of the same name: these samples are of the old one
        return meta.get("labels") or {}


# ====================================================================================================
# Helpers
# ====================================================================================================


def _usage(cpu_cores: float, memory_bytes: int) -> dict[str, str]:
    """A usage as metrics-server writes it: CPU in nanocores, memory in bytes, as canonical quantities."""
    return {"cpu": _nanocores(max(round(cpu_cores * 1e9), 0)), "memory": _bytes_text(int(memory_bytes))}


@functools.lru_cache(maxsize=65536)
def _nanocores(nanocores: int) -> str:
    return str(new_scaled_quantity(nanocores, -9))  # the same few values over and over: remembered


@functools.lru_cache(maxsize=65536)
def _bytes_text(memory_bytes: int) -> str:
    return str(new_quantity(memory_bytes, Format.BinarySI))


def _selector(text: str | None):
    from k8slab.api.selectors import everything, parse_selector

    return parse_selector(text) if text else everything()


def go_duration(seconds: float) -> str:
    """Go's time.Duration.String(): 15s, 1m0s, 2h3m4.5s, 250ms."""
    nanos = round(seconds * 1e9)
    if nanos == 0:
        return "0s"
    sign = "-" if nanos < 0 else ""
    nanos = abs(nanos)
    if nanos < 1_000_000_000:
        for unit, size in (("ms", 1_000_000), ("µs", 1_000), ("ns", 1)):
            if nanos >= size:
                return sign + _decimal(nanos, size) + unit
    hours, rest = divmod(nanos, 3600 * 1_000_000_000)
    minutes, rest = divmod(rest, 60 * 1_000_000_000)
    text = _decimal(rest, 1_000_000_000) + "s"
    if hours or minutes:
        text = f"{minutes}m" + text
    if hours:
        text = f"{hours}h" + text
    return sign + text


def _decimal(value: int, unit: int) -> str:
    whole, fraction = divmod(value, unit)
    if not fraction:
        return str(whole)
    digits = len(str(unit)) - 1
    return f"{whole}.{str(fraction).rjust(digits, '0').rstrip('0')}"


def _positive(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ValueError(f"{name} must be a number of seconds > 0, got {value!r}")


def _bytes(name: str, value: int | str) -> int:
    if isinstance(value, bool):
        raise ValueError(f"{name} must be bytes or a quantity such as '16Gi', got {value!r}")
    if isinstance(value, int):
        return value
    try:
        return parse_quantity(str(value)).value
    except ValueError as error:
        raise ValueError(f"{name}: {error}") from None


# ====================================================================================================
# A live view for notebook 06
# ====================================================================================================


class UsageView:
    """`kubectl top` as a live widget: a Run button advances virtual time, the tables follow.

        UsageView(cluster)          # in a notebook cell: [Run 15 s], top nodes with bars, top pods -A

    Each node gets a bar for the CPU and the memory it *uses* (from
    metrics-server, as `kubectl top nodes` prints it) against its
    allocatable, and its MemoryPressure condition. The picture is set into a
    `widgets.HTML`, never displayed into an Output widget, so nbval compares
    a notebook that shows it; its text/html is a static copy of the last view.
    """

    def __init__(self, cluster: Any, seconds: float = METRIC_RESOLUTION):
        import ipywidgets as widgets

        _positive("seconds", seconds)
        self.cluster = cluster
        self.seconds = float(seconds)
        self.button = widgets.Button(description=f"Run {self.seconds:g} s", button_style="primary")
        self.picture = widgets.HTML()
        self.widget = widgets.VBox([self.button, self.picture])
        self.button.on_click(lambda _button: self.step())
        self.render()

    def step(self) -> None:
        """What the button does: advance the cluster's virtual time, then draw again."""
        self.cluster.run(seconds=self.seconds)
        self.render()

    def render(self) -> None:
        self.picture.value = self.html()

    def html(self) -> str:
        import html as escaping

        api = self.cluster.api
        metrics = getattr(api, "metrics", None)
        usage = {}
        if metrics is not None:
            usage = {item["metadata"]["name"]: item["usage"] for item in metrics.nodes()}
        rows = []
        for node in api.list("nodes")["items"]:
            name = node["metadata"]["name"]
            allocatable = (node.get("status") or {}).get("allocatable") or {}
            pressure = next((c for c in (node.get("status") or {}).get("conditions") or []
                             if c.get("type") == MEMORY_PRESSURE), {})
            cells = [f"<td><b>{escaping.escape(name)}</b></td>"]
            for resource in ("cpu", "memory"):
                used = usage.get(name, {}).get(resource)
                total = allocatable.get(resource)
                if used is None or total is None:
                    cells.append("<td>&lt;unknown&gt;</td>")
                    continue
                share = parse_quantity(used).milli_value / max(parse_quantity(str(total)).milli_value, 1)
                cells.append(f"<td>{_bar(share)} {escaping.escape(_top_text(resource, used))}</td>")
            flag = pressure.get("status") == "True"
            cells.append(f'<td style="color:{"#b0360f" if flag else "#1b7f3b"}">MemoryPressure='
                         f'{escaping.escape(str(pressure.get("status", "?")))}</td>')
            rows.append("<tr>" + "".join(cells) + "</tr>")
        pods = str(self.cluster.kubectl("top pods -A")).rstrip()
        return (
            '<div style="font-family:Helvetica,Arial,sans-serif;font-size:12px">'
            f"<b>t = {self.cluster.now:g} s</b> (metrics-server scrapes every {METRIC_RESOLUTION:g} s)"
            "<table><tr><th>node</th><th>CPU used</th><th>memory used</th><th>condition</th></tr>"
            + "".join(rows) + "</table>"
            f"<pre>$ kubectl top pods -A\n{escaping.escape(pods)}</pre></div>"
        )

    def __repr__(self) -> str:
        return f"UsageView(t = {self.cluster.now:g} s, step {self.seconds:g} s)"

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude)
        bundle["text/plain"] = repr(self)
        bundle["text/html"] = self.picture.value
        return bundle


def _bar(share: float, width: int = 120) -> str:
    """A horizontal bar, red from 90 %."""
    filled = round(min(max(share, 0.0), 1.0) * width)
    colour = "#b0360f" if share >= 0.9 else "#3b7dd8"
    return (f'<span style="display:inline-block;width:{width}px;height:10px;background:#eee">'
            f'<span style="display:inline-block;width:{filled}px;height:10px;background:{colour}"></span>'
            "</span>")


def _top_text(resource: str, value: str) -> str:
    from k8slab.kubectl.printers import top_quantity

    return top_quantity(resource, parse_quantity(value))


ConditionProvider = Callable[[], dict[str, tuple[str, str, str]]]

__all__ = [
    "CAdvisor", "ContainerSample", "HOUSEKEEPING_INTERVAL", "METRIC_RESOLUTION", "MEMORY_AVAILABLE_THRESHOLD",
    "MetricsServer", "Sample", "UsageView", "go_duration", "usage_frame",
]
