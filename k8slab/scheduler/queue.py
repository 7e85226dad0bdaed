"""The scheduling queue: activeQ, backoffQ and the unschedulable pods (upstream `internal/queue`).

Three places a pending pod can wait:

* **activeQ**: ready to be tried, highest `spec.priority` first, then
  first come first served (the PrioritySort plugin's order).
* **backoffQ**: it failed recently; it waits 1 s after the first failure,
  2 s after the second, doubling up to 10 s (podInitialBackoffSeconds=1,
  podMaxBackoffSeconds=10), so one impossible pod cannot hog the scheduler.
* **unschedulable pods**: no node fits, and trying again now would fail the
  same way. Something in the cluster must change first: a node is added or
  updated, or a pod is deleted (freeing room). Such an event moves them
  back (to backoffQ if their back-off has not run out yet). Pods left there
  for 5 minutes are retried anyway.

Simplified: upstream asks each plugin whether an event could help a pod
("queueing hints"); here every node add/update and pod delete moves every
unschedulable pod, which is what upstream did before hints existed.
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass, field

from k8slab.scheduler.nodeinfo import PodInfo
from k8slab.sim import Loop, Timer

POD_INITIAL_BACKOFF_SECONDS = 1.0
POD_MAX_BACKOFF_SECONDS = 10.0
POD_MAX_IN_UNSCHEDULABLE_PODS_DURATION = 300.0

NODE_ADD = "NodeAdd"
NODE_UPDATE = "NodeUpdate"
ASSIGNED_POD_DELETE = "AssignedPodDelete"
UNSCHEDULABLE_TIMEOUT = "UnschedulableTimeout"


@dataclass(eq=False)
class QueuedPodInfo:
    """A pod waiting to be scheduled, with its attempt count (framework.QueuedPodInfo)."""

    pod_info: PodInfo
    timestamp: float  # when it (last) entered the queue
    initial_attempt_timestamp: float | None = None
    attempts: int = 0
    unschedulable_plugins: set[str] = field(default_factory=set)
    seq: int = 0  # arrival order, the tie-break after priority

    @property
    def key(self) -> str:
        return self.pod_info.key


def backoff_duration(attempts: int, initial: float = POD_INITIAL_BACKOFF_SECONDS,
                     maximum: float = POD_MAX_BACKOFF_SECONDS) -> float:
    """1 s, 2 s, 4 s, 8 s, 10 s, 10 s ... after the 1st, 2nd, 3rd ... failed attempt."""
    duration = initial
    for _ in range(1, attempts):
        duration *= 2
        if duration > maximum:
            return maximum
    return duration


class SchedulingQueue:
    """activeQ + backoffQ + unschedulable pods, on the event loop's virtual clock."""

    def __init__(self, loop: Loop, initial_backoff: float = POD_INITIAL_BACKOFF_SECONDS,
                 max_backoff: float = POD_MAX_BACKOFF_SECONDS, on_active=None):
        self.loop = loop
        self.initial_backoff = initial_backoff
        self.max_backoff = max_backoff
        self.on_active = on_active  # called when a pod enters activeQ (the scheduler wakes up)
        self._active: list[tuple[int, int, str]] = []  # heap of (-priority, seq, key)
        self._active_keys: dict[str, QueuedPodInfo] = {}
        self._backoff: dict[str, QueuedPodInfo] = {}
        self._backoff_timers: dict[str, Timer] = {}
        self._unschedulable: dict[str, QueuedPodInfo] = {}
        self._unschedulable_timers: dict[str, Timer] = {}
        self._in_flight: dict[str, QueuedPodInfo] = {}
        self._seq = itertools.count()

    def __len__(self) -> int:
        return len(self._active_keys) + len(self._backoff) + len(self._unschedulable)

    def __repr__(self) -> str:
        return (f"SchedulingQueue(active={len(self._active_keys)}, backoff={len(self._backoff)}, "
                f"unschedulable={len(self._unschedulable)})")

    # -- what is where ---------------------------------------------------------------

    def active(self) -> list[str]:
        return [key for _, _, key in sorted(self._active) if key in self._active_keys]

    def has_active(self) -> bool:
        return bool(self._active_keys)

    def backoff(self) -> list[str]:
        return list(self._backoff)

    def unschedulable(self) -> list[str]:
        return list(self._unschedulable)

    def contains(self, key: str) -> bool:
        return key in self._active_keys or key in self._backoff or key in self._unschedulable

    # -- in ------------------------------------------------------------------------------

    def add(self, pod_info: PodInfo) -> None:
        """A new pending pod: straight to activeQ."""
        if self.contains(pod_info.key) or pod_info.key in self._in_flight:
            return
        self._to_active(QueuedPodInfo(pod_info, self.loop.now))

    def _to_active(self, queued: QueuedPodInfo) -> None:
        queued.seq = next(self._seq)
        self._active_keys[queued.key] = queued
        heapq.heappush(self._active, (-queued.pod_info.priority, queued.seq, queued.key))
        if self.on_active is not None:
            self.on_active()

    def _to_backoff(self, queued: QueuedPodInfo) -> None:
        wait = self.backoff_expiry(queued) - self.loop.now
        if wait <= 0:
            self._to_active(queued)
            return
        self._backoff[queued.key] = queued
        self._backoff_timers[queued.key] = self.loop.call_later(wait, self._backoff_done, queued.key)

    def _backoff_done(self, key: str) -> None:
        self._backoff_timers.pop(key, None)
        queued = self._backoff.pop(key, None)
        if queued is not None:
            self._to_active(queued)

    def backoff_expiry(self, queued: QueuedPodInfo) -> float:
        return queued.timestamp + backoff_duration(queued.attempts, self.initial_backoff, self.max_backoff)

    # -- out -------------------------------------------------------------------------------

    def pop(self) -> QueuedPodInfo | None:
        """The next pod to try, or None when activeQ is empty (upstream's Pop blocks instead)."""
        while self._active:
            _, _, key = heapq.heappop(self._active)
            queued = self._active_keys.pop(key, None)
            if queued is None:
                continue  # removed (deleted or bound) while it waited
            queued.attempts += 1
            if queued.initial_attempt_timestamp is None:
                queued.initial_attempt_timestamp = self.loop.now
            self._in_flight[key] = queued
            return queued
        return None

    def done(self, key: str) -> None:
        """The cycle for this pod is over (bound, or put back with `add_unschedulable`)."""
        self._in_flight.pop(key, None)

    def add_unschedulable(self, queued: QueuedPodInfo, backoff: bool = False) -> None:
        """After a failed attempt. `backoff=True` for an error (retry after back-off, not on an event)."""
        self._in_flight.pop(queued.key, None)
        queued.timestamp = self.loop.now
        if backoff:
            self._to_backoff(queued)
            return
        self._unschedulable[queued.key] = queued
        self._unschedulable_timers[queued.key] = self.loop.call_later(
            POD_MAX_IN_UNSCHEDULABLE_PODS_DURATION, self._unschedulable_timeout, queued.key)

    def _unschedulable_timeout(self, key: str) -> None:
        self._unschedulable_timers.pop(key, None)
        queued = self._unschedulable.pop(key, None)
        if queued is not None:
            self._to_backoff(queued)

    def move_all_to_active_or_backoff(self, event: str) -> int:
        """A cluster event that might help: every unschedulable pod gets another try; how many moved."""
        moved = list(self._unschedulable.values())
        self._unschedulable.clear()
        for queued in moved:
            timer = self._unschedulable_timers.pop(queued.key, None)
            if timer is not None:
                timer.cancel()
            self._to_backoff(queued)
        return len(moved)

    def update(self, pod_info: PodInfo) -> None:
        """The pending pod changed (its spec, labels): use the new version; an unschedulable pod retries."""
        key = pod_info.key
        for where in (self._active_keys, self._backoff, self._in_flight):
            if key in where:
                where[key].pod_info = pod_info
                return
        if key in self._unschedulable:
            queued = self._unschedulable.pop(key)
            self._unschedulable_timers.pop(key).cancel()
            queued.pod_info = pod_info
            self._to_backoff(queued)
            return
        self.add(pod_info)

    def delete(self, key: str) -> None:
        """The pod was deleted or bound: forget it wherever it waits."""
        self._active_keys.pop(key, None)
        self._in_flight.pop(key, None)
        if self._backoff.pop(key, None) is not None:
            self._backoff_timers.pop(key).cancel()
        if self._unschedulable.pop(key, None) is not None:
            self._unschedulable_timers.pop(key).cancel()
