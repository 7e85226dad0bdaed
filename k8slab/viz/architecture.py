"""The architecture diagram: the fifteen numbered steps, with any of them highlighted.

Built for notebook 00, and drawn at the top of every notebook with that
notebook's steps highlighted. `architecture(highlight=7)` returns an
`ArchitectureDiagram`: JupyterLab shows it as a picture, and its text form is
a short, stable line (a bare graphviz object would print its memory address,
which changes on every run). `StepWalker()` is the same diagram with a slider
that walks the fifteen steps one by one, two sentences each.

The picture reads left to right, the way a request travels: a person and
kubectl, the control plane, the worker nodes, then the load balancer and a
user on the internet. Arrows point the way information flows. Steps 1 and 2
are about the machines themselves, so they light up boxes, not arrows.

Both the DOT source and the SVG are deterministic: the same call gives the
same bytes on every run, which is what lets nbval compare notebook outputs.
"""

from __future__ import annotations

import base64
import functools
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import graphviz
import ipywidgets as widgets

from k8slab.steps import STEPS, step

HIGHLIGHT = "#326ce5"  # Kubernetes blue: the steps you are looking at
NORMAL = "#333333"  # everything, when nothing is highlighted
DIM = "#b4b4b4"  # the other steps, when some are highlighted
DOWN = "#c0392b"  # a machine that is switched off
FONT = "Helvetica"
BOLD_FONT = "Helvetica-Bold"

#: Machines that `down=` can switch off, and the diagram cluster that draws each one.
MACHINES = {"control plane": "cluster_control_plane", "node-1": "cluster_node_1", "node-2": "cluster_node_2"}


# -- what the diagram contains ------------------------------------------------


@dataclass(frozen=True)
class Box:
    """A component drawn as a box (or other shape) inside one machine, or outside all of them."""

    id: str
    label: str
    machine: str | None = None
    shape: str = "box"


@dataclass(frozen=True)
class Arrow:
    """An arrow in the picture. `step` 0 means "context": it shows how things connect, without a number.

    `backwards` draws the arrowhead at the tail: the layout still places `tail`
    left of `head`, which keeps the left-to-right story straight while the
    arrow points the way the information flows.
    """

    step: int
    tail: str
    head: str
    backwards: bool = False
    both: bool = False
    dashed: bool = False
    labelled: bool = True
    label_beside: bool = False  # placed after layout, where it overlaps nothing (graphviz's xlabel)


BOXES: tuple[Box, ...] = (
    Box("person", "a person", shape="ellipse"),
    Box("kubectl", "kubectl"),
    Box("apiserver", "API server", "control plane"),
    Box("etcd", "etcd", "control plane", shape="cylinder"),
    Box("controller_manager", "controller\\nmanager", "control plane"),
    Box("scheduler", "scheduler", "control plane"),
    Box("node1_kubelet", "kubelet", "node-1"),
    Box("node1_cadvisor", "cAdvisor\\n(in the kubelet)", "node-1"),
    Box("node1_pod_web1", "pod web-1", "node-1", shape="box3d"),
    Box("node1_pod_web2", "pod web-2", "node-1", shape="box3d"),
    Box("node1_proxy", "kube-proxy", "node-1"),
    Box("node2_kubelet", "kubelet", "node-2"),
    Box("node2_cadvisor", "cAdvisor\\n(in the kubelet)", "node-2"),
    Box("node2_pod_web3", "pod web-3", "node-2", shape="box3d"),
    Box("node2_pod_db1", "pod db-1", "node-2", shape="box3d"),
    Box("node2_proxy", "kube-proxy", "node-2"),
    Box("loadbalancer", "load\\nbalancer", shape="diamond"),
    Box("user", "a user on\\nthe internet", shape="ellipse"),
)

