"""Watch: every matching change, exactly once, in revision order, handed over by the event loop."""

import pytest

from k8slab.sim import Loop
from k8slab.store import Compacted, Delete, Put, Store


@pytest.fixture
def store() -> Store:
    return Store(Loop(strict=True))


def summary(events) -> list[tuple[str, str, int]]:
    return [(e.type, e.kv.key, e.revision) for e in events]


# -- delivery through the loop ---------------------------------------------------------


def test_events_arrive_only_when_the_loop_runs(store):
    watcher = store.watch("a")
    store.put("a", "1")
    assert watcher.events == []
    store.loop.run()
    assert summary(watcher.events) == [("PUT", "a", 2)]


def test_a_key_watch_sees_only_its_own_key(store):
    watcher = store.watch("a")
    store.put("a", "1")
    store.put("ab", "1")
    store.put("b", "1")
    store.loop.run()
    assert summary(watcher.events) == [("PUT", "a", 2)]


def test_a_prefix_watch_sees_every_key_under_the_prefix(store):
    watcher = store.watch("/pods/", prefix=True)
    for key in ["/pods/a", "/podsx", "/pods/b", "/svc/a"]:
        store.put(key, "v")
    store.loop.run()
    assert [e.kv.key for e in watcher.events] == ["/pods/a", "/pods/b"]


def test_a_range_watch_sees_keys_from_key_up_to_but_not_including_range_end(store):
    watcher = store.watch("b", range_end="d")
    for key in ["a", "b", "c", "d"]:
        store.put(key, "v")
    store.loop.run()
    assert [e.kv.key for e in watcher.events] == ["b", "c"]


def test_a_watch_with_range_end_nul_sees_every_key_from_key_on(store):
    watcher = store.watch("b", range_end="\0")
    for key in ["a", "b", "zzz"]:
        store.put(key, "v")
    store.loop.run()
    assert [e.kv.key for e in watcher.events] == ["b", "zzz"]


def test_a_watch_sees_puts_and_deletes(store):
    watcher = store.watch("a")
    store.put("a", "1")
    store.put("a", "2")
    store.delete("a")
    store.loop.run()
    assert summary(watcher.events) == [("PUT", "a", 2), ("PUT", "a", 3), ("DELETE", "a", 4)]


def test_a_put_event_carries_the_new_kv(store):
    watcher = store.watch("a")
    store.put("a", "1")
    store.put("a", "2")
    store.loop.run()
    kv = watcher.events[-1].kv
    assert (kv.value, kv.create_revision, kv.mod_revision, kv.version) == ("2", 2, 3, 2)


def test_events_come_without_the_previous_kv_unless_asked(store):
    watcher = store.watch("a")
    store.put("a", "1")
    store.put("a", "2")
    store.loop.run()
    assert [e.prev_kv for e in watcher.events] == [None, None]


def test_with_prev_kv_each_event_carries_the_kv_it_replaced(store):
    watcher = store.watch("a", prev_kv=True)
    store.put("a", "1")
    store.put("a", "2")
    store.delete("a")
    store.loop.run()
    assert [e.prev_kv.value if e.prev_kv else None for e in watcher.events] == [None, "1", "2"]


def test_a_callback_is_handed_one_watch_response_per_revision(store):
    responses = []
    watcher = store.watch("/p/", prefix=True, callback=responses.append)
    store.put("/p/a", "1")
    store.txn([], success=[Put("/p/b", "1"), Put("/p/c", "1")])
    store.delete("/p/", prefix=True)
    store.loop.run()
    assert [(r.watch_id, r.revision, len(r.events)) for r in responses] == [
        (watcher.id, 2, 1),
        (watcher.id, 3, 2),
        (watcher.id, 4, 3),
    ]


def test_a_watcher_without_a_callback_counts_one_response_per_revision(store):
    watcher = store.watch("/p/", prefix=True)
    store.put("/p/a", "1")
    store.txn([], success=[Put("/p/b", "1"), Put("/p/c", "1")])
    store.loop.run()
    assert watcher.responses == 2


def test_a_callback_leaves_the_events_list_empty(store):
    watcher = store.watch("a", callback=lambda response: None)
    store.put("a", "1")
    store.loop.run()
    assert watcher.events == []
    assert watcher.responses == 1


def test_each_watcher_gets_its_own_id(store):
    first, second = store.watch("a"), store.watch("a")
    assert first.id != second.id


def test_many_writes_arrive_exactly_once_and_in_order(store):
    watcher = store.watch("k", prefix=True)
    for i in range(50):
        store.put(f"k{i % 7}", str(i))
        if i % 9 == 0:
            store.loop.run()
    store.loop.run()
    assert [e.revision for e in watcher.events] == list(range(2, 52))


def test_two_watchers_on_the_same_key_each_get_every_event(store):
    first, second = store.watch("a"), store.watch("a")
    store.put("a", "1")
    store.loop.run()
    assert summary(first.events) == summary(second.events) == [("PUT", "a", 2)]


def test_a_write_made_by_a_callback_is_delivered_later_not_lost(store):
    seen = []

    def react(response):
        seen.extend(e.kv.key for e in response.events)
        if response.revision == 2:
            store.put("/p/reaction", "v")

    store.watch("/p/", prefix=True, callback=react)
    store.put("/p/a", "1")
    store.loop.run()
    assert seen == ["/p/a", "/p/reaction"]


# -- start revisions ------------------------------------------------------------------------------


