"""The on-disk mode: a JSON-lines write-ahead log plus snapshots; close, reopen, nothing is lost."""

import json

import pytest

from k8slab.sim import Loop
from k8slab.store import CorruptData, Put, Store, StoreClosed, StoreError


def open_store(path, snapshot_count: int = 10_000) -> Store:
    return Store(Loop(strict=True), path=str(path), snapshot_count=snapshot_count)


def reopen(store: Store, path, snapshot_count: int = 10_000) -> Store:
    store.close()
    return open_store(path, snapshot_count)


def state(store: Store) -> dict:
    """Everything a reopen must bring back (lease countdowns restart at the full TTL, as in etcd)."""
    keys = {kv.key for kv in store.items()} | {e.kv.key for e in store.events()}
    leases = [store.lease_time_to_live(lease_id, keys=True) for lease_id in store.leases()]
    return {
        "revision": store.revision,
        "compact_revision": store.compact_revision,
        "items": store.items(),
        "history": {key: store.history(key) for key in sorted(keys)},
        "events": store.events(),
        "leases": {status.id: (status.granted_ttl, status.keys) for status in leases},
    }


def busy_store(path, snapshot_count: int = 10_000) -> Store:
    store = open_store(path, snapshot_count)
    store.put("/pods/a", "1")
    store.put("/pods/b", b"\x00bytes")
    store.put("/pods/a", "2")
    store.delete("/pods/b")
    store.txn([], success=[Put("/svc/x", "1"), Put("/svc/y", "1")])
    grant = store.lease_grant(30)
    store.put("/nodes/n1", "alive", lease=grant.id)
    store.compact(4)
    store.put("/pods/c", "3")
    return store


# -- reopening ----------------------------------------------------------------------------------


def test_reopening_brings_back_the_current_state_and_revision(tmp_path):
    store = open_store(tmp_path)
    store.put("a", "1")
    store.put("b", "2")
    reopened = reopen(store, tmp_path)
    assert [(kv.key, kv.value) for kv in reopened.items()] == [("a", "1"), ("b", "2")]
    assert reopened.revision == 3


def test_reopening_brings_back_history_events_compaction_and_leases(tmp_path):
    store = busy_store(tmp_path)
    before = state(store)
    assert state(reopen(store, tmp_path)) == before


def test_reopening_from_a_snapshot_plus_log_brings_back_everything(tmp_path):
    store = busy_store(tmp_path, snapshot_count=3)
    before = state(store)
    assert state(reopen(store, tmp_path, snapshot_count=3)) == before


def test_reopening_twice_brings_back_the_same_store(tmp_path):
    store = busy_store(tmp_path, snapshot_count=4)
    before = state(store)
    once = reopen(store, tmp_path, snapshot_count=4)
    assert state(reopen(once, tmp_path, snapshot_count=4)) == before


def test_a_delete_at_the_compacted_revision_comes_back_the_same_from_a_snapshot(tmp_path):
    store = open_store(tmp_path, snapshot_count=1)
    store.put("a", "1")
    store.delete("a")
    store.compact(3)
    before = state(store)
    assert state(reopen(store, tmp_path, snapshot_count=1)) == before


def test_bytes_values_survive_a_reopen_as_bytes(tmp_path):
    store = open_store(tmp_path)
    store.put("blob", b"\x00\xff")
    assert reopen(store, tmp_path).get("blob").value == b"\x00\xff"


def test_writes_after_a_reopen_carry_on_from_the_stored_revision(tmp_path):
    store = open_store(tmp_path)
    store.put("a", "1")
    reopened = reopen(store, tmp_path)
    assert reopened.put("a", "2").revision == 3
    assert reopened.get("a").version == 2


def test_a_lease_comes_back_with_its_full_ttl_and_its_keys(tmp_path):
    store = open_store(tmp_path)
    grant = store.lease_grant(30)
    store.put("/nodes/n1", "alive", lease=grant.id)
    store.loop.run(seconds=25)
    reopened = reopen(store, tmp_path)
    status = reopened.lease_time_to_live(grant.id, keys=True)
    assert (status.ttl, status.keys) == (30, ["/nodes/n1"])


def test_a_lease_brought_back_still_expires_and_deletes_its_keys(tmp_path):
    store = open_store(tmp_path)
    grant = store.lease_grant(30)
    store.put("/nodes/n1", "alive", lease=grant.id)
    reopened = reopen(store, tmp_path)
    reopened.loop.run(seconds=30)
    assert "/nodes/n1" not in reopened
    assert reopened.leases() == []


def test_a_revoked_lease_stays_revoked_after_a_reopen(tmp_path):
    store = open_store(tmp_path)
    grant = store.lease_grant(30)
    store.put("a", "1", lease=grant.id)
    store.lease_revoke(grant.id)
    reopened = reopen(store, tmp_path)
    assert reopened.leases() == []
    assert reopened.items() == []


def test_an_expired_lease_stays_expired_after_a_reopen(tmp_path):
    store = open_store(tmp_path)
    grant = store.lease_grant(5)
    store.put("a", "1", lease=grant.id)
    store.loop.run(seconds=5)
    reopened = reopen(store, tmp_path)
    assert (reopened.leases(), reopened.items(), reopened.revision) == ([], [], 3)


