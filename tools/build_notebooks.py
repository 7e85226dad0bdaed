#!/usr/bin/env python3
"""Build the committed notebooks from their sources and execute them top to bottom.

Usage: python tools/build_notebooks.py [NAME ...]   (default: every notebooks/src/*.py)

A notebook's source is `notebooks/src/NN-name.py` in the "percent" format that
Jupytext, VS Code and Spyder all read: a line `# %%` starts a code cell, a line
`# %% [markdown]` starts a markdown cell whose lines are written as comments
(`# text`, or a lone `#` for an empty line). Keeping the source as plain Python
makes reviews and diffs readable; the executed `.ipynb` next to it is what
learners open and what nbval checks. tests/test_notebook_sources.py proves the
two agree.

Execution runs in `notebooks/` (so relative paths behave as they do in
JupyterLab), with the current Python's kernel, and stores the widget state so
a reader who opens a notebook without running it still sees the last picture.
"""

from __future__ import annotations

import pathlib
import sys

import nbformat
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parent.parent
SOURCES = ROOT / "notebooks" / "src"
NOTEBOOKS = ROOT / "notebooks"
CELL_MARK = "# %%"


def parse_cells(text: str) -> list[tuple[str, str]]:
    """Split a percent-format source into (kind, source) pairs, kind 'code' or 'markdown'."""
    cells: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if line.startswith(CELL_MARK):
            kind = "markdown" if "[markdown]" in line else "code"
            cells.append((kind, []))
        elif cells:
            cells[-1][1].append(line)
    result = []
    for kind, lines in cells:
        if kind == "markdown":
            lines = [line[2:] if line.startswith("# ") else line.lstrip("#") for line in lines]
        source = "\n".join(lines).strip("\n")
        if source:
            result.append((kind, source))
    return result


def to_notebook(text: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    for kind, source in parse_cells(text):
        if kind == "markdown":
            nb.cells.append(nbformat.v4.new_markdown_cell(source))
        else:
            nb.cells.append(nbformat.v4.new_code_cell(source))
    for number, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{number:03d}"  # stable ids keep diffs quiet between builds
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (k8slab)", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def build(source: pathlib.Path) -> pathlib.Path:
    nb = to_notebook(source.read_text())
    client = NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS)}},
        store_widget_state=True,
        allow_errors=True,  # cells marked NBVAL_RAISES_EXCEPTION show their error on purpose
    )
    client.execute()
    nb.metadata["language_info"] = {"name": "python"}  # no patch versions in committed metadata
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    target = NOTEBOOKS / (source.stem + ".ipynb")
    nbformat.write(nb, target)
    return target


def main(names: list[str]) -> int:
    sources = sorted(SOURCES.glob("*.py"))
    if names:
        sources = [s for s in sources if any(s.stem.startswith(n) for n in names)]
    for source in sources:
        print(f"building {build(source).relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
