"""The API server: Kubernetes' verbs over the etcd store (built in notebook 02).

Every component of a cluster (kubectl, the scheduler, the controllers, each
kubelet) reads and writes through this one door; none of them touches etcd.
A request names a **verb** (create, get, list, update, patch, delete, watch),
a **resource** (pods), a **namespace** (default) and a **name** (web). For a
write, the API server then:

1. decodes the object and fills in **defaults** (`k8slab.api.defaults`);
2. runs the **mutating admission** plugins (`k8slab.api.admission`);
3. **validates** it, reporting every problem at once (`k8slab.api.validation`);
4. runs the **validating admission** plugins;
5. stores it in etcd with a **transaction** that makes it safe: a create only
   if the key is absent, an update only if the object is still at the
   `resourceVersion` the client read (otherwise 409 Conflict).

`resourceVersion` is nothing but etcd's `mod_revision` of the object's key,
and a watch is an etcd watch on the resource's key prefix, translated into
ADDED / MODIFIED / DELETED events.

What the lab leaves out, and says so in notebook 02: authentication and
authorisation (every request is the cluster admin), API groups' versions
other than the one modelled per kind, server-side apply, pagination with
`continue` tokens, and the watch cache (lists are served from etcd, with a
decode cache so they stay fast).
"""

from __future__ import annotations

import copy
import ipaddress
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from k8slab.api import defaults as defaulting
from k8slab.api import validation
from k8slab.api.admission import AdmissionChain, AdmissionRequest, default_toleration_seconds
from k8slab.api.errors import (
    AlreadyExists,
    BadRequest,
    Conflict,
    ErrorList,
    Expired,
    Forbidden,
    InternalError,
    Invalid,
    NotFound,
    StatusError,
    invalid,
)
from k8slab.api.kinds import ResourceInfo, for_kind, lookup
from k8slab.api.patch import PatchError, json_merge_patch, json_patch, strategic_merge_patch
from k8slab.api.schema import unknown_fields
from k8slab.api.selectors import object_fields, parse_field_selector, parse_selector
from k8slab.store import Compacted, Delete, Put, Store, mod_revision, version

SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
#: Kinds whose metadata.generation counts changes to spec (what controllers' observedGeneration follows).
GENERATION_KINDS = ("Pod", "ReplicaSet", "Deployment")
#: The alphabet Kubernetes draws generateName suffixes from: no vowels, no look-alike digits.
NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
PATCH_TYPES = {
    "strategic": "application/strategic-merge-patch+json",
    "merge": "application/merge-patch+json",
    "json": "application/json-patch+json",
}


@dataclass
class Request:
    """One entry of the API server's request log (what notebook 02's widget shows)."""

    time: float
    verb: str
    resource: str
    namespace: str
    name: str
    code: int
    user: str = "kubernetes-admin"
    message: str = ""


@dataclass
class WatchEvent:
    type: str  # ADDED, MODIFIED, DELETED
    object: dict[str, Any]

    def __getitem__(self, key: str) -> Any:  # so it reads like the JSON a client receives
        return {"type": self.type, "object": self.object}[key]


@dataclass(eq=False)
class APIWatch:
    """A watch on a resource: `events` collects what arrived, or `callback` gets each event.

    Events wait in the watch's own queue until the loop delivers them, in the
    order the changes were written, each exactly once.
    """

    resource: str
    namespace: str | None
    callback: Callable[[WatchEvent], Any] | None
    events: list[WatchEvent] = field(default_factory=list)
    stopped: bool = False
    _stop: Callable[[], None] | None = field(default=None, repr=False)
    _labels: Any = field(default=None, repr=False)
    _fields: Any = field(default=None, repr=False)
    _prefix: str = field(default="", repr=False)
    _seq: int = field(default=0, repr=False)  # order of registration: watches are served in this order
    _pending: list[WatchEvent] = field(default_factory=list, repr=False)
    _scheduled: bool = field(default=False, repr=False)
    _loop: Any = field(default=None, repr=False)

    def stop(self) -> None:
        if not self.stopped and self._stop is not None:
            self._stop()
        self.stopped = True
        self._pending.clear()

    def selects(self, obj: dict | None) -> bool:
        """Whether `obj` (a state of an object, or None for no object) matches the watch's selectors."""
        if obj is None:
            return False
        if self._labels is not None and not self._labels.matches(obj["metadata"].get("labels") or {}):
            return False
        return self._fields is None or self._fields.matches(object_fields(obj))

    def _queue(self, event_type: str, obj: dict) -> None:
        self._pending.append(WatchEvent(event_type, obj))
        if not self._scheduled:
            self._scheduled = True
            self._loop.call_soon(self._deliver)

    def _deliver(self) -> None:
        self._scheduled = False
        pending, self._pending = self._pending, []
        for index, event in enumerate(pending):
            if self.stopped:  # a callback may stop its own watch
                return
            if self.callback is None:
                self.events.append(event)
                continue
            try:
                self.callback(event)
            except Exception:
                # The loop records the error; the later events are still owed to this watch.
                if not self.stopped and index + 1 < len(pending):
                    self._pending[:0] = pending[index + 1 :]
                    if not self._scheduled:
                        self._scheduled = True
                        self._loop.call_soon(self._deliver)
                raise


#: Fields a watch cache indexes its watchers by, per resource, as kube-apiserver's does for pods
#: (a kubelet watches `spec.nodeName=<its node>`; with 5,000 nodes, asking 5,000 watchers about
#: every pod would cost more than the rest of the API server).
INDEXED_FIELDS: dict[str, tuple[str, Callable[[dict], str]]] = {
    "pods": ("spec.nodeName", lambda pod: (pod.get("spec") or {}).get("nodeName") or ""),
}


