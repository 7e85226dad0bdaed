"""The scheduler as a component: informers in, bindings and Pending messages out, the queue, determinism."""

from __future__ import annotations

import random

import pytest

from k8slab.api.server import APIServer
from k8slab.client import Client
from k8slab.cluster import node_object
from k8slab.scheduler import Framework, Plugin, Scheduler, Status, num_feasible_nodes_to_find
from k8slab.scheduler.framework import SUCCESS
from k8slab.scheduler.plugins import DefaultBinder, NodeResourcesFit
from k8slab.scheduler.queue import backoff_duration
from k8slab.sim import Loop
from k8slab.store import Store

CONTROL_PLANE = {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}


def make_cluster(shapes, seed=0, start=True, **kwargs):
    api = APIServer(Store(Loop(seed=seed, strict=True)))
    for index, shape in enumerate(shapes, start=1):
        node = node_object(index, shape)
        del node["spec"]["podCIDR"], node["spec"]["podCIDRs"]  # node_object's CIDRs stop at 255 nodes
        api.create(node)
    if not start:
        return api, None
    return api, start_scheduler(api, **kwargs)


def start_scheduler(api, **kwargs):
    scheduler = Scheduler(Client(api, user="system:kube-scheduler"), **kwargs)
    scheduler.run()
    return scheduler


def make_pod(api, name, cpu=None, **spec):
    container = {"name": "c", "image": "nginx"}
    if cpu:
        container["resources"] = {"requests": {"cpu": cpu}}
    return api.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"},
                       "spec": {"containers": [container], **spec}})


def node_of(api, name):
    return api.get("pods", name, namespace="default")["spec"].get("nodeName")


def scheduled_condition(api, name):
    pod = api.get("pods", name, namespace="default")
    return next(c for c in pod["status"]["conditions"] if c["type"] == "PodScheduled")


def test_pending_pods_get_bound_through_the_api():
    api, _ = make_cluster([{}, {}, {}])
    for i in range(6):
        make_pod(api, f"web-{i}", cpu="500m")
    api.loop.run(seconds=1)
    nodes = [node_of(api, f"web-{i}") for i in range(6)]
    assert all(nodes)
    assert sorted(set(nodes)) == ["node-1", "node-2", "node-3"]  # LeastAllocated spreads them
    assert any(r.verb == "create/binding" and r.user == "system:kube-scheduler" for r in api.requests)


def test_failed_scheduling_message_is_upstreams():
    api, _ = make_cluster([{"cpu": "2"}, {"taints": [CONTROL_PLANE]}, {"taints": [CONTROL_PLANE]}])
    make_pod(api, "big", cpu="3")
    api.loop.run(seconds=1)
    condition = scheduled_condition(api, "big")
    assert (condition["status"], condition["reason"]) == ("False", "Unschedulable")
    assert condition["message"] == (
        "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint "
        "{node-role.kubernetes.io/control-plane: }. preemption: 0/3 nodes are available: "
        "3 Preemption is not helpful for scheduling."
    )


def test_no_victims_message_when_the_node_is_full_of_equal_priority_pods():
    api, _ = make_cluster([{"cpu": "2"}])
    make_pod(api, "first", cpu="1500m")
    api.loop.run(seconds=1)
    make_pod(api, "second", cpu="1")
    api.loop.run(seconds=1)
    assert scheduled_condition(api, "second")["message"] == (
        "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: "
        "1 No preemption victims found for incoming pod."
    )


def test_reasons_are_counted_and_sorted():
    api, _ = make_cluster([{"cpu": "1"}, {"cpu": "1", "unschedulable": True}, {"cpu": "1"}])
    make_pod(api, "p", nodeSelector={"disk": "ssd"})
    api.loop.run(seconds=1)
    assert scheduled_condition(api, "p")["message"].startswith(
        "0/3 nodes are available: 1 node(s) were unschedulable, "
        "2 node(s) didn't match Pod's node affinity/selector. ")


def test_unschedulable_pod_is_scheduled_when_a_node_is_added():
    api, scheduler = make_cluster([{"cpu": "1"}])
    make_pod(api, "big", cpu="2")
    api.loop.run(seconds=1)
    assert scheduler.queue.unschedulable() == ["default/big"]
    api.create(node_object(2, {"cpu": "4"}))
    api.loop.run(seconds=5)
    assert node_of(api, "big") == "node-2"


