"""Notebook 05's exercises: right answers pass, each kind of wrong answer gets its own message."""

from k8slab.exercises import check
from k8slab.exercises.nb05 import actual_phases

RIGHT_PHASES = {
    "a": "Running",
    "b": "Running",
    "c": "Succeeded",
    "d": "Running",
    "e": "Succeeded",
    "f": "Failed",
}


def test_the_right_back_off_passes():
    assert check("05-backoff", [0, 10, 20, 40, 80, 160, 300]).passed


def test_a_back_off_that_waits_before_the_first_restart_is_told_the_first_restart_is_at_once():
    feedback = check("05-backoff", [10, 20, 40, 80, 160, 300, 300])
    assert not feedback.passed
    assert "first restart does not wait" in feedback.message


def test_a_back_off_above_the_cap_is_told_about_the_5_minute_cap():
    feedback = check("05-backoff", [0, 10, 20, 40, 80, 160, 320])
    assert not feedback.passed
    assert "restart 7" in feedback.message and "5 minutes" in feedback.message


def test_a_back_off_that_does_not_double_names_the_first_wrong_restart():
    feedback = check("05-backoff", [0, 10, 20, 30, 40, 50, 60])
    assert not feedback.passed
    assert feedback.message.startswith("restart 4: not 30")


def test_a_back_off_of_the_wrong_length_or_type_asks_for_seven_numbers():
    assert "7 numbers" in check("05-backoff", [0, 10, 20]).message
    assert "list of 7 numbers" in check("05-backoff", "0, 10, 20").message


def test_the_phases_come_from_the_kubelet_itself():
    assert actual_phases() == RIGHT_PHASES


def test_the_right_phases_pass():
    assert check("05-restart-policy", RIGHT_PHASES).passed


def test_a_kubectl_status_instead_of_a_phase_is_told_the_difference():
    feedback = check("05-restart-policy", {**RIGHT_PHASES, "a": "CrashLoopBackOff"})
    assert not feedback.passed
    assert "not a pod phase" in feedback.message


def test_a_wrong_phase_gets_the_case_and_a_hint():
    feedback = check("05-restart-policy", {**RIGHT_PHASES, "d": "Failed"})
    assert not feedback.passed
    assert feedback.message.startswith("(d) restartPolicy OnFailure, the container exits with code 1")
    assert "stays Running" in feedback.message


def test_missing_cases_are_named():
    feedback = check("05-restart-policy", {"a": "Running"})
    assert not feedback.passed
    assert "missing: b, c, d, e, f" in feedback.message


def test_an_unanswered_exercise_asks_for_an_answer():
    assert not check("05-restart-policy", {**RIGHT_PHASES, "a": ...}).passed
