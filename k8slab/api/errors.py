"""The API server's errors: a `Status` with Kubernetes' reason, HTTP code and message.

When kube-apiserver refuses a request it answers with a `Status` object:

    {"kind": "Status", "apiVersion": "v1", "status": "Failure",
     "message": "pods \\"web\\" not found", "reason": "NotFound",
     "details": {"name": "web", "kind": "pods"}, "code": 404}

and kubectl prints it as `Error from server (NotFound): pods "web" not found`.
Each reason is a class here so code can catch exactly what it expects
(`except Conflict: retry`), and `.status()` gives the object a real client
would receive. The message texts are Kubernetes' own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Cause:
    """One thing wrong with a request: a field path, a reason type, a message."""

    field: str
    type: str  # FieldValueRequired, FieldValueInvalid, ...
    message: str  # without the field path: "Required value", "Invalid value: ...: ..."

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class StatusError(Exception):
    """Base of every error the API server returns."""

    code = 500
    reason = "InternalError"

    def __init__(
        self, message: str, name: str = "", kind: str = "", group: str = "", causes: list | None = None
    ):
        super().__init__(message)
        self.message = message
        self.name = name
        self.kind = kind
        self.group = group
        self.causes: list[Cause] = list(causes or [])

    def status(self) -> dict[str, Any]:
        """The `Status` object kube-apiserver would send."""
        details: dict[str, Any] = {}
        if self.name:
            details["name"] = self.name
        if self.group:
            details["group"] = self.group
        if self.kind:
            details["kind"] = self.kind
        if self.causes:
            details["causes"] = [
                {"reason": c.type, "message": c.message, "field": c.field} for c in self.causes
            ]
        status: dict[str, Any] = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
        }
        if details:
            status["details"] = details
        status["code"] = self.code
        return status

    def kubectl(self) -> str:
        """How kubectl prints this error."""
        return f"Error from server ({self.reason}): {self.message}"


class BadRequest(StatusError):
    code = 400
    reason = "BadRequest"


class Unauthorized(StatusError):
    code = 401
    reason = "Unauthorized"


class Forbidden(StatusError):
    code = 403
    reason = "Forbidden"


class NotFound(StatusError):
    code = 404
    reason = "NotFound"


class MethodNotAllowed(StatusError):
    code = 405
    reason = "MethodNotAllowed"


class AlreadyExists(StatusError):
    code = 409
    reason = "AlreadyExists"


class Conflict(StatusError):
    code = 409
    reason = "Conflict"


class Expired(StatusError):
    """410 Gone: a watch or list asked for a resourceVersion that compaction removed."""

    code = 410
    reason = "Expired"


class Invalid(StatusError):
    """422: the object breaks validation; every cause is reported at once."""

    code = 422
    reason = "Invalid"

    def kubectl(self) -> str:
        """kubectl names the kind without its group: `The Deployment "web" is invalid: ...`."""
        qualified = f"{self.kind}.{self.group}" if self.group else self.kind
        if self.kind and self.message.startswith(f"{qualified} "):
            return f"The {self.kind}{self.message[len(qualified):]}"
        return f"The {self.message}"


class InternalError(StatusError):
    code = 500
    reason = "InternalError"


@dataclass
class ErrorList:
    """Collects validation causes with their field paths, then raises them all at once."""

    causes: list[Cause] = field(default_factory=list)

    def required(self, path: str, detail: str = "") -> None:
        self.causes.append(
            Cause(path, "FieldValueRequired", "Required value" + (f": {detail}" if detail else ""))
        )

    def invalid(self, path: str, value: Any, detail: str) -> None:
        self.causes.append(Cause(path, "FieldValueInvalid", f"Invalid value: {go_repr(value)}: {detail}"))

    def not_supported(self, path: str, value: Any, supported: list[str]) -> None:
        allowed = ", ".join(f'"{s}"' for s in supported)
        self.causes.append(
            Cause(
                path,
                "FieldValueNotSupported",
                f"Unsupported value: {go_repr(value)}: supported values: {allowed}",
            )
        )

    def duplicate(self, path: str, value: Any) -> None:
        self.causes.append(Cause(path, "FieldValueDuplicate", f"Duplicate value: {go_repr(value)}"))

    def forbidden(self, path: str, detail: str) -> None:
        self.causes.append(Cause(path, "FieldValueForbidden", f"Forbidden: {detail}"))

    def too_long(self, path: str, value: Any, limit: int) -> None:
        self.causes.append(Cause(path, "FieldValueTooLong", f"Too long: may not be more than {limit} bytes"))

    def __bool__(self) -> bool:
        return bool(self.causes)

    def extend(self, other: ErrorList) -> None:
        self.causes.extend(other.causes)


def go_repr(value: Any) -> str:
    """A value printed the way Kubernetes' field errors print it (Go's %q / %v / %#v)."""
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, list | dict):  # current Kubernetes prints composite values as JSON
        return json.dumps(value, separators=(",", ":"), sort_keys=True)
    return str(value)


def invalid(kind: str, name: str, group: str, errors: ErrorList) -> Invalid:
    """The 422 for `errors`: 'Pod "web" is invalid: spec.containers[0].image: Required value'.

    The message names the kind with its group, as kube-apiserver's does
    (`Deployment.apps "web" is invalid: ...`); details.kind is the bare kind.
    """
    messages = [str(c) for c in errors.causes]
    joined = messages[0] if len(messages) == 1 else "[" + ", ".join(messages) + "]"
    qualified = f"{kind}.{group}" if group else kind
    return Invalid(
        f'{qualified} "{name}" is invalid: {joined}', name=name, kind=kind, group=group, causes=errors.causes
    )
