"""kube-proxy: turn Services and EndpointSlices into packet-rewriting rules on one node.

Built in notebook 07 (Services and kube-proxy), steps 12 and 13 of the
architecture diagram. A Service's clusterIP belongs to no machine: nothing
listens on it. What makes it work is that every node's kube-proxy watches
Services and EndpointSlices and writes iptables rules saying "a new
connection to 10.96.12.34:80 goes to one of these pod addresses instead".
The kernel applies them to every packet; kube-proxy itself never touches
traffic.

This module builds those rules the way kube-proxy's iptables mode does
(upstream: `pkg/proxy/iptables/proxier.go`, `syncProxyRules`), chain for
chain and with the same chain names:

    nat    PREROUTING / OUTPUT -> KUBE-SERVICES
             "ns/svc:port cluster IP"  -d <clusterIP> --dport <port>  -> KUBE-SVC-<hash>
             "kubernetes service nodeports" (last)   --dst-type LOCAL -> KUBE-NODEPORTS
           KUBE-SVC-<hash>: one rule per endpoint; endpoint i of n is taken with
             `-m statistic --mode random --probability 1/(n-i)`, the last one always
           KUBE-SEP-<hash>: DNAT --to-destination <podIP>:<port>
           KUBE-NODEPORTS: --dport <nodePort> -> KUBE-EXT-<hash> -> KUBE-SVC-<hash>
    filter KUBE-SERVICES / KUBE-EXTERNAL-SERVICES: REJECT for a Service with no endpoints

Why 1/(n-i)? The rules are tried in order. The first endpoint is taken
with probability 1/n; if not, the second with 1/(n-1) of what is left,
which is (1 - 1/n) * 1/(n-1) = 1/n; and so on: each gets exactly 1/n, and
the last needs no dice at all.

The hashes are upstream's: the first 16 characters of the base32 of the
SHA-256 of the service port name ("default/web:http") and the protocol in
lower case ("tcp"), plus the endpoint ("10.244.1.5:8080") for a KUBE-SEP
chain, so `KUBE-SVC-NPX46M4PTMTKRN6Y` is default/kubernetes:https in this
lab and in every real cluster.

`KubeProxy.rules` shows the table as a pandas DataFrame (`frame()`) and as
the text `iptables-save` prints (`save()`); `KubeProxy.route(...)` walks a
new connection through the rules, the way the kernel would, and says where
it ends: DNAT to a pod, REJECT, DROP, or no rule (the request path uses it).

Simplified, out loud: IPv4 and the iptables mode only (no ipvs, no nftables);
no KUBE-FW chains (loadBalancerSourceRanges), no KUBE-FORWARD,
KUBE-PROXY-FIREWALL or health-check node ports; no topology-aware routing;
every sync rewrites every rule (upstream skips unchanged Services on partial
syncs; the result is the same table). Syncs are rate limited as upstream's
`--iptables-min-sync-period` (1 s): a burst of changes is one sync. The
kernel's conntrack is not modelled: every `route` is a new connection.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import ipaddress
import socket
from dataclasses import dataclass, field
from typing import Any

from k8slab.api.errors import NotFound
from k8slab.client import Client, Informer

KUBE_SERVICES = "KUBE-SERVICES"
KUBE_EXTERNAL_SERVICES = "KUBE-EXTERNAL-SERVICES"
KUBE_NODEPORTS = "KUBE-NODEPORTS"
KUBE_POSTROUTING = "KUBE-POSTROUTING"
KUBE_MARK_MASQ = "KUBE-MARK-MASQ"
MASQUERADE_MARK = "0x4000"
#: kube-proxy's --iptables-min-sync-period default: at most one sync per second after a burst of changes.
MIN_SYNC_PERIOD = 1.0
#: The pod network (kubeadm's and flannel's default); traffic from outside it is masqueraded.
CLUSTER_CIDR = "10.244.0.0/16"
#: sessionAffinityConfig.clientIP.timeoutSeconds when not given: three hours.
DEFAULT_AFFINITY_SECONDS = 10800
BUILTIN_CHAINS = {
    "filter": ("INPUT", "FORWARD", "OUTPUT"),
    "nat": ("PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"),
}
IPTABLES_VERSION = "v1.8.9"


# ----------------------------------------------------------------------------- names and numbers


@functools.lru_cache(maxsize=1 << 16)
def _hash16(text: str) -> str:
    """The first 16 base32 characters of sha256(text): those are the first 10 bytes of the digest.

    Cached, as kube-proxy keeps each Service port's and endpoint's chain names
    between syncs instead of hashing them again every time.
    """
    return base64.b32encode(hashlib.sha256(text.encode()).digest()[:10]).decode()


def port_proto_hash(service_port_name: str, protocol: str) -> str:
    """portProtoHash: the 16 characters that name a Service port's chains.

    >>> port_proto_hash("default/kubernetes:https", "tcp")
    'NPX46M4PTMTKRN6Y'
    """
    return _hash16(service_port_name + protocol)


def service_chain(service_port_name: str, protocol: str) -> str:
    """KUBE-SVC-<hash>: the chain that picks one endpoint (Cluster traffic policy)."""
    return "KUBE-SVC-" + port_proto_hash(service_port_name, protocol)


def local_service_chain(service_port_name: str, protocol: str) -> str:
    """KUBE-SVL-<hash>: the same choice among this node's endpoints only (Local traffic policy)."""
    return "KUBE-SVL-" + port_proto_hash(service_port_name, protocol)


def external_chain(service_port_name: str, protocol: str) -> str:
    """KUBE-EXT-<hash>: where traffic from outside (NodePort, load balancer IP, external IP) enters."""
    return "KUBE-EXT-" + port_proto_hash(service_port_name, protocol)


