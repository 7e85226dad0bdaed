"""Pod placement: which pod the scheduler put on which node, and why the others wait (notebook 04).

`placement(cluster)` draws the cluster the way the scheduler sees it: each
node a box with its name, zone, taints and cordoned state, two bars for how
much of its CPU and memory the pods placed there *request* (of what the node
can give, its `status.allocatable`), and the pods themselves inside. Pods
that no node could take wait in a separate box, each with the reason the
scheduler wrote into its PodScheduled condition ("0/3 nodes are available:
...").

`PlacementView(cluster)` is the same picture live, with controls: add pods of
a chosen size, add a node, cordon or uncordon a node, taint it, and run the
cluster a few virtual seconds. Pods that landed since the previous picture
are drawn in blue, so you can see where each one went.

Everything is read through the API server's public verbs (list nodes, list
pods), exactly as `kubectl get` would; the controls write through them too
(a patch on the node for cordon and taint, as kubectl does). The bars count
requests, not real usage: that is what the scheduler decides on.

Both the DOT source and the static HTML are deterministic (nodes in name
order, pods in name order), which keeps nbval strict. A re-render at 10
nodes and 100 pods takes a few tens of milliseconds, most of it graphviz.
"""

from __future__ import annotations

import base64
import functools
import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import graphviz
import pandas as pd

from k8slab.api.errors import StatusError
from k8slab.api.quantity import Format, new_milli_quantity, new_quantity
from k8slab.scheduler.nodeinfo import Resource, pod_requests
from k8slab.viz.architecture import clean_svg

ZONE_LABEL = "topology.kubernetes.io/zone"
BLUE = "#326ce5"  # Kubernetes blue: pods that have just landed
BAR_CPU = "#326ce5"
BAR_MEMORY = "#7a4fd6"
BAR_EMPTY = "#e6e6e6"
FULL = "#c0392b"  # a bar at 100%, a cordoned node, a NoSchedule taint
SOFT = "#b9770e"  # a PreferNoSchedule taint
POD_FILL = {"Running": "#d5f5e3", "Succeeded": "#eeeeee", "Failed": "#f5d5d5"}
POD_BOUND = "#dbe7fb"  # bound to a node, not (yet) running
FONT = "Helvetica"
BAR_WIDTH = 120
PODS_PER_ROW = 4
NODES_PER_ROW = 5
MAX_PENDING_SHOWN = 12
HTML_FONT = "font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px"


# -- what the picture shows ---------------------------------------------------


@dataclass(frozen=True)
class PodPlace:
    """One pod as the picture shows it."""

    name: str
    namespace: str
    node: str  # "" while Pending with no node
    phase: str
    cpu: int  # millicores requested
    memory: int  # bytes requested
    reason: str = ""  # the PodScheduled condition's message, while it waits

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True)
class NodePlace:
    """One node: what it offers (allocatable), what its pods request, and the pods."""

    name: str
    zone: str
    taints: tuple[str, ...]
    unschedulable: bool
    cpu_allocatable: int
    memory_allocatable: int
    pods: tuple[PodPlace, ...]

    @property
    def cpu_requested(self) -> int:
        return sum(p.cpu for p in self.pods)

    @property
    def memory_requested(self) -> int:
        return sum(p.memory for p in self.pods)


@dataclass(frozen=True)
class Placement:
    """The cluster at one instant: nodes with their pods, and the pods still waiting for a node."""

    time: float
    nodes: tuple[NodePlace, ...]
    pending: tuple[PodPlace, ...]

    @property
    def pod_count(self) -> int:
        return sum(len(n.pods) for n in self.nodes) + len(self.pending)

    def node_of(self) -> dict[str, str]:
        """Pod key -> node name, for every pod that has a node."""
        return {p.key: n.name for n in self.nodes for p in n.pods}


