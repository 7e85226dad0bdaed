"""The simulation core: a virtual clock, one ordered queue of callbacks, one seeded random generator."""

import uuid
from datetime import UTC, datetime

import pytest

from k8slab.sim import EPOCH, Loop, SimulationError


def recorder():
    """A list plus a callback that appends its argument to it."""
    seen = []
    return seen, seen.append


# -- scheduling and ordering -----------------------------------------------------


def test_a_fresh_loop_reads_zero_seconds_and_has_nothing_to_do():
    loop = Loop()
    assert loop.now == 0.0
    assert loop.pending() == 0
    assert loop.next_time() is None


def test_call_at_runs_the_callback_when_the_clock_reads_that_time():
    loop = Loop()
    times = []
    loop.call_at(7, lambda: times.append(loop.now))
    loop.run()
    assert times == [7.0]


def test_call_later_counts_the_delay_from_the_current_time():
    loop = Loop()
    loop.run(until=10)
    times = []
    loop.call_later(5, lambda: times.append(loop.now))
    loop.run()
    assert times == [15.0]


def test_callbacks_receive_the_arguments_they_were_scheduled_with():
    loop = Loop()
    seen = []
    loop.call_later(1, lambda a, b: seen.append((a, b)), "x", 2)
    loop.run()
    assert seen == [("x", 2)]


def test_callbacks_run_in_time_order_whatever_order_they_were_scheduled_in():
    loop = Loop()
    seen, record = recorder()
    loop.call_at(3, record, "three")
    loop.call_at(1, record, "one")
    loop.call_at(2, record, "two")
    loop.run()
    assert seen == ["one", "two", "three"]


def test_callbacks_due_at_the_same_time_run_first_in_first_out():
    loop = Loop()
    seen, record = recorder()
    for name in ["a", "b", "c", "d"]:
        loop.call_at(5, record, name)
    loop.run()
    assert seen == ["a", "b", "c", "d"]


def test_call_soon_runs_after_every_callback_already_due_now():
    loop = Loop()
    seen, record = recorder()
    loop.call_later(0, record, "due first")
    loop.call_soon(record, "soon")
    loop.call_later(0, record, "due after")
    loop.run()
    assert seen == ["due first", "soon", "due after"]


def test_a_callback_scheduled_for_now_by_a_running_callback_runs_in_the_same_run():
    loop = Loop()
    seen, record = recorder()

    def outer():
        record("outer")
        loop.call_soon(record, "inner")

    loop.call_at(4, outer)
    loop.call_at(4, record, "queued before inner")
    loop.run(until=4)
    assert seen == ["outer", "queued before inner", "inner"]


def test_scheduling_in_the_past_is_refused():
    loop = Loop()
    loop.run(until=10)
    with pytest.raises(SimulationError, match=r"cannot schedule at 5s: the clock already reads 10.0s"):
        loop.call_at(5, print)


def test_a_negative_delay_is_refused():
    with pytest.raises(SimulationError, match="delay must not be negative, got -1"):
        Loop().call_later(-1, print)


# -- running ------------------------------------------------------------------------


def test_run_seconds_runs_what_falls_due_and_stops_the_clock_exactly_there():
    loop = Loop()
    seen, record = recorder()
    loop.call_at(5, record, 5)
    loop.call_at(10, record, 10)
    loop.call_at(11, record, 11)
    loop.run(seconds=10)
    assert seen == [5, 10]
    assert loop.now == 10.0
    assert loop.pending() == 1


def test_run_seconds_is_counted_from_the_current_time():
    loop = Loop()
    loop.run(seconds=4)
    loop.run(seconds=6)
    assert loop.now == 10.0


def test_run_until_moves_the_clock_to_the_target_even_when_the_queue_empties_earlier():
    loop = Loop()
    loop.call_at(2, lambda: None)
    loop.run(until=120)
    assert loop.now == 120.0


def test_run_without_a_target_runs_until_nothing_is_left_and_stops_at_the_last_callback():
    loop = Loop()
    seen, record = recorder()
    loop.call_at(3, lambda: loop.call_later(4, record, "chained"))
    loop.run()
    assert seen == ["chained"]
    assert loop.now == 7.0
    assert loop.pending() == 0


def test_run_returns_how_many_callbacks_ran():
    loop = Loop()
    for when in [1, 2, 3]:
        loop.call_at(when, lambda: None)
    cancelled = loop.call_at(2, lambda: None)
    cancelled.cancel()
    assert loop.run() == 3


def test_run_refuses_seconds_and_until_together():
    with pytest.raises(SimulationError, match="give seconds= or until=, not both"):
        Loop().run(seconds=1, until=2)


