"""The pod garbage collector (PodGC): deletes pods that no kubelet will ever clean up.

Upstream's `pkg/controller/podgc` runs every 20 s (`gcCheckPeriod`) and
looks for pods that have no one left to finish them:

* **orphaned pods**: bound (`spec.nodeName`) to a node that does not exist.
  A node name missing from the informer's cache is first *quarantined* for
  40 s and then asked for once more straight from the API server, so a
  node that is still registering does not lose its pods. The pod then gets
  the condition `DisruptionTarget=True` (reason `DeletionByPodGC`, message
  "PodGC: node no longer exists"), phase `Failed` if it had not finished,
  and is deleted at once (grace period 0): no kubelet would ever confirm
  that its containers stopped.
* **unscheduled terminating pods**: marked for deletion but never bound to
  a node; nothing would finish their deletion, so they are deleted at once.

Simplified, out loud: upstream also deletes terminated pods beyond
`--terminated-pod-gc-threshold` (12,500 by default, more than a lab holds)
and the terminating pods of nodes tainted `node.kubernetes.io/out-of-service`;
the lab does neither.
"""

from __future__ import annotations

from typing import Any

from k8slab.api.errors import NotFound, StatusError
from k8slab.client import Client, Informer, deep_copy, key_of

#: How often the collector looks (upstream's gcCheckPeriod).
GC_CHECK_PERIOD = 20.0
#: How long a node name missing from the cache waits before it is looked up again (quarantineTime).
QUARANTINE_TIME = 40.0


class PodGCController:
    """Deletes pods bound to nodes that no longer exist, and unscheduled pods stuck terminating."""

    def __init__(self, client: Client, pods: Informer | None = None, nodes: Informer | None = None,
                 period: float = GC_CHECK_PERIOD, quarantine: float = QUARANTINE_TIME):
        if period <= 0 or quarantine < 0:
            raise ValueError(f"period must be > 0 and quarantine >= 0, got {period}, {quarantine}")
        self.client = client
        self.loop = client.loop
        self.pods = pods if pods is not None else Informer(client, "pods")
        self.nodes = nodes if nodes is not None else Informer(client, "nodes")
        self.period = period
        self.quarantine = quarantine
        #: node name -> when it was first found missing (upstream's nodeQueue with a delay).
        self.missing_since: dict[str, float] = {}
        #: The pods this collector deleted, "namespace/name", in order.
        self.deleted: list[str] = []
        self._timer = None

    def __repr__(self) -> str:
        return f"PodGCController(deleted={len(self.deleted)})"

    def run(self) -> None:
        for informer in (self.pods, self.nodes):
            informer.run()
        if self._timer is None:
            self._timer = self.loop.call_later(self.period, self._tick)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _tick(self) -> None:
        self._timer = self.loop.call_later(self.period, self._tick)
        self.gc()

    def gc(self) -> None:
        """One pass: gcOrphaned, then gcUnscheduledTerminating."""
        pods = sorted(self.pods.list(), key=key_of)
        self.gc_orphaned(pods)
        for pod in pods:
            if pod["metadata"].get("deletionTimestamp") and not pod["spec"].get("nodeName"):
                self._delete(pod)

    def gc_orphaned(self, pods: list[dict]) -> None:
        now = self.loop.now
        known = {node["metadata"]["name"] for node in self.nodes.list()}
        missing = {pod["spec"].get("nodeName") for pod in pods} - known - {None, ""}
        for name in sorted(missing):
            self.missing_since.setdefault(name, now)
        for name in [n for n in self.missing_since if n not in missing]:
            del self.missing_since[name]  # it came (back), or its pods are gone
        gone = set()
        for name, since in sorted(self.missing_since.items()):
            if now - since < self.quarantine:
                continue
            try:
                self.client.get("nodes", name)  # one more look at the source of truth
            except NotFound:
                gone.add(name)
        for pod in pods:
            if pod["spec"].get("nodeName") in gone:
                self._fail_and_delete(pod)

    def _fail_and_delete(self, pod: dict) -> None:
        """markFailedAndDeletePodWithCondition: say why in the pod's status, then delete it for good."""
        status = pod.get("status") or {}
        updated = deep_copy(pod)
        updated_status = updated.setdefault("status", {})
        if status.get("phase") not in ("Succeeded", "Failed"):
            updated_status["phase"] = "Failed"
        conditions = [c for c in updated_status.get("conditions") or []
                      if c.get("type") != "DisruptionTarget"]
        conditions.append({
            "type": "DisruptionTarget",
            "status": "True",
            "reason": "DeletionByPodGC",
            "message": "PodGC: node no longer exists",
            "lastTransitionTime": self.loop.timestamp(),
        })
        updated_status["conditions"] = conditions
        try:
            self.client.update_status(updated)
        except StatusError:
            pass  # gone or changed meanwhile: the deletion below still applies
        self._delete(pod)

    def _delete(self, pod: dict) -> None:
        meta = pod["metadata"]
        try:
            self.client.delete("pods", meta["name"], meta.get("namespace"), grace_period_seconds=0)
        except NotFound:
            return
        self.deleted.append(f"{meta.get('namespace', '')}/{meta['name']}")


def start_pod_gc_controller(ctx: Any) -> PodGCController:
    """The controller manager's start function (upstream's newPodGarbageCollectorControllerDescriptor)."""
    return PodGCController(ctx.client, pods=ctx.informer_factory.informer("pods"),
                           nodes=ctx.informer_factory.informer("nodes"))


__all__ = ["GC_CHECK_PERIOD", "PodGCController", "QUARANTINE_TIME", "start_pod_gc_controller"]
