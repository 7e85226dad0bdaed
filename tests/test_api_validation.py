"""Validation: every problem at once, with Kubernetes' field paths and words (k8slab.api.validation)."""

from __future__ import annotations

import copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from k8slab.api.defaults import apply_defaults
from k8slab.api.errors import ErrorList, invalid
from k8slab.api.kinds import lookup
from k8slab.api.schema import unknown_fields
from k8slab.api.validation import decode_errors, validate, validate_update

DNS_LABEL_ERROR = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
    "and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
DNS_SUBDOMAIN_ERROR = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
DNS_1035_ERROR = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
    "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for "
    "validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
)


# --- helpers -------------------------------------------------------------------------------


def prepared(obj: dict) -> dict:
    """What the API server validates: the manifest in its namespace, with defaults filled in."""
    obj = copy.deepcopy(obj)
    info = lookup(obj["kind"])
    if info.namespaced:
        obj.setdefault("metadata", {}).setdefault("namespace", "default")
    apply_defaults(info, obj)
    return obj


def problems(obj: dict) -> list[str]:
    obj = prepared(obj)
    return [str(cause) for cause in validate(lookup(obj["kind"]), obj).causes]


def update_problems(new: dict, old: dict, subresource: str = "") -> list[str]:
    new, old = prepared(new), prepared(old)
    return [str(cause) for cause in validate_update(lookup(new["kind"]), new, old, subresource).causes]


def container(**fields) -> dict:
    return {"name": "web", "image": "nginx:1.25", **fields}


def pod(*containers: dict, name: str = "web", **spec) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {"containers": list(containers) if containers else [container()], **spec},
    }


def deployment(
    labels: dict | None = None, selector: dict | None = None, kind: str = "Deployment", **spec
) -> dict:
    return {
        "apiVersion": "apps/v1",
        "kind": kind,
        "metadata": {"name": "web"},
        "spec": {
            "selector": selector if selector is not None else {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": labels if labels is not None else {"app": "web"}},
                "spec": {"containers": [container()]},
            },
            **spec,
        },
    }


def service(**spec) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web"},
        "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}], **spec},
    }


def named(kind: str, name: str, **fields) -> dict:
    info = lookup(kind)
    return {"apiVersion": info.api_version, "kind": info.kind, "metadata": {"name": name}, **fields}


# --- valid objects pass --------------------------------------------------------------------


def test_valid_objects_of_every_kind_have_no_problems():
    objects = [
        pod(),
        deployment(),
        deployment(kind="ReplicaSet"),
        service(),
        named("Namespace", "team-a"),
        named(
            "Node", "node-1", spec={"taints": [{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}]}
        ),
        named("ConfigMap", "settings", data={"log.level": "debug"}),
        named("Secret", "creds", data={"password": "aHVudGVyMg=="}),
        named(
            "Event",
            "web.1",
            involvedObject={"kind": "Pod", "name": "web", "namespace": "default"},
            reason="Scheduled",
        ),
        named(
            "EndpointSlice",
            "web-abc",
            addressType="IPv4",
            endpoints=[{"addresses": ["10.244.1.5"]}],
            ports=[{"name": "http", "port": 8080}],
        ),
        named("Lease", "node-1", spec={"holderIdentity": "node-1", "leaseDurationSeconds": 40}),
        named("PriorityClass", "high-priority", value=1000000),
    ]
    for obj in objects:
        assert problems(obj) == [], obj["kind"]


# --- metadata ------------------------------------------------------------------------------


def test_name_is_required_unless_generate_name_is_given():
    obj = pod()
    del obj["metadata"]["name"]
    assert problems(obj) == ["metadata.name: Required value: name or generateName is required"]


def test_pod_name_must_be_a_dns_subdomain():
    assert problems(pod(name="Web_1")) == [f'metadata.name: Invalid value: "Web_1": {DNS_SUBDOMAIN_ERROR}']


def test_namespace_name_must_be_a_dns_label():
    assert problems(named("Namespace", "team.a")) == [
        'metadata.name: Invalid value: "team.a": must not contain dots'
    ]
    assert problems(named("Namespace", "Team")) == [
        f'metadata.name: Invalid value: "Team": {DNS_LABEL_ERROR}'
    ]


def test_service_name_must_be_a_dns_1035_label():
    obj = service()
    obj["metadata"]["name"] = "1web"
    assert problems(obj) == [f'metadata.name: Invalid value: "1web": {DNS_1035_ERROR}']


def test_generate_name_may_end_with_a_dash():
    obj = pod()
    obj["metadata"] = {"generateName": "web-", "name": "web-x7k2p"}
    assert problems(obj) == []


def test_invalid_generate_name_is_reported():
    obj = pod()
    obj["metadata"] = {"generateName": "Web-", "name": "web-x7k2p"}
    assert problems(obj)[0].startswith(
        'metadata.generateName: Invalid value: "Web-": a lowercase RFC 1123 subdomain'
    )


def test_namespaced_kind_needs_a_namespace():
    obj = pod()
    info = lookup("Pod")
    apply_defaults(info, obj)
    assert [str(c) for c in validate(info, obj).causes] == ["metadata.namespace: Required value"]


def test_cluster_scoped_kind_may_not_have_a_namespace():
    obj = named("Node", "node-1")
    obj["metadata"]["namespace"] = "default"
    assert problems(obj) == ["metadata.namespace: Forbidden: not allowed on this type"]


def test_label_keys_and_values_are_checked():
    obj = pod()
    obj["metadata"]["labels"] = {"app": "web server"}
    assert problems(obj) == [
        'metadata.labels: Invalid value: "web server": a valid label must be an empty string or consist of '
        "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character "
        "(e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is "
        "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
    ]


def test_annotation_keys_must_be_qualified_names():
    obj = pod()
    obj["metadata"]["annotations"] = {"example.com/": "x"}
    found = problems(obj)
    assert found[0] == 'metadata.annotations: Invalid value: "example.com/": name part must be non-empty'
    assert found[1].startswith(
        'metadata.annotations: Invalid value: "example.com/": name part must consist of'
    )


