"""What every checker shares: the :class:`Feedback` type, the exercise registry.

Each ``check_*`` function takes a student's answer and returns a
:class:`Feedback`, which prints as its message and is truthy only for a correct
answer. An answer left as ``None`` gets "Not solved yet", so a student copy
without solutions runs from top to bottom.

Every checker belongs to one exercise, named by the ``:label:`` of its
``{exercise}`` directive in the book, and registered in :data:`EXERCISES` with
the name of the variable that holds the student's answer. The grader
(:mod:`loss_casebook.classroom.grade`) takes that variable's value out of the
executed notebook and runs the checker on it in its own process; what a
notebook displays is never taken as a verdict.

Shown as a cell's result, a :class:`Feedback` also carries its verdict in the
output's metadata, under :data:`VERDICT_MIME`, for tools such as JupyterLab
that read it. Metadata is not rendered, so the page shows only the sentence.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

NOT_SOLVED = "Not solved yet: replace None with your answer and run the cell again."

#: The mimetype under which a checker's result carries its verdict as JSON.
VERDICT_MIME = "application/vnd.loss-casebook.verdict+json"


class Feedback(str):
    """A checker's verdict: prints as one sentence, ``bool()`` is whether it passed.

    ``exercise`` is the label of the exercise it answers (set by the checker),
    ``verdict`` one of ``"correct"``, ``"wrong"`` or ``"not solved"``.
    """

    ok: bool
    exercise: str | None

    def __new__(cls, message: str, ok: bool, exercise: str | None = None) -> Feedback:
        obj = super().__new__(cls, message)
        obj.ok = ok
        obj.exercise = exercise
        return obj

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        return str(self)

    @property
    def verdict(self) -> str:
        if self.ok:
            return "correct"
        return "not solved" if str(self) == NOT_SOLVED else "wrong"

    def _repr_mimebundle_(self, include: Any = None,
                          exclude: Any = None) -> tuple[dict[str, Any], dict[str, Any]]:
        """The sentence as text; the verdict as JSON in the metadata."""
        metadata: dict[str, Any] = {}
        if self.exercise is not None:
            metadata[VERDICT_MIME] = {"exercise": self.exercise, "verdict": self.verdict,
                                      "message": str(self)}
        return {"text/plain": str(self)}, metadata


@dataclass(frozen=True)
class Exercise:
    """One exercise of the book.

    Attributes
    ----------
    label:
        The ``:label:`` of its ``{exercise}`` directive.
    notebook:
        Its notebook's path in a student copy, e.g. ``"case1/05-exercises.ipynb"``.
    checker:
        What the notebook calls on the student's answer.
    answer:
        The name of the variable that holds the student's answer.
    judge:
        What the grader calls on the answer taken out of the notebook (as JSON
        data): the checker itself, or for an answer that is a function, a
        checker of the numbers :attr:`probe` computed with it.
    probe:
        ``None``, or a function, self-contained (its imports inside), that
        turns an answer which is not data (a function) into JSON data.
    """

    label: str
    notebook: str
    checker: Callable[[Any], Feedback]
    answer: str
    judge: Callable[[Any], Feedback]
    probe: Callable[[Any], Any] | None = None


#: Every exercise with a checker, in the book's order, by label.
EXERCISES: dict[str, Exercise] = {}


def _labelled(check: Callable[[Any], Feedback], label: str) -> Callable[[Any], Feedback]:
    @functools.wraps(check)
    def checker(answer: Any) -> Feedback:
        fb = check(answer)
        return Feedback(str(fb), fb.ok, label)

    return checker


def exercise(label: str, notebook: str, answer: str, *,
             judge: Callable[[Any], Feedback] | None = None,
             probe: Callable[[Any], Any] | None = None,
             ) -> Callable[[Callable[[Any], Feedback]], Callable[[Any], Feedback]]:
    """Register the decorated checker for the exercise ``label``.

    ``answer`` names the student's variable. For an answer that is a function,
    give ``probe`` (function to data) and ``judge`` (data to feedback); the
    checker is then ``judge(probe(answer))``.
    """
    if label in EXERCISES:
        raise ValueError(f"the exercise {label!r} already has a checker.")
    if (judge is None) != (probe is None):
        raise ValueError("give both judge and probe, or neither.")

    def register(check: Callable[[Any], Feedback]) -> Callable[[Any], Feedback]:
        checker = _labelled(check, label)
        EXERCISES[label] = Exercise(label, notebook, checker, answer,
                                    _labelled(judge, label) if judge else checker, probe)
        return checker

    return register


def fail(message: str) -> Feedback:
    """A wrong answer's feedback."""
    return Feedback(message, False)


def not_solved() -> Feedback:
    """The feedback for an answer still ``None``."""
    return Feedback(NOT_SOLVED, False)


def numbers(answer: Any) -> np.ndarray | Feedback:
    """The answer as a float array, or the feedback for a missing or non-numeric one."""
    if answer is None:
        return not_solved()
    try:
        arr = np.asarray(answer, dtype=np.float64)
    except (TypeError, ValueError):
        return fail(f"Your answer should be numbers, but it is a {type(answer).__name__}.")
    return arr
