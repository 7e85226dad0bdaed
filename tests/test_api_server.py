"""The API server's verbs, specified by what kube-apiserver does.

create, get, list, update (and the status subresource), patch, delete, the
scale and binding subresources, namespaces, Service IPs, generateName,
selectors, defaults, `Status` errors and the request log. The last section
sends every kind of bad request and checks, by a fingerprint of the whole
store, that it changed nothing.
"""

from __future__ import annotations

import re

import pytest

from k8slab.api.errors import (
    AlreadyExists,
    BadRequest,
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    StatusError,
)
from k8slab.api.server import NAME_ALPHABET, APIServer
from k8slab.sim import Loop
from k8slab.store import Store

CONFLICT_TEXT = "the object has been modified; please apply your changes to the latest version and try again"


# ---------------------------------------------------------------------------------------------------------
# Objects and helpers
# ---------------------------------------------------------------------------------------------------------


def pod(name: str = "web", labels: dict | None = None, namespace: str | None = None, **spec) -> dict:
    metadata: dict = {"name": name}
    if labels:
        metadata["labels"] = labels
    if namespace:
        metadata["namespace"] = namespace
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": metadata,
        "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}], **spec},
    }


def deployment(name: str = "web", replicas: int = 3) -> dict:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]},
            },
        },
    }


def replicaset(name: str = "web") -> dict:
    obj = deployment(name)
    obj["kind"] = "ReplicaSet"
    return obj


def service(name: str = "web", namespace: str | None = None, **spec) -> dict:
    metadata: dict = {"name": name}
    if namespace:
        metadata["namespace"] = namespace
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": metadata,
        "spec": {"selector": {"app": name}, "ports": [{"port": 80}], **spec},
    }


def configmap(name: str = "settings", namespace: str | None = None, **metadata) -> dict:
    meta = {"name": name, **metadata}
    if namespace:
        meta["namespace"] = namespace
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": {"colour": "blue"}}


def namespace(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}


def names(listed: dict) -> list[str]:
    return [item["metadata"]["name"] for item in listed["items"]]


def fingerprint(api: APIServer) -> tuple:
    """Everything a request could change: revision, every key and value (now and in the event log),
    the allocated Service IPs, and what the loop has still to run."""
    store = api.store
    return (
        store.revision,
        tuple(store.items()),
        tuple(store.events()),
        frozenset(api.service_ips.allocated),
        api.loop.pending(),
    )


@pytest.fixture
def api() -> APIServer:
    return APIServer(Store(Loop(seed=0, strict=True)))


# ---------------------------------------------------------------------------------------------------------
# create
# ---------------------------------------------------------------------------------------------------------


def test_create_returns_the_object_with_a_uid(api):
    created = api.create(pod())
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", created["metadata"]["uid"]
    )


def test_create_stamps_the_creation_time_of_the_virtual_clock(api):
    assert api.create(pod("early"))["metadata"]["creationTimestamp"] == "2024-01-01T00:00:00Z"
    api.loop.run(seconds=90)
    assert api.create(pod("late"))["metadata"]["creationTimestamp"] == "2024-01-01T00:01:30Z"


@pytest.mark.parametrize("make", [pod, replicaset, deployment], ids=["Pod", "ReplicaSet", "Deployment"])
def test_create_starts_the_generation_at_1(api, make):
    assert api.create(make())["metadata"]["generation"] == 1


def test_kinds_without_a_spec_have_no_generation(api):
    assert "generation" not in api.create(configmap())["metadata"]


def test_resource_version_is_the_mod_revision_of_the_objects_key(api):
    created = api.create(pod())
    kv = api.store.get("/registry/pods/default/web")
    assert created["metadata"]["resourceVersion"] == str(kv.mod_revision) == str(api.store.revision)


def test_the_value_stored_in_etcd_has_no_resource_version(api):
    api.create(pod())
    assert "resourceVersion" not in api.store.get("/registry/pods/default/web").value


def test_create_puts_a_namespaced_object_in_the_default_namespace(api):
    assert api.create(pod())["metadata"]["namespace"] == "default"


def test_create_replaces_system_fields_the_client_sent(api):
    obj = pod()
    obj["metadata"].update(uid="mine", creationTimestamp="2000-01-01T00:00:00Z")
    created = api.create(obj)
    assert created["metadata"]["uid"] != "mine"
    assert created["metadata"]["creationTimestamp"] == "2024-01-01T00:00:00Z"


def test_create_does_not_change_the_callers_dict(api):
    obj = pod()
    api.create(obj)
    assert obj == pod()


def test_dry_run_create_returns_the_object_and_stores_nothing(api):
    revision = api.store.revision
    dry = api.create(pod(), dry_run=True)
    assert dry["spec"]["restartPolicy"] == "Always"
    assert api.store.revision == revision
    with pytest.raises(NotFound):
        api.get("pods", "web")


def test_creating_an_existing_name_is_already_exists(api):
    api.create(pod())
    with pytest.raises(AlreadyExists) as caught:
        api.create(pod())
    assert caught.value.code == 409
    assert caught.value.message == 'pods "web" already exists'


def test_a_grouped_resource_is_named_with_its_group_in_messages(api):
    api.create(deployment("x"))
    with pytest.raises(AlreadyExists, match=r'^deployments\.apps "x" already exists$'):
        api.create(deployment("x"))
    with pytest.raises(NotFound, match=r'^deployments\.apps "y" not found$'):
        api.get("deployments", "y")


def test_the_same_seed_gives_the_same_uids(api):
    other = APIServer(Store(Loop(seed=0)))
    assert api.create(pod())["metadata"]["uid"] == other.create(pod())["metadata"]["uid"]


def test_another_seed_gives_other_uids(api):
    other = APIServer(Store(Loop(seed=1)))
    assert api.create(pod())["metadata"]["uid"] != other.create(pod())["metadata"]["uid"]


# ---------------------------------------------------------------------------------------------------------
# get
# ---------------------------------------------------------------------------------------------------------


def test_get_returns_the_stored_object(api):
    created = api.create(pod())
    assert api.get("pods", "web") == created


def test_get_of_a_missing_object_is_not_found(api):
    with pytest.raises(NotFound) as caught:
        api.get("pods", "x")
    assert (caught.value.code, caught.value.message) == (404, 'pods "x" not found')


def test_get_returns_a_copy_the_caller_may_change(api):
    api.create(pod())
    api.get("pods", "web")["metadata"]["name"] = "changed"
    assert api.get("pods", "web")["metadata"]["name"] == "web"


def test_short_names_and_kinds_find_their_resource(api):
    api.create(deployment("x"))
    assert {api.get(name, "x")["metadata"]["uid"] for name in ("deploy", "deployment", "Deployment")} == {
        api.get("deployments.apps", "x")["metadata"]["uid"]
    }