def endpoint_chain(service_port_name: str, protocol: str, endpoint: str) -> str:
    """KUBE-SEP-<hash>: the chain that rewrites the destination to one endpoint.

    >>> endpoint_chain("ns1/svc1:p80", "tcp", "10.180.0.1:80")
    'KUBE-SEP-SXIVWICOYRO3J4NJ'
    """
    return "KUBE-SEP-" + _hash16(service_port_name + protocol + endpoint)


def probability(n: int) -> str:
    """What kube-proxy writes for "1 in n": ten decimals (computeProbability).

    >>> probability(3), probability(2)
    ('0.3333333333', '0.5000000000')
    """
    return f"{1.0 / n:0.10f}"


@functools.lru_cache(maxsize=1024)
def kernel_probability(written: str) -> float:
    """The probability the kernel really uses: xt_statistic keeps it as a 31-bit fraction."""
    return round(float(written) * 0x80000000) / 0x80000000


def saved_probability(written: str) -> str:
    """How `iptables-save` prints it back, from the kernel's fraction with eleven decimals.

    >>> saved_probability(probability(3)), saved_probability(probability(2))
    ('0.33333333349', '0.50000000000')
    """
    return f"{kernel_probability(written):.11f}"


def _quote(comment: str) -> str:
    return f'"{comment}"' if any(c in comment for c in " \"'") else comment


# ----------------------------------------------------------------------------- rules


@dataclass(slots=True)
class Rule:
    """One iptables rule, held as its parts so it can be printed both ways and matched against a packet."""

    table: str
    chain: str
    target: str
    comment: str = ""
    protocol: str = ""  # "tcp": -m tcp -p tcp
    destination: str = ""
    dport: int | None = None
    source: str = ""
    not_source: bool = False  # ! -s
    addrtype: str = ""  # "dst" or "src": -m addrtype --dst-type LOCAL
    recent: str = ""  # "set" or "rcheck"
    recent_name: str = ""
    recent_seconds: int = 0
    probability: str = ""  # as kube-proxy writes it
    to_destination: str = ""  # DNAT
    extra: str = ""  # matches the walk ignores (conntrack state, marks)
    target_args: str = ""  # MARK, MASQUERADE

    def restore_text(self) -> str:
        """The line as kube-proxy feeds it to iptables-restore."""
        parts = ["-A", self.chain, *self._leading_matches()]
        if self.recent == "rcheck":
            parts += [
                "-m",
                "recent",
                "--name",
                self.recent_name,
                "--rcheck",
                "--seconds",
                str(self.recent_seconds),
                "--reap",
            ]
        elif self.recent == "set":
            parts += ["-m", "recent", "--name", self.recent_name, "--set"]
        if self.probability:
            parts += ["-m", "statistic", "--mode", "random", "--probability", self.probability]
        if self.protocol:
            parts += ["-m", self.protocol, "-p", self.protocol]
        if self.destination:
            parts += ["-d", self.destination]
        if self.dport is not None:
            parts += ["--dport", str(self.dport)]
        if self.source:
            parts += (["!"] if self.not_source else []) + ["-s", self.source]
        parts += ["-j", self.target]
        if self.to_destination:
            parts += ["--to-destination", self.to_destination]
        if self.target_args:
            parts.append(self.target_args)
        return " ".join(parts)

    def _leading_matches(self) -> list[str]:
        """The comment, the matches the walk ignores, and addrtype: the same words in both texts."""
        parts = []
        if self.comment:
            parts += ["-m", "comment", "--comment", _quote(self.comment)]
        if self.extra:
            parts.append(self.extra)
        if self.addrtype:
            parts += ["-m", "addrtype", f"--{self.addrtype}-type", "LOCAL"]
        return parts

    def save_text(self) -> str:
        """The line as `iptables-save` prints it: addresses first (CIDRs), modules in order, kernel values."""
        parts = ["-A", self.chain]
        if self.source:
            parts += (["!"] if self.not_source else []) + ["-s", _cidr(self.source)]
        if self.destination:
            parts += ["-d", _cidr(self.destination)]
        if self.protocol:
            parts += ["-p", self.protocol]
        parts += self._leading_matches()
        if self.recent == "rcheck":
            parts += [
                "-m",
                "recent",
                "--rcheck",
                "--seconds",
                str(self.recent_seconds),
                "--reap",
                "--name",
                self.recent_name,
                "--mask",
                "255.255.255.255",
                "--rsource",
            ]
        elif self.recent == "set":
            parts += [
                "-m",
                "recent",
                "--set",
                "--name",
                self.recent_name,
                "--mask",
                "255.255.255.255",
                "--rsource",
            ]
        if self.probability:
            parts += [
                "-m",
                "statistic",
                "--mode",
                "random",
                "--probability",
                saved_probability(self.probability),
            ]
        if self.protocol:
            parts += ["-m", self.protocol]
            if self.dport is not None:
                parts += ["--dport", str(self.dport)]
        parts += ["-j", self.target]
        if self.to_destination:
            parts += ["--to-destination", self.to_destination]
        if self.target == "REJECT":
            parts += ["--reject-with", "icmp-port-unreachable"]
        if self.target_args:
            parts.append(self.target_args)
        return " ".join(parts)


def _cidr(address: str) -> str:
    return address if "/" in address else address + "/32"


