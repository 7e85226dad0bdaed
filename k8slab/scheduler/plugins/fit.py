"""NodeResourcesFit: does the pod's request fit in what is left of the node? And how well?

Filter (upstream `noderesources/fit.go`): for cpu, memory and
ephemeral-storage, the pod fits if its request is at most
`allocatable - requested` (the sum of the requests of the pods already
there), and the node has room for one more pod. The reasons are
"Insufficient cpu", "Insufficient memory", "Too many pods". If the pod asks
for more than the whole node has, no preemption could help, so the status is
UnschedulableAndUnresolvable.

Score, with the default LeastAllocated strategy: per resource,
`(allocatable - requested) * 100 // allocatable`, averaged with weights
(cpu 1, memory 1); emptier nodes score higher, so pods spread out.
MostAllocated is the opposite (bin packing): `requested * 100 // allocatable`.
Both use the non-zero requests (100m / 200Mi for a container that sets none).
"""

from __future__ import annotations

from k8slab.scheduler.framework import MAX_NODE_SCORE, SUCCESS, Plugin, Status

LEAST_ALLOCATED = "LeastAllocated"
MOST_ALLOCATED = "MostAllocated"
REQUESTED_TO_CAPACITY_RATIO = "RequestedToCapacityRatio"
DEFAULT_RESOURCES = (("cpu", 1), ("memory", 1))
MAX_CUSTOM_PRIORITY_SCORE = 10  # shape scores are 0..10 and scaled to 0..100
MAX_UTILIZATION = 100


def least_requested_score(requested: int, capacity: int) -> int:
    if capacity == 0 or requested > capacity:
        return 0
    return (capacity - requested) * MAX_NODE_SCORE // capacity


def most_requested_score(requested: int, capacity: int) -> int:
    if capacity == 0:
        return 0
    requested = min(requested, capacity)  # more than the node has counts as full
    return requested * MAX_NODE_SCORE // capacity


def broken_linear(shape: list[tuple[int, int]], utilization: int) -> int:
    """The score for a utilization (0..100) on a line through the shape's (utilization, score) points."""
    for i, (point, score) in enumerate(shape):
        if utilization <= point:
            if i == 0:
                return score
            previous_point, previous_score = shape[i - 1]
            rise = (score - previous_score) * (utilization - previous_point)
            run = point - previous_point
            step = abs(rise) // run  # Go's integer division truncates toward zero, also for a falling line
            return previous_score + (step if rise >= 0 else -step)
    return shape[-1][1]


def validate_shape(shape) -> list[tuple[int, int]]:
    """[(utilization, score)] from the configuration, checked as upstream's validation does."""
    points = [(int(p["utilization"]), int(p["score"])) if isinstance(p, dict) else (int(p[0]), int(p[1]))
              for p in shape or []]
    if not points:
        raise ValueError("scoringStrategy.requestedToCapacityRatio.shape: Required value: at least one point")
    for i, (utilization, score) in enumerate(points):
        if not 0 <= utilization <= MAX_UTILIZATION:
            raise ValueError(f"shape[{i}].utilization: Invalid value: {utilization}: "
                             "not in valid range [0-100]")
        if not 0 <= score <= MAX_CUSTOM_PRIORITY_SCORE:
            raise ValueError(f"shape[{i}].score: Invalid value: {score}: not in valid range [0-10]")
        if i and utilization <= points[i - 1][0]:
            raise ValueError(f"shape[{i}].utilization: Invalid value: {utilization}: values must be sorted "
                             "in increasing order")
    return [(u, s * (MAX_NODE_SCORE // MAX_CUSTOM_PRIORITY_SCORE)) for u, s in points]


def amounts(resource, name: str) -> int:
    if name == "cpu":
        return resource.milli_cpu
    if name == "memory":
        return resource.memory
    if name == "ephemeral-storage":
        return resource.ephemeral_storage
    return resource.scalar.get(name, 0)


def insufficient_resources(pod_info, node_info) -> list[tuple[str, bool]]:
    """[(reason, unresolvable)] for every resource the node lacks (fit.go's fitsRequest)."""
    result = []
    allowed = node_info.allocatable.allowed_pod_number
    if len(node_info.pods) + 1 > allowed:
        result.append(("Too many pods", False))
    want = pod_info.requests
    for name in ("cpu", "memory", "ephemeral-storage", *sorted(want.scalar)):
        asked = amounts(want, name)
        if asked <= 0:
            continue
        capacity = amounts(node_info.allocatable, name)
        if asked > capacity - amounts(node_info.requested, name):
            result.append((f"Insufficient {name}", asked > capacity))
    return result


class NodeResourcesFit(Plugin):
    name = "NodeResourcesFit"

    def __init__(self, scoring_strategy: str = LEAST_ALLOCATED, resources=DEFAULT_RESOURCES, shape=None):
        strategies = (LEAST_ALLOCATED, MOST_ALLOCATED, REQUESTED_TO_CAPACITY_RATIO)
        if scoring_strategy not in strategies:
            supported = ", ".join(f'"{s}"' for s in strategies)
            raise ValueError(f'scoringStrategy.type: Unsupported value: "{scoring_strategy}": '
                             f"supported values: {supported}")
        self.scoring_strategy = scoring_strategy
        self.resources = tuple(resources)
        self.shape = validate_shape(shape) if scoring_strategy == REQUESTED_TO_CAPACITY_RATIO else None

    def filter(self, state, pod_info, node_info) -> Status:
        missing = insufficient_resources(pod_info, node_info)
        if not missing:
            return SUCCESS
        unresolvable = any(flag for _, flag in missing)
        return Status.unschedulable(*(reason for reason, _ in missing), resolvable=not unresolvable)

    def score(self, state, pod_info, node_info) -> int:
        if self.scoring_strategy == REQUESTED_TO_CAPACITY_RATIO:
            return self._requested_to_capacity_ratio(pod_info, node_info)
        most = self.scoring_strategy == MOST_ALLOCATED
        per_resource = most_requested_score if most else least_requested_score
        total = weights = 0
        for name, weight in self.resources:
            capacity = amounts(node_info.allocatable, name)
            if capacity == 0:
                continue  # a resource the node does not have is left out of the average
            requested = amounts(node_info.non_zero_requested, name)
            requested += amounts(pod_info.non_zero_requests, name)
            total += per_resource(requested, capacity) * weight
            weights += weight
        return total // weights if weights else 0

    def _requested_to_capacity_ratio(self, pod_info, node_info) -> int:
        """Score on a configured curve of utilization (upstream requested_to_capacity_ratio.go).

        shape [(0, 0), (100, 10)] is bin packing (fuller is better); [(0, 10), (100, 0)] spreads.
        """
        total = weights = 0
        for name, weight in self.resources:
            capacity = amounts(node_info.allocatable, name)
            if capacity == 0:
                continue
            requested = amounts(node_info.non_zero_requested, name)
            requested += amounts(pod_info.non_zero_requests, name)
            utilization = MAX_UTILIZATION if requested > capacity else requested * MAX_UTILIZATION // capacity
            total += broken_linear(self.shape, utilization) * weight
            weights += weight
        return int(total / weights + 0.5) if weights else 0  # Go's math.Round
