"""The kubelet: from a bound pod to running containers, restarts, probes, deletion (notebook 05)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from k8slab.api.errors import BadRequest, NotFound, StatusError
from k8slab.api.server import APIServer
from k8slab.client import Client
from k8slab.kubelet import ImageRegistry, Kubelet, crash_loop
from k8slab.sim import Loop
from k8slab.store import Store


class Node:
    """A bare API server, one kubelet (node-1) and helpers, all on one strict loop."""

    def __init__(self, registry: ImageRegistry | None = None, nodes: int = 1):
        self.loop = Loop(seed=0, strict=True)
        self.api = APIServer(Store(self.loop))
        self.registry = registry or ImageRegistry()
        self.kubelets = []
        for index in range(1, nodes + 1):
            kubelet = Kubelet(
                Client(self.api, user=f"system:node:node-{index}"), index, {}, registry=self.registry
            )
            kubelet.run()
            self.kubelets.append(kubelet)
        self.kubelet = self.kubelets[0]

    def pod(self, name: str = "web", node: str = "node-1", **spec) -> dict:
        body = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"containers": [{"name": "app", "image": "nginx:1.25"}], **spec},
        }
        created = self.api.create(body)
        if node:
            self.api.bind("default", name, node)
        return created

    def get(self, name: str = "web") -> dict:
        return self.api.get("pods", name, "default")

    def status(self, name: str = "web", container: int = 0) -> dict:
        return self.get(name)["status"]["containerStatuses"][container]

    def run(self, seconds: float) -> None:
        self.loop.run(seconds=seconds)

    def events(self, name: str = "web") -> list[tuple[str, str, str]]:
        items = self.api.list("events", "default")["items"]
        return [(e["type"], e["reason"], e["message"]) for e in items if e["involvedObject"]["name"] == name]

    def condition(self, kind: str, name: str = "web") -> str:
        return next(c["status"] for c in self.get(name)["status"]["conditions"] if c["type"] == kind)


# ----------------------------------------------------------------------------- node and lease


def test_kubelet_registers_its_node_with_heartbeat_times_from_the_virtual_clock():
    node = Node()
    registered = node.api.get("nodes", "node-1")
    assert registered["metadata"]["labels"]["kubernetes.io/hostname"] == "node-1"
    ready = next(c for c in registered["status"]["conditions"] if c["type"] == "Ready")
    assert ready["status"] == "True" and ready["reason"] == "KubeletReady"
    assert ready["lastHeartbeatTime"] == "2024-01-01T00:00:00Z"


def test_kubelet_creates_its_lease_and_renews_it_every_10_seconds():
    node = Node()
    lease = node.api.get("leases", "node-1", "kube-node-lease")
    assert lease["spec"]["holderIdentity"] == "node-1"
    assert lease["spec"]["leaseDurationSeconds"] == 40
    assert lease["metadata"]["ownerReferences"][0]["kind"] == "Node"
    node.run(25)
    lease = node.api.get("leases", "node-1", "kube-node-lease")
    assert lease["spec"]["renewTime"].startswith("2024-01-01T00:00:20")


def test_unchanged_node_status_is_posted_only_every_5_minutes():
    node = Node()
    node.api.requests.clear()
    node.run(299)
    assert not [r for r in node.api.requests if r.verb == "update/status" and r.resource == "nodes"]
    node.run(11)
    assert [r for r in node.api.requests if r.verb == "update/status" and r.resource == "nodes"]


def test_a_condition_provider_change_is_posted_at_the_next_status_check():
    node = Node()
    pressure = {}
    node.kubelet.add_condition_provider(lambda: pressure)
    node.run(10)
    pressure["MemoryPressure"] = ("True", "KubeletHasInsufficientMemory", "kubelet has insufficient memory")
    node.run(10)
    conditions = {c["type"]: c for c in node.api.get("nodes", "node-1")["status"]["conditions"]}
    assert conditions["MemoryPressure"]["status"] == "True"
    assert conditions["MemoryPressure"]["lastTransitionTime"] == "2024-01-01T00:00:20Z"


def test_node_status_lists_pulled_images_for_image_locality():
    node = Node()
    node.pod()
    node.run(15)
    images = node.api.get("nodes", "node-1")["status"]["images"]
    assert images[0]["names"][1] == "nginx:1.25"
    assert images[0]["names"][0].startswith("docker.io/library/nginx@sha256:")
    assert images[0]["sizeBytes"] > 0


# ----------------------------------------------------------------------------- from bind to Running


def test_a_bound_pod_goes_container_creating_then_running_with_ip_and_conditions():
    node = Node()
    node.pod()
    node.run(0.1)
    pod = node.get()
    assert pod["status"]["phase"] == "Pending"
    assert node.status()["state"] == {"waiting": {"reason": "ContainerCreating"}}
    assert pod["status"]["hostIP"] == "10.0.0.11"
    node.run(10)
    status = node.get()["status"]
    assert status["phase"] == "Running"
    assert status["podIP"] == "10.244.1.2" and status["podIPs"] == [{"ip": "10.244.1.2"}]
    assert {c["type"]: c["status"] for c in status["conditions"]} == {
        "PodReadyToStartContainers": "True",
        "Initialized": "True",
        "Ready": "True",
        "ContainersReady": "True",
        "PodScheduled": "True",
    }
    container = node.status()
    assert container["ready"] is True and container["started"] is True
    assert container["image"] == "docker.io/library/nginx:1.25"
    assert container["containerID"].startswith("containerd://")
    assert "running" in container["state"]


def test_kubelet_records_pull_create_start_events_from_the_kubelet():
    node = Node()
    node.pod()
    node.run(10)
    reasons = [reason for _, reason, _ in node.events()]
    assert reasons == ["Pulling", "Pulled", "Created", "Started"]
    assert node.events()[1][2].startswith('Successfully pulled image "nginx:1.25" in 3s')
    event = node.api.list("events", "default")["items"][0]
    assert event["source"]["component"] == "kubelet"


def test_a_second_pod_with_the_same_image_finds_it_present():
    node = Node()
    node.pod("a")
    node.run(10)
    node.pod("b")
    node.run(10)
    assert ("Normal", "Pulled", 'Container image "nginx:1.25" already present on machine') in node.events("b")
    assert node.get("b")["status"]["podIP"] == "10.244.1.3"


def test_web_server_pod_needs_a_handful_of_api_writes_from_bind_to_running():
    node = Node()
    node.pod()
    node.api.requests.clear()
    node.run(5)
    writes = [r for r in node.api.requests if r.verb not in ("get", "list", "watch") and r.resource == "pods"]
    assert len(writes) <= 3


def test_pod_bound_to_a_node_without_kubelet_stays_pending():
    node = Node()
    node.pod(node="node-9")
    node.run(60)
    assert node.get()["status"].get("phase") == "Pending"
    assert "containerStatuses" not in node.get()["status"]


def test_pod_ips_are_released_on_delete_and_handed_out_upward():
    node = Node()
    node.pod("a")
    node.pod("b")
    node.run(10)
    node.api.delete("pods", "a", "default")
    node.run(5)
    node.pod("c")
    node.run(10)
    assert node.get("c")["status"]["podIP"] == "10.244.1.4"  # host-local goes on after the last one
    assert node.kubelet.ips.allocated() == ["10.244.1.3", "10.244.1.4"]


# ----------------------------------------------------------------------------- graceful deletion


def test_graceful_delete_stops_the_containers_then_removes_the_pod():
    node = Node()
    node.pod()
    node.run(10)
    node.api.delete("pods", "web", "default")
    assert node.get()["metadata"]["deletionTimestamp"]
    node.run(1)
    with pytest.raises(NotFound):
        node.get()
    assert ("Normal", "Killing", "Stopping container app") in node.events()
    assert node.kubelet.runtime.containers() == []


def test_a_sleep_container_ignores_sigterm_and_is_killed_after_the_grace_period():
    node = Node()
    node.pod(
        containers=[{"name": "app", "image": "busybox", "command": ["sleep", "3600"]}],
        terminationGracePeriodSeconds=5,
    )
    node.run(10)
    node.api.delete("pods", "web", "default")
    node.run(4)
    assert node.get()["metadata"]["deletionTimestamp"]
    node.run(2)
    with pytest.raises(NotFound):
        node.get()


def test_prestop_sleep_runs_before_sigterm():
    node = Node()
    node.pod(
        containers=[
            {"name": "app", "image": "nginx:1.25", "lifecycle": {"preStop": {"sleep": {"seconds": 3}}}}
        ]
    )
    node.run(10)
    node.api.delete("pods", "web", "default")
    node.run(2.5)
    assert node.get()["metadata"]["deletionTimestamp"]
    node.run(1)
    with pytest.raises(NotFound):
        node.get()


# ----------------------------------------------------------------------------- restarts


def crashing_registry(seconds: float = 5.0) -> ImageRegistry:
    registry = ImageRegistry()
    registry.register("crasher", crash_loop(seconds=seconds), pull_seconds=1)
    return registry


def test_crashing_container_restarts_with_back_off_doubling_from_10s():
    node = Node(crashing_registry(seconds=1))
    node.pod(containers=[{"name": "app", "image": "crasher:1"}])
    starts = []
    node.kubelet.runtime.on_exit = (lambda original: lambda c: (starts.append(c.started_at), original(c)))(
        node.kubelet.runtime.on_exit
    )
    node.run(200)
    gaps = [round(b - a - 1, 1) for a, b in zip(starts, starts[1:], strict=False)]
    assert gaps[:5] == [0.0, 10.0, 20.0, 40.0, 80.0]
    status = node.status()
    assert status["restartCount"] == 5
    assert status["lastState"]["terminated"]["reason"] == "Error"
    assert status["lastState"]["terminated"]["exitCode"] == 1


def test_crash_loop_shows_crashloopbackoff_waiting_reason_and_event():
    node = Node(crashing_registry(seconds=1))
    node.pod(containers=[{"name": "app", "image": "crasher:1"}])
    node.run(4)
    state = node.status()["state"]
    assert state["waiting"]["reason"] == "CrashLoopBackOff"
    assert state["waiting"]["message"].startswith(
        "back-off 10s restarting failed container=app pod=web_default("
    )
    assert node.get()["status"]["phase"] == "Running"
    assert any(reason == "BackOff" for _, reason, _ in node.events())


def test_back_off_caps_at_300_seconds():
    node = Node(crashing_registry(seconds=1))
    node.pod(containers=[{"name": "app", "image": "crasher:1"}])
    node.run(1500)
    assert node.kubelet.restart_backoff.get((node.get()["metadata"]["uid"], "app")) == 300


def test_back_off_starts_over_after_ten_minutes_of_running():
    node = Node(crashing_registry(seconds=700))
    node.pod(containers=[{"name": "app", "image": "crasher:1"}])
    node.run(2 + 700 + 1)
    node.run(700 + 1)
    assert node.status()["restartCount"] == 2
    assert "running" in node.status()["state"]


def test_restart_policy_never_leaves_a_failed_pod():
    node = Node(crashing_registry(seconds=1))
    node.pod(containers=[{"name": "app", "image": "crasher:1"}], restartPolicy="Never")
    node.run(10)
    pod = node.get()
    assert pod["status"]["phase"] == "Failed"
    assert node.status()["state"]["terminated"]["reason"] == "Error"
    assert node.status()["restartCount"] == 0
    assert node.kubelet.ips.used == set()


def test_restart_policy_onfailure_completes_a_successful_job():
    node = Node()
    node.pod(containers=[{"name": "app", "image": "k8slab/job:1", "args": []}], restartPolicy="OnFailure")
    node.run(60)
    pod = node.get()
    assert pod["status"]["phase"] == "Succeeded"
    assert node.status()["state"]["terminated"]["reason"] == "Completed"
    ready = next(c for c in pod["status"]["conditions"] if c["type"] == "Ready")
    assert ready["status"] == "False" and ready["reason"] == "PodCompleted"


def test_restart_policy_always_restarts_a_container_that_exits_zero():
    node = Node()
    node.pod(
        containers=[{"name": "app", "image": "busybox:1.36", "command": ["sh", "-c", "echo hi; sleep 2"]}]
    )
    node.run(30)
    assert node.status()["restartCount"] >= 1
    assert node.status()["lastState"]["terminated"]["reason"] == "Completed"


def test_busybox_with_no_command_exits_at_once_and_crash_loops():
    node = Node()
    node.pod(containers=[{"name": "app", "image": "busybox:1.36"}])
    node.run(20)
    assert node.status()["state"]["waiting"]["reason"] == "CrashLoopBackOff"


def test_init_containers_run_in_order_before_the_app():
    node = Node()
    node.pod(
        initContainers=[
            {"name": "first", "image": "busybox:1.36", "command": ["sh", "-c", "echo one; sleep 3"]},
            {"name": "second", "image": "busybox:1.36", "command": ["sh", "-c", "echo two; sleep 3"]},
        ]
    )
    node.run(2.5)
    pod = node.get()
    assert pod["status"]["phase"] == "Pending"
    assert node.status()["state"]["waiting"]["reason"] == "PodInitializing"
    assert "running" in pod["status"]["initContainerStatuses"][0]["state"]
    assert pod["status"]["initContainerStatuses"][1]["state"]["waiting"]["reason"] == "PodInitializing"
    node.run(20)
    pod = node.get()
    assert pod["status"]["phase"] == "Running"
    assert [s["state"]["terminated"]["reason"] for s in pod["status"]["initContainerStatuses"]] == [
        "Completed",
        "Completed",
    ]
    assert node.condition("Initialized") == "True"


def test_a_failing_init_container_with_restart_never_fails_the_pod():
    node = Node()
    node.pod(
        initContainers=[{"name": "init", "image": "busybox:1.36", "command": ["sh", "-c", "exit 3"]}],
        restartPolicy="Never",
    )
    node.run(10)
    pod = node.get()
    assert pod["status"]["phase"] == "Failed"
    assert pod["status"]["initContainerStatuses"][0]["state"]["terminated"]["exitCode"] == 3
    assert node.status()["state"]["waiting"]["reason"] == "PodInitializing"


# ----------------------------------------------------------------------------- images


def test_missing_image_goes_errimagepull_then_imagepullbackoff():
    node = Node()
    node.pod(containers=[{"name": "app", "image": "nginx:doesnotexist"}])
    node.run(1.2)
    waiting = node.status()["state"]["waiting"]
    assert waiting["reason"] == "ErrImagePull"
    assert "not found" in waiting["message"]
    node.run(1)
    waiting = node.status()["state"]["waiting"]
    assert waiting == {"reason": "ImagePullBackOff", "message": 'Back-off pulling image "nginx:doesnotexist"'}
    messages = [m for _, _, m in node.events()]
    assert 'Failed to pull image "nginx:doesnotexist": rpc error: code = NotFound' in " ".join(messages)
    assert "Error: ErrImagePull" in messages and "Error: ImagePullBackOff" in messages


def test_image_marked_missing_in_the_registry_cannot_be_pulled():
    registry = ImageRegistry()
    registry.mark_missing("shop/api:v9")
    node = Node(registry)
    node.pod(containers=[{"name": "app", "image": "shop/api:v9"}])
    node.run(1.2)
    assert node.status()["state"]["waiting"]["reason"] == "ErrImagePull"


def test_pull_policy_never_without_the_image_is_errimageneverpull():
    node = Node()
    node.pod(containers=[{"name": "app", "image": "nginx:1.25", "imagePullPolicy": "Never"}])
    node.run(5)
    waiting = node.status()["state"]["waiting"]
    assert waiting == {
        "reason": "ErrImageNeverPull",
        "message": 'Container image "nginx:1.25" is not present with pull policy of Never',
    }


def test_pull_policy_always_pulls_even_when_present():
    node = Node()
    node.pod("a")
    node.run(10)
    node.pod("b", containers=[{"name": "app", "image": "nginx:1.25", "imagePullPolicy": "Always"}])
    node.run(10)
    assert [r for _, r, _ in node.events("b")][:2] == ["Pulling", "Pulled"]


def test_slow_pull_takes_the_registry_time():
    registry = ImageRegistry()
    registry.set_pull_seconds("nginx", 60)
    node = Node(registry)
    node.pod()
    node.run(50)
    assert node.get()["status"]["phase"] == "Pending"
    node.run(20)
    assert node.get()["status"]["phase"] == "Running"


def test_pulls_on_one_node_are_serial():
    node = Node()
    node.pod("a")
    node.pod("b", containers=[{"name": "app", "image": "httpd:2.4"}])
    node.run(10)
    message = next(m for _, r, m in node.events("b") if r == "Pulled")
    assert message.startswith('Successfully pulled image "httpd:2.4" in 3s (6s including waiting)')


# ----------------------------------------------------------------------------- bad input


def test_an_impossible_command_fails_to_start_with_start_error():
    node = Node()
    node.pod(containers=[{"name": "app", "image": "busybox:1.36", "command": ["/no/such/program"]}])
    node.run(2)
    waiting = node.status()["state"]["waiting"]
    assert waiting["reason"] == "RunContainerError"
    assert waiting["message"].startswith("failed to create containerd task")
    node.run(2)
    status = node.status()
    terminated = status["lastState"]["terminated"] if status["lastState"] else status["state"]["terminated"]
    assert terminated["reason"] == "StartError" and terminated["exitCode"] == 128
    assert 'exec: "/no/such/program": executable file not found in $PATH' in terminated["message"]
    assert any(m.startswith("Error: failed to create containerd task") for _, _, m in node.events())


def test_an_unknown_image_with_its_own_command_runs_as_a_server():
    node = Node()
    node.pod(containers=[{"name": "app", "image": "example.com/shop/api:2", "command": ["/app/server"]}])
    node.run(10)
    assert node.get()["status"]["phase"] == "Running"


def test_bad_probe_definitions_are_refused_by_the_api():
    node = Node()
    from k8slab.api.errors import Invalid

    with pytest.raises(Invalid):
        node.pod(containers=[{"name": "app", "image": "nginx", "livenessProbe": {"periodSeconds": 5}}])


def test_kubelet_needs_a_client():
    with pytest.raises(TypeError):
        Kubelet(object(), 1, {})


# ----------------------------------------------------------------------------- logs and crash_container


def test_logs_of_current_and_previous_container():
    node = Node()
    node.pod(containers=[{"name": "app", "image": "busybox", "command": ["sh", "-c", "echo hello; sleep 5"]}])
    node.run(3)
    assert node.kubelet.logs("default", "web", "app") == "hello\n"
    with pytest.raises(BadRequest, match='previous terminated container "app" in pod "web" not found'):
        node.kubelet.logs("default", "web", "app", previous=True)
    node.run(5)
    assert node.kubelet.logs("default", "web", "app", previous=True) == "hello\n"


def test_logs_of_a_container_waiting_for_its_image():
    node = Node()
    node.pod(containers=[{"name": "app", "image": "nginx:doesnotexist"}])
    node.run(1.2)
    with pytest.raises(BadRequest, match="is waiting to start: image can't be pulled"):
        node.kubelet.logs("default", "web", "app")
    with pytest.raises(BadRequest, match="container nope is not valid for pod web"):
        node.kubelet.logs("default", "web", "nope")
    with pytest.raises(NotFound):
        node.kubelet.logs("default", "nothere", "app")


def test_crash_container_exits_1_and_the_container_restarts():
    node = Node()
    node.pod()
    node.run(10)
    node.kubelet.crash_container("default", "web", "app")
    node.run(1)
    status = node.status()
    assert status["restartCount"] == 1
    assert status["lastState"]["terminated"]["exitCode"] == 1
    assert status["lastState"]["terminated"]["reason"] == "Error"


# ----------------------------------------------------------------------------- stop and start


def test_a_stopped_kubelet_stops_renewing_its_lease_and_its_containers_keep_running():
    node = Node()
    node.pod()
    node.run(10)
    node.kubelet.stop()
    renew = node.api.get("leases", "node-1", "kube-node-lease")["spec"]["renewTime"]
    node.run(60)
    assert node.api.get("leases", "node-1", "kube-node-lease")["spec"]["renewTime"] == renew
    assert len(node.kubelet.runtime.containers()) == 1


def test_a_restarted_kubelet_kills_containers_of_pods_deleted_while_it_was_away():
    node = Node()
    node.pod()
    node.run(10)
    node.kubelet.stop()
    node.api.delete("pods", "web", "default", grace_period_seconds=0)
    node.run(10)
    assert len(node.kubelet.runtime.containers()) == 1
    node.kubelet.start()
    node.run(1)
    assert node.kubelet.runtime.containers() == []
    assert node.kubelet.ips.used == set()


def test_a_restarted_kubelet_restarts_containers_that_exited_meanwhile():
    node = Node()
    node.pod()
    node.run(10)
    node.kubelet.stop()
    node.kubelet.crash_container("default", "web", "app")
    node.run(10)
    assert node.status()["restartCount"] == 0
    node.kubelet.start()
    node.run(1)
    assert node.status()["restartCount"] == 1


def test_same_seed_same_statuses():
    def story():
        node = Node(crashing_registry(seconds=2))
        node.pod("a")
        node.pod("b", containers=[{"name": "app", "image": "crasher:1"}])
        node.run(120)
        return [node.get(n) for n in ("a", "b")], node.api.list("events", "default")

    assert story() == story()


# ----------------------------------------------------------------------------- with the whole control plane


def control_plane_with_kubelets(nodes: int = 3):
    """What the Cluster facade will wire: controllers (node lifecycle too), scheduler, a kubelet per node."""
    from k8slab import Cluster
    from k8slab.controllers.manager import ControllerManager
    from k8slab.scheduler import Scheduler

    cluster = Cluster(nodes=nodes, seed=0, components=())
    manager = ControllerManager(
        Client(cluster.api, user="system:kube-controller-manager"),
        controllers=(*ControllerManager.DEFAULT_CONTROLLERS, "nodelifecycle"),
    )
    manager.start()
    Scheduler(Client(cluster.api, user="system:kube-scheduler")).run()
    registry = ImageRegistry()
    kubelets = {}
    for index in range(1, nodes + 1):
        kubelet = Kubelet(Client(cluster.api, user=f"system:node:node-{index}"), index, {}, registry=registry)
        kubelet.run()
        kubelets[kubelet.name] = kubelet
    return cluster, kubelets


def test_a_deployment_reaches_running_and_scales_down_gracefully():
    cluster, kubelets = control_plane_with_kubelets()
    cluster.apply("data/manifests/web.yaml")
    cluster.run(seconds=30)
    pods = cluster.get("pods")
    assert list(pods["STATUS"]) == ["Running"] * 3 and list(pods["READY"]) == ["1/1"] * 3
    cluster.kubectl("scale deployment nginx-deployment --replicas=1")
    cluster.run(seconds=5)
    assert len(cluster.get("pods")) == 1
    assert sum(len(k.runtime.containers()) for k in kubelets.values()) == 1
    assert cluster.loop.errors == []


def test_a_failed_node_is_noticed_and_its_pods_are_replaced_elsewhere():
    cluster, kubelets = control_plane_with_kubelets()
    cluster.apply("data/manifests/web.yaml")
    cluster.run(seconds=30)
    lost = {
        p["metadata"]["name"]
        for p in cluster.api.list("pods", "default")["items"]
        if p["spec"]["nodeName"] == "node-1"
    }
    kubelets["node-1"].stop()
    cluster.run(seconds=60)
    ready = next(
        c for c in cluster.api.get("nodes", "node-1")["status"]["conditions"] if c["type"] == "Ready"
    )
    assert ready["status"] == "Unknown"
    cluster.run(seconds=330)  # 300 s of not-ready/unreachable toleration, then eviction
    pods = cluster.api.list("pods", "default")["items"]
    running = [p for p in pods if not p["metadata"].get("deletionTimestamp")]
    assert len(running) == 3
    assert all(p["spec"]["nodeName"] != "node-1" and p["status"]["phase"] == "Running" for p in running)
    assert lost <= {p["metadata"]["name"] for p in pods if p["metadata"].get("deletionTimestamp")}


def test_kubectl_logs_reaches_the_kubelet_through_the_api_server():
    from k8slab.kubectl import Kubectl
    from k8slab.kubelet import logs_provider

    node = Node()
    node.api.logs = logs_provider(node.api, {"node-1": node.kubelet})
    node.pod(
        containers=[{"name": "app", "image": "busybox", "command": ["sh", "-c", "echo hello; sleep 600"]}]
    )
    kubectl = Kubectl(node.api)
    node.run(0.1)
    assert "is waiting to start: ContainerCreating" in kubectl.run("logs web")
    node.run(5)
    assert kubectl.run("logs web") == "hello\n"
    node.kubelet.stop()
    assert "connect: connection refused" in kubectl.run("logs web")


def test_previous_logs_of_a_pod_that_ran_once_do_not_exist():
    node = Node()
    node.pod(
        containers=[{"name": "app", "image": "busybox", "command": ["sh", "-c", "echo once"]}],
        restartPolicy="Never",
    )
    node.run(5)
    assert node.kubelet.logs("default", "web", "app") == "once\n"
    with pytest.raises(BadRequest, match="previous terminated container"):
        node.kubelet.logs("default", "web", "app", previous=True)


def test_a_node_condition_change_is_an_event_on_the_node():
    node = Node()
    node.kubelet.add_condition_provider(
        lambda: {
            "MemoryPressure": ("True", "KubeletHasInsufficientMemory", "kubelet has insufficient memory")
        }
    )
    node.run(10)
    events = node.api.list("events", "default")["items"]
    assert [(e["involvedObject"]["kind"], e["reason"], e["message"]) for e in events] == [
        ("Node", "NodeHasInsufficientMemory", "Node node-1 status is now: NodeHasInsufficientMemory")
    ]


def test_a_broken_condition_provider_does_not_stop_the_heartbeats():
    node = Node()
    node.loop.strict = False
    node.kubelet.add_condition_provider(lambda: 1 / 0)
    node.run(30)
    assert node.api.get("leases", "node-1", "kube-node-lease")["spec"]["renewTime"].startswith(
        "2024-01-01T00:00:30"
    )
    assert node.loop.errors


def test_logs_of_a_pod_bound_a_moment_ago_say_it_is_waiting_to_start():
    node = Node()
    node.pod()
    with pytest.raises(
        BadRequest, match='container "app" in pod "web" is waiting to start: ContainerCreating'
    ):
        node.kubelet.logs("default", "web", "app")


def test_a_pod_that_does_not_fit_the_node_is_rejected_by_the_kubelet():
    node = Node()
    big = {"name": "app", "image": "nginx:1.25", "resources": {"requests": {"cpu": "3"}}}
    node.pod("first", containers=[big])
    node.pod("second", containers=[big])
    node.run(10)
    assert node.get("first")["status"]["phase"] == "Running"
    status = node.get("second")["status"]
    assert status["phase"] == "Failed" and status["reason"] == "OutOfcpu"
    assert status["message"] == (
        "Pod was rejected: Node didn't have enough resource: cpu, requested: 3000, used: 3000, capacity: 4000"
    )
    assert ("Warning", "OutOfcpu", status["message"].removeprefix("Pod was rejected: ")) in node.events(
        "second"
    )
    assert "podIP" not in status


def test_a_finished_pod_no_longer_counts_against_the_node():
    node = Node()
    big = {
        "name": "app",
        "image": "busybox",
        "command": ["sh", "-c", "sleep 2"],
        "resources": {"requests": {"cpu": "3"}},
    }
    node.pod("first", containers=[big], restartPolicy="Never")
    node.run(10)
    node.pod("second", containers=[big], restartPolicy="Never")
    node.run(1)
    assert node.get("second")["status"]["phase"] == "Running"


# ----------------------------------------------------------------------------- invariants

ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["create", "delete", "crash", "force-delete", "stop", "start", "wait"]),
        st.integers(min_value=0, max_value=5),
        st.sampled_from(["nginx:1.25", "crasher:1", "busybox:1.36", "nginx:doesnotexist"]),
        st.sampled_from(["Always", "OnFailure", "Never"]),
    ),
    max_size=25,
)


@given(ACTIONS)
@settings(max_examples=25, deadline=None)
def test_whatever_happens_pod_ips_stay_unique_and_restarts_only_grow(actions):
    node = Node(crashing_registry(seconds=3))
    node.loop.strict = False
    restarts: dict[str, int] = {}
    for action, number, image, policy in actions:
        name = f"p{number}"
        try:
            if action == "create":
                node.pod(name, containers=[{"name": "app", "image": image}], restartPolicy=policy)
            elif action == "delete":
                node.api.delete("pods", name, "default")
            elif action == "force-delete":
                node.api.delete("pods", name, "default", grace_period_seconds=0)
            elif action == "crash":
                node.kubelet.crash_container("default", name, "app")
            elif action == "stop":
                node.kubelet.stop()
            elif action == "start":
                node.kubelet.start()
            else:
                node.run(number * 7 + 1)
        except (NotFound, BadRequest, StatusError):
            pass
        node.run(0.5)
        pods = node.api.list("pods", "default")["items"]
        live = [p for p in pods if p["status"].get("podIP") and p["status"].get("phase") == "Running"]
        ips = [p["status"]["podIP"] for p in live]
        assert len(ips) == len(set(ips))
        for pod in pods:
            for status in pod["status"].get("containerStatuses") or []:
                key = pod["metadata"]["uid"]
                assert status["restartCount"] >= restarts.get(key, 0)
                restarts[key] = status["restartCount"]
    assert node.loop.errors == []


def test_changing_a_containers_image_restarts_it_with_the_new_one():
    node = Node()
    node.pod()
    node.run(10)
    pod = node.get()
    pod["spec"]["containers"][0]["image"] = "nginx:1.26"
    node.api.update(pod)
    node.run(10)
    status = node.status()
    assert status["image"] == "docker.io/library/nginx:1.26" and status["restartCount"] == 1
    assert ("Normal", "Killing", "Container app definition changed, will be restarted") in node.events()
    assert node.kubelet.container("default", "web", "app").image == "nginx:1.26"


def test_a_failing_poststart_hook_kills_the_container():
    node = Node()
    hook = {"postStart": {"exec": {"command": ["cat", "/etc/missing"]}}}
    node.pod(
        containers=[{"name": "app", "image": "busybox", "command": ["sleep", "3600"], "lifecycle": hook}]
    )
    node.run(40)
    reasons = [reason for _, reason, _ in node.events()]
    assert "FailedPostStartHook" in reasons
    message = next(m for _, r, m in node.events() if r == "FailedPostStartHook")
    assert message.startswith(
        'Exec lifecycle hook ([cat /etc/missing]) for Container "app" in Pod "web_default('
    )
    assert node.status()["restartCount"] >= 1


def test_a_succeeding_poststart_hook_changes_nothing():
    node = Node()
    hook = {"postStart": {"exec": {"command": ["sh", "-c", "echo hello > /tmp/started"]}}}
    node.pod(containers=[{"name": "app", "image": "nginx:1.25", "lifecycle": hook}])
    node.run(10)
    assert node.condition("Ready") == "True" and node.status()["restartCount"] == 0


def test_exec_runs_a_command_in_the_container_and_sees_its_files():
    node = Node()
    script = "echo ready > /tmp/state; sleep 3600"
    node.pod(containers=[{"name": "app", "image": "busybox", "command": ["sh", "-c", script]}])
    node.run(5)
    assert node.kubelet.exec("default", "web", "app", ["cat", "/tmp/state"]) == (0, "ready\n")
    assert node.kubelet.exec("default", "web", "app", ["sh", "-c", "exit 4"]) == (4, "")
    with pytest.raises(BadRequest, match="container nope is not valid for pod web"):
        node.kubelet.exec("default", "web", "nope", ["true"])


def test_a_sidecar_starts_before_the_app_and_keeps_running_beside_it():
    node = Node()
    sidecar = {"name": "proxy", "image": "nginx:1.25", "restartPolicy": "Always"}
    node.pod(initContainers=[sidecar])
    node.run(10)
    pod = node.get()
    assert pod["status"]["phase"] == "Running"
    assert "running" in pod["status"]["initContainerStatuses"][0]["state"]
    assert "running" in node.status()["state"]
    assert node.condition("Initialized") == "True" and node.condition("Ready") == "True"


def test_a_job_like_pod_with_a_sidecar_succeeds_and_its_sidecar_is_stopped():
    node = Node()
    sidecar = {"name": "proxy", "image": "nginx:1.25", "restartPolicy": "Always"}
    job = {"name": "app", "image": "busybox", "command": ["sh", "-c", "sleep 5"]}
    node.pod(initContainers=[sidecar], containers=[job], restartPolicy="Never")
    node.run(20)
    pod = node.get()
    assert pod["status"]["phase"] == "Succeeded"
    assert "terminated" in pod["status"]["initContainerStatuses"][0]["state"]
    assert node.kubelet.runtime.containers() == []
