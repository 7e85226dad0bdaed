"""Watch: the API server's stream of ADDED, MODIFIED and DELETED events, specified as kube-apiserver's.

A watch is an etcd watch on the resource's key prefix, translated into
events; a selector turns an object that stops matching into DELETED and one
that starts matching into ADDED. Events are handed over by the event loop,
so nothing arrives until the loop runs. The last test is a property: a list
plus a watch from the list's resourceVersion always rebuilds what a list at
the end returns.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from k8slab.api.errors import BadRequest, Expired, StatusError
from k8slab.api.server import APIServer, WatchEvent
from k8slab.sim import Loop
from k8slab.store import Store


def pod(name: str, labels: dict | None = None, namespace: str | None = None) -> dict:
    metadata: dict = {"name": name, "labels": dict(labels or {})}
    if namespace:
        metadata["namespace"] = namespace
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": metadata,
        "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]},
    }


def relabel(api: APIServer, name: str, labels: dict) -> dict:
    obj = api.get("pods", name)
    obj["metadata"]["labels"] = dict(labels)
    return api.update(obj)


def seen(watch) -> list[tuple[str, str]]:
    return [(event.type, event.object["metadata"]["name"]) for event in watch.events]


def seen_with_versions(watch) -> list[tuple[str, str, str]]:
    return [
        (e.type, e.object["metadata"]["name"], e.object["metadata"]["resourceVersion"]) for e in watch.events
    ]


@pytest.fixture
def api() -> APIServer:
    return APIServer(Store(Loop(seed=0, strict=True)))


# ---------------------------------------------------------------------------------------------------------
# Without a resourceVersion: what exists, then what changes
# ---------------------------------------------------------------------------------------------------------


def test_a_watch_without_a_resource_version_starts_with_added_for_what_exists(api):
    api.create(pod("a"))
    api.create(pod("b"))
    watch = api.watch("pods")
    api.loop.run()
    assert seen(watch) == [("ADDED", "a"), ("ADDED", "b")]


def test_then_it_sends_each_change(api):
    api.create(pod("a"))
    watch = api.watch("pods")
    api.create(pod("b"))
    relabel(api, "a", {"x": "y"})
    api.delete("pods", "b")
    api.loop.run()
    assert seen(watch) == [("ADDED", "a"), ("ADDED", "b"), ("MODIFIED", "a"), ("DELETED", "b")]


def test_resource_version_0_also_starts_with_what_exists(api):
    api.create(pod("a"))
    watch = api.watch("pods", resource_version="0")
    api.loop.run()
    assert seen(watch) == [("ADDED", "a")]


def test_events_arrive_only_when_the_loop_runs(api):
    api.create(pod("a"))
    watch = api.watch("pods")
    api.create(pod("b"))
    assert watch.events == []
    api.loop.run()
    assert len(watch.events) == 2


def test_an_event_reads_like_the_json_a_client_receives(api):
    watch = api.watch("pods")
    created = api.create(pod("a"))
    api.loop.run()
    event = watch.events[0]
    assert isinstance(event, WatchEvent)
    assert (event["type"], event["object"]) == ("ADDED", created)


def test_a_watch_in_a_namespace_sees_only_that_namespace(api):
    api.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "dev"}})
    watch = api.watch("pods", namespace="dev")
    api.create(pod("a"))
    api.create(pod("b", namespace="dev"))
    api.loop.run()
    assert seen(watch) == [("ADDED", "b")]


def test_a_watch_on_a_resource_sees_no_other_resource(api):
    watch = api.watch("pods")
    api.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}})
    api.loop.run()
    assert watch.events == []


def test_two_watches_see_the_same_events(api):
    first, second = api.watch("pods"), api.watch("pods")
    api.create(pod("a"))
    relabel(api, "a", {"x": "y"})
    api.loop.run()
    assert seen_with_versions(first) == seen_with_versions(second) != []


# ---------------------------------------------------------------------------------------------------------
# From a resourceVersion: every change after it, once, in order
# ---------------------------------------------------------------------------------------------------------


def test_a_watch_from_a_resource_version_sends_every_later_change_once_in_order(api):
    api.create(pod("a"))
    start = api.list("pods")["metadata"]["resourceVersion"]
    versions = [
        api.create(pod("b"))["metadata"]["resourceVersion"],
        relabel(api, "a", {"x": "1"})["metadata"]["resourceVersion"],
        relabel(api, "b", {"x": "2"})["metadata"]["resourceVersion"],
    ]
    watch = api.watch("pods", resource_version=start)
    api.delete("pods", "a")
    api.loop.run()
    assert seen_with_versions(watch) == [
        ("ADDED", "b", versions[0]),
        ("MODIFIED", "a", versions[1]),
        ("MODIFIED", "b", versions[2]),
        ("DELETED", "a", str(api.store.revision)),
    ]


def test_a_watch_from_a_resource_version_sends_nothing_from_before_it(api):
    api.create(pod("a"))
    watch = api.watch("pods", resource_version=api.store.revision)
    api.loop.run()
    assert watch.events == []


def test_modified_carries_the_new_state(api):
    api.create(pod("a"))
    watch = api.watch("pods", resource_version=api.store.revision)
    updated = relabel(api, "a", {"x": "y"})
    api.loop.run()
    assert watch.events[0].object == updated


def test_deleted_carries_the_last_state_with_the_resource_version_of_the_delete(api):
    api.create(pod("a"))
    last = relabel(api, "a", {"x": "y"})
    watch = api.watch("pods", resource_version=api.store.revision)
    api.delete("pods", "a")
    api.loop.run()
    (event,) = watch.events
    assert event.type == "DELETED"
    assert event.object["metadata"]["labels"] == last["metadata"]["labels"]
    assert event.object["metadata"]["uid"] == last["metadata"]["uid"]
    assert event.object["metadata"]["resourceVersion"] == str(api.store.revision)


def test_a_graceful_delete_is_modified_then_deleted(api):
    api.create(pod("a"))
    api.bind("default", "a", "node-1")
    watch = api.watch("pods", resource_version=api.store.revision)
    api.delete("pods", "a")
    api.delete("pods", "a", grace_period_seconds=0)
    api.loop.run()
    assert seen(watch) == [("MODIFIED", "a"), ("DELETED", "a")]
    assert watch.events[0].object["metadata"]["deletionTimestamp"] == "2024-01-01T00:00:30Z"


def test_deleting_a_namespace_sends_deleted_for_each_of_its_objects(api):
    api.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "dev"}})
    api.create(pod("a", namespace="dev"))
    api.create(pod("b", namespace="dev"))
    watch = api.watch("pods", resource_version=api.store.revision)
    api.delete("namespaces", "dev")
    api.loop.run()
    assert seen(watch) == [("DELETED", "a"), ("DELETED", "b")]


def test_a_watch_of_namespaces_sees_one_terminate_then_go(api):
    api.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "dev"}})
    watch = api.watch("namespaces", resource_version=api.store.revision)
    api.delete("namespaces", "dev")
    api.loop.run()
    assert seen(watch) == [("MODIFIED", "dev"), ("DELETED", "dev")]
    assert watch.events[0].object["status"]["phase"] == "Terminating"


# ---------------------------------------------------------------------------------------------------------
# Selectors
# ---------------------------------------------------------------------------------------------------------


def test_a_label_selector_watch_starts_with_the_matching_objects_only(api):
    api.create(pod("a", {"app": "web"}))
    api.create(pod("b", {"app": "db"}))
    watch = api.watch("pods", label_selector="app=web")
    api.loop.run()
    assert seen(watch) == [("ADDED", "a")]


def test_an_object_whose_labels_stop_matching_is_deleted_with_its_last_matching_state(api):
    api.create(pod("a", {"app": "web"}))
    watch = api.watch("pods", label_selector="app=web", resource_version=api.store.revision)
    relabel(api, "a", {"app": "db"})
    api.loop.run()
    assert seen(watch) == [("DELETED", "a")]
    assert watch.events[0].object["metadata"]["labels"] == {"app": "web"}
    assert watch.events[0].object["metadata"]["resourceVersion"] == str(api.store.revision)


def test_an_object_whose_labels_start_matching_is_added(api):
    api.create(pod("a", {"app": "db"}))
    watch = api.watch("pods", label_selector="app=web", resource_version=api.store.revision)
    relabel(api, "a", {"app": "web"})
    api.loop.run()
    assert seen(watch) == [("ADDED", "a")]


def test_changes_to_an_object_that_never_matches_are_not_sent(api):
    api.create(pod("a", {"app": "db"}))
    watch = api.watch("pods", label_selector="app=web", resource_version=api.store.revision)
    relabel(api, "a", {"app": "cache"})
    api.delete("pods", "a")
    api.loop.run()
    assert watch.events == []


def test_a_set_based_label_selector_watch(api):
    watch = api.watch("pods", label_selector="app in (web,db),!canary")
    api.create(pod("a", {"app": "web"}))
    api.create(pod("b", {"app": "db", "canary": "yes"}))
    api.create(pod("c", {"app": "cache"}))
    relabel(api, "b", {"app": "db"})
    api.loop.run()
    assert seen(watch) == [("ADDED", "a"), ("ADDED", "b")]


def test_a_field_selector_watch_on_the_node_name_sees_pods_bound_to_it(api):
    """What each kubelet does: watch the pods bound to its own node."""
    api.create(pod("a"))
    api.create(pod("b"))
    kubelet = api.watch("pods", field_selector="spec.nodeName=node-1")
    api.bind("default", "a", "node-1")
    api.bind("default", "b", "node-2")
    api.delete("pods", "a")
    api.delete("pods", "a", grace_period_seconds=0)
    api.loop.run()
    assert seen(kubelet) == [("ADDED", "a"), ("MODIFIED", "a"), ("DELETED", "a")]


def test_a_field_selector_watch_for_unscheduled_pods(api):
    """What the scheduler does: watch the pods that have no node yet."""
    api.create(pod("a"))
    scheduler = api.watch("pods", field_selector="spec.nodeName=")
    api.create(pod("b"))
    api.bind("default", "a", "node-1")
    api.loop.run()
    assert seen(scheduler) == [("ADDED", "a"), ("ADDED", "b"), ("DELETED", "a")]


def test_a_pod_moving_between_nodes_is_deleted_from_one_kubelet_watch_and_added_to_the_other(api):
    """The watch cache finds node watches through its spec.nodeName index, for the old and the new node."""
    api.create(pod("a"))
    api.bind("default", "a", "node-1")
    on_1 = api.watch("pods", field_selector="spec.nodeName=node-1", resource_version=api.store.revision)
    on_2 = api.watch("pods", field_selector="spec.nodeName=node-2", resource_version=api.store.revision)
    moved = api.get("pods", "a")
    moved["spec"]["nodeName"] = "node-2"
    api.store.put("/registry/pods/default/a", api._encode(moved))  # no verb moves a pod; etcd can
    api.loop.run()
    assert seen(on_1) == [("DELETED", "a")]
    assert on_1.events[0].object["spec"]["nodeName"] == "node-1"  # the last state node-1's watch matched
    assert seen(on_2) == [("ADDED", "a")]
    assert on_1.events[0].object["metadata"]["resourceVersion"] == str(api.store.revision)


def test_node_watches_are_not_asked_about_pods_on_other_nodes(api):
    """5,000 kubelets: a pod's event reaches its own node's watch, and no other is even scheduled."""
    watches = [api.watch("pods", field_selector=f"spec.nodeName=node-{i}") for i in range(50)]
    api.loop.run()
    api.create(pod("a"))
    api.bind("default", "a", "node-7")
    assert [w._scheduled for w in watches].count(True) == 1
    api.loop.run()
    assert [len(w.events) for w in watches] == [1 if i == 7 else 0 for i in range(50)]


def test_a_node_watch_with_a_label_selector_checks_both(api):
    watch = api.watch("pods", label_selector="app=web", field_selector="spec.nodeName=node-1")
    api.create(pod("a", {"app": "web"}))
    api.create(pod("b", {"app": "db"}))
    api.bind("default", "a", "node-1")
    api.bind("default", "b", "node-1")
    relabel(api, "a", {"app": "db"})
    api.loop.run()
    assert seen(watch) == [("ADDED", "a"), ("DELETED", "a")]


def test_indexed_and_unindexed_watches_get_events_in_the_order_they_were_opened(api):
    order = []
    api.watch("pods", callback=lambda e: order.append("everything-1"))
    api.watch("pods", field_selector="spec.nodeName=node-1", callback=lambda e: order.append("node-1"))
    api.watch("pods", callback=lambda e: order.append("everything-2"))
    api.create(pod("a"))
    api.loop.run()
    api.bind("default", "a", "node-1")
    api.loop.run()
    assert order == ["everything-1", "everything-2", "everything-1", "node-1", "everything-2"]


NODE_SELECTORS = ("spec.nodeName=node-1", "spec.nodeName=node-2", "spec.nodeName=", "spec.nodeName!=node-1")


@settings(max_examples=60, deadline=None)
@given(operations=st.lists(st.tuples(
    st.sampled_from(("create", "bind-1", "bind-2", "delete", "delete now", "relabel", "run the loop")),
    st.sampled_from(("p0", "p1", "p2")), st.sampled_from([{}, {"app": "web"}])), max_size=25))
def test_indexed_node_watches_see_what_checking_every_event_would(operations):
    """The index only skips watches that could not match: the same events as filtering every event."""
    api = APIServer(Store(Loop(seed=0, strict=True)))
    watches = {selector: api.watch("pods", field_selector=selector) for selector in NODE_SELECTORS}
    everything = api.watch("pods")
    for verb, name, labels in operations:
        try:
            if verb == "create":
                api.create(pod(name, labels))
            elif verb.startswith("bind"):
                api.bind("default", name, f"node-{verb[-1]}")
            elif verb == "relabel":
                relabel(api, name, labels)
            elif verb == "delete":
                api.delete("pods", name)
            elif verb == "delete now":
                api.delete("pods", name, grace_period_seconds=0)
            else:
                api.loop.run()
        except StatusError:
            pass
    api.loop.run()
    last: dict[str, dict | None] = {}  # what every-event filtering would compute, from the full stream
    expected: dict[str, list[tuple[str, str, str]]] = {s: [] for s in NODE_SELECTORS}
    for event in everything.events:
        name = event.object["metadata"]["name"]
        old, new = last.get(name), (None if event.type == "DELETED" else event.object)
        for selector in NODE_SELECTORS:
            field, value = selector.replace("!=", "=").split("=")
            negate = "!=" in selector

            def matches(obj, value=value, negate=negate):
                return obj is not None and ((obj["spec"].get("nodeName") or "") == value) != negate

            rv = event.object["metadata"]["resourceVersion"]
            if matches(new):
                expected[selector].append(("MODIFIED" if matches(old) else "ADDED", name, rv))
            elif matches(old):
                expected[selector].append(("DELETED", name, rv))
        last[name] = new
    for selector, watch in watches.items():
        assert seen_with_versions(watch) == expected[selector], selector


def test_label_and_field_selectors_together(api):
    watch = api.watch("pods", label_selector="app=web", field_selector="metadata.name!=b")
    api.create(pod("a", {"app": "web"}))
    api.create(pod("b", {"app": "web"}))
    api.loop.run()
    assert seen(watch) == [("ADDED", "a")]


# ---------------------------------------------------------------------------------------------------------
# Refused watches
# ---------------------------------------------------------------------------------------------------------


def test_a_compacted_resource_version_is_expired(api):
    api.create(pod("a"))
    old = api.store.revision
    relabel(api, "a", {"x": "1"})
    relabel(api, "a", {"x": "2"})
    api.store.compact(api.store.revision)
    with pytest.raises(Expired) as caught:
        api.watch("pods", resource_version=old)
    assert caught.value.code == 410
    assert caught.value.message == f"too old resource version: {old} ({api.store.revision})"


def test_the_compacted_revision_itself_may_still_be_watched_from(api):
    api.create(pod("a"))
    relabel(api, "a", {"x": "1"})
    api.store.compact(api.store.revision)
    watch = api.watch("pods", resource_version=api.store.revision)
    relabel(api, "a", {"x": "2"})
    api.loop.run()
    assert seen(watch) == [("MODIFIED", "a")]


def test_a_resource_version_in_the_future_is_a_bad_request(api):
    future = api.store.revision + 10
    with pytest.raises(BadRequest) as caught:
        api.watch("pods", resource_version=future)
    assert caught.value.code == 400
    assert caught.value.message == f"Too large resource version: {future}, current: {api.store.revision}"


@pytest.mark.parametrize("resource_version", ["abc", "-1", -1, "1.5"])
def test_a_resource_version_that_is_not_a_revision_is_a_bad_request(api, resource_version):
    with pytest.raises(BadRequest, match="^invalid resource version: "):
        api.watch("pods", resource_version=resource_version)


@pytest.mark.parametrize(("label_selector", "field_selector"), [("app in (", None), (None, "spec.foo=1")])
def test_a_malformed_selector_is_a_bad_request(api, label_selector, field_selector):
    with pytest.raises(BadRequest):
        api.watch("pods", label_selector=label_selector, field_selector=field_selector)


def test_a_refused_watch_leaves_no_watcher_behind(api):
    watchers = api.watch_count()
    with pytest.raises(StatusError):
        api.watch("pods", resource_version=api.store.revision + 1)
    assert api.watch_count() == watchers


def test_watches_are_in_the_request_log(api):
    api.watch("pods", namespace="default")
    with pytest.raises(BadRequest):
        api.watch("pods", resource_version=10_000)
    assert [(r.verb, r.resource, r.namespace, r.code) for r in api.requests] == [
        ("watch", "pods", "default", 200),
        ("watch", "pods", "", 400),
    ]


# ---------------------------------------------------------------------------------------------------------
# Stopping, and callbacks
# ---------------------------------------------------------------------------------------------------------


def test_stop_stops_delivery(api):
    watch = api.watch("pods")
    api.create(pod("a"))
    api.loop.run()
    watch.stop()
    api.create(pod("b"))
    api.loop.run()
    assert seen(watch) == [("ADDED", "a")]
    assert watch.stopped


def test_stop_before_the_loop_runs_drops_even_the_initial_events(api):
    api.create(pod("a"))
    watch = api.watch("pods")
    api.create(pod("b"))
    watch.stop()
    api.loop.run()
    assert watch.events == []


def test_stop_lets_go_of_the_store_watcher(api):
    watchers = api.watch_count()
    watch = api.watch("pods")
    assert api.watch_count() == watchers + 1
    watch.stop()
    assert api.watch_count() == watchers


def test_stopping_twice_is_harmless(api):
    watch = api.watch("pods")
    watch.stop()
    watch.stop()
    assert watch.stopped


def test_a_callback_gets_the_events_in_order(api):
    api.create(pod("a"))
    received: list[tuple[str, str]] = []
    watch = api.watch("pods", callback=lambda e: received.append((e.type, e.object["metadata"]["name"])))
    api.create(pod("b"))
    relabel(api, "a", {"x": "y"})
    api.delete("pods", "b")
    api.loop.run()
    assert received == [("ADDED", "a"), ("ADDED", "b"), ("MODIFIED", "a"), ("DELETED", "b")]
    assert watch.events == []


def test_a_callback_may_stop_its_own_watch(api):
    received = []

    def once(event):
        received.append(event.type)
        watch.stop()

    watch = api.watch("pods", callback=once)
    api.create(pod("a"))
    api.create(pod("b"))
    api.loop.run()
    assert received == ["ADDED"]


def test_a_callback_that_writes_sees_its_own_write_later(api):
    """A controller reacting to an event by writing: the write comes back as a later event."""
    received = []

    def label_new_pods(event):
        received.append((event.type, event.object["metadata"].get("labels", {}).get("seen")))
        if event.type == "ADDED":
            relabel(api, event.object["metadata"]["name"], {"seen": "yes"})

    api.watch("pods", callback=label_new_pods)
    api.create(pod("a"))
    api.loop.run()
    assert received == [("ADDED", None), ("MODIFIED", "yes")]


# ---------------------------------------------------------------------------------------------------------
# Property: list + watch from the list's resourceVersion = a list at the end
# ---------------------------------------------------------------------------------------------------------

NAMES = ("p0", "p1", "p2")
LABELS = st.sampled_from(
    [{}, {"app": "web"}, {"app": "db"}, {"app": "web", "tier": "front"}, {"tier": "back"}]
)
SELECTORS = st.sampled_from(
    [None, "app=web", "app in (web,db)", "!tier", "app=web,tier=front", "tier", "app!=web"]
)
#: Relabelling is listed most often: it is what moves objects in and out of a selector.
VERBS = ("create", "create", "relabel", "relabel", "relabel", "bind", "delete", "delete now", "run the loop")
OPERATIONS = st.tuples(st.sampled_from(VERBS), st.sampled_from(NAMES), LABELS)


def apply(api: APIServer, operation: tuple) -> None:
    verb, *args = operation  # (verb, name, labels); each verb takes what it needs
    try:
        if verb == "create":
            api.create(pod(args[0], args[1]))
        elif verb == "relabel":
            relabel(api, args[0], args[1])
        elif verb == "bind":
            api.bind("default", args[0], "node-1")
        elif verb == "delete":
            api.delete("pods", args[0])
        elif verb == "delete now":
            api.delete("pods", args[0], grace_period_seconds=0)
        else:
            api.loop.run()
    except StatusError:
        pass  # AlreadyExists, NotFound, Conflict: the sequence goes on, as a client's would


def matching(api: APIServer, selector: str | None) -> dict[str, str]:
    listed = api.list("pods", "default", label_selector=selector)
    return {item["metadata"]["name"]: item["metadata"]["resourceVersion"] for item in listed["items"]}


@settings(max_examples=150, deadline=None)
@given(
    before=st.lists(OPERATIONS, max_size=12),
    after=st.lists(OPERATIONS, max_size=20),
    selector=SELECTORS,
)
def test_a_list_then_a_watch_from_its_resource_version_rebuilds_the_final_list(before, after, selector):
    api = APIServer(Store(Loop(seed=0, strict=True)))
    for operation in before:
        apply(api, operation)
    listed = api.list("pods", "default", label_selector=selector)
    state = {item["metadata"]["name"]: item["metadata"]["resourceVersion"] for item in listed["items"]}
    watch = api.watch(
        "pods", "default", label_selector=selector, resource_version=listed["metadata"]["resourceVersion"]
    )
    for operation in after:
        apply(api, operation)
    api.loop.run()
    for event in watch.events:
        name, version = event.object["metadata"]["name"], event.object["metadata"]["resourceVersion"]
        if event.type == "ADDED":
            assert name not in state
            state[name] = version
        elif event.type == "MODIFIED":
            assert name in state
            state[name] = version
        else:
            assert state.pop(name)
    assert state == matching(api, selector)
    versions = [int(e.object["metadata"]["resourceVersion"]) for e in watch.events]
    assert versions == sorted(versions)
