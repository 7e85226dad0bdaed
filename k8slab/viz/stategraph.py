"""The state graph: Deployments -> ReplicaSets -> Pods, with each pod drawn inside its node.

Built for notebook 03 (the controller manager) and reused wherever the
cluster's objects move: node failures, rolling updates under traffic. It
draws what `kubectl get deployments,replicasets,pods -o wide` lists, as a
picture that shows who owns what:

* an arrow from a Deployment to each ReplicaSet it owns, and from a ReplicaSet
  to each pod it owns (their `metadata.ownerReferences`);
* a box per node with the pods bound to it inside (their `spec.nodeName`), and
  a dashed box for pods that no node has yet;
* each pod coloured by where it is in its life (`pod_state`): Pending,
  ContainerCreating, Running (not ready), Ready, Terminating, Failed, Succeeded.

Three ways to use it:

    state_graph(cluster)                       # the picture now
    frames = record(cluster, seconds=60, every=2)
    Player(frames)                             # Play button and slider over the frames

or, to record while you act on the cluster:

    recorder = Recorder(cluster, every=1)      # a snapshot every virtual second from now on
    cluster.kubectl("set image deployment/web nginx=nginx:1.16.1")
    cluster.run(seconds=60)
    Player(recorder.stop())

and `ScaleSlider(cluster, "web")`: a replicas slider with the graph under it.

The picture is made in two steps: `Snapshot` (plain lists of objects, read
through the API like any other client) and `Snapshot.dot()` (pure: the same
objects give the same DOT text, byte for byte). The recorder reads the
cluster through informers, so recording costs no API requests per frame.
Tests check the DOT text, never the SVG, because graphviz's layout differs
between graphviz builds.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import graphviz

from k8slab.viz.architecture import clean_svg

FONT = "Helvetica"
HTML_FONT = "font-family:Helvetica,Arial,sans-serif;font-size:12px"

#: The states a pod is coloured by, in the order a pod usually meets them.
STATES = ("Pending", "ContainerCreating", "Running", "Ready", "Terminating", "Failed", "Succeeded")

#: Fill colour of each state (and of its chip in the legend).
STATE_COLOURS = {
    "Pending": "#ffffff",
    "ContainerCreating": "#fff3c4",
    "Running": "#ffd8a8",
    "Ready": "#9be3b0",
    "Terminating": "#d9d9d9",
    "Failed": "#f4a6a6",
    "Succeeded": "#c9dcff",
}

#: What each state means, in a learner's words (the legend's tooltips and the notebook's table).
STATE_MEANINGS = {
    "Pending": "accepted by the API server, no node chosen yet",
    "ContainerCreating": "bound to a node; its containers are not running yet",
    "Running": "containers running, but the pod is not Ready (a readiness probe has not passed)",
    "Ready": "running and Ready: it counts as available and receives traffic",
    "Terminating": "being deleted (it has a deletionTimestamp); its containers are stopping",
    "Failed": "failed, or failing to start (ErrImagePull, CrashLoopBackOff, ...)",
    "Succeeded": "every container exited with code 0",
}

#: Waiting reasons of a container that mean it is failing to start, not just slow.
FAILING_REASONS = frozenset(
    {
        "CrashLoopBackOff",
        "ErrImagePull",
        "ImagePullBackOff",
        "InvalidImageName",
        "CreateContainerConfigError",
        "CreateContainerError",
        "RunContainerError",
    }
)

DEPLOYMENT_COLOUR = "#326ce5"  # Kubernetes blue
REPLICASET_COLOUR = "#dbe6fb"
NODE_COLOUR = "#555555"
NODE_DOWN_COLOUR = "#c0392b"


# -- what state a pod is in ---------------------------------------------------------------


def _condition_true(status: dict, condition_type: str) -> bool:
    return any(
        c.get("type") == condition_type and c.get("status") == "True" for c in status.get("conditions") or []
    )


def pod_state(pod: dict) -> str:
    """The colour a pod gets: one of `STATES`.

    Read from the pod as the kubelet reports it: `metadata.deletionTimestamp`
    (Terminating), `status.phase`, the Ready condition, and the containers'
    waiting reasons. A pod whose phase is Pending is "Pending" until the
    scheduler binds it to a node, and "ContainerCreating" after (kubectl
    still prints Pending until the kubelet reports the ContainerCreating
    reason; the picture shows it inside its node box either way).
    """
    metadata = pod.get("metadata") or {}
    spec = pod.get("spec") or {}
    status = pod.get("status") or {}
    phase = status.get("phase") or "Pending"
    if metadata.get("deletionTimestamp") and phase not in ("Succeeded", "Failed"):
        return "Terminating"
    if phase in ("Failed", "Succeeded"):
        return phase
    waiting = [
        (c.get("state") or {}).get("waiting") or {}
        for c in list(status.get("initContainerStatuses") or []) + list(status.get("containerStatuses") or [])
    ]
    if any(w.get("reason") in FAILING_REASONS for w in waiting):
        return "Failed"
    if phase == "Running":
        return "Ready" if _condition_true(status, "Ready") else "Running"
    return "ContainerCreating" if spec.get("nodeName") else "Pending"


def status_text(pod: dict) -> str:
    """The STATUS column of `kubectl get pods` for this pod."""
    from k8slab.kubectl.printers import pod_summary

    return pod_summary(pod).status


def node_status(node: dict) -> str:
    """The STATUS column of `kubectl get nodes`: Ready, NotReady, Unknown, plus ,SchedulingDisabled."""
    from k8slab.kubectl.printers import node_status as printed

    return printed(node)


# -- a snapshot of the objects, and its picture ------------------------------------------------------


def _name(obj: dict) -> str:
    return obj["metadata"]["name"]


def _namespace(obj: dict) -> str:
    return obj["metadata"].get("namespace") or ""


def _controller_uid(obj: dict) -> str | None:
    for ref in obj["metadata"].get("ownerReferences") or []:
        if ref.get("controller"):
            return ref.get("uid")
    return None


def natural(name: str) -> tuple:
    """A sort key that puts node-2 before node-10 (numbers compared as numbers)."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name))


