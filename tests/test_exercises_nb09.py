"""Notebook 09's exercises: right answers pass, each kind of wrong answer gets its own message."""

from k8slab.exercises import check
from k8slab.exercises.nb09 import broken, rollout_bounds


def fixed():
    deployment = broken()
    deployment["spec"]["strategy"]["rollingUpdate"] = {"maxSurge": 1, "maxUnavailable": 0}
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    container["readinessProbe"] = {"httpGet": {"path": "/", "port": 80}, "periodSeconds": 2}
    container["lifecycle"] = {"preStop": {"sleep": {"seconds": 5}}}
    return deployment


def test_rollout_bounds_follow_the_controllers_rounding():
    assert rollout_bounds() == (13, 8)
    assert rollout_bounds(4, 1, 0) == (5, 4)
    assert check("09-rollout-bounds", (13, 8)).passed


def test_rollout_bounds_name_each_rounding_mistake():
    assert "rounds up" in check("09-rollout-bounds", (12, 8)).message
    assert "rounds down" in check("09-rollout-bounds", (13, 7)).message
    assert not check("09-rollout-bounds", "13, 8").passed
    assert not check("09-rollout-bounds", (13.0, 8)).passed
    assert "replace each ..." in check("09-rollout-bounds", ...).message
    assert "replace each ..." in check("09-rollout-bounds", (..., 8)).message


def test_the_fixed_deployment_rolls_out_with_zero_failed_requests():
    feedback = check("09-zero-downtime", fixed())
    assert feedback.passed, feedback.message
    assert "0 failed" in feedback.message


def test_the_broken_deployment_fails_and_each_cause_is_named():
    message = check("09-zero-downtime", broken()).message
    assert "readiness probe" in message and "maxUnavailable: 0" in message and "preStop" in message


def test_without_pre_stop_only_the_pre_stop_hint_is_given():
    deployment = fixed()
    del deployment["spec"]["template"]["spec"]["containers"][0]["lifecycle"]
    feedback = check("09-zero-downtime", deployment)
    assert not feedback.passed
    assert "preStop" in feedback.message and "readiness probe" not in feedback.message


def test_the_scenario_cannot_be_dodged_by_changing_its_shape():
    more = fixed()
    more["spec"]["replicas"] = 6
    assert "replicas: 3" in check("09-zero-downtime", more).message
    other = fixed()
    other["spec"]["template"]["spec"]["containers"][0]["image"] = "web:2"
    assert "web:1" in check("09-zero-downtime", other).message
    assert not check("09-zero-downtime", "deployment.yaml").passed
