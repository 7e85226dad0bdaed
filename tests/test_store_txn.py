"""Transactions: compares choose a branch; the branch runs atomically, at one revision."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from k8slab.sim import Loop
from k8slab.store import (
    Compare,
    Delete,
    DeleteResult,
    DuplicateKey,
    Get,
    Put,
    PutResult,
    RangeResult,
    Store,
    create_revision,
    lease,
    mod_revision,
    value,
    version,
)


@pytest.fixture
def store() -> Store:
    return Store(Loop(strict=True))


def holds(store: Store, compare: Compare) -> bool:
    """Whether one compare holds, read off which branch the txn took."""
    return store.txn([compare]).succeeded


# -- the compare helpers --------------------------------------------------------------------


def test_compare_helpers_turn_python_operators_into_etcd_compares():
    assert (version("k") == 0) == Compare("k", "VERSION", "=", 0)
    assert (mod_revision("k") != 7) == Compare("k", "MOD", "!=", 7)
    assert (create_revision("k") < 3) == Compare("k", "CREATE", "<", 3)
    assert (value("k") > "m") == Compare("k", "VALUE", ">", "m")
    assert (lease("k") == 5) == Compare("k", "LEASE", "=", 5)


# -- choosing a branch ------------------------------------------------------------------------


def test_when_every_compare_holds_the_success_branch_runs(store):
    result = store.txn([version("a") == 0], success=[Put("a", "created")], failure=[Put("b", "failed")])
    assert result.succeeded is True
    assert store.get("a").value == "created"
    assert store.get("b") is None


def test_when_any_compare_fails_the_failure_branch_runs(store):
    store.put("a", "1")
    result = store.txn(
        [version("a") == 1, value("a") == "other"], success=[Put("s", "x")], failure=[Put("f", "x")]
    )
    assert result.succeeded is False
    assert "f" in store
    assert "s" not in store


def test_a_txn_without_compares_runs_the_success_branch(store):
    assert store.txn([], success=[Put("a", "1")]).succeeded is True


def test_create_if_absent_refuses_an_existing_key(store):
    store.put("/registry/pods/default/web", "v1")
    result = store.txn(
        [create_revision("/registry/pods/default/web") == 0],
        success=[Put("/registry/pods/default/web", "v2")],
        failure=[Get("/registry/pods/default/web")],
    )
    assert result.succeeded is False
    assert result.responses[0].kvs[0].value == "v1"


def test_compare_and_swap_on_mod_revision_refuses_a_stale_update(store):
    seen = store.put("k", "v1").revision
    store.put("k", "v2 by someone else")
    result = store.txn([mod_revision("k") == seen], success=[Put("k", "v3 from a stale read")])
    assert result.succeeded is False
    assert store.get("k").value == "v2 by someone else"


# -- compare targets and operators ---------------------------------------------------------------


@pytest.mark.parametrize(
    "compare, expected",
    [
        (value("a") == "m", True),
        (value("a") == "x", False),
        (value("a") != "x", True),
        (value("a") < "n", True),
        (value("a") < "m", False),
        (value("a") > "l", True),
        (version("a") == 2, True),
        (version("a") > 1, True),
        (version("a") < 2, False),
        (create_revision("a") == 2, True),
        (create_revision("a") != 2, False),
        (mod_revision("a") == 3, True),
        (mod_revision("a") > 3, False),
        (lease("a") == 0, True),
        (lease("a") != 0, False),
    ],
    ids=lambda p: f"{p.target} {p.result} {p.value!r}" if isinstance(p, Compare) else str(p),
)
def test_each_compare_target_and_operator_checks_the_keys_current_kv(store, compare, expected):
    store.put("a", "first")  # revision 2
    store.put("a", "m")  # revision 3, version 2
    assert holds(store, compare) is expected


@pytest.mark.parametrize(
    "compare",
    [
        version("missing") == 0,
        create_revision("missing") == 0,
        mod_revision("missing") == 0,
        lease("missing") == 0,
    ],
    ids=["version", "create", "mod", "lease"],
)
def test_a_missing_key_compares_as_zero(store, compare):
    assert holds(store, compare) is True


@pytest.mark.parametrize("compare", [value("missing") == "", value("missing") != "x"], ids=["=", "!="])
def test_a_value_compare_on_a_missing_key_is_false(store, compare):
    assert holds(store, compare) is False


def test_a_deleted_key_compares_as_missing(store):
    store.put("a", "1")
    store.delete("a")
    assert holds(store, version("a") == 0) is True


def test_a_lease_compare_sees_the_keys_lease(store):
    grant = store.lease_grant(30)
    store.put("a", "1", lease=grant.id)
    assert holds(store, lease("a") == grant.id) is True


def test_str_and_bytes_values_compare_as_bytes(store):
    store.put("a", b"hello")
    assert holds(store, value("a") == "hello") is True


def test_a_compare_key_may_be_bytes(store):
    store.put("a", "1")
    assert holds(store, version(b"a") == 1) is True


# -- atomicity and revisions ----------------------------------------------------------------------


def test_every_write_of_a_txn_lands_at_one_revision(store):
    store.put("old", "x")
    result = store.txn([], success=[Put("a", "1"), Put("b", "2"), Delete("old")])
    assert result.revision == 3
    assert store.revision == 3
    assert {e.revision for e in store.events(start_revision=3)} == {3}
    assert [r.revision for r in result.responses] == [3, 3, 3]


def test_a_txn_moves_the_revision_on_by_exactly_one(store):
    store.txn([], success=[Put(f"k{i}", "v") for i in range(10)])
    assert store.revision == 2


def test_keys_written_by_one_txn_share_their_mod_revision_and_each_gets_its_own_version(store):
    store.put("a", "1")
    store.txn([], success=[Put("a", "2"), Put("b", "1")])
    assert (store.get("a").mod_revision, store.get("a").version) == (3, 2)
    assert (store.get("b").mod_revision, store.get("b").version) == (3, 1)


def test_a_read_only_txn_does_not_move_the_revision(store):
    store.put("a", "1")
    result = store.txn([version("a") == 1], success=[Get("a")])
    assert (result.revision, store.revision) == (2, 2)


def test_a_txn_whose_delete_finds_nothing_does_not_move_the_revision(store):
    store.put("a", "1")
    result = store.txn([], success=[Delete("missing")])
    assert (result.revision, store.revision) == (2, 2)
    assert result.responses[0].deleted == 0


def test_a_txn_answers_each_operation_in_order(store):
    store.put("a", "1")
    result = store.txn([], success=[Get("a"), Put("b", "2"), Delete("a")])
    assert [type(r) for r in result.responses] == [RangeResult, PutResult, DeleteResult]


def test_a_put_in_a_txn_returns_the_previous_kv(store):
    store.put("a", "old")
    result = store.txn([], success=[Put("a", "new")])
    assert result.responses[0].prev_kv.value == "old"


def test_a_delete_in_a_txn_can_take_a_prefix(store):
    for key in ["/p/a", "/p/b", "/q"]:
        store.put(key, "v")
    result = store.txn([], success=[Delete("/p/", prefix=True)])
    assert result.responses[0].deleted == 2
    assert [kv.key for kv in store.items()] == ["/q"]


def test_a_put_in_a_txn_can_attach_a_lease(store):
    grant = store.lease_grant(30)
    store.txn([], success=[Put("a", "1", lease=grant.id)])
    assert store.lease_time_to_live(grant.id, keys=True).keys == ["a"]


# -- reads inside a txn -------------------------------------------------------------------------------


def test_a_read_in_a_txn_sees_an_earlier_write_of_the_same_txn(store):
    store.put("a", "old")
    result = store.txn([], success=[Put("a", "new"), Get("a")])
    assert result.responses[1].kvs[0].value == "new"


def test_a_read_before_a_write_in_the_same_txn_sees_the_old_value(store):
    store.put("a", "old")
    result = store.txn([], success=[Get("a"), Put("a", "new")])
    assert result.responses[0].kvs[0].value == "old"


def test_a_prefix_read_in_a_txn_sees_keys_created_earlier_in_it(store):
    store.put("/p/a", "1")
    result = store.txn([], success=[Put("/p/b", "2"), Delete("/p/a"), Get("/p/", prefix=True)])
    assert [kv.key for kv in result.responses[2].kvs] == ["/p/b"]


def test_a_read_in_a_txn_takes_limit_keys_only_and_count_only(store):
    for key in ["/p/a", "/p/b", "/p/c"]:
        store.put(key, "v")
    result = store.txn(
        [],
        success=[
            Get("/p/", prefix=True, limit=1),
            Get("/p/", prefix=True, keys_only=True),
            Get("/p/", prefix=True, count_only=True),
        ],
    )
    limited, keys_only, count_only = result.responses
    assert (len(limited.kvs), limited.more, limited.count) == (1, True, 3)
    assert {kv.value for kv in keys_only.kvs} == {""}
    assert (count_only.kvs, count_only.count) == ([], 3)


def test_a_read_response_in_a_writing_txn_reports_the_txns_revision(store):
    result = store.txn([], success=[Put("a", "1"), Get("a")])
    assert result.responses[1].revision == 2


# -- writes that clash ----------------------------------------------------------------------------------


def test_a_branch_that_puts_the_same_key_twice_is_refused_in_etcds_words(store):
    with pytest.raises(DuplicateKey) as raised:
        store.txn([], success=[Put("a", "1"), Put("a", "2")])
    assert str(raised.value) == "etcdserver: duplicate key given in txn request (key 'a')"
    assert raised.value.key == "a"


def test_a_branch_that_puts_a_key_it_also_deletes_is_refused(store):
    with pytest.raises(DuplicateKey):
        store.txn([], success=[Delete("a"), Put("a", "1")])


def test_a_branch_that_puts_a_key_inside_a_range_it_deletes_is_refused(store):
    with pytest.raises(DuplicateKey, match="'/p/x'"):
        store.txn([], success=[Put("/p/x", "1"), Delete("/p/", prefix=True)])


def test_a_branch_may_delete_the_same_key_twice(store):
    store.put("a", "1")
    result = store.txn([], success=[Delete("a"), Delete("a")])
    assert [r.deleted for r in result.responses] == [1, 0]


def test_the_branch_not_taken_is_checked_for_clashes_too(store):
    with pytest.raises(DuplicateKey):
        store.txn([], success=[Put("a", "1")], failure=[Put("b", "1"), Put("b", "2")])


def test_a_refused_txn_changes_nothing(store):
    store.put("a", "1")
    with pytest.raises(DuplicateKey):
        store.txn([], success=[Put("x", "1"), Put("a", "2"), Put("a", "3")])
    assert store.revision == 2
    assert store.get("x") is None
    assert store.get("a").value == "1"


def test_one_txn_is_one_watch_response(store):
    responses = []
    store.watch("/p/", prefix=True, callback=responses.append)
    store.txn([], success=[Put("/p/a", "1"), Put("/p/b", "2"), Put("/p/c", "3")])
    store.loop.run()
    assert [(r.revision, len(r.events)) for r in responses] == [(2, 3)]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b"]), st.sampled_from(["MOD", "VERSION"]),
                          st.integers(0, 6), st.text(max_size=3)), max_size=15))
def test_a_compare_and_put_txn_does_the_same_on_the_quick_path_as_on_the_general_one(steps):
    """The API server's every write is one compare and one put; the store serves that shape without
    its general checks, and the outcome (results, revisions, history, events) must not differ."""
    quick, general = Store(), Store()
    general._one_compare_one_put = lambda *args: None
    for store in (quick, general):
        store.put("a", "0")
    for key, target, expected, text in steps:
        compare = (mod_revision if target == "MOD" else version)(key) == expected
        results = [store.txn(compare=[compare], success=[Put(key, text)]) for store in (quick, general)]
        outcomes = [(r.succeeded, r.revision, [(p.revision, p.prev_kv) for p in r.responses])
                    for r in results]
        assert outcomes[0] == outcomes[1]
    assert quick.events() == general.events()
    assert quick.items() == general.items()
