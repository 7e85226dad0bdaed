"""A pod's life over time: the states of its containers, drawn as a Gantt chart; a crash loop's back-off.

Built for notebook 05 (the kubelet). `kubectl get pods` shows one instant;
this module keeps every instant. A `TimelineRecorder` is a client like any
other: an informer on pods, whose handlers note the state of each pod and of
each of its containers whenever the kubelet (or the scheduler, or a delete)
changes it. The rows fall at the exact virtual times of the changes, read
from the watch events (no sampling), so a 0.5 s sandbox or a 200 ms pull
shows up as what it is.

    timeline = TimelineRecorder(cluster)           # starts watching pods now
    cluster.apply(...); cluster.run(seconds=120)
    timeline.segments()                            # a DataFrame: pod, container, state, start, end
    plot_timeline(timeline.segments())             # the Gantt chart (matplotlib)
    backoff_table(timeline.samples(), "crash")     # each restart: exited, restarted, back-off delay
    plot_crash_loop(timeline.samples(), "crash")   # the same, drawn

The state of a container is what its `status.containerStatuses[]` entry says:
its waiting reason (ContainerCreating, ErrImagePull, ImagePullBackOff,
CrashLoopBackOff, ...), "Running" or "Ready" (running, and its readiness
probe passes), or its terminated reason (Completed, Error, OOMKilled). Two
states are the pod's, not the container's: "Pending" (no node yet, so no
kubelet has looked at it) and "Terminating" (it has a deletionTimestamp).
The pod-level rows (`by="pod"`) use the colours of the state graph instead
(`k8slab.viz.stategraph.pod_state`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

#: The container states, in the order a container usually meets them, and their colours.
CONTAINER_STATE_COLOURS = {
    "Pending": "#eeeeee",
    "ContainerCreating": "#fff3c4",
    "PodInitializing": "#fff3c4",
    "ErrImagePull": "#d9822b",
    "ImagePullBackOff": "#f0b27a",
    "Running": "#ffd8a8",
    "Ready": "#9be3b0",
    "CrashLoopBackOff": "#f4a6a6",
    "Terminating": "#d9d9d9",
    "Completed": "#c9dcff",
    "Error": "#e06666",
    "OOMKilled": "#a61c1c",
}
#: Any other waiting or terminated reason (CreateContainerError, StartError, ContainerStatusUnknown, ...).
OTHER_COLOUR = "#b4a7d6"

SAMPLE_COLUMNS = ["time", "pod", "container", "phase", "pod_state", "state", "ready", "restarts"]
SEGMENT_COLUMNS = ["pod", "container", "state", "restarts", "start", "end"]


def container_state(pod: dict, status: dict | None) -> str:
    """One container's state, as a single word: see the module docstring."""
    if (pod.get("metadata") or {}).get("deletionTimestamp") and not _terminated(status):
        return "Terminating"
    if status is None:
        return "ContainerCreating" if (pod.get("spec") or {}).get("nodeName") else "Pending"
    state = status.get("state") or {}
    if "running" in state:
        return "Ready" if status.get("ready") else "Running"
    if "terminated" in state:
        terminated = state["terminated"] or {}
        return terminated.get("reason") or ("Completed" if terminated.get("exitCode") == 0 else "Error")
    waiting = state.get("waiting") or {}
    return waiting.get("reason") or "ContainerCreating"


def _terminated(status: dict | None) -> bool:
    return bool(status) and "terminated" in (status.get("state") or {})


def _statuses(pod: dict) -> dict[str, dict]:
    status = pod.get("status") or {}
    found = {}
    for entry in list(status.get("initContainerStatuses") or []) + list(
        status.get("containerStatuses") or []
    ):
        found[entry.get("name", "")] = entry
    return found


def _container_names(pod: dict) -> list[str]:
    spec = pod.get("spec") or {}
    return [c["name"] for c in list(spec.get("initContainers") or []) + list(spec.get("containers") or [])]


def pod_rows(time: float, pod: dict) -> list[dict]:
    """One sample per container of `pod` at `time` (init containers first)."""
    from k8slab.viz.stategraph import pod_state

    statuses = _statuses(pod)
    phase = (pod.get("status") or {}).get("phase") or "Pending"
    whole = pod_state(pod)
    rows = []
    for name in _container_names(pod):
        status = statuses.get(name)
        rows.append(
            {
                "time": time,
                "pod": pod["metadata"]["name"],
                "container": name,
                "phase": phase,
                "pod_state": whole,
                "state": container_state(pod, status),
                "ready": bool(status and status.get("ready")),
                "restarts": int((status or {}).get("restartCount") or 0),
            }
        )
    return rows


