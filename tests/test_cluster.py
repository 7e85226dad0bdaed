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
    with pytest.raises(ValueError, match="unknown component 'etcd-backup'"):
        Cluster(components=("etcd-backup",))


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


def test_kubelets_run_the_pods_the_scheduler_binds():
    cluster = run_web(0)
    frame = cluster.get("pods", wide=True)
    assert list(frame["STATUS"]) == ["Running"] * 3
    assert list(frame["READY"]) == ["1/1"] * 3
    assert sorted(frame["NODE"]) == ["node-1", "node-2", "node-3"]


def test_kubelets_register_their_nodes_and_renew_leases():
    cluster = Cluster(nodes=2, seed=0)
    cluster.run(seconds=25)
    leases = cluster.api.list("leases", "kube-node-lease")["items"]
    assert [lease["metadata"]["name"] for lease in leases] == ["node-1", "node-2"]
    assert sorted(cluster.kubelets) == ["node-1", "node-2"]


def test_cadvisor_needs_the_kubelet_and_metrics_server_needs_cadvisor():
    with pytest.raises(ValueError, match="cadvisor runs inside the kubelet"):
        Cluster(components=("cadvisor",))
    with pytest.raises(ValueError, match="metrics-server scrapes"):
        Cluster(components=("kubelet", "metrics-server"))


def test_kubectl_logs_asks_the_pods_kubelet():
    cluster = run_web(0)
    pod = cluster.api.list("pods")["items"][0]["metadata"]["name"]
    assert str(cluster.kubectl(f"logs {pod}")) == cluster.kubelets[
        cluster.api.get("pods", pod)["spec"]["nodeName"]].logs("default", pod, "nginx")


def test_logs_from_a_failed_node_fail_like_an_unreachable_kubelet():
    cluster = run_web(0)
    pod = cluster.api.list("pods")["items"][0]
    cluster.fail_node(pod["spec"]["nodeName"])
    output = cluster.kubectl(f"logs {pod['metadata']['name']}")
    assert "connect: no route to host" in str(output)


def test_a_failed_node_goes_unknown_and_its_pods_are_replaced_elsewhere():
    cluster = run_web(0)
    cluster.fail_node("node-1")
    cluster.run(seconds=60)
    node = cluster.api.get("nodes", "node-1")
    ready = next(c for c in node["status"]["conditions"] if c["type"] == "Ready")
    assert ready["status"] == "Unknown"
    assert {"key": "node.kubernetes.io/unreachable", "effect": "NoExecute"}.items() <= next(
        t for t in node["spec"]["taints"] if t["effect"] == "NoExecute").items()
    cluster.run(seconds=330)
    running = [p for p in cluster.api.list("pods")["items"]
               if p["status"].get("phase") == "Running" and not p["metadata"].get("deletionTimestamp")]
    assert len(running) == 3
    assert all(p["spec"]["nodeName"] != "node-1" for p in running)


def test_recover_node_brings_the_node_back_to_ready():
    cluster = run_web(0)
    cluster.fail_node("node-2")
    cluster.run(seconds=60)
    cluster.recover_node("node-2")
    cluster.run(seconds=20)
    conditions = cluster.api.get("nodes", "node-2")["status"]["conditions"]
    ready = next(c for c in conditions if c["type"] == "Ready")
    assert ready["status"] == "True"


def test_crash_container_restarts_it_and_counts_the_restart():
    cluster = run_web(0)
    pod = cluster.api.list("pods")["items"][0]["metadata"]["name"]
    cluster.crash_container(pod)
    cluster.run(seconds=15)
    status = cluster.api.get("pods", pod)["status"]["containerStatuses"][0]
    assert status["restartCount"] == 1
    assert status["lastState"]["terminated"]["exitCode"] == 1


def test_failing_an_unknown_node_says_not_found():
    from k8slab.api.errors import NotFound

    cluster = Cluster(nodes=1, seed=0)
    with pytest.raises(NotFound, match='nodes "node-9" not found'):
        cluster.fail_node("node-9")


def test_every_node_runs_a_kube_proxy_that_programs_the_services_rules():
    cluster = run_web(0)
    assert sorted(cluster.proxies) == ["node-1", "node-2", "node-3"]
    service = cluster.api.get("services", "nginx")
    rules = cluster.proxies["node-2"].rules.save()
    assert f"-d {service['spec']['clusterIP']}/32" in rules
    assert rules.count("-j DNAT") == 3  # one per nginx pod


def test_request_reaches_a_pod_through_the_service_and_traces_its_hops():
    cluster = run_web(0)
    ip = cluster.api.get("services", "nginx")["spec"]["clusterIP"]
    response = cluster.request(f"http://{ip}/", source="node-1")
    pods = {p["metadata"]["name"] for p in cluster.api.list("pods")["items"]}
    assert response.status == 200
    assert any(name in response.body for name in pods)
    assert len(response.trace) >= 2


def test_traffic_records_one_row_per_request():
    cluster = run_web(0)
    ip = cluster.api.get("services", "nginx")["spec"]["clusterIP"]
    frame = cluster.traffic(f"http://{ip}/", rate=10, seconds=3, source="node-2")
    assert len(frame) == 30
    assert set(frame["status"]) == {200}


def test_view_is_the_dashboard_of_this_cluster():
    from k8slab.viz.dashboard import Dashboard

    cluster = run_web(0)
    assert isinstance(cluster.view(), Dashboard)


def test_the_cluster_dns_answers_a_services_name_from_a_pod():
    cluster = run_web(0)
    pod = cluster.api.list("pods")["items"][0]["metadata"]["name"]
    response = cluster.request("http://nginx.default.svc.cluster.local/", source=f"default/{pod}")
    assert response.status == 200
    assert cluster.components["coredns"] is cluster.dns


def test_a_pod_bound_to_a_node_that_does_not_exist_stays_pending_then_podgc_deletes_it():
    from k8slab.api.errors import NotFound

    cluster = Cluster(nodes=1, seed=0)
    cluster.api.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "lost"},
                        "spec": {"nodeName": "node-9", "containers": [{"name": "app", "image": "nginx"}]}})
    cluster.run(seconds=30)
    assert cluster.get("pods")["STATUS"].tolist() == ["Pending"]  # no kubelet will ever pick it up
    cluster.run(seconds=40)
    with pytest.raises(NotFound):
        cluster.api.get("pods", "lost")
