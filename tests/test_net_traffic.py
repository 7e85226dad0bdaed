"""Specification of the traffic generator (k8slab.net.traffic): requests spread over virtual time."""

from __future__ import annotations

import pytest

from k8slab import Cluster
from k8slab.net.traffic import COLUMNS, Traffic, success_rate, summary, traffic, version_mix

LB = "http://203.0.113.1/"


def web(graceful: bool) -> dict:
    container = {"name": "web", "image": "nginx:1.27", "ports": [{"containerPort": 80}]}
    if graceful:  # the usual recipe for rolling updates without errors
        container["readinessProbe"] = {"httpGet": {"path": "/", "port": 80}, "periodSeconds": 2}
        container["lifecycle"] = {"preStop": {"exec": {"command": ["sleep", "5"]}}}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [container]}},
        },
    }


LB_SERVICE = {
    "apiVersion": "v1",
    "kind": "Service",
    "metadata": {"name": "web", "namespace": "default"},
    "spec": {"type": "LoadBalancer", "selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 80}]},
}


def lab(graceful: bool = True, seed: int = 0) -> Cluster:
    cluster = Cluster(nodes=3, seed=seed)
    cluster.apply([web(graceful), LB_SERVICE])
    cluster.run(seconds=30)
    return cluster


def set_image(cluster: Cluster) -> None:
    cluster.kubectl("set image deployment/web web=nginx:1.28")


def test_requests_are_sent_at_an_even_rate_for_the_given_virtual_seconds():
    cluster = lab()
    start = cluster.now
    frame = traffic(cluster, LB, rate=20, seconds=3)
    assert list(frame.columns) == COLUMNS
    assert len(frame) == 60 and cluster.now == start + 3
    assert frame["time"].diff().dropna().round(9).eq(0.05).all()
    assert frame["second"].value_counts().eq(20).all() and frame["ok"].all()


def test_a_rolling_update_with_readiness_and_a_prestop_pause_loses_no_request():
    cluster = lab(graceful=True)
    frame = traffic(cluster, LB, rate=50, seconds=40, at={5: set_image})
    assert summary(frame)["failed"][0] == 0
    mix = version_mix(frame)
    assert mix.loc[0, "1.27"] == 1.0 and mix.iloc[-1]["1.28"] == 1.0
    assert ((mix["1.27"] > 0) & (mix["1.28"] > 0)).any()  # both versions answered for a while


def test_a_rolling_update_without_them_loses_requests_to_pods_already_gone():
    cluster = lab(graceful=False)
    frame = traffic(cluster, LB, rate=50, seconds=40, at={5: set_image})
    failed = frame[~frame["ok"]]
    assert len(failed) > 0 and failed["second"].min() >= 5
    assert failed["error"].str.contains("No route to host|Connection refused").all()


def test_a_node_failure_under_traffic_shows_errors_from_that_moment():
    cluster = lab()
    frame = traffic(cluster, LB, rate=20, seconds=20, at={5: lambda c: c.fail_node("node-2")})
    rates = success_rate(frame)
    assert rates.loc[:4, "success rate"].eq(1.0).all()
    assert rates.loc[5:, "failed"].sum() > 0
    assert frame.loc[frame["second"] >= 5, "node"].ne("node-2").all()  # nothing answers from node-2


def test_the_same_seed_gives_the_same_records():
    def run():
        frame = traffic(lab(graceful=False, seed=4), LB, rate=30, seconds=20, at={2: set_image})
        return frame.to_dict("list")

    assert run() == run()


def test_a_traffic_object_sends_only_while_the_loop_runs_and_stops_when_asked():
    cluster = lab()
    generator = Traffic(cluster, LB, rate=10).start()
    assert generator.sent == 0
    cluster.run(seconds=2)
    assert generator.sent == 21  # at 0, 0.1, ..., 2.0: the loop runs what is due at its end, too
    generator.stop()
    cluster.run(seconds=2)
    assert generator.sent == 21 and len(generator.frame()) == 21


def test_summaries_count_per_second_and_for_the_whole_run():
    cluster = lab()
    frame = traffic(cluster, LB, rate=10, seconds=2)
    assert success_rate(frame).to_dict("list") == {
        "requests": [10, 10],
        "ok": [10, 10],
        "failed": [0, 0],
        "success rate": [1.0, 1.0],
    }
    assert version_mix(frame).to_dict("list") == {"1.27": [1.0, 1.0]}
    assert summary(frame).loc[0, "requests"] == 20


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"rate": 0, "seconds": 1}, "rate must be"),
        ({"rate": "fast", "seconds": 1}, "rate must be"),
        ({"rate": 10, "seconds": -1}, "seconds must be"),
        ({"rate": 10, "seconds": 5, "at": {9: set_image}}, "at: 9"),
        ({"rate": 10, "seconds": 5, "at": {1: "later"}}, "at: 1"),
        ({"rate": 10, "seconds": 5, "method": "FETCH"}, "unknown HTTP method"),
    ],
)
def test_bad_arguments_raise_before_anything_is_scheduled(kwargs, message):
    cluster = lab()
    pending, now = cluster.loop.pending(), cluster.now
    with pytest.raises(ValueError, match=message):
        traffic(cluster, LB, **kwargs)
    assert (cluster.loop.pending(), cluster.now) == (pending, now)
