"""kubectl top nodes / top pods: kubectl's columns and number formats over the metrics.k8s.io API.

Expected texts follow k8s.io/kubectl's pkg/cmd/top and pkg/metricsutil
(including the padding after the last column, which kubectl's tabwriter
writes because every cell ends in a tab). The cluster runs only the API
server; each node gets a stand-in kubelet whose containers report a fixed
usage, sampled by k8slab's cAdvisor and served by its metrics-server.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from k8slab import Cluster
from k8slab.cadvisor import SYSTEM_USAGE, CAdvisor, MetricsServer
from k8slab.client import Client
from k8slab.kubectl.printers import top_pods, top_quantity, top_usage

MiB = 1024 * 1024


class Container:
    def __init__(self, namespace, pod, pod_uid, name, cpu, memory):
        self.namespace, self.pod, self.pod_uid, self.name = namespace, pod, pod_uid, name
        self.started_at = 0.0
        self.cpu, self.memory = cpu, memory

    def usage(self, now):
        return self.cpu, self.memory


class Kubelet:
    def __init__(self, name):
        self.name = name
        self.runtime = self
        self.running: list[Container] = []

    def containers(self):
        return list(self.running)


def lines(text: str) -> list[str]:
    """The output's lines without kubectl top's trailing padding (checked on its own below)."""
    return [line.rstrip() for line in text.splitlines()]


def add_pod(cluster: Cluster, kubelet: Kubelet, name: str, containers: dict[str, tuple[float, int]],
            namespace: str = "default", labels: dict | None = None) -> None:
    pod = cluster.api.create({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "labels": labels or {}},
        "spec": {"containers": [{"name": container, "image": "nginx"} for container in containers]},
    })
    for container, (cpu, memory) in containers.items():
        kubelet.running.append(Container(namespace, name, pod["metadata"]["uid"], container, cpu, memory))


@pytest.fixture
def cluster() -> Cluster:
    """Three nodes (4 CPUs, 16Gi each); node-1 and node-2 have kubelets with pods; node-3 none."""
    cluster = Cluster(nodes=3, seed=0, components=())
    cluster.kubectl("create namespace shop")
    metrics = MetricsServer(cluster.loop, Client(cluster.api, user="system:metrics-server"))
    kubelets = {}
    for name in ("node-1", "node-2"):
        kubelets[name] = Kubelet(name)
        client = Client(cluster.api, user=f"system:node:{name}")
        cadvisor = CAdvisor(cluster.loop, kubelets[name], client=client)
        cadvisor.start()
        metrics.register(cadvisor)
    add_pod(cluster, kubelets["node-1"], "web", {"nginx": (0.25, 64 * MiB), "log": (0.0123, 10 * MiB)},
            labels={"app": "web"})
    add_pod(cluster, kubelets["node-2"], "db", {"postgres": (1.5, 900 * MiB)}, labels={"app": "db"})
    add_pod(cluster, kubelets["node-2"], "api", {"app": (0.1, 100 * MiB)}, namespace="shop")
    cluster.api.metrics = metrics
    metrics.start()
    return cluster


def test_top_without_a_metrics_api_says_so():
    cluster = Cluster(nodes=1, seed=0, components=())
    for command in ("top nodes", "top pods"):
        output = cluster.kubectl(command)
        assert output == "error: Metrics API not available\n"
        assert output.exit_code == 1


def test_top_is_no_longer_listed_as_not_modelled(cluster):
    assert "does not model" not in cluster.kubectl("top")
    assert "Display resource (CPU/memory) usage" in cluster.kubectl("--help")


def test_before_two_scrapes_metrics_are_not_available_yet(cluster):
    cluster.run(seconds=20)
    assert cluster.kubectl("top nodes") == "error: metrics not available yet\n"
    assert cluster.kubectl("top pods") == "error: metrics not available yet\n"


def test_top_nodes_columns_and_percentages_of_allocatable(cluster):
    cluster.run(seconds=60)
    # node-1: 250m + 12.3m + 50m (system) = 312.3m -> 313m (rounded up), 7% of 4 CPUs;
    # 64Mi + 10Mi + 256Mi = 330Mi, 2% of 16Gi. node-3 has no kubelet: <unknown>.
    assert lines(cluster.kubectl("top nodes")) == [
        "NAME     CPU(cores)   CPU(%)      MEMORY(bytes)   MEMORY(%)",
        "node-1   313m         7%          330Mi           2%",
        "node-2   1650m        41%         1256Mi          7%",
        "node-3   <unknown>    <unknown>   <unknown>       <unknown>",
    ]


def test_top_lines_end_in_padding_as_kubectls_tabwriter_writes_them(cluster):
    cluster.run(seconds=60)
    output = cluster.kubectl("top pods")
    assert output.splitlines()[0] == "NAME   CPU(cores)   MEMORY(bytes)   "


def test_top_node_by_name(cluster):
    cluster.run(seconds=60)
    assert lines(cluster.kubectl("top node node-2")) == [
        "NAME     CPU(cores)   CPU(%)   MEMORY(bytes)   MEMORY(%)",
        "node-2   1650m        41%      1256Mi          7%",
    ]


def test_top_nodes_sorted_by_memory_and_without_headers(cluster):
    cluster.run(seconds=60)
    assert lines(cluster.kubectl("top nodes --sort-by=memory --no-headers")) == [
        "node-2   1650m       41%         1256Mi      7%",
        "node-1   313m        7%          330Mi       2%",
        "node-3   <unknown>   <unknown>   <unknown>   <unknown>",
    ]


def test_top_nodes_with_a_label_selector(cluster):
    cluster.run(seconds=60)
    output = cluster.kubectl("top nodes -l topology.kubernetes.io/zone=zone-a")
    assert [line.split()[0] for line in lines(output)] == ["NAME", "node-1"]


def test_top_nodes_show_capacity_uses_capacity():
    cluster = Cluster(nodes=[{"name": "big", "cpu": "8", "memory": "32Gi"}], seed=0, components=())
    node = cluster.api.get("nodes", "big")
    node["status"]["allocatable"]["cpu"] = "4"
    cluster.api.update(node, subresource="status")
    kubelet = Kubelet("big")
    kubelet.running.append(Container("default", "hog", "u1", "hog", 4.0 - SYSTEM_USAGE[0], MiB))
    cadvisor = CAdvisor(cluster.loop, kubelet, memory_capacity="32Gi")
    cadvisor.start()
    cluster.api.metrics = MetricsServer(cluster.loop)
    cluster.api.metrics.register(cadvisor)
    cluster.api.metrics.start()
    cluster.run(seconds=60)
    assert lines(cluster.kubectl("top nodes --no-headers"))[0].split()[:3] == ["big", "4000m", "100%"]
    assert lines(cluster.kubectl("top nodes --no-headers --show-capacity"))[0].split()[:3] == ["big", "4000m",
                                                                                           "50%"]


def test_top_node_missing_is_not_found(cluster):
    cluster.run(seconds=60)
    output = cluster.kubectl("top node node-9")
    assert output == 'Error from server (NotFound): nodemetrics.metrics.k8s.io "node-9" not found\n'
    assert output.exit_code == 1


def test_top_pods_sums_containers_in_the_current_namespace(cluster):
    cluster.run(seconds=60)
    assert lines(cluster.kubectl("top pods")) == [
        "NAME   CPU(cores)   MEMORY(bytes)",
        "db     1500m        900Mi",
        "web    263m         74Mi",
    ]


def test_top_pods_all_namespaces_adds_the_namespace_column(cluster):
    cluster.run(seconds=60)
    assert lines(cluster.kubectl("top pods -A")) == [
        "NAMESPACE   NAME   CPU(cores)   MEMORY(bytes)",
        "default     db     1500m        900Mi",
        "default     web    263m         74Mi",
        "shop        api    100m         100Mi",
    ]


def test_top_pods_in_another_namespace(cluster):
    cluster.run(seconds=60)
    assert lines(cluster.kubectl("top pods -n shop")) == ["NAME   CPU(cores)   MEMORY(bytes)",
                                                          "api    100m         100Mi"]


def test_top_pod_containers(cluster):
    cluster.run(seconds=60)
    assert lines(cluster.kubectl("top pod web --containers")) == [
        "POD   NAME    CPU(cores)   MEMORY(bytes)",
        "web   log     13m          10Mi",
        "web   nginx   250m         64Mi",
    ]


def test_top_pods_sorted_by_cpu(cluster):
    cluster.run(seconds=60)
    assert [line.split()[1] for line in lines(cluster.kubectl("top pods -A --sort-by=cpu --no-headers"))] == [
        "db", "web", "api"]


def test_top_pods_with_a_label_selector(cluster):
    cluster.run(seconds=60)
    assert lines(cluster.kubectl("top pods -l app=web --no-headers")) == ["web   263m   74Mi"]


def test_top_pods_with_a_field_selector(cluster):
    cluster.run(seconds=60)
    assert lines(cluster.kubectl("top pods --field-selector=metadata.name=db --no-headers")) == [
        "db    1500m   900Mi"]


def test_top_pods_sum(cluster):
    cluster.run(seconds=60)
    assert lines(cluster.kubectl("top pods --sum")) == [
        "NAME   CPU(cores)   MEMORY(bytes)",
        "db     1500m        900Mi",
        "web    263m         74Mi",
        "       ________     ________",
        "       1763m        974Mi",
    ]


def test_top_pods_in_an_empty_namespace(cluster):
    cluster.run(seconds=60)
    output = cluster.kubectl("top pods -n empty")
    assert output.stderr == "No resources found in empty namespace.\n"
    assert output.stdout == "" and output.exit_code == 0


def test_a_pod_older_than_two_minutes_without_metrics_is_named(cluster):
    cluster.kubectl("create namespace lonely")
    cluster.api.create({"apiVersion": "v1", "kind": "Pod",
                        "metadata": {"name": "lost", "namespace": "lonely"},
                        "spec": {"containers": [{"name": "app", "image": "nginx"}]}})
    cluster.run(seconds=60)
    assert cluster.kubectl("top pods -n lonely") == "error: metrics not available yet\n"
    cluster.run(seconds=90)
    assert cluster.kubectl("top pods -n lonely") == (
        "error: Metrics not available for pod lonely/lost, age: 2m30s\n")


def test_top_pod_missing_is_not_found(cluster):
    cluster.run(seconds=60)
    assert cluster.kubectl("top pod nope") == (
        'Error from server (NotFound): podmetrics.metrics.k8s.io "default/nope" not found\n')


@pytest.mark.parametrize(("command", "message"), [
    ("top pods --sort-by=disk", "error: --sort-by accepts only cpu or memory\n"),
    ("top nodes --sort-by=name", "error: --sort-by accepts only cpu or memory\n"),
    ("top pods web -l app=web", "error: only one of NAME or selector can be provided\n"),
    ("top nodes node-1 -l a=b", "error: only one of NAME or --selector can be provided\n"),
    ("top pods web db", "error: pod [NAME | -l label]\nSee 'kubectl top pod -h' for help and examples\n"),
    ("top nodes a b", "error: node [NAME | -l label]\nSee 'kubectl top node -h' for help and examples\n"),
])
def test_top_refuses_bad_command_lines_in_kubectls_words(cluster, command, message):
    output = cluster.kubectl(command)
    assert output == message
    assert output.exit_code == 1


def test_top_with_a_bad_selector_is_an_error(cluster):
    output = cluster.kubectl("top pods -l 'a in (b'")
    assert output.exit_code == 1
    assert output.startswith("error: ")


def test_top_output_is_the_same_on_every_run():
    def run() -> str:
        cluster = Cluster(nodes=1, seed=0, components=())
        kubelet = Kubelet("node-1")
        add_pod(cluster, kubelet, "web", {"app": (0.2, 50 * MiB)})
        cadvisor = CAdvisor(cluster.loop, kubelet, memory_capacity="16Gi")
        cadvisor.start()
        cluster.api.metrics = MetricsServer(cluster.loop, Client(cluster.api))
        cluster.api.metrics.register(cadvisor)
        cluster.api.metrics.start()
        cluster.run(seconds=45)
        return cluster.kubectl("top nodes") + cluster.kubectl("top pods")

    assert run() == run()


# ---------------------------------------------------------------------------------------------- formats


@pytest.mark.parametrize(("resource", "quantity", "text"), [
    ("cpu", "250m", "250m"), ("cpu", "1234567n", "2m"), ("cpu", "2", "2000m"), ("cpu", "0", "0m"),
    ("memory", "64Mi", "64Mi"), ("memory", "1048575", "0Mi"), ("memory", "1Gi", "1024Mi"),
    ("memory", "100M", "95Mi"),
])
def test_top_number_formats(resource, quantity, text):
    assert top_quantity(resource, top_usage({resource: quantity})[resource]) == text


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10**10), st.integers(0, 2**36)), min_size=1, max_size=8))
def test_sum_line_is_the_sum_of_the_rows(pods):
    metrics = [{"metadata": {"name": f"pod-{index}", "namespace": "default"},
                "containers": [{"name": "app", "usage": {"cpu": f"{cpu}n", "memory": str(memory)}}]}
               for index, (cpu, memory) in enumerate(pods)]
    text = top_pods(metrics, total=True, no_headers=True)
    *rows, _, total = [line.split() for line in text.splitlines()]
    assert len(rows) == len(pods)
    assert total[0] == top_quantity("cpu", sum((top_usage({"cpu": f"{c}n"})["cpu"] for c, _ in pods),
                                               top_usage({})["cpu"]))
    assert total[1] == f"{sum(memory for _, memory in pods) // MiB}Mi"
