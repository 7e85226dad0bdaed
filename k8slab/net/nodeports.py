"""NodePorts: the port in 30000-32767 every node opens for a NodePort or LoadBalancer Service.

Built in notebook 08. kube-apiserver hands them out when a Service is
created (upstream: `pkg/registry/core/service/portallocator`), as it hands
out clusterIPs: a requested port is checked (in range? free?), otherwise a
free one is picked at random. Since Kubernetes 1.29 the range is split in
two bands: random picks come from the upper band first, so that the low
ports (the first min(max(16, size/32), 128), 30000-30085 for the default
range; none in a range of 16 or fewer) stay free for people who want to choose a port themselves.

    allocator = NodePortAllocator(random)          # the loop's seeded generator
    allocator.allocate_service(service)            # fills spec.ports[*].nodePort, or raises Invalid
    allocator.release_service(service)             # when the Service is deleted

The errors are kube-apiserver's: `spec.ports[0].nodePort: Invalid value:
30080: provided port is already allocated`, `... provided port is not in
the valid range. The range of valid ports is 30000-32767`, and an internal
error "failed to allocate a nodePort: range is full".
"""

from __future__ import annotations

from typing import Any

from k8slab.api.errors import ErrorList, InternalError, invalid

DEFAULT_RANGE = "30000-32767"


class NodePortAllocator:
    """The set of NodePorts in use, and the rules for handing out new ones."""

    def __init__(self, random: Any, port_range: str = DEFAULT_RANGE):
        try:
            low, high = (int(part) for part in port_range.split("-"))
        except ValueError:
            raise ValueError(f"invalid port range {port_range!r}: expected <low>-<high>") from None
        if not 0 < low <= high <= 65535:
            raise ValueError(f"invalid port range {port_range!r}")
        self.random = random
        self.low, self.high = low, high
        self.port_range = port_range
        size = high - low + 1
        # calculateRangeOffset: low .. low+static_band-1 are picked at random only when the rest are taken
        self.static_band = 0 if size <= 16 else min(max(16, size // 32), 128)
        self.allocated: set[int] = set()

    def __repr__(self) -> str:
        return f"NodePortAllocator({self.port_range!r}, allocated={len(self.allocated)})"

    def allocate(self, requested: int | None = None) -> int:
        """Take `requested` (ValueError in the API's words if taken or out of range), or any free port."""
        if requested:
            if not self.low <= requested <= self.high:
                raise ValueError(
                    f"provided port is not in the valid range. The range of valid ports is {self.port_range}"
                )
            if requested in self.allocated:
                raise ValueError("provided port is already allocated")
            self.allocated.add(requested)
            return requested
        for first, last in (
            (self.low + self.static_band, self.high),
            (self.low, self.low + self.static_band - 1),
        ):
            free = last - first + 1 - sum(1 for p in self.allocated if first <= p <= last)
            if last < first or free <= 0:
                continue
            # A random start, then the next free port up (wrapping): the seeded generator keeps runs equal.
            start = self.random.randrange(last - first + 1)
            for offset in range(last - first + 1):
                port = first + (start + offset) % (last - first + 1)
                if port not in self.allocated:
                    self.allocated.add(port)
                    return port
        raise ValueError("range is full")

    def release(self, port: int) -> None:
        self.allocated.discard(port)

    def allocate_service(self, service: dict) -> dict:
        """Give every port of a NodePort/LoadBalancer Service a nodePort; all or nothing.

        Returns the Service (changed in place). On a bad request nothing is
        kept and the API's Invalid (or InternalError when the range is full)
        is raised.
        """
        spec = service.get("spec") or {}
        service_type = spec.get("type") or "ClusterIP"
        if service_type not in ("NodePort", "LoadBalancer"):
            return service
        if service_type == "LoadBalancer" and spec.get("allocateLoadBalancerNodePorts") is False:
            return service
        taken: list[int] = []
        errors = ErrorList()
        ports = spec.get("ports") or []
        original = {
            "nodePorts": [p.get("nodePort") for p in ports if p.get("nodePort")],
            "healthCheckNodePort": spec.get("healthCheckNodePort"),
        }
        try:
            for index, port in enumerate(ports):  # requested ports first, as the registry does
                if port.get("nodePort"):
                    try:
                        taken.append(self.allocate(int(port["nodePort"])))
                    except ValueError as error:
                        errors.invalid(f"spec.ports[{index}].nodePort", port["nodePort"], str(error))
            local = spec.get("externalTrafficPolicy") == "Local"
            needs_health_check = service_type == "LoadBalancer" and local
            if needs_health_check and spec.get("healthCheckNodePort"):
                try:
                    taken.append(self.allocate(int(spec["healthCheckNodePort"])))
                except ValueError as error:
                    errors.invalid("spec.healthCheckNodePort", spec["healthCheckNodePort"], str(error))
            if errors:
                raise invalid("Service", (service.get("metadata") or {}).get("name", ""), "", errors)
            for port in ports:
                if not port.get("nodePort"):
                    port["nodePort"] = self._allocate_any()
                    taken.append(port["nodePort"])
            if needs_health_check and not spec.get("healthCheckNodePort"):
                spec["healthCheckNodePort"] = self._allocate_any()  # where load balancers ask "any pod here?"
                taken.append(spec["healthCheckNodePort"])
        except Exception:
            for port_number in taken:
                self.release(port_number)
            for port in ports:
                if port.get("nodePort") in taken and not _requested(port["nodePort"], original):
                    port.pop("nodePort", None)
            if spec.get("healthCheckNodePort") in taken and not original.get("healthCheckNodePort"):
                spec.pop("healthCheckNodePort", None)
            raise
        return service

    def _allocate_any(self) -> int:
        try:
            return self.allocate()
        except ValueError as error:
            raise InternalError(f"failed to allocate a nodePort: {error}") from None

    def release_service(self, service: dict) -> None:
        spec = service.get("spec") or {}
        for port in spec.get("ports") or []:
            if port.get("nodePort"):
                self.release(int(port["nodePort"]))
        if spec.get("healthCheckNodePort"):
            self.release(int(spec["healthCheckNodePort"]))


def _requested(port: int, original: dict) -> bool:
    return port in original["nodePorts"]


__all__ = ["DEFAULT_RANGE", "NodePortAllocator"]
