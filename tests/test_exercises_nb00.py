"""Notebook 00's exercises: a right answer passes, each kind of wrong answer gets its own message."""

import pathlib
import re

import pytest

from k8slab.exercises import check, exercises
from k8slab.exercises.nb00 import (
    COMPONENT_ANSWERS,
    EVENT_ORDER,
    EVENTS,
    SITUATIONS,
    check_which_component,
    component_name,
)

RIGHT = dict(COMPONENT_ANSWERS)


def with_changes(**changes):
    answer = dict(RIGHT)
    answer.update(changes)
    return answer


def test_both_exercises_are_registered():
    assert {"00-which-component", "00-order-steps"} <= set(exercises())


# -- 00-which-component -------------------------------------------------------------


def test_the_right_components_pass():
    feedback = check("00-which-component", RIGHT)
    assert feedback.passed, feedback.message


def test_other_spellings_of_the_right_components_pass():
    answer = with_changes(b="kube-scheduler", d="kube-controller-manager", e="kube-apiserver", f="KubeProxy")
    assert check("00-which-component", answer).passed


@pytest.mark.parametrize(
    ("spelling", "name"),
    [
        ("API Server", "API server"),
        ("kube_proxy", "kube-proxy"),
        ("Controller-Manager", "controller manager"),
        ("CADVISOR", "cAdvisor"),
        ("nginx", None),
    ],
)
def test_component_names_ignore_case_spaces_and_dashes(spelling, name):
    assert component_name(spelling) == name


def test_the_untouched_placeholder_asks_for_an_answer():
    for answer in (..., with_changes(c=...)):
        feedback = check("00-which-component", answer)
        assert not feedback.passed and "..." in feedback.message


def test_an_item_left_as_ellipsis_is_named_by_the_checker():
    feedback = check_which_component(with_changes(c=...))
    assert not feedback.passed
    assert feedback.message.startswith("(c) still says ...")


def test_a_wrong_component_is_named_with_a_hint():
    feedback = check("00-which-component", with_changes(b="kubelet"))
    assert not feedback.passed
    assert "(b)" in feedback.message and "Not the kubelet" in feedback.message
    assert "binding" in feedback.message  # the hint points at what the scheduler writes


def test_the_first_wrong_item_is_the_one_reported():
    feedback = check("00-which-component", with_changes(a="API server", g="kubelet"))
    assert feedback.message.startswith("(a)") and "Not the API server" in feedback.message


def test_an_unknown_component_lists_the_known_ones():
    feedback = check("00-which-component", with_changes(f="nginx"))
    assert not feedback.passed
    assert "'nginx' is not a component I know" in feedback.message and "kube-proxy" in feedback.message


def test_a_missing_situation_is_named():
    answer = dict(RIGHT)
    del answer["d"]
    feedback = check("00-which-component", answer)
    assert feedback.message.startswith("(d) is missing") and SITUATIONS["d"] in feedback.message


def test_an_unknown_situation_letter_is_named():
    feedback = check("00-which-component", with_changes(z="etcd"))
    assert "'z' is not one of the situations" in feedback.message


def test_a_non_text_component_is_named():
    feedback = check("00-which-component", with_changes(e=3))
    assert feedback.message.startswith("(e) should be a component's name as text")


def test_an_answer_that_is_not_a_dict_says_what_shape_is_expected():
    feedback = check("00-which-component", ["etcd", "scheduler"])
    assert not feedback.passed and "should be a dict" in feedback.message and "got a list" in feedback.message


# -- 00-order-steps -------------------------------------------------------------------


@pytest.mark.parametrize("answer", ["BDFAEC", "b d f a e c", ["B", "D", "F", "A", "E", "C"], tuple("BDFAEC")])
def test_the_right_order_passes_in_any_reasonable_form(answer):
    feedback = check("00-order-steps", answer)
    assert feedback.passed, feedback.message


def test_the_order_is_steps_four_to_nine():
    assert EVENT_ORDER == ("B", "D", "F", "A", "E", "C")


def test_the_first_wrong_position_is_explained():
    feedback = check("00-order-steps", "BDAFEC")  # scheduler before the controller manager
    assert not feedback.passed
    assert feedback.message.startswith("the first 2 are right; A (the scheduler writes a binding")
    assert "cannot come third" in feedback.message and "create the Pod objects first" in feedback.message


def test_a_wrong_first_event_gets_no_right_so_far():
    feedback = check("00-order-steps", "DBFAEC")
    assert feedback.message.startswith("D (the API server saves the Deployment in etcd) cannot come first")


def test_the_kubelet_before_the_binding_is_explained():
    feedback = check("00-order-steps", "BDFEAC")
    assert "E (node-1's kubelet sees pod web-1 bound to its node) cannot come fourth" in feedback.message
    assert "only the scheduler writes that binding" in feedback.message


def test_a_repeated_letter_is_named():
    feedback = check("00-order-steps", "BDFAEE")
    assert "E appears more than once" in feedback.message


def test_a_missing_letter_is_named():
    feedback = check("00-order-steps", "BDFAE")
    assert feedback.message.startswith("C (the container runtime starts web-1's containers) is missing")


def test_an_unknown_letter_is_named():
    feedback = check("00-order-steps", "BDFAEX")
    assert "'X' is not one of the events" in feedback.message


def test_an_answer_of_the_wrong_type_says_what_is_expected():
    feedback = check("00-order-steps", 123)
    assert not feedback.passed and "six letters in order" in feedback.message


def test_the_untouched_order_placeholder_asks_for_an_answer():
    feedback = check("00-order-steps", ...)
    assert not feedback.passed and "..." in feedback.message


# -- the notebook and the solutions say the same as the checkers ----------------------

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_the_notebook_lists_the_same_situations_and_events_as_the_checkers():
    source = (ROOT / "notebooks" / "src" / "00-orchestrators.py").read_text()
    for letter, situation in SITUATIONS.items():
        assert f"# | {letter} | {situation} |" in source
    for letter, event in EVENTS.items():
        assert f"# | {letter} | {event} |" in source


def test_the_written_solutions_pass():
    solutions = (ROOT / "notebooks" / "solutions" / "00-orchestrators.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", solutions, re.S)
    assert len(blocks) == 2
    for block in blocks:
        namespace = {"check": check}
        exec(compile(block.replace("check(", "result = check("), "solution", "exec"), namespace)
        assert namespace["result"].passed, namespace["result"].message