class TimelineRecorder:
    """Records every change of the pods' and containers' states, from now until `stop()`.

    `namespace` (default "default"; None for all) and `selector` (a label
    selector, "app=web") choose the pods. Pods that exist already are noted
    at once, as the state they are in now. Rows are keyed by pod name, so a
    pod deleted and created again under the same name goes on in the same
    row (the gap in between shows as its last state before the deletion).
    """

    def __init__(self, cluster: Any, namespace: str | None = "default", selector: str | None = None):
        from k8slab.client import Client, Informer

        api = getattr(cluster, "api", cluster)
        if not hasattr(api, "watch"):
            raise TypeError(
                f"a TimelineRecorder needs a Cluster or an APIServer, got {type(cluster).__name__}"
            )
        self.api = api
        self.loop = api.loop
        self.namespace = namespace
        self.start = self.loop.now
        self.rows: list[dict] = []
        self.gone: dict[str, float] = {}  # pod name -> when it left the API
        self._last: dict[tuple[str, str], tuple] = {}
        self._stopped = False
        self.end: float | None = None
        self.informer = Informer(
            Client(api, user="k8slab-timeline-recorder"), "pods", namespace=namespace, label_selector=selector
        )
        self.informer.add_event_handler(
            on_add=self._seen, on_update=lambda old, new: self._seen(new), on_delete=self._deleted
        )
        self.informer.run()

    def __repr__(self) -> str:
        pods = len({row["pod"] for row in self.rows})
        state = "stopped" if self._stopped else "recording"
        return f"TimelineRecorder(pods={pods}, changes={len(self.rows)}, {state})"

    def _seen(self, pod: dict) -> None:
        name = pod["metadata"]["name"]
        if name in self.gone:  # a new pod with the name of a deleted one (a StatefulSet's, or ours again)
            del self.gone[name]
        for row in pod_rows(self.loop.now, pod):
            key = (row["pod"], row["container"])
            value = tuple(row[c] for c in SAMPLE_COLUMNS[3:])
            if self._last.get(key) == value:
                continue  # nothing we show changed (a status write that touched other fields)
            self._last[key] = value
            self.rows.append(row)

    def _deleted(self, pod: dict) -> None:
        name = pod["metadata"]["name"]
        self.gone[name] = self.loop.now
        for key in [k for k in self._last if k[0] == name]:
            del self._last[key]

    def stop(self) -> pd.DataFrame:
        """Stop watching; returns the samples."""
        if not self._stopped:
            self._stopped = True
            self.end = self.loop.now
            self.informer.stop()
        return self.samples()

    def samples(self) -> pd.DataFrame:
        """One row per change of a container's state (or readiness, or restart count, or pod phase)."""
        frame = pd.DataFrame(self.rows, columns=SAMPLE_COLUMNS)
        frame.attrs["gone"] = dict(self.gone)
        frame.attrs["end"] = self.end if self._stopped else self.loop.now
        return frame

    def segments(self, by: str = "container") -> pd.DataFrame:
        """The samples as intervals: one row per stretch of time a container (or pod) spent in one state."""
        return segments(self.samples(), by=by)


def segments(samples: pd.DataFrame, by: str = "container", end: float | None = None) -> pd.DataFrame:
    """Intervals of constant state: pod, container ("" with by="pod"), state, restarts, start, end.

    A stretch ends when the next change of the same row begins, when its pod
    is deleted (`samples.attrs["gone"]`), or at `end` (default: when the
    recording ended, `samples.attrs["end"]`). A restart starts a new stretch
    even when the state stays the same (Ready, killed, Ready again at once),
    so each bar of the Gantt chart is one run of one container. Changes that
    last no time at all (two status writes at the same instant) are left out,
    except a pod's very last state. With `by="pod"` the state is the pod's
    colour in the state graph (Pending, ContainerCreating, Running, Ready,
    Terminating, Failed, Succeeded) and `restarts` counts all its containers'.
    """
    if by not in ("container", "pod"):
        raise ValueError(f'by must be "container" or "pod", got {by!r}')
    if end is None:
        end = samples.attrs.get("end", float(samples["time"].max()) if len(samples) else 0.0)
    gone = samples.attrs.get("gone", {})
    column = "state" if by == "container" else "pod_state"
    order: list[tuple[str, str]] = []
    changes: dict[tuple[str, str], list[tuple[float, str, int]]] = {}
    latest: dict[tuple[str, str], int] = {}  # by="pod": each container's restarts, to add them up
    for row in samples.itertuples(index=False):
        key = (row.pod, row.container if by == "container" else "")
        if key not in changes:
            changes[key] = []
            order.append(key)
        latest[(row.pod, row.container)] = int(row.restarts)
        restarts = int(row.restarts)
        if by == "pod":
            restarts = sum(n for (pod, _), n in latest.items() if pod == row.pod)
        run = changes[key]
        state = getattr(row, column)
        if run and run[-1][1:] == (state, restarts):
            continue
        if run and run[-1][0] == row.time:  # the earlier change lasted no time: the later one replaces it
            run.pop()
            if run and run[-1][1:] == (state, restarts):
                continue
        run.append((float(row.time), state, restarts))
    out = []
    for key in order:
        run = changes[key]
        stop = float(gone.get(key[0], end))
        for i, (start, state, restarts) in enumerate(run):
            finish = run[i + 1][0] if i + 1 < len(run) else max(stop, start)
            out.append(
                {
                    "pod": key[0],
                    "container": key[1],
                    "state": state,
                    "restarts": restarts,
                    "start": start,
                    "end": finish,
                }
            )
    return pd.DataFrame(out, columns=SEGMENT_COLUMNS)


