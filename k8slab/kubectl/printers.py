"""What `kubectl get` prints: kubectl's own columns, ages and spacing (built in notebook 02).

Two programs share the work in a real cluster, and this module keeps them apart
so that a learner can see the seam:

1. **The API server builds a Table.** Asked for `application/json;as=Table`,
   kube-apiserver turns each object into a row of *cells* with the printers in
   `pkg/printers/internalversion/printers.go`. It always builds every column;
   a column with priority 1 (IP, NODE, ...) is one that only `-o wide` shows.
   Here that is `PRINTERS[kind]`: the column definitions and a `row()` function
   per kind, with the same names and the same rules (`print_pod` is
   printPod, and so on).

2. **kubectl prints the Table.** cli-runtime's `tableprinter.go` hides the
   priority-1 columns unless `-o wide`, adds NAMESPACE (`-A`), label columns
   (`-L`, `--show-labels`) and the `kind/` prefix, upper-cases the headers and
   hands the tab-separated lines to a tabwriter (minimum width 6, padding 3),
   which pads every column but the last. `table()` and `tables()` do that, and
   `tabwriter()` is our copy of Go's text/tabwriter, the piece that decides
   every space you see.

Ages are `human_duration()`, apimachinery's HumanDuration: `90s`, `3m10s`,
`70m`, `5h3m`, `2d1h`, `8d`, `2y1d`. They are measured from the virtual clock's
`now`, so a notebook prints the same ages on every run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

NONE = "<none>"
UNKNOWN = "<unknown>"
#: Node labels that name a role: `node-role.kubernetes.io/control-plane=""`, or `kubernetes.io/role=worker`.
NODE_ROLE_PREFIX = "node-role.kubernetes.io/"
NODE_ROLE_LABEL = "kubernetes.io/role"


# ---------------------------------------------------------------------------------------------------
# Time: ages as kubectl writes them
# ---------------------------------------------------------------------------------------------------


def human_duration(seconds: float) -> str:
    """A duration with 2-3 significant figures, exactly as apimachinery's HumanDuration writes it.

    >>> [human_duration(s) for s in (5, 119, 190, 600, 4000, 49 * 3600, 10 * 86400)]
    ['5s', '119s', '3m10s', '10m', '66m', '2d1h', '10d']
    """
    nanoseconds = round(seconds * 1_000_000_000)
    whole_seconds = abs(nanoseconds) // 10**9 * (1 if nanoseconds >= 0 else -1)  # Go truncates toward zero
    if whole_seconds < -1:  # a clock more than a second behind: say so rather than guess
        return "<invalid>"
    if whole_seconds < 0:
        return "0s"
    if whole_seconds < 60 * 2:
        return f"{whole_seconds}s"
    minutes = nanoseconds // (60 * 10**9)
    if minutes < 10:
        rest = whole_seconds % 60
        return f"{minutes}m" if rest == 0 else f"{minutes}m{rest}s"
    if minutes < 60 * 3:
        return f"{minutes}m"
    hours = nanoseconds // (3600 * 10**9)
    if hours < 8:
        rest = minutes % 60
        return f"{hours}h" if rest == 0 else f"{hours}h{rest}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        rest = hours % 24
        return f"{hours // 24}d" if rest == 0 else f"{hours // 24}d{rest}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        rest = (hours // 24) % 365
        return f"{hours // 24 // 365}y" if rest == 0 else f"{hours // 24 // 365}y{rest}d"
    return f"{hours // 24 // 365}y"


def parse_time(timestamp: str | None) -> datetime | None:
    """An RFC 3339 timestamp as the API writes it (`2024-01-01T00:00:05Z`, or with microseconds)."""
    if not timestamp:
        return None
    parsed = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def since(timestamp: str | datetime | None, now: datetime) -> str:
    """How long ago `timestamp` was, as kubectl writes it; `<unknown>` if unset (translateTimestampSince)."""
    then = timestamp if isinstance(timestamp, datetime) else parse_time(timestamp)
    if then is None:
        return UNKNOWN
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return human_duration((now - then).total_seconds())


def age(obj: dict, now: datetime) -> str:
    """The AGE column: time since metadata.creationTimestamp."""
    return since((obj.get("metadata") or {}).get("creationTimestamp"), now)


# ---------------------------------------------------------------------------------------------------
# Small formatters kubectl uses everywhere
# ---------------------------------------------------------------------------------------------------


def format_labels(labels: dict | None) -> str:
    """`app=web,tier=front` sorted, or `<none>` (labels.FormatLabels)."""
    text = ",".join(sorted(f"{key}={value}" for key, value in (labels or {}).items()))
    return text or NONE


def selector_string(selector: dict | None) -> str:
    """A LabelSelector as `app=web,tier in (a,b)`; "" for one that matches everything (Selector.String)."""
    if selector is None:
        return ""
    requirements = [(key, f"{key}={value}") for key, value in (selector.get("matchLabels") or {}).items()]
    for expression in selector.get("matchExpressions") or []:
        key, operator = expression.get("key", ""), expression.get("operator", "")
        values = ",".join(sorted(expression.get("values") or []))
        text = {"In": f"{key} in ({values})", "NotIn": f"{key} notin ({values})",
                "Exists": key, "DoesNotExist": f"!{key}"}.get(operator, f"{key} {operator}")
        requirements.append((key, text))
    requirements.sort(key=lambda requirement: requirement[0])  # the selector keeps requirements sorted by key
    return ",".join(text for _, text in requirements)


def format_selector(selector: dict | None) -> str:
    """A LabelSelector, or `<none>` when it selects nothing in particular (metav1.FormatLabelSelector)."""
    return selector_string(selector) or NONE


def api_group(obj: dict) -> str:
    """The API group of an object: "" for the core group (`v1`), `apps` for `apps/v1`."""
    api_version = obj.get("apiVersion") or ""
    return api_version.split("/")[0] if "/" in api_version else ""


def kind_prefix(kind: str, group: str = "") -> str:
    """`pod`, `deployment.apps`: how kubectl names a kind in `kind/name` (GroupKind, lower-cased)."""
    return f"{kind.lower()}.{group}" if group else kind.lower()


def resource_name(obj: dict) -> str:
    """`pod/web` or `deployment.apps/web`: what `-o name` prints, and what `kubectl apply` reports."""
    name = (obj.get("metadata") or {}).get("name") or UNKNOWN
    return f"{kind_prefix(obj.get('kind') or UNKNOWN, api_group(obj))}/{name}"


def container_cells(containers: Sequence[dict]) -> tuple[str, str]:
    """The CONTAINERS and IMAGES cells of -o wide: names and images joined by commas."""
    return (",".join(c.get("name", "") for c in containers), ",".join(c.get("image", "") for c in containers))


def _condition(status: dict, condition_type: str) -> dict | None:
    for condition in status.get("conditions") or []:
        if condition.get("type") == condition_type:
            return condition
    return None


def _condition_is_true(status: dict, condition_type: str) -> bool:
    condition = _condition(status, condition_type)
    return condition is not None and condition.get("status") == "True"


def _template_containers(obj: dict) -> list[dict]:
    return (((obj.get("spec") or {}).get("template") or {}).get("spec") or {}).get("containers") or []


# ---------------------------------------------------------------------------------------------------
# Column definitions and rows: what the API server puts in a Table (printers.go)
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One TableColumnDefinition: kubectl shows `name` upper-cased; priority 1 means `-o wide` only."""

    name: str
    type: str = "string"
    priority: int = 0
    format: str = ""  # "name": the column holding the object's name, which -o name and kind/ prefixes use


