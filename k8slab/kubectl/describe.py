"""What `kubectl describe` prints (built in notebook 02).

`kubectl get` shows one line per object; `kubectl describe` shows one object
in full, in a layout made for reading: the object's own fields, the objects
around it (the ReplicaSets of a Deployment, the pods on a Node, the
EndpointSlices of a Service) and, last, the **Events** about it, which is
where the story of what happened to it is told (`Scheduled`, `Pulling`,
`Started`, `BackOff`, ...).

This is our copy of kubectl's `pkg/describe/describe.go` (kubectl 1.36). Each
describer writes lines through a `PrefixWriter`, which indents two spaces per
level, and cells separated by tabs; a tabwriter (minimum width 0, padding 2)
then aligns them. Because a tabwriter aligns only *consecutive* lines that
have tabs, each section of the output lines up on its own, which is why
`Name:` and `Image:` sit at different widths. Keeping the tabs and letting
`tabwriter()` do the aligning is what makes the spacing come out exactly as
kubectl's.

kubectl fetches the related objects itself; here the caller passes them in:
`describe(obj, events, now, pods=..., replica_sets=..., endpoint_slices=...,
lease=...)`. Times are written as RFC 1123 in UTC (`Mon, 01 Jan 2024 00:00:05
+0000`); real kubectl uses the local time zone of the machine it runs on.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from k8slab.api.quantity import Quantity
from k8slab.kubectl.printers import (
    NONE,
    format_labels,
    format_selector,
    node_roles,
    parse_time,
    selector_string,
    since,
    tabwriter,
)

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"  # describe never shows this annotation
MAX_ANNOTATION_LENGTH = 140
ZERO_TIME = "Mon, 01 Jan 0001 00:00:00 +0000"  # how Go writes a time that was never set
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class PrefixWriter:
    """kubectl's prefixWriter: every write is indented two spaces per level; `\\t` separates cells."""

    def __init__(self) -> None:
        self._parts: list[str] = []

    def write(self, level: int, text: str) -> None:
        self._parts.append("  " * level + text)

    def text(self) -> str:
        """Everything written so far, aligned as describe's tabwriter aligns it."""
        return tabwriter("".join(self._parts), minwidth=0, padding=2)


# ---------------------------------------------------------------------------------------------------
# How describe writes values
# ---------------------------------------------------------------------------------------------------


def rfc1123z(timestamp: str | None) -> str:
    """`Mon, 01 Jan 2024 00:00:05 +0000`: Go's time.RFC1123Z, in UTC, in English whatever the locale."""
    moment = parse_time(timestamp)
    if moment is None:
        return ZERO_TIME
    return (f"{_DAYS[moment.weekday()]}, {moment.day:02d} {_MONTHS[moment.month - 1]} {moment.year} "
            f"{moment:%H:%M:%S} +0000")


