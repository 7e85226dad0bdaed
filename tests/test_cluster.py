"""The facade: one Cluster wires the store, the API server, kubectl and the control plane."""

import pathlib

import pytest

from k8slab import Cluster

WEB = pathlib.Path(__file__).resolve().parent.parent / "data" / "manifests" / "web.yaml"


def run_web(seed: int) -> Cluster:
    cluster = Cluster(nodes=3, seed=seed)
    cluster.apply(WEB)
    cluster.run(seconds=30)
    return cluster


def test_a_deployment_becomes_a_replicaset_and_scheduled_pods():
    cluster = run_web(0)
    pods = cluster.api.list("pods")["items"]
    assert len(pods) == 3
    assert all(pod["spec"].get("nodeName") for pod in pods)
    assert len(cluster.api.list("replicasets")["items"]) == 1


def test_the_same_seed_gives_byte_identical_output():
    first, second = run_web(7), run_web(7)
    for command in ("get pods -o wide", "get events", "get rs -o yaml"):
        assert str(first.kubectl(command)) == str(second.kubectl(command))


def test_another_seed_gives_other_names():
    assert str(run_web(1).kubectl("get pods -o name")) != str(run_web(2).kubectl("get pods -o name"))


def test_without_components_only_the_api_server_acts():
    cluster = Cluster(nodes=3, seed=0, components=())
    cluster.apply(WEB)
    cluster.run(seconds=30)
    assert cluster.api.list("pods")["items"] == []


def test_an_unknown_component_is_refused():
    with pytest.raises(ValueError, match="unknown component 'kubelet'"):
        Cluster(components=("kubelet",))


def test_get_returns_kubectls_columns_as_a_dataframe():
    frame = run_web(0).get("pods", wide=True)
    assert list(frame.columns)[:5] == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert "NODE" in frame.columns
    assert len(frame) == 3


def test_nodes_are_spread_over_zones_with_default_capacity():
    cluster = Cluster(nodes=4, seed=0, components=())
    nodes = cluster.api.list("nodes")["items"]
    zones = [n["metadata"]["labels"]["topology.kubernetes.io/zone"] for n in nodes]
    assert zones == ["zone-a", "zone-b", "zone-c", "zone-a"]
    assert nodes[0]["status"]["allocatable"]["cpu"] == "4"


def test_node_shapes_set_capacity_labels_and_taints():
    cluster = Cluster(
        nodes=[{"name": "big", "cpu": "16", "memory": "64Gi", "labels": {"disk": "ssd"},
                "taints": [{"key": "gpu", "value": "true", "effect": "NoSchedule"}]}],
        components=(),
    )
    node = cluster.api.get("nodes", "big")
    assert node["status"]["capacity"]["cpu"] == "16"
    assert node["metadata"]["labels"]["disk"] == "ssd"
    assert node["spec"]["taints"][0]["key"] == "gpu"


def test_bad_node_counts_are_refused():
    with pytest.raises(ValueError):
        Cluster(nodes=-1)
    with pytest.raises(TypeError):
        Cluster(nodes=True)


def test_nodes_beyond_255_get_valid_pod_ranges_and_addresses():
    from k8slab.cluster import node_object, pod_cidr

    assert pod_cidr(1) == "10.244.1.0/24"
    assert pod_cidr(300) == "10.129.44.0/24"
    assert len({pod_cidr(i) for i in range(1, 5001)}) == 5000
    node = node_object(5000, {})
    assert node["status"]["addresses"][0]["address"] == "10.0.19.146"


def test_explain_names_the_winner_of_a_scheduled_pod():
    cluster = run_web(0)
    pod = cluster.api.list("pods")["items"][0]
    table = cluster.explain(f"default/{pod['metadata']['name']}")
    assert len(table) == 3  # one row per node
    winners = [node for node, won in table["winner"].items() if bool(won)]
    assert winners == [pod["spec"]["nodeName"]]


def test_add_node_joins_the_next_numbered_node_in_the_next_zone():
    cluster = Cluster(nodes=3, seed=0)
    name = cluster.add_node({"cpu": "8"})
    node = cluster.api.get("nodes", name)
    assert name == "node-4"
    assert node["metadata"]["labels"]["topology.kubernetes.io/zone"] == "zone-a"
    assert node["status"]["allocatable"]["cpu"] == "8"


def test_add_node_refuses_a_taken_name_and_changes_nothing():
    from k8slab.api.errors import AlreadyExists

    cluster = Cluster(nodes=2, seed=0)
    revision = cluster.store.revision
    with pytest.raises(AlreadyExists, match='nodes "node-1" already exists'):
        cluster.add_node({"name": "node-1"})
    assert cluster.store.revision == revision
    assert cluster.add_node() == "node-3"