@dataclass(frozen=True)
class TablePrinter:
    """The columns of one kind and the function that turns an object into a row of cells."""

    columns: tuple[Column, ...]
    row: Callable[[dict, datetime], list]


NAME = Column("Name", format="name")
AGE = Column("Age")


@dataclass(frozen=True)
class PodSummary:
    """The READY, STATUS and RESTARTS cells of a pod, and when a container last restarted."""

    ready: int
    total: int
    status: str
    restarts: int
    last_restart: datetime | None


def _is_sidecar(container: dict | None) -> bool:
    """A restartable init container (restartPolicy: Always) runs beside the app containers."""
    return bool(container) and container.get("restartPolicy") == "Always"


def _last_finished(container_status: dict) -> datetime | None:
    terminated = (container_status.get("lastState") or {}).get("terminated")
    return parse_time(terminated.get("finishedAt")) if terminated is not None else None


def _later(first: datetime | None, second: datetime | None) -> datetime | None:
    if first is None or (second is not None and second > first):
        return second
    return first


def _terminated_without_reason(terminated: dict, prefix: str = "") -> str:
    signal = terminated.get("signal") or 0
    if signal:
        return f"{prefix}Signal:{signal}"
    return f"{prefix}ExitCode:{terminated.get('exitCode') or 0}"