def test_annotations_may_not_exceed_256_kib_in_total():
    obj = pod()
    obj["metadata"]["annotations"] = {"big": "x" * (256 * 1024)}
    assert problems(obj) == ["metadata.annotations: Too long: may not be more than 262144 bytes"]


def test_unknown_short_finalizer_name_is_refused():
    obj = pod()
    obj["metadata"]["finalizers"] = ["cleanup"]
    assert problems(obj) == [
        'metadata.finalizers[0]: Invalid value: "cleanup": name is neither a standard finalizer name nor is '
        "it fully qualified"
    ]


def test_owner_reference_needs_its_fields():
    obj = pod()
    obj["metadata"]["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-abc"}]
    assert problems(obj) == ["metadata.ownerReferences[0].uid: Required value: must not be empty"]


# --- pods ----------------------------------------------------------------------------------


def test_pod_needs_containers():
    assert problems(pod(containers=[])) == ["spec.containers: Required value"]


def test_container_needs_an_image():
    assert problems(pod(container(image=""))) == ["spec.containers[0].image: Required value"]


def test_container_needs_a_name():
    assert problems(pod({"image": "nginx"})) == ["spec.containers[0].name: Required value"]


def test_container_name_must_be_a_dns_label():
    assert problems(pod(container(name="Web"))) == [
        f'spec.containers[0].name: Invalid value: "Web": {DNS_LABEL_ERROR}'
    ]


def test_container_names_must_be_unique():
    assert problems(pod(container(), container())) == ['spec.containers[1].name: Duplicate value: "web"']


def test_init_container_name_may_not_repeat_a_container_name():
    obj = pod(initContainers=[container(image="busybox:1.36")])
    assert problems(obj) == ['spec.initContainers[0].name: Duplicate value: "web"']


def test_container_port_must_be_in_range():
    obj = pod(container(ports=[{"containerPort": 70000}]))
    assert problems(obj) == [
        "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, "
        "inclusive"
    ]


def test_container_port_is_required():
    assert problems(pod(container(ports=[{"name": "http"}]))) == [
        "spec.containers[0].ports[0].containerPort: Required value"
    ]


def test_port_name_must_be_an_iana_service_name():
    obj = pod(container(ports=[{"containerPort": 80, "name": "Http--port-number-one"}]))
    assert problems(obj) == [
        'spec.containers[0].ports[0].name: Invalid value: "Http--port-number-one": must be no more than 15 '
        "characters",
        'spec.containers[0].ports[0].name: Invalid value: "Http--port-number-one": must contain only '
        "alpha-numeric characters (a-z, 0-9), and hyphens (-)",
        'spec.containers[0].ports[0].name: Invalid value: "Http--port-number-one": must not contain '
        "consecutive hyphens",
    ]


def test_port_name_needs_a_letter():
    obj = pod(container(ports=[{"containerPort": 80, "name": "8080"}]))
    assert problems(obj) == [
        'spec.containers[0].ports[0].name: Invalid value: "8080": must contain at least one letter (a-z)'
    ]


def test_port_names_must_be_unique_in_a_container():
    obj = pod(container(ports=[{"containerPort": 80, "name": "http"}, {"containerPort": 81, "name": "http"}]))
    assert problems(obj) == ['spec.containers[0].ports[1].name: Duplicate value: "http"']


def test_port_protocol_must_be_tcp_udp_or_sctp():
    obj = pod(container(ports=[{"containerPort": 80, "protocol": "HTTP"}]))
    assert problems(obj) == [
        'spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", '
        '"UDP"'
    ]


def test_host_ports_may_not_collide():
    obj = pod(
        container(ports=[{"containerPort": 80, "hostPort": 8080}]),
        container(name="b", ports=[{"containerPort": 81, "hostPort": 8080}]),
    )
    assert problems(obj) == ['spec.containers[1].ports[0].hostPort: Duplicate value: "TCP//8080"']


def test_request_may_not_exceed_limit():
    obj = pod(container(resources={"requests": {"cpu": "1"}, "limits": {"cpu": "500m"}}))
    assert problems(obj) == [
        'spec.containers[0].resources.requests: Invalid value: "1": must be less than or equal to cpu limit '
        "of 500m"
    ]


def test_negative_quantity_is_refused():
    obj = pod(container(resources={"limits": {"memory": "-1Gi"}}))
    assert problems(obj) == [
        'spec.containers[0].resources.limits[memory]: Invalid value: "-1Gi": must be greater than or equal '
        "to 0",
        'spec.containers[0].resources.requests[memory]: Invalid value: "-1Gi": must be greater than or equal '
        "to 0",
    ]


def test_unknown_resource_name_is_refused():
    obj = pod(container(resources={"limits": {"gpu": "1"}}))
    assert problems(obj)[:2] == [
        'spec.containers[0].resources.limits[gpu]: Invalid value: "gpu": must be a standard resource type or '
        "fully qualified",
        'spec.containers[0].resources.limits[gpu]: Invalid value: "gpu": must be a standard resource for '
        "containers",
    ]


def test_extended_resource_request_must_equal_its_limit():
    obj = pod(container(resources={"limits": {"example.com/gpu": "2"}, "requests": {"example.com/gpu": "1"}}))
    assert problems(obj) == [
        'spec.containers[0].resources.requests: Invalid value: "1": must be equal to example.com/gpu limit '
        "of 2"
    ]


def test_restart_policy_must_be_supported():
    assert problems(pod(restartPolicy="Sometimes")) == [
        'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'
    ]


def test_dns_policy_must_be_supported():
    assert problems(pod(dnsPolicy="Google")) == [
        'spec.dnsPolicy: Unsupported value: "Google": supported values: "ClusterFirstWithHostNet", '
        '"ClusterFirst", "Default", "None"'
    ]


def test_env_var_name_may_not_start_with_a_digit():
    obj = pod(container(env=[{"name": "1ST_PORT", "value": "80"}]))
    assert problems(obj) == [
        'spec.containers[0].env[0].name: Invalid value: "1ST_PORT": a valid environment variable name must '
        "consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. "
        "'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is "
        "'[-._a-zA-Z][-._a-zA-Z0-9]*')"
    ]