def natural_key(name: str) -> tuple:
    """node-2 before node-10: numbers inside names compare as numbers."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name))


def format_taint(taint: dict) -> str:
    """A taint as kubectl writes it: key=value:Effect (key:Effect without a value)."""
    value = taint.get("value")
    return f"{taint.get('key', '')}{'=' + value if value else ''}:{taint.get('effect', '')}"


def format_cpu(millis: int) -> str:
    return str(new_milli_quantity(millis))


def format_memory(amount: int) -> str:
    return str(new_quantity(amount, Format.BinarySI))


def percent(requested: int, allocatable: int) -> int:
    """Whole percent, as kubectl describe node rounds it (down)."""
    return requested * 100 // allocatable if allocatable else 0


def _api_of(source: Any):
    return getattr(source, "api", source)


def _pod_place(pod: dict) -> PodPlace:
    meta, spec, status = pod["metadata"], pod.get("spec") or {}, pod.get("status") or {}
    requests = pod_requests(pod)
    reason = ""
    for condition in status.get("conditions") or []:
        if condition.get("type") == "PodScheduled" and condition.get("status") == "False":
            reason = condition.get("message") or condition.get("reason") or ""
    return PodPlace(meta["name"], meta.get("namespace", "default"), spec.get("nodeName") or "",
                    status.get("phase") or "Pending", requests.milli_cpu, requests.memory, reason)


def snapshot(source: Any, namespace: str | None = None) -> Placement:
    """Read nodes and pods through the API server (`source` is a Cluster or an APIServer).

    Pods that have finished (Succeeded, Failed) no longer hold their requests
    and are left out, as the scheduler leaves them out. `namespace` None means
    every namespace.
    """
    api = _api_of(source)
    nodes = api.list("nodes")["items"]
    pods = [_pod_place(p) for p in api.list("pods", namespace)["items"]]
    pods = [p for p in pods if p.phase not in ("Succeeded", "Failed")]
    pods.sort(key=lambda p: (natural_key(p.name), p.namespace))
    by_node: dict[str, list[PodPlace]] = {}
    for pod in pods:
        by_node.setdefault(pod.node, []).append(pod)
    places = []
    for node in sorted(nodes, key=lambda n: natural_key(n["metadata"]["name"])):
        name = node["metadata"]["name"]
        spec = node.get("spec") or {}
        allocatable = Resource.from_list((node.get("status") or {}).get("allocatable"))
        places.append(NodePlace(
            name, (node["metadata"].get("labels") or {}).get(ZONE_LABEL, ""),
            tuple(format_taint(t) for t in spec.get("taints") or []), bool(spec.get("unschedulable")),
            allocatable.milli_cpu, allocatable.memory, tuple(by_node.get(name, ())),
        ))
    # A pod bound to a node the API no longer has is not Pending: it is lost with its node, left out here.
    return Placement(api.store.loop.now, tuple(places), tuple(by_node.get("", ())))


def utilisation(source: Any, namespace: str | None = None) -> pd.DataFrame:
    """One row per node: requested and allocatable CPU and memory, the percentages, and the pod count."""
    rows = [{"node": n.name, "zone": n.zone, "pods": len(n.pods),
             "cpu requested (m)": n.cpu_requested, "cpu allocatable (m)": n.cpu_allocatable,
             "cpu %": percent(n.cpu_requested, n.cpu_allocatable),
             "memory requested (Mi)": n.memory_requested // 2**20,
             "memory allocatable (Mi)": n.memory_allocatable // 2**20,
             "memory %": percent(n.memory_requested, n.memory_allocatable)}
            for n in snapshot(source, namespace).nodes]
    columns = ["node", "zone", "pods", "cpu requested (m)", "cpu allocatable (m)", "cpu %",
               "memory requested (Mi)", "memory allocatable (Mi)", "memory %"]
    return pd.DataFrame(rows, columns=columns).set_index("node")


# -- graphviz ------------------------------------------------------------------


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _wrap(text: str, width: int = 56) -> list[str]:
    """Split a long message into lines at spaces (graphviz does not wrap labels by itself)."""
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return lines + [line] if line else lines


#: The bar row spans the pod grid exactly (cells, the spacing between them, less its own padding), so
#: graphviz has no extra width to spread between the label, the bar and the text.
BAR_TEXT_WIDTH = PODS_PER_ROW * 96 + (PODS_PER_ROW - 1) * 3 - 2 * 2 - 30 - BAR_WIDTH


def _bar(label: str, requested: int, allocatable: int, colour: str, show: Callable[[int], str]) -> str:
    share = min(percent(requested, allocatable), 100)
    filled = BAR_WIDTH * share // 100
    fill = FULL if share >= 100 else colour
    cells = []
    if filled:
        cells.append(f'<TD WIDTH="{filled}" HEIGHT="9" FIXEDSIZE="TRUE" BGCOLOR="{fill}"></TD>')
    if filled < BAR_WIDTH:
        empty = BAR_WIDTH - filled
        cells.append(f'<TD WIDTH="{empty}" HEIGHT="9" FIXEDSIZE="TRUE" BGCOLOR="{BAR_EMPTY}"></TD>')
    text = f"{show(requested)} / {show(allocatable)} ({percent(requested, allocatable)}%)"
    bar = f'<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="0"><TR>{"".join(cells)}</TR></TABLE>'
    return (f'<TR><TD ALIGN="LEFT" COLSPAN="{PODS_PER_ROW}">'
            '<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="0">'
            '<TR><TD WIDTH="30" HEIGHT="12" FIXEDSIZE="TRUE" ALIGN="LEFT">'
            f'<FONT POINT-SIZE="9">{label}</FONT></TD>'
            f'<TD WIDTH="{BAR_WIDTH}" HEIGHT="9" FIXEDSIZE="TRUE">{bar}</TD>'
            f'<TD WIDTH="{BAR_TEXT_WIDTH}" HEIGHT="12" FIXEDSIZE="TRUE" ALIGN="LEFT">'
            f'<FONT POINT-SIZE="9"> {_esc(text)}</FONT></TD></TR></TABLE></TD></TR>')


POD_CELL_WIDTH = 96
POD_CELL_SIZE = f'WIDTH="{POD_CELL_WIDTH}" HEIGHT="26" FIXEDSIZE="TRUE"'
EMPTY_CELL = f"<TD {POD_CELL_SIZE}></TD>"


def _pod_cell(pod: PodPlace, new: bool) -> str:
    fill = BLUE if new else POD_FILL.get(pod.phase, POD_BOUND)
    colour = "white" if new else "#333333"
    name = pod.name if len(pod.name) <= 15 else pod.name[:14] + "\u2026"
    size = f"{format_cpu(pod.cpu)} {format_memory(pod.memory)}" if pod.cpu or pod.memory else "no requests"
    return (f'<TD BGCOLOR="{fill}" BORDER="1" COLOR="#999999" {POD_CELL_SIZE} '
            f'TOOLTIP="{_esc(pod.key)}">'
            f'<FONT POINT-SIZE="9" COLOR="{colour}">{_esc(name)}<BR/>{_esc(size)}</FONT></TD>')


def node_label(node: NodePlace, new: frozenset[str] = frozenset()) -> str:
    """A node's HTML-like label: name, zone, cordon and taints, the two bars, then its pods in a grid."""
    span = f'COLSPAN="{PODS_PER_ROW}" ALIGN="LEFT"'
    zone = f'<FONT POINT-SIZE="9">{_esc(node.zone)}</FONT>'
    rows = [f"<TR><TD {span}><B>{_esc(node.name)}</B>  {zone}</TD></TR>"]
    if node.unschedulable:
        rows.append(f'<TR><TD {span}><FONT POINT-SIZE="9" COLOR="{FULL}">SchedulingDisabled (cordoned)'
                    "</FONT></TD></TR>")
    for taint in node.taints:
        colour = SOFT if taint.endswith(":PreferNoSchedule") else FULL
        text = f'<FONT POINT-SIZE="9" COLOR="{colour}">taint {_esc(taint)}</FONT>'
        rows.append(f"<TR><TD {span}>{text}</TD></TR>")
    rows.append(_bar("cpu", node.cpu_requested, node.cpu_allocatable, BAR_CPU, format_cpu))
    rows.append(_bar("mem", node.memory_requested, node.memory_allocatable, BAR_MEMORY, format_memory))
    if not node.pods:
        rows.append(f'<TR><TD {span}><FONT POINT-SIZE="9" COLOR="#888888">no pods</FONT></TD></TR>')
    for start in range(0, len(node.pods), PODS_PER_ROW):
        chunk = node.pods[start:start + PODS_PER_ROW]
        padding = "".join(EMPTY_CELL for _ in range(PODS_PER_ROW - len(chunk)))  # keeps the grid square
        rows.append("<TR>" + "".join(_pod_cell(p, p.key in new) for p in chunk) + padding + "</TR>")
    border = FULL if node.unschedulable else "#333333"
    return (f'<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="3" CELLPADDING="2" COLOR="{border}" '
            f'BGCOLOR="white">{"".join(rows)}</TABLE>>')