def pod_summary(pod: dict) -> PodSummary:
    """READY, STATUS and RESTARTS of `kubectl get pods`, worked out as printPod does.

    STATUS starts as the pod's phase (or status.reason, such as `Evicted`). An
    init container that has not finished turns it into `Init:0/1`,
    `Init:CrashLoopBackOff` or `Init:Error`. Otherwise the *first* app container
    with something to say wins: a waiting reason (`ContainerCreating`,
    `CrashLoopBackOff`, `ErrImagePull`, `ImagePullBackOff`) or a terminated one
    (`Completed`, `Error`, `OOMKilled`). A pod being deleted reads `Terminating`.
    """
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    metadata = pod.get("metadata") or {}
    init_containers = {c.get("name"): c for c in spec.get("initContainers") or []}
    total = len(spec.get("containers") or []) + sum(1 for c in init_containers.values() if _is_sidecar(c))
    ready = restarts = sidecar_restarts = 0
    last_restart = last_sidecar_restart = None
    phase = status.get("phase") or ""
    reason = status.get("reason") or phase
    scheduled = _condition(status, "PodScheduled")
    if scheduled is not None and scheduled.get("reason") == "SchedulingGated":
        reason = "SchedulingGated"

    initializing = False
    for index, container in enumerate(status.get("initContainerStatuses") or []):
        restarts += container.get("restartCount") or 0
        last_restart = _later(last_restart, _last_finished(container))
        sidecar = _is_sidecar(init_containers.get(container.get("name")))
        if sidecar:
            sidecar_restarts += container.get("restartCount") or 0
            last_sidecar_restart = _later(last_sidecar_restart, _last_finished(container))
        state = container.get("state") or {}
        terminated, waiting = state.get("terminated"), state.get("waiting")
        if terminated is not None and (terminated.get("exitCode") or 0) == 0:
            continue  # this init container is done
        if sidecar and container.get("started"):
            ready += 1 if container.get("ready") else 0
            continue
        if terminated is not None:
            reason = "Init:" + terminated["reason"] if terminated.get("reason") else \
                _terminated_without_reason(terminated, "Init:")
        elif waiting is not None and waiting.get("reason") and waiting["reason"] != "PodInitializing":
            reason = "Init:" + waiting["reason"]
        else:
            reason = f"Init:{index}/{len(init_containers)}"
        initializing = True
        break

    if not initializing or _condition_is_true(status, "Initialized"):
        restarts, last_restart = sidecar_restarts, last_sidecar_restart
        has_running = False
        for container in reversed(status.get("containerStatuses") or []):  # so the first container wins
            restarts += container.get("restartCount") or 0
            last_restart = _later(last_restart, _last_finished(container))
            state = container.get("state") or {}
            terminated, waiting = state.get("terminated"), state.get("waiting")
            if waiting is not None and waiting.get("reason"):
                reason = waiting["reason"]
            elif terminated is not None and terminated.get("reason"):
                reason = terminated["reason"]
            elif terminated is not None:
                reason = _terminated_without_reason(terminated)
            elif container.get("ready") and state.get("running") is not None:
                has_running = True
                ready += 1
        if reason == "Completed" and has_running:  # a finished container beside a running one
            reason = "Running" if _condition_is_true(status, "Ready") else "NotReady"

    if metadata.get("deletionTimestamp") and status.get("reason") == "NodeLost":
        reason = "Unknown"
    elif metadata.get("deletionTimestamp") and phase not in ("Succeeded", "Failed"):
        reason = "Terminating"
    return PodSummary(ready, total, reason, restarts, last_restart)


def print_pod(pod: dict, now: datetime) -> list:
    summary = pod_summary(pod)
    restarts = str(summary.restarts)
    if summary.restarts and summary.last_restart is not None:
        restarts = f"{summary.restarts} ({since(summary.last_restart, now)} ago)"
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    pod_ips = status.get("podIPs") or []
    ip = (pod_ips[0].get("ip") if pod_ips else status.get("podIP")) or NONE  # kubelets set both; podIPs wins
    gates = spec.get("readinessGates") or []
    readiness_gates = NONE
    if gates:
        passed = sum(1 for gate in gates if _condition_is_true(status, gate.get("conditionType")))
        readiness_gates = f"{passed}/{len(gates)}"
    return [
        pod["metadata"]["name"], f"{summary.ready}/{summary.total}", summary.status, restarts, age(pod, now),
        ip, spec.get("nodeName") or NONE, status.get("nominatedNodeName") or NONE, readiness_gates,
    ]


def print_deployment(deployment: dict, now: datetime) -> list:
    spec, status = deployment.get("spec") or {}, deployment.get("status") or {}
    names, images = container_cells(_template_containers(deployment))
    return [
        deployment["metadata"]["name"], f"{status.get('readyReplicas', 0)}/{spec.get('replicas', 1)}",
        status.get("updatedReplicas", 0), status.get("availableReplicas", 0), age(deployment, now),
        names, images, selector_string(spec.get("selector")),
    ]


def print_replica_set(replica_set: dict, now: datetime) -> list:
    spec, status = replica_set.get("spec") or {}, replica_set.get("status") or {}
    names, images = container_cells(_template_containers(replica_set))
    return [
        replica_set["metadata"]["name"], spec.get("replicas", 1), status.get("replicas", 0),
        status.get("readyReplicas", 0), age(replica_set, now),
        names, images, format_selector(spec.get("selector")),
    ]


