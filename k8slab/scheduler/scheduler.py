"""kube-scheduler: watch pending pods, pick a node for each, write a binding (notebook 04, step 7).

The loop, as upstream's `schedule_one.go`:

    pod = queue.pop()                       # highest priority first
    PreFilter                               # e.g. add up what the pod requests, once
    for node in nodes, from where the last cycle stopped (round robin):
        Filter                              # can it run here at all?
        stop once enough feasible nodes are found (percentageOfNodesToScore)
    if none: PostFilter (preemption), then "0/3 nodes are available: ..."
    PreScore, Score, NormalizeScore, x weight, add up per node
    pick the highest total (ties: a seeded random choice)
    assume the pod on that node in the cache; Reserve, Permit; Bind through the API

The scheduler's picture of the cluster comes only from its informers: nodes,
and pods. A pod that has a nodeName counts against its node in the cache
(`NodeInfo`); a pod without one, for this scheduler's name, goes into the
queue. A binding it has just written is "assumed" in the cache at once, so
the next pod sees the room it takes before the watch event comes back.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass

from k8slab.api.selectors import LabelSelector, selector_from_label_selector
from k8slab.client import Client, Informer, retry_on_conflict
from k8slab.scheduler.framework import (
    Code,
    CycleState,
    Diagnosis,
    FitError,
    Framework,
    NodeScores,
    SchedulingError,
)
from k8slab.scheduler.nodeinfo import NodeInfo, PodInfo, pod_key
from k8slab.scheduler.queue import (
    ASSIGNED_POD_DELETE,
    NODE_ADD,
    NODE_UPDATE,
    QueuedPodInfo,
    SchedulingQueue,
)

DEFAULT_SCHEDULER_NAME = "default-scheduler"
ZONE_LABEL = "topology.kubernetes.io/zone"
MIN_FEASIBLE_NODES_TO_FIND = 100
MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5

#: Score weights of the default profile (apis/config/v1/default_plugins.go).
DEFAULT_WEIGHTS = {
    "TaintToleration": 3,
    "NodeAffinity": 2,
    "PodTopologySpread": 2,
    "InterPodAffinity": 2,
    "NodeResourcesFit": 1,
    "NodeResourcesBalancedAllocation": 1,
    "ImageLocality": 1,
}


def default_plugins(client: Client | None = None) -> list:
    """The default profile's plugins, in upstream's order (which is the order filters run in)."""
    from k8slab.scheduler import plugins as p

    found = [
        p.NodeUnschedulable(), p.NodeName(), p.TaintToleration(), p.NodeAffinity(), p.NodePorts(),
        p.NodeResourcesFit(),
    ]
    for optional in ("PodTopologySpread", "InterPodAffinity"):  # added in later sections of the notebook
        if hasattr(p, optional):
            found.append(getattr(p, optional)())
    found += [p.DefaultPreemption(), p.NodeResourcesBalancedAllocation(), p.ImageLocality()]
    found.append(p.DefaultBinder(client))
    return found


def default_framework(client: Client | None = None, scheduler_name: str = DEFAULT_SCHEDULER_NAME,
                      percentage_of_nodes_to_score: int | None = None) -> Framework:
    return Framework(default_plugins(client), DEFAULT_WEIGHTS, scheduler_name, percentage_of_nodes_to_score)


def num_feasible_nodes_to_find(percentage: int, num_all_nodes: int) -> int:
    """How many feasible nodes are enough to stop filtering (schedule_one.go numFeasibleNodesToFind).

    Under 100 nodes, or at 100%: all of them. `percentage` 0 means the
    adaptive default: 50% minus 1% per 125 nodes, never under 5% (so 50% of
    100 nodes, 10% of 5,000), and never fewer than 100 nodes.
    """
    if num_all_nodes < MIN_FEASIBLE_NODES_TO_FIND or percentage >= 100:
        return num_all_nodes
    if percentage == 0:
        percentage = 50 - num_all_nodes // 125
        if percentage < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND:
            percentage = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND
    num_nodes = num_all_nodes * percentage // 100
    return max(num_nodes, MIN_FEASIBLE_NODES_TO_FIND)


def select_host(scores: list[NodeScores], rng: random.Random) -> str:
    """The node with the highest total; among equals, one chosen at random (schedule_one.go selectHost).

    Upstream keeps a running reservoir sample over the list; here the ties are
    counted first and one random number picks among them: the same uniform
    choice, and the seeded generator makes it the same on every run.
    """
    best = max(s.total for s in scores)
    tied = [s.name for s in scores if s.total == best]
    return tied[rng.randrange(len(tied))] if len(tied) > 1 else tied[0]


def node_tree_order(node_infos: dict[str, NodeInfo]) -> list[str]:
    """Node names interleaved zone by zone (upstream's nodeTree), so filtering walks across zones."""
    zones: dict[str, list[str]] = {}
    for name, info in node_infos.items():
        zones.setdefault(info.labels.get(ZONE_LABEL, ""), []).append(name)
    ordered, columns = [], list(zones.values())
    for i in range(max((len(c) for c in columns), default=0)):
        ordered.extend(c[i] for c in columns if i < len(c))
    return ordered


@dataclass
class ScheduleResult:
    suggested_host: str
    evaluated_nodes: int
    feasible_nodes: int


class Scheduler:
    """The scheduler component: informers in, bindings out.

        scheduler = Scheduler(Client(api, user="system:kube-scheduler"))
        scheduler.run()          # start the informers; pods get scheduled as the loop runs

    `profiles` maps a schedulerName to a `Framework`; by default one
    profile, "default-scheduler", with the default plugins.
    `percentage_of_nodes_to_score` 0 is the adaptive default.
    """

    def __init__(self, client: Client, profiles: list[Framework] | None = None,
                 percentage_of_nodes_to_score: int = 0, rng: random.Random | None = None,
                 fast_path: bool = True, recorder=None):
        if not isinstance(client, Client):
            raise TypeError(f"a Scheduler needs a k8slab.client.Client, got {type(client).__name__}")
        percentage = percentage_of_nodes_to_score
        if type(percentage) is not int or not 0 <= percentage <= 100:
            raise ValueError(f"percentageOfNodesToScore must be a whole number from 0 to 100, "
                             f"got {percentage_of_nodes_to_score!r}")
        self.client = client
        self.loop = client.loop
        self.rng = rng if rng is not None else client.loop.random
        self.percentage_of_nodes_to_score = percentage_of_nodes_to_score
        self.profiles: dict[str, Framework] = {}
        for fwk in profiles or [default_framework(client)]:
            self.add_profile(fwk)
        self.queue = SchedulingQueue(self.loop, on_active=self._wake)
        self.nodes: dict[str, NodeInfo] = {}
        self.pod_nodes: dict[str, str] = {}  # bound or assumed pod key -> node name
        self.next_start_node_index = 0
        self.scheduled = 0  # pods bound so far
        self._order: list[str] | None = None
        self._image_states: dict[str, int] | None = None
        self.dirty: set[str] = set()  # nodes whose NodeInfo changed since the fast path last looked
        self.affinity_pods: set[str] = set()  # bound pods with pod (anti-)affinity
        self.fast = None
        if fast_path:
            from k8slab.scheduler.fastpath import FastPath

            self.fast = FastPath(self)
        self._cycle_due = False
        self.node_informer = Informer(client, "nodes")
        self.pod_informer = Informer(client, "pods")
        # PodTopologySpread's system defaults spread the pods of one Service or ReplicaSet.
        self.service_informer = Informer(client, "services")
        self.replicaset_informer = Informer(client, "replicasets")
        self.node_informer.add_event_handler(self._on_node_add, self._on_node_update, self._on_node_delete)
        self.pod_informer.add_event_handler(self._on_pod_add, self._on_pod_update, self._on_pod_delete)
        self.recorder = recorder if recorder is not None else _event_recorder(client)

    def __repr__(self) -> str:
        return f"Scheduler(profiles={list(self.profiles)}, nodes={len(self.nodes)}, {self.queue!r})"

    def add_profile(self, fwk: Framework) -> None:
        """Serve pods whose spec.schedulerName is `fwk.scheduler_name` with this framework."""
        if not isinstance(fwk, Framework):
            raise TypeError(f"a profile is a k8slab.scheduler.Framework, got {type(fwk).__name__}")
        if fwk.scheduler_name in self.profiles:
            raise ValueError(f'duplicate profile with scheduler name "{fwk.scheduler_name}"')
        for plugin in fwk.plugins:
            if getattr(plugin, "client", "absent") is None:
                plugin.client = self.client
            if getattr(plugin, "handle", "absent") is None:
                plugin.handle = self
        self.profiles[fwk.scheduler_name] = fwk

    def run(self) -> None:
        """Start watching; from now on every pending pod for our profiles gets scheduled by the loop."""
        for informer in self.informers():
            informer.run()

    def stop(self) -> None:
        for informer in self.informers():
            informer.stop()

    def informers(self) -> list[Informer]:
        """Services and ReplicaSets first, so spreading knows them before the first pod is scheduled."""
        return [self.service_informer, self.replicaset_informer, self.node_informer, self.pod_informer]

    # -- the handle plugins use (framework.Handle) -------------------------------------

    def framework_for(self, pod: dict) -> Framework:
        return self.profiles[(pod.get("spec") or {}).get("schedulerName") or DEFAULT_SCHEDULER_NAME]

    def node_order(self) -> list[str]:
        if self._order is None:
            self._order = node_tree_order(self.nodes)
        return self._order

    def image_states(self) -> dict[str, int]:
        """Image name -> how many nodes have it (ImageLocality scales an image's size by this)."""
        if self._image_states is None:
            self._image_states = {}
            for info in self.nodes.values():
                for image in info.images:
                    self._image_states[image] = self._image_states.get(image, 0) + 1
        return self._image_states

    def node_infos(self) -> list[NodeInfo]:
        """Every node's NodeInfo, in node-tree order (upstream's snapshot NodeInfos().List())."""
        return [self.nodes[name] for name in self.node_order()]

    def default_selector(self, pod_info: PodInfo) -> LabelSelector | None:
        """The selector of the Services and the ReplicaSet a pod belongs to, ANDed (helper.DefaultSelector).

        None when the pod belongs to none: the system default spreading then does not apply.
        """
        namespace, labels = pod_info.namespace, pod_info.labels
        match_labels: dict[str, str] = {}
        expressions: list[dict] = []
        for service in self.service_informer.list():
            selector = (service.get("spec") or {}).get("selector") or {}
            if service["metadata"].get("namespace") == namespace and selector and \
                    all(labels.get(k) == v for k, v in selector.items()):
                match_labels.update(selector)
        for owner in pod_info.pod["metadata"].get("ownerReferences") or []:
            if owner.get("kind") != "ReplicaSet":
                continue
            replicaset = self.replicaset_informer.get(f"{namespace}/{owner.get('name')}")
            selector = ((replicaset or {}).get("spec") or {}).get("selector") or {}
            expressions += [{"key": k, "operator": "In", "values": [v]}
                            for k, v in (selector.get("matchLabels") or {}).items()]
            expressions += list(selector.get("matchExpressions") or [])
        if not match_labels and not expressions:
            return None
        return selector_from_label_selector({"matchLabels": match_labels, "matchExpressions": expressions})

    def preempt(self, victim: PodInfo, preemptor: PodInfo, node_name: str) -> None:
        """Delete a victim pod to make room for a higher-priority one (DefaultPreemption calls this)."""
        from k8slab.api.errors import NotFound

        uid = preemptor.pod["metadata"].get("uid", preemptor.key)
        message = f"Preempted by pod {uid} on node {node_name}"
        self._record_event(victim.pod, "Normal", "Preempted", message)
        try:
            self.client.delete("pods", victim.pod["metadata"]["name"], namespace=victim.namespace)
        except NotFound:
            pass

    # -- informer handlers: keep the cache and the queue up to date --------------------

    def _responsible_for(self, pod: dict) -> bool:
        spec = pod.get("spec") or {}
        return (spec.get("schedulerName") or DEFAULT_SCHEDULER_NAME) in self.profiles

    @staticmethod
    def _is_assigned(pod: dict) -> bool:
        return bool((pod.get("spec") or {}).get("nodeName"))

    @staticmethod
    def _is_terminal(pod: dict) -> bool:
        return (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")

    def _on_node_add(self, node: dict) -> None:
        name = node["metadata"]["name"]
        info = self.nodes.get(name)
        if info is None:
            info = self.nodes[name] = NodeInfo()
            for key, node_name in self.pod_nodes.items():  # pods seen before their node
                if node_name == name:
                    cached = self.pod_informer.get(key)
                    if cached is not None:
                        info.add_pod(PodInfo.of(cached))
        info.set_node(node)
        self._order = self._image_states = None
        self.queue.move_all_to_active_or_backoff(NODE_ADD)

    def _on_node_update(self, old: dict, new: dict) -> None:
        current = self.node_informer.get(new["metadata"]["name"]) or new
        if current is not new:
            return  # a newer version is already cached; its own event follows
        if new["metadata"]["name"] not in self.nodes:
            self._on_node_add(new)
        elif _scheduling_properties(old) != _scheduling_properties(new):
            self._node_changed(new)
        else:  # a heartbeat: nothing a plugin looks at has changed, so no pod gets a new chance
            self.nodes[new["metadata"]["name"]].node = new

    def _node_changed(self, node: dict) -> None:
        info = self.nodes[node["metadata"]["name"]]
        if info.labels.get(ZONE_LABEL) != (node["metadata"].get("labels") or {}).get(ZONE_LABEL):
            self._order = None
        info.set_node(node)
        self._image_states = None
        self.dirty.add(info.name)
        self.queue.move_all_to_active_or_backoff(NODE_UPDATE)

    def _on_node_delete(self, node: dict) -> None:
        self.nodes.pop(node["metadata"]["name"], None)
        self._order = self._image_states = None

    def _on_pod_add(self, pod: dict) -> None:
        if self._is_assigned(pod):
            if not self._is_terminal(pod):
                self._add_assigned(pod)
        elif self._responsible_for(pod) and not pod["metadata"].get("deletionTimestamp"):
            self.queue.add(PodInfo.of(pod))

    def _on_pod_update(self, old: dict, new: dict) -> None:
        key = pod_key(new)
        if self._is_assigned(new):
            self.queue.delete(key)
            if not self._is_terminal(new):
                self._add_assigned(new)  # bound (maybe by us: confirms what we assumed), or a newer version
            elif self._forget_assigned(key):  # Succeeded or Failed: its requests no longer count
                self.queue.move_all_to_active_or_backoff(ASSIGNED_POD_DELETE)
        elif self._responsible_for(new):
            if new["metadata"].get("deletionTimestamp"):
                self.queue.delete(key)
            elif _scheduling_relevant(old) != _scheduling_relevant(new):
                self.queue.update(PodInfo.of(new))

    def _on_pod_delete(self, pod: dict) -> None:
        key = pod_key(pod)
        self.queue.delete(key)
        if self._forget_assigned(key):
            self.queue.move_all_to_active_or_backoff(ASSIGNED_POD_DELETE)

    def _add_assigned(self, pod: dict) -> None:
        key, node_name = pod_key(pod), pod["spec"]["nodeName"]
        info = self.nodes.get(node_name)
        known = info.pods.get(key) if info is not None and self.pod_nodes.get(key) == node_name else None
        if known is not None and known.pod["metadata"].get("uid") == pod["metadata"].get("uid"):
            known.pod = pod  # our assumed pod, confirmed (requests cannot change): keep its sums
            self.dirty.add(node_name)  # its labels or deletionTimestamp may have changed: spreading counts
            return
        self._forget_assigned(key)  # our assumed copy, or an older version of the pod
        self._place(PodInfo.of(pod), node_name)

    def _place(self, pod_info: PodInfo, node_name: str) -> None:
        self.pod_nodes[pod_info.key] = node_name
        if pod_info.has_pod_affinity:
            self.affinity_pods.add(pod_info.key)
        if node_name in self.nodes:
            self.nodes[node_name].add_pod(pod_info)
            self.dirty.add(node_name)

    def _forget_assigned(self, key: str) -> bool:
        node_name = self.pod_nodes.pop(key, None)
        if node_name is None:
            return False
        self.affinity_pods.discard(key)
        if node_name in self.nodes:
            self.nodes[node_name].remove_pod(key)
            self.dirty.add(node_name)
        return True

    # -- the scheduling cycle ------------------------------------------------------------

    def _wake(self) -> None:
        if not self._cycle_due:
            self._cycle_due = True
            self.loop.call_soon(self._cycle)

    def _cycle(self) -> None:
        """One pod per loop callback, so watch events can interleave as they would upstream."""
        self._cycle_due = False
        queued = self.queue.pop()
        if queued is None:
            return
        try:
            self.schedule_one(queued)
        finally:
            if self.queue.has_active():
                self._wake()

    def schedule_one(self, queued: QueuedPodInfo) -> str | None:
        """Schedule one popped pod: the node it was bound to, or None (it waits in the queue)."""
        pod_info = queued.pod_info
        live = self.pod_informer.get(pod_info.key)
        if live is None or self._is_assigned(live) or live["metadata"].get("deletionTimestamp"):
            self.queue.done(pod_info.key)
            return None
        fwk = self.framework_for(pod_info.pod)
        state = CycleState()
        try:
            result = self.schedule_pod(fwk, state, pod_info)
        except FitError as error:
            nominated, status = fwk.run_post_filter(state, pod_info, error.diagnosis.node_to_status)
            if status.reasons:
                error.diagnosis.post_filter_msg = status.message()
            queued.unschedulable_plugins = error.diagnosis.unschedulable_plugins
            self._failed(queued, str(error), nominated)
            return None
        except SchedulingError as error:
            self._failed(queued, str(error), "", backoff=True, reason="SchedulerError")
            return None
        node_name = result.suggested_host
        self._assume(pod_info, node_name)
        status = fwk.run_reserve(state, pod_info, node_name)
        if status.is_success():
            status = fwk.run_permit(state, pod_info, node_name)
        if status.is_success():
            status = fwk.run_bind(state, pod_info, node_name)
        if not status.is_success():
            self._forget_assigned(pod_info.key)
            message = f"Binding rejected: {status.message()}"
            self._failed(queued, message, "", backoff=True, reason="SchedulerError")
            return None
        self.queue.done(pod_info.key)
        self.scheduled += 1
        self._record_event(pod_info.pod, "Normal", "Scheduled",
                           f"Successfully assigned {pod_info.key} to {node_name}")
        return node_name

    def schedule_pod(self, fwk: Framework, state: CycleState, pod_info: PodInfo) -> ScheduleResult:
        """Filter, then score, then pick: the node for this pod, or FitError (schedule_one.go schedulePod)."""
        if not self.nodes:
            raise FitError(pod_info.key, 0, Diagnosis())
        if self.fast is not None and not self._nominated_node(pod_info):
            host = self.fast.schedule(fwk, pod_info)
            if host is not None:
                return ScheduleResult(host, -1, -1)  # the fast path does not count what it looked at
        feasible, diagnosis = self.find_nodes_that_fit(fwk, state, pod_info)
        if not feasible:
            raise FitError(pod_info.key, len(self.nodes), diagnosis)
        evaluated = len(feasible) + len(diagnosis.node_to_status)
        if len(feasible) == 1:
            return ScheduleResult(feasible[0].name, evaluated, 1)
        fwk.run_pre_score(state, pod_info, feasible)
        scores = fwk.run_score(state, pod_info, feasible)
        return ScheduleResult(select_host(scores, self.rng), evaluated, len(feasible))

    def find_nodes_that_fit(self, fwk: Framework, state: CycleState, pod_info: PodInfo):
        """(feasible NodeInfos, Diagnosis): filters on nodes from the round-robin start, stopping early."""
        diagnosis = Diagnosis()
        status = fwk.run_pre_filter(state, pod_info)
        all_nodes = self.node_infos()
        if not status.is_success():
            diagnosis.pre_filter_msg = status.message()
            diagnosis.unschedulable_plugins.add(status.plugin)
            return [], diagnosis
        nominated = self.nodes.get(self._nominated_node(pod_info))
        if nominated is not None and fwk.run_filter(state, pod_info, nominated).is_success():
            return [nominated], diagnosis  # preemption made room there: take it (evaluateNominatedNode)
        percentage = fwk.percentage_of_nodes_to_score
        if percentage is None:
            percentage = self.percentage_of_nodes_to_score
        wanted = num_feasible_nodes_to_find(percentage, len(all_nodes))
        feasible: list[NodeInfo] = []
        processed = 0
        for i in range(len(all_nodes)):
            node_info = all_nodes[(self.next_start_node_index + i) % len(all_nodes)]
            processed += 1
            status = fwk.run_filter(state, pod_info, node_info)
            if status.code == Code.Error:
                raise SchedulingError(status.message())
            if status.is_success():
                feasible.append(node_info)
                if len(feasible) >= wanted:
                    break
            else:
                diagnosis.node_to_status[node_info.name] = status
                diagnosis.unschedulable_plugins.add(status.plugin)
        self.next_start_node_index = (self.next_start_node_index + processed) % len(all_nodes)
        return feasible, diagnosis

    def _nominated_node(self, pod_info: PodInfo) -> str:
        """status.nominatedNodeName of the live pod: where preemption made room for it."""
        live = self.pod_informer.get(pod_info.key) or pod_info.pod
        return (live.get("status") or {}).get("nominatedNodeName") or ""

    def _assume(self, pod_info: PodInfo, node_name: str) -> None:
        assumed = dict(pod_info.pod)
        assumed["spec"] = dict(assumed.get("spec") or {}, nodeName=node_name)
        self._place(dataclasses.replace(pod_info, pod=assumed), node_name)

    # -- failures: the PodScheduled condition and a FailedScheduling event -------------

    def _failed(self, queued: QueuedPodInfo, message: str, nominated: str, backoff: bool = False,
                reason: str = "Unschedulable") -> None:
        pod_info = queued.pod_info
        self.queue.add_unschedulable(queued, backoff=backoff)
        self._record_event(pod_info.pod, "Warning", "FailedScheduling", message)
        self._set_pod_scheduled_false(pod_info, message, nominated, reason)

    def _set_pod_scheduled_false(self, pod_info: PodInfo, message: str, nominated: str,
                                 reason: str = "Unschedulable") -> None:
        from k8slab.api.errors import NotFound

        def write() -> None:
            pod = self.client.get("pods", pod_info.pod["metadata"]["name"], namespace=pod_info.namespace)
            if pod["spec"].get("nodeName"):
                return
            status = pod.setdefault("status", {})
            conditions = status.get("conditions") or []
            current = next((c for c in conditions if c.get("type") == "PodScheduled"), None)
            unchanged = current is not None and current.get("status") == "False" and \
                current.get("reason") == reason and current.get("message") == message
            if unchanged and (not nominated or status.get("nominatedNodeName") == nominated):
                return  # nothing new to say: no write (upstream skips the patch too)
            condition = {"type": "PodScheduled", "status": "False", "lastProbeTime": None,
                         "lastTransitionTime": current["lastTransitionTime"] if current and
                         current.get("status") == "False" else self.loop.timestamp(),
                         "reason": reason, "message": message}
            status["conditions"] = [c for c in conditions if c.get("type") != "PodScheduled"] + [condition]
            if nominated:
                status["nominatedNodeName"] = nominated
            self.client.update_status(pod)

        try:
            retry_on_conflict(write)
        except NotFound:
            pass  # deleted meanwhile: nothing to report on

    def _record_event(self, pod: dict, kind: str, reason: str, message: str) -> None:
        if self.recorder is not None:
            self.recorder.event(pod, kind, reason, message)  # the informer's: a recorder only reads it


def _scheduling_properties(node: dict) -> tuple:
    """What of a node the plugins look at (upstream's nodeSchedulingPropertiesChange)."""
    spec, status = node.get("spec") or {}, node.get("status") or {}
    return (repr(node["metadata"].get("labels")), repr(spec.get("taints")), bool(spec.get("unschedulable")),
            repr(status.get("allocatable")), repr(status.get("images")))


def _scheduling_relevant(pod: dict) -> tuple:
    """What of a pending pod matters to scheduling (status-only changes, like our own, do not)."""
    meta = pod["metadata"]
    return (repr(pod.get("spec")), repr(meta.get("labels")), repr(meta.get("annotations")))


def _event_recorder(client: Client):
    """The controller manager's EventRecorder, if that layer exists yet; else None (no events)."""
    try:
        from k8slab.controllers.events import EventRecorder
    except ImportError:
        return None
    try:
        return EventRecorder(client, DEFAULT_SCHEDULER_NAME)
    except TypeError:
        return None
