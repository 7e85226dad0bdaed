"""The architecture diagram (DOT source, highlight, bad input) and the step walker."""

import base64
import re

import graphviz
import pytest

from k8slab.steps import STEPS
from k8slab.viz import ArchitectureDiagram, StepWalker, architecture
from k8slab.viz.architecture import DIM, DOWN, HIGHLIGHT, caption_html, clean_svg


def edge_lines(source: str) -> list[str]:
    return [line for line in source.splitlines() if "->" in line]


def numbered_arrows(source: str) -> list[str]:
    return [line for line in edge_lines(source) if re.search(r'label=" \d+ "', line)]


def lines_for_step(source: str, number: int) -> list[str]:
    return [line for line in edge_lines(source) if re.search(rf'label=" {number} "', line)]


def test_architecture_returns_a_diagram_around_a_digraph():
    diagram = architecture()
    assert isinstance(diagram, ArchitectureDiagram)
    assert isinstance(diagram.graph, graphviz.Digraph)
    assert diagram.source == diagram.graph.source


def test_same_input_gives_identical_dot_source():
    assert architecture().source == architecture().source
    assert architecture(highlight=7).source == architecture(highlight=7).source
    assert architecture(highlight=[3, 5]).source == architecture(highlight=(5, 3, 3)).source


def test_every_step_label_is_in_the_picture():
    source = architecture().source
    for number in range(3, 16):
        assert lines_for_step(source, number), f"no arrow labelled {number}"
    assert 'label="1  Control plane"' in source
    assert source.count('label="2  Worker node') == 2


def test_the_picture_has_the_components_of_every_step():
    source = architecture().source
    for label in [
        "API server",
        "etcd",
        "scheduler",
        "kubelet",
        "cAdvisor",
        "kube-proxy",
        "kubectl",
        "pod web-1",
    ]:
        assert label in source
    assert "controller\\nmanager" in source and "load\\nbalancer" in source


def test_a_highlighted_step_is_drawn_in_the_highlight_colour():
    source = architecture(highlight=7).source
    for line in lines_for_step(source, 7):
        assert f'color="{HIGHLIGHT}"' in line and "penwidth=3" in line
    for line in lines_for_step(source, 8):
        assert f'color="{DIM}"' in line


def test_highlighting_a_step_lights_up_the_boxes_it_touches():
    source = architecture(highlight=7).source
    scheduler = next(line for line in source.splitlines() if line.strip().startswith("scheduler ["))
    kubelet = next(line for line in source.splitlines() if line.strip().startswith("node1_kubelet ["))
    assert f'color="{HIGHLIGHT}"' in scheduler
    assert f'color="{DIM}"' in kubelet


def test_steps_one_and_two_light_up_machines_not_arrows():
    one = architecture(highlight=1).source
    assert re.search(rf'label="1  Control plane".*color="{HIGHLIGHT}"', one, re.S)
    assert HIGHLIGHT not in "\n".join(numbered_arrows(one))
    two = architecture(highlight=2).source
    workers = [line for line in two.splitlines() if 'label="2  Worker' in line]
    assert len(workers) == 2 and all(f'color="{HIGHLIGHT}"' in line for line in workers)
    assert HIGHLIGHT not in "\n".join(numbered_arrows(two))


def test_context_arrows_light_up_inside_a_lit_machine_but_not_between_machines():
    source = architecture(highlight=[1, 2]).source
    inside = next(line for line in edge_lines(source) if "node2_kubelet -> node2_pod_web3" in line)
    between = next(line for line in edge_lines(source) if "apiserver -> node2_kubelet" in line)
    assert f'color="{HIGHLIGHT}"' in inside
    assert f'color="{DIM}"' in between


def test_several_steps_can_be_highlighted_at_once():
    source = architecture(highlight=[11, 12, 13]).source
    for number in (11, 12, 13):
        assert all(HIGHLIGHT in line for line in lines_for_step(source, number))
    assert all(HIGHLIGHT not in line for line in lines_for_step(source, 4))


def test_nothing_is_grey_without_a_highlight():
    assert DIM not in architecture().source


