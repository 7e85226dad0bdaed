"""Defaulting: the values kube-apiserver fills in before it validates an object (notebook 02).

A manifest says only what its author cares about. Before the API server
validates and stores it, it fills in every field the author left out that
Kubernetes gives a default, so the stored object is complete. This is why
`kubectl get pod web -o yaml` shows `restartPolicy: Always`,
`terminationGracePeriodSeconds: 30` and `imagePullPolicy: IfNotPresent` when
the manifest had none of them.

In kube-apiserver these rules live in `pkg/apis/core/v1/defaults.go`,
`pkg/apis/apps/v1/defaults.go` (and their `zz_generated.defaults.go`), plus a
few "PrepareForCreate" steps of each resource's registry strategy; this module
gathers the ones the lab's kinds use. `apply_defaults(info, obj)` changes the
object in place and never overwrites a value the author gave.

What gets defaulted
-------------------
Pod spec (also the pod template inside a ReplicaSet or Deployment):
  dnsPolicy ClusterFirst, restartPolicy Always, securityContext {},
  terminationGracePeriodSeconds 30, schedulerName default-scheduler.
Each container (and init container):
  imagePullPolicy Always when the image tag is `latest` or missing, else
  IfNotPresent; terminationMessagePath /dev/termination-log;
  terminationMessagePolicy File; resources {}; ports[*].protocol TCP;
  env[*].valueFrom.fieldRef.apiVersion v1.
Probes (liveness, readiness, startup): timeoutSeconds 1, periodSeconds 10,
  successThreshold 1, failureThreshold 3; an httpGet handler (in a probe or a
  lifecycle hook) gets path / and scheme HTTP.
Volumes: a volume with no source becomes an emptyDir; secret, configMap,
  downwardAPI and projected volumes get defaultMode 420 (0644 in octal);
  hostPath gets type ""; a projected serviceAccountToken lasts 3600 seconds.
Pods only (not pod templates): enableServiceLinks true; a container with
  limits but no requests gets requests equal to its limits; with hostNetwork
  each containerPort is also the hostPort; a negative
  terminationGracePeriodSeconds becomes 1 (the pod strategy's rule).
  `priority` and `preemptionPolicy` are filled in later by the Priority
  admission plugin, not here.
ReplicaSet: replicas 1.
Deployment: replicas 1, strategy RollingUpdate with maxSurge 25% and
  maxUnavailable 25%, revisionHistoryLimit 10, progressDeadlineSeconds 600.
Service: type ClusterIP, sessionAffinity None (ClientIP affinity gets a
  timeout of 10800 s), ports[*].protocol TCP, ports[*].targetPort = port,
  internalTrafficPolicy Cluster, externalTrafficPolicy Cluster for NodePort
  and LoadBalancer, allocateLoadBalancerNodePorts true for LoadBalancer,
  clusterIPs mirrors clusterIP, and ipFamilyPolicy SingleStack with
  ipFamilies [IPv4] for every Service that gets a cluster IP (the lab's
  cluster is single-stack IPv4).
Namespace: label kubernetes.io/metadata.name = its name, spec.finalizers
  ["kubernetes"], status.phase Active.
Node: status.allocatable copied from status.capacity when the kubelet sends
  only capacity.
Secret: type Opaque; stringData is folded into data (base64) and dropped, as
  the API server's decoding does.
PriorityClass: preemptionPolicy PreemptLowerPriority.
EndpointSlice: ports[*].protocol TCP, ports[*].name "".
ConfigMap, Event, Lease: nothing.
"""

from __future__ import annotations

import base64
from typing import Any

from k8slab.api.kinds import ResourceInfo

DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30
DEFAULT_SCHEDULER_NAME = "default-scheduler"
TERMINATION_MESSAGE_PATH_DEFAULT = "/dev/termination-log"
VOLUME_DEFAULT_MODE = 0o644  # 420 in decimal, which is how it is stored and printed
CLIENT_IP_AFFINITY_SECONDS = 10800  # three hours
SERVICE_ACCOUNT_TOKEN_SECONDS = 3600