class ProxyRules:
    """The rules one kube-proxy has programmed: tables -> chains -> rules, in order."""

    def __init__(self) -> None:
        self.chains: dict[tuple[str, str], list[Rule]] = {}
        self._index: dict[tuple[str, str], tuple[dict, list[int]]] = {}
        for table, builtins in BUILTIN_CHAINS.items():
            for chain in builtins:
                self.chains[(table, chain)] = []

    def __repr__(self) -> str:
        counts = {
            table: sum(len(r) for (t, _), r in self.chains.items() if t == table) for table in BUILTIN_CHAINS
        }
        return f"ProxyRules(filter={counts['filter']} rules, nat={counts['nat']} rules)"

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        """In a notebook: the iptables-save text (static HTML, so nbval compares it strictly)."""
        return {"text/plain": repr(self), "text/html": f"<pre>{html.escape(self.save())}</pre>"}

    def add_chain(self, table: str, chain: str) -> None:
        self.chains.setdefault((table, chain), [])

    def add(self, rule: Rule) -> None:
        self.chains.setdefault((rule.table, rule.chain), []).append(rule)
        if self._index:
            self._index.clear()

    def chain(self, table: str, chain: str) -> list[Rule]:
        return self.chains.get((table, chain), [])

    def candidates(self, table: str, chain: str, destination: str, dport: int, protocol: str) -> list[int]:
        """Positions of the rules of a chain that can match a packet to destination:dport, in order.

        The kernel tries all 1,000 rules of a busy KUBE-SERVICES one by one;
        this fast path files the rules by destination once, so a walk tries
        only the few that name this destination plus those that name none.
        The answer is the same: the same rules, in the same order.
        """
        key = (table, chain)
        index = self._index.get(key)
        if index is None:
            by_destination: dict[tuple[str, int | None, str], list[int]] = {}
            undirected: list[int] = []
            for position, rule in enumerate(self.chains.get(key, [])):
                if rule.destination and "/" not in rule.destination:
                    by_destination.setdefault((rule.destination, rule.dport, rule.protocol), []).append(
                        position
                    )
                else:
                    undirected.append(position)
            index = self._index[key] = (by_destination, undirected)
        by_destination, undirected = index
        directed = by_destination.get((destination, dport, protocol), [])
        if not directed:
            return undirected
        return sorted(directed + undirected)

    def __len__(self) -> int:
        return sum(len(rules) for rules in self.chains.values())

    def __iter__(self):
        for _, rules in self._ordered():
            yield from rules

    def _ordered(self) -> list[tuple[tuple[str, str], list[Rule]]]:
        """iptables-save's order: filter then nat; built-in chains first, then the rest by name."""
        ordered = []
        for table, builtins in BUILTIN_CHAINS.items():
            ordered += [((table, c), self.chains[(table, c)]) for c in builtins]
            ordered += sorted(
                (
                    (key, rules)
                    for key, rules in self.chains.items()
                    if key[0] == table and key[1] not in builtins
                ),
                key=lambda item: item[0][1],
            )
        return ordered

    def save(self, when: str = "Mon Jan  1 00:00:00 2024") -> str:
        """The text `iptables-save` prints for the filter and nat tables."""
        lines = []
        for table, builtins in BUILTIN_CHAINS.items():
            lines.append(f"# Generated by iptables-save {IPTABLES_VERSION} on {when}")
            lines.append(f"*{table}")
            chains = [(key, rules) for key, rules in self._ordered() if key[0] == table]
            for (_, chain), _rules in chains:
                policy = "ACCEPT" if chain in builtins else "-"
                lines.append(f":{chain} {policy} [0:0]")
            for _, rules in chains:
                lines.extend(rule.save_text() for rule in rules)
            lines.append("COMMIT")
            lines.append(f"# Completed on {when}")
        return "\n".join(lines) + "\n"

    def frame(self, table: str | None = None, chain_prefix: str = "") -> Any:
        """The rules as a pandas DataFrame, one row per rule, in the order the kernel tries them."""
        import pandas as pd

        rows = []
        for (tbl, chain), rules in self._ordered():
            if (table and tbl != table) or not chain.startswith(chain_prefix):
                continue
            for number, rule in enumerate(rules, start=1):
                rows.append(
                    {
                        "table": tbl,
                        "chain": chain,
                        "num": number,
                        "source": ("! " if rule.not_source else "") + rule.source,
                        "destination": rule.destination,
                        "protocol": rule.protocol,
                        "dport": rule.dport if rule.dport is not None else pd.NA,
                        "probability": kernel_probability(rule.probability) if rule.probability else pd.NA,
                        "target": rule.target,
                        "to": rule.to_destination,
                        "comment": rule.comment,
                    }
                )
        columns = [
            "table",
            "chain",
            "num",
            "source",
            "destination",
            "protocol",
            "dport",
            "probability",
            "target",
            "to",
            "comment",
        ]
        frame = pd.DataFrame(rows, columns=columns)
        frame["dport"] = frame["dport"].astype("Int64")
        frame["probability"] = frame["probability"].astype("Float64")
        return frame


# ----------------------------------------------------------------------------- what kube-proxy reads


@dataclass(frozen=True, slots=True)
class ServicePortInfo:
    """One port of one Service, as kube-proxy sees it (upstream's servicePortInfo)."""

    namespace: str
    name: str
    port_name: str
    protocol: str  # "TCP"
    cluster_ip: str
    port: int
    node_port: int = 0
    external_ips: tuple[str, ...] = ()
    load_balancer_ips: tuple[str, ...] = ()
    session_affinity_seconds: int = 0  # 0: no session affinity
    external_policy_local: bool = False
    internal_policy_local: bool = False
    externally_accessible: bool = False

    @property
    def service_port_name(self) -> str:
        """ "default/web:http" (no ":" when the port has no name): the comment on every rule of this port."""
        return f"{self.namespace}/{self.name}" + (f":{self.port_name}" if self.port_name else "")

    @property
    def key(self) -> tuple[str, str, str]:
        return (f"{self.namespace}/{self.name}", self.port_name, self.protocol)


