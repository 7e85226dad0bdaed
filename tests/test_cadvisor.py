"""cAdvisor, the eviction manager's memory signal, and metrics-server (k8slab.cadvisor).

The kubelet is a small stand-in here (a name, a runtime whose containers
report a usage, and `add_condition_provider`), so each test controls exactly
what the containers use; one test drives k8slab's own container runtime.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from k8slab.api.errors import NotFound
from k8slab.api.server import APIServer
from k8slab.cadvisor import (
    HOUSEKEEPING_INTERVAL,
    METRIC_RESOLUTION,
    SYSTEM_USAGE,
    CAdvisor,
    MetricsServer,
    go_duration,
)
from k8slab.client import Client
from k8slab.sim import Loop
from k8slab.store import Store

MiB = 1024 * 1024


class FakeContainer:
    def __init__(self, namespace, pod, pod_uid, name, cpu=0.1, memory=64 * MiB, started_at=0.0):
        self.namespace, self.pod, self.pod_uid, self.name = namespace, pod, pod_uid, name
        self.started_at = started_at
        self.cpu, self.memory = cpu, memory  # numbers, or functions of the time

    def usage(self, now):
        cpu = self.cpu(now) if callable(self.cpu) else self.cpu
        memory = self.memory(now) if callable(self.memory) else self.memory
        return cpu, memory


class FakeRuntime:
    def __init__(self):
        self.running: list[FakeContainer] = []

    def containers(self):
        return list(self.running)


class FakeKubelet:
    """A kubelet that posts node conditions from providers (as k8slab's Kubelet does)."""

    def __init__(self, name="node-1"):
        self.name = name
        self.runtime = FakeRuntime()
        self.providers = []

    def add_condition_provider(self, fn):
        self.providers.append(fn)


class BareKubelet:
    """A kubelet with no condition providers: cAdvisor records the node-status Events itself."""

    def __init__(self, name="node-1"):
        self.name = name
        self.runtime = FakeRuntime()


def make_node(api: APIServer, name: str, memory: str = "16Gi", labels: dict | None = None) -> dict:
    return api.create({"apiVersion": "v1", "kind": "Node",
                       "metadata": {"name": name, "labels": labels or {"kubernetes.io/hostname": name}},
                       "status": {"capacity": {"cpu": "4", "memory": memory, "pods": "110"},
                                  "allocatable": {"cpu": "4", "memory": memory, "pods": "110"}}})


def make_pod(api: APIServer, name: str, labels: dict | None = None, namespace: str = "default") -> str:
    pod = api.create({"apiVersion": "v1", "kind": "Pod",
                      "metadata": {"name": name, "namespace": namespace, "labels": labels or {}},
                      "spec": {"containers": [{"name": "app", "image": "nginx"}]}})
    return pod["metadata"]["uid"]


@pytest.fixture
def setup():
    """An API server with node-1, a stand-in kubelet, its cAdvisor and a metrics-server, not started."""
    api = APIServer(Store(Loop(seed=0, strict=True)))
    loop = api.loop
    make_node(api, "node-1")
    kubelet = FakeKubelet("node-1")
    cadvisor = CAdvisor(loop, kubelet, client=Client(api, user="system:node:node-1"))
    metrics = MetricsServer(loop, Client(api, user="system:metrics-server"))
    metrics.register(cadvisor)
    return api, loop, kubelet, cadvisor, metrics


def events(api: APIServer, reason: str) -> list[dict]:
    return [event for event in api.list("events", "default")["items"] if event["reason"] == reason]


# ---------------------------------------------------------------------------------------------- cAdvisor


def test_housekeeping_samples_every_ten_virtual_seconds(setup):
    api, loop, kubelet, cadvisor, _ = setup
    kubelet.runtime.running.append(FakeContainer("default", "web", "u1", "nginx"))
    cadvisor.start()
    loop.run(seconds=35)
    assert HOUSEKEEPING_INTERVAL == 10.0
    assert [sample.time for sample in cadvisor.samples] == [0.0, 10.0, 20.0, 30.0]


def test_usage_by_container_pod_and_node(setup):
    api, loop, kubelet, cadvisor, _ = setup
    kubelet.runtime.running += [
        FakeContainer("default", "web", "u1", "nginx", cpu=0.25, memory=64 * MiB),
        FakeContainer("default", "web", "u1", "sidecar", cpu=0.05, memory=16 * MiB),
        FakeContainer("shop", "db", "u2", "postgres", cpu=0.5, memory=512 * MiB),
    ]
    cadvisor.start()
    loop.run(seconds=5)
    containers = cadvisor.usage("containers")
    assert list(containers.columns) == ["time", "node", "namespace", "pod", "container", "cpu_cores",
                                        "memory_bytes"]
    assert len(containers) == 3
    pods = cadvisor.usage("pods")
    assert list(pods.columns) == ["time", "node", "namespace", "pod", "cpu_cores", "memory_bytes"]
    web = pods[pods["pod"] == "web"].iloc[0]
    assert web["cpu_cores"] == pytest.approx(0.30) and web["memory_bytes"] == 80 * MiB
    nodes = cadvisor.usage("nodes")
    assert nodes.iloc[0]["cpu_cores"] == pytest.approx(0.80 + SYSTEM_USAGE[0])
    assert nodes.iloc[0]["memory_bytes"] == 592 * MiB + SYSTEM_USAGE[1]
    assert nodes.iloc[0]["memory_available_bytes"] == 16 * 1024 * MiB - (592 * MiB + SYSTEM_USAGE[1])


def test_usage_of_an_unknown_kind_is_refused(setup):
    with pytest.raises(ValueError, match="kind must be one of containers, pods, nodes"):
        setup[3].usage("deployments")


def test_samples_share_who_the_containers_are_until_that_changes(setup):
    api, loop, kubelet, cadvisor, _ = setup
    kubelet.runtime.running.append(FakeContainer("default", "web", "u1", "nginx"))
    cadvisor.start()
    loop.run(seconds=25)
    first, second, third = cadvisor.samples
    assert first.keys is second.keys is third.keys  # one copy of the names for a long history
    kubelet.runtime.running.append(FakeContainer("default", "db", "u2", "pg"))
    loop.run(seconds=10)
    assert cadvisor.samples[-1].keys is not third.keys
    assert [row.container for row in cadvisor.samples[-1].containers] == ["nginx", "pg"]


def test_stop_ends_sampling(setup):
    api, loop, kubelet, cadvisor, _ = setup
    cadvisor.start()
    loop.run(seconds=15)
    cadvisor.stop()
    loop.run(seconds=60)
    assert [sample.time for sample in cadvisor.samples] == [0.0, 10.0]


def test_history_keeps_only_the_last_history_seconds():
    loop = Loop(seed=0)
    cadvisor = CAdvisor(loop, FakeKubelet(), history_seconds=30, memory_capacity="1Gi")
    cadvisor.start()
    loop.run(seconds=100)
    assert [sample.time for sample in cadvisor.samples] == [70.0, 80.0, 90.0, 100.0]


def test_a_container_that_goes_away_leaves_the_samples(setup):
    api, loop, kubelet, cadvisor, _ = setup
    container = FakeContainer("default", "web", "u1", "nginx")
    kubelet.runtime.running.append(container)
    cadvisor.start()
    loop.run(seconds=15)
    kubelet.runtime.running.remove(container)
    loop.run(seconds=10)
    assert list(cadvisor.usage("pods")["time"]) == [0.0, 10.0]


def test_same_inputs_give_identical_frames():
    def run() -> str:
        loop = Loop(seed=3)
        kubelet = FakeKubelet()
        kubelet.runtime.running.append(FakeContainer("default", "web", "u1", "app", cpu=lambda t: t / 1000))
        cadvisor = CAdvisor(loop, kubelet, memory_capacity="2Gi")
        cadvisor.start()
        loop.run(seconds=120)
        return cadvisor.usage("containers").to_csv() + cadvisor.usage("nodes").to_csv()

    assert run() == run()


@pytest.mark.parametrize(("argument", "value"), [
    ("housekeeping_interval", 0), ("housekeeping_interval", "10s"), ("history_seconds", -1),
    ("pressure_transition_period", -5), ("memory_capacity", "lots"), ("eviction_threshold", True),
])
def test_bad_settings_are_refused_clearly(argument, value):
    with pytest.raises(ValueError, match=argument):
        CAdvisor(Loop(), FakeKubelet(), **{argument: value})


def test_works_with_k8slabs_container_runtime():
    from k8slab.kubelet.runtime import ImageRegistry, Runtime, resource_hog

    loop = Loop(seed=0)
    registry = ImageRegistry()
    registry.register("hog", resource_hog(cpu=1.0, memory=512 * MiB, ramp=60.0))
    runtime = Runtime(loop, registry, node_name="node-1")
    kubelet = FakeKubelet()
    kubelet.runtime = runtime
    runtime.start("default", "hog", "u1", {"name": "hog", "image": "hog"}, "10.244.1.2")
    cadvisor = CAdvisor(loop, kubelet, memory_capacity="4Gi")
    cadvisor.start()
    loop.run(seconds=60)
    frame = cadvisor.usage("containers")
    assert frame["cpu_cores"].tolist()[0] == 0.0
    assert frame["cpu_cores"].tolist()[-1] == pytest.approx(1.0)
    assert frame["memory_bytes"].is_monotonic_increasing


# ------------------------------------------------------------------------------------------- eviction signal


def pressure_setup(memory_used, kubelet_class=BareKubelet):
    api = APIServer(Store(Loop(seed=0, strict=True)))
    loop = api.loop
    make_node(api, "node-1", memory="1Gi")
    kubelet = kubelet_class()
    kubelet.runtime.running.append(FakeContainer("default", "hog", "u1", "hog", memory=memory_used))
    cadvisor = CAdvisor(loop, kubelet, client=Client(api, user="system:node:node-1"))
    return api, loop, kubelet, cadvisor


def test_memory_pressure_condition_in_the_kubelets_words():
    hog = {"bytes": 100 * MiB}
    api, loop, kubelet, cadvisor = pressure_setup(lambda now: hog["bytes"], FakeKubelet)
    cadvisor.start()
    loop.run(seconds=5)
    [provider] = kubelet.providers
    assert provider() == {"MemoryPressure": ("False", "KubeletHasSufficientMemory",
                                             "kubelet has sufficient memory available")}
    hog["bytes"] = 1024 * MiB - SYSTEM_USAGE[1] - 99 * MiB  # memory.available = 99Mi < 100Mi
    loop.run(seconds=10)
    assert cadvisor.memory_available() == 99 * MiB
    assert provider() == {"MemoryPressure": ("True", "KubeletHasInsufficientMemory",
                                             "kubelet has insufficient memory available")}


def test_memory_available_exactly_at_the_threshold_is_no_pressure():
    api, loop, kubelet, cadvisor = pressure_setup(1024 * MiB - SYSTEM_USAGE[1] - 100 * MiB)
    cadvisor.start()
    loop.run(seconds=5)
    assert cadvisor.memory_available() == 100 * MiB
    assert cadvisor.memory_pressure is False


def test_pressure_records_node_and_eviction_events():
    api, loop, kubelet, cadvisor = pressure_setup(1000 * MiB)
    cadvisor.start()
    loop.run(seconds=25)  # three checks: 0, 10, 20
    [status] = events(api, "NodeHasInsufficientMemory")
    assert status["type"] == "Normal"
    assert status["message"] == "Node node-1 status is now: NodeHasInsufficientMemory"
    assert status["involvedObject"]["kind"] == "Node" and status["involvedObject"]["name"] == "node-1"
    [threshold] = events(api, "EvictionThresholdMet")
    assert threshold["type"] == "Warning"
    assert threshold["message"] == "Attempting to reclaim memory"
    assert threshold["count"] == 3
    assert threshold["source"]["component"] == "kubelet"


def test_a_kubelet_that_posts_the_condition_records_its_status_event_itself():
    api, loop, kubelet, cadvisor = pressure_setup(1000 * MiB, FakeKubelet)
    cadvisor.start()
    loop.run(seconds=5)
    assert cadvisor.memory_pressure is True
    assert events(api, "NodeHasInsufficientMemory") == []  # the kubelet's, when it posts the change
    assert len(events(api, "EvictionThresholdMet")) == 1


def test_pressure_lasts_the_transition_period_after_the_signal_clears():
    hog = {"bytes": 1000 * MiB}
    api, loop, kubelet, cadvisor = pressure_setup(lambda now: hog["bytes"])
    cadvisor.start()
    loop.run(seconds=5)  # t=0: pressure
    hog["bytes"] = 10 * MiB
    loop.run(until=295)  # last seen at 0; 290 s later still True
    assert cadvisor.memory_pressure is True
    loop.run(until=305)  # the check at t=300: five minutes without the signal
    assert cadvisor.memory_pressure is False
    [back] = events(api, "NodeHasSufficientMemory")
    assert back["message"] == "Node node-1 status is now: NodeHasSufficientMemory"


def test_no_pressure_is_decided_while_the_machines_memory_is_unknown():
    loop = Loop(seed=0)
    kubelet = FakeKubelet()
    kubelet.runtime.running.append(FakeContainer("default", "hog", "u1", "hog", memory=10**15))
    cadvisor = CAdvisor(loop, kubelet)  # no client, no capacity given
    cadvisor.start()
    loop.run(seconds=5)
    assert cadvisor.memory_available() is None
    assert cadvisor.memory_pressure is False


# -------------------------------------------------------------------------------------------- metrics-server


def test_a_pod_has_metrics_only_after_two_scrapes(setup):
    api, loop, kubelet, cadvisor, metrics = setup
    uid = make_pod(api, "web")
    kubelet.runtime.running.append(FakeContainer("default", "web", uid, "app"))
    cadvisor.start()
    metrics.start()
    loop.run(seconds=METRIC_RESOLUTION)  # one scrape
    assert metrics.pods("default") == []
    assert metrics.nodes() == []
    loop.run(seconds=METRIC_RESOLUTION)  # two
    assert [item["metadata"]["name"] for item in metrics.pods("default")] == ["web"]
    assert [item["metadata"]["name"] for item in metrics.nodes()] == ["node-1"]


def test_pod_metrics_in_the_metrics_api_shape(setup):
    api, loop, kubelet, cadvisor, metrics = setup
    uid = make_pod(api, "web", labels={"app": "web"})
    kubelet.runtime.running.append(FakeContainer("default", "web", uid, "app", cpu=0.25, memory=64 * MiB))
    cadvisor.start()
    metrics.start()
    loop.run(seconds=60)
    [pod] = metrics.pods("default")
    assert pod["apiVersion"] == "metrics.k8s.io/v1beta1" and pod["kind"] == "PodMetrics"
    assert pod["metadata"]["labels"] == {"app": "web"}
    assert pod["containers"] == [{"name": "app", "usage": {"cpu": "250m", "memory": "64Mi"}}]
    assert pod["timestamp"] == loop.timestamp(50.0)  # the last sample metrics-server got, at t=50
    assert pod["window"] == "10s"


def test_cpu_is_an_average_over_the_window(setup):
    api, loop, kubelet, cadvisor, metrics = setup
    uid = make_pod(api, "web")
    kubelet.runtime.running.append(FakeContainer("default", "web", uid, "app",
                                                 cpu=lambda now: 0.1 if now < 40 else 0.5))
    cadvisor.start()
    metrics.start()
    # Scrapes at 15, 30, 45 find the samples of 10, 20 and 40 (a scrape due at the same instant as a
    # housekeeping was scheduled first, so it gets the sample before): the window 20..40 is 20 s long
    # and holds 10 s at 100m and 10 s at 500m.
    loop.run(seconds=46)
    [pod] = metrics.pods("default")
    assert pod["window"] == "20s"
    assert pod["containers"][0]["usage"]["cpu"] == "300m"
    loop.run(until=61)  # the scrape at 60: samples 40 and 50
    [pod] = metrics.pods("default")
    assert (pod["window"], pod["containers"][0]["usage"]["cpu"]) == ("10s", "500m")


def test_a_restarted_container_waits_for_a_new_window(setup):
    api, loop, kubelet, cadvisor, metrics = setup
    uid = make_pod(api, "web")
    kubelet.runtime.running.append(FakeContainer("default", "web", uid, "app"))
    cadvisor.start()
    metrics.start()
    loop.run(seconds=32)
    assert len(metrics.pods("default")) == 1
    kubelet.runtime.running[:] = [FakeContainer("default", "web", uid, "app", started_at=loop.now)]
    loop.run(until=46)  # scrape at 45 sees the new container for the first time
    assert metrics.pods("default") == []
    loop.run(until=61)
    assert len(metrics.pods("default")) == 1


def test_node_metrics_carry_the_nodes_labels_and_total(setup):
    api, loop, kubelet, cadvisor, metrics = setup
    kubelet.runtime.running.append(FakeContainer("default", "web", "u1", "app", cpu=0.45, memory=64 * MiB))
    cadvisor.start()
    metrics.start()
    loop.run(seconds=60)
    [node] = metrics.nodes()
    assert node["kind"] == "NodeMetrics"
    assert node["metadata"]["labels"] == {"kubernetes.io/hostname": "node-1"}
    assert node["usage"] == {"cpu": "500m", "memory": "320Mi"}


def test_label_selectors_filter_pods_and_nodes(setup):
    api, loop, kubelet, cadvisor, metrics = setup
    for name, labels in (("web", {"app": "web"}), ("db", {"app": "db"})):
        kubelet.runtime.running.append(FakeContainer("default", name, make_pod(api, name, labels), "app"))
    cadvisor.start()
    metrics.start()
    loop.run(seconds=60)
    assert [p["metadata"]["name"] for p in metrics.pods("default", label_selector="app=web")] == ["web"]
    assert [p["metadata"]["name"] for p in metrics.pods(None, label_selector="app!=web")] == ["db"]
    assert metrics.nodes(label_selector="kubernetes.io/hostname=node-9") == []


def test_a_deleted_pod_is_forgotten(setup):
    api, loop, kubelet, cadvisor, metrics = setup
    kubelet.runtime.running.append(FakeContainer("default", "web", make_pod(api, "web"), "app"))
    cadvisor.start()
    metrics.start()
    loop.run(seconds=60)
    api.delete("pods", "web", "default", grace_period_seconds=0)
    loop.run(seconds=1)
    assert metrics.pods("default") == []


def test_missing_metrics_are_not_found_in_metrics_servers_words(setup):
    api, loop, kubelet, cadvisor, metrics = setup
    cadvisor.start()
    metrics.start()
    loop.run(seconds=60)
    with pytest.raises(NotFound, match='podmetrics.metrics.k8s.io "default/nope" not found'):
        metrics.pods("default", name="nope")
    with pytest.raises(NotFound, match='nodemetrics.metrics.k8s.io "node-9" not found'):
        metrics.nodes(name="node-9")


def test_a_stopped_kubelet_loses_its_node_metrics(setup):
    api, loop, kubelet, cadvisor, metrics = setup
    cadvisor.start()
    metrics.start()
    loop.run(seconds=60)
    assert len(metrics.nodes()) == 1
    cadvisor.stop()
    loop.run(seconds=METRIC_RESOLUTION)
    assert metrics.nodes() == []


def test_a_failed_kubelet_takes_its_cadvisor_with_it(setup):
    api, loop, kubelet, cadvisor, metrics = setup
    cadvisor.start()
    metrics.start()
    loop.run(seconds=32)
    kubelet.running = False  # the kubelet stops: its process, with cAdvisor inside, answers no more
    loop.run(seconds=30)
    assert cadvisor.samples[-1].time == 30.0
    assert metrics.nodes() == []
    kubelet.running = True
    loop.run(seconds=40)
    assert cadvisor.samples[-1].time == 100.0
    assert len(metrics.nodes()) == 1


def test_usage_frame_over_every_registered_node():
    loop = Loop(seed=0)
    metrics = MetricsServer(loop)
    for name in ("node-2", "node-1"):
        kubelet = FakeKubelet(name)
        kubelet.runtime.running.append(FakeContainer("default", f"web-{name}", name, "app"))
        cadvisor = CAdvisor(loop, kubelet, memory_capacity="1Gi")
        cadvisor.start()
        metrics.register(cadvisor)
    loop.run(seconds=10)
    frame = metrics.usage("pods")
    assert list(zip(frame["time"], frame["node"], strict=True)) == [
        (0.0, "node-1"), (0.0, "node-2"), (10.0, "node-1"), (10.0, "node-2")]


@settings(max_examples=60, deadline=None)
@given(usages=st.lists(st.tuples(st.integers(0, 4000), st.integers(1, 2048)), min_size=1, max_size=6),
       seconds=st.integers(31, 200))
def test_node_metrics_are_the_pods_plus_the_system(usages, seconds):
    loop = Loop(seed=0)
    kubelet = FakeKubelet()
    for index, (milli, mebi) in enumerate(usages):
        kubelet.runtime.running.append(
            FakeContainer("default", f"pod-{index}", f"u{index}", "app", cpu=milli / 1000, memory=mebi * MiB))
    cadvisor = CAdvisor(loop, kubelet, memory_capacity="64Gi")
    metrics = MetricsServer(loop)
    metrics.register(cadvisor)
    cadvisor.start()
    metrics.start()
    loop.run(seconds=seconds)
    [node] = metrics.nodes()
    pods = metrics.pods()
    assert len(pods) == len(usages)
    from k8slab.api.quantity import parse_quantity

    pod_cpu = sum(parse_quantity(p["containers"][0]["usage"]["cpu"]).milli_value for p in pods)
    pod_memory = sum(parse_quantity(p["containers"][0]["usage"]["memory"]).value for p in pods)
    assert parse_quantity(node["usage"]["cpu"]).milli_value == pytest.approx(
        pod_cpu + SYSTEM_USAGE[0] * 1000, abs=len(usages))
    assert parse_quantity(node["usage"]["memory"]).value == pod_memory + SYSTEM_USAGE[1]


@pytest.mark.parametrize(("seconds", "text"), [
    (15, "15s"), (60, "1m0s"), (130.5, "2m10.5s"), (3725, "1h2m5s"), (0.25, "250ms"), (0, "0s"),
])
def test_go_duration(seconds, text):
    assert go_duration(seconds) == text


# ------------------------------------------------------------------------------- with k8slab's own kubelet


def test_with_k8slabs_kubelet_pressure_reaches_the_node_and_top():
    from k8slab import Cluster
    from k8slab.kubelet.kubelet import Kubelet
    from k8slab.kubelet.runtime import ImageRegistry, resource_hog

    cluster = Cluster(nodes=[{"memory": "2Gi"}], seed=0, components=())
    registry = ImageRegistry()
    registry.register("hog", resource_hog(cpu=1.0, memory=1900 * MiB, ramp=60.0))
    kubelet = Kubelet(Client(cluster.api, user="system:node:node-1"), 1, {"memory": "2Gi"}, registry=registry)
    kubelet.run()
    cadvisor = CAdvisor(cluster.loop, kubelet)  # the kubelet's client, the Node's capacity
    cadvisor.start()
    cluster.api.metrics = MetricsServer(cluster.loop, Client(cluster.api, user="system:metrics-server"))
    cluster.api.metrics.register(cadvisor)
    cluster.api.metrics.start()
    cluster.api.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "hog"},
                        "spec": {"nodeName": "node-1", "containers": [{"name": "hog", "image": "hog"}]}})
    cluster.run(seconds=120)
    node = cluster.api.get("nodes", "node-1")
    pressure = next(c for c in node["status"]["conditions"] if c["type"] == "MemoryPressure")
    assert (pressure["status"], pressure["reason"]) == ("True", "KubeletHasInsufficientMemory")
    assert events(cluster.api, "EvictionThresholdMet")
    top = cluster.kubectl("top pods --no-headers")
    assert top.split()[:3] == ["hog", "1000m", "1900Mi"]


def test_usage_view_steps_virtual_time_and_shows_top():
    from k8slab import Cluster
    from k8slab.cadvisor import UsageView

    cluster = Cluster(nodes=2, seed=0)
    view = UsageView(cluster)
    assert "&lt;unknown&gt;" in view.picture.value  # no metrics before two scrapes
    view.button.click()
    view.button.click()
    assert cluster.now == 30.0
    assert repr(view) == "UsageView(t = 30 s, step 15 s)"
    assert "MemoryPressure=False" in view.picture.value and "50m" in view.picture.value  # the system alone
    bundle = view._repr_mimebundle_()
    assert bundle["text/plain"] == repr(view) and bundle["text/html"] == view.picture.value
