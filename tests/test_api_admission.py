"""Admission: mutating plugins, then validation, then validating plugins, then etcd.

A hook is a plain function of an `AdmissionRequest`. A validating hook denies
by returning a message (or raising `Denied`), and the client gets 403 in a
webhook's words; a mutating hook changes `request.object`. The two built-in
plugins every cluster runs are DefaultTolerationSeconds and Priority.
"""

from __future__ import annotations

import pytest

from k8slab.api.admission import AdmissionChain, AdmissionRequest, Denied
from k8slab.api.errors import Forbidden, Invalid, NotFound
from k8slab.api.server import APIServer
from k8slab.sim import Loop
from k8slab.store import Store

FIVE_MINUTES = [
    {
        "key": "node.kubernetes.io/not-ready",
        "operator": "Exists",
        "effect": "NoExecute",
        "tolerationSeconds": 300,
    },
    {
        "key": "node.kubernetes.io/unreachable",
        "operator": "Exists",
        "effect": "NoExecute",
        "tolerationSeconds": 300,
    },
]


def pod(name: str = "web", limits: dict | None = None, **spec) -> dict:
    container: dict = {"name": "web", "image": "nginx:1.27"}
    if limits:
        container["resources"] = {"limits": limits}
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {"containers": [container], **spec},
    }


def configmap(name: str = "settings") -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"a": "b"}}


def priority_class(name: str, value: int, **fields) -> dict:
    return {
        "apiVersion": "scheduling.k8s.io/v1",
        "kind": "PriorityClass",
        "metadata": {"name": name},
        "value": value,
        **fields,
    }


def require_limits(request: AdmissionRequest):
    """The hook notebook 02 builds: every container must declare resource limits."""
    for container in request.object["spec"].get("containers", []):
        if "limits" not in container.get("resources", {}):
            return f"container {container['name']!r} has no resource limits"
    return None


def stored(api: APIServer) -> tuple:
    return api.store.revision, tuple(api.store.items())


@pytest.fixture
def api() -> APIServer:
    return APIServer(Store(Loop(seed=0, strict=True)))


@pytest.fixture
def guarded(api) -> APIServer:
    api.admission.add_validating("require-limits", require_limits, kinds=("Pod",))
    return api


# ---------------------------------------------------------------------------------------------------------
# Validating hooks
# ---------------------------------------------------------------------------------------------------------


def test_a_validating_hook_denies_with_forbidden_in_a_webhooks_words(guarded):
    with pytest.raises(Forbidden) as caught:
        guarded.create(pod())
    assert caught.value.code == 403
    assert caught.value.message == (
        "admission webhook \"require-limits\" denied the request: container 'web' has no resource limits"
    )


def test_a_denied_object_is_not_stored(guarded):
    before = stored(guarded)
    with pytest.raises(Forbidden):
        guarded.create(pod())
    assert stored(guarded) == before
    with pytest.raises(NotFound):
        guarded.get("pods", "web")


def test_a_validating_hook_allows_what_it_accepts(guarded):
    created = guarded.create(pod(limits={"cpu": "500m", "memory": "128Mi"}))
    assert created["spec"]["containers"][0]["resources"]["limits"] == {"cpu": "500m", "memory": "128Mi"}


def test_a_denial_is_in_the_request_log(guarded):
    with pytest.raises(Forbidden):
        guarded.create(pod())
    assert (guarded.requests[-1].verb, guarded.requests[-1].code) == ("create", 403)


def test_a_hook_may_deny_by_raising_denied(api):
    def no_latest(request):
        if request.object["spec"]["containers"][0]["image"].endswith(":latest"):
            raise Denied("the :latest tag is not allowed")

    api.admission.add_validating("no-latest", no_latest, kinds=("Pod",))
    latest = pod()
    latest["spec"]["containers"][0]["image"] = "nginx:latest"
    with pytest.raises(Forbidden, match='^admission webhook "no-latest" denied the request: the :latest tag'):
        api.create(latest)


def test_a_hook_that_returns_false_denies_without_explanation(api):
    api.admission.add_validating("grumpy", lambda request: False)
    with pytest.raises(
        Forbidden, match='^admission webhook "grumpy" denied the request without explanation$'
    ):
        api.create(configmap())


