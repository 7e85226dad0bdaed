"""Specification of k8slab.api.patch: JSON merge patch, JSON patch, strategic merge patch, kubectl apply."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from k8slab.api.patch import (
    MERGE_PATCH,
    PATCH_STRATEGIES,
    REJECTED,
    STRATEGIC_MERGE_PATCH,
    UNSUPPORTED_MEDIA_TYPE,
    PatchError,
    PatchMeta,
    apply_patch,
    create_merge_patch,
    create_strategic_merge_patch,
    json_equal,
    json_merge_patch,
    json_patch,
    strategic_merge_patch,
    three_way_merge,
)

# ------------------------------------------------------------------------------------------------------------
# JSON merge patch (RFC 7386)
# ------------------------------------------------------------------------------------------------------------

# RFC 7386, appendix A: original, patch, result.
RFC7386_EXAMPLES = [
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    (["a", "b"], ["c", "d"], ["c", "d"]),
    ({"a": "b"}, ["c"], ["c"]),
    ({"a": "foo"}, None, None),
    ({"a": "foo"}, "bar", "bar"),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
]


@pytest.mark.parametrize(("original", "patch", "result"), RFC7386_EXAMPLES)
def test_merge_patch_gives_the_results_of_rfc7386_examples(original, patch, result):
    assert json_merge_patch(original, patch) == result


def test_merge_patch_replaces_a_list_of_containers_whole():
    pod = {
        "spec": {"containers": [{"name": "web", "image": "nginx:1.25"}, {"name": "log", "image": "fluentd"}]}
    }
    patched = json_merge_patch(pod, {"spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}})
    assert patched == {"spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}


def test_merge_patch_never_changes_its_inputs():
    original = {"metadata": {"labels": {"app": "web", "tier": "frontend"}}, "spec": {"replicas": 2}}
    patch = {"metadata": {"labels": {"tier": None}}, "spec": {"replicas": 3}}
    before = copy.deepcopy((original, patch))
    json_merge_patch(original, patch)
    assert (original, patch) == before


def test_merge_patch_result_shares_nothing_with_the_original():
    original = {"metadata": {"labels": {"app": "web"}}}
    patched = json_merge_patch(original, {})
    patched["metadata"]["labels"]["app"] = "changed"
    assert original == {"metadata": {"labels": {"app": "web"}}}


def test_create_merge_patch_sets_what_changed_and_nulls_what_is_gone():
    original = {
        "metadata": {"labels": {"app": "web", "tier": "frontend"}},
        "spec": {"replicas": 2, "paused": False},
    }
    modified = {"metadata": {"labels": {"app": "web"}}, "spec": {"replicas": 3, "paused": False}}
    assert create_merge_patch(original, modified) == {
        "metadata": {"labels": {"tier": None}},
        "spec": {"replicas": 3},
    }


def test_create_merge_patch_sees_true_and_1_as_different():
    assert create_merge_patch({"x": 1}, {"x": True}) == {"x": True}


# Hypothesis: JSON values. Object members are never null here, because a merge patch can only
# read a null as "delete this key".
json_strings = st.text(alphabet="ab /~$", max_size=4)
json_scalars = st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | json_strings
json_keys = st.text(alphabet="abcdef", min_size=1, max_size=3)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(json_keys, children, max_size=4),
    max_leaves=20,
)
json_objects = st.dictionaries(json_keys, json_values, max_size=5)


@given(json_objects)
def test_merge_patch_with_an_empty_object_is_the_identity(document):
    assert json_equal(json_merge_patch(document, {}), document)


@given(json_objects, json_objects)
def test_applying_create_merge_patch_gives_the_modified_object(original, modified):
    assert json_equal(json_merge_patch(original, create_merge_patch(original, modified)), modified)


# ------------------------------------------------------------------------------------------------------------
# JSON patch (RFC 6902) and JSON pointer (RFC 6901)
# ------------------------------------------------------------------------------------------------------------

# RFC 6902, appendix A: the examples that succeed (A.1-A.8, A.10, A.11, A.14, A.16).
RFC6902_EXAMPLES = {
    "A.1 adding an object member": (
        {"foo": "bar"},
        [{"op": "add", "path": "/baz", "value": "qux"}],
        {"baz": "qux", "foo": "bar"},
    ),
    "A.2 adding an array element": (
        {"foo": ["bar", "baz"]},
        [{"op": "add", "path": "/foo/1", "value": "qux"}],
        {"foo": ["bar", "qux", "baz"]},
    ),
    "A.3 removing an object member": (
        {"baz": "qux", "foo": "bar"},
        [{"op": "remove", "path": "/baz"}],
        {"foo": "bar"},
    ),
    "A.4 removing an array element": (
        {"foo": ["bar", "qux", "baz"]},
        [{"op": "remove", "path": "/foo/1"}],
        {"foo": ["bar", "baz"]},
    ),
    "A.5 replacing a value": (
        {"baz": "qux", "foo": "bar"},
        [{"op": "replace", "path": "/baz", "value": "boo"}],
        {"baz": "boo", "foo": "bar"},
    ),
    "A.6 moving a value": (
        {"foo": {"bar": "baz", "waldo": "fred"}, "qux": {"corge": "grault"}},
        [{"op": "move", "from": "/foo/waldo", "path": "/qux/thud"}],
        {"foo": {"bar": "baz"}, "qux": {"corge": "grault", "thud": "fred"}},
    ),
    "A.7 moving an array element": (
        {"foo": ["all", "grass", "cows", "eat"]},
        [{"op": "move", "from": "/foo/1", "path": "/foo/3"}],
        {"foo": ["all", "cows", "eat", "grass"]},
    ),
    "A.8 testing a value: success": (
        {"baz": "qux", "foo": ["a", 2, "c"]},
        [{"op": "test", "path": "/baz", "value": "qux"}, {"op": "test", "path": "/foo/1", "value": 2}],
        {"baz": "qux", "foo": ["a", 2, "c"]},
    ),
    "A.10 adding a nested member object": (
        {"foo": "bar"},
        [{"op": "add", "path": "/child", "value": {"grandchild": {}}}],
        {"foo": "bar", "child": {"grandchild": {}}},
    ),
    "A.11 ignoring unrecognized elements": (
        {"foo": "bar"},
        [{"op": "add", "path": "/baz", "value": "qux", "xyz": 123}],
        {"foo": "bar", "baz": "qux"},
    ),
    "A.14 ~ escape ordering": (
        {"/": 9, "~1": 10},
        [{"op": "test", "path": "/~01", "value": 10}],
        {"/": 9, "~1": 10},
    ),
    "A.16 adding an array value": (
        {"foo": ["bar"]},
        [{"op": "add", "path": "/foo/-", "value": ["abc", "def"]}],
        {"foo": ["bar", ["abc", "def"]]},
    ),
}

# RFC 6902, appendix A: the examples that are errors (A.9, A.12, A.15). A.13 (a duplicated "op"
# member) cannot be written as a Python dict.
RFC6902_ERRORS = {
    "A.9 testing a value: error": ({"baz": "qux"}, [{"op": "test", "path": "/baz", "value": "bar"}]),
    "A.12 adding to a nonexistent target": (
        {"foo": "bar"},
        [{"op": "add", "path": "/baz/bat", "value": "qux"}],
    ),
    "A.15 comparing strings and numbers": (
        {"/": 9, "~1": 10},
        [{"op": "test", "path": "/~01", "value": "10"}],
    ),
}


@pytest.mark.parametrize(
    ("original", "operations", "result"), RFC6902_EXAMPLES.values(), ids=RFC6902_EXAMPLES
)
def test_json_patch_gives_the_results_of_rfc6902_examples(original, operations, result):
    assert json_patch(original, operations) == result


@pytest.mark.parametrize(("original", "operations"), RFC6902_ERRORS.values(), ids=RFC6902_ERRORS)
def test_json_patch_refuses_the_rfc6902_error_examples(original, operations):
    with pytest.raises(PatchError):
        json_patch(original, operations)


# RFC 6901, section 5: each pointer and the value it names in this document.
RFC6901_DOCUMENT = {
    "foo": ["bar", "baz"],
    "": 0,
    "a/b": 1,
    "c%d": 2,
    "e^f": 3,
    "g|h": 4,
    "i\\j": 5,
    'k"l': 6,
    " ": 7,
    "m~n": 8,
}
RFC6901_POINTERS = [
    ("", RFC6901_DOCUMENT),
    ("/foo", ["bar", "baz"]),
    ("/foo/0", "bar"),
    ("/", 0),
    ("/a~1b", 1),
    ("/c%d", 2),
    ("/e^f", 3),
    ("/g|h", 4),
    ("/i\\j", 5),
    ('/k"l', 6),
    ("/ ", 7),
    ("/m~0n", 8),
]


@pytest.mark.parametrize(("pointer", "value"), RFC6901_POINTERS)
def test_json_pointers_name_the_values_of_rfc6901_examples(pointer, value):
    assert json_patch(RFC6901_DOCUMENT, [{"op": "test", "path": pointer, "value": value}]) == RFC6901_DOCUMENT


def test_json_patch_dash_appends_a_container():
    pod = {"spec": {"containers": [{"name": "web"}]}}
    patched = json_patch(pod, [{"op": "add", "path": "/spec/containers/-", "value": {"name": "log"}}])
    assert patched == {"spec": {"containers": [{"name": "web"}, {"name": "log"}]}}


def test_json_patch_escapes_a_slash_in_a_label_name():
    deployment = {"metadata": {"labels": {"app.kubernetes.io/name": "web"}}}
    patched = json_patch(deployment, [{"op": "remove", "path": "/metadata/labels/app.kubernetes.io~1name"}])
    assert patched == {"metadata": {"labels": {}}}


def test_json_patch_is_all_or_nothing_when_a_later_operation_fails():
    deployment = {"spec": {"replicas": 2}, "metadata": {"labels": {"app": "web"}}}
    operations = [
        {"op": "replace", "path": "/spec/replicas", "value": 5},
        {"op": "remove", "path": "/metadata/labels/missing"},
    ]
    with pytest.raises(PatchError):
        json_patch(deployment, operations)
    assert deployment == {"spec": {"replicas": 2}, "metadata": {"labels": {"app": "web"}}}


def test_failed_test_operation_is_422_with_kube_apiservers_message():
    with pytest.raises(PatchError) as caught:
        json_patch({"spec": {"replicas": 2}}, [{"op": "test", "path": "/spec/replicas", "value": 3}])
    error = caught.value
    assert (error.code, error.reason, error.status_message) == (422, "Invalid", REJECTED)
    assert str(error) == 'operation 0 (test): testing value "/spec/replicas" failed: test failed'


def test_json_patch_error_names_the_operation_index_and_the_missing_path():
    operations = [{"op": "test", "path": "/spec/replicas", "value": 2}, {"op": "remove", "path": "/spec/foo"}]
    with pytest.raises(PatchError) as caught:
        json_patch({"spec": {"replicas": 2}}, operations)
    assert str(caught.value) == 'operation 1 (remove): doc is missing path: "/spec/foo": missing value'
    assert caught.value.path == "/spec/foo"


def test_json_patch_replace_of_a_missing_member_is_an_error():
    with pytest.raises(PatchError, match='doc is missing path: "/spec/paused"'):
        json_patch({"spec": {}}, [{"op": "replace", "path": "/spec/paused", "value": True}])


def test_json_patch_refuses_an_index_past_the_end_of_a_list():
    with pytest.raises(PatchError, match='index 3 in "/foo/3" is out of range: the list has 2 item'):
        json_patch({"foo": [1, 2]}, [{"op": "add", "path": "/foo/3", "value": 3}])


def test_json_patch_refuses_an_index_with_a_leading_zero():
    with pytest.raises(PatchError, match='"01" in "/foo/01" is not a list index'):
        json_patch({"foo": [1, 2]}, [{"op": "remove", "path": "/foo/01"}])


def test_json_patch_refuses_an_unknown_operation():
    with pytest.raises(PatchError, match="operation 0: Unexpected kind: merge"):
        json_patch({}, [{"op": "merge", "path": "/a", "value": 1}])


def test_json_patch_operation_needs_its_value_member():
    with pytest.raises(
        PatchError, match='operation 0 \\(add\\): the operation is missing its "value" member'
    ):
        json_patch({}, [{"op": "add", "path": "/a"}])


def test_json_patch_value_may_be_null():
    assert json_patch({}, [{"op": "add", "path": "/a", "value": None}]) == {"a": None}


def test_json_patch_cannot_move_a_value_into_its_own_child():
    with pytest.raises(PatchError, match="into one of its own children"):
        json_patch({"a": {"b": {}}}, [{"op": "move", "from": "/a", "path": "/a/b/c"}])


def test_json_patch_copy_is_independent_of_its_source():
    patched = json_patch(
        {"a": {"x": 1}},
        [{"op": "copy", "from": "/a", "path": "/b"}, {"op": "replace", "path": "/b/x", "value": 2}],
    )
    assert patched == {"a": {"x": 1}, "b": {"x": 2}}


def test_json_patch_test_tells_true_from_1():
    with pytest.raises(PatchError, match="test failed"):
        json_patch({"a": 1}, [{"op": "test", "path": "/a", "value": True}])


def test_json_patch_test_sees_1_and_1_point_0_as_equal():
    assert json_patch({"a": 1}, [{"op": "test", "path": "/a", "value": 1.0}]) == {"a": 1}


def test_json_patch_must_be_a_list_of_operations():
    with pytest.raises(PatchError, match="a JSON patch is a list of operations, not an object") as caught:
        json_patch({}, {"op": "add", "path": "/a", "value": 1})
    assert caught.value.code == 400


def test_json_patch_never_changes_its_inputs():
    original = {"spec": {"containers": [{"name": "web"}]}}
    operations = [{"op": "add", "path": "/spec/containers/-", "value": {"name": "log"}}]
    before = copy.deepcopy((original, operations))
    patched = json_patch(original, operations)
    patched["spec"]["containers"][1]["name"] = "changed"
    assert (original, operations) == before


# ------------------------------------------------------------------------------------------------------------
# Strategic merge patch: lists that merge by key
# ------------------------------------------------------------------------------------------------------------


def two_container_pod():
    return {
        "metadata": {"name": "web", "labels": {"app": "web"}},
        "spec": {
            "containers": [
                {
                    "name": "web",
                    "image": "nginx:1.25",
                    "ports": [{"containerPort": 80, "protocol": "TCP"}],
                    "env": [{"name": "MODE", "value": "prod"}, {"name": "DEBUG", "value": "0"}],
                    "volumeMounts": [{"name": "data", "mountPath": "/data"}],
                },
                {"name": "log", "image": "fluentd:1.16"},
            ],
            "volumes": [{"name": "data", "emptyDir": {}}],
            "tolerations": [
                {"key": "dedicated", "operator": "Equal", "value": "web", "effect": "NoSchedule"}
            ],
        },
    }


def test_patching_one_containers_image_leaves_the_other_container_untouched():
    patched = strategic_merge_patch(
        two_container_pod(), {"spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}, "Pod"
    )
    web, log = patched["spec"]["containers"]
    assert web == {**two_container_pod()["spec"]["containers"][0], "image": "nginx:1.27"}
    assert log == {"name": "log", "image": "fluentd:1.16"}


def test_a_container_with_a_new_name_is_added_first_as_upstream_orders_it():
    patched = strategic_merge_patch(
        two_container_pod(), {"spec": {"containers": [{"name": "sidecar", "image": "envoy"}]}}, "Pod"
    )
    assert [c["name"] for c in patched["spec"]["containers"]] == ["sidecar", "web", "log"]


def test_env_vars_merge_by_name():
    patch = {"spec": {"containers": [{"name": "web", "env": [{"name": "DEBUG", "value": "1"}]}]}}
    env = strategic_merge_patch(two_container_pod(), patch, "Pod")["spec"]["containers"][0]["env"]
    assert env == [{"name": "MODE", "value": "prod"}, {"name": "DEBUG", "value": "1"}]


def test_ports_merge_by_container_port():
    patch = {"spec": {"containers": [{"name": "web", "ports": [{"containerPort": 80, "name": "http"}]}]}}
    ports = strategic_merge_patch(two_container_pod(), patch, "Pod")["spec"]["containers"][0]["ports"]
    assert ports == [{"containerPort": 80, "protocol": "TCP", "name": "http"}]


def test_volume_mounts_merge_by_mount_path():
    patch = {
        "spec": {"containers": [{"name": "web", "volumeMounts": [{"mountPath": "/data", "readOnly": True}]}]}
    }
    mounts = strategic_merge_patch(two_container_pod(), patch, "Pod")["spec"]["containers"][0]["volumeMounts"]
    assert mounts == [{"name": "data", "mountPath": "/data", "readOnly": True}]


def test_tolerations_are_replaced_whole_because_upstream_gives_them_no_merge_key():
    patch = {"spec": {"tolerations": [{"key": "gpu", "operator": "Exists"}]}}
    patched = strategic_merge_patch(two_container_pod(), patch, "Pod")
    assert patched["spec"]["tolerations"] == [{"key": "gpu", "operator": "Exists"}]


def test_finalizers_merge_as_a_set():
    pod = {"metadata": {"finalizers": ["kubernetes.io/pvc-protection", "example.com/audit"]}}
    patch = {"metadata": {"finalizers": ["example.com/audit", "example.com/backup"]}}
    patched = strategic_merge_patch(pod, patch, "Pod")
    assert sorted(patched["metadata"]["finalizers"]) == [
        "example.com/audit",
        "example.com/backup",
        "kubernetes.io/pvc-protection",
    ]


def test_owner_references_merge_by_uid():
    owner = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-1", "uid": "u-1"}
    pod = {"metadata": {"ownerReferences": [owner]}}
    patch = {"metadata": {"ownerReferences": [{"uid": "u-1", "controller": True}]}}
    assert strategic_merge_patch(pod, patch, "Pod")["metadata"]["ownerReferences"] == [
        {**owner, "controller": True}
    ]


def test_pod_conditions_merge_by_type():
    pod = {
        "status": {
            "conditions": [{"type": "PodScheduled", "status": "True"}, {"type": "Ready", "status": "False"}]
        }
    }
    patch = {"status": {"conditions": [{"type": "Ready", "status": "True"}]}}
    assert strategic_merge_patch(pod, patch, "Pod")["status"]["conditions"] == [
        {"type": "PodScheduled", "status": "True"},
        {"type": "Ready", "status": "True"},
    ]


def test_node_conditions_and_addresses_merge_by_type():
    node = {
        "status": {
            "conditions": [
                {"type": "Ready", "status": "True"},
                {"type": "MemoryPressure", "status": "False"},
            ],
            "addresses": [
                {"type": "InternalIP", "address": "10.0.0.1"},
                {"type": "Hostname", "address": "node-1"},
            ],
        }
    }
    patch = {
        "status": {
            "conditions": [{"type": "Ready", "status": "Unknown"}],
            "addresses": [{"type": "InternalIP", "address": "10.0.0.9"}],
        }
    }
    status = strategic_merge_patch(node, patch, "Node")["status"]
    assert status["conditions"] == [
        {"type": "Ready", "status": "Unknown"},
        {"type": "MemoryPressure", "status": "False"},
    ]
    assert status["addresses"] == [
        {"type": "InternalIP", "address": "10.0.0.9"},
        {"type": "Hostname", "address": "node-1"},
    ]


def test_node_taints_are_replaced_whole_because_upstream_gives_them_no_merge_key():
    node = {"spec": {"taints": [{"key": "a", "effect": "NoSchedule"}]}}
    patch = {"spec": {"taints": [{"key": "b", "effect": "NoExecute"}]}}
    assert strategic_merge_patch(node, patch, "Node")["spec"]["taints"] == [
        {"key": "b", "effect": "NoExecute"}
    ]


@pytest.mark.parametrize("kind", ["Deployment", "ReplicaSet"])
def test_conditions_in_workload_status_merge_by_type(kind):
    workload = {"status": {"conditions": [{"type": "Available", "status": "True"}, {"type": "Progressing"}]}}
    patch = {"status": {"conditions": [{"type": "Available", "status": "False"}]}}
    assert strategic_merge_patch(workload, patch, kind)["status"]["conditions"] == [
        {"type": "Available", "status": "False"},
        {"type": "Progressing"},
    ]


@pytest.mark.parametrize("kind", ["Deployment", "ReplicaSet"])
def test_pod_template_containers_merge_by_name(kind):
    workload = {"spec": {"template": two_container_pod()}}
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "log", "image": "fluentd:1.17"}]}}}}
    containers = strategic_merge_patch(workload, patch, kind)["spec"]["template"]["spec"]["containers"]
    assert [(c["name"], c["image"]) for c in containers] == [("web", "nginx:1.25"), ("log", "fluentd:1.17")]


def test_service_ports_merge_by_port():
    service = {"spec": {"ports": [{"port": 80, "targetPort": 8080}, {"port": 443, "targetPort": 8443}]}}
    patch = {"spec": {"ports": [{"port": 443, "name": "https"}]}}
    assert strategic_merge_patch(service, patch, "Service")["spec"]["ports"] == [
        {"port": 80, "targetPort": 8080},
        {"port": 443, "targetPort": 8443, "name": "https"},
    ]


def test_a_kind_without_merging_lists_patches_like_a_json_merge_patch():
    config_map = {"data": {"a": "1", "b": "2"}, "spec": {"items": [{"name": "x"}, {"name": "y"}]}}
    patch = {"data": {"a": None, "c": "3"}, "spec": {"items": [{"name": "x", "v": 1}]}}
    assert strategic_merge_patch(config_map, patch, "ConfigMap") == json_merge_patch(config_map, patch)


def test_null_deletes_a_key():
    patched = strategic_merge_patch(two_container_pod(), {"metadata": {"labels": {"app": None}}}, "Pod")
    assert patched["metadata"]["labels"] == {}


def test_the_merge_keys_are_upstreams_struct_tags():
    """Checked against the patchStrategy/patchMergeKey tags in k8s.io/api core/v1, apps/v1 and metav1."""
    expected = {
        "Pod": {
            "metadata.ownerReferences": PatchMeta("merge", "uid"),
            "metadata.finalizers": PatchMeta("merge"),
            "spec.containers": PatchMeta("merge", "name"),
            "spec.initContainers": PatchMeta("merge", "name"),
            "spec.ephemeralContainers": PatchMeta("merge", "name"),
            "spec.containers[].ports": PatchMeta("merge", "containerPort"),
            "spec.containers[].env": PatchMeta("merge", "name"),
            "spec.containers[].volumeMounts": PatchMeta("merge", "mountPath"),
            "spec.containers[].volumeDevices": PatchMeta("merge", "devicePath"),
            "spec.initContainers[].env": PatchMeta("merge", "name"),
            "spec.volumes": PatchMeta("merge,retainKeys", "name"),
            "spec.imagePullSecrets": PatchMeta("merge", "name"),
            "spec.hostAliases": PatchMeta("merge", "ip"),
            "status.conditions": PatchMeta("merge", "type"),
        },
        "Deployment": {
            "spec.strategy": PatchMeta("retainKeys"),
            "spec.template.spec.containers": PatchMeta("merge", "name"),
            "spec.template.spec.containers[].env": PatchMeta("merge", "name"),
            "spec.template.metadata.finalizers": PatchMeta("merge"),
            "status.conditions": PatchMeta("merge", "type"),
        },
        "ReplicaSet": {
            "spec.template.spec.containers": PatchMeta("merge", "name"),
            "status.conditions": PatchMeta("merge", "type"),
        },
        "Service": {"spec.ports": PatchMeta("merge", "port")},
        "Node": {
            "status.conditions": PatchMeta("merge", "type"),
            "status.addresses": PatchMeta("merge", "type"),
        },
    }
    for kind, fields in expected.items():
        for path, meta in fields.items():
            assert PATCH_STRATEGIES[kind][path] == meta, (kind, path)
    for kind, path in [
        ("Pod", "spec.tolerations"),
        ("Node", "spec.taints"),
        ("Pod", "status.containerStatuses"),
    ]:
        assert path not in PATCH_STRATEGIES[kind]


def test_every_kind_has_object_metas_strategies():
    for kind, fields in PATCH_STRATEGIES.items():
        assert fields["metadata.finalizers"] == PatchMeta("merge"), kind
        assert fields["metadata.ownerReferences"] == PatchMeta("merge", "uid"), kind


# ------------------------------------------------------------------------------------------------------------
# Strategic merge patch: directives
# ------------------------------------------------------------------------------------------------------------


def test_patch_delete_in_a_list_element_deletes_the_element_with_that_key():
    patch = {"spec": {"containers": [{"name": "log", "$patch": "delete"}]}}
    patched = strategic_merge_patch(two_container_pod(), patch, "Pod")
    assert [c["name"] for c in patched["spec"]["containers"]] == ["web"]


def test_patch_delete_in_a_list_element_deletes_every_element_with_that_key():
    original = {"status": {"conditions": [{"type": "Ready"}, {"type": "Ready"}, {"type": "PodScheduled"}]}}
    patch = {"status": {"conditions": [{"type": "Ready", "$patch": "delete"}]}}
    assert strategic_merge_patch(original, patch, "Pod")["status"]["conditions"] == [{"type": "PodScheduled"}]


def test_patch_delete_in_a_map_empties_the_map():
    patched = strategic_merge_patch(
        two_container_pod(), {"metadata": {"labels": {"$patch": "delete"}}}, "Pod"
    )
    assert patched["metadata"]["labels"] == {}


def test_patch_delete_for_a_map_that_does_not_exist_adds_nothing():
    patched = strategic_merge_patch(
        {"metadata": {}}, {"metadata": {"annotations": {"$patch": "delete"}}}, "Pod"
    )
    assert patched == {"metadata": {}}


def test_patch_replace_in_a_list_replaces_the_whole_list():
    patch = {"spec": {"containers": [{"name": "only", "image": "busybox"}, {"$patch": "replace"}]}}
    patched = strategic_merge_patch(two_container_pod(), patch, "Pod")
    assert patched["spec"]["containers"] == [{"name": "only", "image": "busybox"}]


def test_patch_replace_in_a_map_replaces_the_whole_map():
    patch = {"metadata": {"labels": {"$patch": "replace", "team": "payments"}}}
    patched = strategic_merge_patch(two_container_pod(), patch, "Pod")
    assert patched["metadata"]["labels"] == {"team": "payments"}


def test_delete_from_primitive_list_removes_values():
    pod = {"metadata": {"finalizers": ["a", "b", "c", "b"]}}
    patch = {"metadata": {"$deleteFromPrimitiveList/finalizers": ["b"]}}
    assert strategic_merge_patch(pod, patch, "Pod")["metadata"]["finalizers"] == ["a", "c"]


def test_delete_from_primitive_list_never_adds_a_value_or_a_list():
    pod = {"metadata": {"finalizers": ["a"]}, "spec": {}}
    patch = {
        "metadata": {"$deleteFromPrimitiveList/finalizers": ["z"]},
        "spec": {"$deleteFromPrimitiveList/x": [1]},
    }
    assert strategic_merge_patch(pod, patch, "Pod") == {"metadata": {"finalizers": ["a"]}, "spec": {}}


def test_set_element_order_puts_a_merging_list_in_that_order():
    patch = {"spec": {"$setElementOrder/containers": [{"name": "log"}, {"name": "web"}]}}
    patched = strategic_merge_patch(two_container_pod(), patch, "Pod")
    assert [c["name"] for c in patched["spec"]["containers"]] == ["log", "web"]


def test_set_element_order_keeps_server_only_elements_beside_their_neighbours():
    # apimachinery's test case "set elements order in a list with server-only items 2".
    live = {"status": {"conditions": [{"type": t} for t in ["1", "2", "9", "3", "4"]]}}
    patch = {"status": {"$setElementOrder/conditions": [{"type": t} for t in ["2", "1", "4", "3"]]}}
    conditions = strategic_merge_patch(live, patch, "Pod")["status"]["conditions"]
    assert [c["type"] for c in conditions] == ["2", "1", "9", "4", "3"]


def test_set_element_order_places_a_new_element_where_it_says():
    patch = {
        "spec": {
            "$setElementOrder/containers": [{"name": "web"}, {"name": "sidecar"}, {"name": "log"}],
            "containers": [{"name": "sidecar", "image": "envoy"}],
        }
    }
    patched = strategic_merge_patch(two_container_pod(), patch, "Pod")
    assert [c["name"] for c in patched["spec"]["containers"]] == ["web", "sidecar", "log"]


def test_set_element_order_that_contradicts_the_patch_list_is_refused():
    patch = {
        "spec": {
            "$setElementOrder/containers": [{"name": "web"}, {"name": "log"}],
            "containers": [{"name": "log", "image": "a"}, {"name": "web", "image": "b"}],
        }
    }
    with pytest.raises(PatchError, match="doesn't match \\$setElementOrder list"):
        strategic_merge_patch(two_container_pod(), patch, "Pod")


def test_retain_keys_clears_the_fields_it_does_not_list():
    deployment = {"spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%"}}}}
    patch = {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}}
    assert strategic_merge_patch(deployment, patch, "Deployment")["spec"]["strategy"] == {"type": "Recreate"}


def test_retain_keys_refuses_a_patch_that_sets_a_field_it_does_not_list():
    patch = {"spec": {"strategy": {"$retainKeys": ["type"], "rollingUpdate": {"maxSurge": 1}}}}
    with pytest.raises(PatchError, match="invalid patch format of retainKeys") as caught:
        strategic_merge_patch({"spec": {"strategy": {"type": "Recreate"}}}, patch, "Deployment")
    assert caught.value.code == 400


def test_directives_never_reach_the_stored_object():
    patch = {
        "spec": {
            "template": {"spec": {"volumes": [{"name": "cache", "emptyDir": {}, "$retainKeys": ["name"]}]}}
        }
    }
    patched = strategic_merge_patch({"spec": {}}, patch, "Deployment")
    assert patched == {"spec": {"template": {"spec": {"volumes": [{"name": "cache", "emptyDir": {}}]}}}}


def test_missing_merge_key_is_reported_in_upstreams_words():
    patch = {"spec": {"containers": [{"image": "nginx:1.27"}]}}
    with pytest.raises(PatchError) as caught:
        strategic_merge_patch(two_container_pod(), patch, "Pod")
    assert str(caught.value) == "map: map[image:nginx:1.27] does not contain declared merge key: name"
    assert (caught.value.code, caught.value.path) == (500, "spec.containers")


def test_missing_merge_key_message_prints_numbers_as_go_does():
    patch = {"spec": {"ports": [{"targetPort": 8080, "weight": 1.5, "big": 1000000}]}}
    with pytest.raises(
        PatchError, match=r"map: map\[big:1e\+06 targetPort:8080 weight:1.5\] does not contain"
    ):
        strategic_merge_patch({"spec": {"ports": [{"port": 80}]}}, patch, "Service")


def test_an_unknown_directive_is_refused():
    with pytest.raises(PatchError, match="unknown patch type: merge-all in map"):
        strategic_merge_patch(
            {"metadata": {"labels": {}}}, {"metadata": {"labels": {"$patch": "merge-all"}}}, "Pod"
        )


def test_merge_directive_in_a_list_is_refused_as_upstream_does():
    patch = {"spec": {"containers": [{"$patch": "merge"}]}}
    with pytest.raises(PatchError, match="merging lists cannot yet be specified in the patch"):
        strategic_merge_patch(two_container_pod(), patch, "Pod")


# ------------------------------------------------------------------------------------------------------------
# Strategic merge patch: kinds it does not support, inputs never changed, properties
# ------------------------------------------------------------------------------------------------------------


def test_strategic_merge_patch_for_a_custom_resource_is_415_unsupported_media_type():
    with pytest.raises(PatchError) as caught:
        strategic_merge_patch({"spec": {}}, {"spec": {"size": 3}}, None)
    error = caught.value
    assert (error.code, error.reason) == (415, "UnsupportedMediaType")
    assert (
        error.status_message
        == UNSUPPORTED_MEDIA_TYPE
        == (
            "the body of the request was in an unknown format - accepted media types include: "
            "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
        )
    )
    assert str(error).startswith("strategic merge patch is not supported for custom resources")


def test_strategic_merge_patch_for_a_kind_without_patch_strategies_is_refused():
    with pytest.raises(PatchError, match='not supported for kind "CronTab"') as caught:
        strategic_merge_patch({}, {}, "CronTab")
    assert caught.value.code == 415


def test_strategic_merge_patch_never_changes_its_inputs():
    original, patch = (
        two_container_pod(),
        {
            "metadata": {"labels": {"app": None}},
            "spec": {
                "$setElementOrder/containers": [{"name": "log"}, {"name": "web"}],
                "containers": [{"name": "web", "env": [{"name": "DEBUG", "$patch": "delete"}]}],
            },
        },
    )
    before = copy.deepcopy((original, patch))
    patched = strategic_merge_patch(original, patch, "Pod")
    patched["spec"]["containers"][0]["image"] = "changed"
    assert (original, patch) == before


@given(json_objects)
def test_strategic_merge_with_an_empty_patch_is_the_identity(document):
    assert json_equal(strategic_merge_patch(document, {}, "Pod"), document)


names = st.sampled_from(["web", "log", "proxy", "init"])
env_vars = st.lists(
    st.fixed_dictionaries({"name": st.sampled_from(["A", "B", "C"]), "value": st.sampled_from(["0", "1"])}),
    unique_by=lambda e: e["name"],
    max_size=3,
)
ports = st.lists(
    st.fixed_dictionaries(
        {"containerPort": st.sampled_from([80, 443, 8080])}, optional={"name": st.just("p")}
    ),
    unique_by=lambda p: p["containerPort"],
    max_size=2,
)
containers = st.lists(
    st.fixed_dictionaries(
        {"name": names, "image": st.sampled_from(["nginx:1.25", "nginx:1.27"])},
        optional={"env": env_vars, "ports": ports},
    ),
    unique_by=lambda c: c["name"],
    max_size=3,
)
pods = st.fixed_dictionaries(
    {
        "metadata": st.fixed_dictionaries(
            {"name": st.just("web")},
            optional={
                "labels": st.dictionaries(st.sampled_from(["app", "tier"]), st.sampled_from(["a", "b"])),
                "finalizers": st.lists(st.sampled_from(["x", "y", "z"]), unique=True),
            },
        ),
        "spec": st.fixed_dictionaries({"containers": containers}, optional={"nodeName": st.just("node-1")}),
    }
)


@settings(max_examples=200)
@given(pods, pods)
def test_applying_create_strategic_merge_patch_gives_the_modified_pod(original, modified):
    patch = create_strategic_merge_patch(original, modified, "Pod")
    assert strategic_merge_patch(original, patch, "Pod") == modified


# ------------------------------------------------------------------------------------------------------------
# kubectl apply's three-way merge
# ------------------------------------------------------------------------------------------------------------


def applied_deployment():
    """The manifest applied last time (kubectl's last-applied-configuration)."""
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"app": "web", "tier": "frontend"}},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {
                    "containers": [
                        {
                            "name": "web",
                            "image": "nginx:1.27",
                            "env": [{"name": "MODE", "value": "prod"}, {"name": "DEBUG", "value": "1"}],
                        }
                    ]
                },
            },
        },
    }