def test_env_var_needs_a_name():
    assert problems(pod(container(env=[{"value": "x"}]))) == [
        "spec.containers[0].env[0].name: Required value"
    ]


def test_env_value_from_needs_exactly_one_source():
    obj = pod(container(env=[{"name": "A", "valueFrom": {}}]))
    assert problems(obj) == [
        'spec.containers[0].env[0].valueFrom: Invalid value: "": must specify one of: `fieldRef`, '
        "`resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"
    ]


def test_env_value_from_and_value_exclude_each_other():
    obj = pod(
        container(
            env=[{"name": "A", "value": "x", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}]
        )
    )
    assert problems(obj) == [
        'spec.containers[0].env[0].valueFrom: Invalid value: "": may not be specified when `value` is not '
        "empty"
    ]


def test_env_field_ref_path_must_be_supported():
    obj = pod(container(env=[{"name": "A", "valueFrom": {"fieldRef": {"fieldPath": "spec.hostname"}}}]))
    assert problems(obj)[0].startswith(
        'spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Unsupported value: "spec.hostname": '
        'supported values: "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName"'
    )


def test_env_from_needs_a_source():
    obj = pod(container(envFrom=[{"prefix": "APP_"}]))
    assert problems(obj) == [
        'spec.containers[0].envFrom: Invalid value: "": must specify one of: `configMapRef` or `secretRef`'
    ]


def test_volume_names_must_be_unique():
    obj = pod(volumes=[{"name": "data", "emptyDir": {}}, {"name": "data", "emptyDir": {}}])
    assert problems(obj) == ['spec.volumes[1].name: Duplicate value: "data"']


def test_volume_name_must_be_a_dns_label():
    obj = pod(volumes=[{"name": "my_data", "emptyDir": {}}])
    assert problems(obj) == [f'spec.volumes[0].name: Invalid value: "my_data": {DNS_LABEL_ERROR}']


def test_volume_may_have_only_one_source():
    obj = pod(volumes=[{"name": "data", "emptyDir": {}, "hostPath": {"path": "/data"}}])
    assert problems(obj) == ["spec.volumes[0].emptyDir: Forbidden: may not specify more than 1 volume type"]


def test_config_map_volume_needs_a_name():
    obj = pod(volumes=[{"name": "cfg", "configMap": {}}])
    assert problems(obj) == ["spec.volumes[0].configMap.name: Required value"]


def test_volume_mount_must_refer_to_a_volume_of_the_pod():
    obj = pod(container(volumeMounts=[{"name": "x", "mountPath": "/data"}]))
    assert problems(obj) == ['spec.containers[0].volumeMounts[0].name: Not found: "x"']


def test_volume_mount_needs_a_mount_path():
    obj = pod(container(volumeMounts=[{"name": "data"}]), volumes=[{"name": "data", "emptyDir": {}}])
    assert problems(obj) == ["spec.containers[0].volumeMounts[0].mountPath: Required value"]


def test_mount_paths_must_be_unique():
    mounts = [{"name": "a", "mountPath": "/data"}, {"name": "b", "mountPath": "/data"}]
    obj = pod(container(volumeMounts=mounts), volumes=[{"name": "a"}, {"name": "b"}])
    assert problems(obj) == [
        'spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/data": must be unique'
    ]


def test_not_found_cause_has_kubernetes_reason():
    obj = prepared(pod(container(volumeMounts=[{"name": "x", "mountPath": "/data"}])))
    (cause,) = validate(lookup("Pod"), obj).causes
    assert (cause.type, cause.field) == ("FieldValueNotFound", "spec.containers[0].volumeMounts[0].name")


def test_probe_needs_a_handler():
    obj = pod(container(livenessProbe={"periodSeconds": 5}))
    assert problems(obj) == ["spec.containers[0].livenessProbe: Required value: must specify a handler type"]


def test_probe_may_have_only_one_handler():
    probe = {"httpGet": {"path": "/", "port": 80}, "tcpSocket": {"port": 80}}
    assert problems(pod(container(readinessProbe=probe))) == [
        "spec.containers[0].readinessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type"
    ]


def test_liveness_probe_success_threshold_must_be_one():
    probe = {"exec": {"command": ["true"]}, "successThreshold": 2}
    assert problems(pod(container(livenessProbe=probe))) == [
        "spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1"
    ]


def test_probe_named_port_must_be_a_valid_port_name():
    probe = {"httpGet": {"path": "/", "port": "Web_Port"}}
    assert problems(pod(container(livenessProbe=probe)))[0] == (
        'spec.containers[0].livenessProbe.httpGet.port: Invalid value: "Web_Port": must contain only '
        "alpha-numeric characters (a-z, 0-9), and hyphens (-)"
    )


def test_probe_timing_may_not_be_negative():
    probe = {"exec": {"command": ["true"]}, "initialDelaySeconds": -1}
    assert problems(pod(container(livenessProbe=probe))) == [
        "spec.containers[0].livenessProbe.initialDelaySeconds: Invalid value: -1: must be greater than or "
        "equal to 0"
    ]


def test_init_container_without_restart_policy_may_not_have_probes():
    init = container(name="init", livenessProbe={"exec": {"command": ["true"]}})
    assert problems(pod(initContainers=[init])) == [
        "spec.initContainers[0].livenessProbe: Forbidden: may not be set for init containers without "
        "restartPolicy=Always"
    ]


def test_negative_termination_grace_period_is_accepted_as_one_second():
    assert problems(pod(terminationGracePeriodSeconds=-1)) == []


def test_node_selector_labels_are_checked():
    assert problems(pod(nodeSelector={"disk type": "ssd"}))[0].startswith(
        'spec.nodeSelector: Invalid value: "disk type": name part must consist of alphanumeric characters'
    )


def test_toleration_with_exists_may_not_have_a_value():
    toleration = {"key": "dedicated", "operator": "Exists", "value": "gpu", "effect": "NoSchedule"}
    assert problems(pod(tolerations=[toleration])) == [
        'spec.tolerations[0].operator: Invalid value: "gpu": value must be empty when `operator` is '
        "'Exists'"
    ]