def apply_defaults(info: ResourceInfo, obj: dict) -> None:
    """Fill in Kubernetes' defaults for `obj`, a manifest of kind `info.kind`, in place."""
    defaulter = _DEFAULTERS.get(info.kind)
    if defaulter is not None:
        defaulter(obj)


# --- helpers -----------------------------------------------------------------


def _dict(parent: dict, key: str) -> dict | None:
    """parent[key] when it is a mapping; creates an empty one when the key is missing."""
    value = parent.setdefault(key, {})
    return value if isinstance(value, dict) else None


def _dicts(value: Any) -> list[dict]:
    """The mapping items of a list (wrong-typed items are left for validation to report)."""
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, dict)]


def image_tag(image: str) -> str:
    """The tag of an image reference: `nginx:1.25` -> `1.25`, `nginx` -> `latest`, `a@sha256:..` -> ''."""
    name, _, digest = image.partition("@")
    last = name.rsplit("/", 1)[-1]  # a registry host may carry a port: `host:5000/app`
    if ":" in last:
        return last.split(":", 1)[1]
    return "" if digest else "latest"  # pinned by digest only: no tag, so never `latest`


# --- pods --------------------------------------------------------------------


def default_pod_spec(spec: dict) -> None:
    """SetDefaults_PodSpec and everything nested in a pod spec (containers, probes, volumes)."""
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("securityContext", {})
    spec.setdefault("terminationGracePeriodSeconds", DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS)
    spec.setdefault("schedulerName", DEFAULT_SCHEDULER_NAME)
    for container in _dicts(spec.get("initContainers")) + _dicts(spec.get("containers")):
        default_container(container)
    for volume in _dicts(spec.get("volumes")):
        default_volume(volume)


def default_container(container: dict) -> None:
    """SetDefaults_Container, plus the defaults of its ports, env, probes and hooks."""
    if not container.get("imagePullPolicy"):
        image = container.get("image")
        tag = image_tag(image) if isinstance(image, str) else ""
        container["imagePullPolicy"] = "Always" if tag == "latest" else "IfNotPresent"
    container.setdefault("terminationMessagePath", TERMINATION_MESSAGE_PATH_DEFAULT)
    container.setdefault("terminationMessagePolicy", "File")
    container.setdefault("resources", {})
    for port in _dicts(container.get("ports")):
        port.setdefault("protocol", "TCP")
    for env in _dicts(container.get("env")):
        value_from = env.get("valueFrom")
        if isinstance(value_from, dict) and isinstance(value_from.get("fieldRef"), dict):
            value_from["fieldRef"].setdefault("apiVersion", "v1")
    for probe_name in ("livenessProbe", "readinessProbe", "startupProbe"):
        probe = container.get(probe_name)
        if isinstance(probe, dict):
            default_probe(probe)
    lifecycle = container.get("lifecycle")
    if isinstance(lifecycle, dict):
        for hook in ("postStart", "preStop"):
            handler = lifecycle.get(hook)
            if isinstance(handler, dict) and isinstance(handler.get("httpGet"), dict):
                default_http_get(handler["httpGet"])


def default_probe(probe: dict) -> None:
    """SetDefaults_Probe: a probe that says nothing about timing is checked every 10 s."""
    for key, value in (
        ("timeoutSeconds", 1),
        ("periodSeconds", 10),
        ("successThreshold", 1),
        ("failureThreshold", 3),
    ):
        if not probe.get(key):  # Go's zero value (0 or missing) means "not set"
            probe[key] = value
    if isinstance(probe.get("httpGet"), dict):
        default_http_get(probe["httpGet"])


def default_http_get(action: dict) -> None:
    """SetDefaults_HTTPGetAction."""
    if not action.get("path"):
        action["path"] = "/"
    if not action.get("scheme"):
        action["scheme"] = "HTTP"