class WatchCache:
    """Serves every watch from one stream of the store's events (kube-apiserver's cacher, in small).

    For each write the cache finds the watches that may care: every watch
    of the resource that has no indexed field selector, plus, through an
    index, the watches whose `spec.nodeName=<node>` names the node the pod
    was on before or after the write. A watch that matches neither is not
    asked at all. For each watch asked, the old and new states are compared
    with its selectors: now matching and before not is ADDED, both is
    MODIFIED, before and not now is DELETED.

    What the lab simplifies: upstream's cache also serves lists and keeps a
    window of recent events for watches that resume; here lists read etcd
    (through the API server's decode cache) and a resumed watch replays the
    store's history.
    """

    def __init__(self, api: APIServer):
        self.api = api
        self._seq = 0
        self._unindexed: dict[str, dict[APIWatch, None]] = {}  # resource -> watches, in order
        self._indexed: dict[str, dict[str, dict[APIWatch, None]]] = {}  # resource -> value -> watches
        api.store.add_listener(self.on_store_event)

    def count(self) -> int:
        indexed = sum(len(ws) for values in self._indexed.values() for ws in values.values())
        return sum(len(ws) for ws in self._unindexed.values()) + indexed

    def _index_value(self, watch: APIWatch) -> str | None:
        indexed = INDEXED_FIELDS.get(watch.resource)
        if indexed is None or watch._fields is None:
            return None
        return watch._fields.requires_exact_match(indexed[0])

    def add(self, watch: APIWatch) -> None:
        self._seq += 1
        watch._seq = self._seq
        watch._loop = self.api.loop
        value = self._index_value(watch)
        if value is None:
            self._unindexed.setdefault(watch.resource, {})[watch] = None
        else:
            self._indexed.setdefault(watch.resource, {}).setdefault(value, {})[watch] = None
        watch._stop = lambda: self.remove(watch, value)

    def remove(self, watch: APIWatch, value: str | None) -> None:
        if value is None:
            self._unindexed.get(watch.resource, {}).pop(watch, None)
        else:
            by_value = self._indexed.get(watch.resource, {})
            watches = by_value.get(value)
            if watches is not None:
                watches.pop(watch, None)
                if not watches:
                    del by_value[value]

    def on_store_event(self, event) -> None:
        """Told by the store inside each write: queue the event on every watch it concerns.

        It must not fail inside etcd's write: a value that is not an API object
        (a learner's raw `store.put` under /registry/) is reported from the loop.
        """
        try:
            self._dispatch(event)
        except Exception as error:
            self.api.loop.call_soon(_report, event.kv.key, error)

    def _dispatch(self, event) -> None:
        key = event.kv.key
        if not key.startswith("/registry/"):
            return
        resource = key[10 : key.find("/", 10)]
        unindexed = self._unindexed.get(resource)
        by_value = self._indexed.get(resource)
        if not unindexed and not by_value:
            return
        known = self.api._decoded.get(key)  # the previous state, if it was decoded already
        prev = event.prev_kv
        if known is not None and prev is not None and known[0] != prev.mod_revision:
            replaced = self.api._replaced  # the API server put the new state in place already
            known = replaced[1] if replaced is not None and replaced[0] == key else None
        if known is not None and (prev is None or known[0] != prev.mod_revision):
            known = None
        old_state = _Lazy(self.api, event, known[1] if known is not None else None)
        new = self.api._cached(event.kv) if event.type == "PUT" else None
        candidates: Any = unindexed or ()
        if by_value:
            value_of = INDEXED_FIELDS[resource][1]
            hits: dict[APIWatch, None] = {}
            if new is not None:
                hits.update(by_value.get(value_of(new), {}))
            old = old_state.old()
            if old is not None:
                hits.update(by_value.get(value_of(old), {}))
            if hits:
                candidates = sorted([*candidates, *hits], key=_registration) if candidates else hits
        if not candidates:
            return
        for watch in list(candidates):
            if key.startswith(watch._prefix):
                self.deliver(watch, new, old_state)

    def offer(self, watch: APIWatch, event, new: dict | None) -> None:
        """One event of the store's history, for a watch that resumes from a resourceVersion."""
        self.deliver(watch, new, _Lazy(self.api, event, None))

    def deliver(self, watch: APIWatch, new: dict | None, old_state: _Lazy) -> None:
        if watch.stopped:
            return
        if watch._labels is None and watch._fields is None:  # no selectors: only whether it exists
            was, now = old_state.existed(), new is not None
        else:
            was, now = watch.selects(old_state.old()), watch.selects(new)
        if now:
            watch._queue("MODIFIED" if was else "ADDED", new)
        elif was:
            # Deleted, or moved out of the selectors: the last state the watch matched, stamped with the
            # resourceVersion of the change (kube-apiserver's cacher does the same).
            watch._queue("DELETED", old_state.gone())


def _report(key: str, error: Exception) -> None:
    raise RuntimeError(f"the watch cache could not read {key}: {error}")


def _registration(watch: APIWatch) -> int:
    return watch._seq


class _Lazy:
    """The previous state of an event's object, decoded only if a watch needs it (once per event)."""

    __slots__ = ("api", "event", "_old", "_gone")

    def __init__(self, api: APIServer, event, known: dict | None):
        self.api, self.event = api, event
        self._old, self._gone = known, None

    def old(self) -> dict | None:
        if self._old is None and self.event.prev_kv is not None:
            self._old = self.api._cached(self.event.prev_kv)
        return self._old

    def existed(self) -> bool:
        return self.event.prev_kv is not None

    def gone(self) -> dict:
        """The last state, stamped with the resourceVersion of the change that took it away.

        A new top level and metadata over the shared last state: shared objects are never changed.
        """
        if self._gone is None:
            old = self.old()
            gone = dict(old)
            gone["metadata"] = dict(old["metadata"], resourceVersion=str(self.event.kv.mod_revision))
            self._gone = gone
        return self._gone


#: Per kind, string fields whose values differ from one object to the next (names, uids, times,
#: messages, IPs, label values). Go's decoder only checks that they are strings, and unknown-field
#: warnings look at keys, so two objects that differ only there decode alike: the API server remembers
#: the answer for the rest. "*" is every item of a list, or every value of a map.
_META = (("metadata", "name"), ("metadata", "uid"), ("metadata", "creationTimestamp"),
         ("metadata", "resourceVersion"), ("metadata", "labels", "*"),
         ("metadata", "ownerReferences", "*", "name"), ("metadata", "ownerReferences", "*", "uid"))
_CONTAINER_STATE = tuple(
    (*at, *field) for at in (("state",), ("lastState",)) for field in (
        ("running", "startedAt"), ("terminated", "startedAt"), ("terminated", "finishedAt"),
        ("terminated", "containerID"), ("terminated", "message"), ("waiting", "message"))
)
VARIABLE_STRINGS: dict[str, tuple[tuple[str, ...], ...]] = {
    kind: (*_META, *extra)
    for kind, extra in {
        "Pod": (
            ("spec", "nodeName"), ("status", "podIP"), ("status", "hostIP"), ("status", "startTime"),
            ("status", "podIPs", "*", "ip"), ("status", "hostIPs", "*", "ip"),
            ("status", "conditions", "*", "lastTransitionTime"),
            ("status", "conditions", "*", "lastProbeTime"), ("status", "conditions", "*", "message"),
            *(("status", "containerStatuses", "*", *f) for f in (("containerID",), ("imageID",),
                                                                  *_CONTAINER_STATE)),
        ),
        "Event": (("involvedObject", "name"), ("involvedObject", "uid"),
                  ("involvedObject", "resourceVersion"), ("message",), ("firstTimestamp",),
                  ("lastTimestamp",)),
        "Lease": (("spec", "renewTime"), ("spec", "acquireTime"), ("spec", "holderIdentity")),
        "ReplicaSet": (("spec", "selector", "matchLabels", "*"),
                       ("spec", "template", "metadata", "labels", "*")),
    }.items()
}
MAX_REMEMBERED_SHAPES = 4096
#: What differs between a new pod and its template-mates when it is validated on create.
POD_CREATE_VARIABLES = (("metadata", "name"), ("metadata", "uid"), ("metadata", "creationTimestamp"))


def _string_paths_are_strings() -> None:
    """Make sure every path above is a string field in the kind's schema (else the memo would be wrong)."""
    from k8slab.api import schema

    for kind, paths in VARIABLE_STRINGS.items():
        for path in paths:
            type_ = schema.KIND_SCHEMAS[kind]
            for step in path:
                if step == "*":
                    type_ = type_.item if isinstance(type_, schema.ListOf) else type_.value
                else:
                    type_ = type_.fields[step].type
            assert type_ in (schema.STRING, schema.TIME, schema.MICRO_TIME), (kind, path)


_string_paths_are_strings()


def _shape_key(obj: dict, paths: tuple[tuple[str, ...], ...]) -> str:
    """The object's JSON with the variable strings blanked (the object is put back as it was)."""
    saved: list[tuple[Any, Any, str]] = []
    for path in paths:
        _blank(obj, path, saved)
    try:
        return json.dumps(obj, separators=(",", ":"))
    finally:
        for holder, name, value in reversed(saved):
            holder[name] = value