@dataclass(frozen=True, slots=True)
class EndpointInfo:
    """One endpoint of one Service port (upstream's endpointInfo)."""

    ip: str
    port: int
    ready: bool = True
    serving: bool = True
    terminating: bool = False
    node_name: str = ""
    zone: str = ""

    def __str__(self) -> str:
        return f"{self.ip}:{self.port}"


def should_skip_service(service: dict) -> bool:
    """ShouldSkipService: headless Services and ExternalName aliases get no rules."""
    spec = service.get("spec") or {}
    return spec.get("type") == "ExternalName" or spec.get("clusterIP") in (None, "", "None")


def service_port_infos(service: dict) -> list[ServicePortInfo]:
    """Every port of a Service, with what the rules need (nothing for a Service kube-proxy skips)."""
    if should_skip_service(service):
        return []
    spec, meta, status = service.get("spec") or {}, service["metadata"], service.get("status") or {}
    affinity = 0
    if spec.get("sessionAffinity") == "ClientIP":
        config = (spec.get("sessionAffinityConfig") or {}).get("clientIP") or {}
        affinity = int(config.get("timeoutSeconds") or DEFAULT_AFFINITY_SECONDS)
    service_type = spec.get("type") or "ClusterIP"
    lb_ips = (
        tuple(
            ingress["ip"]
            for ingress in ((status.get("loadBalancer") or {}).get("ingress") or [])
            if ingress.get("ip")
        )
        if service_type == "LoadBalancer"
        else ()
    )
    infos = []
    for port in spec.get("ports") or []:
        node_port = int(port.get("nodePort") or 0) if service_type in ("NodePort", "LoadBalancer") else 0
        external_ips = tuple(spec.get("externalIPs") or ())
        infos.append(
            ServicePortInfo(
                namespace=meta.get("namespace", "default"),
                name=meta["name"],
                port_name=port.get("name") or "",
                protocol=port.get("protocol") or "TCP",
                cluster_ip=spec["clusterIP"],
                port=int(port["port"]),
                node_port=node_port,
                external_ips=external_ips,
                load_balancer_ips=lb_ips,
                session_affinity_seconds=affinity,
                external_policy_local=spec.get("externalTrafficPolicy") == "Local",
                internal_policy_local=spec.get("internalTrafficPolicy") == "Local",
                externally_accessible=bool(node_port or external_ips or lb_ips),
            )
        )
    return infos


def endpoints_map(slices: list[dict]) -> dict[tuple[str, str, str], list[EndpointInfo]]:
    """EndpointSliceCache: (namespace/service, port name, protocol) -> endpoints, sorted as upstream.

    Endpoints are sorted by their "ip:port" text (upstream sorts byEndpoint to
    keep its diffs stable), so "10.244.1.10:80" comes before "10.244.1.2:80".
    An address found in two slices is kept once, preferring the ready copy.
    """
    found: dict[tuple[str, str, str], dict[str, EndpointInfo]] = {}
    for slice_ in sorted(slices, key=lambda s: s["metadata"]["name"]):
        service = (slice_["metadata"].get("labels") or {}).get("kubernetes.io/service-name")
        if not service or slice_.get("addressType", "IPv4") != "IPv4":
            continue
        service_key = f"{slice_['metadata'].get('namespace', 'default')}/{service}"
        for port in slice_.get("ports") or []:
            if port.get("port") is None:
                continue
            by_address = found.setdefault(
                (service_key, port.get("name") or "", port.get("protocol") or "TCP"), {}
            )
            for endpoint in slice_.get("endpoints") or []:
                conditions = endpoint.get("conditions") or {}
                ready = conditions.get("ready") is not False  # unset means ready
                info = EndpointInfo(
                    ip=endpoint["addresses"][0],
                    port=int(port["port"]),
                    ready=ready,
                    serving=conditions.get("serving", ready) is not False,
                    terminating=bool(conditions.get("terminating")),
                    node_name=endpoint.get("nodeName") or "",
                    zone=endpoint.get("zone") or "",
                )
                old = by_address.get(str(info))
                if old is None or (info.ready and not old.ready):
                    by_address[str(info)] = info
    return {key: [by[k] for k in sorted(by)] for key, by in found.items()}


def categorize_endpoints(
    endpoints: list[EndpointInfo], svc: ServicePortInfo, node_name: str
) -> tuple[list[EndpointInfo], list[EndpointInfo], bool]:
    """CategorizeEndpoints: (endpoints for Cluster policy, for Local policy, any usable at all).

    Ready endpoints are used; if a Service has none, its serving-but-terminating
    ones are used instead, so connections still land somewhere while the last
    pods shut down.
    """

    def usable(candidates: list[EndpointInfo]) -> list[EndpointInfo]:
        ready = [e for e in candidates if e.ready]
        return ready or [e for e in candidates if e.serving and e.terminating]

    cluster = usable(endpoints)
    needs_local = svc.internal_policy_local or (svc.external_policy_local and svc.externally_accessible)
    local = usable([e for e in endpoints if e.node_name == node_name]) if needs_local else []
    return cluster, local, bool(cluster) or bool(local)


# ----------------------------------------------------------------------------- syncProxyRules