def test_run_refuses_negative_seconds():
    with pytest.raises(SimulationError, match="seconds must not be negative, got -3"):
        Loop().run(seconds=-3)


def test_run_refuses_a_target_in_the_past():
    loop = Loop()
    loop.run(until=10)
    with pytest.raises(SimulationError, match=r"cannot run until 5s: the clock already reads 10.0s"):
        loop.run(until=5)


def test_step_runs_exactly_one_callback_and_moves_the_clock_to_it():
    loop = Loop()
    seen, record = recorder()
    first = loop.call_at(2, record, "first")
    loop.call_at(9, record, "second")
    assert loop.step() is first
    assert seen == ["first"]
    assert loop.now == 2.0


def test_step_returns_none_when_nothing_is_scheduled():
    loop = Loop()
    assert loop.step() is None
    assert loop.now == 0.0


# -- cancelling ----------------------------------------------------------------------


def test_a_cancelled_callback_never_runs():
    loop = Loop()
    seen, record = recorder()
    timer = loop.call_at(1, record, "cancelled")
    timer.cancel()
    loop.run()
    assert seen == []


def test_step_skips_cancelled_callbacks():
    loop = Loop()
    seen, record = recorder()
    loop.call_at(1, record, "cancelled").cancel()
    loop.call_at(2, record, "kept")
    loop.step()
    assert seen == ["kept"]
    assert loop.now == 2.0


def test_pending_and_next_time_ignore_cancelled_callbacks():
    loop = Loop()
    loop.call_at(1, print).cancel()
    loop.call_at(8, print)
    assert loop.pending() == 1
    assert loop.next_time() == 8.0


def test_a_timer_is_named_after_its_callback():
    def heartbeat():
        pass

    assert Loop().call_at(1, heartbeat).name.endswith("heartbeat")


# -- errors in callbacks ---------------------------------------------------------------


def fail():
    raise RuntimeError("handler bug")


def test_by_default_an_error_in_a_callback_is_recorded_and_the_loop_carries_on():
    loop = Loop()
    seen, record = recorder()
    loop.call_at(1, fail)
    loop.call_at(2, record, "after the error")
    loop.run()
    assert seen == ["after the error"]
    assert len(loop.errors) == 1


def test_a_recorded_error_names_the_time_the_callback_and_the_exception():
    loop = Loop()
    loop.call_at(3, fail)
    loop.run()
    error = loop.errors[0]
    assert error.time == 3.0
    assert error.callback == "fail"
    assert isinstance(error.error, RuntimeError)
    assert str(error.error) == "handler bug"


def test_a_strict_loop_re_raises_an_error_from_a_callback():
    loop = Loop(strict=True)
    loop.call_at(1, fail)
    with pytest.raises(RuntimeError, match="handler bug"):
        loop.run()
    assert loop.errors == []


# -- deterministic identities and time stamps -------------------------------------------


def test_the_same_seed_gives_the_same_uids():
    first, second = Loop(seed=42), Loop(seed=42)
    assert [first.uid() for _ in range(5)] == [second.uid() for _ in range(5)]


def test_different_seeds_give_different_uids():
    assert Loop(seed=1).uid() != Loop(seed=2).uid()


def test_successive_uids_differ():
    loop = Loop()
    assert len({loop.uid() for _ in range(100)}) == 100


def test_a_uid_is_a_version_4_uuid():
    parsed = uuid.UUID(Loop().uid())
    assert parsed.version == 4


def test_the_same_seed_gives_the_same_random_choices():
    assert Loop(seed=7).random.random() == Loop(seed=7).random.random()


def test_the_clock_starts_at_the_epoch():
    assert EPOCH == datetime(2024, 1, 1, tzinfo=UTC)
    assert Loop().timestamp() == "2024-01-01T00:00:00Z"


def test_timestamp_follows_the_virtual_clock_in_kubernetes_format():
    loop = Loop()
    loop.run(seconds=3725)
    assert loop.timestamp() == "2024-01-01T01:02:05Z"


def test_timestamp_of_a_given_time_ignores_the_clock():
    assert Loop().timestamp(at=86400) == "2024-01-02T00:00:00Z"


def test_micro_timestamp_keeps_microseconds():
    assert Loop().micro_timestamp(at=1.25) == "2024-01-01T00:00:01.250000Z"


def test_a_custom_epoch_moves_every_timestamp():
    loop = Loop(epoch=datetime(2030, 6, 1, tzinfo=UTC))
    assert loop.datetime(at=60) == datetime(2030, 6, 1, 0, 1, tzinfo=UTC)