ARROWS: tuple[Arrow, ...] = (
    Arrow(3, "person", "kubectl"),
    Arrow(4, "kubectl", "apiserver"),
    Arrow(5, "apiserver", "etcd", both=True),
    Arrow(6, "apiserver", "controller_manager", both=True),
    Arrow(7, "apiserver", "scheduler", both=True),
    Arrow(8, "apiserver", "node1_kubelet"),
    Arrow(0, "apiserver", "node2_kubelet"),
    Arrow(9, "node1_kubelet", "node1_pod_web1"),
    Arrow(0, "node1_kubelet", "node1_pod_web2"),
    Arrow(0, "node2_kubelet", "node2_pod_web3"),
    Arrow(0, "node2_kubelet", "node2_pod_db1"),
    Arrow(0, "node1_kubelet", "node1_cadvisor", dashed=True),
    Arrow(0, "node2_kubelet", "node2_cadvisor", dashed=True),
    Arrow(10, "apiserver", "node1_cadvisor", backwards=True, dashed=True, label_beside=True),
    Arrow(13, "node1_pod_web1", "node1_proxy", backwards=True),
    Arrow(14, "node1_pod_web1", "node1_pod_web1"),
    Arrow(15, "node1_pod_web1", "node1_proxy", dashed=True),
    Arrow(12, "node1_proxy", "loadbalancer", backwards=True),
    Arrow(0, "node2_proxy", "loadbalancer", backwards=True),
    Arrow(15, "node1_proxy", "loadbalancer", dashed=True),
    Arrow(11, "loadbalancer", "user", backwards=True),
    Arrow(15, "loadbalancer", "user", dashed=True),
)

MACHINE_OF = {box.id: box.machine for box in BOXES}

#: Steps 1 and 2 are machines, not arrows: the boxes they light up.
MACHINE_STEPS = {1: ("control plane",), 2: ("node-1", "node-2")}

CLUSTER_LABELS = {
    "control plane": "1  Control plane",
    "node-1": "2  Worker node (node-1)",
    "node-2": "2  Worker node (node-2)",
}


def _touched_boxes(steps: Iterable[int]) -> set[str]:
    """The boxes a set of steps involves: the ends of their arrows, and every box in their machines."""
    touched: set[str] = set()
    chosen = set(steps)
    for arrow in ARROWS:
        if arrow.step in chosen:
            touched.update((arrow.tail, arrow.head))
    for number, machines in MACHINE_STEPS.items():
        if number in chosen:
            touched.update(box.id for box in BOXES if box.machine in machines)
    return touched


def _context_lit(arrow: Arrow, lit_boxes: set[str]) -> bool:
    """A context arrow lights up with the boxes at both of its ends, unless it links two machines.

    Inside a lit worker node, the kubelet's arrows to all its pods light up;
    but the API server's watch arrow to node-2 belongs to step 8, so lighting
    the control plane and the nodes (steps 1 and 2) must not light it.
    """
    if arrow.tail not in lit_boxes or arrow.head not in lit_boxes:
        return False
    machines = {MACHINE_OF[arrow.tail], MACHINE_OF[arrow.head]}
    return len(machines) == 1 or None in machines


# -- checking the caller's input ----------------------------------------------


def _steps(highlight: int | Iterable[int] | None) -> tuple[int, ...]:
    """`highlight` as a sorted tuple of step numbers; ValueError names anything that is not a step."""
    if highlight is None:
        return ()
    candidates = [highlight] if isinstance(highlight, int) else highlight
    if isinstance(candidates, str | bytes) or not isinstance(candidates, Iterable):
        raise ValueError(f"highlight must be a step number from 1 to 15 or a list of them, got {highlight!r}")
    numbers = set()
    for value in candidates:
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= len(STEPS):
            raise ValueError(f"highlight: {value!r} is not a step; steps are the whole numbers 1 to 15")
        numbers.add(value)
    return tuple(sorted(numbers))


def _machines(down: str | Iterable[str]) -> tuple[str, ...]:
    names = [down] if isinstance(down, str) else list(down)
    for name in names:
        if name not in MACHINES:
            known = ", ".join(repr(m) for m in MACHINES)
            raise ValueError(f"down: {name!r} is not a machine in the diagram; choose from {known}")
    return tuple(m for m in MACHINES if m in names)


# -- drawing ------------------------------------------------------------------


def _colour(lit: bool, anything_lit: bool) -> str:
    if lit:
        return HIGHLIGHT
    return DIM if anything_lit else NORMAL


