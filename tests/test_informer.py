"""The informer: list, then watch; a cache that stays equal to the API server's view; handlers in order."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from k8slab.api.errors import AlreadyExists, BadRequest, NotFound
from k8slab.api.server import APIServer
from k8slab.client import Client, Informer, key_of
from k8slab.sim import Loop
from k8slab.store import Store


def make_api(strict: bool = True) -> APIServer:
    return APIServer(Store(Loop(strict=strict)))


def config_map(name: str, namespace: str = "default", labels: dict | None = None, **data: str) -> dict:
    metadata = {"name": name, "namespace": namespace, "labels": dict(labels or {})}
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata, "data": dict(data)}


def pod(name: str, node: str = "") -> dict:
    spec = {"containers": [{"name": "app", "image": "nginx:1.27"}]}
    if node:
        spec["nodeName"] = node
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec}


def record(informer: Informer) -> list[tuple]:
    """Every handler call, as (kind, key, resourceVersion(s)), in the order the loop made them."""
    seen: list[tuple] = []
    informer.add_event_handler(
        on_add=lambda obj: seen.append(("add", key_of(obj))),
        on_update=lambda old, new: seen.append(("update", key_of(new))),
        on_delete=lambda obj: seen.append(("delete", key_of(obj))),
    )
    return seen


def fresh_list(client: Client, resource: str, **selectors) -> dict[str, dict]:
    return {key_of(obj): obj for obj in client.list(resource, **selectors)["items"]}


def cache_of(informer: Informer) -> dict[str, dict]:
    return {key: informer.get(key) for key in informer.keys()}


def update_data(client: Client, name: str, **data: str) -> dict:
    current = client.get("configmaps", name)
    current["data"].update(data)
    return client.update(current)


# -- list, then watch ----------------------------------------------------------------------


def test_the_initial_list_then_later_changes_reach_the_handlers_in_order():
    api = make_api()
    client = Client(api, user="test-controller")
    client.create(config_map("a"))
    client.create(config_map("b"))
    informer = Informer(client, "configmaps", namespace="default")
    seen = record(informer)
    informer.run()
    client.create(config_map("c"))
    update_data(client, "a", mode="on")
    client.delete("configmaps", "b")
    api.loop.run()
    assert seen == [
        ("add", "default/a"),
        ("add", "default/b"),
        ("add", "default/c"),
        ("update", "default/a"),
        ("delete", "default/b"),
    ]


def test_the_cache_is_filled_and_synced_as_soon_as_run_returns():
    client = Client(make_api())
    client.create(config_map("a", mode="x"))
    informer = Informer(client, "configmaps")
    assert not informer.has_synced
    informer.run()
    assert informer.has_synced
    assert informer.get("default/a")["data"] == {"mode": "x"}
    assert informer.keys() == ["default/a"]
    assert len(informer) == 1


def test_handlers_are_called_by_the_loop_not_during_run():
    client = Client(make_api())
    client.create(config_map("a"))
    informer = Informer(client, "configmaps")
    seen = record(informer)
    informer.run()
    assert seen == []
    client.loop.run()
    assert seen == [("add", "default/a")]


def test_the_informer_watches_from_the_lists_resource_version():
    api = make_api()
    client = Client(api)
    client.create(config_map("a"))
    informer = Informer(client, "configmaps")
    informer.run()
    assert informer.last_sync_resource_version == str(api.store.revision)
    created = client.create(config_map("b"))
    api.loop.run()
    assert informer.last_sync_resource_version == created["metadata"]["resourceVersion"]


def test_a_handler_receives_old_and_new_objects_on_update():
    client = Client(make_api())
    client.create(config_map("a", mode="off"))
    informer = Informer(client, "configmaps")
    updates = []
    informer.add_event_handler(on_update=lambda old, new: updates.append((old["data"], new["data"])))
    informer.run()
    update_data(client, "a", mode="on")
    client.loop.run()
    assert updates == [({"mode": "off"}, {"mode": "on"})]


def test_a_deleted_object_leaves_the_cache_and_the_handler_gets_its_last_state():
    client = Client(make_api())
    client.create(config_map("a", mode="last"))
    informer = Informer(client, "configmaps")
    deleted = []
    informer.add_event_handler(on_delete=deleted.append)
    informer.run()
    client.delete("configmaps", "a")
    client.loop.run()
    assert informer.get("default/a") is None
    assert [obj["data"] for obj in deleted] == [{"mode": "last"}]


def test_the_cache_shares_the_watch_events_objects_instead_of_copying_each():
    """As a client-go shared informer: one object per change, read by every watcher, copied by none."""
    api = make_api()
    client = Client(api)
    informer = Informer(client, "configmaps")
    informer.run()
    raw = api.watch("configmaps", resource_version=api.store.revision)
    client.create(config_map("a"))
    api.loop.run()
    assert informer.get("default/a") is raw.events[0].object


def test_a_strict_loop_reports_a_cached_object_changed_in_place():
    api = make_api()
    client = Client(api)
    informer = Informer(client, "configmaps")
    informer.run()
    client.create(config_map("a", mode="one"))
    api.loop.run()
    informer.get("default/a")["data"]["mode"] = "changed in place"  # the bug: no deep_copy first
    fresh = client.get("configmaps", "a")
    fresh["data"]["mode"] = "two"
    client.update(fresh)
    with pytest.raises(RuntimeError, match="changed in place"):
        api.loop.run()


def test_handlers_run_after_the_cache_took_the_change_and_may_see_newer_state():
    client = Client(make_api())
    client.create(config_map("a", step="0"))
    informer = Informer(client, "configmaps")
    informer.run()
    client.loop.run()
    seen_in_cache = []

    def on_update(old, new):
        seen_in_cache.append((new["data"]["step"], informer.get("default/a")["data"]["step"]))

    informer.add_event_handler(on_update=on_update)
    update_data(client, "a", step="1")
    update_data(client, "a", step="2")
    client.loop.run()
    assert seen_in_cache == [("1", "2"), ("2", "2")]


def test_the_informers_requests_carry_its_clients_user():
    api = make_api()
    Informer(Client(api, user="system:kube-scheduler"), "pods").run()
    assert [(r.verb, r.user) for r in api.requests] == [
        ("list", "system:kube-scheduler"),
        ("watch", "system:kube-scheduler"),
    ]


def test_a_bad_selector_fails_run_at_once():
    informer = Informer(Client(make_api()), "pods", label_selector="app in (")
    with pytest.raises(BadRequest):
        informer.run()


def test_an_informer_needs_a_client_not_the_api_server():
    with pytest.raises(TypeError, match="needs a k8slab.client.Client"):
        Informer(make_api(), "pods")


def test_an_informer_refuses_a_negative_resync_period():
    with pytest.raises(ValueError, match="resync_period"):
        Informer(Client(make_api()), "pods", resync_period=-1)


def test_running_an_informer_twice_lists_once():
    api = make_api()
    informer = Informer(Client(api), "pods")
    informer.run()
    informer.run()
    assert [r.verb for r in api.requests] == ["list", "watch"]


# -- what an informer sees: namespace and selectors ----------------------------------------


def test_a_namespaced_informer_sees_only_its_namespace():
    client = Client(make_api())
    informer = Informer(client, "configmaps", namespace="kube-system")
    seen = record(informer)
    informer.run()
    client.create(config_map("a", namespace="default"))
    client.create(config_map("b", namespace="kube-system"))
    client.loop.run()
    assert informer.keys() == ["kube-system/b"]
    assert seen == [("add", "kube-system/b")]


def test_a_label_selector_informer_adds_objects_that_start_matching_and_deletes_those_that_stop():
    client = Client(make_api())
    client.create(config_map("web", labels={"app": "web"}))
    client.create(config_map("db", labels={"app": "db"}))
    informer = Informer(client, "configmaps", label_selector="app=web")
    seen = record(informer)
    informer.run()
    client.patch("configmaps", "db", {"metadata": {"labels": {"app": "web"}}})  # starts matching
    client.patch("configmaps", "web", {"metadata": {"labels": {"app": "api"}}})  # stops matching
    client.patch("configmaps", "db", {"data": {"tier": "back"}})  # changes while matching
    client.create(config_map("cache", labels={"app": "redis"}))  # never matches
    client.loop.run()
    assert seen == [
        ("add", "default/web"),
        ("add", "default/db"),
        ("delete", "default/web"),
        ("update", "default/db"),
    ]
    assert cache_of(informer) == fresh_list(client, "configmaps", label_selector="app=web")


def test_a_field_selector_informer_sees_the_pods_of_one_node():
    client = Client(make_api())
    client.create(pod("on-1", node="node-1"))
    client.create(pod("on-2", node="node-2"))
    client.create(pod("pending"))
    informer = Informer(client, "pods", field_selector="spec.nodeName=node-1")
    informer.run()
    client.bind("default", "pending", "node-1")
    client.loop.run()
    assert informer.keys() == ["default/on-1", "default/pending"]


# -- indexes -----------------------------------------------------------------------------


def by_team(obj: dict) -> list[str]:
    team = obj["metadata"].get("labels", {}).get("team")
    return [team] if team else []


def test_an_index_finds_objects_by_value_and_follows_their_changes():
    client = Client(make_api())
    client.create(config_map("a", labels={"team": "red"}))
    client.create(config_map("b", labels={"team": "blue"}))
    informer = Informer(client, "configmaps")
    informer.add_index("team", by_team)
    informer.run()
    client.create(config_map("c", labels={"team": "red"}))
    client.patch("configmaps", "a", {"metadata": {"labels": {"team": "blue"}}})
    client.delete("configmaps", "b")
    client.create(config_map("d"))  # filed under no value
    client.loop.run()
    assert [key_of(obj) for obj in informer.by_index("team", "red")] == ["default/c"]
    assert informer.index_keys("team", "blue") == ["default/a"]
    assert informer.by_index("team", "green") == []


def test_pods_can_be_indexed_by_node_name():
    client = Client(make_api())
    client.create(pod("web-1", node="node-1"))
    client.create(pod("web-2", node="node-2"))
    client.create(pod("web-3"))
    informer = Informer(client, "pods")
    informer.add_index("nodeName", lambda p: [p["spec"].get("nodeName") or ""])
    informer.run()
    client.bind("default", "web-3", "node-1")
    client.loop.run()
    assert informer.index_keys("nodeName", "node-1") == ["default/web-1", "default/web-3"]
    assert informer.index_keys("nodeName", "") == []


def test_an_index_added_after_sync_files_the_objects_already_cached():
    client = Client(make_api())
    client.create(config_map("a", labels={"team": "red"}))
    informer = Informer(client, "configmaps")
    informer.run()
    informer.add_index("team", by_team)
    assert informer.index_keys("team", "red") == ["default/a"]


def test_asking_an_unknown_index_is_an_error():
    informer = Informer(Client(make_api()), "configmaps")
    with pytest.raises(KeyError, match='index with name "team" does not exist'):
        informer.by_index("team", "red")


def test_two_indexes_cannot_share_a_name():
    informer = Informer(Client(make_api()), "configmaps")
    informer.add_index("team", by_team)
    with pytest.raises(ValueError, match="indexer conflict"):
        informer.add_index("team", by_team)


# -- resync --------------------------------------------------------------------------------


def test_resync_calls_on_update_with_the_same_object_for_every_cached_object_each_period():
    client = Client(make_api())
    client.create(config_map("a"))
    client.create(config_map("b"))
    informer = Informer(client, "configmaps", resync_period=30)
    resyncs = []
    informer.add_event_handler(
        on_update=lambda old, new: resyncs.append((client.loop.now, key_of(new), old is new))
    )
    informer.run()
    client.loop.run(seconds=29)
    assert resyncs == []
    client.loop.run(seconds=40)
    assert resyncs == [
        (30.0, "default/a", True),
        (30.0, "default/b", True),
        (60.0, "default/a", True),
        (60.0, "default/b", True),
    ]


def test_without_a_resync_period_an_idle_informer_leaves_nothing_on_the_loop():
    client = Client(make_api())
    Informer(client, "configmaps").run()
    client.loop.run()
    assert client.loop.pending() == 0


def test_stop_ends_the_resyncs_and_the_watch():
    client = Client(make_api())
    client.create(config_map("a"))
    informer = Informer(client, "configmaps", resync_period=10)
    seen = record(informer)
    informer.run()
    client.loop.run(seconds=1)
    informer.stop()
    client.create(config_map("b"))
    client.loop.run(seconds=60)
    assert seen == [("add", "default/a")]
    assert informer.keys() == ["default/a"]
    with pytest.raises(RuntimeError, match="was stopped"):
        informer.run()


# -- a broken watch: resume, or relist after compaction (410 Expired) -----------------------


def test_a_restarted_watch_resumes_from_the_last_resource_version_without_listing():
    api = make_api()
    client = Client(api)
    client.create(config_map("a"))
    informer = Informer(client, "configmaps")
    seen = record(informer)
    informer.run()
    api.loop.run()
    client.create(config_map("b"))  # on its way to the informer when the watch breaks
    informer.restart_watch()
    api.loop.run()
    assert seen == [("add", "default/a"), ("add", "default/b")]
    assert informer.relists == 0
    assert [r.verb for r in api.requests].count("list") == 1


def test_after_compaction_a_restarted_watch_relists_and_replays_only_the_differences():
    api = make_api()
    client = Client(api)
    for name in ("a", "b", "c"):
        client.create(config_map(name, mode="1"))
    informer = Informer(client, "configmaps")
    seen = record(informer)
    informer.run()
    api.loop.run()
    seen.clear()
    # While the watch is broken: a changes, b goes, d arrives, and etcd forgets the history.
    update_data(client, "a", mode="2")
    client.delete("configmaps", "b")
    client.create(config_map("d", mode="1"))
    api.store.compact(api.store.revision)
    informer.restart_watch()
    api.loop.run()
    assert informer.relists == 1
    assert [(r.verb, r.code) for r in api.requests][-3:] == [("watch", 410), ("list", 200), ("watch", 200)]
    assert seen == [("update", "default/a"), ("add", "default/d"), ("delete", "default/b")]
    assert cache_of(informer) == fresh_list(client, "configmaps")


def test_after_a_relist_the_informer_keeps_watching():
    api = make_api()
    client = Client(api)
    informer = Informer(client, "configmaps")
    seen = record(informer)
    informer.run()
    client.create(config_map("a"))
    api.store.compact(api.store.revision)
    informer.restart_watch()
    api.loop.run()
    client.create(config_map("b"))
    api.loop.run()
    assert seen == [("add", "default/a"), ("add", "default/b")]


def test_a_relist_deletes_objects_that_stopped_matching_the_selector():
    api = make_api()
    client = Client(api)
    client.create(config_map("web", labels={"app": "web"}))
    informer = Informer(client, "configmaps", label_selector="app=web")
    seen = record(informer)
    informer.run()
    api.loop.run()
    client.patch("configmaps", "web", {"metadata": {"labels": {"app": "api"}}})
    api.store.compact(api.store.revision)
    informer.restart_watch()
    api.loop.run()
    assert seen == [("add", "default/web"), ("delete", "default/web")]
    assert informer.keys() == []


# -- handlers --------------------------------------------------------------------------------


def test_a_handler_added_after_sync_first_gets_adds_for_what_is_cached():
    client = Client(make_api())
    client.create(config_map("a"))
    client.create(config_map("b"))
    informer = Informer(client, "configmaps")
    informer.run()
    client.loop.run()
    seen = record(informer)
    client.create(config_map("c"))
    client.loop.run()
    assert seen == [("add", "default/a"), ("add", "default/b"), ("add", "default/c")]


def test_each_handler_gets_every_event_in_order_one_handler_after_the_other():
    client = Client(make_api())
    informer = Informer(client, "configmaps")
    calls = []
    informer.add_event_handler(on_add=lambda obj: calls.append(("first", key_of(obj))))
    informer.add_event_handler(on_add=lambda obj: calls.append(("second", key_of(obj))))
    informer.run()
    client.create(config_map("a"))
    client.create(config_map("b"))
    client.loop.run()
    assert calls == [
        ("first", "default/a"),
        ("second", "default/a"),
        ("first", "default/b"),
        ("second", "default/b"),
    ]


def test_a_failing_handler_is_recorded_and_does_not_stop_the_others():
    api = make_api(strict=False)
    client = Client(api)
    informer = Informer(client, "configmaps")
    seen = []

    def broken(obj):
        raise RuntimeError("bug in a handler")

    informer.add_event_handler(on_add=broken)
    informer.add_event_handler(on_add=lambda obj: seen.append(key_of(obj)))
    informer.run()
    client.create(config_map("a"))
    client.create(config_map("b"))
    api.loop.run()
    assert seen == ["default/a", "default/b"]
    assert [str(error.error) for error in api.loop.errors] == ["bug in a handler", "bug in a handler"]
    assert informer.keys() == ["default/a", "default/b"]


def test_a_removed_handler_is_not_called_again():
    client = Client(make_api())
    informer = Informer(client, "configmaps")
    seen = []
    handler = informer.add_event_handler(on_add=lambda obj: seen.append(key_of(obj)))
    informer.run()
    client.create(config_map("a"))
    client.loop.run()
    informer.remove_event_handler(handler)
    client.create(config_map("b"))
    client.loop.run()
    assert seen == ["default/a"]


# -- the cache equals a fresh list, whatever happens (property) -------------------------------

NAMES = ("a", "b", "c", "d")
operations = st.lists(
    st.one_of(
        st.tuples(st.just("create"), st.sampled_from(NAMES), st.sampled_from(("web", "db"))),
        st.tuples(st.just("update"), st.sampled_from(NAMES), st.sampled_from(("web", "db"))),
        st.tuples(st.just("delete"), st.sampled_from(NAMES), st.none()),
        st.tuples(st.just("settle"), st.none(), st.none()),  # let the loop deliver what is pending
        st.tuples(st.just("break-watch"), st.none(), st.none()),
        st.tuples(st.just("compact-and-break-watch"), st.none(), st.none()),
    ),
    max_size=25,
)


def apply_operation(client: Client, informers: list[Informer], op: str, name: str | None, app: str | None):
    api = client.api
    try:
        if op == "create":
            client.create(config_map(name, labels={"app": app}, value=f"{api.store.revision}"))
        elif op == "update":
            current = client.get("configmaps", name)
            current["metadata"]["labels"]["app"] = app
            current["data"]["value"] = f"{api.store.revision}"
            client.update(current)
        elif op == "delete":
            client.delete("configmaps", name)
        elif op == "settle":
            api.loop.run()
        else:
            if op == "compact-and-break-watch" and api.store.revision > api.store.compact_revision:
                api.store.compact(api.store.revision)
            for informer in informers:
                informer.restart_watch()
    except (NotFound, AlreadyExists):
        pass  # the operation did not apply to the current state; that is fine for the property


@settings(deadline=None, max_examples=60, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(operations)
def test_the_cache_and_the_handlers_view_equal_a_fresh_list_after_any_sequence_of_changes(ops):
    client = Client(make_api())
    for name in NAMES:  # something to update and delete from the start
        client.create(config_map(name, labels={"app": "web"}))
    everything = Informer(client, "configmaps", namespace="default")
    web_only = Informer(client, "configmaps", label_selector="app=web")
    mirrors: list[dict[str, dict]] = []
    for informer in (everything, web_only):
        mirror: dict[str, dict] = {}  # what a handler that trusts only its events would believe
        informer.add_event_handler(
            on_add=lambda obj, m=mirror: m.__setitem__(key_of(obj), obj),
            on_update=lambda old, new, m=mirror: m.__setitem__(key_of(new), new),
            on_delete=lambda obj, m=mirror: m.pop(key_of(obj)),
        )
        mirrors.append(mirror)
        informer.run()
    for op, name, app in ops:
        apply_operation(client, [everything, web_only], op, name, app)
    client.loop.run()
    assert cache_of(everything) == fresh_list(client, "configmaps", namespace="default") == mirrors[0]
    assert cache_of(web_only) == fresh_list(client, "configmaps", label_selector="app=web") == mirrors[1]
