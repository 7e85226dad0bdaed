"""NodeAffinity: the pod's nodeSelector and node affinity against the node's labels.

Filter: the node must carry every `nodeSelector` label, and match at least
one of the `requiredDuringSchedulingIgnoredDuringExecution` terms (terms are
ORed; the expressions inside a term are ANDed). Score: the sum of the
weights of the `preferredDuringSchedulingIgnoredDuringExecution` terms the
node matches, normalised so the best node gets 100.
"""

from __future__ import annotations

from k8slab.scheduler.framework import SUCCESS, Plugin, Status, default_normalize_score

ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector"


def _as_int(value: str) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def requirement_matches(requirement: dict, values_of: dict) -> bool:
    """One NodeSelectorRequirement (In, NotIn, Exists, DoesNotExist, Gt, Lt) against labels or fields."""
    key, operator = requirement.get("key"), requirement.get("operator")
    values = requirement.get("values") or []
    present = key in values_of
    value = values_of.get(key)
    if operator == "In":
        return present and value in values
    if operator == "NotIn":
        return not present or value not in values
    if operator == "Exists":
        return present
    if operator == "DoesNotExist":
        return not present
    if operator in ("Gt", "Lt"):
        if not present or len(values) != 1:
            return False
        mine, theirs = _as_int(value), _as_int(values[0])
        if mine is None or theirs is None:
            return False
        return mine > theirs if operator == "Gt" else mine < theirs
    return False  # an unknown operator matches nothing (a broken term leaves the pod Pending)


def term_matches(term: dict, node: dict) -> bool:
    """A NodeSelectorTerm: all its matchExpressions (labels) and matchFields (metadata.name) hold.

    A term with neither matches no node, as upstream.
    """
    expressions = term.get("matchExpressions") or []
    fields = term.get("matchFields") or []
    if not expressions and not fields:
        return False
    labels = node["metadata"].get("labels") or {}
    node_fields = {"metadata.name": node["metadata"]["name"]}
    return all(requirement_matches(r, labels) for r in expressions) and all(
        requirement_matches(r, node_fields) for r in fields
    )


def required_node_affinity_matches(pod_spec: dict, node: dict) -> bool:
    """nodeSelector and required node affinity together (nodeaffinity.GetRequiredNodeAffinity)."""
    labels = node["metadata"].get("labels") or {}
    for key, value in (pod_spec.get("nodeSelector") or {}).items():
        if labels.get(key) != value:
            return False
    required = ((pod_spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution")
    if required is None:
        return True
    return any(term_matches(term, node) for term in required.get("nodeSelectorTerms") or [])


def preferred_terms(pod_spec: dict) -> list[dict]:
    node_affinity = (pod_spec.get("affinity") or {}).get("nodeAffinity") or {}
    return node_affinity.get("preferredDuringSchedulingIgnoredDuringExecution") or []


class NodeAffinity(Plugin):
    name = "NodeAffinity"

    def filter(self, state, pod_info, node_info) -> Status:
        if required_node_affinity_matches(pod_info.spec, node_info.node):
            return SUCCESS
        return Status.unschedulable(ERR_REASON_POD, resolvable=False)

    def score(self, state, pod_info, node_info) -> int:
        return sum(int(term.get("weight", 0)) for term in preferred_terms(pod_info.spec)
                   if term_matches(term.get("preference") or {}, node_info.node))

    def normalize_score(self, state, pod_info, scores: dict[str, int]) -> None:
        default_normalize_score(scores)
