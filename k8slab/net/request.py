"""One request's journey, steps 11 to 15: user -> load balancer -> node -> kube-proxy -> pod, and back.

Built in notebook 08 (the load balancer and the whole request path). Nothing
here is a component of Kubernetes: it is the network between them, the
wire a packet travels. `request(cluster, url)` carries one HTTP request the
way the packets would go and writes down every hop:

    from the internet, to a LoadBalancer Service's external IP:
      11  the load balancer picks one of its healthy nodes
      12  the packet reaches that node, still addressed to the external IP
      13  the node's kube-proxy rules DNAT it to one pod (maybe on another node,
          over the pod network), and masquerade it if the Service says so
      14  the pod's container answers (its own latency: see k8slab.kubelet.runtime)
      15  the reply goes back: conntrack undoes the rewrite, the load balancer returns it
    from the internet to a node's address and a NodePort: the same from step 12
    from a pod (`source="default/client"`): cluster DNS turns the name into
    the clusterIP, then the pod's own node's rules take it from step 13

Time: a request is instantaneous in virtual time. `request()` does not run
the loop; it looks at the cluster as it is at `cluster.now` and *models* the
time the trip takes (each hop's latency, below), which it reports. The
traffic generator (`k8slab.net.traffic`) is what spreads requests over
virtual time: it schedules each one on the loop at its moment, so the
cluster can change (a rolling update, a node failure) between two requests.

The latency model, simple and stated:

    user <-> load balancer            1 ms each way  (INTERNET)
    load balancer <-> node            0.5 ms each way (LB_TO_NODE)
    node <-> node (the pod network)   0.5 ms each way (NODE_TO_NODE)
    a cluster DNS lookup              0.5 ms (DNS_LOOKUP)
    the rules on a node               0 (the kernel rewrites a packet in microseconds)
    the container                     what its behaviour says (2 ms for the web server, more when busy)

Failures are results, not exceptions, worded as curl words them:
an unknown name ("curl: (6) Could not resolve host"), a Service with no
ready endpoint (REJECT, icmp-port-unreachable: "Connection refused"), a port
nothing listens on (the node or the pod answers with a reset: "Connection
refused"), a node that is down, a dropped packet or a cluster address asked
from the internet (nothing answers: "Connection timed out" after `timeout`
seconds, as `curl --connect-timeout 10`), an address nobody holds ("No
route to host" after 3 s, when ARP gives up). A container that is not
running refuses; one that is running but unhealthy answers 500 itself.
Bad arguments (not a URL, an unknown method, a source pod that does not
exist) raise, and change nothing.

Simplified, out loud: TCP and HTTP/1.1 only, one connection per request
(no keep-alive, so every request is a new connection through the rules);
the response's headers are the few a web server always sends; the
container sees the request at the instant it was sent; the pod network is
flat (any node reaches any pod directly) and the nodes' addresses are
reachable from the user, as on a lab network; a node's own resolver does
not know cluster.local (only pods use cluster DNS). The dice of the
request path (which node, which pod) come from a generator of their own,
seeded from the loop's seed: sending requests does not change the names
and uids the cluster hands out afterwards. Pass `rng=` to use another.
"""

from __future__ import annotations

import functools
import html
import ipaddress
import random
import re
import weakref
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from k8slab.net.dns import NAMESERVER, ClusterDNS, is_ip
from k8slab.net.fastpath import FastRoutes

INTERNET = 0.001
LB_TO_NODE = 0.0005
NODE_TO_NODE = 0.0005
DNS_LOOKUP = 0.0005
#: How long a client waits for a connection nothing answers (curl --connect-timeout 10).
CONNECT_TIMEOUT = 10.0
#: How long the kernel tries ARP for an address nobody holds before "No route to host".
NO_ROUTE_SECONDS = 3.0
#: Where the user sits: an address reserved for documentation (TEST-NET-2).
DEFAULT_CLIENT = "198.51.100.7"
HEALTHZ_PORT = 10256
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
_VERSION = re.compile(r"\(version ([^)]*)\)")


# ----------------------------------------------------------------------------- results