def pending_groups(pending: tuple[PodPlace, ...]) -> list[tuple[str, list[PodPlace]]]:
    """Pending pods grouped by their reason, in the order the first pod of each group comes."""
    groups: dict[str, list[PodPlace]] = {}
    for pod in pending:
        groups.setdefault(pod.reason or "waiting for the scheduler", []).append(pod)
    return list(groups.items())


def _names(pods: list[PodPlace], limit: int = MAX_PENDING_SHOWN) -> str:
    """Pod names with their sizes, at most `limit` of them."""
    shown = [f"{p.name} ({format_cpu(p.cpu)}, {format_memory(p.memory)})" for p in pods[:limit]]
    more = f" and {len(pods) - limit} more" if len(pods) > limit else ""
    return ", ".join(shown) + more


def pending_label(pending: tuple[PodPlace, ...]) -> str:
    """The waiting room: Pending pods, grouped by the reason the scheduler gave, with their sizes."""
    rows = [f'<TR><TD ALIGN="LEFT"><B>Pending</B>  <FONT POINT-SIZE="9">{len(pending)} pod(s) with no node'
            "</FONT></TD></TR>"]
    for reason, pods in pending_groups(pending):
        names = "".join(f'{_esc(line)}<BR ALIGN="LEFT"/>' for line in _wrap(_names(pods)))
        lines = "".join(f'{_esc(line)}<BR ALIGN="LEFT"/>' for line in _wrap(reason))
        rows.append(f'<TR><TD ALIGN="LEFT" BGCOLOR="#fdf2e9"><FONT POINT-SIZE="9"><B>{names}</B>'
                    f'{lines}</FONT></TD></TR>')
    return (f'<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="3" CELLPADDING="2" COLOR="{SOFT}" '
            f'BGCOLOR="white">{"".join(rows)}</TABLE>>')


