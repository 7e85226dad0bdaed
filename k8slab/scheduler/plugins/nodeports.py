"""NodePorts: two pods cannot both listen on the same hostPort of one node.

A port is (hostIP, protocol, hostPort); hostIP 0.0.0.0 means every address
of the node, so it conflicts with any other address on the same port.
"""

from __future__ import annotations

from k8slab.scheduler.framework import SUCCESS, Plugin, Status

ERR_REASON = "node(s) didn't have free ports for the requested pod ports"
WILDCARD = "0.0.0.0"


def ports_conflict(wanted: list[tuple[str, str, int]], used: set[tuple[str, str, int]]) -> bool:
    """Does any (hostIP, protocol, hostPort) the pod wants clash with one already taken?"""
    for ip, protocol, port in wanted:
        for used_ip, used_protocol, used_port in used:
            if port != used_port or protocol != used_protocol:
                continue
            if ip == used_ip or WILDCARD in (ip, used_ip):
                return True
    return False


class NodePorts(Plugin):
    name = "NodePorts"

    def filter(self, state, pod_info, node_info) -> Status:
        if not pod_info.host_ports or not ports_conflict(pod_info.host_ports, node_info.used_ports):
            return SUCCESS
        return Status.unschedulable(ERR_REASON)
