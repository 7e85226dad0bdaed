"""Every written solution in notebooks/solutions passes its own check()."""

import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
SOLUTIONS = sorted((ROOT / "notebooks" / "solutions").glob("*.md"))


@pytest.mark.parametrize("path", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_every_solution_block_passes_its_check(path):
    namespace: dict = {}
    exec("from k8slab.exercises import check", namespace)
    checked = 0
    for block in re.findall(r"```python\n(.*?)```", path.read_text(), re.S):
        exec(compile(block.replace("check(", "result = check("), path.name, "exec"), namespace)
        if "result" in namespace:
            assert namespace.pop("result").passed, f"a solution in {path.name} does not pass"
            checked += 1
    assert checked, f"{path.name} has no check() calls"