def test_an_unknown_resource_name_is_not_found(api):
    with pytest.raises(NotFound, match='^the server doesn\'t have a resource type "frobs"$'):
        api.get("frobs", "x")


# ---------------------------------------------------------------------------------------------------------
# update and the status subresource
# ---------------------------------------------------------------------------------------------------------


def test_update_with_a_stale_resource_version_is_a_conflict(api):
    api.create(pod(labels={"app": "web"}))
    alice, bob = api.get("pods", "web"), api.get("pods", "web")
    alice["metadata"]["labels"]["owner"] = "alice"
    api.update(alice)
    bob["metadata"]["labels"]["owner"] = "bob"
    with pytest.raises(Conflict) as caught:
        api.update(bob)
    assert caught.value.code == 409
    assert caught.value.message == f'Operation cannot be fulfilled on pods "web": {CONFLICT_TEXT}'
    assert api.get("pods", "web")["metadata"]["labels"]["owner"] == "alice"


def test_a_conflict_on_a_grouped_resource_names_its_group(api):
    api.create(deployment("x"))
    stale = api.get("deployments", "x")
    api.update_scale("deployments", "x", 5)
    with pytest.raises(Conflict, match=r'^Operation cannot be fulfilled on deployments\.apps "x": '):
        api.update(stale)


def test_update_without_a_resource_version_is_unconditional(api):
    api.create(pod(labels={"app": "web"}))
    api.patch("pods", "web", {"metadata": {"labels": {"meanwhile": "yes"}}})
    blind = pod(labels={"app": "web", "blind": "yes"})
    updated = api.update(blind)
    assert updated["metadata"]["labels"] == {"app": "web", "blind": "yes"}


def test_update_returns_the_new_resource_version(api):
    created = api.create(pod())
    created["metadata"]["labels"] = {"a": "b"}
    updated = api.update(created)
    assert int(updated["metadata"]["resourceVersion"]) > int(created["metadata"]["resourceVersion"])
    assert updated["metadata"]["resourceVersion"] == str(
        api.store.get("/registry/pods/default/web").mod_revision
    )


def test_update_that_changes_nothing_does_not_write(api):
    created = api.create(pod())
    revision = api.store.revision
    assert (
        api.update(api.get("pods", "web"))["metadata"]["resourceVersion"]
        == created["metadata"]["resourceVersion"]
    )
    assert api.store.revision == revision


def test_a_change_to_the_spec_bumps_the_generation(api):
    api.create(deployment("x"))
    obj = api.get("deployments", "x")
    obj["spec"]["replicas"] = 5
    assert api.update(obj)["metadata"]["generation"] == 2


def test_a_change_to_a_pods_image_bumps_its_generation(api):
    api.create(pod())
    obj = api.get("pods", "web")
    obj["spec"]["containers"][0]["image"] = "nginx:1.28"
    assert api.update(obj)["metadata"]["generation"] == 2


def test_a_change_to_metadata_only_keeps_the_generation(api):
    api.create(deployment("x"))
    obj = api.get("deployments", "x")
    obj["metadata"]["labels"] = {"team": "blue"}
    assert api.update(obj)["metadata"]["generation"] == 1


def test_the_client_cannot_set_the_generation(api):
    api.create(deployment("x"))
    obj = api.get("deployments", "x")
    obj["metadata"]["generation"] = 40
    obj["metadata"]["labels"] = {"team": "blue"}
    assert api.update(obj)["metadata"]["generation"] == 1


def test_update_status_changes_only_the_status(api):
    api.create(pod(labels={"app": "web"}))
    obj = api.get("pods", "web")
    obj["status"]["phase"] = "Running"
    obj["metadata"]["labels"]["sneaky"] = "yes"
    obj["spec"]["containers"][0]["image"] = "nginx:1.28"
    updated = api.update_status(obj)
    assert updated["status"]["phase"] == "Running"
    assert updated["metadata"]["labels"] == {"app": "web"}
    assert updated["spec"]["containers"][0]["image"] == "nginx:1.27"


def test_update_status_does_not_bump_the_generation(api):
    api.create(deployment("x"))
    obj = api.get("deployments", "x")
    obj["status"] = {"replicas": 3, "observedGeneration": 1}
    assert api.update_status(obj)["metadata"]["generation"] == 1


def test_the_main_resource_ignores_changes_to_the_status(api):
    api.create(pod())
    obj = api.get("pods", "web")
    obj["status"]["phase"] = "Running"
    obj["metadata"]["labels"] = {"a": "b"}
    updated = api.update(obj)
    assert updated["status"]["phase"] == "Pending"
    assert updated["metadata"]["labels"] == {"a": "b"}


def test_update_keeps_the_creation_timestamp(api):
    api.create(pod())
    api.loop.run(seconds=60)
    obj = api.get("pods", "web")
    obj["metadata"]["creationTimestamp"] = "2020-01-01T00:00:00Z"
    obj["metadata"]["labels"] = {"a": "b"}
    assert api.update(obj)["metadata"]["creationTimestamp"] == "2024-01-01T00:00:00Z"


def test_update_with_another_uid_fails_its_precondition(api):
    uid = api.create(pod())["metadata"]["uid"]
    obj = api.get("pods", "web")
    obj["metadata"]["uid"] = "someone-else"
    with pytest.raises(Conflict) as caught:
        api.update(obj)
    assert (
        caught.value.message
        == f"Precondition failed: UID in precondition: someone-else, UID in object meta: {uid}"
    )
    assert api.get("pods", "web")["metadata"]["uid"] == uid


def test_update_without_a_uid_keeps_the_uid(api):
    uid = api.create(pod())["metadata"]["uid"]
    obj = pod(labels={"a": "b"})
    assert api.update(obj)["metadata"]["uid"] == uid


def test_update_of_a_missing_object_is_not_found(api):
    with pytest.raises(NotFound, match='^pods "web" not found$'):
        api.update(pod())


def test_update_status_of_a_kind_without_status_is_not_found(api):
    api.create(configmap())
    with pytest.raises(
        NotFound, match=r"^the server could not find the requested resource \(configmaps/status\)$"
    ):
        api.update_status(api.get("configmaps", "settings"))


def test_update_that_breaks_validation_is_invalid(api):
    api.create(pod())
    obj = api.get("pods", "web")
    obj["spec"]["containers"][0]["name"] = "renamed"
    with pytest.raises(Invalid, match=r'^Pod "web" is invalid: spec: Forbidden: pod updates may not change'):
        api.update(obj)


# ---------------------------------------------------------------------------------------------------------
# patch
# ---------------------------------------------------------------------------------------------------------


def two_container_pod() -> dict:
    obj = pod()
    obj["spec"]["containers"].append({"name": "sidecar", "image": "busybox:1.36"})
    return obj