def default_volume(volume: dict) -> None:
    """SetDefaults_Volume and the defaults of the common volume sources."""
    sources = [key for key in volume if key != "name"]
    if not sources:
        volume["emptyDir"] = {}
    for source in ("secret", "configMap", "downwardAPI", "projected"):
        if isinstance(volume.get(source), dict):
            volume[source].setdefault("defaultMode", VOLUME_DEFAULT_MODE)
    if isinstance(volume.get("hostPath"), dict):
        volume["hostPath"].setdefault("type", "")
    if isinstance(volume.get("downwardAPI"), dict):
        _default_field_refs(volume["downwardAPI"].get("items"))
    if isinstance(volume.get("projected"), dict):
        for source in _dicts(volume["projected"].get("sources")):
            if isinstance(source.get("serviceAccountToken"), dict):
                source["serviceAccountToken"].setdefault("expirationSeconds", SERVICE_ACCOUNT_TOKEN_SECONDS)
            if isinstance(source.get("downwardAPI"), dict):
                _default_field_refs(source["downwardAPI"].get("items"))


def _default_field_refs(items: Any) -> None:
    for item in _dicts(items):
        if isinstance(item.get("fieldRef"), dict):
            item["fieldRef"].setdefault("apiVersion", "v1")


def default_pod(pod: dict) -> None:
    """SetDefaults_Pod: the pod spec's defaults plus the few that only a Pod (not a template) gets."""
    spec = _dict(pod, "spec")
    if spec is None:
        return
    default_pod_spec(spec)
    for container in _dicts(spec.get("containers")) + _dicts(spec.get("initContainers")):
        resources = container.get("resources")
        if isinstance(resources, dict) and isinstance(resources.get("limits"), dict):
            requests = resources.setdefault("requests", {})
            if isinstance(requests, dict):
                for name, quantity in resources["limits"].items():
                    requests.setdefault(name, quantity)
    spec.setdefault("enableServiceLinks", True)
    if spec.get("hostNetwork") is True:
        for container in _dicts(spec.get("containers")) + _dicts(spec.get("initContainers")):
            for port in _dicts(container.get("ports")):
                if not port.get("hostPort"):
                    port["hostPort"] = port.get("containerPort")
    grace = spec.get("terminationGracePeriodSeconds")
    if isinstance(grace, int) and not isinstance(grace, bool) and grace < 0:
        spec["terminationGracePeriodSeconds"] = 1


def _default_template(spec: dict) -> None:
    template = _dict(spec, "template")
    if template is None:
        return
    template_spec = _dict(template, "spec")
    if template_spec is not None:
        default_pod_spec(template_spec)


# --- workloads ---------------------------------------------------------------


def default_replica_set(rs: dict) -> None:
    """SetDefaults_ReplicaSet."""
    spec = _dict(rs, "spec")
    if spec is None:
        return
    spec.setdefault("replicas", 1)
    _default_template(spec)


def default_deployment(deployment: dict) -> None:
    """SetDefaults_Deployment: one replica, rolling updates of 25%, 10 old ReplicaSets, 600 s to progress."""
    spec = _dict(deployment, "spec")
    if spec is None:
        return
    spec.setdefault("replicas", 1)
    strategy = _dict(spec, "strategy")
    if strategy is not None:
        if not strategy.get("type"):
            strategy["type"] = "RollingUpdate"
        if strategy["type"] == "RollingUpdate":
            rolling = _dict(strategy, "rollingUpdate")
            if rolling is not None:
                rolling.setdefault("maxUnavailable", "25%")
                rolling.setdefault("maxSurge", "25%")
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("progressDeadlineSeconds", 600)
    _default_template(spec)


# --- services and networking -------------------------------------------------


