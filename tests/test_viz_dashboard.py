"""The live dashboard (k8slab.viz.dashboard): what it shows, what its controls do, how it fails."""

from datetime import UTC

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from k8slab import Cluster
from k8slab.api.errors import NotFound
from k8slab.viz.dashboard import (
    Dashboard,
    recent_events,
    summarise_traffic,
    traffic_table,
)


@pytest.fixture
def cluster():
    cluster = Cluster(nodes=3, seed=0)
    cluster.kubectl("create deployment web --image=nginx:1.27 --replicas=3")
    cluster.run(seconds=20)
    return cluster


def requests_table():
    return pd.DataFrame({
        "time": [0.0, 1.0, 2.0, 11.0, 12.0, 13.0],
        "status": [200, 200, 0, 200, 200, 200],
        "ok": [True, True, False, True, True, True],
        "latency": [0.002, 0.004, 10.0, 0.003, 0.003, 0.005],
        "version": ["1", "1", "", "1", "2", "2"],
    })


def test_the_dashboard_lists_every_node_with_its_zone_status_and_ready_pods(cluster):
    state = Dashboard(cluster).state
    assert [(n.name, n.zone, n.status) for n in state.nodes] == [
        ("node-1", "zone-a", "Ready"), ("node-2", "zone-b", "Ready"), ("node-3", "zone-c", "Ready")]
    assert sum(n.pods for n in state.nodes) == 3
    assert sum(n.ready for n in state.nodes) == 3


def test_the_state_graph_draws_the_deployment_and_its_pods(cluster):
    dashboard = Dashboard(cluster)
    dot = dashboard.state.snapshot.dot()
    assert "Deployment web" in dot and "3/3 ready" in dot
    assert dashboard.picture.value.lstrip().startswith("<svg")


def test_recent_events_are_the_newest_in_kubectl_columns(cluster):
    state = Dashboard(cluster, events=4).state
    assert len(state.events) == 4
    assert all(e.object.startswith(("pod/", "replicaset/", "deployment/")) for e in state.events)
    assert {e.reason for e in state.events} <= {"Scheduled", "Pulling", "Pulled", "Created", "Started",
                                               "SuccessfulCreate", "ScalingReplicaSet"}
    assert state.events[-1].reason == "Started"  # the last thing that happened: a container started


def test_recent_events_order_by_last_timestamp_then_by_write_order():
    def event(name, stamp, version):
        return {"metadata": {"name": name, "resourceVersion": str(version)}, "type": "Normal",
                "reason": name, "involvedObject": {"kind": "Pod", "name": "p"}, "message": name,
                "firstTimestamp": stamp, "lastTimestamp": stamp}

    from datetime import datetime

    now = datetime(2024, 1, 1, 0, 1, tzinfo=UTC)
    events = [event("c", "2024-01-01T00:00:30Z", 9), event("a", "2024-01-01T00:00:10Z", 5),
              event("b", "2024-01-01T00:00:10Z", 7)]
    lines = recent_events(events, now, limit=3)
    assert [e.reason for e in lines] == ["a", "b", "c"]
    assert [e.last_seen for e in lines] == ["50s", "50s", "30s"]
    assert [e.reason for e in recent_events(events, now, limit=1)] == ["c"]
    assert recent_events(events, now, limit=0) == ()


def test_fail_node_shows_the_node_not_ready_after_the_grace_period(cluster):
    dashboard = Dashboard(cluster)
    dashboard.fail_node("node-2")
    dashboard.run(50)
    statuses = {n.name: n.status for n in dashboard.state.nodes}
    assert statuses["node-2"] == "NotReady" and statuses["node-1"] == "Ready"
    dashboard.recover_node("node-2")
    dashboard.run(15)
    assert {n.name: n.status for n in dashboard.state.nodes}["node-2"] == "Ready"


def test_scale_goes_through_kubectl_and_the_pods_follow(cluster):
    dashboard = Dashboard(cluster)
    assert dashboard.scale("web", 5) == "deployment.apps/web scaled"
    dashboard.run(15)
    assert sum(n.ready for n in dashboard.state.nodes) == 5


def test_set_image_starts_a_rollout_to_the_new_version(cluster):
    dashboard = Dashboard(cluster)
    assert dashboard.set_image("web", "nginx=nginx:1.28") == "deployment.apps/web image updated"
    dashboard.run(60)
    images = {c["image"] for p in dashboard.state.snapshot.pods for c in p["spec"]["containers"]}
    assert images == {"nginx:1.28"}


