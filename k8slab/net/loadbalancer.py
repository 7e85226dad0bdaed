"""The load balancer in front of the cluster: external IPs for LoadBalancer Services, node health checks.

Built in notebook 08 (the load balancer and the full request path), step 11
of the architecture diagram: a user's traffic arrives at an address outside
the cluster and a load balancer picks a node to carry it in.

Kubernetes does not ship a load balancer. It asks the cloud for one: the
*service controller* in cloud-controller-manager (upstream:
`k8s.io/cloud-provider/controllers/service/controller.go`) watches Services
of type LoadBalancer and Nodes, asks the cloud to "ensure" a load balancer
whose backends are the cluster's nodes, and writes the address it got into
the Service's `status.loadBalancer.ingress`. The cloud's load balancer then
health-checks every node and sends each new connection to a healthy one.
This module plays both parts (on bare metal, MetalLB plays them):

    Service type=LoadBalancer --watch--> LoadBalancerController.sync_service
        -> Events EnsuringLoadBalancer, EnsuredLoadBalancer
        -> an IP from the pool (spec.loadBalancerIP if asked and free)
        -> status.loadBalancer.ingress: [{ip: ..., ipMode: VIP}]
    every `interval` seconds: probe every backend node
        externalTrafficPolicy Cluster: kube-proxy's healthz (port 10256) on the node
        externalTrafficPolicy Local:   the Service's healthCheckNodePort, which answers
                                       200 only where a ready pod of the Service runs
    route(ip, port, client): one healthy node, at random (the loop's seeded generator)

What the node does with the packet is kube-proxy's business: it still has
the load balancer's IP as its destination (ipMode VIP), and the node's
rules have a "loadbalancer IP" entry for it (see `k8slab.net.proxy`).

Backends are all nodes except those labelled
`node.kubernetes.io/exclude-from-external-load-balancers` or being deleted
(upstream's StableLoadBalancerNodeSet: a node that is merely NotReady stays
a backend, and the health checks take it out). Events and their words are
the service controller's: EnsuringLoadBalancer "Ensuring load balancer",
EnsuredLoadBalancer "Ensured load balancer", UpdatedLoadBalancer "Updated
load balancer with new hosts", DeletingLoadBalancer / DeletedLoadBalancer,
UnAvailableLoadBalancer "There are no available nodes for LoadBalancer",
SyncLoadBalancerFailed "Error syncing load balancer: failed to ensure load
balancer: ...", retried with back-off from 5 s to 300 s.

Simplified, out loud: the pool of addresses is one CIDR the lab picks
(203.0.113.0/24, a range reserved for documentation); the wording after
"failed to ensure load balancer:" is the lab's (each cloud has its own); no
`service.kubernetes.io/load-balancer-cleanup` finalizer (the address is
released when the controller sees the Service go); health checks are a
direct look at the node's kube-proxy (the "network" is a table of node name
-> kube-proxy), every 5 s; a node is out after 2 failures in a row and in
after 2 successes, so a new load balancer takes one interval before it
carries traffic (clouds differ: these are the lab's values); a load
balancer with no healthy node drops the connection (some clouds "fail
open" and use every node then); one IPv4 address per Service, TCP and UDP
alike; no loadBalancerSourceRanges, no sessionAffinity at the load balancer.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

from k8slab.api.errors import Conflict, NotFound, StatusError
from k8slab.client import Client, Informer, WorkQueue, deep_copy, key_of, process_next_work_item, split_key
from k8slab.controllers.events import NORMAL, WARNING, EventRecorder

COMPONENT = "service-controller"
DEFAULT_POOL = "203.0.113.0/24"
LABEL_EXCLUDE = "node.kubernetes.io/exclude-from-external-load-balancers"
HEALTHZ_PORT = 10256
#: Seconds between two health checks of one node (the lab's value).
CHECK_INTERVAL = 5.0
#: Consecutive failed checks that take a node out, and successful ones that bring it back.
UNHEALTHY_THRESHOLD = 2
HEALTHY_THRESHOLD = 2
#: The service controller's retry back-off: 5 s, doubling, at most 300 s.
MIN_RETRY_DELAY = 5.0
MAX_RETRY_DELAY = 300.0


@dataclass
class Backend:
    """One node behind a load balancer, and what its health checks said."""

    node: str
    address: str
    healthy: bool = False
    successes: int = 0  # in a row
    failures: int = 0  # in a row
    last_status: int | None = None  # HTTP status of the last check (None: no answer)
    last_check: float | None = None


@dataclass
class LoadBalancer:
    """The cloud's load balancer for one Service."""

    namespace: str
    name: str
    ip: str
    ports: list[tuple[int, str]]  # (port, protocol)
    policy_local: bool = False
    health_check_node_port: int = 0
    backends: dict[str, Backend] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"

    def healthy_nodes(self) -> list[str]:
        return [name for name, backend in self.backends.items() if backend.healthy]


