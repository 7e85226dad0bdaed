"""Two paths, one answer: the vectorised fast path picks the node the per-node plugins pick."""

from __future__ import annotations

import random

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from k8slab.api.server import APIServer
from k8slab.client import Client
from k8slab.cluster import node_object
from k8slab.scheduler import CycleState, FitError, Scheduler
from k8slab.scheduler.fastpath import FastPath
from k8slab.scheduler.nodeinfo import PodInfo
from k8slab.sim import Loop
from k8slab.store import Store

TAINTS = [{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"},
          {"key": "spot", "effect": "PreferNoSchedule"},
          {"key": "flaky", "effect": "PreferNoSchedule"},
          {"key": "maintenance", "effect": "NoExecute"}]
TOLERATIONS = [{"key": "dedicated", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"},
               {"key": "spot", "operator": "Exists"},
               {"operator": "Exists", "effect": "NoExecute"}]
MB = 1024 * 1024
IMAGES = [{"names": ["app:1"], "sizeBytes": 300 * MB}, {"names": ["db:2"], "sizeBytes": 900 * MB}]

nodes_st = st.fixed_dictionaries({
    "cpu": st.sampled_from(["500m", "1", "2", "4", "8"]),
    "memory": st.sampled_from(["512Mi", "1Gi", "4Gi", "16Gi"]),
    "pods": st.sampled_from(["2", "110"]),
    "zone": st.sampled_from(["zone-a", "zone-b", "zone-c"]),
    "labels": st.sampled_from([{}, {"disk": "ssd"}, {"disk": "hdd"}, {"disk": "ssd", "gpu": "true"}]),
    "taints": st.lists(st.sampled_from(TAINTS), max_size=2, unique_by=lambda t: t["key"]),
    "unschedulable": st.booleans(),
    "images": st.lists(st.sampled_from(IMAGES), max_size=2, unique_by=lambda i: i["names"][0]),
})

requests_st = st.fixed_dictionaries({}, optional={"cpu": st.sampled_from(["100m", "250m", "1", "3"]),
                                                  "memory": st.sampled_from(["64Mi", "512Mi", "2Gi", "8Gi"])})

pod_st = st.fixed_dictionaries({
    "requests": requests_st,
    "tolerations": st.lists(st.sampled_from(TOLERATIONS), max_size=2),
    "nodeSelector": st.sampled_from([None, {"disk": "ssd"}]),
    "required": st.sampled_from([None, ["zone-a", "zone-b"], ["zone-c"]]),
    "preferred": st.lists(st.tuples(st.integers(1, 100), st.sampled_from(["ssd", "hdd"])), max_size=2),
    "image": st.sampled_from(["nginx", "app:1", "db:2"]),
    "app": st.sampled_from([None, "web", "web", "db"]),  # app=web pods belong to the Service "web"
})


def pod_object(name: str, shape: dict) -> dict:
    container = {"name": "c", "image": shape["image"], "resources": {"requests": shape["requests"]}}
    spec: dict = {"containers": [container], "tolerations": shape["tolerations"]}
    if shape["nodeSelector"]:
        spec["nodeSelector"] = shape["nodeSelector"]
    affinity: dict = {}
    if shape["required"]:
        zone_in = {"key": "topology.kubernetes.io/zone", "operator": "In", "values": shape["required"]}
        affinity["requiredDuringSchedulingIgnoredDuringExecution"] = {
            "nodeSelectorTerms": [{"matchExpressions": [zone_in]}]}
    if shape["preferred"]:
        affinity["preferredDuringSchedulingIgnoredDuringExecution"] = [
            {"weight": w, "preference": {"matchExpressions": [{"key": "disk", "operator": "In",
                                                               "values": [d]}]}}
            for w, d in shape["preferred"]]
    if affinity:
        spec["affinity"] = {"nodeAffinity": affinity}
    labels = {"app": shape["app"]} if shape.get("app") else {}
    return {"metadata": {"name": name, "namespace": "default", "labels": labels}, "spec": spec}


def make_scheduler(node_shapes, bound, seed) -> Scheduler:
    scheduler = Scheduler(Client(APIServer(Store(Loop(seed=seed)))), fast_path=False)
    service = {"metadata": {"name": "web", "namespace": "default"}, "spec": {"selector": {"app": "web"}}}
    scheduler.service_informer._store("default/web", service)  # as if the informer had listed it
    for index, shape in enumerate(node_shapes, start=1):
        node = node_object(index, shape)
        if shape["images"]:
            node["status"]["images"] = shape["images"]
        scheduler._on_node_add(node)
    order = scheduler.node_order()
    for i, (shape, where) in enumerate(bound):
        pod = pod_object(f"bound-{i}", shape)
        pod["spec"]["nodeName"] = order[where % len(order)]
        scheduler._add_assigned(pod)
    return scheduler


def reference_choice(scheduler, pod_info):
    try:
        fwk = scheduler.framework_for(pod_info.pod)
        return scheduler.schedule_pod(fwk, CycleState(), pod_info).suggested_host
    except FitError:
        return None


def assert_same_totals(scheduler, fast, fwk, pod_info):
    """Every feasible node's weighted total, not only the winner, is the same on both paths."""
    fast.sync()
    feasible = np.nonzero(fast.feasible_mask(pod_info))[0]
    infos = [scheduler.nodes[fast.order[i]] for i in feasible]
    state = CycleState()
    fwk.run_pre_filter(state, pod_info)
    passing = [name for name, info in zip(fast.order, map(scheduler.nodes.get, fast.order), strict=True)
               if fwk.run_filter(state, pod_info, info).is_success()]
    assert [info.name for info in infos] == passing
    if len(infos) < 2:
        return
    state = CycleState()
    fwk.run_pre_score(state, pod_info, infos)
    expected = [result.total for result in fwk.run_score(state, pod_info, infos)]
    assert fast.scores(pod_info, feasible).tolist() == expected


def assert_same_choices(scheduler, pods, seed, fast=None):
    fast = fast if fast is not None else FastPath(scheduler)
    fwk = scheduler.framework_for(pods[0].pod)
    for pod_info in pods:
        assert fast.eligible(fwk, pod_info)  # really on the fast path, not handed over
        assert_same_totals(scheduler, fast, fwk, pod_info)
        start, rng_state = scheduler.next_start_node_index, random.Random(seed).getstate()
        scheduler.rng.setstate(rng_state)
        expected = reference_choice(scheduler, pod_info)
        expected_start, expected_rng = scheduler.next_start_node_index, scheduler.rng.getstate()
        scheduler.next_start_node_index = start
        scheduler.rng.setstate(rng_state)
        got = fast.schedule(fwk, pod_info)
        if got is None:  # no feasible node: the fast path hands over to the reference path
            assert expected is None
            scheduler.next_start_node_index = expected_start
            continue
        assert got == expected
        assert scheduler.next_start_node_index == expected_start
        assert scheduler.rng.getstate() == expected_rng
        scheduler._assume(pod_info, got)  # both paths see it next time


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nodes=st.lists(nodes_st, min_size=1, max_size=12),
       bound=st.lists(st.tuples(pod_st, st.integers(0, 1000)), max_size=10),
       pods=st.lists(pod_st, min_size=1, max_size=6), seed=st.integers(0, 2**16))
def test_fast_path_chooses_the_same_node_as_the_plugins(nodes, bound, pods, seed):
    scheduler = make_scheduler(nodes, bound, seed)
    assert_same_choices(scheduler, [PodInfo.of(pod_object(f"p{i}", p)) for i, p in enumerate(pods)], seed)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(node=nodes_st, count=st.integers(100, 260), pods=st.lists(pod_st, min_size=1, max_size=4),
       seed=st.integers(0, 2**16))
def test_fast_path_agrees_when_it_stops_at_percentage_of_nodes_to_score(node, count, pods, seed):
    shapes = [dict(node, zone=z, cpu=c) for z, c in zip(["zone-a", "zone-b", "zone-c"] * count,
                                                        ["1", "2", "4", "8"] * count, strict=False)][:count]
    scheduler = make_scheduler(shapes, [], seed)
    scheduler.next_start_node_index = seed % count
    assert_same_choices(scheduler, [PodInfo.of(pod_object(f"p{i}", p)) for i, p in enumerate(pods)], seed)


def test_fast_path_hands_over_pods_it_does_not_cover():
    shape = {"cpu": "1", "memory": "1Gi", "pods": "110", "zone": "zone-a", "labels": {}, "taints": [],
             "unschedulable": False, "images": []}
    no_app = None
    scheduler = make_scheduler([shape], [], 0)
    pod = pod_object("p", {"requests": {}, "tolerations": [], "nodeSelector": None, "required": None,
                           "preferred": [], "image": "nginx", "app": no_app})
    pod["spec"]["topologySpreadConstraints"] = [{"maxSkew": 1, "topologyKey": "kubernetes.io/hostname",
                                                 "whenUnsatisfiable": "DoNotSchedule",
                                                 "labelSelector": {"matchLabels": {"app": "x"}}}]
    info = PodInfo.of(pod)
    assert FastPath(scheduler).schedule(scheduler.framework_for(pod), info) is None


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(full_from=st.integers(0, 299), full=st.integers(0, 299), start=st.integers(0, 299),
       seed=st.integers(0, 2**16))
def test_fast_path_agrees_when_a_run_of_full_nodes_makes_the_search_wrap(full_from, full, start, seed):
    """The fast path filters a stretch of nodes at a time; past a run of nodes too small for the pod it
    must go on, wrap around past the last node, and stop where the reference path's loop stops."""
    shape = {"cpu": "8", "memory": "4Gi", "pods": "110", "zone": "zone-a", "labels": {}, "taints": [],
             "unschedulable": False, "images": []}
    small = {(full_from + i) % 300 for i in range(full)}
    shapes = [dict(shape, cpu="1" if i in small else "8", zone=f"zone-{'abc'[i % 3]}") for i in range(300)]
    scheduler = make_scheduler(shapes, [], seed)
    scheduler.next_start_node_index = start
    big = {"requests": {"cpu": "2"}, "tolerations": [], "nodeSelector": None, "required": None,
           "preferred": [], "image": "nginx", "app": "web"}
    assert_same_choices(scheduler, [PodInfo.of(pod_object(f"p{i}", big)) for i in range(3)], seed)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nodes=st.lists(nodes_st, min_size=2, max_size=8), pods=st.lists(pod_st, min_size=1, max_size=3),
       seed=st.integers(0, 2**16))
