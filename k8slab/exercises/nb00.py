"""Exercises for notebook 00 (orchestrators: the fifteen steps).

- `00-which-component`: match seven situations to the component that handles them.
- `00-order-steps`: put six shuffled events of "kubectl apply" in the order they happen.

Both are about the one rule of the series: components never call each other,
each one watches the API server and writes back to it. So every wrong answer
gets a hint that points at who watches what.
"""

from __future__ import annotations

from typing import Any

from k8slab.exercises.core import Feedback, exercise

# -- 00-which-component ---------------------------------------------------------

#: The situations the learner sees, by letter.
SITUATIONS: dict[str, str] = {
    "a": "keeps a copy of every object in the cluster (every pod, node, deployment)",
    "b": "chooses which worker node a new pod will run on",
    "c": "starts a pod's containers on its own node",
    "d": "notices that a ReplicaSet wants 3 pods but only 2 exist, and creates one more",
    "e": "is the only component that reads and writes etcd",
    "f": "sends a request for a Service to one of that Service's pods",
    "g": "measures how much CPU and memory each container uses",
}

#: The right component for each situation.
COMPONENT_ANSWERS: dict[str, str] = {
    "a": "etcd",
    "b": "scheduler",
    "c": "kubelet",
    "d": "controller manager",
    "e": "API server",
    "f": "kube-proxy",
    "g": "cAdvisor",
}

#: A hint per situation, pointing towards the right component without naming it outright.
COMPONENT_HINTS: dict[str, str] = {
    "a": "it is the database of the control plane, the cluster's only memory (step 5).",
    "b": "this component watches for pods with no node yet and writes a binding (step 7).",
    "c": "the agent that runs on every worker node and watches for pods bound to it (steps 8 and 9).",
    "d": "comparing what is wanted with what exists is the job of the control loops (step 6).",
    "e": "every other component goes through the cluster's front door instead (steps 4 and 5).",
    "f": "this runs on every node and writes the forwarding rules for Services (steps 12 and 13).",
    "g": "it is built into the kubelet and reports usage back towards the API (step 10).",
}

#: The names a learner may use for each component (compared without case, spaces, "-" or "_").
ALIASES: dict[str, tuple[str, ...]] = {
    "etcd": ("etcd",),
    "API server": ("apiserver", "kubeapiserver", "api"),
    "controller manager": ("controllermanager", "kubecontrollermanager", "controllers", "controller"),
    "scheduler": ("scheduler", "kubescheduler"),
    "kubelet": ("kubelet",),
    "kube-proxy": ("kubeproxy", "proxy"),
    "cAdvisor": ("cadvisor",),
    "kubectl": ("kubectl",),
    "container runtime": ("containerruntime", "runtime", "containerd", "docker", "crio"),
    "load balancer": ("loadbalancer", "lb"),
    "pod": ("pod", "pods", "container", "containers"),
}


def component_name(text: str) -> str | None:
    """The component a learner's spelling means ("kube-scheduler", "Scheduler" -> "scheduler"), or None."""
    key = "".join(ch for ch in text.lower() if ch.isalnum())
    for name, spellings in ALIASES.items():
        if key in spellings:
            return name
    return None


@exercise("00-which-component")
def check_which_component(answer: Any) -> Feedback:
    name = "00-which-component"
    letters = ", ".join(repr(letter) for letter in SITUATIONS)
    if not isinstance(answer, dict):
        return Feedback(
            name,
            False,
            f"answer should be a dict from each letter ({letters}) to a component name, "
            f"got a {type(answer).__name__}.",
        )
    unknown_keys = [key for key in answer if key not in SITUATIONS]
    if unknown_keys:
        return Feedback(
            name, False, f"{unknown_keys[0]!r} is not one of the situations; the letters are {letters}."
        )
    for letter, situation in SITUATIONS.items():
        if letter not in answer:
            return Feedback(name, False, f"({letter}) is missing: which component {situation}?")
        given = answer[letter]
        if given is ...:
            return Feedback(name, False, f"({letter}) still says ...: replace it with a component name.")
        if not isinstance(given, str):
            return Feedback(
                name,
                False,
                f'({letter}) should be a component\'s name as text, like "kubelet", got {given!r}.',
            )
        component = component_name(given)
        if component is None:
            known = ", ".join(sorted(ALIASES, key=str.lower))
            return Feedback(
                name, False, f"({letter}) {given!r} is not a component I know; choose from: {known}."
            )
        if component != COMPONENT_ANSWERS[letter]:
            return Feedback(
                name,
                False,
                f"({letter}) which component {situation}? Not the {component}. "
                f"Hint: {COMPONENT_HINTS[letter]}",
            )
    return Feedback(
        name,
        True,
        "all seven right. Notice that none of them calls another: "
        "each one watches the API server and writes back to it.",
    )