def test_toleration_operator_must_be_exists_or_equal():
    toleration = {"key": "dedicated", "operator": "In", "value": "gpu"}
    assert problems(pod(tolerations=[toleration])) == [
        'spec.tolerations[0].operator: Unsupported value: "In": supported values: "Equal", "Exists"'
    ]


def test_toleration_effect_must_be_a_taint_effect():
    toleration = {"key": "dedicated", "operator": "Exists", "effect": "NoRun"}
    assert problems(pod(tolerations=[toleration])) == [
        'spec.tolerations[0].effect: Unsupported value: "NoRun": supported values: "NoSchedule", '
        '"PreferNoSchedule", "NoExecute"'
    ]


def test_toleration_without_key_must_use_exists():
    assert problems(pod(tolerations=[{"operator": "Equal", "value": "x"}])) == [
        'spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, '
        'which means "match all values and all keys"'
    ]


def test_toleration_seconds_need_the_no_execute_effect():
    toleration = {
        "key": "node.kubernetes.io/unreachable",
        "operator": "Exists",
        "effect": "NoSchedule",
        "tolerationSeconds": 300,
    }
    assert problems(pod(tolerations=[toleration])) == [
        "spec.tolerations[0].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when "
        "`tolerationSeconds` is set"
    ]


def test_priority_class_name_must_be_a_dns_subdomain():
    assert problems(pod(priorityClassName="High")) == [
        f'spec.priorityClassName: Invalid value: "High": {DNS_SUBDOMAIN_ERROR}'
    ]


def test_node_affinity_needs_a_term():
    affinity = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": []}}}
    assert problems(pod(affinity=affinity)) == [
        "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms: "
        "Required value: must have at least one node selector term"
    ]


def test_preferred_affinity_weight_is_one_to_a_hundred():
    term = {"weight": 0, "preference": {"matchExpressions": [{"key": "zone", "operator": "Exists"}]}}
    affinity = {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [term]}}
    assert problems(pod(affinity=affinity)) == [
        "spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid "
        "value: 0: must be in the range 1-100"
    ]


def test_pod_anti_affinity_needs_a_topology_key():
    term = {"labelSelector": {"matchLabels": {"app": "web"}}}
    affinity = {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term]}}
    assert problems(pod(affinity=affinity))[0] == (
        "spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: "
        "Required value: can not be empty"
    )


def test_topology_spread_needs_positive_max_skew_and_known_action():
    constraint = {"maxSkew": 0, "topologyKey": "zone", "whenUnsatisfiable": "Maybe"}
    assert problems(pod(topologySpreadConstraints=[constraint])) == [
        "spec.topologySpreadConstraints[0].maxSkew: Invalid value: 0: must be greater than zero",
        'spec.topologySpreadConstraints[0].whenUnsatisfiable: Unsupported value: "Maybe": supported values: '
        '"DoNotSchedule", "ScheduleAnyway"',
    ]


def test_ephemeral_containers_cannot_be_set_on_create():
    obj = pod(ephemeralContainers=[{"name": "debug", "image": "busybox"}])
    assert "spec.ephemeralContainers: Forbidden: cannot be set on create" in problems(obj)


def test_image_with_surrounding_spaces_is_refused():
    assert problems(pod(container(image=" nginx"))) == [
        'spec.containers[0].image: Invalid value: " nginx": must not have leading or trailing whitespace'
    ]


def test_every_problem_is_reported_at_once():
    obj = pod(
        container(image="", ports=[{"containerPort": 0}]),
        container(name="web", env=[{"name": "1X"}]),
        restartPolicy="Sometimes",
    )
    found = problems(obj)
    assert found[:3] == [
        "spec.containers[0].image: Required value",
        "spec.containers[0].ports[0].containerPort: Required value",
        'spec.containers[1].env[0].name: Invalid value: "1X": a valid environment variable name must consist '
        "of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. "
        "'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is "
        "'[-._a-zA-Z][-._a-zA-Z0-9]*')",
    ]
    assert 'spec.containers[1].name: Duplicate value: "web"' in found
    assert found[-1] == (
        'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'
    )


def test_all_problems_become_one_invalid_status():
    obj = prepared(pod(container(image=""), restartPolicy="Sometimes"))
    error = invalid("Pod", "web", "", validate(lookup("Pod"), obj))
    assert error.kubectl() == (
        'The Pod "web" is invalid: [spec.containers[0].image: Required value, spec.restartPolicy: '
        'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"]'
    )
    assert [cause["reason"] for cause in error.status()["details"]["causes"]] == [
        "FieldValueRequired",
        "FieldValueNotSupported",
    ]


def test_validation_survives_values_of_the_wrong_type():
    obj = pod(container(ports="80", env={"A": "b"}, resources=[]), volumes="none", tolerations=[None])
    assert isinstance(problems(obj), list)


def test_privileged_container_may_not_forbid_privilege_escalation():
    obj = pod(container(securityContext={"privileged": True, "allowPrivilegeEscalation": False}))
    assert problems(obj) == [
        'spec.containers[0].securityContext: Invalid value: {"Capabilities":null,"Privileged":true,'
        '"SELinuxOptions":null,"WindowsOptions":null,"RunAsUser":null,"RunAsGroup":null,"RunAsNonRoot":null,'
        '"ReadOnlyRootFilesystem":null,"AllowPrivilegeEscalation":false,"ProcMount":null,'
        '"SeccompProfile":null,"AppArmorProfile":null}: cannot set `allowPrivilegeEscalation` to false and '
        "`privileged` to true"
    ]


