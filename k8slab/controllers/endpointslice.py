"""The EndpointSlice controller: keep, for every Service, the list of pods that serve it.

Built in notebook 07 (Services and kube-proxy). A Service is a name and a
virtual IP; the pods behind it change all the time (they start, become
ready, fail their readiness probe, are deleted). This controller watches
Services and pods and writes the current answer to "which addresses serve
this Service, on which ports, and are they ready?" into EndpointSlice
objects (discovery.k8s.io/v1). kube-proxy on every node watches those
slices, never the pods, and turns them into forwarding rules.

    informers (Services, Pods, Nodes, EndpointSlices) --handlers--> queue of Service keys
        --worker--> sync_service(key) --> reconcile(): create / update / delete slices

Upstream: `pkg/controller/endpointslice/endpointslice_controller.go` and the
reconciler in `staging/src/k8s.io/endpointslice/reconciler.go`; the names
are theirs (`syncService`, `reconcileByPortMapping`, `getSliceToFill`,
`podToEndpoint`, `FindPort`, the EndpointSliceTracker).

What each endpoint says, as upstream computes it:

* `ready`: the pod's Ready condition is True and the pod is not being
  deleted (or the Service sets publishNotReadyAddresses);
* `serving`: the pod's Ready condition is True, deleting or not;
* `terminating`: the pod has a deletionTimestamp.

A pod is listed once it has a podIP and while it is not Succeeded/Failed,
terminating pods included (kube-proxy decides what to do with those).

Ports come from the Service's `targetPort`: a number is used as it is; a
name is looked up among the pod's container ports (name and protocol must
match). A Service port whose name no container declares is left out for
that pod; a pod with none of the ports still gets an endpoint, in a slice
with no ports, which kube-proxy cannot use (as upstream).

Simplified, out loud: IPv4 only (one slice family, addressType IPv4); no
topology hints (trafficDistribution, the TopologyAwareHints annotation) and
so no reaction to node changes; no `endpoints.kubernetes.io/last-change-
trigger-time` annotation; no endpointUpdatesBatchPeriod (every change is
synced as soon as the worker gets to it). Upstream picks endpoints out of a
set in Go's random map order; here they go in pod-name order, so runs agree.
A Service with an empty selector (`selector: {}`) is treated like one with
none: it gets no slices from this controller.
"""

from __future__ import annotations

from typing import Any

from k8slab.api.errors import NotFound, StatusError
from k8slab.client import Client, Informer, WorkQueue, deep_copy, key_of, process_next_work_item, split_key
from k8slab.controllers.controller_utils import get_controller_of, is_pod_ready, new_controller_ref
from k8slab.controllers.events import WARNING, EventRecorder

COMPONENT = "endpoint-slice-controller"
#: The value of the managed-by label on every slice this controller writes (upstream's ControllerName).
CONTROLLER_NAME = "endpointslice-controller.k8s.io"
LABEL_SERVICE_NAME = "kubernetes.io/service-name"
LABEL_MANAGED_BY = "endpointslice.kubernetes.io/managed-by"
LABEL_HEADLESS = "service.kubernetes.io/headless"
LABEL_ZONE = "topology.kubernetes.io/zone"
#: At most this many endpoints in one slice (kube-controller-manager's --max-endpoints-per-slice default).
MAX_ENDPOINTS_PER_SLICE = 100
API_VERSION = "discovery.k8s.io/v1"


# ----------------------------------------------------------------------------- pure helpers


def namespace_index(obj: dict) -> list[str]:
    return [obj["metadata"].get("namespace", "")]


def service_name_index(slice_: dict) -> list[str]:
    """File a slice under "namespace/service" from its kubernetes.io/service-name label."""
    name = (slice_["metadata"].get("labels") or {}).get(LABEL_SERVICE_NAME)
    return [f"{slice_['metadata'].get('namespace', '')}/{name}"] if name else []


def service_selector(service: dict) -> dict | None:
    """The Service's selector (a plain label map), or None if it has none (then no slices are managed)."""
    selector = (service.get("spec") or {}).get("selector")
    return selector if isinstance(selector, dict) and selector else None


def should_pod_be_in_endpoints(pod: dict) -> bool:
    """ShouldPodBeInEndpoints(pod, includeTerminating=true): has an IP and has not finished."""
    status = pod.get("status") or {}
    if not status.get("podIP") and not status.get("podIPs"):
        return False
    return status.get("phase") not in ("Succeeded", "Failed")


