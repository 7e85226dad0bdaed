"""Exercises of notebook 04, the scheduler: read the filters' verdicts, write a score plugin that packs.

`04-which-filter`: a three-node cluster where every node is out for a
different reason; the learner names the filter plugin that rejects each node.

`04-score-plugin`: the learner writes a Score plugin that prefers fuller
nodes (bin packing). The checker registers it, in a profile of its own
beside the default plugins, on a fresh cluster, schedules the same twelve
pods with the default profile and with theirs, and compares how many nodes
each one uses. `compare_utilisation(plugin)` gives the two placements as a
table for the notebook's plot.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from k8slab.exercises.core import Feedback, exercise
from k8slab.scheduler import DEFAULT_WEIGHTS, Framework, default_plugins
from k8slab.scheduler.framework import MAX_NODE_SCORE, MIN_NODE_SCORE, CycleState
from k8slab.scheduler.nodeinfo import NodeInfo, PodInfo

PROFILE = "bin-packing"
PLUGIN_WEIGHT = 5
NODES = 6
PODS = 12
POD_CPU, POD_MEMORY = "500m", "512Mi"
#: Twelve pods of 500m on 4-cpu nodes: 6 cpu in all, so a packing scheduler needs two nodes.
PACKED_NODES = 2


def _pod(name: str, cpu: str = POD_CPU, memory: str = POD_MEMORY, **spec: Any) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [{"name": "app", "image": "nginx:1.27",
                                     "resources": {"requests": {"cpu": cpu, "memory": memory}}}], **spec}}


# -- exercise 1: which filter says no? ---------------------------------------------------


def three_ways_out():
    """node-1 cordoned, node-2 tainted, node-3 too small for a pod asking 6 cpu: the pod stays Pending."""
    from k8slab import Cluster

    cluster = Cluster(nodes=[{}, {"taints": [{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}]},
                             {"cpu": "4"}], seed=0)
    cluster.api.patch("nodes", "node-1", {"spec": {"unschedulable": True}})
    cluster.api.create(_pod("analytics", cpu="6", memory="1Gi"))
    cluster.run(seconds=2)
    return cluster


def first_rejections(cluster) -> dict[str, str]:
    """Node -> the first filter plugin that rejects the pod there (the one the real cycle stops at)."""
    table = cluster.explain("analytics")
    answer = {}
    for node, row in table.iterrows():
        for (plugin, column), verdict in row.items():
            if column == "filter" and verdict != "ok":
                answer[node] = plugin
                break
    return answer


@exercise("04-which-filter")
def check_which_filter(answer: Any) -> Feedback:
    name = "04-which-filter"
    if not isinstance(answer, dict):
        return Feedback(name, False, f"answer with a dict from node name to plugin name, got "
                                     f"{type(answer).__name__}.")
    truth = first_rejections(three_ways_out())
    missing = sorted(set(truth) - set(answer))
    if missing:
        return Feedback(name, False, f"name a plugin for every node; missing: {', '.join(missing)}.")
    hints = {
        "NodeUnschedulable": "a cordoned node has spec.unschedulable: true",
        "TaintToleration": "a taint the pod does not tolerate",
        "NodeResourcesFit": "the pod asks for more cpu than the node has",
    }
    for node in sorted(truth):
        if answer[node] != truth[node]:
            return Feedback(name, False, f"{node}: not {answer[node]!r}. Hint: {hints[truth[node]]}; the "
                                         "plugin names are the column names of cluster.explain(...).")
    return Feedback(name, True, "right: one plugin says no on each node, and the Pending message counts "
                                "their reasons (1 node(s) were unschedulable, 1 ... untolerated taint, "
                                "1 Insufficient cpu).")


# -- exercise 2: a score plugin that packs ---------------------------------------------


def _instance(plugin: Any) -> Any:
    return plugin() if isinstance(plugin, type) else plugin


def _sample_nodes() -> list[tuple[str, NodeInfo]]:
    """An empty node, a half-full one and a nearly full one (4 cpu each), to try the plugin's score on."""
    from k8slab.cluster import node_object

    samples = []
    for label, pods in (("an empty node", 0), ("a half-full node", 4), ("a node with 3.5 of 4 cpu taken", 7)):
        info = NodeInfo(node_object(1, {}))
        for i in range(pods):
            bound = _pod(f"sample-{i}", nodeName="node-1")
            bound["metadata"]["namespace"] = "default"
            info.add_pod(PodInfo.of(bound))
        samples.append((label, info))
    return samples


