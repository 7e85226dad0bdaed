"""k8slab: Kubernetes' internals rebuilt layer by layer, one notebook each.

Layers so far (see notebooks/ for the story each one tells):

- `k8slab.sim`   the virtual clock and event loop everything runs on (notebook 01)
- `k8slab.store` etcd, the cluster's memory: MVCC revisions, txn, watch, leases (notebook 01)
- `k8slab.viz`   the architecture diagram and the live store view (notebooks 00 and 01)
"""

from k8slab.sim import EPOCH, Loop

__version__ = "0.1.0"

__all__ = ["EPOCH", "Loop", "__version__"]
