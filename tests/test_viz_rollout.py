"""The rollout recorder writes a row at every change of a Deployment's ReplicaSets, and plots them."""

import pytest

from k8slab import Cluster
from k8slab.api.errors import NotFound
from k8slab.viz.rollout import RolloutRecorder, counts_over_time, plot_rollout


def web(replicas: int = 4) -> Cluster:
    cluster = Cluster(nodes=3, seed=0)  # with kubelets: pods become Running and Ready
    cluster.kubectl(f"create deployment web --image=nginx:1.27 --replicas={replicas}")
    cluster.run(seconds=10)
    return cluster


def test_the_recorder_starts_with_the_current_counts():
    cluster = web()
    rollout = RolloutRecorder(cluster, "web")
    samples = rollout.samples()
    assert len(samples) == 1
    assert samples.iloc[0][["desired", "current", "ready", "available"]].tolist() == [4, 4, 4, 4]
    assert samples.iloc[0]["revision"] == 1 and samples.iloc[0]["image"] == "nginx:1.27"


def test_a_rolling_update_moves_every_pod_from_the_old_replicaset_to_the_new_one():
    cluster = web()
    rollout = RolloutRecorder(cluster, "web")
    cluster.kubectl("set image deployment/web nginx=nginx:1.28")
    cluster.run(seconds=60)
    samples = rollout.stop()
    ready = counts_over_time(samples, "ready")
    old, new = ready.columns[1:]
    assert ready[old].iloc[0] == 4 and ready[old].iloc[-1] == 0
    assert ready[new].iloc[0] == 0 and ready[new].iloc[-1] == 4
    current = counts_over_time(samples, "current")
    at_each_instant = current.groupby("time").last()
    assert (at_each_instant.sum(axis=1) <= 4 + 1).all(), "25% of 4 rounds up to a surge of 1"
    assert (ready.groupby("time").last().sum(axis=1) >= 4 - 1).all(), "25% of 4 rounds down to 1"
    assert list(samples["time"]) == sorted(samples["time"])


def test_only_the_named_deployments_replicasets_are_recorded():
    cluster = web()
    rollout = RolloutRecorder(cluster, "web")
    cluster.kubectl("create deployment other --image=redis:7 --replicas=2")
    cluster.run(seconds=10)
    assert set(rollout.samples()["replicaset"]) == {n for n in rollout.samples()["replicaset"] if "web" in n}


def test_a_missing_deployment_is_reported_in_kubernetes_words():
    with pytest.raises(NotFound, match='deployments.apps "nope" not found'):
        RolloutRecorder(Cluster(nodes=1, seed=0), "nope")


def test_counts_over_time_refuses_an_unknown_column():
    with pytest.raises(ValueError, match="column must be one of"):
        counts_over_time(RolloutRecorder(web(), "web").samples(), "pods")


def test_plot_rollout_draws_each_replicaset_and_the_bounds():
    cluster = web()
    rollout = RolloutRecorder(cluster, "web")
    cluster.kubectl("set image deployment/web nginx=nginx:1.28")
    cluster.run(seconds=60)
    fig = plot_rollout(rollout.stop(), bounds=(3, 5))
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert "rev 1 (nginx:1.27): ready" in labels and "rev 2 (nginx:1.28): desired" in labels
    lines = {line.get_label(): list(line.get_ydata()) for line in fig.axes[0].get_lines()}
    assert lines["rev 1 (nginx:1.27): ready"][0] == 4, "the plot starts from the state before the update"
    assert lines["ready in all"][0] == 4 and min(lines["ready in all"]) >= 3
    assert lines["rev 2 (nginx:1.28): ready"][-1] == 4
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert " min available 3" in texts and " max pods 5" in texts
