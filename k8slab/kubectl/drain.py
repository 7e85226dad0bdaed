"""`kubectl drain NODE`: cordon a node, then evict its pods and wait until they are gone.

What kubectl does (staging/src/k8s.io/kubectl/pkg/drain): mark the node
unschedulable, list the pods bound to it, refuse (unless told otherwise) when
some of them would be lost for good, then evict each one and wait for it to
disappear. A pod's controller (a ReplicaSet, ...) makes a replacement, which
the scheduler puts on another node because this one is cordoned.

The checks, in kubectl's order and words:

* a pod that declares no controller is not recreated by anyone:
  "cannot delete Pods that declare no controller (use --force to override)";
* a pod with an `emptyDir` volume loses that data:
  "cannot delete Pods with local storage (use --delete-emptydir-data to override)".

Pods that already finished (Succeeded or Failed) are deleted without a
check. What the lab simplifies, said out loud: the lab has no Eviction
subresource and no PodDisruptionBudgets, so an eviction is a graceful DELETE
of the pod (what `kubectl drain --disable-eviction` does); and there are no
DaemonSet or static (mirror) pods to skip.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from k8slab.api.errors import NotFound

#: How long the lab's drain waits for the evicted pods to go, in virtual seconds (kubectl: no limit).
DRAIN_TIMEOUT = 600.0


@dataclass
class DrainResult:
    """What `kubectl drain` printed: stdout lines, stderr lines, and whether the node is drained."""

    out: list[str] = field(default_factory=list)
    err: list[str] = field(default_factory=list)
    drained: bool = False

    def __str__(self) -> str:
        return "".join(line + "\n" for line in self.err + self.out)


def drain(
    api,
    node: str,
    *,
    force: bool = False,
    delete_emptydir_data: bool = False,
    grace_period: int | None = None,
    timeout: float = DRAIN_TIMEOUT,
) -> DrainResult:
    """Cordon `node`, evict its pods, advance virtual time until they are gone; kubectl's output."""
    result = DrainResult()
    obj = api.get("nodes", node)  # NotFound in the API's words: nodes "x" not found
    if obj.get("spec", {}).get("unschedulable"):
        result.out.append(f"node/{node} already cordoned")
    else:
        api.patch("nodes", node, {"spec": {"unschedulable": True}}, patch_type="strategic")
        result.out.append(f"node/{node} cordoned")
    pods = [p for p in api.list("pods", None, field_selector=f"spec.nodeName={node}")["items"]
            if not p["metadata"].get("deletionTimestamp")]
    problems = _blocking(pods, force, delete_emptydir_data)
    if problems:
        _pending(result, node, "; ".join(problems))
        return result
    unmanaged = [p for p in pods if not _controller(p) and not _finished(p)]
    if unmanaged:  # --force was given: kubectl warns about what is lost
        names = ", ".join(_ref(p) for p in unmanaged)
        result.err.append(f"Warning: deleting Pods that declare no controller: {names}")
    evicted = []
    for pod in sorted(pods, key=lambda p: (p["metadata"].get("namespace", ""), p["metadata"]["name"])):
        result.out.append(f"evicting pod {_ref(pod)}")
        try:
            last = api.delete("pods", pod["metadata"]["name"], pod["metadata"].get("namespace"),
                              grace_period_seconds=grace_period)
        except NotFound:
            continue
        evicted.append(last)
    waiting = list(evicted)
    loop = api.loop
    deadline = loop.now + timeout
    while waiting:
        waiting = [p for p in waiting if not _gone(api, p)]
        for pod in [p for p in evicted if p not in waiting]:
            result.out.append(f"pod/{pod['metadata']['name']} evicted")
            evicted.remove(pod)
        if not waiting:
            break
        upcoming = loop.next_time()
        if upcoming is None or upcoming > deadline:
            loop.run(until=deadline)
            _pending(result, node, f"global timeout reached: {timeout:g}s")
            return result
        loop.step()
    result.out.append(f"node/{node} drained")
    result.drained = True
    return result


def _pending(result: DrainResult, node: str, text: str) -> None:
    """kubectl's report when a node could not be drained: the error, then the nodes still pending."""
    result.err.append(f'error: unable to drain node "{node}" due to error: {text}, continuing command...')
    result.err.append("There are pending nodes to be drained:")
    result.err.append(f" {node}")
    result.err.append(f"error: {text}")


def _blocking(pods: list[dict], force: bool, delete_emptydir_data: bool) -> list[str]:
    unmanaged = [p for p in pods if not _controller(p) and not _finished(p)]
    local = [p for p in pods if _has_emptydir(p) and not _finished(p)]
    problems = []
    if unmanaged and not force:
        problems.append("cannot delete Pods that declare no controller (use --force to override): "
                        + ", ".join(_ref(p) for p in unmanaged))
    if local and not delete_emptydir_data:
        problems.append("cannot delete Pods with local storage (use --delete-emptydir-data to override): "
                        + ", ".join(_ref(p) for p in local))
    return problems


def _controller(pod: dict) -> dict | None:
    return next((ref for ref in pod["metadata"].get("ownerReferences") or [] if ref.get("controller")), None)


def _finished(pod: dict) -> bool:
    return (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")


def _has_emptydir(pod: dict) -> bool:
    return any("emptyDir" in volume for volume in (pod.get("spec") or {}).get("volumes") or [])


def _ref(pod: dict) -> str:
    return f"{pod['metadata'].get('namespace', '')}/{pod['metadata']['name']}"


def _gone(api, last: dict) -> bool:
    try:
        current = api.get("pods", last["metadata"]["name"], last["metadata"].get("namespace"))
    except NotFound:
        return True
    return current["metadata"].get("uid") != last["metadata"].get("uid")