@pytest.mark.parametrize(
    ("bad", "named"),
    [
        (0, "0"),
        (16, "16"),
        (-3, "-3"),
        ("7", "'7'"),
        (2.5, "2.5"),
        (True, "True"),
        ([3, 99], "99"),
        ([3, "x"], "'x'"),
        ([None], "None"),
        (object, "object"),
    ],
)
def test_bad_highlight_raises_a_value_error_naming_the_value(bad, named):
    with pytest.raises(ValueError, match=re.escape(named)):
        architecture(highlight=bad)


def test_a_machine_that_is_down_is_drawn_dashed_and_red():
    source = architecture(down="control plane").source
    assert "Control plane  (DOWN)" in source
    assert f'color="{DOWN}"' in source
    assert architecture(down=["node-2"]).down == ("node-2",)


def test_an_unknown_machine_raises_a_value_error_naming_it():
    with pytest.raises(ValueError, match="'node-9'"):
        architecture(down="node-9")


def test_text_form_is_short_and_stable():
    assert repr(architecture()) == "ArchitectureDiagram()"
    assert repr(architecture(highlight=[5, 3])) == "ArchitectureDiagram(highlight=[3, 5])"
    assert repr(architecture(down="control plane")) == "ArchitectureDiagram(down=['control plane'])"
    assert " at 0x" not in repr(architecture(highlight=1))


def test_notebooks_get_svg_and_text():
    bundle = architecture(highlight=4)._repr_mimebundle_()
    assert set(bundle) == {"image/svg+xml", "image/png", "text/plain"}
    assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG")
    assert bundle["image/svg+xml"].startswith("<svg")
    assert bundle["text/plain"] == "ArchitectureDiagram(highlight=[4])"


def test_clean_svg_drops_the_prolog_and_comments():
    raw = (
        '<?xml version="1.0"?>\n<!DOCTYPE svg>\n<!-- Generated by graphviz -->\n'
        '<svg width="10pt" height="5pt">\n</svg>'
    )
    cleaned = clean_svg(raw)
    assert cleaned.startswith("<svg") and "<!--" not in cleaned and "graphviz" not in cleaned
    assert "max-width:100%" in cleaned


def test_svg_is_the_same_on_every_render():
    assert architecture(highlight=9).svg == architecture(highlight=9).svg


# -- the step walker -------------------------------------------------------------


def test_the_walker_starts_at_step_one_with_its_caption():
    walker = StepWalker()
    assert walker.step == 1
    assert walker.highlighted == (1,)
    assert "Step 1 of 15" in walker.caption.value
    assert walker.diagram.value == architecture(highlight=1).svg


def test_moving_the_slider_changes_the_highlight_and_the_caption():
    walker = StepWalker()
    walker.slider.value = 7
    assert walker.highlighted == (7,)
    assert "Step 7 of 15: The scheduler picks a worker node" in walker.caption.value
    assert walker.diagram.value == architecture(highlight=7).svg


def test_go_to_moves_the_slider_too():
    walker = StepWalker()
    walker.go_to(13)
    assert walker.slider.value == 13
    assert "kube-proxy picks the pod" in walker.caption.value


def test_going_to_the_step_on_show_keeps_it():
    walker = StepWalker(start=4)
    walker.go_to(4)
    assert walker.highlighted == (4,)


def test_next_and_previous_buttons_step_and_stop_at_the_ends():
    walker = StepWalker(start=15)
    walker.forward.click()
    assert walker.step == 15
    walker.back.click()
    assert walker.step == 14
    walker.go_to(1)
    walker.back.click()
    assert walker.step == 1


@pytest.mark.parametrize("bad", [0, 16, "3", 1.5])
def test_the_walker_refuses_steps_that_do_not_exist(bad):
    walker = StepWalker()
    with pytest.raises(ValueError, match=re.escape(repr(bad))):
        walker.go_to(bad)
    assert walker.step == 1
    with pytest.raises(ValueError):
        StepWalker(start=bad)


def test_the_walker_shows_a_stable_text_form():
    walker = StepWalker(start=3)
    assert repr(walker) == "StepWalker(step=3)"
    bundle = walker._repr_mimebundle_()
    assert bundle["text/plain"] == "StepWalker(step=3)"
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_captions_render_code_and_escape_html():
    assert "<code>kubectl apply -f web.yaml</code>" in caption_html(3)
    for s in STEPS:
        assert s.title in caption_html(s.number).replace("&#x27;", "'")
