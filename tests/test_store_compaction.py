"""Compaction: history before a revision is forgotten; the state at that revision is kept."""

import pytest

from k8slab.sim import Loop
from k8slab.store import Compacted, FutureRevision, InvalidRevision, Store


@pytest.fixture
def store() -> Store:
    """a=1 (2), b=1 (3), a=2 (4), b deleted (5), c=1 (6), a=3 (7)."""
    store = Store(Loop(strict=True))
    store.put("a", "1")
    store.put("b", "1")
    store.put("a", "2")
    store.delete("b")
    store.put("c", "1")
    store.put("a", "3")
    return store


def test_compact_records_the_compacted_revision(store):
    store.compact(5)
    assert store.compact_revision == 5


def test_compact_does_not_move_the_revision(store):
    store.compact(5)
    assert store.revision == 7


def test_compact_does_not_change_the_current_state(store):
    before = store.items()
    store.compact(7)
    assert store.items() == before


def test_reading_below_the_compacted_revision_is_refused_naming_both_revisions(store):
    store.compact(5)
    with pytest.raises(Compacted) as raised:
        store.get("a", revision=4)
    assert str(raised.value) == (
        "mvcc: required revision has been compacted (requested revision 4, compacted at revision 5)"
    )
    assert (raised.value.requested, raised.value.compact_revision) == (4, 5)


def test_a_range_below_the_compacted_revision_is_refused(store):
    store.compact(5)
    with pytest.raises(Compacted):
        store.range("a", range_end="\0", revision=3)


def test_items_below_the_compacted_revision_is_refused(store):
    store.compact(5)
    with pytest.raises(Compacted):
        store.items(revision=2)


def test_reading_at_the_compacted_revision_still_works(store):
    store.compact(5)
    assert [(kv.key, kv.value) for kv in store.items(revision=5)] == [("a", "2")]
    assert store.get("a", revision=5).mod_revision == 4


def test_reading_between_the_compacted_and_the_current_revision_still_works(store):
    store.compact(5)
    assert [(kv.key, kv.value) for kv in store.items(revision=6)] == [("a", "2"), ("c", "1")]


def test_history_keeps_each_keys_newest_version_as_of_the_compacted_revision(store):
    store.compact(5)
    assert [kv.value for kv in store.history("a")] == ["2", "3"]


def test_a_key_deleted_before_the_compacted_revision_leaves_no_history(store):
    store.compact(6)
    assert store.history("b") == []


def test_a_delete_at_the_compacted_revision_keeps_its_tombstone_as_the_log_keeps_its_event(store):
    store.compact(5)
    assert [(kv.mod_revision, kv.is_tombstone) for kv in store.history("b")] == [(5, True)]
    assert [(e.type, e.kv.key) for e in store.events() if e.revision == 5] == [("DELETE", "b")]
    assert store.get("b", revision=5) is None


def test_a_delete_after_the_compacted_revision_keeps_its_tombstone(store):
    store.compact(4)
    assert [(kv.mod_revision, kv.is_tombstone) for kv in store.history("b")] == [(3, False), (5, True)]


def test_events_start_at_the_compacted_revision(store):
    store.compact(5)
    assert [e.revision for e in store.events()] == [5, 6, 7]


def test_events_from_below_the_compacted_revision_are_refused(store):
    store.compact(5)
    with pytest.raises(Compacted, match="requested revision 3, compacted at revision 5"):
        store.events(start_revision=3)


def test_compacting_at_the_current_revision_keeps_the_present(store):
    store.compact(7)
    assert [(kv.key, kv.value) for kv in store.items(revision=7)] == [("a", "3"), ("c", "1")]
    assert [e.revision for e in store.events()] == [7]


def test_compacting_twice_moves_the_compacted_revision_on(store):
    store.compact(3)
    store.compact(6)
    assert store.compact_revision == 6
    assert [kv.value for kv in store.history("a")] == ["2", "3"]


def test_compacting_at_or_below_the_compacted_revision_is_refused(store):
    store.compact(5)
    with pytest.raises(Compacted, match="requested revision 5, compacted at revision 5"):
        store.compact(5)


def test_compacting_a_future_revision_is_refused(store):
    with pytest.raises(FutureRevision, match="requested revision 8, current revision 7"):
        store.compact(8)


@pytest.mark.parametrize("revision", [0, -1, 2.0, "3", None])
def test_compacting_at_a_revision_that_is_not_a_whole_number_above_zero_is_refused(store, revision):
    with pytest.raises(InvalidRevision, match=r"compact revision must be a whole number >= 1, got "):
        store.compact(revision)


def test_writes_after_a_compaction_carry_on_from_the_current_revision(store):
    store.compact(7)
    assert store.put("d", "1").revision == 8
    assert [e.revision for e in store.events()] == [7, 8]
