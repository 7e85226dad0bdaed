"""k8slab: Kubernetes' internals rebuilt layer by layer, one notebook each.

Layers so far (see notebooks/ for the story each one tells):

- `k8slab.sim`   the virtual clock and event loop everything runs on (notebook 01)
- `k8slab.store` etcd, the cluster's memory: MVCC revisions, txn, watch, leases (notebook 01)
- `k8slab.api`   the API server: objects, defaults, validation, admission, verbs, watch (notebook 02)
- `k8slab.client` the client every component uses: informer, workqueue (notebook 02, used from 03 on)
- `k8slab.kubectl` kubectl: the same commands, columns and messages (notebook 02)
- `k8slab.viz`   the architecture diagram, the store view, the API request log
- `k8slab.cluster.Cluster` the facade that wires them all
"""

from k8slab.cluster import Cluster
from k8slab.sim import EPOCH, Loop

__version__ = "0.1.0"

__all__ = ["EPOCH", "Cluster", "Loop", "__version__"]
