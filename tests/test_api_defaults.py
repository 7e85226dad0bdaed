"""Defaulting: what kube-apiserver fills in before validation (k8slab.api.defaults)."""

from __future__ import annotations

import base64

from k8slab.api.defaults import apply_defaults, image_tag
from k8slab.api.kinds import lookup


def defaulted(obj: dict) -> dict:
    apply_defaults(lookup(obj["kind"]), obj)
    return obj


def pod(*containers: dict, **spec) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {"containers": list(containers) or [{"name": "web", "image": "nginx:1.25"}], **spec},
    }


def deployment(**spec) -> dict:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "web", "image": "nginx:1.25"}]},
            },
            **spec,
        },
    }


def service(**spec) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}], **spec},
    }


# --- pod spec ------------------------------------------------------------------------------


def test_pod_spec_gets_kubernetes_defaults():
    spec = defaulted(pod())["spec"]
    assert spec["restartPolicy"] == "Always"
    assert spec["terminationGracePeriodSeconds"] == 30
    assert spec["dnsPolicy"] == "ClusterFirst"
    assert spec["schedulerName"] == "default-scheduler"
    assert spec["securityContext"] == {}
    assert spec["enableServiceLinks"] is True


def test_pod_defaults_never_overwrite_given_values():
    spec = defaulted(pod(restartPolicy="Never", terminationGracePeriodSeconds=5, dnsPolicy="Default"))["spec"]
    assert (spec["restartPolicy"], spec["terminationGracePeriodSeconds"], spec["dnsPolicy"]) == (
        "Never",
        5,
        "Default",
    )


def test_priority_and_preemption_policy_are_left_to_admission():
    spec = defaulted(pod())["spec"]
    assert "priority" not in spec and "preemptionPolicy" not in spec


def test_container_gets_termination_message_defaults_and_empty_resources():
    container = defaulted(pod())["spec"]["containers"][0]
    assert container["terminationMessagePath"] == "/dev/termination-log"
    assert container["terminationMessagePolicy"] == "File"
    assert container["resources"] == {}


def test_image_pull_policy_is_if_not_present_for_a_tagged_image():
    container = defaulted(pod({"name": "web", "image": "nginx:1.25"}))["spec"]["containers"][0]
    assert container["imagePullPolicy"] == "IfNotPresent"


def test_image_pull_policy_is_always_for_latest_or_no_tag():
    latest = defaulted(pod({"name": "a", "image": "nginx:latest"}, {"name": "b", "image": "nginx"}))
    assert [c["imagePullPolicy"] for c in latest["spec"]["containers"]] == ["Always", "Always"]


def test_image_tag_reads_registry_ports_and_digests():
    assert image_tag("registry.local:5000/team/app") == "latest"
    assert image_tag("registry.local:5000/team/app:v2") == "v2"
    assert image_tag("nginx@sha256:abcd") == ""
    assert image_tag("nginx:1.25@sha256:abcd") == "1.25"


def test_container_port_protocol_defaults_to_tcp():
    container = defaulted(pod({"name": "web", "image": "nginx", "ports": [{"containerPort": 80}]}))
    assert container["spec"]["containers"][0]["ports"] == [{"containerPort": 80, "protocol": "TCP"}]


def test_init_containers_get_container_defaults():
    spec = defaulted(pod(initContainers=[{"name": "init", "image": "busybox:1.36"}]))["spec"]
    assert spec["initContainers"][0]["imagePullPolicy"] == "IfNotPresent"
    assert spec["initContainers"][0]["terminationMessagePolicy"] == "File"


def test_probe_gets_timing_defaults():
    probe = {"httpGet": {"path": "/healthz", "port": 8080}, "initialDelaySeconds": 3}
    container = defaulted(pod({"name": "web", "image": "nginx", "livenessProbe": probe}))["spec"][
        "containers"
    ][0]
    assert container["livenessProbe"] == {
        "httpGet": {"path": "/healthz", "port": 8080, "scheme": "HTTP"},
        "initialDelaySeconds": 3,
        "timeoutSeconds": 1,
        "periodSeconds": 10,
        "successThreshold": 1,
        "failureThreshold": 3,
    }