def _by_name(objects: Iterable[dict]) -> list[dict]:
    return sorted(objects, key=lambda o: (_namespace(o), natural(_name(o))))


@dataclass(frozen=True)
class PodRow:
    """One pod as the static picture (and a frame's summary) lists it."""

    namespace: str
    name: str
    node: str
    state: str
    status: str


@dataclass
class Snapshot:
    """The objects the state graph draws, at one moment of virtual time.

    `namespace=None` means every namespace (names are then drawn as
    namespace/name). Objects are read-only here.
    """

    time: float
    deployments: list[dict] = field(default_factory=list)
    replica_sets: list[dict] = field(default_factory=list)
    pods: list[dict] = field(default_factory=list)
    nodes: list[dict] = field(default_factory=list)
    namespace: str | None = "default"
    revision: int = 0
    #: Above this many owner arrows to pods, draw one arrow per (ReplicaSet, node), labelled with its count:
    #: a hundred arrows make the picture unreadable and graphviz's layout slow.
    max_pod_edges: int = 40

    def _label_name(self, obj: dict) -> str:
        return _name(obj) if self.namespace is not None else f"{_namespace(obj)}/{_name(obj)}"

    def pod_rows(self) -> list[PodRow]:
        """Every pod with its node, state and kubectl STATUS, ordered by node then name."""
        rows = [
            PodRow(
                _namespace(p),
                _name(p),
                (p.get("spec") or {}).get("nodeName") or "",
                pod_state(p),
                status_text(p),
            )
            for p in self.pods
        ]
        return sorted(rows, key=lambda r: (r.node == "", natural(r.node), r.namespace, r.name))

    def counts(self) -> dict[str, int]:
        """How many pods are in each state (every state listed, zeros included)."""
        counts = dict.fromkeys(STATES, 0)
        for pod in self.pods:
            counts[pod_state(pod)] += 1
        return counts

    def caption(self) -> str:
        """One line: the virtual time and how many pods are in each state (non-zero ones)."""
        counts = ", ".join(f"{n} {state}" for state, n in self.counts().items() if n)
        return f"t = {self.time:g} s: {len(self.pods)} pods" + (f" ({counts})" if counts else "")

    def dot(self) -> str:
        """The picture as DOT text: deterministic, the same objects give the same bytes."""
        graph = graphviz.Digraph("state")
        graph.attr(
            rankdir="LR",
            fontname=FONT,
            fontsize="11",
            nodesep="0.08",
            ranksep="0.5",
            bgcolor="white",
        )
        graph.attr(
            "node",
            fontname=FONT,
            fontsize="10",
            shape="box",
            style="rounded,filled",
            height="0.3",
            margin="0.06,0.03",
        )
        graph.attr("edge", color="#888888", arrowsize="0.6")
        uids: dict[str, str] = {}  # uid -> DOT id of a drawn Deployment or ReplicaSet
        owner_of_rs: dict[str, str] = {}  # ReplicaSet name -> its Deployment's name (for short pod names)
        for deployment in _by_name(self.deployments):
            node_id = f"deployment/{_namespace(deployment)}/{_name(deployment)}"
            uids[deployment["metadata"].get("uid", node_id)] = node_id
            graph.node(
                node_id,
                self._deployment_label(deployment),
                fillcolor=DEPLOYMENT_COLOUR,
                fontcolor="white",
                color=DEPLOYMENT_COLOUR,
                tooltip=f"Deployment {_name(deployment)}",
            )
        deployment_names = {uid: node_id.rsplit("/", 1)[1] for uid, node_id in uids.items()}
        for rs in _by_name(self.replica_sets):
            node_id = f"replicaset/{_namespace(rs)}/{_name(rs)}"
            owner = _controller_uid(rs)
            empty = not (rs.get("spec") or {}).get("replicas") and not (rs.get("status") or {}).get(
                "replicas"
            )
            graph.node(
                node_id,
                self._replica_set_label(rs),
                fillcolor="white" if empty else REPLICASET_COLOUR,
                color="#9aa9c7" if empty else DEPLOYMENT_COLOUR,
                fontcolor="#777777" if empty else "black",
                style="rounded,filled,dashed" if empty else "rounded,filled",
                tooltip=f"ReplicaSet {_name(rs)}",
            )
            if owner in uids:
                graph.edge(uids[owner], node_id)
                owner_of_rs[_name(rs)] = deployment_names[owner]
            uids[rs["metadata"].get("uid", node_id)] = node_id
        nodes = {_name(n): n for n in self.nodes}
        placed: dict[str, list[dict]] = {name: [] for name in sorted(nodes, key=natural)}
        unscheduled: list[dict] = []
        for pod in _by_name(self.pods):
            node_name = (pod.get("spec") or {}).get("nodeName") or ""
            if node_name:
                placed.setdefault(node_name, []).append(pod)
            else:
                unscheduled.append(pod)
        edges = []
        for node_name, pods in sorted(placed.items(), key=lambda item: natural(item[0])):
            cluster_id = f"cluster_node/{node_name}"
            with graph.subgraph(name=cluster_id) as box:
                box.attr(**self._node_box(nodes.get(node_name), node_name))
                if not pods:
                    box.node(f"node/{node_name}/empty", "", shape="point", style="invis", width="0.3")
                for pod in pods:
                    edges.append((cluster_id, self._draw_pod(box, pod, owner_of_rs, uids)))
        if unscheduled:
            with graph.subgraph(name="cluster_unscheduled") as box:
                box.attr(
                    label="not on a node yet",
                    style="dashed,rounded",
                    color="#999999",
                    fontcolor="#666666",
                    fontname=FONT,
                    fontsize="10",
                )
                for pod in unscheduled:
                    edges.append(("cluster_unscheduled", self._draw_pod(box, pod, owner_of_rs, uids)))
        self._draw_owner_edges(graph, [(box, edge) for box, edge in edges if edge is not None])
        return graph.source

    def _draw_owner_edges(self, graph: graphviz.Digraph, edges: list[tuple[str, tuple[str, str]]]) -> None:
        """One arrow per owned pod; past `max_pod_edges`, one per (owner, node box) with the pod count."""
        if len(edges) <= self.max_pod_edges:
            for _, edge in edges:
                graph.edge(*edge)
            return
        groups: dict[tuple[str, str], list[str]] = {}
        for box, (owner, pod) in edges:
            groups.setdefault((owner, box), []).append(pod)
        for (owner, _), pods in groups.items():
            count = len(pods)
            graph.edge(
                owner,
                pods[0],
                label=f"{count} pod{'s' if count != 1 else ''}",
                fontsize="9",
                fontname=FONT,
                fontcolor="#555555",
            )

    def graphviz(self) -> graphviz.Source:
        """The DOT text as a graphviz object (render it with `.pipe(format="svg")`)."""
        return graphviz.Source(self.dot())

    # -- labels ------------------------------------------------------------------------------

    def _deployment_label(self, deployment: dict) -> str:
        spec, status = deployment.get("spec") or {}, deployment.get("status") or {}
        desired = spec.get("replicas", 1)
        return (
            f"Deployment {self._label_name(deployment)}\n"
            f"{status.get('readyReplicas') or 0}/{desired} ready, "
            f"{status.get('updatedReplicas') or 0} up to date"
        )

    def _replica_set_label(self, rs: dict) -> str:
        spec, status = rs.get("spec") or {}, rs.get("status") or {}
        revision = (rs["metadata"].get("annotations") or {}).get("deployment.kubernetes.io/revision")
        head = f"ReplicaSet {self._label_name(rs)}" + (f" (rev {revision})" if revision else "")
        image = ", ".join(
            c.get("image", "")
            for c in (((spec.get("template") or {}).get("spec") or {}).get("containers") or [])
        )
        return (
            f"{head}\n{image}\ndesired {spec.get('replicas', 1)}, current {status.get('replicas') or 0}, "
            f"ready {status.get('readyReplicas') or 0}"
        )

    def _node_box(self, node: dict | None, name: str) -> dict[str, str]:
        if node is None:
            return {
                "label": f"{name} (no such node)",
                "style": "dashed,rounded",
                "color": NODE_DOWN_COLOUR,
                "fontcolor": NODE_DOWN_COLOUR,
                "fontname": FONT,
                "fontsize": "10",
            }
        status = node_status(node)
        zone = (node["metadata"].get("labels") or {}).get("topology.kubernetes.io/zone")
        label = name + (f" ({zone})" if zone else "") + ("" if status == "Ready" else f"\n{status}")
        down = not status.startswith("Ready")
        return {
            "label": label,
            "style": "rounded,filled",
            "fillcolor": "#fbe9e7" if down else "#f7f7f7",
            "color": NODE_DOWN_COLOUR if down else NODE_COLOUR,
            "fontcolor": NODE_DOWN_COLOUR if down else "black",
            "fontname": FONT,
            "fontsize": "10",
            "penwidth": "1.5" if down else "1",
        }

    def _draw_pod(
        self, box: graphviz.Digraph, pod: dict, owner_of_rs: dict[str, str], uids: dict[str, str]
    ) -> tuple[str, str] | None:
        node_id = f"pod/{_namespace(pod)}/{_name(pod)}"
        state = pod_state(pod)
        name = _name(pod)
        owner = _controller_uid(pod)
        owner_id = uids.get(owner or "")
        short = name
        if owner_id is not None:
            deployment = owner_of_rs.get(owner_id.rsplit("/", 1)[1])
            if deployment and name.startswith(deployment + "-"):
                short = name[len(deployment) + 1 :]  # the template hash and the pod's own suffix
        if self.namespace is None:
            short = f"{_namespace(pod)}/{short}"
        attrs = {
            "fillcolor": STATE_COLOURS[state],
            "tooltip": f"{_namespace(pod)}/{name}: {status_text(pod)}",
        }
        if state == "Pending":
            attrs["style"] = "rounded,filled,dashed"
        if state == "Terminating":
            attrs["fontcolor"] = "#666666"
            attrs["color"] = "#888888"
        box.node(node_id, f"{short}\n{status_text(pod)}", **attrs)
        return (owner_id, node_id) if owner_id is not None else None

    # -- pictures ----------------------------------------------------------------------------

    def svg(self) -> str:
        return render_svg(self.dot())

    def html(self) -> str:
        """A static picture in plain HTML (no graphviz): the caption, then each node with its pods."""
        return static_html(self.caption(), self.pod_rows(), [_name(n) for n in _by_name(self.nodes)])


