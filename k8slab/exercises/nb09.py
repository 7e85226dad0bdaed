"""Exercises of notebook 09, all together: the bounds of a rolling update, and a rollout with no downtime.

The checkers take the truth from k8slab itself: the bounds come from the
Deployment controller's own rounding (`deployment_util.max_surge` and
`max_unavailable`), and the zero-downtime exercise runs the learner's
Deployment on a fresh cluster, rolls it from web:1 to web:2 under steady
traffic and counts the failed requests, exactly as the notebook does.
"""

from __future__ import annotations

import copy
from typing import Any

from k8slab.exercises.core import Feedback, exercise

# -- exercise 1: how far can a rollout go? ---------------------------------------------------------

REPLICAS = 10
SURGE = "25%"
UNAVAILABLE = "25%"


def rollout_bounds(replicas: int = REPLICAS, surge: Any = SURGE, unavailable: Any = UNAVAILABLE) -> tuple:
    """(most pods at once, fewest available pods) during a rolling update, as the controller computes them."""
    from k8slab.controllers.deployment_util import max_surge, max_unavailable

    deployment = {"spec": {"replicas": replicas, "strategy": {
        "type": "RollingUpdate", "rollingUpdate": {"maxSurge": surge, "maxUnavailable": unavailable}}}}
    return replicas + max_surge(deployment), replicas - max_unavailable(deployment)


@exercise("09-rollout-bounds")
def check_rollout_bounds(answer: Any) -> Feedback:
    name = "09-rollout-bounds"
    if isinstance(answer, tuple | list) and any(x is ... for x in answer):
        return Feedback(name, False, "replace each ... with your answer, then run the cell again.")
    if not isinstance(answer, tuple | list) or len(answer) != 2 or not all(
        isinstance(x, int) and not isinstance(x, bool) for x in answer
    ):
        return Feedback(name, False, "answer with two whole numbers: (most pods at once, fewest available).")
    most, fewest = answer
    want_most, want_fewest = rollout_bounds()
    if most != want_most:
        if most == REPLICAS + 2:
            hint = "maxSurge rounds up: 25% of 10 is 2.5, so 3 extra pods may exist"
        elif most == REPLICAS:
            hint = "maxSurge lets the Deployment run pods above replicas while the new ones start"
        else:
            hint = "most pods = replicas + maxSurge, with the percentage of replicas rounded up"
        return Feedback(name, False, f"the most pods at once is not {most}. Hint: {hint}.")
    if fewest != want_fewest:
        if fewest == REPLICAS - 3:
            hint = "maxUnavailable rounds down: 25% of 10 is 2.5, so only 2 pods may be unavailable"
        elif fewest == REPLICAS:
            hint = "maxUnavailable 25% allows some pods to be unavailable; 0 would keep all 10"
        else:
            hint = "fewest available = replicas - maxUnavailable, with the percentage rounded down"
        return Feedback(name, False, f"the fewest available pods is not {fewest}. Hint: {hint}.")
    return Feedback(name, True, f"{most} and {fewest}: surge rounds up (start new pods sooner), unavailable "
                                "rounds down (never lose more than allowed). Both round toward safety.")


# -- exercise 2: a rollout with zero failed requests -------------------------------------------------

#: A Deployment that loses requests when it rolls out: fix it.
BROKEN = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web"},
    "spec": {
        "replicas": 3,
        "selector": {"matchLabels": {"app": "web"}},
        "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": "100%"}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "web", "image": "web:1", "ports": [{"containerPort": 80}]}]},
        },
    },
}

