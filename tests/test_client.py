"""The API client: the API server's verbs stamped with the component's name, keys, retry on conflict."""

from __future__ import annotations

import pytest

from k8slab.api.errors import AlreadyExists, BadRequest, Conflict, NotFound
from k8slab.api.server import APIServer
from k8slab.client import Client, deep_copy, key_of, retry_on_conflict, split_key
from k8slab.sim import Loop
from k8slab.store import Store


def make_api() -> APIServer:
    return APIServer(Store(Loop(strict=True)))


def config_map(name: str, **data: str) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": dict(data)}


def pod(name: str) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]},
    }


# -- keys ----------------------------------------------------------------------------------


def test_key_of_a_namespaced_object_is_namespace_slash_name():
    assert key_of({"metadata": {"namespace": "default", "name": "web"}}) == "default/web"


def test_key_of_a_cluster_wide_object_is_its_name():
    assert key_of({"metadata": {"name": "node-1"}}) == "node-1"


def test_split_key_gives_namespace_and_name():
    assert split_key("kube-system/coredns") == ("kube-system", "coredns")


def test_split_key_of_a_cluster_wide_key_has_an_empty_namespace():
    assert split_key("node-1") == ("", "node-1")


def test_split_key_refuses_a_key_with_two_slashes():
    with pytest.raises(ValueError, match='unexpected key format: "a/b/c"'):
        split_key("a/b/c")


def test_split_key_undoes_key_of():
    obj = {"metadata": {"namespace": "team-a", "name": "web-7d4b9"}}
    assert split_key(key_of(obj)) == ("team-a", "web-7d4b9")


def test_deep_copy_shares_nothing_with_the_original():
    original = {"metadata": {"name": "web", "labels": {"app": "web"}}, "data": {"k": ["v"]}}
    copied = deep_copy(original)
    copied["metadata"]["labels"]["app"] = "changed"
    copied["data"]["k"].append("w")
    assert copied != original
    assert original == {"metadata": {"name": "web", "labels": {"app": "web"}}, "data": {"k": ["v"]}}


# -- the client's verbs ------------------------------------------------------------------


def test_client_create_get_update_delete_reach_the_api_server():
    api = make_api()
    client = Client(api, user="test")
    created = client.create(config_map("settings", mode="a"))
    assert client.get("configmaps", "settings")["data"] == {"mode": "a"}
    created["data"]["mode"] = "b"
    client.update(created)
    assert api.get("configmaps", "settings")["data"] == {"mode": "b"}
    client.delete("configmaps", "settings")
    with pytest.raises(NotFound):
        api.get("configmaps", "settings")


def test_client_list_and_patch_take_the_api_servers_arguments():
    client = Client(make_api())
    client.create(config_map("a", mode="1"), namespace="kube-system")
    client.patch("configmaps", "a", {"data": {"mode": "2"}}, patch_type="merge", namespace="kube-system")
    listed = client.list("configmaps", namespace="kube-system", field_selector="metadata.name=a")
    assert [cm["data"] for cm in listed["items"]] == [{"mode": "2"}]


def test_every_request_through_a_client_is_logged_with_its_user():
    api = make_api()
    scheduler = Client(api, user="system:kube-scheduler")
    scheduler.create(pod("web"))
    scheduler.get("pods", "web")
    scheduler.list("pods")
    scheduler.watch("pods", resource_version=api.store.revision, callback=lambda event: None)
    scheduler.bind("default", "web", "node-1")
    assert [(r.verb, r.user) for r in api.requests] == [
        ("create", "system:kube-scheduler"),
        ("get", "system:kube-scheduler"),
        ("list", "system:kube-scheduler"),
        ("watch", "system:kube-scheduler"),
        ("create/binding", "system:kube-scheduler"),
    ]


def test_a_refused_request_is_logged_with_the_user_too():
    api = make_api()
    kubelet = Client(api, user="system:node:node-1")
    with pytest.raises(NotFound):
        kubelet.get("pods", "missing")
    assert (api.requests[-1].code, api.requests[-1].user) == (404, "system:node:node-1")