def test_only_one_owner_may_be_the_controller():
    obj = pod()
    obj["metadata"]["ownerReferences"] = [
        {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": name, "uid": name, "controller": True}
        for name in ("a", "b")
    ]
    (found,) = problems(obj)
    assert found.startswith('metadata.ownerReferences: Invalid value: [{"apiVersion":"apps/v1",')
    assert found.endswith(
        'Only one reference can have Controller set to true. Found "true" in references for ReplicaSet/a and '
        "ReplicaSet/b"
    )


def test_sidecar_init_container_may_have_probes():
    sidecar = container(name="proxy", restartPolicy="Always", readinessProbe={"tcpSocket": {"port": 80}})
    assert problems(pod(initContainers=[sidecar])) == []


def test_host_network_template_port_must_match_host_port():
    obj = deployment()
    obj["spec"]["template"]["spec"]["hostNetwork"] = True
    obj["spec"]["template"]["spec"]["containers"][0]["ports"] = [{"containerPort": 80, "hostPort": 81}]
    assert problems(obj) == [
        "spec.template.spec.containers[0].ports[0].hostPort: Invalid value: 81: must match `containerPort` "
        "when `hostNetwork` is true"
    ]


def test_downward_api_label_subscript_is_accepted():
    env = [{"name": "APP", "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['app']"}}}]
    assert problems(pod(container(env=env))) == []


def test_host_path_type_must_be_known():
    assert problems(pod(volumes=[{"name": "d", "hostPath": {"path": "/x", "type": "Dir"}}])) == [
        'spec.volumes[0].hostPath.type: Unsupported value: "Dir": supported values: "", "BlockDevice", '
        '"CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"'
    ]


def test_sub_path_must_be_relative():
    mounts = [{"name": "d", "mountPath": "/d", "subPath": "/abs"}]
    assert problems(pod(container(volumeMounts=mounts), volumes=[{"name": "d"}])) == [
        'spec.containers[0].volumeMounts.subPath: Invalid value: "/abs": must be a relative path'
    ]


# --- pod updates ---------------------------------------------------------------------------


def stored_pod(**spec) -> dict:
    obj = pod(**spec)
    obj["metadata"].update(uid="uid-1", resourceVersion="5")
    return obj


def test_pod_image_may_change():
    new = stored_pod()
    new["spec"]["containers"][0]["image"] = "nginx:1.26"
    assert update_problems(new, stored_pod()) == []


def test_pod_spec_is_otherwise_immutable():
    new = stored_pod()
    new["spec"]["containers"][0]["ports"] = [{"containerPort": 8080}]
    found = update_problems(new, stored_pod())
    assert len(found) == 1
    assert found[0].startswith(
        "spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,"
        "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to "
        "existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was "
        "previously negative)\n"
    )
    assert "+  spec.containers[0].ports: " in found[0]


def test_pod_may_not_gain_a_container():
    new = stored_pod()
    new["spec"]["containers"].append(container(name="sidecar"))
    assert update_problems(new, stored_pod()) == [
        "spec.containers: Forbidden: pod updates may not add or remove containers"
    ]


def test_pod_tolerations_may_only_be_added():
    old = stored_pod(tolerations=[{"key": "a", "operator": "Exists"}])
    added = stored_pod(tolerations=[{"key": "a", "operator": "Exists"}, {"key": "b", "operator": "Exists"}])
    changed = stored_pod(tolerations=[{"key": "c", "operator": "Exists"}])
    assert update_problems(added, old) == []
    assert update_problems(changed, old)[0] == (
        "spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds"
    )


def test_active_deadline_may_only_shrink():
    old, new = stored_pod(activeDeadlineSeconds=60), stored_pod(activeDeadlineSeconds=120)
    assert update_problems(new, old) == [
        "spec.activeDeadlineSeconds: Invalid value: 120: must be less than or equal to previous value"
    ]


def test_pod_name_may_not_change():
    new = stored_pod()
    new["metadata"]["name"] = "web-2"
    assert update_problems(new, stored_pod()) == ['metadata.name: Invalid value: "web-2": field is immutable']


def test_status_update_may_not_move_a_pod_to_another_node():
    old, new = stored_pod(nodeName="node-1"), stored_pod(nodeName="node-2")
    assert update_problems(new, old, subresource="status") == [
        "status.nodeName: Forbidden: may not be changed directly"
    ]


def test_no_finalizer_may_be_added_while_deleting():
    old = stored_pod()
    old["metadata"]["deletionTimestamp"] = "2024-01-01T00:00:00Z"
    new = copy.deepcopy(old)
    new["metadata"]["finalizers"] = ["example.com/cleanup"]
    assert update_problems(new, old) == [
        "metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, "
        'found new finalizers []string{"example.com/cleanup"}'
    ]


# --- ReplicaSets and Deployments -----------------------------------------------------------


def test_replicas_may_not_be_negative():
    assert problems(deployment(replicas=-1)) == [
        "spec.replicas: Invalid value: -1: must be greater than or equal to 0"
    ]


def test_selector_is_required():
    obj = deployment()
    del obj["spec"]["selector"]
    assert problems(obj) == ["spec.selector: Required value"]


def test_empty_selector_is_invalid():
    assert problems(deployment(selector={})) == [
        "spec.selector: Invalid value: {}: empty selector is invalid for deployment"
    ]


def test_replica_set_empty_selector_uses_the_same_words():
    assert problems(deployment(kind="ReplicaSet", selector={}))[0].endswith(
        "empty selector is invalid for deployment"
    )


def test_template_labels_must_match_the_selector():
    assert problems(deployment(labels={"app": "x"})) == [
        'spec.template.metadata.labels: Invalid value: {"app":"x"}: `selector` does not match template '
        "`labels`"
    ]


def test_match_expressions_selector_is_checked_against_template_labels():
    selector = {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["front"]}]}
    assert problems(deployment(selector=selector))[0].startswith(
        "spec.template.metadata.labels: Invalid value"
    )


def test_selector_with_bad_operator_is_reported():
    selector = {"matchExpressions": [{"key": "app", "operator": "Equals", "values": ["web"]}]}
    found = problems(deployment(selector=selector))
    assert found[0] == (
        'spec.selector.matchExpressions[0].operator: Invalid value: "Equals": not a valid selector operator'
    )
    assert found[1].endswith("invalid label selector")


def test_template_is_validated_as_a_pod_spec():
    obj = deployment()
    obj["spec"]["template"]["spec"]["containers"][0]["image"] = ""
    assert problems(obj) == ["spec.template.spec.containers[0].image: Required value"]


def test_template_restart_policy_must_be_always():
    obj = deployment()
    obj["spec"]["template"]["spec"]["restartPolicy"] = "Never"
    assert problems(obj) == [
        'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'
    ]