@dataclass
class Decision:
    """Where the load balancer sends one new connection.

    node is "" when no node is healthy (the connection is dropped: `reason` says why).
    """

    ip: str
    port: int
    node: str = ""
    node_address: str = ""
    service: str = ""
    reason: str = ""

    def __repr__(self) -> str:
        if self.node:
            target = f"{self.node} ({self.node_address})"
            return f"Decision({self.ip}:{self.port} -> {target}, service {self.service})"
        return f"Decision({self.ip}:{self.port} dropped: {self.reason})"


class IPPool:
    """The addresses the load balancer may hand out, lowest free first (runs agree without a dice)."""

    def __init__(self, cidr: str):
        self.network = ipaddress.ip_network(cidr)
        self.allocated: set[str] = set()

    def allocate(self, requested: str = "") -> str:
        if requested:
            try:
                address = ipaddress.ip_address(requested)
            except ValueError:
                raise ValueError(f"requested IP {requested!r} is not a valid IP address") from None
            if address not in self.network:
                raise ValueError(f"requested IP {requested} is not in the pool {self.network}")
            if requested in self.allocated:
                raise ValueError(f"requested IP {requested} is already in use")
            self.allocated.add(requested)
            return requested
        for address in self.network.hosts():
            if str(address) not in self.allocated:
                self.allocated.add(str(address))
                return str(address)
        raise ValueError(f"no IP addresses left in the pool {self.network}")

    def release(self, address: str) -> None:
        self.allocated.discard(address)


def wants_load_balancer(service: dict | None) -> bool:
    return service is not None and (service.get("spec") or {}).get("type") == "LoadBalancer"


def node_address(node: dict) -> str:
    for address in (node.get("status") or {}).get("addresses") or []:
        if address.get("type") == "InternalIP":
            return address.get("address", "")
    return ""


def is_backend(node: dict) -> bool:
    """The service controller's node predicate: not excluded by label, not being deleted."""
    labels = node["metadata"].get("labels") or {}
    return LABEL_EXCLUDE not in labels and not node["metadata"].get("deletionTimestamp")