def test_strategic_merge_patch_changes_a_container_image_by_name(api):
    api.create(two_container_pod())
    patched = api.patch("pods", "web", {"spec": {"containers": [{"name": "web", "image": "nginx:1.28"}]}})
    assert [(c["name"], c["image"]) for c in patched["spec"]["containers"]] == [
        ("web", "nginx:1.28"),
        ("sidecar", "busybox:1.36"),
    ]


def test_merge_patch_replaces_a_whole_list(api):
    api.create(configmap(labels={"a": "1"}))
    api.create(deployment("x"))
    patched = api.patch(
        "deployments",
        "x",
        {"spec": {"template": {"spec": {"containers": [{"name": "only", "image": "redis:7"}]}}}},
        "merge",
    )
    assert [c["name"] for c in patched["spec"]["template"]["spec"]["containers"]] == ["only"]


def test_merge_patch_deletes_a_key_set_to_null(api):
    api.create(configmap(labels={"a": "1", "b": "2"}))
    patched = api.patch("configmaps", "settings", {"metadata": {"labels": {"a": None}}}, "merge")
    assert patched["metadata"]["labels"] == {"b": "2"}


def test_json_patch_applies_its_operations_in_order(api):
    api.create(configmap(labels={"a": "1"}))
    patched = api.patch(
        "configmaps",
        "settings",
        [
            {"op": "add", "path": "/metadata/labels/b", "value": "2"},
            {"op": "copy", "from": "/metadata/labels/b", "path": "/metadata/labels/c"},
            {"op": "remove", "path": "/metadata/labels/a"},
            {"op": "test", "path": "/metadata/labels/c", "value": "2"},
        ],
        "json",
    )
    assert patched["metadata"]["labels"] == {"b": "2", "c": "2"}


def test_a_json_patch_whose_test_fails_is_invalid_and_changes_nothing(api):
    api.create(configmap(labels={"a": "1"}))
    before = fingerprint(api)
    with pytest.raises(Invalid) as caught:
        api.patch(
            "configmaps",
            "settings",
            [
                {"op": "add", "path": "/metadata/labels/b", "value": "2"},
                {"op": "test", "path": "/metadata/labels/a", "value": "other"},
            ],
            "json",
        )
    assert caught.value.code == 422
    assert "test" in caught.value.message
    assert fingerprint(api) == before


def test_a_patch_bumps_the_resource_version(api):
    created = api.create(configmap())
    patched = api.patch("configmaps", "settings", {"metadata": {"labels": {"a": "1"}}})
    assert int(patched["metadata"]["resourceVersion"]) > int(created["metadata"]["resourceVersion"])


def test_a_patch_that_changes_the_name_is_a_bad_request(api):
    api.create(configmap())
    with pytest.raises(BadRequest, match="^metadata.name may not be changed by a patch$"):
        api.patch("configmaps", "settings", {"metadata": {"name": "other"}}, "merge")


def test_a_patch_that_changes_the_kind_is_a_bad_request(api):
    api.create(configmap())
    with pytest.raises(BadRequest, match="^kind may not be changed by a patch$"):
        api.patch("configmaps", "settings", {"kind": "Secret", "data": None}, "merge")
    assert api.get("configmaps", "settings")["kind"] == "ConfigMap"


def test_a_patch_with_a_stale_resource_version_is_a_conflict(api):
    created = api.create(configmap())
    api.patch("configmaps", "settings", {"metadata": {"labels": {"a": "1"}}})
    stale = {"metadata": {"resourceVersion": created["metadata"]["resourceVersion"], "labels": {"b": "2"}}}
    with pytest.raises(Conflict):
        api.patch("configmaps", "settings", stale, "merge")


def test_an_unsupported_patch_type_is_a_bad_request(api):
    api.create(configmap())
    with pytest.raises(
        BadRequest, match="^unsupported patch type 'yaml': use one of strategic, merge, json$"
    ):
        api.patch("configmaps", "settings", {}, "yaml")


def test_patching_a_missing_object_is_not_found(api):
    with pytest.raises(NotFound, match='^configmaps "nope" not found$'):
        api.patch("configmaps", "nope", {"data": {"a": "b"}})


def test_a_patch_that_gives_a_field_the_wrong_type_is_a_bad_request(api):
    api.create(configmap())
    with pytest.raises(BadRequest, match="cannot unmarshal string into Go struct field"):
        api.patch("configmaps", "settings", {"metadata": "oops"}, "merge")


# ---------------------------------------------------------------------------------------------------------
# delete: graceful pods, finalizers, propagation
# ---------------------------------------------------------------------------------------------------------


def test_deleting_an_unbound_pod_removes_it_at_once(api):
    api.create(pod())
    deleted = api.delete("pods", "web")
    assert deleted["metadata"]["name"] == "web"
    with pytest.raises(NotFound):
        api.get("pods", "web")


def test_deleting_a_bound_pod_marks_it_terminating_for_30_seconds(api):
    api.create(pod())
    api.bind("default", "web", "node-1")
    api.delete("pods", "web")
    meta = api.get("pods", "web")["metadata"]
    assert meta["deletionTimestamp"] == "2024-01-01T00:00:30Z"
    assert meta["deletionGracePeriodSeconds"] == 30


def test_a_bound_pods_grace_period_is_its_termination_grace_period(api):
    api.create(pod(terminationGracePeriodSeconds=5))
    api.bind("default", "web", "node-1")
    assert api.delete("pods", "web")["metadata"]["deletionGracePeriodSeconds"] == 5


def test_a_terminating_pod_stays_until_deleted_with_grace_period_0(api):
    api.create(pod())
    api.bind("default", "web", "node-1")
    api.delete("pods", "web")
    api.loop.run(seconds=60)
    assert api.get("pods", "web")["metadata"]["deletionTimestamp"]
    api.delete("pods", "web", grace_period_seconds=0)
    with pytest.raises(NotFound):
        api.get("pods", "web")


def test_a_pod_that_has_finished_is_deleted_at_once_even_when_bound(api):
    api.create(pod())
    api.bind("default", "web", "node-1")
    obj = api.get("pods", "web")
    obj["status"]["phase"] = "Succeeded"
    api.update_status(obj)
    api.delete("pods", "web")
    with pytest.raises(NotFound):
        api.get("pods", "web")


def test_finalizers_keep_a_deleted_object(api):
    api.create(configmap(finalizers=["example.com/keep"]))
    api.delete("configmaps", "settings")
    kept = api.get("configmaps", "settings")
    assert kept["metadata"]["deletionTimestamp"] == "2024-01-01T00:00:00Z"
    assert kept["metadata"]["finalizers"] == ["example.com/keep"]


def test_removing_the_last_finalizer_removes_the_deleted_object(api):
    api.create(configmap(finalizers=["example.com/a", "example.com/b"]))
    api.delete("configmaps", "settings")
    obj = api.get("configmaps", "settings")
    obj["metadata"]["finalizers"] = ["example.com/b"]
    api.update(obj)
    assert api.get("configmaps", "settings")["metadata"]["finalizers"] == ["example.com/b"]
    obj = api.get("configmaps", "settings")
    obj["metadata"]["finalizers"] = []
    api.update(obj)
    with pytest.raises(NotFound):
        api.get("configmaps", "settings")