def build_rules(
    services: list[ServicePortInfo],
    endpoints: dict[tuple[str, str, str], list[EndpointInfo]],
    node_name: str = "",
    cluster_cidr: str = CLUSTER_CIDR,
) -> ProxyRules:
    """syncProxyRules: the whole table for these Service ports and endpoints, on node `node_name`."""
    rules = ProxyRules()
    for table, chain in (
        ("filter", KUBE_SERVICES),
        ("filter", KUBE_EXTERNAL_SERVICES),
        ("filter", KUBE_NODEPORTS),
        ("nat", KUBE_SERVICES),
        ("nat", KUBE_NODEPORTS),
        ("nat", KUBE_POSTROUTING),
        ("nat", KUBE_MARK_MASQ),
    ):
        rules.add_chain(table, chain)
    portals = "kubernetes service portals"
    rules.add(
        Rule(
            "filter",
            "INPUT",
            KUBE_EXTERNAL_SERVICES,
            "kubernetes externally-visible service portals",
            extra="-m conntrack --ctstate NEW",
        )
    )
    rules.add(
        Rule(
            "filter",
            "FORWARD",
            KUBE_EXTERNAL_SERVICES,
            "kubernetes externally-visible service portals",
            extra="-m conntrack --ctstate NEW",
        )
    )
    rules.add(Rule("filter", "FORWARD", KUBE_SERVICES, portals, extra="-m conntrack --ctstate NEW"))
    rules.add(Rule("filter", "OUTPUT", KUBE_SERVICES, portals, extra="-m conntrack --ctstate NEW"))
    rules.add(Rule("nat", "PREROUTING", KUBE_SERVICES, portals))
    rules.add(Rule("nat", "OUTPUT", KUBE_SERVICES, portals))
    rules.add(Rule("nat", "POSTROUTING", KUBE_POSTROUTING, "kubernetes postrouting rules"))
    rules.add(Rule("nat", KUBE_MARK_MASQ, "MARK", target_args=f"--or-mark {MASQUERADE_MARK}"))
    rules.add(
        Rule("nat", KUBE_POSTROUTING, "RETURN", extra=f"-m mark ! --mark {MASQUERADE_MARK}/{MASQUERADE_MARK}")
    )
    rules.add(Rule("nat", KUBE_POSTROUTING, "MARK", target_args=f"--xor-mark {MASQUERADE_MARK}"))
    rules.add(
        Rule(
            "nat",
            KUBE_POSTROUTING,
            "MASQUERADE",
            "kubernetes service traffic requiring SNAT",
            target_args="--random-fully",
        )
    )
    for svc in services:
        write_service_rules(rules, svc, endpoints.get(svc.key, []), node_name, cluster_cidr)
    rules.add(
        Rule(
            "nat",
            KUBE_SERVICES,
            KUBE_NODEPORTS,
            "kubernetes service nodeports; NOTE: this must be the last rule in this chain",
            addrtype="dst",
        )
    )
    return rules


def write_service_rules(
    rules: ProxyRules,
    svc: ServicePortInfo,
    all_endpoints: list[EndpointInfo],
    node_name: str,
    cluster_cidr: str,
) -> None:
    """The rules of one Service port: its entry in KUBE-SERVICES, its chains, or its REJECT."""
    name = svc.service_port_name
    protocol = svc.protocol.lower()
    cluster_endpoints, local_endpoints, has_endpoints = categorize_endpoints(all_endpoints, svc, node_name)
    cluster_chain = service_chain(name, protocol)
    local_chain = local_service_chain(name, protocol)
    ext_chain = external_chain(name, protocol)
    internal_chain = local_chain if svc.internal_policy_local else cluster_chain
    has_internal = has_endpoints and (bool(local_endpoints) or not svc.internal_policy_local)
    has_external = has_endpoints and (bool(local_endpoints) or not svc.external_policy_local)
    uses_ext_chain = has_endpoints and svc.externally_accessible
    if not has_endpoints:
        internal_target = external_target = "REJECT"
        internal_comment = external_comment = f"{name} has no endpoints"
    else:
        internal_target = external_target = "DROP"
        internal_comment = external_comment = f"{name} has no local endpoints"

    # ClusterIP
    if has_internal:
        rules.add(
            Rule(
                "nat",
                internal_chain,
                KUBE_MARK_MASQ,
                f"{name} cluster IP",
                protocol,
                svc.cluster_ip,
                svc.port,
                cluster_cidr,
                not_source=True,
            )
        )
        rules.add(
            Rule(
                "nat", KUBE_SERVICES, internal_chain, f"{name} cluster IP", protocol, svc.cluster_ip, svc.port
            )
        )
    else:
        rules.add(
            Rule(
                "filter", KUBE_SERVICES, internal_target, internal_comment, protocol, svc.cluster_ip, svc.port
            )
        )
    # externalIPs and load-balancer IPs
    for address, kind in [(ip, "external IP") for ip in svc.external_ips] + [
        (ip, "loadbalancer IP") for ip in svc.load_balancer_ips
    ]:
        if has_endpoints:
            rules.add(Rule("nat", KUBE_SERVICES, ext_chain, f"{name} {kind}", protocol, address, svc.port))
        if not has_external:
            rules.add(
                Rule(
                    "filter",
                    KUBE_EXTERNAL_SERVICES,
                    external_target,
                    external_comment,
                    protocol,
                    address,
                    svc.port,
                )
            )
    # NodePort
    if svc.node_port:
        if has_endpoints:
            rules.add(Rule("nat", KUBE_NODEPORTS, ext_chain, name, protocol, dport=svc.node_port))
        if not has_external:
            rules.add(
                Rule(
                    "filter",
                    KUBE_EXTERNAL_SERVICES,
                    external_target,
                    external_comment,
                    protocol,
                    dport=svc.node_port,
                    addrtype="dst",
                )
            )
    # KUBE-EXT-<hash>: traffic from outside the cluster
    if uses_ext_chain:
        rules.add_chain("nat", ext_chain)
        if not svc.external_policy_local:
            rules.add(
                Rule("nat", ext_chain, KUBE_MARK_MASQ, f"masquerade traffic for {name} external destinations")
            )
        else:
            rules.add(
                Rule(
                    "nat",
                    ext_chain,
                    cluster_chain,
                    f"pod traffic for {name} external destinations",
                    source=cluster_cidr,
                )
            )
            rules.add(
                Rule(
                    "nat",
                    ext_chain,
                    KUBE_MARK_MASQ,
                    f"masquerade LOCAL traffic for {name} external destinations",
                    addrtype="src",
                )
            )
            rules.add(
                Rule(
                    "nat",
                    ext_chain,
                    cluster_chain,
                    f"route LOCAL traffic for {name} external destinations",
                    addrtype="src",
                )
            )
        if has_external:
            rules.add(Rule("nat", ext_chain, local_chain if svc.external_policy_local else cluster_chain))
    # KUBE-SVC-<hash> and KUBE-SVL-<hash>: pick an endpoint
    # UsesClusterEndpoints: even with externalTrafficPolicy Local, the short circuits above need it.
    if not (not svc.internal_policy_local or svc.externally_accessible):
        cluster_endpoints = []
    if cluster_endpoints:
        rules.add_chain("nat", cluster_chain)
        write_service_to_endpoint_rules(rules, svc, cluster_chain, cluster_endpoints)
    if local_endpoints:
        rules.add_chain("nat", local_chain)
        write_service_to_endpoint_rules(rules, svc, local_chain, local_endpoints)
    # KUBE-SEP-<hash>: one per endpoint in use
    written = set()
    for endpoint in cluster_endpoints + local_endpoints:
        text = str(endpoint)
        if text in written:
            continue
        written.add(text)
        chain = endpoint_chain(name, protocol, text)
        rules.add_chain("nat", chain)
        rules.add(Rule("nat", chain, KUBE_MARK_MASQ, name, source=endpoint.ip))  # hairpin: a pod to itself
        rules.add(
            Rule(
                "nat",
                chain,
                "DNAT",
                name,
                protocol,
                recent="set" if svc.session_affinity_seconds else "",
                recent_name=chain,
                to_destination=text,
            )
        )