def test_template_may_not_set_an_active_deadline():
    obj = deployment()
    obj["spec"]["template"]["spec"]["activeDeadlineSeconds"] = 30
    assert problems(obj) == [
        "spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicaSet is not "
        "Supported"
    ]


def test_strategy_type_must_be_recreate_or_rolling_update():
    assert problems(deployment(strategy={"type": "Canary"})) == [
        'spec.strategy: Unsupported value: {"Type":"Canary","RollingUpdate":null}: supported values: '
        '"Recreate", "RollingUpdate"'
    ]


def test_recreate_strategy_may_not_have_rolling_update_settings():
    strategy = {"type": "Recreate", "rollingUpdate": {"maxSurge": 1}}
    assert problems(deployment(strategy=strategy)) == [
        "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"
    ]


def test_max_surge_and_max_unavailable_may_not_both_be_zero():
    strategy = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": "0%"}}
    assert problems(deployment(strategy=strategy)) == [
        'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "0%": may not be 0 when `maxSurge` is 0'
    ]


def test_max_surge_must_be_an_int_or_a_percent():
    strategy = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25"}}
    assert problems(deployment(strategy=strategy)) == [
        'spec.strategy.rollingUpdate.maxSurge: Invalid value: "25": a valid percent string must be a numeric '
        "string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"
    ]


def test_max_unavailable_may_not_exceed_100_percent():
    strategy = {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "150%"}}
    assert problems(deployment(strategy=strategy)) == [
        'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "150%": must not be greater than 100%'
    ]


def test_revision_history_limit_may_not_be_negative():
    assert problems(deployment(revisionHistoryLimit=-1)) == [
        "spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0"
    ]


def test_progress_deadline_must_exceed_min_ready_seconds():
    assert problems(deployment(minReadySeconds=30, progressDeadlineSeconds=10)) == [
        "spec.progressDeadlineSeconds: Invalid value: 10: must be greater than minReadySeconds"
    ]


def test_deployment_selector_is_immutable():
    old = deployment()
    new = deployment(labels={"app": "web2"}, selector={"matchLabels": {"app": "web2"}})
    assert update_problems(new, old) == [
        'spec.selector: Invalid value: {"matchLabels":{"app":"web2"}}: field is immutable'
    ]


def test_replica_set_selector_is_immutable():
    old = deployment(kind="ReplicaSet")
    new = deployment(kind="ReplicaSet", labels={"app": "web", "v": "2"}, selector={"matchLabels": {"v": "2"}})
    assert update_problems(new, old)[0].endswith("field is immutable")


