"""PodTopologySpread: keep matching pods evenly spread over zones, nodes, or any topology label.

A constraint says: count the pods matching `labelSelector` in each domain
(each value of `topologyKey`, e.g. each zone); placing this pod must not make
the busiest domain more than `maxSkew` ahead of the emptiest one.

* `whenUnsatisfiable: DoNotSchedule` is a Filter: a node whose domain would
  exceed the skew is out ("node(s) didn't match pod topology spread
  constraints"); a node without the topology label is out for good
  ("... (missing required label)").
* `whenUnsatisfiable: ScheduleAnyway` is a Score: fewer matching pods in the
  node's domain is better (upstream `scoring.go`: each count is weighted by
  log(number of domains + 2), then normalised so the emptiest domain gets 100).
* A pod with no constraints of its own gets the cluster's **system default
  constraints** (spread by hostname, maxSkew 3, and by zone, maxSkew 5, both
  ScheduleAnyway), counting the pods of the same Service or ReplicaSet.

Domains are counted only over nodes the pod could go to by its nodeSelector
and node affinity (nodeAffinityPolicy: Honor, the default); taints are
ignored (nodeTaintsPolicy: Ignore). minDomains and matchLabelKeys are honoured.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from k8slab.api.selectors import LabelSelector, SelectorError, selector_from_label_selector
from k8slab.scheduler.framework import MAX_NODE_SCORE, SUCCESS, Code, Plugin, Status
from k8slab.scheduler.plugins.nodeaffinity import required_node_affinity_matches

ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints"
ERR_REASON_NODE_LABEL_NOT_MATCH = ERR_REASON_CONSTRAINTS_NOT_MATCH + " (missing required label)"
HOSTNAME = "kubernetes.io/hostname"
ZONE = "topology.kubernetes.io/zone"

SYSTEM_DEFAULT_CONSTRAINTS = (
    {"topologyKey": HOSTNAME, "whenUnsatisfiable": "ScheduleAnyway", "maxSkew": 3},
    {"topologyKey": ZONE, "whenUnsatisfiable": "ScheduleAnyway", "maxSkew": 5},
)


@dataclass
class Constraint:
    max_skew: int
    topology_key: str
    selector: LabelSelector
    min_domains: int = 1


def count_matching(pod_infos, selector: LabelSelector, namespace: str) -> int:
    return sum(1 for p in pod_infos if p.namespace == namespace and selector.matches(p.labels)
               and not p.pod["metadata"].get("deletionTimestamp"))


def build_constraints(pod_info, raw: list[dict], when: str) -> list[Constraint]:
    result = []
    for c in raw:
        if c.get("whenUnsatisfiable", "DoNotSchedule") != when:
            continue
        selector_spec = dict(c.get("labelSelector") or {})
        keys = c.get("matchLabelKeys") or []
        if keys:  # "the same revision as me": add my values of these labels to the selector
            extra = [{"key": k, "operator": "In", "values": [pod_info.labels[k]]} for k in keys
                     if k in pod_info.labels]
            selector_spec["matchExpressions"] = list(selector_spec.get("matchExpressions") or []) + extra
        has_selector = c.get("labelSelector") is not None or keys
        selector = selector_from_label_selector(selector_spec if has_selector else None)
        result.append(Constraint(int(c.get("maxSkew", 1)), c["topologyKey"], selector,
                                 int(c.get("minDomains") or 1)))
    return result


class PodTopologySpread(Plugin):
    name = "PodTopologySpread"

    def __init__(self, default_constraints=SYSTEM_DEFAULT_CONSTRAINTS, handle=None):
        self.default_constraints = list(default_constraints)
        self.handle = handle  # the Scheduler: all nodes, and the Service/ReplicaSet selector of a pod

    def _constraints(self, pod_info, when: str) -> tuple[list[Constraint], bool]:
        """(constraints, system defaulted?). Raises SelectorError for a broken labelSelector."""
        own = pod_info.spec.get("topologySpreadConstraints") or []
        if own:
            return build_constraints(pod_info, own, when), False
        selector = self.handle.default_selector(pod_info) if self.handle is not None else None
        if selector is None or when != "ScheduleAnyway":
            return [], True
        return [Constraint(c["maxSkew"], c["topologyKey"], selector) for c in self.default_constraints], True

    # -- Filter: DoNotSchedule -------------------------------------------------------------

    def pre_filter(self, state, pod_info) -> Status:
        try:
            constraints, _ = self._constraints(pod_info, "DoNotSchedule")
        except (SelectorError, KeyError, ValueError) as error:
            return Status(Code.UnschedulableAndUnresolvable, [f"invalid topology spread constraint: {error}"])
        if not constraints:
            return Status(Code.Skip)
        counts: list[dict[str, int]] = [{} for _ in constraints]
        for info in self.handle.node_infos():
            labels = info.labels
            if not required_node_affinity_matches(pod_info.spec, info.node):
                continue
            if not all(c.topology_key in labels for c in constraints):
                continue
            for i, c in enumerate(constraints):
                value = labels[c.topology_key]
                counts[i][value] = counts[i].get(value, 0) + count_matching(
                    info.pods.values(), c.selector, pod_info.namespace)
        minimums = []
        for i, c in enumerate(constraints):
            domains = counts[i]
            minimums.append(0 if len(domains) < c.min_domains else min(domains.values(), default=0))
        state["PreFilterPodTopologySpread"] = (constraints, counts, minimums)
        return SUCCESS

    def filter(self, state, pod_info, node_info) -> Status:
        constraints, counts, minimums = state["PreFilterPodTopologySpread"]
        labels = node_info.labels
        for i, c in enumerate(constraints):
            if c.topology_key not in labels:
                return Status(Code.UnschedulableAndUnresolvable, [ERR_REASON_NODE_LABEL_NOT_MATCH])
            self_match = 1 if c.selector.matches(pod_info.labels) else 0
            match_num = counts[i].get(labels[c.topology_key], 0)
            if match_num + self_match - minimums[i] > c.max_skew:
                return Status(Code.Unschedulable, [ERR_REASON_CONSTRAINTS_NOT_MATCH])
        return SUCCESS

    # -- Score: ScheduleAnyway -------------------------------------------------------------

    def pre_score(self, state, pod_info, node_infos) -> Status:
        try:
            constraints, defaulted = self._constraints(pod_info, "ScheduleAnyway")
        except (SelectorError, KeyError, ValueError):
            return Status(Code.Skip)
        if not constraints:
            return Status(Code.Skip)
        require_all = not defaulted
        ignored = {info.name for info in node_infos
                   if require_all and not all(c.topology_key in info.labels for c in constraints)}
        pairs: list[dict[str, int]] = [{} for _ in constraints]
        weights = []
        for i, c in enumerate(constraints):
            values = {info.labels[c.topology_key] for info in node_infos
                      if info.name not in ignored and c.topology_key in info.labels}
            size = len(node_infos) - len(ignored) if c.topology_key == HOSTNAME else len(values)
            weights.append(math.log(size + 2))
            if c.topology_key != HOSTNAME:
                pairs[i] = dict.fromkeys(values, 0)
        for info in self.handle.node_infos():
            if not required_node_affinity_matches(pod_info.spec, info.node):
                continue
            if require_all and not all(c.topology_key in info.labels for c in constraints):
                continue
            for i, c in enumerate(constraints):
                value = info.labels.get(c.topology_key)
                if value in pairs[i]:
                    pairs[i][value] += count_matching(info.pods.values(), c.selector, pod_info.namespace)
        state["PreScorePodTopologySpread"] = (constraints, pairs, weights, ignored)
        return SUCCESS

    def score(self, state, pod_info, node_info) -> int:
        constraints, pairs, weights, ignored = state["PreScorePodTopologySpread"]
        if node_info.name in ignored:
            return 0
        score = 0.0
        for i, c in enumerate(constraints):
            value = node_info.labels.get(c.topology_key)
            if value is None:
                continue
            if c.topology_key == HOSTNAME:
                count = count_matching(node_info.pods.values(), c.selector, pod_info.namespace)
            else:
                count = pairs[i].get(value, 0)
            score += count * weights[i] + (c.max_skew - 1)
        return math.floor(score + 0.5)  # Go's math.Round; a weighted count, not yet 0..100

    def normalize_score(self, state, pod_info, scores: dict[str, int]) -> None:
        _, _, _, ignored = state["PreScorePodTopologySpread"]
        counted = [s for name, s in scores.items() if name not in ignored]
        lowest, highest = min(counted, default=0), max(counted, default=0)
        for name, score in scores.items():
            if name in ignored:
                scores[name] = 0
            elif highest == 0:
                scores[name] = MAX_NODE_SCORE
            else:
                scores[name] = MAX_NODE_SCORE * (highest + lowest - score) // highest