def write_service_to_endpoint_rules(
    rules: ProxyRules, svc: ServicePortInfo, chain: str, endpoints: list[EndpointInfo]
) -> None:
    """writeServiceToEndpointRules: affinity checks first, then endpoint i of n with probability 1/(n-i)."""
    name = svc.service_port_name
    protocol = svc.protocol.lower()
    if svc.session_affinity_seconds:
        for endpoint in endpoints:
            sep = endpoint_chain(name, protocol, str(endpoint))
            rules.add(
                Rule(
                    "nat",
                    chain,
                    sep,
                    f"{name} -> {endpoint}",
                    recent="rcheck",
                    recent_name=sep,
                    recent_seconds=svc.session_affinity_seconds,
                )
            )
    n = len(endpoints)
    for i, endpoint in enumerate(endpoints):
        sep = endpoint_chain(name, protocol, str(endpoint))
        rules.add(
            Rule(
                "nat",
                chain,
                sep,
                f"{name} -> {endpoint}",
                probability=probability(n - i) if i < n - 1 else "",
            )
        )


# ----------------------------------------------------------------------------- walking a packet


@dataclass
class Verdict:
    """Where a new connection ends up after the node's rules.

    action: "DNAT" (rewritten to `endpoint`), "REJECT" (connection refused),
    "DROP" (silently dropped), or "ACCEPT" (no Service rule matched: the
    packet goes on to the address it was sent to).
    """

    action: str
    endpoint: str = ""
    service: str = ""  # the rule comment's service port name, e.g. "default/web:http"
    masquerade: bool = False
    trace: list[tuple[str, str, int, Rule]] = field(default_factory=list)  # (table, chain, rule number, rule)

    @property
    def ip(self) -> str:
        return self.endpoint.rsplit(":", 1)[0] if self.endpoint else ""

    @property
    def port(self) -> int | None:
        return int(self.endpoint.rsplit(":", 1)[1]) if self.endpoint else None

    def __repr__(self) -> str:
        where = f" -> {self.endpoint}" if self.endpoint else ""
        about = f" ({self.service})" if self.service else ""
        masq = ", masquerade" if self.masquerade else ""
        return f"Verdict({self.action}{where}{about}{masq}, {len(self.trace)} rules matched)"

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        rows = "".join(
            f"<tr><td>{table}</td><td>{html.escape(chain)}</td><td>{number}</td>"
            f"<td><code>{html.escape(rule.save_text())}</code></td></tr>"
            for table, chain, number, rule in self.trace
        )
        table = f"<table><tr><th>table</th><th>chain</th><th>#</th><th>rule</th></tr>{rows}</table>"
        return {"text/plain": repr(self), "text/html": f"<p>{html.escape(repr(self))}</p>{table}"}

    def trace_text(self) -> str:
        """The rules the packet matched, one per line, as `iptables-save` prints them."""
        return "\n".join(f"{table:<6} {rule.save_text()}" for table, _, _, rule in self.trace)

    @property
    def chains(self) -> list[str]:
        """The chains the packet went through, in order, each once."""
        seen: list[str] = []
        for _, chain, _, _ in self.trace:
            if not seen or seen[-1] != chain:
                seen.append(chain)
        return seen


@dataclass
class Packet:
    source: str
    destination: str
    dport: int
    protocol: str = "tcp"