def test_foreground_deletion_adds_the_foreground_finalizer(api):
    api.create(deployment("x"))
    deleted = api.delete("deployments", "x", propagation_policy="Foreground")
    assert deleted["metadata"]["finalizers"] == ["foregroundDeletion"]
    assert api.get("deployments", "x")["metadata"]["deletionTimestamp"]


def test_orphan_deletion_adds_the_orphan_finalizer(api):
    api.create(deployment("x"))
    assert api.delete("deployments", "x", propagation_policy="Orphan")["metadata"]["finalizers"] == ["orphan"]


def test_background_deletion_removes_the_object_at_once(api):
    api.create(deployment("x"))
    api.delete("deployments", "x", propagation_policy="Background")
    with pytest.raises(NotFound):
        api.get("deployments", "x")


def test_deleting_a_missing_object_is_not_found(api):
    with pytest.raises(NotFound, match='^pods "web" not found$'):
        api.delete("pods", "web")


def test_an_unknown_propagation_policy_is_a_bad_request(api):
    api.create(pod())
    with pytest.raises(
        BadRequest, match='^propagationPolicy: Unsupported value: "Sometimes": supported values: '
    ):
        api.delete("pods", "web", propagation_policy="Sometimes")


# ---------------------------------------------------------------------------------------------------------
# namespaces
# ---------------------------------------------------------------------------------------------------------


def test_a_new_server_has_the_four_system_namespaces(api):
    assert names(api.list("namespaces")) == ["default", "kube-node-lease", "kube-public", "kube-system"]


def test_a_new_namespace_is_active_and_labelled_with_its_name(api):
    created = api.create(namespace("dev"))
    assert created["status"] == {"phase": "Active"}
    assert created["metadata"]["labels"] == {"kubernetes.io/metadata.name": "dev"}


def test_creating_in_a_missing_namespace_is_not_found(api):
    with pytest.raises(NotFound) as caught:
        api.create(pod(namespace="x"))
    assert caught.value.message == 'namespaces "x" not found'


def test_deleting_a_namespace_marks_it_terminating(api):
    api.create(namespace("dev"))
    api.create(pod(namespace="dev"))
    api.delete("namespaces", "dev")
    assert api.get("namespaces", "dev")["status"]["phase"] == "Terminating"
    assert names(api.list("pods", "dev")) == ["web"]


def test_a_terminating_namespace_goes_with_everything_in_it(api):
    api.create(namespace("dev"))
    api.create(pod(namespace="dev"))
    api.create(configmap(namespace="dev"))
    api.create(pod(namespace="default"))
    api.delete("namespaces", "dev")
    api.loop.run()
    with pytest.raises(NotFound):
        api.get("namespaces", "dev")
    assert names(api.list("pods")) == ["web"]
    assert api.list("pods")["items"][0]["metadata"]["namespace"] == "default"
    assert api.list("configmaps", "dev")["items"] == []


def test_creating_in_a_terminating_namespace_is_forbidden(api):
    api.create(namespace("dev"))
    api.delete("namespaces", "dev")
    with pytest.raises(Forbidden) as caught:
        api.create(configmap(namespace="dev"))
    assert caught.value.message == (
        "configmaps is forbidden: unable to create new content in namespace dev "
        "because it is being terminated"
    )


@pytest.mark.parametrize("name", ["default", "kube-system", "kube-public"])
def test_a_system_namespace_cannot_be_deleted(api, name):
    with pytest.raises(
        Forbidden, match=f'^namespaces "{name}" is forbidden: this namespace may not be deleted$'
    ):
        api.delete("namespaces", name)


def test_a_cluster_scoped_object_has_no_namespace(api):
    obj = namespace("dev")
    obj["metadata"]["namespace"] = "default"
    assert "namespace" not in api.create(obj)["metadata"]


# ---------------------------------------------------------------------------------------------------------
# Services and their cluster IPs
# ---------------------------------------------------------------------------------------------------------


def test_the_kubernetes_service_has_the_first_address_of_the_range(api):
    kubernetes = api.get("services", "kubernetes")
    assert kubernetes["spec"]["clusterIP"] == "10.96.0.1"
    assert kubernetes["spec"]["ports"][0]["port"] == 443


def test_a_service_gets_a_cluster_ip_from_the_service_range(api):
    import ipaddress

    spec = api.create(service())["spec"]
    assert ipaddress.ip_address(spec["clusterIP"]) in ipaddress.ip_network("10.96.0.0/12")
    assert spec["clusterIPs"] == [spec["clusterIP"]]


def test_cluster_ips_are_the_same_for_the_same_seed(api):
    other = APIServer(Store(Loop(seed=0)))
    ours = [api.create(service(f"s{i}"))["spec"]["clusterIP"] for i in range(5)]
    theirs = [other.create(service(f"s{i}"))["spec"]["clusterIP"] for i in range(5)]
    assert ours == theirs
    assert len(set(ours)) == 5


def test_a_service_may_ask_for_a_free_cluster_ip(api):
    assert api.create(service(clusterIP="10.96.100.100"))["spec"]["clusterIP"] == "10.96.100.100"


def test_asking_for_a_taken_cluster_ip_is_invalid(api):
    with pytest.raises(Invalid) as caught:
        api.create(service(clusterIP="10.96.0.1"))
    assert caught.value.code == 422
    assert caught.value.message == (
        'Service "web" is invalid: spec.clusterIPs: Invalid value: ["10.96.0.1"]: failed to allocate IP '
        "10.96.0.1: provided IP is already allocated"
    )


def test_asking_for_an_address_outside_the_range_is_invalid(api):
    with pytest.raises(Invalid, match=r"the provided IP \(1\.2\.3\.4\) is not in the valid range"):
        api.create(service(clusterIP="1.2.3.4"))


def test_a_headless_service_gets_no_cluster_ip(api):
    allocated = set(api.service_ips.allocated)
    assert api.create(service(clusterIP="None"))["spec"]["clusterIP"] == "None"
    assert api.service_ips.allocated == allocated


def test_deleting_a_service_frees_its_cluster_ip(api):
    address = api.create(service(clusterIP="10.96.100.100"))["spec"]["clusterIP"]
    api.delete("services", "web")
    assert api.create(service("again", clusterIP=address))["spec"]["clusterIP"] == address


def test_deleting_a_namespace_frees_its_services_cluster_ips(api):
    api.create(namespace("dev"))
    api.create(service(namespace="dev", clusterIP="10.96.100.100"))
    api.delete("namespaces", "dev")
    api.loop.run()
    assert api.create(service("again", clusterIP="10.96.100.100"))["spec"]["clusterIP"] == "10.96.100.100"


