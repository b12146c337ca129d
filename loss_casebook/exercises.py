"""Checkers for the exercises: one plain sentence per answer, never a traceback.

Each ``check_*`` function takes a student's answer and returns a
:class:`Feedback`, which prints as its message and is truthy only for a correct
answer. An answer left as ``None`` gets "Not solved yet", so a student copy
without solutions runs from top to bottom.

Every checker belongs to one exercise, named by the ``:label:`` of its
``{exercise}`` directive in the book (:data:`EXERCISES`). Shown as a cell's
result, a :class:`Feedback` also carries a machine-readable verdict in the
output's metadata, under the key :data:`VERDICT_MIME`, which
:mod:`loss_casebook.grade` reads from an executed notebook. Metadata is not
rendered, so the page (and the book's build) shows only the sentence.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

#: The vectors of the case 1 exercises: targets and predictions, shape (3, 4).
Y_TRUE = np.array([[1.0, 2.0, 0.0, 1.0], [0.5, -1.0, 2.0, 0.0], [3.0, 0.0, 0.0, 4.0]])
Y_PRED = np.array([[1.0, 1.0, 1.0, 1.0], [-0.5, 1.0, -2.0, 0.0], [0.0, 5.0, 1.0, 0.0]])

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
        """The sentence as text; the verdict, as JSON for the grader, in the metadata."""
        metadata: dict[str, Any] = {}
        if self.exercise is not None:
            metadata[VERDICT_MIME] = {"exercise": self.exercise, "verdict": self.verdict,
                                      "message": str(self)}
        return {"text/plain": str(self)}, metadata


@dataclass(frozen=True)
class Exercise:
    """One exercise of the book: its label, notebook and checker."""

    label: str
    notebook: str  #: path of its notebook in a student copy, e.g. "case1/05-exercises.ipynb"
    checker: Callable[[Any], Feedback]


#: Every exercise with a checker, in the book's order, by label.
EXERCISES: dict[str, Exercise] = {}


def _exercise(label: str, notebook: str) -> Callable[[Callable[[Any], Feedback]],
                                                     Callable[[Any], Feedback]]:
    """Register a checker for the exercise ``label``; its feedback carries the label."""

    def register(check: Callable[[Any], Feedback]) -> Callable[[Any], Feedback]:
        @functools.wraps(check)
        def checker(answer: Any) -> Feedback:
            fb = check(answer)
            return Feedback(str(fb), fb.ok, label)

        EXERCISES[label] = Exercise(label, notebook, checker)
        return checker

    return register


C1 = "case1/05-exercises.ipynb"
C2 = "case2/05-exercises.ipynb"


def _fail(message: str) -> Feedback:
    return Feedback(message, False)


def _cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(-1) / np.linalg.norm(a, axis=-1) / np.linalg.norm(b, axis=-1)


def _numbers(answer: Any) -> np.ndarray | Feedback:
    """The answer as a float array, or the feedback for a missing or non-numeric one."""
    if answer is None:
        return Feedback(NOT_SOLVED, False)
    try:
        arr = np.asarray(answer, dtype=np.float64)
    except (TypeError, ValueError):
        return _fail(f"Your answer should be numbers, but it is a {type(answer).__name__}.")
    return arr


@_exercise("ex-c1-distance", C1)
def check_cosine_distance(answer: Any) -> Feedback:
    """Exercise: the cosine distance ``1 - cos`` of each row of Y_TRUE and Y_PRED."""
    arr = _numbers(answer)
    if isinstance(arr, Feedback):
        return arr
    expected = 1 - _cosine(Y_TRUE, Y_PRED)
    if arr.shape != expected.shape:
        return _fail(f"Expected one distance per row, shape {expected.shape}, but got shape {arr.shape}.")
    if not np.isfinite(arr).all():
        return _fail("Your answer contains NaN or infinity; check the norms you divide by.")
    if np.allclose(arr, expected, atol=1e-6):
        return Feedback("Correct: 1 - cos, from 0 (same direction) to 2 (opposite).", True)
    if np.allclose(arr, -_cosine(Y_TRUE, Y_PRED), atol=1e-6):
        return _fail("That is Keras's cosine loss, -cos: add 1 to get the distance 1 - cos.")
    if np.allclose(arr, _cosine(Y_TRUE, Y_PRED), atol=1e-6):
        return _fail("That is the cosine itself; the distance is 1 - cos.")
    if np.allclose(arr, 1 + _cosine(Y_TRUE, Y_PRED), atol=1e-6):
        return _fail("Wrong sign: you computed 1 + cos, the distance is 1 - cos.")
    return _fail("The values differ from 1 - cos; normalise each row by its own length.")


@_exercise("ex-c1-sign", C1)
def check_loss_sign(answer: Any) -> Feedback:
    """Exercise: the sign (-1, 0 or +1) of Keras's cosine loss for each row pair."""
    arr = _numbers(answer)
    if isinstance(arr, Feedback):
        return arr
    expected = np.sign(np.round(-_cosine(Y_TRUE, Y_PRED), 12))
    if arr.shape != expected.shape:
        return _fail(f"Give one sign per row: {expected.size} values, not shape {arr.shape}.")
    if not set(np.unique(arr)) <= {-1.0, 0.0, 1.0}:
        return _fail("Use -1, 0 or +1 for each sign.")
    wrong = [int(i) for i in np.flatnonzero(arr != expected)]
    if not wrong:
        return Feedback("Correct: the loss is -cos, negative when the vectors agree.", True)
    if (arr == -expected).all():
        return _fail("Every sign is flipped: the loss is minus the cosine.")
    return _fail(f"Row {wrong[0]} has the wrong sign; compute its dot product first.")


