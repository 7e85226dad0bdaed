"""The store's on-disk mode: a write-ahead log plus snapshots (shown in notebook 01).

etcd survives a restart because every change is first appended to a
write-ahead log (WAL) on disk, and only then applied in memory. Replaying the
log rebuilds the memory. So that the log does not grow forever, etcd now and
then writes a *snapshot* of the whole state and starts a fresh log after it.
On start it loads the newest snapshot, then replays the records written after.

This module does the same with two plain files in the store's directory, both
readable with any text editor (which is the point: a learner can open them):

* `wal.jsonl`: one JSON record a line: `write` (the puts and deletes of one
  revision), `lease_grant`, `lease_revoke`, `compact`. Each record has an
  increasing `index`.
* `snapshot.json`: the full state, history included, and the index of the
  last record it covers; records up to that index are skipped on replay.

Each record is flushed to the operating system as it is written, so a process
that crashes loses nothing; `fsync=True` also forces it to the disk platter,
which is what etcd does, at a large cost in speed.

Leases come back with their full TTL, as in etcd, where a restarted leader
renews every lease rather than expire them for the time it was down.
"""

from __future__ import annotations

import base64
import json
import os
import pathlib
from typing import TYPE_CHECKING, Any

from k8slab.store.errors import CorruptData

if TYPE_CHECKING:
    from k8slab.store.mvcc import Event, KeyValue, Store

SNAPSHOT_FORMAT = "k8slab-etcd-snapshot/1"


def encode_value(value: str | bytes) -> Any:
    return {"b64": base64.b64encode(value).decode("ascii")} if isinstance(value, bytes) else value


def decode_value(data: Any) -> str | bytes:
    if isinstance(data, dict):
        return base64.b64decode(data["b64"])
    return data


def encode_kv(kv: KeyValue) -> list:
    return [kv.key, encode_value(kv.value), kv.create_revision, kv.mod_revision, kv.version, kv.lease]


def decode_kv(data: list) -> KeyValue:
    from k8slab.store.mvcc import KeyValue

    key, value, create, mod, version, lease = data
    return KeyValue(key, decode_value(value), create, mod, version, lease)


