"""Notebook 06's exercises: right answers pass, each kind of wrong answer gets its own message."""

from k8slab.exercises import check
from k8slab.exercises.nb06 import neighbour_frame


def test_read_top_passes_with_kubectls_numbers():
    assert check("06-read-top", ("263m", "74Mi")).passed


def test_read_top_explains_rounding_and_summing():
    assert "rounds millicores up" in check("06-read-top", ("262m", "74Mi")).message
    assert "sum of its containers" in check("06-read-top", ("250m", "64Mi")).message
    assert "rounded down" in check("06-read-top", ("263m", "75Mi")).message
    assert not check("06-read-top", "263m").passed
    assert "replace each ..." in check("06-read-top", (..., ...)).message


def test_pressure_point_passes_with_the_exact_number():
    assert check("06-pressure-point", 1692).passed


def test_pressure_point_names_each_mistake():
    assert "one too few" in check("06-pressure-point", 1691).message
    assert "own processes" in check("06-pressure-point", 1948).message
    assert "100Mi in hand" in check("06-pressure-point", 1792).message
    assert not check("06-pressure-point", "1692Mi").passed
    assert not check("06-pressure-point", 1000).passed


def test_noisy_neighbour_passes_with_the_mean_cpu_per_pod():
    def noisiest(frame):
        return frame.groupby("pod")["cpu_cores"].mean().idxmax()

    assert check("06-noisy-neighbour", noisiest).passed


def test_noisy_neighbour_refuses_a_constant_answer_and_a_non_function():
    assert not check("06-noisy-neighbour", lambda frame: "report").passed
    assert not check("06-noisy-neighbour", "report").passed
    assert not check("06-noisy-neighbour", lambda frame: frame["pod"].iloc[0]).passed


def test_the_neighbour_frame_has_the_columns_of_cluster_usage():
    from k8slab.cadvisor import USAGE_COLUMNS

    assert tuple(neighbour_frame().columns) == USAGE_COLUMNS["pods"]