@_exercise("ex-c1-accuracy", C1)
def check_accuracy_meaning(answer: Any) -> Feedback:
    """Exercise: which statement describes case 1's "accuracy" (a letter a-d)."""
    if answer is None:
        return Feedback(NOT_SOLVED, False)
    if not isinstance(answer, str) or answer.strip().lower() not in {"a", "b", "c", "d"}:
        return _fail("Answer with one letter: 'a', 'b', 'c' or 'd'.")
    choice = answer.strip().lower()
    reasons = {
        "a": "No: nothing is thresholded; Keras compares the positions of the largest components.",
        "b": "Correct: categorical accuracy, argmax of prediction == argmax of target.",
        "c": "No: a cosine above 0.5 is not what it counts; two close vectors can fail it.",
        "d": "No: it is computed per time step, for every one of the N x 15 vectors.",
    }
    return Feedback(reasons[choice], choice == "b")


@_exercise("ex-c1-ceiling", C1)
def check_sigmoid_ceiling(answer: Any) -> Feedback:
    """Exercise: per row of Y_TRUE, the best cosine a model with positive outputs reaches.

    The closest positive vector to ``y`` in angle is ``max(y, 0)``, with cosine
    ``|max(y, 0)| / |y|`` (:func:`loss_casebook.cosine.sigmoid_ceiling`).
    """
    arr = _numbers(answer)
    if isinstance(arr, Feedback):
        return arr
    pos = np.maximum(Y_TRUE, 0)
    expected = np.linalg.norm(pos, axis=-1) / np.linalg.norm(Y_TRUE, axis=-1)
    if arr.shape != expected.shape:
        return _fail(f"Give one cosine per row of Y_TRUE, shape {expected.shape}, not {arr.shape}.")
    if not np.isfinite(arr).all() or np.abs(arr).max() > 1 + 1e-9:
        return _fail("A cosine lies in [-1, 1]; divide by both lengths.")
    if np.allclose(arr, expected, atol=1e-6):
        return Feedback("Correct: |max(y, 0)| / |y|, below 1 only where y has a negative part.", True)
    if np.allclose(arr, expected**2, atol=1e-6):
        return _fail("That is the square of the cosine; take its square root.")
    if np.allclose(arr, 1.0):
        return _fail("Row 1 has negative components, which positive outputs can never match.")
    mirrored = (Y_TRUE * np.abs(Y_TRUE)).sum(-1) / (Y_TRUE**2).sum(-1)
    if np.allclose(arr, mirrored, atol=1e-6):
        return _fail("|y| is not the closest positive vector: set negative parts to 0, do not flip them.")
    return _fail("The closest positive vector to y is max(y, 0); take its cosine with y.")


@_exercise("ex-c2-eps", C2)
def check_smallest_eps(answer: Any) -> Feedback:
    """Exercise: the smallest power of ten eps for which acos'(1 - eps) is finite in float32."""
    if answer is None:
        return Feedback(NOT_SOLVED, False)
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        return _fail(f"Give eps as a number such as 1e-3, not a {type(answer).__name__}.")
    if not np.isfinite(answer) or answer <= 0:
        return _fail("eps must be a positive, finite number.")
    if np.float32(1 - answer) == np.float32(1):
        return _fail("eps too small: 1 - eps rounds to 1 in float32, where acos has an infinite slope.")
    exponent = np.log10(answer)
    if not np.isclose(exponent, round(exponent)):
        return _fail("Give a power of ten, such as 1e-5.")
    if round(exponent) > -7:
        return _fail("That eps keeps the gradient finite, but a smaller power of ten does too.")
    return Feedback("Correct: 1e-7 is the smallest power of ten with 1 - eps < 1 in float32.", True)