def find_port(pod: dict, service_port: dict) -> int | None:
    """podutil.FindPort: the container port a Service port's targetPort means on this pod (None: none).

    >>> pod = {"spec": {"containers": [{"ports": [{"name": "http", "containerPort": 8080}]}]}}
    >>> find_port(pod, {"targetPort": "http", "protocol": "TCP"}), find_port(pod, {"targetPort": 9000})
    (8080, 9000)
    >>> find_port(pod, {"targetPort": "metrics", "protocol": "TCP"}) is None
    True
    """
    target = service_port.get("targetPort", service_port.get("port"))
    if isinstance(target, int) and not isinstance(target, bool):
        return target
    if isinstance(target, str) and target.isdigit():
        return int(target)
    protocol = service_port.get("protocol") or "TCP"
    for container in (pod.get("spec") or {}).get("containers") or []:
        for port in container.get("ports") or []:
            if port.get("name") == target and (port.get("protocol") or "TCP") == protocol:
                return port.get("containerPort")
    return None


def endpoint_ports(service: dict, pod: dict) -> list[dict]:
    """getEndpointPorts: the Service's ports as this pod serves them, in the Service's order."""
    ports = []
    for service_port in (service.get("spec") or {}).get("ports") or []:
        number = find_port(pod, service_port)
        if number is None:
            continue  # upstream logs "no suitable port for manifest" at V(4) and skips the port
        port = {
            "name": service_port.get("name", ""),
            "port": number,
            "protocol": service_port.get("protocol", "TCP"),
        }
        if service_port.get("appProtocol"):
            port["appProtocol"] = service_port["appProtocol"]
        ports.append(port)
    return ports


def ports_key(ports: list[dict]) -> tuple:
    """The identity of a port set (upstream hashes it: endpointutil.NewPortMapKey), order-independent."""
    return tuple(sorted((p.get("name", ""), p.get("port"), p.get("protocol", "TCP"), p.get("appProtocol", ""))
                        for p in ports))


def pod_to_endpoint(pod: dict, node: dict | None, service: dict) -> dict:
    """podToEndpoint: the endpoint a pod contributes, with ready/serving/terminating as upstream sets them."""
    spec, meta = pod.get("spec") or {}, pod["metadata"]
    publish_not_ready = bool((service.get("spec") or {}).get("publishNotReadyAddresses"))
    terminating = bool(meta.get("deletionTimestamp"))
    serving = is_pod_ready(pod)
    ready = publish_not_ready or (serving and not terminating)
    status = pod.get("status") or {}
    address = status.get("podIP") or (status.get("podIPs") or [{}])[0].get("ip")
    endpoint: dict[str, Any] = {
        "addresses": [address],
        "conditions": {"ready": ready, "serving": serving, "terminating": terminating},
    }
    if (
        spec.get("hostname")
        and spec.get("subdomain") == service["metadata"]["name"]
        and meta.get("namespace") == service["metadata"].get("namespace")
    ):
        endpoint["hostname"] = spec["hostname"]  # ShouldSetHostname: a pod named within a headless Service
    if spec.get("nodeName"):
        endpoint["nodeName"] = spec["nodeName"]
    zone = ((node or {}).get("metadata", {}).get("labels") or {}).get(LABEL_ZONE)
    if zone:
        endpoint["zone"] = zone
    endpoint["targetRef"] = {
        "kind": "Pod", "namespace": meta.get("namespace", ""), "name": meta["name"],
        "uid": meta.get("uid", ""),
    }
    return endpoint


def endpoint_key(endpoint: dict) -> str:
    """Endpoints are matched between what is and what should be by their address (upstream's hash)."""
    return endpoint["addresses"][0]


def slice_labels(service: dict) -> dict:
    """setEndpointSliceLabels: the Service's own labels, plus the two that tie the slice to it."""
    labels = {
        key: value
        for key, value in (service["metadata"].get("labels") or {}).items()
        if key not in (LABEL_SERVICE_NAME, LABEL_MANAGED_BY, LABEL_HEADLESS)
    }
    labels[LABEL_SERVICE_NAME] = service["metadata"]["name"]
    labels[LABEL_MANAGED_BY] = CONTROLLER_NAME
    if (service.get("spec") or {}).get("clusterIP") == "None":
        labels[LABEL_HEADLESS] = ""
    return labels


