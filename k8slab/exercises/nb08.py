"""Exercises of notebook 08, the load balancer and the whole request path: a trip's latency, and a Service
that keeps serving when a node dies.

The checkers take the truth from k8slab itself: the latency exercise adds up
the request path's own latency model (`k8slab.net.request` and the web
server's default in `k8slab.kubelet.runtime`; `tests/test_exercises_nb08.py`
checks that sum against real traced requests), and the node-failure exercise
runs the learner's Service on a fresh cluster, fails node-2 under steady
traffic and counts the failed requests, as the notebook does.
"""

from __future__ import annotations

import copy
import functools
import inspect
from typing import Any

from k8slab.exercises.core import Feedback, exercise

# -- exercise 1: how long does the trip take? -------------------------------------------------------

CASES = ("same node", "other node")


def nginx_ms() -> float:
    """How long the lab's web server takes to answer one request when it is not busy, in milliseconds."""
    from k8slab.kubelet.runtime import WebServer

    return inspect.signature(WebServer.__init__).parameters["latency"].default * 1000


@functools.lru_cache(maxsize=1)
def trip_latency_ms() -> dict[str, float]:
    """A request from the internet through the load balancer to nginx and back, in milliseconds, when the
    pod runs on the node the load balancer picked, and when it runs on another node."""
    from k8slab.net.request import INTERNET, LB_TO_NODE, NODE_TO_NODE

    same = (2 * INTERNET + 2 * LB_TO_NODE) * 1000 + nginx_ms()
    other = same + 2 * NODE_TO_NODE * 1000
    return {"same node": round(same, 3), "other node": round(other, 3)}


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@exercise("08-latency")
def check_latency(answer: Any) -> Feedback:
    name = "08-latency"
    if not isinstance(answer, dict) or set(answer) != set(CASES) or not all(
        _number(answer[case]) for case in CASES
    ):
        return Feedback(name, False, 'answer with {"same node": <ms>, "other node": <ms>}, two numbers.')
    truth = trip_latency_ms()
    given = {case: float(answer[case]) for case in CASES}
    right = {case: abs(given[case] - truth[case]) < 1e-6 for case in CASES}
    if all(right.values()):
        return Feedback(name, True, f"{truth['same node']:g} ms and {truth['other node']:g} ms: every leg is "
                                    "travelled twice (there and back), and the pod on another node adds one "
                                    "pod-network leg each way.")
    if any(abs(given[case] * 1000 - truth[case]) < 1e-6 for case in CASES):
        return Feedback(name, False, "in milliseconds, please (1 ms, not 0.001).")
    legs_back = truth["same node"] - nginx_ms()  # user <-> load balancer <-> node, there and back
    if abs(given["same node"] - (nginx_ms() + legs_back / 2)) < 1e-6:
        return Feedback(name, False, "same node: you counted the way in only; the reply travels the same "
                                     "legs back (step 15), each with its own latency.")
    if right["same node"]:
        return Feedback(name, False, f"same node is right. Other node: the pod network is crossed twice, "
                                     f"once to the pod and once for its reply; not {given['other node']:g}.")
    return Feedback(name, False, f"same node: not {given['same node']:g}. Add up the legs of the trace in "
                                 "section 3 (user to load balancer, load balancer to node, nginx), then the "
                                 "same legs on the way back.")


# -- exercise 2: keep serving when a node dies ------------------------------------------------------

DEPLOYMENT = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web"},
    "spec": {
        "replicas": 3,
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {
                "containers": [
                    {
                        "name": "nginx",
                        "image": "nginx:1.27",
                        "ports": [{"name": "http", "containerPort": 80}],
                        "readinessProbe": {"httpGet": {"path": "/", "port": 80}, "periodSeconds": 5},
                    }
                ]
            },
        },
    },
}

#: The Service to start from: it works, but loses requests for minutes when a node dies.
STARTING_SERVICE = {
    "apiVersion": "v1",
    "kind": "Service",
    "metadata": {"name": "web"},
    "spec": {
        "type": "LoadBalancer",
        "selector": {"app": "web"},
        "ports": [{"name": "http", "port": 80, "targetPort": "http", "nodePort": 30080}],
    },
}

#: The scenario: requests per second, how long, when node-2 dies, and by when (seconds after the death)
#: the load balancer's health checks must have taken it out (2 failed checks, 5 s apart, at most 10 s).
RATE = 10
SECONDS = 60
FAIL_AT = 10
ALLOWED = 12
FAILED_NODE = "node-2"
USER = "198.51.100.7"


