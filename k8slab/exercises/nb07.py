"""Exercises of notebook 07, kube-proxy and Services: the probabilities kube-proxy writes, and the share
each pod gets from a rule list written by hand.

The truth comes from k8slab's kube-proxy, not from a table written here:
exercise 1 compares with `k8slab.net.proxy.probability`, the function that
writes the `--probability` of every KUBE-SVC rule; exercise 2 works out the
shares exactly (with fractions), and `tests/test_exercises_nb07.py` checks
that walking the same rules through `k8slab.net.proxy.walk` lands on them.
"""

from __future__ import annotations

from fractions import Fraction
from numbers import Real
from typing import Any

from k8slab.exercises.core import Feedback, exercise
from k8slab.net.proxy import probability

# -- exercise 1: the probabilities kube-proxy writes for n endpoints --------------------------------

ENDPOINTS = 5
#: how close a float must be to the exact fraction (kube-proxy itself writes ten decimals)
TOLERANCE = 1e-6


def written_probabilities(n: int) -> list[float]:
    """What kube-proxy writes on the n rules of a KUBE-SVC chain; 1.0 for the last, which has no dice."""
    return [float(probability(n - i)) for i in range(n - 1)] + [1.0]


def _number(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)


@exercise("07-probabilities")
def check_probabilities(answer: Any) -> Feedback:
    name = "07-probabilities"
    n = ENDPOINTS
    if not isinstance(answer, list | tuple) or not all(_number(x) or x is None for x in answer):
        return Feedback(
            name, False, f"answer with a list of {n} numbers, one per rule, like [0.2, ...] or [1/5, ...]."
        )
    if len(answer) != n:
        return Feedback(name, False, f"a Service with {n} endpoints has {n} rules in its KUBE-SVC chain.")
    given = [1.0 if x is None else float(x) for x in answer]
    truth = written_probabilities(n)
    if all(abs(g - t) < TOLERANCE for g, t in zip(given, truth, strict=True)):
        return Feedback(
            name,
            True,
            "1/5, 1/4, 1/3, 1/2 and then no dice: each rule sees only the connections the rules above it "
            "let through, and takes its fair share of those.",
        )
    if all(abs(g - 1 / n) < TOLERANCE for g in given):
        return Feedback(
            name,
            False,
            f"1/{n} is the share each pod should end up with, but the rules are tried in order: the second "
            f"rule only sees the connections the first one let through, so 1/{n} there gives it less than "
            f"1/{n} of the total, and the last rule needs no probability at all.",
        )
    if abs(given[0] - 1.0) < TOLERANCE:
        return Feedback(
            name,
            False,
            "rule 1 with probability 1 would take every connection and leave nothing for the others. "
            "The rule that is always taken is the last one.",
        )
    if abs(given[-1] - 1.0) >= TOLERANCE:
        return Feedback(
            name,
            False,
            f"rule {n} (the last): a connection that reaches it has been refused by every rule above, and "
            "it must go somewhere: kube-proxy writes no probability there (write 1).",
        )
    for i, (g, t) in enumerate(zip(given, truth, strict=True)):
        if abs(g - t) >= TOLERANCE:
            left = n - i
            return Feedback(
                name,
                False,
                f"rule {i + 1}: not {answer[i]!r}. Hint: when a connection reaches rule {i + 1}, "
                f"{left} endpoints are still in the running, and each should be equally likely.",
            )
    return Feedback(name, False, "not quite: compare with the KUBE-SVC chain above.")  # pragma: no cover


# -- exercise 2: predict the shares of a hand-written rule list -------------------------------------------

#: A KUBE-SVC chain as someone might write it by hand: "half the time" on every rule but the last.
HAND_WRITTEN: dict[str, str] = {"a": "0.5", "b": "0.5", "c": "0.5", "d": ""}

RULES_TEXT = "\n".join(
    "-A KUBE-SVC-EXAMPLE"
    + (f" -m statistic --mode random --probability {p}" if p else "")
    + f" -j KUBE-SEP-{pod.upper()}"
    for pod, p in HAND_WRITTEN.items()
)


def shares(rules: dict[str, str]) -> dict[str, Fraction]:
    """The exact share of new connections each target gets from a chain of `-m statistic` rules, in order.

    A rule with no probability takes everything that reaches it (and the rules after it get nothing).
    """
    reaching = Fraction(1)
    result = {}
    for pod, p in rules.items():
        taken = reaching * (Fraction(p) if p else Fraction(1))
        result[pod] = taken
        reaching -= taken
    return result


@exercise("07-shares")
def check_shares(answer: Any) -> Feedback:
    name = "07-shares"
    pods = list(HAND_WRITTEN)
    if not isinstance(answer, dict):
        return Feedback(
            name,
            False,
            f"answer with a dict from pod to share, like {{'a': 0.25, ...}}, got {type(answer).__name__}.",
        )
    missing = [p for p in pods if p not in answer]
    if missing:
        return Feedback(name, False, f"give a share for every pod; missing: {', '.join(missing)}.")
    for pod in pods:
        if not _number(answer[pod]) or not 0 <= answer[pod] <= 1:
            return Feedback(
                name, False, f"pod {pod}: {answer[pod]!r} is not a share; give a number between 0 and 1."
            )
    truth = shares(HAND_WRITTEN)
    given = {pod: float(answer[pod]) for pod in pods}
    if all(abs(given[p] - float(truth[p])) < TOLERANCE for p in pods):
        return Feedback(
            name,
            True,
            "a half, a quarter, an eighth, an eighth: the same coin on every rule halves what is left each "
            "time, so the pods at the top get most of the traffic. That is why kube-proxy writes 1/(n-i).",
        )
    if abs(sum(given.values()) - 1) >= 1e-3:
        return Feedback(
            name,
            False,
            f"your shares add up to {sum(given.values()):g}, not 1: every new connection ends at exactly one "
            "pod, because the last rule has no probability and catches whatever is left.",
        )
    if all(abs(given[p] - 1 / len(pods)) < TOLERANCE for p in pods):
        return Feedback(
            name,
            False,
            "an equal split would need 1/4, 1/3, 1/2 on the first three rules. Here every rule flips the "
            "same fair coin: what does pod a get, and how much is left for the rules below it?",
        )
    for pod in pods:
        if abs(given[pod] - float(truth[pod])) >= TOLERANCE:
            above = pods[: pods.index(pod)]
            if not above:
                hint = "every connection reaches the first rule, so its share is its own probability."
            else:
                hint = (
                    f"a connection reaches pod {pod}'s rule only when the rules of {' and '.join(above)} "
                    "said no; multiply the chance of getting there by the rule's own chance."
                )
            return Feedback(name, False, f"pod {pod}: not {answer[pod]!r}. Hint: {hint}")
    return Feedback(name, False, "not quite.")  # pragma: no cover


__all__ = [
    "ENDPOINTS",
    "HAND_WRITTEN",
    "RULES_TEXT",
    "check_probabilities",
    "check_shares",
    "shares",
    "written_probabilities",
]