def node_id(name: str) -> str:
    return "node_" + name


def placement_graph(place: Placement, new: frozenset[str] = frozenset()) -> graphviz.Digraph:
    """The DOT graph of a Placement: nodes in rows of five, the Pending box above them when there is one.

    `new` holds the keys of pods to draw in blue (those that just landed).
    """
    graph = graphviz.Digraph("placement")
    pods = place.pod_count
    title = (f"t={place.time:g}s   {len(place.nodes)} nodes, {pods} pods, {len(place.pending)} Pending"
             "      pods: dark blue = just placed, light blue = bound to the node, green = Running")
    graph.attr(label=title, labelloc="t", labeljust="l", fontname=FONT, fontsize="12", nodesep="0.25",
               ranksep="0.3")
    graph.attr("node", shape="plain", fontname=FONT, fontsize="11")
    graph.attr("edge", style="invis")
    if place.pending:
        graph.node("pending", pending_label(place.pending))
    for index, node in enumerate(place.nodes):
        graph.node(node_id(node.name), node_label(node, new))
        if index < NODES_PER_ROW and place.pending:
            graph.edge("pending", node_id(node.name))
        if index >= NODES_PER_ROW:  # one row below the node five places before it: a grid
            graph.edge(node_id(place.nodes[index - NODES_PER_ROW].name), node_id(node.name))
    if not place.nodes and not place.pending:
        graph.node("empty", "no nodes, no pods", shape="plaintext")
    return graph


# -- static HTML (what nbval compares, and what a static viewer shows) ---------


def _html_bar(requested: int, allocatable: int, colour: str) -> str:
    share = min(percent(requested, allocatable), 100)
    fill = FULL if share >= 100 else colour
    return (f'<span style="display:inline-block;width:80px;height:8px;background:{BAR_EMPTY};'
            f'vertical-align:middle"><span style="display:block;width:{share}%;height:8px;'
            f'background:{fill}"></span></span>')