def service_ports(ports: Iterable[dict]) -> str:
    """PORT(S): `80/TCP`, or `80:30080/TCP` when the port is also open on every node (makePortString)."""
    pieces = []
    for port in ports:
        protocol, node_port = port.get("protocol") or "TCP", port.get("nodePort") or 0
        number = f"{port.get('port')}:{node_port}" if node_port > 0 else f"{port.get('port')}"
        pieces.append(f"{number}/{protocol}")
    return ",".join(pieces)


def service_external_ip(service: dict) -> str:
    """EXTERNAL-IP: `<none>` for ClusterIP and NodePort, `<pending>` until a LoadBalancer gets its address.

    (printers.go can clip a long load-balancer list to 16 characters, but the API
    server builds every Table as wide, so kubectl never shows it clipped.)
    """
    spec = service.get("spec") or {}
    service_type = spec.get("type") or "ClusterIP"
    external_ips = spec.get("externalIPs") or []
    if service_type in ("ClusterIP", "NodePort"):
        return ",".join(external_ips) if external_ips else NONE
    if service_type == "LoadBalancer":
        ingress = ((service.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
        addresses = sorted({entry.get("ip") or entry.get("hostname") for entry in ingress} - {None, ""})
        balancer = ",".join(addresses)
        if external_ips:
            return ",".join((balancer.split(",") if balancer else []) + external_ips)
        return balancer or "<pending>"
    if service_type == "ExternalName":
        return spec.get("externalName") or ""
    return UNKNOWN


def print_service(service: dict, now: datetime) -> list:
    spec = service.get("spec") or {}
    cluster_ips = spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else [])
    return [
        service["metadata"]["name"], spec.get("type") or "ClusterIP", cluster_ips[0] if cluster_ips else NONE,
        service_external_ip(service), service_ports(spec.get("ports") or []) or NONE, age(service, now),
        format_labels(spec.get("selector")),
    ]


def node_roles(node: dict) -> list[str]:
    """The roles a node's labels give it, sorted (findNodeRoles)."""
    roles = set()
    for key, value in ((node.get("metadata") or {}).get("labels") or {}).items():
        if key.startswith(NODE_ROLE_PREFIX) and key[len(NODE_ROLE_PREFIX):]:
            roles.add(key[len(NODE_ROLE_PREFIX):])
        elif key == NODE_ROLE_LABEL and value:
            roles.add(value)
    return sorted(roles)


def node_status(node: dict) -> str:
    """`Ready`, `NotReady` (the Ready condition is False or Unknown), `Unknown` (no Ready condition yet),
    plus `,SchedulingDisabled` for a cordoned node."""
    ready = _condition(node.get("status") or {}, "Ready")
    states = ["Unknown" if ready is None else ("Ready" if ready.get("status") == "True" else "NotReady")]
    if (node.get("spec") or {}).get("unschedulable"):
        states.append("SchedulingDisabled")
    return ",".join(states)


def _node_address(node: dict, address_type: str) -> str:
    for address in (node.get("status") or {}).get("addresses") or []:
        if address.get("type") == address_type:
            return address.get("address", "")
    return NONE


def print_node(node: dict, now: datetime) -> list:
    info = (node.get("status") or {}).get("nodeInfo") or {}
    return [
        node["metadata"]["name"], node_status(node), ",".join(node_roles(node)) or NONE, age(node, now),
        info.get("kubeletVersion", ""), _node_address(node, "InternalIP"), _node_address(node, "ExternalIP"),
        info.get("osImage") or UNKNOWN, info.get("kernelVersion") or UNKNOWN,
        info.get("containerRuntimeVersion") or UNKNOWN,
    ]


def print_namespace(namespace: dict, now: datetime) -> list:
    phase = (namespace.get("status") or {}).get("phase", "")
    return [namespace["metadata"]["name"], phase, age(namespace, now)]


def print_config_map(config_map: dict, now: datetime) -> list:
    count = len(config_map.get("data") or {}) + len(config_map.get("binaryData") or {})
    return [config_map["metadata"]["name"], count, age(config_map, now)]


def print_secret(secret: dict, now: datetime) -> list:
    data = secret.get("data") or {}
    return [secret["metadata"]["name"], secret.get("type", ""), len(data), age(secret, now)]


def event_source(event: dict) -> str:
    """`kubelet, node-1`: the component that reported an event, and its host when known."""
    source = event.get("source") or {}
    component = source.get("component") or event.get("reportingController") or ""
    host = source.get("host") or event.get("reportingInstance") or ""
    return f"{component}, {host}" if host else component


def print_event(event: dict, now: datetime) -> list:
    first_seen = since(event.get("firstTimestamp"), now)
    if not event.get("firstTimestamp"):
        first_seen = since(event.get("eventTime"), now)
    last_seen = since(event.get("lastTimestamp"), now) if event.get("lastTimestamp") else first_seen
    count = event.get("count") or 1  # a one-off event of the newer API has no count
    if event.get("series"):
        last_seen = since(event["series"].get("lastObservedTime"), now)
        count = event["series"].get("count", 0)
    involved = event.get("involvedObject") or {}
    target = involved.get("kind", "").lower()
    if involved.get("name"):
        target = f"{target}/{involved['name']}"
    return [
        last_seen, event.get("type", ""), event.get("reason", ""), target, involved.get("fieldPath", ""),
        event_source(event), (event.get("message") or "").strip(),
        first_seen, count, event["metadata"]["name"],
    ]


def _more(items: list[str], count: int, limit: int = 3) -> str:
    """At most three items, then `+ N more...` (listWithMoreString)."""
    if count > limit:
        return f"{','.join(items[:limit])} + {count - limit} more..."
    return ",".join(items) or "<unset>"


def print_endpoint_slice(endpoint_slice: dict, now: datetime) -> list:
    ports = []
    for port in endpoint_slice.get("ports") or []:
        ports.append(str(port["port"]) if port.get("port") is not None else (port.get("name") or "*"))
    addresses = [address for endpoint in endpoint_slice.get("endpoints") or []
                 for address in endpoint.get("addresses") or []]
    return [
        endpoint_slice["metadata"]["name"], endpoint_slice.get("addressType", ""), _more(ports, len(ports)),
        _more(addresses, len(addresses)), age(endpoint_slice, now),
    ]


def print_lease(lease: dict, now: datetime) -> list:
    return [lease["metadata"]["name"], (lease.get("spec") or {}).get("holderIdentity") or "", age(lease, now)]


def print_priority_class(priority_class: dict, now: datetime) -> list:
    return [
        priority_class["metadata"]["name"], priority_class.get("value", 0),
        bool(priority_class.get("globalDefault")), age(priority_class, now),
        priority_class.get("preemptionPolicy") or "",
    ]


def print_object_meta(obj: dict, now: datetime) -> list:
    return [(obj.get("metadata") or {}).get("name", ""), age(obj, now)]


def _wide(name: str, type: str = "string") -> Column:
    return Column(name, type, priority=1)


PRINTERS: dict[str, TablePrinter] = {
    "Pod": TablePrinter(
        (NAME, Column("Ready"), Column("Status"), Column("Restarts"), AGE,
         _wide("IP"), _wide("Node"), _wide("Nominated Node"), _wide("Readiness Gates")),
        print_pod,
    ),
    "Deployment": TablePrinter(
        (NAME, Column("Ready"), Column("Up-to-date"), Column("Available"), AGE,
         _wide("Containers"), _wide("Images"), _wide("Selector")),
        print_deployment,
    ),
    "ReplicaSet": TablePrinter(
        (NAME, Column("Desired", "integer"), Column("Current", "integer"), Column("Ready", "integer"), AGE,
         _wide("Containers"), _wide("Images"), _wide("Selector")),
        print_replica_set,
    ),
    "Service": TablePrinter(
        (NAME, Column("Type"), Column("Cluster-IP"), Column("External-IP"), Column("Port(s)"), AGE,
         _wide("Selector")),
        print_service,
    ),
    "Node": TablePrinter(
        (NAME, Column("Status"), Column("Roles"), AGE, Column("Version"), _wide("Internal-IP"),
         _wide("External-IP"), _wide("OS-Image"), _wide("Kernel-Version"), _wide("Container-Runtime")),
        print_node,
    ),
    "Namespace": TablePrinter((NAME, Column("Status"), AGE), print_namespace),
    "ConfigMap": TablePrinter((NAME, Column("Data"), AGE), print_config_map),
    "Secret": TablePrinter((NAME, Column("Type"), Column("Data"), AGE), print_secret),
    "Event": TablePrinter(
        (Column("Last Seen"), Column("Type"), Column("Reason"), Column("Object"), _wide("Subobject"),
         _wide("Source"), Column("Message"), _wide("First Seen"), _wide("Count"),
         Column("Name", priority=1, format="name")),
        print_event,
    ),
    "EndpointSlice": TablePrinter(
        (NAME, Column("AddressType"), Column("Ports"), Column("Endpoints"), AGE), print_endpoint_slice,
    ),
    "Lease": TablePrinter((NAME, Column("Holder"), AGE), print_lease),
    # PreemptionPolicy has priority 0 upstream, so kubectl shows it without -o wide.
    "PriorityClass": TablePrinter(
        (NAME, Column("Value", "integer"), Column("Global-Default", "boolean"), AGE,
         Column("PreemptionPolicy")),
        print_priority_class,
    ),
}
#: Any other kind prints as cli-runtime's default: NAME and AGE.
DEFAULT_PRINTER = TablePrinter((NAME, AGE), print_object_meta)


def printer_for(kind: str) -> TablePrinter:
    return PRINTERS.get(kind, DEFAULT_PRINTER)


def server_table(objects: Sequence[dict], now: datetime, kind: str | None = None) -> dict:
    """The `meta.k8s.io/v1` Table the API server returns for `Accept: application/json;as=Table`.

    Every column is there, wide ones included (priority 1); it is the client
    that hides them. Cells keep their JSON types: integers stay numbers and
    GLOBAL-DEFAULT stays a boolean.
    """
    kind = kind or (objects[0].get("kind", "") if objects else "")
    printer = printer_for(kind)
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {},
        "columnDefinitions": [
            {"name": c.name, "type": c.type, "format": c.format, "description": "", "priority": c.priority}
            for c in printer.columns
        ],
        "rows": [{"cells": printer.row(obj, now), "object": obj} for obj in objects],
    }


