"""What the scheduler knows about each node: NodeInfo and Resource (upstream `framework/types.go`).

The scheduler never asks a kubelet how busy its node is. It adds up the
*requests* of the pods it has placed there (including pods it has just
assumed, whose binding is still on its way) and compares them with the
node's `status.allocatable`. That bookkeeping is `NodeInfo`.

`PodInfo` holds what the plugins read from a pod, worked out once when the
pod is first seen (parsing "500m" on every node of every cycle would be slow).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from k8slab.api.quantity import Quantity

#: Requests assumed for a container that sets none, for *scoring* only
#: (upstream `util.DefaultMilliCPURequest`, `DefaultMemoryRequest`): 100m cpu and 200Mi.
DEFAULT_MILLI_CPU_REQUEST = 100
DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024


@lru_cache(maxsize=4096)
def milli(text: str) -> int:
    """A quantity in thousandths ("500m" -> 500, "2" -> 2000)."""
    return Quantity(str(text)).milli_value


@lru_cache(maxsize=4096)
def whole(text: str) -> int:
    """A quantity as a whole number ("1Gi" -> 1073741824)."""
    return Quantity(str(text)).value


@dataclass
class Resource:
    """Amounts of the resources the scheduler counts (framework.Resource)."""

    milli_cpu: int = 0
    memory: int = 0
    ephemeral_storage: int = 0
    allowed_pod_number: int = 0
    scalar: dict[str, int] = field(default_factory=dict)  # extended resources such as nvidia.com/gpu

    @classmethod
    def from_list(cls, resources: dict | None) -> Resource:
        """A Resource from a ResourceList such as {"cpu": "500m", "memory": "1Gi"}."""
        result = cls()
        for name, amount in (resources or {}).items():
            result.set(name, amount)
        return result

    def set(self, name: str, amount: str) -> None:
        if name == "cpu":
            self.milli_cpu = milli(amount)
        elif name == "memory":
            self.memory = whole(amount)
        elif name == "ephemeral-storage":
            self.ephemeral_storage = whole(amount)
        elif name == "pods":
            self.allowed_pod_number = whole(amount)
        elif "/" in name or name.startswith("hugepages-"):
            self.scalar[name] = whole(amount)

    def add(self, other: Resource, sign: int = 1) -> None:
        self.milli_cpu += sign * other.milli_cpu
        self.memory += sign * other.memory
        self.ephemeral_storage += sign * other.ephemeral_storage
        for name, amount in other.scalar.items():
            self.scalar[name] = self.scalar.get(name, 0) + sign * amount

    def set_max(self, other: Resource) -> None:
        self.milli_cpu = max(self.milli_cpu, other.milli_cpu)
        self.memory = max(self.memory, other.memory)
        self.ephemeral_storage = max(self.ephemeral_storage, other.ephemeral_storage)
        for name, amount in other.scalar.items():
            self.scalar[name] = max(self.scalar.get(name, 0), amount)

    def copy(self) -> Resource:
        return Resource(self.milli_cpu, self.memory, self.ephemeral_storage, self.allowed_pod_number,
                        dict(self.scalar))


def pod_requests(pod: dict, non_zero: bool = False) -> Resource:
    """What a pod asks for (resourcehelper.PodRequests).

    The sum over its containers, or the largest init container if that is
    more (init containers run one at a time, before the others), plus the
    pod's overhead. With `non_zero`, a container that asks for no cpu or no
    memory counts as asking for 100m / 200Mi, which is what the scoring
    plugins use so that "free" pods still spread out.
    """
    spec = pod.get("spec") or {}
    total = Resource()
    for container in spec.get("containers") or []:
        total.add(_container_requests(container, non_zero))
    for container in spec.get("initContainers") or []:
        total.set_max(_container_requests(container, non_zero))
    if spec.get("overhead"):
        total.add(Resource.from_list(spec["overhead"]))
    return total


#: A container's requests, parsed once per distinct (limits, requests) and shared: read-only Resources.
_PARSED_REQUESTS: dict[tuple, Resource] = {}
MAX_PARSED_REQUESTS = 4096


def _container_requests(container: dict, non_zero: bool) -> Resource:
    """What one container asks for. Pods of one template ask alike, so the parse is remembered."""
    resources = container.get("resources") or {}
    try:
        limits, requests = resources.get("limits") or {}, resources.get("requests") or {}
        key = (tuple(limits.items()), tuple(requests.items()), non_zero)
        known = _PARSED_REQUESTS.get(key)
    except (TypeError, AttributeError):  # an unhashable amount or a malformed list: parse, keep nothing
        return _parse_container_requests(resources, non_zero)
    if known is None:
        known = _parse_container_requests(resources, non_zero)
        if len(_PARSED_REQUESTS) >= MAX_PARSED_REQUESTS:
            _PARSED_REQUESTS.clear()
        _PARSED_REQUESTS[key] = known
    return known


def _parse_container_requests(resources: dict, non_zero: bool) -> Resource:
    requests = dict(resources.get("limits") or {})  # a limit without a request means request = limit
    requests.update(resources.get("requests") or {})
    result = Resource.from_list({k: v for k, v in requests.items() if k != "pods"})
    if non_zero:
        if "cpu" not in requests:
            result.milli_cpu = DEFAULT_MILLI_CPU_REQUEST
        if "memory" not in requests:
            result.memory = DEFAULT_MEMORY_REQUEST
    return result


def pod_key(pod: dict) -> str:
    meta = pod["metadata"]
    return f"{meta.get('namespace', 'default')}/{meta['name']}"


@dataclass(eq=False)
class PodInfo:
    """A pod plus what the plugins read from it, computed once (framework.PodInfo)."""

    pod: dict
    key: str
    requests: Resource
    non_zero_requests: Resource
    host_ports: list[tuple[str, str, int]]  # (hostIP, protocol, hostPort)
    priority: int
    has_pod_affinity: bool = False  # podAffinity or podAntiAffinity: InterPodAffinity must look at it

    @classmethod
    def of(cls, pod: dict) -> PodInfo:
        spec = pod.get("spec") or {}
        ports = []
        for container in spec.get("containers") or []:
            for port in container.get("ports") or []:
                if port.get("hostPort"):
                    ports.append((port.get("hostIP") or "0.0.0.0", port.get("protocol") or "TCP",
                                  int(port["hostPort"])))
        affinity = spec.get("affinity") or {}
        return cls(pod, pod_key(pod), pod_requests(pod), pod_requests(pod, non_zero=True), ports,
                   int(spec.get("priority") or 0),
                   bool(affinity.get("podAffinity") or affinity.get("podAntiAffinity")))

    @property
    def spec(self) -> dict:
        return self.pod.get("spec") or {}

    @property
    def labels(self) -> dict:
        return self.pod["metadata"].get("labels") or {}

    @property
    def namespace(self) -> str:
        return self.pod["metadata"].get("namespace", "default")


class NodeInfo:
    """One node and the pods the scheduler has placed on it (framework.NodeInfo).

    `requested` sums the pods' real requests (NodeResourcesFit filters on
    it); `non_zero_requested` sums them with the 100m/200Mi defaults
    (the scoring plugins use it); `used_ports` holds the host ports taken.
    """

    def __init__(self, node: dict | None = None):
        self.node: dict | None = None
        self.pods: dict[str, PodInfo] = {}
        self.pods_with_affinity: dict[str, PodInfo] = {}
        self.requested = Resource()
        self.non_zero_requested = Resource()
        self.allocatable = Resource()
        self.used_ports: set[tuple[str, str, int]] = set()
        self.images: dict[str, int] = {}
        self.generation = 0
        if node is not None:
            self.set_node(node)

    def __repr__(self) -> str:
        return f"NodeInfo({self.name!r}, pods={len(self.pods)}, cpu={self.requested.milli_cpu}m)"

    @property
    def name(self) -> str:
        return self.node["metadata"]["name"] if self.node else ""

    @property
    def labels(self) -> dict:
        return (self.node or {}).get("metadata", {}).get("labels") or {}

    @property
    def taints(self) -> list[dict]:
        return (self.node or {}).get("spec", {}).get("taints") or []

    def set_node(self, node: dict) -> None:
        self.node = node
        self.allocatable = Resource.from_list(node.get("status", {}).get("allocatable"))
        from k8slab.scheduler.plugins.imagelocality import node_images

        self.images = node_images(node)  # image name -> size in bytes
        self.generation += 1

    def add_pod(self, pod_info: PodInfo) -> None:
        if pod_info.key in self.pods:
            return
        self.pods[pod_info.key] = pod_info
        if pod_info.has_pod_affinity:
            self.pods_with_affinity[pod_info.key] = pod_info
        self.requested.add(pod_info.requests)
        self.non_zero_requested.add(pod_info.non_zero_requests)
        self.used_ports.update(pod_info.host_ports)
        self.generation += 1

    def remove_pod(self, key: str) -> PodInfo | None:
        pod_info = self.pods.pop(key, None)
        if pod_info is None:
            return None
        self.pods_with_affinity.pop(key, None)
        self.requested.add(pod_info.requests, -1)
        self.non_zero_requested.add(pod_info.non_zero_requests, -1)
        self.used_ports = {p for info in self.pods.values() for p in info.host_ports}
        self.generation += 1
        return pod_info

    def clone(self) -> NodeInfo:
        """A copy with its own pod list (preemption tries removing pods on a copy)."""
        copy = NodeInfo()
        copy.node = self.node
        copy.allocatable = self.allocatable
        copy.images = self.images
        copy.pods = dict(self.pods)
        copy.pods_with_affinity = dict(self.pods_with_affinity)
        copy.requested = self.requested.copy()
        copy.non_zero_requested = self.non_zero_requested.copy()
        copy.used_ports = set(self.used_ports)
        return copy