def test_unschedulable_pod_is_scheduled_when_a_bound_pod_is_deleted():
    api, _ = make_cluster([{"cpu": "2"}])
    make_pod(api, "first", cpu="1500m")
    api.loop.run(seconds=1)
    make_pod(api, "second", cpu="1")
    api.loop.run(seconds=1)
    assert node_of(api, "second") is None
    api.delete("pods", "first", namespace="default", grace_period_seconds=0)
    api.loop.run(seconds=5)
    assert node_of(api, "second") == "node-1"


def test_bound_pods_count_against_their_node():
    api, scheduler = make_cluster([{"cpu": "2"}])
    for i in range(3):
        make_pod(api, f"p{i}", cpu="1")
    api.loop.run(seconds=1)
    assert [node_of(api, f"p{i}") for i in range(3)] == ["node-1", "node-1", None]
    assert scheduler.nodes["node-1"].requested.milli_cpu == 2000


def test_higher_priority_pod_is_tried_first():
    api, _ = make_cluster([{"cpu": "1"}], start=False)
    make_pod(api, "low", cpu="1", priority=0)
    make_pod(api, "high", cpu="1", priority=1000)
    start_scheduler(api)
    api.loop.run(seconds=1)
    assert node_of(api, "high") == "node-1" and node_of(api, "low") is None


def test_pods_for_another_scheduler_are_left_alone():
    api, _ = make_cluster([{}])
    make_pod(api, "custom", schedulerName="my-scheduler")
    api.loop.run(seconds=1)
    assert node_of(api, "custom") is None


def test_a_second_profile_serves_its_scheduler_name():
    class PreferLastNode(Plugin):
        name = "PreferLastNode"

        def score(self, state, pod_info, node_info):
            return 100 if node_info.name == "node-3" else 0

    plugins = [NodeResourcesFit(), PreferLastNode(), DefaultBinder()]
    profile = Framework(plugins, scheduler_name="my-scheduler")
    api, scheduler = make_cluster([{}, {}, {}])
    scheduler.add_profile(profile)
    make_pod(api, "custom", schedulerName="my-scheduler")
    api.loop.run(seconds=1)
    assert node_of(api, "custom") == "node-3"


def test_a_plugin_without_extension_points_is_refused():
    class Nothing(Plugin):
        name = "Nothing"

    with pytest.raises(ValueError, match='plugin "Nothing" implements no extension point'):
        Framework([Nothing(), DefaultBinder()])


def test_a_profile_without_a_binder_is_refused():
    with pytest.raises(ValueError, match="has no bind plugin"):
        Framework([NodeResourcesFit()])


def test_bad_percentage_of_nodes_to_score_is_refused():
    api = APIServer(Store(Loop()))
    with pytest.raises(ValueError, match="percentageOfNodesToScore"):
        Scheduler(Client(api), percentage_of_nodes_to_score=120)


def test_a_failing_plugin_leaves_the_pod_pending_with_its_reason():
    class NoWay(Plugin):
        name = "NoWay"

        def filter(self, state, pod_info, node_info):
            return Status.unschedulable("node(s) are not blue")

    api, scheduler = make_cluster([{}, {}])
    scheduler.add_profile(Framework([NoWay(), DefaultBinder()], scheduler_name="blue"))
    make_pod(api, "p", schedulerName="blue")
    api.loop.run(seconds=1)
    assert scheduled_condition(api, "p")["message"] == "0/2 nodes are available: 2 node(s) are not blue."


def test_same_seed_same_placements():
    def placements(seed):
        api, _ = make_cluster([{} for _ in range(6)], seed=seed)
        for i in range(30):
            make_pod(api, f"p{i}", cpu="100m")
        api.loop.run(seconds=1)
        return [node_of(api, f"p{i}") for i in range(30)]

    assert placements(1) == placements(1)


def test_ties_are_broken_by_the_seeded_rng():
    from k8slab.scheduler.framework import NodeScores
    from k8slab.scheduler.scheduler import select_host

    scores = [NodeScores("a", total=5), NodeScores("b", total=7), NodeScores("c", total=7)]
    picks = {select_host(scores, random.Random(seed)) for seed in range(20)}
    assert picks == {"b", "c"}


# -- percentageOfNodesToScore and the queue's back-off -----------------------------------


