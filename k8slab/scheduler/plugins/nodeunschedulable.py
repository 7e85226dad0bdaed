"""NodeUnschedulable: no new pods on a cordoned node (`kubectl cordon` sets spec.unschedulable)."""

from __future__ import annotations

from k8slab.scheduler.framework import SUCCESS, Plugin, Status
from k8slab.scheduler.plugins.tainttoleration import tolerates

ERR_REASON_UNSCHEDULABLE = "node(s) were unschedulable"
UNSCHEDULABLE_TAINT = {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}


class NodeUnschedulable(Plugin):
    """Filter: reject a node with spec.unschedulable, unless the pod tolerates the unschedulable taint."""

    name = "NodeUnschedulable"

    def filter(self, state, pod_info, node_info) -> Status:
        if not (node_info.node or {}).get("spec", {}).get("unschedulable"):
            return SUCCESS
        if tolerates(pod_info.spec.get("tolerations") or [], UNSCHEDULABLE_TAINT):
            return SUCCESS
        return Status.unschedulable(ERR_REASON_UNSCHEDULABLE, resolvable=False)
