"""Notebook 03's exercises: right answers pass, each kind of wrong answer gets its own message."""

import copy

from k8slab.exercises import check
from k8slab.exercises.nb03 import TEMPLATE

RIGHT_BOUNDS = {"a": (13, 8), "b": (5, 3), "c": (5, 3), "d": (11, 10), "e": (10, 9)}


def live_reconcile(api, replicas):
    pods = api.list("pods", label_selector="app=hello")["items"]
    live = [
        p
        for p in pods
        if not p["metadata"].get("deletionTimestamp")
        and p["status"].get("phase") not in ("Succeeded", "Failed")
    ]
    for _ in range(replicas - len(live)):
        api.create(copy.deepcopy(TEMPLATE))
    for pod in live[replicas:]:
        api.delete("pods", pod["metadata"]["name"])


def naive_reconcile(api, replicas):
    pods = api.list("pods", label_selector="app=hello")["items"]
    for _ in range(replicas - len(pods)):
        api.create(copy.deepcopy(TEMPLATE))
    for pod in pods[replicas:]:
        api.delete("pods", pod["metadata"]["name"])


def greedy_reconcile(api, replicas):
    for pod in api.list("pods")["items"]:
        api.delete("pods", pod["metadata"]["name"])
    for _ in range(replicas):
        api.create(copy.deepcopy(TEMPLATE))


def test_the_right_bounds_pass():
    assert check("03-rollout-bounds", RIGHT_BOUNDS).passed


def test_rounding_maxsurge_down_is_told_it_rounds_up():
    feedback = check("03-rollout-bounds", RIGHT_BOUNDS | {"b": (4, 3)})
    assert not feedback.passed
    assert feedback.message.startswith("(b) replicas 4, maxSurge '25%', maxUnavailable '25%': not (4, 3)")
    assert "rounds *up*" in feedback.message


def test_forgetting_that_both_zero_means_one_unavailable_is_explained():
    feedback = check("03-rollout-bounds", RIGHT_BOUNDS | {"e": (10, 10)})
    assert "if both come out 0, maxUnavailable becomes 1" in feedback.message


def test_a_missing_case_is_named():
    feedback = check("03-rollout-bounds", {k: v for k, v in RIGHT_BOUNDS.items() if k != "c"})
    assert "missing: c" in feedback.message


def test_a_reconcile_that_counts_only_live_pods_passes():
    feedback = check("03-reconcile-live-pods", live_reconcile)
    assert feedback.passed, feedback.message


def test_a_reconcile_that_counts_terminating_pods_is_told_to_skip_them():
    feedback = check("03-reconcile-live-pods", naive_reconcile)
    assert not feedback.passed
    assert "2 live pods are left, not 3" in feedback.message
    assert "deletionTimestamp" in feedback.message


def test_a_reconcile_that_deletes_other_apps_pods_is_caught():
    feedback = check("03-reconcile-live-pods", greedy_reconcile)
    assert "deleted a pod of another app" in feedback.message


def test_an_unfinished_answer_is_asked_for():
    assert "replace each ..." in check("03-rollout-bounds", {"a": ...}).message


def test_an_empty_reconcile_is_told_it_changed_nothing():
    def reconcile(api, replicas): ...

    feedback = check("03-reconcile-live-pods", reconcile)
    assert "your function changed nothing" in feedback.message
