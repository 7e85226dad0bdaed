"""Bad input: every store call refuses it with its own reason, in etcd's words, and changes nothing.

Each case below is one bad call. Three specifications run over all of them:
it raises its reason's class, the message carries etcd's text and the
offending value, and the store afterwards is exactly as it was (revision,
compaction, every kv now and in history, the event log, leases, watchers,
what the loop has scheduled, and what watchers go on to receive).
"""

import pytest

from k8slab.sim import Loop
from k8slab.store import (
    Compacted,
    Compare,
    Delete,
    DuplicateKey,
    EmptyKey,
    FutureRevision,
    Get,
    InvalidCompare,
    InvalidKey,
    InvalidRequest,
    InvalidRevision,
    InvalidTTL,
    InvalidValue,
    LeaseNotFound,
    Put,
    Store,
    mod_revision,
    value,
    version,
)
from k8slab.store.mvcc import MAX_LEASE_TTL

LEASE = 1001
#: Keys the bad calls try to write: their (empty) history is part of the fingerprint too.
TOUCHED_KEYS = {"x", "y", "z", "/p/y"}


def prepared() -> tuple[Store, list]:
    """A store with some of everything: updates, a delete, bytes, a lease, a compaction, watchers."""
    store = Store(Loop(strict=True))
    store.put("a", "1")  # 2
    store.put("b", b"\x00bytes")  # 3
    store.put("a", "2")  # 4
    store.delete("b")  # 5
    store.lease_grant(60, lease_id=LEASE)
    store.put("leased", "v", lease=LEASE)  # 6
    store.put("/p/x", "1")  # 7
    store.compact(4)
    store.loop.run(seconds=5)
    watchers = [
        store.watch("/p/", prefix=True, prev_kv=True),
        store.watch("a", start_revision=4),  # its replay is still waiting for the loop
    ]
    return store, watchers


def fingerprint(store: Store) -> dict:
    """Everything observable about the store, for comparing before and after."""
    keys = {kv.key for kv in store.items()} | {e.kv.key for e in store.events()} | TOUCHED_KEYS
    leases = [store.lease_time_to_live(lease_id, keys=True) for lease_id in store.leases()]
    return {
        "revision": store.revision,
        "compact_revision": store.compact_revision,
        "items": store.items(),
        "history": {key: store.history(key) for key in sorted(keys)},
        "events": store.events(),
        "leases": [(s.id, s.ttl, s.granted_ttl, s.keys) for s in leases],
        "watchers": store.watcher_count(),
        "scheduled callbacks": store.loop.pending(),
        "clock": store.loop.now,
    }


def case(name, call, error, *fragments):
    return pytest.param(call, error, fragments, id=name)


ETCD_COMPACTED = "mvcc: required revision has been compacted"
ETCD_FUTURE = "mvcc: required revision is a future revision"
ETCD_NO_KEY = "etcdserver: key is not provided"
ETCD_NO_LEASE = "etcdserver: requested lease not found"
ETCD_DUPLICATE = "etcdserver: duplicate key given in txn request"