def default_service(service: dict) -> None:
    """SetDefaults_Service, plus the cluster-IP bookkeeping of the Service registry."""
    spec = _dict(service, "spec")
    if spec is None:
        return
    if not spec.get("sessionAffinity"):
        spec["sessionAffinity"] = "None"
    if spec["sessionAffinity"] == "None":
        spec.pop("sessionAffinityConfig", None)
    elif spec["sessionAffinity"] == "ClientIP":
        config = spec.get("sessionAffinityConfig")
        client_ip = config.get("clientIP") if isinstance(config, dict) else None
        if not isinstance(client_ip, dict) or client_ip.get("timeoutSeconds") is None:
            spec["sessionAffinityConfig"] = {"clientIP": {"timeoutSeconds": CLIENT_IP_AFFINITY_SECONDS}}
    if not spec.get("type"):
        spec["type"] = "ClusterIP"
    for port in _dicts(spec.get("ports")):
        if not port.get("protocol"):
            port["protocol"] = "TCP"
        if port.get("targetPort") in (None, 0, ""):
            port["targetPort"] = port.get("port")
    service_type = spec["type"]
    if service_type in ("NodePort", "LoadBalancer") and not spec.get("externalTrafficPolicy"):
        spec["externalTrafficPolicy"] = "Cluster"
    if service_type in ("ClusterIP", "NodePort", "LoadBalancer"):
        spec.setdefault("internalTrafficPolicy", "Cluster")
    if service_type == "LoadBalancer":
        spec.setdefault("allocateLoadBalancerNodePorts", True)
    # The registry keeps clusterIP and clusterIPs in step (clusterIPs[0] is the primary).
    cluster_ip = spec.get("clusterIP")
    if isinstance(cluster_ip, str) and cluster_ip and not spec.get("clusterIPs"):
        spec["clusterIPs"] = [cluster_ip]
    headless = cluster_ip == "None"
    if service_type != "ExternalName" and (not headless or spec.get("selector")):
        spec.setdefault("ipFamilyPolicy", "SingleStack")
        spec.setdefault("ipFamilies", ["IPv4"])


def default_endpoint_slice(slice_: dict) -> None:
    """SetDefaults_EndpointPort (discovery.k8s.io/v1)."""
    for port in _dicts(slice_.get("ports")):
        port.setdefault("name", "")
        port.setdefault("protocol", "TCP")


# --- cluster objects ---------------------------------------------------------


def default_namespace(namespace: dict) -> None:
    """SetDefaults_Namespace, SetDefaults_NamespaceStatus and the namespace strategy's finalizer."""
    meta = namespace.get("metadata")
    if isinstance(meta, dict) and isinstance(meta.get("name"), str) and meta["name"]:
        labels = meta.get("labels")
        if labels is None:
            labels = meta["labels"] = {}
        if isinstance(labels, dict):
            labels["kubernetes.io/metadata.name"] = meta["name"]
    spec = _dict(namespace, "spec")
    if spec is not None and not spec.get("finalizers"):
        spec["finalizers"] = ["kubernetes"]
    status = _dict(namespace, "status")
    if status is not None and not status.get("phase"):
        status["phase"] = "Active"


def default_node(node: dict) -> None:
    """SetDefaults_NodeStatus: what can be allocated defaults to the whole capacity."""
    status = node.get("status")
    if isinstance(status, dict) and isinstance(status.get("capacity"), dict) and "allocatable" not in status:
        status["allocatable"] = dict(status["capacity"])


def default_secret(secret: dict) -> None:
    """SetDefaults_Secret, and the v1 decoding step that folds stringData into data."""
    if not secret.get("type"):
        secret["type"] = "Opaque"
    string_data = secret.get("stringData")
    if isinstance(string_data, dict) and all(isinstance(v, str) for v in string_data.values()):
        data = secret.get("data")
        if data is None:
            data = secret["data"] = {}
        if isinstance(data, dict):
            for key, value in string_data.items():
                data[key] = base64.b64encode(value.encode()).decode()
            del secret["stringData"]


def default_priority_class(pc: dict) -> None:
    """SetDefaults_PriorityClass (scheduling.k8s.io/v1)."""
    if not pc.get("preemptionPolicy"):
        pc["preemptionPolicy"] = "PreemptLowerPriority"


_DEFAULTERS = {
    "Pod": default_pod,
    "ReplicaSet": default_replica_set,
    "Deployment": default_deployment,
    "Service": default_service,
    "EndpointSlice": default_endpoint_slice,
    "Namespace": default_namespace,
    "Node": default_node,
    "Secret": default_secret,
    "PriorityClass": default_priority_class,
}
