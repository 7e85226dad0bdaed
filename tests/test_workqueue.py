"""The workqueue: dedup, one item at a time, delays and back-off on the virtual clock, as in client-go."""

from __future__ import annotations

import pytest

from k8slab.api.errors import Conflict
from k8slab.client import (
    BucketRateLimiter,
    ItemExponentialFailureRateLimiter,
    MaxOfRateLimiter,
    WorkQueue,
    default_controller_rate_limiter,
    process_next_work_item,
)
from k8slab.sim import Loop


def make_queue(**kwargs) -> tuple[Loop, WorkQueue]:
    loop = Loop(strict=True)
    return loop, WorkQueue(loop, name="test", **kwargs)


def drain(queue: WorkQueue) -> list:
    """Take every waiting item (and finish it at once)."""
    items = []
    while (item := queue.get()) is not None:
        items.append(item)
        queue.done(item)
    return items


def arrival_times(loop: Loop, queue: WorkQueue) -> dict:
    """Run the loop, noting the virtual time at which each item could first be taken."""
    arrived: dict = {}

    def wake():
        while (item := queue.get()) is not None:
            arrived.setdefault(item, loop.now)
            queue.done(item)

    queue.wake = wake
    loop.run()
    return arrived


# -- the basic queue ---------------------------------------------------------------------------


def test_items_come_out_in_the_order_they_went_in():
    _, queue = make_queue()
    for key in ("default/a", "default/b", "default/c"):
        queue.add(key)
    assert drain(queue) == ["default/a", "default/b", "default/c"]


def test_get_on_an_empty_queue_returns_none_instead_of_blocking():
    _, queue = make_queue()
    assert queue.get() is None


def test_an_item_added_twice_before_it_is_taken_is_queued_once():
    _, queue = make_queue()
    queue.add("default/web")
    queue.add("default/db")
    queue.add("default/web")
    assert len(queue) == 2
    assert drain(queue) == ["default/web", "default/db"]


def test_an_item_being_processed_is_not_handed_out_again_until_done():
    _, queue = make_queue()
    queue.add("default/web")
    item = queue.get()
    queue.add("default/web")  # changed again while a worker holds it
    assert len(queue) == 0
    assert queue.get() is None
    assert queue.processing() == ["default/web"]
    queue.done(item)
    assert queue.get() == "default/web"


def test_done_queues_the_item_again_only_if_it_was_added_while_processing():
    _, queue = make_queue()
    queue.add("default/web")
    queue.done(queue.get())
    assert len(queue) == 0
    assert queue.processing() == []


def test_an_item_added_many_times_while_processing_comes_back_once():
    _, queue = make_queue()
    queue.add("default/web")
    item = queue.get()
    for _ in range(3):
        queue.add("default/web")
    queue.done(item)
    assert drain(queue) == ["default/web"]


def test_after_shutdown_adds_are_ignored_and_queued_items_can_still_be_taken():
    _, queue = make_queue()
    queue.add("default/a")
    queue.shutdown()
    queue.add("default/b")
    assert queue.shutting_down
    assert drain(queue) == ["default/a"]


def test_wake_is_called_by_the_loop_once_for_a_burst_of_adds():
    loop = Loop(strict=True)
    wakes = []
    queue = WorkQueue(loop, wake=lambda: wakes.append(drain(queue)))
    queue.add("default/a")
    queue.add("default/b")
    assert wakes == []
    loop.run()
    assert wakes == [["default/a", "default/b"]]


# -- the delaying queue ------------------------------------------------------------------------


def test_add_after_makes_the_item_available_after_the_delay_in_virtual_time():
    loop, queue = make_queue()
    queue.add_after("default/web", 2.5)
    loop.run(seconds=2.4)
    assert queue.get() is None
    loop.run(seconds=0.1)
    assert queue.get() == "default/web"
    assert loop.now == 2.5


def test_add_after_with_no_delay_adds_at_once():
    _, queue = make_queue()
    queue.add_after("default/web", 0)
    assert queue.get() == "default/web"


def test_an_item_waiting_twice_is_added_once_at_the_earlier_time():
    loop, queue = make_queue()
    queue.add_after("default/a", 5)
    queue.add_after("default/a", 2)  # sooner: wins
    queue.add_after("default/b", 1)
    queue.add_after("default/b", 3)  # later: ignored
    assert arrival_times(loop, queue) == {"default/b": 1.0, "default/a": 2.0}
    assert loop.now == 2.0  # nothing else was left waiting


def test_shutdown_drops_the_items_still_waiting_on_a_delay():
    loop, queue = make_queue()
    queue.add_after("default/web", 1)
    queue.shutdown()
    loop.run()
    assert queue.get() is None
    assert loop.now == 0.0


# -- rate limiters -------------------------------------------------------------------------------


def test_exponential_backoff_doubles_from_5_ms_per_failure():
    limiter = ItemExponentialFailureRateLimiter()
    assert [limiter.when("default/web") for _ in range(6)] == [0.005, 0.01, 0.02, 0.04, 0.08, 0.16]


def test_exponential_backoff_is_capped_at_1000_seconds():
    limiter = ItemExponentialFailureRateLimiter()
    delays = [limiter.when("default/web") for _ in range(25)]
    assert delays[17] == 0.005 * 2**17 == 655.36
    assert delays[18:] == [1000.0] * 7


def test_exponential_backoff_stays_at_the_cap_after_very_many_failures():
    limiter = ItemExponentialFailureRateLimiter()
    for _ in range(2000):
        delay = limiter.when("default/web")
    assert delay == 1000.0


