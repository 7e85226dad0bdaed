"""The API request log: every request the API server answers, beside the diagram (notebook 02).

Each row is one request as the API server saw it: when (virtual time), who,
the verb, the resource, the namespace and name, and the HTTP status code it
answered with (200 OK, 201 Created, 404 Not Found, 409 Conflict, 422
Unprocessable Entity, ...). The diagram lights up steps 3 to 5 (a person,
kubectl, the API server, etcd) for requests that wrote to etcd.
"""

from __future__ import annotations

import html

import pandas as pd

from k8slab.api.server import APIServer, Request
from k8slab.viz.architecture import architecture

FONT = "font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px"
CODE_COLOURS = {2: "#1b7f3b", 4: "#b0360f", 5: "#8e0000"}
HTTP_TEXT = {
    200: "OK",
    201: "Created",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    410: "Gone",
    422: "Unprocessable Entity",
    500: "Internal Server Error",
}
WRITE_VERBS = ("create", "update", "patch", "delete")


def requests_table(requests: list[Request]) -> pd.DataFrame:
    """The request log as a table (newest last)."""
    rows = [
        {
            "t (s)": r.time,
            "verb": r.verb,
            "resource": r.resource,
            "namespace": r.namespace,
            "name": r.name,
            "code": r.code,
            "status": HTTP_TEXT.get(r.code, ""),
        }
        for r in requests
    ]
    return pd.DataFrame(rows, columns=["t (s)", "verb", "resource", "namespace", "name", "code", "status"])


def requests_html(requests: list[Request]) -> str:
    head = "".join(
        f'<th style="text-align:left;padding:2px 8px">{c}</th>'
        for c in ("t (s)", "verb", "resource", "namespace/name", "code")
    )
    rows = []
    for r in requests:
        colour = CODE_COLOURS.get(r.code // 100, "#333")
        where = f"{r.namespace}/{r.name}" if r.namespace else r.name
        title = html.escape(r.message)
        rows.append(
            f'<tr title="{title}"><td style="padding:2px 8px">{r.time:g}</td>'
            f'<td style="padding:2px 8px">{html.escape(r.verb)}</td>'
            f'<td style="padding:2px 8px">{html.escape(r.resource)}</td>'
            f'<td style="padding:2px 8px">{html.escape(where)}</td>'
            f'<td style="padding:2px 8px;color:{colour};font-weight:bold">{r.code} '
            f"{HTTP_TEXT.get(r.code, '')}</td></tr>"
        )
    if not rows:
        return f'<div style="{FONT};color:#666">(no requests yet)</div>'
    table = f'<table style="border-collapse:collapse"><tr>{head}</tr>{"".join(rows)}</table>'
    return f'<div style="{FONT}">{table}</div>'


class RequestLog:
    """A live widget: the last requests the API server answered, and the diagram of where they went.

    Display it (`RequestLog(cluster.api)` as the last line of a cell), then
    send requests in later cells (kubectl, or `api.create(...)`): each one
    appears as it is answered.
    """

    def __init__(self, api: APIServer, lines: int = 12):
        import ipywidgets as widgets

        self.api = api
        self.lines = lines
        self.seen: list[Request] = []
        self.diagram = widgets.HTML(layout=widgets.Layout(width="560px"))
        self.table = widgets.HTML()
        self.summary = widgets.HTML()
        self.widget = widgets.HBox(
            [
                self.diagram,
                widgets.VBox([widgets.HTML("<b>API requests, newest last</b>"), self.table, self.summary]),
            ],
            layout=widgets.Layout(grid_gap="16px"),
        )
        self._svg_cache: dict[tuple[int, ...], str] = {}
        api.request_listeners.append(self._on_request)
        self.render()

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        """The live widget, plus a static table (text/html, no diagram) for viewers without widgets."""
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude)
        bundle["text/plain"] = repr(self)
        bundle["text/html"] = self.table.value + self.summary.value
        return bundle

    def __repr__(self) -> str:
        return f"RequestLog(requests={len(self.seen)})"

    def close(self) -> None:
        if self._on_request in self.api.request_listeners:
            self.api.request_listeners.remove(self._on_request)
        self.widget.close()

    def _on_request(self, request: Request) -> None:
        self.seen.append(request)
        self.render()

    def _steps(self) -> tuple[int, ...]:
        if not self.seen:
            return (3, 4, 5)
        last = self.seen[-1]
        if last.code < 400 and last.verb.split("/")[0] in WRITE_VERBS:
            return (3, 4, 5)  # kubectl -> API server -> etcd
        return (3, 4)  # a read, or a request refused before it reached etcd

    def render(self) -> None:
        steps = self._steps()
        if steps not in self._svg_cache:
            self._svg_cache[steps] = architecture(highlight=list(steps)).svg
        self.diagram.value = self._svg_cache[steps]
        self.table.value = requests_html(self.seen[-self.lines :])
        codes: dict[int, int] = {}
        for r in self.seen:
            codes[r.code] = codes.get(r.code, 0) + 1
        counts = ", ".join(f"{n} &times; {c}" for c, n in sorted(codes.items()))
        self.summary.value = (
            f'<div style="{FONT};color:#555">{len(self.seen)} requests: {counts or "none"}</div>'
        )