def test_a_watch_from_an_old_revision_replays_history_from_there(store):
    store.put("a", "1")
    store.put("a", "2")
    store.put("a", "3")
    watcher = store.watch("a", start_revision=3)
    store.put("a", "4")
    store.loop.run()
    assert [e.kv.value for e in watcher.events] == ["2", "3", "4"]


def test_a_replayed_history_carries_prev_kv_when_asked(store):
    store.put("a", "1")
    store.put("a", "2")
    watcher = store.watch("a", start_revision=3, prev_kv=True)
    store.loop.run()
    assert watcher.events[0].prev_kv.value == "1"


def test_a_watch_from_now_does_not_replay_history(store):
    store.put("a", "1")
    watcher = store.watch("a")
    store.loop.run()
    assert watcher.events == []
    assert watcher.start_revision == 3


def test_a_watch_from_a_future_revision_waits_for_it(store):
    store.put("a", "1")
    watcher = store.watch("a", start_revision=5)
    for value in ["2", "3", "4", "5"]:
        store.put("a", value)
    store.loop.run()
    assert [e.revision for e in watcher.events] == [5, 6]


def test_a_prefix_watch_from_a_future_revision_waits_for_it(store):
    watcher = store.watch("/p/", prefix=True, start_revision=4)
    for key in ["/p/a", "/p/b", "/p/c"]:
        store.put(key, "v")
    store.loop.run()
    assert [e.kv.key for e in watcher.events] == ["/p/c"]


def test_a_watch_from_below_the_compacted_revision_is_refused(store):
    for value in "123":
        store.put("a", value)
    store.compact(3)
    with pytest.raises(Compacted, match=r"requested revision 2, compacted at revision 3"):
        store.watch("a", start_revision=2)


def test_a_watch_from_the_compacted_revision_replays_from_there(store):
    for value in "123":
        store.put("a", value)
    store.compact(3)
    watcher = store.watch("a", start_revision=3)
    store.loop.run()
    assert [e.kv.value for e in watcher.events] == ["2", "3"]


# -- cancel ----------------------------------------------------------------------------------------


def test_a_cancelled_watch_receives_nothing_more(store):
    watcher = store.watch("a")
    store.put("a", "1")
    store.loop.run()
    watcher.cancel()
    store.put("a", "2")
    store.loop.run()
    assert [e.kv.value for e in watcher.events] == ["1"]


def test_cancel_drops_events_already_on_their_way(store):
    watcher = store.watch("a")
    store.put("a", "1")
    watcher.cancel()
    store.loop.run()
    assert watcher.events == []


def test_cancel_removes_the_watcher_from_the_store(store):
    first = store.watch("a")
    store.watch("/p/", prefix=True)
    assert store.watcher_count() == 2
    first.cancel()
    assert store.watcher_count() == 1
    assert first.canceled is True


def test_cancelling_twice_is_harmless(store):
    watcher = store.watch("a")
    watcher.cancel()
    watcher.cancel()
    assert store.watcher_count() == 0


def test_a_callback_may_cancel_its_own_watch_mid_delivery(store):
    responses = []

    def first_only(response):
        responses.append(response.revision)
        watcher.cancel()

    watcher = store.watch("a", callback=first_only)
    store.put("a", "1")
    store.put("a", "2")
    store.loop.run()
    assert responses == [2]


# -- callbacks that fail -------------------------------------------------------------------------------


def test_a_failing_callback_is_recorded_by_the_loop_and_later_revisions_still_arrive():
    store = Store(Loop(strict=False))
    revisions = []

    def fails_on_3(response):
        revisions.append(response.revision)
        if response.revision == 3:
            raise RuntimeError("watch handler bug")

    store.watch("a", callback=fails_on_3)
    for value in "1234":
        store.put("a", value)
    store.loop.run()
    assert revisions == [2, 3, 4, 5]
    assert [str(e.error) for e in store.loop.errors] == ["watch handler bug"]


def test_a_failing_callback_on_a_strict_loop_stops_the_run():
    store = Store(Loop(strict=True))

    def fails(response):
        raise RuntimeError("watch handler bug")

    store.watch("a", callback=fails)
    store.put("a", "1")
    with pytest.raises(RuntimeError, match="watch handler bug"):
        store.loop.run()


def test_a_failing_callback_does_not_disturb_other_watchers():
    store = Store(Loop(strict=False))
    store.watch("a", callback=lambda response: 1 / 0)
    healthy = store.watch("a")
    store.put("a", "1")
    store.delete("a")
    store.loop.run()
    assert summary(healthy.events) == [("PUT", "a", 2), ("DELETE", "a", 3)]


# -- deletes by range and by lease ----------------------------------------------------------------------


def test_a_range_delete_is_one_response_with_a_delete_event_per_key(store):
    for key in ["/p/a", "/p/b"]:
        store.put(key, "v")
    responses = []
    store.watch("/p/", prefix=True, callback=responses.append)
    store.txn([], success=[Delete("/p/", prefix=True)])
    store.loop.run()
    assert [summary(r.events) for r in responses] == [[("DELETE", "/p/a", 4), ("DELETE", "/p/b", 4)]]


def test_a_lease_expiry_reaches_watchers_as_delete_events(store):
    grant = store.lease_grant(10)
    store.put("/nodes/n1", "alive", lease=grant.id)
    watcher = store.watch("/nodes/", prefix=True, prev_kv=True)
    store.loop.run(seconds=11)
    assert summary(watcher.events) == [("DELETE", "/nodes/n1", 3)]
    assert watcher.events[0].prev_kv.value == "alive"