def test_a_service_that_already_exists_gives_its_new_ip_back(api):
    api.create(service())
    allocated = set(api.service_ips.allocated)
    with pytest.raises(AlreadyExists):
        api.create(service())
    assert api.service_ips.allocated == allocated


def test_an_update_keeps_the_cluster_ip(api):
    address = api.create(service())["spec"]["clusterIP"]
    blind = service()
    blind["metadata"]["labels"] = {"a": "b"}
    assert api.update(blind)["spec"]["clusterIP"] == address


# ---------------------------------------------------------------------------------------------------------
# generateName
# ---------------------------------------------------------------------------------------------------------


def generated(api: APIServer, prefix: str = "web-") -> str:
    obj = pod()
    obj["metadata"] = {"generateName": prefix}
    return api.create(obj)["metadata"]["name"]


def test_generate_name_appends_five_characters_from_kubernetes_alphabet(api):
    name = generated(api)
    assert re.fullmatch(f"web-[{NAME_ALPHABET}]{{5}}", name)
    assert NAME_ALPHABET == "bcdfghjklmnpqrstvwxz2456789"


def test_generated_names_are_the_same_for_the_same_seed(api):
    other = APIServer(Store(Loop(seed=0)))
    assert [generated(api) for _ in range(3)] == [generated(other) for _ in range(3)]


def test_generated_names_differ_from_each_other(api):
    assert len({generated(api) for _ in range(20)}) == 20


def test_a_given_name_wins_over_generate_name(api):
    obj = pod()
    obj["metadata"]["generateName"] = "web-"
    assert api.create(obj)["metadata"]["name"] == "web"


# ---------------------------------------------------------------------------------------------------------
# list and selectors
# ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def pods(api) -> APIServer:
    """web-1 (front, on node-1), web-2 (back, Running), db-1, plain, and web-3 in namespace dev."""
    api.create(namespace("dev"))
    api.create(pod("web-1", {"app": "web", "tier": "front"}))
    api.create(pod("web-2", {"app": "web", "tier": "back"}))
    api.create(pod("db-1", {"app": "db"}))
    api.create(pod("plain"))
    api.create(pod("web-3", {"app": "web"}, namespace="dev"))
    api.bind("default", "web-1", "node-1")
    running = api.get("pods", "web-2")
    running["status"]["phase"] = "Running"
    api.update_status(running)
    return api


def test_list_returns_a_list_kind_at_the_current_revision(pods):
    listed = pods.list("pods")
    assert (listed["apiVersion"], listed["kind"]) == ("v1", "PodList")
    assert listed["metadata"] == {"resourceVersion": str(pods.store.revision)}


def test_a_grouped_list_has_its_group_version(api):
    api.create(deployment("x"))
    listed = api.list("deployments")
    assert (listed["apiVersion"], listed["kind"]) == ("apps/v1", "DeploymentList")


def test_list_items_carry_their_own_resource_versions(pods):
    for item in pods.list("pods")["items"]:
        meta = item["metadata"]
        key = f"/registry/pods/{meta['namespace']}/{meta['name']}"
        assert meta["resourceVersion"] == str(pods.store.get(key).mod_revision)


def test_list_without_a_namespace_covers_every_namespace(pods):
    assert names(pods.list("pods")) == ["db-1", "plain", "web-1", "web-2", "web-3"]


def test_list_in_a_namespace_covers_only_that_namespace(pods):
    assert names(pods.list("pods", "dev")) == ["web-3"]
    assert names(pods.list("pods", "default")) == ["db-1", "plain", "web-1", "web-2"]


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("app=web", ["web-1", "web-2", "web-3"]),
        ("app==web", ["web-1", "web-2", "web-3"]),
        ("app!=web", ["db-1", "plain"]),
        ("app=web,tier=front", ["web-1"]),
    ],
)
def test_an_equality_label_selector(pods, selector, expected):
    assert names(pods.list("pods", label_selector=selector)) == expected


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("app in (web,db)", ["db-1", "web-1", "web-2", "web-3"]),
        ("app notin (web)", ["db-1", "plain"]),
        ("tier", ["web-1", "web-2"]),
        ("!tier", ["db-1", "plain", "web-3"]),
        ("app in (web),!tier", ["web-3"]),
    ],
)
def test_a_set_based_label_selector(pods, selector, expected):
    assert names(pods.list("pods", label_selector=selector)) == expected


def test_a_label_selector_in_one_namespace(pods):
    assert names(pods.list("pods", "dev", label_selector="app=web")) == ["web-3"]


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("metadata.name=web-1", ["web-1"]),
        ("metadata.name!=web-1,metadata.namespace=default", ["db-1", "plain", "web-2"]),
        ("metadata.namespace=dev", ["web-3"]),
        ("spec.nodeName=node-1", ["web-1"]),
        ("spec.nodeName=", ["db-1", "plain", "web-2", "web-3"]),
        ("status.phase=Running", ["web-2"]),
        ("status.phase!=Running", ["db-1", "plain", "web-1", "web-3"]),
    ],
)
def test_a_field_selector(pods, selector, expected):
    assert names(pods.list("pods", field_selector=selector)) == expected


def test_label_and_field_selectors_together(pods):
    assert names(pods.list("pods", label_selector="app=web", field_selector="status.phase=Pending")) == [
        "web-1",
        "web-3",
    ]


@pytest.mark.parametrize(
    ("label_selector", "field_selector"),
    [("app in (", None), ("a=b=c", None), ("app in web", None), (None, "spec.foo=1"), (None, "x")],
)
def test_a_malformed_selector_is_a_bad_request(pods, label_selector, field_selector):
    with pytest.raises(BadRequest) as caught:
        pods.list("pods", label_selector=label_selector, field_selector=field_selector)
    assert caught.value.code == 400


def test_an_unsupported_field_label_is_named(pods):
    with pytest.raises(BadRequest, match="^field label not supported: spec.foo$"):
        pods.list("pods", field_selector="spec.foo=1")


def test_list_of_a_cluster_scoped_resource_ignores_the_namespace(api):
    assert len(api.list("namespaces", namespace="dev")["items"]) == 4


def test_list_returns_copies_the_caller_may_change(pods):
    pods.list("pods")["items"][0]["metadata"]["labels"] = {"changed": "yes"}
    assert pods.list("pods", label_selector="changed")["items"] == []


# ---------------------------------------------------------------------------------------------------------
# The scale subresource
# ---------------------------------------------------------------------------------------------------------


def test_get_scale_reports_the_replicas_and_the_selector(api):
    created = api.create(deployment("x", replicas=2))
    scale = api.get_scale("deployments", "x")
    assert (scale["apiVersion"], scale["kind"]) == ("autoscaling/v1", "Scale")
    assert scale["spec"] == {"replicas": 2}
    assert scale["status"] == {"replicas": 0, "selector": "app=x"}
    assert scale["metadata"]["resourceVersion"] == created["metadata"]["resourceVersion"]