def try_scores(plugin: Any) -> list[tuple[str, Any]]:
    """The plugin's score for one 500m pod on an empty, a half-full and a nearly full node."""
    pod_info = PodInfo.of(_pod("probe"))
    return [(label, plugin.score(CycleState(), pod_info, info)) for label, info in _sample_nodes()]


def schedule_twelve(plugin: Any | None, seed: int = 0):
    """A fresh 6-node cluster; twelve 500m pods scheduled by the default profile, or by one with `plugin`."""
    from k8slab import Cluster

    cluster = Cluster(nodes=NODES, seed=seed, components=("scheduler",))
    scheduler_name = "default-scheduler"
    if plugin is not None:
        scheduler = cluster.components["scheduler"]
        weights = dict(DEFAULT_WEIGHTS, **{plugin.name: PLUGIN_WEIGHT})
        scheduler.add_profile(Framework(default_plugins() + [plugin], weights, scheduler_name=PROFILE))
        scheduler_name = PROFILE
    for i in range(PODS):
        cluster.api.create(_pod(f"pod-{i + 1}", schedulerName=scheduler_name))
    cluster.run(seconds=2)
    return cluster


def compare_utilisation(plugin: Any) -> pd.DataFrame:
    """CPU requested per node, in percent, for the same twelve pods: default profile vs yours."""
    from k8slab.viz.placement import utilisation

    plugin = _instance(plugin)
    default = utilisation(schedule_twelve(None))["cpu %"]
    yours = utilisation(schedule_twelve(plugin))["cpu %"]
    return pd.DataFrame({"default (LeastAllocated)": default, f"with {plugin.name}": yours})


def _shape_problem(plugin: Any) -> str | None:
    """What is wrong with the plugin's shape, before it goes near a scheduler; None if nothing."""
    if not isinstance(getattr(plugin, "name", None), str) or not plugin.name:
        return 'give your class a name: name = "PackByCpu" (a class attribute).'
    if plugin.name in DEFAULT_WEIGHTS or plugin.name == "NodeResourcesFit":
        return f'"{plugin.name}" is a default plugin\'s name: choose your own, such as "PackByCpu".'
    if not callable(getattr(plugin, "score", None)):
        return "a Score plugin needs a method score(self, state, pod_info, node_info) that returns an int."
    for label, score in try_scores(plugin):
        if isinstance(score, bool) or not isinstance(score, int):
            return (f"on {label} your score returned {score!r}: return a whole number (int) from "
                    f"{MIN_NODE_SCORE} to {MAX_NODE_SCORE}.")
        if not MIN_NODE_SCORE <= score <= MAX_NODE_SCORE:
            return (f"on {label} your score returned {score}: scores must be from {MIN_NODE_SCORE} to "
                    f"{MAX_NODE_SCORE} (framework.MaxNodeScore). Hint: min(..., MAX_NODE_SCORE).")
    return None


@exercise("04-score-plugin")
def check_score_plugin(answer: Any) -> Feedback:
    name = "04-score-plugin"
    plugin = _instance(answer)
    problem = _shape_problem(plugin)
    if problem:
        return Feedback(name, False, problem)
    scores = dict(try_scores(plugin))
    empty, fuller = scores["an empty node"], scores["a node with 3.5 of 4 cpu taken"]
    if fuller <= empty:
        return Feedback(name, False, f"your plugin scores an empty node {empty} and a nearly full one "
                                     f"{fuller}: to pack, the fuller node must score higher. Hint: "
                                     "node_info.requested.milli_cpu + pod_info.requests.milli_cpu, "
                                     "over node_info.allocatable.milli_cpu.")
    cluster = schedule_twelve(plugin)
    from k8slab.viz.placement import utilisation

    table = utilisation(cluster)
    pending = [p["metadata"]["name"] for p in cluster.api.list("pods", "default")["items"]
               if not p["spec"].get("nodeName")]
    if pending:
        return Feedback(name, False, f"{len(pending)} pod(s) were not placed ({', '.join(pending)}): "
                                     "is your score raising an error for some node?")
    used = int((table["pods"] > 0).sum())
    spread = ", ".join(f"{node} {pct}%" for node, pct in table["cpu %"].items())
    if used > PACKED_NODES:
        return Feedback(name, False, f"the twelve pods landed on {used} nodes (cpu requested: {spread}); "
                                     f"packed, they fit on {PACKED_NODES}. Make the score grow faster "
                                     "with how full the node would be.")
    default_used = int((utilisation(schedule_twelve(None))["pods"] > 0).sum())
    return Feedback(name, True, f"packed: twelve 500m pods on {used} nodes ({spread}), where the default "
                                f"profile spreads them over {default_used}. The empty nodes could be "
                                "switched off, which is what a cluster autoscaler does.")