def _colour(state: str, by: str) -> str:
    if by == "pod":
        from k8slab.viz.stategraph import STATE_COLOURS

        return STATE_COLOURS.get(state, OTHER_COLOUR)
    return CONTAINER_STATE_COLOURS.get(state, OTHER_COLOUR)


def plot_timeline(
    segments: pd.DataFrame,
    title: str = "Pod lifecycle",
    by: str | None = None,
    start: float | None = None,
    end: float | None = None,
    marks: dict[str, float] | None = None,
):
    """A Gantt chart: one row per container (or pod), a coloured bar per state, a legend; returns the Figure.

    `segments` is what `segments()` or `TimelineRecorder.segments()` returns;
    `by` is read from it (rows with an empty container are pods). `marks`
    draws a dashed line at each moment worth pointing at: {"node-2 fails": 15}."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    if by is None:
        by = "pod" if len(segments) and (segments["container"] == "").all() else "container"
    rows: list[tuple[str, str]] = []
    for pod, container in zip(segments["pod"], segments["container"], strict=True):
        if (pod, container) not in rows:
            rows.append((pod, container))
    height = 1.2 + 0.42 * max(len(rows), 1)
    fig, ax = plt.subplots(figsize=(9, height), dpi=100)
    if segments.empty:
        ax.text(0.5, 0.5, "no samples", ha="center", transform=ax.transAxes)
        plt.close(fig)
        return fig
    index = {row: i for i, row in enumerate(rows)}
    seen: list[str] = []
    for segment in segments.itertuples(index=False):
        y = index[(segment.pod, segment.container)]
        width = max(segment.end - segment.start, 0.0)
        ax.barh(
            y,
            width,
            left=segment.start,
            height=0.7,
            color=_colour(segment.state, by),
            edgecolor="#555555",
            linewidth=0.5,
        )
        if segment.state not in seen:
            seen.append(segment.state)
    labels = [f"{pod}/{container}" if container else pod for pod, container in rows]
    ax.set_yticks(range(len(rows)), labels, fontsize=8)
    ax.invert_yaxis()  # the first pod at the top
    first = float(segments["start"].min()) if start is None else start
    last = float(segments["end"].max()) if end is None else end
    ax.set_xlim(first, last if last > first else first + 1)
    for label, when in (marks or {}).items():
        ax.axvline(when, color="#c0392b", linestyle="--", linewidth=1)
        ax.text(when, 0.01, f" {label}", color="#c0392b", fontsize=7, transform=ax.get_xaxis_transform())
    ax.set_xlabel("virtual time (s)")
    ax.set_title(title)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    order = list(CONTAINER_STATE_COLOURS) if by == "container" else _pod_states()
    seen.sort(key=lambda s: order.index(s) if s in order else len(order))
    ax.legend(
        handles=[Patch(facecolor=_colour(s, by), edgecolor="#555555", label=s) for s in seen],
        fontsize=7,
        loc="center left",
        bbox_to_anchor=(1.01, 0.5),
    )
    fig.tight_layout()
    plt.close(fig)  # the notebook shows the returned figure once, not a second copy from pyplot
    return fig


def _pod_states() -> list[str]:
    from k8slab.viz.stategraph import STATES

    return list(STATES)


# -- a crash loop ------------------------------------------------------------------------------------------


def backoff_table(samples: pd.DataFrame, pod: str, container: str | None = None) -> pd.DataFrame:
    """Each restart of one container: when the previous run exited, when the new one started, the wait.

    Columns: restart (the restartCount it brought), exited (virtual s), started
    (virtual s), back_off (started - exited: the kubelet's back-off delay, plus
    the image check and start, which here take at most a few hundred ms), and
    ran (how long the run before it lasted).
    """
    rows = samples[samples["pod"] == pod]
    if rows.empty:
        raise ValueError(f'no samples of pod "{pod}"')
    container = container or rows["container"].iloc[0]
    rows = rows[rows["container"] == container]
    if rows.empty:
        raise ValueError(f'pod "{pod}" has no container "{container}"')
    out = []
    last_start = exited = None  # when the current run started; when the last one exited
    count = 0
    for row in rows.itertuples(index=False):
        now, restarts = float(row.time), int(row.restarts)
        running = row.state in ("Running", "Ready")
        if running and restarts > count and last_start is not None:
            if exited is None:  # it exited and started again at the same instant (no back-off)
                exited = now
            out.append(
                {
                    "restart": restarts,
                    "exited": exited,
                    "started": now,
                    "back_off": now - exited,
                    "ran": exited - last_start,
                }
            )
            last_start, exited = now, None
        elif running and last_start is None:
            last_start = now
        elif not running and last_start is not None and exited is None:
            exited = now
        count = max(count, restarts)
    return pd.DataFrame(out, columns=["restart", "exited", "started", "back_off", "ran"])


def expected_backoff(restarts: int, initial: float = 10.0, maximum: float = 300.0) -> list[float]:
    """The kubelet's wait before restarts 1..n of a container that keeps crashing.

    The first restart comes at once (there is no back-off entry yet); each
    later one waits 10 s, 20 s, 40 s, ... doubling up to 300 s (5 min). A
    container that then runs for 10 minutes without crashing starts over."""
    return [0.0] + [min(initial * 2**i, maximum) for i in range(max(restarts - 1, 0))] if restarts > 0 else []


def plot_crash_loop(samples: pd.DataFrame, pod: str, container: str | None = None, end: float | None = None):
    """Two panels: the container's states over time (Running, CrashLoopBackOff, ...), and the wait
    before each restart beside the rule (`expected_backoff`). Returns the Figure."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    table = backoff_table(samples, pod, container)
    container = container or samples[samples["pod"] == pod]["container"].iloc[0]
    mine = samples[(samples["pod"] == pod) & (samples["container"] == container)]
    mine.attrs.update(samples.attrs)
    spans = segments(mine, end=end)
    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(9, 4.6), dpi=100, gridspec_kw={"height_ratios": [1, 2.2]}
    )
    seen: list[str] = []
    for span in spans.itertuples(index=False):
        top.barh(
            0,
            span.end - span.start,
            left=span.start,
            height=0.6,
            color=_colour(span.state, "container"),
            edgecolor="#555555",
            linewidth=0.5,
        )
        if span.state not in seen:
            seen.append(span.state)
    top.set_yticks([0], [f"{pod}/{container}"], fontsize=8)
    top.set_xlim(float(spans["start"].min()), float(spans["end"].max()))
    top.set_title(f"Crash loop of {pod}/{container}: states and back-off")
    top.legend(
        handles=[Patch(facecolor=_colour(s, "container"), edgecolor="#555555", label=s) for s in seen],
        fontsize=7,
        loc="center left",
        bbox_to_anchor=(1.01, 0.5),
    )
    top.set_xlabel("virtual time (s)", fontsize=8)
    if table.empty:
        bottom.text(0.5, 0.5, "no restarts yet", ha="center", transform=bottom.transAxes)
    else:
        bottom.bar(
            table["restart"], table["back_off"], color="#f4a6a6", edgecolor="#a61c1c", label="measured"
        )
        rule = expected_backoff(int(table["restart"].max()))
        bottom.plot(
            range(1, len(rule) + 1),
            rule,
            "o--",
            color="#326ce5",
            label="the rule: at once, then 10 s doubling, at most 300 s",
        )
        lift = max(float(table["back_off"].max()), 1.0) * 0.05  # labels just above the bars and the rule
        for row in table.itertuples(index=False):
            bottom.text(row.restart + 0.12, row.back_off + lift, f"{row.back_off:g}s", ha="left", fontsize=7)
        bottom.set_ylim(0, max(float(table["back_off"].max()), 1.0) * 1.2)
        bottom.set_xticks(list(table["restart"]))
        bottom.legend(fontsize=7, loc="upper left")
    bottom.set_xlabel("restart number (restartCount)")
    bottom.set_ylabel("wait before it (s)")
    fig.tight_layout()
    plt.close(fig)
    return fig


__all__ = [
    "CONTAINER_STATE_COLOURS",
    "TimelineRecorder",
    "backoff_table",
    "container_state",
    "expected_backoff",
    "plot_crash_loop",
    "plot_timeline",
    "pod_rows",
    "segments",
]
