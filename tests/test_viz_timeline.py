"""The pod lifecycle timeline: states read from watch events at their exact virtual times, as segments."""

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from k8slab import Cluster
from k8slab.viz.timeline import (
    CONTAINER_STATE_COLOURS,
    SAMPLE_COLUMNS,
    TimelineRecorder,
    backoff_table,
    container_state,
    expected_backoff,
    plot_crash_loop,
    plot_timeline,
    segments,
)


def pod(name: str, image: str = "nginx:1.27", **spec) -> dict:
    containers = [{"name": "app", "image": image, **spec.pop("container", {})}]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {"containers": containers, **spec},
    }


def states(segs: pd.DataFrame, name: str) -> list[tuple[str, float, float]]:
    rows = segs[segs["pod"] == name]
    return [(r.state, r.start, r.end) for r in rows.itertuples(index=False)]


@pytest.fixture(scope="module")
def crash_loop() -> pd.DataFrame:
    """A container that exits with code 1 five seconds after each start, watched for 700 virtual seconds."""
    cluster = Cluster(nodes=1, seed=0)
    timeline = TimelineRecorder(cluster)
    cluster.api.create(pod("crash", "k8slab/crashloop:1.0"))
    cluster.run(seconds=700)
    return timeline.stop()


# -- reading one container's state ----------------------------------------------------------------


def test_a_running_container_is_ready_only_when_its_status_says_ready():
    bound = {"metadata": {}, "spec": {"nodeName": "node-1"}}
    assert container_state(bound, {"state": {"running": {}}, "ready": True}) == "Ready"
    assert container_state(bound, {"state": {"running": {}}, "ready": False}) == "Running"


def test_a_waiting_or_terminated_container_is_named_by_its_reason():
    bound = {"metadata": {}, "spec": {"nodeName": "node-1"}}
    assert (
        container_state(bound, {"state": {"waiting": {"reason": "CrashLoopBackOff"}}}) == "CrashLoopBackOff"
    )
    assert (
        container_state(bound, {"state": {"terminated": {"reason": "OOMKilled", "exitCode": 137}}})
        == "OOMKilled"
    )
    assert container_state(bound, {"state": {"terminated": {"exitCode": 0}}}) == "Completed"
    assert container_state(bound, {"state": {"terminated": {"exitCode": 2}}}) == "Error"


def test_a_container_without_status_is_pending_until_bound_then_container_creating():
    assert container_state({"metadata": {}, "spec": {}}, None) == "Pending"
    assert container_state({"metadata": {}, "spec": {"nodeName": "node-1"}}, None) == "ContainerCreating"


def test_a_deleted_pod_s_running_container_is_terminating_until_it_has_exited():
    deleting = {"metadata": {"deletionTimestamp": "2024-01-01T00:00:10Z"}, "spec": {"nodeName": "node-1"}}
    assert container_state(deleting, {"state": {"running": {}}, "ready": True}) == "Terminating"
    assert (
        container_state(deleting, {"state": {"terminated": {"exitCode": 0, "reason": "Completed"}}})
        == "Completed"
    )


# -- recording a cluster -----------------------------------------------------------------------------


def test_a_web_server_is_creating_until_its_image_is_pulled_then_ready_at_the_exact_instant():
    cluster = Cluster(nodes=1, seed=0)
    timeline = TimelineRecorder(cluster)
    cluster.api.create(pod("web"))
    cluster.run(seconds=10)
    # a 0.5 s sandbox, then nginx's 3 s pull, then Created and Started: Ready at 3.5 s, not at a sample tick
    assert states(timeline.segments(), "web") == [("ContainerCreating", 0.0, 3.5), ("Ready", 3.5, 10.0)]


def test_the_recorder_notes_the_pods_that_exist_when_it_starts():
    cluster = Cluster(nodes=1, seed=0)
    cluster.api.create(pod("web"))
    cluster.run(seconds=10)
    timeline = TimelineRecorder(cluster)
    cluster.run(seconds=5)
    assert states(timeline.segments(), "web") == [("Ready", 10.0, 15.0)]


