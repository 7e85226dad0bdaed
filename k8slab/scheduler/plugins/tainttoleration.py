"""TaintToleration: a node's taints repel pods that do not tolerate them.

Filter: a NoSchedule or NoExecute taint the pod does not tolerate rules the
node out ("node(s) had untolerated taint {key: value}"). Score: the fewer
PreferNoSchedule taints the pod does not tolerate, the better (the count is
normalised in reverse, so a node with none scores 100).
"""

from __future__ import annotations

from k8slab.scheduler.framework import SUCCESS, Plugin, Status, default_normalize_score


def toleration_tolerates(toleration: dict, taint: dict) -> bool:
    """One toleration against one taint (v1.Toleration.ToleratesTaint)."""
    effect = toleration.get("effect") or ""
    if effect and effect != taint.get("effect"):
        return False
    key = toleration.get("key") or ""
    if key and key != taint.get("key"):
        return False
    operator = toleration.get("operator") or "Equal"
    if operator == "Exists":
        return True  # an empty key with Exists tolerates every taint
    return operator == "Equal" and (toleration.get("value") or "") == (taint.get("value") or "")


def tolerates(tolerations: list[dict], taint: dict) -> bool:
    return any(toleration_tolerates(t, taint) for t in tolerations)


def first_untolerated(taints: list[dict], tolerations: list[dict], effects: tuple[str, ...]) -> dict | None:
    for taint in taints:
        if taint.get("effect") in effects and not tolerates(tolerations, taint):
            return taint
    return None


def untolerated_reason(taint: dict) -> str:
    return f"node(s) had untolerated taint {{{taint.get('key', '')}: {taint.get('value') or ''}}}"


class TaintToleration(Plugin):
    name = "TaintToleration"

    def filter(self, state, pod_info, node_info) -> Status:
        taint = first_untolerated(node_info.taints, pod_info.spec.get("tolerations") or [],
                                  ("NoSchedule", "NoExecute"))
        if taint is None:
            return SUCCESS
        return Status.unschedulable(untolerated_reason(taint), resolvable=False)

    def pre_score(self, state, pod_info, node_infos) -> Status:
        prefer = [t for t in pod_info.spec.get("tolerations") or [] if (t.get("effect") or "PreferNoSchedule")
                  == "PreferNoSchedule"]
        state["PreScoreTaintToleration"] = prefer
        return SUCCESS

    def score(self, state, pod_info, node_info) -> int:
        tolerations = state["PreScoreTaintToleration"]
        return sum(1 for taint in node_info.taints
                   if taint.get("effect") == "PreferNoSchedule" and not tolerates(tolerations, taint))

    def normalize_score(self, state, pod_info, scores: dict[str, int]) -> None:
        default_normalize_score(scores, reverse=True)