BAD_CALLS = [
    # keys
    case("put-int-key", lambda s: s.put(42, "v"), InvalidKey, "key must be str or bytes", "int 42"),
    case("put-none-key", lambda s: s.put(None, "v"), InvalidKey, "NoneType None"),
    case("put-list-key", lambda s: s.put(["a"], "v"), InvalidKey, "list ['a']"),
    case("put-empty-key", lambda s: s.put("", "v"), EmptyKey, ETCD_NO_KEY),
    case("put-empty-bytes-key", lambda s: s.put(b"", "v"), EmptyKey, ETCD_NO_KEY),
    case(
        "put-non-utf8-key", lambda s: s.put(b"\xff\xfe", "v"), InvalidKey, r"b'\xff\xfe'", "not valid UTF-8"
    ),
    case("get-int-key", lambda s: s.get(1), InvalidKey, "int 1"),
    case("range-empty-key", lambda s: s.range(""), EmptyKey, ETCD_NO_KEY),
    case("range-int-range-end", lambda s: s.range("a", range_end=5), InvalidKey, "int 5"),
    case(
        "range-end-and-prefix",
        lambda s: s.range("a", range_end="b", prefix=True),
        InvalidRequest,
        "give range_end= or prefix=True, not both",
    ),
    case("delete-float-key", lambda s: s.delete(3.5), InvalidKey, "float 3.5"),
    case("delete-empty-key", lambda s: s.delete(""), EmptyKey, ETCD_NO_KEY),
    case(
        "delete-range-end-and-prefix",
        lambda s: s.delete("/p/", range_end="/q", prefix=True),
        InvalidRequest,
        "not both",
    ),
    case("watch-int-key", lambda s: s.watch(7), InvalidKey, "int 7"),
    case("watch-empty-key", lambda s: s.watch(""), EmptyKey, ETCD_NO_KEY),
    # values
    case("put-int-value", lambda s: s.put("x", 5), InvalidValue, "value must be str or bytes", "int 5"),
    case("put-none-value", lambda s: s.put("x", None), InvalidValue, "NoneType None"),
    case("put-dict-value", lambda s: s.put("x", {"kind": "Pod"}), InvalidValue, "dict {'kind': 'Pod'}"),
    case("put-existing-key-bad-value", lambda s: s.put("a", 1.5), InvalidValue, "float 1.5"),
    # revisions
    case(
        "get-future-revision",
        lambda s: s.get("a", revision=99),
        FutureRevision,
        ETCD_FUTURE,
        "requested revision 99",
        "current revision 7",
    ),
    case("range-future-revision", lambda s: s.range("a", revision=8), FutureRevision, ETCD_FUTURE, "8"),
    case("items-future-revision", lambda s: s.items(revision=8), FutureRevision, ETCD_FUTURE, "8"),
    case(
        "get-compacted-revision",
        lambda s: s.get("a", revision=3),
        Compacted,
        ETCD_COMPACTED,
        "requested revision 3",
        "compacted at revision 4",
    ),
    case(
        "range-compacted-revision",
        lambda s: s.range("/p/", prefix=True, revision=2),
        Compacted,
        ETCD_COMPACTED,
    ),
    case(
        "items-compacted-revision",
        lambda s: s.items(revision=1),
        Compacted,
        ETCD_COMPACTED,
        "requested revision 1",
    ),
    case("events-compacted-revision", lambda s: s.events(start_revision=2), Compacted, ETCD_COMPACTED),
    case("watch-compacted-revision", lambda s: s.watch("a", start_revision=3), Compacted, ETCD_COMPACTED),
    case(
        "get-negative-revision",
        lambda s: s.get("a", revision=-1),
        InvalidRevision,
        "revision must be a whole number >= 0",
        "got -1",
    ),
    case("get-float-revision", lambda s: s.get("a", revision=2.0), InvalidRevision, "got 2.0"),
    case("get-str-revision", lambda s: s.get("a", revision="4"), InvalidRevision, "got '4'"),
    case("get-bool-revision", lambda s: s.get("a", revision=True), InvalidRevision, "got True"),
    case(
        "range-negative-limit", lambda s: s.range("a", limit=-1), InvalidRevision, "limit must be", "got -1"
    ),
    case(
        "watch-negative-start",
        lambda s: s.watch("a", start_revision=-2),
        InvalidRevision,
        "start_revision must be a whole number >= 0, got -2",
    ),
    case("compact-at-compacted", lambda s: s.compact(4), Compacted, ETCD_COMPACTED, "requested revision 4"),
    case(
        "compact-below-compacted", lambda s: s.compact(2), Compacted, ETCD_COMPACTED, "requested revision 2"
    ),
    case("compact-future", lambda s: s.compact(8), FutureRevision, ETCD_FUTURE, "requested revision 8"),
    case("compact-zero", lambda s: s.compact(0), InvalidRevision, "compact revision must be", "got 0"),
    case("compact-str", lambda s: s.compact("5"), InvalidRevision, "got '5'"),
    # leases
    case("grant-zero-ttl", lambda s: s.lease_grant(0), InvalidTTL, "lease TTL must be", "got 0"),
    case("grant-negative-ttl", lambda s: s.lease_grant(-10), InvalidTTL, "got -10"),
    case("grant-float-ttl", lambda s: s.lease_grant(2.5), InvalidTTL, "got 2.5"),
    case("grant-str-ttl", lambda s: s.lease_grant("30"), InvalidTTL, "got '30'"),
    case(
        "grant-too-large-ttl",
        lambda s: s.lease_grant(MAX_LEASE_TTL + 1),
        InvalidTTL,
        "etcdserver: too large lease TTL",
        "9000000001",
    ),
    case(
        "grant-existing-id",
        lambda s: s.lease_grant(10, lease_id=LEASE),
        InvalidTTL,
        "etcdserver: lease already exists",
        "1001",
    ),
    case("grant-negative-id", lambda s: s.lease_grant(10, lease_id=-1), InvalidTTL, "lease id must be", "-1"),
    case(
        "put-unknown-lease",
        lambda s: s.put("x", "v", lease=999),
        LeaseNotFound,
        ETCD_NO_LEASE,
        "lease id 999",
    ),
    case(
        "put-none-lease", lambda s: s.put("x", "v", lease=None), LeaseNotFound, ETCD_NO_LEASE, "lease id None"
    ),
    case("put-str-lease", lambda s: s.put("x", "v", lease="1001"), LeaseNotFound, "lease id '1001'"),
    case("put-negative-lease", lambda s: s.put("x", "v", lease=-LEASE), LeaseNotFound, "lease id -1001"),
    case("keep-alive-unknown", lambda s: s.lease_keep_alive(999), LeaseNotFound, ETCD_NO_LEASE, "999"),
    case("keep-alive-str-id", lambda s: s.lease_keep_alive("1001"), LeaseNotFound, "'1001'"),
    case("revoke-unknown", lambda s: s.lease_revoke(999), LeaseNotFound, ETCD_NO_LEASE, "999"),
    case("time-to-live-str-id", lambda s: s.lease_time_to_live("999"), LeaseNotFound, ETCD_NO_LEASE, "'999'"),
    # txn compares
    case(
        "compare-a-string",
        lambda s: s.txn(["version('a') == 0"], [Put("x", "1")]),
        InvalidCompare,
        "a txn compare must be a Compare",
        "str \"version('a') == 0\"",
    ),
    case("compare-a-bool", lambda s: s.txn([True], [Put("x", "1")]), InvalidCompare, "bool True"),
    case(
        "compare-unknown-target",
        lambda s: s.txn([Compare("a", "COLOR", "=", 1)], [Put("x", "1")]),
        InvalidCompare,
        "unknown compare target 'COLOR'",
        "VALUE, VERSION, CREATE, MOD, LEASE",
    ),
    case(
        "compare-unknown-operator",
        lambda s: s.txn([Compare("a", "VERSION", "<=", 1)], [Put("x", "1")]),
        InvalidCompare,
        "unknown compare operator '<='",
        "=, !=, <, >",
    ),
    case(
        "value-compare-with-int",
        lambda s: s.txn([value("a") == 5], [Put("x", "1")]),
        InvalidCompare,
        "a VALUE compare on 'a' needs str or bytes",
        "int 5",
    ),
    case(
        "version-compare-with-str",
        lambda s: s.txn([version("a") == "2"], [Put("x", "1")]),
        InvalidCompare,
        "a VERSION compare on 'a' needs a whole number, got str '2'",
    ),
    case(
        "mod-compare-with-none",
        lambda s: s.txn([Compare("a", "MOD", "=", None)], [Put("x", "1")]),
        InvalidCompare,
        "a MOD compare on 'a' needs a whole number, got NoneType None",
    ),
    case("compare-empty-key", lambda s: s.txn([version("") == 0], [Put("x", "1")]), EmptyKey, ETCD_NO_KEY),
    case("compare-int-key", lambda s: s.txn([version(5) == 0], [Put("x", "1")]), InvalidKey, "int 5"),
    case(
        "bad-compare-after-a-good-one",
        lambda s: s.txn([version("a") == 2, mod_revision("a") == "4"], [Put("x", "1")]),
        InvalidCompare,
        "got str '4'",
    ),
    # txn operations
    case(
        "op-a-string",
        lambda s: s.txn([], ["put a 1"]),
        InvalidRequest,
        "a txn operation must be Put, Get or Delete",
        "str 'put a 1'",
    ),
    case("op-a-dict", lambda s: s.txn([], [{"put": "x"}]), InvalidRequest, "dict {'put': 'x'}"),
    case("put-op-int-key", lambda s: s.txn([], [Put(1, "v")]), InvalidKey, "int 1"),
    case("put-op-empty-key", lambda s: s.txn([], [Put("", "v")]), EmptyKey, ETCD_NO_KEY),
    case("put-op-int-value", lambda s: s.txn([], [Put("x", 5)]), InvalidValue, "int 5"),
    case(
        "put-op-unknown-lease", lambda s: s.txn([], [Put("x", "v", lease=999)]), LeaseNotFound, ETCD_NO_LEASE
    ),
    case(
        "put-op-none-lease", lambda s: s.txn([], [Put("x", "v", lease=None)]), LeaseNotFound, "lease id None"
    ),
    case("get-op-negative-limit", lambda s: s.txn([], [Get("a", limit=-1)]), InvalidRevision, "got -1"),
    case(
        "get-op-range-end-and-prefix",
        lambda s: s.txn([], [Get("a", range_end="b", prefix=True)]),
        InvalidRequest,
        "not both",
    ),
    case("delete-op-empty-key", lambda s: s.txn([], [Delete("")]), EmptyKey, ETCD_NO_KEY),
    case(
        "duplicate-put",
        lambda s: s.txn([], [Put("x", "1"), Put("x", "2")]),
        DuplicateKey,
        ETCD_DUPLICATE,
        "(key 'x')",
    ),
    case(
        "put-inside-a-deleted-prefix",
        lambda s: s.txn([], [Delete("/p/", prefix=True), Put("/p/y", "1")]),
        DuplicateKey,
        ETCD_DUPLICATE,
        "(key '/p/y')",
    ),
    case(
        "good-ops-then-a-bad-value",
        lambda s: s.txn([], [Put("x", "1"), Delete("a"), Put("y", 5)]),
        InvalidValue,
        "int 5",
    ),
    case(
        "good-ops-then-an-unknown-lease",
        lambda s: s.txn([], [Put("x", "1"), Delete("/p/", prefix=True), Put("y", "v", lease=404)]),
        LeaseNotFound,
        "lease id 404",
    ),
    case(
        "bad-op-in-the-branch-not-taken",
        lambda s: s.txn([version("a") == 2], [Put("x", "1")], [Put("z", None)]),
        InvalidValue,
        "NoneType None",
    ),
    case(
        "bad-op-in-the-success-branch-when-failure-is-taken",
        lambda s: s.txn([version("a") == 99], [Put("y", 5)], [Put("x", "1")]),
        InvalidValue,
        "int 5",
    ),
]