@dataclass
class Hop:
    """One hop of a traced request: its step on the diagram, where, from and to which address, what happened.

    `latency` is in virtual seconds; `total` is the time since the request left the client.
    """

    step: int
    component: str
    node: str
    source: str
    destination: str
    what: str
    latency: float
    total: float = 0.0
    rules: str = ""  # the chains the packet went through, for a rules hop


@dataclass
class Response:
    """What came back: the HTTP status, body and headers, or the client's error; and the trace of hops.

    `status` is 0 when no HTTP answer came (curl prints 000 then), with `error` saying why.
    """

    url: str
    method: str
    status: int = 0
    body: str = ""
    headers: dict = field(default_factory=dict)
    error: str = ""
    latency: float = 0.0
    pod: str = ""  # "namespace/name" of the pod that answered
    node: str = ""  # the node that pod runs on
    endpoint: str = ""  # "ip:port" the request was rewritten to
    client: str = ""  # the client's address as the pod saw it (after any masquerade)
    sent_at: float = 0.0
    hops: list = field(
        default_factory=list, repr=False
    )  # (step, component, node, from, to, what, latency, rules)

    @property
    def ok(self) -> bool:
        return not self.error and 200 <= self.status < 400

    @property
    def version(self) -> str:
        """The version the web server names in its body ("Hello from web-1 (version 1.27)"), or ""."""
        found = _VERSION.search(self.body)
        return found.group(1) if found else ""

    @property
    def trace(self) -> list[Hop]:
        hops, total = [], 0.0
        for step, component, node, source, destination, what, latency, rules in self.hops:
            total += latency
            if not isinstance(rules, str):  # a Verdict: the chains it went through
                rules = " > ".join(rules.chains)
            hops.append(Hop(step, component, node, source, destination, what, latency, total, rules))
        return hops

    def frame(self) -> Any:
        """The trace as a pandas DataFrame: one row per hop, latencies in milliseconds."""
        import pandas as pd

        rows = [
            {
                "step": hop.step,
                "component": hop.component,
                "node": hop.node,
                "from": hop.source,
                "to": hop.destination,
                "what happened": hop.what,
                "latency ms": round(hop.latency * 1000, 3),
                "total ms": round(hop.total * 1000, 3),
            }
            for hop in self.trace
        ]
        columns = ["step", "component", "node", "from", "to", "what happened", "latency ms", "total ms"]
        return pd.DataFrame(rows, columns=columns)

    def summary(self) -> str:
        """One line: what came back and how long it took."""
        ms = f"{self.latency * 1000:.1f} ms"
        hops = f"{len(self.hops)} hop" + ("s" if len(self.hops) != 1 else "")
        if self.error:
            return f"{self.method} {self.url}: {self.error} ({ms}, {hops})"
        who = f" from {self.pod} on {self.node}" if self.pod else ""
        return f"{self.method} {self.url}: {self.status}{who} in {ms} ({hops})"

    def __repr__(self) -> str:
        return f"<Response [{self.status:03d}] {self.summary()}>"

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        rows = "".join(
            "<tr>"
            + "".join(
                f"<td>{html.escape(str(v))}</td>"
                for v in (
                    hop.step,
                    hop.component,
                    hop.node,
                    hop.source,
                    hop.destination,
                    hop.what,
                    f"{hop.latency * 1000:.3f}",
                    f"{hop.total * 1000:.3f}",
                )
            )
            + "</tr>"
            for hop in self.trace
        )
        head = "".join(
            f"<th>{h}</th>"
            for h in ("step", "component", "node", "from", "to", "what happened", "ms", "total ms")
        )
        body = f"<pre>{html.escape(self.body)}</pre>" if self.body else ""
        return {
            "text/plain": repr(self),
            "text/html": f"<p><b>{html.escape(self.summary())}</b></p>{body}"
            f"<table><tr>{head}</tr>{rows}</table>",
        }


# ----------------------------------------------------------------------------- the network's state


