"""How a component talks to the cluster: a client, an informer, a workqueue (client-go).

The `Client` appears in notebook 02 (every request to the API server says who
sent it); the informer and the workqueue are built in notebook 03, where the
first controller uses them. Every component after that (the controllers, the
scheduler, each kubelet, kube-proxy) is built the same way, because that is
how Kubernetes' own components are built on client-go:

    API server --list+watch--> Informer --on_add/on_update/on_delete--> handler
                                  | (a cache of every object it has seen)   |
                                  |                                 queue.add("default/web")
                                  v                                         v
    worker: key = queue.get() -> read the object from the informer's cache
            -> compare what is with what should be ("reconcile")
            -> write the difference through the Client -> queue.done(key)

Why so many pieces? Because each one removes a way to go wrong:

* The **informer** lists once and then watches, so a component never polls
  the API server; its cache answers every read. A watch that breaks and can
  no longer resume (410 Expired, after etcd compacted its history) is
  repaired by listing again and replaying the differences.
* Handlers put only a **key** ("namespace/name") on the **workqueue**, never
  the object: by the time a worker gets to the key the object may have
  changed again, and the worker must act on what is true *now* (it reads the
  cache). Ten changes to one object while it waits are one item, not ten.
* The workqueue never hands out one key twice at the same time, and a failed
  key comes back later with exponential back-off instead of spinning.
* Writes carry the resourceVersion that was read, so a decision made on stale
  data fails with 409 Conflict instead of overwriting someone else's change;
  the answer is to read again and retry (`retry_on_conflict`), or simply to
  return an error and let the workqueue retry the key.

Here everything runs on the one event loop of `k8slab.sim`, so where client-go
has goroutines and blocking calls, this module has callbacks: watch events
and handler calls are delivered by the loop, `WorkQueue.get()` returns None
instead of blocking, and waiting ("try again in 10 ms") is a timer in virtual
time. Names follow client-go (`tools/cache`, `util/workqueue`) so that what
is learned here reads straight across to Go.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from k8slab.api.errors import Conflict, Expired, StatusError
from k8slab.api.server import APIServer, APIWatch, WatchEvent
from k8slab.sim import CallbackError, Loop, Timer

# ----------------------------------------------------------------------------- keys


def key_of(obj: dict) -> str:
    """The key an object is cached and queued under: "namespace/name", or "name" for cluster-wide kinds.

    client-go's MetaNamespaceKeyFunc.

    >>> key_of({"metadata": {"namespace": "default", "name": "web"}})
    'default/web'
    >>> key_of({"metadata": {"name": "node-1"}})
    'node-1'
    """
    meta = obj["metadata"]
    namespace = meta.get("namespace")
    return f"{namespace}/{meta['name']}" if namespace else meta["name"]


def split_key(key: str) -> tuple[str, str]:
    """(namespace, name) from a key; namespace is "" for a cluster-wide object.

    client-go's SplitMetaNamespaceKey.

    >>> split_key("default/web")
    ('default', 'web')
    >>> split_key("node-1")
    ('', 'node-1')
    """
    parts = key.split("/")
    if len(parts) == 1:
        return "", parts[0]
    if len(parts) == 2:
        return parts[0], parts[1]
    raise ValueError(f'unexpected key format: "{key}"')


def deep_copy(obj: dict) -> dict:
    """A private copy of an API object (client-go's DeepCopy).

    API objects are plain JSON, so a JSON round trip copies them faithfully,
    and it is about 1.5x faster than `copy.deepcopy`, which matters when an
    informer copies every object of a large cluster.
    """
    return json.loads(json.dumps(obj))


# ----------------------------------------------------------------------------- client


class Client:
    """A component's connection to the API server: the same verbs, stamped with who is asking.

    Components hold a `Client`, never the `APIServer`, just as Kubernetes'
    components hold a clientset and never touch kube-apiserver's internals.
    `user` is the identity the API server's request log shows for every
    request sent through this client (kube-scheduler authenticates as
    `system:kube-scheduler`, a kubelet as `system:node:<node name>`); `name`
    is how the client introduces itself (client-go's user agent) and defaults
    to `user`.

    >>> api = APIServer()
    >>> client = Client(api, user="system:kube-scheduler")
    >>> client.list("namespaces")["items"][0]["metadata"]["name"]
    'default'
    >>> api.requests[-1].verb, api.requests[-1].user
    ('list', 'system:kube-scheduler')

    Objects returned by `create`, `get`, `list`, `update` and `patch` are the
    caller's to change. Objects in watch events are shared with every other
    watcher: read them, copy them (`deep_copy`) before changing anything.
    """

    def __init__(self, api: APIServer, user: str = "kubernetes-admin", name: str | None = None):
        if not isinstance(user, str) or not user:
            raise ValueError(f"user must be a non-empty string, got {user!r}")
        self.api = api
        self.user = user
        self.name = name or user

    def __repr__(self) -> str:
        return f"Client(user={self.user!r})"

    @property
    def loop(self) -> Loop:
        """The event loop the cluster runs on (components set their timers on it)."""
        return self.api.loop

    # -- the API server's verbs, same signatures ------------------------------------

    def create(self, obj: dict, namespace: str | None = None, dry_run: bool = False) -> dict:
        with self._as_user():
            return self.api.create(obj, namespace=namespace, dry_run=dry_run)

    def get(self, resource: str, name: str, namespace: str | None = None) -> dict:
        with self._as_user():
            return self.api.get(resource, name, namespace=namespace)

    def list(
        self,
        resource: str,
        namespace: str | None = None,
        label_selector: str | None = None,
        field_selector: str | None = None,
    ) -> dict:
        with self._as_user():
            return self.api.list(
                resource, namespace=namespace, label_selector=label_selector, field_selector=field_selector
            )

    def update(self, obj: dict, subresource: str = "") -> dict:
        with self._as_user():
            return self.api.update(obj, subresource=subresource)

    def update_status(self, obj: dict) -> dict:
        with self._as_user():
            return self.api.update_status(obj)

    def patch(
        self,
        resource: str,
        name: str,
        patch: Any,
        patch_type: str = "strategic",
        namespace: str | None = None,
        subresource: str = "",
    ) -> dict:
        with self._as_user():
            return self.api.patch(
                resource, name, patch, patch_type=patch_type, namespace=namespace, subresource=subresource
            )

    def delete(
        self,
        resource: str,
        name: str,
        namespace: str | None = None,
        grace_period_seconds: int | None = None,
        propagation_policy: str | None = None,
    ) -> dict:
        with self._as_user():
            return self.api.delete(
                resource,
                name,
                namespace=namespace,
                grace_period_seconds=grace_period_seconds,
                propagation_policy=propagation_policy,
            )

    def watch(
        self,
        resource: str,
        namespace: str | None = None,
        label_selector: str | None = None,
        field_selector: str | None = None,
        resource_version: str | int | None = None,
        callback: Callable[[WatchEvent], Any] | None = None,
    ) -> APIWatch:
        with self._as_user():
            return self.api.watch(
                resource,
                namespace=namespace,
                label_selector=label_selector,
                field_selector=field_selector,
                resource_version=resource_version,
                callback=callback,
            )

    def get_scale(self, resource: str, name: str, namespace: str | None = None) -> dict:
        with self._as_user():
            return self.api.get_scale(resource, name, namespace=namespace)

    def update_scale(self, resource: str, name: str, replicas: int, namespace: str | None = None) -> dict:
        with self._as_user():
            return self.api.update_scale(resource, name, replicas, namespace=namespace)

    def bind(self, namespace: str, pod_name: str, node_name: str) -> dict:
        """Assign a pod to a node (the pods/binding subresource): the scheduler's one write."""
        with self._as_user():
            return self.api.bind(namespace, pod_name, node_name)

    @contextmanager
    def _as_user(self) -> Iterator[None]:
        """Make the requests inside the block as this client's user (what authentication would establish).

        The loop is single-threaded, so every request the API server serves
        while the block runs is one this client made.
        """
        previous = self.api.user
        self.api.user = self.user
        try:
            yield
        finally:
            self.api.user = previous


def retry_on_conflict(fn: Callable[[], Any], attempts: int = 5) -> Any:
    """Run `fn()` again while it fails with 409 Conflict, at most `attempts` times in all.

    client-go's retry.RetryOnConflict. `fn` must read the object afresh each
    time (a retry with the stale copy would fail the same way):

        def add_label():
            pod = client.get("pods", "web")
            pod["metadata"].setdefault("labels", {})["tier"] = "frontend"
            return client.update(pod)

        retry_on_conflict(add_label)

    client-go waits about 10 ms between attempts; here the retry is at once,
    since nothing else can run in between on a single-threaded loop anyway.
    Any other error, and the last Conflict, reach the caller.
    """
    if type(attempts) is not int or attempts < 1:
        raise ValueError(f"attempts must be a whole number >= 1, got {attempts!r}")
    for _ in range(attempts - 1):
        try:
            return fn()
        except Conflict:
            pass  # someone changed the object since fn read it: read it again, try again
    return fn()  # the last attempt: its Conflict, if any, is the caller's


# ----------------------------------------------------------------------------- informer


@dataclass(eq=False)
class EventHandler:
    """The functions an informer calls on a change (client-go's ResourceEventHandlerFuncs)."""

    on_add: Callable[[dict], Any] | None = None
    on_update: Callable[[dict, dict], Any] | None = None
    on_delete: Callable[[dict], Any] | None = None


IndexFunc = Callable[[dict], list[str]]


class Informer:
    """A cache of one resource kept up to date by list+watch, with handlers called on each change.

    client-go splits this into a Reflector (list, then watch, list again when
    the watch cannot resume), a DeltaFIFO, an Indexer (the cache and its
    indexes) and a SharedIndexInformer (the handlers). Here they are one
    class, in that order of methods.

        pods = Informer(client, "pods", field_selector="spec.nodeName=node-1")
        pods.add_event_handler(on_add=lambda pod: queue.add(key_of(pod)))
        pods.run()                  # list now; watch from the list's resourceVersion
        client.loop.run(seconds=1)  # handlers are called by the loop
        pods.get("default/web")     # read from the cache, not from the API server

    Rules a component must keep, as in client-go:

    * Cached objects are shared with every handler and reader, and with every
      other watch that received the same event (as a client-go shared
      informer's are): never change one; copy it first (`deep_copy`). Not
      copying each event is what lets 5,000 kubelets and the control plane
      watch 150,000 pods; a strict loop (the tests') reports an object that
      was changed in place.
    * A handler is called by the loop *after* the cache took the change, and
      other changes may have arrived since: by the time `on_update(old, new)`
      runs, the cache may hold something newer than `new`. This is why
      handlers enqueue keys and workers read the cache.
    * Handlers are called in the order the changes happened, each handler in
      the order handlers were added. An exception in one is recorded in
      `loop.errors` (or raised, in a strict loop) and does not stop the others.

    What is simplified: a watch here never breaks by itself (the lab's API
    server has no watch timeouts, and compaction does not end a live watch);
    `restart_watch()` breaks it on purpose, to show what a reflector does
    then. A key whose object vanished while the watch was broken gets
    `on_delete(last object the cache held)`; client-go wraps that object in a
    `DeletedFinalStateUnknown` to say it may be out of date. Resync has one
    period for the informer, not one per handler.
    """

    def __init__(
        self,
        client: Client,
        resource: str,
        namespace: str | None = None,
        label_selector: str | None = None,
        field_selector: str | None = None,
        resync_period: float = 0,
    ):
        if not isinstance(client, Client):
            raise TypeError(f"an Informer needs a k8slab.client.Client, got {type(client).__name__}")
        if isinstance(resync_period, bool) or not isinstance(resync_period, int | float) or resync_period < 0:
            raise ValueError(f"resync_period must be a number of seconds >= 0, got {resync_period!r}")
        self.client = client
        self.loop = client.loop
        self.resource = resource
        self.namespace = namespace
        self.label_selector = label_selector
        self.field_selector = field_selector
        self.resync_period = resync_period
        #: The resourceVersion of the last list or watch event: where a new watch resumes.
        self.last_sync_resource_version = ""
        #: How many times the informer listed again because its watch could not resume (410).
        self.relists = 0
        self.has_synced = False  # True once the first list is in the cache
        self.started = False
        self.stopped = False
        self._items: dict[str, dict] = {}  # the cache: key -> object, in the order keys arrived
        self._index_funcs: dict[str, IndexFunc] = {}
        self._indices: dict[str, dict[str, dict[str, None]]] = {}  # index -> value -> keys (ordered)
        self._handlers: list[EventHandler] = []
        self._watch: APIWatch | None = None
        self._resync_timer: Timer | None = None

    def __repr__(self) -> str:
        state = "stopped" if self.stopped else "synced" if self.has_synced else "not started"
        return f"Informer({self.resource!r}, objects={len(self._items)}, {state})"

    def __len__(self) -> int:
        return len(self._items)

    # -- handlers ------------------------------------------------------------------

    def add_event_handler(
        self,
        on_add: Callable[[dict], Any] | None = None,
        on_update: Callable[[dict, dict], Any] | None = None,
        on_delete: Callable[[dict], Any] | None = None,
    ) -> EventHandler:
        """Call these functions on every change; returns the registration (for `remove_event_handler`).

        A handler added after the informer has synced first gets `on_add` for
        every object already in the cache, so it sees the same world as a
        handler that was there from the start.
        """
        handler = EventHandler(on_add, on_update, on_delete)
        self._handlers.append(handler)
        if self.has_synced and on_add is not None:
            for obj in self._items.values():
                self.loop.call_soon(on_add, obj)
        return handler

    def remove_event_handler(self, handler: EventHandler) -> None:
        """Stop calling a handler (calls already on the loop still happen)."""
        if handler in self._handlers:
            self._handlers.remove(handler)

    def _notify_add(self, obj: dict) -> None:
        for handler in self._handlers:
            if handler.on_add is not None:
                self.loop.call_soon(handler.on_add, obj)

    def _notify_update(self, old: dict, new: dict) -> None:
        for handler in self._handlers:
            if handler.on_update is not None:
                self.loop.call_soon(handler.on_update, old, new)

    def _notify_delete(self, obj: dict) -> None:
        for handler in self._handlers:
            if handler.on_delete is not None:
                self.loop.call_soon(handler.on_delete, obj)

    # -- running: the reflector's list and watch -----------------------------------------------

    def run(self) -> None:
        """List, fill the cache, then watch from the list's resourceVersion; start resyncs if asked.

        The list happens now (a bad selector raises here, at once); `on_add`
        for each listed object, in list order, is called by the loop.
        """
        if self.stopped:
            raise RuntimeError(f"the informer for {self.resource} was stopped; start a new one instead")
        if self.started:
            return
        self._list()
        self.started = self.has_synced = True
        self._start_watch()
        if self.resync_period > 0:
            self._resync_timer = self.loop.call_later(self.resync_period, self._resync)

    def stop(self) -> None:
        """Stop watching and resyncing. The cache stays; handler calls already on the loop still run."""
        self.stopped = True
        if self._watch is not None:
            self._watch.stop()
            self._watch = None
        if self._resync_timer is not None:
            self._resync_timer.cancel()
            self._resync_timer = None

    def restart_watch(self) -> None:
        """What the reflector does when its watch connection closes (a timeout, an API server restart).

        It watches again from the last resourceVersion it saw, missing
        nothing. If etcd has compacted that revision away, the API server
        answers 410 Expired; then the reflector lists again and the cache
        catches up by the differences (see `_list`).
        """
        if not self.started or self.stopped:
            raise RuntimeError(f"the informer for {self.resource} is not running")
        if self._watch is not None:
            self._watch.stop()
            self._watch = None
        self._start_watch()

    def _start_watch(self) -> None:
        try:
            self._watch = self.client.watch(
                self.resource,
                namespace=self.namespace,
                label_selector=self.label_selector,
                field_selector=self.field_selector,
                resource_version=self.last_sync_resource_version,
                callback=self._on_watch_event,
            )
        except Expired:
            self.relists += 1
            self._list()
            self._start_watch()  # from the new list's resourceVersion, which is not compacted

    def _list(self) -> None:
        """List, and make the cache equal to the answer (client-go's Replace).

        On the first list every object is new: `on_add` for each. On a relist,
        an object the cache lacks is added, one whose resourceVersion moved is
        an update, one that is gone is a delete (after the adds and updates).
        An object that did not change is replaced silently.
        """
        answer = self.client.list(
            self.resource,
            namespace=self.namespace,
            label_selector=self.label_selector,
            field_selector=self.field_selector,
        )
        listed: dict[str, dict] = {key_of(obj): obj for obj in answer["items"]}  # fresh copies: ours to keep
        for key, obj in listed.items():
            old = self._items.get(key)
            self._store(key, obj)
            if old is None:
                self._notify_add(obj)
            elif old["metadata"].get("resourceVersion") != obj["metadata"].get("resourceVersion"):
                self._notify_update(old, obj)
        for key in [key for key in self._items if key not in listed]:
            self._notify_delete(self._forget(key))
        self.last_sync_resource_version = answer["metadata"]["resourceVersion"]

    def _on_watch_event(self, event: WatchEvent) -> None:
        """One ADDED, MODIFIED or DELETED event: update the cache, then tell the handlers."""
        obj = event.object  # shared with every watcher, and now the cache's: read-only for everyone
        key = key_of(obj)
        self.last_sync_resource_version = obj["metadata"]["resourceVersion"]
        if event.type == "DELETED":
            self._forget(key)
            self._notify_delete(obj)
            return
        old = self._items.get(key)
        self._store(key, obj)
        if old is None:
            self._notify_add(obj)
        else:
            self._notify_update(old, obj)

    def _resync(self) -> None:
        """Every resync_period: `on_update(obj, obj)` for every cached object, so missed work gets redone."""
        self._resync_timer = self.loop.call_later(self.resync_period, self._resync)
        for obj in self._items.values():
            self._notify_update(obj, obj)

    # -- the cache (client-go's Indexer) -----------------------------------------------

    def get(self, key: str) -> dict | None:
        """The cached object under "namespace/name" (or "name"), or None. Read-only."""
        return self._items.get(key)

    def list(self) -> list[dict]:
        """Every cached object, in the order their keys first arrived. Read-only."""
        return list(self._items.values())

    def keys(self) -> list[str]:
        return list(self._items)

    def add_index(self, name: str, fn: IndexFunc) -> None:
        """Keep an index: `fn(obj)` returns the values the object is filed under (a list, maybe empty).

        The kubelet's question "which pods are on my node?" is an index:

            pods.add_index("nodeName", lambda pod: [pod["spec"].get("nodeName") or ""])
            pods.by_index("nodeName", "node-1")  # the pods on node-1, without scanning them all
        """
        if name in self._index_funcs:
            raise ValueError(f'indexer conflict: an index named "{name}" already exists')
        self._index_funcs[name] = fn
        self._indices[name] = {}
        for key, obj in self._items.items():
            self._file(name, key, obj)

    def by_index(self, name: str, value: str) -> list[dict]:
        """The cached objects that index `name` files under `value`, in the order they were filed."""
        return [self._items[key] for key in self.index_keys(name, value)]

    def index_keys(self, name: str, value: str) -> list[str]:
        """The keys of the objects that index `name` files under `value`."""
        if name not in self._indices:
            raise KeyError(f'index with name "{name}" does not exist')
        return list(self._indices[name].get(value, ()))

    def _store(self, key: str, obj: dict) -> None:
        old = self._items.get(key)
        self._items[key] = obj
        for name in self._index_funcs:
            if old is not None:
                self._unfile(name, key, old)
            self._file(name, key, obj)

    def _forget(self, key: str) -> dict | None:
        old = self._items.pop(key, None)
        if old is not None:
            for name in self._index_funcs:
                self._unfile(name, key, old)
        return old

    def _file(self, name: str, key: str, obj: dict) -> None:
        for value in self._index_funcs[name](obj):
            self._indices[name].setdefault(value, {})[key] = None

    def _unfile(self, name: str, key: str, obj: dict) -> None:
        index = self._indices[name]
        for value in self._index_funcs[name](obj):
            keys = index.get(value)
            if keys is not None:
                keys.pop(key, None)
                if not keys:
                    del index[value]


# ----------------------------------------------------------------------------- rate limiters


class ItemExponentialFailureRateLimiter:
    """Each failure of an item doubles its wait: base_delay * 2**failures, at most max_delay.

    With client-go's defaults (5 ms, 1000 s): 5 ms, 10 ms, 20 ms, ... 655.36 s,
    then 1000 s for good. `forget(item)` (after a success) starts it over.
    """

    def __init__(self, base_delay: float = 0.005, max_delay: float = 1000.0):
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.failures: dict[Hashable, int] = {}

    def when(self, item: Hashable) -> float:
        failures = self.failures.get(item, 0)
        self.failures[item] = failures + 1
        if failures >= 64:  # far past any sensible cap, and 2**failures would overflow a float
            return self.max_delay
        return min(self.base_delay * 2**failures, self.max_delay)

    def forget(self, item: Hashable) -> None:
        self.failures.pop(item, None)

    def num_requeues(self, item: Hashable) -> int:
        return self.failures.get(item, 0)


class BucketRateLimiter:
    """A token bucket shared by all items: `burst` at once, then `qps` per second (Go's rate.Limiter).

    The bucket holds up to `burst` tokens and refills at `qps` tokens per
    second of virtual time. Each `when()` takes a token; when none is left it
    borrows one from the future and answers how long until that token exists.
    With client-go's defaults (10 qps, burst 100), 100 retries can go at once
    and the 101st waits 0.1 s, the 102nd 0.2 s, and so on. It caps the
    *total* retry rate of a controller, whatever the items.
    """

    def __init__(self, loop: Loop, qps: float = 10.0, burst: int = 100):
        self.loop = loop
        self.qps = qps
        self.burst = burst
        self.tokens = float(burst)
        self.last = loop.now

    def when(self, item: Hashable) -> float:
        now = self.loop.now
        self.tokens = min(float(self.burst), self.tokens + (now - self.last) * self.qps)
        self.last = now
        self.tokens -= 1
        return 0.0 if self.tokens >= 0 else -self.tokens / self.qps

    def forget(self, item: Hashable) -> None:
        pass  # the bucket does not track items

    def num_requeues(self, item: Hashable) -> int:
        return 0


class MaxOfRateLimiter:
    """Ask every limiter and wait for the longest answer."""

    def __init__(self, *limiters: Any):
        self.limiters = limiters

    def when(self, item: Hashable) -> float:
        return max(limiter.when(item) for limiter in self.limiters)

    def forget(self, item: Hashable) -> None:
        for limiter in self.limiters:
            limiter.forget(item)

    def num_requeues(self, item: Hashable) -> int:
        return max(limiter.num_requeues(item) for limiter in self.limiters)


def default_controller_rate_limiter(loop: Loop) -> MaxOfRateLimiter:
    """client-go's DefaultControllerRateLimiter: per item 5 ms doubling up to 1000 s; 10 qps, burst 100."""
    return MaxOfRateLimiter(
        ItemExponentialFailureRateLimiter(base_delay=0.005, max_delay=1000.0),
        BucketRateLimiter(loop, qps=10.0, burst=100),
    )


# ----------------------------------------------------------------------------- workqueue


class WorkQueue:
    """client-go's rate-limiting workqueue, on the virtual clock.

    Three promises, as in client-go:

    * **Fair**: items come out in the order they went in.
    * **Stingy**: an item added many times before a worker gets it comes out
      once (it is "dirty": waiting to be processed).
    * **One at a time**: an item being processed is not handed out again; if
      it is added meanwhile, it goes back on the queue when the worker calls
      `done(item)`, so the change that arrived during processing is not lost.

    `get()` returns None when nothing is waiting (client-go's Get blocks; a
    single-threaded loop cannot). `wake`, if given, is the stand-in for a
    worker blocked in Get(): the loop calls it once soon after an item
    becomes available, and it should process items until `get()` says None
    (see `process_next_work_item`).
    """

    def __init__(
        self,
        loop: Loop,
        name: str = "",
        rate_limiter: Any = None,
        wake: Callable[[], Any] | None = None,
    ):
        self.loop = loop
        self.name = name
        if rate_limiter is None:
            rate_limiter = default_controller_rate_limiter(loop)
        self.rate_limiter = rate_limiter
        self.wake = wake
        self.shutting_down = False
        self._queue: deque[Hashable] = deque()  # the order items are handed out in
        self._dirty: set[Hashable] = set()  # items that need processing: queued, or added while processing
        self._processing: set[Hashable] = set()  # items a worker holds right now
        self._waiting: dict[Hashable, Timer] = {}  # add_after: the timer that will add each item
        self._wake_scheduled = False

    def __repr__(self) -> str:
        return f"WorkQueue({self.name!r}, queued={len(self._queue)}, processing={len(self._processing)})"

    def __len__(self) -> int:
        """How many items are waiting to be handed out."""
        return len(self._queue)

    # -- the basic queue ---------------------------------------------------------------

    def add(self, item: Hashable) -> None:
        """Mark `item` as needing processing; queue it unless it is already queued or being processed."""
        if self.shutting_down or item in self._dirty:
            return
        self._dirty.add(item)
        if item in self._processing:
            return  # done(item) will queue it again
        self._push(item)

    def get(self) -> Hashable | None:
        """The next item to process, now held by the caller until `done(item)`; None if nothing is waiting."""
        if not self._queue:
            return None
        item = self._queue.popleft()
        self._processing.add(item)
        self._dirty.discard(item)
        return item

    def done(self, item: Hashable) -> None:
        """The worker finished `item`; if it was added again meanwhile, queue it again now."""
        self._processing.discard(item)
        if item in self._dirty:
            self._push(item)

    def shutdown(self) -> None:
        """Take no more items. What is queued can still be taken; items waiting on a delay are dropped."""
        self.shutting_down = True
        for timer in self._waiting.values():
            timer.cancel()
        self._waiting.clear()

    def processing(self) -> list[Hashable]:
        """The items workers hold right now."""
        return list(self._processing)

    def _push(self, item: Hashable) -> None:
        self._queue.append(item)
        if self.wake is not None and not self._wake_scheduled:
            self._wake_scheduled = True
            self.loop.call_soon(self._wake_worker)

    def _wake_worker(self) -> None:
        self._wake_scheduled = False
        self.wake()

    # -- the delaying queue --------------------------------------------------------------

    def add_after(self, item: Hashable, delay: float) -> None:
        """Add `item` after `delay` virtual seconds. If it is already waiting, the earlier time wins."""
        if self.shutting_down:
            return
        if delay <= 0:
            self.add(item)
            return
        when = self.loop.now + delay
        waiting = self._waiting.get(item)
        if waiting is not None:
            if waiting.when <= when:
                return
            waiting.cancel()
        self._waiting[item] = self.loop.call_at(when, self._ready, item)

    def _ready(self, item: Hashable) -> None:
        del self._waiting[item]
        self.add(item)

    # -- the rate-limiting queue ---------------------------------------------------------

    def add_rate_limited(self, item: Hashable) -> None:
        """Add `item` when the rate limiter allows: after a failure, back off before trying again."""
        self.add_after(item, self.rate_limiter.when(item))

    def forget(self, item: Hashable) -> None:
        """The item succeeded: clear its failure count, so its next failure waits the shortest time again."""
        self.rate_limiter.forget(item)

    def num_requeues(self, item: Hashable) -> int:
        """How many times `item` was added with `add_rate_limited` since it was last forgotten."""
        return self.rate_limiter.num_requeues(item)


def process_next_work_item(queue: WorkQueue, sync: Callable[[Hashable], Any]) -> bool:
    """One turn of a controller's worker: take a key, reconcile it, and say whether there was one.

    client-go's sample-controller calls this processNextWorkItem. On success
    the key's failure count is forgotten; on failure the key comes back with
    back-off (`add_rate_limited`) and the error is recorded in `loop.errors`.
    An error that is not an API error is a bug in `sync`: a strict loop (the
    tests') raises it at once. A worker is usually:

        def worker():
            while process_next_work_item(queue, sync_replica_set):
                pass
    """
    key = queue.get()
    if key is None:
        return False
    try:
        sync(key)
    except Exception as error:
        queue.add_rate_limited(key)
        name = getattr(sync, "__qualname__", repr(sync))
        queue.loop.errors.append(CallbackError(queue.loop.now, name, error))
        if queue.loop.strict and not isinstance(error, StatusError):
            raise
    else:
        queue.forget(key)
    finally:
        queue.done(key)
    return True


__all__ = [
    "BucketRateLimiter",
    "Client",
    "EventHandler",
    "Informer",
    "ItemExponentialFailureRateLimiter",
    "MaxOfRateLimiter",
    "WorkQueue",
    "deep_copy",
    "default_controller_rate_limiter",
    "key_of",
    "process_next_work_item",
    "retry_on_conflict",
    "split_key",
]