def placement_html(place: Placement) -> str:
    """The same facts as the picture, as a plain HTML table (no graphviz, the same on every machine)."""
    cell = "padding:2px 8px;border-bottom:1px solid #eee;vertical-align:top"
    head = "".join(f'<th style="text-align:left;padding:2px 8px;border-bottom:1px solid #999">{h}</th>'
                   for h in ("node", "zone", "state", "cpu requested", "memory requested", "pods"))
    rows = []
    for node in place.nodes:
        state = ", ".join((["SchedulingDisabled"] if node.unschedulable else []) + list(node.taints))
        cpu = (f"{_html_bar(node.cpu_requested, node.cpu_allocatable, BAR_CPU)} "
               f"{format_cpu(node.cpu_requested)} / {format_cpu(node.cpu_allocatable)}")
        memory = (f"{_html_bar(node.memory_requested, node.memory_allocatable, BAR_MEMORY)} "
                  f"{format_memory(node.memory_requested)} / {format_memory(node.memory_allocatable)}")
        names = " ".join(p.name for p in node.pods)
        cells = [f"<b>{_esc(node.name)}</b>", _esc(node.zone), _esc(state), cpu, memory, _esc(names)]
        rows.append("<tr>" + "".join(f"<td style='{cell}'>{c}</td>" for c in cells) + "</tr>")
    for reason, pods in pending_groups(place.pending):
        rows.append(f"<tr><td style='{cell}'><i>Pending</i></td><td style='{cell}'></td>"
                    f"<td style='{cell}' colspan='3'>{_esc(reason)}</td>"
                    f"<td style='{cell}'>{_esc(_names(pods))}</td></tr>")
    title = (f"t={place.time:g}s: {len(place.nodes)} nodes, {place.pod_count} pods, "
             f"{len(place.pending)} Pending")
    return (f'<div style="{HTML_FONT}"><b>{_esc(title)}</b><table style="border-collapse:collapse">'
            f"<tr>{head}</tr>{''.join(rows)}</table></div>")


@dataclass(eq=False)
class PlacementDiagram:
    """A placement picture: SVG (and PNG) in JupyterLab, a short stable line as text.

    `.graph` is the graphviz Digraph, `.source` its DOT text, `.svg` the picture.
    """

    graph: graphviz.Digraph = field(repr=False)
    place: Placement = field(repr=False)

    @property
    def source(self) -> str:
        return self.graph.source

    @functools.cached_property
    def svg(self) -> str:
        return clean_svg(self.graph.pipe(format="svg", encoding="utf-8"))

    @functools.cached_property
    def png(self) -> bytes:
        return self.graph.pipe(format="png")

    def __repr__(self) -> str:
        p = self.place
        return f"Placement(t={p.time:g}s, nodes={len(p.nodes)}, pods={p.pod_count}, pending={len(p.pending)})"

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        return {"image/svg+xml": self.svg, "image/png": base64.b64encode(self.png).decode("ascii"),
                "text/plain": repr(self)}


def placement(source: Any, namespace: str | None = None) -> PlacementDiagram:
    """The placement picture of a Cluster (or an APIServer) now."""
    place = snapshot(source, namespace)
    return PlacementDiagram(placement_graph(place), place)


# -- the live widget ---------------------------------------------------------------


CPU_SIZES = ("100m", "250m", "500m", "1", "2", "4", "8")
MEMORY_SIZES = ("128Mi", "256Mi", "512Mi", "1Gi", "2Gi", "4Gi", "16Gi", "64Gi")
RUN_SECONDS = (1, 5, 10, 30)
TAINT_SPEC = re.compile(r"^(?P<key>[^=:\s]+)(=(?P<value>[^:\s]*))?:(?P<effect>[^:\s]+)$")


def parse_taint(spec: str) -> dict:
    """"key=value:Effect" or "key:Effect" as kubectl taint reads it, into a taint dict.

    Only the shape is checked here; the API server validates the key, value and effect.
    """
    match = TAINT_SPEC.match(spec.strip()) if isinstance(spec, str) else None
    if match is None:
        raise ValueError(f"invalid taint spec: {spec}, expected key=value:Effect or key:Effect")
    taint = {"key": match["key"], "effect": match["effect"]}
    if match["value"]:
        taint["value"] = match["value"]
    return taint


