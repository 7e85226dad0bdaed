"""k8slab.scheduler: kube-scheduler rebuilt (notebook 04, step 7 of the series).

    from k8slab.client import Client
    from k8slab.scheduler import Scheduler, explain

    scheduler = Scheduler(Client(api, user="system:kube-scheduler"))
    scheduler.run()                 # watches nodes and pods; binds pending pods as the loop runs
    explain(scheduler, "web-0")     # node x plugin: filter verdicts, scores, the winner

A plugin of your own is a small class; a profile is a list of plugins with
score weights, served to the pods whose spec.schedulerName names it:

    class PreferBigNodes(Plugin):
        name = "PreferBigNodes"

        def score(self, state, pod_info, node_info):
            return min(node_info.allocatable.milli_cpu // 100, MAX_NODE_SCORE)

    plugins = default_plugins() + [PreferBigNodes()]
    weights = dict(DEFAULT_WEIGHTS, PreferBigNodes=5)
    scheduler.add_profile(Framework(plugins, weights, scheduler_name="big-first"))

Modules: `framework` (extension points, Status, CycleState, weights, the
"0/3 nodes are available" message), `nodeinfo` (what the scheduler knows
about each node), `queue` (activeQ, backoffQ, unschedulable pods),
`plugins/` (one file per default plugin), `scheduler` (the loop),
`explain` (why a pod went where it went), `fastpath` (the same Filter and
Score as numpy array operations, for thousands of nodes).
"""

from k8slab.scheduler.explain import explain
from k8slab.scheduler.framework import (
    MAX_NODE_SCORE,
    Code,
    CycleState,
    FitError,
    Framework,
    Plugin,
    Status,
)
from k8slab.scheduler.nodeinfo import NodeInfo, PodInfo, Resource
from k8slab.scheduler.queue import SchedulingQueue
from k8slab.scheduler.scheduler import (
    DEFAULT_WEIGHTS,
    Scheduler,
    default_framework,
    default_plugins,
    num_feasible_nodes_to_find,
)

__all__ = [
    "DEFAULT_WEIGHTS",
    "MAX_NODE_SCORE",
    "Code",
    "CycleState",
    "FitError",
    "Framework",
    "NodeInfo",
    "Plugin",
    "PodInfo",
    "Resource",
    "Scheduler",
    "SchedulingQueue",
    "Status",
    "default_framework",
    "default_plugins",
    "explain",
    "num_feasible_nodes_to_find",
]
