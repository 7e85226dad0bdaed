"""DefaultPreemption: when no node fits, could evicting lower-priority pods make room? (PostFilter)

Upstream `defaultpreemption/default_preemption.go` and `preemption/preemption.go`:

1. A pod with `preemptionPolicy: Never` may not preempt.
2. Nodes rejected as UnschedulableAndUnresolvable (a taint, a selector, a
   request bigger than the node) are skipped: "Preemption is not helpful for
   scheduling".
3. On every other node, remove all pods of lower priority and run the
   filters again. No lower-priority pods: "No preemption victims found for
   incoming pod". Still no fit: the filter's own reason.
4. Where it fits, put victims back one by one, highest priority first, as
   long as the pod still fits ("reprieve"); the rest are the victims.
5. Pick the node whose victims matter least: lowest highest-victim
   priority, then the smallest sum of victim priorities, then the fewest
   victims, then the first node. Delete the victims; set the pod's
   status.nominatedNodeName; the pod is retried when the victims are gone.

Simplified: PodDisruptionBudgets are not modelled; victims are deleted at once.
"""

from __future__ import annotations

from k8slab.scheduler.framework import SUCCESS, Code, Diagnosis, FitError, Plugin, Status

NOT_HELPFUL = "Preemption is not helpful for scheduling"
NO_VICTIMS = "No preemption victims found for incoming pod"


class DefaultPreemption(Plugin):
    name = "DefaultPreemption"

    def __init__(self, handle=None):
        self.handle = handle  # the Scheduler: its node infos, its framework, its client

    def post_filter(self, state, pod_info, statuses: dict[str, Status]) -> tuple[str, Status]:
        if (pod_info.spec.get("preemptionPolicy") or "PreemptLowerPriority") == "Never":
            return "", Status(Code.Unschedulable, ["preemption: not eligible due to preemptionPolicy=Never."])
        node_statuses: dict[str, Status] = {}
        candidates = []
        fwk = self.handle.framework_for(pod_info.pod)
        for node_info in self.handle.node_infos():
            status = statuses.get(node_info.name)
            if status is None:
                continue  # not evaluated (percentageOfNodesToScore stopped early)
            if status.code == Code.UnschedulableAndUnresolvable:
                node_statuses[node_info.name] = Status(Code.UnschedulableAndUnresolvable, [NOT_HELPFUL])
                continue
            victims, status = self.select_victims_on_node(fwk, state, pod_info, node_info)
            if status.is_success():
                candidates.append((node_info.name, victims))
            else:
                node_statuses[node_info.name] = status
        if not candidates:
            error = FitError(pod_info.key, len(node_statuses), Diagnosis(node_statuses))
            return "", Status(Code.Unschedulable, [f"preemption: {error}"])
        node_name, victims = min(candidates, key=lambda c: (
            max(v.priority for v in c[1]), sum(v.priority for v in c[1]), len(c[1])))
        for victim in victims:
            self.handle.preempt(victim, pod_info, node_name)
        return node_name, SUCCESS

    def select_victims_on_node(self, fwk, state, pod_info, node_info):
        """(victims, status): the fewest lower-priority pods whose removal lets the pod fit here."""
        lower = [p for p in node_info.pods.values() if p.priority < pod_info.priority]
        if not lower:
            return [], Status(Code.UnschedulableAndUnresolvable, [NO_VICTIMS])
        trial = node_info.clone()
        for victim in lower:
            trial.remove_pod(victim.key)
        status = fwk.run_filter(state, pod_info, trial)
        if not status.is_success():
            return [], status
        victims = []
        for candidate in sorted(lower, key=lambda p: -p.priority):  # try to keep the most important
            trial.add_pod(candidate)
            if not fwk.run_filter(state, pod_info, trial).is_success():
                trial.remove_pod(candidate.key)
                victims.append(candidate)
        return victims, SUCCESS
