"""Startup, liveness and readiness probes against the simulated containers (notebook 05)."""

from __future__ import annotations

import pathlib

import yaml

from k8slab.kubelet import ImageRegistry, web_server
from tests.test_kubelet import Node

MANIFESTS = pathlib.Path(__file__).resolve().parent.parent / "data" / "manifests"


def http_probe(path: str = "/healthz", port: int = 80, **timing) -> dict:
    return {"httpGet": {"path": path, "port": port}, **timing}


def test_readiness_probe_makes_the_pod_ready_only_after_it_succeeds():
    registry = ImageRegistry()
    registry.register("slowstart", web_server(warmup=12))
    node = Node(registry)
    node.pod(
        containers=[{"name": "app", "image": "slowstart:1", "readinessProbe": http_probe(periodSeconds=5)}]
    )
    node.run(10)
    assert node.get()["status"]["phase"] == "Running"
    assert node.condition("Ready") == "False"
    assert node.condition("ContainersReady") == "False"
    assert node.status()["ready"] is False
    ready = next(c for c in node.get()["status"]["conditions"] if c["type"] == "Ready")
    assert ready["reason"] == "ContainersNotReady"
    assert ready["message"] == "containers with unready status: [app]"
    node.run(10)
    assert node.condition("Ready") == "True"
    assert node.status()["ready"] is True


def test_readiness_failures_make_the_pod_unready_without_a_restart():
    node = Node()
    node.pod(
        containers=[{"name": "app", "image": "nginx:1.25", "readinessProbe": http_probe(periodSeconds=5)}]
    )
    node.run(10)
    assert node.condition("Ready") == "True"
    node.kubelet.container("default", "web", "app").set_healthy(False)
    node.run(16)
    assert node.condition("Ready") == "False"
    assert node.status()["restartCount"] == 0
    assert (
        "Warning",
        "Unhealthy",
        "Readiness probe failed: HTTP probe failed with statuscode: 500",
    ) in node.events()


def test_liveness_failure_restarts_the_container_with_upstreams_messages():
    node = Node()
    probe = http_probe(periodSeconds=3, failureThreshold=3)
    node.pod(containers=[{"name": "app", "image": "nginx:1.25", "livenessProbe": probe}])
    node.run(10)
    node.kubelet.container("default", "web", "app").set_healthy(False)
    node.run(10)
    events = node.events()
    assert ("Warning", "Unhealthy", "Liveness probe failed: HTTP probe failed with statuscode: 500") in events
    assert ("Normal", "Killing", "Container app failed liveness probe, will be restarted") in events
    assert node.status()["restartCount"] == 1
    assert "running" in node.status()["state"]


def test_liveness_does_not_fire_before_failure_threshold():
    node = Node()
    probe = http_probe(periodSeconds=10, failureThreshold=3)
    node.pod(containers=[{"name": "app", "image": "nginx:1.25", "livenessProbe": probe}])
    node.run(5)
    node.kubelet.container("default", "web", "app").set_healthy(False)
    node.run(20)  # two failed probes
    assert node.status()["restartCount"] == 0


def test_kubernetes_io_liveness_http_example_restarts_after_ten_seconds_of_health():
    node = Node()
    pod = yaml.safe_load((MANIFESTS / "pod-probes.yaml").read_text())
    node.api.create(pod)
    node.api.bind("default", "liveness-http", "node-1")
    node.run(40)
    assert node.status("liveness-http")["restartCount"] >= 1
    assert node.status("liveness-http")["lastState"]["terminated"]["finishedAt"]