@pytest.mark.parametrize("nodes, expected", [(50, 50), (100, 100), (200, 100), (300, 144), (1000, 420),
                                             (5000, 500), (6000, 300), (10000, 500)])
def test_adaptive_number_of_feasible_nodes_to_find(nodes, expected):
    assert num_feasible_nodes_to_find(0, nodes) == expected


def test_explicit_percentage_is_never_under_100_nodes():
    assert num_feasible_nodes_to_find(1, 1000) == 100
    assert num_feasible_nodes_to_find(30, 1000) == 300


def test_filtering_stops_early_and_the_next_cycle_starts_where_it_stopped():
    api, scheduler = make_cluster([{} for _ in range(300)], percentage_of_nodes_to_score=0)
    make_pod(api, "p")
    api.loop.run(seconds=1)
    assert scheduler.next_start_node_index == 144  # 50 - 300//125 = 48% of 300 nodes


def test_backoff_doubles_from_1s_to_10s():
    assert [backoff_duration(n) for n in range(1, 7)] == [1, 2, 4, 8, 10, 10]


def test_bind_failure_retries_after_backoff():
    class FlakyBinder(Plugin):
        name = "FlakyBinder"
        calls = 0

        def bind(self, state, pod_info, node_name):
            FlakyBinder.calls += 1
            if FlakyBinder.calls == 1:
                return Status.unschedulable("binding refused")
            return DefaultBinder(scheduler.client).bind(state, pod_info, node_name)

    api, scheduler = make_cluster([{}])
    scheduler.add_profile(Framework([NodeResourcesFit(), FlakyBinder()], scheduler_name="flaky"))
    make_pod(api, "p", schedulerName="flaky")
    api.loop.run(seconds=0.5)
    assert node_of(api, "p") is None and scheduler.queue.backoff() == ["default/p"]
    api.loop.run(seconds=1)
    assert node_of(api, "p") == "node-1"
    assert SUCCESS.is_success()


def test_higher_priority_pod_preempts_a_lower_priority_one():
    api, _ = make_cluster([{"cpu": "2"}])
    make_pod(api, "low", cpu="1500m", priority=0)
    make_pod(api, "other", cpu="100m", priority=500)
    api.loop.run(seconds=1)
    make_pod(api, "high", cpu="1", priority=1000)
    api.loop.run(seconds=1)
    assert api.get("pods", "low", namespace="default")["metadata"].get("deletionTimestamp")
    assert not api.get("pods", "other", namespace="default")["metadata"].get("deletionTimestamp")
    assert api.get("pods", "high", namespace="default")["status"]["nominatedNodeName"] == "node-1"


def test_preemption_policy_never_does_not_preempt():
    api, _ = make_cluster([{"cpu": "2"}])
    make_pod(api, "low", cpu="1500m", priority=0)
    api.loop.run(seconds=1)
    make_pod(api, "high", cpu="1", priority=1000, preemptionPolicy="Never")
    api.loop.run(seconds=1)
    assert not api.get("pods", "low", namespace="default")["metadata"].get("deletionTimestamp")
    assert scheduled_condition(api, "high")["message"] == (
        "0/1 nodes are available: 1 Insufficient cpu. "
        "preemption: not eligible due to preemptionPolicy=Never.")


def test_a_plugin_that_raises_does_not_stop_the_scheduler():
    class Broken(Plugin):
        name = "Broken"

        def filter(self, state, pod_info, node_info):
            raise RuntimeError("boom")

    api, scheduler = make_cluster([{}])
    scheduler.add_profile(Framework([Broken(), DefaultBinder()], scheduler_name="broken"))
    make_pod(api, "victim", schedulerName="broken")
    make_pod(api, "fine")
    api.loop.run(seconds=1)
    condition = scheduled_condition(api, "victim")
    assert condition["reason"] == "SchedulerError"
    assert condition["message"] == "running \"Broken\" filter plugin: RuntimeError('boom')"
    assert scheduler.queue.backoff() == ["default/victim"]
    assert node_of(api, "fine") == "node-1"


def test_events_go_to_the_recorder():
    class Recorder:
        def __init__(self):
            self.events = []

        def event(self, obj, kind, reason, message):
            self.events.append((obj["metadata"]["name"], kind, reason, message))

    recorder = Recorder()
    api, _ = make_cluster([{"cpu": "1"}], recorder=recorder)
    make_pod(api, "ok")
    make_pod(api, "big", cpu="2")
    api.loop.run(seconds=1)
    assert ("ok", "Normal", "Scheduled", "Successfully assigned default/ok to node-1") in recorder.events
    failed = [e[3] for e in recorder.events if e[:3] == ("big", "Warning", "FailedScheduling")]
    assert failed[0].startswith("0/1 nodes are available: 1 Insufficient cpu.")


