"""Exercises of notebook 02, the API server: status codes, an admission hook, retry on conflict."""

from __future__ import annotations

import copy
from typing import Any

from k8slab.api.errors import StatusError
from k8slab.api.server import APIServer
from k8slab.exercises.core import Feedback, exercise


def pod(name: str, containers: list[dict] | None = None) -> dict:
    containers = containers if containers is not None else [{"name": "web", "image": "nginx:1.27"}]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": {"containers": containers}}


def limited(name: str, cpu: str | None = "500m", memory: str | None = "128Mi") -> dict:
    limits = {k: v for k, v in (("cpu", cpu), ("memory", memory)) if v is not None}
    return {"name": name, "image": "nginx:1.27", "resources": {"limits": limits}}


# -- exercise 1: which HTTP code? ------------------------------------------------------


def http_code_requests() -> dict[str, tuple[str, Any]]:
    """The six requests of the exercise, as (description, function of an APIServer)."""

    def stale_update(api: APIServer) -> Any:
        first = api.get("pods", "web")
        second = api.get("pods", "web")
        first["metadata"]["labels"] = {"by": "first"}
        api.update(first)
        second["metadata"]["labels"] = {"by": "second"}
        return api.update(second)

    return {
        "a": ("create pod web (it does not exist yet)", lambda api: api.create(pod("web"))),
        "b": ("create pod web again", lambda api: api.create(pod("web"))),
        "c": ("get pod nope", lambda api: api.get("pods", "nope")),
        "d": ("update pod web from a stale copy", stale_update),
        "e": (
            "create pod bad whose container has no image",
            lambda api: api.create(pod("bad", [{"name": "web"}])),
        ),
        "f": (
            "list pods with the label selector 'app in (web'",
            lambda api: api.list("pods", label_selector="app in (web"),
        ),
    }


def actual_codes() -> dict[str, int]:
    api = APIServer()
    codes = {}
    for letter, (_, request) in http_code_requests().items():
        try:
            request(api)
            codes[letter] = 201 if letter == "a" else 200  # only (a) creates something
        except StatusError as error:
            codes[letter] = error.code
    return codes


CODE_HINTS = {
    201: "a successful create answers 201 Created",
    200: "a successful read or update answers 200 OK",
    400: "a request the server cannot even parse is 400 Bad Request",
    404: "a name that does not exist is 404 Not Found",
    409: "409 Conflict covers both 'already exists' and 'the object has been modified'",
    422: "an object that fails validation is 422 Unprocessable Entity (reason Invalid)",
}


@exercise("02-http-codes")
def check_http_codes(answer: Any) -> Feedback:
    name = "02-http-codes"
    if not isinstance(answer, dict):
        return Feedback(name, False, f"answer with a dict from letter to code, got {type(answer).__name__}.")
    truth = actual_codes()
    missing = sorted(set(truth) - set(answer))
    if missing:
        return Feedback(name, False, f"give a code for every request; missing: {', '.join(missing)}.")
    requests = http_code_requests()
    for letter in sorted(truth):
        if answer[letter] != truth[letter]:
            return Feedback(
                name,
                False,
                f"({letter}) {requests[letter][0]}: not {answer[letter]!r}. "
                f"Hint: {CODE_HINTS[truth[letter]]}.",
            )
    return Feedback(
        name, True, "all six codes right: you can read an API server's answers like a client does."
    )


# -- exercise 2: an admission hook that requires limits ----------------------------------


ADMISSION_CASES = [
    ("a pod whose containers all set cpu and memory limits", pod("good", [limited("a"), limited("b")]), True),
    (
        "a pod with a container that sets no limits at all",
        pod("none", [limited("a"), {"name": "b", "image": "nginx:1.27"}]),
        False,
    ),
    ("a pod whose container limits cpu but not memory", pod("half", [limited("a", memory=None)]), False),
    (
        "a pod whose container has an empty resources: {}",
        pod("empty", [{"name": "a", "image": "nginx:1.27", "resources": {}}]),
        False,
    ),
]


@exercise("02-require-limits")
def check_require_limits(hook: Any) -> Feedback:
    name = "02-require-limits"
    if not callable(hook):
        return Feedback(name, False, "pass your function itself: check('02-require-limits', require_limits).")
    for description, manifest, allowed in ADMISSION_CASES:
        api = APIServer()
        api.admission.add_validating("require-limits", hook, kinds=("Pod",))
        try:
            api.create(copy.deepcopy(manifest))
            was_allowed = True
            detail = ""
        except StatusError as error:
            was_allowed = False
            detail = error.message
        if "failed:" in detail:
            return Feedback(name, False, f"for {description} your hook raised an error: {detail}")
        if allowed and not was_allowed:
            return Feedback(name, False, f"{description} should be allowed, but was denied: {detail}")
        if not allowed and was_allowed:
            return Feedback(
                name,
                False,
                f"{description} should be denied, but was stored. Hint: return a message (a non-empty str) "
                "to deny; check every container's resources.get('limits', {}) for both 'cpu' and 'memory'.",
            )
    return Feedback(
        name, True, "your hook lets good pods in and stops every pod without cpu and memory limits."
    )


# -- exercise 3: retry on conflict -------------------------------------------------------


class RacingAPI:
    """An API server where another client updates the pod right after the learner's first read."""

    def __init__(self, api: APIServer):
        self._api = api
        self.raced = False
        self.conflicts = 0

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._api, attribute)

    def get(self, resource: str, name: str, namespace: str | None = None) -> dict:
        result = self._api.get(resource, name, namespace)
        if not self.raced:
            self.raced = True
            other = self._api.get(resource, name, namespace)
            other["metadata"].setdefault("labels", {})["team"] = "blue"  # the other client's change
            self._api.update(other)
        return result

    def update(self, obj: dict, subresource: str = "") -> dict:
        try:
            return self._api.update(obj, subresource)
        except StatusError as error:
            if error.code == 409:
                self.conflicts += 1
            raise


@exercise("02-retry-on-conflict")
def check_retry_on_conflict(add_label: Any) -> Feedback:
    name = "02-retry-on-conflict"
    if not callable(add_label):
        return Feedback(name, False, "pass your function itself: check('02-retry-on-conflict', add_label).")
    api = APIServer()
    api.create(pod("web"))
    racing = RacingAPI(api)
    try:
        add_label(racing, "web", "tier", "frontend")
    except StatusError as error:
        return Feedback(
            name,
            False,
            f"your function gave up with {error.reason} ({error.code}): {error.message}. Hint: catch the "
            "Conflict (error.code == 409), get the pod again, and repeat the change.",
        )
    labels = api.get("pods", "web")["metadata"].get("labels") or {}
    if not racing.raced:
        return Feedback(name, False, "your function never read the pod with api.get('pods', name).")
    if labels.get("tier") != "frontend":
        return Feedback(name, False, f"the pod's labels are {labels}: the label tier=frontend is missing.")
    if labels.get("team") != "blue":
        return Feedback(name, False, "your write erased the other client's label team=blue.")
    return Feedback(
        name,
        True,
        f"the first update met a Conflict ({racing.conflicts} in all), and the retry kept both changes: "
        f"{labels}.",
    )