def test_kubernetes_io_liveness_exec_example_fails_when_the_file_is_removed():
    node = Node()
    node.pod(
        containers=[
            {
                "name": "liveness",
                "image": "registry.k8s.io/busybox",
                "args": ["/bin/sh", "-c", "touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600"],
                "livenessProbe": {
                    "exec": {"command": ["cat", "/tmp/healthy"]},
                    "initialDelaySeconds": 5,
                    "periodSeconds": 5,
                },
            }
        ]
    )
    node.run(45)  # the file goes at 31.5 s; probes at 36.5, 41.5, 46.5 s fail
    assert node.status()["restartCount"] == 0
    node.run(5)
    assert (
        "Normal",
        "Killing",
        "Container liveness failed liveness probe, will be restarted",
    ) in node.events()
    node.run(20)  # sh as PID 1 ignores SIGTERM: SIGKILL after the 30 s grace period
    assert node.status()["restartCount"] == 0
    node.run(15)
    assert node.status()["restartCount"] == 1
    assert node.status()["lastState"]["terminated"]["exitCode"] == 137
    message = "Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory"
    assert ("Warning", "Unhealthy", message) in node.events()


def test_tcp_socket_probe_succeeds_on_a_listening_port_and_fails_on_another():
    node = Node()
    node.pod(
        "good",
        containers=[
            {
                "name": "app",
                "image": "nginx:1.25",
                "ports": [{"containerPort": 8080}],
                "readinessProbe": {"tcpSocket": {"port": 8080}, "periodSeconds": 5},
            }
        ],
    )
    node.pod(
        "bad",
        containers=[
            {
                "name": "app",
                "image": "nginx:1.25",
                "readinessProbe": {"tcpSocket": {"port": 9999}, "periodSeconds": 5},
            }
        ],
    )
    node.run(20)
    assert node.condition("Ready", "good") == "True"
    assert node.condition("Ready", "bad") == "False"
    assert any("connect: connection refused" in m for _, _, m in node.events("bad"))


def test_startup_probe_holds_back_liveness_and_kills_a_container_that_never_starts():
    node = Node()
    node.pod(
        containers=[
            {
                "name": "app",
                "image": "nginx:1.25",
                "startupProbe": http_probe(port=81, periodSeconds=5, failureThreshold=3),
                "livenessProbe": http_probe(periodSeconds=1),
            }
        ]
    )
    node.run(10)
    assert node.status()["started"] is False
    assert node.condition("Ready") == "False"
    node.run(10)
    events = node.events()
    assert ("Normal", "Killing", "Container app failed startup probe, will be restarted") in events
    assert not any(m.startswith("Liveness probe failed") for _, _, m in events)


def test_startup_probe_success_marks_the_container_started_and_ready():
    node = Node()
    node.pod(containers=[{"name": "app", "image": "nginx:1.25", "startupProbe": http_probe(periodSeconds=5)}])
    node.run(10)
    assert node.status()["started"] is True
    assert node.condition("Ready") == "True"


def test_initial_delay_postpones_the_first_probe():
    node = Node()
    node.pod(
        containers=[
            {
                "name": "app",
                "image": "nginx:1.25",
                "readinessProbe": http_probe(initialDelaySeconds=20, periodSeconds=5),
            }
        ]
    )
    node.run(20)
    assert node.condition("Ready") == "False"
    node.run(5)
    assert node.condition("Ready") == "True"


def test_a_slow_answer_fails_the_probe_after_timeout_seconds():
    registry = ImageRegistry()
    registry.register("slow", web_server(latency=2.5))
    node = Node(registry)
    node.pod(containers=[{"name": "app", "image": "slow:1", "readinessProbe": http_probe(periodSeconds=5)}])
    node.run(30)
    assert node.condition("Ready") == "False"
    assert any("context deadline exceeded" in m for _, _, m in node.events())


def test_a_pod_with_no_probes_keeps_no_timers_once_running():
    node = Node()
    node.pod()
    node.run(10)
    worker = next(iter(node.kubelet.workers.values()))
    assert worker.timer is None
    assert all(not r.probes and r.retry is None for r in worker.records)


def test_an_exec_probe_slower_than_its_timeout_fails():
    node = Node()
    probe = {"exec": {"command": ["sleep", "5"]}, "periodSeconds": 10, "timeoutSeconds": 1}
    node.pod(containers=[{"name": "app", "image": "nginx:1.25", "readinessProbe": probe}])
    node.run(15)
    assert node.condition("Ready") == "False"
    assert ("Warning", "Unhealthy", 'Readiness probe failed: command "sleep 5" timed out') in node.events()
