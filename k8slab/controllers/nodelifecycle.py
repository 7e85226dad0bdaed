"""The node lifecycle controller: notice a node that went silent, taint it, and evict its pods.

Enabled once kubelets send heartbeats (notebook 05): until then no node
ever heartbeats, so this controller would mark every node Unknown after
40 s. That is why the controller manager has it registered but does not run
it by default. Enable it with

    ControllerManager(client, controllers=("replicaset", "deployment", "garbagecollector", "nodelifecycle"))

Upstream: `pkg/controller/nodelifecycle/node_lifecycle_controller.go` (the
health monitor and the taints) and `pkg/controller/tainteviction/` (the
eviction of pods that do not tolerate a NoExecute taint); the method names
are upstream's (`monitorNodeHealth` -> `monitor_node_health`,
`tryUpdateNodeHealth` -> `try_update_node_health`, `processPodOnNode` ->
`process_pod_on_node`).

    every monitor_period:  node's last heartbeat (Lease renewTime, Ready lastHeartbeatTime)
        older than grace_period  ->  conditions Unknown  ->  taint unreachable:NoExecute
    taint eviction:  NoExecute taint on a pod's node  ->  delete now, after tolerationSeconds, or never

Like upstream, the grace period is counted on the controller's own clock
from when it last *saw* the heartbeat change (`probeTimestamp`), not from
the timestamp the kubelet wrote, so a skewed kubelet clock cannot fool it; a
node seen for the first time gets a whole grace period. And like upstream, a
pod's tolerationSeconds run from when the taint eviction controller first saw
the taint on the pod's node (with one process adding and watching the taint,
that is its timeAdded).

When a node's Ready condition turns away from True, its pods get Ready=False
at once (upstream's MarkPodsNotReady, with a NodeNotReady Warning event each),
so Services stop sending them traffic long before the eviction.

Simplified, out loud: upstream also rate-limits tainting per zone, and when every
node of every zone is down enters "full disruption" mode: it takes the taints
off and evicts nothing, blaming its own network rather than the nodes (so
upstream a one-node cluster whose node stops keeps its pods; here they are
evicted as on a node among many). It gives a node that never posted a Ready
condition a longer startup grace period (60 s), adds a DisruptionTarget
condition to a pod before evicting it, and retries a failed deletion, which
here is only recorded in `failed_evictions`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from k8slab.api.errors import NotFound, StatusError
from k8slab.client import Client, Informer, deep_copy, key_of, retry_on_conflict
from k8slab.controllers.controller_utils import parse_time
from k8slab.controllers.events import NORMAL, WARNING, EventRecorder
from k8slab.scheduler.plugins.tainttoleration import toleration_tolerates
from k8slab.sim import Timer

COMPONENT = "node-controller"
TAINT_EVICTION_COMPONENT = "taint-eviction-controller"

#: upstream's --node-monitor-grace-period (40 s in current releases) and --node-monitor-period.
NODE_MONITOR_GRACE_PERIOD = 40.0
NODE_MONITOR_PERIOD = 5.0

LEASE_NAMESPACE = "kube-node-lease"
NOT_READY_TAINT = "node.kubernetes.io/not-ready"
UNREACHABLE_TAINT = "node.kubernetes.io/unreachable"

#: The conditions a silent kubelet can no longer vouch for (Ready and remainingNodeConditionTypes).
NODE_CONDITION_TYPES = ("Ready", "MemoryPressure", "DiskPressure", "PIDPressure")

#: doNoScheduleTaintingPass: (condition type, status) -> the NoSchedule taint it puts on the node.
NODE_CONDITION_TO_TAINT = {
    ("Ready", "False"): NOT_READY_TAINT,
    ("Ready", "Unknown"): UNREACHABLE_TAINT,
    ("MemoryPressure", "True"): "node.kubernetes.io/memory-pressure",
    ("DiskPressure", "True"): "node.kubernetes.io/disk-pressure",
    ("NetworkUnavailable", "True"): "node.kubernetes.io/network-unavailable",
    ("PIDPressure", "True"): "node.kubernetes.io/pid-pressure",
}
UNSCHEDULABLE_TAINT = "node.kubernetes.io/unschedulable"
NO_SCHEDULE_TAINT_KEYS = (*NODE_CONDITION_TO_TAINT.values(), UNSCHEDULABLE_TAINT)


@dataclass
class NodeHealthData:
    """What the controller last saw of one node (upstream's nodeHealthData)."""

    probe_timestamp: float  # virtual seconds when the heartbeat last changed, on our clock
    heartbeat: float | None  # the newest heartbeat the node wrote (Lease or Ready condition)


def node_index(pod: dict) -> list[str]:
    """File a pod under the node it is bound to (unbound pods: not filed)."""
    node_name = pod.get("spec", {}).get("nodeName")
    return [node_name] if node_name else []


def get_condition(node: dict, kind: str) -> dict | None:
    return next((c for c in node.get("status", {}).get("conditions") or [] if c.get("type") == kind), None)


def no_execute_taints(node: dict | None) -> list[dict]:
    if node is None:
        return []
    return [t for t in node.get("spec", {}).get("taints") or [] if t.get("effect") == "NoExecute"]


def get_min_toleration_time(tolerations: list[dict]) -> float | None:
    """The shortest tolerationSeconds among the tolerations used (<= 0: at once), None for forever."""
    seconds = [t["tolerationSeconds"] for t in tolerations if t.get("tolerationSeconds") is not None]
    if not seconds:
        return None
    return max(min(seconds), 0)


def get_matching_tolerations(taints: list[dict], tolerations: list[dict]) -> tuple[bool, list[dict]]:
    """getMatchingTolerations: whether every taint is tolerated, and the tolerations that do it."""
    used = []
    for taint in taints:
        matching = [t for t in tolerations if toleration_tolerates(t, taint)]
        if not matching:
            return False, []
        used.extend(matching)
    return True, used


class NodeLifecycleController:
    """Watches node heartbeats; a node silent for longer than `grace_period` becomes Unknown and tainted.

        controller = NodeLifecycleController(client)
        controller.run()             # start the informers and the health monitor
        client.loop.run(seconds=60)

    It runs a `TaintEvictionController` beside it, as kube-controller-manager
    does, over the same node and pod informers.
    """

    def __init__(
        self,
        client: Client,
        recorder: Any = None,
        grace_period: float = NODE_MONITOR_GRACE_PERIOD,
        monitor_period: float = NODE_MONITOR_PERIOD,
        nodes: Informer | None = None,
        pods: Informer | None = None,
        leases: Informer | None = None,
        eviction_recorder: Any = None,
    ):
        if grace_period <= 0 or monitor_period <= 0:
            raise ValueError(
                f"grace_period and monitor_period must be > 0, got {grace_period}, {monitor_period}"
            )
        self.client = client
        self.loop = client.loop
        self.recorder = recorder if recorder is not None else EventRecorder(client, COMPONENT)
        self.grace_period = grace_period
        self.monitor_period = monitor_period
        self.nodes = nodes if nodes is not None else Informer(client, "nodes")
        self.leases = leases if leases is not None else Informer(client, "leases", namespace=LEASE_NAMESPACE)
        self.node_health: dict[str, NodeHealthData] = {}
        self.taint_eviction = TaintEvictionController(client, eviction_recorder, nodes=self.nodes, pods=pods)
        self._timer: Timer | None = None

    def run(self) -> None:
        """Start the informers, the taint eviction controller, and the monitor (now, then every period)."""
        for informer in (self.nodes, self.leases):
            informer.run()
        self.taint_eviction.run()
        if self._timer is None:
            self._timer = self.loop.call_soon(self._monitor_tick)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self.taint_eviction.stop()
        for informer in (self.nodes, self.leases):
            informer.stop()

    def _monitor_tick(self) -> None:
        self._timer = self.loop.call_later(self.monitor_period, self._monitor_tick)
        self.monitor_node_health()

    # -- the health monitor --------------------------------------------------------------------

    def monitor_node_health(self) -> None:
        """monitorNodeHealth: check each node's heartbeat, then give it the taints its conditions call for."""
        for key in sorted(self.nodes.keys()):
            node = self.nodes.get(key)
            if node is None:
                continue
            try:
                observed = (get_condition(node, "Ready") or {}).get("status")
                node = self.try_update_node_health(node)
                current = (get_condition(node, "Ready") or {}).get("status")
                if current != "True" and observed == "True":  # reported once, when Ready turns
                    self.mark_pods_not_ready(node)
                self.update_taints(node)
            except NotFound:
                self.node_health.pop(key, None)  # deleted while we looked
        for name in [name for name in self.node_health if self.nodes.get(name) is None]:
            del self.node_health[name]

    def last_heartbeat(self, node: dict) -> float | None:
        """The newer of the node's Lease renewTime and its Ready condition's lastHeartbeatTime."""
        times = []
        lease = self.leases.get(f"{LEASE_NAMESPACE}/{node['metadata']['name']}")
        if lease is not None:
            times.append(self.seconds(lease.get("spec", {}).get("renewTime")))
        ready = get_condition(node, "Ready")
        if ready is not None:
            times.append(self.seconds(ready.get("lastHeartbeatTime")))
        times = [t for t in times if t is not None]
        return max(times) if times else None

    def seconds(self, timestamp: str | None) -> float | None:
        """A timestamp as virtual seconds since the loop began (None if there is none)."""
        moment = parse_time(timestamp)
        return None if moment is None else (moment - self.loop.epoch).total_seconds()

    def try_update_node_health(self, node: dict) -> dict:
        """tryUpdateNodeHealth: if the node has been silent for longer than the grace period, say so.

        Every condition the kubelet reports becomes Unknown ("Kubelet stopped
        posting node status."), written through the status subresource.
        Returns the node as it now is.
        """
        name = node["metadata"]["name"]
        now = self.loop.now
        heartbeat = self.last_heartbeat(node)
        health = self.node_health.get(name)
        if health is None or (
            heartbeat is not None and (health.heartbeat is None or heartbeat > health.heartbeat)
        ):
            health = self.node_health[name] = NodeHealthData(probe_timestamp=now, heartbeat=heartbeat)
        if not now > health.probe_timestamp + self.grace_period:
            return node
        updated = deep_copy(node)
        conditions = updated.setdefault("status", {}).setdefault("conditions", [])
        changed = False
        for kind in NODE_CONDITION_TYPES:
            condition = get_condition(updated, kind)
            if condition is None:  # the kubelet never said anything about it
                conditions.append(
                    {
                        "type": kind,
                        "status": "Unknown",
                        "reason": "NodeStatusNeverUpdated",
                        "message": "Kubelet never posted node status.",
                        "lastHeartbeatTime": node["metadata"].get("creationTimestamp"),
                        "lastTransitionTime": self.loop.timestamp(),
                    }
                )
                changed = True
            elif condition.get("status") != "Unknown":
                condition.update(
                    status="Unknown",
                    reason="NodeStatusUnknown",
                    message="Kubelet stopped posting node status.",
                    lastTransitionTime=self.loop.timestamp(),
                )
                changed = True
        if not changed:
            return node
        stored = self.client.update_status(updated)
        self.recorder.event(node, NORMAL, "NodeNotReady", f"Node {name} status is now: NodeNotReady")
        return stored

    def mark_pods_not_ready(self, node: dict) -> None:
        """MarkPodsNotReady: the pods of a node that stopped being Ready get Ready=False, so Services stop
        sending them traffic at once (their EndpointSlices drop them) instead of after the eviction."""
        name = node["metadata"]["name"]
        for pod in sorted(self.taint_eviction.pods.by_index("nodeName", name), key=key_of):
            ready = next((c for c in (pod.get("status") or {}).get("conditions") or []
                          if c.get("type") == "Ready"), None)
            if ready is None or ready.get("status") == "False":
                continue
            updated = deep_copy(pod)
            for condition in updated["status"]["conditions"]:
                if condition.get("type") == "Ready":
                    condition.update(status="False", lastTransitionTime=self.loop.timestamp())
            try:
                self.client.update_status(updated)
            except StatusError:
                continue  # gone or changed meanwhile: the next transition or the eviction handles it
            self.recorder.event(pod, WARNING, "NodeNotReady", "Node is not ready")

    # -- taints --------------------------------------------------------------------------------

    def update_taints(self, node: dict) -> None:
        """processTaintBaseEviction and doNoScheduleTaintingPass: make the node's taints match its conditions.

        Ready False: not-ready; Ready Unknown: unreachable; Ready True:
        neither. The NoExecute taint gets a timeAdded (the taint eviction
        controller counts tolerationSeconds from it); a pressure condition
        gets its NoSchedule taint, and so does `spec.unschedulable`.
        """
        taints = node.get("spec", {}).get("taints") or []
        wanted = self.wanted_taints(node)
        kept = [t for t in taints if not self.managed(t)]
        current = {(t["key"], t["effect"]) for t in taints if self.managed(t)}
        if current == set(wanted):
            return
        old = {(t["key"], t["effect"]): t for t in taints}
        new = kept + [old.get(k) or self.new_taint(*k) for k in wanted]

        def write() -> None:
            fresh = self.client.get("nodes", node["metadata"]["name"])
            fresh_taints = fresh.get("spec", {}).get("taints") or []
            fresh["spec"]["taints"] = [t for t in fresh_taints if not self.managed(t)] + [
                t for t in new if self.managed(t)
            ]
            if not fresh["spec"]["taints"]:
                del fresh["spec"]["taints"]
            self.client.update(fresh)

        retry_on_conflict(write)

    def wanted_taints(self, node: dict) -> list[tuple[str, str]]:
        """The (key, effect) of every taint this controller wants on the node, in a fixed order."""
        ready = get_condition(node, "Ready")
        status = ready.get("status") if ready is not None else "Unknown"
        wanted = []
        if status == "False":
            wanted.append((NOT_READY_TAINT, "NoExecute"))
        elif status == "Unknown":
            wanted.append((UNREACHABLE_TAINT, "NoExecute"))
        for condition in node.get("status", {}).get("conditions") or []:
            key = NODE_CONDITION_TO_TAINT.get((condition.get("type"), condition.get("status")))
            if key is not None:
                wanted.append((key, "NoSchedule"))
        if node.get("spec", {}).get("unschedulable"):
            wanted.append((UNSCHEDULABLE_TAINT, "NoSchedule"))
        return wanted

    @staticmethod
    def managed(taint: dict) -> bool:
        """A taint this controller puts on and takes off (a user's own taints are left alone)."""
        key, effect = taint.get("key"), taint.get("effect")
        return (effect == "NoExecute" and key in (NOT_READY_TAINT, UNREACHABLE_TAINT)) or (
            effect == "NoSchedule" and key in NO_SCHEDULE_TAINT_KEYS
        )

    def new_taint(self, key: str, effect: str) -> dict:
        taint = {"key": key, "effect": effect}
        if effect == "NoExecute":
            taint["timeAdded"] = self.loop.timestamp()
        return taint


class TaintEvictionController:
    """Deletes the pods on a node with a NoExecute taint they do not tolerate (upstream's tainteviction).

    Not tolerated: deleted at once. Tolerated with tolerationSeconds: deleted
    when the shortest of them has passed since the taint was seen. Tolerated
    without tolerationSeconds: never. A taint removed in time cancels the
    eviction.
    """

    def __init__(
        self,
        client: Client,
        recorder: Any = None,
        nodes: Informer | None = None,
        pods: Informer | None = None,
    ):
        self.client = client
        self.loop = client.loop
        self.recorder = recorder if recorder is not None else EventRecorder(client, TAINT_EVICTION_COMPONENT)
        self.nodes = nodes if nodes is not None else Informer(client, "nodes")
        self.pods = pods if pods is not None else Informer(client, "pods")
        #: pod key -> (when its taints were first seen, the timer that deletes it): the taintEvictionQueue.
        self.scheduled: dict[str, tuple[float, Timer]] = {}
        #: Deletions the API server refused, with why.
        self.failed_evictions: list[tuple[str, StatusError]] = []
        try:
            self.pods.add_index("nodeName", node_index)
        except ValueError:
            pass  # a shared informer that already keeps this index
        self.nodes.add_event_handler(
            on_add=self.handle_node, on_update=self.update_node, on_delete=self.delete_node
        )
        self.pods.add_event_handler(
            on_add=self.handle_pod, on_update=self.update_pod, on_delete=self.delete_pod
        )

    def run(self) -> None:
        for informer in (self.nodes, self.pods):
            informer.run()

    def stop(self) -> None:
        for key in list(self.scheduled):
            self.cancel_work_for_pod(key)
        for informer in (self.nodes, self.pods):
            informer.stop()

    # -- event handlers ------------------------------------------------------------------------

    def update_node(self, old: dict, new: dict) -> None:
        if no_execute_taints(old) != no_execute_taints(new):
            self.handle_node(new)

    def handle_node(self, node: dict) -> None:
        """handleNodeUpdate: the node's NoExecute taints changed; look again at every pod on it."""
        node = self.nodes.get(node["metadata"]["name"]) or node  # the cache may already hold newer
        taints = no_execute_taints(node)
        for pod in self.pods.by_index("nodeName", node["metadata"]["name"]):
            self.process_pod_on_node(pod, taints)

    def delete_node(self, node: dict) -> None:
        for pod in self.pods.by_index("nodeName", node["metadata"]["name"]):
            self.cancel_work_for_pod(key_of(pod))

    def handle_pod(self, pod: dict) -> None:
        """handlePodUpdate: a pod appeared on a node (or changed): check it against that node's taints."""
        pod = self.pods.get(key_of(pod)) or pod
        node_name = pod.get("spec", {}).get("nodeName")
        if not node_name:
            return
        self.process_pod_on_node(pod, no_execute_taints(self.nodes.get(node_name)))

    def update_pod(self, old: dict, new: dict) -> None:
        self.handle_pod(new)

    def delete_pod(self, pod: dict) -> None:
        self.cancel_work_for_pod(key_of(pod))

    # -- the decision --------------------------------------------------------------------------

    def process_pod_on_node(self, pod: dict, taints: list[dict]) -> None:
        """processPodOnNode: delete the pod now, later, or never, by its tolerations of the taints."""
        key = key_of(pod)
        if not taints or pod["metadata"].get("deletionTimestamp"):
            self.cancel_work_for_pod(key)
            return
        all_tolerated, used = get_matching_tolerations(taints, pod.get("spec", {}).get("tolerations") or [])
        if not all_tolerated:
            self.schedule_eviction(key, self.loop.now, 0)
            return
        min_toleration_time = get_min_toleration_time(used)
        if min_toleration_time is None:
            self.cancel_work_for_pod(key)  # tolerated forever
            return
        start = self.scheduled[key][0] if key in self.scheduled else self.loop.now
        self.schedule_eviction(key, start, min_toleration_time)

    def schedule_eviction(self, key: str, start: float, delay: float) -> None:
        """Delete the pod at start + delay (keeping an eviction already planned for that time)."""
        trigger = max(start + delay, self.loop.now)
        if key in self.scheduled:
            _, timer = self.scheduled[key]
            if timer.when == trigger and not timer.cancelled:
                return
            timer.cancel()
        self.scheduled[key] = (start, self.loop.call_at(trigger, self.evict, key))

    def cancel_work_for_pod(self, key: str) -> None:
        if key not in self.scheduled:
            return
        _, timer = self.scheduled.pop(key)
        timer.cancel()
        pod = self.pods.get(key)
        if pod is not None and not pod["metadata"].get("deletionTimestamp"):
            self.recorder.event(pod, NORMAL, "TaintManagerEviction", f"Cancelling deletion of Pod {key}")

    def evict(self, key: str) -> None:
        """deletePodHandler: record the eviction on the pod, then delete it."""
        self.scheduled.pop(key, None)
        pod = self.pods.get(key)
        if pod is None:
            return
        self.recorder.event(pod, NORMAL, "TaintManagerEviction", f"Marking for deletion Pod {key}")
        try:
            self.client.delete("pods", pod["metadata"]["name"], namespace=pod["metadata"]["namespace"])
        except NotFound:
            pass  # gone already: what we wanted
        except StatusError as error:
            self.failed_evictions.append((key, error))


__all__ = [
    "COMPONENT",
    "NODE_MONITOR_GRACE_PERIOD",
    "NODE_MONITOR_PERIOD",
    "NodeLifecycleController",
    "TAINT_EVICTION_COMPONENT",
    "TaintEvictionController",
]
