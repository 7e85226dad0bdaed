"""The default plugins, one behaviour per test: filter reasons in kubectl's words, upstream score cases."""

from __future__ import annotations

import pytest

from k8slab.scheduler.framework import Code, CycleState, default_normalize_score
from k8slab.scheduler.nodeinfo import NodeInfo, PodInfo
from k8slab.scheduler.plugins import (
    ImageLocality,
    NodeAffinity,
    NodeName,
    NodePorts,
    NodeResourcesBalancedAllocation,
    NodeResourcesFit,
    NodeUnschedulable,
    TaintToleration,
)
from k8slab.scheduler.plugins.fit import MOST_ALLOCATED


def node(name="node-1", cpu="4", memory="10000", pods="110", labels=None, taints=None, unschedulable=False,
         images=None):
    obj = {"metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, **(labels or {})}},
           "spec": {}, "status": {"allocatable": {"cpu": cpu, "memory": memory, "pods": pods}}}
    if taints:
        obj["spec"]["taints"] = taints
    if unschedulable:
        obj["spec"]["unschedulable"] = True
    if images:
        obj["status"]["images"] = images
    return NodeInfo(obj)


def pod(name="p", requests=(), spec=None, labels=None, image="nginx"):
    containers = [{"name": f"c{i}", "image": image, "resources": {"requests": {"cpu": cpu, "memory": memory}}}
                  for i, (cpu, memory) in enumerate(requests)] or [{"name": "c", "image": image}]
    return PodInfo.of({"metadata": {"name": name, "namespace": "default", "labels": labels or {}},
                       "spec": {"containers": containers, **(spec or {})}})


def run_filter(plugin, pod_info, node_info):
    state = CycleState()
    if hasattr(plugin, "pre_filter"):
        plugin.pre_filter(state, pod_info)
    return plugin.filter(state, pod_info, node_info)


# -- NodeResourcesFit: filter ----------------------------------------------------------


def test_fit_admits_a_pod_that_fits():
    assert run_filter(NodeResourcesFit(), pod(requests=[("1", "1000")]), node()).is_success()


def test_fit_reports_insufficient_cpu_when_the_node_is_full():
    info = node(cpu="2")
    info.add_pod(pod("other", requests=[("1500m", "0")]))
    status = run_filter(NodeResourcesFit(), pod(requests=[("1", "0")]), info)
    assert status.reasons == ["Insufficient cpu"]
    assert status.code == Code.Unschedulable  # preemption could help


def test_fit_request_larger_than_the_node_is_unresolvable():
    status = run_filter(NodeResourcesFit(), pod(requests=[("8", "0")]), node(cpu="4"))
    assert status.reasons == ["Insufficient cpu"]
    assert status.code == Code.UnschedulableAndUnresolvable


def test_fit_lists_every_missing_resource():
    status = run_filter(NodeResourcesFit(), pod(requests=[("8", "20000")]), node(cpu="4", memory="10000"))
    assert status.reasons == ["Insufficient cpu", "Insufficient memory"]


def test_fit_reports_too_many_pods():
    info = node(pods="1")
    info.add_pod(pod("other"))
    assert run_filter(NodeResourcesFit(), pod(), info).reasons == ["Too many pods"]


def test_fit_pod_without_requests_fits_a_full_node():
    info = node(cpu="1")
    info.add_pod(pod("other", requests=[("1", "0")]))
    assert run_filter(NodeResourcesFit(), pod(), info).is_success()


# -- NodeResourcesFit: LeastAllocated scores (upstream least_allocated_test.go) ----------


def least_allocated(pod_info, *node_infos):
    return [NodeResourcesFit().score(CycleState(), pod_info, n) for n in node_infos]


CPU_AND_MEMORY = [("1000m", "2000"), ("2000m", "3000")]  # upstream's cpuAndMemory pod: 3000m and 5000


def test_least_allocated_nothing_requested_scores_max():
    empty = PodInfo.of({"metadata": {"name": "p"}, "spec": {"containers": []}})
    assert least_allocated(empty, node(cpu="4000m"), node(cpu="4000m")) == [100, 100]


