"""Properties of the store that must hold for *any* sequence of operations (checked with hypothesis).

(a) Replaying the event log rebuilds the store at every revision, and both agree
    with a plain-dict model of etcd's semantics.
(b) A txn is all or nothing: a malformed one changes nothing, a good one writes
    everything at one revision.
(c) Every watcher sees every matching event exactly once, in revision order.
(d) Closing and reopening an on-disk store loses nothing.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from k8slab.sim import Loop
from k8slab.store import (
    Compare,
    Delete,
    DuplicateKey,
    Event,
    Get,
    KeyValue,
    Put,
    Store,
    StoreError,
    WatchResponse,
)

settings.register_profile(
    "k8slab-store",
    deadline=None,  # the first example pays for imports; speed is measured in benchmarks/, not here
    max_examples=60,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
STORE_PROFILE = settings.get_profile("k8slab-store")

#: A small alphabet, so that operations collide on keys and prefixes ("a" is a prefix of "ab").
KEYS = ["a", "ab", "abc", "b", "ba", "c"]
#: Keys a range can end at: one of the keys, a key between them, or "\0" (every key from the start key on).
RANGE_ENDS = ["ab", "b", "bb", "c", "d", "\0"]

keys = st.sampled_from(KEYS)
values = st.one_of(st.sampled_from(["", "1", "2", "x", "é"]), st.binary(max_size=3))
# How a delete or a get names its keys: one key, a prefix, or [key, range_end).
selections = st.one_of(
    st.tuples(keys, st.just("key"), st.none()),
    st.tuples(keys, st.just("prefix"), st.none()),
    st.tuples(keys, st.just("range"), st.sampled_from(RANGE_ENDS)),
)
puts = st.tuples(st.just("put"), keys, values)
deletes = st.tuples(st.just("delete"), selections)
gets = st.tuples(st.just("get"), selections)
compares = st.one_of(
    st.tuples(
        st.sampled_from(["VERSION", "CREATE", "MOD", "LEASE"]),
        keys,
        st.sampled_from(["=", "!=", "<", ">"]),
        st.integers(0, 6),
    ),
    st.tuples(st.just("VALUE"), keys, st.sampled_from(["=", "!=", "<", ">"]), values),
)
txn_ops = st.lists(st.one_of(puts, deletes, gets), max_size=4)
txns = st.tuples(st.just("txn"), st.lists(compares, max_size=2), txn_ops, txn_ops)
compactions = st.tuples(st.just("compact"), st.integers(0, 1000))
writes = st.one_of(puts, puts, deletes, txns)


# --------------------------------------------------------------------------------------
# Translating generated operations into store calls, and a model of what they should do
# --------------------------------------------------------------------------------------


def prefix_end(key: str) -> str:
    return key[:-1] + chr(ord(key[-1]) + 1)  # the alphabet is ASCII, so no wrap-around


def bounds(selection) -> tuple[str, str | None]:
    """The [start, end) a selection covers; end None is one key, "\\0" is every key from start on."""
    key, mode, end = selection
    if mode == "key":
        return key, None
    if mode == "prefix":
        return key, prefix_end(key)
    return key, end


def covers(start: str, end: str | None, key: str) -> bool:
    if end is None:
        return key == start
    return key >= start and (end == "\0" or key < end)


def selection_args(selection) -> dict:
    key, mode, end = selection
    if mode == "prefix":
        return {"key": key, "prefix": True}
    return {"key": key, "range_end": end}


def store_op(op):
    if op[0] == "put":
        return Put(op[1], op[2])
    if op[0] == "delete":
        return Delete(**selection_args(op[1]))
    return Get(**selection_args(op[1]))


def as_bytes(value: str | bytes) -> bytes:
    return value.encode() if isinstance(value, str) else value


def compare_holds(kv: KeyValue | None, target: str, result: str, expected) -> bool:
    if target == "VALUE":
        if kv is None:
            return False
        actual, expected = as_bytes(kv.value), as_bytes(expected)
    else:
        fields = {"VERSION": "version", "CREATE": "create_revision", "MOD": "mod_revision", "LEASE": "lease"}
        actual = 0 if kv is None else getattr(kv, fields[target])
    return {
        "=": actual == expected,
        "!=": actual != expected,
        "<": actual < expected,
        ">": actual > expected,
    }[result]


def clashes(branch) -> bool:
    """etcd's rule: a branch may not put a key twice, nor put a key it also deletes."""
    put_keys = [op[1] for op in branch if op[0] == "put"]
    deleted = [bounds(op[1]) for op in branch if op[0] == "delete"]
    return len(put_keys) != len(set(put_keys)) or any(covers(s, e, k) for k in put_keys for s, e in deleted)