# -- the files ------------------------------------------------------------------------------------------


def test_each_write_is_one_json_line_in_the_log(tmp_path):
    store = open_store(tmp_path)
    store.put("a", "1")
    store.delete("a")
    lines = (tmp_path / "wal.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines]
    assert [(r["index"], r["op"], r["revision"]) for r in records] == [(1, "write", 2), (2, "write", 3)]
    assert records[0]["writes"] == [["put", "a", "1", 0]]


def test_a_snapshot_is_written_after_snapshot_count_records_and_the_log_starts_again(tmp_path):
    store = open_store(tmp_path, snapshot_count=3)
    for value in "123":
        store.put("a", value)
    snapshot = json.loads((tmp_path / "snapshot.json").read_text())
    assert (snapshot["index"], snapshot["revision"]) == (3, 4)
    assert (tmp_path / "wal.jsonl").read_text() == ""


def test_snapshot_writes_a_snapshot_on_demand(tmp_path):
    store = open_store(tmp_path)
    store.put("a", "1")
    store.snapshot()
    assert json.loads((tmp_path / "snapshot.json").read_text())["revision"] == 2
    assert (tmp_path / "wal.jsonl").read_text() == ""


def test_snapshot_needs_the_on_disk_mode():
    with pytest.raises(StoreError, match=r"snapshot\(\) needs the on-disk mode"):
        Store().snapshot()


@pytest.mark.parametrize("count", [0, -1, 1.5])
def test_a_snapshot_count_below_one_is_refused(tmp_path, count):
    with pytest.raises(ValueError, match="snapshot_count must be a whole number >= 1"):
        open_store(tmp_path, snapshot_count=count)


# -- crashes and damage ---------------------------------------------------------------------------------


def tear_last_line(path) -> None:
    """What a crash in the middle of a write leaves: the last record cut short, no newline."""
    wal = path / "wal.jsonl"
    wal.write_text(wal.read_text()[:-12])


def test_a_torn_last_line_in_the_log_is_ignored(tmp_path):
    store = open_store(tmp_path)
    store.put("a", "1")
    store.put("b", "2")
    store.close()
    tear_last_line(tmp_path)
    reopened = open_store(tmp_path)
    assert [kv.key for kv in reopened.items()] == ["a"]
    assert reopened.revision == 2


def test_writes_after_a_torn_last_line_survive_the_next_reopen(tmp_path):
    store = open_store(tmp_path)
    store.put("a", "1")
    store.put("b", "2")
    store.close()
    tear_last_line(tmp_path)
    recovered = open_store(tmp_path)
    recovered.put("c", "3")
    again = reopen(recovered, tmp_path)
    assert [(kv.key, kv.mod_revision) for kv in again.items()] == [("a", 2), ("c", 3)]


def test_a_last_record_missing_only_its_newline_is_kept(tmp_path):
    store = open_store(tmp_path)
    store.put("a", "1")
    store.close()
    wal = tmp_path / "wal.jsonl"
    wal.write_text(wal.read_text().rstrip("\n"))
    recovered = open_store(tmp_path)
    recovered.put("b", "2")
    assert [kv.key for kv in reopen(recovered, tmp_path).items()] == ["a", "b"]


def test_a_damaged_line_in_the_middle_of_the_log_is_reported(tmp_path):
    store = open_store(tmp_path)
    store.put("a", "1")
    store.put("b", "2")
    store.close()
    wal = tmp_path / "wal.jsonl"
    lines = wal.read_text().splitlines(keepends=True)
    wal.write_text("garbage\n" + lines[1])
    with pytest.raises(CorruptData, match="wal.jsonl line 1 is not JSON"):
        open_store(tmp_path)


def test_a_snapshot_in_an_unknown_format_is_reported(tmp_path):
    (tmp_path / "snapshot.json").write_text('{"format": "something else"}')
    with pytest.raises(CorruptData, match="snapshot.json has format 'something else'"):
        open_store(tmp_path)


# -- closing ---------------------------------------------------------------------------------------------


def test_a_closed_store_refuses_every_verb_in_etcds_words(tmp_path):
    store = open_store(tmp_path)
    store.close()
    with pytest.raises(StoreClosed, match="^etcdserver: server stopped"):
        store.put("a", "1")
    with pytest.raises(StoreClosed):
        store.get("a")
    with pytest.raises(StoreClosed):
        store.watch("a")


def test_closing_twice_is_harmless(tmp_path):
    store = open_store(tmp_path)
    store.close()
    store.close()
    assert store.closed is True


def test_closing_cancels_the_watchers_and_the_lease_timers(tmp_path):
    store = open_store(tmp_path)
    watcher = store.watch("a")
    store.lease_grant(10)
    store.close()
    assert watcher.canceled is True
    assert store.loop.pending() == 0


def test_an_in_memory_store_can_be_closed_too():
    store = Store()
    store.close()
    with pytest.raises(StoreClosed):
        store.items()
