"""The fifteen steps as data: complete, in order, consistent with the series map."""

import re

import pytest

from k8slab.steps import (
    COMPONENTS,
    CONTROL_PLANE_DOWN,
    NOTEBOOKS,
    STEPS,
    control_plane_down,
    series_map,
    step,
    steps_table,
    still_working,
)


def test_there_are_fifteen_steps_numbered_one_to_fifteen():
    assert [s.number for s in STEPS] == list(range(1, 16))


def test_each_explanation_is_two_sentences():
    for s in STEPS:
        # a sentence ends with . ! or ? followed by a space or the end; "..." inside a list does not count
        text = s.explanation.replace("...", "")
        sentences = [part for part in re.split(r"(?<=[.!?])\s+", text) if part]
        assert len(sentences) == 2, (s.number, sentences)
        assert s.explanation.endswith(".")


def test_steps_name_only_components_of_the_diagram():
    for s in STEPS:
        assert s.components, s.number
        assert set(s.components) <= set(COMPONENTS), s.number


def test_steps_point_at_k8slab_modules_and_known_notebooks():
    for s in STEPS:
        assert s.module.startswith("k8slab."), s.number
        assert set(s.notebooks) <= set(NOTEBOOKS), s.number
        assert s.notebook == s.notebooks[0]


def test_steps_follow_the_design_table():
    # DESIGN.md's table: step -> (module, notebooks)
    design = {
        1: ("k8slab.cluster", ("00",)),
        5: ("k8slab.store", ("01", "02")),
        7: ("k8slab.scheduler", ("04",)),
        10: ("k8slab.cadvisor", ("06",)),
        13: ("k8slab.net.proxy", ("07",)),
        15: ("k8slab.net", ("08",)),
    }
    for number, (module, notebooks) in design.items():
        assert (step(number).module, step(number).notebooks) == (module, notebooks)


def test_the_watch_rule_is_stated_where_it_matters():
    assert "binding" in step(7).explanation
    assert "watches" in step(8).explanation
    assert "built into the kubelet" in step(10).explanation


def test_steps_are_frozen():
    with pytest.raises(AttributeError):
        STEPS[0].title = "changed"


@pytest.mark.parametrize("bad", [0, 16, -1, 2.0, "3", None, True])
def test_step_rejects_anything_but_one_to_fifteen(bad):
    with pytest.raises(ValueError, match=re.escape(repr(bad))):
        step(bad)


def test_steps_table_has_one_row_per_step():
    table = steps_table()
    assert list(table.index) == list(range(1, 16))
    assert list(table.columns) == ["what happens", "in two sentences", "notebook", "module"]
    assert table.loc[7, "what happens"] == "The scheduler picks a worker node"
    assert table.loc[4, "notebook"] == "02, 10"


def test_series_map_lists_every_notebook_and_the_steps_it_builds():
    table = series_map()
    assert list(table.index) == [f"{n:02d}" for n in range(11)]
    assert list(table.columns) == ["title", "steps", "module"]
    assert table.loc["00", "steps"] == "1, 2"
    assert table.loc["02", "steps"] == "3, 4, 5"
    assert table.loc["07", "steps"] == "12, 13"
    assert table.loc["09", "steps"] == "all (together)"


def test_every_step_is_built_by_some_notebook():
    built = set()
    for s in STEPS:
        built.update(s.notebooks)
    assert {"00", "01", "02", "03", "04", "05", "06", "07", "08", "10"} <= built


def test_control_plane_down_covers_every_step():
    assert sorted(CONTROL_PLANE_DOWN) == list(range(1, 16))
    table = control_plane_down()
    assert table.loc[1, "keeps working?"] == "no"
    assert table.loc[14, "keeps working?"] == "yes"


def test_with_the_control_plane_down_running_work_keeps_going_and_nothing_changes():
    working = still_working()
    assert {9, 11, 12, 13, 14, 15} <= set(working)
    assert not {1, 4, 5, 6, 7, 8} & set(working)
