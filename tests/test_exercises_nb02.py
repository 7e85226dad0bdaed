"""Notebook 02's exercises: right answers pass, each kind of wrong answer gets its own message."""

from k8slab.api.errors import Conflict
from k8slab.exercises import check


def good_hook(request):
    for container in request.object["spec"].get("containers", []):
        limits = (container.get("resources") or {}).get("limits") or {}
        if "cpu" not in limits or "memory" not in limits:
            return f"container {container['name']!r} must set cpu and memory limits"
    return None


def cpu_only_hook(request):
    for container in request.object["spec"].get("containers", []):
        if not (container.get("resources") or {}).get("limits"):
            return "no limits"
    return None


def retrying_add_label(api, name, key, value):
    while True:
        pod = api.get("pods", name)
        pod["metadata"].setdefault("labels", {})[key] = value
        try:
            return api.update(pod)
        except Conflict:
            continue


def naive_add_label(api, name, key, value):
    pod = api.get("pods", name)
    pod["metadata"].setdefault("labels", {})[key] = value
    return api.update(pod)


def test_the_right_http_codes_pass():
    assert check("02-http-codes", {"a": 201, "b": 409, "c": 404, "d": 409, "e": 422, "f": 400}).passed


def test_a_wrong_code_names_the_request_and_gives_the_rule():
    feedback = check("02-http-codes", {"a": 201, "b": 409, "c": 404, "d": 409, "e": 400, "f": 400})
    assert not feedback.passed
    assert feedback.message.startswith("(e) create pod bad whose container has no image: not 400")
    assert "422" in feedback.message


def test_a_hook_checking_cpu_and_memory_limits_passes():
    assert check("02-require-limits", good_hook).passed


def test_a_hook_that_forgets_memory_limits_is_told_which_pod_slipped_through():
    feedback = check("02-require-limits", cpu_only_hook)
    assert "limits cpu but not memory should be denied" in feedback.message


def test_a_hook_that_raises_is_reported_not_crashed():
    def broken(request):
        return request.object["spec"]["nonexistent"]

    assert "your hook raised an error" in check("02-require-limits", broken).message


def test_retrying_on_conflict_keeps_both_writers_changes():
    feedback = check("02-retry-on-conflict", retrying_add_label)
    assert feedback.passed, feedback.message


def test_giving_up_on_conflict_is_explained():
    feedback = check("02-retry-on-conflict", naive_add_label)
    assert "gave up with Conflict (409)" in feedback.message
