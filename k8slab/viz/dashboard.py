"""The live dashboard: the whole cluster on one screen, with the controls to change it (notebook 09).

`cluster.view()` (or `Dashboard(cluster)`) puts together what notebooks 03
to 08 showed one at a time:

* the **state graph** (Deployments -> ReplicaSets -> Pods, each pod inside
  its node, coloured by its state; `k8slab.viz.stategraph`); above 40 pods
  each node becomes one box of coloured squares, one per pod, with one
  arrow per ReplicaSet saying how many of its pods run there (graphviz
  takes a tenth of the time to lay that out);
* a **placement summary**: one line per node with its zone, its status as
  `kubectl get nodes` prints it, and how many pods it holds (how many Ready);
* the **recent Events**, newest last, with `kubectl get events`' columns;
* a **traffic summary** when a traffic run is attached (`attach(traffic)`):
  requests, success rate, latency, and which versions answered, over the
  whole run and over its last few virtual seconds;
* **controls**: run N virtual seconds, fail or recover a node, scale a
  Deployment, set a Deployment's image.

The dashboard is a client like any other: it reads the cluster through
informers (list once, then watch), so drawing it costs no API request, and
it changes the cluster the way a person would, through kubectl (`kubectl
scale`, `kubectl set image`) and the cluster's own fail/recover switches. A
control given bad input shows kubectl's or the API server's error under the
controls and changes nothing.

A render takes about 10 ms at 10 nodes and 100 pods when the picture has
not changed (graphviz's output is cached by its DOT text) and up to about
60 ms when it has, most of it graphviz (measured on the project's 2-core
machine).

For nbval, `_repr_mimebundle_` gives a short text line and a static HTML
copy (tables, no graphviz), the same on every machine; the live picture is
an SVG string put into a `widgets.HTML`, which travels over comm messages
and is not compared. `Dashboard.state()` returns the facts the pictures are
made from (what tests check).

Simplified, out loud: Events are sorted by their last timestamp (as
`kubectl get events --sort-by=.lastTimestamp` would), and only the newest
few are shown. The traffic summary reads a table of requests, one row per
request, as `k8slab.net.traffic` records them (`start_traffic` starts such
a generator); its latency percentiles are nearest-rank, over the requests
that succeeded.
"""

from __future__ import annotations

import copy
import heapq
import html
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from k8slab.viz.stategraph import (
    DEPLOYMENT_COLOUR,
    FONT,
    HTML_FONT,
    NODE_DOWN_COLOUR,
    REPLICASET_COLOUR,
    STATE_COLOURS,
    Snapshot,
    legend_html,
    natural,
    node_status,
    pod_state,
    render_svg,
    static_html,
)

ZONE_LABEL = "topology.kubernetes.io/zone"
RUN_SECONDS = (1, 5, 10, 30, 60)
#: How many Events the table shows (the newest).
EVENTS_SHOWN = 8
#: The traffic summary's "recent" window, in virtual seconds.
RECENT_SECONDS = 10.0
TRAFFIC_COLUMNS = ("time", "ok")
#: Above this many pods the picture draws each node as one box of coloured squares (one per pod), with
#: one arrow per (ReplicaSet, node): graphviz lays out 15 boxes in a few milliseconds, 100 pods in 100.
COMPACT_ABOVE = 40
CHIPS_PER_ROW = 10
GOOD, BAD, MUTED = "#1b7f3b", "#c0392b", "#666666"
CELL = "padding:1px 8px;border-bottom:1px solid #eee;vertical-align:top;text-align:left"
HEAD = "padding:1px 8px;border-bottom:1px solid #999;text-align:left"


# -- the facts the dashboard shows ---------------------------------------------------------------


@dataclass(frozen=True)
class NodeLine:
    """One node in the placement summary."""

    name: str
    zone: str
    status: str  # the STATUS column of `kubectl get nodes`
    pods: int  # pods bound to it that have not finished
    ready: int  # of those, how many are Ready


@dataclass(frozen=True)
class EventLine:
    """One Event as `kubectl get events` prints it (LAST SEEN is relative to the dashboard's time)."""

    last_seen: str
    type: str
    reason: str
    object: str
    message: str