def test_least_allocated_differently_sized_nodes():
    # cpu (4000-3000)*100/4000 = 25, memory (10000-5000)*100/10000 = 50 -> 37
    # cpu (6000-3000)*100/6000 = 50, memory 50 -> 50
    assert least_allocated(pod(requests=CPU_AND_MEMORY), node(cpu="4000m"), node(cpu="6000m")) == [37, 50]


def test_least_allocated_counts_pods_already_on_the_node():
    # existing 3000m/5000 + new 3000m/5000 on 10000m/20000: cpu 40, memory 50 -> 45
    info = node(cpu="10000m", memory="20000")
    info.add_pod(pod("old", requests=CPU_AND_MEMORY))
    assert least_allocated(pod(requests=CPU_AND_MEMORY), info) == [45]


def test_least_allocated_request_over_capacity_scores_zero_for_that_resource():
    # cpu 3000 > 2000 -> 0, memory (10000-5000)*100/10000 = 50 -> 25
    assert least_allocated(pod(requests=CPU_AND_MEMORY), node(cpu="2000m")) == [25]


def test_least_allocated_uses_non_zero_defaults_for_pods_without_requests():
    # 100m of 1000m cpu -> 90; 200Mi of 1000Mi memory -> 80; average 85
    assert least_allocated(pod(), node(cpu="1", memory="1000Mi")) == [85]


def test_most_allocated_prefers_the_fuller_node():
    # cpu 3000*100/4000 = 75, memory 5000*100/10000 = 50 -> 62
    assert NodeResourcesFit(MOST_ALLOCATED).score(CycleState(), pod(requests=CPU_AND_MEMORY),
                                                  node(cpu="4000m")) == 62


# -- BalancedAllocation (upstream balanced_allocation_test.go) --------------------------


def balanced(pod_info, *node_infos):
    return [NodeResourcesBalancedAllocation().score(CycleState(), pod_info, n) for n in node_infos]


def test_balanced_allocation_differently_sized_nodes():
    # node 1: cpu 3000/4000 = 0.75, memory 5000/10000 = 0.5 -> std 0.125 -> 87
    # node 2: cpu 3000/6000 = 0.5, memory 0.5 -> std 0 -> 100
    assert balanced(pod(requests=CPU_AND_MEMORY), node(cpu="4000m"), node(cpu="6000m")) == [87, 100]


def test_balanced_allocation_counts_existing_pods():
    # cpu (3000+3000)/10000 = 0.6, memory (5000+5000)/20000 = 0.5 -> std 0.05 -> 95
    info = node(cpu="10000m", memory="20000")
    info.add_pod(pod("old", requests=CPU_AND_MEMORY))
    assert balanced(pod(requests=CPU_AND_MEMORY), info) == [95]


def test_balanced_allocation_caps_fractions_at_one():
    # cpu 3000/2000 -> 1, memory 0.5 -> std 0.25 -> 75
    assert balanced(pod(requests=CPU_AND_MEMORY), node(cpu="2000m")) == [75]


def test_balanced_allocation_skips_a_pod_that_requests_nothing():
    assert NodeResourcesBalancedAllocation().pre_score(CycleState(), pod(), []).is_skip()


# -- TaintToleration ---------------------------------------------------------------------

CONTROL_PLANE = {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}


def test_taint_filter_reason_names_the_taint():
    status = run_filter(TaintToleration(), pod(), node(taints=[CONTROL_PLANE]))
    assert status.reasons == ["node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }"]
    assert status.code == Code.UnschedulableAndUnresolvable


def test_taint_filter_reason_shows_the_value():
    taint = {"key": "dedicated", "value": "gpu", "effect": "NoExecute"}
    assert run_filter(TaintToleration(), pod(), node(taints=[taint])).reasons == [
        "node(s) had untolerated taint {dedicated: gpu}"]


def test_toleration_with_exists_admits_the_pod():
    tolerating = pod(spec={"tolerations": [{"key": CONTROL_PLANE["key"], "operator": "Exists"}]})
    assert run_filter(TaintToleration(), tolerating, node(taints=[CONTROL_PLANE])).is_success()