class PlacementView:
    """The placement picture with controls: add pods and nodes, cordon and taint nodes, run the cluster.

        view = PlacementView(cluster)   # last line of a cell: the controls and the picture
        view.add_pods(5, cpu="500m", memory="1Gi"); view.run(5)   # the same from code

    Every control acts through the API server (pods are created, nodes are
    patched) and then re-renders, so the picture shows what the scheduler made
    of it. Pods drawn in blue landed since the previous picture. A control
    given bad input says why, in the API server's words, and changes nothing.
    Changes made elsewhere (other cells) show at the next control, or `refresh()`.
    """

    def __init__(self, cluster: Any, namespace: str = "default"):
        import ipywidgets as widgets

        for needed in ("api", "run", "add_node"):
            if not hasattr(cluster, needed):
                raise TypeError(f"PlacementView needs a k8slab Cluster, got {type(cluster).__name__}")
        self.cluster = cluster
        self.api = cluster.api
        self.namespace = namespace
        self.place: Placement | None = None
        self.new: frozenset[str] = frozenset()  # pod keys that landed since the previous render
        self.message = ""
        self._created = 0
        narrow = widgets.Layout(width="170px")
        self.cpu = widgets.Dropdown(options=CPU_SIZES, value="500m", description="cpu", layout=narrow)
        self.memory = widgets.Dropdown(options=MEMORY_SIZES, value="512Mi", description="memory",
                                       layout=narrow)
        self.count = widgets.BoundedIntText(value=1, min=1, max=50, description="pods", layout=narrow)
        self.add_pods_button = widgets.Button(description="add pods", icon="plus")
        self.node = widgets.Dropdown(options=[], description="node", layout=narrow)
        self.cordon_button = widgets.Button(description="cordon", layout=widgets.Layout(width="90px"))
        self.uncordon_button = widgets.Button(description="uncordon", layout=widgets.Layout(width="90px"))
        self.taint_spec = widgets.Text(value="dedicated=gpu:NoSchedule", description="taint",
                                       layout=widgets.Layout(width="260px"))
        self.taint_button = widgets.Button(description="taint", layout=widgets.Layout(width="90px"))
        self.add_node_button = widgets.Button(description="add node", icon="server")
        self.seconds = widgets.Dropdown(options=RUN_SECONDS, value=5, description="seconds", layout=narrow)
        self.run_button = widgets.Button(description="run", icon="play")
        self.status = widgets.HTML()
        self.picture = widgets.HTML()
        self.add_pods_button.on_click(lambda _: self._act(
            lambda: self.add_pods(self.count.value, self.cpu.value, self.memory.value)))
        self.add_node_button.on_click(lambda _: self._act(self.add_node))
        self.cordon_button.on_click(lambda _: self._act(lambda: self.cordon(self.node.value)))
        self.uncordon_button.on_click(lambda _: self._act(lambda: self.uncordon(self.node.value)))
        self.taint_button.on_click(
            lambda _: self._act(lambda: self.taint(self.node.value, self.taint_spec.value)))
        self.run_button.on_click(lambda _: self._act(lambda: self.run(self.seconds.value)))
        self.widget = widgets.VBox([
            widgets.HBox([self.cpu, self.memory, self.count, self.add_pods_button]),
            widgets.HBox([self.node, self.cordon_button, self.uncordon_button, self.taint_spec,
                          self.taint_button, self.add_node_button]),
            widgets.HBox([self.seconds, self.run_button]),
            self.status,
            self.picture,
        ])
        self.render()

    # -- what the controls do (also callable from code) -------------------------------

    def add_pods(self, count: int = 1, cpu: str = "500m", memory: str = "512Mi") -> list[str]:
        """Create `count` pods requesting `cpu` and `memory`; returns their names (pod-1, pod-2, ...)."""
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 1000:
            raise ValueError(f"count must be a whole number from 1 to 1000, got {count!r}")
        names = self._next_names(count)
        self.api.create(self._pod(names[0], cpu, memory), dry_run=True)  # bad sizes fail here, before any pod
        for name in names:
            self.api.create(self._pod(name, cpu, memory))
            self._created = int(name.rsplit("-", 1)[1])
        self.message = f"created {count} pod(s) of {cpu} cpu, {memory} memory: {', '.join(names)}"
        self.render()
        return names

    def add_node(self, shape: dict | None = None) -> str:
        """Join a new node (the cluster's default shape unless `shape` says otherwise); returns its name."""
        name = self.cluster.add_node(shape)
        self.message = f"node/{name} joined"
        self.render()
        return name

    def cordon(self, node: str) -> None:
        """Mark the node unschedulable, as `kubectl cordon` does: its pods stay, no new pod lands."""
        self._set_unschedulable(node, True)

    def uncordon(self, node: str) -> None:
        self._set_unschedulable(node, False)

    def taint(self, node: str, spec: str) -> None:
        """Add a taint "key=value:Effect" (replacing one with the same key and effect), as `kubectl taint`."""
        taint = parse_taint(spec)
        current = self.api.get("nodes", self._node_name(node))
        taints = [t for t in (current.get("spec") or {}).get("taints") or []
                  if (t.get("key"), t.get("effect")) != (taint["key"], taint["effect"])]
        self.api.patch("nodes", node, {"spec": {"taints": taints + [taint]}}, patch_type="merge")
        self.message = f"node/{node} tainted {format_taint(taint)}"
        self.render()

    def untaint(self, node: str, key: str) -> None:
        """Remove every taint with this key (`kubectl taint nodes NODE key-`)."""
        current = self.api.get("nodes", self._node_name(node))
        taints = [t for t in (current.get("spec") or {}).get("taints") or [] if t.get("key") != key]
        self.api.patch("nodes", node, {"spec": {"taints": taints or None}}, patch_type="merge")
        self.message = f"node/{node} untainted"
        self.render()

    def run(self, seconds: float = 5) -> None:
        """Advance virtual time: the scheduler (and everything else) acts; then show the result."""
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
            raise ValueError(f"seconds must be a number >= 0, got {seconds!r}")
        self.cluster.run(seconds=seconds)
        self.message = f"ran {seconds:g} virtual seconds"
        self.render()

    def refresh(self) -> None:
        """Re-read the cluster and redraw (after changes made in other cells)."""
        self.render()

    # -- drawing ----------------------------------------------------------------------

    def render(self) -> None:
        place = snapshot(self.api)  # every namespace: all pods take room on their node
        before = self.place.node_of() if self.place is not None else {}
        now = place.node_of()
        self.new = frozenset(k for k, n in now.items() if self.place is not None and before.get(k) != n)
        self.place = place
        names = [n.name for n in place.nodes]
        if list(self.node.options) != names:
            keep = self.node.value if self.node.value in names else (names[0] if names else None)
            self.node.options = names
            self.node.value = keep
        self.graph = placement_graph(place, self.new)
        self.picture.value = clean_svg(self.graph.pipe(format="svg", encoding="utf-8"))
        self.status.value = self._status_html()

    def _status_html(self) -> str:
        if not self.message:
            return ""
        colour = FULL if self.message.startswith("error") else "#333333"
        return f'<div style="{HTML_FONT};color:{colour}">{_esc(self.message)}</div>'

    def _act(self, action: Callable[[], Any]) -> None:
        """Run a control's action; bad input is reported under the controls, and nothing crashes."""
        try:
            action()
        except StatusError as error:
            self.message = f"error: {error}"
            self.render()
        except (ValueError, TypeError) as error:
            self.message = f"error: {error}"
            self.render()

    def _set_unschedulable(self, node: str, value: bool) -> None:
        self._node_name(node)
        self.api.patch("nodes", node, {"spec": {"unschedulable": True if value else None}})
        self.message = f"node/{node} {'cordoned' if value else 'uncordoned'}"
        self.render()

    def _node_name(self, node: Any) -> str:
        if not isinstance(node, str) or not node:
            raise ValueError("choose a node first: there is none selected")
        return node

    def _next_names(self, count: int) -> list[str]:
        """pod-1, pod-2, ...: the next `count` names not taken in the namespace."""
        taken = {p["metadata"]["name"] for p in self.api.list("pods", self.namespace)["items"]}
        names, number = [], self._created
        while len(names) < count:
            number += 1
            if f"pod-{number}" not in taken:
                names.append(f"pod-{number}")
        return names

    def _pod(self, name: str, cpu: str, memory: str) -> dict:
        return {"apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": name, "namespace": self.namespace, "labels": {"placed-by": "view"}},
                "spec": {"containers": [{"name": "app", "image": "nginx:1.27",
                                         "resources": {"requests": {"cpu": cpu, "memory": memory}}}]}}

    # -- display ------------------------------------------------------------------------

    def __repr__(self) -> str:
        p = self.place
        return (f"PlacementView(t={p.time:g}s, nodes={len(p.nodes)}, pods={p.pod_count}, "
                f"pending={len(p.pending)})")

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        """The live widget, and a static copy (text/html, no graphviz) for viewers that cannot run widgets."""
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude)
        bundle["text/plain"] = repr(self)
        bundle["text/html"] = placement_html(self.place)
        return bundle