class Network:
    """What the wire between the machines knows, for one cluster: DNS, the dice, cached routing plans.

    One per cluster (see `network(cluster)`); nothing in it is Kubernetes
    state, which stays in the components (kube-proxy's rules, the load
    balancer's health checks, the kubelets' containers).
    """

    def __init__(self, cluster: Any):
        self.cluster = cluster
        self.rng = random.Random(f"k8slab-requests-{cluster.loop.seed}")
        dns = getattr(cluster, "dns", None)
        if dns is None:
            from k8slab.client import Client

            dns = ClusterDNS(Client(cluster.api, user="system:serviceaccount:kube-system:coredns"))
            dns.run()
        self.dns = dns
        self.fast: dict[str, FastRoutes] = {}
        self._cidrs: list[tuple[int, int, str]] = []
        self._cidr_nodes = -1
        self._pod_ip_nodes: dict[str, str] = {}
        self._node_ips: dict[str, str] = {}
        self._node_ips_key: int | None = None
        self._date_second: int | None = None
        self._date = ""

    def node_of_pod_ip(self, ip: str) -> str:
        """The node whose pod range holds `ip` ("" if none); remembered until the set of nodes changes."""
        kubelets = self.cluster.kubelets
        if len(kubelets) != self._cidr_nodes or not all(k.pod_cidr for k in kubelets.values()):
            self._cidrs = []
            for name, kubelet in kubelets.items():
                if kubelet.pod_cidr:
                    net = ipaddress.ip_network(kubelet.pod_cidr)
                    self._cidrs.append((int(net.network_address), int(net.netmask), name))
            self._cidr_nodes = len(kubelets)
            self._pod_ip_nodes = {}
        node = self._pod_ip_nodes.get(ip)
        if node is None:
            node = ""
            if is_ip(ip):
                value = int(ipaddress.IPv4Address(ip))
                for base, mask, name in self._cidrs:
                    if value & mask == base:
                        node = name
                        break
            if len(self._pod_ip_nodes) < 65536:
                self._pod_ip_nodes[ip] = node
        return node

    def node_ips(self) -> dict[str, str]:
        """Node address -> node name, from the kube-proxies (the addresses they found in their Node)."""
        proxies = self.cluster.proxies
        key = len(proxies)  # a kube-proxy learns its node's addresses once, when it starts
        if key == self._node_ips_key and len(self._node_ips) >= key:
            return self._node_ips
        found = {}
        for name, proxy in proxies.items():
            for address in proxy.node_ips or ():
                found[address] = name
        self._node_ips, self._node_ips_key = found, key
        return found

    def date(self) -> str:
        """The HTTP Date header for now (one strftime per virtual second)."""
        second = int(self.cluster.loop.now)
        if second != self._date_second:
            self._date_second = second
            self._date = self.cluster.loop.datetime(second).strftime("%a, %d %b %Y %H:%M:%S GMT")
        return self._date

    def node_up(self, node: str) -> bool:
        """Is the machine on? (`cluster.fail_node` stops its kubelet: the machine has gone away.)"""
        kubelet = self.cluster.kubelets.get(node)
        return kubelet.running if kubelet is not None else node in self.cluster.proxies

    def route(self, node: str, source: str, destination: str, port: int):
        proxy = self.cluster.proxies[node]
        fast = self.fast.get(node)
        if fast is None:
            fast = self.fast[node] = FastRoutes(proxy.cluster_cidr)
        return fast.route(
            proxy.rules,
            source,
            destination,
            port,
            "tcp",
            self.rng,
            proxy.loop.now,
            proxy.node_ips or (),
            proxy.recent,
        )


_NETWORKS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def network(cluster: Any) -> Network:
    """The cluster's network (made on first use: its DNS starts watching Services then)."""
    net = _NETWORKS.get(cluster)
    if net is None:
        net = _NETWORKS[cluster] = Network(cluster)
    return net


# ----------------------------------------------------------------------------- the trip


class _Failed(Exception):
    """The connection failed; `kind` is curl's message."""

    def __init__(self, kind: str, wait: float = 0.0):
        self.kind, self.wait = kind, wait


@dataclass(frozen=True)
class URL:
    scheme: str
    host: str
    port: int
    path: str


def parse_url(url: Any) -> URL:
    """Split an http URL; bad ones raise ValueError with curl's words."""
    if not isinstance(url, str) or not url.strip():
        raise ValueError(f"curl: (3) URL using bad/illegal format or missing URL: {url!r}")
    return _parse_url(url)