def _blank(holder: Any, path: tuple[str, ...], saved: list) -> None:
    step, rest = path[0], path[1:]
    if step == "*":
        if isinstance(holder, list):
            places = range(len(holder))
        elif isinstance(holder, dict):
            places = list(holder)
        else:
            return
    elif isinstance(holder, dict) and step in holder:
        places = (step,)
    else:
        return
    for place in places:
        value = holder[place]
        if rest:
            _blank(value, rest, saved)
        elif isinstance(value, str):
            saved.append((holder, place, value))
            holder[place] = ""


class ClusterIPAllocator:
    """Hands out Service IPs from the service CIDR, as kube-apiserver's allocator does.

    The first address is reserved for the `kubernetes` Service; others are
    picked at random (from the seeded generator, so runs agree).
    """

    def __init__(self, cidr: str, random):
        self.network = ipaddress.ip_network(cidr)
        self.random = random
        self.allocated: set[str] = set()

    def first(self) -> str:
        return str(self.network.network_address + 1)

    def allocate(self, requested: str | None = None) -> str:
        if requested:
            address = ipaddress.ip_address(requested)
            if address not in self.network:
                raise ValueError(
                    f"failed to allocate IP {requested}: the provided IP ({requested}) is not in the valid "
                    f"range. The range of valid IPs is {self.network}"
                )
            if requested in self.allocated:
                raise ValueError(f"failed to allocate IP {requested}: provided IP is already allocated")
            self.allocated.add(requested)
            return requested
        size = self.network.num_addresses - 2
        if len(self.allocated) >= size:
            raise ValueError("range is full")
        while True:
            candidate = str(self.network.network_address + 1 + self.random.randrange(size))
            if candidate not in self.allocated:
                self.allocated.add(candidate)
                return candidate

    def release(self, address: str) -> None:
        self.allocated.discard(address)


