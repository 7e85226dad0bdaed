"""etcd, the cluster's memory: a multi-version key-value store (built in notebook 01).

Kubernetes keeps every object (every pod, node, service) as one key in etcd,
`/registry/pods/default/web-1` holding the pod's JSON. The API server is the
only component that talks to etcd. What it needs from etcd, and what this
module reproduces with etcd v3's own names and semantics:

* **Revisions.** One counter for the whole store. Every write (a put, a delete,
  a transaction) moves it on by exactly one. A fresh etcd reports revision 1,
  so the first write lands at revision 2. Each key remembers `create_revision`
  (when it was created), `mod_revision` (when it last changed) and `version`
  (how many times it changed since it was created; a delete resets it to 0).
  Kubernetes' `resourceVersion` *is* the object's `mod_revision`.
* **History (MVCC).** Old values are kept, so a read can ask for the store as
  it was at revision N, and a watcher can start from N and replay every change.
* **Transactions.** `txn(compare, success, failure)`: if every compare holds,
  run the success ops, else the failure ops, all at one revision, all or
  nothing. Compare-and-swap on `mod_revision` is how the API server refuses a
  stale update (HTTP 409 Conflict) and how `create` refuses an existing name.
* **Watch.** Subscribe to a key or a prefix, from any revision still in
  history; every change arrives exactly once, in revision order. Events are
  handed over by the event loop (`k8slab.sim`), never by a direct call, as in
  a real cluster where they travel over the network.
* **Compaction.** History costs memory; `compact(N)` forgets everything older
  than N. Reading or watching below it then fails with `Compacted`.
* **Leases.** A lease is a timer with keys attached: if nobody keeps it alive
  for its TTL, it expires and its keys are deleted. Kubernetes uses leases for
  node heartbeats and leader election.

What the lab leaves out (and says so in notebook 01): Raft replication across
several members (one member here; the notebook explains quorum in words),
nested transactions, range compares, watch filters and progress notifications,
and authentication. Keys are text (etcd keys are bytes; bytes given here must
be UTF-8 and are stored as text, which sorts the same way).

Speed: a put is a handful of dict and list operations (no locks, no copies),
measured by benchmarks/store.py.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from k8slab.sim import Loop, Timer
from k8slab.store.errors import (
    Compacted,
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

Value = str | bytes

#: etcd's largest lease TTL (9,000,000,000 s); anything above is refused.
MAX_LEASE_TTL = 9_000_000_000
#: How many write-ahead-log records the on-disk mode keeps before it writes a snapshot.
DEFAULT_SNAPSHOT_COUNT = 10_000


# --------------------------------------------------------------------------
# What the store holds and returns
# --------------------------------------------------------------------------


class KeyValue(NamedTuple):
    """One version of one key, with etcd's field names (mvccpb.KeyValue)."""

    key: str
    value: Value
    create_revision: int
    mod_revision: int
    version: int
    lease: int = 0

    @property
    def is_tombstone(self) -> bool:
        """True for the marker a delete leaves in history (version 0)."""
        return self.version == 0


class Event(NamedTuple):
    """One change, as a watcher receives it: PUT or DELETE, the new kv, and optionally the old one.

    For a DELETE, `kv` carries only the key and the revision of the delete.
    """

    type: str
    kv: KeyValue
    prev_kv: KeyValue | None = None

    @property
    def revision(self) -> int:
        return self.kv.mod_revision


@dataclass
class PutResult:
    revision: int
    prev_kv: KeyValue | None


@dataclass
class RangeResult:
    kvs: list[KeyValue]
    count: int
    more: bool
    revision: int


@dataclass
class DeleteResult:
    revision: int
    deleted: int
    prev_kvs: list[KeyValue]


@dataclass
class TxnResult:
    succeeded: bool
    responses: list[PutResult | RangeResult | DeleteResult]
    revision: int


@dataclass
class WatchResponse:
    """What a watcher is handed by the loop: the events of one revision, in order."""

    watch_id: int
    revision: int
    events: list[Event]


@dataclass
class LeaseGrant:
    id: int
    ttl: int


@dataclass
class LeaseStatus:
    """Answer of `lease_time_to_live`: seconds left (rounded up), the TTL granted, attached keys."""

    id: int
    ttl: int
    granted_ttl: int
    keys: list[str]


# --------------------------------------------------------------------------
# Transactions: compares and operations
# --------------------------------------------------------------------------

COMPARE_TARGETS = ("VALUE", "VERSION", "CREATE", "MOD", "LEASE")
COMPARE_RESULTS = ("=", "!=", "<", ">")


@dataclass(frozen=True)
class Compare:
    """One condition of a txn, as etcd's Compare: `target` of `key` `result` `value`.

    Usually written with the helpers below: `version("k") == 0`,
    `mod_revision("/registry/pods/default/web") == 7`, `value("k") != "x"`.
    A key that does not exist compares as version 0, create 0, mod 0, lease 0;
    a VALUE compare on a missing key is false, as in etcd.
    """

    key: str
    target: str
    result: str
    value: Any