def architecture(
    highlight: int | Iterable[int] | None = None, down: str | Iterable[str] = ()
) -> ArchitectureDiagram:
    """The Kubernetes architecture diagram with steps `highlight` (one number or a list) in bold blue.

    `down` switches machines off in the picture ("control plane", "node-1",
    "node-2"): drawn dashed and red, as notebook 00's "Break it" does.
    """
    steps = _steps(highlight)
    machines_down = _machines(down)
    lit_boxes = _touched_boxes(steps)
    anything_lit = bool(steps)

    graph = graphviz.Digraph("architecture")
    graph.attr(rankdir="LR", newrank="true", nodesep="0.25", ranksep="0.45", fontname=FONT, fontsize="12")
    graph.attr("node", fontname=FONT, fontsize="11", style="filled", fillcolor="white", margin="0.12,0.05")
    graph.attr("edge", fontname=FONT, fontsize="12", arrowsize="0.7")

    for machine, cluster_name in MACHINES.items():
        with graph.subgraph(name=cluster_name) as cluster:
            number = 1 if machine == "control plane" else 2
            lit = number in steps
            is_down = machine in machines_down
            colour = DOWN if is_down else _colour(lit, anything_lit)
            label = CLUSTER_LABELS[machine] + ("  (DOWN)" if is_down else "")
            cluster.attr(
                label=label,
                labeljust="l",
                labelloc="t" if machine == "control plane" else "b",
                color=colour,
                fontcolor=colour,
                fontname=BOLD_FONT,
                penwidth="3" if lit or is_down else "1.2",
                style="rounded,dashed" if is_down else "rounded,filled",
                fillcolor="#f3f6fc" if machine == "control plane" else "#f6f6f6",
            )
            for box in BOXES:
                if box.machine == machine:
                    _draw_box(cluster, box, box.id in lit_boxes, anything_lit, is_down)
    for box in BOXES:
        if box.machine is None:
            _draw_box(graph, box, box.id in lit_boxes, anything_lit, False)

    titles = {s.number: s.title for s in STEPS}
    for arrow in ARROWS:
        lit = arrow.step in steps
        if not arrow.step:
            lit = _context_lit(arrow, lit_boxes)
        colour = _colour(lit, anything_lit) if arrow.step or lit else (DIM if anything_lit else "#888888")
        attrs = {"color": colour, "fontcolor": colour, "penwidth": "3" if lit else "1.2"}
        if arrow.step and arrow.labelled:
            attrs["xlabel" if arrow.label_beside else "label"] = f" {arrow.step} "
            attrs["fontname"] = BOLD_FONT
            attrs["tooltip"] = f"step {arrow.step}: {titles[arrow.step]}"
        if arrow.backwards:
            attrs["dir"] = "back"
        if arrow.both:
            attrs["dir"] = "both"
        if arrow.dashed:
            attrs["style"] = "dashed"
        if not arrow.step:
            attrs["arrowhead" if not arrow.backwards else "arrowtail"] = "vee"
        graph.edge(arrow.tail, arrow.head, **attrs)
    return ArchitectureDiagram(graph=graph, highlight=steps, down=machines_down)


def _draw_box(graph: graphviz.Digraph, box: Box, lit: bool, anything_lit: bool, is_down: bool) -> None:
    colour = DIM if is_down else _colour(lit, anything_lit)
    graph.node(
        box.id,
        box.label,
        shape=box.shape,
        color=colour,
        fontcolor=colour if anything_lit or is_down else "black",
        penwidth="2.5" if lit else "1",
        style="filled,dashed" if is_down else "filled",
    )


_PROLOG = re.compile(r"<\?xml.*?\?>|<!DOCTYPE.*?>|<!--.*?-->", re.DOTALL)
_SIZE = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"')


def clean_svg(svg: str) -> str:
    """Graphviz SVG ready to sit inside HTML: no XML prolog, no comments, and scaled to fit its cell.

    The comments are graphviz's version banner and node names; dropping them
    keeps the picture identical across graphviz patch releases more often.
    """
    svg = _PROLOG.sub("", svg).strip()
    svg = re.sub(r"\n\s*\n", "\n", svg)
    return _SIZE.sub(r'<svg style="max-width:100%;height:auto" width="\1pt" height="\2pt"', svg, count=1)