def test_fast_path_scores_stay_right_for_pods_of_a_shape_it_has_seen(nodes, pods, seed):
    """Resource scores are kept per shape of request and updated row by row as pods land: pods of the
    same shapes, again and again, must still score every node as the plugins do."""
    scheduler = make_scheduler(nodes, [], seed)
    repeated = [PodInfo.of(pod_object(f"p{i}-{round}", p)) for round in range(4) for i, p in enumerate(pods)]
    assert_same_choices(scheduler, repeated, seed)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nodes=st.lists(nodes_st, min_size=2, max_size=6),
       bound=st.lists(st.tuples(pod_st, st.integers(0, 1000)), min_size=1, max_size=10),
       gone=st.lists(st.integers(0, 9), max_size=5), relabelled=st.lists(st.integers(0, 9), max_size=5),
       pods=st.lists(pod_st, min_size=1, max_size=3), seed=st.integers(0, 2**16))
def test_fast_path_spreading_counts_follow_pods_that_leave_or_change(nodes, bound, gone, relabelled, pods,
                                                                     seed):
    """The per-node counts of matching pods are updated by what changed on a node: pods that went,
    and bound pods whose labels changed, must count as the plugins count them."""
    scheduler = make_scheduler(nodes, bound, seed)
    fast = FastPath(scheduler)
    infos = [PodInfo.of(pod_object(f"p{i}", p)) for i, p in enumerate(pods)]
    assert_same_choices(scheduler, infos, seed, fast)
    for i in relabelled:
        key = f"default/bound-{i}"
        if key in scheduler.pod_nodes:
            node = scheduler.nodes[scheduler.pod_nodes[key]]
            pod = dict(node.pods[key].pod)
            labels = pod["metadata"].get("labels") or {}
            pod["metadata"] = dict(pod["metadata"], labels={} if labels else {"app": "web"})
            scheduler._add_assigned(pod)
    for i in gone:
        scheduler._forget_assigned(f"default/bound-{i}")
    again = [PodInfo.of(pod_object(f"q{i}", p)) for i, p in enumerate(pods)]
    assert_same_choices(scheduler, again, seed, fast)


def test_fast_path_spreading_counts_drop_pods_that_left_a_node():
    shape = {"cpu": "8", "memory": "16Gi", "pods": "110", "zone": "zone-a", "labels": {}, "taints": [],
             "unschedulable": False, "images": []}
    web = {"requests": {"cpu": "100m"}, "tolerations": [], "nodeSelector": None, "required": None,
           "preferred": [], "image": "nginx", "app": "web"}
    scheduler = make_scheduler([shape, dict(shape, zone="zone-b")], [], 0)
    for i in range(3):
        pod = pod_object(f"bound-{i}", web)
        pod["spec"]["nodeName"] = scheduler.node_order()[0]
        scheduler._add_assigned(pod)
    fast = FastPath(scheduler)
    assert_same_choices(scheduler, [PodInfo.of(pod_object("p0", web))], 0, fast)
    for i in range(3):
        scheduler._forget_assigned(f"default/bound-{i}")
    assert_same_choices(scheduler, [PodInfo.of(pod_object("q0", web))], 0, fast)
