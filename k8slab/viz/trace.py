"""A traced request on the architecture diagram: a slider walks its hops, lighting each one's step.

Built for notebook 08 (the whole request path). `TraceWalker(response)`
takes what `k8slab.net.request.request` returned and shows, for hop i of n,
the diagram with that hop's step (11 to 15) highlighted, a caption saying
where the packet is and what happened to it, and the whole trace as a table
with the current hop in bold. Moving the slider (or pressing play) replays
the request in order; `go_to(i)` does it from code.

As with `StepWalker`, pictures go into `widgets.HTML` values (never
displayed into an Output widget), and the object's text form is one short,
stable line, so a notebook that shows it stays comparable under nbval.
Its static HTML (what a notebook viewer without widgets shows) is the
caption and the table, without the picture, whose SVG depends on the
graphviz build.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from k8slab.steps import step
from k8slab.viz.architecture import HIGHLIGHT, architecture, step_svg

COLUMNS = ("#", "step", "component", "node", "from", "to", "what happened", "ms", "total ms")


def trace_diagram(response):
    """The diagram with every step the request went through highlighted at once."""
    return architecture(highlight=sorted({hop.step for hop in response.trace}))


def _check_response(response) -> list:
    trace = getattr(response, "trace", None)
    if not isinstance(trace, list) or not all(hasattr(hop, "step") for hop in trace):
        kind = type(response).__name__
        raise TypeError(f"TraceWalker needs what request(cluster, url) returns, got {kind}")
    if not trace:
        raise ValueError("this response has no hops to walk")
    return trace


def caption_html(response, index: int) -> str:
    """Hop `index` (1-based) of the trace: its step's title and what happened, as HTML."""
    hops = response.trace
    hop = hops[index - 1]
    title = step(hop.step).title
    where = f" on {hop.node}" if hop.node else ""
    return (
        f'<div style="font-size:14px;line-height:1.45;min-height:4.5em;max-width:60em">'
        f'<b style="color:{HIGHLIGHT}">Hop {index} of {len(hops)}, step {hop.step}: '
        f"{html.escape(title)}</b><br>"
        f"{html.escape(hop.component)}{html.escape(where)}: {html.escape(hop.what)}<br>"
        f'<span style="color:#666">{html.escape(hop.source)} &rarr; {html.escape(hop.destination)}; '
        f"this hop {hop.latency * 1000:.3f} ms, {hop.total * 1000:.3f} ms since the request left</span></div>"
    )


def table_html(response, current: int | None = None) -> str:
    """The trace as an HTML table; hop `current` (1-based) in bold."""
    head = "".join(f"<th>{c}</th>" for c in COLUMNS)
    rows = []
    for number, hop in enumerate(response.trace, start=1):
        cells = (
            number,
            hop.step,
            hop.component,
            hop.node,
            hop.source,
            hop.destination,
            hop.what,
            f"{hop.latency * 1000:.3f}",
            f"{hop.total * 1000:.3f}",
        )
        style = ' style="font-weight:bold;background:#e8eefc"' if number == current else ""
        rows.append(f"<tr{style}>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


class TraceWalker:
    """The diagram with a slider over a traced request's hops, in the order they happened."""

    def __init__(self, response, start: int = 1):
        trace = _check_response(response)
        if isinstance(start, bool) or not isinstance(start, int) or not 1 <= start <= len(trace):
            raise ValueError(f"start must be a hop number from 1 to {len(trace)}, got {start!r}")
        self.response = response
        self.hops = len(trace)
        self.slider = widgets.IntSlider(value=start, min=1, max=self.hops, step=1, description="hop")
        self.play = widgets.Play(value=start, min=1, max=self.hops, step=1, interval=2000, description="play")
        widgets.jslink((self.play, "value"), (self.slider, "value"))
        self.summary = widgets.HTML(f"<b>{html.escape(response.summary())}</b>")
        self.caption = widgets.HTML()
        self.diagram = widgets.HTML()
        self.table = widgets.HTML()
        self.widget = widgets.VBox(
            [self.summary, widgets.HBox([self.play, self.slider]), self.caption, self.diagram, self.table]
        )
        self._showing = 0
        self.slider.observe(lambda change: self._render(change["new"]), names="value")
        self._render(start)

    @property
    def hop(self) -> int:
        """The hop on show (1-based)."""
        return self._showing

    @property
    def highlighted(self) -> tuple[int, ...]:
        """The step the picture highlights: the one of the hop on show."""
        return (self.response.trace[self._showing - 1].step,)

    def go_to(self, index: int) -> None:
        if isinstance(index, bool) or not isinstance(index, int) or not 1 <= index <= self.hops:
            raise ValueError(f"hop must be a number from 1 to {self.hops}, got {index!r}")
        self.slider.value = index
        if self._showing != index:
            self._render(index)

    def _render(self, index: int) -> None:
        hop = self.response.trace[index - 1]
        self.caption.value = caption_html(self.response, index)
        self.diagram.value = step_svg(hop.step)
        self.table.value = table_html(self.response, index)
        self._showing = index

    def __repr__(self) -> str:
        return f"TraceWalker(hop={self._showing} of {self.hops}, {self.response.summary()})"

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude)
        bundle["text/plain"] = repr(self)
        bundle["text/html"] = (
            f"<p><b>{html.escape(self.response.summary())}</b></p>"
            + caption_html(self.response, self._showing)
            + table_html(self.response, self._showing)
        )
        return bundle


__all__ = ["TraceWalker", "caption_html", "table_html", "trace_diagram"]
