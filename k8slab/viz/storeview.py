"""The store view: etcd's history as a timeline, time travel with a slider, a live watch log.

Built for notebook 01. Everything here reads the store through its public
verbs (`items(revision=...)`, `events()`, `watch(...)`), exactly as any other
client would; the view owns one watcher on every key, and re-renders when it
fires, so the picture follows the store live as the loop runs.

Rendering is plain HTML with inline styles (no JavaScript, no graphviz), so it
is fast (well under 100 ms at classroom sizes), looks the same in JupyterLab
and on static renderers, and is identical from run to run.
"""

from __future__ import annotations

import html

import pandas as pd

from k8slab.store.mvcc import Event, Store, WatchResponse

PUT_COLOUR = "#326ce5"  # Kubernetes blue
DELETE_COLOUR = "#c0392b"
SELECTED_COLOUR = "#fff3c4"
COMPACTED_COLOUR = "#e6e6e6"
FONT = "font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px"


def show_value(value: str | bytes, width: int = 40) -> str:
    """A value shortened for a table cell: bytes shown as Python shows them."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= width else text[: width - 1] + "\u2026"


def state_table(store: Store, revision: int = 0) -> pd.DataFrame:
    """The whole store as it was at `revision` (default: now), one row per key."""
    rows = [
        {
            "key": kv.key,
            "value": show_value(kv.value),
            "create_revision": kv.create_revision,
            "mod_revision": kv.mod_revision,
            "version": kv.version,
            "lease": f"{kv.lease:x}" if kv.lease else "",
        }
        for kv in store.items(revision=revision)
    ]
    columns = ["key", "value", "create_revision", "mod_revision", "version", "lease"]
    return pd.DataFrame(rows, columns=columns)


def events_table(events: list[Event]) -> pd.DataFrame:
    """Watch events as a table: revision, type, key, value, version (and the previous value if known)."""
    rows = [
        {
            "revision": e.kv.mod_revision,
            "type": e.type,
            "key": e.kv.key,
            "value": show_value(e.kv.value) if e.type == "PUT" else "",
            "version": e.kv.version,
            "prev_value": show_value(e.prev_kv.value) if e.prev_kv is not None else "",
        }
        for e in events
    ]
    return pd.DataFrame(rows, columns=["revision", "type", "key", "value", "version", "prev_value"])


def timeline_html(store: Store, selected: int | None = None, window: int = 30, max_keys: int = 24) -> str:
    """Keys down the side, revisions across the top; a mark where a key changed.

    A blue cell is a PUT (its version inside, the value on hover), a red cross
    a DELETE. The selected revision's column is highlighted; a grey column is
    history that compaction has removed.
    """
    selected = store.revision if selected is None else selected
    last = store.revision
    first = max(1, last - window + 1)
    events = [e for e in store.events() if e.kv.mod_revision >= first]
    by_cell = {(e.kv.key, e.kv.mod_revision): e for e in events}
    keys = sorted({e.kv.key for e in events} | {kv.key for kv in store.items()})
    hidden = max(0, len(keys) - max_keys)
    keys = keys[:max_keys]
    revisions = range(first, last + 1)

    def column_style(revision: int) -> str:
        if revision == selected:
            return f"background:{SELECTED_COLOUR};"
        if revision < store.compact_revision:
            return f"background:{COMPACTED_COLOUR};"
        return ""

    head = "".join(
        f'<th style="padding:2px 4px;text-align:center;{column_style(r)}">{r}</th>' for r in revisions
    )
    body = []
    for key in keys:
        cells = []
        for revision in revisions:
            event = by_cell.get((key, revision))
            style = f"padding:2px 4px;text-align:center;{column_style(revision)}"
            if event is None:
                cells.append(f'<td style="{style}"></td>')
            elif event.type == "PUT":
                tip = html.escape(f"{key} = {show_value(event.kv.value, 200)} (version {event.kv.version})")
                cells.append(
                    f'<td style="{style}" title="{tip}"><span style="display:inline-block;min-width:16px;'
                    f'background:{PUT_COLOUR};color:white;border-radius:3px">{event.kv.version}</span></td>'
                )
            else:
                tip = html.escape(f"{key} deleted")
                cells.append(
                    f'<td style="{style};color:{DELETE_COLOUR};font-weight:bold" title="{tip}">\u2715</td>'
                )
        body.append(
            f'<tr><td style="padding:2px 8px 2px 0;white-space:nowrap">{html.escape(key)}</td>'
            f'{"".join(cells)}</tr>'
        )
    more = f'<div style="color:#666">and {hidden} more keys</div>' if hidden else ""
    return (
        f'<div style="{FONT};overflow-x:auto"><table style="border-collapse:collapse">'
        f'<tr><th style="text-align:left;padding-right:8px">key \\ revision</th>{head}</tr>'
        f"{''.join(body)}</table>{more}</div>"
    )


def table_html(frame: pd.DataFrame, empty: str) -> str:
    if frame.empty:
        return f'<div style="{FONT};color:#666">{html.escape(empty)}</div>'
    head = "".join(
        f'<th style="text-align:left;padding:2px 8px;border-bottom:1px solid #999">{html.escape(c)}</th>'
        for c in frame.columns
    )
    cell = "padding:2px 8px;white-space:nowrap;border-bottom:1px solid #eee"
    rows = "".join(
        "<tr>" + "".join(f'<td style="{cell}">{html.escape(str(v))}</td>' for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return f'<div style="{FONT}"><table style="border-collapse:collapse"><tr>{head}</tr>{rows}</table></div>'


class StoreView:
    """A live view of a `Store`: timeline, a revision slider for time travel, and the watch log.

    Display it as the last line of a cell (`StoreView(store)`), then keep
    changing the store in later cells: the view follows. Drag the slider to
    see the store as it was at any revision still in history.
    """

    def __init__(self, store: Store, window: int = 30, log_lines: int = 12):
        import ipywidgets as widgets

        self.store = store
        self.window = window
        self.log_lines = log_lines
        self.log: list[Event] = []
        self.header = widgets.HTML()
        self.slider = widgets.IntSlider(
            value=store.revision,
            min=max(1, store.compact_revision),
            max=store.revision,
            description="revision",
            continuous_update=True,
            layout=widgets.Layout(width="520px"),
        )
        self.timeline = widgets.HTML()
        self.state = widgets.HTML()
        self.events = widgets.HTML()
        self._following = True
        self._rendering = False
        self._render_scheduled = False
        self.slider.observe(self._on_slider, names="value")
        self.widget = widgets.VBox(
            [
                self.header,
                self.slider,
                self.timeline,
                widgets.HTML("<b>The store at the selected revision</b>"),
                self.state,
                widgets.HTML("<b>Watch events on every key, newest last</b>"),
                self.events,
            ]
        )
        self.watcher = store.watch("\0", range_end="\0", callback=self._on_events)
        self.render()

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        """The live widget, plus a static copy (text/html) for viewers that cannot run widgets."""
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude)
        bundle["text/plain"] = repr(self)
        bundle["text/html"] = self.header.value + self.timeline.value + self.state.value
        return bundle

    def __repr__(self) -> str:
        return f"StoreView(revision={self.slider.value} of {self.store.revision})"

    def show(self, revision: int) -> None:
        """Move the slider to `revision` (what a learner does by dragging it)."""
        self.slider.value = revision

    def close(self) -> None:
        """Stop watching the store and close the widgets."""
        self.watcher.cancel()
        self.widget.close()

    def _on_events(self, response: WatchResponse) -> None:
        self.log.extend(response.events)
        del self.log[: -self.log_lines]
        if not self._render_scheduled:  # one render for all the events the loop hands over at this instant
            self._render_scheduled = True
            self.store.loop.call_soon(self.render)

    def _on_slider(self, change: dict) -> None:
        if self._rendering:
            return
        self._following = change["new"] == self.store.revision
        self.render()

    def render(self) -> None:
        """Bring every panel up to date with the store (called on each watch event and slider move)."""
        store = self.store
        self._render_scheduled = False
        self._rendering = True
        try:
            self.slider.max = store.revision
            self.slider.min = max(1, store.compact_revision)
            if self._following:
                self.slider.value = store.revision
        finally:
            self._rendering = False
        selected = self.slider.value
        compacted = f", compacted at revision {store.compact_revision}" if store.compact_revision else ""
        self.header.value = (
            f'<div style="{FONT}"><b>etcd</b>: revision {store.revision}, {len(store)} keys{compacted}; '
            f"showing revision {selected}</div>"
        )
        self.timeline.value = timeline_html(store, selected, self.window)
        self.state.value = table_html(state_table(store, selected), "(empty at this revision)")
        log = events_table(self.log)[["revision", "type", "key", "value"]]
        self.events.value = table_html(log, "(no events yet)")