@pytest.mark.parametrize("verdict", [None, True, ""])
def test_a_hook_that_returns_nothing_to_object_to_allows(api, verdict):
    api.admission.add_validating("easy", lambda request: verdict)
    assert api.create(configmap())["metadata"]["name"] == "settings"


def test_a_validating_hook_also_guards_updates(api):
    def immutable_data(request):
        if request.operation == "UPDATE" and request.object["data"] != request.old_object["data"]:
            return "data is immutable here"

    api.admission.add_validating("immutable-data", immutable_data, kinds=("ConfigMap",))
    api.create(configmap())
    with pytest.raises(Forbidden, match="data is immutable here"):
        api.patch("configmaps", "settings", {"data": {"a": "c"}})
    assert api.get("configmaps", "settings")["data"] == {"a": "b"}


def test_a_validating_hook_sees_the_old_object_on_update(api):
    seen = []
    api.admission.add_validating(
        "spy", lambda r: seen.append((r.operation, r.old_object["data"])), ("UPDATE",)
    )
    api.create(configmap())
    api.patch("configmaps", "settings", {"data": {"a": "c"}})
    assert seen == [("UPDATE", {"a": "b"})]


def test_a_validating_hook_sees_what_the_mutating_hooks_made(api):
    seen = []
    api.admission.add_mutating(
        "stamp", lambda r: r.object["metadata"].setdefault("labels", {}).update(seen="1")
    )
    api.admission.add_validating("spy", lambda r: seen.append(r.object["metadata"]["labels"]))
    api.create(configmap())
    assert seen == [{"seen": "1"}]


# ---------------------------------------------------------------------------------------------------------
# Mutating hooks, and the order of the chain
# ---------------------------------------------------------------------------------------------------------


def add_team_label(request: AdmissionRequest) -> None:
    request.object["metadata"].setdefault("labels", {})["team"] = "blue"


def test_a_mutating_hooks_change_is_stored(api):
    api.admission.add_mutating("team-label", add_team_label)
    api.create(configmap())
    assert api.get("configmaps", "settings")["metadata"]["labels"] == {"team": "blue"}


def test_a_mutating_hook_can_fix_an_object_that_validation_would_refuse(api):
    def default_image(request):
        for container in request.object["spec"]["containers"]:
            container.setdefault("image", "nginx:1.27")

    imageless = pod()
    del imageless["spec"]["containers"][0]["image"]
    with pytest.raises(Invalid):
        api.create(imageless)
    api.admission.add_mutating("default-image", default_image, kinds=("Pod",))
    assert api.create(imageless)["spec"]["containers"][0]["image"] == "nginx:1.27"


def test_validation_runs_after_the_mutating_hooks(api):
    api.admission.add_mutating("break-it", lambda r: r.object["metadata"].update(labels={"bad key!": "x"}))
    with pytest.raises(Invalid, match=r"metadata\.labels: Invalid value: \"bad key!\""):
        api.create(configmap())


def test_validating_hooks_run_only_on_objects_that_passed_validation(api):
    calls = []
    api.admission.add_validating("spy", lambda r: calls.append(r.name))
    with pytest.raises(Invalid):
        api.create(pod(restartPolicy="Sometimes"))
    assert calls == []


def test_mutating_hooks_run_in_the_order_they_were_added(api):
    order = []
    api.admission.add_mutating("first", lambda r: order.append("first"))
    api.admission.add_mutating("second", lambda r: order.append("second"))
    api.admission.add_validating("third", lambda r: order.append("third"))
    api.create(configmap())
    assert order == ["first", "second", "third"]


def test_a_mutating_hook_on_a_dry_run_changes_nothing_stored(api):
    api.admission.add_mutating("team-label", add_team_label)
    assert api.create(configmap(), dry_run=True)["metadata"]["labels"] == {"team": "blue"}
    with pytest.raises(NotFound):
        api.get("configmaps", "settings")


# ---------------------------------------------------------------------------------------------------------
# Which requests a hook sees
# ---------------------------------------------------------------------------------------------------------


