"""etcd, the cluster's memory (notebook 01).

`Store` is the embedded default: etcd v3's data model and verbs on the k8slab
event loop, in memory or (with `path=`) on disk. See `k8slab.store.mvcc` for
what it models and what it leaves out.
"""

from k8slab.store.errors import (
    Compacted,
    CorruptData,
    DuplicateKey,
    EmptyKey,
    FutureRevision,
    InvalidCompare,
    InvalidKey,
    InvalidRequest,
    InvalidRevision,
    InvalidTTL,
    InvalidValue,
    LeaseNotFound,
    StoreClosed,
    StoreError,
)
from k8slab.store.mvcc import (
    Compare,
    Delete,
    DeleteResult,
    Event,
    Get,
    KeyValue,
    LeaseGrant,
    LeaseStatus,
    Put,
    PutResult,
    RangeResult,
    Store,
    TxnResult,
    Watcher,
    WatchResponse,
    create_revision,
    lease,
    mod_revision,
    prefix_end,
    value,
    version,
)

__all__ = [
    "Compacted", "Compare", "CorruptData", "Delete", "DeleteResult", "DuplicateKey", "EmptyKey", "Event",
    "FutureRevision", "Get", "InvalidCompare", "InvalidKey", "InvalidRequest", "InvalidRevision", "InvalidTTL",
    "InvalidValue", "KeyValue", "LeaseGrant", "LeaseNotFound", "LeaseStatus", "Put", "PutResult", "RangeResult",
    "Store", "StoreClosed", "StoreError", "TxnResult", "WatchResponse", "Watcher", "create_revision", "lease",
    "mod_revision", "prefix_end", "value", "version",
]