class APIServer:
    """kube-apiserver over a `Store`.

    >>> api = APIServer()
    >>> pod = api.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
    ...                   "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}})
    >>> pod["metadata"]["namespace"], pod["spec"]["restartPolicy"]
    ('default', 'Always')
    """

    def __init__(self, store: Store | None = None, service_cidr: str = "10.96.0.0/12"):
        self.store = store if store is not None else Store()
        self.loop = self.store.loop
        self.admission = AdmissionChain()
        self.admission.add_mutating("DefaultTolerationSeconds", default_toleration_seconds, kinds=("Pod",))
        self.admission.add_mutating("Priority", self._admit_priority, kinds=("Pod",))
        self.user = "kubernetes-admin"  # who the request being served is from; a Client sets it per call
        self.requests: list[Request] = []
        self.request_listeners: list[Callable[[Request], Any]] = []  # e.g. the request-log widget
        self.warnings: list[str] = []
        self.service_ips = ClusterIPAllocator(service_cidr, self.loop.random)
        from k8slab.net.nodeports import NodePortAllocator

        #: NodePorts (30000-32767) of NodePort and LoadBalancer Services.
        self.node_ports = NodePortAllocator(self.loop.random)
        # key -> (mod_revision, the object decoded once and shared[, its JSON, in a strict loop])
        self._decoded: dict[str, tuple] = {}
        self._replaced: tuple[str, tuple | None] | None = None  # see _write(shared=True)
        # objects that decode alike: their JSON with VARIABLE_STRINGS blanked -> unknown-field warnings
        self._shapes: dict[str, list[str]] = {}
        self._shape_warnings: tuple[dict, list[str]] | None = None  # the last decoded body's warnings
        self._valid_pods: dict[str, None] = {}  # new pods found valid, by _shape_key(POD_CREATE_VARIABLES)
        self.watch_cache = WatchCache(self)
        self._bootstrap()

    def __repr__(self) -> str:
        return f"APIServer(revision={self.store.revision}, requests={len(self.requests)})"

    # ------------------------------------------------------------------ verbs

    def create(self, obj: dict, namespace: str | None = None, dry_run: bool = False) -> dict:
        """Create an object; its name must be free (409 AlreadyExists otherwise)."""
        info, obj = self._decode(obj)
        ns = self._namespace_for(info, obj, namespace)
        name = obj["metadata"].get("name") or ""
        with self._logged("create", info, ns, name) as entry:
            self._check_namespace_active(info, ns)
            if not name and obj["metadata"].get("generateName"):
                name = self._generate_name(info, ns, obj["metadata"]["generateName"])
                obj["metadata"]["name"] = name
                entry.name = name
            self._warn_unknown(info, obj)
            self._prepare_for_create(info, obj)
            request = AdmissionRequest(
                "CREATE", info.kind, info.resource, ns or "", name, obj, user=self.user
            )
            self.admission.run_mutating(request)
            self._validate(info, obj)
            self.admission.run_validating(request)
            if dry_run:
                return obj
            self._allocate(info, obj)
            key = info.key(ns, name)
            result = self.store.txn(compare=[version(key) == 0], success=[Put(key, self._encode(obj))])
            if not result.succeeded:
                self._release(info, obj)
                raise AlreadyExists(
                    f'{info.qualified} "{name}" already exists', name, info.resource, info.group
                )
            obj["metadata"]["resourceVersion"] = str(result.revision)
            entry.code = 201
            return obj

    def get(self, resource: str, name: str, namespace: str | None = None) -> dict:
        """Read one object (404 NotFound if it does not exist)."""
        info = self._info(resource)
        ns = self._request_namespace(info, namespace)
        with self._logged("get", info, ns, name):
            kv = self.store.get(info.key(ns, self._check_name(name)))
            if kv is None:
                raise self._not_found(info, name)
            return self._fresh(kv)

    def list(
        self,
        resource: str,
        namespace: str | None = None,
        label_selector: str | None = None,
        field_selector: str | None = None,
    ) -> dict:
        """List objects of a resource, in one namespace or all (namespace=None), filtered by selectors."""
        info = self._info(resource)
        ns = namespace if info.namespaced else None
        with self._logged("list", info, ns or "", ""):
            labels, fields = self._selectors(info, label_selector, field_selector)
            result = self.store.range(info.prefix(ns), prefix=True)
            items = []
            for kv in result.kvs:
                obj = self._cached(kv)
                if labels is not None and not labels.matches(obj["metadata"].get("labels") or {}):
                    continue
                if fields is not None and not fields.matches(object_fields(obj)):
                    continue
                items.append(self._fresh(kv))
            return {
                "apiVersion": info.api_version,
                "kind": f"{info.kind}List",
                "metadata": {"resourceVersion": str(result.revision)},
                "items": items,
            }

    def update(self, obj: dict, subresource: str = "", dry_run: bool = False) -> dict:
        """Replace an object; with metadata.resourceVersion set, only if nobody changed it since (else 409).

        `dry_run=True` does everything (defaults, admission, validation) but the write.
        """
        info, obj = self._decode(obj)
        ns = self._namespace_for(info, obj, None)
        name = obj["metadata"].get("name") or ""
        verb = "update" if not subresource else f"update/{subresource}"
        with self._logged(verb, info, ns, name):
            return self._update(info, ns, name, obj, subresource, dry_run)

    def update_status(self, obj: dict) -> dict:
        """Write only the status (the status subresource): what controllers and kubelets use."""
        return self.update(obj, subresource="status")

    def patch(
        self,
        resource: str,
        name: str,
        patch: Any,
        patch_type: str = "strategic",
        namespace: str | None = None,
        subresource: str = "",
        dry_run: bool = False,
    ) -> dict:
        """Change part of an object: `strategic` (kubectl default), `merge` (RFC 7386), `json` (RFC 6902)."""
        info = self._info(resource)
        ns = self._request_namespace(info, namespace)
        verb = "patch" if not subresource else f"patch/{subresource}"
        with self._logged(verb, info, ns, name):
            if patch_type not in PATCH_TYPES:
                raise BadRequest(
                    f"unsupported patch type {patch_type!r}: use one of {', '.join(PATCH_TYPES)}"
                )
            kv = self.store.get(info.key(ns, self._check_name(name)))
            if kv is None:
                raise self._not_found(info, name)
            current = self._fresh(kv)
            try:
                if patch_type == "json":
                    patched = json_patch(current, patch)
                elif patch_type == "merge":
                    patched = json_merge_patch(current, patch)
                else:
                    patched = strategic_merge_patch(current, patch, info.kind)
            except PatchError as error:
                raise patch_failure(error, name, info) from None
            if not isinstance(patched, dict):
                raise BadRequest("the patched object is not a JSON object")
            for field_name in ("apiVersion", "kind"):  # the object stays what its key says it is
                if patched.get(field_name) != current.get(field_name):
                    raise BadRequest(f"{field_name} may not be changed by a patch")
            _, patched = self._decode(patched)  # a field of the wrong shape is a 400, as in any body
            meta_patch = patch.get("metadata") if isinstance(patch, dict) else None
            wanted = meta_patch.get("resourceVersion") if isinstance(meta_patch, dict) else None
            patched["metadata"]["resourceVersion"] = wanted or current["metadata"]["resourceVersion"]
            for field_name in ("name", "namespace"):
                if patched["metadata"].get(field_name) != current["metadata"].get(field_name):
                    raise BadRequest(f"metadata.{field_name} may not be changed by a patch")
            return self._update(info, ns, name, patched, subresource, dry_run)

    def delete(
        self,
        resource: str,
        name: str,
        namespace: str | None = None,
        grace_period_seconds: int | None = None,
        propagation_policy: str | None = None,
        dry_run: bool = False,
    ) -> dict:
        """Delete an object; returns it as last stored (`dry_run=True`: checks everything, deletes nothing).

        A pod that runs on a node is deleted *gracefully*: it gets a
        deletionTimestamp and stays (Terminating) until its kubelet has
        stopped the containers and confirms with a grace period of 0. An
        object with finalizers also stays until its finalizers are removed.
        """
        info = self._info(resource)
        ns = self._request_namespace(info, namespace)
        with self._logged("delete", info, ns, name):
            if propagation_policy not in (None, "Orphan", "Background", "Foreground"):
                raise BadRequest(
                    f'propagationPolicy: Unsupported value: "{propagation_policy}": supported values: '
                    '"Foreground", "Background", "Orphan"'
                )
            if grace_period_seconds is not None and (
                type(grace_period_seconds) is not int or grace_period_seconds < 0
            ):
                raise BadRequest(
                    f"gracePeriodSeconds must be a whole number >= 0, got {grace_period_seconds!r}"
                )
            key = info.key(ns, self._check_name(name))
            kv = self.store.get(key)
            if kv is None:
                raise self._not_found(info, name)
            obj = self._fresh(kv)
            request = AdmissionRequest(
                "DELETE", info.kind, info.resource, ns or "", name, None, obj, user=self.user
            )
            self.admission.run_mutating(request)
            self.admission.run_validating(request)
            if dry_run:
                return obj
            if info.kind == "Namespace":
                return self._delete_namespace(obj, kv.mod_revision)
            meta = obj["metadata"]
            finalizers = list(meta.get("finalizers") or [])
            if propagation_policy == "Foreground" and "foregroundDeletion" not in finalizers:
                finalizers.append("foregroundDeletion")
            if propagation_policy == "Orphan" and "orphan" not in finalizers:
                finalizers.append("orphan")
            grace = self._grace_period(info, obj, grace_period_seconds)
            if grace > 0 or finalizers:
                return self._mark_deleting(info, key, obj, kv.mod_revision, grace, finalizers)
            return self._remove(info, key, obj, kv.mod_revision)

    def watch(
        self,
        resource: str,
        namespace: str | None = None,
        label_selector: str | None = None,
        field_selector: str | None = None,
        resource_version: str | int | None = None,
        callback: Callable[[WatchEvent], Any] | None = None,
    ) -> APIWatch:
        """Watch a resource. Without a resourceVersion (or "0") you first get ADDED for what exists;
        from a resourceVersion you get every change after it (410 Expired if compacted away).

        An object that starts matching the selectors arrives as ADDED; one that
        stops matching as DELETED, carrying the last state that matched with
        the resourceVersion of the change, as kube-apiserver's watch cache does.
        """
        info = self._info(resource)
        ns = namespace if info.namespaced else None
        with self._logged("watch", info, ns or "", ""):
            labels, fields = self._selectors(info, label_selector, field_selector)
            rv = self._parse_resource_version(resource_version)
            watch = APIWatch(info.resource, ns, callback)
            watch._labels, watch._fields, watch._prefix = labels, fields, info.prefix(ns)
            if rv:
                try:
                    backlog = self.store.events(rv + 1)
                except Compacted as error:
                    raise Expired(f"too old resource version: {rv} ({error.compact_revision})") from None
                self.watch_cache.add(watch)
                for event in backlog:
                    if event.kv.key.startswith(watch._prefix):
                        new = self._cached(event.kv) if event.type == "PUT" else None
                        self.watch_cache.offer(watch, event, new)
            else:
                listed = self.store.range(info.prefix(ns), prefix=True)
                self.watch_cache.add(watch)
                for kv in listed.kvs:
                    obj = self._cached(kv)
                    if watch.selects(obj):
                        watch._queue("ADDED", obj)
            return watch

    def watch_count(self) -> int:
        """How many watches are open (the watch cache serves them all from one stream of etcd's events)."""
        return self.watch_cache.count()

    # -- subresources ----------------------------------------------------------------

    def get_scale(self, resource: str, name: str, namespace: str | None = None) -> dict:
        """The scale subresource: an `autoscaling/v1` Scale with spec.replicas and status.selector."""
        info = self._info(resource)
        if "scale" not in info.subresources:
            raise NotFound(f"the server could not find the requested resource ({info.resource}/scale)")
        obj = self.get(resource, name, namespace)
        return self._scale_of(info, obj)

    def update_scale(
        self, resource: str, name: str, replicas: int, namespace: str | None = None, dry_run: bool = False
    ) -> dict:
        """Set spec.replicas through the scale subresource (what `kubectl scale` does)."""
        info = self._info(resource)
        if "scale" not in info.subresources:
            raise NotFound(f"the server could not find the requested resource ({info.resource}/scale)")
        if type(replicas) is not int or replicas < 0:
            errors = ErrorList()
            errors.invalid("spec.replicas", replicas, "must be greater than or equal to 0")
            raise invalid("Scale", name, "autoscaling", errors)
        ns = self._request_namespace(info, namespace)
        with self._logged("patch/scale", info, ns, name):
            kv = self.store.get(info.key(ns, self._check_name(name)))
            if kv is None:
                raise self._not_found(info, name)
            obj = self._fresh(kv)
            obj.setdefault("spec", {})["replicas"] = replicas
            obj = self._update(info, ns, name, obj, "", dry_run)
        return self._scale_of(info, obj)

    def bind(self, namespace: str, pod_name: str, node_name: str) -> dict:
        """The binding subresource: what the scheduler writes to assign a pod to a node."""
        info = self._info("pods")
        with self._logged("create/binding", info, namespace, pod_name) as entry:
            if not node_name or not isinstance(node_name, str):
                errors = ErrorList()
                errors.required("target.name")
                raise invalid("Binding", pod_name, "", errors)
            key = info.key(namespace, pod_name)
            kv = self.store.get(key)
            if kv is None:
                raise self._not_found(info, pod_name)
            current = self._cached(kv)  # shared: read it, and build the bound pod beside it
            pod = dict(current)
            if pod["metadata"].get("deletionTimestamp"):
                raise Conflict(
                    f'Operation cannot be fulfilled on pods/binding "{pod_name}": '
                    f"pod {pod_name} is being deleted, "
                    "cannot be assigned to a host",
                    pod_name,
                    "pods/binding",
                )
            if pod["spec"].get("nodeName"):
                raise Conflict(
                    f'Operation cannot be fulfilled on pods/binding "{pod_name}": pod {pod_name} is already '
                    f'assigned to node "{pod["spec"]["nodeName"]}"',
                    pod_name,
                    "pods/binding",
                )
            pod["metadata"] = dict(current["metadata"])
            pod["spec"] = dict(current["spec"], nodeName=node_name)
            pod["status"] = dict(current.get("status") or {})
            conditions = [c for c in pod["status"].get("conditions", []) if c.get("type") != "PodScheduled"]
            conditions.append(
                {
                    "type": "PodScheduled",
                    "status": "True",
                    "lastProbeTime": None,
                    "lastTransitionTime": self.loop.timestamp(),
                }
            )
            pod["status"]["conditions"] = conditions
            self._write(info, key, pod, kv.mod_revision, shared=True)
            entry.code = 201
            return {
                "apiVersion": "v1",
                "kind": "Binding",
                "metadata": {"name": pod_name, "namespace": namespace},
                "target": {"apiVersion": "v1", "kind": "Node", "name": node_name},
            }

    # ------------------------------------------------------------------ internals

    def _bootstrap(self) -> None:
        for name in SYSTEM_NAMESPACES:
            self.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
        self.create(
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {
                    "name": "kubernetes",
                    "namespace": "default",
                    "labels": {"component": "apiserver", "provider": "kubernetes"},
                },
                "spec": {
                    "clusterIP": self.service_ips.first(),
                    "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}],
                },
            }
        )
        self.requests.clear()

    def _info(self, resource: str) -> ResourceInfo:
        if not isinstance(resource, str) or not resource:
            raise BadRequest(f"a resource name is required, got {resource!r}")
        return lookup(resource)

    def _decode(self, obj: Any) -> tuple[ResourceInfo, dict]:
        if isinstance(obj, str):
            try:
                obj = json.loads(obj)
            except ValueError as error:
                raise BadRequest(f"the object is not valid JSON: {error}") from None
        if not isinstance(obj, dict):
            raise BadRequest(f"the body of the request must be an object, got {type(obj).__name__}")
        info = for_kind(obj.get("apiVersion"), obj.get("kind"))
        paths = VARIABLE_STRINGS.get(info.kind)
        copied = None
        if paths is not None:
            try:
                copied = json.loads(json.dumps(obj, allow_nan=False))
            except (TypeError, ValueError):
                copied = None  # the checks below say what is wrong, in their order
        if copied is not None:
            shape = _shape_key(copied, paths)
            warnings = self._shapes.get(shape)
            if warnings is None:
                problems = validation.decode_errors(info, obj)
                if problems:
                    raise BadRequest(problems[0])
                warnings = unknown_fields(info, copied)
                if len(self._shapes) >= MAX_REMEMBERED_SHAPES:
                    self._shapes.clear()
                self._shapes[shape] = warnings
            self._shape_warnings = (copied, warnings)
            obj = copied
        else:
            problems = validation.decode_errors(info, obj)
            if problems:
                raise BadRequest(problems[0])
            try:  # a private copy, and proof that the body is JSON (a set or a datetime cannot be stored)
                obj = json.loads(json.dumps(obj, allow_nan=False))
            except (TypeError, ValueError) as error:
                raise BadRequest(f"the object is not valid JSON: {error}") from None
        metadata = obj.get("metadata")
        if metadata is None:
            obj["metadata"] = {}
        elif not isinstance(metadata, dict):
            raise BadRequest("metadata must be an object")
        return info, obj

    def _namespace_for(self, info: ResourceInfo, obj: dict, namespace: str | None) -> str:
        meta = obj["metadata"]
        if not info.namespaced:
            meta.pop("namespace", None)
            return ""
        given = meta.get("namespace")
        if namespace and given and given != namespace:
            raise BadRequest(
                "the namespace of the provided object does not match the namespace sent on the request"
            )
        ns = given or namespace or "default"
        meta["namespace"] = ns
        return ns

    def _request_namespace(self, info: ResourceInfo, namespace: str | None) -> str:
        if not info.namespaced:
            return ""
        return namespace or "default"

    def _check_name(self, name: Any) -> str:
        if not isinstance(name, str) or not name:
            raise BadRequest(f"resource name may not be empty, got {name!r}")
        if "/" in name or name in (".", ".."):
            raise BadRequest(f'resource name may not contain "/" or be "." or "..": {name!r}')
        return name

    def _check_namespace_active(self, info: ResourceInfo, ns: str) -> None:
        if not info.namespaced:
            return
        kv = self.store.get(f"/registry/namespaces/{ns}")
        if kv is None:
            raise NotFound(f'namespaces "{ns}" not found', ns, "namespaces")
        if self._cached(kv)["metadata"].get("deletionTimestamp"):
            raise Forbidden(
                f"{info.resource} is forbidden: unable to create new content in namespace {ns} because it is "
                "being terminated",
                kind=info.resource,
            )

    def _generate_name(self, info: ResourceInfo, ns: str, prefix: str) -> str:
        for _ in range(8):
            name = prefix + "".join(self.loop.random.choice(NAME_ALPHABET) for _ in range(5))
            if self.store.get(info.key(ns, name)) is None:
                return name
        raise AlreadyExists(f'{info.qualified} "{prefix}" already exists: could not generate a unique name')

    def _warn_unknown(self, info: ResourceInfo, obj: dict) -> None:
        known = self._shape_warnings
        warnings = known[1] if known is not None and known[0] is obj else unknown_fields(info, obj)
        self._shape_warnings = None
        for warning in warnings:
            self.warnings.append(warning)

    def _prepare_for_create(self, info: ResourceInfo, obj: dict) -> None:
        meta = obj["metadata"]
        for system_field in (
            "uid",
            "creationTimestamp",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "resourceVersion",
            "generation",
        ):
            meta.pop(system_field, None)
        meta["uid"] = self.loop.uid()
        meta["creationTimestamp"] = self.loop.timestamp()
        if info.kind in GENERATION_KINDS:
            meta["generation"] = 1
        defaulting.apply_defaults(info, obj)
        if "status" in info.subresources and info.kind != "Node":  # nodes may set their status on create
            obj["status"] = {}
            if info.kind == "Pod":
                obj["status"] = {"phase": "Pending", "qosClass": qos_class(obj)}
            elif info.kind == "Namespace":
                obj["status"] = {"phase": "Active"}
            elif info.kind == "Service":
                obj["status"] = {"loadBalancer": {}}

    def _validate(
        self, info: ResourceInfo, obj: dict, old: dict | None = None, subresource: str = ""
    ) -> None:
        shape = None
        if old is None and info.kind == "Pod":
            # Pods of one template differ in name, uid and creationTimestamp only: the rest of a valid
            # one is remembered, and only the name is checked again (uid and time are the server's own).
            shape = _shape_key(obj, POD_CREATE_VARIABLES)
            name = obj["metadata"].get("name")
            if shape in self._valid_pods and isinstance(name, str) and name:
                if not validation.name_errors(info.kind, name):
                    return
        if old is None:
            errors = validation.validate(info, obj)
        else:
            errors = validation.validate_update(info, obj, old, subresource=subresource)
        if errors:
            raise invalid(info.kind, obj["metadata"].get("name") or "", info.group, errors)
        if shape is not None:
            if len(self._valid_pods) >= MAX_REMEMBERED_SHAPES:
                self._valid_pods.clear()
            self._valid_pods[shape] = None

    def _allocate(self, info: ResourceInfo, obj: dict) -> None:
        if info.kind != "Service":
            return
        spec = obj.setdefault("spec", {})
        if spec.get("type") == "ExternalName" or spec.get("clusterIP") == "None":
            return
        try:
            address = self.service_ips.allocate(spec.get("clusterIP") or None)
        except ValueError as error:
            errors = ErrorList()
            errors.invalid("spec.clusterIPs", [spec.get("clusterIP")], str(error))
            raise invalid("Service", obj["metadata"]["name"], "", errors) from None
        spec["clusterIP"] = address
        spec["clusterIPs"] = [address]
        try:
            self.node_ports.allocate_service(obj)
        except StatusError:
            self.service_ips.release(address)  # all or nothing
            raise

    def _release(self, info: ResourceInfo, obj: dict) -> None:
        if info.kind == "Service":
            address = (obj.get("spec") or {}).get("clusterIP")
            if address and address != "None":
                self.service_ips.release(address)
            self.node_ports.release_service(obj)

    def _reallocate_node_ports(self, old: dict, new: dict) -> Callable[[], None]:
        """A Service update: give back the old NodePorts, take the new ones (all or nothing); returns
        how to undo it if the write then fails."""
        self.node_ports.release_service(old)
        try:
            self.node_ports.allocate_service(new)
        except StatusError:
            self._take_node_ports(old)
            raise

        def undo() -> None:
            self.node_ports.release_service(new)
            self._take_node_ports(old)

        return undo

    def _take_node_ports(self, service: dict) -> None:
        spec = service.get("spec") or {}
        for port in [p.get("nodePort") for p in spec.get("ports") or []] + [spec.get("healthCheckNodePort")]:
            if port:
                self.node_ports.allocated.add(int(port))

    def _update(
        self, info: ResourceInfo, ns: str, name: str, obj: dict, subresource: str, dry_run: bool = False
    ) -> dict:
        if subresource and subresource not in info.subresources:
            raise NotFound(
                f"the server could not find the requested resource ({info.resource}/{subresource})"
            )
        key = info.key(ns, self._check_name(name))
        kv = self.store.get(key)
        if kv is None:
            raise self._not_found(info, name)
        current = self._cached(kv)  # shared: read only
        wanted = obj["metadata"].get("resourceVersion")
        if wanted not in (None, "") and str(wanted) != str(kv.mod_revision):
            raise self._conflict(info, name)
        uid = obj["metadata"].get("uid")
        if uid and uid != current["metadata"]["uid"]:
            raise Conflict(
                f"Precondition failed: UID in precondition: {uid}, "
                f"UID in object meta: {current['metadata']['uid']}",
                name,
                info.resource,
            )
        # A status write (a kubelet's, a controller's) builds the new state beside the shared one, which
        # watchers then receive as is; possible only when no learner's admission plugin may change it.
        shared = subresource == "status" and self._only_builtin_mutation(info)
        old = current if shared else self._fresh(kv)
        if shared:
            new = dict(old)
            new["metadata"] = dict(old["metadata"])
            new["status"] = obj.get("status", {})
        elif subresource == "status":
            new = copy.deepcopy(old)
            new["status"] = obj.get("status", {})
        else:
            new = obj
            self._warn_unknown(info, new)
            for kept in (
                "uid",
                "creationTimestamp",
                "deletionTimestamp",
                "deletionGracePeriodSeconds",
                "generation",
            ):
                if kept in old["metadata"]:
                    new["metadata"][kept] = old["metadata"][kept]
                else:
                    new["metadata"].pop(kept, None)
            if "status" in info.subresources:
                if "status" in old:
                    new["status"] = old["status"]
                else:
                    new.pop("status", None)
            defaulting.apply_defaults(info, new)
            if info.kind in GENERATION_KINDS and new.get("spec") != old.get("spec"):
                new["metadata"]["generation"] = old["metadata"].get("generation", 1) + 1
            if info.kind == "Service":
                spec, old_spec = new.setdefault("spec", {}), old.get("spec", {})
                drop_type_dependent_fields(spec, old_spec)
                keep_node_ports(spec, old_spec)
                if not spec.get("clusterIP") and old_spec.get("clusterIP"):
                    spec["clusterIP"] = old_spec["clusterIP"]
                    spec["clusterIPs"] = old_spec.get("clusterIPs", [old_spec["clusterIP"]])
        new["metadata"]["resourceVersion"] = str(kv.mod_revision)
        request = AdmissionRequest(
            "UPDATE", info.kind, info.resource, ns or "", name, new, old, subresource, user=self.user
        )
        self.admission.run_mutating(request)
        self._validate(info, new, old, subresource)
        self.admission.run_validating(request)
        if dry_run:
            return copy.deepcopy(new) if shared else new
        if (
            new["metadata"].get("deletionTimestamp")
            and not new["metadata"].get("finalizers")
            and (
                info.kind != "Pod"
                or not new["spec"].get("nodeName")
                or new["metadata"].get("deletionGracePeriodSeconds") == 0
            )
        ):
            removed = self._remove(info, key, new, kv.mod_revision)
            return copy.deepcopy(removed) if shared else removed
        encoded = self._encode(new)
        if encoded == kv.value:
            # nothing changed: no write, no new resourceVersion (as kube-apiserver does)
            return self._fresh(kv) if shared else old
        if info.kind == "Service" and not subresource:
            undo = self._reallocate_node_ports(old, new)
            encoded = self._encode(new)
            try:
                written = self._write(info, key, new, kv.mod_revision, shared=shared, encoded=encoded)
            except Exception:
                undo()
                raise
        else:
            written = self._write(info, key, new, kv.mod_revision, shared=shared, encoded=encoded)
        if not shared:
            return written
        private = json.loads(encoded)  # the caller's own copy; watchers share `written`
        private["metadata"]["resourceVersion"] = written["metadata"]["resourceVersion"]
        return private

    def _only_builtin_mutation(self, info: ResourceInfo) -> bool:
        """Whether the only mutating admission plugins that apply to an update are the lab's own
        (which leave subresource writes alone)."""
        return all(
            plugin.name in ("DefaultTolerationSeconds", "Priority")
            for plugin in self.admission.mutating
            if not plugin.kinds or info.kind in plugin.kinds
        )

    def _write(
        self,
        info: ResourceInfo,
        key: str,
        obj: dict,
        expected_revision: int,
        shared: bool = False,
        encoded: str | None = None,
    ) -> dict:
        """Write `obj` if the key is still at `expected_revision` (409 Conflict otherwise).

        `shared=True` (for an object nobody else holds, such as a binding's
        pod): `obj` itself becomes the decoded state watchers receive, so the
        write is never decoded again.
        """
        if encoded is None:
            encoded = self._encode(obj)
        if shared:
            revision = self.store.revision + 1  # what a successful txn writes at
            obj["metadata"]["resourceVersion"] = str(revision)
            previous = self._decoded.get(key)
            if previous is not None and self.loop.strict:
                self._check_unchanged(key, previous)
            self._decoded[key] = (revision, obj, json.dumps(obj)) if self.loop.strict else (revision, obj)
            self._replaced = (key, previous)
        try:
            result = self.store.txn(
                compare=[mod_revision(key) == expected_revision], success=[Put(key, encoded)]
            )
        finally:
            self._replaced = None
        if not result.succeeded:
            if shared:
                if previous is None:
                    self._decoded.pop(key, None)
                else:
                    self._decoded[key] = previous
            raise self._conflict(info, obj["metadata"]["name"])
        obj["metadata"]["resourceVersion"] = str(result.revision)
        return obj

    def _grace_period(self, info: ResourceInfo, obj: dict, requested: int | None) -> int:
        """Only pods on a node wait for a kubelet; everything else goes at once."""
        if info.kind != "Pod" or not obj["spec"].get("nodeName"):
            return 0
        if obj["status"].get("phase") in ("Succeeded", "Failed"):
            return 0
        if requested is not None:
            return requested
        return obj["spec"].get("terminationGracePeriodSeconds", 30)

    def _mark_deleting(self, info, key, obj, expected_revision, grace, finalizers) -> dict:
        meta = obj["metadata"]
        if not meta.get("deletionTimestamp"):
            meta["deletionTimestamp"] = self.loop.timestamp(self.loop.now + grace)
            meta["deletionGracePeriodSeconds"] = grace
        elif grace < meta.get("deletionGracePeriodSeconds", grace):  # a shorter grace period may cut it short
            meta["deletionGracePeriodSeconds"] = grace
        if finalizers:
            meta["finalizers"] = finalizers
        if grace == 0 and not finalizers:
            return self._remove(info, key, obj, expected_revision)
        return self._write(info, key, obj, expected_revision)

    def _remove(self, info: ResourceInfo, key: str, obj: dict, expected_revision: int) -> dict:
        result = self.store.txn(compare=[mod_revision(key) == expected_revision], success=[Delete(key)])
        if not result.succeeded:
            raise self._conflict(info, obj["metadata"]["name"])
        self._release(info, obj)
        self._forget_decoded(key)
        return obj

    def _delete_namespace(self, obj: dict, expected_revision: int) -> dict:
        """Deleting a namespace empties it first (in Kubernetes, the namespace controller's job)."""
        name = obj["metadata"]["name"]
        if name in ("default", "kube-system", "kube-public"):
            raise Forbidden(
                f'namespaces "{name}" is forbidden: this namespace may not be deleted', name, "namespaces"
            )
        info = lookup("namespaces")
        key = info.key("", name)
        if not obj["metadata"].get("deletionTimestamp"):
            obj["metadata"]["deletionTimestamp"] = self.loop.timestamp()
            obj["metadata"]["deletionGracePeriodSeconds"] = 0
            obj["status"]["phase"] = "Terminating"
            obj = self._write(info, key, obj, expected_revision)
            self.loop.call_soon(self._finish_namespace, name)
        return obj

    def _finish_namespace(self, name: str) -> None:
        for info in (i for i in lookup_all() if i.namespaced):
            for kv in self.store.range(info.prefix(name), prefix=True).kvs:
                self.store.delete(kv.key)
                self._release(info, self._cached(kv))  # a Service's clusterIP goes back to the pool
                self._forget_decoded(kv.key)
        self.store.delete(f"/registry/namespaces/{name}")

    def _admit_priority(self, request: AdmissionRequest) -> None:
        """Priority admission: copy the PriorityClass's value into spec.priority.

        On an update the pod keeps the priority it was given on create (a client
        that replaces the pod with its manifest does not send it).
        """
        if request.subresource:
            return
        spec = request.object.setdefault("spec", {})
        if request.operation == "UPDATE":
            old_spec = (request.old_object or {}).get("spec") or {}
            for kept in ("priority", "preemptionPolicy"):
                if spec.get(kept) is None and old_spec.get(kept) is not None:
                    spec[kept] = old_spec[kept]
            return
        class_name = spec.get("priorityClassName")
        if not class_name:
            spec.setdefault("priority", 0)
            return
        if class_name in ("system-cluster-critical", "system-node-critical"):
            value = 2000000000 if class_name == "system-cluster-critical" else 2000001000
        else:
            kv = self.store.get(f"/registry/priorityclasses/{class_name}")
            if kv is None:
                raise Forbidden(
                    f'pods "{request.name}" is forbidden: no PriorityClass with name {class_name} was found'
                )
            pc = self._cached(kv)
            value = pc.get("value", 0)
            spec.setdefault("preemptionPolicy", pc.get("preemptionPolicy", "PreemptLowerPriority"))
        if spec.get("priority") not in (None, value):
            raise Forbidden(
                f'pods "{request.name}" is forbidden: the integer value of priority '
                f'({spec["priority"]}) must not '
                f"be provided in pod spec; priority admission controller computed {value} from the given "
                "PriorityClass name"
            )
        spec["priority"] = value

    def _scale_of(self, info: ResourceInfo, obj: dict) -> dict:
        selector = (obj.get("spec") or {}).get("selector") or {}
        match = selector.get("matchLabels") or {}
        return {
            "apiVersion": "autoscaling/v1",
            "kind": "Scale",
            "metadata": {
                k: obj["metadata"][k]
                for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
                if k in obj["metadata"]
            },
            "spec": {"replicas": (obj.get("spec") or {}).get("replicas", 0)},
            "status": {
                "replicas": (obj.get("status") or {}).get("replicas", 0),
                "selector": ",".join(f"{k}={v}" for k, v in sorted(match.items())),
            },
        }

    @staticmethod
    def _selectors(info: ResourceInfo, label_selector: str | None, field_selector: str | None):
        """Parse ?labelSelector= and ?fieldSelector=; a malformed one is the client's mistake (400)."""
        try:
            labels = parse_selector(label_selector) if label_selector else None
            fields = parse_field_selector(field_selector, info.kind) if field_selector else None
        except (TypeError, ValueError) as error:  # TypeError: not a string at all
            raise BadRequest(str(error)) from None
        return labels, fields

    def _parse_resource_version(self, resource_version: str | int | None) -> int:
        if resource_version in (None, "", "0", 0):
            return 0
        try:
            rv = int(resource_version)
        except (TypeError, ValueError):
            raise BadRequest(f'invalid resource version: "{resource_version}"') from None
        if rv < 0:
            raise BadRequest(f'invalid resource version: "{resource_version}"')
        if rv > self.store.revision:
            raise BadRequest(f"Too large resource version: {rv}, current: {self.store.revision}")
        if rv < self.store.compact_revision:
            raise Expired(f"too old resource version: {rv} ({self.store.compact_revision})")
        return rv

    # -- encoding and the decode cache ---------------------------------------------------

    @staticmethod
    def _encode(obj: dict) -> str:
        stored = dict(obj)
        meta = dict(stored.get("metadata") or {})
        meta.pop("resourceVersion", None)  # etcd's mod_revision is the resourceVersion; never stored
        stored["metadata"] = meta
        return json.dumps(stored, separators=(",", ":"))

    def _cached(self, kv) -> dict:
        """The object in `kv`, decoded once and shared: read-only (for watch events and selector checks).

        The cache keeps the newest state of each key; an older state asked for
        (a watch replaying history) is decoded without displacing it.
        """
        hit = self._decoded.get(kv.key)
        if hit is not None and hit[0] == kv.mod_revision:
            return hit[1]
        obj = json.loads(kv.value)
        obj["metadata"]["resourceVersion"] = str(kv.mod_revision)
        if hit is None or hit[0] < kv.mod_revision:
            if self.loop.strict:  # tests: prove that nobody changed the shared state it replaces
                if hit is not None:
                    self._check_unchanged(kv.key, hit)
                self._decoded[kv.key] = (kv.mod_revision, obj, json.dumps(obj))
            else:
                self._decoded[kv.key] = (kv.mod_revision, obj)
        return obj

    def _check_unchanged(self, key: str, entry: tuple) -> None:
        """In a strict loop, report (from the loop, never inside a write) a shared object someone changed.

        Objects in watch events and informer caches are shared by every
        watcher, informer and handler (as in client-go's shared informers);
        changing one in place changes it for all of them.
        """
        if len(entry) == 3 and json.dumps(entry[1]) != entry[2]:
            revision = entry[0]

            def report() -> None:
                raise RuntimeError(
                    f"the shared object {key} at resourceVersion {revision} was changed in place: a "
                    "component changed an object from a watch event or an informer's cache instead of "
                    "changing a copy (k8slab.client.deep_copy)"
                )

            self.loop.call_soon(report)

    def _forget_decoded(self, key: str) -> None:
        entry = self._decoded.pop(key, None)
        if entry is not None and self.loop.strict:
            self._check_unchanged(key, entry)

    def _fresh(self, kv) -> dict:
        """A private copy of the object in `kv` that the caller may change freely."""
        obj = json.loads(kv.value)
        obj["metadata"]["resourceVersion"] = str(kv.mod_revision)
        return obj

    # -- errors and the request log -----------------------------------------------------

    def _not_found(self, info: ResourceInfo, name: str) -> NotFound:
        return NotFound(f'{info.qualified} "{name}" not found', name, info.resource, info.group)

    def _conflict(self, info: ResourceInfo, name: str) -> Conflict:
        return Conflict(
            f'Operation cannot be fulfilled on {info.qualified} "{name}": '
            "the object has been modified; please "
            "apply your changes to the latest version and try again",
            name,
            info.resource,
            info.group,
        )

    def _logged(self, verb: str, info: ResourceInfo, namespace: str, name: str) -> _RequestScope:
        entry = Request(self.loop.now, verb, info.resource, namespace or "", name or "", 200, user=self.user)
        return _RequestScope(self, entry)


