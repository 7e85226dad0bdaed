"""NodeName: a pod that names its node (spec.nodeName set before scheduling) fits only there."""

from __future__ import annotations

from k8slab.scheduler.framework import SUCCESS, Plugin, Status

ERR_REASON = "node(s) didn't match the requested node name"


class NodeName(Plugin):
    name = "NodeName"

    def filter(self, state, pod_info, node_info) -> Status:
        wanted = pod_info.spec.get("nodeName")
        if not wanted or wanted == node_info.name:
            return SUCCESS
        return Status.unschedulable(ERR_REASON, resolvable=False)