class CompareTarget:
    """`version("k")` etc.: turns `==`, `!=`, `<`, `>` into a `Compare`."""

    def __init__(self, key: Any, target: str):
        self.key = key
        self.target = target

    def __eq__(self, other: Any) -> Compare:  # type: ignore[override]
        return Compare(self.key, self.target, "=", other)

    def __ne__(self, other: Any) -> Compare:  # type: ignore[override]
        return Compare(self.key, self.target, "!=", other)

    def __lt__(self, other: Any) -> Compare:
        return Compare(self.key, self.target, "<", other)

    def __gt__(self, other: Any) -> Compare:
        return Compare(self.key, self.target, ">", other)

    __hash__ = None  # type: ignore[assignment]


def value(key: Any) -> CompareTarget:
    return CompareTarget(key, "VALUE")


def version(key: Any) -> CompareTarget:
    return CompareTarget(key, "VERSION")


def create_revision(key: Any) -> CompareTarget:
    return CompareTarget(key, "CREATE")


def mod_revision(key: Any) -> CompareTarget:
    return CompareTarget(key, "MOD")


def lease(key: Any) -> CompareTarget:
    return CompareTarget(key, "LEASE")


@dataclass(frozen=True)
class Put:
    """A txn operation: put `value` at `key` (optionally attached to a lease)."""

    key: Any
    value: Any
    lease: int = 0


@dataclass(frozen=True)
class Get:
    """A txn operation: read a key, a range or a prefix (same options as `Store.range`)."""

    key: Any
    range_end: Any = None
    prefix: bool = False
    limit: int = 0
    keys_only: bool = False
    count_only: bool = False


@dataclass(frozen=True)
class Delete:
    """A txn operation: delete a key, a range or a prefix."""

    key: Any
    range_end: Any = None
    prefix: bool = False


# --------------------------------------------------------------------------
# Watchers and leases
# --------------------------------------------------------------------------


@dataclass(eq=False)
class Watcher:
    """A subscription to a key or a key range.

    With a `callback`, each `WatchResponse` is passed to it by the loop;
    without one, the events pile up in `events` for the caller to read.
    """

    id: int
    key: str
    range_end: str | None  # None: this one key; "\\0": every key >= key
    prev_kv: bool
    callback: Callable[[WatchResponse], Any] | None
    start_revision: int
    events: list[Event] = field(default_factory=list)
    responses: int = 0
    canceled: bool = False
    _store: Store | None = field(default=None, repr=False)
    _pending: list[Event] = field(default_factory=list, repr=False)
    _scheduled: bool = field(default=False, repr=False)

    def matches(self, key: str) -> bool:
        if self.range_end is None:
            return key == self.key
        return key >= self.key and (self.range_end == "\0" or key < self.range_end)

    def cancel(self) -> None:
        """Stop watching: nothing more is delivered, not even events already on their way."""
        if not self.canceled and self._store is not None:
            self._store._remove_watcher(self)
        self.canceled = True
        self._pending.clear()


@dataclass(eq=False)
class Lease:
    id: int
    ttl: int
    expiry: float
    keys: set[str] = field(default_factory=set)
    timer: Timer | None = field(default=None, repr=False)


# --------------------------------------------------------------------------
# Input checks shared by every verb
# --------------------------------------------------------------------------


def normalize_key(key: Any) -> str:
    """A key as the store keeps it (text), or a clear error for anything else."""
    if type(key) is str:
        if key:
            return key
        raise EmptyKey()
    if isinstance(key, bytes | bytearray):
        if not key:
            raise EmptyKey()
        try:
            return bytes(key).decode("utf-8")
        except UnicodeDecodeError as error:
            raise InvalidKey(f"key {bytes(key)!r} is not valid UTF-8: k8slab keeps keys as text") from error
    if isinstance(key, str):  # a str subclass
        return normalize_key(str(key))
    raise InvalidKey(f"key must be str or bytes, got {type(key).__name__} {key!r}")


def check_value(value: Any) -> Value:
    if type(value) is str or type(value) is bytes:
        return value
    if isinstance(value, str | bytes | bytearray):
        return bytes(value) if isinstance(value, bytearray) else value
    raise InvalidValue(f"value must be str or bytes, got {type(value).__name__} {value!r}")


def prefix_end(key: str) -> str:
    """The range end that covers every key starting with `key` (etcd's GetPrefixRangeEnd)."""
    for index in range(len(key) - 1, -1, -1):
        code = ord(key[index])
        if code < 0x10FFFF:
            return key[:index] + chr(code + 1)
    return "\0"  # nothing above it: every key from `key` on


def _check_count(name: str, number: Any) -> int:
    if type(number) is not int or number < 0:
        raise InvalidRevision(f"{name} must be a whole number >= 0, got {number!r}")
    return number