@dataclass
class Model:
    """etcd's data model as a plain dict, snapshotted at every revision."""

    revision: int = 1
    kvs: dict[str, KeyValue] = field(default_factory=dict)
    snapshots: dict[int, dict[str, KeyValue]] = field(default_factory=lambda: {1: {}})

    def _put(self, key: str, value, revision: int) -> None:
        prev = self.kvs.get(key)
        if prev is None:
            self.kvs[key] = KeyValue(key, value, revision, revision, 1, 0)
        else:
            self.kvs[key] = KeyValue(key, value, prev.create_revision, revision, prev.version + 1, 0)

    def _delete(self, selection) -> int:
        start, end = bounds(selection)
        doomed = [key for key in self.kvs if covers(start, end, key)]
        for key in doomed:
            del self.kvs[key]
        return len(doomed)

    def _read(self, selection) -> list[tuple[str, object]]:
        start, end = bounds(selection)
        return sorted((key, kv.value) for key, kv in self.kvs.items() if covers(start, end, key))

    def _commit(self, wrote: bool) -> None:
        if wrote:
            self.revision += 1
        self.snapshots[self.revision] = dict(self.kvs)

    def put(self, key: str, value) -> None:
        self._put(key, value, self.revision + 1)
        self._commit(True)

    def delete(self, selection) -> None:
        self._commit(self._delete(selection) > 0)

    def txn(self, compares, success, failure):
        """(succeeded, what each Get read), or None when etcd refuses the txn."""
        if clashes(success) or clashes(failure):
            return None
        succeeded = all(compare_holds(self.kvs.get(key), t, r, v) for t, key, r, v in compares)
        wrote, reads = False, []
        for op in success if succeeded else failure:
            if op[0] == "put":
                self._put(op[1], op[2], self.revision + 1)
                wrote = True
            elif op[0] == "delete":
                wrote = self._delete(op[1]) > 0 or wrote
            else:
                reads.append(self._read(op[1]))
        self._commit(wrote)
        return succeeded, reads


def compact_target(store: Store, n: int) -> int | None:
    """A revision the store can be compacted at, picked by n; None if there is none."""
    lowest = store.compact_revision + 1
    if lowest > store.revision:
        return None
    return lowest + n % (store.revision - lowest + 1)


def run_write(store: Store, op) -> None:
    """Apply one generated write to the store (a txn etcd would refuse is simply refused)."""
    if op[0] == "put":
        store.put(op[1], op[2])
    elif op[0] == "delete":
        store.delete(**selection_args(op[1]))
    else:
        _, compare_specs, success, failure = op
        try:
            store.txn(
                [Compare(key, target, result, value) for target, key, result, value in compare_specs],
                [store_op(o) for o in success],
                [store_op(o) for o in failure],
            )
        except DuplicateKey:
            pass


def new_events(store: Store, revision_before: int) -> list[Event]:
    """The events a write just made (those after the revision the store had before it)."""
    return store.events(start_revision=revision_before + 1)


def fold(events: list[Event], up_to: int) -> dict:
    state: dict = {}
    for event in events:
        if event.revision > up_to:
            break
        if event.type == "PUT":
            state[event.kv.key] = event.kv.value
        else:
            state.pop(event.kv.key, None)
    return state


def fingerprint(store: Store) -> dict:
    """Everything a reopen must bring back (lease countdowns restart at the full TTL, as in etcd)."""
    leases = [store.lease_time_to_live(lease_id, keys=True) for lease_id in store.leases()]
    return {
        "revision": store.revision,
        "compact_revision": store.compact_revision,
        "items": store.items(),
        "history": {key: store.history(key) for key in KEYS},
        "events": store.events(),
        "leases": [(s.id, s.granted_ttl, s.keys) for s in leases],
    }


# --------------------------------------------------------------------------------------
# (a) the event log, the store and the model agree at every revision
# --------------------------------------------------------------------------------------