class LoadBalancerController:
    """cloud-controller-manager's service controller, and the cloud's load balancers it ensures.

    lb = LoadBalancerController(Client(api, user="system:cloud-controller-manager"))
    lb.register_proxy("node-1", proxy_1)   # the "network": who answers health checks on node-1
    lb.run()
    loop.run(seconds=10)
    lb.route("203.0.113.1", 80, client="198.51.100.7")   # -> Decision(... -> node-2 ...)
    """

    def __init__(
        self,
        client: Client,
        pool: str = DEFAULT_POOL,
        recorder: Any = None,
        interval: float = CHECK_INTERVAL,
        healthy_threshold: int = HEALTHY_THRESHOLD,
        unhealthy_threshold: int = UNHEALTHY_THRESHOLD,
        services: Informer | None = None,
        nodes: Informer | None = None,
    ):
        if not interval > 0 or healthy_threshold < 1 or unhealthy_threshold < 1:
            raise ValueError("interval must be > 0 and the thresholds >= 1")
        self.client = client
        self.loop = client.loop
        self.pool = IPPool(pool)
        self.recorder = recorder if recorder is not None else EventRecorder(client, COMPONENT)
        self.interval = interval
        self.healthy_threshold = healthy_threshold
        self.unhealthy_threshold = unhealthy_threshold
        self.services = services if services is not None else Informer(client, "services")
        self.nodes = nodes if nodes is not None else Informer(client, "nodes")
        self.queue = WorkQueue(self.loop, name="service", wake=self.worker)
        #: Service key -> its load balancer.
        self.balancers: dict[str, LoadBalancer] = {}
        #: node name -> the kube-proxy that answers health checks there (the network, not the API).
        self.proxies: dict[str, Any] = {}
        self._retries: dict[str, int] = {}
        self._last_seen: dict[str, dict] = {}
        self._timer = None
        self.running = False
        self._listening: dict | None = None  # (ip, port, protocol) -> balancer; None: to be rebuilt
        self.services.add_event_handler(
            on_add=self.enqueue, on_update=lambda old, new: self.enqueue(new), on_delete=self.enqueue
        )
        self.nodes.add_event_handler(
            on_add=self.node_changed, on_update=self.node_updated, on_delete=self.node_changed
        )

    def __repr__(self) -> str:
        return f"LoadBalancerController(pool={str(self.pool.network)!r}, balancers={len(self.balancers)})"

    def register_proxy(self, node: str, proxy: Any) -> None:
        """Say which kube-proxy answers health checks on `node` (what a wire to the node would reach)."""
        self.proxies[node] = proxy

    def run(self) -> None:
        if self.running:
            return
        self.running = True
        for informer in (self.services, self.nodes):
            informer.run()
        self._timer = self.loop.call_later(self.interval, self._check_tick)

    def stop(self) -> None:
        self.running = False
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        for informer in (self.services, self.nodes):
            informer.stop()
        self.queue.shutdown()

    def worker(self) -> None:
        while process_next_work_item(self.queue, self.sync_service):
            pass

    # -- handlers ---------------------------------------------------------------------------

    def enqueue(self, service: dict) -> None:
        self.queue.add(key_of(service))

    def node_changed(self, node: dict) -> None:
        for key in sorted(self.balancers):
            self.queue.add(key)

    def node_updated(self, old: dict, new: dict) -> None:
        if is_backend(old) != is_backend(new) or node_address(old) != node_address(new):
            self.node_changed(new)

    # -- the service controller's sync ------------------------------------------------------

    def sync_service(self, key: str) -> None:
        """Ensure the load balancer of a LoadBalancer Service; delete it for any other Service."""
        service = self.services.get(key)
        if service is not None:
            self._last_seen[key] = service
        if not wants_load_balancer(service) or (service or {}).get("metadata", {}).get("deletionTimestamp"):
            if key in self.balancers:
                self.delete_load_balancer(key, service or self._last_seen.get(key))
            if service is None:
                self._last_seen.pop(key, None)
            self._retries.pop(key, None)
            return
        try:
            self.ensure_load_balancer(service)
        except ValueError as error:
            message = f"Error syncing load balancer: failed to ensure load balancer: {error}"
            self.recorder.event(service, WARNING, "SyncLoadBalancerFailed", message)
            retries = self._retries.get(key, 0)
            self._retries[key] = retries + 1
            self.queue.add_after(key, min(MIN_RETRY_DELAY * 2**retries, MAX_RETRY_DELAY))
            return
        self._retries.pop(key, None)

    def ensure_load_balancer(self, service: dict) -> LoadBalancer:
        key = key_of(service)
        spec = service.get("spec") or {}
        balancer = self.balancers.get(key)
        requested = spec.get("loadBalancerIP") or ""
        if balancer is not None and requested and requested != balancer.ip:
            self.recorder.event(service, NORMAL, "LoadbalancerIP", f"{balancer.ip} -> {requested}")
            self.delete_load_balancer(key, service, quiet=True)
            balancer = None
        created = balancer is None
        if created:
            self.recorder.event(service, NORMAL, "EnsuringLoadBalancer", "Ensuring load balancer")
            ip = self.pool.allocate(requested)
            meta = service["metadata"]
            balancer = LoadBalancer(meta.get("namespace", "default"), meta["name"], ip, [])
            self.balancers[key] = balancer
        balancer.ports = [(int(p["port"]), p.get("protocol") or "TCP") for p in spec.get("ports") or []]
        self._listening = None
        balancer.policy_local = spec.get("externalTrafficPolicy") == "Local"
        balancer.health_check_node_port = int(spec.get("healthCheckNodePort") or 0)
        hosts_changed = self.update_backends(balancer)
        if not balancer.backends and (created or hosts_changed):
            self.recorder.event(
                service, WARNING, "UnAvailableLoadBalancer", "There are no available nodes for LoadBalancer"
            )
        self.write_status(service, [{"ip": balancer.ip, "ipMode": "VIP"}])
        if created:
            self.check_load_balancer(balancer)  # the first checks run at once
            self.recorder.event(service, NORMAL, "EnsuredLoadBalancer", "Ensured load balancer")
        elif hosts_changed and balancer.backends:
            self.recorder.event(
                service, NORMAL, "UpdatedLoadBalancer", "Updated load balancer with new hosts"
            )
        return balancer

    def update_backends(self, balancer: LoadBalancer) -> bool:
        """Make the backends the nodes that qualify; returns whether the set changed."""
        wanted = {
            node["metadata"]["name"]: node_address(node)
            for node in sorted(self.nodes.list(), key=lambda n: n["metadata"]["name"])
            if is_backend(node)
        }
        changed = set(wanted) != set(balancer.backends)
        for name in [n for n in balancer.backends if n not in wanted]:
            del balancer.backends[name]
        for name, address in wanted.items():
            if name in balancer.backends:
                balancer.backends[name].address = address
            else:
                balancer.backends[name] = Backend(name, address)
        balancer.backends = dict(sorted(balancer.backends.items()))
        return changed

    def delete_load_balancer(self, key: str, service: dict | None, quiet: bool = False) -> None:
        balancer = self.balancers.pop(key)
        self._listening = None
        if service is not None and not quiet:
            self.recorder.event(service, NORMAL, "DeletingLoadBalancer", "Deleting load balancer")
        self.pool.release(balancer.ip)
        if service is not None and self.services.get(key) is not None:
            self.write_status(service, [])
        if service is not None and not quiet:
            self.recorder.event(service, NORMAL, "DeletedLoadBalancer", "Deleted load balancer")

    def write_status(self, service: dict, ingress: list[dict]) -> None:
        """Set status.loadBalancer.ingress (through the status subresource) if it differs."""
        wanted = {"ingress": ingress} if ingress else {}
        if ((service.get("status") or {}).get("loadBalancer") or {}) == wanted:
            return
        namespace, name = split_key(key_of(service))
        for _ in range(3):
            try:
                fresh = deep_copy(self.client.get("services", name, namespace=namespace))
            except NotFound:
                return
            fresh.setdefault("status", {})["loadBalancer"] = wanted
            try:
                self.client.update_status(fresh)
                return
            except Conflict:
                continue  # someone wrote the Service meanwhile: read it again
            except StatusError:
                raise

    # -- health checks ----------------------------------------------------------------------

    def _check_tick(self) -> None:
        self._timer = None
        if not self.running:
            return
        for key in sorted(self.balancers):
            self.check_load_balancer(self.balancers[key])
        self._timer = self.loop.call_later(self.interval, self._check_tick)

    def probe(self, balancer: LoadBalancer, node: str) -> int | None:
        """One health check of one node: the HTTP status it answers, or None if nothing answers."""
        proxy = self.proxies.get(node)
        if proxy is None or not getattr(proxy, "running", False):
            return None  # the node (or its kube-proxy) is down: the connection times out
        if balancer.policy_local:
            status, _ = proxy.service_health(balancer.namespace, balancer.name)
        else:
            status, _ = proxy.healthz()
        return status

    def check_load_balancer(self, balancer: LoadBalancer) -> None:
        now = self.loop.now
        for backend in balancer.backends.values():
            status = self.probe(balancer, backend.node)
            backend.last_status, backend.last_check = status, now
            if status == 200:
                backend.successes += 1
                backend.failures = 0
                if backend.successes >= self.healthy_threshold:
                    backend.healthy = True
            else:
                backend.failures += 1
                backend.successes = 0
                if backend.failures >= self.unhealthy_threshold:
                    backend.healthy = False

    # -- traffic ----------------------------------------------------------------------------

    def balancer_for(self, ip: str, port: int, protocol: str = "TCP") -> LoadBalancer | None:
        """The load balancer listening on ip:port, if any (from a listener table kept until one changes)."""
        listening = self._listening
        if listening is None:
            listening = {}
            for key in sorted(self.balancers, reverse=True):  # the first key in order wins a clash
                balancer = self.balancers[key]
                for balancer_port, balancer_protocol in balancer.ports:
                    listening[(balancer.ip, balancer_port, balancer_protocol)] = balancer
            self._listening = listening
        return listening.get((ip, int(port), protocol))

    def route(self, ip: str, port: int, client: str = "", protocol: str = "TCP", rng: Any = None) -> Decision:
        """Pick the node that gets a new connection to ip:port: any healthy backend, at random."""
        balancer = self.balancer_for(ip, port, protocol)
        if balancer is None:
            reason = "no load balancer listens on this address and port"
            return Decision(ip, int(port), reason=reason)
        healthy = balancer.healthy_nodes()
        if not healthy:
            return Decision(
                ip, int(port), service=balancer.key, reason="no healthy node behind the load balancer"
            )
        rng = rng if rng is not None else self.loop.random
        node = healthy[rng.randrange(len(healthy))]
        return Decision(ip, int(port), node, balancer.backends[node].address, balancer.key)

    def frame(self) -> Any:
        """One row per (Service, node): the load balancer's view of its backends."""
        import pandas as pd

        rows = [
            {
                "service": balancer.key,
                "external IP": balancer.ip,
                "ports": ",".join(f"{port}/{protocol}" for port, protocol in balancer.ports),
                "check": (
                    f"{backend.address}:{balancer.health_check_node_port}/"
                    if balancer.policy_local
                    else f"{backend.address}:{HEALTHZ_PORT}/healthz"
                ),
                "node": backend.node,
                "healthy": backend.healthy,
                "last status": backend.last_status if backend.last_status is not None else "no answer",
                "failures in a row": backend.failures,
            }
            for key in sorted(self.balancers)
            for balancer in [self.balancers[key]]
            for backend in balancer.backends.values()
        ]
        columns = [
            "service",
            "external IP",
            "ports",
            "check",
            "node",
            "healthy",
            "last status",
            "failures in a row",
        ]
        return pd.DataFrame(rows, columns=columns)


__all__ = [
    "Backend",
    "Decision",
    "IPPool",
    "LoadBalancer",
    "LoadBalancerController",
]