@_exercise("ex-c2-head", C2)
def check_siamese_head(head: Callable[[Any], Any] | None) -> Feedback:
    """Exercise: a head mapping a cosine to P(similar) with finite values and gradients.

    ``head`` takes a float32 tensor of cosines of shape (batch, 1) and returns
    a similarity of the same shape in [0, 1], larger for larger cosines. It is
    tried on cosines slightly above 1, exactly +-1, and in between.
    """
    if head is None:
        return Feedback(NOT_SOLVED, False)
    if not callable(head):
        return _fail(f"Your answer should be a function of the cosine, not a {type(head).__name__}.")
    import tensorflow as tf

    cos = tf.Variable(np.array([[1.0000002], [1.0], [0.5], [-1.0], [-1.0000002]], np.float32))
    try:
        with tf.GradientTape() as tape:
            out = head(cos)
        grad = tape.gradient(out, cos)
    except Exception as exc:  # report, never a traceback wall
        return _fail(f"Calling your head raised {type(exc).__name__}: {exc}".split("\n")[0])
    out = np.asarray(out, dtype=np.float64)
    if out.shape != (5, 1):
        return _fail(f"The head should return one value per cosine, shape (5, 1), not {out.shape}.")
    if not np.isfinite(out).all():
        return _fail("The head returns NaN for a cosine just above 1; clip the cosine before acos.")
    if grad is None:
        return _fail("The head's output does not depend on the cosine.")
    if not np.isfinite(np.asarray(grad)).all():
        return _fail("The value is finite but the gradient is not at cos = +-1; clip to [-1 + eps, 1 - eps].")
    if out.min() < -1e-6 or out.max() > 1 + 1e-6:
        return _fail("Binary cross-entropy needs a probability: keep the output in [0, 1].")
    if not out[1, 0] > out[2, 0] > out[3, 0]:
        return _fail("Wrong orientation: label 1 means similar, so a larger cosine must give a larger output.")
    return Feedback("Correct: finite values and gradients, a similarity in [0, 1].", True)


@_exercise("ex-c2-broken", C2)
def check_broken_heads(answer: Any) -> Feedback:
    """Exercise: which heads give NaN, "question", "answer", "both" or "neither"."""
    if answer is None:
        return Feedback(NOT_SOLVED, False)
    choices = {"question", "answer", "both", "neither"}
    if not isinstance(answer, str) or answer.strip().lower() not in choices:
        return _fail("Answer with one word: 'question', 'answer', 'both' or 'neither'.")
    reasons = {
        "question": "Not only: clipping after acos is too late, acos already returned NaN.",
        "answer": "The question's head is broken too: acos of a cosine above 1 is NaN.",
        "both": "Correct: acos of a cosine above 1 is NaN, and clip passes a NaN through.",
        "neither": "Run the checker on both: each returns NaN for a cosine just above 1.",
    }
    choice = answer.strip().lower()
    return Feedback(reasons[choice], choice == "both")


@_exercise("ex-c2-backend", C2)
def check_nan_backend(answer: Any) -> Feedback:
    """Exercise: which Keras 3 backend raises instead of returning a NaN loss.

    Keras's torch backend ends ``binary_crossentropy`` with
    ``tnn.binary_cross_entropy(output, target, reduction="none")``; the jax and
    tensorflow backends compute ``target * log(output)`` themselves
    (``keras/src/backend/{torch,jax,tensorflow}/nn.py`` at v3.15.1).
    """
    if answer is None:
        return Feedback(NOT_SOLVED, False)
    if not isinstance(answer, str):
        return _fail(f"Name the backend as a string, such as 'jax', not a {type(answer).__name__}.")
    name = answer.strip().lower()
    if name in {"torch", "pytorch"}:
        return Feedback("Correct: torch's binary_cross_entropy raises a RuntimeError for an input"
                        " outside [0, 1], and NaN is outside.", True)
    if name in {"jax", "tensorflow", "tf"}:
        return _fail(f"No: {name} computes the cross-entropy with its own log and returns NaN;"
                     " look for the backend whose loss function checks its input.")
    if name == "numpy":
        return _fail("The numpy backend cannot train; compare jax, tensorflow and torch.")
    return _fail("Name one Keras 3 backend: 'jax', 'tensorflow' or 'torch'.")