def test_a_missing_image_alternates_err_image_pull_and_image_pull_back_off():
    cluster = Cluster(nodes=1, seed=0)
    timeline = TimelineRecorder(cluster)
    cluster.api.create(pod("typo", "nginx:doesnotexist"))
    cluster.run(seconds=60)
    seen = [state for state, _, _ in states(timeline.segments(), "typo")]
    assert seen[:5] == [
        "ContainerCreating",
        "ErrImagePull",
        "ImagePullBackOff",
        "ErrImagePull",
        "ImagePullBackOff",
    ]
    assert "Ready" not in seen


def test_a_job_that_runs_to_completion_ends_completed():
    cluster = Cluster(nodes=1, seed=0)
    timeline = TimelineRecorder(cluster)
    cluster.api.create(pod("job", "k8slab/job:1.0", restartPolicy="Never"))
    cluster.run(seconds=60)
    assert [s for s, _, _ in states(timeline.segments(), "job")] == [
        "ContainerCreating",
        "Ready",
        "Completed",
    ]
    assert timeline.samples()["phase"].iloc[-1] == "Succeeded"


def test_a_deleted_pod_is_terminating_for_its_pre_stop_hook_and_its_rows_end_when_it_leaves_the_api():
    cluster = Cluster(nodes=1, seed=0)
    timeline = TimelineRecorder(cluster)
    cluster.api.create(pod("polite", container={"lifecycle": {"preStop": {"sleep": {"seconds": 5}}}}))
    cluster.run(seconds=10)
    cluster.api.delete("pods", "polite")
    cluster.run(seconds=30)
    segs = timeline.segments()
    assert states(segs, "polite")[-2:] == [("Terminating", 10.0, 15.0), ("Completed", 15.0, 15.0)]
    assert timeline.samples().attrs["gone"] == {"polite": 15.0}


def test_a_restart_starts_a_new_segment_even_in_the_same_state(crash_loop):
    segs = segments(crash_loop)
    first_runs = segs[segs["state"] == "Ready"].head(2)
    # the first restart comes at once: Ready, killed, Ready again at the same instant, one bar each
    assert list(first_runs["restarts"]) == [0, 1]
    assert first_runs["end"].iloc[0] == first_runs["start"].iloc[1]


def test_segments_of_a_pod_use_the_state_graph_states():
    cluster = Cluster(nodes=1, seed=0)
    timeline = TimelineRecorder(cluster)
    cluster.api.create(pod("web"))
    cluster.run(seconds=10)
    segs = timeline.segments(by="pod")
    assert list(segs["state"]) == ["ContainerCreating", "Ready"]
    assert set(segs["container"]) == {""}


def test_stop_ends_the_recording():
    cluster = Cluster(nodes=1, seed=0)
    timeline = TimelineRecorder(cluster)
    cluster.api.create(pod("web"))
    cluster.run(seconds=10)
    before = timeline.stop()
    cluster.api.delete("pods", "web")
    cluster.run(seconds=10)
    assert len(timeline.samples()) == len(before)
    assert timeline.samples().attrs["end"] == 10.0
    assert "stopped" in repr(timeline)


def test_the_same_seed_records_the_same_samples():
    def run() -> pd.DataFrame:
        cluster = Cluster(nodes=3, seed=7)
        timeline = TimelineRecorder(cluster)
        cluster.kubectl("create deployment web --image=nginx:1.27 --replicas=3")
        cluster.api.create(pod("crash", "k8slab/crashloop:1.0"))
        cluster.run(seconds=60)
        return timeline.stop()

    pd.testing.assert_frame_equal(run(), run())


# -- the crash loop's back-off ----------------------------------------------------------------------------


def test_the_back_off_rule_is_at_once_then_10_s_doubling_up_to_5_minutes():
    assert expected_backoff(8) == [0, 10, 20, 40, 80, 160, 300, 300]
    assert expected_backoff(0) == []


def test_the_kubelet_s_crash_loop_follows_the_back_off_rule(crash_loop):
    table = backoff_table(crash_loop, "crash")
    assert list(table["restart"]) == [1, 2, 3, 4, 5, 6, 7]
    assert list(table["back_off"]) == expected_backoff(7)
    assert set(table["ran"]) == {5.0}  # the crash loop image exits 5 s after each start


