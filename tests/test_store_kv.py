"""The store's key-value verbs: put, get, range and delete, with etcd v3's revisions."""

import pytest

from k8slab.sim import Loop
from k8slab.store import (
    EmptyKey,
    FutureRevision,
    InvalidKey,
    InvalidRequest,
    InvalidValue,
    KeyValue,
    Store,
    prefix_end,
)


@pytest.fixture
def store() -> Store:
    return Store(Loop(strict=True))


def keys(result) -> list[str]:
    return [kv.key for kv in result.kvs]


def fill(store: Store, *names: str) -> None:
    for name in names:
        store.put(name, f"value of {name}")


# -- revisions ------------------------------------------------------------------------


def test_a_fresh_store_is_empty_at_revision_1(store):
    assert store.revision == 1
    assert store.items() == []
    assert len(store) == 0


def test_the_first_write_lands_at_revision_2(store):
    assert store.put("a", "1").revision == 2
    assert store.revision == 2


def test_every_put_moves_the_revision_on_by_exactly_one(store):
    revisions = [store.put(f"k{i}", "v").revision for i in range(5)]
    assert revisions == [2, 3, 4, 5, 6]


# -- put and get ----------------------------------------------------------------------


def test_get_returns_what_put_stored(store):
    store.put("/registry/pods/default/web", '{"kind": "Pod"}')
    assert store.get("/registry/pods/default/web").value == '{"kind": "Pod"}'


def test_get_of_a_missing_key_returns_none(store):
    assert store.get("missing") is None


def test_a_new_key_has_create_and_mod_revision_of_its_write_and_version_1(store):
    store.put("other", "x")
    store.put("a", "1")
    assert store.get("a") == KeyValue("a", "1", create_revision=3, mod_revision=3, version=1, lease=0)


def test_an_update_keeps_create_revision_moves_mod_revision_and_counts_the_version(store):
    store.put("a", "1")
    store.put("a", "2")
    store.put("a", "3")
    kv = store.get("a")
    assert (kv.create_revision, kv.mod_revision, kv.version) == (2, 4, 3)


def test_put_returns_the_previous_kv(store):
    store.put("a", "old")
    assert store.put("a", "new").prev_kv.value == "old"


def test_put_of_a_new_key_has_no_previous_kv(store):
    assert store.put("a", "1").prev_kv is None


def test_put_of_the_same_value_is_still_a_new_version(store):
    store.put("a", "same")
    store.put("a", "same")
    assert store.get("a").version == 2
    assert store.revision == 3


def test_bytes_values_come_back_as_bytes(store):
    store.put("blob", b"\x00\xffdata")
    assert store.get("blob").value == b"\x00\xffdata"


def test_a_bytearray_value_is_stored_as_bytes(store):
    store.put("blob", bytearray(b"abc"))
    assert store.get("blob").value == b"abc"


def test_a_bytes_key_is_kept_as_text(store):
    store.put(b"/registry/nodes/node-1", "n")
    assert store.get("/registry/nodes/node-1").key == "/registry/nodes/node-1"
    assert store.get(b"/registry/nodes/node-1").value == "n"


def test_contains_tells_whether_a_key_is_live(store):
    store.put("a", "1")
    store.put("b", "1")
    store.delete("b")
    assert "a" in store
    assert "b" not in store


def test_len_counts_live_keys(store):
    fill(store, "a", "b", "c")
    store.delete("b")
    assert len(store) == 2


# -- delete ---------------------------------------------------------------------------


def test_delete_removes_the_key_at_a_new_revision(store):
    store.put("a", "1")
    result = store.delete("a")
    assert result.revision == 3
    assert store.get("a") is None


def test_delete_returns_how_many_keys_it_deleted_and_their_last_kvs(store):
    store.put("a", "1")
    result = store.delete("a")
    assert result.deleted == 1
    assert [kv.value for kv in result.prev_kvs] == ["1"]


def test_deleting_a_missing_key_does_not_move_the_revision(store):
    store.put("a", "1")
    result = store.delete("missing")
    assert (result.deleted, result.revision, store.revision) == (0, 2, 2)


def test_a_key_created_again_after_a_delete_starts_over_at_version_1(store):
    store.put("a", "1")
    store.put("a", "2")
    store.delete("a")
    store.put("a", "3")
    kv = store.get("a")
    assert (kv.create_revision, kv.mod_revision, kv.version) == (5, 5, 1)


