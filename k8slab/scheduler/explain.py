"""Why did the pod go there (or nowhere)? A node x plugin table of verdicts and scores (notebook 04).

`explain(scheduler, pod)` runs the pod's profile the way a scheduling cycle
would, but keeps everything the cycle throws away:

* one row per node, in the order the scheduler walks them;
* for every Filter plugin, "ok" or its reason. The real cycle stops at the
  first plugin that rejects a node; here every filter runs, so you can see
  *all* the reasons a node is out. `feasible` is the verdict that counts.
* for every Score plugin, on the feasible nodes: the raw score, the score
  after NormalizeScore, and the weighted score that goes into the total;
* the `total`, and `winner` on the node the scheduler would pick now.

Nothing changes: no binding is written, and the scheduler's random generator
is copied, not used, so explaining a pod does not change later placements.
Two simplifications, said out loud: every node is scored (the real cycle may
stop filtering early once it has found enough feasible nodes, with 100 nodes
or more), and a pod that is already bound is explained as if it were not on
its node yet.
"""

from __future__ import annotations

import random

import pandas as pd

from k8slab.scheduler.framework import CycleState, Diagnosis, FitError
from k8slab.scheduler.nodeinfo import PodInfo
from k8slab.scheduler.scheduler import Scheduler, select_host


def _pod_info(scheduler: Scheduler, pod: dict | str) -> PodInfo:
    if isinstance(pod, str):
        key = pod if "/" in pod else f"default/{pod}"
        found = scheduler.pod_informer.get(key)
        if found is None:
            raise KeyError(f'pods "{key.split("/", 1)[1]}" not found in namespace "{key.split("/", 1)[0]}"')
        pod = found
    if (pod.get("spec") or {}).get("nodeName"):  # already bound: explain it as if it were pending
        pod = dict(pod, spec={k: v for k, v in pod["spec"].items() if k != "nodeName"})
    return PodInfo.of(pod)


def explain(scheduler: Scheduler, pod: dict | str) -> pd.DataFrame:
    """A DataFrame, node x (plugin, column): filter verdicts, raw/normalized/weighted scores, total, winner.

    `pod` is a pod object, or its "namespace/name" (or "name" in default).
    `explain(...).attrs["message"]` holds the Pending message when no node fits.
    """
    pod_info = _pod_info(scheduler, pod)
    bound = scheduler.pod_informer.get(pod_info.key) if pod_info.key in scheduler.pod_nodes else None
    if bound is None:
        return _explain(scheduler, pod_info)
    scheduler._forget_assigned(pod_info.key)  # take it off its node for the question, then put it back
    try:
        return _explain(scheduler, pod_info)
    finally:
        scheduler._add_assigned(bound)


def _explain(scheduler: Scheduler, pod_info: PodInfo) -> pd.DataFrame:
    fwk = scheduler.framework_for(pod_info.pod)
    node_infos = scheduler.node_infos()
    state = CycleState()
    pre = fwk.run_pre_filter(state, pod_info)
    rows: dict[str, dict] = {info.name: {} for info in node_infos}
    feasible, statuses = [], {}
    for info in node_infos:
        row, first = rows[info.name], None
        for plugin in fwk.filter_plugins:
            if not pre.is_success():
                row[(plugin.name, "filter")] = "-"
                continue
            if plugin.name in state.get("skip_filter", ()):
                row[(plugin.name, "filter")] = "ok"  # PreFilter said Skip: nothing to check for this pod
                continue
            status = plugin.filter(state, pod_info, info)
            row[(plugin.name, "filter")] = "ok" if status.is_success() else status.message()
            if not status.is_success() and first is None:
                first = status
        row[("feasible", "")] = pre.is_success() and first is None
        if row[("feasible", "")]:
            feasible.append(info)
        elif first is not None:
            statuses[info.name] = first
    detail: dict = {}
    winner = None
    if feasible:
        fwk.run_pre_score(state, pod_info, feasible)
        scores = fwk.run_score(state, pod_info, feasible, detail=detail)
        rng = random.Random()
        rng.setstate(scheduler.rng.getstate())  # a copy: explaining must not change later choices
        winner = select_host(scores, rng)
        for result in scores:
            rows[result.name][("total", "")] = result.total
    for plugin in fwk.score_plugins:
        raw, normalized = detail.get(plugin.name, ({}, {}))
        for info in node_infos:
            row = rows[info.name]
            row[(plugin.name, "raw")] = raw.get(info.name)
            row[(plugin.name, "normalized")] = normalized.get(info.name)
            weighted = normalized.get(info.name)
            row[(plugin.name, "weighted")] = None if weighted is None else weighted * fwk.weight(plugin)
    for info in node_infos:
        rows[info.name].setdefault(("total", ""), None)
        rows[info.name][("winner", "")] = info.name == winner
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.columns = pd.MultiIndex.from_tuples(frame.columns, names=["plugin", ""])
    frame.index.name = "node"
    for column in frame.columns:
        if column[1] in ("raw", "normalized", "weighted") or column[0] == "total":
            frame[column] = frame[column].astype("Int64")  # whole numbers, <NA> where not scored
    if winner is None:
        diagnosis = Diagnosis(statuses, pre_filter_msg="" if pre.is_success() else pre.message())
        frame.attrs["message"] = str(FitError(pod_info.key, len(node_infos), diagnosis))
    else:
        frame.attrs["message"] = f"Successfully assigned {pod_info.key} to {winner}"
    return frame
