"""A fast path beside `k8slab.net.proxy.walk`: the same verdicts, without trying every rule each time.

Used by the request path (notebook 08) and the traffic generator, which send
tens of thousands of connections through one node's rules. The readable
path is `walk`: a packet goes through nat PREROUTING rule by rule, as the
kernel does. Between two syncs of kube-proxy the rules do not change, and
for one destination (and one kind of source) the walk always goes the same
way up to the dice of the KUBE-SVC chain. So `FastRoutes` walks once with
dice that never say yes, keeps what it learned (the rules matched before the
dice, the endpoints with their probabilities, what each KUBE-SEP chain
rewrites), and afterwards only throws the dice: in the same order, drawing
the same numbers from the same generator, so the chosen endpoint, the
masquerade mark and the trace of matched rules are exactly what `walk`
gives (tests/test_net_request.py proves it over random tables).

It steps aside for what it does not model, and calls `walk` instead: a
Service with session affinity (the answer depends on the `recent` lists),
and a packet whose source is one of the endpoints (the hairpin rule).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from k8slab.net.proxy import (
    CLUSTER_CIDR,
    Packet,
    ProxyRules,
    RecentLists,
    Verdict,
    _in,
    kernel_probability,
    walk,
)


class _NeverTaken:
    """Dice for the learning walk: every `-m statistic` rule says no; counts how often it was asked."""

    def __init__(self) -> None:
        self.draws = 0

    def random(self) -> float:
        self.draws += 1
        return 1.0


@dataclass(frozen=True, slots=True)
class Plan:
    """What the learning walk found for one destination and kind of source."""

    fixed: Verdict | None  # the verdict when no dice are thrown (REJECT, DROP, ACCEPT, one endpoint)
    prefix: tuple = ()  # trace entries before the KUBE-SVC chain picks an endpoint
    masquerade: bool = False
    choices: tuple = ()  # (kernel probability or None for the last, trace entry, DNAT trace entry, endpoint)
    service: str = ""
    endpoint_ips: frozenset = frozenset()


class FastRoutes:
    """Cached routing plans for one node's rules; rebuilt when kube-proxy installs a new table."""

    def __init__(self, cluster_cidr: str = CLUSTER_CIDR):
        self.cluster_cidr = cluster_cidr
        self.rules: ProxyRules | None = None
        self.local_ips: tuple[str, ...] = ()
        self.plans: dict[tuple, Plan | None] = {}
        self.inside: dict[str, bool] = {}  # source address -> in the cluster CIDR?

    def route(
        self,
        rules: ProxyRules,
        source: str,
        destination: str,
        port: int,
        protocol: str,
        rng: Any,
        now: float = 0.0,
        local_ips: tuple[str, ...] = (),
        recent: RecentLists | None = None,
    ) -> Verdict:
        """The verdict `walk` would give for this new connection, drawing the same numbers from `rng`."""
        if rules is not self.rules or local_ips != self.local_ips:
            self.rules, self.local_ips, self.plans = rules, local_ips, {}
        local = source in local_ips or source == "127.0.0.1"
        inside = self.inside.get(source)
        if inside is None:
            inside = _in(source, self.cluster_cidr)
            if len(self.inside) < 65536:
                self.inside[source] = inside
        key = (destination, port, protocol, inside, local)
        plan = self.plans.get(key, False)
        if plan is False:
            plan = self._learn(rules, Packet(source, destination, port, protocol), local_ips)
            if plan is not None and source in plan.endpoint_ips:  # learned from a hairpin: do not keep it
                return walk(rules, Packet(source, destination, port, protocol), rng, now, local_ips, recent)
            self.plans[key] = plan
        if plan is None or source in plan.endpoint_ips:
            return walk(rules, Packet(source, destination, port, protocol), rng, now, local_ips, recent)
        if plan.fixed is not None:
            fixed = plan.fixed
            return Verdict(fixed.action, fixed.endpoint, fixed.service, fixed.masquerade, list(fixed.trace))
        for chance, entry, dnat, endpoint in plan.choices:
            if chance is None or rng.random() < chance:
                return Verdict("DNAT", endpoint, plan.service, plan.masquerade, [*plan.prefix, entry, dnat])
        raise AssertionError("the last endpoint of a KUBE-SVC chain is always taken")

    def _learn(self, rules: ProxyRules, packet: Packet, local_ips: tuple[str, ...]) -> Plan | None:
        dice = _NeverTaken()
        verdict = walk(rules, packet, dice, 0.0, local_ips, RecentLists())
        if any(rule.recent for _, _, _, rule in verdict.trace):
            return None  # session affinity: the answer depends on memory, not only on dice
        if dice.draws == 0:
            return Plan(fixed=verdict)
        # The dice were thrown in exactly one chain, the KUBE-SVC (or KUBE-SVL) chain, at its endpoint rules.
        picks = [
            i
            for i, (_, chain, _, rule) in enumerate(verdict.trace)
            if chain.startswith(("KUBE-SVC-", "KUBE-SVL-")) and rule.target.startswith("KUBE-SEP-")
        ]
        if len(picks) != 1 or verdict.action != "DNAT":
            return None
        at = picks[0]
        table, chain, _, _ = verdict.trace[at]
        chain_rules = rules.chain(table, chain)
        endpoint_rules = [(n, r) for n, r in enumerate(chain_rules, 1) if r.target.startswith("KUBE-SEP-")]
        first = endpoint_rules[0][0]
        plain = all(
            not (r.protocol or r.destination or r.dport is not None or r.source or r.addrtype or r.recent)
            for _, r in endpoint_rules
        )
        if not plain or any(r.target.startswith("KUBE-SEP-") for r in chain_rules[: first - 1]):
            return None
        if dice.draws != len(endpoint_rules) - 1 or any(r.probability for _, r in endpoint_rules[-1:]):
            return None
        choices, ips = [], set()
        for number, rule in endpoint_rules:
            sep_rules = rules.chain("nat", rule.target)
            if len(sep_rules) != 2 or sep_rules[1].target != "DNAT" or sep_rules[1].recent:
                return None
            dnat = sep_rules[1]
            ips.add(dnat.to_destination.rsplit(":", 1)[0])
            chance = kernel_probability(rule.probability) if rule.probability else None
            entry = (table, chain, number, rule)
            choices.append((chance, entry, ("nat", rule.target, 2, dnat), dnat.to_destination))
        return Plan(
            fixed=None,
            prefix=tuple(verdict.trace[:at]),
            masquerade=verdict.masquerade,
            choices=tuple(choices),
            service=verdict.service,
            endpoint_ips=frozenset(ips),
        )


__all__ = ["FastRoutes", "Plan"]