class _RequestScope:
    """Logs one request with the HTTP code it ended with."""

    def __init__(self, api: APIServer, entry: Request):
        self.api = api
        self.entry = entry

    def __enter__(self) -> Request:
        return self.entry

    def __exit__(self, kind, error, traceback) -> bool:
        if isinstance(error, StatusError):
            self.entry.code = error.code
            self.entry.message = error.message
        elif error is not None:
            self.entry.code = 500
            self.entry.message = str(error)
        self.api.requests.append(self.entry)
        for listener in self.api.request_listeners:
            listener(self.entry)
        return False


class UnsupportedMediaType(StatusError):
    code = 415
    reason = "UnsupportedMediaType"


def patch_failure(error: PatchError, name: str, info: ResourceInfo) -> StatusError:
    """The Status a patch that cannot be applied gets: 422, 400, 415 or 500, as upstream answers."""
    if error.code == 422:  # upstream sends no kind or name here, so kubectl says "The request is invalid"
        return Invalid(f"request is invalid: {error}")
    by_code = {400: BadRequest, 415: UnsupportedMediaType}
    error_class = by_code.get(error.code, InternalError)
    return error_class(str(error), name, info.resource, info.group)


def lookup_all() -> tuple[ResourceInfo, ...]:
    from k8slab.api.kinds import all_kinds

    return all_kinds()


