"""The kubelet: the agent on each node that turns pods bound to it into running containers (step 8).

Built in notebook 05. Like every component, it talks only to the API server:

    register the Node; create its Lease in kube-node-lease
    every 10 s: renew the Lease (the heartbeat); post node status if something changed (else every 5 min)
    watch pods with fieldSelector spec.nodeName=<this node>, and for each one ("syncPod"):
        admit it (does it still fit? else Failed: OutOfcpu, OutOfmemory, OutOfpods)
        sandbox (the pod's network namespace: it gets the pod IP)
        -> pull each image (Pulling, Pulled) -> init containers, one at a time, each to success
           (a sidecar, an init container with restartPolicy Always, only to started: it keeps running)
        -> create and start the containers (Created, Started) -> probes
        -> write what happened to pods/status (phase, conditions, containerStatuses)
    a container exits -> restart it (restartPolicy), with back-off 10 s, 20 s, ... 300 s (CrashLoopBackOff)
    a pod gets a deletionTimestamp -> preStop, SIGTERM, wait up to the grace period, SIGKILL,
                                      then delete the pod for good (grace period 0)

A web server pod whose image is on the node costs two writes to pods/status
from bind to Running (Pending with ContainerCreating, then Running) and four
Events (Pulled, Created, Started, and Scheduled from the scheduler); a status
is written when a sync finishes, after its image pulls, as upstream's SyncPod
returns only then.

What upstream has that this one simplifies (notebook 05 says so): no volumes,
no secrets or configmaps mounted, no cgroups (limits are enforced by the
runtime model: CPU throttled, memory over the limit OOMKilled); a postStart
hook runs at once and does not hold the container back; a sandbox takes a
fixed 0.5 s; image pulls are serial per node (upstream's default) and take
the registry's number of seconds; a pod whose image may never be pulled
(ErrImageNeverPull) is retried only when the pod changes; admission checks pods, cpu and memory only (not node
affinity, taints or ports); env values from ConfigMaps and Secrets are not
resolved; Events have no `source.host` or `fieldPath`. The kubelet
never polls: each pod has timers only while something is due (a sandbox,
a pull, a back-off, a probe), so a web server with no probes costs nothing
once it runs.

When the kubelet stops (`stop()`: the node failed, or only its kubelet), its
containers keep running in the runtime, as they do on a real node whose
kubelet died: they still answer requests, they may still exit, but nobody
restarts them and nobody reports anything. `start()` resumes: the lease is
renewed, the node status posted, and every pod is reconciled against the
API (pods deleted meanwhile have their containers killed).
"""

from __future__ import annotations

import ipaddress
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from k8slab.api.errors import AlreadyExists, BadRequest, Conflict, InternalError, NotFound, StatusError
from k8slab.api.server import qos_class
from k8slab.client import Client, Informer, deep_copy
from k8slab.controllers.events import NORMAL, WARNING, EventRecorder
from k8slab.kubelet.probes import SUCCESS, run_exec, run_probe
from k8slab.kubelet.runtime import Container, ImageRegistry, Runtime, StartError, _resources, parse_image
from k8slab.sim import CallbackError, Timer

LEASE_NAMESPACE = "kube-node-lease"
LEASE_DURATION_SECONDS = 40
#: the kubelet renews its Lease every quarter of its duration (upstream: 10 s)
RENEW_INTERVAL = 10.0
#: how often the kubelet checks its node status (nodeStatusUpdateFrequency)
STATUS_CHECK_INTERVAL = 10.0
#: it posts an unchanged status only this often (nodeStatusReportFrequency)
STATUS_REPORT_FREQUENCY = 300.0
SANDBOX_SECONDS = 0.5
BACKOFF_INITIAL = 10.0
BACKOFF_MAX = 300.0
#: how long a container's exit must sit in the past before its back-off starts over (2 x the maximum)
BACKOFF_RESET = 2 * BACKOFF_MAX