def test_update_scale_sets_spec_replicas(api):
    api.create(deployment("x", replicas=2))
    assert api.update_scale("deployments", "x", 5)["spec"] == {"replicas": 5}
    scaled = api.get("deployments", "x")
    assert scaled["spec"]["replicas"] == 5
    assert scaled["metadata"]["generation"] == 2


def test_update_scale_to_a_negative_number_is_invalid(api):
    api.create(deployment("x", replicas=2))
    with pytest.raises(Invalid) as caught:
        api.update_scale("deployments", "x", -1)
    assert caught.value.code == 422
    assert caught.value.message == (
        'Scale.autoscaling "x" is invalid: spec.replicas: Invalid value: -1: '
        "must be greater than or equal to 0"
    )
    assert api.get("deployments", "x")["spec"]["replicas"] == 2


def test_pods_have_no_scale_subresource(api):
    api.create(pod())
    with pytest.raises(NotFound, match=r"^the server could not find the requested resource \(pods/scale\)$"):
        api.get_scale("pods", "web")


# ---------------------------------------------------------------------------------------------------------
# The binding subresource
# ---------------------------------------------------------------------------------------------------------


def test_bind_sets_the_node_name(api):
    api.create(pod())
    binding = api.bind("default", "web", "node-1")
    assert binding["target"] == {"apiVersion": "v1", "kind": "Node", "name": "node-1"}
    assert api.get("pods", "web")["spec"]["nodeName"] == "node-1"


def test_bind_sets_the_pod_scheduled_condition(api):
    api.create(pod())
    api.loop.run(seconds=2)
    api.bind("default", "web", "node-1")
    assert api.get("pods", "web")["status"]["conditions"] == [
        {
            "type": "PodScheduled",
            "status": "True",
            "lastProbeTime": None,
            "lastTransitionTime": "2024-01-01T00:00:02Z",
        }
    ]


def test_binding_twice_is_a_conflict(api):
    api.create(pod())
    api.bind("default", "web", "node-1")
    with pytest.raises(Conflict) as caught:
        api.bind("default", "web", "node-2")
    assert caught.value.message == (
        'Operation cannot be fulfilled on pods/binding "web": pod web is already assigned to node "node-1"'
    )
    assert api.get("pods", "web")["spec"]["nodeName"] == "node-1"


def test_binding_a_pod_that_is_being_deleted_is_a_conflict(api):
    api.create(pod(labels={"a": "b"}))
    obj = api.get("pods", "web")
    obj["metadata"]["finalizers"] = ["example.com/keep"]
    api.update(obj)
    api.delete("pods", "web")
    with pytest.raises(Conflict, match="pod web is being deleted, cannot be assigned to a host"):
        api.bind("default", "web", "node-1")


def test_binding_a_missing_pod_is_not_found(api):
    with pytest.raises(NotFound, match='^pods "web" not found$'):
        api.bind("default", "web", "node-1")


# ---------------------------------------------------------------------------------------------------------
# Kinds and versions
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("api_version", "kind"),
    [("v1", "X"), ("v1", "Pdo"), ("apps/v1", "Pod"), ("v1", "Deployment"), ("apps/v1beta1", "Deployment")],
)
def test_an_unknown_kind_or_version_has_no_matches(api, api_version, kind):
    obj = pod()
    obj["apiVersion"], obj["kind"] = api_version, kind
    with pytest.raises(NotFound) as caught:
        api.create(obj)
    assert caught.value.message == f'no matches for kind "{kind}" in version "{api_version}"'


def test_a_missing_kind_is_a_bad_request(api):
    obj = pod()
    del obj["kind"]
    with pytest.raises(BadRequest, match="^Object 'Kind' is missing in the object$"):
        api.create(obj)


# ---------------------------------------------------------------------------------------------------------
# Defaults
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("restartPolicy", "Always"),
        ("terminationGracePeriodSeconds", 30),
        ("dnsPolicy", "ClusterFirst"),
        ("schedulerName", "default-scheduler"),
        ("priority", 0),
    ],
)
def test_a_pod_spec_is_defaulted(api, field, value):
    assert api.create(pod())["spec"][field] == value


@pytest.mark.parametrize(
    ("image", "policy"),
    [("nginx:1.27", "IfNotPresent"), ("nginx", "Always"), ("nginx:latest", "Always")],
)
def test_the_image_pull_policy_follows_the_tag(api, image, policy):
    obj = pod()
    obj["spec"]["containers"][0]["image"] = image
    assert api.create(obj)["spec"]["containers"][0]["imagePullPolicy"] == policy


def test_a_new_pod_is_pending_with_its_qos_class(api):
    assert api.create(pod())["status"] == {"phase": "Pending", "qosClass": "BestEffort"}


def test_a_deployment_rolls_out_25_percent_at_a_time(api):
    assert api.create(deployment("x"))["spec"]["strategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"},
    }


@pytest.mark.parametrize(("field", "value"), [("revisionHistoryLimit", 10), ("progressDeadlineSeconds", 600)])
def test_a_deployment_spec_is_defaulted(api, field, value):
    assert api.create(deployment("x"))["spec"][field] == value


def test_a_deployment_without_replicas_gets_one(api):
    obj = deployment("x")
    del obj["spec"]["replicas"]
    assert api.create(obj)["spec"]["replicas"] == 1


def test_a_service_port_is_defaulted(api):
    assert api.create(service())["spec"]["ports"] == [{"port": 80, "protocol": "TCP", "targetPort": 80}]


def test_a_service_is_of_type_cluster_ip(api):
    assert api.create(service())["spec"]["type"] == "ClusterIP"


# ---------------------------------------------------------------------------------------------------------
# Status objects
# ---------------------------------------------------------------------------------------------------------


def test_a_not_found_error_is_a_status_object(api):
    with pytest.raises(NotFound) as caught:
        api.get("pods", "nope")
    assert caught.value.status() == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": 'pods "nope" not found',
        "reason": "NotFound",
        "details": {"name": "nope", "kind": "pods"},
        "code": 404,
    }


def test_an_invalid_status_lists_every_cause(api):
    obj = pod(restartPolicy="Sometimes")
    del obj["spec"]["containers"][0]["image"]
    with pytest.raises(Invalid) as caught:
        api.create(obj)
    status = caught.value.status()
    assert (status["reason"], status["code"]) == ("Invalid", 422)
    assert status["details"]["name"] == "web"
    assert status["details"]["kind"] == "Pod"
    assert status["details"]["causes"] == [
        {"reason": "FieldValueRequired", "message": "Required value", "field": "spec.containers[0].image"},
        {
            "reason": "FieldValueNotSupported",
            "message": 'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
            "field": "spec.restartPolicy",
        },
    ]