def new_endpoint_slice(service: dict, ports: list[dict]) -> dict:
    """newEndpointSlice: an empty slice named `<service>-<5 random characters>`, owned by the Service."""
    return {
        "apiVersion": API_VERSION,
        "kind": "EndpointSlice",
        "metadata": {
            "generateName": f"{service['metadata']['name']}-",
            "namespace": service["metadata"].get("namespace", "default"),
            "labels": slice_labels(service),
            "ownerReferences": [new_controller_ref(service, "v1", "Service")],
        },
        "addressType": "IPv4",
        "endpoints": [],
        "ports": [dict(port) for port in ports],
    }


def get_slice_to_fill(slices: list[dict], count: int, max_endpoints: int) -> dict | None:
    """getSliceToFill: the fullest slice that still has room for `count` more endpoints (closest fit)."""
    best = None
    for slice_ in slices:
        size = len(slice_.get("endpoints") or [])
        if size + count <= max_endpoints and (best is None or size > len(best.get("endpoints") or [])):
            best = slice_
    return best


class EndpointSliceTracker:
    """Remembers the resourceVersion of every slice this controller wrote, per Service.

    The informer's cache lags behind our own writes (the watch event comes
    later, through the loop). Reconciling from a cache that does not yet show
    a slice we just created would create a second one. So, as upstream's
    EndpointSliceTracker, a sync first asks `stale(...)` and waits if so.
    """

    def __init__(self) -> None:
        # "namespace/service" -> slice name -> resourceVersion we wrote (None: we deleted it)
        self.expected: dict[str, dict[str, int | None]] = {}

    def wrote(self, service_key: str, slice_: dict) -> None:
        meta = slice_["metadata"]
        self.expected.setdefault(service_key, {})[meta["name"]] = int(meta["resourceVersion"])

    def deleted(self, service_key: str, name: str) -> None:
        self.expected.setdefault(service_key, {})[name] = None

    def stale(self, service_key: str, cached: list[dict]) -> bool:
        """Does the cache still miss one of our writes? Forgets writes the cache has caught up with."""
        expected = self.expected.get(service_key)
        if not expected:
            return False
        by_name = {s["metadata"]["name"]: int(s["metadata"].get("resourceVersion") or 0) for s in cached}
        is_stale = False
        for name, version in list(expected.items()):
            seen = by_name.get(name)
            if version is None:
                caught_up = seen is None
            else:
                caught_up = seen is not None and seen >= version
            if caught_up:
                del expected[name]
            else:
                is_stale = True
        if not expected:
            del self.expected[service_key]
        return is_stale

    def should_sync(self, slice_: dict) -> bool:
        """A slice event we did not cause (someone else changed or deleted a slice of ours)?"""
        service_key = service_name_index(slice_)
        expected = self.expected.get(service_key[0], {}) if service_key else {}
        name = slice_["metadata"]["name"]
        if name not in expected:
            return True
        version = expected[name]
        return version is None or int(slice_["metadata"].get("resourceVersion") or 0) > version

    def forget(self, service_key: str) -> None:
        self.expected.pop(service_key, None)


# ----------------------------------------------------------------------------- the controller