SERVICE = {
    "apiVersion": "v1",
    "kind": "Service",
    "metadata": {"name": "web"},
    "spec": {"type": "LoadBalancer", "selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 80}]},
}

#: The exercise's scenario: the same as the notebook's (seconds, requests per second, when web:2 is set).
WARMUP = 5.0
RATE = 20
SECONDS = 90
UPDATE_AT = 10


def broken() -> dict:
    """A fresh copy of BROKEN to edit."""
    return copy.deepcopy(BROKEN)


def rollout_under_traffic(deployment: dict, seed: int = 0):
    """Apply `deployment` (and a LoadBalancer Service `web`), let it come up, then roll it to web:2 under
    RATE requests per second. Returns (cluster, the traffic table)."""
    from k8slab import Cluster
    from k8slab.kubelet.runtime import web_server
    from k8slab.net.traffic import traffic

    cluster = Cluster(nodes=3, seed=seed)
    cluster.images.register("web", web_server(warmup=WARMUP))
    cluster.apply([deployment, SERVICE])
    cluster.run(seconds=30)
    ingress = (cluster.api.get("services", "web").get("status") or {}).get("loadBalancer", {}).get("ingress")
    url = f"http://{ingress[0]['ip']}/"
    result = traffic(cluster, url, rate=RATE, seconds=SECONDS,
                     at={UPDATE_AT: lambda c: c.kubectl("set image deployment/web web=web:2")})
    return cluster, result


def _shape_problem(answer: Any) -> str:
    if not isinstance(answer, dict):
        return "answer with the Deployment as a dict (start from broken() and change it)."
    if answer.get("kind") != "Deployment" or (answer.get("metadata") or {}).get("name") != "web":
        return "keep it a Deployment named web."
    spec = answer.get("spec") or {}
    template = (spec.get("template") or {}).get("spec") or {}
    containers = template.get("containers") or []
    if len(containers) != 1 or containers[0].get("name") != "web" or containers[0].get("image") != "web:1":
        return "keep one container named web running image web:1 (the check rolls it to web:2)."
    if spec.get("replicas", 1) != 3:
        return "keep replicas: 3 (more pods would hide the problem, not fix it)."
    return ""


@exercise("09-zero-downtime")
def check_zero_downtime(answer: Any) -> Feedback:
    name = "09-zero-downtime"
    problem = _shape_problem(answer)
    if problem:
        return Feedback(name, False, problem)
    cluster, result = rollout_under_traffic(copy.deepcopy(answer))
    if cluster.api.get("deployments", "web")["spec"]["template"]["spec"]["containers"][0]["image"] != "web:2":
        return Feedback(name, False, "the rollout did not start: kubectl set image deployment/web web=web:2 "
                                     "must be able to change it.")
    failed = result[~result["ok"]]
    pods = cluster.api.list("pods", "default")["items"]
    ready_new = [p for p in pods if p["spec"]["containers"][0]["image"] == "web:2"
                 and any(c.get("type") == "Ready" and c.get("status") == "True"
                         for c in (p.get("status") or {}).get("conditions") or [])]
    if failed.empty and len(ready_new) == 3:
        return Feedback(name, True, f"{len(result)} requests, 0 failed, and all 3 pods run web:2: new "
                                    "pods take traffic only once ready, old ones leave the rules before they "
                                    "stop.")
    if failed.empty:
        return Feedback(name, False, f"no request failed, but only {len(ready_new)} of 3 pods run web:2 and "
                                     "are Ready after it: is the readiness probe one web:2 can pass?")
    statuses = failed["status"].value_counts()
    errors = " ".join(failed["error"].astype(str))
    hints = []
    if statuses.get(503, 0):
        hints.append(f"{statuses[503]} answers were 503 (a pod still warming up got traffic): a readiness "
                     "probe keeps a pod out of the Service until it answers")
    if "Connection refused" in errors or "timed out" in errors:
        hints.append("some requests found no pod at all: with maxUnavailable above 0 (or a percentage), "
                     "old pods go before new ones are ready; try maxUnavailable: 0 and maxSurge: 1")
    if "No route to host" in errors:
        hints.append("some requests went to a pod that had already stopped: kube-proxy's rules lag the "
                     "deletion by up to a second; a preStop sleep keeps the old pod serving meanwhile")
    detail = "; ".join(hints) or "look at result[~result.ok] to see what went wrong"
    return Feedback(name, False, f"{len(failed)} of {len(result)} requests failed. {detail}.")