def test_requests_made_directly_on_the_api_server_keep_the_default_user():
    api = make_api()
    Client(api, user="kube-controller-manager").list("pods")
    api.list("pods")
    assert [r.user for r in api.requests] == ["kube-controller-manager", "kubernetes-admin"]


def test_a_client_is_the_cluster_admin_unless_told_otherwise_and_its_name_defaults_to_its_user():
    client = Client(make_api())
    assert (client.user, client.name) == ("kubernetes-admin", "kubernetes-admin")
    assert Client(make_api(), user="kube-proxy", name="kube-proxy/v1.31.0").name == "kube-proxy/v1.31.0"


def test_a_client_needs_a_user_name():
    with pytest.raises(ValueError, match="user must be a non-empty string"):
        Client(make_api(), user="")


def test_client_errors_are_the_api_servers_errors():
    client = Client(make_api())
    client.create(config_map("a"))
    with pytest.raises(AlreadyExists, match='configmaps "a" already exists'):
        client.create(config_map("a"))
    with pytest.raises(BadRequest):
        client.list("pods", label_selector="app in (")


def test_client_loop_is_the_clusters_loop():
    api = make_api()
    assert Client(api).loop is api.loop


def test_client_update_status_and_scale_reach_the_subresources():
    api = make_api()
    client = Client(api, user="kubelet")
    created = client.create(pod("web"))
    created["status"]["phase"] = "Running"
    client.update_status(created)
    assert api.get("pods", "web")["status"]["phase"] == "Running"
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]},
            },
        },
    }
    client.create(deployment)
    client.update_scale("deployments", "web", 3)
    assert client.get_scale("deployments", "web")["spec"]["replicas"] == 3


# -- retry on conflict -------------------------------------------------------------------


def conflict() -> Conflict:
    message = 'Operation cannot be fulfilled on pods "web": the object has been modified'
    return Conflict(message, "web", "pods")


def test_retry_on_conflict_runs_fn_again_until_it_succeeds():
    calls = []

    def fn():
        calls.append(1)
        if len(calls) < 3:
            raise conflict()
        return "done"

    assert retry_on_conflict(fn) == "done"
    assert len(calls) == 3


def test_retry_on_conflict_gives_up_after_the_given_attempts_with_the_last_conflict():
    calls = []

    def fn():
        calls.append(1)
        raise conflict()

    with pytest.raises(Conflict):
        retry_on_conflict(fn, attempts=4)
    assert len(calls) == 4


def test_retry_on_conflict_tries_five_times_by_default():
    calls = []

    def fn():
        calls.append(1)
        raise conflict()

    with pytest.raises(Conflict):
        retry_on_conflict(fn)
    assert len(calls) == 5


def test_retry_on_conflict_does_not_retry_other_errors():
    calls = []

    def fn():
        calls.append(1)
        raise AlreadyExists('pods "web" already exists', "web", "pods")  # 409 too, but not a Conflict

    with pytest.raises(AlreadyExists):
        retry_on_conflict(fn)
    assert len(calls) == 1


def test_retry_on_conflict_refuses_zero_attempts():
    with pytest.raises(ValueError, match="attempts must be a whole number >= 1"):
        retry_on_conflict(lambda: None, attempts=0)


def test_retry_on_conflict_keeps_both_writers_changes_when_fn_reads_afresh():
    api = make_api()
    controller, kubectl = Client(api, user="controller"), Client(api, user="kubectl")
    controller.create(config_map("settings", owner="nobody"))
    stale = controller.get("configmaps", "settings")
    racing = kubectl.get("configmaps", "settings")
    racing["data"]["color"] = "blue"
    kubectl.update(racing)  # lands first: `stale` is now out of date
    reads = []

    def set_owner():
        current = stale if not reads else controller.get("configmaps", "settings")
        reads.append(current["metadata"]["resourceVersion"])
        current["data"]["owner"] = "controller"
        return controller.update(current)

    retry_on_conflict(set_owner)
    assert api.get("configmaps", "settings")["data"] == {"owner": "controller", "color": "blue"}
    assert len(reads) == 2
    assert [r.code for r in api.requests if r.verb == "update"] == [200, 409, 200]
