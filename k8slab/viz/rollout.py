"""A rollout over time: each ReplicaSet's pod counts as the Deployment controller scales them.

Built for notebook 03. A rolling update is a sequence of small scalings of
two ReplicaSets (the old template's down, the new template's up); this module
records every change of those counts as it happens and draws them:

    rollout = RolloutRecorder(cluster, "web")      # starts watching ReplicaSets now
    cluster.kubectl("set image deployment/web nginx=nginx:1.16.1")
    cluster.run(seconds=60)
    rollout.samples()                              # a DataFrame: one row per change
    plot_rollout(rollout.samples(), bounds=...)    # a matplotlib figure

The recorder is a client like any other: an informer on ReplicaSets, whose
handler writes a row whenever one of the Deployment's ReplicaSets changes, so
the rows fall at the exact virtual times of the changes (no sampling).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

REVISION = "deployment.kubernetes.io/revision"
COLUMNS = ["time", "replicaset", "revision", "image", "desired", "current", "ready", "available"]


def _owner_uid(obj: dict) -> str | None:
    for ref in obj["metadata"].get("ownerReferences") or []:
        if ref.get("controller"):
            return ref.get("uid")
    return None


def replica_set_row(time: float, rs: dict) -> dict:
    """One ReplicaSet's counts at `time`: desired (spec.replicas), current, ready, available (its status)."""
    spec, status = rs.get("spec") or {}, rs.get("status") or {}
    containers = ((spec.get("template") or {}).get("spec") or {}).get("containers") or []
    revision = (rs["metadata"].get("annotations") or {}).get(REVISION)
    return {
        "time": time,
        "replicaset": rs["metadata"]["name"],
        "revision": int(revision) if revision and revision.isdigit() else 0,
        "image": ", ".join(c.get("image", "") for c in containers),
        "desired": spec.get("replicas", 1),
        "current": status.get("replicas") or 0,
        "ready": status.get("readyReplicas") or 0,
        "available": status.get("availableReplicas") or 0,
    }


class RolloutRecorder:
    """Records the counts of one Deployment's ReplicaSets at every change, from now until `stop()`."""

    def __init__(self, cluster: Any, deployment: str, namespace: str = "default"):
        from k8slab.client import Client, Informer

        api = getattr(cluster, "api", cluster)
        if not hasattr(api, "watch"):
            raise TypeError(
                f"a RolloutRecorder needs a Cluster or an APIServer, got {type(cluster).__name__}"
            )
        self.api = api
        self.loop = api.loop
        self.deployment = deployment
        self.namespace = namespace
        self.uid = api.get("deployments", deployment, namespace)["metadata"]["uid"]  # NotFound if absent
        self.start = self.loop.now
        self.rows: list[dict] = []
        self._last: dict[str, tuple] = {}
        self.informer = Informer(
            Client(api, user="k8slab-rollout-recorder"), "replicasets", namespace=namespace
        )
        self.informer.add_event_handler(on_add=self._seen, on_update=lambda old, new: self._seen(new))
        self.informer.run()
        for rs in sorted(self.informer.list(), key=lambda r: r["metadata"]["name"]):
            self._seen(rs)  # the state at the start, at once (the handler calls repeat it harmlessly)

    def __repr__(self) -> str:
        return f"RolloutRecorder(deployment={self.deployment!r}, changes={len(self.rows)})"

    def _seen(self, rs: dict) -> None:
        if _owner_uid(rs) != self.uid:
            return
        row = replica_set_row(self.loop.now, rs)
        counts = tuple(row[c] for c in COLUMNS[2:])
        if self._last.get(row["replicaset"]) == counts:
            return  # nothing we draw changed (a status write that only touched other fields)
        self._last[row["replicaset"]] = counts
        self.rows.append(row)

    def stop(self) -> pd.DataFrame:
        """Stop watching; returns the samples."""
        self.informer.stop()
        return self.samples()

    def samples(self) -> pd.DataFrame:
        """One row per change of a ReplicaSet's counts, in the order they happened."""
        return pd.DataFrame(self.rows, columns=COLUMNS)