CONDITION_TYPES = ("MemoryPressure", "DiskPressure", "PIDPressure", "Ready")
DEFAULT_CONDITIONS = {
    "MemoryPressure": ("False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
    "DiskPressure": ("False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
    "PIDPressure": ("False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
    "Ready": ("True", "KubeletReady", "kubelet is posting ready status"),
}


class Backoff:
    """client-go's flowcontrol.Backoff: per key, a delay that doubles from 10 s up to 300 s.

    `in_backoff_since(key, event_time)` asks "is it too soon to try again after what happened at
    event_time?"; `next(key)` records a try and doubles the delay. An entry untouched for 600 s
    starts over: a container that ran for ten minutes restarts at once after its next crash.
    """

    def __init__(self, initial: float = BACKOFF_INITIAL, maximum: float = BACKOFF_MAX):
        self.initial, self.maximum = initial, maximum
        self.entries: dict[Any, tuple[float, float]] = {}  # key -> (delay, last update)

    def _expired(self, key: Any, now: float) -> bool:
        entry = self.entries.get(key)
        return entry is None or now - entry[1] > 2 * self.maximum

    def next(self, key: Any, now: float) -> float:
        if self._expired(key, now):
            delay = self.initial
        else:
            delay = min(self.entries[key][0] * 2, self.maximum)
        self.entries[key] = (delay, now)
        return delay

    def get(self, key: Any) -> float:
        return self.entries.get(key, (0.0, 0.0))[0]

    def remaining(self, key: Any, event_time: float, now: float) -> float:
        """Seconds left before `key` may be tried again after an event at `event_time` (0: go)."""
        if self._expired(key, now):
            return 0.0
        delay = self.entries[key][0]
        return max(event_time + delay - now, 0.0)

    def forget(self, key: Any) -> None:
        self.entries.pop(key, None)


@dataclass
class ProbeState:
    kind: str  # "startup", "liveness", "readiness"
    probe: dict
    timer: Timer | None = None
    successes: int = 0
    failures: int = 0


@dataclass
class ContainerRecord:
    """What the kubelet knows about one container of a pod, across its restarts."""

    spec: dict
    init: bool
    current: Container | None = None
    finished: list[Container] = field(default_factory=list)  # exited instances, newest last (at most 2)
    restart_count: int = 0
    waiting: tuple[str, str] | None = None  # (reason, message) while not running
    pulling: bool = False
    pulled: bool = False  # the image is on the node for this container (pulled or present)
    retry: Timer | None = None
    ready: bool = False
    started: bool = False
    force_restart: bool = False  # killed by a failing probe: restarted unless restartPolicy is Never
    backoff_done: str = ""  # the exited instance whose restart already passed the back-off check
    start_error: str = ""
    probes: list[ProbeState] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.spec["name"]

    @property
    def last(self) -> Container | None:
        return self.finished[-1] if self.finished else None

    def succeeded(self) -> bool:
        return self.current is None and self.last is not None and self.last.exit_code == 0

    @property
    def sidecar(self) -> bool:
        """An init container with restartPolicy Always: started in order, then kept running beside the app."""
        return self.init and self.spec.get("restartPolicy") == "Always"

    def initialized(self) -> bool:
        """Done as far as the pod's initialization goes: completed, or (a sidecar) started."""
        return self.succeeded() or (self.sidecar and self.current is not None and self.started)


@dataclass
class PodWorker:
    """One pod on this node: its sandbox, its containers, its timers (upstream's pod worker)."""

    uid: str
    pod: dict
    records: list[ContainerRecord]
    ip: str = ""
    sandbox: str = ""  # "", "creating", "ready", "failed"
    start_time: str = ""
    terminating: bool = False
    final: bool = False  # phase Succeeded or Failed: nothing runs any more
    admitted: bool = False
    initialized: bool = False  # every init container has completed (sidecars: started) once
    requests: dict = field(default_factory=dict)  # the pod's effective requests, as admitted
    rejected: tuple[str, str] | None = None  # (reason, message) when admission refused the pod
    sync_queued: bool = False
    timer: Timer | None = None
    posted: dict | None = None
    transitions: dict[str, tuple[str, str]] = field(default_factory=dict)  # condition -> (status, time)

    @property
    def namespace(self) -> str:
        return self.pod["metadata"].get("namespace", "default")

    @property
    def name(self) -> str:
        return self.pod["metadata"]["name"]


class PodIPAllocator:
    """host-local IPAM: addresses of the node's podCIDR from .2 upward (.1 is the bridge), taken round
    robin after the last one handed out, given back when the pod's sandbox goes."""

    def __init__(self, cidr: str):
        network = ipaddress.ip_network(cidr)
        self.first = int(network.network_address) + 2
        self.last = int(network.broadcast_address) - 1
        self.range_text = f"{network.network_address + 1}-{network.broadcast_address - 1}"
        self.used: set[int] = set()
        self.cursor = self.first - 1

    def allocate(self) -> str | None:
        size = self.last - self.first + 1
        for step in range(1, size + 1):
            candidate = self.first + (self.cursor - self.first + step) % size
            if candidate not in self.used:
                self.used.add(candidate)
                self.cursor = candidate
                return str(ipaddress.ip_address(candidate))
        return None

    def release(self, ip: str) -> None:
        self.used.discard(int(ipaddress.ip_address(ip)))

    def allocated(self) -> list[str]:
        """The addresses in use, lowest first."""
        return [str(ipaddress.ip_address(ip)) for ip in sorted(self.used)]


class Kubelet:
    """One node's kubelet. `client` must be a Client(api, user="system:node:<name>").

    kubelet = Kubelet(client, 1, {"cpu": "4"}, registry=ImageRegistry())
    kubelet.run()                      # registers node-1 and starts syncing its pods
    kubelet.runtime.containers()       # what runs on the node now
    kubelet.logs("default", "web", "nginx")
    """

    def __init__(
        self,
        client: Client,
        index: int,
        shape: dict | None = None,
        registry: ImageRegistry | None = None,
        record_events: bool = True,
    ):
        if not isinstance(client, Client):
            raise TypeError(f"a Kubelet needs a k8slab.client.Client, got {type(client).__name__}")
        if isinstance(index, bool) or not isinstance(index, int) or index < 1:
            raise ValueError(f"index must be a whole number >= 1, got {index!r}")
        self.client = client
        self.loop = client.loop
        self.index = index
        self.shape = dict(shape or {})
        self.name = self.shape.get("name") or f"node-{index}"
        self.registry = registry if registry is not None else ImageRegistry()
        self.runtime = Runtime(self.loop, self.registry, self.name, on_exit=self._on_container_exit)
        self.recorder = EventRecorder(client, "kubelet") if record_events else None
        self.running = False
        self.node_ip = ""
        self.pod_cidr = ""
        self.ips: PodIPAllocator | None = None
        self.workers: dict[str, PodWorker] = {}  # pod uid -> worker
        self.pods: Informer | None = None
        self.restart_backoff = Backoff()
        self.image_backoff = Backoff()
        self.condition_providers: list[Callable[[], dict]] = []
        self._heartbeat: Timer | None = None
        self._lease: dict | None = None
        self._posted_status: tuple | None = None
        self._last_post = -STATUS_REPORT_FREQUENCY
        self._transitions: dict[str, tuple[str, str]] = {}
        self.registered = False
        self._node_uid = ""
        self.allocatable: dict[str, float | int] = {}

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"Kubelet({self.name!r}, pods={len(self.workers)}, {state})"

    # ================================================================ lifecycle

    def run(self) -> None:
        """Register the node, create the lease, start heartbeats, watch and sync this node's pods."""
        if self.running:
            return
        self.register_node()
        self.start()

    def start(self) -> None:
        """(Re)start the kubelet: heartbeats resume, every pod is reconciled against the API."""
        if self.running:
            return
        if not self.registered:
            self.register_node()
        self.running = True
        self._posted_status = None  # post at once: the node lifecycle controller may have marked us Unknown
        self._heartbeat_tick()
        self.pods = Informer(self.client, "pods", field_selector=f"spec.nodeName={self.name}")
        self.pods.add_event_handler(
            on_add=self._on_pod_add, on_update=self._on_pod_update, on_delete=self._on_pod_delete
        )
        self.pods.run()
        listed = {pod["metadata"].get("uid") for pod in self.pods.list()}
        for uid in [uid for uid in self.workers if uid not in listed]:
            self._forget_pod(self.workers[uid])  # deleted while we were away: kill what is left
        for worker in self.workers.values():
            for record in worker.records:
                if record.current is not None:
                    self._start_probes(worker, record)
            # The status manager starts with an empty cache, so each pod's status is written again:
            # what others wrote meanwhile (the node lifecycle controller's Ready=False) is put right.
            worker.posted = None
            self._queue(worker)

    def stop(self) -> None:
        """The kubelet stops: no heartbeats, no status, no syncs. Containers keep running (see module doc)."""
        if not self.running:
            return
        self.running = False
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            self._heartbeat = None
        if self.pods is not None:
            self.pods.stop()
            self.pods = None
        for worker in self.workers.values():
            worker.sync_queued = False
            if worker.timer is not None:
                worker.timer.cancel()
                worker.timer = None
            for record in worker.records:
                self._stop_probes(record)
                if record.retry is not None:
                    record.retry.cancel()
                    record.retry = None

    # ================================================================ node, lease, status

    def register_node(self) -> dict:
        """Create this node's Node object (upstream's registerWithAPIServer); an existing one is kept."""
        from k8slab.cluster import node_object

        body = node_object(self.index, self.shape)
        now = self.loop.timestamp()
        for condition in body["status"]["conditions"]:
            condition["lastHeartbeatTime"] = condition["lastTransitionTime"] = now
            self._transitions[condition["type"]] = (condition["status"], now)
        try:
            node = self.client.create(body)
        except AlreadyExists:
            node = self.client.get("nodes", self.name)
        self.node_ip = next(
            (a["address"] for a in node["status"].get("addresses", []) if a.get("type") == "InternalIP"), ""
        )
        self.pod_cidr = (node.get("spec") or {}).get("podCIDR") or body["spec"]["podCIDR"]
        self.ips = PodIPAllocator(self.pod_cidr)
        allocatable = node["status"].get("allocatable") or {}
        self.allocatable = {
            k: v for k, v in _resources(allocatable).items() if k in ("cpu", "memory", "pods")
        }
        self._node_uid = node["metadata"].get("uid", "")
        self._last_post = self.loop.now
        self.registered = True
        return node

    def _heartbeat_tick(self) -> None:
        if not self.running:
            return
        self._heartbeat = self.loop.call_later(RENEW_INTERVAL, self._heartbeat_tick)
        try:
            self.renew_lease()
        except StatusError:
            pass  # upstream retries on the next tick
        try:
            self.check_node_status()
        except StatusError:
            self._posted_status = None

    def renew_lease(self) -> dict:
        """Create or renew the node's Lease (coordination.k8s.io/v1) in kube-node-lease."""
        now = self.loop.micro_timestamp()
        if self._lease is not None:
            lease = deep_copy(self._lease)
            lease["spec"]["renewTime"] = now
            try:
                self._lease = self.client.update(lease)
                return self._lease
            except (Conflict, NotFound):
                self._lease = None
        try:
            lease = self.client.get("leases", self.name, namespace=LEASE_NAMESPACE)
            lease["spec"]["renewTime"] = now
            lease["spec"]["holderIdentity"] = self.name
            self._lease = self.client.update(lease)
        except NotFound:
            self._lease = self.client.create(
                {
                    "apiVersion": "coordination.k8s.io/v1",
                    "kind": "Lease",
                    "metadata": {
                        "name": self.name,
                        "namespace": LEASE_NAMESPACE,
                        "ownerReferences": [
                            {"apiVersion": "v1", "kind": "Node", "name": self.name, "uid": self._node_uid}
                        ],
                    },
                    "spec": {
                        "holderIdentity": self.name,
                        "leaseDurationSeconds": LEASE_DURATION_SECONDS,
                        "renewTime": now,
                    },
                }
            )
        return self._lease

    def add_condition_provider(self, fn: Callable[[], dict]) -> None:
        """`fn() -> {"MemoryPressure": ("True", "KubeletHasInsufficientMemory", "..."), ...}`, asked at each
        status check (every 10 s); a change is posted at that check."""
        if not callable(fn):
            raise TypeError(f"a condition provider is a function, got {fn!r}")
        self.condition_providers.append(fn)

    def node_conditions(self) -> dict[str, tuple[str, str, str]]:
        conditions = dict(DEFAULT_CONDITIONS)
        for provider in self.condition_providers:
            try:
                answer = provider() or {}
            except Exception as error:  # a broken provider must not stop the heartbeats
                name = getattr(provider, "__qualname__", repr(provider))
                self.loop.errors.append(CallbackError(self.loop.now, name, error))
                continue
            for kind, value in answer.items():
                if isinstance(value, tuple | list) and len(value) == 3:
                    conditions[str(kind)] = (str(value[0]), str(value[1]), str(value[2]))
        return conditions

    def check_node_status(self, force: bool = False) -> dict | None:
        """Post node status if it changed, or every 5 min (upstream's nodeStatusReportFrequency)."""
        conditions = self.node_conditions()
        images = self.runtime.image_list()
        summary = (
            tuple(sorted(conditions.items())),
            tuple((tuple(i["names"]), i["sizeBytes"]) for i in images),
        )
        if (
            not force
            and summary == self._posted_status
            and self.loop.now - self._last_post < STATUS_REPORT_FREQUENCY
        ):
            return None
        node = self.client.get("nodes", self.name)
        now = self.loop.timestamp()
        written = []
        order = list(CONDITION_TYPES) + sorted(k for k in conditions if k not in CONDITION_TYPES)
        for kind in order:
            status, reason, message = conditions[kind]
            previous = self._transitions.get(kind)
            if previous is None or previous[0] != status:
                self._transitions[kind] = (status, now)
                if previous is not None:
                    self._node_event(_node_event_reason(kind, status, reason))
            written.append(
                {
                    "type": kind,
                    "status": status,
                    "lastHeartbeatTime": now,
                    "lastTransitionTime": self._transitions[kind][1],
                    "reason": reason,
                    "message": message,
                }
            )
        node["status"]["conditions"] = written
        node["status"]["images"] = images
        node["metadata"].pop("resourceVersion", None)
        self.client.update_status(node)
        self._posted_status = summary
        self._last_post = self.loop.now
        return node

    def _node_event(self, reason: str) -> None:
        if self.recorder is None:
            return
        node_ref = {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {"name": self.name, "uid": self._node_uid},
        }
        self.recorder.event(node_ref, NORMAL, reason, f"Node {self.name} status is now: {reason}")

    # ================================================================ the pod watch

    def _on_pod_add(self, pod: dict) -> None:
        if not self.running:
            return
        uid = pod["metadata"].get("uid", "")
        worker = self.workers.get(uid)
        if worker is None:
            spec = pod.get("spec") or {}
            records = [ContainerRecord(c, True) for c in spec.get("initContainers") or []]
            records += [ContainerRecord(c, False) for c in spec.get("containers") or []]
            worker = PodWorker(uid, pod, records)
            self.workers[uid] = worker
        worker.pod = pod
        self._queue(worker)

    def _on_pod_update(self, old: dict, new: dict) -> None:
        if not self.running:
            return
        uid = new["metadata"].get("uid", "")
        if old["metadata"].get("uid") != uid and old["metadata"].get("uid") in self.workers:
            self._forget_pod(self.workers[old["metadata"]["uid"]])
        worker = self.workers.get(uid)
        if worker is None:
            self._on_pod_add(new)
            return
        worker.pod = new
        if old.get("spec") != new.get("spec"):
            self._apply_spec_change(worker)
        if (
            old.get("spec") != new.get("spec")
            or old["metadata"].get("deletionTimestamp") != new["metadata"].get("deletionTimestamp")
            or old["metadata"].get("deletionGracePeriodSeconds")
            != new["metadata"].get("deletionGracePeriodSeconds")
        ):
            self._queue(worker)

    def _apply_spec_change(self, worker: PodWorker) -> None:
        """A container's definition changed (the image, which a pod may change): kill it, start the new one.

        Upstream compares a hash of each container's spec; here the dicts are compared."""
        spec = worker.pod.get("spec") or {}
        new_specs = {
            c.get("name"): c for c in (spec.get("initContainers") or []) + (spec.get("containers") or [])
        }
        for record in worker.records:
            changed = new_specs.get(record.name)
            if changed is None or changed == record.spec:
                continue
            record.spec = changed
            record.pulled = False
            self.restart_backoff.forget((worker.uid, record.name))
            if record.current is not None and not worker.terminating and not record.init:
                grace = float(spec.get("terminationGracePeriodSeconds", 30))
                record.force_restart = True
                self._kill(
                    worker, record, grace, f"Container {record.name} definition changed, will be restarted"
                )

    def _on_pod_delete(self, pod: dict) -> None:
        worker = self.workers.get(pod["metadata"].get("uid", ""))
        if worker is not None:
            self._forget_pod(worker)

    def _forget_pod(self, worker: PodWorker) -> None:
        """The pod is gone from the API: kill whatever still runs, free its IP, forget it."""
        for record in worker.records:
            self._stop_probes(record)
            if record.retry is not None:
                record.retry.cancel()
            if record.current is not None:
                container, record.current = record.current, None
                self.runtime.remove(container)
        if worker.timer is not None:
            worker.timer.cancel()
        self._release_ip(worker)
        self.workers.pop(worker.uid, None)
        for record in worker.records:
            self.restart_backoff.forget((worker.uid, record.name))

    def _release_ip(self, worker: PodWorker) -> None:
        if worker.sandbox == "gone":
            return  # released already (the pod ended); the address may be another pod's by now
        if worker.ip and self.ips is not None and not (worker.pod.get("spec") or {}).get("hostNetwork"):
            self.ips.release(worker.ip)
        worker.sandbox = "gone" if worker.sandbox else ""

    # ================================================================ syncPod

    def _queue(self, worker: PodWorker) -> None:
        if not worker.sync_queued and self.running:
            worker.sync_queued = True
            self.loop.call_soon(self._sync, worker.uid)

    def _queue_at(self, worker: PodWorker, delay: float) -> None:
        """Sync the pod again after `delay` (the earliest wake-up wins)."""
        when = self.loop.now + delay
        if worker.timer is not None and not worker.timer.cancelled and worker.timer.when <= when:
            return
        if worker.timer is not None:
            worker.timer.cancel()
        worker.timer = self.loop.call_at(when, self._wake, worker.uid)

    def _wake(self, uid: str) -> None:
        worker = self.workers.get(uid)
        if worker is not None:
            worker.timer = None
            self._queue(worker)

    def _sync(self, uid: str) -> None:
        worker = self.workers.get(uid)
        if worker is None or not self.running:
            return
        worker.sync_queued = False
        self.sync_pod(worker)
        if not any(record.pulling for record in worker.records):
            # upstream's SyncPod waits for its pulls, and the status is written when it returns
            self._post_status(worker)

    def sync_pod(self, worker: PodWorker) -> None:
        """Move one pod one step closer to its spec (upstream's SyncPod / SyncTerminatingPod)."""
        if worker.final:
            return
        pod = worker.pod
        if not worker.start_time:
            worker.start_time = self.loop.timestamp()
        if pod["metadata"].get("deletionTimestamp"):
            self._terminate(worker)
            return
        if not worker.admitted:
            rejection = self.admit(worker)
            if rejection is not None:
                reason, message = rejection
                worker.rejected, worker.final = rejection, True
                self._event(worker, WARNING, reason, message)
                return
            worker.admitted = True
        if worker.sandbox == "":
            self._create_sandbox(worker)
            return
        if worker.sandbox != "ready":
            return
        policy = pod["spec"].get("restartPolicy", "Always")
        if not worker.initialized:
            for record in (r for r in worker.records if r.init):
                if record.initialized():
                    continue
                if record.current is not None:
                    return  # wait for this init container to finish (a sidecar: to start)
                if record.last is not None and policy == "Never" and not record.sidecar:
                    self._finish(worker)
                    return
                self._ensure_started(worker, record)
                if not record.initialized():
                    return
            worker.initialized = True
        for record in (r for r in worker.records if r.sidecar and r.current is None):
            self._ensure_started(worker, record)  # a sidecar that exited: restarted whatever the pod's policy
        for record in (r for r in worker.records if not r.init):
            if record.current is not None:
                continue
            if record.last is None or record.force_restart or self._should_restart(policy, record.last):
                self._ensure_started(worker, record)
        if self.pod_phase(worker) in ("Succeeded", "Failed"):
            self._finish(worker)

    def admit(self, worker: PodWorker) -> tuple[str, str] | None:
        """The kubelet's own admission check (upstream's predicate admit handler): does the pod still fit?

        The scheduler has already checked, but a pod created with spec.nodeName
        set skips the scheduler, so the kubelet checks pods, cpu and memory
        against its allocatable once more; a pod that does not fit fails at
        once with reason OutOfpods, OutOfcpu or OutOfmemory."""
        active = [w for w in self.workers.values() if w.admitted and not w.final and w is not worker]
        worker.requests = wanted = _pod_requests(worker.pod)
        for resource in ("pods", "cpu", "memory"):
            capacity = self.allocatable.get(resource)
            if capacity is None:
                continue
            if resource == "pods":
                requested, used = 1, len(active)
            else:
                requested = wanted.get(resource, 0)
                if not requested:
                    continue
                used = sum(w.requests.get(resource, 0) for w in active)
            if used + requested > capacity:
                scale = 1000 if resource == "cpu" else 1  # upstream prints cpu in millicores
                numbers = [round(x * scale) for x in (requested, used, capacity)]
                message = (
                    f"Node didn't have enough resource: {resource}, requested: {numbers[0]}, "
                    f"used: {numbers[1]}, capacity: {numbers[2]}"
                )
                return f"OutOf{resource}", message
        return None

    @staticmethod
    def _should_restart(policy: str, last: Container) -> bool:
        return policy == "Always" or policy == "OnFailure" and last.exit_code != 0

    def _create_sandbox(self, worker: PodWorker) -> None:
        if (worker.pod.get("spec") or {}).get("hostNetwork"):
            worker.ip = self.node_ip
        else:
            ip = self.ips.allocate() if self.ips is not None else None
            if ip is None:
                worker.sandbox = "failed"
                self._event(
                    worker,
                    WARNING,
                    "FailedCreatePodSandBox",
                    'Failed to create pod sandbox: plugin type="host-local" failed (add): failed to '
                    "allocate for range 0: no IP addresses available in range set: "
                    f"{self.ips.range_text if self.ips else ''}",
                )
                return
            worker.ip = ip
        worker.sandbox = "creating"
        worker.timer = self.loop.call_later(SANDBOX_SECONDS, self._sandbox_ready, worker.uid)

    def _sandbox_ready(self, uid: str) -> None:
        worker = self.workers.get(uid)
        if worker is not None and worker.sandbox == "creating":
            worker.timer = None
            worker.sandbox = "ready"
            self._queue(worker)

    # ---------------------------------------------------------------- image, create, start

    def _ensure_started(self, worker: PodWorker, record: ContainerRecord) -> None:
        if record.pulling or (record.retry is not None and not record.retry.cancelled):
            return
        now = self.loop.now
        key = (worker.uid, record.name)
        last = record.last
        if last is not None and record.backoff_done != last.container_id:  # a restart: respect the back-off
            remaining = self.restart_backoff.remaining(key, last.finished_at or now, now)
            if remaining > 0:
                delay = self.restart_backoff.get(key)
                pod_text = f"{worker.name}_{worker.namespace}({worker.uid})"
                record.waiting = (
                    "CrashLoopBackOff",
                    f"back-off {delay:g}s restarting failed container={record.name} pod={pod_text}",
                )
                self._event(
                    worker,
                    WARNING,
                    "BackOff",
                    f"Back-off restarting failed container {record.name} in pod {pod_text}",
                )
                record.retry = self.loop.call_later(remaining, self._retry, worker.uid, record.name)
                return
            self.restart_backoff.next(key, now)
            record.backoff_done = last.container_id  # once per restart, even if a pull comes in between
        if not record.pulled:
            if not self._ensure_image(worker, record):
                return
        self._start_container(worker, record)

    def _retry(self, uid: str, name: str) -> None:
        worker = self.workers.get(uid)
        if worker is None:
            return
        for record in worker.records:
            if record.name == name:
                record.retry = None
        self._queue(worker)

    def _ensure_image(self, worker: PodWorker, record: ContainerRecord) -> bool:
        """True when the image is on the node; otherwise start (or back off) a pull and return False."""
        image = record.spec.get("image") or ""
        policy = record.spec.get("imagePullPolicy") or "IfNotPresent"
        present = self.runtime.has_image(image)
        if policy == "Never" or policy == "IfNotPresent" and present:
            if not present:
                message = f'Container image "{image}" is not present with pull policy of Never'
                record.waiting = ("ErrImageNeverPull", message)
                self._event(worker, WARNING, "ErrImageNeverPull", message)
                self._event(worker, WARNING, "Failed", "Error: ErrImageNeverPull")
                return False
            self._event(worker, NORMAL, "Pulled", f'Container image "{image}" already present on machine')
            record.pulled = True
            return True
        key = (worker.uid, image)
        last_failure = self.image_backoff.entries.get(key, (0.0, None))[1]
        if last_failure is not None:
            remaining = self.image_backoff.remaining(key, last_failure, self.loop.now)
            if remaining > 0:
                record.waiting = ("ImagePullBackOff", f'Back-off pulling image "{image}"')
                self._event(worker, NORMAL, "BackOff", f'Back-off pulling image "{image}"')
                self._event(worker, WARNING, "Failed", "Error: ImagePullBackOff")
                record.retry = self.loop.call_later(remaining, self._retry, worker.uid, record.name)
                return False
        record.pulling = True
        if record.waiting and record.waiting[0] not in ("ErrImagePull", "ImagePullBackOff"):
            record.waiting = None  # a pull in progress shows the default reason (ContainerCreating)
        self._event(worker, NORMAL, "Pulling", f'Pulling image "{image}"')

        def done(error: str | None, took: float, waited: float) -> None:
            record.pulling = False
            if self.workers.get(worker.uid) is not worker or worker.terminating:
                return
            if error is not None:
                self.image_backoff.next(key, self.loop.now)
                record.waiting = ("ErrImagePull", error)
                self._event(worker, WARNING, "Failed", f'Failed to pull image "{image}": {error}')
                self._event(worker, WARNING, "Failed", "Error: ErrImagePull")
                # the next sync, a moment later, shows ImagePullBackOff while it waits
                record.retry = self.loop.call_later(1.0, self._retry, worker.uid, record.name)
            else:
                self.image_backoff.forget(key)
                size = self.registry.lookup(image).size_bytes
                self._event(
                    worker,
                    NORMAL,
                    "Pulled",
                    f'Successfully pulled image "{image}" in {_go_duration(took)} '
                    f"({_go_duration(waited)} including waiting). Image size: {size} bytes.",
                )
                record.pulled = True
                record.waiting = None
            if self.running:
                self._queue(worker)

        self.runtime.pull(image, done, cached=present)
        return False

    def _start_container(self, worker: PodWorker, record: ContainerRecord) -> None:
        record.waiting = None
        record.pulled = False  # the next start checks the image again (pull policy Always)
        restarting = record.last is not None or bool(record.start_error)
        try:
            container = self.runtime.start(worker.namespace, worker.name, worker.uid, record.spec, worker.ip)
        except StartError as error:
            self._event(worker, NORMAL, "Created", f"Created container {record.name}")
            self._event(worker, WARNING, "Failed", f"Error: {error}")
            dead = Container(
                self.runtime,
                worker.namespace,
                worker.name,
                worker.uid,
                record.spec,
                worker.ip,
                self.loop.now,
                f"containerd://{worker.uid}-{record.name}-{record.restart_count}",
            )
            dead.finished_at, dead.exit_code, dead.reason = self.loop.now, 128, "StartError"
            dead.started_at = None  # it never ran: startedAt is the zero time
            record.start_error = str(error)
            if restarting:
                record.restart_count += 1
            self._remember(record, dead)
            record.force_restart = False
            # this sync failed: the status says RunContainerError; the next sync, a moment later, restarts
            # it or waits out the back-off (CrashLoopBackOff)
            record.waiting = ("RunContainerError", str(error))
            record.retry = self.loop.call_later(1.0, self._retry, worker.uid, record.name)
            return
        if restarting:
            record.restart_count += 1
        record.start_error = ""
        record.force_restart = False
        record.current = container
        record.started = not record.spec.get("startupProbe")
        record.ready = (
            record.started and not record.spec.get("readinessProbe") and (not record.init or record.sidecar)
        )
        self._event(worker, NORMAL, "Created", f"Created container {record.name}")
        self._event(worker, NORMAL, "Started", f"Started container {record.name}")
        if self._post_start(worker, record, container):
            self._start_probes(worker, record)

    def _post_start(self, worker: PodWorker, record: ContainerRecord, container: Container) -> bool:
        """Run the postStart hook; a failing hook gets the container killed (False)."""
        hook = (record.spec.get("lifecycle") or {}).get("postStart") or {}
        pod_text = f"{worker.name}_{worker.namespace}({worker.uid})"
        if isinstance(hook.get("exec"), dict):
            argv = [str(a) for a in hook["exec"].get("command") or []]
            result = run_exec(container, argv)
            if result.result == SUCCESS:
                return True
            command = " ".join(argv)
            message = (
                f'Exec lifecycle hook ([{command}]) for Container "{record.name}" in Pod "{pod_text}" '
                f"failed - error: command '{command}' exited with 1: {result.output}, "
                f'message: "{result.output}"'
            )
        elif isinstance(hook.get("httpGet"), dict):
            action = hook["httpGet"]
            result = run_probe(
                {"httpGet": action, "timeoutSeconds": 30}, container, record.spec, container.ip
            )
            if result.result == SUCCESS:
                return True
            message = (
                f'HTTP lifecycle hook ({action.get("path") or "/"}) for Container "{record.name}" in Pod '
                f'"{pod_text}" failed - error: {result.output}, message: ""'
            )
        else:
            return True
        self._event(worker, WARNING, "FailedPostStartHook", message)
        grace = float(worker.pod["spec"].get("terminationGracePeriodSeconds", 30))
        self._kill(worker, record, grace, "FailedPostStartHook")
        return False

    @staticmethod
    def _remember(record: ContainerRecord, container: Container) -> None:
        record.finished.append(container)
        del record.finished[:-2]

    def _on_container_exit(self, container: Container) -> None:
        """The runtime says a process exited (upstream: the PLEG's ContainerDied event)."""
        worker = self.workers.get(container.pod_uid)
        if worker is None:
            return
        for record in worker.records:
            if record.current is container:
                record.current = None
                record.ready = False
                self._stop_probes(record)
                self._remember(record, container)
        if worker.terminating:
            if all(r.current is None for r in worker.records):
                self._queue(worker)
            return
        self._queue(worker)

    # ---------------------------------------------------------------- ending a pod

    def _finish(self, worker: PodWorker) -> None:
        """The pod reached Succeeded or Failed: nothing will run again; the sandbox and its IP go."""
        worker.final = True
        grace = float(worker.pod["spec"].get("terminationGracePeriodSeconds", 30))
        for record in worker.records:
            self._stop_probes(record)
            if record.current is not None:  # sidecars still run when the app containers are done
                self._kill(worker, record, grace, f"Stopping container {record.name}")
            record.waiting = None if record.last is not None else record.waiting
            if record.retry is not None:
                record.retry.cancel()
                record.retry = None
        if worker.timer is not None:
            worker.timer.cancel()
            worker.timer = None
        self._release_ip(worker)

    def _terminate(self, worker: PodWorker) -> None:
        """Graceful deletion: preStop, SIGTERM, SIGKILL at the end of the grace period, then delete."""
        running = [r for r in worker.records if r.current is not None]
        if not worker.terminating:
            worker.terminating = True
            grace = worker.pod["metadata"].get("deletionGracePeriodSeconds")
            if grace is None:
                grace = worker.pod["spec"].get("terminationGracePeriodSeconds", 30)
            for record in worker.records:
                self._stop_probes(record)
                if record.retry is not None:
                    record.retry.cancel()
                    record.retry = None
            if worker.timer is not None:
                worker.timer.cancel()
                worker.timer = None
            for record in running:
                self._kill(worker, record, grace, f"Stopping container {record.name}")
        elif running:
            grace = worker.pod["metadata"].get("deletionGracePeriodSeconds")
            if grace == 0:  # a forced delete cut the grace period short
                for record in running:
                    self.runtime.kill(record.current, 137, "Error")
            return
        if any(r.current is not None for r in worker.records):
            return
        self._release_ip(worker)
        worker.final = True
        self._post_status(worker, terminal=True)
        self._delete_pod(worker)

    def _kill(self, worker: PodWorker, record: ContainerRecord, grace: float, message: str) -> None:
        """Killing: run the preStop hook, then SIGTERM, then SIGKILL when `grace` runs out."""
        container = record.current
        if container is None:
            return
        self._event(worker, NORMAL, "Killing", message)
        hook_seconds = self._pre_stop(record, container, grace)
        if hook_seconds <= 0:
            self.runtime.stop(container, grace)
        else:
            self.loop.call_later(
                min(hook_seconds, grace), self.runtime.stop, container, max(grace - hook_seconds, 0.0)
            )

    def _pre_stop(self, record: ContainerRecord, container: Container, grace: float) -> float:
        """Run the preStop hook; returns how long it takes (seconds of the grace period it uses)."""
        hook = ((record.spec.get("lifecycle") or {}).get("preStop")) or {}
        if isinstance(hook.get("sleep"), dict):
            return float(hook["sleep"].get("seconds") or 0)
        if isinstance(hook.get("exec"), dict):
            from k8slab.kubelet.runtime import Script, ScriptError

            argv = [str(a) for a in hook["exec"].get("command") or []]
            try:
                script = Script(
                    container,
                    argv
                    if argv and argv[0].rsplit("/", 1)[-1] in ("sh", "bash", "ash")
                    else ["sh", "-c", " ".join(argv)],
                )
            except ScriptError:
                return 0.0
            exited = script.exit()
            return grace if exited is None else exited[0]
        if isinstance(hook.get("httpGet"), dict):
            run_probe(
                {"httpGet": hook["httpGet"], "timeoutSeconds": grace}, container, record.spec, container.ip
            )
        return 0.0

    def _delete_pod(self, worker: PodWorker) -> None:
        """The last step of a graceful deletion: remove the pod from the API (grace period 0)."""
        try:
            current = self.client.get("pods", worker.name, namespace=worker.namespace)
            if current["metadata"].get("uid") == worker.uid:
                self.client.delete("pods", worker.name, namespace=worker.namespace, grace_period_seconds=0)
        except NotFound:
            pass

    # ================================================================ probes

    def _start_probes(self, worker: PodWorker, record: ContainerRecord) -> None:
        self._stop_probes(record)
        container = record.current
        if container is None or not self.running:
            return
        for kind in ("startup", "liveness", "readiness"):
            probe = record.spec.get(f"{kind}Probe")
            if not isinstance(probe, dict):
                continue
            state = ProbeState(kind, probe)
            record.probes.append(state)
            period = float(probe.get("periodSeconds") or 10)
            delay = float(probe.get("initialDelaySeconds") or 0)
            elapsed = container.elapsed(self.loop.now)
            ticks = max(0, -(-(max(delay, elapsed)) // period))  # the first tick at or after the delay
            when = container.started_at + ticks * period
            state.timer = self.loop.call_at(
                max(when, self.loop.now), self._probe_tick, worker.uid, record.name, state
            )

    @staticmethod
    def _stop_probes(record: ContainerRecord) -> None:
        for state in record.probes:
            if state.timer is not None:
                state.timer.cancel()
        record.probes = []

    def _probe_tick(self, uid: str, name: str, state: ProbeState) -> None:
        worker = self.workers.get(uid)
        if worker is None or not self.running:
            return
        record = next((r for r in worker.records if r.name == name), None)
        if record is None or record.current is None or state not in record.probes:
            return
        probe = state.probe
        state.timer = self.loop.call_later(
            float(probe.get("periodSeconds") or 10), self._probe_tick, uid, name, state
        )
        if state.kind != "startup" and not record.started:
            return  # liveness and readiness wait for the startup probe
        if state.kind == "startup" and record.started:
            state.timer.cancel()
            return
        result = run_probe(probe, record.current, record.spec, worker.ip)
        if result.result == SUCCESS:
            state.successes += 1
            state.failures = 0
        else:
            state.failures += 1
            state.successes = 0
            label = state.kind.capitalize()
            self._event(worker, WARNING, "Unhealthy", f"{label} probe failed: {result.output}".rstrip())
        success_threshold = int(probe.get("successThreshold") or 1)
        failure_threshold = int(probe.get("failureThreshold") or 3)
        if state.kind == "readiness":
            ready = record.ready
            if state.successes >= success_threshold:
                ready = True
            elif state.failures >= failure_threshold:
                ready = False
            if ready != record.ready:
                record.ready = ready
                self._queue(worker)
        elif state.kind == "startup":
            if state.successes >= 1:
                record.started = True
                record.ready = not record.spec.get("readinessProbe")
                state.timer.cancel()
                self._queue(worker)
            elif state.failures >= failure_threshold:
                self._probe_kill(worker, record, "startup")
        elif state.failures >= failure_threshold:
            self._probe_kill(worker, record, "liveness")

    def _probe_kill(self, worker: PodWorker, record: ContainerRecord, which: str) -> None:
        probe = record.spec.get(f"{which}Probe") or {}
        grace = probe.get("terminationGracePeriodSeconds")
        if grace is None:
            grace = worker.pod["spec"].get("terminationGracePeriodSeconds", 30)
        self._stop_probes(record)
        record.force_restart = worker.pod["spec"].get("restartPolicy", "Always") != "Never"
        self._kill(
            worker, record, float(grace), f"Container {record.name} failed {which} probe, will be restarted"
        )

    # ================================================================ status

    def pod_phase(self, worker: PodWorker, terminal: bool = False) -> str:
        """Upstream's getPhase: from the containers' states and the restart policy."""
        spec = worker.pod.get("spec") or {}
        policy = spec.get("restartPolicy", "Always")
        init = [r for r in worker.records if r.init]
        regular = [r for r in worker.records if not r.init]
        pending_init = 0
        for record in init:
            if record.succeeded() or record.sidecar and (record.current is not None or worker.initialized):
                continue
            if (
                record.current is None
                and record.last is not None
                and policy == "Never"
                and not record.sidecar
            ):
                return "Failed"
            pending_init += 1
        running = waiting = stopped = succeeded = 0
        for record in regular:
            if record.current is not None:
                running += 1
            elif record.last is not None:
                stopped += 1
                if record.last.exit_code == 0:
                    succeeded += 1
            else:
                waiting += 1
        if pending_init and not any(r.current is not None or r.last is not None for r in regular):
            return "Pending"
        if waiting:
            return "Pending"
        if running:
            return "Running"
        if stopped:
            if terminal:
                return "Succeeded" if stopped == succeeded else "Failed"
            if policy == "Always":
                return "Running"
            if stopped == succeeded:
                return "Succeeded"
            if policy == "Never":
                return "Failed"
            if any(self._should_restart(policy, r.last) or r.force_restart for r in regular if r.last):
                return "Running"
            return "Failed"
        return "Pending"

    def pod_status(self, worker: PodWorker, terminal: bool = False) -> dict:
        """The status the kubelet writes (upstream's generateAPIPodStatus)."""
        pod = worker.pod
        old = pod.get("status") or {}
        if worker.rejected is not None:
            reason, message = worker.rejected
            return {
                "phase": "Failed",
                "reason": reason,
                "message": f"Pod was rejected: {message}",
                "conditions": list(old.get("conditions") or []),
                "startTime": worker.start_time,
                "qosClass": old.get("qosClass") or qos_class(pod),
            }
        phase = self.pod_phase(worker, terminal) if worker.sandbox or terminal else "Pending"
        now = self.loop.timestamp()
        init = [r for r in worker.records if r.init]
        regular = [r for r in worker.records if not r.init]
        initialized = (
            worker.initialized
            or all(r.initialized() for r in init)
            or any(r.current is not None or r.last is not None for r in regular)
        )
        unready = [r.name for r in init if r.sidecar and not r.ready] + [
            r.name for r in regular if not r.ready
        ]
        done = phase in ("Succeeded", "Failed")

        def condition(kind: str, ok: bool, reason: str = "", message: str = "") -> dict:
            status = "True" if ok else "False"
            previous = worker.transitions.get(kind)
            if previous is None or previous[0] != status:
                worker.transitions[kind] = (status, now)
            out = {
                "type": kind,
                "status": status,
                "lastProbeTime": None,
                "lastTransitionTime": worker.transitions[kind][1],
            }
            if not ok and reason:
                out["reason"] = reason
            if not ok and message:
                out["message"] = message
            return out

        conditions = [condition("PodReadyToStartContainers", worker.sandbox == "ready")]
        pending_init = [r.name for r in init if not r.initialized()]
        conditions.append(
            condition(
                "Initialized",
                initialized,
                "ContainersNotInitialized",
                f"containers with incomplete status: [{' '.join(pending_init)}]",
            )
        )
        if done:
            ready_reason, ready_message = "PodCompleted", ""
        else:
            ready_reason, ready_message = (
                "ContainersNotReady",
                f"containers with unready status: [{' '.join(unready)}]",
            )
        ok = not unready and not done and phase == "Running"
        conditions.append(condition("Ready", ok, ready_reason, ready_message))
        conditions.append(condition("ContainersReady", ok, ready_reason, ready_message))
        owned = {"PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady"}
        conditions += [c for c in old.get("conditions") or [] if c.get("type") not in owned]
        status: dict[str, Any] = {"phase": phase, "conditions": conditions}
        if self.node_ip:
            status["hostIP"] = self.node_ip
            status["hostIPs"] = [{"ip": self.node_ip}]
        if worker.ip and worker.sandbox != "creating":  # the IP is reported once the sandbox has it
            status["podIP"] = worker.ip
            status["podIPs"] = [{"ip": worker.ip}]
        status["startTime"] = worker.start_time
        if init:
            status["initContainerStatuses"] = [self._container_status(worker, r) for r in init]
        status["containerStatuses"] = [self._container_status(worker, r) for r in regular]
        status["qosClass"] = old.get("qosClass") or qos_class(pod)
        return status

    def _container_status(self, worker: PodWorker, record: ContainerRecord) -> dict:
        spec_image = record.spec.get("image") or ""
        full, _, tag = parse_image(spec_image)
        out: dict[str, Any] = {
            "name": record.name,
            "state": {},
            "lastState": {},
            "ready": record.ready,
            "restartCount": record.restart_count,
            "image": f"{full}:{tag}",
            "imageID": self.runtime.image_id(spec_image),
        }
        instances = record.finished
        if record.current is not None:
            container = record.current
            out["state"] = {"running": {"startedAt": self.loop.timestamp(container.started_at)}}
            out["containerID"] = container.container_id
            if instances:
                out["lastState"] = {"terminated": self._terminated(record, instances[-1])}
        elif record.waiting is not None and not worker.final:
            reason, message = record.waiting
            waiting = {"reason": reason}
            if message:
                waiting["message"] = message
            out["state"] = {"waiting": waiting}
            if instances:
                out["lastState"] = {"terminated": self._terminated(record, instances[-1])}
        elif instances:
            out["state"] = {"terminated": self._terminated(record, instances[-1])}
            out["containerID"] = instances[-1].container_id
            if len(instances) > 1:
                out["lastState"] = {"terminated": self._terminated(record, instances[-2])}
        else:
            out["state"] = {"waiting": {"reason": self._default_waiting(worker)}}
        out["started"] = record.current is not None and record.started
        if not out["imageID"]:
            out["imageID"] = ""
        return out

    @staticmethod
    def _default_waiting(worker: PodWorker) -> str:
        """Upstream's default waiting reason: PodInitializing in a pod with init containers."""
        return "PodInitializing" if any(r.init for r in worker.records) else "ContainerCreating"

    def _terminated(self, record: ContainerRecord, container: Container) -> dict:
        out: dict[str, Any] = {"exitCode": container.exit_code, "reason": container.reason}
        if container.reason == "StartError":
            out["message"] = record.start_error or "failed to start"
            out["startedAt"] = "1970-01-01T00:00:00Z"
        else:
            out["startedAt"] = self.loop.timestamp(container.started_at)
        out["finishedAt"] = self.loop.timestamp(container.finished_at)
        out["containerID"] = container.container_id
        return out

    def _post_status(self, worker: PodWorker, terminal: bool = False) -> None:
        """Write pods/status when it differs from what was last written (the status manager)."""
        if self.workers.get(worker.uid) is not worker:
            return
        status = self.pod_status(worker, terminal)
        if status == worker.posted:
            return
        meta = worker.pod["metadata"]
        body = {  # the status subresource takes only the status; uid guards against a pod of the same name
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": meta["name"], "namespace": meta.get("namespace"), "uid": meta.get("uid")},
            "status": status,
        }
        try:
            self.client.update_status(body)
            worker.posted = status
        except NotFound:
            pass
        except StatusError as error:  # should not happen; keep the loop alive and retry later
            self.loop.errors.append(CallbackError(self.loop.now, "Kubelet._post_status", error))
            self._queue_at(worker, 1.0)

    def _event(self, worker: PodWorker, type: str, reason: str, message: str) -> None:
        if self.recorder is not None:
            self.recorder.event(worker.pod, type, reason, message)

    # ================================================================ what a user can ask a kubelet

    def _worker_for(self, namespace: str, pod: str) -> PodWorker:
        for worker in self.workers.values():
            if worker.name == pod and worker.namespace == namespace:
                return worker
        raise NotFound(f'pods "{pod}" not found', kind="pods", name=pod)

    def logs(self, namespace: str, pod: str, container: str, previous: bool = False) -> str:
        """`kubectl logs`: the current (or `previous`) instance's output, with upstream's errors."""
        try:
            worker = self._worker_for(namespace, pod)
        except NotFound:
            self._not_started_yet(namespace, pod, container, previous)
            raise
        record = next((r for r in worker.records if r.name == container), None)
        if record is None:
            raise BadRequest(f"container {container} is not valid for pod {pod}")
        if previous:
            # the instance that status.lastState names: the newest exited one while another runs or waits
            # to start, else the one before the newest (which the state itself shows)
            if record.current is not None or record.waiting is not None:
                finished = record.last
            else:
                finished = record.finished[-2] if len(record.finished) > 1 else None
            if finished is None:
                raise BadRequest(f'previous terminated container "{container}" in pod "{pod}" not found')
            return finished.logs()
        if record.current is not None:
            return record.current.logs()
        if record.last is not None:
            return record.last.logs()
        reason = record.waiting[0] if record.waiting else self._default_waiting(worker)
        if reason == "ErrImagePull":
            raise BadRequest(
                f'container "{container}" in pod "{pod}" is waiting to start: image can\'t be pulled'
            )
        if reason == "ImagePullBackOff":
            raise BadRequest(
                f'container "{container}" in pod "{pod}" is waiting to start: trying and failing to '
                "pull image"
            )
        raise BadRequest(f'container "{container}" in pod "{pod}" is waiting to start: {reason}')

    def _not_started_yet(self, namespace: str, pod: str, container: str, previous: bool) -> None:
        """A pod bound here that this kubelet has not synced yet (its watch event is still on the way)."""
        try:
            obj = self.client.get("pods", pod, namespace=namespace)
        except NotFound:
            return
        spec = obj.get("spec") or {}
        if spec.get("nodeName") != self.name:
            return
        names = [c.get("name") for c in (spec.get("initContainers") or []) + (spec.get("containers") or [])]
        if container not in names:
            raise BadRequest(f"container {container} is not valid for pod {pod}")
        if previous:
            raise BadRequest(f'previous terminated container "{container}" in pod "{pod}" not found')
        waiting = "PodInitializing" if spec.get("initContainers") else "ContainerCreating"
        raise BadRequest(f'container "{container}" in pod "{pod}" is waiting to start: {waiting}')

    def crash_container(self, namespace: str, pod: str, container: str, exit_code: int = 1) -> Container:
        """Make a running container's process crash now: exit code 1 (reason Error) by default.

        Exit 1 is what an application that hits an unhandled error returns;
        137 (128 + SIGKILL) would say "killed from outside", which is what
        an OOM kill or a liveness failure shows, so it is not used here."""
        worker = self._worker_for(namespace, pod)
        record = next((r for r in worker.records if r.name == container), None)
        if record is None:
            raise BadRequest(f"container {container} is not valid for pod {pod}")
        if record.current is None:
            raise BadRequest(f'container "{container}" in pod "{pod}" is not running')
        target = record.current
        self.runtime.kill(target, exit_code, "Completed" if exit_code == 0 else "Error")
        return target

    def exec(self, namespace: str, pod: str, container: str, command: list[str]) -> tuple[int, str]:
        """Run a command in a running container now (what `kubectl exec` reaches): (exit code, output).

        The command sees the files the container wrote; it takes no virtual time."""
        worker = self._worker_for(namespace, pod)
        record = next((r for r in worker.records if r.name == container), None)
        if record is None:
            raise BadRequest(f"container {container} is not valid for pod {pod}")
        if record.current is None:
            raise BadRequest(f'unable to upgrade connection: container not found ("{container}")')
        if not command or not all(isinstance(word, str) for word in command):
            raise BadRequest("you must specify at least one command for the container")
        from k8slab.kubelet.runtime import Script, ScriptError

        target = record.current
        elapsed = target.elapsed(self.loop.now)
        argv = (
            command
            if command[0].rsplit("/", 1)[-1] in ("sh", "bash", "ash")
            else ["sh", "-c", shlex.join(command)]
        )
        try:
            shell = Script(target, argv, files=target.process_files(elapsed))
        except ScriptError as error:
            return 126, f"{error}\n"
        exited = shell.exit()
        output = "".join(line + "\n" for _, line in shell.lines)
        return (exited[1] if exited else 0), output

    def container(self, namespace: str, pod: str, container: str) -> Container | None:
        """The running container object (to make it unhealthy, ask it HTTP), or None."""
        return self.runtime.find(namespace, pod, container)


def logs_provider(api: Any, kubelets: dict[str, Kubelet]) -> Callable[..., str]:
    """What the integrator sets as `api.logs`: kube-apiserver forwards `kubectl logs` to the pod's kubelet.

        cluster.api.logs = logs_provider(cluster.api, {kubelet.name: kubelet for kubelet in kubelets})

    A pod with no node yet has no logs (""); a node whose kubelet is down
    cannot be reached (500, as kube-apiserver says when its dial fails); a
    pod the kubelet has not seen yet is still "waiting to start".
    """

    def logs(namespace: str, pod: str, container: str, previous: bool = False) -> str:
        obj = api.get("pods", pod, namespace)
        node = (obj.get("spec") or {}).get("nodeName")
        if not node:
            return ""
        kubelet = kubelets.get(node)
        if kubelet is None or not kubelet.running:
            address = kubelet.node_ip if kubelet is not None else node
            raise InternalError(
                f'Get "https://{address}:10250/containerLogs/{namespace}/{pod}/{container}": '
                f"dial tcp {address}:10250: connect: connection refused"
            )
        try:
            return kubelet.logs(namespace, pod, container, previous)
        except NotFound:
            names = [
                c.get("name") for c in (obj["spec"].get("initContainers") or []) + obj["spec"]["containers"]
            ]
            if container not in names:
                raise BadRequest(f"container {container} is not valid for pod {pod}") from None
            if previous:
                raise BadRequest(
                    f'previous terminated container "{container}" in pod "{pod}" not found'
                ) from None
            raise BadRequest(
                f'container "{container}" in pod "{pod}" is waiting to start: ContainerCreating'
            ) from None

    return logs


def _pod_requests(pod: dict) -> dict[str, float | int]:
    """A pod's effective requests: the sum over its containers, or its largest init container if larger."""
    spec = pod.get("spec") or {}
    total: dict[str, float | int] = {}
    for container in spec.get("containers") or []:
        for key, value in _resources((container.get("resources") or {}).get("requests")).items():
            total[key] = total.get(key, 0) + value
    for container in spec.get("initContainers") or []:
        for key, value in _resources((container.get("resources") or {}).get("requests")).items():
            total[key] = max(total.get(key, 0), value)
    return total


def _node_event_reason(kind: str, status: str, reason: str) -> str:
    """The event upstream records when a node condition flips: NodeReady, NodeHasDiskPressure, ..."""
    if kind == "Ready":
        return "NodeReady" if status == "True" else "NodeNotReady"
    return "Node" + reason.removeprefix("Kubelet") if reason.startswith("Kubelet") else reason


def _go_duration(seconds: float) -> str:
    """A duration as Go prints it: 500ms, 2.5s, 1m30s."""
    if seconds < 1:
        return f"{round(seconds * 1000)}ms"
    if seconds < 60:
        return f"{round(seconds, 3):g}s"
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}m{round(rest, 3):g}s"


__all__ = ["Backoff", "Kubelet", "PodIPAllocator", "logs_provider"]