# ---------------------------------------------------------------------------------------------------
# kubectl's side: choose the columns, decorate them, and align them
# ---------------------------------------------------------------------------------------------------


def tabwriter(text: str, minwidth: int, padding: int) -> str:
    """Align tab-separated text into columns, as Go's text/tabwriter does (with a space as padding).

    A *cell* is text ended by a tab; the text after a line's last tab is not a
    cell and is never padded. A column is as wide as its widest cell plus
    `padding` (at least `minwidth`), but only over a *block*: consecutive lines
    that all have a cell in that column. A line with fewer cells ends the block,
    which is why `kubectl describe` aligns each section on its own.

    kubectl get uses minwidth 6 and padding 3; kubectl describe minwidth 0 and padding 2.
    """
    lines = [line.split("\t") for line in text.split("\n")]
    widths: list[int] = []
    out: list[str] = []

    def write_lines(start: int, end: int) -> None:
        for index in range(start, end):
            for column, cell in enumerate(lines[index]):
                out.append(cell)
                if column < len(widths):
                    out.append(" " * (widths[column] - len(cell)))
            if index + 1 < len(lines):
                out.append("\n")

    def format_block(start: int, end: int) -> None:
        column = len(widths)
        line = start
        while line < end:
            if column >= len(lines[line]) - 1:  # no cell in this column: not part of a block
                line += 1
                continue
            write_lines(start, line)
            start = line
            width = minwidth
            while line < end and column < len(lines[line]) - 1:
                width = max(width, len(lines[line][column]) + padding)
                line += 1
            widths.append(width)
            format_block(start, line)  # the columns to the right, within this block
            widths.pop()
            start = line
        write_lines(start, end)

    format_block(0, len(lines))
    return "".join(out)