def starting_service() -> dict:
    """A fresh copy of STARTING_SERVICE to edit."""
    return copy.deepcopy(STARTING_SERVICE)


def node_failure_under_traffic(service: dict, seed: int = 0):
    """Run the Deployment and `service` on a fresh 3-node cluster, send RATE requests per second to the
    load balancer for SECONDS seconds and fail node-2 FAIL_AT seconds in.

    Returns (cluster, the traffic table, the client addresses the pods saw for a few requests at the end).
    """
    from k8slab import Cluster
    from k8slab.net.request import request
    from k8slab.net.traffic import traffic

    cluster = Cluster(nodes=3, seed=seed)
    cluster.apply(copy.deepcopy(DEPLOYMENT))
    report = str(cluster.apply(service)).strip()
    if "created" not in report:
        raise ValueError(report)  # kubectl's words: what the API server refused
    cluster.run(seconds=30)
    ingress = ((cluster.api.get("services", "web").get("status") or {}).get("loadBalancer") or {}).get(
        "ingress"
    ) or []
    if not ingress:
        return cluster, None, []
    url = f"http://{ingress[0]['ip']}/"
    fail = {FAIL_AT: lambda c: c.fail_node(FAILED_NODE)}
    result = traffic(cluster, url, rate=RATE, seconds=SECONDS, at=fail)
    seen = [request(cluster, url, client_ip=USER).client for _ in range(6)]
    return cluster, result, seen


def _service_problem(answer: Any) -> str:
    if not isinstance(answer, dict):
        return "answer with the Service as a dict (start from starting_service() and change it)."
    if answer.get("kind") != "Service" or (answer.get("metadata") or {}).get("name") != "web":
        return "keep it a Service named web."
    spec = answer.get("spec") or {}
    if spec.get("selector") != {"app": "web"}:
        return "keep the selector app: web, or the Service has no pods at all."
    if spec.get("type") != "LoadBalancer":
        return ("keep type: LoadBalancer: the users come through the load balancer, and its health checks "
                "are what can take a dead node out.")
    return ""


@exercise("08-keep-serving")
def check_keep_serving(answer: Any) -> Feedback:
    name = "08-keep-serving"
    problem = _service_problem(answer)
    if problem:
        return Feedback(name, False, problem)
    try:
        cluster, result, seen = node_failure_under_traffic(copy.deepcopy(answer))
    except ValueError as error:  # the API server refused it: say why in its words
        return Feedback(name, False, f"kubectl apply refused your Service: {error}")
    if result is None:
        return Feedback(name, False, "the Service got no external IP: look at kubectl describe service web.")
    start = float(result["time"].iloc[0])
    late = result[(~result["ok"]) & (result["time"] - start >= FAIL_AT + ALLOWED)]
    early = result[(~result["ok"]) & (result["time"] - start < FAIL_AT)]
    if not early.empty:
        return Feedback(name, False, f"{len(early)} requests failed before any node died: do the ports "
                                     "still lead to the pods' port http?")
    hints = []
    if not late.empty:
        hints.append(f"{len(late)} of {len(result)} requests still failed more than {ALLOWED} s after "
                     f"{FAILED_NODE} died: requests that reach node-1 or node-3 are still sent on to the pod "
                     f"on {FAILED_NODE}, which the rules list until its endpoint goes (which traffic "
                     "policy keeps each node to its own pods, so that the load balancer's health checks "
                     "decide alone?)")
    if any(address != USER for address in seen):
        hints.append(f"the pods see {sorted(set(seen))[0]} as the client, not the user's {USER}: the node "
                     "masquerades traffic it may send to another node")
    if hints:
        return Feedback(name, False, "; ".join(hints) + ".")
    failed = int((~result["ok"]).sum())
    return Feedback(name, True, f"{failed} of {len(result)} requests failed, all within {ALLOWED} s of the "
                                "failure (until two health checks in a row had failed), and the pods see the "
                                "user's own address: externalTrafficPolicy Local.")


__all__ = [
    "DEPLOYMENT",
    "STARTING_SERVICE",
    "check_keep_serving",
    "check_latency",
    "node_failure_under_traffic",
    "starting_service",
    "trip_latency_ms",
]
