"""A traffic generator: N requests per virtual second, while the cluster goes on changing.

Built in notebook 08 and used throughout notebook 09 (a rolling update under
steady traffic, a node failure under traffic). A single `request()` is a
snapshot: it looks at the cluster at one instant. Traffic is many of them
spread over virtual time, interleaved with everything else on the event
loop: request k is a callback due at `start + k / rate`, so between two
requests the Deployment controller may have made a new pod, a kubelet may
have killed an old one, kube-proxy may have rewritten its rules. Each
request sees the cluster exactly as it is at its own instant.

    result = traffic(cluster, "http://203.0.113.1/", rate=50, seconds=60,
                     at={20: lambda c: c.fail_node("node-2")})
    result                     # one row per request: time, status, ok, error, latency, pod, node, version
    success_rate(result)       # per second: requests, ok, failed, success rate
    version_mix(result)        # per second: the share of answers from each version

`Traffic(cluster, url, rate).start()` does the same without running the
loop, for a live view that advances time itself (`stop()` ends it).

Simplified, out loud: requests are sent at an exact, even rate (real clients
are burstier); every request is a new connection (no keep-alive); a
request's answer is recorded at the instant it was sent, with its modelled
latency beside it (see `k8slab.net.request`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pandas as pd

from k8slab.api.errors import StatusError
from k8slab.net.request import CONNECT_TIMEOUT, DEFAULT_CLIENT, check, request

COLUMNS = ["time", "second", "status", "ok", "error", "latency ms", "pod", "node", "version"]


class Traffic:
    """Requests at `rate` per virtual second to `url`, recorded as they are answered."""

    def __init__(
        self,
        cluster: Any,
        url: str,
        rate: float,
        method: str = "GET",
        source: str | None = None,
        client_ip: str = DEFAULT_CLIENT,
        timeout: float = CONNECT_TIMEOUT,
    ):
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 < rate <= 100_000:
            raise ValueError(
                f"rate must be a number of requests per second > 0 (at most 100000), got {rate!r}"
            )
        self.cluster = cluster
        self.loop = cluster.loop
        self.url, self.method, self.rate = url, method, float(rate)
        self.source, self.client_ip, self.timeout = source, client_ip, timeout
        check(cluster, url, method, source, client_ip, timeout=timeout)  # bad arguments raise here, at once
        self.records: list[tuple] = []
        self.started_at: float | None = None
        self.until: float | None = None
        self.sent = 0
        self._timer = None

    def __repr__(self) -> str:
        state = "running" if self._timer is not None else "stopped"
        return f"Traffic({self.url!r}, rate={self.rate:g}/s, sent={self.sent}, {state})"

    def start(self, seconds: float | None = None) -> Traffic:
        """Schedule the requests on the loop (for `seconds`, or until `stop()`); returns self."""
        if seconds is not None and (
            isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds <= 0
        ):
            raise ValueError(f"seconds must be a number > 0, got {seconds!r}")
        if self._timer is not None:
            return self
        self.started_at = self.loop.now if self.started_at is None else self.started_at
        self.until = None if seconds is None else self.loop.now + seconds
        self._schedule()
        return self

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _schedule(self) -> None:
        when = self.started_at + self.sent / self.rate
        if when < self.loop.now:  # restarted after a pause: carry on from now
            self.started_at = self.loop.now - self.sent / self.rate
            when = self.loop.now
        if self.until is not None and when >= self.until - 1e-9:
            self._timer = None
            return
        self._timer = self.loop.call_at(when, self._send)

    def _send(self) -> None:
        self._timer = None
        now = self.loop.now
        try:
            response = request(
                self.cluster, self.url, self.method, self.source, self.client_ip, timeout=self.timeout
            )
            row = (
                now,
                math.floor(now - self.started_at + 1e-9),
                response.status,
                response.ok,
                response.error,
                round(response.latency * 1000, 3),
                response.pod,
                response.node,
                response.version,
            )
        except (ValueError, StatusError) as error:  # the source pod went away meanwhile
            row = (now, math.floor(now - self.started_at + 1e-9), 0, False, str(error), 0.0, "", "", "")
        self.records.append(row)
        self.sent += 1
        self._schedule()

    def frame(self) -> pd.DataFrame:
        """One row per request: when it was sent, what came back, who answered."""
        return pd.DataFrame(self.records, columns=COLUMNS)


def traffic(
    cluster: Any,
    url: str,
    rate: float,
    seconds: float,
    at: dict[float, Callable[[Any], Any]] | None = None,
    **options: Any,
) -> pd.DataFrame:
    """Send `rate` requests per virtual second for `seconds`, running the cluster meanwhile; one row each.

    `at` maps seconds into the run to something to do then, with the cluster
    as argument (`{20: lambda c: c.fail_node("node-2")}`). Other options go
    to `Traffic` (method, source, client_ip, timeout).
    """
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds <= 0:
        raise ValueError(f"seconds must be a number > 0, got {seconds!r}")
    for moment, action in (at or {}).items():
        if not isinstance(moment, int | float) or not 0 <= moment <= seconds or not callable(action):
            raise ValueError(f"at: {moment!r} must be seconds from 0 to {seconds:g}, each with a function")
    generator = Traffic(cluster, url, rate, **options)
    start = cluster.loop.now
    for moment, action in sorted((at or {}).items()):
        cluster.loop.call_at(start + moment, action, cluster)
    generator.start(seconds)
    cluster.run(seconds=seconds)
    generator.stop()
    result = generator.frame()
    result.attrs.update(url=url, rate=float(rate), seconds=float(seconds))
    return result


def success_rate(frame: pd.DataFrame) -> pd.DataFrame:
    """Per second of the run: requests sent, answered well, failed, and the share that succeeded."""
    grouped = frame.groupby("second")
    result = pd.DataFrame(
        {
            "requests": grouped.size(),
            "ok": grouped["ok"].sum().astype(int),
        }
    )
    result["failed"] = result["requests"] - result["ok"]
    result["success rate"] = (result["ok"] / result["requests"]).round(4)
    return result


def version_mix(frame: pd.DataFrame) -> pd.DataFrame:
    """Per second of the run: the share of successful answers that came from each version."""
    answered = frame[frame["ok"]]
    if answered.empty:
        return pd.DataFrame(index=pd.Index([], name="second"))
    counts = answered.groupby(["second", "version"]).size().unstack(fill_value=0)
    counts.columns.name = None
    return counts.div(counts.sum(axis=1), axis=0).round(4)


def summary(frame: pd.DataFrame) -> pd.DataFrame:
    """The whole run in one row: requests, failures, success rate, latency p50 / p99 / max (ms)."""
    latency = frame.loc[frame["ok"], "latency ms"]
    return pd.DataFrame(
        [
            {
                "requests": len(frame),
                "failed": int((~frame["ok"]).sum()),
                "success rate": round(float(frame["ok"].mean()), 4) if len(frame) else float("nan"),
                "p50 ms": round(float(latency.quantile(0.5)), 3) if len(latency) else float("nan"),
                "p99 ms": round(float(latency.quantile(0.99)), 3) if len(latency) else float("nan"),
                "max ms": round(float(latency.max()), 3) if len(latency) else float("nan"),
            }
        ]
    )


__all__ = ["COLUMNS", "Traffic", "success_rate", "summary", "traffic", "version_mix"]