class RecentLists:
    """The kernel's `-m recent` tables: list name -> source address -> last time seen (virtual seconds)."""

    def __init__(self) -> None:
        self.lists: dict[str, dict[str, float]] = {}

    def set(self, name: str, source: str, now: float) -> None:
        self.lists.setdefault(name, {})[source] = now

    def rcheck(self, name: str, source: str, now: float, seconds: int) -> bool:
        entries = self.lists.get(name)
        if not entries:
            return False
        for address in [a for a, seen in entries.items() if now - seen > seconds]:  # --reap
            del entries[address]
        return source in entries


@functools.lru_cache(maxsize=256)
def _network(cidr: str) -> tuple[int, int]:
    network = ipaddress.ip_network(cidr, strict=False)
    return int(network.network_address), int(network.netmask)


def _in(address: str, cidr: str) -> bool:
    """Is `address` in `cidr` (or equal to it, for a plain address)?"""
    if "/" not in cidr:
        return address == cidr
    base, mask = _network(cidr)
    try:
        return int.from_bytes(socket.inet_aton(address), "big") & mask == base
    except OSError:
        return False


def walk(
    rules: ProxyRules,
    packet: Packet,
    rng: Any,
    now: float = 0.0,
    local_ips: tuple[str, ...] = (),
    recent: RecentLists | None = None,
    indexed: bool = True,
) -> Verdict:
    """Carry a new connection through nat PREROUTING, then the filter table, as the kernel would.

    `rng` decides the `-m statistic` rules (pass the loop's seeded `loop.random`);
    `recent` holds the session-affinity memory (one per node, like the kernel's).
    `indexed=False` tries every rule of every chain in order, as the kernel
    does; the default skips rules that name another destination
    (`ProxyRules.candidates`), which gives the same verdict, faster.
    """
    recent = recent if recent is not None else RecentLists()
    verdict = Verdict("ACCEPT")
    local = set(local_ips) | {"127.0.0.1"}

    def matches(rule: Rule) -> bool:
        if rule.protocol and rule.protocol != packet.protocol:
            return False
        if rule.destination and rule.destination != packet.destination:
            return False
        if rule.dport is not None and rule.dport != packet.dport:
            return False
        if rule.source and _in(packet.source, rule.source) == rule.not_source:
            return False
        if rule.addrtype == "dst" and packet.destination not in local:
            return False
        if rule.addrtype == "src" and packet.source not in local:
            return False
        if rule.recent == "rcheck" and not recent.rcheck(
            rule.recent_name, packet.source, now, rule.recent_seconds
        ):
            return False
        if rule.probability and not rng.random() < kernel_probability(rule.probability):
            return False
        return True

    def run_chain(table: str, chain: str, depth: int = 0) -> str | None:
        """Returns a terminal action ("DNAT", "REJECT", "DROP") or None when the chain falls through."""
        if depth > 32:
            raise RuntimeError(f"iptables: too many levels of jumps at chain {chain}")
        chain_rules = rules.chain(table, chain)
        if indexed and len(chain_rules) > 8:
            positions = rules.candidates(table, chain, packet.destination, packet.dport, packet.protocol)
        else:
            positions = range(len(chain_rules))
        for position in positions:
            rule, number = chain_rules[position], position + 1
            if not matches(rule):
                continue
            verdict.trace.append((table, chain, number, rule))
            if rule.recent == "set":
                recent.set(rule.recent_name, packet.source, now)
            target = rule.target
            if target == "DNAT":
                verdict.endpoint = rule.to_destination
                verdict.service = rule.comment
                return "DNAT"
            if target in ("REJECT", "DROP"):
                verdict.service = rule.comment.rsplit(" has no", 1)[0]
                return target
            if target == "RETURN":
                return None
            if target == "MARK":
                verdict.masquerade = True
                continue
            if target in ("ACCEPT", "MASQUERADE"):
                return None
            result = run_chain(table, target, depth + 1)
            if result is not None:
                return result
        return None

    result = run_chain("nat", "PREROUTING")
    if result == "DNAT":
        verdict.action = "DNAT"
        return verdict
    first = "INPUT" if packet.destination in local else "FORWARD"
    result = run_chain("filter", first)
    if result in ("REJECT", "DROP"):
        verdict.action = result
    return verdict


# ----------------------------------------------------------------------------- the component


