"""Each committed notebook is built from its source in notebooks/src, and the two agree."""

import json
import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

from build_notebooks import parse_cells  # noqa: E402

SOURCES = sorted((ROOT / "notebooks" / "src").glob("*.py"))


@pytest.mark.parametrize("source", SOURCES, ids=[s.stem for s in SOURCES])
def test_committed_notebook_has_the_cells_of_its_source(source):
    notebook = ROOT / "notebooks" / (source.stem + ".ipynb")
    assert notebook.exists(), f"{notebook.name} is missing: run make notebooks"
    cells = json.loads(notebook.read_text())["cells"]
    committed = [(c["cell_type"], "".join(c["source"])) for c in cells]
    assert committed == parse_cells(source.read_text()), f"{notebook.name} is stale: run make notebooks"


@pytest.mark.parametrize("source", SOURCES, ids=[s.stem for s in SOURCES])
def test_committed_notebook_was_executed_top_to_bottom(source):
    cells = json.loads((ROOT / "notebooks" / (source.stem + ".ipynb")).read_text())["cells"]
    counts = [c["execution_count"] for c in cells if c["cell_type"] == "code"]
    assert counts == list(range(1, len(counts) + 1))