@STORE_PROFILE
@given(st.lists(st.one_of(writes, writes, writes, compactions), max_size=30))
def test_replaying_the_event_log_rebuilds_the_store_at_every_revision(ops):
    store, model = Store(Loop(strict=True)), Model()
    log: list[Event] = []
    for op in ops:
        before = store.revision
        if op[0] == "put":
            store.put(op[1], op[2])
            model.put(op[1], op[2])
        elif op[0] == "delete":
            store.delete(**selection_args(op[1]))
            model.delete(op[1])
        elif op[0] == "txn":
            _, compare_specs, success, failure = op
            expected = model.txn(compare_specs, success, failure)
            try:
                result = store.txn(
                    [Compare(key, target, result, value) for target, key, result, value in compare_specs],
                    [store_op(o) for o in success],
                    [store_op(o) for o in failure],
                )
            except DuplicateKey:
                assert expected is None
            else:
                assert expected is not None
                succeeded, reads = expected
                assert result.succeeded == succeeded
                got = [[(kv.key, kv.value) for kv in r.kvs] for r in result.responses if hasattr(r, "kvs")]
                assert got == reads
        else:
            target = compact_target(store, op[1])
            if target is not None:
                store.compact(target)
        log.extend(new_events(store, before))
        assert store.revision == model.revision

    assert [e.revision for e in log] == sorted(e.revision for e in log)
    assert {e.revision for e in log} == set(range(2, store.revision + 1))
    assert store.events() == [e for e in log if e.revision >= store.compact_revision]
    for revision in range(max(store.compact_revision, 1), store.revision + 1):
        items = store.items(revision=revision)
        assert {kv.key: kv for kv in items} == model.snapshots[revision]
        assert fold(log, revision) == {kv.key: kv.value for kv in items}


# --------------------------------------------------------------------------------------
# (b) a txn is all or nothing
# --------------------------------------------------------------------------------------

BAD_OPS = [
    Put("x", 5),  # a value that is not str or bytes
    Put("x", "v", lease=404),  # a lease that does not exist
    Put("", "v"),  # the empty key
    Put(b"\xff", "v"),  # bytes that are not UTF-8
    Get("a", limit=-1),
    Delete("a", range_end="b", prefix=True),
    "put x v",  # not an operation at all
]


@st.composite
def good_branches(draw):
    """Ops that etcd accepts: distinct put keys, and single-key deletes of other keys."""
    put_keys = draw(st.lists(keys, unique=True, max_size=4))
    put_ops = [Put(key, draw(values)) for key in put_keys]
    other = [key for key in KEYS if key not in put_keys]
    delete_ops = [Delete(key) for key in draw(st.lists(st.sampled_from(other), max_size=2))] if other else []
    return draw(st.permutations(put_ops + delete_ops + [Get("a", prefix=True)]))


@STORE_PROFILE
@given(
    st.lists(writes, max_size=12),
    good_branches(),
    st.sampled_from(BAD_OPS),
    st.integers(0, 10),
    st.booleans(),
    st.booleans(),
)
def test_a_txn_with_one_bad_op_changes_nothing(history, branch, bad_op, position, in_success, take_success):
    store = Store(Loop(strict=True))
    for op in history:
        run_write(store, op)
    store.lease_grant(30, lease_id=7)
    before = fingerprint(store)
    spoiled = list(branch)
    spoiled.insert(position % (len(spoiled) + 1), bad_op)
    compares = [Compare("zz", "VERSION", "=", 0 if take_success else 1)]
    try:
        if in_success:
            store.txn(compares, success=spoiled, failure=branch)
        else:
            store.txn(compares, success=branch, failure=spoiled)
    except StoreError:
        pass
    else:
        raise AssertionError(f"a txn with {bad_op!r} was accepted")
    assert fingerprint(store) == before


@STORE_PROFILE
@given(st.lists(writes, max_size=12), good_branches())
def test_a_good_txn_writes_everything_at_one_revision(history, branch):
    store = Store(Loop(strict=True))
    for op in history:
        run_write(store, op)
    before = store.revision
    live_before = {kv.key for kv in store.items()}
    result = store.txn([], success=branch)

    put_keys = [op.key for op in branch if isinstance(op, Put)]
    deleted_keys = sorted({op.key for op in branch if isinstance(op, Delete) and op.key in live_before})
    wrote = bool(put_keys or deleted_keys)
    assert store.revision == before + (1 if wrote else 0)
    assert {response.revision for response in result.responses} == {store.revision}
    events = store.events(start_revision=before + 1)
    assert sorted(e.kv.key for e in events) == sorted(put_keys + deleted_keys)
    assert {e.revision for e in events} <= {before + 1}
    for key in put_keys:
        assert store.get(key).mod_revision == store.revision


# --------------------------------------------------------------------------------------
# (c) every watcher sees every matching event exactly once, in revision order
# --------------------------------------------------------------------------------------

watch_ops = st.tuples(
    st.just("watch"),
    selections,
    st.integers(-1, 40),  # -1: from now on; otherwise picks a start revision (old, current or future)
    st.booleans(),  # with a callback?
    st.booleans(),  # with prev_kv?
)
watcher_ops = st.one_of(
    writes,
    writes,
    watch_ops,
    st.tuples(st.just("run")),
    st.tuples(st.just("cancel"), st.integers(0, 10)),
    compactions,
)