@functools.lru_cache(maxsize=256)
def render_svg(dot: str) -> str:
    """Run graphviz's `dot` on DOT text; the SVG comes back ready to sit inside HTML. Cached by text."""
    return clean_svg(graphviz.Source(dot).pipe(format="svg", encoding="utf-8"))


def legend_html() -> str:
    """One line of coloured chips, one per pod state, with its meaning on hover."""
    chips = "".join(
        f'<span title="{html.escape(STATE_MEANINGS[s])}" style="display:inline-block;margin:0 6px 2px 0;'
        f'padding:1px 6px;border:1px solid #999;border-radius:4px;background:{STATE_COLOURS[s]}">{s}</span>'
        for s in STATES
    )
    return f'<div style="{HTML_FONT}">{chips}</div>'


def static_html(caption: str, rows: list[PodRow], node_names: list[str]) -> str:
    """A picture that needs no graphviz and no running kernel: a node per line with its pods as chips."""
    extra = {r.node for r in rows if r.node and r.node not in node_names}  # pods on nodes that are gone
    nodes = list(node_names) + sorted(extra, key=natural)
    lines = []
    for node in nodes + [""]:
        pods = [r for r in rows if r.node == node]
        if not node and not pods:
            continue
        chips = (
            "".join(
                f'<span title="{html.escape(r.status)}" style="display:inline-block;margin:1px 4px 1px 0;'
                f"padding:1px 5px;border:1px solid #999;border-radius:4px;"
                f'background:{STATE_COLOURS[r.state]}">'
                f"{html.escape(r.name)} <i>{html.escape(r.status)}</i></span>"
                for r in pods
            )
            or '<span style="color:#999">(no pods)</span>'
        )
        title = html.escape(node) if node else "not on a node yet"
        lines.append(
            f'<tr><td style="padding:2px 8px 2px 0;vertical-align:top;white-space:nowrap"><b>{title}</b></td>'
            f"<td>{chips}</td></tr>"
        )
    return (
        f'<div style="{HTML_FONT}"><div><b>{html.escape(caption)}</b></div>'
        f'<table style="border-collapse:collapse">{"".join(lines)}</table></div>'
    )