def test_unschedulable_pods_are_retried_after_five_minutes():
    api, scheduler = make_cluster([{"cpu": "1"}])
    make_pod(api, "big", cpu="2")
    api.loop.run(seconds=1)
    assert scheduler.queue.unschedulable() == ["default/big"]
    api.loop.run(seconds=300)
    assert scheduler.queue.unschedulable() == ["default/big"]  # tried again, and parked again
    assert scheduler.queue._unschedulable["default/big"].attempts == 2


def test_deleted_pending_pod_leaves_the_queue():
    api, scheduler = make_cluster([{"cpu": "1"}])
    make_pod(api, "big", cpu="2")
    api.loop.run(seconds=1)
    api.delete("pods", "big", namespace="default", grace_period_seconds=0)
    api.loop.run(seconds=1)
    assert len(scheduler.queue) == 0


def test_a_node_heartbeat_does_not_retry_unschedulable_pods():
    api, scheduler = make_cluster([{"cpu": "1"}])
    make_pod(api, "big", cpu="2")
    api.loop.run(seconds=1)
    node = api.get("nodes", "node-1")
    node["status"]["conditions"][-1]["lastHeartbeatTime"] = "2024-01-01T00:00:10Z"
    api.update_status(node)
    api.loop.run(seconds=20)
    assert scheduler.queue._unschedulable["default/big"].attempts == 1


def test_a_node_label_change_retries_unschedulable_pods():
    api, _ = make_cluster([{}])
    make_pod(api, "picky", nodeSelector={"disk": "ssd"})
    api.loop.run(seconds=1)
    api.patch("nodes", "node-1", {"metadata": {"labels": {"disk": "ssd"}}})
    api.loop.run(seconds=20)
    assert node_of(api, "picky") == "node-1"


def test_cordoned_node_gets_no_new_pods():
    api, _ = make_cluster([{}, {"unschedulable": True}])
    for i in range(4):
        make_pod(api, f"p{i}")
    api.loop.run(seconds=1)
    assert {node_of(api, f"p{i}") for i in range(4)} == {"node-1"}


def test_preemptor_lands_on_its_nominated_node_once_the_victim_is_gone():
    api, _ = make_cluster([{"cpu": "2"}, {"cpu": "2"}])
    make_pod(api, "low-1", cpu="1500m", priority=0, nodeSelector={"kubernetes.io/hostname": "node-1"})
    make_pod(api, "low-2", cpu="1800m", priority=0, nodeSelector={"kubernetes.io/hostname": "node-2"})
    api.loop.run(seconds=1)
    make_pod(api, "high", cpu="1", priority=1000)
    api.loop.run(seconds=1)
    nominated = api.get("pods", "high", namespace="default")["status"]["nominatedNodeName"]
    victim = {"node-1": "low-1", "node-2": "low-2"}[nominated]
    api.delete("pods", victim, namespace="default", grace_period_seconds=0)  # what its kubelet would finish
    api.loop.run(seconds=5)
    assert node_of(api, "high") == nominated


def test_a_finished_pod_frees_its_room():
    api, _ = make_cluster([{"cpu": "1"}])
    make_pod(api, "job", cpu="1")
    api.loop.run(seconds=1)
    make_pod(api, "next", cpu="1")
    api.loop.run(seconds=1)
    assert node_of(api, "next") is None
    job = api.get("pods", "job", namespace="default")
    job["status"]["phase"] = "Succeeded"
    api.update_status(job)
    api.loop.run(seconds=5)
    assert node_of(api, "next") == "node-1"


def test_bound_pod_status_updates_keep_the_node_sums():
    api, scheduler = make_cluster([{"cpu": "2"}])
    make_pod(api, "web", cpu="500m")
    api.loop.run(seconds=1)
    pod = api.get("pods", "web", namespace="default")
    pod["status"]["phase"] = "Running"
    api.update_status(pod)
    api.loop.run(seconds=1)
    assert scheduler.nodes["node-1"].requested.milli_cpu == 500
    assert len(scheduler.nodes["node-1"].pods) == 1
