"""What every controller shares: expectations, pod predicates, owner references, the deletion rank.

Built in notebook 03 (the controller manager), beside the ReplicaSet
controller that uses it most. Upstream keeps the same pieces in
`pkg/controller/controller_utils.go` and `pkg/controller/controller_ref_manager.go`;
the names here are theirs, in Python's spelling (`ControllerExpectations`,
`FilterActivePods` -> `filter_active_pods`, `ActivePods` -> `active_pods_less`).

Why expectations? A controller decides from its informer's cache, and its
own writes reach that cache later, through the watch. Without a memory of
"I just created 3 pods and have not seen them yet", the next sync would see
too few pods and create 3 more. `ControllerExpectations` is that memory.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from k8slab.client import deep_copy

#: How long expectations are trusted (upstream's ExpectationsTimeout, 5 minutes). A controller whose
#: watch events got lost would otherwise wait forever; after this it syncs anyway.
EXPECTATIONS_TIMEOUT = 300.0

#: Upstream's SlowStartInitialBatchSize: the first batch of creates is 1 pod, then 2, 4, 8...
SLOW_START_INITIAL_BATCH_SIZE = 1

TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


# ----------------------------------------------------------------------------- expectations


@dataclass
class ControlleeExpectations:
    """What one controller (one ReplicaSet) still expects to see: creations and deletions in flight."""

    add: int = 0
    delete: int = 0
    timestamp: float = 0.0  # virtual time the expectations were set (for the TTL)

    def fulfilled(self) -> bool:
        """Every create and delete the controller made has been observed through the watch."""
        return self.add <= 0 and self.delete <= 0


class ControllerExpectations:
    """Per controller key ("default/web"): how many pod adds and deletes are still to be observed.

    The protocol, as upstream's ReplicaSet controller uses it:

    * before creating n pods: `expect_creations(key, n)`;
    * the pod informer's add handler: `creation_observed(key)` (one fewer to wait for);
    * a create that failed will never be observed: `creation_observed(key)` too;
    * the sync only creates or deletes when `satisfied_expectations(key)`.

    `satisfied_expectations` is also true when nothing is recorded for the key
    (a new controller), and when the record is older than EXPECTATIONS_TIMEOUT.
    """

    def __init__(self, clock: Any, timeout: float = EXPECTATIONS_TIMEOUT):
        self.clock = clock  # anything with `.now` in seconds: the event loop
        self.timeout = timeout
        self.cache: dict[str, ControlleeExpectations] = {}

    def get_expectations(self, key: str) -> ControlleeExpectations | None:
        return self.cache.get(key)

    def satisfied_expectations(self, key: str) -> bool:
        """Should the controller act on `key` now? Not while its own writes are still in flight."""
        exp = self.cache.get(key)
        if exp is None:
            return True  # never set (a new controller) or deleted: sync
        if exp.fulfilled():
            return True
        return self.clock.now - exp.timestamp > self.timeout  # expired: the events were probably lost

    def set_expectations(self, key: str, add: int, delete: int) -> None:
        self.cache[key] = ControlleeExpectations(add, delete, self.clock.now)

    def expect_creations(self, key: str, adds: int) -> None:
        self.set_expectations(key, adds, 0)

    def expect_deletions(self, key: str, dels: int) -> None:
        self.set_expectations(key, 0, dels)

    def lower_expectations(self, key: str, add: int, delete: int) -> None:
        exp = self.cache.get(key)
        if exp is not None:
            exp.add -= add
            exp.delete -= delete

    def raise_expectations(self, key: str, add: int, delete: int) -> None:
        exp = self.cache.get(key)
        if exp is not None:
            exp.add += add
            exp.delete += delete

    def creation_observed(self, key: str) -> None:
        self.lower_expectations(key, 1, 0)

    def deletion_observed(self, key: str) -> None:
        self.lower_expectations(key, 0, 1)

    def delete_expectations(self, key: str) -> None:
        self.cache.pop(key, None)


class UIDTrackingControllerExpectations(ControllerExpectations):
    """Expectations that remember *which* pods are expected to go (UIDTrackingControllerExpectations).

    A deletion is counted only once per pod: a pod first seen with a
    deletionTimestamp and later removed for real reaches the delete handler
    twice, and a plain counter would be lowered twice.
    """

    def __init__(self, clock: Any, timeout: float = EXPECTATIONS_TIMEOUT):
        super().__init__(clock, timeout)
        self.uid_store: dict[str, set[str]] = {}

    def get_uids(self, key: str) -> set[str]:
        return self.uid_store.get(key, set())

    def expect_deletions(self, key: str, deleted_keys: Iterable[str]) -> None:  # type: ignore[override]
        deleted_keys = set(deleted_keys)
        self.uid_store[key] = deleted_keys
        super().expect_deletions(key, len(deleted_keys))

    def deletion_observed(self, key: str, deleted_key: str = "") -> None:  # type: ignore[override]
        uids = self.uid_store.get(key)
        if uids is not None and deleted_key in uids:
            uids.discard(deleted_key)
            self.lower_expectations(key, 0, 1)

    def delete_expectations(self, key: str) -> None:
        super().delete_expectations(key)
        self.uid_store.pop(key, None)


# ----------------------------------------------------------------------------- pods


def parse_time(text: str | None) -> datetime | None:
    """A Kubernetes timestamp ("2024-01-01T00:00:05Z") as a datetime; None for no time."""
    if not text:
        return None
    return datetime.strptime(text[:19] + "Z", TIMESTAMP_FORMAT).replace(tzinfo=UTC)


def is_pod_active(pod: dict) -> bool:
    """Counts towards replicas: not finished (Succeeded/Failed) and not being deleted."""
    phase = pod.get("status", {}).get("phase")
    return phase not in ("Succeeded", "Failed") and not pod["metadata"].get("deletionTimestamp")


def filter_active_pods(pods: Iterable[dict]) -> list[dict]:
    return [pod for pod in pods if is_pod_active(pod)]


def get_pod_ready_condition(pod: dict) -> dict | None:
    for condition in pod.get("status", {}).get("conditions") or []:
        if condition.get("type") == "Ready":
            return condition
    return None


def is_pod_ready(pod: dict) -> bool:
    """The pod's Ready condition is True (its containers passed their readiness probes)."""
    condition = get_pod_ready_condition(pod)
    return condition is not None and condition.get("status") == "True"