def test_an_invalid_grouped_object_is_named_with_its_group(api):
    with pytest.raises(Invalid) as caught:
        api.create(deployment("x", replicas=-1))
    assert caught.value.message == (
        'Deployment.apps "x" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0'
    )
    assert caught.value.status()["details"] == {
        "name": "x",
        "group": "apps",
        "kind": "Deployment",
        "causes": [
            {
                "reason": "FieldValueInvalid",
                "message": "Invalid value: -1: must be greater than or equal to 0",
                "field": "spec.replicas",
            }
        ],
    }


def test_kubectl_prints_an_invalid_grouped_object_with_its_bare_kind(api):
    with pytest.raises(Invalid) as caught:
        api.create(deployment("x", replicas=-1))
    assert caught.value.kubectl() == (
        'The Deployment "x" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0'
    )


def test_kubectl_prints_other_errors_with_their_reason(api):
    with pytest.raises(StatusError) as caught:
        api.get("pods", "nope")
    assert caught.value.kubectl() == 'Error from server (NotFound): pods "nope" not found'


# ---------------------------------------------------------------------------------------------------------
# The request log
# ---------------------------------------------------------------------------------------------------------


def logged(api: APIServer) -> list[tuple]:
    return [(r.verb, r.resource, r.namespace, r.name, r.code) for r in api.requests]


def test_a_new_server_has_an_empty_request_log(api):
    assert api.requests == []


def test_the_request_log_records_successes_with_their_codes(api):
    api.create(pod())
    api.get("pods", "web")
    api.list("pods")
    api.bind("default", "web", "node-1")
    api.delete("pods", "web", grace_period_seconds=0)
    assert logged(api) == [
        ("create", "pods", "default", "web", 201),
        ("get", "pods", "default", "web", 200),
        ("list", "pods", "", "", 200),
        ("create/binding", "pods", "default", "web", 201),
        ("delete", "pods", "default", "web", 200),
    ]


def test_the_request_log_records_failures_with_their_codes_and_messages(api):
    api.create(pod())
    for failing in (
        lambda: api.create(pod()),
        lambda: api.get("pods", "x"),
        lambda: api.list("pods", "default", "("),
    ):
        with pytest.raises(StatusError):
            failing()
    assert logged(api)[1:] == [
        ("create", "pods", "default", "web", 409),
        ("get", "pods", "default", "x", 404),
        ("list", "pods", "default", "", 400),
    ]
    assert api.requests[2].message == 'pods "x" not found'


def test_the_request_log_records_the_virtual_time(api):
    api.loop.run(seconds=5)
    api.list("pods")
    assert api.requests[-1].time == 5.0


def test_the_request_log_names_a_generated_name(api):
    name = generated(api)
    assert api.requests[-1].name == name


def test_request_listeners_hear_every_request(api):
    heard = []
    api.request_listeners.append(heard.append)
    api.create(pod())
    with pytest.raises(NotFound):
        api.get("pods", "x")
    assert [(r.verb, r.code) for r in heard] == [("create", 201), ("get", 404)]


# ---------------------------------------------------------------------------------------------------------
# Bad input changes nothing
# ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def busy(api) -> APIServer:
    """Some of everything: pods (one bound), a deployment, a service, a finalizer, a terminating namespace."""
    api.create(namespace("dev"))
    api.create(namespace("leaving"))
    api.create(pod(labels={"app": "web"}))
    api.create(pod("bound"))
    api.bind("default", "bound", "node-1")
    api.create(deployment("x"))
    api.create(service(clusterIP="10.96.100.100"))
    api.create(configmap(finalizers=["example.com/keep"]))
    api.create(configmap("gone", namespace="leaving"))
    api.delete("namespaces", "leaving")  # Terminating until the loop runs
    return api


#: Passed to `broken` as the value: remove the key instead.
DELETE = object()


def broken(obj: dict, *path_and_value) -> dict:
    """`obj` with the value at a path replaced (a path of keys and list indices)."""
    *path, value = path_and_value
    target = obj
    for step in path[:-1]:
        target = target[step]
    if value is DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return obj


def stale_update(api: APIServer) -> dict:
    obj = api.get("pods", "web")
    obj["metadata"]["resourceVersion"] = "3"
    obj["metadata"]["labels"]["late"] = "yes"
    return api.update(obj)


def uid_update(api: APIServer) -> dict:
    obj = api.get("pods", "web")
    obj["metadata"]["uid"] = "another"
    return api.update(obj)


def renamed_container_update(api: APIServer) -> dict:
    obj = api.get("pods", "web")
    obj["spec"]["containers"][0]["name"] = "renamed"
    return api.update(obj)


def take_a_taken_ip_on_update(api: APIServer) -> dict:
    obj = api.get("services", "web")
    obj["spec"]["clusterIP"] = "10.96.0.1"
    obj["spec"]["clusterIPs"] = ["10.96.0.1"]
    return api.update(obj)


