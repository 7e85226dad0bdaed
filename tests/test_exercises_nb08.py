"""Notebook 08's exercises: right answers pass, each kind of wrong answer gets its own message."""

import functools

from k8slab import Cluster
from k8slab.exercises import check
from k8slab.exercises.nb08 import node_failure_under_traffic, starting_service, trip_latency_ms
from k8slab.net.request import request


def local_service():
    service = starting_service()
    service["spec"]["externalTrafficPolicy"] = "Local"
    return service


@functools.cache
def keep_serving(policy):
    service = starting_service() if policy == "Cluster" else local_service()
    return check("08-keep-serving", service)


def test_the_latency_truth_is_what_traced_requests_through_the_load_balancer_take():
    cluster = Cluster(nodes=3, seed=0)
    cluster.apply(starting_service())
    nginx = {"name": "nginx", "image": "nginx:1.27", "ports": [{"name": "http", "containerPort": 80}]}
    cluster.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "labels": {"app": "web"}},
                   "spec": {"nodeName": "node-1", "containers": [nginx]}})
    cluster.run(seconds=20)
    ip = cluster.api.get("services", "web")["status"]["loadBalancer"]["ingress"][0]["ip"]
    seen = {}
    for _ in range(30):
        response = request(cluster, f"http://{ip}/")
        entered = next(hop.node for hop in response.trace if hop.step == 12)
        seen["same node" if entered == response.node else "other node"] = round(response.latency * 1000, 3)
        cluster.run(seconds=0.1)
    assert seen == trip_latency_ms()


def test_the_right_latencies_pass():
    assert check("08-latency", {"same node": 5, "other node": 6.0}).passed


def test_a_latency_counted_one_way_is_told_the_reply_travels_back():
    feedback = check("08-latency", {"same node": 3.5, "other node": 4})
    assert not feedback.passed
    assert "way in only" in feedback.message


def test_a_latency_with_one_pod_network_leg_is_told_it_is_crossed_twice():
    feedback = check("08-latency", {"same node": 5, "other node": 5.5})
    assert not feedback.passed
    assert "crossed twice" in feedback.message


def test_a_latency_in_seconds_is_asked_for_milliseconds():
    assert "milliseconds" in check("08-latency", {"same node": 0.005, "other node": 0.006}).message


def test_a_latency_answer_of_the_wrong_shape_asks_for_two_numbers():
    assert "two numbers" in check("08-latency", [5, 6]).message
    assert "two numbers" in check("08-latency", {"same node": True, "other node": 6}).message


def test_an_unanswered_latency_asks_for_an_answer():
    assert "replace each ..." in check("08-latency", {"same node": ..., "other node": 6}).message


def test_the_starting_service_keeps_failing_after_the_health_checks_and_hides_the_client():
    feedback = keep_serving("Cluster")
    assert not feedback.passed
    assert "still failed" in feedback.message
    assert "198.51.100.7" in feedback.message


def test_external_traffic_policy_local_keeps_serving():
    feedback = keep_serving("Local")
    assert feedback.passed, feedback.message


def test_with_local_only_the_requests_sent_before_the_health_checks_noticed_fail():
    _, result, seen = node_failure_under_traffic(local_service())
    start = result["time"].iloc[0]
    failed = result[~result["ok"]]
    assert 0 < len(failed) and (failed["time"] - start).between(10, 22).all()
    assert set(seen) == {"198.51.100.7"}


def test_a_service_that_is_not_a_load_balancer_is_told_to_stay_one():
    service = local_service()
    service["spec"]["type"] = "NodePort"
    feedback = check("08-keep-serving", service)
    assert not feedback.passed
    assert "type: LoadBalancer" in feedback.message


def test_a_service_with_another_selector_or_name_is_told_to_keep_them():
    service = local_service()
    service["spec"]["selector"] = {"app": "wbe"}
    assert "selector app: web" in check("08-keep-serving", service).message
    service = local_service()
    service["metadata"]["name"] = "other"
    assert "named web" in check("08-keep-serving", service).message
    assert "as a dict" in check("08-keep-serving", "type: LoadBalancer").message


def test_a_service_the_api_server_refuses_is_told_why():
    service = local_service()
    service["spec"]["ports"][0]["nodePort"] = 80
    feedback = check("08-keep-serving", service)
    assert not feedback.passed
    assert "nodePort" in feedback.message and "valid range" in feedback.message