def test_a_control_given_bad_input_reports_it_and_changes_nothing(cluster):
    dashboard = Dashboard(cluster)
    revision = cluster.store.revision
    dashboard._act(lambda: dashboard.scale("nope", 3))
    assert dashboard.message == 'Error from server (NotFound): deployments.apps "nope" not found'
    dashboard._act(lambda: dashboard.set_image("web", "php=php:8"))
    assert dashboard.message == 'error: unable to find container named "php"'
    dashboard._act(lambda: dashboard.set_image("web", "nginx"))
    assert "CONTAINER=IMAGE" in dashboard.message
    dashboard._act(lambda: dashboard.fail_node("node-9"))
    assert dashboard.message == 'error: nodes "node-9" not found'
    dashboard._act(lambda: dashboard.run(-1))
    assert dashboard.message.startswith("error: seconds must be")
    assert cluster.store.revision == revision
    assert "error" in dashboard.status.value


def test_the_buttons_act_like_the_methods(cluster):
    dashboard = Dashboard(cluster)
    dashboard.seconds.value = 5
    before = cluster.now
    dashboard.run_button.click()
    assert cluster.now == before + 5
    dashboard.deployment.value = "web"
    dashboard.replicas.value = 4
    dashboard.scale_button.click()
    assert cluster.api.get("deployments", "web")["spec"]["replicas"] == 4
    dashboard.node.value = "node-3"
    dashboard.fail_button.click()
    assert not cluster.kubelets["node-3"].running
    dashboard.recover_button.click()
    assert cluster.kubelets["node-3"].running


def test_the_traffic_summary_counts_success_latency_and_versions():
    summary = summarise_traffic(requests_table())
    assert (summary.requests, summary.ok, summary.failed) == (6, 5, 1)
    assert summary.rate == pytest.approx(100 * 5 / 6)
    assert summary.p50_ms == pytest.approx(3.0) and summary.p99_ms == pytest.approx(5.0)
    assert summary.versions == {"1": 3, "2": 2}  # only answers count: the failed request had no version
    recent = summarise_traffic(requests_table(), since=11.0)
    assert (recent.requests, recent.failed, recent.versions) == (3, 0, {"1": 1, "2": 2})


def test_an_empty_traffic_table_says_no_requests():
    summary = summarise_traffic(requests_table().iloc[0:0])
    assert summary.requests == 0 and summary.rate is None and summary.line() == "no requests yet"


def test_attached_traffic_appears_in_the_dashboard_and_its_static_html(cluster):
    dashboard = Dashboard(cluster)
    dashboard.attach(requests_table())
    assert dashboard.state.traffic.failed == 1
    bundle = dashboard._repr_mimebundle_()
    assert "83.3%" in bundle["text/html"] and "6 requests" in bundle["text/plain"]


def test_traffic_can_be_anything_that_holds_a_table():
    class Run:
        def frame(self):
            return requests_table()

    assert len(traffic_table(Run())) == 6
    assert len(traffic_table(requests_table)) == 6
    with pytest.raises(TypeError, match="DataFrame of requests"):
        traffic_table(42)
    with pytest.raises(ValueError, match="no 'ok' column"):
        traffic_table(pd.DataFrame({"time": [0.0]}))


def test_a_bad_traffic_table_leaves_the_old_one_attached(cluster):
    dashboard = Dashboard(cluster, traffic=requests_table())
    with pytest.raises(ValueError):
        dashboard.attach(pd.DataFrame({"when": [1]}))
    assert dashboard.state.traffic.requests == 6


def test_the_static_copy_has_no_graphviz_and_a_short_text_line(cluster):
    bundle = Dashboard(cluster)._repr_mimebundle_()
    assert bundle["text/plain"] == "Dashboard(t=20s, nodes=3/3 Ready, pods=3)"
    assert "<svg" not in bundle["text/html"]
    for text in ("node-1", "zone-b", "Recent events", "No traffic attached"):
        assert text in bundle["text/html"]


def test_the_same_cluster_gives_the_same_dashboard_byte_for_byte():
    def build():
        cluster = Cluster(nodes=3, seed=4)
        cluster.kubectl("create deployment web --image=nginx:1.27 --replicas=4")
        cluster.run(seconds=12)
        return Dashboard(cluster)._repr_mimebundle_()["text/html"]

    assert build() == build()


def test_the_dashboard_needs_a_cluster():
    with pytest.raises(TypeError, match="needs a k8slab Cluster"):
        Dashboard(object())


def test_a_missing_node_is_refused_in_the_api_servers_words(cluster):
    with pytest.raises(NotFound):
        Dashboard(cluster).fail_node("node-7")


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 100), st.booleans(), st.floats(0.001, 1.0)), max_size=40))
def test_ok_and_failed_always_add_up_to_the_requests(rows):
    table = pd.DataFrame(rows, columns=["time", "ok", "latency"])
    summary = summarise_traffic(table)
    assert summary.ok + summary.failed == summary.requests == len(rows)
    if summary.ok:
        assert summary.p50_ms <= summary.p99_ms