def go_value(value) -> str:
    """A value as Go's %v prints it: `true`, `3`, `<nil>`."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def quantity_text(value) -> str:
    """A resource quantity as kubectl prints it (Quantity.String): `0.5` prints as `500m`."""
    try:
        return str(Quantity(value))
    except (TypeError, ValueError):
        return str(value)


def _quantity(value) -> Quantity:
    try:
        return Quantity(value)
    except (TypeError, ValueError):
        return Quantity(0)


def int_or_string(value) -> str:
    """An IntOrString field (a port, `25%`) as its String() method writes it."""
    return "" if value is None else str(value)


def controller_of(obj: dict) -> dict | None:
    """The ownerReference with controller: true, if any."""
    for owner in (obj.get("metadata") or {}).get("ownerReferences") or []:
        if owner.get("controller"):
            return owner
    return None


def _is_controlled_by(obj: dict, owner: dict) -> bool:
    reference = controller_of(obj)
    if reference is None:
        return False
    owner_meta = owner.get("metadata") or {}
    if reference.get("uid") and owner_meta.get("uid"):
        return reference["uid"] == owner_meta["uid"]
    return reference.get("kind") == owner.get("kind") and reference.get("name") == owner_meta.get("name")


def print_labels(w: PrefixWriter, title: str, labels: dict | None) -> None:
    """`Labels:  app=web` and one more label per line, sorted (printLabelsMultiline)."""
    w.write(0, f"{title}:\t")
    if not labels:
        w.write(0, "<none>\n")
        return
    for index, key in enumerate(sorted(labels)):
        if index:
            w.write(0, "\t")
        w.write(0, f"{key}={labels[key]}\n")


def print_annotations(w: PrefixWriter, title: str, annotations: dict | None) -> None:
    """Annotations as `key: value`, a long or multi-line one on lines of its own
    (printAnnotationsMultiline)."""
    w.write(0, f"{title}:\t")
    keys = sorted(key for key in annotations or {} if key != LAST_APPLIED)
    if not keys:
        w.write(0, "<none>\n")
        return
    for index, key in enumerate(keys):
        if index:
            w.write(0, "\t")
        value = str(annotations[key]).removesuffix("\n")
        if len(value) + len(key) + 2 > MAX_ANNOTATION_LENGTH or "\n" in value:
            w.write(0, f"{key}:\n")
            for line in value.split("\n"):
                shortened = line if len(line) <= MAX_ANNOTATION_LENGTH - 2 else \
                    line[: MAX_ANNOTATION_LENGTH - 2] + "..."
                w.write(0, f"\t  {shortened}\n")
        else:
            w.write(0, f"{key}: {value}\n")


def taint_string(taint: dict) -> str:
    """`node.kubernetes.io/unreachable:NoExecute`, `dedicated=gpu:NoSchedule` (Taint.ToString)."""
    key, value, effect = taint.get("key", ""), taint.get("value", ""), taint.get("effect", "")
    if not effect:
        return f"{key}={value}:" if value else key
    return f"{key}={value}:{effect}" if value else f"{key}:{effect}"


def print_taints(w: PrefixWriter, title: str, taints: Sequence[dict]) -> None:
    w.write(0, f"{title}:\t")
    if not taints:
        w.write(0, "<none>\n")
        return
    ordered = sorted(taints, key=lambda taint: f"{taint.get('effect', '')},{taint.get('key', '')}")
    for index, taint in enumerate(ordered):
        if index:
            w.write(0, "\t")
        w.write(0, taint_string(taint) + "\n")


def toleration_string(toleration: dict) -> str:
    """`node.kubernetes.io/not-ready:NoExecute op=Exists for 300s`, as describe writes a toleration."""
    key, value, effect = toleration.get("key", ""), toleration.get("value", ""), toleration.get("effect", "")
    text = key + (f"={value}" if value else "") + (f":{effect}" if effect else "")
    if toleration.get("operator") == "Exists" and not value:
        text += " op=Exists" if key or effect else "op=Exists"  # no key and no effect: tolerates everything
    if toleration.get("tolerationSeconds") is not None:
        text += f" for {toleration['tolerationSeconds']}s"
    return text


def print_tolerations(w: PrefixWriter, title: str, tolerations: Sequence[dict]) -> None:
    w.write(0, f"{title}:\t")
    if not tolerations:
        w.write(0, "<none>\n")
        return
    for index, toleration in enumerate(sorted(tolerations, key=lambda t: t.get("key", ""))):
        if index:
            w.write(0, "\t")
        w.write(0, toleration_string(toleration) + "\n")


# ---------------------------------------------------------------------------------------------------
# Events: the last section of almost every describe
# ---------------------------------------------------------------------------------------------------


def events_about(obj: dict, events: Sequence[dict]) -> list[dict]:
    """The events whose involvedObject is `obj` (kubectl asks the API server with a field selector).

    They match on name, namespace and uid. A node's events carry either its uid
    (from controllers) or its name (from its kubelet), so both count. An event
    that names no uid still counts, to be lenient with hand-made events.
    """
    metadata = obj.get("metadata") or {}
    uids = {metadata.get("uid"), metadata.get("name")} if obj.get("kind") == "Node" else {metadata.get("uid")}
    matching = []
    for event in events:
        involved = event.get("involvedObject") or {}
        if involved.get("name") != metadata.get("name"):
            continue
        if (involved.get("namespace") or "") != (metadata.get("namespace") or ""):
            continue
        if obj.get("kind") != "Pod" and involved.get("kind") and involved["kind"] != obj.get("kind"):
            continue
        if metadata.get("uid") and involved.get("uid") and involved["uid"] not in uids:
            continue
        matching.append(event)
    return matching


def event_age(event: dict, now: datetime) -> str:
    """The Age column: `34s`, or `10s (x3 over 2m)` for an event seen three times in the last two minutes."""
    first = since(event.get("eventTime") or event.get("firstTimestamp"), now)
    series = event.get("series")
    if series:
        return f"{since(series.get('lastObservedTime'), now)} (x{series.get('count', 0)} over {first})"
    if (event.get("count") or 0) > 1:
        return f"{since(event.get('lastTimestamp'), now)} (x{event['count']} over {first})"
    return first


def describe_events(w: PrefixWriter, events: Sequence[dict] | None, now: datetime) -> None:
    """The Events table, oldest last-seen first (DescribeEvents)."""
    if events is None:  # kubectl describe --show-events=false
        return
    if not events:
        w.write(0, "Events:\t<none>\n")
        return
    never = datetime.min.replace(tzinfo=UTC)  # Go's zero time sorts first
    ordered = sorted(events, key=lambda event: parse_time(event.get("lastTimestamp")) or never)
    w.write(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n")
    w.write(1, "----\t------\t----\t----\t-------\n")
    for event in ordered:
        source = (event.get("source") or {}).get("component") or event.get("reportingController") or ""
        message = (event.get("message") or "").strip()
        field_path = (event.get("involvedObject") or {}).get("fieldPath")
        if field_path:
            message = f"{field_path}: {message}"
        w.write(1, f"{event.get('type', '')}\t{event.get('reason', '')}\t{event_age(event, now)}\t{source}\t"
                   f"{message}\n")


# ---------------------------------------------------------------------------------------------------
# Containers, volumes and pod templates (shared by Pod, ReplicaSet and Deployment)
# ---------------------------------------------------------------------------------------------------

#: The values the API server fills in for a probe that does not set them.
PROBE_DEFAULTS = {"initialDelaySeconds": 0, "timeoutSeconds": 1, "periodSeconds": 10,
                  "successThreshold": 1, "failureThreshold": 3}


def _host_port(host: str, port: str) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def describe_probe(probe: dict) -> str:
    """`http-get http://:8080/healthz delay=3s timeout=1s period=3s #success=1 #failure=3` (DescribeProbe)."""
    p = {**PROBE_DEFAULTS, **probe}
    attributes = (f"delay={p['initialDelaySeconds']}s timeout={p['timeoutSeconds']}s "
                  f"period={p['periodSeconds']}s #success={p['successThreshold']} "
                  f"#failure={p['failureThreshold']}")
    if probe.get("exec") is not None:
        return f"exec [{' '.join(probe['exec'].get('command') or [])}] {attributes}"
    if probe.get("httpGet") is not None:
        action = probe["httpGet"]
        port = int_or_string(action.get("port"))
        host = _host_port(action.get("host", ""), port) if port else action.get("host", "")
        path = action.get("path", "")
        if path and not path.startswith("/"):
            path = "/" + path
        return f"http-get {(action.get('scheme') or 'HTTP').lower()}://{host}{path} {attributes}"
    if probe.get("tcpSocket") is not None:
        action = probe["tcpSocket"]
        return f"tcp-socket {action.get('host', '')}:{int_or_string(action.get('port'))} {attributes}"
    if probe.get("grpc") is not None:
        action = probe["grpc"]
        return f"grpc <pod>:{action.get('port')} {action.get('service') or ''} {attributes}"
    return f"unknown {attributes}"


def _container_ports(ports: Sequence[dict], field: str) -> str:
    pieces = []
    for port in ports:
        text = f"{port.get(field) or 0}/{port.get('protocol') or 'TCP'}"
        pieces.append(f"{text} ({port['name']})" if port.get("name") else text)
    return ", ".join(pieces)


def _describe_state(w: PrefixWriter, title: str, state: dict) -> None:
    if state.get("running") is not None:
        w.write(2, f"{title}:\tRunning\n")
        w.write(3, f"Started:\t{rfc1123z(state['running'].get('startedAt'))}\n")
    elif state.get("waiting") is not None:
        w.write(2, f"{title}:\tWaiting\n")
        if state["waiting"].get("reason"):
            w.write(3, f"Reason:\t{state['waiting']['reason']}\n")
    elif state.get("terminated") is not None:
        terminated = state["terminated"]
        w.write(2, f"{title}:\tTerminated\n")
        if terminated.get("reason"):
            w.write(3, f"Reason:\t{terminated['reason']}\n")
        if terminated.get("message"):
            w.write(3, f"Message:\t{terminated['message']}\n")
        w.write(3, f"Exit Code:\t{terminated.get('exitCode') or 0}\n")
        if (terminated.get("signal") or 0) > 0:
            w.write(3, f"Signal:\t{terminated['signal']}\n")
        w.write(3, f"Started:\t{rfc1123z(terminated.get('startedAt'))}\n")
        w.write(3, f"Finished:\t{rfc1123z(terminated.get('finishedAt'))}\n")
    else:
        w.write(2, f"{title}:\tWaiting\n")


def describe_resources(w: PrefixWriter, resources: dict | None, level: int) -> None:
    """Limits, then Requests, each resource on its own line, sorted by name."""
    for title in ("limits", "requests"):
        amounts = (resources or {}).get(title) or {}
        if amounts:
            w.write(level, f"{title.capitalize()}:\n")
        for name in sorted(amounts):
            w.write(level + 1, f"{name}:\t{quantity_text(amounts[name])}\n")


def field_path_value(pod: dict, path: str) -> str:
    """The value a downward-API fieldRef reads from a pod (`metadata.name`, `status.podIP`, ...)."""
    match = re.fullmatch(r"metadata\.(labels|annotations)\['(.+)'\]", path)
    if match:
        return ((pod.get("metadata") or {}).get(match.group(1)) or {}).get(match.group(2), "")
    value = pod
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return "" if value is None or isinstance(value, dict | list) else go_value(value)


def _resource_field_value(reference: dict, container: dict) -> str:
    """A resourceFieldRef (`limits.cpu`) as a whole number of `divisor`s, rounded up."""
    kind, _, name = (reference.get("resource") or "").partition(".")
    amount = ((container.get("resources") or {}).get(kind) or {}).get(name)
    if amount is None:
        return "0"
    divisor = _quantity(reference.get("divisor") or "1")
    ratio = _quantity(amount).amount / (divisor.amount or 1)
    return str(-(-ratio.numerator // ratio.denominator))


def _describe_env(w: PrefixWriter, container: dict, pod: dict | None) -> None:
    if container.get("envFrom"):
        w.write(2, "Environment Variables from:\n")
        for source in container["envFrom"]:
            kind, reference = ("ConfigMap", source["configMapRef"]) if source.get("configMapRef") else \
                ("Secret", source.get("secretRef") or {})
            optional = "true" if reference.get("optional") else "false"
            prefix = f" with prefix '{source['prefix']}'" if source.get("prefix") else ""
            w.write(3, f"{reference.get('name', '')}\t{kind}{prefix}\tOptional: {optional}\n")
    env = container.get("env") or []
    w.write(2, "Environment:" + ("" if env else "\t<none>") + "\n")
    for variable in env:
        name, source = variable.get("name", ""), variable.get("valueFrom")
        if source is None:
            for index, line in enumerate(str(variable.get("value", "")).split("\n")):
                w.write(3, f"{name}:\t{line}\n" if index == 0 else f"\t{line}\n")
        elif source.get("fieldRef") is not None:
            reference = source["fieldRef"]
            value = field_path_value(pod, reference.get("fieldPath", "")) if pod is not None else ""
            field_path = reference.get("fieldPath", "")
            w.write(3, f"{name}:\t{value} ({reference.get('apiVersion', 'v1')}:{field_path})\n")
        elif source.get("resourceFieldRef") is not None:
            reference = source["resourceFieldRef"]
            value = _resource_field_value(reference, container)
            if value == "0" and reference.get("resource") in ("limits.cpu", "limits.memory"):
                value = "node allocatable"
            w.write(3, f"{name}:\t{value} ({reference.get('resource', '')})\n")
        elif source.get("secretKeyRef") is not None:
            reference = source["secretKeyRef"]
            optional = "true" if reference.get("optional") else "false"
            w.write(3, f"{name}:\t<set to the key '{reference.get('key', '')}' in secret "
                       f"'{reference.get('name', '')}'>\tOptional: {optional}\n")
        elif source.get("configMapKeyRef") is not None:
            reference = source["configMapKeyRef"]
            optional = "true" if reference.get("optional") else "false"
            w.write(3, f"{name}:\t<set to the key '{reference.get('key', '')}' of config map "
                       f"'{reference.get('name', '')}'>\tOptional: {optional}\n")


def describe_containers(w: PrefixWriter, title: str, containers: Sequence[dict],
                        statuses: Sequence[dict] | None, pod: dict | None, space: str = "") -> None:
    """One block per container: image, ports, state, resources, probes, environment and mounts."""
    by_name = {status.get("name"): status for status in statuses or []}
    w.write(0, f"{space}{title}:{'' if containers else ' <none>'}\n")
    name_indent = " " if space else ""
    for container in containers:
        status = by_name.get(container.get("name"))
        w.write(1, f"{name_indent}{container.get('name', '')}:\n")
        if status is not None:
            w.write(2, f"Container ID:\t{status.get('containerID', '')}\n")
        w.write(2, f"Image:\t{container.get('image', '')}\n")
        if status is not None:
            w.write(2, f"Image ID:\t{status.get('imageID', '')}\n")
        ports = container.get("ports") or []
        for field, one, many in (("containerPort", "Port", "Ports"), ("hostPort", "Host Port", "Host Ports")):
            text = _container_ports(ports, field)
            w.write(2, f"{many}:\t{text}\n" if "," in text else f"{one}:\t{text or NONE}\n")
        for field, heading in (("command", "Command"), ("args", "Args")):
            if container.get(field):
                w.write(2, f"{heading}:\n")
                for item in container[field]:
                    for line in str(item).split("\n"):
                        w.write(3, f"{line}\n")
        if status is not None:
            _describe_state(w, "State", status.get("state") or {})
            if ((status.get("lastState") or {}).get("terminated")) is not None:
                _describe_state(w, "Last State", status["lastState"])
            w.write(2, f"Ready:\t{'True' if status.get('ready') else 'False'}\n")
            w.write(2, f"Restart Count:\t{status.get('restartCount') or 0}\n")
        describe_resources(w, container.get("resources"), 2)
        for field, heading in (("livenessProbe", "Liveness"), ("readinessProbe", "Readiness"),
                               ("startupProbe", "Startup")):
            if container.get(field) is not None:
                w.write(2, f"{heading}:\t{describe_probe(container[field])}\n")
        _describe_env(w, container, pod)
        mounts = sorted(container.get("volumeMounts") or [], key=lambda mount: mount.get("mountPath", ""))
        w.write(2, "Mounts:" + ("" if mounts else "\t<none>") + "\n")
        for mount in mounts:
            flags = ["ro" if mount.get("readOnly") else "rw"]
            if mount.get("subPath"):
                flags.append(f'path="{mount["subPath"]}"')
            w.write(3, f"{mount.get('mountPath', '')} from {mount.get('name', '')} ({','.join(flags)})\n")


def _describe_volume_source(w: PrefixWriter, volume: dict) -> None:
    def optional(source: dict) -> str:
        return "true" if source.get("optional") else "false"

    if volume.get("hostPath") is not None:
        source = volume["hostPath"]
        w.write(2, f"Type:\tHostPath (bare host directory volume)\n    Path:\t{source.get('path', '')}\n"
                   f"    HostPathType:\t{source.get('type') or NONE}\n")
    elif volume.get("emptyDir") is not None:
        source = volume["emptyDir"]
        limit = source.get("sizeLimit")
        size = quantity_text(limit) if limit is not None and _quantity(limit) > 0 else "<unset>"
        w.write(2, "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n"
                   f"    Medium:\t{source.get('medium', '')}\n    SizeLimit:\t{size}\n")
    elif volume.get("secret") is not None:
        source = volume["secret"]
        w.write(2, "Type:\tSecret (a volume populated by a Secret)\n"
                   f"    SecretName:\t{source.get('secretName', '')}\n    Optional:\t{optional(source)}\n")
    elif volume.get("configMap") is not None:
        source = volume["configMap"]
        w.write(2, "Type:\tConfigMap (a volume populated by a ConfigMap)\n"
                   f"    Name:\t{source.get('name', '')}\n    Optional:\t{optional(source)}\n")
    elif volume.get("persistentVolumeClaim") is not None:
        source = volume["persistentVolumeClaim"]
        w.write(2, "Type:\tPersistentVolumeClaim "
                   "(a reference to a PersistentVolumeClaim in the same namespace)\n"
                   f"    ClaimName:\t{source.get('claimName', '')}\n"
                   f"    ReadOnly:\t{go_value(bool(source.get('readOnly')))}\n")
    elif volume.get("downwardAPI") is not None:
        w.write(2, "Type:\tDownwardAPI (a volume populated by information about the pod)\n    Items:\n")
        for item in volume["downwardAPI"].get("items") or []:
            if item.get("fieldRef"):
                w.write(3, f"{item['fieldRef'].get('fieldPath', '')} -> {item.get('path', '')}\n")
            if item.get("resourceFieldRef"):
                w.write(3, f"{item['resourceFieldRef'].get('resource', '')} -> {item.get('path', '')}\n")
    elif volume.get("projected") is not None:
        w.write(2, "Type:\tProjected (a volume that contains injected data from multiple sources)\n")
        for source in volume["projected"].get("sources") or []:
            if source.get("secret") is not None:
                w.write(2, f"SecretName:\t{source['secret'].get('name', '')}\n"
                           f"    Optional:\t{optional(source['secret'])}\n")
            elif source.get("downwardAPI") is not None:
                w.write(2, "DownwardAPI:\ttrue\n")
            elif source.get("configMap") is not None:
                w.write(2, f"ConfigMapName:\t{source['configMap'].get('name', '')}\n"
                           f"    Optional:\t{optional(source['configMap'])}\n")
            elif source.get("serviceAccountToken") is not None:
                seconds = source["serviceAccountToken"].get("expirationSeconds", 3600)
                w.write(2, f"TokenExpirationSeconds:\t{seconds}\n")
    else:
        w.write(1, "<unknown>\n")


def describe_volumes(w: PrefixWriter, volumes: Sequence[dict], space: str = "") -> None:
    if not volumes:
        w.write(0, f"{space}Volumes:\t<none>\n")
        return
    w.write(0, f"{space}Volumes:\n")
    for volume in volumes:
        w.write(1, f"{' ' if space else ''}{volume.get('name', '')}:\n")
        _describe_volume_source(w, volume)


def describe_topology_spread(w: PrefixWriter, constraints: Sequence[dict], space: str = "") -> None:
    if not constraints:
        return
    w.write(0, f"{space}Topology Spread Constraints:\t")
    for index, constraint in enumerate(sorted(constraints, key=lambda c: c.get("topologyKey", ""))):
        if index:
            w.write(0, f"{space}\t")
        text = (f"{constraint.get('topologyKey', '')}:{constraint.get('whenUnsatisfiable', '')} "
                f"when max skew {constraint.get('maxSkew', 0)} is exceeded")
        if constraint.get("labelSelector") is not None:
            text += f" for selector {format_selector(constraint['labelSelector'])}"
        w.write(0, text + "\n")


def describe_pod_template(w: PrefixWriter, template: dict | None) -> None:
    """The `Pod Template:` section of a ReplicaSet or a Deployment (DescribePodTemplate)."""
    w.write(0, "Pod Template:\n")
    if template is None:
        w.write(1, "<unset>")
        return
    metadata, spec = template.get("metadata") or {}, template.get("spec") or {}
    print_labels(w, "  Labels", metadata.get("labels"))
    if metadata.get("annotations"):
        print_annotations(w, "  Annotations", metadata["annotations"])
    if spec.get("serviceAccountName"):
        w.write(1, f"Service Account:\t{spec['serviceAccountName']}\n")
    if spec.get("initContainers"):
        describe_containers(w, "Init Containers", spec["initContainers"], None, None, "  ")
    describe_containers(w, "Containers", spec.get("containers") or [], None, None, "  ")
    describe_volumes(w, spec.get("volumes") or [], "  ")
    describe_topology_spread(w, spec.get("topologySpreadConstraints") or [], "  ")
    if spec.get("priorityClassName"):
        w.write(1, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    print_labels(w, "  Node-Selectors", spec.get("nodeSelector"))
    print_tolerations(w, "  Tolerations", spec.get("tolerations") or [])


def qos_class(pod: dict) -> str:
    """Guaranteed, Burstable or BestEffort: status.qosClass, or worked out from requests and limits.

    A container that sets a limit but no request for it requests its limit: the
    API server fills that default in, so we count it the same way either way.
    """
    status_class = (pod.get("status") or {}).get("qosClass")
    if status_class:
        return status_class
    spec = pod.get("spec") or {}
    requests: dict[str, Quantity] = {}
    limits: dict[str, Quantity] = {}
    guaranteed = True
    for container in (spec.get("containers") or []) + (spec.get("initContainers") or []):
        resources = container.get("resources") or {}
        capped = resources.get("limits") or {}
        asked = {**capped, **(resources.get("requests") or {})}
        for source, total in ((asked, requests), (capped, limits)):
            for name in ("cpu", "memory"):
                if name in source and _quantity(source[name]) > 0:
                    total[name] = total.get(name, Quantity(0)) + _quantity(source[name])
        limited = {name for name in ("cpu", "memory") if _quantity(capped.get(name, 0)) > 0}
        guaranteed = guaranteed and limited == {"cpu", "memory"}
    if not requests and not limits:
        return "BestEffort"
    if guaranteed and all(name in limits and limits[name] == amount for name, amount in requests.items()) \
            and len(requests) == len(limits):
        return "Guaranteed"
    return "Burstable"


# ---------------------------------------------------------------------------------------------------
# The describers, one per kind
# ---------------------------------------------------------------------------------------------------


def describe_pod(pod: dict, events: Sequence[dict] | None, now: datetime) -> str:
    metadata, spec, status = pod.get("metadata") or {}, pod.get("spec") or {}, pod.get("status") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{metadata.get('name', '')}\n")
    w.write(0, f"Namespace:\t{metadata.get('namespace', '')}\n")
    if spec.get("priority") is not None:
        w.write(0, f"Priority:\t{spec['priority']}\n")
    if spec.get("priorityClassName"):
        w.write(0, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    if spec.get("runtimeClassName"):
        w.write(0, f"Runtime Class Name:\t{spec['runtimeClassName']}\n")
    if spec.get("serviceAccountName"):
        w.write(0, f"Service Account:\t{spec['serviceAccountName']}\n")
    node = f"{spec['nodeName']}/{status.get('hostIP', '')}" if spec.get("nodeName") else NONE
    w.write(0, f"Node:\t{node}\n")
    if status.get("startTime"):
        w.write(0, f"Start Time:\t{rfc1123z(status['startTime'])}\n")
    print_labels(w, "Labels", metadata.get("labels"))
    print_annotations(w, "Annotations", metadata.get("annotations"))
    if metadata.get("deletionTimestamp") and status.get("phase") not in ("Failed", "Succeeded"):
        # The deletion timestamp lies in the future (now + grace period), so real kubectl
        # prints `Terminating (lasts <invalid>)` during the grace period; so do we.
        w.write(0, f"Status:\tTerminating (lasts {since(metadata['deletionTimestamp'], now)})\n")
        w.write(0, f"Termination Grace Period:\t{metadata.get('deletionGracePeriodSeconds', 0)}s\n")
    else:
        w.write(0, f"Status:\t{status.get('phase', '')}\n")
    if status.get("reason"):
        w.write(0, f"Reason:\t{status['reason']}\n")
    if status.get("message"):
        w.write(0, f"Message:\t{status['message']}\n")
    w.write(0, f"IP:\t{status.get('podIP', '')}\n")
    if status.get("podIPs"):
        w.write(0, "IPs:\n")
        for address in status["podIPs"]:
            w.write(1, f"IP:\t{address.get('ip', '')}\n")
    else:
        w.write(0, "IPs:\t<none>\n")
    owner = controller_of(pod)
    if owner is not None:
        w.write(0, f"Controlled By:\t{owner.get('kind', '')}/{owner.get('name', '')}\n")
    if status.get("nominatedNodeName"):
        w.write(0, f"NominatedNodeName:\t{status['nominatedNodeName']}\n")
    if spec.get("resources") is not None:
        w.write(0, "Resources:\n")
        describe_resources(w, spec["resources"], 1)
    if spec.get("initContainers"):
        describe_containers(w, "Init Containers", spec["initContainers"], status.get("initContainerStatuses"),
                            pod)
    describe_containers(w, "Containers", spec.get("containers") or [], status.get("containerStatuses"), pod)
    if spec.get("readinessGates"):
        w.write(0, "Readiness Gates:\n  Type\tStatus\n")
        for gate in spec["readinessGates"]:
            condition = next((c for c in status.get("conditions") or []
                              if c.get("type") == gate.get("conditionType")), None)
            gate_status = condition.get("status") if condition else NONE
            w.write(1, f"{gate.get('conditionType', '')} \t{gate_status} \n")
    if status.get("conditions"):
        w.write(0, "Conditions:\n  Type\tStatus\n")
        for condition in status["conditions"]:
            w.write(1, f"{condition.get('type', '')} \t{condition.get('status', '')} \n")
    describe_volumes(w, spec.get("volumes") or [])
    w.write(0, f"QoS Class:\t{qos_class(pod)}\n")
    print_labels(w, "Node-Selectors", spec.get("nodeSelector"))
    print_tolerations(w, "Tolerations", spec.get("tolerations") or [])
    describe_topology_spread(w, spec.get("topologySpreadConstraints") or [])
    describe_events(w, events, now)
    return w.text()


def _replica_sets_text(replica_sets: Sequence[dict]) -> str:
    text = ", ".join(f"{rs['metadata']['name']} ({(rs.get('status') or {}).get('replicas', 0)}/"
                     f"{(rs.get('spec') or {}).get('replicas', 1)} replicas created)" for rs in replica_sets)
    return text or NONE


def _without_hash(template: dict | None) -> dict:
    """A pod template minus the pod-template-hash label the Deployment controller adds to its ReplicaSets."""
    template = dict(template or {})
    metadata = dict(template.get("metadata") or {})
    labels = {k: v for k, v in (metadata.get("labels") or {}).items() if k != "pod-template-hash"}
    metadata["labels"] = labels
    template["metadata"] = metadata
    return template


def deployment_replica_sets(deployment: dict, replica_sets: Sequence[dict]) -> tuple[list[dict], dict | None]:
    """The old ReplicaSets of a Deployment and its new one (the one whose pod template is the Deployment's).

    Only ReplicaSets the Deployment controls count; they are taken oldest first.
    """
    owned = [rs for rs in replica_sets if _is_controlled_by(rs, deployment)]
    owned.sort(key=lambda rs: (rs["metadata"].get("creationTimestamp", ""), rs["metadata"]["name"]))
    wanted = _without_hash((deployment.get("spec") or {}).get("template"))
    new = next((rs for rs in owned if _without_hash((rs.get("spec") or {}).get("template")) == wanted), None)
    return [rs for rs in owned if rs is not new], new


def describe_deployment(deployment: dict, events: Sequence[dict] | None, now: datetime,
                        replica_sets: Sequence[dict] | None = None) -> str:
    metadata, spec, status = deployment.get("metadata") or {}, deployment.get("spec") or {}, \
        deployment.get("status") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{metadata.get('name', '')}\n")
    w.write(0, f"Namespace:\t{metadata.get('namespace', '')}\n")
    w.write(0, f"CreationTimestamp:\t{rfc1123z(metadata.get('creationTimestamp'))}\n")
    print_labels(w, "Labels", metadata.get("labels"))
    print_annotations(w, "Annotations", metadata.get("annotations"))
    w.write(0, f"Selector:\t{selector_string(spec.get('selector'))}\n")
    w.write(0, f"Replicas:\t{spec.get('replicas', 1)} desired | {status.get('updatedReplicas', 0)} updated | "
               f"{status.get('replicas', 0)} total | {status.get('availableReplicas', 0)} available | "
               f"{status.get('unavailableReplicas', 0)} unavailable\n")
    strategy = spec.get("strategy") or {"type": "RollingUpdate", "rollingUpdate": {}}
    w.write(0, f"StrategyType:\t{strategy.get('type', '')}\n")
    w.write(0, f"MinReadySeconds:\t{spec.get('minReadySeconds', 0)}\n")
    if strategy.get("rollingUpdate") is not None:
        rolling = strategy["rollingUpdate"]
        unavailable = int_or_string(rolling.get("maxUnavailable", "25%"))
        surge = int_or_string(rolling.get("maxSurge", "25%"))
        w.write(0, f"RollingUpdateStrategy:\t{unavailable} max unavailable, {surge} max surge\n")
    describe_pod_template(w, spec.get("template"))
    if status.get("conditions"):
        w.write(0, "Conditions:\n  Type\tStatus\tReason\n")
        w.write(1, "----\t------\t------\n")
        for c in status["conditions"]:
            w.write(1, f"{c.get('type', '')} \t{c.get('status', '')}\t{c.get('reason', '')}\n")
    if replica_sets is not None:
        old, new = deployment_replica_sets(deployment, replica_sets)
        if old or new is not None:
            w.write(0, f"OldReplicaSets:\t{_replica_sets_text(old)}\n")
            w.write(0, f"NewReplicaSet:\t{_replica_sets_text([new] if new is not None else [])}\n")
    describe_events(w, events, now)
    return w.text()


def describe_replica_set(replica_set: dict, events: Sequence[dict] | None, now: datetime,
                         pods: Sequence[dict] | None = None) -> str:
    metadata, spec, status = replica_set.get("metadata") or {}, replica_set.get("spec") or {}, \
        replica_set.get("status") or {}
    phases = [(p.get("status") or {}).get("phase") for p in pods or [] if _is_controlled_by(p, replica_set)]
    w = PrefixWriter()
    w.write(0, f"Name:\t{metadata.get('name', '')}\n")
    w.write(0, f"Namespace:\t{metadata.get('namespace', '')}\n")
    w.write(0, f"Selector:\t{format_selector(spec.get('selector'))}\n")
    print_labels(w, "Labels", metadata.get("labels"))
    print_annotations(w, "Annotations", metadata.get("annotations"))
    owner = controller_of(replica_set)
    if owner is not None:
        w.write(0, f"Controlled By:\t{owner.get('kind', '')}/{owner.get('name', '')}\n")
    w.write(0, f"Replicas:\t{status.get('replicas', 0)} current / {spec.get('replicas', 1)} desired\n")
    w.write(0, f"Pods Status:\t{phases.count('Running')} Running / {phases.count('Pending')} Waiting / "
               f"{phases.count('Succeeded')} Succeeded / {phases.count('Failed')} Failed\n")
    describe_pod_template(w, spec.get("template"))
    if status.get("conditions"):
        w.write(0, "Conditions:\n  Type\tStatus\tReason\n")
        w.write(1, "----\t------\t------\n")
        for c in status["conditions"]:
            w.write(1, f"{c.get('type', '')} \t{c.get('status', '')}\t{c.get('reason', '')}\n")
    describe_events(w, events, now)
    return w.text()


def format_endpoint_slices(endpoint_slices: Sequence[dict], port_name: str | None) -> str:
    """A Service's Endpoints line: the ready `ip:port`s of one port, at most three, then `+ N more...`."""
    if not endpoint_slices:
        return NONE
    shown: list[str] = []
    count, more, limit = 0, False, 3
    for endpoint_slice in endpoint_slices:
        ports = endpoint_slice.get("ports") or []
        endpoints = [e for e in endpoint_slice.get("endpoints") or []
                     if (e.get("conditions") or {}).get("ready") in (None, True)]  # unknown counts as ready
        if not ports:  # a headless Service without ports
            for endpoint in endpoints:
                more = more or len(shown) == limit
                if not more:
                    shown.append(endpoint["addresses"][0])
                count += 1
            continue
        for port in ports:
            if port_name is not None and (port.get("name") or "") != port_name:
                continue
            for endpoint in endpoints:
                more = more or len(shown) == limit
                if not more:
                    shown.append(_host_port(endpoint["addresses"][0], str(port.get("port"))))
                count += 1
    text = ",".join(shown)
    return f"{text} + {count - limit} more..." if more else text


def describe_service(service: dict, events: Sequence[dict] | None, now: datetime,
                     endpoint_slices: Sequence[dict] | None = None) -> str:
    metadata, spec = service.get("metadata") or {}, service.get("spec") or {}
    name = metadata.get("name", "")
    slices = [s for s in endpoint_slices or []
              if ((s.get("metadata") or {}).get("labels") or {}).get("kubernetes.io/service-name") == name
              and (s.get("metadata") or {}).get("namespace") == metadata.get("namespace")]
    w = PrefixWriter()
    w.write(0, f"Name:\t{name}\n")
    w.write(0, f"Namespace:\t{metadata.get('namespace', '')}\n")
    print_labels(w, "Labels", metadata.get("labels"))
    print_annotations(w, "Annotations", metadata.get("annotations"))
    w.write(0, f"Selector:\t{format_labels(spec.get('selector'))}\n")
    w.write(0, f"Type:\t{spec.get('type') or 'ClusterIP'}\n")
    if spec.get("ipFamilyPolicy"):
        w.write(0, f"IP Family Policy:\t{spec['ipFamilyPolicy']}\n")
    w.write(0, f"IP Families:\t{','.join(spec.get('ipFamilies') or []) or NONE}\n")
    w.write(0, f"IP:\t{spec.get('clusterIP', '')}\n")
    w.write(0, f"IPs:\t{','.join(spec.get('clusterIPs') or []) or NONE}\n")
    if spec.get("externalIPs"):
        w.write(0, f"External IPs:\t{','.join(spec['externalIPs'])}\n")
    if spec.get("loadBalancerIP"):
        w.write(0, f"Desired LoadBalancer IP:\t{spec['loadBalancerIP']}\n")
    if spec.get("externalName"):
        w.write(0, f"External Name:\t{spec['externalName']}\n")
    ingress = ((service.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    if ingress:
        addresses = [(f"{i['ip']} ({i['ipMode']})" if i.get("ipMode") else i["ip"]) if i.get("ip")
                     else i.get("hostname", "") for i in ingress]
        w.write(0, f"LoadBalancer Ingress:\t{', '.join(addresses)}\n")
    for port in spec.get("ports") or []:
        port_name = port.get("name") or "<unset>"
        protocol = port.get("protocol") or "TCP"
        w.write(0, f"Port:\t{port_name}\t{port.get('port')}/{protocol}\n")
        w.write(0, f"TargetPort:\t{int_or_string(port.get('targetPort', port.get('port')))}/{protocol}\n")
        if port.get("appProtocol"):
            w.write(0, f"AppProtocol:\t{port['appProtocol']}\n")
        if port.get("nodePort"):
            w.write(0, f"NodePort:\t{port_name}\t{port['nodePort']}/{protocol}\n")
        w.write(0, f"Endpoints:\t{format_endpoint_slices(slices, port.get('name') or '')}\n")
    w.write(0, f"Session Affinity:\t{spec.get('sessionAffinity') or 'None'}\n")
    if spec.get("externalTrafficPolicy"):
        w.write(0, f"External Traffic Policy:\t{spec['externalTrafficPolicy']}\n")
    if spec.get("internalTrafficPolicy"):
        w.write(0, f"Internal Traffic Policy:\t{spec['internalTrafficPolicy']}\n")
    if spec.get("healthCheckNodePort"):
        w.write(0, f"HealthCheck NodePort:\t{spec['healthCheckNodePort']}\n")
    if spec.get("loadBalancerSourceRanges"):
        w.write(0, f"LoadBalancer Source Ranges:\t{','.join(spec['loadBalancerSourceRanges'])}\n")
    if spec.get("trafficDistribution"):
        w.write(0, f"Traffic Distribution:\t{spec['trafficDistribution']}\n")
    describe_events(w, events, now)
    return w.text()


def _sum(amounts: list[Quantity]) -> Quantity:
    total = Quantity(0)
    for amount in amounts:
        total = total + amount
    return total


def pod_requests(pod: dict, field: str = "requests") -> dict[str, Quantity]:
    """What a pod asks for (or is limited to): its containers summed, or its largest init container if
    that is more, plus its overhead (resourcehelper.PodRequests / PodLimits)."""
    spec = pod.get("spec") or {}
    total: dict[str, list[Quantity]] = {}
    for container in spec.get("containers") or []:
        for name, amount in ((container.get("resources") or {}).get(field) or {}).items():
            total.setdefault(name, []).append(_quantity(amount))
    result = {name: _sum(amounts) for name, amounts in total.items()}
    sidecars: dict[str, Quantity] = {}
    for container in spec.get("initContainers") or []:
        own = (container.get("resources") or {}).get(field) or {}
        amounts = {name: _quantity(amount) for name, amount in own.items()}
        if container.get("restartPolicy") == "Always":  # a sidecar keeps running beside the app containers
            for name, amount in amounts.items():
                result[name] = result.get(name, Quantity(0)) + amount
                sidecars[name] = sidecars.get(name, Quantity(0)) + amount
            continue
        for name, amount in amounts.items():
            during_init = amount + sidecars.get(name, Quantity(0))
            if during_init > result.get(name, Quantity(0)):
                result[name] = during_init
    for name, amount in (spec.get("overhead") or {}).items():
        if name in result:
            result[name] = result[name] + _quantity(amount)
    return result


def _percent(part: int, whole: int) -> int:
    return int(part / whole * 100) if whole else 0


def _node_lease(w: PrefixWriter, node_name: str, lease: dict | None) -> None:
    if lease is None:
        w.write(0, f'Lease:\tFailed to get lease: leases.coordination.k8s.io "{node_name}" not found\n')
        return
    spec = lease.get("spec") or {}
    w.write(0, "Lease:\n")
    w.write(1, f"HolderIdentity:\t{spec.get('holderIdentity') or '<unset>'}\n")
    for field, title in (("acquireTime", "AcquireTime"), ("renewTime", "RenewTime")):
        w.write(1, f"{title}:\t{rfc1123z(spec[field]) if spec.get(field) else '<unset>'}\n")


def _node_resources(w: PrefixWriter, node: dict, pods: list[dict], now: datetime) -> None:
    status = node.get("status") or {}
    allocatable = status.get("allocatable") or status.get("capacity") or {}
    cpu, memory = _quantity(allocatable.get("cpu", 0)), _quantity(allocatable.get("memory", 0))
    w.write(0, f"Non-terminated Pods:\t({len(pods)} in total)\n")
    w.write(1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n")
    w.write(1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n")
    zero = Quantity(0)
    for pod in pods:
        requests, limits = pod_requests(pod, "requests"), pod_requests(pod, "limits")
        cells = []
        for amounts, name, whole in ((requests, "cpu", cpu), (limits, "cpu", cpu),
                                     (requests, "memory", memory), (limits, "memory", memory)):
            amount = amounts.get(name, zero)
            if name == "cpu":
                part, total = amount.milli_value, whole.milli_value
            else:
                part, total = amount.value, whole.value
            cells.append(f"{amount} ({_percent(part, total)}%)")
        metadata = pod.get("metadata") or {}
        w.write(1, f"{metadata.get('namespace', '')}\t{metadata.get('name', '')}\t\t{chr(9).join(cells)}\t"
                   f"{since(metadata.get('creationTimestamp'), now)}\n")
    w.write(0, "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n")
    w.write(1, "Resource\tRequests\tLimits\n")
    w.write(1, "--------\t--------\t------\n")
    requests, limits = {}, {}
    for pod in pods:
        for totals, field in ((requests, "requests"), (limits, "limits")):
            amounts = pod_requests(pod, field)
            for name, amount in amounts.items():
                totals[name] = totals[name] + amount if name in totals else amount
    for name in ("cpu", "memory", "ephemeral-storage"):
        whole = _quantity(allocatable.get(name, 0))
        measure = (lambda q: q.milli_value) if name == "cpu" else (lambda q: q.value)
        asked, capped = requests.get(name, zero), limits.get(name, zero)
        w.write(1, f"{name}\t{asked} ({_percent(measure(asked), measure(whole))}%)\t"
                   f"{capped} ({_percent(measure(capped), measure(whole))}%)\n")
    standard = ("cpu", "memory", "ephemeral-storage", "pods")
    extended = sorted(name for name in allocatable
                      if name not in standard and not name.startswith("hugepages-"))
    for name in extended:
        w.write(1, f"{name}\t{requests.get(name, zero)}\t{limits.get(name, zero)}\n")


def describe_node(node: dict, events: Sequence[dict] | None, now: datetime,
                  pods: Sequence[dict] | None = None, lease: dict | None = None) -> str:
    """A node: its conditions, addresses, capacity, and what the pods placed on it ask for.

    `pods` is every pod the caller knows; the ones bound to this node and not
    finished (the "non-terminated" ones) are listed, in namespace/name order.
    """
    metadata, spec, status = node.get("metadata") or {}, node.get("spec") or {}, node.get("status") or {}
    name = metadata.get("name", "")
    w = PrefixWriter()
    w.write(0, f"Name:\t{name}\n")
    w.write(0, f"Roles:\t{','.join(node_roles(node)) or NONE}\n")
    print_labels(w, "Labels", metadata.get("labels"))
    print_annotations(w, "Annotations", metadata.get("annotations"))
    w.write(0, f"CreationTimestamp:\t{rfc1123z(metadata.get('creationTimestamp'))}\n")
    print_taints(w, "Taints", spec.get("taints") or [])
    w.write(0, f"Unschedulable:\t{go_value(bool(spec.get('unschedulable')))}\n")
    _node_lease(w, name, lease)
    if status.get("conditions"):
        w.write(0, "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n")
        w.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n")
        for c in status["conditions"]:
            heartbeat = rfc1123z(c.get("lastHeartbeatTime"))
            transition = rfc1123z(c.get("lastTransitionTime"))
            w.write(1, f"{c.get('type', '')} \t{c.get('status', '')} \t{heartbeat} \t{transition} \t"
                       f"{c.get('reason', '')} \t{c.get('message', '')}\n")
    w.write(0, "Addresses:\n")
    for address in status.get("addresses") or []:
        w.write(1, f"{address.get('type', '')}:\t{address.get('address', '')}\n")
    for field, title in (("capacity", "Capacity"), ("allocatable", "Allocatable")):
        if status.get(field):
            w.write(0, f"{title}:\n")
            for resource in sorted(status[field]):
                w.write(0, f"  {resource}:\t{quantity_text(status[field][resource])}\n")
    info = status.get("nodeInfo") or {}
    w.write(0, "System Info:\n")
    for field, title in (("machineID", "Machine ID"), ("systemUUID", "System UUID"), ("bootID", "Boot ID"),
                         ("kernelVersion", "Kernel Version"), ("osImage", "OS Image"),
                         ("operatingSystem", "Operating System"), ("architecture", "Architecture"),
                         ("containerRuntimeVersion", "Container Runtime Version"),
                         ("kubeletVersion", "Kubelet Version")):
        w.write(0, f"  {title}:\t{info.get(field, '')}\n")
    if spec.get("podCIDR"):
        w.write(0, f"PodCIDR:\t{spec['podCIDR']}\n")
    if spec.get("podCIDRs"):
        w.write(0, f"PodCIDRs:\t{','.join(spec['podCIDRs'])}\n")
    if spec.get("providerID"):
        w.write(0, f"ProviderID:\t{spec['providerID']}\n")
    on_node = [p for p in pods or [] if (p.get("spec") or {}).get("nodeName") == name
               and (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")]
    on_node.sort(key=lambda p: (p["metadata"].get("namespace", ""), p["metadata"].get("name", "")))
    _node_resources(w, node, on_node, now)
    describe_events(w, events, now)
    return w.text()


def describe_namespace(namespace: dict, events: Sequence[dict] | None, now: datetime) -> str:
    """A namespace. (kubectl adds resource quotas and limit ranges; the lab serves neither, so, like kubectl
    against a server without them, there is nothing to add.)"""
    metadata, status = namespace.get("metadata") or {}, namespace.get("status") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{metadata.get('name', '')}\n")
    print_labels(w, "Labels", metadata.get("labels"))
    print_annotations(w, "Annotations", metadata.get("annotations"))
    w.write(0, f"Status:\t{status.get('phase', '')}\n")
    if status.get("conditions"):
        w.write(0, "Conditions:\n")
        w.write(1, "Type\tStatus\tLastTransitionTime\tReason\tMessage\n")
        w.write(1, "----\t------\t------------------\t------\t-------\n")
        for c in status["conditions"]:
            transition = rfc1123z(c.get("lastTransitionTime"))
            w.write(1, f"{c.get('type', '')}\t{c.get('status', '')}\t{transition}\t"
                       f"{c.get('reason', '')}\t{c.get('message', '')}\n")
    return w.text()


def write_identity(w: PrefixWriter, metadata: dict) -> None:
    """The four lines most describers open with: Name, Namespace, Labels, Annotations."""
    w.write(0, f"Name:\t{metadata.get('name', '')}\n")
    w.write(0, f"Namespace:\t{metadata.get('namespace', '')}\n")
    print_labels(w, "Labels", metadata.get("labels"))
    print_annotations(w, "Annotations", metadata.get("annotations"))


def describe_config_map(config_map: dict, events: Sequence[dict] | None, now: datetime) -> str:
    metadata = config_map.get("metadata") or {}
    w = PrefixWriter()
    write_identity(w, metadata)
    w.write(0, "\nData\n====\n")
    data = config_map.get("data") or {}
    for key in sorted(data):
        w.write(0, f"{key}:\n----\n{data[key]}\n\n")
    w.write(0, "\nBinaryData\n====\n")
    binary = config_map.get("binaryData") or {}
    for key in sorted(binary):
        w.write(0, f"{key}: {len(_decoded(binary[key]))} bytes\n")
    w.write(0, "\n")
    describe_events(w, events, now)
    return w.text()


def _decoded(value: str) -> bytes:
    """Secret and binary data travel base64-encoded in JSON; describe counts the decoded bytes."""
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError, TypeError):
        return str(value).encode()


def describe_secret(secret: dict, events: Sequence[dict] | None, now: datetime) -> str:
    """A secret, its values hidden: only their sizes are shown. (kubectl shows no events for secrets.)"""
    metadata = secret.get("metadata") or {}
    w = PrefixWriter()
    write_identity(w, metadata)
    w.write(0, f"\nType:\t{secret.get('type', '')}\n")
    w.write(0, "\nData\n====\n")
    data = secret.get("data") or {}
    for key in sorted(data):
        value = _decoded(data[key])
        if key == "token" and secret.get("type") == "kubernetes.io/service-account-token":
            w.write(0, f"{key}:\t{value.decode(errors='replace')}\n")
        else:
            w.write(0, f"{key}:\t{len(value)} bytes\n")
    return w.text()


def describe_endpoint_slice(endpoint_slice: dict, events: Sequence[dict] | None, now: datetime) -> str:
    metadata = endpoint_slice.get("metadata") or {}
    w = PrefixWriter()
    write_identity(w, metadata)
    w.write(0, f"AddressType:\t{endpoint_slice.get('addressType', '')}\n")
    ports = endpoint_slice.get("ports") or []
    if not ports:
        w.write(0, "Ports: <unset>\n")
    else:
        w.write(0, "Ports:\n")
        w.write(1, "Name\tPort\tProtocol\n")
        w.write(1, "----\t----\t--------\n")
        for port in ports:
            number = str(port["port"]) if port.get("port") is not None else "<unset>"
            w.write(1, f"{port.get('name') or '<unset>'}\t{number}\t{port.get('protocol') or 'TCP'}\n")
    endpoints = endpoint_slice.get("endpoints") or []
    if not endpoints:
        w.write(0, "Endpoints: <none>\n")
    else:
        w.write(0, "Endpoints:\n")
        for endpoint in endpoints:
            w.write(1, f"- Addresses:\t{', '.join(endpoint.get('addresses') or []) or NONE}\n")
            w.write(2, "Conditions:\n")
            ready = (endpoint.get("conditions") or {}).get("ready")
            w.write(3, f"Ready:\t{'<unset>' if ready is None else go_value(ready)}\n")
            w.write(2, f"Hostname:\t{endpoint.get('hostname') or '<unset>'}\n")
            if endpoint.get("targetRef"):
                target = endpoint["targetRef"]
                w.write(2, f"TargetRef:\t{target.get('kind', '')}/{target.get('name', '')}\n")
            w.write(2, f"NodeName:\t{endpoint.get('nodeName') or '<unset>'}\n")
            w.write(2, f"Zone:\t{endpoint.get('zone') or '<unset>'}\n")
    describe_events(w, events, now)
    return w.text()


def describe_priority_class(priority_class: dict, events: Sequence[dict] | None, now: datetime) -> str:
    metadata = priority_class.get("metadata") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{metadata.get('name', '')}\n")
    w.write(0, f"Value:\t{priority_class.get('value', 0)}\n")
    w.write(0, f"GlobalDefault:\t{go_value(bool(priority_class.get('globalDefault')))}\n")
    w.write(0, f"PreemptionPolicy:\t{priority_class.get('preemptionPolicy', 'PreemptLowerPriority')}\n")
    w.write(0, f"Description:\t{priority_class.get('description', '')}\n")
    w.write(0, f"Annotations:\t{format_labels(metadata.get('annotations'))}\n")
    describe_events(w, events, now)
    return w.text()


# -- the generic describer, for every other kind -----------------------------------------------------

_ACRONYMS = ("API", "URL", "UID", "GUID")


def _camelcase_split(word: str) -> list[str]:
    """`holderIdentity` -> holder, Identity; `podCIDRs` -> pod, CID, Rs (fatih/camelcase's Split)."""
    runs: list[list[str]] = []
    last_class = None
    for char in word:
        char_class = 1 if char.islower() else 2 if char.isupper() else 3 if char.isdigit() else 4
        if char_class == last_class:
            runs[-1].append(char)
        else:
            runs.append([char])
        last_class = char_class
    for index in range(len(runs) - 1):  # "PDFL" "oader" -> "PDF" "Loader"
        if runs[index][0].isupper() and runs[index + 1][0].islower():
            runs[index + 1].insert(0, runs[index].pop())
    return ["".join(run) for run in runs if run]


def smart_label(field: str) -> str:
    """A JSON field name as a describe label: `holderIdentity` -> `Holder Identity`, `apiVersion` ->
    `API Version`, `podCIDRs` -> `Pod CIDRs` (smartLabelFor)."""
    if any(not (char.isalpha() or char == "-") for char in field):
        return field
    parts = _camelcase_split(field)
    merged: list[str] = []
    index = 0
    while index < len(parts):
        part = parts[index]
        if index + 1 < len(parts) and len(part) >= 2 and part.isupper() and parts[index + 1][:1].isupper():
            merged.append(part + parts[index + 1])
            index += 2
            continue
        merged.append(part)
        index += 1
    words = []
    for part in merged:
        if part.upper() in _ACRONYMS:
            part = part.upper()
        elif part.lower() == part:
            part = part[:1].upper() + part[1:]
        words.append(part)
    return " ".join(words)


_SKIPPED = (".metadata.managedFields", ".metadata.name", ".metadata.namespace", ".metadata.labels",
            ".metadata.annotations")


def _print_content(w: PrefixWriter, level: int, content: dict, prefix: str) -> None:
    for field in sorted(content):
        value, path = content[field], f"{prefix}.{field}"
        if path in _SKIPPED:
            continue
        if isinstance(value, dict):
            w.write(level, f"{smart_label(field)}:\n")
            _print_content(w, level + 1, value, path)
        elif isinstance(value, list):
            w.write(level, f"{smart_label(field)}:\n")
            for item in value:
                if isinstance(item, dict):
                    _print_content(w, level + 1, item, path)
                else:
                    w.write(level + 1, f"{go_value(item)}\n")
        else:
            w.write(level, f"{smart_label(field)}:\t{go_value(value)}\n")


def describe_generic(obj: dict, events: Sequence[dict] | None, now: datetime) -> str:
    """Any other kind: its fields, one per line, labelled in words (kubectl's genericDescriber)."""
    metadata = obj.get("metadata") or {}
    w = PrefixWriter()
    write_identity(w, metadata)
    _print_content(w, 0, obj, "")
    describe_events(w, events, now)
    return w.text()


#: The describers that need nothing but the object and its events; Deployment, ReplicaSet, Service and
#: Node also read related objects, and `describe()` hands those over.
DESCRIBERS: dict[str, Callable[..., str]] = {
    "Pod": describe_pod,
    "Namespace": describe_namespace,
    "ConfigMap": describe_config_map,
    "Secret": describe_secret,
    "EndpointSlice": describe_endpoint_slice,
    "PriorityClass": describe_priority_class,
}


def describe(
    obj: dict,
    events: Sequence[dict] | None,
    now: datetime,
    pods: Sequence[dict] | None = None,
    *,
    replica_sets: Sequence[dict] | None = None,
    endpoint_slices: Sequence[dict] | None = None,
    lease: dict | None = None,
) -> str:
    """The text `kubectl describe <kind> <name>` prints for `obj`.

    `events` may be every event the caller has: only those about `obj` are
    shown (pass None for `--show-events=false`). `now` is the virtual time
    ages are measured from. The related objects kubectl would fetch are
    passed in: `pods` (a ReplicaSet's Pods Status, a Node's non-terminated
    pods), `replica_sets` (a Deployment's OldReplicaSets and NewReplicaSet),
    `endpoint_slices` (a Service's Endpoints) and `lease` (a Node's Lease,
    from kube-node-lease).
    """
    about = events_about(obj, events) if events is not None else None
    kind = obj.get("kind", "")
    if kind == "Deployment":
        return describe_deployment(obj, about, now, replica_sets)
    if kind == "ReplicaSet":
        return describe_replica_set(obj, about, now, pods)
    if kind == "Service":
        return describe_service(obj, about, now, endpoint_slices)
    if kind == "Node":
        return describe_node(obj, about, now, pods, lease)
    return DESCRIBERS.get(kind, describe_generic)(obj, about, now)


__all__ = [
    "DESCRIBERS",
    "PrefixWriter",
    "deployment_replica_sets",
    "describe",
    "describe_containers",
    "describe_events",
    "describe_pod_template",
    "describe_probe",
    "event_age",
    "events_about",
    "format_endpoint_slices",
    "pod_requests",
    "qos_class",
    "rfc1123z",
    "smart_label",
    "taint_string",
    "toleration_string",
]