class EndpointSliceController:
    """Writes the EndpointSlices of every Service that has a selector.

        controller = EndpointSliceController(client)
        controller.run()
        client.loop.run(seconds=5)

    A controller manager passes shared informers so that every controller
    reads one cache; by default it makes its own.
    """

    def __init__(
        self,
        client: Client,
        recorder: Any = None,
        services: Informer | None = None,
        pods: Informer | None = None,
        nodes: Informer | None = None,
        endpoint_slices: Informer | None = None,
        max_endpoints_per_slice: int = MAX_ENDPOINTS_PER_SLICE,
    ):
        if isinstance(max_endpoints_per_slice, bool) or not isinstance(max_endpoints_per_slice, int) or not (
            1 <= max_endpoints_per_slice <= 1000
        ):
            raise ValueError(
                f"max-endpoints-per-slice must be between 1 and 1000, got {max_endpoints_per_slice!r}"
            )
        self.client = client
        self.loop = client.loop
        self.recorder = recorder if recorder is not None else EventRecorder(client, COMPONENT)
        self.max_endpoints_per_slice = max_endpoints_per_slice
        self.tracker = EndpointSliceTracker()
        self.queue = WorkQueue(self.loop, name="endpoint_slice", wake=self.worker)
        self.services = services if services is not None else Informer(client, "services")
        self.pods = pods if pods is not None else Informer(client, "pods")
        self.nodes = nodes if nodes is not None else Informer(client, "nodes")
        if endpoint_slices is None:
            endpoint_slices = Informer(client, "endpointslices")
        self.endpoint_slices = endpoint_slices
        self.services.add_event_handler(on_add=self.on_service_update, on_update=self.update_service,
                                        on_delete=self.on_service_delete)
        self.pods.add_event_handler(on_add=self.add_pod, on_update=self.update_pod, on_delete=self.delete_pod)
        self.endpoint_slices.add_event_handler(
            on_add=self.on_endpoint_slice_add, on_update=self.on_endpoint_slice_update,
            on_delete=self.on_endpoint_slice_delete,
        )
        for informer, name, index in (
            (self.services, "namespace", namespace_index),
            (self.pods, "namespace", namespace_index),
            (self.endpoint_slices, "serviceName", service_name_index),
        ):
            try:
                informer.add_index(name, index)
            except ValueError:
                pass  # a shared informer that already keeps this index

    def run(self) -> None:
        for informer in (self.services, self.pods, self.nodes, self.endpoint_slices):
            informer.run()

    def stop(self) -> None:
        for informer in (self.services, self.pods, self.nodes, self.endpoint_slices):
            informer.stop()
        self.queue.shutdown()

    def worker(self) -> None:
        while process_next_work_item(self.queue, self.sync_service):
            pass

    # -- event handlers -------------------------------------------------------------------

    def on_service_update(self, service: dict) -> None:
        self.queue.add(key_of(service))

    def update_service(self, old: dict, new: dict) -> None:
        self.queue.add(key_of(new))

    def on_service_delete(self, service: dict) -> None:
        self.tracker.forget(key_of(service))
        self.queue.add(key_of(service))

    def services_of(self, pod: dict) -> list[dict]:
        """getPodServiceMemberships: the Services of the pod's namespace whose selector matches it."""
        labels = pod["metadata"].get("labels") or {}
        found = []
        for service in self.services.by_index("namespace", pod["metadata"].get("namespace", "")):
            selector = service_selector(service)
            if selector is not None and all(labels.get(k) == v for k, v in selector.items()):
                found.append(service)
        return found

    def add_pod(self, pod: dict) -> None:
        for service in self.services_of(pod):
            self.queue.add(key_of(service))

    def update_pod(self, old: dict, new: dict) -> None:
        """Enqueue the Services of a pod whose endpoint could have changed (podEndpointsChanged)."""
        if old["metadata"].get("resourceVersion") == new["metadata"].get("resourceVersion"):
            return
        keys = {key_of(s): None for s in self.services_of(new)}
        if old["metadata"].get("labels") != new["metadata"].get("labels"):
            keys.update({key_of(s): None for s in self.services_of(old)})  # it may have left a Service
        elif not self.endpoint_changed(old, new):
            return
        for key in keys:
            self.queue.add(key)

    @staticmethod
    def endpoint_changed(old: dict, new: dict) -> bool:
        fields = (
            lambda p: (p.get("status") or {}).get("podIP"),
            lambda p: (p.get("status") or {}).get("phase"),
            is_pod_ready,
            lambda p: bool(p["metadata"].get("deletionTimestamp")),
            lambda p: (p.get("spec") or {}).get("nodeName"),
            lambda p: (p.get("spec") or {}).get("hostname"),
            lambda p: (p.get("spec") or {}).get("subdomain"),
        )
        return any(field(old) != field(new) for field in fields)

    def delete_pod(self, pod: dict) -> None:
        self.add_pod(pod)

    def managed_service_key(self, slice_: dict) -> str | None:
        labels = slice_["metadata"].get("labels") or {}
        if labels.get(LABEL_MANAGED_BY) != CONTROLLER_NAME or not labels.get(LABEL_SERVICE_NAME):
            return None
        return f"{slice_['metadata'].get('namespace', '')}/{labels[LABEL_SERVICE_NAME]}"

    def on_endpoint_slice_add(self, slice_: dict) -> None:
        key = self.managed_service_key(slice_)
        if key is not None and self.tracker.should_sync(slice_):
            self.queue.add(key)

    def on_endpoint_slice_update(self, old: dict, new: dict) -> None:
        keys = {k for k in (self.managed_service_key(old), self.managed_service_key(new)) if k is not None}
        if old["metadata"].get("labels") != new["metadata"].get("labels") or self.tracker.should_sync(new):
            for key in sorted(keys):
                self.queue.add(key)

    def on_endpoint_slice_delete(self, slice_: dict) -> None:
        key = self.managed_service_key(slice_)
        if key is None:
            return
        expected = self.tracker.expected.get(key, {})
        ours = slice_["metadata"]["name"] in expected and expected[slice_["metadata"]["name"]] is None
        expected.pop(slice_["metadata"]["name"], None)  # the cache cannot catch up with a slice that is gone
        if not ours:  # someone else deleted a slice of ours: write it again
            self.queue.add(key)

    # -- the reconcile --------------------------------------------------------------------

    def sync_service(self, key: str) -> None:
        """syncService: work out the endpoints a Service should have, then reconcile its slices to them."""
        namespace, name = split_key(key)
        service = self.services.get(key)
        if service is None:
            self.tracker.forget(key)
            return  # its slices go with it: the garbage collector follows their ownerReference
        spec = service.get("spec") or {}
        if spec.get("type") == "ExternalName":
            return  # an ExternalName Service is a DNS alias: no endpoints (kubernetes/kubernetes#105986)
        selector = service_selector(service)
        if selector is None:
            return  # slices of a Service without a selector are written by hand, not by us
        if service["metadata"].get("deletionTimestamp"):
            return
        cached = [
            s for s in self.endpoint_slices.by_index("serviceName", key)
            if (s["metadata"].get("labels") or {}).get(LABEL_MANAGED_BY) == CONTROLLER_NAME
        ]
        if self.tracker.stale(key, cached):
            self.queue.add_after(key, 0.01)  # the cache has not seen our last write yet: look again shortly
            return
        pods = [
            pod for pod in self.pods.by_index("namespace", namespace)
            if all((pod["metadata"].get("labels") or {}).get(k) == v for k, v in selector.items())
        ]
        try:
            self.reconcile(service, sorted(pods, key=lambda p: p["metadata"]["name"]), cached)
        except StatusError as error:
            self.recorder.event(
                service, WARNING, "FailedToUpdateEndpointSlices",
                f"Error updating Endpoint Slices for Service {namespace}/{name}: {error}",
            )
            raise

    def desired_endpoints(self, service: dict, pods: list[dict]) -> dict[tuple, tuple[list[dict], dict]]:
        """Port set -> (its ports, {address: endpoint}) for every pod that belongs in the Service's slices."""
        desired: dict[tuple, tuple[list[dict], dict]] = {}
        for pod in pods:
            if not should_pod_be_in_endpoints(pod):
                continue
            node_name = (pod.get("spec") or {}).get("nodeName")
            node = self.nodes.get(node_name) if node_name else None
            ports = endpoint_ports(service, pod)
            entry = desired.setdefault(ports_key(ports), (ports, {}))
            endpoint = pod_to_endpoint(pod, node, service)
            entry[1].setdefault(endpoint_key(endpoint), endpoint)
        return desired

    def reconcile(self, service: dict, pods: list[dict], existing: list[dict]) -> None:
        """reconcile + reconcileByPortMapping: the fewest creates, updates and deletes that get there."""
        desired = self.desired_endpoints(service, pods)
        labels = slice_labels(service)
        existing = sorted(existing, key=lambda s: s["metadata"]["name"])
        by_ports: dict[tuple, list[dict]] = {}
        for slice_ in existing:
            by_ports.setdefault(ports_key(slice_.get("ports") or []), []).append(slice_)
        to_create: list[dict] = []
        to_update: list[dict] = []
        to_delete: list[dict] = []
        for key, (ports, endpoints) in desired.items():
            create, update, delete = self.reconcile_by_port_mapping(
                service, by_ports.pop(key, []), ports, dict(endpoints), labels
            )
            to_create += create
            to_update += update
            to_delete += delete
        for slices in by_ports.values():  # port sets nobody needs any more
            to_delete += slices
        if len(existing) == len(to_delete) and not to_create:
            # A Service with no endpoints still gets one empty slice: a placeholder.
            placeholder = new_endpoint_slice(service, [])
            placeholder["ports"] = []
            if len(to_delete) == 1 and self.is_placeholder(to_delete[0], labels):
                to_delete = []  # it is already there: do not delete and recreate it
            else:
                to_create.append(placeholder)
        # finalize: turn a delete plus a create into one update of the old slice (less churn for watchers).
        while to_delete and to_create:
            old, new = to_delete.pop(0), to_create.pop()
            reused = deep_copy(old)
            reused["metadata"]["labels"] = new["metadata"]["labels"]
            reused["endpoints"], reused["ports"] = new["endpoints"], new["ports"]
            to_update.append(reused)
        self.write(service, to_create, to_update, to_delete)

    @staticmethod
    def is_placeholder(slice_: dict, labels: dict) -> bool:
        return (
            not slice_.get("endpoints") and not slice_.get("ports")
            and (slice_["metadata"].get("labels") or {}) == labels
        )

    def reconcile_by_port_mapping(
        self, service: dict, existing: list[dict], ports: list[dict], desired: dict[str, dict], labels: dict
    ) -> tuple[list[dict], list[dict], list[dict]]:
        """reconcileByPortMapping: the slices of one port set, made to hold exactly `desired`."""
        limit = self.max_endpoints_per_slice
        to_update: list[dict] = []
        to_delete: list[dict] = []
        unchanged: list[dict] = []
        # 1. Walk the slices we have: drop endpoints that should go, refresh those that changed.
        for slice_ in existing:
            kept, changed = [], False
            for endpoint in slice_.get("endpoints") or []:
                want = desired.pop(endpoint_key(endpoint), None)
                if want is None:
                    changed = True
                    continue
                if want != endpoint:
                    changed = True
                kept.append(want)
            labels_changed = (slice_["metadata"].get("labels") or {}) != labels
            if not kept:
                to_delete.append(slice_)
            elif changed or labels_changed:
                updated = deep_copy(slice_)
                updated["endpoints"] = kept
                updated["metadata"]["labels"] = dict(labels)
                to_update.append(updated)
            else:
                unchanged.append(slice_)
        remaining = list(desired.values())
        # 2. Fill the slices we update anyway, fullest first.
        for slice_ in sorted(to_update, key=lambda s: -len(s["endpoints"])):
            while remaining and len(slice_["endpoints"]) < limit:
                slice_["endpoints"].append(remaining.pop(0))
        # 3. Whatever is left: into one unchanged slice that has room for it all, else into new slices.
        to_create: list[dict] = []
        while remaining:
            target = None
            if len(remaining) < limit and unchanged:
                target = get_slice_to_fill(unchanged, len(remaining), limit)
            if target is None:
                target = new_endpoint_slice(service, ports)
            else:
                unchanged.remove(target)
                target = deep_copy(target)
                to_update.append(target)
            while remaining and len(target["endpoints"]) < limit:
                target["endpoints"].append(remaining.pop(0))
            if "name" not in target["metadata"]:
                to_create.append(target)
        return to_create, to_update, to_delete

    def write(
        self, service: dict, to_create: list[dict], to_update: list[dict], to_delete: list[dict]
    ) -> None:
        """Send the changes through the API: creates first, then updates, then deletes (as upstream)."""
        key = key_of(service)
        namespace = service["metadata"].get("namespace", "")
        if service["metadata"].get("deletionTimestamp"):
            return
        for slice_ in to_create:
            created = self.client.create(slice_)
            self.tracker.wrote(key, created)
        for slice_ in to_update:
            updated = self.client.update(slice_)
            self.tracker.wrote(key, updated)
        for slice_ in to_delete:
            name = slice_["metadata"]["name"]
            try:
                self.client.delete("endpointslices", name, namespace=namespace)
            except NotFound:
                pass  # gone already
            self.tracker.deleted(key, name)


def owned_by(slice_: dict, service: dict) -> bool:
    ref = get_controller_of(slice_)
    return ref is not None and ref.get("uid") == service["metadata"].get("uid")


def start_endpoint_slice_controller(ctx: Any) -> EndpointSliceController:
    """The controller manager's start function (upstream's newEndpointSliceControllerDescriptor)."""
    return EndpointSliceController(
        ctx.client,
        ctx.recorder(COMPONENT),
        services=ctx.informer_factory.informer("services"),
        pods=ctx.informer_factory.informer("pods"),
        nodes=ctx.informer_factory.informer("nodes"),
        endpoint_slices=ctx.informer_factory.informer("endpointslices"),
    )


__all__ = [
    "CONTROLLER_NAME",
    "EndpointSliceController",
    "EndpointSliceTracker",
    "LABEL_MANAGED_BY",
    "LABEL_SERVICE_NAME",
    "MAX_ENDPOINTS_PER_SLICE",
    "endpoint_ports",
    "find_port",
    "pod_to_endpoint",
    "start_endpoint_slice_controller",
]
