"""Specification of the traced request on the diagram (k8slab.viz.trace)."""

from __future__ import annotations

import pytest

from k8slab import Cluster
from k8slab.net.request import request
from k8slab.viz.architecture import step_svg
from k8slab.viz.trace import TraceWalker, trace_diagram


@pytest.fixture(scope="module")
def response():
    cluster = Cluster(nodes=3, seed=0)
    cluster.apply(
        [
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": "web", "namespace": "default"},
                "spec": {
                    "replicas": 1,
                    "selector": {"matchLabels": {"app": "web"}},
                    "template": {
                        "metadata": {"labels": {"app": "web"}},
                        "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]},
                    },
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {"name": "web", "namespace": "default"},
                "spec": {"type": "LoadBalancer", "selector": {"app": "web"}, "ports": [{"port": 80}]},
            },
        ]
    )
    cluster.run(seconds=30)
    return request(cluster, "http://203.0.113.1/")


def test_the_walker_starts_at_the_first_hop_with_its_step_lit(response):
    walker = TraceWalker(response)
    assert walker.hop == 1 and walker.highlighted == (11,)
    assert walker.diagram.value == step_svg(11)
    assert "Hop 1 of" in walker.caption.value and "load balancer" in walker.caption.value


def test_moving_the_slider_replays_the_hops_in_order(response):
    walker = TraceWalker(response)
    seen = []
    for index in range(1, walker.hops + 1):
        walker.slider.value = index
        seen.append(walker.highlighted[0])
        assert walker.diagram.value == step_svg(seen[-1])
        assert walker.table.value.count("font-weight:bold") == 1
    assert seen == [hop.step for hop in response.trace]


def test_go_to_moves_the_slider_and_bad_hops_are_refused(response):
    walker = TraceWalker(response)
    walker.go_to(walker.hops)
    assert walker.slider.value == walker.hops and walker.highlighted == (15,)
    for bad in (0, walker.hops + 1, "2", True):
        with pytest.raises(ValueError, match="hop must be a number from 1 to"):
            walker.go_to(bad)
    assert walker.hop == walker.hops


def test_the_walker_shows_a_short_line_and_a_static_caption_and_table(response):
    bundle = TraceWalker(response, start=2)._repr_mimebundle_()
    assert bundle["text/plain"].startswith("TraceWalker(hop=2 of ")
    assert "\n" not in bundle["text/plain"]
    assert "<svg" not in bundle["text/html"] and "Hop 2 of" in bundle["text/html"]
    assert bundle["text/html"].count("<tr") == len(response.trace) + 1


def test_the_whole_trace_lights_every_step_it_went_through(response):
    assert trace_diagram(response).highlight == (11, 12, 13, 14, 15)


def test_what_is_not_a_response_is_refused():
    with pytest.raises(TypeError, match="TraceWalker needs what request"):
        TraceWalker("http://203.0.113.1/")