@pytest.mark.parametrize("call, error, fragments", BAD_CALLS)
def test_bad_input_raises_its_reason(call, error, fragments):
    store, _ = prepared()
    with pytest.raises(error):
        call(store)


@pytest.mark.parametrize("call, error, fragments", BAD_CALLS)
def test_bad_input_message_carries_etcds_text_and_the_offending_value(call, error, fragments):
    store, _ = prepared()
    with pytest.raises(error) as raised:
        call(store)
    message = str(raised.value)
    missing = [fragment for fragment in fragments if fragment not in message]
    assert not missing, f"{message!r} lacks {missing}"


@pytest.mark.parametrize("call, error, fragments", BAD_CALLS)
def test_bad_input_leaves_the_store_unchanged(call, error, fragments):
    store, _ = prepared()
    before = fingerprint(store)
    with pytest.raises(error):
        call(store)
    assert fingerprint(store) == before


@pytest.mark.parametrize("call, error, fragments", BAD_CALLS)
def test_bad_input_sends_watchers_nothing(call, error, fragments):
    store, watchers = prepared()
    untouched, untouched_watchers = prepared()
    with pytest.raises(error):
        call(store)
    store.loop.run()
    untouched.loop.run()
    assert [w.events for w in watchers] == [w.events for w in untouched_watchers]


def test_every_store_error_is_also_a_builtin_error_class():
    """So `except ValueError` / `except TypeError` / `except KeyError` in learner code still works."""
    assert issubclass(InvalidKey, TypeError) and issubclass(InvalidValue, TypeError)
    assert issubclass(EmptyKey, ValueError) and issubclass(Compacted, ValueError)
    assert issubclass(LeaseNotFound, KeyError)


def test_a_bad_input_on_a_forgiving_loop_is_still_raised_to_the_caller():
    """Only callbacks' errors are recorded by a non-strict loop; a direct call raises as usual."""
    store = Store(Loop(strict=False))
    with pytest.raises(EmptyKey):
        store.put("", "v")
    assert store.loop.errors == []
