"""The Deployment controller's arithmetic: hashes, fenceposts, revisions, conditions (notebook 03).

Our copy of upstream's `pkg/controller/deployment/util/deployment_util.go`
(plus `ComputeHash` from `pkg/controller/controller_utils.go`). Everything
here is a plain function over API objects (dicts): no client, no clock of its
own, so each rule can be read, and tested, on its own. `deployment.py` uses
them to drive a rollout.

The rules a learner meets in notebook 03:

* A ReplicaSet belongs to one pod template. Its name is the Deployment's name
  plus the **pod-template-hash** of that template, and the same hash is
  added to its selector and its pods' labels, so two ReplicaSets of one
  Deployment never fight over a pod.
* A rolling update may go **maxSurge** pods above `spec.replicas` (rounded
  up) and **maxUnavailable** pods below it (rounded down); if both round to
  0, one pod may be unavailable, or nothing could ever move.
* Every ReplicaSet carries a **revision** annotation; the newest template has
  the highest number. Rolling back re-uses the old ReplicaSet and gives it the
  next number, remembering its old one in **revision-history**.
* The Deployment reports two **conditions**: Available (are at least
  replicas - maxUnavailable pods available?) and Progressing (is the rollout
  moving, done, or stuck past progressDeadlineSeconds?).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

# ----------------------------------------------------------------------------- names

#: The label (and selector term) that ties a ReplicaSet and its pods to one pod template.
DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY = "pod-template-hash"
#: The revision of the pod template a ReplicaSet (or the Deployment) runs.
REVISION_ANNOTATION = "deployment.kubernetes.io/revision"
#: The revisions a ReplicaSet had before a rollback gave it a new one: "1,3".
REVISION_HISTORY_ANNOTATION = "deployment.kubernetes.io/revision-history"
#: spec.replicas of the Deployment when the ReplicaSet was last scaled by it.
DESIRED_REPLICAS_ANNOTATION = "deployment.kubernetes.io/desired-replicas"
#: spec.replicas + maxSurge of the Deployment then: the base of proportional scaling.
MAX_REPLICAS_ANNOTATION = "deployment.kubernetes.io/max-replicas"
#: The annotation an old API used to ask for a rollback (apps/v1 rollbacks are done by kubectl).
DEPRECATED_ROLLBACK_TO = "deprecated.deployment.rollback.to"
LAST_APPLIED_CONFIG_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration"
#: How long revision-history may grow, in characters (upstream's maxRevHistoryLengthInChars).
MAX_REV_HISTORY_LENGTH_IN_CHARS = 2000

# Condition types and reasons, with upstream's words.
DEPLOYMENT_AVAILABLE = "Available"
DEPLOYMENT_PROGRESSING = "Progressing"
DEPLOYMENT_REPLICA_FAILURE = "ReplicaFailure"

FAILED_RS_CREATE_REASON = "ReplicaSetCreateError"
NEW_RS_REASON = "NewReplicaSetCreated"
FOUND_NEW_RS_REASON = "FoundNewReplicaSet"
REPLICA_SET_UPDATED_REASON = "ReplicaSetUpdated"
NEW_RS_AVAILABLE_REASON = "NewReplicaSetAvailable"
TIMED_OUT_REASON = "ProgressDeadlineExceeded"
PAUSED_DEPLOY_REASON = "DeploymentPaused"
RESUMED_DEPLOY_REASON = "DeploymentResumed"
MINIMUM_REPLICAS_AVAILABLE = "MinimumReplicasAvailable"
MINIMUM_REPLICAS_UNAVAILABLE = "MinimumReplicasUnavailable"

#: A progressDeadlineSeconds of MaxInt32 means "no deadline" (upstream's HasProgressDeadline).
MAX_INT32 = 2**31 - 1

# ----------------------------------------------------------------------------- pod-template-hash

#: The alphabet of rand.SafeEncodeString: no vowels (no accidental words), no 0/1/3 (look-alikes).
SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"

FNV32_OFFSET_BASIS = 0x811C9DC5
FNV32_PRIME = 0x01000193


def fnv32a(data: bytes, value: int = FNV32_OFFSET_BASIS) -> int:
    """The 32-bit FNV-1a hash (Go's hash/fnv New32a): for each byte, xor it in, then multiply by the prime.

    >>> fnv32a(b"")
    2166136261
    >>> hex(fnv32a(b"a"))
    '0xe40c292c'
    """
    for byte in data:
        value ^= byte
        value = (value * FNV32_PRIME) & 0xFFFFFFFF
    return value


def safe_encode_string(text: str) -> str:
    """rand.SafeEncodeString: each byte of `text` becomes a letter of SAFE_ALPHABET (byte mod 27).

    >>> safe_encode_string("1234")
    '5678'
    """
    return "".join(SAFE_ALPHABET[byte % len(SAFE_ALPHABET)] for byte in text.encode())


def compute_hash(template: dict, collision_count: int | None = None) -> str:
    """The pod-template-hash of a pod template (upstream's controller.ComputeHash).

    Upstream feeds the Go struct, printed by a deterministic pretty-printer,
    to FNV-32a; then, if the Deployment has seen hash collisions, the
    collisionCount as 8 bytes (4 little-endian, 4 zero); then writes the
    32-bit sum as decimal digits and maps each digit to a safe letter. We do
    exactly that over the template's canonical JSON (sorted keys, no spaces)
    instead of Go's struct printout, so the algorithm is the same but the
    hash of a given template differs from the one a real cluster computes.
    The hash ignores a pod-template-hash label already in the template, so
    a ReplicaSet's template hashes like its Deployment's.

    >>> template = {"metadata": {"labels": {"app": "web"}}}
    >>> compute_hash(template) == compute_hash({"metadata": {"labels": {"app": "web"}}})
    True
    """
    hasher_input = json.dumps(template_without_hash(template), sort_keys=True, separators=(",", ":")).encode()
    value = fnv32a(hasher_input)
    if collision_count is not None:
        value = fnv32a((collision_count & 0xFFFFFFFF).to_bytes(4, "little") + bytes(4), value)
    return safe_encode_string(str(value))


def template_without_hash(template: dict | None) -> dict:
    """A copy of a pod template without the pod-template-hash label (the label is not part of "what runs")."""
    copy = json.loads(json.dumps(template or {}))
    labels = (copy.get("metadata") or {}).get("labels")
    if isinstance(labels, dict):
        labels.pop(DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY, None)
        if not labels:
            del copy["metadata"]["labels"]
    if "metadata" in copy and not copy["metadata"]:
        del copy["metadata"]
    return copy


def equal_ignore_hash(template1: dict | None, template2: dict | None) -> bool:
    """EqualIgnoreHash: are two pod templates the same, apart from the pod-template-hash label?

    This is how the controller recognises the ReplicaSet of the Deployment's
    current template (and, after `kubectl rollout undo`, an old ReplicaSet
    whose template came back).
    """
    return template_without_hash(template1) == template_without_hash(template2)


# ----------------------------------------------------------------------------- fenceposts


def get_scaled_value_from_int_or_percent(value: int | str | None, total: int, round_up: bool) -> int:
    """intstr.GetScaledValueFromIntOrPercent: an int is itself; "25%" is 25% of total, rounded up or down.

    >>> get_scaled_value_from_int_or_percent("25%", 10, True)
    3
    >>> get_scaled_value_from_int_or_percent("25%", 10, False)
    2
    """
    if value is None:
        return 0
    if isinstance(value, bool):
        raise ValueError(f"invalid type: neither int nor percentage: {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        if not value.endswith("%"):
            raise ValueError(
                f'invalid value for IntOrString: invalid type: string is not a percentage: "{value}"'
            )
        try:
            percent = int(value[:-1])
        except ValueError:
            raise ValueError(f'invalid value for IntOrString: invalid value "{value}"') from None
        # Go computes math.Ceil / math.Floor of percent * total / 100; integers give the same answer exactly.
        numerator = percent * total
        return -(-numerator // 100) if round_up else numerator // 100
    raise ValueError(f"invalid type: neither int nor percentage: {value!r}")


def resolve_fenceposts(
    max_surge: int | str | None, max_unavailable: int | str | None, desired: int
) -> tuple[int, int]:
    """ResolveFenceposts: (surge, unavailable) as numbers of pods for `desired` replicas.

    maxSurge rounds up and maxUnavailable rounds down, so a percentage never
    makes a rollout less available than asked. If both come out 0 (say 1% of
    10 replicas, or 0 and 0), maxUnavailable becomes 1: otherwise the
    rollout could neither add a pod nor remove one.

    >>> resolve_fenceposts("25%", "25%", 10)
    (3, 2)
    >>> resolve_fenceposts(0, 0, 10)
    (0, 1)
    """
    surge = get_scaled_value_from_int_or_percent(0 if max_surge is None else max_surge, desired, True)
    unavailable = get_scaled_value_from_int_or_percent(
        0 if max_unavailable is None else max_unavailable, desired, False
    )
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


def is_rolling_update(deployment: dict) -> bool:
    return strategy_of(deployment).get("type", "RollingUpdate") == "RollingUpdate"


def replicas_of(obj: dict | None) -> int:
    """spec.replicas of a Deployment or ReplicaSet (1 when unset, as the API server defaults it)."""
    if obj is None:
        return 0
    value = (obj.get("spec") or {}).get("replicas")
    return 1 if value is None else int(value)


def max_unavailable(deployment: dict) -> int:
    """MaxUnavailable: how many of the Deployment's pods may be unavailable during a rolling update.

    0 for Recreate (it makes no availability promise) and for 0 replicas;
    never more than spec.replicas.
    """
    replicas = replicas_of(deployment)
    if not is_rolling_update(deployment) or replicas == 0:
        return 0
    rolling = strategy_of(deployment).get("rollingUpdate") or {}
    _, unavailable = resolve_fenceposts(rolling.get("maxSurge"), rolling.get("maxUnavailable"), replicas)
    return min(unavailable, replicas)


def max_surge(deployment: dict) -> int:
    """MaxSurge: how many pods above spec.replicas a rolling update may run (0 for Recreate)."""
    if not is_rolling_update(deployment):
        return 0
    rolling = strategy_of(deployment).get("rollingUpdate") or {}
    surge, _ = resolve_fenceposts(
        rolling.get("maxSurge"), rolling.get("maxUnavailable"), replicas_of(deployment)
    )
    return surge


def min_available(deployment: dict) -> int:
    """MinAvailable: replicas - maxUnavailable for a rolling update (0 for Recreate: no promise)."""
    if not is_rolling_update(deployment):
        return 0
    return replicas_of(deployment) - max_unavailable(deployment)


def strategy_of(deployment: dict) -> dict:
    """spec.strategy: {"type": "RollingUpdate", "rollingUpdate": {...}} or {"type": "Recreate"}."""
    return (deployment.get("spec") or {}).get("strategy") or {}


# ----------------------------------------------------------------------------- counting replicas


def get_replica_count(replica_sets: Iterable[dict | None]) -> int:
    """GetReplicaCountForReplicaSets: the sum of spec.replicas (what the controller asked for)."""
    return sum(replicas_of(rs) for rs in replica_sets if rs is not None)


def get_actual_replica_count(replica_sets: Iterable[dict | None]) -> int:
    """GetActualReplicaCountForReplicaSets: the sum of status.replicas (the pods that exist)."""
    return sum(_status(rs, "replicas") for rs in replica_sets if rs is not None)


def get_ready_replica_count(replica_sets: Iterable[dict | None]) -> int:
    """GetReadyReplicaCountForReplicaSets: the sum of status.readyReplicas."""
    return sum(_status(rs, "readyReplicas") for rs in replica_sets if rs is not None)


def get_available_replica_count(replica_sets: Iterable[dict | None]) -> int:
    """GetAvailableReplicaCountForReplicaSets: the sum of status.availableReplicas.

    A pod is available once it has been Ready for minReadySeconds; the
    ReplicaSet controller counts that, the Deployment controller reads it.
    """
    return sum(_status(rs, "availableReplicas") for rs in replica_sets if rs is not None)


def _status(rs: dict, key: str) -> int:
    return int((rs.get("status") or {}).get(key) or 0)


def filter_active_replica_sets(replica_sets: Iterable[dict | None]) -> list[dict]:
    """FilterActiveReplicaSets: the ReplicaSets that should have pods (spec.replicas > 0)."""
    return [rs for rs in replica_sets if rs is not None and replicas_of(rs) > 0]


# ----------------------------------------------------------------------------- ordering


def _created(rs: dict) -> str:
    return rs["metadata"].get("creationTimestamp") or ""


def by_creation_timestamp(replica_sets: Iterable[dict]) -> list[dict]:
    """ReplicaSetsByCreationTimestamp: oldest first; the same second is broken by name."""
    return sorted(replica_sets, key=lambda rs: (_created(rs), rs["metadata"]["name"]))


def by_revision(replica_sets: Iterable[dict]) -> list[dict]:
    """ReplicaSetsByRevision: lowest revision first; a tie (or no revision) by creation time."""
    ordered = by_creation_timestamp(replica_sets)
    return sorted(ordered, key=revision_of)  # stable: keeps creation order among equals


def by_size_newer(replica_sets: Iterable[dict]) -> list[dict]:
    """ReplicaSetsBySizeNewer: largest first; of two the same size, the newer first (scaling up)."""
    ordered = sorted(replica_sets, key=lambda rs: (_created(rs), rs["metadata"]["name"]), reverse=True)
    return sorted(ordered, key=replicas_of, reverse=True)


def by_size_older(replica_sets: Iterable[dict]) -> list[dict]:
    """ReplicaSetsBySizeOlder: largest first; of two the same size, the older first (scaling down)."""
    return sorted(by_creation_timestamp(replica_sets), key=replicas_of, reverse=True)


# ----------------------------------------------------------------------------- new and old ReplicaSets


def find_new_replica_set(deployment: dict, replica_sets: Sequence[dict]) -> dict | None:
    """FindNewReplicaSet: the ReplicaSet whose pod template is the Deployment's, or None.

    If several match (possible after a hash collision), the oldest wins.
    """
    template = (deployment.get("spec") or {}).get("template")
    for rs in by_creation_timestamp(replica_sets):
        if equal_ignore_hash((rs.get("spec") or {}).get("template"), template):
            return rs
    return None


def find_old_replica_sets(deployment: dict, replica_sets: Sequence[dict]) -> tuple[list[dict], list[dict]]:
    """FindOldReplicaSets: (old ReplicaSets with pods, every old ReplicaSet).

    "Old" is every ReplicaSet of the Deployment except the new one.
    """
    new = find_new_replica_set(deployment, replica_sets)
    new_uid = new["metadata"].get("uid") if new is not None else None
    all_old = [rs for rs in replica_sets if new is None or rs["metadata"].get("uid") != new_uid]
    return [rs for rs in all_old if replicas_of(rs) != 0], all_old


def find_active_or_latest(new_rs: dict | None, old_replica_sets: Sequence[dict]) -> dict | None:
    """FindActiveOrLatest: the one ReplicaSet with pods; if none has any, the newest; if several, None."""
    if new_rs is None and not old_replica_sets:
        return None
    newest_first = list(reversed(by_creation_timestamp(old_replica_sets)))
    active = filter_active_replica_sets([*newest_first, new_rs])
    if not active:
        return new_rs if new_rs is not None else newest_first[0]
    if len(active) == 1:
        return active[0]
    return None


def is_saturated(deployment: dict, rs: dict | None) -> bool:
    """IsSaturated: has this ReplicaSet all the Deployment's replicas, asked for and available?"""
    if rs is None:
        return False
    desired = int_annotation(rs, DESIRED_REPLICAS_ANNOTATION)
    if desired is None:
        return False
    replicas = replicas_of(deployment)
    return (
        replicas_of(rs) == replicas and desired == replicas and _status(rs, "availableReplicas") == replicas
    )


def new_rs_new_replicas(deployment: dict, all_replica_sets: Sequence[dict | None], new_rs: dict) -> int:
    """NewRSNewReplicas: how many replicas the new ReplicaSet may have now.

    RollingUpdate: as many as fit under replicas + maxSurge counting every
    ReplicaSet's spec.replicas, never more than replicas. Recreate: all of them
    (the old ones are already gone when this is asked).
    """
    replicas = replicas_of(deployment)
    if is_rolling_update(deployment):
        rolling = strategy_of(deployment).get("rollingUpdate") or {}
        surge = get_scaled_value_from_int_or_percent(rolling.get("maxSurge"), replicas, True)
        current = get_replica_count(all_replica_sets)
        max_total = replicas + surge
        if current >= max_total:
            return replicas_of(new_rs)  # cannot scale up
        scale_up = min(max_total - current, replicas - replicas_of(new_rs))
        return replicas_of(new_rs) + scale_up
    if strategy_of(deployment).get("type") == "Recreate":
        return replicas
    raise ValueError(f"deployment type {strategy_of(deployment).get('type')} isn't supported")


# ----------------------------------------------------------------------------- revisions


def revision_of(obj: dict) -> int:
    """Revision: the revision annotation as a number (0 when missing or not a number)."""
    value = (obj["metadata"].get("annotations") or {}).get(REVISION_ANNOTATION)
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def max_revision(replica_sets: Iterable[dict]) -> int:
    """MaxRevision: the highest revision among the ReplicaSets (0 if none has one)."""
    return max((revision_of(rs) for rs in replica_sets), default=0)


def last_revision(replica_sets: Iterable[dict]) -> int:
    """LastRevision: the second highest revision (what `rollout undo` goes back to)."""
    highest = second = 0
    for rs in replica_sets:
        revision = revision_of(rs)
        if revision >= highest:
            highest, second = revision, highest
        elif revision > second:
            second = revision
    return second


def set_deployment_revision(deployment: dict, revision: str) -> bool:
    """SetDeploymentRevision: write the revision annotation on the Deployment; True if it changed."""
    annotations = deployment["metadata"].setdefault("annotations", {})
    if annotations.get(REVISION_ANNOTATION) != revision:
        annotations[REVISION_ANNOTATION] = revision
        return True
    return False


def skip_copy_annotation(key: str) -> bool:
    """Annotations that belong to the Deployment itself and are never copied onto its ReplicaSets."""
    return key in (
        LAST_APPLIED_CONFIG_ANNOTATION,
        REVISION_ANNOTATION,
        REVISION_HISTORY_ANNOTATION,
        DESIRED_REPLICAS_ANNOTATION,
        MAX_REPLICAS_ANNOTATION,
        DEPRECATED_ROLLBACK_TO,
    )


def copy_deployment_annotations_to_replica_set(deployment: dict, rs: dict) -> bool:
    """copyDeploymentAnnotationsToReplicaSet: e.g. kubernetes.io/change-cause, for `rollout history`."""
    changed = False
    annotations = rs["metadata"].setdefault("annotations", {})
    for key, value in (deployment["metadata"].get("annotations") or {}).items():
        if skip_copy_annotation(key) or annotations.get(key) == value:
            continue
        annotations[key] = value
        changed = True
    return changed


def set_new_replica_set_annotations(
    deployment: dict,
    new_rs: dict,
    new_revision: str,
    exists: bool,
    rev_history_limit_in_chars: int = MAX_REV_HISTORY_LENGTH_IN_CHARS,
) -> bool:
    """SetNewReplicaSetAnnotations: copy the Deployment's annotations, raise the revision; True if changed.

    The new ReplicaSet's revision only ever goes up. If it already had one
    (a rollback brought its template back), the old number is appended to
    revision-history, as long as that stays under the length limit.
    """
    changed = copy_deployment_annotations_to_replica_set(deployment, new_rs)
    annotations = new_rs["metadata"].setdefault("annotations", {})
    had_revision = REVISION_ANNOTATION in annotations
    old_revision = annotations.get(REVISION_ANNOTATION, "")
    try:
        old_number = int(old_revision) if old_revision != "" else 0
    except ValueError:
        return False  # upstream logs "OldRevision not int" and leaves the ReplicaSet alone
    try:
        new_number = int(new_revision)
    except ValueError:
        return False
    if old_number < new_number:
        annotations[REVISION_ANNOTATION] = new_revision
        changed = True
    if had_revision and old_number < new_number:
        history = annotations.get(REVISION_HISTORY_ANNOTATION, "")
        old_revisions = history.split(",")
        if not old_revisions[0]:
            annotations[REVISION_HISTORY_ANNOTATION] = old_revision
        else:
            total = len(history) + len(old_revision) + 1
            start = 0
            while total > rev_history_limit_in_chars and start < len(old_revisions):
                total -= len(old_revisions[start]) + 1
                start += 1
            if total <= rev_history_limit_in_chars:
                annotations[REVISION_HISTORY_ANNOTATION] = ",".join([*old_revisions[start:], old_revision])
    if not exists and set_replicas_annotations(
        new_rs, replicas_of(deployment), replicas_of(deployment) + max_surge(deployment)
    ):
        changed = True
    return changed


def int_annotation(obj: dict, key: str) -> int | None:
    """An annotation read as a whole number; None when it is missing or not a number."""
    value = (obj["metadata"].get("annotations") or {}).get(key)
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def set_replicas_annotations(rs: dict, desired_replicas: int, max_replicas: int) -> bool:
    """SetReplicasAnnotations: record the Deployment's replicas and replicas + maxSurge on the ReplicaSet."""
    annotations = rs["metadata"].setdefault("annotations", {})
    changed = False
    for key, value in (
        (DESIRED_REPLICAS_ANNOTATION, desired_replicas),
        (MAX_REPLICAS_ANNOTATION, max_replicas),
    ):
        if annotations.get(key) != str(value):
            annotations[key] = str(value)
            changed = True
    return changed


def replicas_annotations_need_update(rs: dict, desired_replicas: int, max_replicas: int) -> bool:
    """ReplicasAnnotationsNeedUpdate: do the two replicas annotations differ from these numbers?"""
    annotations = rs["metadata"].get("annotations") or {}
    return annotations.get(DESIRED_REPLICAS_ANNOTATION) != str(desired_replicas) or annotations.get(
        MAX_REPLICAS_ANNOTATION
    ) != str(max_replicas)


# ----------------------------------------------------------------------------- proportional scaling


def round_half_away_from_zero(value: float) -> int:
    """Go's math.Round (Python's round() rounds halves to even, which would split replicas differently)."""
    return int(math.floor(abs(value) + 0.5)) * (1 if value >= 0 else -1)


def get_replica_set_fraction(rs: dict, deployment: dict) -> int:
    """getReplicaSetFraction: the replicas this ReplicaSet gains (or loses) when the Deployment is resized.

    Its share of the new replicas + maxSurge is its share of the old one,
    which it remembers in the max-replicas annotation.
    """
    replicas = replicas_of(deployment)
    if replicas == 0:
        return -replicas_of(rs)
    deployment_max_replicas = replicas + max_surge(deployment)
    before = int_annotation(rs, MAX_REPLICAS_ANNOTATION)
    if not before:
        # No annotation (someone edited the ReplicaSet): fall back to the Deployment's current size.
        before = int((deployment.get("status") or {}).get("replicas") or 0)
        if before == 0:
            return 0
    new_size = replicas_of(rs) * deployment_max_replicas / before
    return round_half_away_from_zero(new_size) - replicas_of(rs)


def get_replica_set_proportion(rs: dict, deployment: dict, to_add: int, added: int) -> int:
    """GetReplicaSetProportion: this ReplicaSet's part of `to_add`, never past what is left to add."""
    if rs is None or replicas_of(rs) == 0 or to_add == 0 or to_add == added:
        return 0
    fraction = get_replica_set_fraction(rs, deployment)
    allowed = to_add - added
    return min(fraction, allowed) if to_add > 0 else max(fraction, allowed)


# ----------------------------------------------------------------------------- conditions


def has_progress_deadline(deployment: dict) -> bool:
    deadline = (deployment.get("spec") or {}).get("progressDeadlineSeconds")
    return deadline is not None and deadline != MAX_INT32


def has_revision_history_limit(deployment: dict) -> bool:
    limit = (deployment.get("spec") or {}).get("revisionHistoryLimit")
    return limit is not None and limit != MAX_INT32


def new_deployment_condition(type_: str, status: str, reason: str, message: str, now: str) -> dict:
    """NewDeploymentCondition: a condition whose lastUpdateTime and lastTransitionTime are `now`."""
    return {
        "type": type_,
        "status": status,
        "lastUpdateTime": now,
        "lastTransitionTime": now,
        "reason": reason,
        "message": message,
    }


def get_deployment_condition(status: dict, type_: str) -> dict | None:
    return next((c for c in status.get("conditions") or [] if c.get("type") == type_), None)


def set_deployment_condition(status: dict, condition: dict) -> None:
    """SetDeploymentCondition: put the condition in status, moved to the end of the list.

    The same status and reason as the current one: nothing changes (not even
    lastUpdateTime). The same status with a new reason: the transition time
    is kept, because the condition did not flip.
    """
    current = get_deployment_condition(status, condition["type"])
    if (
        current is not None
        and current["status"] == condition["status"]
        and current.get("reason") == condition["reason"]
    ):
        return
    condition = dict(condition)
    if current is not None and current["status"] == condition["status"]:
        condition["lastTransitionTime"] = current["lastTransitionTime"]
    status["conditions"] = [
        *filter_out_condition(status.get("conditions") or [], condition["type"]),
        condition,
    ]


def remove_deployment_condition(status: dict, type_: str) -> None:
    if "conditions" in status:
        status["conditions"] = filter_out_condition(status["conditions"], type_)
        if not status["conditions"]:
            del status["conditions"]


def filter_out_condition(conditions: Sequence[dict], type_: str) -> list[dict]:
    return [dict(c) for c in conditions if c.get("type") != type_]


def deployment_complete(deployment: dict, new_status: dict) -> bool:
    """DeploymentComplete: every replica updated, none old left, all available, and this generation seen."""
    replicas = replicas_of(deployment)
    return (
        int(new_status.get("updatedReplicas") or 0) == replicas
        and int(new_status.get("replicas") or 0) == replicas
        and int(new_status.get("availableReplicas") or 0) == replicas
        and int(new_status.get("observedGeneration") or 0)
        >= int(deployment["metadata"].get("generation") or 0)
    )


def deployment_progressing(deployment: dict, new_status: dict) -> bool:
    """DeploymentProgressing: did anything move since the last status (more updated, ready or available
    replicas, or fewer old ones)?"""
    old = deployment.get("status") or {}

    def count(status: dict, key: str) -> int:
        return int(status.get(key) or 0)

    old_old_replicas = count(old, "replicas") - count(old, "updatedReplicas")
    new_old_replicas = count(new_status, "replicas") - count(new_status, "updatedReplicas")
    return (
        count(new_status, "updatedReplicas") > count(old, "updatedReplicas")
        or new_old_replicas < old_old_replicas
        or count(new_status, "readyReplicas") > count(old, "readyReplicas")
        or count(new_status, "availableReplicas") > count(old, "availableReplicas")
    )


def deployment_timed_out(deployment: dict, new_status: dict, now: datetime) -> bool:
    """DeploymentTimedOut: has the Progressing condition gone un-updated for progressDeadlineSeconds?

    A rollout that already completed (NewReplicaSetAvailable) never times
    out; one that timed out stays timed out.
    """
    if not has_progress_deadline(deployment):
        return False
    condition = get_deployment_condition(new_status, DEPLOYMENT_PROGRESSING)
    if condition is None:
        return False
    if condition.get("reason") == NEW_RS_AVAILABLE_REASON:
        return False
    if condition.get("reason") == TIMED_OUT_REASON:
        return True
    last_update = parse_time(condition.get("lastUpdateTime"))
    if last_update is None:
        return False
    deadline = int(deployment["spec"]["progressDeadlineSeconds"])
    return (now - last_update).total_seconds() > deadline


def parse_time(timestamp: str | None) -> datetime | None:
    """An RFC 3339 timestamp as a datetime (None for a missing one)."""
    if not timestamp:
        return None
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00"))


def template_hash_label(labels: dict[str, str] | None, pod_template_hash: str) -> dict[str, str]:
    """labelsutil.CloneAndAddLabel: a copy of `labels` with pod-template-hash added."""
    return {**(labels or {}), DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY: pod_template_hash}


def selector_with_hash(selector: dict | None, pod_template_hash: str) -> dict[str, Any]:
    """labelsutil.CloneSelectorAndAddLabel: the selector, also requiring pod-template-hash."""
    copy = json.loads(json.dumps(selector or {}))
    copy["matchLabels"] = template_hash_label(copy.get("matchLabels"), pod_template_hash)
    return copy