def test_backoff_table_names_a_pod_or_container_it_has_not_seen(crash_loop):
    with pytest.raises(ValueError, match='no samples of pod "nope"'):
        backoff_table(crash_loop, "nope")
    with pytest.raises(ValueError, match='pod "crash" has no container "nope"'):
        backoff_table(crash_loop, "crash", "nope")


# -- pictures (their content, not their pixels) ------------------------------------------------------


def test_the_gantt_chart_has_a_row_per_container_and_a_legend_of_the_states_seen(crash_loop):
    fig = plot_timeline(segments(crash_loop))
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["crash/app"]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == [
        "ContainerCreating",
        "Ready",
        "CrashLoopBackOff",
    ]  # in the order of CONTAINER_STATE_COLOURS
    assert len(ax.patches) == len(segments(crash_loop))


def test_the_crash_loop_plot_draws_one_bar_per_restart_and_the_rule(crash_loop):
    fig = plot_crash_loop(crash_loop, "crash")
    bottom = fig.axes[1]
    heights = [bar.get_height() for bar in bottom.patches]
    assert heights == expected_backoff(7)
    assert list(bottom.lines[0].get_ydata()) == expected_backoff(7)


def test_an_empty_timeline_draws_a_note_instead_of_failing():
    empty = segments(pd.DataFrame(columns=SAMPLE_COLUMNS))
    fig = plot_timeline(empty)
    assert fig.axes[0].texts[0].get_text() == "no samples"


# -- bad input ------------------------------------------------------------------------------------------


def test_a_recorder_needs_a_cluster_or_an_api_server():
    with pytest.raises(TypeError, match="needs a Cluster or an APIServer, got str"):
        TimelineRecorder("cluster")


def test_segments_by_something_else_is_refused():
    with pytest.raises(ValueError, match='by must be "container" or "pod"'):
        segments(pd.DataFrame(columns=SAMPLE_COLUMNS), by="node")


def test_every_state_a_container_can_be_in_has_a_colour():
    for reason in ("ContainerCreating", "ErrImagePull", "ImagePullBackOff", "CrashLoopBackOff", "OOMKilled"):
        assert reason in CONTAINER_STATE_COLOURS


# -- the invariant -----------------------------------------------------------------------------------------

STATE_NAMES = st.sampled_from(["ContainerCreating", "Running", "Ready", "CrashLoopBackOff", "Completed"])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["a", "b"]), st.integers(0, 20), STATE_NAMES, st.integers(0, 3)),
        min_size=1,
        max_size=30,
    )
)
def test_a_row_s_segments_tile_its_time_without_gaps_or_overlaps(changes):
    rows = [
        {
            "time": float(t),
            "pod": p,
            "container": "app",
            "phase": "Running",
            "pod_state": s,
            "state": s,
            "ready": False,
            "restarts": r,
        }
        for p, t, s, r in sorted(changes, key=lambda c: c[1])
    ]
    samples = pd.DataFrame(rows, columns=SAMPLE_COLUMNS)
    samples.attrs["end"] = 25.0
    segs = segments(samples)
    for name, group in segs.groupby("pod"):
        starts, ends = list(group["start"]), list(group["end"])
        assert starts[0] == min(r["time"] for r in rows if r["pod"] == name)
        assert ends[-1] == 25.0
        assert starts[1:] == ends[:-1]  # each stretch begins where the one before ended
        assert all(start < end for start, end in zip(starts[:-1], ends[:-1], strict=True))
        pairs = list(zip(group["state"], group["restarts"], strict=True))
        assert all(a != b for a, b in zip(pairs, pairs[1:], strict=False))  # neighbours differ


def test_marks_draw_a_labelled_line_at_each_moment(crash_loop):
    fig = plot_timeline(segments(crash_loop), marks={"node-2 fails": 15.0, "evicted": 90.0})
    ax = fig.axes[0]
    assert [list(line.get_xdata()) for line in ax.lines] == [[15.0, 15.0], [90.0, 90.0]]
    assert [t.get_text() for t in ax.texts] == [" node-2 fails", " evicted"]