def test_toleration_with_wrong_value_does_not_admit():
    taint = {"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}
    other = pod(spec={"tolerations": [{"key": "dedicated", "value": "db", "effect": "NoSchedule"}]})
    assert not run_filter(TaintToleration(), other, node(taints=[taint])).is_success()


def test_prefer_no_schedule_taint_does_not_filter_but_lowers_the_score():
    soft = {"key": "spot", "effect": "PreferNoSchedule"}
    plugin, state, p = TaintToleration(), CycleState(), pod()
    nodes = [node("a"), node("b", taints=[soft])]
    assert run_filter(plugin, p, nodes[1]).is_success()
    plugin.pre_score(state, p, nodes)
    scores = {n.name: plugin.score(state, p, n) for n in nodes}
    plugin.normalize_score(state, p, scores)
    assert scores == {"a": 100, "b": 0}


# -- NodeAffinity ------------------------------------------------------------------------

AFFINITY_REASON = "node(s) didn't match Pod's node affinity/selector"


def test_node_selector_mismatch_reason():
    status = run_filter(NodeAffinity(), pod(spec={"nodeSelector": {"disk": "ssd"}}), node())
    assert status.reasons == [AFFINITY_REASON]
    assert status.code == Code.UnschedulableAndUnresolvable


def test_node_selector_match():
    assert run_filter(NodeAffinity(), pod(spec={"nodeSelector": {"disk": "ssd"}}),
                      node(labels={"disk": "ssd"})).is_success()


def required(*terms):
    return {"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": list(terms)}}}}


def test_required_terms_are_ored():
    p = pod(spec=required({"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]},
                          {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["b"]}]}))
    assert run_filter(NodeAffinity(), p, node(labels={"zone": "b"})).is_success()
    assert run_filter(NodeAffinity(), p, node(labels={"zone": "c"})).reasons == [AFFINITY_REASON]


def test_required_expressions_in_a_term_are_anded():
    p = pod(spec=required({"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]},
                                                {"key": "gpu", "operator": "Exists"}]}))
    assert not run_filter(NodeAffinity(), p, node(labels={"zone": "a"})).is_success()
    assert run_filter(NodeAffinity(), p, node(labels={"zone": "a", "gpu": "1"})).is_success()


def test_gt_and_not_in_and_match_fields():
    p = pod(spec=required({"matchExpressions": [{"key": "cores", "operator": "Gt", "values": ["8"]},
                                                {"key": "zone", "operator": "NotIn", "values": ["a"]}],
                           "matchFields": [{"key": "metadata.name", "operator": "In", "values": ["big"]}]}))
    assert run_filter(NodeAffinity(), p, node("big", labels={"cores": "16"})).is_success()
    assert not run_filter(NodeAffinity(), p, node("big", labels={"cores": "4"})).is_success()
    assert not run_filter(NodeAffinity(), p, node("small", labels={"cores": "16"})).is_success()


def test_empty_term_matches_no_node():
    assert not run_filter(NodeAffinity(), pod(spec=required({})), node()).is_success()


def test_preferred_terms_score_by_weight_normalised():
    p = pod(spec={"affinity": {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
        {"weight": 20, "preference": {"matchExpressions": [{"key": "disk", "operator": "In",
                                                            "values": ["ssd"]}]}},
        {"weight": 80, "preference": {"matchExpressions": [{"key": "gpu", "operator": "Exists"}]}}]}}})
    nodes = [node("a", labels={"disk": "ssd"}), node("b", labels={"gpu": "1"}), node("c")]
    plugin = NodeAffinity()
    scores = {n.name: plugin.score(CycleState(), p, n) for n in nodes}
    assert scores == {"a": 20, "b": 80, "c": 0}
    plugin.normalize_score(CycleState(), p, scores)
    assert scores == {"a": 25, "b": 100, "c": 0}


# -- NodeUnschedulable, NodeName, NodePorts ----------------------------------------------


def test_cordoned_node_reason():
    status = run_filter(NodeUnschedulable(), pod(), node(unschedulable=True))
    assert status.reasons == ["node(s) were unschedulable"]
    assert status.code == Code.UnschedulableAndUnresolvable