# -- reading the cluster ---------------------------------------------------------------------------

RESOURCES = ("deployments", "replicasets", "pods", "nodes")


def _api_of(source: Any):
    """The APIServer behind a Cluster, a Client or an APIServer."""
    return getattr(source, "api", source)


def snapshot(source: Any, namespace: str | None = "default") -> Snapshot:
    """The objects now, read with one list request per resource (`source`: a Cluster or an APIServer).

    `namespace=None` reads every namespace."""
    api = _api_of(source)
    if not hasattr(api, "list"):
        raise TypeError(f"snapshot() needs a Cluster or an APIServer, got {type(source).__name__}")
    listed = {
        resource: api.list(resource, namespace if resource != "nodes" else None)["items"]
        for resource in RESOURCES
    }
    return Snapshot(
        api.loop.now,
        listed["deployments"],
        listed["replicasets"],
        listed["pods"],
        listed["nodes"],
        namespace=namespace,
        revision=api.store.revision,
    )


@dataclass(eq=False)
class StateGraph:
    """The state graph of one snapshot as a notebook shows it: a picture, and a short stable text line."""

    snapshot: Snapshot

    @property
    def source(self) -> str:
        """The DOT text (what tests check)."""
        return self.snapshot.dot()

    @functools.cached_property
    def svg(self) -> str:
        return render_svg(self.source)

    def __repr__(self) -> str:
        return f"StateGraph({self.snapshot.caption()})"

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        return {
            "image/svg+xml": self.svg,
            "text/html": self.snapshot.html(),
            "text/plain": repr(self),
        }