def test_deployment_template_and_replicas_may_change():
    new = deployment(replicas=5)
    new["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.26"
    assert update_problems(new, deployment()) == []


def test_status_counts_may_not_exceed_replicas():
    old = deployment()
    new = deployment()
    new["status"] = {"replicas": 2, "readyReplicas": 3, "availableReplicas": 1}
    assert update_problems(new, old, subresource="status") == [
        "status.readyReplicas: Invalid value: 3: cannot be greater than status.replicas"
    ]


# --- Services ------------------------------------------------------------------------------


def test_service_needs_ports():
    assert problems(service(ports=[])) == ["spec.ports: Required value"]


def test_headless_service_needs_no_ports():
    assert problems(service(ports=[], clusterIP="None")) == []


def test_service_port_must_be_in_range():
    assert problems(service(ports=[{"port": 0, "targetPort": 80}])) == [
        "spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive"
    ]


def test_service_ports_need_names_when_there_are_several():
    ports = [{"port": 80, "targetPort": 80}, {"name": "https", "port": 443, "targetPort": 443}]
    assert problems(service(ports=ports)) == ["spec.ports[0].name: Required value"]


def test_service_port_names_must_be_unique():
    ports = [{"name": "web", "port": 80}, {"name": "web", "port": 443}]
    assert problems(service(ports=ports)) == ['spec.ports[1].name: Duplicate value: "web"']


def test_service_ports_must_not_repeat_protocol_and_port():
    ports = [{"name": "a", "port": 80}, {"name": "b", "port": 80, "targetPort": 81}]
    assert problems(service(ports=ports)) == [
        'spec.ports[1]: Duplicate value: {"Name":"","Protocol":"TCP","AppProtocol":null,"Port":80,'
        '"TargetPort":0,"NodePort":0}'
    ]


def test_service_type_must_be_supported():
    assert problems(service(type="Ingress")) == [
        'spec.type: Unsupported value: "Ingress": supported values: "ClusterIP", "ExternalName", '
        '"LoadBalancer", "NodePort"'
    ]


def test_node_port_must_be_in_the_node_port_range():
    assert problems(service(type="NodePort", ports=[{"port": 80, "nodePort": 40000}])) == [
        "spec.ports[0].nodePort: Invalid value: 40000: provided port is not in the valid range. The range of "
        "valid ports is 30000-32767"
    ]


def test_cluster_ip_service_may_not_set_a_node_port():
    assert problems(service(ports=[{"port": 80, "nodePort": 30080}])) == [
        "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"
    ]


def test_target_port_may_be_a_valid_port_name():
    assert problems(service(ports=[{"port": 80, "targetPort": "http"}])) == []
    assert problems(service(ports=[{"port": 80, "targetPort": "http_web"}])) == [
        'spec.ports[0].targetPort: Invalid value: "http_web": must contain only alpha-numeric characters '
        "(a-z, 0-9), and hyphens (-)"
    ]


def test_cluster_ip_must_be_none_or_an_ip():
    assert problems(service(clusterIP="10.96.0.300")) == [
        'spec.clusterIPs[0]: Invalid value: "10.96.0.300": must be a valid IP address, (e.g. 10.9.8.7 or '
        "2001:db8::ffff)"
    ]


def test_headless_node_port_service_is_refused():
    assert problems(service(type="NodePort", clusterIP="None"))[0] == (
        "spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services"
    )


def test_service_selector_labels_are_checked():
    assert problems(service(selector={"app": "-web"}))[0].startswith(
        'spec.selector: Invalid value: "-web": a valid label'
    )


def test_external_name_service_needs_an_external_name():
    assert problems(service(type="ExternalName", ports=[])) == ["spec.externalName: Required value"]


def test_session_affinity_must_be_supported():
    assert problems(service(sessionAffinity="Cookie")) == [
        'spec.sessionAffinity: Unsupported value: "Cookie": supported values: "ClientIP", "None"'
    ]


def test_cluster_ip_may_not_change():
    old, new = service(clusterIP="10.96.0.10"), service(clusterIP="10.96.0.20")
    assert update_problems(new, old) == [
        'spec.clusterIPs[0]: Invalid value: ["10.96.0.20"]: may not change once set'
    ]


def test_allocated_cluster_ip_may_not_be_dropped():
    old = service(clusterIP="10.96.0.10")
    assert update_problems(service(), old) == [
        "spec.clusterIPs[0]: Invalid value: []: primary clusterIP can not be unset"
    ]


def test_service_ports_may_change():
    old = service(clusterIP="10.96.0.10")
    new = service(clusterIP="10.96.0.10", ports=[{"port": 8080}])
    assert update_problems(new, old) == []


# --- ConfigMaps and Secrets ----------------------------------------------------------------


def test_config_map_keys_must_be_valid_config_keys():
    assert problems(named("ConfigMap", "cfg", data={"bad key": "x"})) == [
        'data[bad key]: Invalid value: "bad key": a valid config key must consist of alphanumeric characters,'
        " '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is "
        "'[-._a-zA-Z0-9]+')"
    ]


def test_config_map_key_may_not_be_dot_dot():
    assert problems(named("ConfigMap", "cfg", data={"..": "x"})) == [
        "data[..]: Invalid value: \"..\": must not be '..'"
    ]


def test_config_map_may_hold_at_most_one_mebibyte():
    assert problems(named("ConfigMap", "cfg", data={"a": "x" * (1024 * 1024 + 1)})) == [
        "Too long: may not be more than 1048576 bytes"
    ]


def test_config_map_key_may_not_be_in_data_and_binary_data():
    obj = named("ConfigMap", "cfg", data={"a": "x"}, binaryData={"a": "eA=="})
    assert problems(obj) == ['data[a]: Invalid value: "a": duplicate of key present in binaryData']


def test_immutable_config_map_data_may_not_change():
    old = named("ConfigMap", "cfg", data={"a": "1"}, immutable=True)
    new = named("ConfigMap", "cfg", data={"a": "2"}, immutable=True)
    assert update_problems(new, old) == ["data: Forbidden: field is immutable when `immutable` is set"]


def test_secret_keys_must_be_valid_config_keys():
    assert problems(named("Secret", "s", data={"api key": "eA=="}))[0].startswith(
        'data[api key]: Invalid value: "api key": a valid config key must consist of alphanumeric characters'
    )


def test_tls_secret_needs_certificate_and_key():
    assert problems(named("Secret", "tls", type="kubernetes.io/tls", data={})) == [
        "data[tls.crt]: Required value",
        "data[tls.key]: Required value",
    ]


def test_secret_type_is_immutable():
    old = named("Secret", "s", data={})
    new = named("Secret", "s", type="kubernetes.io/tls", data={"tls.crt": "eA==", "tls.key": "eA=="})
    assert update_problems(new, old) == ['type: Invalid value: "kubernetes.io/tls": field is immutable']


# --- Nodes, Namespaces, Events, Leases, PriorityClasses, EndpointSlices ----------------------


def test_node_taint_effect_must_be_supported():
    obj = named("Node", "node-1", spec={"taints": [{"key": "dedicated", "effect": "NoRun"}]})
    assert problems(obj) == [
        'metadata.taints[0].effect: Unsupported value: "NoRun": supported values: "NoSchedule", '
        '"PreferNoSchedule", "NoExecute"'
    ]


def test_node_taint_needs_an_effect_and_a_valid_key():
    obj = named("Node", "node-1", spec={"taints": [{"key": "-gpu"}]})
    found = problems(obj)
    assert found[0].startswith('metadata.taints[0].key: Invalid value: "-gpu": name part must consist of')
    assert found[1] == "metadata.taints[0].effect: Required value"


def test_node_taints_must_be_unique_by_key_and_effect():
    taint = {"key": "gpu", "effect": "NoSchedule"}
    obj = named("Node", "node-1", spec={"taints": [taint, dict(taint, value="x")]})
    assert problems(obj) == [
        'metadata.taints[1]: Duplicate value: {"Key":"gpu","Value":"x","Effect":"NoSchedule",'
        '"TimeAdded":null}: taints must be unique by key and effect pair'
    ]


def test_node_name_is_a_dns_subdomain():
    assert problems(named("Node", "node.example.com")) == []


def test_namespace_finalizer_must_be_standard_or_qualified():
    obj = named("Namespace", "team-a", spec={"finalizers": ["cleanup"]})
    assert problems(obj) == [
        'spec.finalizers: Invalid value: "cleanup": name is neither a standard finalizer name nor is it '
        "fully qualified"
    ]


def test_event_needs_an_involved_object():
    assert problems(named("Event", "web.1", reason="Scheduled")) == ["involvedObject: Required value"]


def test_event_namespace_must_match_its_object():
    obj = named("Event", "web.1", involvedObject={"kind": "Pod", "name": "web", "namespace": "other"})
    assert problems(obj) == [
        'involvedObject.namespace: Invalid value: "other": does not match event.namespace'
    ]


def test_lease_duration_must_be_positive():
    obj = named("Lease", "node-1", spec={"leaseDurationSeconds": 0})
    assert problems(obj) == ["spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0"]


def test_lease_transitions_may_not_be_negative():
    obj = named("Lease", "node-1", spec={"leaseTransitions": -1})
    assert problems(obj) == ["spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0"]


def test_user_priority_is_at_most_a_billion():
    assert problems(named("PriorityClass", "too-high", value=1000000001)) == [
        "value: Forbidden: maximum allowed value of a user defined priority is 1000000000"
    ]


def test_system_prefix_is_reserved_for_system_priority_classes():
    assert problems(named("PriorityClass", "system-mine", value=10)) == [
        "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use "
        "only. error: system-mine is not a known system priority class"
    ]


def test_known_system_priority_class_is_accepted():
    assert problems(named("PriorityClass", "system-node-critical", value=2000001000)) == []


def test_priority_class_value_may_not_change():
    old, new = named("PriorityClass", "high", value=10), named("PriorityClass", "high", value=20)
    assert update_problems(new, old) == ["value: Forbidden: may not be changed in an update."]


def test_endpoint_slice_address_type_must_be_supported():
    obj = named("EndpointSlice", "web-abc", addressType="IP", endpoints=[])
    assert problems(obj) == ['addressType: Unsupported value: "IP": supported values: "FQDN", "IPv4", "IPv6"']


def test_endpoint_needs_an_address():
    obj = named("EndpointSlice", "web-abc", addressType="IPv4", endpoints=[{"addresses": []}])
    assert problems(obj) == ["endpoints[0].addresses: Required value: must contain at least 1 address"]


def test_priority_class_preemption_policy_must_be_supported():
    assert problems(named("PriorityClass", "p", value=1, preemptionPolicy="Sometimes")) == [
        'preemptionPolicy: Unsupported value: "Sometimes": supported values: "PreemptLowerPriority", "Never"'
    ]


def test_endpoint_address_must_match_the_address_type():
    obj = named("EndpointSlice", "web-abc", addressType="IPv4", endpoints=[{"addresses": ["fe80::1"]}])
    assert problems(obj) == [
        'endpoints[0].addresses[0]: Invalid value: "fe80::1": must be a valid IPv4 address'
    ]


def test_endpoint_slice_address_type_is_immutable():
    old = named("EndpointSlice", "web-abc", addressType="IPv4", endpoints=[])
    new = named("EndpointSlice", "web-abc", addressType="IPv6", endpoints=[])
    assert update_problems(new, old) == ['addressType: Invalid value: "IPv6": field is immutable']


# --- decoding: values of the wrong JSON type -------------------------------------------------


def decode(obj: dict) -> list[str]:
    return decode_errors(lookup(obj["kind"]), obj)


def test_string_container_port_is_a_decoding_error():
    assert decode(pod(container(ports=[{"containerPort": "80"}]))) == [
        'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field '
        "ContainerPort.spec.containers.ports.containerPort of type int32"
    ]


def test_string_replicas_is_a_decoding_error():
    assert decode(deployment(replicas="3")) == [
        'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go '
        "struct field DeploymentSpec.spec.replicas of type int32"
    ]


def test_template_container_port_names_the_full_path():
    obj = deployment()
    obj["spec"]["template"]["spec"]["containers"][0]["ports"] = [{"containerPort": "80"}]
    assert decode(obj)[0].endswith(
        "json: cannot unmarshal string into Go struct field "
        "ContainerPort.spec.template.spec.containers.ports.containerPort of type int32"
    )


def test_object_where_a_string_belongs_is_a_decoding_error():
    assert decode(named("ConfigMap", "cfg", data={"a": {"b": "c"}})) == [
        'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal object into Go '
        "struct field ConfigMap.data of type string"
    ]


def test_string_where_a_list_belongs_names_the_go_list_type():
    assert decode(pod(containers="web"))[0].endswith(
        "json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type []v1.Container"
    )


def test_fractional_number_for_an_integer_is_a_decoding_error():
    assert decode(named("Lease", "l", spec={"leaseDurationSeconds": 1.5}))[0].endswith(
        "json: cannot unmarshal number 1.5 into Go struct field LeaseSpec.spec.leaseDurationSeconds of type "
        "int32"
    )


def test_boolean_for_a_port_is_a_decoding_error():
    assert decode(service(ports=[{"port": True}]))[0].endswith(
        "json: cannot unmarshal bool into Go struct field ServicePort.spec.ports.port of type int32"
    )


def test_unparsable_quantity_is_a_decoding_error():
    assert decode(pod(container(resources={"limits": {"cpu": "lots"}}))) == [
        'Pod in version "v1" cannot be handled as a Pod: quantities must match the regular expression '
        "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
    ]


def test_secret_data_must_be_base64():
    assert decode(named("Secret", "s", data={"password": "hunter2!"})) == [
        'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 7'
    ]


def test_well_typed_manifest_has_no_decoding_errors():
    assert (
        decode(deployment(replicas=3, strategy={"rollingUpdate": {"maxSurge": 1, "maxUnavailable": "25%"}}))
        == []
    )


def test_unknown_fields_are_not_decoding_errors():
    assert decode(pod(container(imagee="nginx"))) == []


# --- robustness: nothing crashes the API server ----------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False)
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=8,
)


