"""Notebook 04's exercises: right answers pass, each kind of wrong answer gets its own message."""

from k8slab.exercises import check
from k8slab.exercises.nb04 import compare_utilisation
from k8slab.scheduler import MAX_NODE_SCORE, Plugin


class PackByCpu(Plugin):
    name = "PackByCpu"

    def score(self, state, pod_info, node_info):
        requested = node_info.requested.milli_cpu + pod_info.requests.milli_cpu
        allocatable = node_info.allocatable.milli_cpu
        return min(requested * MAX_NODE_SCORE // allocatable, MAX_NODE_SCORE) if allocatable else 0


class Spread(Plugin):
    name = "Spread"

    def score(self, state, pod_info, node_info):
        used = node_info.requested.milli_cpu * MAX_NODE_SCORE // node_info.allocatable.milli_cpu
        return MAX_NODE_SCORE - used


class Unscaled(Plugin):
    name = "Unscaled"

    def score(self, state, pod_info, node_info):
        return node_info.requested.milli_cpu + pod_info.requests.milli_cpu  # millicores, not 0..100


class Stub(Plugin):
    name = "Stub"

    def score(self, state, pod_info, node_info):
        ...


class Gentle(Plugin):
    """Prefers fuller nodes, but only a little: LeastAllocated wins and the pods still spread."""

    name = "Gentle"

    def score(self, state, pod_info, node_info):
        return 1 if node_info.requested.milli_cpu else 0


RIGHT_FILTERS = {"node-1": "NodeUnschedulable", "node-2": "TaintToleration", "node-3": "NodeResourcesFit"}


def test_naming_the_filter_that_rejects_each_node_passes():
    assert check("04-which-filter", RIGHT_FILTERS).passed


def test_a_wrong_filter_names_the_node_and_hints_at_its_reason():
    feedback = check("04-which-filter", dict(RIGHT_FILTERS, **{"node-2": "NodeResourcesFit"}))
    assert not feedback.passed
    assert feedback.message.startswith("node-2: not 'NodeResourcesFit'. Hint: a taint the pod does not")


def test_a_missing_node_is_named():
    feedback = check("04-which-filter", {"node-1": "NodeUnschedulable"})
    assert feedback.message == "name a plugin for every node; missing: node-2, node-3."


def test_a_packing_score_plugin_passes_and_says_how_many_nodes_it_used():
    feedback = check("04-score-plugin", PackByCpu)
    assert feedback.passed
    assert "on 2 nodes" in feedback.message and "spreads them over 6" in feedback.message


def test_an_instance_works_as_well_as_a_class():
    assert check("04-score-plugin", PackByCpu()).passed


def test_a_spreading_plugin_is_told_to_score_fuller_nodes_higher():
    feedback = check("04-score-plugin", Spread)
    assert not feedback.passed and "the fuller node must score higher" in feedback.message


def test_scores_outside_0_to_100_are_refused_before_scheduling():
    feedback = check("04-score-plugin", Unscaled)
    assert not feedback.passed
    assert "scores must be from 0 to 100" in feedback.message


def test_the_unfinished_stub_is_told_to_return_a_number():
    feedback = check("04-score-plugin", Stub)
    assert feedback.message == ("on an empty node your score returned None: return a whole number (int) "
                                "from 0 to 100.")


def test_a_plugin_too_weak_to_pack_is_shown_the_spread():
    feedback = check("04-score-plugin", Gentle)
    assert not feedback.passed
    assert feedback.message.startswith("the twelve pods landed on")
    assert "packed, they fit on 2" in feedback.message


def test_a_plugin_without_a_name_or_with_a_default_name_is_refused():
    class Nameless:
        def score(self, state, pod_info, node_info):
            return 0

    class Impostor(PackByCpu):
        name = "NodeResourcesFit"

    assert "give your class a name" in check("04-score-plugin", Nameless).message
    assert "is a default plugin's name" in check("04-score-plugin", Impostor).message


def test_a_plugin_that_raises_is_reported_not_crashed():
    class Broken(Plugin):
        name = "Broken"

        def score(self, state, pod_info, node_info):
            return node_info.nonexistent

    feedback = check("04-score-plugin", Broken)
    assert not feedback.passed and feedback.message.startswith("your answer raised AttributeError")


def test_compare_utilisation_puts_default_and_yours_side_by_side():
    table = compare_utilisation(PackByCpu)
    assert list(table.columns) == ["default (LeastAllocated)", "with PackByCpu"]
    assert list(table["default (LeastAllocated)"]) == [25] * 6
    assert sorted(table["with PackByCpu"]) == [0, 0, 0, 0, 50, 100]