def test_delete_of_a_prefix_removes_every_key_under_it_at_one_revision(store):
    fill(store, "/pods/a", "/pods/b", "/podsx", "/svc/a")
    result = store.delete("/pods/", prefix=True)
    assert result.deleted == 2
    assert result.revision == 6
    assert [kv.key for kv in store.items()] == ["/podsx", "/svc/a"]
    assert store.revision == 6


def test_delete_of_a_range_removes_keys_from_key_up_to_but_not_including_range_end(store):
    fill(store, "a", "b", "c", "d")
    store.delete("b", range_end="d")
    assert [kv.key for kv in store.items()] == ["a", "d"]


def test_delete_with_range_end_nul_removes_every_key_from_key_on(store):
    fill(store, "a", "b", "c")
    store.delete("b", range_end="\0")
    assert [kv.key for kv in store.items()] == ["a"]


def test_delete_refuses_range_end_and_prefix_together(store):
    with pytest.raises(InvalidRequest, match="give range_end= or prefix=True, not both"):
        store.delete("a", range_end="b", prefix=True)


# -- range ----------------------------------------------------------------------------


def test_range_of_one_key_returns_just_that_key(store):
    fill(store, "a", "ab")
    assert keys(store.range("a")) == ["a"]


def test_range_of_a_missing_key_returns_nothing(store):
    result = store.range("missing")
    assert (result.kvs, result.count, result.more) == ([], 0, False)


def test_range_with_prefix_returns_every_key_under_it_sorted(store):
    fill(store, "/pods/c", "/pods/a", "/podsx", "/pods/b", "/a")
    assert keys(store.range("/pods/", prefix=True)) == ["/pods/a", "/pods/b", "/pods/c"]


def test_range_returns_keys_from_key_up_to_but_not_including_range_end(store):
    fill(store, "a", "b", "c", "d")
    assert keys(store.range("b", range_end="d")) == ["b", "c"]


def test_range_with_range_end_nul_returns_every_key_from_key_on(store):
    fill(store, "a", "b", "c")
    assert keys(store.range("b", range_end="\0")) == ["b", "c"]


def test_range_from_nul_to_nul_returns_every_key(store):
    fill(store, "a", "b", "c")
    assert keys(store.range("\0", range_end="\0")) == ["a", "b", "c"]


def test_range_with_range_end_not_above_key_returns_nothing(store):
    fill(store, "a", "b", "c")
    assert store.range("c", range_end="a").kvs == []


def test_range_with_a_limit_returns_the_first_keys_and_says_there_are_more(store):
    fill(store, "a", "b", "c", "d")
    result = store.range("a", range_end="\0", limit=2)
    assert keys(result) == ["a", "b"]
    assert result.more is True


def test_range_count_is_the_full_count_even_with_a_limit(store):
    fill(store, "a", "b", "c", "d")
    assert store.range("a", range_end="\0", limit=2).count == 4


def test_range_with_a_limit_at_least_the_count_has_no_more(store):
    fill(store, "a", "b")
    result = store.range("a", range_end="\0", limit=2)
    assert (len(result.kvs), result.more) == (2, False)


def test_range_count_only_returns_the_count_and_no_kvs(store):
    fill(store, "/p/a", "/p/b", "/p/c")
    result = store.range("/p/", prefix=True, count_only=True)
    assert (result.kvs, result.count) == ([], 3)


def test_range_keys_only_returns_keys_and_revisions_with_empty_values(store):
    store.put("a", "text")
    store.put("b", b"bytes")
    result = store.range("a", range_end="\0", keys_only=True)
    assert [(kv.key, kv.value, kv.mod_revision) for kv in result.kvs] == [("a", "", 2), ("b", b"", 3)]


def test_range_skips_deleted_keys(store):
    fill(store, "a", "b", "c")
    store.delete("b")
    assert keys(store.range("a", range_end="\0")) == ["a", "c"]


def test_range_reports_the_current_store_revision(store):
    fill(store, "a", "b")
    assert store.range("a").revision == 3


# -- reading the past -----------------------------------------------------------------


def test_get_at_an_older_revision_returns_the_value_of_then(store):
    store.put("a", "1")
    store.put("a", "2")
    assert store.get("a", revision=2).value == "1"