def qos_class(pod: dict) -> str:
    """Guaranteed, Burstable or BestEffort, from the containers' requests and limits."""
    containers = (pod.get("spec") or {}).get("containers") or []
    requests_seen = limits_seen = False
    guaranteed = bool(containers)
    for container in containers:
        resources = container.get("resources") or {}
        requests, limits = resources.get("requests") or {}, resources.get("limits") or {}
        requests_seen = requests_seen or bool(requests)
        limits_seen = limits_seen or bool(limits)
        for resource in ("cpu", "memory"):
            if resource not in limits or str(requests.get(resource, limits[resource])) != str(
                limits[resource]
            ):
                guaranteed = False
    if guaranteed:
        return "Guaranteed"
    if requests_seen or limits_seen:
        return "Burstable"
    return "BestEffort"


__all__ = ["APIServer", "APIWatch", "Request", "WatchEvent", "qos_class"]


def _needs_node_ports(spec: dict) -> bool:
    return spec.get("type") in ("NodePort", "LoadBalancer")


def _needs_health_check_node_port(spec: dict) -> bool:
    return spec.get("type") == "LoadBalancer" and spec.get("externalTrafficPolicy") == "Local"


def drop_type_dependent_fields(spec: dict, old_spec: dict) -> None:
    """kube-apiserver's dropTypeDependentFields: when a Service changes type, the fields that only
    the old type needs, and that the user left as they were, are wiped (so that, say, a LoadBalancer
    can become a ClusterIP Service with a plain patch of `type`)."""
    def same(field_name: str) -> bool:
        return spec.get(field_name) == old_spec.get(field_name)

    ports, old_ports = spec.get("ports") or [], old_spec.get("ports") or []
    if _needs_node_ports(old_spec) and not _needs_node_ports(spec):
        if [p.get("nodePort") for p in ports] == [p.get("nodePort") for p in old_ports]:
            for port in ports:
                port.pop("nodePort", None)
    if _needs_health_check_node_port(old_spec) and not _needs_health_check_node_port(spec):
        if same("healthCheckNodePort"):
            spec.pop("healthCheckNodePort", None)
    if old_spec.get("type") == "LoadBalancer" and spec.get("type") != "LoadBalancer":
        for name in ("allocateLoadBalancerNodePorts", "loadBalancerClass"):
            if same(name):
                spec.pop(name, None)
    if _needs_node_ports(old_spec) and not _needs_node_ports(spec) and same("externalTrafficPolicy"):
        spec.pop("externalTrafficPolicy", None)
    if spec.get("type") == "ExternalName" and old_spec.get("type") != "ExternalName":
        if same("clusterIP"):
            spec.pop("clusterIP", None)
            spec.pop("clusterIPs", None)


def keep_node_ports(spec: dict, old_spec: dict) -> None:
    """An update that leaves a port's nodePort out keeps the one it had (kube-apiserver's
    patchAllocatedValues), matched by port number and protocol."""
    if not _needs_node_ports(spec) or not _needs_node_ports(old_spec):
        return
    had = {(p.get("port"), p.get("protocol", "TCP")): p.get("nodePort") for p in old_spec.get("ports") or []}
    for port in spec.get("ports") or []:
        if not port.get("nodePort") and had.get((port.get("port"), port.get("protocol", "TCP"))):
            port["nodePort"] = had[(port.get("port"), port.get("protocol", "TCP"))]
    if _needs_health_check_node_port(spec) and not spec.get("healthCheckNodePort"):
        if old_spec.get("healthCheckNodePort"):
            spec["healthCheckNodePort"] = old_spec["healthCheckNodePort"]