@dataclass(frozen=True)
class TrafficSummary:
    """What a table of requests says: counts, success rate, latency, and the versions that answered.

    `rate` is in percent (None when there were no requests); latencies are in
    milliseconds (None when no request succeeded or the table has no latency).
    """

    requests: int
    ok: int
    failed: int
    rate: float | None
    p50_ms: float | None
    p99_ms: float | None
    versions: dict[str, int]
    since: float | None = None  # the window's start (None: the whole run)

    def line(self) -> str:
        if not self.requests:
            return "no requests yet"
        rate = f"{self.rate:.1f}%" if self.rate is not None else "-"
        latency = (f", latency p50 {self.p50_ms:.1f} ms, p99 {self.p99_ms:.1f} ms"
                   if self.p50_ms is not None else "")
        mix = ", ".join(f"{v or '(none)'}: {n}" for v, n in self.versions.items())
        return (f"{self.requests} requests, {self.ok} ok, {self.failed} failed ({rate} success)"
                f"{latency}" + (f"; versions {mix}" if mix else ""))


@dataclass(frozen=True)
class DashboardState:
    """Everything the dashboard shows at one instant of virtual time."""

    time: float
    snapshot: Snapshot = field(repr=False)
    nodes: tuple[NodeLine, ...]
    events: tuple[EventLine, ...]
    traffic: TrafficSummary | None = None
    recent: TrafficSummary | None = None

    def caption(self) -> str:
        return self.snapshot.caption()