def test_cordoned_node_admits_a_pod_tolerating_the_unschedulable_taint():
    p = pod(spec={"tolerations": [{"key": "node.kubernetes.io/unschedulable", "operator": "Exists",
                                   "effect": "NoSchedule"}]})
    assert run_filter(NodeUnschedulable(), p, node(unschedulable=True)).is_success()


def test_node_name_reason():
    assert run_filter(NodeName(), pod(spec={"nodeName": "node-2"}), node("node-1")).reasons == [
        "node(s) didn't match the requested node name"]


def port_pod(name, port, ip=None):
    p = {"containerPort": 80, "hostPort": port}
    if ip:
        p["hostIP"] = ip
    return PodInfo.of({"metadata": {"name": name, "namespace": "default"},
                       "spec": {"containers": [{"name": "c", "image": "nginx", "ports": [p]}]}})


def test_host_port_taken_reason():
    info = node()
    info.add_pod(port_pod("old", 8080))
    status = run_filter(NodePorts(), port_pod("new", 8080), info)
    assert status.reasons == ["node(s) didn't have free ports for the requested pod ports"]


def test_host_ports_on_different_addresses_do_not_conflict():
    info = node()
    info.add_pod(port_pod("old", 8080, "10.0.0.1"))
    assert run_filter(NodePorts(), port_pod("new", 8080, "10.0.0.2"), info).is_success()
    assert not run_filter(NodePorts(), port_pod("new", 8080), info).is_success()  # 0.0.0.0 means all


def test_host_port_is_freed_when_the_pod_goes():
    info = node()
    info.add_pod(port_pod("old", 8080))
    info.remove_pod("default/old")
    assert run_filter(NodePorts(), port_pod("new", 8080), info).is_success()


# -- ImageLocality, normalisation --------------------------------------------------------


def test_image_locality_prefers_a_node_with_the_image():
    big = [{"names": ["docker.io/library/app:1", "app:1"], "sizeBytes": 500 * 1024 * 1024}]
    nodes = [node("a", images=big), node("b")]
    plugin, state, p = ImageLocality(), CycleState(), pod(image="app:1")
    plugin.pre_score(state, p, nodes)
    # 500 MB x (1 of 2 nodes) = 250 MB; (250 - 23) * 100 // (1000 - 23) = 23
    assert [plugin.score(state, p, n) for n in nodes] == [23, 0]


def test_default_normalize_score_scales_to_100():
    scores = {"a": 1, "b": 4}
    default_normalize_score(scores)
    assert scores == {"a": 25, "b": 100}


# -- NodeResourcesFit: RequestedToCapacityRatio -------------------------------------------


def test_requested_to_capacity_ratio_bin_packing_shape():
    # cpu 3000/4000 = 75% -> 7.5 -> 75 on [(0,0),(100,10)]; memory 5000/10000 = 50% -> 50; round(62.5) = 63
    plugin = NodeResourcesFit("RequestedToCapacityRatio", shape=[{"utilization": 0, "score": 0},
                                                                 {"utilization": 100, "score": 10}])
    assert plugin.score(CycleState(), pod(requests=CPU_AND_MEMORY), node(cpu="4000m")) == 63


def test_requested_to_capacity_ratio_falling_shape_spreads():
    # the same pod on [(0,10),(100,0)]: cpu 25, memory 50 -> round(37.5) = 38
    plugin = NodeResourcesFit("RequestedToCapacityRatio", shape=[(0, 10), (100, 0)])
    assert plugin.score(CycleState(), pod(requests=CPU_AND_MEMORY), node(cpu="4000m")) == 38


def test_requested_to_capacity_ratio_rejects_an_unsorted_shape():
    with pytest.raises(ValueError, match="values must be sorted in increasing order"):
        NodeResourcesFit("RequestedToCapacityRatio", shape=[(50, 1), (10, 2)])


def test_unknown_scoring_strategy_is_refused():
    with pytest.raises(ValueError, match='Unsupported value: "Smallest"'):
        NodeResourcesFit("Smallest")