BAD_REQUESTS = {
    "create of an existing name": (lambda api: api.create(pod()), AlreadyExists),
    "create of an existing service": (lambda api: api.create(service()), AlreadyExists),
    "create without an image": (
        lambda api: api.create(broken(pod("new"), "spec", "containers", 0, "image", DELETE)),
        Invalid,
    ),
    "create with a bad name": (lambda api: api.create(pod("Web_Server")), Invalid),
    "create with a string for a number": (
        lambda api: api.create(broken(deployment("y"), "spec", "replicas", "3")),
        BadRequest,
    ),
    "create with a bad quantity": (
        lambda api: api.create(
            broken(pod("new"), "spec", "containers", 0, "resources", {"requests": {"cpu": "2 cores"}})
        ),
        BadRequest,
    ),
    "create with a value JSON cannot hold": (
        lambda api: api.create(broken(pod("new"), "extra", {1, 2})),
        BadRequest,
    ),
    "create of an unknown kind": (lambda api: api.create(broken(pod("new"), "kind", "Pdo")), NotFound),
    "create in a missing namespace": (lambda api: api.create(pod("new", namespace="nope")), NotFound),
    "create in a terminating namespace": (lambda api: api.create(pod("new", namespace="leaving")), Forbidden),
    "create of a service with a taken IP": (
        lambda api: api.create(service("s2", clusterIP="10.96.100.100")),
        Invalid,
    ),
    "create of a service outside the range": (
        lambda api: api.create(service("s2", clusterIP="1.2.3.4")),
        Invalid,
    ),
    "create with a missing priority class": (
        lambda api: api.create(pod("new", priorityClassName="nope")),
        Forbidden,
    ),
    "create with namespaces that disagree": (
        lambda api: api.create(pod("new", namespace="dev"), namespace="default"),
        BadRequest,
    ),
    "create of a list": (lambda api: api.create([pod("new")]), BadRequest),
    "create of broken JSON text": (lambda api: api.create('{"kind": '), BadRequest),
    "get of a missing object": (lambda api: api.get("pods", "nope"), NotFound),
    "get with an empty name": (lambda api: api.get("pods", ""), BadRequest),
    "get of an unknown resource": (lambda api: api.get("frobs", "x"), NotFound),
    "update with a stale resourceVersion": (stale_update, Conflict),
    "update with another uid": (uid_update, Conflict),
    "update that breaks validation": (renamed_container_update, Invalid),
    "update of a missing object": (lambda api: api.update(pod("nope")), NotFound),
    "update of a service to a taken IP": (take_a_taken_ip_on_update, Invalid),
    "update_status of a kind without status": (
        lambda api: api.update_status(api.get("configmaps", "settings")),
        NotFound,
    ),
    "json patch whose test fails": (
        lambda api: api.patch(
            "pods",
            "web",
            [
                {"op": "add", "path": "/metadata/labels/b", "value": "2"},
                {"op": "test", "path": "/metadata/labels/app", "value": "x"},
            ],
            "json",
        ),
        Invalid,
    ),
    "json patch of a missing path": (
        lambda api: api.patch("pods", "web", [{"op": "remove", "path": "/metadata/nothing"}], "json"),
        Invalid,
    ),
    "patch that renames": (
        lambda api: api.patch("pods", "web", {"metadata": {"name": "x"}}, "merge"),
        BadRequest,
    ),
    "patch that changes the kind": (
        lambda api: api.patch("pods", "web", {"kind": "Service"}, "merge"),
        BadRequest,
    ),
    "patch with metadata of the wrong type": (
        lambda api: api.patch("pods", "web", {"metadata": "x"}, "merge"),
        BadRequest,
    ),
    "patch that breaks validation": (
        lambda api: api.patch("deployments", "x", {"spec": {"replicas": -1}}, "merge"),
        Invalid,
    ),
    "patch of an unknown type": (lambda api: api.patch("pods", "web", {}, "yaml"), BadRequest),
    "strategic patch that is a list": (lambda api: api.patch("pods", "web", [1], "strategic"), BadRequest),
    "delete of a missing object": (lambda api: api.delete("pods", "nope"), NotFound),
    "delete with an unknown propagation policy": (
        lambda api: api.delete("pods", "web", propagation_policy="All"),
        BadRequest,
    ),
    "delete with a negative grace period": (
        lambda api: api.delete("pods", "bound", grace_period_seconds=-1),
        BadRequest,
    ),
    "delete of the default namespace": (lambda api: api.delete("namespaces", "default"), Forbidden),
    "bind of a bound pod": (lambda api: api.bind("default", "bound", "node-2"), Conflict),
    "bind of a missing pod": (lambda api: api.bind("default", "nope", "node-1"), NotFound),
    "bind to no node": (lambda api: api.bind("default", "web", ""), Invalid),
    "update_scale to a negative number": (lambda api: api.update_scale("deployments", "x", -1), Invalid),
    "update_scale of a pod": (lambda api: api.update_scale("pods", "web", 2), NotFound),
    "list with a malformed label selector": (
        lambda api: api.list("pods", label_selector="app in ("),
        BadRequest,
    ),
    "list with an unsupported field": (lambda api: api.list("pods", field_selector="spec.foo=1"), BadRequest),
    "list with a selector that is not a string": (lambda api: api.list("pods", label_selector=5), BadRequest),
    "watch from a future resourceVersion": (
        lambda api: api.watch("pods", resource_version=10_000),
        BadRequest,
    ),
    "watch from a resourceVersion that is not a number": (
        lambda api: api.watch("pods", resource_version="x"),
        BadRequest,
    ),
}


@pytest.mark.parametrize(("request_", "error"), BAD_REQUESTS.values(), ids=BAD_REQUESTS.keys())
def test_a_bad_request_is_refused_with_its_reason(busy, request_, error):
    with pytest.raises(error):
        request_(busy)


@pytest.mark.parametrize("request_", [r for r, _ in BAD_REQUESTS.values()], ids=BAD_REQUESTS.keys())
def test_a_bad_request_changes_nothing(busy, request_):
    before = fingerprint(busy)
    with pytest.raises(StatusError):
        request_(busy)
    assert fingerprint(busy) == before


def test_the_server_keeps_working_after_every_bad_request(busy):
    for request_, _ in BAD_REQUESTS.values():
        with pytest.raises(StatusError):
            request_(busy)
    busy.loop.run()
    assert busy.create(pod("after"))["metadata"]["name"] == "after"
    assert names(busy.list("namespaces")) == [
        "default",
        "dev",
        "kube-node-lease",
        "kube-public",
        "kube-system",
    ]


# ---------------------------------------------------------------------------------------------------------
# What the API server remembers about bodies of one shape (pods of one template) changes no answer
# ---------------------------------------------------------------------------------------------------------


def test_a_pod_shaped_like_a_valid_one_is_still_refused_for_a_bad_name(api):
    api.create(pod("web-1", {"app": "web"}))
    with pytest.raises(Invalid, match="metadata.name"):
        api.create(pod("Web_2", {"app": "web"}))
    assert api.store.get("/registry/pods/default/Web_2") is None


def test_a_pod_shaped_like_a_decoded_one_is_still_refused_for_a_field_of_the_wrong_type(api):
    api.create(pod("web-1", {"app": "web"}))
    bad = pod("web-2", {"app": "web"})
    bad["spec"]["containers"][0]["ports"] = [{"containerPort": "80"}]
    with pytest.raises(BadRequest, match="cannot unmarshal string"):
        api.create(bad)


def test_a_second_pod_of_one_shape_gets_the_same_unknown_field_warnings(api):
    for name in ("web-1", "web-2"):
        body = pod(name, {"app": "web"})
        body["spec"]["colour"] = "blue"
        api.create(body)
    assert api.warnings == ['unknown field "spec.colour"'] * 2


def test_a_pod_with_a_name_too_long_is_refused_even_after_a_valid_one_of_its_shape(api):
    api.create(pod("a", {"app": "web"}))
    with pytest.raises(Invalid, match="metadata.name"):
        api.create(pod("a" * 254, {"app": "web"}))


def test_a_pod_whose_label_value_is_not_a_string_is_refused_after_one_whose_is(api):
    api.create(pod("web-1", {"app": "web"}))
    with pytest.raises(BadRequest, match="cannot unmarshal number"):
        api.create(pod("web-2", {"app": 5}))


def test_a_status_write_like_an_earlier_one_is_still_checked_for_types(api):
    api.create(pod("web-1"))
    api.create(pod("web-2"))
    first = api.get("pods", "web-1")
    first["status"]["podIP"] = "10.244.0.5"
    api.update_status(first)
    second = api.get("pods", "web-2")
    second["status"]["podIP"] = 10
    with pytest.raises(BadRequest, match="cannot unmarshal number"):
        api.update_status(second)