def test_exponential_backoff_counts_each_item_separately():
    limiter = ItemExponentialFailureRateLimiter()
    limiter.when("default/a")
    limiter.when("default/a")
    assert limiter.when("default/b") == 0.005
    assert (limiter.num_requeues("default/a"), limiter.num_requeues("default/b")) == (2, 1)


def test_forget_starts_the_backoff_over():
    limiter = ItemExponentialFailureRateLimiter()
    for _ in range(4):
        limiter.when("default/web")
    limiter.forget("default/web")
    assert limiter.num_requeues("default/web") == 0
    assert limiter.when("default/web") == 0.005


def test_the_bucket_lets_a_burst_of_100_through_then_spaces_requests_at_a_tenth_of_a_second():
    limiter = BucketRateLimiter(Loop(), qps=10, burst=100)
    delays = [limiter.when(f"item-{i}") for i in range(104)]
    assert delays[:100] == [0.0] * 100
    assert delays[100:] == pytest.approx([0.1, 0.2, 0.3, 0.4])


def test_the_bucket_refills_at_qps_tokens_per_virtual_second():
    loop = Loop()
    limiter = BucketRateLimiter(loop, qps=10, burst=100)
    for i in range(100):
        limiter.when(f"item-{i}")
    loop.run(seconds=1)  # ten tokens back
    assert [limiter.when(f"late-{i}") for i in range(11)] == [0.0] * 10 + [pytest.approx(0.1)]


def test_the_bucket_does_not_track_items():
    limiter = BucketRateLimiter(Loop())
    limiter.when("default/web")
    limiter.forget("default/web")
    assert limiter.num_requeues("default/web") == 0


def test_max_of_rate_limiters_waits_for_the_longest_answer():
    slow = ItemExponentialFailureRateLimiter(base_delay=1.0, max_delay=60.0)
    fast = ItemExponentialFailureRateLimiter(base_delay=0.001, max_delay=1.0)
    limiter = MaxOfRateLimiter(fast, slow)
    assert [limiter.when("x") for _ in range(3)] == [1.0, 2.0, 4.0]
    assert limiter.num_requeues("x") == 3
    limiter.forget("x")
    assert (fast.num_requeues("x"), slow.num_requeues("x")) == (0, 0)


def test_the_default_controller_rate_limiter_is_per_item_backoff_under_an_overall_bucket():
    limiter = default_controller_rate_limiter(Loop())
    assert [limiter.when("default/web") for _ in range(3)] == [0.005, 0.01, 0.02]
    first_failures = [limiter.when(f"default/pod-{i}") for i in range(97)]
    assert first_failures[-1] == 0.005  # the 100th request: the last of the burst
    assert limiter.when("default/one-more") == pytest.approx(0.1)  # the bucket is empty now


# -- the rate-limiting queue -----------------------------------------------------------------------


def test_add_rate_limited_backs_off_5_10_20_ms_until_forgotten():
    loop, queue = make_queue()
    times = []
    for _ in range(3):
        start = loop.now
        queue.add_rate_limited("default/web")
        loop.run()
        times.append(round(loop.now - start, 6))
        queue.done(queue.get())
    assert times == [0.005, 0.01, 0.02]
    assert queue.num_requeues("default/web") == 3
    queue.forget("default/web")
    assert queue.num_requeues("default/web") == 0
    queue.add_rate_limited("default/web")
    loop.run()
    assert round(loop.now - start, 6) == 0.02 + 0.005


def test_the_default_bucket_spaces_retries_after_a_burst_of_100_at_a_tenth_of_a_second():
    loop, queue = make_queue()
    keys = [f"default/pod-{i}" for i in range(110)]
    for key in keys:
        queue.add_rate_limited(key)
    arrived = arrival_times(loop, queue)
    assert [arrived[key] for key in keys[:100]] == [0.005] * 100
    assert [arrived[key] for key in keys[100:]] == pytest.approx([0.1 * n for n in range(1, 11)])


def test_a_rate_limited_item_already_queued_is_not_queued_twice():
    loop, queue = make_queue()
    queue.add("default/web")
    queue.add_rate_limited("default/web")
    loop.run()
    assert drain(queue) == ["default/web"]


# -- a worker's turn ---------------------------------------------------------------------------


def test_process_next_work_item_says_false_when_there_is_nothing_to_do():
    _, queue = make_queue()
    assert process_next_work_item(queue, lambda key: None) is False


def test_a_successful_sync_forgets_the_items_failures():
    _, queue = make_queue()
    queue.rate_limiter.when("default/web")  # one earlier failure
    queue.add("default/web")
    synced = []
    assert process_next_work_item(queue, synced.append) is True
    assert synced == ["default/web"]
    assert queue.num_requeues("default/web") == 0
    assert queue.processing() == []


def test_a_failed_sync_comes_back_with_backoff_and_is_recorded():
    loop, queue = make_queue()
    attempts = []

    def sync(key):
        attempts.append(loop.now)
        if len(attempts) < 3:
            raise Conflict("the object has been modified", "web", "pods")

    queue.wake = lambda: process_next_work_item(queue, sync)
    queue.add("default/web")
    loop.run()
    assert attempts == pytest.approx([0.0, 0.005, 0.015])
    assert queue.num_requeues("default/web") == 0  # forgotten after the success
    assert [type(error.error).__name__ for error in loop.errors] == ["Conflict", "Conflict"]


def test_in_a_strict_loop_a_bug_in_sync_is_raised_at_once():
    _, queue = make_queue()
    queue.add("default/web")

    def sync(key):
        raise KeyError("spec")

    with pytest.raises(KeyError):
        process_next_work_item(queue, sync)
    assert queue.processing() == []
    assert queue.num_requeues("default/web") == 1