def state_graph(source: Any, namespace: str | None = "default") -> StateGraph:
    """The cluster's state graph now: `state_graph(cluster)` in a notebook draws it."""
    return StateGraph(snapshot(source, namespace))


# -- recording frames as virtual time passes --------------------------------------------------------------


@dataclass(frozen=True)
class Frame:
    """One picture of a recording: when, the DOT text, and the pods it shows (for the static view)."""

    time: float
    dot: str
    caption: str
    pods: tuple[PodRow, ...]
    nodes: tuple[str, ...]
    counts: dict[str, int]

    @classmethod
    def of(cls, snap: Snapshot) -> Frame:
        return cls(
            snap.time,
            snap.dot(),
            snap.caption(),
            tuple(snap.pod_rows()),
            tuple(_name(n) for n in _by_name(snap.nodes)),
            snap.counts(),
        )

    def svg(self) -> str:
        return render_svg(self.dot)

    def html(self) -> str:
        return static_html(self.caption, list(self.pods), list(self.nodes))


class Recorder:
    """Takes a `Frame` every `every` virtual seconds while the cluster runs, from now until `stop()`.

    It reads the cluster as any component does: one informer per resource
    (Deployments, ReplicaSets, Pods, Nodes), kept up to date by watches, so a
    frame costs no API request. The first frame is taken at once; later ones
    by a timer on the cluster's loop, so they fall at exact virtual times
    (0, 2, 4, ... seconds after the start) whatever you run in between.
    """

    def __init__(
        self, cluster: Any, every: float = 2.0, namespace: str | None = "default", max_frames: int = 2000
    ):
        from k8slab.client import Client, Informer

        if isinstance(every, bool) or not isinstance(every, int | float) or every <= 0:
            raise ValueError(f"every must be a number of virtual seconds > 0, got {every!r}")
        api = _api_of(cluster)
        if not hasattr(api, "watch"):
            raise TypeError(f"a Recorder needs a Cluster or an APIServer, got {type(cluster).__name__}")
        self.api = api
        self.loop = api.loop
        self.every = float(every)
        self.namespace = namespace
        self.max_frames = max_frames
        self.frames: list[Frame] = []
        client = Client(api, user="k8slab-state-graph")
        self.informers = {
            resource: Informer(client, resource, namespace=None if resource == "nodes" else namespace)
            for resource in RESOURCES
        }
        for informer in self.informers.values():
            informer.run()
        self._stopped = False
        self._timer = None
        self._take()

    def __repr__(self) -> str:
        state = "stopped" if self._stopped else "recording"
        return f"Recorder(every={self.every:g}s, frames={len(self.frames)}, {state})"

    def snapshot(self) -> Snapshot:
        """What the informers hold now."""
        listed = {resource: informer.list() for resource, informer in self.informers.items()}
        return Snapshot(
            self.loop.now,
            listed["deployments"],
            listed["replicasets"],
            listed["pods"],
            listed["nodes"],
            namespace=self.namespace,
            revision=self.api.store.revision,
        )

    def _take(self) -> None:
        if self._stopped:
            return
        self._timer = self.loop.call_later(self.every, self._take)  # first: a bad frame must not end it
        if len(self.frames) < self.max_frames:
            self.frames.append(Frame.of(self.snapshot()))

    def stop(self) -> list[Frame]:
        """Stop recording (no more timers, watches closed); returns the frames."""
        if not self._stopped:
            self._stopped = True
            if self._timer is not None:
                self._timer.cancel()
            for informer in self.informers.values():
                informer.stop()
        return self.frames