def is_pod_available(pod: dict, min_ready_seconds: int, now: datetime) -> bool:
    """Ready, and has been for at least `min_ready_seconds` (0: ready is enough) at wall time `now`."""
    if not is_pod_ready(pod):
        return False
    if min_ready_seconds == 0:
        return True
    since = parse_time(get_pod_ready_condition(pod).get("lastTransitionTime"))
    return since is not None and since + timedelta(seconds=min_ready_seconds) <= now


def max_container_restarts(pod: dict) -> int:
    statuses = pod.get("status", {}).get("containerStatuses") or []
    return max((status.get("restartCount", 0) for status in statuses), default=0)


# ----------------------------------------------------------------------------- owner references


def get_controller_of(obj: dict) -> dict | None:
    """metav1.GetControllerOf: the ownerReference with controller: true (at most one has it), or None."""
    for ref in obj["metadata"].get("ownerReferences") or []:
        if ref.get("controller"):
            return ref
    return None


def new_controller_ref(owner: dict, api_version: str | None = None, kind: str | None = None) -> dict:
    """metav1.NewControllerRef: "`owner` controls me"; a foreground delete of the owner waits for me."""
    return {
        "apiVersion": api_version or owner["apiVersion"],
        "kind": kind or owner["kind"],
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }


def get_pods_prefix(controller_name: str) -> str:
    """The generateName of the pods a controller creates: "web-" (the API server adds 5 random characters)."""
    return f"{controller_name}-"


def get_pod_from_template(template: dict, owner: dict, controller_ref: dict) -> dict:
    """A new pod from a ReplicaSet's template: its labels, annotations and spec, owned by the ReplicaSet.

    upstream's GetPodFromTemplate. The name is left to the API server
    (generateName), so two pods created in one sync never collide.
    """
    template_meta = template.get("metadata") or {}
    metadata: dict[str, Any] = {
        "generateName": get_pods_prefix(owner["metadata"]["name"]),
        "namespace": owner["metadata"].get("namespace", "default"),
        "labels": dict(template_meta.get("labels") or {}),
        "ownerReferences": [dict(controller_ref)],
    }
    if template_meta.get("annotations"):
        metadata["annotations"] = dict(template_meta["annotations"])
    if template_meta.get("finalizers"):
        metadata["finalizers"] = list(template_meta["finalizers"])
    spec = deep_copy(template.get("spec") or {})
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec}


