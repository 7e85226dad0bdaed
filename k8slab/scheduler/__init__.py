"""k8slab.scheduler: kube-scheduler rebuilt (notebook 04, step 7 of the series).

    from k8slab.client import Client
    from k8slab.scheduler import Scheduler

    scheduler = Scheduler(Client(api, user="system:kube-scheduler"))
    scheduler.run()

Modules: `framework` (extension points, Status, CycleState, weights),
`nodeinfo` (what the scheduler knows about each node), `queue` (activeQ,
backoffQ, unschedulable pods), `plugins/` (one file per default plugin),
`scheduler` (the loop), `explain` (why a pod went where it went).
"""

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
    "num_feasible_nodes_to_find",
]