def record(
    cluster: Any, seconds: float, every: float = 2.0, namespace: str | None = "default"
) -> list[Frame]:
    """Run the cluster for `seconds` of virtual time, taking a frame every `every` seconds (both ends too)."""
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
        raise ValueError(f"seconds must be a number >= 0, got {seconds!r}")
    recorder = Recorder(cluster, every=every, namespace=namespace)
    cluster.run(seconds=seconds)
    frames = recorder.stop()
    if frames[-1].time != recorder.loop.now:  # `seconds` is not a multiple of `every`: show the end too
        frames.append(Frame.of(recorder.snapshot()))
    return frames


# -- the player widget ---------------------------------------------------------------------------------------


class Player:
    """A Play button and a slider over recorded frames; each position shows that frame's state graph.

    The picture is put into a `widgets.HTML` (an SVG string), never displayed
    into an Output widget, so a notebook that shows it stays comparable under
    nbval. Each frame's SVG is rendered once and kept. `show(i)` moves it from
    code, exactly as dragging the slider does.
    """

    def __init__(self, frames: list[Frame], start: int = 0, interval: int = 600):
        import ipywidgets as widgets

        if not frames:
            raise ValueError(
                "a Player needs at least one frame: record(cluster, seconds=..., every=...) first"
            )
        if not all(isinstance(f, Frame) for f in frames):
            raise TypeError("a Player shows Frame objects, as record() or Recorder.stop() return them")
        self.frames = list(frames)
        last = len(self.frames) - 1
        start = start if start >= 0 else last + 1 + start
        if not 0 <= start <= last:
            raise ValueError(f"start must be a frame number from 0 to {last}, got {start}")
        self.play = widgets.Play(value=start, min=0, max=last, step=1, interval=interval, description="play")
        self.slider = widgets.IntSlider(
            value=start,
            min=0,
            max=last,
            step=1,
            description="frame",
            continuous_update=True,
            readout=False,
            layout=widgets.Layout(width="420px"),
        )
        widgets.jslink((self.play, "value"), (self.slider, "value"))
        self.caption = widgets.HTML()
        self.picture = widgets.HTML()
        self.widget = widgets.VBox(
            [widgets.HBox([self.play, self.slider]), self.caption, widgets.HTML(legend_html()), self.picture]
        )
        self.slider.observe(self._on_slider, names="value")
        self._showing = -1
        self._render(start)

    @property
    def index(self) -> int:
        """The frame on show."""
        return self._showing

    @property
    def frame(self) -> Frame:
        return self.frames[self._showing]

    def show(self, index: int) -> None:
        """Show frame `index` (negative counts from the end), as moving the slider there would."""
        last = len(self.frames) - 1
        if isinstance(index, bool) or not isinstance(index, int) or not -last - 1 <= index <= last:
            raise ValueError(f"frame must be a whole number from 0 to {last}, got {index!r}")
        index = index if index >= 0 else last + 1 + index
        self.slider.value = index
        if self._showing != index:  # already there: the observer did not fire
            self._render(index)

    def _on_slider(self, change: dict) -> None:
        self._render(change["new"])

    def _render(self, index: int) -> None:
        frame = self.frames[index]
        self.caption.value = (
            f'<div style="{HTML_FONT}"><b>frame {index + 1} of {len(self.frames)}</b>, '
            f"{html.escape(frame.caption)}</div>"
        )
        self.picture.value = frame.svg()
        self._showing = index

    def __repr__(self) -> str:
        first, last = self.frames[0].time, self.frames[-1].time
        return (
            f"Player({len(self.frames)} frames from t = {first:g} s to {last:g} s; "
            f"showing t = {self.frame.time:g} s)"
        )

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        """The live widget, and a static copy (text/html, no graphviz) for viewers that cannot run widgets."""
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude)
        bundle["text/plain"] = repr(self)
        bundle["text/html"] = legend_html() + self.frame.html()
        return bundle


