"""The simulation core: one virtual clock, one event loop, one seeded random generator.

Built in notebook 01 (the store's watch events and lease expiries ride on it) and
used by every layer after it. Kubernetes' components run concurrently on many
machines; here they all run as callbacks on a single loop in *virtual* time, the way
SimPy does it. Nothing sleeps and there are no threads: `run(seconds=30)` jumps
the clock from one scheduled callback to the next, so half an hour of cluster
life takes milliseconds, and two runs with the same seed do exactly the same
things in the same order (same uids, same timestamps, same random choices).

Ordering rule: callbacks run by time; callbacks due at the same time run in the
order they were scheduled (first in, first out). That one rule is what makes
watch events arrive in the same order on every run.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

#: The virtual clock's zero. Every k8slab cluster "boots" at this instant, so
#: creationTimestamps read the same on every run and on every learner's machine.
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


class SimulationError(Exception):
    """A misuse of the event loop (scheduling in the past, a bad duration)."""


@dataclass(order=True)
class Timer:
    """A callback scheduled on the loop; `cancel()` stops it from running."""

    when: float
    seq: int
    callback: Callable[..., Any] = field(compare=False)
    args: tuple = field(compare=False, default=())
    cancelled: bool = field(compare=False, default=False)

    def cancel(self) -> None:
        self.cancelled = True

    @property
    def name(self) -> str:
        return getattr(self.callback, "__qualname__", repr(self.callback))


@dataclass(frozen=True)
class CallbackError:
    """A callback that raised: recorded instead of stopping the whole cluster."""

    time: float
    callback: str
    error: BaseException


class Loop:
    """A deterministic event loop with a virtual clock.

    >>> loop = Loop(seed=0)
    >>> _ = loop.call_later(5, print, "five seconds later")
    >>> loop.run(seconds=10)
    five seconds later
    >>> loop.now
    10.0

    `strict=True` re-raises an exception from a callback (what tests want);
    the default records it in `loop.errors` and carries on, because in a
    classroom one buggy watch handler must not stop the whole cluster.
    """

    def __init__(self, seed: int = 0, strict: bool = False, epoch: datetime = EPOCH):
        self.seed = seed
        self.strict = strict
        self.epoch = epoch
        self.now: float = 0.0
        self.random = random.Random(seed)
        self.errors: list[CallbackError] = []
        self._queue: list[tuple[float, int, Timer]] = []  # (when, seq, timer): tuples compare fast
        self._seq = itertools.count()
        self._stamped_second: int | None = None
        self._stamp = ""

    # -- scheduling ---------------------------------------------------------

    def call_at(self, when: float, callback: Callable[..., Any], *args: Any) -> Timer:
        """Run `callback(*args)` when the virtual clock reads `when` seconds."""
        if when < self.now:
            raise SimulationError(f"cannot schedule at {when}s: the clock already reads {self.now}s")
        timer = Timer(float(when), next(self._seq), callback, args)
        heapq.heappush(self._queue, (timer.when, timer.seq, timer))
        return timer

    def call_later(self, delay: float, callback: Callable[..., Any], *args: Any) -> Timer:
        """Run `callback(*args)` after `delay` virtual seconds (0 means: after what is already due now)."""
        if delay < 0:
            raise SimulationError(f"delay must not be negative, got {delay}")
        return self.call_at(self.now + delay, callback, *args)

    def call_soon(self, callback: Callable[..., Any], *args: Any) -> Timer:
        """Run `callback(*args)` at the current time, after every callback already due."""
        return self.call_at(self.now, callback, *args)

    # -- running ------------------------------------------------------------

    def step(self) -> Timer | None:
        """Run the next due callback, moving the clock to its time. None when nothing is scheduled."""
        while self._queue:
            timer = heapq.heappop(self._queue)[2]
            if timer.cancelled:
                continue
            self.now = timer.when
            self._invoke(timer)
            return timer
        return None

    def run(self, seconds: float | None = None, until: float | None = None) -> int:
        """Advance virtual time, running every callback that falls due; returns how many ran.

        `run(seconds=30)` advances 30 s from now; `run(until=120)` advances to
        t = 120 s; `run()` runs until nothing is left to do. With a target time
        the clock ends exactly there, even if the queue emptied earlier.
        """
        if seconds is not None and until is not None:
            raise SimulationError("give seconds= or until=, not both")
        if seconds is not None:
            if seconds < 0:
                raise SimulationError(f"seconds must not be negative, got {seconds}")
            until = self.now + seconds
        if until is not None and until < self.now:
            raise SimulationError(f"cannot run until {until}s: the clock already reads {self.now}s")
        ran = 0
        while self._queue:
            timer = self._queue[0][2]
            if until is not None and timer.when > until:
                break
            heapq.heappop(self._queue)
            if timer.cancelled:
                continue
            self.now = timer.when
            self._invoke(timer)
            ran += 1
        if until is not None:
            self.now = float(until)
        return ran

    def pending(self) -> int:
        """How many callbacks are scheduled and not cancelled."""
        return sum(1 for _, _, timer in self._queue if not timer.cancelled)

    def next_time(self) -> float | None:
        """When the next scheduled callback is due, or None."""
        while self._queue and self._queue[0][2].cancelled:  # cancelled timers at the top can go now
            heapq.heappop(self._queue)
        return self._queue[0][0] if self._queue else None

    def _invoke(self, timer: Timer) -> None:
        try:
            timer.callback(*timer.args)
        except Exception as error:
            if self.strict:
                raise
            self.errors.append(CallbackError(self.now, timer.name, error))

    # -- deterministic identities and time stamps ----------------------------

    def uid(self) -> str:
        """A random-looking UUID (version 4) drawn from the seeded generator: same seed, same uids.

        The same text `str(uuid.UUID(int=bits, version=4))` gives, built directly
        because every object created needs one.
        """
        bits = self.random.getrandbits(128)
        bits = (bits & ~(0xC000 << 48)) | (0x8000 << 48)  # the RFC 4122 variant
        bits = (bits & ~(0xF000 << 64)) | (4 << 76)  # version 4
        text = f"{bits:032x}"
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"

    def datetime(self, at: float | None = None) -> datetime:
        """The wall-clock instant of virtual time `at` (default: now)."""
        return self.epoch + timedelta(seconds=self.now if at is None else at)

    def timestamp(self, at: float | None = None) -> str:
        """RFC 3339 with seconds, as Kubernetes writes creationTimestamp: 2024-01-01T00:00:05Z."""
        second = math.floor(self.now if at is None else at)
        if second != self._stamped_second:  # every object created in the same second shares the text
            self._stamped_second = second
            self._stamp = self.datetime(second).strftime("%Y-%m-%dT%H:%M:%SZ")
        return self._stamp

    def micro_timestamp(self, at: float | None = None) -> str:
        """RFC 3339 with microseconds, as Kubernetes writes MicroTime fields (events, leases)."""
        return self.datetime(at).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
