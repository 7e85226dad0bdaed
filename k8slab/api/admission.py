"""Admission: the last gate before an object is stored (notebook 02).

After a request is authenticated and authorised, and its object decoded and
defaulted, kube-apiserver runs two chains of admission plugins:

1. **mutating** plugins, which may change the object (add a default
   toleration, fill in a priority from a PriorityClass, inject a sidecar);
2. then the object is **validated**;
3. then **validating** plugins, which may only say yes or no.

Only then is the object written to etcd. A learner adds a plugin with a plain
Python function:

    def require_limits(request):
        for c in request.object["spec"].get("containers", []):
            if "limits" not in c.get("resources", {}):
                return f"container {c['name']!r} has no resource limits"   # deny
        return None                                                        # allow

    api.admission.add_validating("require-limits", require_limits)

A validating hook denies by returning a message (or raising `Denied`); a
mutating hook changes `request.object` in place. The denial reads as a
webhook's does: `admission webhook "require-limits" denied the request: ...`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from k8slab.api.errors import Forbidden, StatusError


class Denied(Exception):
    """Raise from a hook to refuse the request with this message."""


@dataclass
class AdmissionRequest:
    """What a hook sees: the operation, what it is about, and the objects."""

    operation: str  # CREATE, UPDATE, DELETE
    kind: str
    resource: str
    namespace: str
    name: str
    object: dict[str, Any] | None
    old_object: dict[str, Any] | None = None
    subresource: str = ""
    user: str = "kubernetes-admin"


Hook = Callable[[AdmissionRequest], Any]


@dataclass
class Plugin:
    name: str
    hook: Hook
    operations: tuple[str, ...] = ("CREATE", "UPDATE")
    kinds: tuple[str, ...] = ()  # empty: every kind


@dataclass
class AdmissionChain:
    mutating: list[Plugin] = field(default_factory=list)
    validating: list[Plugin] = field(default_factory=list)

    def add_mutating(self, name: str, hook: Hook, operations=("CREATE", "UPDATE"), kinds=()) -> None:
        self._check_new(name)
        self.mutating.append(Plugin(name, hook, tuple(operations), tuple(kinds)))

    def add_validating(self, name: str, hook: Hook, operations=("CREATE", "UPDATE"), kinds=()) -> None:
        self._check_new(name)
        self.validating.append(Plugin(name, hook, tuple(operations), tuple(kinds)))

    def remove(self, name: str) -> None:
        """Take a plugin out of the chain (by the name it was added with)."""
        before = len(self.mutating) + len(self.validating)
        self.mutating = [p for p in self.mutating if p.name != name]
        self.validating = [p for p in self.validating if p.name != name]
        if before == len(self.mutating) + len(self.validating):
            raise KeyError(f"no admission plugin named {name!r}")

    def names(self) -> dict[str, list[str]]:
        return {"mutating": [p.name for p in self.mutating], "validating": [p.name for p in self.validating]}

    def run_mutating(self, request: AdmissionRequest) -> None:
        for plugin in self._applicable(self.mutating, request):
            self._call(plugin, request)

    def run_validating(self, request: AdmissionRequest) -> None:
        for plugin in self._applicable(self.validating, request):
            self._call(plugin, request)

    def _check_new(self, name: str) -> None:
        if not isinstance(name, str) or not name:
            raise ValueError(f"an admission plugin needs a non-empty name, got {name!r}")
        if any(p.name == name for p in self.mutating + self.validating):
            raise ValueError(f"an admission plugin named {name!r} is already registered")

    @staticmethod
    def _applicable(plugins: list[Plugin], request: AdmissionRequest) -> list[Plugin]:
        return [
            p
            for p in plugins
            if request.operation in p.operations and (not p.kinds or request.kind in p.kinds)
        ]

    @staticmethod
    def _call(plugin: Plugin, request: AdmissionRequest) -> None:
        try:
            verdict = plugin.hook(request)
        except Denied as denial:
            raise Forbidden(f'admission webhook "{plugin.name}" denied the request: {denial}') from None
        except StatusError:
            raise
        except Exception as error:  # a broken hook fails the request, not the server
            raise Forbidden(
                f'admission webhook "{plugin.name}" failed: {type(error).__name__}: {error}'
            ) from None
        if isinstance(verdict, str) and verdict:
            raise Forbidden(f'admission webhook "{plugin.name}" denied the request: {verdict}')
        if verdict is False:
            raise Forbidden(f'admission webhook "{plugin.name}" denied the request without explanation')


# -- built-in plugins (the ones every cluster runs) ---------------------------------

NOT_READY_TAINT = "node.kubernetes.io/not-ready"
UNREACHABLE_TAINT = "node.kubernetes.io/unreachable"
DEFAULT_TOLERATION_SECONDS = 300


def default_toleration_seconds(request: AdmissionRequest) -> None:
    """DefaultTolerationSeconds: pods tolerate a not-ready or unreachable node for 300 s, then are evicted.

    It runs on create and on update (so a pod replaced by its manifest keeps
    them), and leaves a pod alone that already tolerates the taint: by its key,
    or by an empty key or an empty effect, which match every taint.
    """
    if request.operation not in ("CREATE", "UPDATE") or request.kind != "Pod" or request.subresource:
        return
    tolerations = request.object.setdefault("spec", {}).setdefault("tolerations", [])
    if not isinstance(tolerations, list):
        return  # validation reports it
    for key in (NOT_READY_TAINT, UNREACHABLE_TAINT):
        if not any(_tolerates_no_execute(t, key) for t in tolerations):
            tolerations.append(
                {
                    "key": key,
                    "operator": "Exists",
                    "effect": "NoExecute",
                    "tolerationSeconds": DEFAULT_TOLERATION_SECONDS,
                }
            )


def _tolerates_no_execute(toleration: object, key: str) -> bool:
    return (
        isinstance(toleration, dict)
        and toleration.get("key") in (key, "", None)
        and toleration.get("effect") in ("NoExecute", "", None)
    )