# -- 00-order-steps -------------------------------------------------------------

#: Six events of `kubectl apply -f web.yaml`, shuffled: the learner puts them in order.
EVENTS: dict[str, str] = {
    "A": "the scheduler writes a binding: pod web-1 goes to node-1",
    "B": "kubectl sends the Deployment to the API server",
    "C": "the container runtime starts web-1's containers",
    "D": "the API server saves the Deployment in etcd",
    "E": "node-1's kubelet sees pod web-1 bound to its node",
    "F": "the controller manager creates Pod objects for the Deployment",
}

#: The order they happen in (steps 4, 5, 6, 7, 8, 9).
EVENT_ORDER: tuple[str, ...] = ("B", "D", "F", "A", "E", "C")

#: Why each event cannot come before the one that precedes it.
EVENT_NEEDS: dict[str, str] = {
    "B": "nothing happens in the cluster until kubectl sends something to the API server.",
    "D": "the API server can only save the Deployment once kubectl has sent it.",
    "F": "controllers watch the API server, so they see the Deployment only after it is saved in etcd.",
    "A": "the scheduler can only place pods that exist, and something has to create the Pod objects first.",
    "E": "a kubelet only sees pods that are bound to its node, and only the scheduler writes that binding.",
    "C": "containers start only after the kubelet has seen a pod bound to its node and asked the runtime.",
}

ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth")


def _letters(answer: Any) -> list[str] | None:
    """The learner's order as a list of upper-case letters: "BDFAEC", "B D F A E C" or ["B", "D", ...]."""
    if isinstance(answer, str):
        return [ch.upper() for ch in answer if ch.isalpha()]
    if isinstance(answer, list | tuple) and all(isinstance(item, str) for item in answer):
        return [item.strip().upper() for item in answer]
    return None


@exercise("00-order-steps")
def check_order_steps(answer: Any) -> Feedback:
    name = "00-order-steps"
    letters = _letters(answer)
    if letters is None:
        return Feedback(
            name,
            False,
            f'answer should be the six letters in order, like "ABCDEF" or a list, got {answer!r}.',
        )
    unknown = [letter for letter in letters if letter not in EVENTS]
    if unknown:
        return Feedback(name, False, f"{unknown[0]!r} is not one of the events; use the letters A to F.")
    repeated = sorted({letter for letter in letters if letters.count(letter) > 1})
    if repeated:
        return Feedback(
            name, False, f"{repeated[0]} appears more than once; each event happens exactly once."
        )
    missing = [letter for letter in EVENT_ORDER if letter not in letters]
    if missing:
        return Feedback(
            name, False, f"{missing[0]} ({EVENTS[missing[0]]}) is missing; all six events happen, once each."
        )
    for position, (given, expected) in enumerate(zip(letters, EVENT_ORDER, strict=True)):
        if given != expected:
            right_so_far = f"the first {position} are right; " if position else ""
            return Feedback(
                name,
                False,
                f"{right_so_far}{given} ({EVENTS[given]}) cannot come {ORDINALS[position]}: "
                f"{EVENT_NEEDS[given]}",
            )
    return Feedback(
        name,
        True,
        "that is steps 4 to 9 in order. Each arrow is a watch: every component reacts to what the one "
        "before it wrote to the API server.",
    )
