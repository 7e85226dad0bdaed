"""Exercises with instant feedback: `check(name, answer)` in any notebook.

Each notebook's exercises live in their own module (`nb00`, `nb01`, ...) and
register a checker under a short name. A checker looks at what the learner
wrote, runs it against the real k8slab layer where that makes sense, and
answers with a specific message: what was expected, what came back, and a hint.
Solutions are kept apart in notebooks/solutions/ so a class can hide them.
"""

from k8slab.exercises.core import Feedback, check, exercise, exercises

__all__ = ["Feedback", "check", "exercise", "exercises"]
