"""Events: the short notes components leave on objects ("Created pod: web-7xk2p").

Built in notebook 03. `kubectl describe` lists them at the bottom, and
`kubectl get events` shows them all. An Event is an ordinary API object
(core/v1 Event) in the namespace of the object it is about, written by the
component that saw something happen: here the controller manager's
controllers and the scheduler.

What upstream's `tools/record` adds, and this recorder keeps: *aggregation*.
A controller that fails the same way every few seconds does not write a new
Event each time; the recorder finds the Event it wrote before for the same
object, reason and message, and raises its `count` and `lastTimestamp`
(`kubectl get events` shows "5 (x12 over 2m)"). What it leaves out:
upstream's rate limiting (a token bucket per object) and the similar-event
aggregation that folds *different* messages into "(combined from similar
events)".
"""

from __future__ import annotations

from collections import OrderedDict

from k8slab.api.errors import AlreadyExists, NotFound, StatusError
from k8slab.client import Client

NORMAL = "Normal"
WARNING = "Warning"

#: How many recent events the recorder remembers for aggregation (upstream's maxLruCacheEntries).
MAX_LRU_CACHE_ENTRIES = 4096


class EventRecorder:
    """Writes core/v1 Events through the API on behalf of one component (client-go's EventRecorder).

        recorder = EventRecorder(client, "replicaset-controller")
        recorder.event(rs, "Normal", "SuccessfulCreate", "Created pod: web-7xk2p")

    An event that cannot be written is dropped (upstream logs it): a
    controller must never fail because its diary is full.
    """

    def __init__(self, client: Client, component: str):
        if not isinstance(client, Client):
            raise TypeError(f"an EventRecorder needs a k8slab.client.Client, got {type(client).__name__}")
        self.client = client
        self.loop = client.loop
        self.component = component
        #: (object, type, reason, message) -> (namespace, name) of the Event written for it, most recent last.
        self.cache: OrderedDict[tuple, tuple[str, str]] = OrderedDict()
        #: Events the API server refused (what upstream would log).
        self.dropped: list[tuple[dict, StatusError]] = []
        self._last_nanos = 0

    def event(self, obj: dict, type: str, reason: str, message: str) -> dict | None:
        """Record that `reason` happened to `obj`; returns the Event as stored (None if it was dropped)."""
        if type not in (NORMAL, WARNING):
            raise ValueError(f'event type must be "Normal" or "Warning", got {type!r}')
        involved = object_reference(obj)
        key = (
            involved["kind"], involved.get("namespace", ""), involved["name"], involved.get("uid", ""),
            type, reason, message,
        )
        try:
            if key in self.cache:
                stored = self._bump(key)
                if stored is not None:
                    return stored
            return self._create(key, involved, type, reason, message)
        except StatusError as error:
            self.dropped.append((obj, error))
            return None

    def eventf(self, obj: dict, type: str, reason: str, message_format: str, *args: object) -> dict | None:
        """`event` with a printf-style message, as client-go's Eventf."""
        return self.event(obj, type, reason, message_format % args if args else message_format)

    def _create(self, key: tuple, involved: dict, type: str, reason: str, message: str) -> dict:
        now = self.loop.timestamp()
        namespace = involved.get("namespace") or "default"  # cluster-wide objects: events go to "default"
        event = {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": f"{involved['name']}.{self._suffix()}", "namespace": namespace},
            "involvedObject": involved,
            "reason": reason,
            "message": message,
            "source": {"component": self.component},
            "firstTimestamp": now,
            "lastTimestamp": now,
            "count": 1,
            "type": type,
            "reportingComponent": self.component,
            "reportingInstance": "",
        }
        for _ in range(8):
            try:
                stored = self.client.create(event)
                break
            except AlreadyExists:  # another recorder named an event for this object in the same nanosecond
                event["metadata"]["name"] = f"{involved['name']}.{self._suffix()}"
        else:
            raise AlreadyExists(f'events "{event["metadata"]["name"]}" already exists')
        self.cache[key] = (namespace, stored["metadata"]["name"])
        while len(self.cache) > MAX_LRU_CACHE_ENTRIES:
            self.cache.popitem(last=False)
        return stored

    def _bump(self, key: tuple) -> dict | None:
        """The same thing happened again: count it on the Event written before (None if that one is gone)."""
        namespace, name = self.cache[key]
        try:
            event = self.client.get("events", name, namespace=namespace)
        except NotFound:
            del self.cache[key]
            return None
        event["count"] = event.get("count", 1) + 1
        event["lastTimestamp"] = self.loop.timestamp()
        self.cache.move_to_end(key)
        return self.client.update(event)

    def _suffix(self) -> str:
        """The virtual time in Unix nanoseconds, in hex (16 characters), as upstream names events.

        Not drawn from the loop's random generator: recording an event must
        not change the random choices of the components (the scheduler's
        tie-breaks) that share it. Two events in the same nanosecond get
        consecutive numbers.
        """
        nanos = round(self.loop.datetime().timestamp() * 1e9)
        self._last_nanos = max(nanos, self._last_nanos + 1)
        return f"{self._last_nanos:016x}"


def object_reference(obj: dict) -> dict:
    """The involvedObject of an event about `obj` (upstream's ref.GetReference)."""
    meta = obj.get("metadata", {})
    ref = {"kind": obj.get("kind", ""), "name": meta.get("name", "")}
    if meta.get("namespace"):
        ref["namespace"] = meta["namespace"]
    for field_name, value in (
        ("uid", meta.get("uid")),
        ("apiVersion", obj.get("apiVersion")),
        ("resourceVersion", meta.get("resourceVersion")),
    ):
        if value:
            ref[field_name] = value
    return ref


__all__ = ["EventRecorder", "NORMAL", "WARNING", "object_reference"]
