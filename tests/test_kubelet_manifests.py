"""The example manifests under data/manifests do on the lab's kubelet what their comments promise."""

from __future__ import annotations

import pathlib

import pytest

from k8slab.kubectl import Kubectl
from tests.test_kubelet import Node

MANIFESTS = pathlib.Path(__file__).resolve().parent.parent / "data" / "manifests"


def apply(node: Node, name: str) -> Kubectl:
    kubectl = Kubectl(node.api)
    kubectl.apply(str(MANIFESTS / name))
    for pod in node.api.list("pods", "default")["items"]:
        node.api.bind("default", pod["metadata"]["name"], "node-1")
    return kubectl


def row(kubectl: Kubectl, pod: str) -> list[str]:
    lines = str(kubectl.run(f"get pod {pod}")).splitlines()
    return lines[1].split()


def test_crashloop_manifest_crash_loops():
    node = Node()
    kubectl = apply(node, "crashloop.yaml")
    node.run(10)  # started at 1.5 s, exited at 4.5 s, restarted at once, exited at 7.5 s: back-off 10 s
    assert row(kubectl, "crashloop")[2] == "CrashLoopBackOff"
    assert node.kubelet.logs("default", "crashloop", "app", previous=True) == (
        "starting up\ncannot reach the database\n"
    )


def test_init_containers_manifest_shows_init_progress_then_runs():
    node = Node()
    kubectl = apply(node, "pod-init-containers.yaml")
    node.run(3)
    assert row(kubectl, "init-demo")[2] == "Init:0/2"
    node.run(5)
    assert row(kubectl, "init-demo")[2] == "Init:1/2"
    node.run(15)
    assert row(kubectl, "init-demo")[1:3] == ["1/1", "Running"]


def test_oneshot_manifest_ends_completed_and_error():
    node = Node()
    kubectl = apply(node, "pod-oneshot.yaml")
    node.run(15)
    assert row(kubectl, "hello")[2] == "Completed"
    assert row(kubectl, "oops")[2] == "Error"
    assert node.get("hello")["status"]["phase"] == "Succeeded"
    assert node.get("oops")["status"]["phase"] == "Failed"


def test_missing_image_manifest_backs_off():
    node = Node()
    kubectl = apply(node, "pod-missing-image.yaml")
    node.run(5)
    assert row(kubectl, "bad-image")[2] == "ImagePullBackOff"


def test_memory_manifest_is_oomkilled():
    node = Node()
    kubectl = apply(node, "pod-memory-oom.yaml")
    node.run(4)
    status = node.status("memory-demo-2")
    terminated = status["lastState"].get("terminated") or status["state"].get("terminated")
    assert terminated["reason"] == "OOMKilled" and terminated["exitCode"] == 137
    assert row(kubectl, "memory-demo-2")[2] in ("OOMKilled", "CrashLoopBackOff", "Running")


def test_cpu_manifest_is_throttled_at_its_limit():
    node = Node()
    apply(node, "pod-cpu-throttled.yaml")
    node.run(10)
    container = node.kubelet.container("default", "cpu-demo", "cpu-demo-ctr")
    assert container.usage(node.loop.now)[0] == 1.0
    assert node.get("cpu-demo")["status"]["phase"] == "Running"


@pytest.mark.parametrize("manifest", ["pod-readiness.yaml", "pod-liveness-exec.yaml"])
def test_probe_manifests_run_and_become_ready(manifest):
    node = Node()
    apply(node, manifest)
    node.run(15)
    pod = node.api.list("pods", "default")["items"][0]
    assert pod["status"]["phase"] == "Running"
    assert all(s["ready"] for s in pod["status"]["containerStatuses"])
