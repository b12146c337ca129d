"""Checkers for the exercises: one plain sentence per answer, never a traceback.

Each ``check_*`` function takes a student's answer and returns a
:class:`Feedback`, which prints as its message and is truthy only for a correct
answer. An answer left as ``None`` gets "Not solved yet", so a student copy
without solutions runs from top to bottom.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

#: The vectors of the case 1 exercises: targets and predictions, shape (3, 4).
Y_TRUE = np.array([[1.0, 2.0, 0.0, 1.0], [0.5, -1.0, 2.0, 0.0], [3.0, 0.0, 0.0, 4.0]])
Y_PRED = np.array([[1.0, 1.0, 1.0, 1.0], [-0.5, 1.0, -2.0, 0.0], [0.0, 5.0, 1.0, 0.0]])

NOT_SOLVED = "Not solved yet: replace None with your answer and run the cell again."


class Feedback(str):
    """A checker's verdict: prints as one sentence, ``bool()`` is whether it passed."""

    ok: bool

    def __new__(cls, message: str, ok: bool) -> Feedback:
        obj = super().__new__(cls, message)
        obj.ok = ok
        return obj

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        return str(self)


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
