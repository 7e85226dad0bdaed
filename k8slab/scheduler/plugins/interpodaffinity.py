"""InterPodAffinity: place pods near (affinity) or away from (anti-affinity) other pods.

A term says: "the pods matching `labelSelector` (in these namespaces), per
domain of `topologyKey`". Upstream `interpodaffinity/filtering.go`, `scoring.go`:

Filter, with the required terms, in this order:

1. the pod's **affinity**: in this node's domain there must be a pod matching
   all its affinity terms ("node(s) didn't match pod affinity rules"). The
   very first pod of a group that wants to be with itself is let through.
2. the pod's **anti-affinity**: no matching pod in the node's domain
   ("node(s) didn't match pod anti-affinity rules").
3. **existing pods' anti-affinity**: no pod already there may refuse this
   one in its domain ("node(s) didn't satisfy existing pods anti-affinity rules").

Score, with the preferred terms (and existing pods' terms about this pod): each
matching pod adds (affinity) or subtracts (anti-affinity) the term's weight to
its whole domain; the totals are min-max normalised to 0..100.

Simplified: `namespaceSelector` is honoured only as `{}` (all namespaces).
"""

from __future__ import annotations

from dataclasses import dataclass

from k8slab.api.selectors import LabelSelector, SelectorError, selector_from_label_selector
from k8slab.scheduler.framework import MAX_NODE_SCORE, SUCCESS, Code, Plugin, Status

ERR_REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules"
ERR_REASON_AFFINITY = "node(s) didn't match pod affinity rules"
ERR_REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules"
HARD_POD_AFFINITY_WEIGHT = 1  # how much an existing pod's *required* affinity counts in scoring


@dataclass
class AffinityTerm:
    selector: LabelSelector
    namespaces: frozenset[str] | None  # None: every namespace
    topology_key: str
    weight: int = 0

    def matches(self, pod_info) -> bool:
        if self.namespaces is not None and pod_info.namespace not in self.namespaces:
            return False
        return self.selector.matches(pod_info.labels)


def terms(pod_info, kind: str, required: bool) -> list[AffinityTerm]:
    """The pod's podAffinity or podAntiAffinity terms, required or preferred (with weights)."""
    section = ((pod_info.spec.get("affinity") or {}).get(kind) or {})
    field = "requiredDuringSchedulingIgnoredDuringExecution" if required else \
        "preferredDuringSchedulingIgnoredDuringExecution"
    result = []
    for raw in section.get(field) or []:
        weight = 0 if required else int(raw.get("weight", 0))
        term = raw if required else raw.get("podAffinityTerm") or {}
        namespaces = term.get("namespaces") or []
        if term.get("namespaceSelector") == {}:
            allowed = None
        else:
            allowed = frozenset(namespaces or [pod_info.namespace])
        result.append(AffinityTerm(selector_from_label_selector(term.get("labelSelector")), allowed,
                                   term.get("topologyKey", ""), weight))
    return result


def has_affinity(pod_info) -> bool:
    return pod_info.has_pod_affinity