def all_paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from all_paths(child, prefix + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from all_paths(child, prefix + (index,))


def replaced(obj, path, value):
    obj = copy.deepcopy(obj)
    target = obj
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return obj


SAMPLES = [
    pod(
        container(ports=[{"containerPort": 80}], livenessProbe={"httpGet": {"path": "/", "port": 80}}),
        volumes=[{"name": "data", "emptyDir": {}}],
        tolerations=[{"key": "a", "operator": "Exists"}],
    ),
    deployment(strategy={"rollingUpdate": {"maxSurge": 1}}),
    service(type="NodePort"),
    named("Secret", "s", data={"a": "eA=="}),
    named("Node", "n", spec={"taints": [{"key": "k", "effect": "NoSchedule"}]}),
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_garbage_anywhere_never_crashes_the_checks(data):
    sample = data.draw(st.sampled_from(SAMPLES))
    paths = [path for path in all_paths(sample) if path and path[0] not in ("apiVersion", "kind")]
    path = data.draw(st.sampled_from(paths))
    obj = replaced(sample, path, data.draw(json_values))
    info = lookup(obj["kind"])
    decode_errors(info, obj)
    unknown_fields(info, obj)
    obj = prepared(obj) if isinstance(obj.get("metadata"), dict) else obj
    assert isinstance(validate(info, obj), ErrorList)
    assert isinstance(validate_update(info, obj, prepared(sample)), ErrorList)