class KubeProxy:
    """kube-proxy on one node: watches Services and EndpointSlices, keeps `rules` in step with them.

        proxy = KubeProxy(Client(api, user="system:kube-proxy"), "node-1")
        proxy.run()
        loop.run(seconds=2)
        print(proxy.rules.save())          # what `iptables-save` would show on node-1
        proxy.route("10.244.2.7", "10.96.12.34", 80)   # -> Verdict(action="DNAT", endpoint=...)

    Every node runs its own, with its own informers, exactly as a DaemonSet
    of kube-proxy does; their tables differ only where a traffic policy is
    Local.
    """

    def __init__(
        self,
        client: Client,
        node_name: str,
        cluster_cidr: str = CLUSTER_CIDR,
        min_sync_period: float = MIN_SYNC_PERIOD,
        node_ips: tuple[str, ...] | list[str] | None = None,
        services: Informer | None = None,
        endpoint_slices: Informer | None = None,
    ):
        if not isinstance(node_name, str) or not node_name:
            raise ValueError(f"kube-proxy needs the name of its node, got {node_name!r}")
        ipaddress.ip_network(cluster_cidr)  # a bad --cluster-cidr fails here, before anything runs
        self.client = client
        self.loop = client.loop
        self.node_name = node_name
        self.cluster_cidr = cluster_cidr
        self.min_sync_period = min_sync_period
        self.node_ips = tuple(node_ips) if node_ips is not None else None
        self.services = services if services is not None else Informer(client, "services")
        self.endpoint_slices = (
            endpoint_slices if endpoint_slices is not None else Informer(client, "endpointslices")
        )
        self.rules = build_rules([], {}, node_name, cluster_cidr)
        self.recent = RecentLists()
        #: (namespace, service name) -> how many ready endpoints of it run on this node (for health checks).
        self.local_ready_endpoints: dict[tuple[str, str], int] = {}
        self.last_sync: float | None = None
        self.syncs = 0
        self.running = False
        self._sync_timer = None
        self._watch_informers()

    def _watch_informers(self) -> None:
        for informer in (self.services, self.endpoint_slices):
            informer.add_event_handler(
                on_add=lambda obj: self.request_sync(),
                on_update=lambda old, new: self.request_sync(),
                on_delete=lambda obj: self.request_sync(),
            )

    def __repr__(self) -> str:
        return f"KubeProxy(node={self.node_name!r}, rules={len(self.rules)}, syncs={self.syncs})"

    def run(self) -> None:
        """Learn this node's addresses, start the informers, and program the first rules."""
        if self.node_ips is None:
            try:
                node = self.client.get("nodes", self.node_name)
                self.node_ips = tuple(
                    a["address"]
                    for a in (node.get("status") or {}).get("addresses") or []
                    if a.get("type") in ("InternalIP", "ExternalIP")
                )
            except NotFound:
                self.node_ips = ()
        if self.running:
            return
        if self.services.stopped or self.endpoint_slices.stopped:  # started again after stop(): fresh caches
            self.services = Informer(self.client, "services")
            self.endpoint_slices = Informer(self.client, "endpointslices")
            self._watch_informers()
        self.running = True
        for informer in (self.services, self.endpoint_slices):
            informer.run()
        self.request_sync()

    def stop(self) -> None:
        """kube-proxy exits. The rules it wrote stay in the kernel (and keep working) but go stale."""
        self.running = False
        if self._sync_timer is not None:
            self._sync_timer.cancel()
            self._sync_timer = None
        for informer in (self.services, self.endpoint_slices):
            informer.stop()

    def request_sync(self) -> None:
        """A change arrived: sync now, or at the end of the min-sync period if one just ran."""
        if not self.running or self._sync_timer is not None:
            return
        delay = 0.0
        if self.last_sync is not None:
            delay = max(0.0, self.last_sync + self.min_sync_period - self.loop.now)
        self._sync_timer = self.loop.call_later(delay, self._timed_sync)

    def _timed_sync(self) -> None:
        self._sync_timer = None
        self.sync_proxy_rules()

    def sync_proxy_rules(self) -> ProxyRules:
        """Rebuild the whole table from the informers' caches (what iptables-restore would load)."""
        ports: list[ServicePortInfo] = []
        for service in sorted(
            self.services.list(), key=lambda s: (s["metadata"].get("namespace", ""), s["metadata"]["name"])
        ):
            ports.extend(service_port_infos(service))
        endpoints = endpoints_map(self.endpoint_slices.list())
        self.rules = build_rules(ports, endpoints, self.node_name, self.cluster_cidr)
        self.local_ready_endpoints = {}
        for (service_key, _, _), infos in endpoints.items():
            namespace, name = service_key.split("/", 1)
            count = sum(1 for e in infos if e.ready and e.node_name == self.node_name)
            key = (namespace, name)
            self.local_ready_endpoints[key] = max(self.local_ready_endpoints.get(key, 0), count)
        self.last_sync = self.loop.now
        self.syncs += 1
        return self.rules

    def healthz(self) -> tuple[int, dict]:
        """GET http://<node>:10256/healthz: 200 while kube-proxy runs and has synced; 503 otherwise.

        Load balancers check this port to decide whether a node can take
        traffic for Services with externalTrafficPolicy Cluster.
        """
        healthy = self.running and self.last_sync is not None
        now = self.loop.timestamp()
        body = {"lastUpdated": now if healthy else "", "currentTime": now, "nodeEligible": True}
        return (200 if healthy else 503), body

    def service_health(self, namespace: str, name: str) -> tuple[int, dict]:
        """GET http://<node>:<healthCheckNodePort>/: 200 when this node has ready endpoints of the Service.

        What a load balancer checks for externalTrafficPolicy Local: a node
        without a local pod answers 503, and the load balancer sends it
        nothing, so traffic never has to leave the node it arrived on.
        """
        count = self.local_ready_endpoints.get((namespace, name), 0) if self.running else 0
        body = {
            "service": {"namespace": namespace, "name": name},
            "localEndpoints": count,
            "serviceProxyHealthy": self.running,
        }
        return (200 if count > 0 else 503), body

    def route(
        self, source: str, destination: str, port: int, protocol: str = "TCP", rng: Any = None
    ) -> Verdict:
        """Where this node's rules send a new connection from `source` to `destination:port`."""
        return walk(
            self.rules,
            Packet(source, destination, int(port), protocol.lower()),
            rng if rng is not None else self.loop.random,
            now=self.loop.now,
            local_ips=self.node_ips or (),
            recent=self.recent,
        )

    def save(self) -> str:
        """`iptables-save` on this node, stamped with the virtual time."""
        return self.rules.save(self.loop.datetime().strftime("%a %b %e %H:%M:%S %Y"))

    def frame(self, table: str | None = None, chain_prefix: str = "") -> Any:
        return self.rules.frame(table, chain_prefix)


__all__ = [
    "DEFAULT_AFFINITY_SECONDS",
    "EndpointInfo",
    "KubeProxy",
    "Packet",
    "ProxyRules",
    "RecentLists",
    "Rule",
    "ServicePortInfo",
    "Verdict",
    "build_rules",
    "endpoint_chain",
    "endpoints_map",
    "external_chain",
    "port_proto_hash",
    "probability",
    "service_chain",
    "service_port_infos",
    "walk",
]