# -- a replicas slider ----------------------------------------------------------------------------


class ScaleSlider:
    """A replicas slider for one Deployment, with the state graph under it.

    Moving the slider does what `kubectl scale deployment/<name> --replicas=N`
    does (it writes the Deployment's scale subresource), then runs the
    cluster for `settle` virtual seconds so the controllers can act, and
    redraws. `scale(n)` does the same from code.
    """

    def __init__(
        self,
        cluster: Any,
        deployment: str,
        namespace: str = "default",
        maximum: int = 10,
        settle: float = 5.0,
    ):
        import ipywidgets as widgets

        self.cluster = cluster
        self.api = _api_of(cluster)
        self.deployment = deployment
        self.namespace = namespace
        self.settle = settle
        replicas = self.api.get_scale("deployments", deployment, namespace)["spec"]["replicas"]  # NotFound
        if isinstance(maximum, bool) or not isinstance(maximum, int) or maximum < max(1, replicas):
            raise ValueError(
                f"maximum must be a whole number >= the current replicas ({replicas}), got {maximum!r}"
            )
        self.slider = widgets.IntSlider(
            value=replicas, min=0, max=maximum, step=1, description="replicas", continuous_update=False
        )
        self.caption = widgets.HTML()
        self.picture = widgets.HTML()
        self.widget = widgets.VBox([self.slider, self.caption, widgets.HTML(legend_html()), self.picture])
        self.slider.observe(self._on_slider, names="value")
        self._render()

    def scale(self, replicas: int) -> None:
        """Set the Deployment's replicas, as moving the slider to `replicas` does."""
        if (
            isinstance(replicas, bool)
            or not isinstance(replicas, int)
            or not 0 <= replicas <= self.slider.max
        ):
            raise ValueError(f"replicas must be a whole number from 0 to {self.slider.max}, got {replicas!r}")
        if self.slider.value == replicas:
            self._apply(replicas)  # the observer will not fire: scale anyway (someone may have changed it)
        else:
            self.slider.value = replicas

    def _on_slider(self, change: dict) -> None:
        self._apply(change["new"])

    def _apply(self, replicas: int) -> None:
        self.api.update_scale("deployments", self.deployment, replicas, self.namespace)
        self.cluster.run(seconds=self.settle)
        self._render()

    def snapshot(self) -> Snapshot:
        return snapshot(self.api, self.namespace)

    def _render(self) -> None:
        snap = self.snapshot()
        self._last = snap
        self.caption.value = f'<div style="{HTML_FONT}"><b>{html.escape(snap.caption())}</b></div>'
        self.picture.value = snap.svg()

    def __repr__(self) -> str:
        return f"ScaleSlider(deployment/{self.deployment}, replicas={self.slider.value})"

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude)
        bundle["text/plain"] = repr(self)
        bundle["text/html"] = legend_html() + self._last.html()
        return bundle


__all__ = [
    "Frame",
    "Player",
    "Recorder",
    "STATES",
    "STATE_COLOURS",
    "ScaleSlider",
    "Snapshot",
    "StateGraph",
    "pod_state",
    "record",
    "snapshot",
    "state_graph",
]