@functools.lru_cache(maxsize=1024)
def _parse_url(url: str) -> URL:
    if not url.strip():
        raise ValueError(f"curl: (3) URL using bad/illegal format or missing URL: {url!r}")
    text = url.strip()
    if "://" not in text:
        text = "http://" + text  # curl assumes http
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise ValueError(f"curl: (3) URL using bad/illegal format or missing URL: {url!r}") from None
    if parts.scheme != "http":
        if parts.scheme == "https":
            raise ValueError(
                "the lab's servers speak plain HTTP only; use http:// (https:// is not modelled)"
            )
        raise ValueError(f'curl: (1) Protocol "{parts.scheme}" not supported')
    if not parts.hostname:
        raise ValueError(f"curl: (3) URL using bad/illegal format or missing URL: {url!r}")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return URL("http", parts.hostname, port if port is not None else 80, path)


def request(
    cluster: Any,
    url: str,
    method: str = "GET",
    source: str | None = None,
    client_ip: str = DEFAULT_CLIENT,
    headers: dict | None = None,
    timeout: float = CONNECT_TIMEOUT,
    rng: Any = None,
) -> Response:
    """Send one HTTP request through the cluster's network and trace it (see the module's docstring).

    source: None for a user on the internet (at `client_ip`), "namespace/pod"
    (or "pod", namespace default) for a pod inside the cluster, or a node's
    name for a program on that node.
    """
    target, origin = check(cluster, url, method, source, client_ip, headers, timeout)
    net = network(cluster)
    response = Response(url=url, method=method.upper(), sent_at=cluster.loop.now)
    trip = _Trip(cluster, net, response, target, origin, rng if rng is not None else net.rng, float(timeout))
    try:
        trip.go(dict(headers or {}))
    except _Done:
        pass
    except _Failed as failure:
        trip.fail(failure)
    response.latency = sum(hop[6] for hop in response.hops)
    return response


def check(
    cluster: Any,
    url: str,
    method: str = "GET",
    source: str | None = None,
    client_ip: str = DEFAULT_CLIENT,
    headers: dict | None = None,
    timeout: float = CONNECT_TIMEOUT,
) -> tuple[URL, _Origin]:
    """Check a request's arguments without sending it; raises as `request` would, returns (url, origin)."""
    target = parse_url(url)
    if not isinstance(method, str) or method.upper() not in METHODS:
        raise ValueError(f"unknown HTTP method {method!r}; use one of {', '.join(METHODS)}")
    if headers is not None and not isinstance(headers, dict):
        raise ValueError(f"headers must be a dict of name -> value, got {headers!r}")
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0:
        raise ValueError(f"timeout must be a number of seconds > 0, got {timeout!r}")
    if not cluster.proxies:
        raise RuntimeError("this cluster runs no kube-proxy: create it with the default components")
    return target, _origin(cluster, network(cluster), source, client_ip)


@dataclass
class _Origin:
    ip: str
    node: str = ""  # "" for the internet
    namespace: str | None = None  # a pod's namespace (its DNS search path)
    label: str = "user"


def _origin(cluster: Any, net: Network, source: str | None, client_ip: str) -> _Origin:
    if source is None:
        if not isinstance(client_ip, str) or not is_ip(client_ip):
            raise ValueError(f"client_ip must be an IPv4 address, got {client_ip!r}")
        return _Origin(client_ip)
    if not isinstance(source, str) or not source:
        raise ValueError(f'source must be "namespace/pod", "pod" or a node name, got {source!r}')
    if source in cluster.proxies and "/" not in source:
        addresses = cluster.proxies[source].node_ips or ()
        if not net.node_up(source):
            raise ValueError(f"node {source} is down: nothing runs there to send a request")
        return _Origin(addresses[0] if addresses else "", source, None, f"node {source}")
    namespace, _, name = source.rpartition("/")
    namespace = namespace or "default"
    for node, kubelet in cluster.kubelets.items():
        for worker in kubelet.workers.values():
            if worker.name == name and worker.namespace == namespace and worker.ip and not worker.final:
                if not kubelet.running:
                    raise ValueError(f'pod "{name}" runs on {node}, which is down: it cannot send a request')
                return _Origin(worker.ip, node, namespace, f"pod {namespace}/{name}")
    pod = cluster.api.get("pods", name, namespace)  # NotFound in the API's words when there is no such pod
    phase = (pod.get("status") or {}).get("phase", "Pending")
    raise ValueError(f'pod "{name}" is not running (phase {phase}): it has no network to send from yet')