def cell_text(value) -> str:
    """A cell as kubectl prints it (fmt.Sprint): booleans as `true`/`false`, a multi-line string cut at
    its first line break with `...`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    breaks = [text.find(char) for char in "\n\r\f" if char in text]
    return text[: min(breaks)] + "..." if breaks else text


def label_column_header(key: str) -> str:
    """`-L app.kubernetes.io/name` adds a column headed NAME: the last path segment, upper-cased."""
    return key.split("/")[-1].upper()


def table(
    objects: Sequence[dict],
    now: datetime,
    wide: bool = False,
    all_namespaces: bool = False,
    show_kind: bool = False,
    show_labels: bool = False,
    no_headers: bool = False,
    label_columns: Sequence[str] = (),
    kind: str | None = None,
) -> str:
    """The text `kubectl get` prints for objects of one kind ("" for none: kubectl prints no header then).

    `now` is the (virtual) time ages are measured from. Objects of several
    kinds are printed by `tables()`, one table per kind.
    """
    if not objects:
        return ""
    kinds = list(dict.fromkeys(obj.get("kind", "") for obj in objects))
    if kind is None and len(kinds) > 1:
        groups = [(k, [obj for obj in objects if obj.get("kind", "") == k]) for k in kinds]
        return tables(groups, now, wide=wide, all_namespaces=all_namespaces, show_kind=show_kind,
                      show_labels=show_labels, no_headers=no_headers, label_columns=label_columns)
    kind = kind or kinds[0]
    printer = printer_for(kind)
    shown = [index for index, column in enumerate(printer.columns) if wide or column.priority == 0]
    name_column = next((i for i, c in enumerate(printer.columns) if c.format == "name"), None)
    # -A adds NAMESPACE for namespaced kinds only; a node or a namespace has no namespace to show.
    with_namespace = all_namespaces and any((obj.get("metadata") or {}).get("namespace") for obj in objects)
    prefix = kind_prefix(kind, api_group(objects[0]))

    lines = []
    if not no_headers:
        headers = [printer.columns[index].name.upper() for index in shown]
        headers += [label_column_header(key) for key in label_columns]
        headers += ["LABELS"] if show_labels else []
        lines.append(["NAMESPACE", *headers] if with_namespace else headers)
    for obj in objects:
        metadata = obj.get("metadata") or {}
        cells = [cell_text(value) for value in printer.row(obj, now)]
        if show_kind and name_column is not None:
            cells[name_column] = f"{prefix}/{cells[name_column]}"
        row = [cells[index] for index in shown]
        labels = metadata.get("labels") or {}
        row += [labels.get(key, "") for key in label_columns]
        row += [format_labels(labels)] if show_labels else []
        lines.append([metadata.get("namespace", ""), *row] if with_namespace else row)
    return tabwriter("".join("\t".join(line) + "\n" for line in lines), minwidth=6, padding=3)


def tables(
    objects_by_kind: Sequence[tuple[str, Sequence[dict]]],
    now: datetime,
    wide: bool = False,
    all_namespaces: bool = False,
    show_kind: bool = False,
    show_labels: bool = False,
    no_headers: bool = False,
    label_columns: Sequence[str] = (),
) -> str:
    """`kubectl get pods,services`: one table per kind, a blank line between them.

    As soon as objects of more than one kind are printed, every name carries
    its kind (`pod/web`, `service/web`), as kubectl does. A kind with no
    objects prints nothing at all.
    """
    groups = [(kind, objects) for kind, objects in objects_by_kind if objects]
    with_kind = show_kind or len({kind for kind, _ in groups}) > 1
    separator = "" if no_headers else "\n"
    return separator.join(
        table(objects, now, wide=wide, all_namespaces=all_namespaces, show_kind=with_kind,
              show_labels=show_labels, no_headers=no_headers, label_columns=label_columns, kind=kind)
        for kind, objects in groups
    )


def name_lines(objects: Iterable[dict]) -> str:
    """`kubectl get -o name`: one `kind/name` per line (`pod/web`, `deployment.apps/web`)."""
    return "".join(resource_name(obj) + "\n" for obj in objects)


def no_resources(namespace: str = "default", all_namespaces: bool = False, namespaced: bool = True) -> str:
    """What kubectl says on stderr when a get finds nothing.

    `No resources found in default namespace.` for namespaced kinds in one
    namespace; plain `No resources found` with -A or for cluster-wide kinds
    (nodes, namespaces).
    """
    if namespaced and not all_namespaces:
        return f"No resources found in {namespace} namespace.\n"
    return "No resources found\n"


# ---------------------------------------------------------------------------------------------------
# kubectl top: the metrics.k8s.io numbers as kubectl prints them (k8s.io/kubectl pkg/metricsutil)
# ---------------------------------------------------------------------------------------------------

TOP_NODE_COLUMNS = ("NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)")
TOP_POD_COLUMNS = ("NAME", "CPU(cores)", "MEMORY(bytes)")
TOP_RESOURCES = ("cpu", "memory")


def top_usage(usage: dict | None) -> dict[str, Any]:
    """A usage map ({"cpu": "250m", "memory": "64Mi"}) as quantities; a missing resource counts as 0."""
    from k8slab.api.quantity import Quantity, parse_quantity

    usage = usage or {}
    return {name: parse_quantity(str(usage[name])) if name in usage else Quantity(0)
            for name in TOP_RESOURCES}


def top_quantity(resource: str, quantity: Any) -> str:
    """`250m` for CPU (millicores, rounded up), `64Mi` for memory (whole mebibytes, rounded down)."""
    if resource == "cpu":
        return f"{quantity.milli_value}m"
    if resource == "memory":
        return f"{quantity.value // (1024 * 1024)}Mi"
    return str(quantity.value)


def _top_cells(name: str, usage: dict[str, Any], available: dict[str, Any] | None) -> list[str]:
    """printMetricsLine: the name, then each resource's usage, and its share of `available` if given."""
    cells = [name]
    for resource in TOP_RESOURCES:
        quantity = usage[resource]
        cells.append(top_quantity(resource, quantity))
        if available is not None and resource in available:
            total = available[resource].milli_value
            fraction = quantity.milli_value / total * 100 if total else 0.0
            cells.append(f"{int(fraction)}%")
    return cells


