"""Exercises of notebook 03, the controller manager: a rolling update's bounds, a reconcile that counts
only live pods."""

from __future__ import annotations

import copy
from typing import Any

from k8slab.api.errors import StatusError
from k8slab.api.server import APIServer
from k8slab.controllers.deployment_util import resolve_fenceposts
from k8slab.exercises.core import Feedback, exercise

# -- exercise 1: how far may a rolling update go? ---------------------------------------------

#: (replicas, maxSurge, maxUnavailable) of each case the learner predicts.
BOUND_CASES = {
    "a": (10, "25%", "25%"),
    "b": (4, "25%", "25%"),
    "c": (3, "50%", 0),
    "d": (10, "1%", "1%"),
    "e": (10, 0, "5%"),
}


def rollout_bounds(replicas: int, max_surge: int | str, max_unavailable: int | str) -> tuple[int, int]:
    """(at most this many pods in all, at least this many available) during a rolling update."""
    surge, unavailable = resolve_fenceposts(max_surge, max_unavailable, replicas)
    return replicas + surge, replicas - unavailable


def _describe(case: tuple[int, int | str, int | str]) -> str:
    replicas, surge, unavailable = case
    return f"replicas {replicas}, maxSurge {surge!r}, maxUnavailable {unavailable!r}"


@exercise("03-rollout-bounds")
def check_rollout_bounds(answer: Any) -> Feedback:
    name = "03-rollout-bounds"
    if not isinstance(answer, dict):
        return Feedback(
            name,
            False,
            f"answer with a dict from letter to (max pods, min available), got {type(answer).__name__}.",
        )
    missing = sorted(set(BOUND_CASES) - set(answer))
    if missing:
        return Feedback(name, False, f"give a pair for every case; missing: {', '.join(missing)}.")
    for letter, case in BOUND_CASES.items():
        given = answer[letter]
        if not isinstance(given, tuple | list) or len(given) != 2:
            return Feedback(
                name, False, f"({letter}) answer with a pair (max pods, min available), got {given!r}."
            )
        truth = rollout_bounds(*case)
        if tuple(given) == truth:
            continue
        replicas, surge, unavailable = case
        if given[0] != truth[0]:
            hint = (
                f"max pods is replicas + maxSurge, and a percentage maxSurge rounds *up*: "
                f"{surge} of {replicas} is {truth[0] - replicas}"
            )
        else:
            hint = (
                "min available is replicas - maxUnavailable, and a percentage maxUnavailable rounds *down*; "
                "if both come out 0, maxUnavailable becomes 1, or the rollout could never move"
            )
        return Feedback(name, False, f"({letter}) {_describe(case)}: not {tuple(given)}. Hint: {hint}.")
    return Feedback(name, True, "all five right: surge rounds up, unavailable rounds down, and never both 0.")


# -- exercise 2: count only the live pods ---------------------------------------------------------

SELECTOR = "app=hello"
TEMPLATE = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"generateName": "hello-", "labels": {"app": "hello"}},
    "spec": {"containers": [{"name": "hello", "image": "nginx:1.27"}]},
}


def _hello(name: str, node: str | None = "node-1", labels: dict | None = None) -> dict:
    pod = copy.deepcopy(TEMPLATE)
    pod["metadata"] = {"name": name, "labels": labels if labels is not None else {"app": "hello"}}
    if node:
        pod["spec"]["nodeName"] = node  # bound: a delete leaves it Terminating until its kubelet confirms
    return pod


def _is_live(pod: dict) -> bool:
    phase = (pod.get("status") or {}).get("phase")
    return not pod["metadata"].get("deletionTimestamp") and phase not in ("Succeeded", "Failed")


def _world(live: int, terminating: int, failed: int) -> APIServer:
    """An API server holding app=hello pods in three conditions, plus one pod of another app."""
    api = APIServer()
    for i in range(live):
        api.create(_hello(f"hello-live-{i}"))
    for i in range(terminating):
        api.create(_hello(f"hello-terminating-{i}"))
        api.delete("pods", f"hello-terminating-{i}")
    for i in range(failed):
        pod = api.create(_hello(f"hello-failed-{i}"))
        pod["status"]["phase"] = "Failed"
        api.update_status(pod)
    api.create(_hello("other-app", node=None, labels={"app": "other"}))
    return api


#: (what the world looks like, live, terminating, failed, replicas wanted)
RECONCILE_CASES = [
    ("no pods at all, want 2", 0, 0, 0, 2),
    ("2 live pods, 1 Terminating, want 3", 2, 1, 0, 3),
    ("3 live pods, 2 Failed, want 3", 3, 0, 2, 3),
    ("5 live pods, 1 Terminating, want 2", 5, 1, 0, 2),
]


@exercise("03-reconcile-live-pods")
def check_reconcile(reconcile: Any) -> Feedback:
    name = "03-reconcile-live-pods"
    if not callable(reconcile):
        return Feedback(name, False, "pass your function itself: check('03-reconcile-live-pods', reconcile).")
    ever_changed = False  # "changed nothing" only for a function that has never changed anything
    for description, live, terminating, failed, want in RECONCILE_CASES:
        api = _world(live, terminating, failed)
        try:
            before = api.store.revision
            reconcile(api, want)
            revision = api.store.revision
            changed_before, ever_changed = ever_changed, ever_changed or revision != before
            if not changed_before and revision == before and live != want:
                return Feedback(
                    name,
                    False,
                    f"with {description}, your function changed nothing: list the "
                    "app=hello pods, keep the live ones, then create or delete the difference.",
                )
            reconcile(api, want)  # a second call on a world that is already right must change nothing
        except StatusError as error:
            return Feedback(
                name,
                False,
                f"with {description}, your function got {error.reason} ({error.code}): {error.message}",
            )
        pods = api.list("pods")["items"]
        hello = [p for p in pods if (p["metadata"].get("labels") or {}).get("app") == "hello"]
        now_live = [p for p in hello if _is_live(p)]
        if not any(p["metadata"]["name"] == "other-app" for p in pods):
            return Feedback(
                name,
                False,
                f"with {description}, your function deleted a pod of another app: "
                "list only the pods your selector matches (label_selector='app=hello').",
            )
        if len(now_live) == want and api.store.revision != revision:
            return Feedback(
                name,
                False,
                f"with {description}, your first call got it right, but a second call "
                "changed the cluster again: a reconcile must change nothing when all is as wanted.",
            )
        if len(now_live) != want:
            counted = len(hello) - len(now_live)
            hint = (
                f"it seems to count pods that are Terminating or Failed ({counted} here) as if they were "
                "running: skip pods with metadata.deletionTimestamp and pods whose status.phase is "
                "Failed or Succeeded"
                if counted and len(now_live) < want
                else "create the missing pods and delete the extra ones"
            )
            return Feedback(
                name,
                False,
                f"with {description}, {len(now_live)} live pods are left, not {want}. Hint: {hint}.",
            )
    return Feedback(
        name,
        True,
        "your reconcile counts only live pods, as the ReplicaSet controller's "
        "filter_active_pods does, and a second run changes nothing.",
    )