class _Trip:
    """One request on its way: each method moves the packet one stage on and writes its hops.

    A stage that cannot go on raises `_Failed` (curl's error) after writing
    the hop where it stopped; `back` collects, on the way in, the hops the
    reply (or a refusal) takes on the way out, which are written in reverse.
    """

    def __init__(self, cluster, net, response, target, origin, rng, timeout):
        self.cluster, self.net, self.response = cluster, net, response
        self.target, self.origin, self.rng, self.timeout = target, origin, rng, timeout
        self.back: list[tuple] = []  # the return legs, pushed on the way in
        self.lb = cluster.load_balancers

    def hop(self, step, component, node, source, destination, what, latency=0.0, rules=""):
        self.response.hops.append((step, component, node, source, destination, what, latency, rules))

    def elapsed(self) -> float:
        return sum(hop[6] for hop in self.response.hops)

    # -- the way in ------------------------------------------------------------------------

    def go(self, headers: dict) -> None:
        target, origin = self.target, self.origin
        address = self.resolve(target.host)
        port = target.port
        if origin.node:
            self.enter_from_inside(address, port)
        else:
            self.enter_from_internet(address, port)
        self.deliver(headers)

    def resolve(self, host: str) -> str:
        if is_ip(host):
            return host
        origin = self.origin
        if origin.namespace is None:
            where = "the internet" if not origin.node else f"{origin.node}'s resolver"
            self.hop(
                11 if not origin.node else 12,
                "DNS",
                origin.node,
                origin.ip,
                host,
                f"{where} does not know {host} (cluster.local names resolve only inside pods)",
            )
            raise _Failed(f"curl: (6) Could not resolve host: {host}")
        answer = self.net.dns.resolve(host, origin.namespace)
        if not answer.addresses:
            why = (
                f"CNAME {answer.cname}, which the lab cannot resolve"
                if answer.cname
                else (
                    "no ready endpoints (headless Service)"
                    if answer.rcode == "NOERROR"
                    else f"NXDOMAIN (tried {', '.join(answer.tried)})"
                )
            )
            self.hop(12, "CoreDNS", origin.node, origin.ip, f"{NAMESERVER}:53", f"{host}: {why}", DNS_LOOKUP)
            raise _Failed(f"curl: (6) Could not resolve host: {host}")
        chosen = (
            answer.addresses[self.rng.randrange(len(answer.addresses))]
            if len(answer.addresses) > 1
            else (answer.addresses[0])
        )
        records = ", ".join(answer.addresses)
        self.hop(
            12,
            "CoreDNS",
            origin.node,
            origin.ip,
            f"{NAMESERVER}:53",
            f"{answer.name} A {records}",
            DNS_LOOKUP,
        )
        return chosen

    def enter_from_internet(self, address: str, port: int) -> None:
        origin, lb = self.origin, self.lb
        node_ips = self.net.node_ips()
        balancer = lb.balancer_for(address, port) if lb is not None else None
        if balancer is not None:
            decision = lb.route(address, port, client=origin.ip, rng=self.rng)
            healthy = [b for b in balancer.backends.values() if b.healthy]
            if not decision.node:
                self.hop(
                    11,
                    "load balancer",
                    "",
                    origin.ip,
                    f"{address}:{port}",
                    f"{decision.reason}: the connection is dropped",
                    INTERNET,
                )
                self.timeout_now(address, port)
            self.hop(
                11,
                "load balancer",
                "",
                origin.ip,
                f"{address}:{port}",
                f"picks {decision.node} ({decision.node_address}) of {len(healthy)} healthy node"
                f"{'s' if len(healthy) != 1 else ''}",
                INTERNET,
            )
            self.back.append(
                (
                    15,
                    "load balancer",
                    "",
                    f"{address}:{port}",
                    origin.ip,
                    "the load balancer returns the reply to the user",
                    INTERNET,
                )
            )
            self.arrive(
                decision.node,
                address,
                port,
                LB_TO_NODE,
                f"forwarded to {decision.node}; the destination stays {address}:{port} (ipMode VIP)",
            )
            return
        if lb is not None and any(b.ip == address for b in lb.balancers.values()):
            self.hop(
                11,
                "load balancer",
                "",
                origin.ip,
                f"{address}:{port}",
                f"the load balancer at {address} does not listen on port {port}: dropped",
                INTERNET,
            )
            self.timeout_now(address, port)
        node = node_ips.get(address)
        if node is not None:
            self.arrive(node, address, port, INTERNET, f"the user connects to {node} directly")
            return
        kind = (
            "a pod address"
            if self.net.node_of_pod_ip(address)
            else ("a Service's cluster IP" if self.is_cluster_ip(address) else "an address nobody answers")
        )
        self.hop(
            11,
            "user",
            "",
            origin.ip,
            f"{address}:{port}",
            f"{address} is {kind}: private to the cluster, nothing on the internet answers",
            INTERNET,
        )
        self.timeout_now(address, port)

    def is_cluster_ip(self, address: str) -> bool:
        try:
            return ipaddress.IPv4Address(address) in self.cluster.api.service_ips.network
        except (AttributeError, ValueError):
            return address.startswith("10.96.")

    def arrive(self, node: str, address: str, port: int, latency: float, what: str) -> None:
        """The packet reaches `node` from outside; its kube-proxy's rules take it from there."""
        if not self.net.node_up(node):
            self.hop(
                12,
                "kube-proxy",
                node,
                self.origin.ip,
                f"{address}:{port}",
                f"{node} is down: nothing answers",
                latency,
            )
            self.timeout_now(address, port)
        self.hop(12, "kube-proxy", node, self.origin.ip, f"{address}:{port}", what, latency)
        self.back.append(
            (
                15,
                "kube-proxy",
                node,
                f"{address}:{port}",
                self.origin.ip,
                f"the reply leaves {node}",
                LB_TO_NODE if latency == LB_TO_NODE else INTERNET,
            )
        )
        self.rules(node, address, port)

    def enter_from_inside(self, address: str, port: int) -> None:
        origin = self.origin
        self.hop(
            12,
            "kube-proxy",
            origin.node,
            origin.ip,
            f"{address}:{port}",
            f"the packet from {origin.label} enters {origin.node}'s rules",
        )
        self.rules(origin.node, address, port)

    def rules(self, node: str, address: str, port: int) -> None:
        verdict = self.net.route(node, self.origin.ip, address, port)
        chains = verdict  # the chains are written out only when someone reads the trace
        proxy = self.cluster.proxies[node]
        if verdict.action == "DNAT":
            sep = verdict.trace[-1][1]
            seen = (proxy.node_ips or ("",))[0] if verdict.masquerade else self.origin.ip
            masq = f"; source masqueraded to {seen}" if verdict.masquerade else ""
            self.hop(
                13,
                "kube-proxy",
                node,
                self.origin.ip,
                f"{address}:{port}",
                f"DNAT {address}:{port} -> {verdict.endpoint} ({sep}){masq}",
                0.0,
                chains,
            )
            self.back.append(
                (
                    15,
                    "kube-proxy",
                    node,
                    verdict.endpoint,
                    self.origin.ip,
                    f"conntrack undoes the DNAT: the reply comes from {address}:{port}",
                    0.0,
                    chains,
                )
            )
            self.response.endpoint = verdict.endpoint
            self.response.client = seen
            self.endpoint = (verdict.ip, verdict.port, node, seen)
            return
        if verdict.action == "REJECT":
            self.hop(
                13,
                "kube-proxy",
                node,
                self.origin.ip,
                f"{address}:{port}",
                f"REJECT: {verdict.service} has no endpoints (icmp-port-unreachable)",
                0.0,
                chains,
            )
            self.refused(address, port)
        if verdict.action == "DROP":
            self.hop(
                13,
                "kube-proxy",
                node,
                self.origin.ip,
                f"{address}:{port}",
                f"DROP: {verdict.service} has no local endpoints on {node}",
                0.0,
                chains,
            )
            self.timeout_now(address, port)
        # No Service rule matched: the packet goes where it was addressed.
        if address in (proxy.node_ips or ()):
            self.hop(
                13,
                "kube-proxy",
                node,
                self.origin.ip,
                f"{address}:{port}",
                "no Service rule matches: the packet is for the node itself",
                0.0,
                chains,
            )
            self.to_node(node, address, port)
            return
        owner = self.net.node_ips().get(address)
        if owner is not None:  # another node's address (a pod calling a NodePort elsewhere)
            self.hop(
                13,
                "kube-proxy",
                node,
                self.origin.ip,
                f"{address}:{port}",
                f"no Service rule matches: routed to {owner}",
                0.0,
                chains,
            )
            self.back.append(
                (
                    15,
                    "pod network",
                    owner,
                    f"{address}:{port}",
                    self.origin.ip,
                    f"the reply goes back from {owner} to {node}",
                    NODE_TO_NODE,
                )
            )
            if not self.net.node_up(owner):
                self.hop(
                    12,
                    "kube-proxy",
                    owner,
                    self.origin.ip,
                    f"{address}:{port}",
                    f"{owner} is down: nothing answers",
                    NODE_TO_NODE,
                )
                self.timeout_now(address, port)
            self.hop(
                12,
                "kube-proxy",
                owner,
                self.origin.ip,
                f"{address}:{port}",
                f"arrives at {owner}",
                NODE_TO_NODE,
            )
            self.rules(owner, address, port)
            return
        if self.net.node_of_pod_ip(address):
            self.hop(
                13,
                "kube-proxy",
                node,
                self.origin.ip,
                f"{address}:{port}",
                "no Service rule matches: a pod address, routed as it is",
                0.0,
                chains,
            )
            self.response.endpoint = f"{address}:{port}"
            self.response.client = self.origin.ip
            self.endpoint = (address, port, node, self.origin.ip)
            return
        what = (
            f"no rule for port {port} of the cluster IP {address}: a Service address belongs to no "
            "machine, so nothing answers"
            if self.is_cluster_ip(address)
            else f"no rule matches and no machine holds {address}"
        )
        self.hop(13, "kube-proxy", node, self.origin.ip, f"{address}:{port}", what, 0.0, chains)
        self.timeout_now(address, port)

    def to_node(self, node: str, address: str, port: int) -> None:
        """A connection to the node's own address on a port no Service rule claims."""
        proxy = self.cluster.proxies[node]
        if port == HEALTHZ_PORT and self.target.path.split("?")[0] == "/healthz":
            import json

            status, body = proxy.healthz()
            text = json.dumps(body) + "\n"
            self.hop(
                14,
                "kube-proxy",
                node,
                self.origin.ip,
                f"{address}:{port}",
                f"kube-proxy's health server answers {status}",
            )
            self.answered(status, text, "application/json")
            self.raise_done()
        self.hop(
            14,
            "kube-proxy",
            node,
            self.origin.ip,
            f"{address}:{port}",
            f"nothing listens on {node} port {port}: the node resets the connection",
        )
        self.refused(address, port)

    # -- the pod ---------------------------------------------------------------------------

    def deliver(self, headers: dict) -> None:
        ip, port, node, seen = self.endpoint
        owner = self.net.node_of_pod_ip(ip)
        if not owner:
            self.hop(
                13,
                "pod network",
                node,
                seen,
                f"{ip}:{port}",
                f"no node holds {ip}: ARP gets no answer",
                NO_ROUTE_SECONDS,
            )
            raise _Failed(self.curl_failed("No route to host"))
        if owner != node:
            self.hop(
                13,
                "pod network",
                owner,
                seen,
                f"{ip}:{port}",
                f"from {node} to {owner} over the pod network",
                NODE_TO_NODE,
            )
            self.back.append(
                (
                    15,
                    "pod network",
                    owner,
                    f"{ip}:{port}",
                    seen,
                    f"the reply goes back from {owner} to {node}",
                    NODE_TO_NODE,
                )
            )
            if not self.net.node_up(owner):
                self.hop(14, "pod", owner, seen, f"{ip}:{port}", f"{owner} is down: nothing answers")
                self.timeout_now(ip, port)
        kubelet = self.cluster.kubelets.get(owner)
        container = kubelet.runtime.listener(ip, port) if kubelet is not None else None
        if container is None:
            holder = self.pod_with_ip(kubelet, ip)
            if holder is None:
                self.hop(
                    14,
                    "pod",
                    owner,
                    seen,
                    f"{ip}:{port}",
                    f"no pod on {owner} holds {ip} (any more): ARP gets no answer",
                    NO_ROUTE_SECONDS,
                )
                raise _Failed(self.curl_failed("No route to host"))
            self.hop(
                14,
                "pod",
                owner,
                seen,
                f"{ip}:{port}",
                f"pod {holder}: no container listens on port {port} (not running?): connection reset",
            )
            self.response.pod, self.response.node = holder, owner
            self.refused(ip, port)
        self.response.pod = f"{container.namespace}/{container.pod}"
        self.response.node = owner
        headers.setdefault(
            "Host", self.target.host if self.target.port == 80 else f"{self.target.host}:{port}"
        )
        headers.setdefault("User-Agent", "curl/8.5.0")
        try:
            status, body, latency = container.handle_http(self.response.method, self.target.path, headers)
        except ConnectionRefusedError:
            self.hop(
                14,
                "pod",
                owner,
                seen,
                f"{ip}:{port}",
                f"pod {self.response.pod}: its container refuses the connection",
            )
            self.refused(ip, port)
        self.hop(
            14,
            "pod",
            owner,
            seen,
            f"{ip}:{port}",
            f"pod {self.response.pod} ({container.name}, {container.image}) answers {status}",
            latency,
        )
        self.answered(status, body, "text/plain")

    @staticmethod
    def pod_with_ip(kubelet: Any, ip: str) -> str | None:
        if kubelet is None:
            return None
        for worker in kubelet.workers.values():
            if worker.ip == ip and not worker.final:
                return f"{worker.namespace}/{worker.name}"
        return None

    # -- the way back ----------------------------------------------------------------------

    def answered(self, status: int, body: str, content_type: str) -> None:
        response = self.response
        response.status, response.body = status, body
        for leg in reversed(self.back):
            self.hop(*leg)
        response.headers = {
            "Server": "k8slab",
            "Date": self.net.date(),
            "Content-Type": content_type,
            "Content-Length": str(len(body.encode())),
            "Connection": "close",
        }

    def raise_done(self) -> None:
        raise _Done

    def refused(self, host_ip: str, port: int) -> None:
        for leg in reversed(self.back):
            step, component, node, source, destination, _, latency = leg[:7]
            self.hop(step, component, node, source, destination, "the refusal travels back", latency)
        raise _Failed(self.curl_failed("Connection refused"))

    def timeout_now(self, address: str, port: int) -> None:
        wait = max(self.timeout - self.elapsed(), 0.0)
        self.hop(
            self.response.hops[-1][0] if self.response.hops else 11,
            self.origin.label if self.origin.node else "user",
            self.origin.node,
            self.origin.ip,
            f"{address}:{port}",
            f"no answer: the client gives up after {self.timeout:g} s",
            wait,
        )
        raise _Failed(f"curl: (28) Connection timed out after {round(self.timeout * 1000)} milliseconds")

    def curl_failed(self, why: str) -> str:
        ms = round(self.elapsed() * 1000)
        return (
            f"curl: (7) Failed to connect to {self.target.host} port {self.target.port} after {ms} ms: {why}"
        )

    def fail(self, failure: _Failed) -> None:
        self.response.error = failure.kind
        self.response.status = 0


class _Done(Exception):
    pass


__all__ = [
    "CONNECT_TIMEOUT",
    "DEFAULT_CLIENT",
    "DNS_LOOKUP",
    "Hop",
    "INTERNET",
    "LB_TO_NODE",
    "NODE_TO_NODE",
    "Network",
    "Response",
    "network",
    "parse_url",
    "request",
]