class InterPodAffinity(Plugin):
    name = "InterPodAffinity"

    def __init__(self, handle=None):
        self.handle = handle

    def _pods_with_affinity(self):
        for info in self.handle.node_infos():
            for pod in info.pods_with_affinity.values():
                yield info, pod

    # -- Filter ------------------------------------------------------------------------------

    def pre_filter(self, state, pod_info) -> Status:
        try:
            affinity = terms(pod_info, "podAffinity", required=True)
            anti = terms(pod_info, "podAntiAffinity", required=True)
            existing_anti: dict[tuple[str, str], int] = {}
            for info, existing in self._pods_with_affinity():
                for term in terms(existing, "podAntiAffinity", required=True):
                    value = info.labels.get(term.topology_key)
                    if value is not None and term.matches(pod_info):
                        pair = (term.topology_key, value)
                        existing_anti[pair] = existing_anti.get(pair, 0) + 1
        except SelectorError as error:
            return Status(Code.UnschedulableAndUnresolvable, [f"invalid pod affinity term: {error}"])
        if not affinity and not anti and not existing_anti:
            return Status(Code.Skip)
        affinity_counts: dict[tuple[str, str], int] = {}
        anti_counts: dict[tuple[str, str], int] = {}
        if affinity or anti:
            for info in self.handle.node_infos():
                for existing in info.pods.values():
                    if affinity and all(t.matches(existing) for t in affinity):
                        for t in affinity:
                            if t.topology_key in info.labels:
                                pair = (t.topology_key, info.labels[t.topology_key])
                                affinity_counts[pair] = affinity_counts.get(pair, 0) + 1
                    for t in anti:
                        if t.topology_key in info.labels and t.matches(existing):
                            pair = (t.topology_key, info.labels[t.topology_key])
                            anti_counts[pair] = anti_counts.get(pair, 0) + 1
        state["PreFilterInterPodAffinity"] = (affinity, anti, existing_anti, affinity_counts, anti_counts)
        return SUCCESS

    def filter(self, state, pod_info, node_info) -> Status:
        affinity, anti, existing_anti, affinity_counts, anti_counts = state["PreFilterInterPodAffinity"]
        labels = node_info.labels
        if affinity and not self._satisfies_affinity(pod_info, affinity, affinity_counts, labels):
            return Status(Code.UnschedulableAndUnresolvable, [ERR_REASON_AFFINITY])
        for t in anti:
            if t.topology_key in labels and anti_counts.get((t.topology_key, labels[t.topology_key]), 0) > 0:
                return Status(Code.Unschedulable, [ERR_REASON_ANTI_AFFINITY])
        for pair in existing_anti:
            if labels.get(pair[0]) == pair[1]:
                return Status(Code.Unschedulable, [ERR_REASON_EXISTING_ANTI_AFFINITY])
        return SUCCESS

    @staticmethod
    def _satisfies_affinity(pod_info, affinity, counts, labels) -> bool:
        pods_exist = True
        for t in affinity:
            if t.topology_key not in labels:
                return False  # every topology label must exist on the node
            if counts.get((t.topology_key, labels[t.topology_key]), 0) <= 0:
                pods_exist = False
        if pods_exist:
            return True
        # The first pod of a group with affinity to itself must not wait forever for itself.
        return not counts and all(t.matches(pod_info) for t in affinity)

    # -- Score -------------------------------------------------------------------------------

    def pre_score(self, state, pod_info, node_infos) -> Status:
        try:
            preferred = [(t, 1) for t in terms(pod_info, "podAffinity", required=False)]
            preferred += [(t, -1) for t in terms(pod_info, "podAntiAffinity", required=False)]
        except SelectorError:
            return Status(Code.Skip)
        scores: dict[tuple[str, str], int] = {}

        def add(key: str, labels: dict, weight: int) -> None:
            if key in labels:
                scores[(key, labels[key])] = scores.get((key, labels[key]), 0) + weight

        for info in self.handle.node_infos():
            pods = info.pods.values() if preferred else info.pods_with_affinity.values()
            for existing in pods:
                for term, sign in preferred:  # this pod's wishes about the pods already there
                    if term.matches(existing):
                        add(term.topology_key, info.labels, sign * term.weight)
                if not has_affinity(existing):
                    continue
                try:  # the pods already there: their wishes about this pod
                    for term in terms(existing, "podAffinity", required=True):
                        if term.matches(pod_info):
                            add(term.topology_key, info.labels, HARD_POD_AFFINITY_WEIGHT)
                    for term in terms(existing, "podAffinity", required=False):
                        if term.matches(pod_info):
                            add(term.topology_key, info.labels, term.weight)
                    for term in terms(existing, "podAntiAffinity", required=False):
                        if term.matches(pod_info):
                            add(term.topology_key, info.labels, -term.weight)
                except SelectorError:
                    continue
        if not scores:
            return Status(Code.Skip)
        state["PreScoreInterPodAffinity"] = scores
        return SUCCESS

    def score(self, state, pod_info, node_info) -> int:
        scores = state["PreScoreInterPodAffinity"]
        return sum(scores.get((key, value), 0) for key, value in node_info.labels.items())

    def normalize_score(self, state, pod_info, scores: dict[str, int]) -> None:
        lowest, highest = min(scores.values(), default=0), max(scores.values(), default=0)
        spread = highest - lowest
        for name, score in scores.items():
            scores[name] = int(MAX_NODE_SCORE * (score - lowest) / spread) if spread > 0 else 0