@dataclass
class Watched:
    """A watcher under test and what the test knows about it."""

    watcher: object
    selection: tuple
    responses: list[WatchResponse] | None
    runs_at_creation: int
    cut: int | None = None  # for a cancelled watcher: the last revision it may have received


@STORE_PROFILE
@given(st.lists(watcher_ops, max_size=30))
def test_every_watcher_sees_every_matching_event_once_in_revision_order(ops):
    store = Store(Loop(strict=True))
    log: list[Event] = []
    watched: list[Watched] = []
    runs, revision_at_last_run = 0, store.revision
    for op in ops:
        before = store.revision
        if op[0] == "watch":
            _, selection, start, with_callback, prev_kv = op
            lowest = max(store.compact_revision, 1)
            start_revision = 0 if start < 0 else lowest + start % (store.revision + 3 - lowest)
            responses = [] if with_callback else None
            watcher = store.watch(
                **selection_args(selection),
                start_revision=start_revision,
                prev_kv=prev_kv,
                callback=responses.append if with_callback else None,
            )
            watched.append(Watched(watcher, selection, responses, runs))
        elif op[0] == "run":
            store.loop.run()
            runs, revision_at_last_run = runs + 1, store.revision
        elif op[0] == "cancel":
            if watched:
                target = watched[op[1] % len(watched)]
                if target.cut is None and not target.watcher.canceled:
                    # Everything pending at the last run was delivered; nothing after it will be.
                    target.cut = revision_at_last_run if runs > target.runs_at_creation else 0
                target.watcher.cancel()
        elif op[0] == "compact":
            target = compact_target(store, op[1])
            if target is not None:
                store.compact(target)
        else:
            run_write(store, op)
        log.extend(new_events(store, before))
    store.loop.run()

    for entry in watched:
        watcher = entry.watcher
        start, end = bounds(entry.selection)
        last = store.revision if entry.cut is None else entry.cut
        expected = [
            e if watcher.prev_kv else Event(e.type, e.kv, None)
            for e in log
            if watcher.start_revision <= e.revision <= last and covers(start, end, e.kv.key)
        ]
        if entry.responses is None:
            assert watcher.events == expected
            assert watcher.responses == len({e.revision for e in expected})
        else:
            assert [e for response in entry.responses for e in response.events] == expected
            assert [r.revision for r in entry.responses] == sorted({e.revision for e in expected})
            assert all({e.revision for e in r.events} == {r.revision} for r in entry.responses)


# --------------------------------------------------------------------------------------
# (d) close and reopen loses nothing
# --------------------------------------------------------------------------------------

disk_ops = st.one_of(
    writes,
    writes,
    writes,
    st.tuples(st.just("leased put"), keys, values, st.integers(0, 10)),
    st.tuples(st.just("grant"), st.integers(1, 20)),
    st.tuples(st.just("revoke"), st.integers(0, 10)),
    st.tuples(st.just("keep alive"), st.integers(0, 10)),
    st.tuples(st.just("run"), st.integers(0, 15)),
    st.tuples(st.just("snapshot")),
    compactions,
)


def pick_lease(store: Store, n: int) -> int | None:
    leases = store.leases()
    return leases[n % len(leases)] if leases else None


@STORE_PROFILE
@given(st.lists(disk_ops, max_size=30), st.integers(1, 6))
def test_reopening_an_on_disk_store_loses_nothing(ops, snapshot_count):
    with tempfile.TemporaryDirectory() as path:
        store = Store(Loop(strict=True), path=path, snapshot_count=snapshot_count)
        for op in ops:
            if op[0] == "leased put":
                lease_id = pick_lease(store, op[3])
                if lease_id is not None:
                    store.put(op[1], op[2], lease=lease_id)
            elif op[0] == "grant":
                store.lease_grant(op[1])
            elif op[0] in ("revoke", "keep alive"):
                lease_id = pick_lease(store, op[1])
                if lease_id is not None:
                    (store.lease_revoke if op[0] == "revoke" else store.lease_keep_alive)(lease_id)
            elif op[0] == "run":
                store.loop.run(seconds=op[1])
            elif op[0] == "snapshot":
                store.snapshot()
            elif op[0] == "compact":
                target = compact_target(store, op[1])
                if target is not None:
                    store.compact(target)
            else:
                run_write(store, op)
        before = fingerprint(store)
        store.close()

        reopened = Store(Loop(strict=True), path=path, snapshot_count=snapshot_count)
        assert fingerprint(reopened) == before
        assert reopened.put("a", "after").revision == before["revision"] + 1
        reopened.close()