class DiskLog:
    """The files behind `Store(path=...)`."""

    def __init__(self, path: str | os.PathLike, snapshot_count: int, fsync: bool = False):
        if type(snapshot_count) is not int or snapshot_count < 1:
            raise ValueError(f"snapshot_count must be a whole number >= 1, got {snapshot_count!r}")
        self.directory = pathlib.Path(path)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.wal_path = self.directory / "wal.jsonl"
        self.snapshot_path = self.directory / "snapshot.json"
        self.snapshot_count = snapshot_count
        self.fsync = fsync
        self.index = 0  # index of the last record written or replayed
        self.since_snapshot = 0
        self._file = None

    # -- loading ----------------------------------------------------------------

    def load_into(self, store: Store) -> None:
        """Rebuild `store` from the snapshot and the records after it, then open the log for appending."""
        snapshot_index = 0
        if self.snapshot_path.exists():
            snapshot_index = self._load_snapshot(store)
        self.index = snapshot_index
        torn: tuple[int, bool] | None = (
            None  # a last line without its newline: (offset, is it a whole record)
        )
        if self.wal_path.exists():
            offset = 0
            with self.wal_path.open(encoding="utf-8", newline="") as wal:
                for number, line in enumerate(wal, start=1):
                    start, offset = offset, offset + len(line.encode("utf-8"))
                    if not line.strip():
                        continue
                    try:
                        record = json.loads(line)
                    except ValueError as error:
                        if not line.endswith("\n"):
                            torn = (start, False)
                            break  # a record cut short by a crash mid-write: it never happened
                        raise CorruptData(
                            f"{self.wal_path.name} line {number} is not JSON: {error}"
                        ) from None
                    if not line.endswith("\n"):
                        torn = (start, True)  # the record is whole; only its newline is missing
                    if record["index"] <= snapshot_index:
                        continue
                    self._replay(store, record, number)
                    self.index = record["index"]
                    self.since_snapshot += 1
        if torn is not None:
            # Mend the tail so that the next record starts on a line of its own, instead of being
            # glued to the torn one (which would make the whole log unreadable at the next start).
            start, whole = torn
            if whole:
                with self.wal_path.open("a", encoding="utf-8") as wal:
                    wal.write("\n")
            else:
                os.truncate(self.wal_path, start)
        self._file = self.wal_path.open("a", encoding="utf-8")

    def _load_snapshot(self, store: Store) -> int:
        from k8slab.store.mvcc import Event

        try:
            data = json.loads(self.snapshot_path.read_text(encoding="utf-8"))
        except ValueError as error:
            raise CorruptData(f"{self.snapshot_path.name} is not JSON: {error}") from None
        if data.get("format") != SNAPSHOT_FORMAT:
            raise CorruptData(
                f"{self.snapshot_path.name} has format {data.get('format')!r}, not {SNAPSHOT_FORMAT!r}"
            )
        store.revision = data["revision"]
        store.compact_revision = data["compact_revision"]
        for lease_id, ttl in data["leases"]:
            store._grant(lease_id, ttl)
        for raw in data["base"]:
            kv = decode_kv(raw)
            store._history[kv.key] = [kv]
            store._keys.append(kv.key)
            store._current[kv.key] = kv
        for event_type, raw_kv, raw_prev in data["events"]:
            kv = decode_kv(raw_kv)
            prev = decode_kv(raw_prev) if raw_prev is not None else None
            if kv.key not in store._history:
                store._history[kv.key] = []
                store._keys.append(kv.key)
            store._history[kv.key].append(kv)
            if event_type == "PUT":
                store._current[kv.key] = kv
            else:
                store._current.pop(kv.key, None)
            store._log.append(Event(event_type, kv, prev))
        store._keys_dirty = True
        for kv in store._current.values():
            if kv.lease in store._leases:
                store._leases[kv.lease].keys.add(kv.key)
        return data["index"]

    def _replay(self, store: Store, record: dict, line: int) -> None:
        op = record.get("op")
        if op == "write":
            revision = record["revision"]
            if revision != store.revision + 1:
                raise CorruptData(
                    f"{self.wal_path.name} line {line}: revision {revision} follows revision {store.revision}"
                )
            for write in record["writes"]:
                if write[0] == "put":
                    _, key, value, lease_id = write
                    store._apply_put(
                        key, decode_value(value), lease_id if lease_id in store._leases else 0, revision
                    )
                else:
                    store._apply_delete(write[1], revision)
            store.revision = revision
        elif op == "lease_grant":
            store._grant(record["id"], record["ttl"])
        elif op == "lease_revoke":
            lease = store._leases.pop(record["id"], None)
            if lease is not None and lease.timer is not None:
                lease.timer.cancel()
        elif op == "compact":
            store._compact(record["revision"])
        else:
            raise CorruptData(f"{self.wal_path.name} line {line}: unknown record {op!r}")

    # -- writing --------------------------------------------------------------------

    def record_writes(self, store: Store, revision: int, writes: list[tuple]) -> None:
        encoded = [
            ["put", w[1], encode_value(w[2]), w[3]] if w[0] == "put" else ["delete", w[1]] for w in writes
        ]
        self.record(store, {"op": "write", "revision": revision, "writes": encoded})

    def record(self, store: Store, record: dict) -> None:
        self.index += 1
        line = json.dumps({"index": self.index, **record}, separators=(",", ":"))
        self._file.write(line + "\n")
        self._file.flush()
        if self.fsync:
            os.fsync(self._file.fileno())
        self.since_snapshot += 1
        if self.since_snapshot >= self.snapshot_count:
            self.write_snapshot(store)

    def write_snapshot(self, store: Store) -> None:
        """Write the whole state atomically (temp file + rename), then start an empty log."""
        compact = store.compact_revision
        base = [
            encode_kv(entries[0])
            for key in store._sorted_keys()
            if (entries := store._history[key]) and entries[0].mod_revision < compact
        ]
        data = {
            "format": SNAPSHOT_FORMAT,
            "index": self.index,
            "revision": store.revision,
            "compact_revision": compact,
            "leases": [[lease.id, lease.ttl] for lease in store._leases.values()],
            "base": base,
            "events": [_encode_event(e) for e in store._log],
        }
        temporary = self.snapshot_path.with_suffix(".json.tmp")
        with temporary.open("w", encoding="utf-8") as out:
            json.dump(data, out, separators=(",", ":"))
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, self.snapshot_path)
        self._file.close()
        self._file = self.wal_path.open("w", encoding="utf-8")
        self.since_snapshot = 0

    def close(self) -> None:
        if self._file is not None:
            self._file.flush()
            self._file.close()
            self._file = None


def _encode_event(event: Event) -> list:
    return [event.type, encode_kv(event.kv), encode_kv(event.prev_kv) if event.prev_kv is not None else None]