def _top_sort_key(sort_by: str, usage: dict[str, Any]):
    """kubectl top's --sort-by: the biggest first (cpu in millicores, memory in bytes)."""
    return -usage["cpu"].milli_value if sort_by == "cpu" else -usage["memory"].value


def _top_text(lines: list[list[str]]) -> str:
    # Every cell, the last one too, ends in a tab: kubectl top's lines end in padding.
    return tabwriter("".join("".join(cell + "\t" for cell in line) + "\n" for line in lines),
                     minwidth=6, padding=3)


def top_nodes(metrics: Sequence[dict], available: dict[str, dict], no_headers: bool = False,
              sort_by: str = "") -> str:
    """`kubectl top nodes`: each node's usage and its share of the node's allocatable.

    `available` maps node names to their allocatable (or capacity) quantities
    strings; a node with no metrics yet is listed last with `<unknown>` (kubectl
    lists those in Go's random map order; the lab sorts them by name).
    """
    from k8slab.api.quantity import parse_quantity

    if not metrics:
        return ""
    rows = [(item["metadata"]["name"], top_usage(item.get("usage"))) for item in metrics]
    if sort_by in ("cpu", "memory"):
        rows.sort(key=lambda row: _top_sort_key(sort_by, row[1]))
    else:
        rows.sort(key=lambda row: row[0])
    lines = [] if no_headers else [list(TOP_NODE_COLUMNS)]
    remaining = dict(available)
    for name, usage in rows:
        capacity = remaining.pop(name, None)
        quantities = None if capacity is None else {
            resource: parse_quantity(str(capacity[resource]))
            for resource in TOP_RESOURCES if resource in capacity
        }
        lines.append(_top_cells(name, usage, quantities))
    for name in sorted(remaining):
        lines.append([name] + [UNKNOWN] * (2 * len(TOP_RESOURCES)))
    return _top_text(lines)


