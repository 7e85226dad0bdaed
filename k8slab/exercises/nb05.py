"""Exercises of notebook 05, the kubelet: a crash loop's back-off, and which restartPolicy gives which phase.

The checkers take the truth from k8slab's own kubelet, not from a table
written here: the restart-policy exercise runs its six pods on a fresh
cluster (once, then remembered), and the back-off rule it checks against is
the one `tests/test_viz_timeline.py` measures on a running crash loop.
"""

from __future__ import annotations

import functools
from typing import Any

from k8slab.exercises.core import Feedback, exercise
from k8slab.viz.timeline import expected_backoff

# -- exercise 1: predict the back-off ---------------------------------------------------------------

RESTARTS = 7


@exercise("05-backoff")
def check_backoff(answer: Any) -> Feedback:
    name = "05-backoff"
    if not isinstance(answer, list | tuple) or not all(
        isinstance(x, int | float) and not isinstance(x, bool) for x in answer
    ):
        return Feedback(
            name, False, f"answer with a list of {RESTARTS} numbers of seconds, like [0, 5, ...]."
        )
    if len(answer) != RESTARTS:
        return Feedback(
            name, False, f"give one wait for each of restarts 1 to {RESTARTS}: {RESTARTS} numbers."
        )
    truth = expected_backoff(RESTARTS)
    if list(answer) == truth:
        return Feedback(
            name,
            True,
            "at once, then 10 s doubling to the 5-minute cap: a crash loop costs the node almost nothing.",
        )
    if answer[0] != 0:
        if list(answer) == [min(10 * 2**i, 300) for i in range(RESTARTS)]:
            return Feedback(
                name,
                False,
                "close, but the first restart does not wait: the kubelet has no back-off entry for the "
                "container yet, so it restarts it at once and only then starts counting from 10 s.",
            )
        return Feedback(
            name, False, f"restart 1: not {answer[0]!r}. Look at the first row of the table above."
        )
    for i, (given, right) in enumerate(zip(answer, truth, strict=True)):
        if given != right:
            if given > 300:
                return Feedback(
                    name,
                    False,
                    f"restart {i + 1}: {given!r} s is more than the cap; the wait stops at 5 minutes.",
                )
            return Feedback(
                name,
                False,
                f"restart {i + 1}: not {given!r}. Hint: each wait doubles the one before, up to 300 s.",
            )
    return Feedback(name, False, "not quite: compare with the table of waits above.")  # pragma: no cover


# -- exercise 2: which restartPolicy gives which phase? ---------------------------------------------------

POLICY_CASES = {
    "a": ("Always", 0),
    "b": ("Always", 1),
    "c": ("OnFailure", 0),
    "d": ("OnFailure", 1),
    "e": ("Never", 0),
    "f": ("Never", 1),
}
PHASES = ("Pending", "Running", "Succeeded", "Failed", "Unknown")
#: how long the pods of exercise 2 run before their phase is read (their command exits after 5 s)
POLICY_SECONDS = 60


def describe_case(letter: str) -> str:
    policy, code = POLICY_CASES[letter]
    return f"({letter}) restartPolicy {policy}, the container exits with code {code} after 5 s"


def policy_pod(letter: str) -> dict:
    policy, code = POLICY_CASES[letter]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": f"{policy.lower()}-exit-{code}"},
        "spec": {
            "restartPolicy": policy,
            "containers": [
                {"name": "app", "image": "busybox:1.36", "command": ["sh", "-c", f"sleep 5; exit {code}"]}
            ],
        },
    }


@functools.lru_cache(maxsize=1)
def actual_phases() -> dict[str, str]:
    """Run the six pods on a fresh two-node cluster for a minute; read each pod's status.phase."""
    from k8slab.cluster import Cluster

    cluster = Cluster(nodes=2, seed=0, components=("scheduler", "kubelet"))
    for letter in POLICY_CASES:
        cluster.api.create(policy_pod(letter))
    cluster.run(seconds=POLICY_SECONDS)
    phases = {}
    for letter in POLICY_CASES:
        pod = cluster.api.get("pods", policy_pod(letter)["metadata"]["name"])
        phases[letter] = pod["status"]["phase"]
    return phases


POLICY_HINTS = {
    "Running": "with a policy that restarts it, the pod never finishes: it stays Running (kubectl may print "
    "CrashLoopBackOff or Completed in STATUS while it waits, but the phase is Running)",
    "Succeeded": "the container ended with exit code 0 and the policy does not restart a success",
    "Failed": "the container ended with a non-zero code and restartPolicy Never gives it no second chance",
}


@exercise("05-restart-policy")
def check_restart_policy(answer: Any) -> Feedback:
    name = "05-restart-policy"
    if not isinstance(answer, dict):
        return Feedback(name, False, f"answer with a dict from letter to phase, got {type(answer).__name__}.")
    missing = sorted(set(POLICY_CASES) - set(answer))
    if missing:
        return Feedback(name, False, f"give a phase for every case; missing: {', '.join(missing)}.")
    for letter in sorted(POLICY_CASES):
        if answer[letter] not in PHASES:
            return Feedback(
                name,
                False,
                f"({letter}): {answer[letter]!r} is not a pod phase. A phase is one of {', '.join(PHASES)}; "
                "CrashLoopBackOff and Completed are what kubectl prints, not phases.",
            )
    truth = actual_phases()
    for letter in sorted(POLICY_CASES):
        if answer[letter] != truth[letter]:
            return Feedback(
                name,
                False,
                f"{describe_case(letter)}: not {answer[letter]}. Hint: {POLICY_HINTS[truth[letter]]}.",
            )
    return Feedback(
        name,
        True,
        "all six right: Always restarts everything, OnFailure only failures, Never nothing; only a pod "
        "that will never restart again can be Succeeded or Failed.",
    )


__all__ = ["POLICY_CASES", "actual_phases", "check_backoff", "check_restart_policy", "policy_pod"]