def test_a_hook_sees_only_the_operations_it_asked_for(api):
    seen = []
    api.admission.add_validating("on-delete", lambda r: seen.append(r.operation), operations=("DELETE",))
    api.create(configmap())
    api.patch("configmaps", "settings", {"data": {"a": "c"}})
    api.delete("configmaps", "settings")
    assert seen == ["DELETE"]


def test_a_hook_sees_creates_and_updates_by_default(api):
    seen = []
    api.admission.add_validating("spy", lambda r: seen.append(r.operation))
    api.create(configmap())
    api.patch("configmaps", "settings", {"data": {"a": "c"}})
    api.delete("configmaps", "settings")
    assert seen == ["CREATE", "UPDATE"]


def test_a_hook_sees_only_the_kinds_it_asked_for(api):
    seen = []
    api.admission.add_validating("pods-only", lambda r: seen.append(r.kind), kinds=("Pod",))
    api.create(configmap())
    api.create(pod())
    assert seen == ["Pod"]


def test_a_delete_hook_can_refuse_a_delete(api):
    api.admission.add_validating("keep", lambda r: "this one stays", operations=("DELETE",))
    api.create(configmap())
    with pytest.raises(Forbidden, match="this one stays"):
        api.delete("configmaps", "settings")
    assert api.get("configmaps", "settings")["metadata"]["name"] == "settings"


def test_a_hook_on_the_status_subresource_is_told_so(api):
    seen = []
    api.admission.add_validating("spy", lambda r: seen.append(r.subresource), kinds=("Pod",))
    api.create(pod())
    obj = api.get("pods", "web")
    obj["status"]["phase"] = "Running"
    api.update_status(obj)
    assert seen == ["", "status"]


# ---------------------------------------------------------------------------------------------------------
# A broken hook
# ---------------------------------------------------------------------------------------------------------


def broken_hook(request):
    return request.object["spec"]["nonexistent"]


def test_a_hook_that_raises_fails_the_request_with_forbidden(api):
    api.admission.add_validating("broken", broken_hook)
    with pytest.raises(Forbidden) as caught:
        api.create(configmap())
    assert caught.value.message == "admission webhook \"broken\" failed: KeyError: 'spec'"


def test_the_server_keeps_working_after_a_hook_raised(api):
    api.admission.add_validating("broken", broken_hook, kinds=("ConfigMap",))
    with pytest.raises(Forbidden):
        api.create(configmap())
    assert api.create(pod())["metadata"]["name"] == "web"
    api.admission.remove("broken")
    assert api.create(configmap())["metadata"]["name"] == "settings"


def test_a_broken_mutating_hook_stores_nothing(api):
    def half_done(request):
        add_team_label(request)
        raise RuntimeError("oops")

    api.admission.add_mutating("half-done", half_done)
    before = stored(api)
    with pytest.raises(Forbidden, match='^admission webhook "half-done" failed: RuntimeError: oops$'):
        api.create(configmap())
    assert stored(api) == before


def test_a_hook_may_raise_an_api_error_of_its_own(api):
    def not_found(request):
        raise NotFound('configmaps "policy" not found')

    api.admission.add_validating("needs-policy", not_found)
    with pytest.raises(NotFound, match='^configmaps "policy" not found$'):
        api.create(configmap())


# ---------------------------------------------------------------------------------------------------------
# Managing the chain
# ---------------------------------------------------------------------------------------------------------


def test_a_new_server_runs_the_two_built_in_plugins(api):
    assert api.admission.names() == {"mutating": ["DefaultTolerationSeconds", "Priority"], "validating": []}


def test_a_duplicate_plugin_name_is_refused(api):
    api.admission.add_validating("require-limits", require_limits)
    with pytest.raises(
        ValueError, match="^an admission plugin named 'require-limits' is already registered$"
    ):
        api.admission.add_mutating("require-limits", add_team_label)


def test_a_built_in_plugins_name_is_taken(api):
    with pytest.raises(ValueError, match="'Priority' is already registered"):
        api.admission.add_validating("Priority", require_limits)


@pytest.mark.parametrize("name", ["", None, 5])
def test_a_plugin_needs_a_name(name):
    with pytest.raises(ValueError, match="needs a non-empty name"):
        AdmissionChain().add_validating(name, require_limits)