def node_lines(nodes: list[dict], pods: list[dict]) -> tuple[NodeLine, ...]:
    """One line per node (in name order, node-2 before node-10), counting the pods bound to it."""
    counts: dict[str, list[int]] = {}
    for pod in pods:
        node = (pod.get("spec") or {}).get("nodeName")
        if not node or (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
            continue
        count = counts.setdefault(node, [0, 0])
        count[0] += 1
        count[1] += pod_state(pod) == "Ready"
    lines = []
    for node in sorted(nodes, key=lambda n: natural(n["metadata"]["name"])):
        name = node["metadata"]["name"]
        zone = (node["metadata"].get("labels") or {}).get(ZONE_LABEL, "")
        total, ready = counts.get(name, (0, 0))
        lines.append(NodeLine(name, zone, node_status(node), total, ready))
    return tuple(lines)


def _event_time(event: dict) -> str:
    series = event.get("series") or {}
    return (series.get("lastObservedTime") or event.get("lastTimestamp") or event.get("eventTime")
            or event.get("firstTimestamp") or "")


def _revision(obj: dict) -> int:
    version = obj["metadata"].get("resourceVersion") or "0"
    return int(version) if version.isdigit() else 0


def _event_order(event: dict) -> tuple[str, int]:
    return _event_time(event), _revision(event)


def newest_events(events: list[dict], limit: int = EVENTS_SHOWN) -> list[dict]:
    """The newest `limit` Events, oldest of them first: by last timestamp, then by when they were
    written (their resourceVersion), so events of the same second keep the order they happened in."""
    return sorted(heapq.nlargest(limit, events, key=_event_order), key=_event_order) if limit > 0 else []


def event_lines(events: list[dict], now: Any) -> tuple[EventLine, ...]:
    """Events as `kubectl get events` prints them; `now` is a datetime (LAST SEEN is relative to it)."""
    from k8slab.kubectl.printers import print_event

    lines = []
    for event in events:
        cells = print_event(event, now)
        lines.append(EventLine(str(cells[0]), cells[1], cells[2], cells[3], cells[6]))
    return tuple(lines)


def recent_events(events: list[dict], now: Any, limit: int = EVENTS_SHOWN) -> tuple[EventLine, ...]:
    """The newest `limit` Events (see `newest_events`) as kubectl prints them at `now`."""
    return event_lines(newest_events(events, limit), now)


def _percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (no interpolation): the smallest value with `share` of them at or below."""
    ordered = sorted(values)
    rank = max(1, -(-int(round(share * 1000)) * len(ordered) // 1000))  # ceil(share * n), in integers
    return ordered[min(rank, len(ordered)) - 1]


def _traffic_columns() -> list[str]:
    from k8slab.net.traffic import COLUMNS

    return list(COLUMNS)


def traffic_table(traffic: Any):
    """The table of requests behind `traffic`: a DataFrame, or an object that has one.

    Accepted: a pandas DataFrame; an object with a `.frame()` method, or a
    `.frame`, `.results` or `.df` attribute holding one; or a function that
    returns one. The table needs a `time` and an `ok` column; `latency ms`
    (or `latency`, in seconds) and `version` are used when present, as
    `k8slab.net.traffic` records them.
    """
    import pandas as pd

    table = traffic
    for name in ("frame", "results", "df"):
        if isinstance(table, pd.DataFrame):
            break
        value = getattr(table, name, None)
        if value is not None:
            table = value() if callable(value) else value
    if not isinstance(table, pd.DataFrame) and callable(table):
        table = table()
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"traffic must be a DataFrame of requests, or something that has one; got "
                        f"{type(traffic).__name__}")
    missing = [c for c in TRAFFIC_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"the traffic table has no {', '.join(repr(c) for c in missing)} column; "
                         f"it needs {', '.join(TRAFFIC_COLUMNS)} (latency and version are optional)")
    return table


def summarise_traffic(table: Any, since: float | None = None) -> TrafficSummary:
    """Count the requests in `table` (those sent at or after `since`, if given)."""
    if since is not None:
        table = table[table["time"] >= since]
    ok = table["ok"].astype(bool)
    requests, good = len(ok), int(ok.sum())
    latencies: list[float] = []
    if "latency ms" in table.columns:  # what k8slab.net.traffic records
        latencies = table.loc[ok, "latency ms"].astype(float).tolist()
    elif "latency" in table.columns:  # seconds
        latencies = (table.loc[ok, "latency"].astype(float) * 1000).tolist()
    versions: dict[str, int] = {}
    if "version" in table.columns:
        counts = table.loc[ok, "version"].fillna("").astype(str).value_counts()
        versions = {str(v): int(n) for v, n in counts.items()}
    return _summary(requests, good, latencies, versions, since)


class RecordTally:
    """The whole-run summary of a traffic generator, kept up to date by reading only its new records.

    A fast path beside `summarise_traffic`: a `k8slab.net.traffic.Traffic`
    appends one tuple per request and never changes old ones, so counting
    the new tuples at each render is enough (no DataFrame is built). The
    tests prove that both give the same summary."""

    def __init__(self, columns: tuple[str, ...] | list[str]):
        index = {name: i for i, name in enumerate(columns)}
        self.ok_at, self.time_at = index["ok"], index["time"]
        self.latency_at = index.get("latency ms")
        self.version_at = index.get("version")
        self.seen = 0
        self.good = 0
        self.latencies: list[float] = []
        self.versions: dict[str, int] = {}

    def update(self, records: list[tuple]) -> None:
        for row in records[self.seen:]:
            if not row[self.ok_at]:
                continue
            self.good += 1
            if self.latency_at is not None:
                self.latencies.append(float(row[self.latency_at]))
            if self.version_at is not None:
                version = row[self.version_at] or ""
                self.versions[version] = self.versions.get(version, 0) + 1
        self.seen = len(records)

    def summary(self) -> TrafficSummary:
        return _summary(self.seen, self.good, self.latencies, self.versions, None)

    def summary_since(self, records: list[tuple], since: float) -> TrafficSummary:
        """The requests sent at or after `since`: the newest records, read backwards."""
        window = []
        for row in reversed(records):
            if row[self.time_at] < since:
                break
            window.append(row)
        tally = copy.copy(self)  # the same column positions, counts from zero
        tally.seen, tally.good, tally.latencies, tally.versions = 0, 0, [], {}
        tally.update(window[::-1])
        return _summary(tally.seen, tally.good, tally.latencies, tally.versions, since)


def _summary(requests: int, good: int, latencies: list[float], versions: dict[str, int],
             since: float | None) -> TrafficSummary:
    return TrafficSummary(
        requests, good, requests - good, 100.0 * good / requests if requests else None,
        _percentile(latencies, 0.5) if latencies else None,
        _percentile(latencies, 0.99) if latencies else None,
        {v: versions[v] for v in sorted(versions, key=natural)}, since,
    )


# -- the compact picture (large clusters) ----------------------------------------------------------


def _controller_uid(obj: dict) -> str | None:
    for ref in obj["metadata"].get("ownerReferences") or []:
        if ref.get("controller"):
            return ref.get("uid")
    return None


def _chips(pods: list[dict]) -> str:
    """Rows of small squares, one per pod, coloured by its state (an HTML-like graphviz label part)."""
    rows = []
    for start in range(0, len(pods), CHIPS_PER_ROW):
        cells = "".join(
            f'<TD WIDTH="9" HEIGHT="9" FIXEDSIZE="TRUE" BGCOLOR="{STATE_COLOURS[pod_state(p)]}" '
            f'TOOLTIP="{_esc(p["metadata"]["name"])}"></TD>'
            for p in pods[start:start + CHIPS_PER_ROW])
        rows.append(f"<TR>{cells}</TR>")
    return "".join(rows) or '<TR><TD BORDER="0"><FONT POINT-SIZE="8" COLOR="#999999">no pods</FONT></TD></TR>'


def compact_dot(snap: Snapshot) -> str:
    """The state graph for many pods: Deployments -> ReplicaSets -> nodes, each node a box of pod squares.

    The same colours as `Snapshot.dot()`; an arrow from a ReplicaSet to a
    node says how many of its pods run there. Deterministic like it."""
    import graphviz

    graph = graphviz.Digraph("state")
    graph.attr(rankdir="LR", fontname=FONT, fontsize="11", nodesep="0.1", ranksep="0.6", bgcolor="white")
    graph.attr("node", fontname=FONT, fontsize="10", shape="box", style="rounded,filled", margin="0.06,0.03")
    graph.attr("edge", color="#888888", arrowsize="0.6", fontname=FONT, fontsize="9", fontcolor="#555555")
    drawn: dict[str, str] = {}
    for deployment in sorted(snap.deployments, key=lambda d: natural(d["metadata"]["name"])):
        spec, status = deployment.get("spec") or {}, deployment.get("status") or {}
        node_id = f"deployment/{deployment['metadata']['name']}"
        drawn[deployment["metadata"].get("uid", node_id)] = node_id
        label = (f"Deployment {deployment['metadata']['name']}\n{status.get('readyReplicas') or 0}/"
                 f"{spec.get('replicas', 1)} ready, {status.get('updatedReplicas') or 0} up to date")
        graph.node(node_id, label, fillcolor=DEPLOYMENT_COLOUR, color=DEPLOYMENT_COLOUR, fontcolor="white")
    for rs in sorted(snap.replica_sets, key=lambda r: natural(r["metadata"]["name"])):
        spec, status = rs.get("spec") or {}, rs.get("status") or {}
        node_id = f"replicaset/{rs['metadata']['name']}"
        image = ", ".join(c.get("image", "") for c in
                          (((spec.get("template") or {}).get("spec") or {}).get("containers") or []))
        empty = not spec.get("replicas") and not status.get("replicas")
        label = (f"ReplicaSet {rs['metadata']['name']}\n{image}\n"
                 f"desired {spec.get('replicas', 1)}, ready {status.get('readyReplicas') or 0}")
        graph.node(node_id, label, fillcolor="white" if empty else REPLICASET_COLOUR,
                   color="#9aa9c7" if empty else DEPLOYMENT_COLOUR, fontcolor="#777777" if empty else "black",
                   style="rounded,filled,dashed" if empty else "rounded,filled")
        owner = drawn.get(_controller_uid(rs) or "")
        if owner:
            graph.edge(owner, node_id)
        drawn[rs["metadata"].get("uid", node_id)] = node_id
    nodes = {n["metadata"]["name"]: n for n in snap.nodes}
    placed: dict[str, list[dict]] = {name: [] for name in nodes}
    for pod in sorted(snap.pods, key=lambda p: natural(p["metadata"]["name"])):
        placed.setdefault((pod.get("spec") or {}).get("nodeName") or "", []).append(pod)
    counts: dict[tuple[str, str], int] = {}
    for name in sorted(placed, key=lambda n: (n == "", natural(n))):
        pods = placed[name]
        if not name and not pods:
            continue
        node = nodes.get(name)
        status = node_status(node) if node is not None else ("Pending" if not name else "gone")
        zone = ((node or {}).get("metadata", {}).get("labels") or {}).get(ZONE_LABEL, "")
        title = (f"{name} ({zone})" if zone else name) if name else "not on a node yet"
        colour = "black" if status == "Ready" or not name else NODE_DOWN_COLOUR
        header = (f'<TR><TD COLSPAN="{CHIPS_PER_ROW}" BORDER="0"><FONT COLOR="{colour}">{_esc(title)}'
                  + ("" if status == "Ready" or not name else f"<BR/>{_esc(status)}")
                  + "</FONT></TD></TR>")
        label = (f'<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="1" COLOR="#999999">{header}'
                 f"{_chips(pods)}</TABLE>>")
        node_id = f"node/{name}" if name else "unscheduled"
        graph.node(node_id, label, shape="box", style="rounded,filled" if name else "rounded,dashed",
                   fillcolor="#f7f7f7" if colour == "black" else "#fbe9e7",
                   color=NODE_DOWN_COLOUR if colour != "black" else "#555555")
        for pod in pods:
            owner = drawn.get(_controller_uid(pod) or "")
            if owner:
                counts[(owner, node_id)] = counts.get((owner, node_id), 0) + 1
    for (owner, node_id), count in counts.items():
        graph.edge(owner, node_id, label=str(count))
    return graph.source


def state_dot(snap: Snapshot) -> str:
    """The dashboard's picture: the full state graph, or the compact one above COMPACT_ABOVE pods."""
    return compact_dot(snap) if len(snap.pods) > COMPACT_ABOVE else snap.dot()


# -- static HTML (what nbval compares; what a viewer without a kernel sees) ------------------------


def _esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _table(head: tuple[str, ...], rows: list[list[str]]) -> str:
    """An HTML table whose cells are already escaped HTML."""
    heads = "".join(f'<th style="{HEAD}">{h}</th>' for h in head)
    body = "".join("<tr>" + "".join(f'<td style="{CELL}">{c}</td>' for c in row) + "</tr>" for row in rows)
    return f'<table style="border-collapse:collapse">{heads and f"<tr>{heads}</tr>"}{body}</table>'


def nodes_html(nodes: tuple[NodeLine, ...]) -> str:
    rows = []
    for node in nodes:
        colour = GOOD if node.status == "Ready" else BAD
        rows.append([f"<b>{_esc(node.name)}</b>", _esc(node.zone),
                     f'<span style="color:{colour}">{_esc(node.status)}</span>',
                     f"{node.pods}", f"{node.ready}"])
    return _table(("node", "zone", "status", "pods", "ready"), rows) if rows else "<i>no nodes</i>"


def events_html(events: tuple[EventLine, ...]) -> str:
    if not events:
        return f'<i style="color:{MUTED}">No events yet.</i>'
    rows = [[_esc(e.last_seen), f'<span style="color:{BAD if e.type == "Warning" else "inherit"}">'
             f"{_esc(e.type)}</span>", _esc(e.reason), _esc(e.object), _esc(e.message)] for e in events]
    return _table(("LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"), rows)


def traffic_html(total: TrafficSummary | None, recent: TrafficSummary | None) -> str:
    if total is None:
        return (f'<i style="color:{MUTED}">No traffic attached: dashboard.attach(traffic) shows its success '
                "rate, latency and versions here.</i>")

    def ms(value: float | None) -> str:
        return "" if value is None else f"{value:.1f}"

    def row(label: str, s: TrafficSummary) -> list[str]:
        if not s.requests:
            return [label, "0", "", "", "", "", ""]
        colour = GOOD if s.failed == 0 else BAD
        mix = ", ".join(f"{_esc(v or '(none)')}: {n}" for v, n in s.versions.items())
        return [label, f"{s.requests}", f"{s.ok}", f'<b style="color:{colour}">{s.failed}</b>',
                f'<span style="color:{colour}">{s.rate:.1f}%</span>', f"{ms(s.p50_ms)} / {ms(s.p99_ms)}", mix]

    rows = [row("whole run", total)]
    if recent is not None:
        rows.append(row(f"last {RECENT_SECONDS:g} s", recent))
    return _table(("", "requests", "ok", "failed", "success", "latency p50 / p99 ms", "versions"), rows)


def _section(title: str, body: str) -> str:
    return f'<div style="{HTML_FONT};margin-top:6px"><b>{_esc(title)}</b>{body}</div>'


def dashboard_html(state: DashboardState) -> str:
    """The whole dashboard as static HTML: pods by node, nodes, traffic, Events (no graphviz)."""
    snap = state.snapshot
    pods = static_html(snap.caption(), snap.pod_rows(), [n.name for n in state.nodes])
    return (legend_html() + pods + _section("Nodes", nodes_html(state.nodes))
            + _section("Traffic", traffic_html(state.traffic, state.recent))
            + _section("Recent events", events_html(state.events)))


# -- the widget ------------------------------------------------------------------------------------


class Dashboard:
    """The cluster live: state graph, placement, Events, traffic, and controls (see the module docstring).

        dashboard = Dashboard(cluster)       # last line of a cell: the controls and the pictures
        dashboard.attach(traffic)            # a traffic run (its table of requests) to summarise
        dashboard.start_traffic("http://203.0.113.1/", rate=20)   # or live: requests while it runs
        dashboard.run(10); dashboard.fail_node("node-2"); dashboard.scale("web", 5)   # from code

    Every action re-renders; changes made in other cells show at the next
    action, or `refresh()`.
    """

    def __init__(self, cluster: Any, namespace: str = "default", traffic: Any = None,
                 events: int = EVENTS_SHOWN):
        import ipywidgets as widgets

        from k8slab.client import Client, Informer

        for needed in ("api", "run", "kubectl", "fail_node", "recover_node"):
            if not hasattr(cluster, needed):
                raise TypeError(f"a Dashboard needs a k8slab Cluster, got {type(cluster).__name__}")
        if isinstance(events, bool) or not isinstance(events, int) or events < 0:
            raise ValueError(f"events must be a whole number >= 0, got {events!r}")
        self.cluster = cluster
        self.api = cluster.api
        self.loop = self.api.loop
        self.namespace = namespace
        self.events_shown = events
        self.traffic = None
        self._tally: tuple[Any, RecordTally] | None = None
        self._newest: tuple[str, list[dict]] | None = None
        self.message = ""
        self.state: DashboardState | None = None
        client = Client(self.api, user="k8slab-dashboard")
        self.informers = {
            resource: Informer(client, resource, namespace=None if resource == "nodes" else namespace)
            for resource in ("deployments", "replicasets", "pods", "nodes", "events")
        }
        for informer in self.informers.values():
            informer.run()
        if traffic is not None:
            traffic_table(traffic)  # a bad table raises now, before anything is drawn
            self.traffic = traffic

        narrow = widgets.Layout(width="190px")
        button = widgets.Layout(width="90px")
        self.seconds = widgets.Dropdown(options=RUN_SECONDS, value=10, description="seconds", layout=narrow)
        self.run_button = widgets.Button(description="run", icon="play", layout=button)
        self.node = widgets.Dropdown(options=[], description="node", layout=narrow)
        self.fail_button = widgets.Button(description="fail", icon="power-off", layout=button)
        self.recover_button = widgets.Button(description="recover", icon="plug", layout=button)
        self.deployment = widgets.Dropdown(options=[], description="deployment", layout=narrow)
        self.replicas = widgets.BoundedIntText(value=3, min=0, max=100, description="replicas",
                                               layout=widgets.Layout(width="150px"))
        self.scale_button = widgets.Button(description="scale", layout=button)
        self.image = widgets.Text(value="", placeholder="web=web:2", description="image",
                                  layout=widgets.Layout(width="230px"))
        self.image_button = widgets.Button(description="set image", layout=button)
        self.status = widgets.HTML()
        self.picture = widgets.HTML()
        self.side = widgets.HTML()
        self.run_button.on_click(lambda _: self._act(lambda: self.run(self.seconds.value)))
        self.fail_button.on_click(lambda _: self._act(lambda: self.fail_node(self.node.value)))
        self.recover_button.on_click(lambda _: self._act(lambda: self.recover_node(self.node.value)))
        self.scale_button.on_click(
            lambda _: self._act(lambda: self.scale(self.deployment.value, self.replicas.value)))
        self.image_button.on_click(
            lambda _: self._act(lambda: self.set_image(self.deployment.value, self.image.value)))
        self.deployment.observe(lambda _: self._show_replicas(), names="value")
        self.widget = widgets.VBox([
            widgets.HBox([self.seconds, self.run_button, self.node, self.fail_button, self.recover_button]),
            widgets.HBox([self.deployment, self.replicas, self.scale_button, self.image, self.image_button]),
            self.status,
            widgets.HTML(legend_html()),
            self.picture,
            self.side,
        ])
        self.render()

    # -- what the controls do (also callable from code) --------------------------------------

    def run(self, seconds: float = 10) -> None:
        """Advance virtual time by `seconds`; every component acts; then redraw."""
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
            raise ValueError(f"seconds must be a number >= 0, got {seconds!r}")
        self.cluster.run(seconds=seconds)
        self.message = f"ran {seconds:g} virtual seconds"
        self.render()

    def fail_node(self, node: str) -> None:
        """The machine goes away (`cluster.fail_node`): no heartbeats; 40 s later the node is NotReady."""
        self.cluster.fail_node(self._node_name(node))
        self.message = f"node/{node} failed: its kubelet and kube-proxy stopped"
        self.render()

    def recover_node(self, node: str) -> None:
        """The machine comes back (`cluster.recover_node`)."""
        self.cluster.recover_node(self._node_name(node))
        self.message = f"node/{node} recovered: its kubelet and kube-proxy started again"
        self.render()

    def scale(self, deployment: str, replicas: int) -> str:
        """`kubectl scale deployment/<name> --replicas=N`; returns what kubectl printed."""
        if isinstance(replicas, bool) or not isinstance(replicas, int):
            raise ValueError(f"replicas must be a whole number >= 0, got {replicas!r}")
        name = self._deployment_name(deployment)
        return self._kubectl(f"scale deployment/{name} --replicas={replicas} -n {self.namespace}")

    def set_image(self, deployment: str, images: str) -> str:
        """`kubectl set image deployment/<name> CONTAINER=IMAGE ...`; returns what kubectl printed."""
        name = self._deployment_name(deployment)
        if not isinstance(images, str) or "=" not in images:
            raise ValueError(f"give CONTAINER=IMAGE, as in kubectl set image (web=web:2), got {images!r}")
        return self._kubectl(f"set image deployment/{name} {images.strip()} -n {self.namespace}")

    def attach(self, traffic: Any) -> None:
        """Summarise this traffic run (a table of requests, or what holds one) from now on; None detaches."""
        if traffic is not None:
            traffic_table(traffic)  # raises on a bad one, leaving the old attachment in place
        self.traffic = traffic
        self.message = "traffic attached" if traffic is not None else "traffic detached"
        self.render()

    def start_traffic(self, url: str, rate: float = 20) -> Any:
        """Send `rate` requests per virtual second to `url` whenever the cluster runs, and summarise them.

        A `k8slab.net.traffic.Traffic` generator: its requests are callbacks on
        the loop, so they go out while `run` advances time. Returns it (call
        `.stop()` on it, or `stop_traffic()`)."""
        from k8slab.net.traffic import Traffic

        self.stop_traffic()
        generator = Traffic(self.cluster, url, rate).start()  # a bad URL or rate raises here
        self.attach(generator)
        self.message = f"sending {rate:g} requests per virtual second to {url}"
        self.render()
        return generator

    def stop_traffic(self) -> None:
        """Stop a generator that `start_traffic` started (its requests stay in the summary)."""
        if self.traffic is not None and hasattr(self.traffic, "stop"):
            self.traffic.stop()

    def refresh(self) -> None:
        """Redraw (after changes made in other cells)."""
        self.render()

    # -- reading -------------------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        listed = {resource: informer.list() for resource, informer in self.informers.items()}
        return Snapshot(self.loop.now, listed["deployments"], listed["replicasets"], listed["pods"],
                        listed["nodes"], namespace=self.namespace, revision=self.api.store.revision)

    def read(self) -> DashboardState:
        """The facts the dashboard shows now (no drawing)."""
        snap = self.snapshot()
        total, recent = self._traffic_summaries()
        return DashboardState(self.loop.now, snap, node_lines(snap.nodes, snap.pods), self._events(), total,
                              recent)

    def _traffic_summaries(self) -> tuple[TrafficSummary | None, TrafficSummary | None]:
        traffic, since = self.traffic, self.loop.now - RECENT_SECONDS
        if traffic is None:
            return None, None
        records = getattr(traffic, "records", None)
        if isinstance(records, list) and hasattr(traffic, "frame"):  # a k8slab.net.traffic.Traffic
            if self._tally is None or self._tally[0] is not traffic:  # a generator: count only new records
                self._tally = (traffic, RecordTally(_traffic_columns()))
            tally = self._tally[1]
            tally.update(records)
            return tally.summary(), tally.summary_since(records, since)
        table = traffic_table(traffic)
        return summarise_traffic(table), summarise_traffic(table, since=since)

    def _events(self) -> tuple[EventLine, ...]:
        """The newest Events; chosen again only when the Events changed (LAST SEEN is redone each time)."""
        informer = self.informers["events"]
        version = informer.last_sync_resource_version
        if self._newest is None or self._newest[0] != version:
            self._newest = (version, newest_events(informer.list(), self.events_shown))
        return event_lines(self._newest[1], self.loop.datetime())

    # -- drawing -------------------------------------------------------------------------------

    def render(self) -> None:
        state = self.read()
        self.state = state
        self._options(self.node, [n.name for n in state.nodes])
        self._options(self.deployment, sorted((d["metadata"]["name"] for d in state.snapshot.deployments),
                                              key=natural))
        self.status.value = self._status_html(state)
        self.picture.value = render_svg(state_dot(state.snapshot))
        self.side.value = (_section("Nodes", nodes_html(state.nodes))
                           + _section("Traffic", traffic_html(state.traffic, state.recent))
                           + _section("Recent events", events_html(state.events)))

    def _show_replicas(self) -> None:
        """Put the chosen Deployment's replicas in the replicas box (what `scale` would change)."""
        for deployment in self.informers["deployments"].list():
            if deployment["metadata"]["name"] == self.deployment.value:
                replicas = (deployment.get("spec") or {}).get("replicas", 1)
                self.replicas.value = min(replicas, self.replicas.max)

    @staticmethod
    def _options(dropdown: Any, names: list[str]) -> None:
        if list(dropdown.options) != names:
            keep = dropdown.value if dropdown.value in names else (names[0] if names else None)
            dropdown.options = names
            dropdown.value = keep

    def _status_html(self, state: DashboardState) -> str:
        line = f"<b>{_esc(state.caption())}</b>"
        if self.message:
            colour = BAD if self.message.lower().startswith("error") else "#333333"
            line += f'<br><span style="color:{colour}">{_esc(self.message)}</span>'
        return f'<div style="{HTML_FONT}">{line}</div>'

    def _act(self, action: Callable[[], Any]) -> None:
        """Run a control's action; bad input is reported under the controls, and nothing crashes."""
        from k8slab.api.errors import StatusError

        try:
            action()
        except (StatusError, ValueError, TypeError, RuntimeError) as error:
            text = str(error)
            self.message = text if text.lower().startswith("error") else f"error: {text}"
            self.render()

    def _kubectl(self, command: str) -> str:
        output = self.cluster.kubectl(command)
        text = str(output).strip()
        if getattr(output, "exit_code", 0):
            raise ValueError(text)
        self.cluster.run(seconds=0)  # the change reaches the informers (and the controllers), no time passes
        self.message = text
        self.render()
        return text

    def _node_name(self, node: Any) -> str:
        if not isinstance(node, str) or not node:
            raise ValueError("choose a node first: there is none selected")
        self.api.get("nodes", node)  # NotFound in the API server's words when there is no such node
        return node

    def _deployment_name(self, deployment: Any) -> str:
        if not isinstance(deployment, str) or not deployment:
            raise ValueError("choose a deployment first: there is none in this namespace")
        return deployment

    # -- display ---------------------------------------------------------------------------------

    def __repr__(self) -> str:
        state = self.state
        nodes = len(state.nodes)
        ready = sum(1 for n in state.nodes if n.status.startswith("Ready"))
        traffic = f", traffic {state.traffic.line().split(';')[0]}" if state.traffic is not None else ""
        return (f"Dashboard(t={state.time:g}s, nodes={ready}/{nodes} Ready, pods={len(state.snapshot.pods)}"
                f"{traffic})")

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        """The live widget, and a static copy (text/html, no graphviz) for viewers that cannot run widgets."""
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude)
        bundle["text/plain"] = repr(self)
        bundle["text/html"] = dashboard_html(self.state)
        return bundle

    def close(self) -> None:
        """Stop the dashboard's watches."""
        for informer in self.informers.values():
            informer.stop()


__all__ = [
    "Dashboard",
    "DashboardState",
    "EventLine",
    "NodeLine",
    "TrafficSummary",
    "dashboard_html",
    "node_lines",
    "compact_dot",
    "recent_events",
    "state_dot",
    "summarise_traffic",
    "traffic_table",
]