@dataclass(eq=False)
class ArchitectureDiagram:
    """The diagram as a notebook shows it: a picture in JupyterLab, a short stable line as text.

    `.graph` is the graphviz Digraph, `.source` its DOT text, `.svg` the picture.
    """

    graph: graphviz.Digraph = field(repr=False)
    highlight: tuple[int, ...] = ()
    down: tuple[str, ...] = ()

    @property
    def source(self) -> str:
        return self.graph.source

    @functools.cached_property
    def svg(self) -> str:
        return clean_svg(self.graph.pipe(format="svg", encoding="utf-8"))

    def pipe(self, format: str = "svg") -> bytes:
        """Render with graphviz's `dot` into any format it knows (png, pdf, svg)."""
        return self.graph.pipe(format=format)

    def __repr__(self) -> str:
        parts = []
        if self.highlight:
            parts.append(f"highlight={list(self.highlight)}")
        if self.down:
            parts.append(f"down={list(self.down)}")
        return f"ArchitectureDiagram({', '.join(parts)})"

    @functools.cached_property
    def png(self) -> bytes:
        return self.graph.pipe(format="png")

    def _repr_svg_(self) -> str:
        return self.svg

    def _repr_png_(self) -> bytes:
        return self.png

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        """SVG for a sharp picture, PNG as well: JupyterLab will not show SVG from a notebook it does not
        trust yet (one just downloaded, before its cells run), but it does show PNG."""
        return {
            "image/svg+xml": self.svg,
            "image/png": base64.b64encode(self.png).decode("ascii"),
            "text/plain": repr(self),
        }


# -- the step walker ----------------------------------------------------------


@functools.cache
def step_svg(number: int) -> str:
    """The diagram with one step highlighted, as SVG; rendered once per step, then cached."""
    return architecture(highlight=number).svg


def caption_html(number: int) -> str:
    """A step's title and its two sentences, as HTML (`code` in backticks becomes <code>)."""
    s = step(number)
    text = re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(s.explanation, quote=False))
    notebooks = ", ".join(s.notebooks)
    return (
        f'<div style="font-size:14px;line-height:1.45;min-height:4.5em;max-width:60em">'
        f'<b style="color:{HIGHLIGHT}">Step {s.number} of {len(STEPS)}: {html.escape(s.title)}</b><br>'
        f"{text}<br>"
        f'<span style="color:#666">Built in notebook {notebooks}, in <code>{s.module}</code>.</span></div>'
    )


class StepWalker:
    """The diagram with a slider: move it (or press play) to walk the fifteen steps one by one.

    Each position shows the diagram with that step highlighted and a caption
    of two plain sentences. The picture is put into a `widgets.HTML` (never
    displayed into an Output widget), so notebooks that show it stay
    comparable under nbval. `go_to(n)` moves it from code.
    """

    def __init__(self, start: int = 1):
        step(start)  # ValueError for a bad start, before any widget exists
        self.slider = widgets.IntSlider(
            value=start, min=1, max=len(STEPS), step=1, description="step", continuous_update=True
        )
        self.play = widgets.Play(
            value=start, min=1, max=len(STEPS), step=1, interval=4000, description="play"
        )
        widgets.jslink((self.play, "value"), (self.slider, "value"))
        self.back = widgets.Button(
            description="previous", icon="arrow-left", layout=widgets.Layout(width="110px")
        )
        self.forward = widgets.Button(
            description="next", icon="arrow-right", layout=widgets.Layout(width="110px")
        )
        self.back.on_click(lambda _: self.go_to(max(1, self.step - 1)))
        self.forward.on_click(lambda _: self.go_to(min(len(STEPS), self.step + 1)))
        self.caption = widgets.HTML()
        self.diagram = widgets.HTML()
        self.widget = widgets.VBox(
            [widgets.HBox([self.play, self.slider, self.back, self.forward]), self.caption, self.diagram]
        )
        self.slider.observe(self._on_slider, names="value")
        self._render(start)

    @property
    def step(self) -> int:
        """The step on show."""
        return self.slider.value

    @property
    def highlighted(self) -> tuple[int, ...]:
        """The steps the picture currently highlights (one, the step on show)."""
        return self._showing

    def go_to(self, number: int) -> None:
        """Show step `number` (1 to 15), exactly as moving the slider there would."""
        step(number)
        self.slider.value = number  # the slider's observer renders it
        if self._showing != (number,):  # already there: the observer did not fire
            self._render(number)

    def _on_slider(self, change: dict) -> None:
        self._render(change["new"])

    def _render(self, number: int) -> None:
        self.caption.value = caption_html(number)
        self.diagram.value = step_svg(number)
        self._showing = (number,)

    def __repr__(self) -> str:
        return f"StepWalker(step={self.step})"

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude)
        bundle["text/plain"] = repr(self)
        return bundle