def live_deployment():
    """What the server stores: the manifest plus defaults, metadata and status others wrote."""
    live = applied_deployment()
    live["metadata"].update({"uid": "d-1", "resourceVersion": "42", "generation": 1})
    live["metadata"]["annotations"] = {"deployment.kubernetes.io/revision": "1"}
    live["spec"].update(
        {
            "revisionHistoryLimit": 10,
            "progressDeadlineSeconds": 600,
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"},
            },
        }
    )
    live["spec"]["template"]["spec"]["restartPolicy"] = "Always"
    live["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] = "IfNotPresent"
    live["status"] = {
        "replicas": 2,
        "readyReplicas": 2,
        "conditions": [{"type": "Available", "status": "True"}, {"type": "Progressing", "status": "True"}],
    }
    return live


def test_apply_sets_what_changed_deletes_what_was_removed_and_keeps_everything_else():
    new_manifest = applied_deployment()
    new_manifest["spec"]["replicas"] = 3
    del new_manifest["metadata"]["labels"]["tier"]
    new_manifest["spec"]["template"]["spec"]["containers"][0]["env"] = [{"name": "MODE", "value": "prod"}]

    patch = three_way_merge(applied_deployment(), new_manifest, live_deployment(), "Deployment")
    result = strategic_merge_patch(live_deployment(), patch, "Deployment")

    expected = live_deployment()
    expected["spec"]["replicas"] = 3
    del expected["metadata"]["labels"]["tier"]
    expected["spec"]["template"]["spec"]["containers"][0]["env"] = [{"name": "MODE", "value": "prod"}]
    assert result == expected


def test_apply_patch_names_only_the_users_changes():
    new_manifest = applied_deployment()
    new_manifest["spec"]["replicas"] = 3
    del new_manifest["metadata"]["labels"]["tier"]
    new_manifest["spec"]["template"]["spec"]["containers"][0]["env"] = [{"name": "MODE", "value": "prod"}]

    patch = three_way_merge(applied_deployment(), new_manifest, live_deployment(), "Deployment")

    assert patch["metadata"] == {"labels": {"tier": None}}
    assert patch["spec"]["replicas"] == 3
    assert "status" not in patch and "strategy" not in patch["spec"]
    (container,) = patch["spec"]["template"]["spec"]["containers"]
    assert container["env"] == [{"name": "DEBUG", "$patch": "delete"}]


def test_apply_keeps_a_label_another_writer_added():
    live = live_deployment()
    live["metadata"]["labels"]["team"] = "payments"  # kubectl label deployment web team=payments
    patch = three_way_merge(applied_deployment(), applied_deployment(), live, "Deployment")
    assert strategic_merge_patch(live, patch, "Deployment")["metadata"]["labels"]["team"] == "payments"


def test_apply_of_an_unchanged_manifest_sends_an_empty_patch():
    assert three_way_merge(applied_deployment(), applied_deployment(), live_deployment(), "Deployment") == {}


def test_apply_deletes_a_container_removed_from_the_manifest():
    last = applied_deployment()
    last["spec"]["template"]["spec"]["containers"].append({"name": "log", "image": "fluentd"})
    live = live_deployment()
    live["spec"]["template"]["spec"]["containers"].append({"name": "log", "image": "fluentd"})

    patch = three_way_merge(last, applied_deployment(), live, "Deployment")
    result = strategic_merge_patch(live, patch, "Deployment")

    assert [c["name"] for c in result["spec"]["template"]["spec"]["containers"]] == ["web"]


def test_apply_switching_to_recreate_clears_rolling_update_through_retain_keys():
    new_manifest = applied_deployment()
    new_manifest["spec"]["strategy"] = {"type": "Recreate"}

    patch = three_way_merge(applied_deployment(), new_manifest, live_deployment(), "Deployment")

    assert patch["spec"]["strategy"] == {"$retainKeys": ["type"], "type": "Recreate"}
    assert strategic_merge_patch(live_deployment(), patch, "Deployment")["spec"]["strategy"] == {
        "type": "Recreate"
    }


def test_first_apply_without_last_applied_deletes_nothing():
    new_manifest = applied_deployment()
    new_manifest["spec"]["replicas"] = 3
    del new_manifest["metadata"]["labels"][
        "tier"
    ]  # kubectl never applied tier, so it is not kubectl's to delete
    patch = three_way_merge(None, new_manifest, live_deployment(), "Deployment")
    assert patch == {"spec": {"replicas": 3}}


@settings(max_examples=200)
@given(pods, pods)
def test_apply_result_is_the_new_manifest_plus_what_the_server_added(last_applied, new_manifest):
    server_fields = {"metadata": {"uid": "p-1"}, "status": {"phase": "Running"}}
    live = json_merge_patch(last_applied, server_fields)
    patch = three_way_merge(last_applied, new_manifest, live, "Pod")
    assert strategic_merge_patch(live, patch, "Pod") == json_merge_patch(new_manifest, server_fields)


def test_apply_for_a_custom_resource_is_a_json_merge_patch():
    last = {"spec": {"size": 1, "tags": ["a", "b"], "old": True}}
    new = {"spec": {"size": 2, "tags": ["a"]}}
    live = {"spec": {"size": 1, "tags": ["a", "b"], "old": True}, "status": {"ready": True}}
    patch = three_way_merge(last, new, live, None)
    assert patch == {"spec": {"size": 2, "tags": ["a"], "old": None}}
    assert json_merge_patch(live, patch) == {"spec": {"size": 2, "tags": ["a"]}, "status": {"ready": True}}


# ------------------------------------------------------------------------------------------------------------
# The PATCH verb's dispatch by Content-Type
# ------------------------------------------------------------------------------------------------------------


def test_apply_patch_picks_the_language_by_content_type():
    pod = two_container_pod()
    patch = {"spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}
    assert apply_patch(pod, patch, STRATEGIC_MERGE_PATCH, "Pod") == strategic_merge_patch(pod, patch, "Pod")
    assert apply_patch(pod, patch, MERGE_PATCH, "Pod") == json_merge_patch(pod, patch)


def test_apply_patch_refuses_an_unknown_content_type_with_415():
    with pytest.raises(PatchError, match="unknown format - accepted media types include") as caught:
        apply_patch({}, {}, "application/yaml", "Pod")
    assert caught.value.code == 415