# ----------------------------------------------------------------------------- which pods to delete first

#: podPhaseToOrdinal: a pod that is further along is worth more, so it is deleted later.
PHASE_ORDINAL = {"Pending": 0, "Unknown": 1, "Running": 2}


def _after_or_zero(t1: datetime | None, t2: datetime | None) -> bool:
    """upstream's afterOrZero: a missing time counts as the latest of all."""
    if t1 is None or t2 is None:
        return t1 is None
    return t1 > t2


def _ready_time(pod: dict) -> datetime | None:
    condition = get_pod_ready_condition(pod)
    return parse_time(condition.get("lastTransitionTime")) if condition and is_pod_ready(pod) else None


def active_pods_less(p1: dict, p2: dict) -> bool:
    """Upstream's ActivePods.Less, rule by rule: should `p1` be deleted before `p2`?

    1. Unassigned (no spec.nodeName) before assigned: it has cost nothing yet.
    2. Pending before Unknown before Running.
    3. Not ready before ready.
    4. Both ready: ready more recently before ready for longer (a missing time counts as most recent).
    5. More container restarts before fewer.
    6. Newer creationTimestamp before older (a missing time counts as newest).
    Pods equal on every rule are equal (neither is less).
    """
    assigned1, assigned2 = bool(p1["spec"].get("nodeName")), bool(p2["spec"].get("nodeName"))
    if assigned1 != assigned2:
        return not assigned1
    phase1 = PHASE_ORDINAL.get(p1.get("status", {}).get("phase"), 0)
    phase2 = PHASE_ORDINAL.get(p2.get("status", {}).get("phase"), 0)
    if phase1 != phase2:
        return phase1 < phase2
    ready1, ready2 = is_pod_ready(p1), is_pod_ready(p2)
    if ready1 != ready2:
        return not ready1
    if ready1 and ready2:
        time1, time2 = _ready_time(p1), _ready_time(p2)
        if time1 != time2:
            return _after_or_zero(time1, time2)
    restarts1, restarts2 = max_container_restarts(p1), max_container_restarts(p2)
    if restarts1 != restarts2:
        return restarts1 > restarts2
    created1 = parse_time(p1["metadata"].get("creationTimestamp"))
    created2 = parse_time(p2["metadata"].get("creationTimestamp"))
    if created1 != created2:
        return _after_or_zero(created1, created2)
    return False


def deletion_rank(pod: dict) -> tuple:
    """The same rules as `active_pods_less` as one sort key: smaller keys are deleted first.

    (assigned, phase ordinal, ready, -ready time, -restarts, -creation time, name)
    A missing time sorts as the most recent one. The name at the end breaks
    the ties upstream leaves to chance, so the choice is the same on every run.
    """

    def newest_first(time: datetime | None) -> tuple:
        return (0, 0.0) if time is None else (1, -time.timestamp())

    ready = is_pod_ready(pod)
    return (
        bool(pod["spec"].get("nodeName")),
        PHASE_ORDINAL.get(pod.get("status", {}).get("phase"), 0),
        ready,
        newest_first(_ready_time(pod)) if ready else (0, 0.0),
        -max_container_restarts(pod),
        newest_first(parse_time(pod["metadata"].get("creationTimestamp"))),
        pod["metadata"].get("name", ""),
    )


def pods_to_delete(pods: Iterable[dict], count: int) -> list[dict]:
    """The `count` pods a controller scaling down deletes first: the ones that cost least to lose."""
    return sorted(pods, key=deletion_rank)[: max(count, 0)]


def _cmp(p1: dict, p2: dict) -> int:
    return -1 if active_pods_less(p1, p2) else (1 if active_pods_less(p2, p1) else 0)


#: Sort with upstream's comparison itself (`sorted(pods, key=active_pods_key)`); ties keep their order.
active_pods_key = functools.cmp_to_key(_cmp)