def test_start_traffic_sends_requests_while_the_dashboard_runs(cluster):
    cluster.apply({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
                   "spec": {"type": "LoadBalancer", "selector": {"app": "web"},
                            "ports": [{"port": 80, "targetPort": 80}]}})
    cluster.run(seconds=5)
    address = cluster.api.get("services", "web")["status"]["loadBalancer"]["ingress"][0]["ip"]
    dashboard = Dashboard(cluster)
    generator = dashboard.start_traffic(f"http://{address}/", rate=10)
    dashboard.run(10)
    traffic = dashboard.state.traffic
    assert traffic.requests == 101 and traffic.failed == 0  # at 0, 0.1, ..., 10 s: both ends
    assert traffic.versions == {"1.27": 101}
    assert traffic.p50_ms is not None and traffic.p50_ms > 0
    dashboard.stop_traffic()
    dashboard.run(5)
    assert generator.sent == 101 and dashboard.state.traffic.requests == 101


def test_start_traffic_refuses_a_bad_url_and_keeps_what_was_attached(cluster):
    dashboard = Dashboard(cluster, traffic=requests_table())
    with pytest.raises(ValueError):
        dashboard.start_traffic("ftp://nowhere/", rate=10)
    assert dashboard.state.traffic.requests == 6


def test_the_running_tally_agrees_with_the_table_summary():
    from k8slab.net.traffic import COLUMNS
    from k8slab.viz.dashboard import RecordTally

    records = [(0.0, 0, 200, True, "", 6.0, "default/a", "node-1", "1"),
               (0.5, 0, 0, False, "curl: (7) refused", 3002.0, "", "", ""),
               (1.0, 1, 503, False, "", 5.0, "default/b", "node-2", "2"),
               (1.5, 1, 200, True, "", 4.0, "default/b", "node-2", "2"),
               (2.0, 2, 200, True, "", 7.5, "default/a", "node-1", "1")]
    tally = RecordTally(COLUMNS)
    tally.update(records[:2])
    tally.update(records)  # only the new ones are counted
    frame = pd.DataFrame(records, columns=COLUMNS)
    assert tally.summary() == summarise_traffic(frame)
    assert tally.summary_since(records, 1.0) == summarise_traffic(frame, since=1.0)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.floats(0.5, 50), st.sampled_from(["1", "2", ""])), max_size=30),
       st.floats(0, 30))
def test_the_running_tally_agrees_for_any_run(rows, since):
    from k8slab.net.traffic import COLUMNS
    from k8slab.viz.dashboard import RecordTally

    records = [(i * 1.0, i, 200 if ok else 0, ok, "", latency, "", "", version if ok else "")
               for i, (ok, latency, version) in enumerate(rows)]
    tally = RecordTally(COLUMNS)
    tally.update(records)
    frame = pd.DataFrame(records, columns=COLUMNS)
    assert tally.summary() == summarise_traffic(frame)
    assert tally.summary_since(records, since) == summarise_traffic(frame, since=since)


def test_many_pods_are_drawn_as_squares_inside_their_nodes():
    from k8slab.viz.dashboard import state_dot

    cluster = Cluster(nodes=4, seed=0)
    cluster.kubectl("create deployment web --image=nginx:1.27 --replicas=48")
    cluster.run(seconds=20)
    dot = state_dot(Dashboard(cluster).state.snapshot)
    assert dot.count('TOOLTIP="web-') == 48  # one square per pod
    assert "node-1 (zone-a)" in dot and "48/48 ready" in dot
    counts = [int(n) for n in __import__("re").findall(r'-> "node/node-\d+" \[label=(\d+)\]', dot)]
    assert sum(counts) == 48 and len(counts) == 4  # one arrow per (ReplicaSet, node), labelled with its pods


def test_few_pods_keep_the_full_state_graph(cluster):
    from k8slab.viz.dashboard import state_dot

    snap = Dashboard(cluster).state.snapshot
    assert state_dot(snap) == snap.dot()


def test_choosing_a_deployment_shows_its_replicas(cluster):
    cluster.kubectl("create deployment api --image=nginx:1.27 --replicas=2")
    cluster.run(seconds=1)
    dashboard = Dashboard(cluster)
    dashboard.deployment.value = "api"
    assert dashboard.replicas.value == 2
    dashboard.deployment.value = "web"
    assert dashboard.replicas.value == 3