def test_http_get_path_defaults_to_root():
    probe = {"httpGet": {"port": 80}}
    container = defaulted(pod({"name": "web", "image": "nginx", "readinessProbe": probe}))["spec"][
        "containers"
    ][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/"


def test_limits_are_copied_to_missing_requests_in_a_pod():
    resources = {"limits": {"cpu": "500m", "memory": "128Mi"}, "requests": {"cpu": "250m"}}
    container = defaulted(pod({"name": "web", "image": "nginx", "resources": resources}))["spec"][
        "containers"
    ][0]
    assert container["resources"]["requests"] == {"cpu": "250m", "memory": "128Mi"}


def test_field_ref_api_version_defaults_to_v1():
    env = [{"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}]
    container = defaulted(pod({"name": "web", "image": "nginx", "env": env}))["spec"]["containers"][0]
    assert container["env"][0]["valueFrom"]["fieldRef"] == {"fieldPath": "metadata.name", "apiVersion": "v1"}


def test_host_network_makes_each_container_port_a_host_port():
    obj = pod({"name": "web", "image": "nginx", "ports": [{"containerPort": 80}]}, hostNetwork=True)
    assert defaulted(obj)["spec"]["containers"][0]["ports"][0]["hostPort"] == 80


def test_negative_grace_period_becomes_one_second():
    assert defaulted(pod(terminationGracePeriodSeconds=-5))["spec"]["terminationGracePeriodSeconds"] == 1


def test_volume_without_source_becomes_empty_dir():
    assert defaulted(pod(volumes=[{"name": "scratch"}]))["spec"]["volumes"] == [
        {"name": "scratch", "emptyDir": {}}
    ]


def test_config_map_and_secret_volumes_get_default_mode_420():
    volumes = [{"name": "a", "configMap": {"name": "cfg"}}, {"name": "b", "secret": {"secretName": "s"}}]
    spec = defaulted(pod(volumes=volumes))["spec"]
    assert [v.get("configMap", v.get("secret"))["defaultMode"] for v in spec["volumes"]] == [420, 420]


def test_host_path_type_defaults_to_empty():
    spec = defaulted(pod(volumes=[{"name": "logs", "hostPath": {"path": "/var/log"}}]))["spec"]
    assert spec["volumes"][0]["hostPath"] == {"path": "/var/log", "type": ""}


def test_projected_service_account_token_lasts_an_hour():
    volume = {"name": "token", "projected": {"sources": [{"serviceAccountToken": {"path": "token"}}]}}
    projected = defaulted(pod(volumes=[volume]))["spec"]["volumes"][0]["projected"]
    assert projected["defaultMode"] == 420
    assert projected["sources"][0]["serviceAccountToken"]["expirationSeconds"] == 3600


def test_defaults_leave_wrongly_typed_values_for_validation():
    obj = pod({"name": "web", "image": "nginx", "ports": "80"})
    assert defaulted(obj)["spec"]["containers"][0]["ports"] == "80"


# --- workloads -----------------------------------------------------------------------------


def test_deployment_gets_replicas_strategy_history_and_deadline():
    spec = defaulted(deployment())["spec"]
    assert spec["replicas"] == 1
    assert spec["strategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"},
    }
    assert spec["revisionHistoryLimit"] == 10
    assert spec["progressDeadlineSeconds"] == 600


def test_recreate_strategy_gets_no_rolling_update():
    spec = defaulted(deployment(strategy={"type": "Recreate"}))["spec"]
    assert spec["strategy"] == {"type": "Recreate"}


def test_partial_rolling_update_keeps_the_given_value():
    spec = defaulted(deployment(strategy={"rollingUpdate": {"maxSurge": 1}}))["spec"]
    assert spec["strategy"]["rollingUpdate"] == {"maxSurge": 1, "maxUnavailable": "25%"}


def test_pod_template_gets_pod_spec_defaults():
    template_spec = defaulted(deployment())["spec"]["template"]["spec"]
    assert template_spec["restartPolicy"] == "Always"
    assert template_spec["containers"][0]["imagePullPolicy"] == "IfNotPresent"


def test_pod_template_gets_no_pod_only_defaults():
    template = deployment()["spec"]["template"]
    template["spec"]["containers"][0]["resources"] = {"limits": {"cpu": "1"}}
    obj = deployment(template=template)
    template_spec = defaulted(obj)["spec"]["template"]["spec"]
    assert "enableServiceLinks" not in template_spec
    assert template_spec["containers"][0]["resources"] == {"limits": {"cpu": "1"}}


def test_replica_set_gets_one_replica():
    rs = deployment()
    rs["kind"] = "ReplicaSet"
    assert defaulted(rs)["spec"]["replicas"] == 1


# --- services ------------------------------------------------------------------------------


def test_service_gets_type_affinity_and_traffic_policy():
    spec = defaulted(service())["spec"]
    assert spec["type"] == "ClusterIP"
    assert spec["sessionAffinity"] == "None"
    assert spec["internalTrafficPolicy"] == "Cluster"
    assert "externalTrafficPolicy" not in spec


def test_service_port_gets_tcp_and_target_port_equal_to_port():
    assert defaulted(service())["spec"]["ports"] == [{"port": 80, "protocol": "TCP", "targetPort": 80}]


def test_service_gets_single_stack_ipv4():
    spec = defaulted(service())["spec"]
    assert (spec["ipFamilyPolicy"], spec["ipFamilies"]) == ("SingleStack", ["IPv4"])


def test_headless_service_without_selector_gets_no_ip_family_defaults():
    spec = defaulted(service(clusterIP="None", selector=None))["spec"]
    assert "ipFamilyPolicy" not in spec
    assert spec["clusterIPs"] == ["None"]


def test_node_port_service_gets_external_traffic_policy_cluster():
    assert defaulted(service(type="NodePort"))["spec"]["externalTrafficPolicy"] == "Cluster"


def test_load_balancer_service_allocates_node_ports():
    spec = defaulted(service(type="LoadBalancer"))["spec"]
    assert spec["allocateLoadBalancerNodePorts"] is True
    assert spec["externalTrafficPolicy"] == "Cluster"


def test_external_name_service_gets_no_cluster_ip_fields():
    spec = defaulted(service(type="ExternalName", externalName="db.example.com", ports=[]))["spec"]
    assert "ipFamilies" not in spec and "internalTrafficPolicy" not in spec


def test_client_ip_affinity_gets_three_hour_timeout():
    spec = defaulted(service(sessionAffinity="ClientIP"))["spec"]
    assert spec["sessionAffinityConfig"] == {"clientIP": {"timeoutSeconds": 10800}}


def test_given_cluster_ip_is_mirrored_into_cluster_ips():
    assert defaulted(service(clusterIP="10.96.0.10"))["spec"]["clusterIPs"] == ["10.96.0.10"]


def test_endpoint_slice_ports_get_tcp_and_empty_name():
    slice_ = {
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": {"name": "web-abc"},
        "addressType": "IPv4",
        "endpoints": [],
        "ports": [{"port": 80}],
    }
    assert defaulted(slice_)["ports"] == [{"port": 80, "name": "", "protocol": "TCP"}]


# --- cluster objects -----------------------------------------------------------------------


def test_namespace_gets_finalizer_phase_and_name_label():
    ns = defaulted({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}})
    assert ns["spec"] == {"finalizers": ["kubernetes"]}
    assert ns["status"] == {"phase": "Active"}
    assert ns["metadata"]["labels"] == {"kubernetes.io/metadata.name": "team-a"}


def test_secret_type_defaults_to_opaque():
    secret = defaulted({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {}})
    assert secret["type"] == "Opaque"


def test_secret_string_data_is_folded_into_base64_data():
    secret = defaulted(
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "s"},
            "stringData": {"password": "hunter2"},
        }
    )
    assert secret["data"] == {"password": base64.b64encode(b"hunter2").decode()}
    assert "stringData" not in secret


def test_priority_class_preempts_lower_priority_by_default():
    pc = defaulted(
        {
            "apiVersion": "scheduling.k8s.io/v1",
            "kind": "PriorityClass",
            "metadata": {"name": "high"},
            "value": 1000,
        }
    )
    assert pc["preemptionPolicy"] == "PreemptLowerPriority"


def test_node_allocatable_defaults_to_capacity():
    node = defaulted(
        {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {"name": "node-1"},
            "status": {"capacity": {"cpu": "4", "memory": "8Gi"}},
        }
    )
    assert node["status"]["allocatable"] == {"cpu": "4", "memory": "8Gi"}


def test_node_without_status_is_left_alone():
    node = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-1"}}
    assert defaulted(dict(node)) == node


def test_config_map_event_and_lease_get_nothing():
    for obj in (
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "b"}},
        {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e"}, "reason": "Started"},
        {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": "l"}, "spec": {}},
    ):
        before = repr(obj)
        assert repr(defaulted(obj)) == before
