"""InterPodAffinity end to end: required and preferred, affinity and anti-affinity."""

from __future__ import annotations

from test_scheduler_loop import make_cluster, node_of, scheduled_condition

from k8slab.scheduler.explain import explain

ZONE = "topology.kubernetes.io/zone"
HOST = "kubernetes.io/hostname"


def term(app, key):
    return {"labelSelector": {"matchLabels": {"app": app}}, "topologyKey": key}


def make(api, name, app, node=None, **affinity):
    spec = {"containers": [{"name": "c", "image": "nginx"}]}
    if affinity:
        spec["affinity"] = affinity
    if node:
        spec["nodeSelector"] = {HOST: node}
    api.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"app": app}},
                "spec": spec}, namespace="default")


def required(kind, *terms_):
    return {kind: {"requiredDuringSchedulingIgnoredDuringExecution": list(terms_)}}


def test_required_affinity_places_the_pod_in_the_same_zone():
    api, _ = make_cluster([{}, {}, {}])
    make(api, "db", "db", node="node-2")
    api.loop.run(seconds=1)
    make(api, "web", "web", **required("podAffinity", term("db", ZONE)))
    api.loop.run(seconds=1)
    assert node_of(api, "web") == "node-2"


def test_required_affinity_with_no_match_reason():
    api, _ = make_cluster([{}, {}])
    make(api, "web", "web", **required("podAffinity", term("db", ZONE)))
    api.loop.run(seconds=1)
    assert scheduled_condition(api, "web")["message"].startswith(
        "0/2 nodes are available: 2 node(s) didn't match pod affinity rules.")


def test_first_pod_of_a_self_affine_group_is_let_through():
    api, _ = make_cluster([{}, {}])
    make(api, "web", "web", **required("podAffinity", term("web", ZONE)))
    api.loop.run(seconds=1)
    assert node_of(api, "web") is not None


def test_required_anti_affinity_keeps_replicas_apart_with_its_reason():
    api, _ = make_cluster([{}, {}])
    for i in range(3):
        make(api, f"web-{i}", "web", **required("podAntiAffinity", term("web", HOST)))
        api.loop.run(seconds=1)
    assert {node_of(api, "web-0"), node_of(api, "web-1")} == {"node-1", "node-2"}
    assert scheduled_condition(api, "web-2")["message"].startswith(
        "0/2 nodes are available: 2 node(s) didn't match pod anti-affinity rules.")


def test_existing_pods_anti_affinity_reason():
    api, _ = make_cluster([{}])
    make(api, "loner", "loner", **required("podAntiAffinity", term("web", HOST)))
    api.loop.run(seconds=1)
    make(api, "web", "web")
    api.loop.run(seconds=1)
    assert scheduled_condition(api, "web")["message"].startswith(
        "0/1 nodes are available: 1 node(s) didn't satisfy existing pods anti-affinity rules.")


def test_preferred_affinity_scores_the_matching_zone_highest():
    api, scheduler = make_cluster([{}, {}, {}])
    make(api, "cache", "cache", node="node-3")
    api.loop.run(seconds=1)
    make(api, "web", "web", podAffinity={"preferredDuringSchedulingIgnoredDuringExecution": [
        {"weight": 50, "podAffinityTerm": term("cache", ZONE)}]})
    api.loop.run(seconds=1)
    assert node_of(api, "web") == "node-3"
    scores = explain(scheduler, "web")[("InterPodAffinity", "normalized")].to_dict()
    assert scores == {"node-1": 0, "node-2": 0, "node-3": 100}


def test_preferred_anti_affinity_scores_the_matching_node_lowest():
    api, scheduler = make_cluster([{}, {}])
    make(api, "noisy", "noisy", node="node-1")
    api.loop.run(seconds=1)
    make(api, "web", "web", podAntiAffinity={"preferredDuringSchedulingIgnoredDuringExecution": [
        {"weight": 100, "podAffinityTerm": term("noisy", HOST)}]})
    api.loop.run(seconds=1)
    assert node_of(api, "web") == "node-2"
