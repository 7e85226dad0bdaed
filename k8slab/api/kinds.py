"""The kinds the lab's API server serves, and how a name like "po" finds its resource.

Kubernetes calls this the RESTMapper: `kubectl get po`, `kubectl get pods`,
`kubectl get pod` and a manifest's `kind: Pod` all resolve to one resource,
`pods` in the core group `""`, version `v1`. Every object is stored in etcd
under a key built from that resource:

    /registry/<resource>/<namespace>/<name>    (namespaced kinds: pods, services, ...)
    /registry/<resource>/<name>                (cluster-wide kinds: nodes, namespaces, ...)

(Real kube-apiserver keeps a few historical spellings, such as nodes under
`/registry/minions/` and services under `/registry/services/specs/`; the lab
uses the plain resource name for every kind.)
"""

from __future__ import annotations

from dataclasses import dataclass

from k8slab.api.errors import BadRequest, NotFound


@dataclass(frozen=True)
class ResourceInfo:
    kind: str
    resource: str  # plural, as in URLs and etcd keys
    singular: str
    group: str  # "" for the core group
    version: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    subresources: tuple[str, ...] = ()  # "status", "scale", "binding"

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def qualified(self) -> str:
        """`pods` for the core group, `deployments.apps` elsewhere: how error messages name it."""
        return f"{self.resource}.{self.group}" if self.group else self.resource

    def key(self, namespace: str | None, name: str) -> str:
        if self.namespaced:
            return f"/registry/{self.resource}/{namespace}/{name}"
        return f"/registry/{self.resource}/{name}"

    def prefix(self, namespace: str | None = None) -> str:
        if self.namespaced and namespace:
            return f"/registry/{self.resource}/{namespace}/"
        return f"/registry/{self.resource}/"


KINDS: tuple[ResourceInfo, ...] = (
    ResourceInfo("Namespace", "namespaces", "namespace", "", "v1", False, ("ns",), ("status",)),
    ResourceInfo("Node", "nodes", "node", "", "v1", False, ("no",), ("status",)),
    ResourceInfo("Pod", "pods", "pod", "", "v1", True, ("po",), ("status", "binding")),
    ResourceInfo("Service", "services", "service", "", "v1", True, ("svc",), ("status",)),
    ResourceInfo("ConfigMap", "configmaps", "configmap", "", "v1", True, ("cm",)),
    ResourceInfo("Secret", "secrets", "secret", "", "v1", True),
    ResourceInfo("Event", "events", "event", "", "v1", True, ("ev",)),
    ResourceInfo("ReplicaSet", "replicasets", "replicaset", "apps", "v1", True, ("rs",), ("status", "scale")),
    ResourceInfo(
        "Deployment", "deployments", "deployment", "apps", "v1", True, ("deploy",), ("status", "scale")
    ),
    ResourceInfo("EndpointSlice", "endpointslices", "endpointslice", "discovery.k8s.io", "v1", True),
    ResourceInfo("Lease", "leases", "lease", "coordination.k8s.io", "v1", True),
    ResourceInfo(
        "PriorityClass", "priorityclasses", "priorityclass", "scheduling.k8s.io", "v1", False, ("pc",)
    ),
)

_BY_KIND = {info.kind: info for info in KINDS}
_BY_NAME: dict[str, ResourceInfo] = {}
for _info in KINDS:
    for _name in (_info.resource, _info.singular, _info.kind.lower(), *_info.short_names):
        _BY_NAME[_name] = _info
        if _info.group:
            _BY_NAME[f"{_name}.{_info.group}"] = _info


def for_kind(api_version: str | None, kind: str | None) -> ResourceInfo:
    """The resource of a manifest's apiVersion and kind, refused as kubectl refuses an unknown one."""
    if not kind or not isinstance(kind, str):
        raise BadRequest("Object 'Kind' is missing in the object")
    if not api_version or not isinstance(api_version, str):
        raise BadRequest(f"Object 'apiVersion' is missing in the object of kind {kind!r}")
    info = _BY_KIND.get(kind)
    if info is None or info.api_version != api_version:
        raise NotFound(f'no matches for kind "{kind}" in version "{api_version}"', kind=kind)
    return info


def lookup(name: str) -> ResourceInfo:
    """The resource a command-line name means: `pods`, `pod`, `po`, `Pod`, `deployments.apps`."""
    info = _BY_NAME.get(name) or _BY_NAME.get(name.lower())
    if info is None:
        info = _BY_KIND.get(name)
    if info is None:
        raise NotFound(f'the server doesn\'t have a resource type "{name}"')
    return info


def all_kinds() -> tuple[ResourceInfo, ...]:
    return KINDS