def top_pods(metrics: Sequence[dict], containers: bool = False, all_namespaces: bool = False,
             no_headers: bool = False, sort_by: str = "", total: bool = False) -> str:
    """`kubectl top pods`: each pod's usage (the sum of its containers), or each container's.

    With `total` (kubectl's --sum) a line of underscores and the sum follow.
    """
    if not metrics:
        return ""
    lines: list[list[str]] = []
    width = len(TOP_POD_COLUMNS)
    if not no_headers:  # (sic) kubectl widens the --sum line only when it prints headers
        header = (["NAMESPACE"] if all_namespaces else []) + (["POD"] if containers else [])
        width += len(header)
        lines.append(header + list(TOP_POD_COLUMNS))
    pods = [(item, _pod_usage(item)) for item in metrics]
    if sort_by in ("cpu", "memory"):
        pods.sort(key=lambda pod: _top_sort_key(sort_by, pod[1]))
    else:
        pods.sort(key=lambda pod: ((pod[0]["metadata"].get("namespace", "") if all_namespaces else ""),
                                   pod[0]["metadata"]["name"]))
    for item, usage in pods:
        prefix = [item["metadata"].get("namespace", "")] if all_namespaces else []
        if not containers:
            lines.append(prefix + _top_cells(item["metadata"]["name"], usage, None))
            continue
        rows = [(container["name"], top_usage(container.get("usage")))
                for container in item.get("containers") or []]
        if sort_by in ("cpu", "memory"):
            rows.sort(key=lambda row: _top_sort_key(sort_by, row[1]))
        else:
            rows.sort(key=lambda row: row[0])
        for name, container_usage in rows:
            lines.append(prefix + [item["metadata"]["name"]] + _top_cells(name, container_usage, None))
    if total:
        sums = {resource: sum((usage[resource] for _, usage in pods), top_usage({})[resource])
                for resource in TOP_RESOURCES}
        lines.append([""] * (width - 2) + ["________", "________"])
        lines.append([""] * (width - 3) + _top_cells("", sums, None))
    return _top_text(lines)


def _pod_usage(item: dict) -> dict[str, Any]:
    """getPodMetrics: a pod's usage is the sum of its containers'."""
    usage = top_usage({})
    for container in item.get("containers") or []:
        container_usage = top_usage(container.get("usage"))
        usage = {resource: usage[resource] + container_usage[resource] for resource in TOP_RESOURCES}
    return usage


__all__ = [
    "DEFAULT_PRINTER",
    "PRINTERS",
    "Column",
    "PodSummary",
    "TablePrinter",
    "age",
    "api_group",
    "cell_text",
    "container_cells",
    "event_source",
    "format_labels",
    "format_selector",
    "human_duration",
    "kind_prefix",
    "label_column_header",
    "name_lines",
    "no_resources",
    "node_roles",
    "node_status",
    "parse_time",
    "pod_summary",
    "printer_for",
    "resource_name",
    "selector_string",
    "server_table",
    "service_external_ip",
    "service_ports",
    "since",
    "table",
    "tables",
    "tabwriter",
    "top_nodes",
    "top_pods",
    "top_quantity",
    "top_usage",
]
