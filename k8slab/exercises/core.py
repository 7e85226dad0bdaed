"""The `check()` machinery shared by every notebook's exercises."""

from __future__ import annotations

import html
import importlib
import pathlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: Modules that register exercises (one `nbNN.py` per notebook, found in this package); imported on first
#: use so importing k8slab stays light.
EXERCISE_MODULES = tuple(
    f"k8slab.exercises.{info.name}"
    for info in sorted(pkgutil.iter_modules([str(pathlib.Path(__file__).parent)]), key=lambda i: i.name)
    if info.name.startswith("nb")
)

_CHECKERS: dict[str, Callable[[Any], Feedback]] = {}


@dataclass(frozen=True)
class Feedback:
    """The answer to `check()`: passed or not, and what to do next."""

    exercise: str
    passed: bool
    message: str

    def __repr__(self) -> str:
        mark = "PASSED" if self.passed else "NOT YET"
        return f"[{mark}] {self.exercise}: {self.message}"

    def _repr_html_(self) -> str:
        colour, mark = ("#1b7f3b", "&#10004; Passed") if self.passed else ("#b0360f", "&#10008; Not yet")
        return (
            f'<div style="border-left:4px solid {colour};padding:4px 10px">'
            f'<b style="color:{colour}">{mark}</b> <code>{html.escape(self.exercise)}</code>: '
            f"{html.escape(self.message)}</div>"
        )


def exercise(name: str) -> Callable[[Callable[[Any], Feedback]], Callable[[Any], Feedback]]:
    """Register `function(answer) -> Feedback` as the checker for exercise `name`."""

    def register(function: Callable[[Any], Feedback]) -> Callable[[Any], Feedback]:
        _CHECKERS[name] = function
        return function

    return register


def exercises() -> list[str]:
    """The names `check()` knows."""
    _load()
    return sorted(_CHECKERS)


def check(name: str, answer: Any) -> Feedback:
    """Check the learner's `answer` to exercise `name` and say specifically what is right or wrong."""
    _load()
    if name not in _CHECKERS:
        known = ", ".join(sorted(_CHECKERS))
        raise KeyError(f"no exercise named {name!r}; known exercises: {known}")
    if answer is ... or (isinstance(answer, dict) and any(v is ... for v in answer.values())):
        return Feedback(name, False, "replace each ... with your answer, then run the cell again.")
    try:
        return _CHECKERS[name](answer)
    except Exception as error:  # the learner's code raised: say so instead of a traceback
        return Feedback(name, False, f"your answer raised {type(error).__name__}: {error}")


def _load() -> None:
    for module in EXERCISE_MODULES:
        importlib.import_module(module)