# --------------------------------------------------------------------------
# The store
# --------------------------------------------------------------------------


class Store:
    """An embedded etcd v3 store running on a k8slab event loop.

    >>> store = Store()
    >>> store.put("/registry/pods/default/web", '{"kind": "Pod"}').revision
    2
    >>> store.get("/registry/pods/default/web").version
    1

    `path=` turns on the on-disk mode (a write-ahead log plus snapshots in
    that directory): close the store, open it again from the same path, and
    everything is back, history included (see `k8slab.store.wal`).
    """

    def __init__(
        self,
        loop: Loop | None = None,
        path: str | None = None,
        snapshot_count: int = DEFAULT_SNAPSHOT_COUNT,
        fsync: bool = False,
    ):
        self.loop = loop if loop is not None else Loop()
        self.revision = 1  # a fresh etcd reports revision 1; the first write is revision 2
        self.compact_revision = 0
        self._current: dict[str, KeyValue] = {}
        self._history: dict[str, list[KeyValue]] = {}
        self._keys: list[str] = []  # every key with history, sorted on demand
        self._keys_dirty = False
        self._log: list[Event] = []  # every event since the compacted revision, in order
        self._log_start = 0  # how many events compaction has dropped from the front
        self._key_watchers: dict[str, list[Watcher]] = {}
        self._range_watchers: list[Watcher] = []
        self._listeners: list[Callable[[Event], Any]] = []  # see add_listener
        self._watch_ids = 0
        self._leases: dict[int, Lease] = {}
        self._closed = False
        self._wal = None
        if path is not None:
            from k8slab.store.wal import DiskLog

            self._wal = DiskLog(path, snapshot_count, fsync)
            self._wal.load_into(self)

    def __repr__(self) -> str:
        return (
            f"Store(revision={self.revision}, keys={len(self._current)}, "
            f"compact_revision={self.compact_revision}, leases={len(self._leases)}, "
            f"watchers={self.watcher_count()})"
        )

    # -- writes ---------------------------------------------------------------

    def put(self, key: Any, value: Any, lease: int = 0) -> PutResult:
        """Set `key` to `value` at a new revision; returns the revision and the previous kv."""
        self._check_open()
        key = normalize_key(key)
        value = check_value(value)
        if lease or type(lease) is not int:  # 0 means no lease; None, 0.0, False are refused
            self._lease_for_put(lease)
        revision = self.revision + 1
        prev = self._apply_put(key, value, lease, revision)
        self.revision = revision
        if self._wal is not None:
            self._wal.record_writes(self, revision, [("put", key, value, lease)])
        return PutResult(revision, prev)

    def delete(self, key: Any, range_end: Any = None, prefix: bool = False) -> DeleteResult:
        """Delete a key, a range `[key, range_end)` or every key under a prefix.

        Deleting nothing does not move the revision, as in etcd.
        """
        self._check_open()
        key, end = self._range_bounds(key, range_end, prefix)
        keys = self._live_keys_in(key, end)
        if not keys:
            return DeleteResult(self.revision, 0, [])
        revision = self.revision + 1
        prev_kvs = [self._apply_delete(k, revision) for k in keys]
        self.revision = revision
        if self._wal is not None:
            self._wal.record_writes(self, revision, [("delete", k) for k in keys])
        return DeleteResult(revision, len(prev_kvs), prev_kvs)

    def txn(
        self,
        compare: Iterable[Compare] = (),
        success: Iterable[Put | Get | Delete] = (),
        failure: Iterable[Put | Get | Delete] = (),
    ) -> TxnResult:
        """If every compare holds run `success`, else `failure`: atomically, at one revision.

        Everything is checked before anything is applied, so a malformed txn
        changes nothing. Reads inside the txn see the writes made before them
        in the same txn, as in etcd.
        """
        self._check_open()
        quick = self._one_compare_one_put(compare, success, failure)
        if quick is not None:
            return quick
        compares = [self._check_compare(c) for c in _as_list("compare", compare)]
        branches = [
            self._check_ops(_as_list("success", success)),
            self._check_ops(_as_list("failure", failure)),
        ]
        succeeded = all(self._evaluate(c) for c in compares)
        ops = branches[0] if succeeded else branches[1]
        revision = self.revision + 1
        responses: list[PutResult | RangeResult | DeleteResult] = []
        writes: list[tuple] = []
        for op in ops:
            if isinstance(op, Put):
                prev = self._apply_put(op.key, op.value, op.lease, revision)
                writes.append(("put", op.key, op.value, op.lease))
                responses.append(PutResult(revision, prev))
            elif isinstance(op, Delete):
                keys = self._live_keys_in(op.key, op.range_end)
                prev_kvs = [self._apply_delete(k, revision) for k in keys]
                writes.extend(("delete", k) for k in keys)
                responses.append(DeleteResult(revision, len(prev_kvs), prev_kvs))
            else:
                responses.append(self._range_now(op))
        if writes:
            self.revision = revision
            if self._wal is not None:
                self._wal.record_writes(self, revision, writes)
        for response in responses:
            response.revision = self.revision
        return TxnResult(succeeded, responses, self.revision)

    def _one_compare_one_put(self, compare: Any, success: Any, failure: Any) -> TxnResult | None:
        """The API server's every write, `[mod_revision(k) == n] -> [Put(k, text)]`, without the
        general checks it cannot fail; None for anything else (the general path then runs)."""
        if type(compare) is not list or type(success) is not list or len(compare) != 1 or len(success) != 1:
            return None
        if failure != () and failure != []:
            return None
        check, op = compare[0], success[0]
        if type(check) is not Compare or type(op) is not Put or op.lease != 0 or type(op.lease) is not int:
            return None
        if type(check.key) is not str or not check.key or type(check.value) is not int:
            return None
        if check.target not in ("MOD", "VERSION") or check.result != "=":
            return None
        if type(op.key) is not str or not op.key or type(op.value) is not str:
            return None
        if not self._evaluate(check):
            return TxnResult(False, [], self.revision)
        revision = self.revision + 1
        prev = self._apply_put(op.key, op.value, 0, revision)
        self.revision = revision
        if self._wal is not None:
            self._wal.record_writes(self, revision, [("put", op.key, op.value, 0)])
        return TxnResult(True, [PutResult(revision, prev)], revision)

    # -- reads ----------------------------------------------------------------

    def get(self, key: Any, revision: int = 0) -> KeyValue | None:
        """The kv at `key` (now, or as it was at `revision`), or None if it did not exist."""
        self._check_open()
        key = normalize_key(key)
        if revision == 0 and type(revision) is int:
            return self._current.get(key)
        revision = self._check_read_revision(revision)
        return self._kv_at(key, revision)

    def range(
        self,
        key: Any,
        range_end: Any = None,
        prefix: bool = False,
        limit: int = 0,
        revision: int = 0,
        keys_only: bool = False,
        count_only: bool = False,
    ) -> RangeResult:
        """Read one key, a range `[key, range_end)` or a prefix, now or at an older revision.

        `limit` caps how many kvs come back (`more` says whether there were
        more); `count` is always the full count. `keys_only` returns kvs with
        empty values; `count_only` returns no kvs at all. `range_end="\\0"`
        means every key from `key` on, as in etcd.
        """
        self._check_open()
        limit = _check_count("limit", limit)
        revision = self._check_read_revision(revision)
        key, end = self._range_bounds(key, range_end, prefix)
        if end is None:
            kv = self._kv_at(key, revision) if revision != self.revision else self._current.get(key)
            kvs = [kv] if kv is not None else []
        else:
            if revision == self.revision:  # the common case, now: no history to search
                current = self._current
                kvs = [current[k] for k in self._keys_in(key, end) if k in current]
            else:
                kvs = [kv for k in self._keys_in(key, end) if (kv := self._kv_at(k, revision)) is not None]
        count = len(kvs)
        if count_only:
            return RangeResult([], count, False, self.revision)
        more = bool(limit) and count > limit
        if limit:
            kvs = kvs[:limit]
        if keys_only:
            kvs = [kv._replace(value=type(kv.value)()) for kv in kvs]
        return RangeResult(kvs, count, more, self.revision)

    def items(self, revision: int = 0) -> list[KeyValue]:
        """Every live kv, sorted by key: the whole store now, or as it was at `revision`."""
        self._check_open()
        revision = self._check_read_revision(revision)
        return [kv for k in self._sorted_keys() if (kv := self._kv_at(k, revision)) is not None]

    def history(self, key: Any) -> list[KeyValue]:
        """Every version of `key` still in history, oldest first (tombstones mark deletes)."""
        self._check_open()
        return list(self._history.get(normalize_key(key), ()))

    def events(self, start_revision: int | None = None) -> list[Event]:
        """Every event since `start_revision` (default: since the compacted revision), in order."""
        self._check_open()
        if start_revision is None:
            return list(self._log)
        self._check_watch_start(start_revision)
        return self._log[self._log_index(start_revision) :]

    def __len__(self) -> int:
        return len(self._current)

    def __contains__(self, key: Any) -> bool:
        return normalize_key(key) in self._current

    # -- watch ----------------------------------------------------------------

    def watch(
        self,
        key: Any,
        range_end: Any = None,
        prefix: bool = False,
        start_revision: int = 0,
        prev_kv: bool = False,
        callback: Callable[[WatchResponse], Any] | None = None,
    ) -> Watcher:
        """Watch a key, a range or a prefix; returns a `Watcher` (call `.cancel()` to stop).

        `start_revision=0` means "changes from now on". An older revision
        replays history from there first (failing with `Compacted` if that
        history is gone); a future one waits for it, as in etcd. Events are
        handed over by the loop, one `WatchResponse` per revision, each event
        exactly once and in revision order.
        """
        self._check_open()
        key, end = self._range_bounds(key, range_end, prefix)
        start_revision = _check_count("start_revision", start_revision)
        if start_revision:
            self._check_watch_start(start_revision)
        self._watch_ids += 1
        watcher = Watcher(
            id=self._watch_ids,
            key=key,
            range_end=end,
            prev_kv=prev_kv,
            callback=callback,
            start_revision=start_revision or self.revision + 1,
            _store=self,
        )
        if start_revision and start_revision <= self.revision:
            backlog = [e for e in self._log[self._log_index(start_revision) :] if watcher.matches(e.kv.key)]
            if backlog:
                watcher._pending.extend(backlog)
                self._schedule(watcher)
        if end is None:
            self._key_watchers.setdefault(key, []).append(watcher)
        else:
            self._range_watchers.append(watcher)
        return watcher

    def add_listener(self, listener: Callable[[Event], Any]) -> None:
        """Call `listener(event)` at once, inside the write, for every event from now on.

        Not an etcd feature: it is how the API server's watch cache hears of
        each write (kube-apiserver's cacher holds one etcd watch per resource
        and fans events out in memory). Being told inside the write, the cache
        schedules its watchers on the loop at the moment a store watcher would
        be, so delivery order stays what it is for store watchers. A listener
        must be quick and must not write to the store.
        """
        if not callable(listener):
            raise InvalidRequest(f"a listener must be callable, got {type(listener).__name__}")
        self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[Event], Any]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def watcher_count(self) -> int:
        return sum(len(ws) for ws in self._key_watchers.values()) + len(self._range_watchers)

    # -- compaction -------------------------------------------------------------

    def compact(self, revision: int) -> None:
        """Forget history before `revision`: reads and watches below it fail from now on.

        The state *at* `revision` is kept (each key's newest version as of
        then), so reading at `revision` itself still works.
        """
        self._check_open()
        if type(revision) is not int or revision <= 0:
            raise InvalidRevision(f"compact revision must be a whole number >= 1, got {revision!r}")
        if revision <= self.compact_revision:
            raise Compacted(revision, self.compact_revision)
        if revision > self.revision:
            raise FutureRevision(revision, self.revision)
        self._compact(revision)
        if self._wal is not None:
            self._wal.record(self, {"op": "compact", "revision": revision})

    def _compact(self, revision: int) -> None:
        for key in list(self._history):
            entries = self._history[key]
            index = bisect.bisect_right(entries, revision, key=_mod_revision) - 1
            if index < 0:
                continue
            # A tombstone older than `revision` goes; one *at* it stays, as its DELETE event stays in the log.
            dropped_tombstone = entries[index].is_tombstone and entries[index].mod_revision < revision
            keep_from = index + 1 if dropped_tombstone else index
            if keep_from:
                del entries[:keep_from]
            if not entries:
                del self._history[key]
                self._keys_dirty = True
        if self._keys_dirty:
            self._keys = [k for k in self._keys if k in self._history]
        cut = self._log_index(revision)
        del self._log[:cut]
        self._log_start += cut
        self.compact_revision = revision

    # -- leases -----------------------------------------------------------------

    def lease_grant(self, ttl: int, lease_id: int = 0) -> LeaseGrant:
        """Grant a lease of `ttl` seconds (virtual time); keys put with it die with it."""
        self._check_open()
        if type(ttl) is not int or ttl <= 0:
            raise InvalidTTL(f"etcdserver: lease TTL must be a whole number of seconds > 0, got {ttl!r}")
        if ttl > MAX_LEASE_TTL:
            raise InvalidTTL(f"etcdserver: too large lease TTL ({ttl} s; the maximum is {MAX_LEASE_TTL} s)")
        if type(lease_id) is not int or lease_id < 0:
            raise InvalidTTL(f"lease id must be a whole number >= 0 (0 picks one), got {lease_id!r}")
        if lease_id in self._leases:
            raise InvalidTTL(f"etcdserver: lease already exists (lease id {lease_id})")
        if not lease_id:
            lease_id = self._new_lease_id()
        self._grant(lease_id, ttl)
        if self._wal is not None:
            self._wal.record(self, {"op": "lease_grant", "id": lease_id, "ttl": ttl})
        return LeaseGrant(lease_id, ttl)

    def lease_keep_alive(self, lease_id: int) -> int:
        """Reset the lease's countdown to its full TTL; returns the TTL."""
        self._check_open()
        lease = self._lease(lease_id)
        self._arm(lease)
        return lease.ttl

    def lease_revoke(self, lease_id: int) -> DeleteResult:
        """End the lease now: its keys are deleted, all at one revision."""
        self._check_open()
        lease = self._lease(lease_id)
        return self._end_lease(lease)

    def lease_time_to_live(self, lease_id: int, keys: bool = False) -> LeaseStatus:
        """Seconds left on the lease (rounded up), its granted TTL, and its keys if asked.

        A lease that does not exist (never granted, revoked or expired) answers
        TTL -1, as etcd does (etcdctl prints it as "already expired").
        """
        self._check_open()
        if type(lease_id) is int and lease_id not in self._leases:
            return LeaseStatus(lease_id, -1, 0, [])
        lease = self._lease(lease_id)
        left = lease.expiry - self.loop.now
        remaining = int(left) if left == int(left) else int(left) + 1
        return LeaseStatus(lease.id, max(remaining, 0), lease.ttl, sorted(lease.keys) if keys else [])

    def leases(self) -> list[int]:
        """The ids of every live lease."""
        return sorted(self._leases)

    # -- on-disk mode -------------------------------------------------------------

    def snapshot(self) -> None:
        """Write a snapshot now and empty the write-ahead log (on-disk mode only)."""
        self._check_open()
        if self._wal is None:
            raise StoreError("snapshot() needs the on-disk mode: open the store with Store(path=...)")
        self._wal.write_snapshot(self)

    def close(self) -> None:
        """Flush and close the on-disk files, stop the lease timers; the store refuses further use."""
        if self._closed:
            return
        for lease in self._leases.values():
            if lease.timer is not None:
                lease.timer.cancel()
        for watcher in list(self._range_watchers) + [w for ws in self._key_watchers.values() for w in ws]:
            watcher.cancel()
        if self._wal is not None:
            self._wal.close()
        self._closed = True

    @property
    def closed(self) -> bool:
        return self._closed

    # ========================================================================
    # Internals
    # ========================================================================

    def _check_open(self) -> None:
        if self._closed:
            raise StoreClosed()

    def _check_read_revision(self, revision: Any) -> int:
        if type(revision) is not int or revision < 0:
            raise InvalidRevision(f"revision must be a whole number >= 0 (0 means now), got {revision!r}")
        if revision == 0:
            return self.revision
        if revision > self.revision:
            raise FutureRevision(revision, self.revision)
        if revision < self.compact_revision:
            raise Compacted(revision, self.compact_revision)
        return revision

    def _check_watch_start(self, revision: int) -> None:
        _check_count("start_revision", revision)
        if revision and revision < self.compact_revision:
            raise Compacted(revision, self.compact_revision)

    def _range_bounds(self, key: Any, range_end: Any, prefix: bool) -> tuple[str, str | None]:
        key = normalize_key(key)
        if prefix:
            if range_end is not None:
                raise InvalidRequest("give range_end= or prefix=True, not both")
            return key, prefix_end(key)
        if range_end is None:
            return key, None
        end = normalize_key(range_end)
        return key, end

    def _sorted_keys(self) -> list[str]:
        if self._keys_dirty:
            self._keys.sort()
            self._keys_dirty = False
        return self._keys

    def _keys_in(self, key: str, end: str) -> list[str]:
        """The keys in [key, end), sorted: two binary searches and a slice."""
        keys = self._sorted_keys()
        start = bisect.bisect_left(keys, key)
        stop = len(keys) if end == "\0" else bisect.bisect_left(keys, end, lo=start)
        return keys[start:stop]

    def _live_keys_in(self, key: str, end: str | None) -> list[str]:
        if end is None:
            return [key] if key in self._current else []
        return [k for k in self._keys_in(key, end) if k in self._current]

    def _kv_at(self, key: str, revision: int) -> KeyValue | None:
        if revision >= self.revision:
            return self._current.get(key)
        entries = self._history.get(key)
        if not entries:
            return None
        index = bisect.bisect_right(entries, revision, key=_mod_revision) - 1
        if index < 0 or entries[index].is_tombstone:
            return None
        return entries[index]

    def _log_index(self, revision: int) -> int:
        return bisect.bisect_left(self._log, revision, key=_event_revision)

    def _range_now(self, op: Get) -> RangeResult:
        end = op.range_end
        return self.range(op.key, end, False, op.limit, 0, op.keys_only, op.count_only)

    # The two primitive writes. Every verb (put, delete, txn, lease expiry, and
    # replaying the write-ahead log) goes through these, so history, the event
    # log, watchers and leases can never disagree.

    def _apply_put(self, key: str, value: Value, lease_id: int, revision: int) -> KeyValue | None:
        prev = self._current.get(key)
        if prev is None:
            kv = KeyValue(key, value, revision, revision, 1, lease_id)
        else:
            kv = KeyValue(key, value, prev.create_revision, revision, prev.version + 1, lease_id)
            if prev.lease and prev.lease != lease_id and prev.lease in self._leases:
                self._leases[prev.lease].keys.discard(key)
        if lease_id:
            self._leases[lease_id].keys.add(key)
        self._current[key] = kv
        entries = self._history.get(key)
        if entries is None:
            self._history[key] = [kv]
            self._keys.append(key)
            self._keys_dirty = True
        else:
            entries.append(kv)
        event = Event("PUT", kv, prev)
        self._log.append(event)
        if self._key_watchers or self._range_watchers:
            self._notify(event)
        for listener in self._listeners:
            listener(event)
        return prev

    def _apply_delete(self, key: str, revision: int) -> KeyValue:
        prev = self._current.pop(key)
        if prev.lease and prev.lease in self._leases:
            self._leases[prev.lease].keys.discard(key)
        tombstone = KeyValue(key, type(prev.value)(), 0, revision, 0, 0)
        self._history[key].append(tombstone)
        event = Event("DELETE", tombstone, prev)
        self._log.append(event)
        if self._key_watchers or self._range_watchers:
            self._notify(event)
        for listener in self._listeners:
            listener(event)
        return prev

    # -- watch delivery ----------------------------------------------------------

    def _notify(self, event: Event) -> None:
        key = event.kv.key
        revision = event.kv.mod_revision
        # A watch from a future revision waits for it (etcd skips events below the watcher's minRev).
        for watcher in self._key_watchers.get(key, ()):
            if revision < watcher.start_revision:
                continue
            watcher._pending.append(event)
            if not watcher._scheduled:
                self._schedule(watcher)
        for watcher in self._range_watchers:
            if watcher.matches(key) and revision >= watcher.start_revision:
                watcher._pending.append(event)
                if not watcher._scheduled:
                    self._schedule(watcher)

    def _schedule(self, watcher: Watcher) -> None:
        watcher._scheduled = True
        self.loop.call_soon(self._deliver, watcher)

    def _deliver(self, watcher: Watcher) -> None:
        watcher._scheduled = False
        if watcher.canceled or not watcher._pending:
            return
        pending, watcher._pending = watcher._pending, []
        if not watcher.prev_kv:
            pending = [Event(e.type, e.kv, None) for e in pending]
        if watcher.callback is None:
            watcher.events.extend(pending)
            watcher.responses += len({e.kv.mod_revision for e in pending})
            return
        start = 0
        for index in range(1, len(pending) + 1):
            if index == len(pending) or pending[index].kv.mod_revision != pending[start].kv.mod_revision:
                batch = pending[start:index]
                watcher.responses += 1
                try:
                    watcher.callback(WatchResponse(watcher.id, batch[0].kv.mod_revision, batch))
                except Exception:
                    # The loop records the error; the later revisions are still owed to this watcher.
                    if not watcher.canceled and index < len(pending):
                        watcher._pending[:0] = pending[index:]
                        if not watcher._scheduled:
                            self._schedule(watcher)
                    raise
                if watcher.canceled:  # the callback may cancel its own watch
                    return
                start = index

    def _remove_watcher(self, watcher: Watcher) -> None:
        if watcher.range_end is None:
            watchers = self._key_watchers.get(watcher.key, [])
            if watcher in watchers:
                watchers.remove(watcher)
            if not watchers:
                self._key_watchers.pop(watcher.key, None)
        elif watcher in self._range_watchers:
            self._range_watchers.remove(watcher)

    # -- txn checks and evaluation -------------------------------------------

    def _check_compare(self, compare: Any) -> Compare:
        if not isinstance(compare, Compare):
            raise InvalidCompare(
                f"a txn compare must be a Compare, such as version('k') == 0; got {type(compare).__name__} "
                f"{compare!r}"
            )
        key = normalize_key(compare.key)
        if compare.target not in COMPARE_TARGETS:
            raise InvalidCompare(
                f"unknown compare target {compare.target!r}; expected one of {', '.join(COMPARE_TARGETS)}"
            )
        if compare.result not in COMPARE_RESULTS:
            raise InvalidCompare(
                f"unknown compare operator {compare.result!r}; expected one of {', '.join(COMPARE_RESULTS)}"
            )
        if compare.target == "VALUE":
            try:
                check_value(compare.value)
            except InvalidValue as error:
                raise InvalidCompare(f"a VALUE compare on {key!r} needs str or bytes: {error}") from None
        elif type(compare.value) is not int:
            raise InvalidCompare(
                f"a {compare.target} compare on {key!r} needs a whole number, got "
                f"{type(compare.value).__name__} {compare.value!r}"
            )
        return Compare(key, compare.target, compare.result, compare.value)

    def _check_ops(self, ops: Iterable[Any]) -> list[Put | Get | Delete]:
        checked: list[Put | Get | Delete] = []
        written: list[tuple[str, str | None]] = []
        for op in ops:
            if isinstance(op, Put):
                key = normalize_key(op.key)
                if op.lease or type(op.lease) is not int:
                    self._lease_for_put(op.lease)
                checked.append(Put(key, check_value(op.value), op.lease))
                written.append((key, None))
            elif isinstance(op, Delete):
                key, end = self._range_bounds(op.key, op.range_end, op.prefix)
                checked.append(Delete(key, end))
                # A one-key delete is the range [key, key + "\0"): a put of it clashes,
                # another delete does not.
                written.append((key, end if end is not None else key + "\0"))
            elif isinstance(op, Get):
                key, end = self._range_bounds(op.key, op.range_end, op.prefix)
                _check_count("limit", op.limit)
                checked.append(Get(key, end, False, op.limit, op.keys_only, op.count_only))
            else:
                raise InvalidRequest(
                    f"a txn operation must be Put, Get or Delete; got {type(op).__name__} {op!r}"
                )
        _check_no_overlap(written)
        return checked

    def _evaluate(self, compare: Compare) -> bool:
        kv = self._current.get(compare.key)
        if compare.target == "VALUE":
            if kv is None:
                return False
            actual: Any = kv.value
            expected: Any = compare.value
            if type(actual) is not type(expected):  # compare str and bytes as etcd does: as bytes
                actual = actual.encode() if isinstance(actual, str) else actual
                expected = expected.encode() if isinstance(expected, str) else expected
        else:
            actual = 0 if kv is None else _COMPARE_FIELD[compare.target](kv)
            expected = compare.value
        if compare.result == "=":
            return actual == expected
        if compare.result == "!=":
            return actual != expected
        if compare.result == "<":
            return actual < expected
        return actual > expected

    # -- lease internals -----------------------------------------------------------

    def _new_lease_id(self) -> int:
        while True:
            lease_id = self.loop.random.getrandbits(63)
            if lease_id and lease_id not in self._leases:
                return lease_id

    def _lease(self, lease_id: Any) -> Lease:
        if type(lease_id) is not int or lease_id not in self._leases:
            raise LeaseNotFound(lease_id)
        return self._leases[lease_id]

    def _lease_for_put(self, lease_id: Any) -> Lease:
        if type(lease_id) is not int or lease_id < 0:
            raise LeaseNotFound(lease_id)
        return self._lease(lease_id)

    def _grant(self, lease_id: int, ttl: int) -> Lease:
        lease = Lease(lease_id, ttl, self.loop.now + ttl)
        self._leases[lease_id] = lease
        self._arm(lease)
        return lease

    def _arm(self, lease: Lease) -> None:
        if lease.timer is not None:
            lease.timer.cancel()
        lease.expiry = self.loop.now + lease.ttl
        lease.timer = self.loop.call_at(lease.expiry, self._expire, lease.id)

    def _expire(self, lease_id: int) -> None:
        lease = self._leases.get(lease_id)
        if lease is not None and not self._closed and lease.expiry <= self.loop.now:
            self._end_lease(lease)

    def _end_lease(self, lease: Lease) -> DeleteResult:
        if lease.timer is not None:
            lease.timer.cancel()
        del self._leases[lease.id]
        keys = sorted(k for k in lease.keys if k in self._current)
        if not keys:
            result = DeleteResult(self.revision, 0, [])
        else:
            revision = self.revision + 1
            prev_kvs = [self._apply_delete(k, revision) for k in keys]
            self.revision = revision
            result = DeleteResult(revision, len(prev_kvs), prev_kvs)
            if self._wal is not None:
                self._wal.record_writes(self, revision, [("delete", k) for k in keys])
        if self._wal is not None:
            self._wal.record(self, {"op": "lease_revoke", "id": lease.id})
        return result