def test_get_at_a_revision_before_the_key_existed_returns_none(store):
    store.put("other", "x")
    store.put("a", "1")
    assert store.get("a", revision=2) is None


def test_get_at_a_revision_after_a_delete_returns_none(store):
    store.put("a", "1")
    store.delete("a")
    store.put("other", "x")
    assert store.get("a", revision=3) is None
    assert store.get("a", revision=2).value == "1"


def test_range_at_an_older_revision_returns_the_keys_of_then(store):
    fill(store, "/p/a", "/p/b")
    store.delete("/p/a")
    store.put("/p/c", "new")
    result = store.range("/p/", prefix=True, revision=3)
    assert keys(result) == ["/p/a", "/p/b"]
    assert result.revision == 5


def test_items_at_an_older_revision_is_the_whole_store_as_it_was(store):
    store.put("a", "1")
    store.put("b", "1")
    store.put("a", "2")
    assert [(kv.key, kv.value) for kv in store.items(revision=3)] == [("a", "1"), ("b", "1")]


def test_revision_0_means_now(store):
    store.put("a", "1")
    store.put("a", "2")
    assert store.get("a", revision=0).value == "2"
    assert store.range("a", revision=0).kvs[0].value == "2"


def test_reading_at_the_current_revision_works(store):
    store.put("a", "1")
    assert store.get("a", revision=2).value == "1"


def test_reading_a_future_revision_is_refused_in_etcds_words(store):
    store.put("a", "1")
    with pytest.raises(FutureRevision) as raised:
        store.get("a", revision=9)
    assert str(raised.value) == (
        "mvcc: required revision is a future revision (requested revision 9, current revision 2)"
    )
    assert (raised.value.requested, raised.value.current) == (9, 2)


def test_history_lists_every_version_with_tombstones_for_deletes(store):
    store.put("a", "1")
    store.put("a", "2")
    store.delete("a")
    store.put("a", "3")
    history = store.history("a")
    assert [(kv.value, kv.mod_revision, kv.version) for kv in history] == [
        ("1", 2, 1),
        ("2", 3, 2),
        ("", 4, 0),
        ("3", 5, 1),
    ]
    assert [kv.is_tombstone for kv in history] == [False, False, True, False]


def test_history_of_an_unknown_key_is_empty(store):
    assert store.history("never") == []


def test_events_list_every_change_in_revision_order(store):
    store.put("a", "1")
    store.put("b", "1")
    store.delete("a")
    assert [(e.type, e.kv.key, e.revision) for e in store.events()] == [
        ("PUT", "a", 2),
        ("PUT", "b", 3),
        ("DELETE", "a", 4),
    ]


def test_events_from_a_revision_start_there(store):
    fill(store, "a", "b", "c")
    assert [e.revision for e in store.events(start_revision=3)] == [3, 4]


def test_a_delete_event_carries_the_key_the_delete_revision_and_the_last_kv(store):
    store.put("a", "1")
    store.delete("a")
    event = store.events()[-1]
    assert (event.type, event.kv.key, event.kv.mod_revision, event.kv.version) == ("DELETE", "a", 3, 0)
    assert event.prev_kv.value == "1"


# -- prefix_end and error wording -------------------------------------------------------


def test_prefix_end_is_the_prefix_with_its_last_character_moved_on_by_one():
    assert prefix_end("/registry/pods/") == "/registry/pods0"
    assert prefix_end("a") == "b"


def test_prefix_end_of_the_highest_character_means_every_key_from_there():
    assert prefix_end("\U0010ffff") == "\0"


def test_the_empty_key_is_refused_in_etcds_words(store):
    with pytest.raises(EmptyKey, match="^etcdserver: key is not provided$"):
        store.put("", "v")


def test_a_key_of_the_wrong_type_is_refused_naming_the_type_and_value(store):
    with pytest.raises(InvalidKey, match=r"key must be str or bytes, got int 42"):
        store.put(42, "v")


def test_a_bytes_key_that_is_not_utf8_is_refused_naming_the_bytes(store):
    with pytest.raises(InvalidKey, match=r"key b'\\xff' is not valid UTF-8"):
        store.put(b"\xff", "v")


def test_a_value_of_the_wrong_type_is_refused_naming_the_type_and_value(store):
    with pytest.raises(InvalidValue, match=r"value must be str or bytes, got int 5"):
        store.put("a", 5)
