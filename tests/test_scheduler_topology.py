"""PodTopologySpread (and the system default spreading) end to end through the scheduler."""

from __future__ import annotations

from test_scheduler_loop import make_cluster, make_pod, node_of, scheduled_condition

from k8slab.scheduler.explain import explain


def spread(max_skew=1, key="topology.kubernetes.io/zone", when="DoNotSchedule"):
    return [{"maxSkew": max_skew, "topologyKey": key, "whenUnsatisfiable": when,
             "labelSelector": {"matchLabels": {"app": "web"}}}]


def make_web(api, name, **spec):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"app": "web"}},
           "spec": {"containers": [{"name": "c", "image": "nginx"}], **spec}}
    return api.create(pod, namespace="default")


def zone_of(api, name):
    zones = {"node-1": "zone-a", "node-2": "zone-b", "node-3": "zone-c", "node-4": "zone-a"}
    return zones[node_of(api, name)]


def test_do_not_schedule_spreads_one_per_zone_first():
    api, _ = make_cluster([{}, {}, {}, {}])  # zone-a has two nodes
    for i in range(3):
        make_web(api, f"web-{i}", topologySpreadConstraints=spread())
    api.loop.run(seconds=1)
    assert sorted(zone_of(api, f"web-{i}") for i in range(3)) == ["zone-a", "zone-b", "zone-c"]


def test_skew_violation_reason():
    api, _ = make_cluster([{}, {}, {"cpu": "1"}])
    for i in range(2):
        make_web(api, f"web-{i}", topologySpreadConstraints=spread(), nodeSelector={"kubernetes.io/hostname":
                                                                                     f"node-{i + 1}"})
    api.loop.run(seconds=1)
    make_web(api, "web-x", topologySpreadConstraints=spread(),
             containers=[{"name": "c", "image": "nginx", "resources": {"requests": {"cpu": "2"}}}])
    api.loop.run(seconds=1)
    # node-3 (zone-c, empty) is too small; zone-a and zone-b already have one each, zone-c none: skew 2 > 1
    assert scheduled_condition(api, "web-x")["message"].startswith(
        "0/3 nodes are available: 1 Insufficient cpu, "
        "2 node(s) didn't match pod topology spread constraints.")


def test_missing_topology_label_reason():
    api, _ = make_cluster([{}])
    make_web(api, "web", topologySpreadConstraints=spread(key="rack"))
    api.loop.run(seconds=1)
    assert scheduled_condition(api, "web")["message"].startswith(
        "0/1 nodes are available: "
        "1 node(s) didn't match pod topology spread constraints (missing required label).")


def test_schedule_anyway_prefers_the_emptier_zone():
    api, scheduler = make_cluster([{}, {}, {}])
    make_web(api, "web-0", topologySpreadConstraints=spread(when="ScheduleAnyway"),
             nodeSelector={"kubernetes.io/hostname": "node-1"})
    api.loop.run(seconds=1)
    make_web(api, "web-1", topologySpreadConstraints=spread(when="ScheduleAnyway"))
    api.loop.run(seconds=1)
    table = explain(scheduler, "web-1")
    scores = table[("PodTopologySpread", "normalized")].to_dict()
    assert scores["node-1"] < scores["node-2"] == scores["node-3"] == 100


def test_system_default_spreading_counts_pods_of_the_same_service():
    api, scheduler = make_cluster([{}, {}, {}])
    api.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
                "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}}, namespace="default")
    make_web(api, "web-0", nodeSelector={"kubernetes.io/hostname": "node-1"})
    api.loop.run(seconds=1)
    make_web(api, "web-1")
    api.loop.run(seconds=1)
    scores = explain(scheduler, "web-1")[("PodTopologySpread", "normalized")].to_dict()
    assert scores["node-1"] < scores["node-2"]


def test_pod_outside_any_service_skips_default_spreading():
    api, scheduler = make_cluster([{}, {}])
    make_pod(api, "lonely")
    api.loop.run(seconds=1)
    assert explain(scheduler, "lonely")[("PodTopologySpread", "raw")].isna().all()
