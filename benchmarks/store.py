"""How fast is the store? Prints figures; asserts nothing (DESIGN.md, "Speed").

    python benchmarks/store.py           # the full run (well under a minute)
    python benchmarks/store.py --quick   # a few seconds, smaller sizes

What it measures, one thread, wall-clock time:

* puts/s and gets/s on the in-memory store (many puts over a fixed set of keys,
  so keys gain versions and history, as Kubernetes objects do);
* a prefix range over 10,000 keys (all the pods) in a store that also holds
  10,000 other keys, now and at an old revision;
* watch fan-out: 1,000 prefix watchers, each handed every event of N puts by the
  event loop: events delivered per second, and for one put, the time from the
  put to the moment the last of the 1,000 watchers has it;
* puts/s in the on-disk mode (a JSON-lines write-ahead log plus snapshots).

The design target is 100k+ puts/s and a fan-out to 1,000 watchers.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable

from report import machine, print_table  # benchmarks/report.py, shared by every script

from k8slab.sim import Loop
from k8slab.store import Store

POD = '{"kind":"Pod","apiVersion":"v1","metadata":{"name":"web-%05d","namespace":"default"},"spec":{}}'

FULL = {
    "puts": 200_000,
    "keys": 10_000,
    "gets": 200_000,
    "ranges": 50,
    "fanout_puts": 200,
    "disk_puts": 50_000,
}
QUICK = {"puts": 20_000, "keys": 10_000, "gets": 20_000, "ranges": 5, "fanout_puts": 20, "disk_puts": 5_000}
WATCHERS = 1_000


def pod_key(i: int) -> str:
    return f"/registry/pods/default/web-{i:05d}"


def seconds(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def fill(store: Store, puts: int, keys: int) -> None:
    put = store.put
    for i in range(puts):
        n = i % keys
        put(pod_key(n), POD % n)


def bench_puts(size: dict) -> tuple[list[tuple[str, str, str]], Store]:
    store = Store(Loop())
    elapsed = seconds(lambda: fill(store, size["puts"], size["keys"]))
    row = (
        "puts/s (in memory)",
        f"{size['puts'] / elapsed:,.0f}",
        f"{size['puts']:,} puts over {size['keys']:,} keys",
    )
    return [row], store


def bench_gets(store: Store, size: dict) -> list[tuple[str, str, str]]:
    keys = [pod_key(i % size["keys"]) for i in range(size["gets"])]
    get = store.get

    def run() -> None:
        for key in keys:
            get(key)

    elapsed = seconds(run)
    return [("gets/s (in memory)", f"{size['gets'] / elapsed:,.0f}", f"{size['gets']:,} gets of live keys")]


def bench_ranges(store: Store, size: dict) -> list[tuple[str, str, str]]:
    old_revision = store.revision
    for i in range(size["keys"]):  # as many keys again outside the prefix
        store.put(f"/registry/services/default/svc-{i:05d}", "{}")
    for i in range(0, size["keys"], 2):  # and a newer version of half the pods
        store.put(pod_key(i), POD % i)
    rows = []
    for label, revision in (("now", 0), ("at an old revision", old_revision)):
        returned = 0

        def run(revision: int = revision) -> None:
            nonlocal returned
            for _ in range(size["ranges"]):
                returned = len(store.range("/registry/pods/", prefix=True, revision=revision).kvs)

        elapsed = seconds(run)
        rows.append(
            (
                f"prefix range, {label}",
                f"{elapsed / size['ranges'] * 1000:,.2f} ms",
                f"{returned:,} keys returned of {len(store):,}",
            )
        )
    return rows


def bench_fanout(size: dict) -> list[tuple[str, str, str]]:
    store = Store(Loop())
    received = [0] * WATCHERS
    last_delivery = [0.0]

    def make_callback(index: int):
        def on_response(response) -> None:
            received[index] += len(response.events)
            last_delivery[0] = time.perf_counter()

        return on_response

    for index in range(WATCHERS):
        store.watch("/registry/pods/", prefix=True, callback=make_callback(index))

    puts = size["fanout_puts"]

    def run() -> None:
        for i in range(puts):
            store.put(pod_key(i), POD % i)
        store.loop.run()

    elapsed = seconds(run)
    delivered = sum(received)
    everyone = all(count == puts for count in received)

    start = time.perf_counter()
    store.put(pod_key(0), POD % 0)
    store.loop.run()
    latency = last_delivery[0] - start
    return [
        (
            f"watch fan-out, {WATCHERS:,} watchers",
            f"{delivered / elapsed:,.0f} events/s",
            f"{puts:,} puts -> {delivered:,} deliveries"
            + ("" if everyone else " (SOME WATCHERS MISSED EVENTS)"),
        ),
        (
            "one put to the last watcher",
            f"{latency * 1000:,.2f} ms",
            f"{WATCHERS:,} watchers, through the loop",
        ),
    ]


def bench_disk(size: dict) -> list[tuple[str, str, str]]:
    puts = size["disk_puts"]
    with tempfile.TemporaryDirectory() as path:
        store = Store(Loop(), path=path, snapshot_count=puts + 1)
        wal_only = seconds(lambda: fill(store, puts, size["keys"]))
        store.close()
    with tempfile.TemporaryDirectory() as path:
        store = Store(Loop(), path=path)
        with_snapshots = seconds(lambda: fill(store, puts, size["keys"]))
        store.close()
        reopen = seconds(lambda: Store(Loop(), path=path).close())
    return [
        (
            "puts/s (on disk, WAL only)",
            f"{puts / wal_only:,.0f}",
            f"{puts:,} puts, one JSON line each, no fsync",
        ),
        (
            "puts/s (on disk, with snapshots)",
            f"{puts / with_snapshots:,.0f}",
            f"{puts:,} puts, a snapshot (all history) every 10,000 records",
        ),
        ("reopen from disk", f"{reopen * 1000:,.0f} ms", f"rebuilds {puts:,} revisions of history"),
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="smaller sizes: a few seconds instead of a minute"
    )
    args = parser.parse_args(argv)
    size = QUICK if args.quick else FULL

    rows, store = bench_puts(size)
    rows += bench_gets(store, size)
    rows += bench_ranges(store, size)
    del store
    rows += bench_fanout(size)
    rows += bench_disk(size)

    run = "quick" if args.quick else "full"
    title = (
        f"k8slab store benchmark ({run} run): {machine()}"
    )
    print_table(rows, title)


if __name__ == "__main__":
    main()