_COMPARE_FIELD: dict[str, Callable[[KeyValue], int]] = {
    "VERSION": lambda kv: kv.version,
    "CREATE": lambda kv: kv.create_revision,
    "MOD": lambda kv: kv.mod_revision,
    "LEASE": lambda kv: kv.lease,
}


def _mod_revision(kv: KeyValue) -> int:
    return kv.mod_revision


def _event_revision(event: Event) -> int:
    return event.kv.mod_revision


def _as_list(name: str, items: Any) -> list:
    """A txn's compare/success/failure as a list, or a clear error for a learner's likely slip."""
    if isinstance(items, Compare | Put | Get | Delete):
        raise InvalidRequest(
            f"{name}= takes a list, such as [{items!r}]; got a single {type(items).__name__}"
        )
    if isinstance(items, str | bytes) or not isinstance(items, Iterable):
        raise InvalidRequest(
            f"{name}= takes a list of {'compares' if name == 'compare' else 'operations'}, "
            f"got {type(items).__name__} {items!r}"
        )
    return list(items)


def _check_no_overlap(written: list[tuple[str, str | None]]) -> None:
    """etcd refuses a txn branch that puts the same key twice, or puts a key it also deletes.

    Deletes may overlap one another (etcd's checkIntervals only checks puts against puts and deletes).
    """
    seen: set[str] = set()
    ranges: list[tuple[str, str]] = []
    for key, end in written:
        if end is None:
            if key in seen:
                raise DuplicateKey(key)
            seen.add(key)
        else:
            ranges.append((key, end))
    for start, end in ranges:
        for key in seen:
            if key >= start and (end == "\0" or key < end):
                raise DuplicateKey(key)