def test_remove_takes_a_plugin_out_of_the_chain(guarded):
    guarded.admission.remove("require-limits")
    assert guarded.admission.names()["validating"] == []
    assert guarded.create(pod())["metadata"]["name"] == "web"


def test_removing_an_unknown_plugin_is_a_key_error(api):
    with pytest.raises(KeyError, match="no admission plugin named 'nope'"):
        api.admission.remove("nope")


def test_a_removed_name_may_be_used_again(guarded):
    guarded.admission.remove("require-limits")
    guarded.admission.add_validating("require-limits", require_limits)
    assert guarded.admission.names()["validating"] == ["require-limits"]


# ---------------------------------------------------------------------------------------------------------
# DefaultTolerationSeconds
# ---------------------------------------------------------------------------------------------------------


def test_a_pod_tolerates_a_not_ready_or_unreachable_node_for_300_seconds(api):
    assert api.create(pod())["spec"]["tolerations"] == FIVE_MINUTES


def test_a_pods_own_toleration_for_the_taint_is_kept(api):
    own = {
        "key": "node.kubernetes.io/unreachable",
        "operator": "Exists",
        "effect": "NoExecute",
        "tolerationSeconds": 6000,
    }
    assert api.create(pod(tolerations=[own]))["spec"]["tolerations"] == [own, FIVE_MINUTES[0]]


def test_a_pod_that_tolerates_every_taint_gets_no_more(api):
    everything = {"operator": "Exists"}
    assert api.create(pod(tolerations=[everything]))["spec"]["tolerations"] == [everything]


def test_other_kinds_get_no_tolerations(api):
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": pod()["spec"]},
        },
    }
    assert "tolerations" not in api.create(deployment)["spec"]["template"]["spec"]


def test_a_pod_replaced_by_its_manifest_keeps_its_tolerations_and_priority(api):
    api.create(pod())
    replaced = pod()
    replaced["metadata"]["labels"] = {"replaced": "yes"}
    updated = api.update(replaced)
    assert updated["spec"]["tolerations"] == FIVE_MINUTES
    assert updated["spec"]["priority"] == 0


# ---------------------------------------------------------------------------------------------------------
# Priority
# ---------------------------------------------------------------------------------------------------------


def test_a_pod_gets_the_value_of_its_priority_class(api):
    api.create(priority_class("high", 1000))
    created = api.create(pod(priorityClassName="high"))
    assert created["spec"]["priority"] == 1000
    assert created["spec"]["preemptionPolicy"] == "PreemptLowerPriority"


def test_a_pod_gets_its_priority_classs_preemption_policy(api):
    api.create(priority_class("polite", 500, preemptionPolicy="Never"))
    assert api.create(pod(priorityClassName="polite"))["spec"]["preemptionPolicy"] == "Never"


def test_a_pod_without_a_priority_class_has_priority_0(api):
    assert api.create(pod())["spec"]["priority"] == 0


@pytest.mark.parametrize(
    ("name", "value"), [("system-cluster-critical", 2000000000), ("system-node-critical", 2000001000)]
)
def test_the_system_priority_classes_are_built_in(api, name, value):
    assert api.create(pod(priorityClassName=name))["spec"]["priority"] == value


def test_a_missing_priority_class_is_refused(api):
    before = stored(api)
    with pytest.raises(Forbidden) as caught:
        api.create(pod(priorityClassName="nope"))
    assert caught.value.message == 'pods "web" is forbidden: no PriorityClass with name nope was found'
    assert stored(api) == before


def test_a_pod_may_not_name_a_priority_other_than_its_classs(api):
    api.create(priority_class("high", 1000))
    with pytest.raises(
        Forbidden, match=r"the integer value of priority \(7\) must not be provided in pod spec"
    ):
        api.create(pod(priorityClassName="high", priority=7))


def test_a_pods_priority_does_not_follow_later_changes_to_its_class(api):
    api.create(priority_class("high", 1000))
    api.create(pod(priorityClassName="high"))
    api.delete("priorityclasses", "high")
    api.create(priority_class("high", 5))
    replaced = pod(priorityClassName="high")
    replaced["metadata"]["labels"] = {"replaced": "yes"}
    assert api.update(replaced)["spec"]["priority"] == 1000
