"""NodeResourcesBalancedAllocation: prefer nodes whose cpu and memory would be used evenly.

A node with 90% of its cpu requested but 10% of its memory strands the spare
memory (nothing can use it without cpu). Upstream `balanced_allocation.go`:
per resource the fraction `requested / allocatable` (capped at 1), counting
this pod; then `score = int((1 - std) * 100)` where std is the standard
deviation of the fractions (for two resources, `|cpu - memory| / 2`). It uses
the pods' real requests, not the 100m/200Mi defaults.
"""

from __future__ import annotations

import math

from k8slab.scheduler.framework import MAX_NODE_SCORE, SUCCESS, Code, Plugin, Status
from k8slab.scheduler.plugins.fit import DEFAULT_RESOURCES, amounts


def balanced_score(fractions: list[float]) -> int:
    std = 0.0
    if len(fractions) == 2:
        std = abs((fractions[0] - fractions[1]) / 2)
    elif len(fractions) > 2:
        mean = sum(fractions) / len(fractions)
        std = math.sqrt(sum((f - mean) ** 2 for f in fractions) / len(fractions))
    return int((1 - std) * MAX_NODE_SCORE)


class NodeResourcesBalancedAllocation(Plugin):
    name = "NodeResourcesBalancedAllocation"

    def __init__(self, resources=DEFAULT_RESOURCES):
        self.resources = tuple(resources)

    def pre_score(self, state, pod_info, node_infos) -> Status:
        # A pod that requests nothing changes no node's balance: skip scoring (upstream returns Skip).
        if all(amounts(pod_info.requests, name) == 0 for name, _ in self.resources):
            return Status(Code.Skip)
        return SUCCESS

    def score(self, state, pod_info, node_info) -> int:
        fractions = []
        for name, _ in self.resources:
            capacity = amounts(node_info.allocatable, name)
            if capacity == 0:
                continue
            requested = amounts(node_info.requested, name) + amounts(pod_info.requests, name)
            fractions.append(min(requested / capacity, 1.0))
        return balanced_score(fractions)