def counts_over_time(samples: pd.DataFrame, column: str = "ready") -> pd.DataFrame:
    """The samples as a table: one row per change, one column per ReplicaSet (oldest revision first).

    Each row holds every ReplicaSet's `column` count just after that change,
    with the virtual `time` it happened at; several changes often happen at
    the same instant (one sync of the Deployment controller), in this order."""
    if column not in COLUMNS[4:]:
        raise ValueError(f"column must be one of {', '.join(COLUMNS[4:])}, got {column!r}")
    order = samples.sort_values(["revision", "replicaset"])["replicaset"].drop_duplicates().tolist()
    current = dict.fromkeys(order, 0)
    rows = []
    for sample in samples.itertuples(index=False):
        current[sample.replicaset] = getattr(sample, column)
        rows.append({"time": sample.time, **current})
    return pd.DataFrame(rows, columns=["time", *order])


def plot_rollout(
    samples: pd.DataFrame,
    bounds: tuple[int, int] | None = None,
    title: str = "Rolling update: pods of each ReplicaSet",
    until: float | None = None,
):
    """Ready pods (solid) and desired pods (dashed) of each ReplicaSet over virtual time, as steps.

    `bounds=(min_available, max_total)` draws the two limits a rolling update
    keeps to: at least `replicas - maxUnavailable` pods available, at most
    `replicas + maxSurge` pods in all. Returns the matplotlib Figure.
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 3.6), dpi=100)
    if samples.empty:
        ax.text(0.5, 0.5, "no samples", ha="center", transform=ax.transAxes)
        plt.close(fig)
        return fig
    start, last = float(samples["time"].min()), float(samples["time"].max())
    lead = max(0.5, (last - start) * 0.08)  # a little room before the first change and after the last
    end = until if until is not None else last + lead
    first = {
        column: counts_over_time(samples, column).iloc[0].drop("time") for column in ("ready", "desired")
    }
    ready = counts_over_time(samples, "ready").groupby("time").last()  # what stood at each instant
    desired = counts_over_time(samples, "desired").groupby("time").last()
    images = samples.drop_duplicates("replicaset").set_index("replicaset")["image"]
    revisions = samples.drop_duplicates("replicaset").set_index("replicaset")["revision"]
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    times = [start - lead, *ready.index, end]  # from just before the first change: the state we started in

    def line(table: pd.DataFrame, column: str, name: str) -> list[int]:
        return [first[column][name], *table[name], table[name].iloc[-1]]

    for i, name in enumerate(ready.columns):
        colour = colours[i % len(colours)]
        label = f"rev {revisions[name]} ({images[name]})"
        ax.step(
            times,
            line(ready, "ready", name),
            where="post",
            color=colour,
            linewidth=2.2,
            label=f"{label}: ready",
        )
        ax.step(
            times,
            line(desired, "desired", name),
            where="post",
            color=colour,
            linestyle="--",
            linewidth=1.2,
            label=f"{label}: desired",
        )
    total = ready.sum(axis=1)
    ax.step(
        times,
        [sum(first["ready"]), *total, total.iloc[-1]],
        where="post",
        color="black",
        linewidth=1,
        zorder=3,
        label="ready in all",
    )
    if bounds is not None:
        low, high = bounds
        for value, text in ((low, f"min available {low}"), (high, f"max pods {high}")):
            ax.axhline(value, color="#c0392b", linestyle=":", linewidth=1)
            ax.text(start - lead, value, f" {text}", va="bottom", fontsize=8, color="#c0392b")
    ax.set_xlim(start - lead, end)
    ax.set_xlabel("virtual time (s)")
    ax.set_ylabel("pods")
    ax.set_title(title)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_ylim(0, max(total.max(), desired.sum(axis=1).max(), *(bounds or ())) + 1.5)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    plt.close(fig)  # the notebook shows the returned figure once, not a second copy from pyplot
    return fig


__all__ = ["RolloutRecorder", "counts_over_time", "plot_rollout", "replica_set_row"]
