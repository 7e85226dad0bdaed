"""explain(): the node x plugin table a learner reads to see why a pod went where it went."""

from __future__ import annotations

import pytest
from test_scheduler_loop import CONTROL_PLANE, make_cluster, make_pod, node_of

from k8slab.scheduler.explain import explain


@pytest.fixture
def cluster():
    api, scheduler = make_cluster([{"cpu": "2"}, {"taints": [CONTROL_PLANE]}, {}])
    make_pod(api, "a", cpu="1")
    make_pod(api, "huge", cpu="30")
    api.loop.run(seconds=1)
    return api, scheduler


def test_explain_has_a_row_per_node_and_marks_the_winner(cluster):
    api, scheduler = cluster
    table = explain(scheduler, "a")
    assert list(table.index) == ["node-1", "node-2", "node-3"]
    assert table[("winner", "")].tolist() == [False, False, True]
    assert node_of(api, "a") == "node-3"


def test_explain_shows_each_filters_reason(cluster):
    _, scheduler = cluster
    table = explain(scheduler, "a")
    assert table.loc["node-2", ("TaintToleration", "filter")] == (
        "node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }")
    assert table.loc["node-1", ("NodeResourcesFit", "filter")] == "ok"
    assert table[("feasible", "")].tolist() == [True, False, True]


def test_explain_weighted_scores_add_up_to_the_total(cluster):
    _, scheduler = cluster
    table = explain(scheduler, "a")
    weighted = table.xs("weighted", axis=1, level=1)
    assert (weighted.loc["node-3"].sum()) == table.loc["node-3", ("total", "")]
    assert table.loc["node-3", ("TaintToleration", "weighted")] == 3 * table.loc["node-3", ("TaintToleration",
                                                                                             "normalized")]


def test_explain_gives_the_pending_message_when_no_node_fits(cluster):
    _, scheduler = cluster
    table = explain(scheduler, "huge")
    assert not table[("winner", "")].any()
    assert table.attrs["message"] == ("0/3 nodes are available: 1 node(s) had untolerated taint "
                                      "{node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu.")


def test_explain_does_not_change_later_placements(cluster):
    _, scheduler = cluster
    state = scheduler.rng.getstate()
    explain(scheduler, "a")
    assert scheduler.rng.getstate() == state
