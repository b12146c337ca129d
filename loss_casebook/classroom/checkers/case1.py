"""Checkers for case 1's exercises (the negative cosine-proximity loss)."""

from __future__ import annotations

from typing import Any

import numpy as np

from loss_casebook.classroom.checkers.feedback import Feedback, exercise, fail, not_solved, numbers

NOTEBOOK = "case1/05-exercises.ipynb"

#: The vectors of the case 1 exercises: targets and predictions, shape (3, 4).
Y_TRUE = np.array([[1.0, 2.0, 0.0, 1.0], [0.5, -1.0, 2.0, 0.0], [3.0, 0.0, 0.0, 4.0]])
Y_PRED = np.array([[1.0, 1.0, 1.0, 1.0], [-0.5, 1.0, -2.0, 0.0], [0.0, 5.0, 1.0, 0.0]])


def _cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(-1) / np.linalg.norm(a, axis=-1) / np.linalg.norm(b, axis=-1)


@exercise("ex-c1-distance", NOTEBOOK, answer="distance")
def check_cosine_distance(answer: Any) -> Feedback:
    """Exercise: the cosine distance ``1 - cos`` of each row of Y_TRUE and Y_PRED."""
    arr = numbers(answer)
    if isinstance(arr, Feedback):
        return arr
    expected = 1 - _cosine(Y_TRUE, Y_PRED)
    if arr.shape != expected.shape:
        return fail(f"Expected one distance per row, shape {expected.shape}, but got shape {arr.shape}.")
    if not np.isfinite(arr).all():
        return fail("Your answer contains NaN or infinity; check the norms you divide by.")
    if np.allclose(arr, expected, atol=1e-6):
        return Feedback("Correct: 1 - cos, from 0 (same direction) to 2 (opposite).", True)
    if np.allclose(arr, -_cosine(Y_TRUE, Y_PRED), atol=1e-6):
        return fail("That is Keras's cosine loss, -cos: add 1 to get the distance 1 - cos.")
    if np.allclose(arr, _cosine(Y_TRUE, Y_PRED), atol=1e-6):
        return fail("That is the cosine itself; the distance is 1 - cos.")
    if np.allclose(arr, 1 + _cosine(Y_TRUE, Y_PRED), atol=1e-6):
        return fail("Wrong sign: you computed 1 + cos, the distance is 1 - cos.")
    return fail("The values differ from 1 - cos; normalise each row by its own length.")


@exercise("ex-c1-sign", NOTEBOOK, answer="signs")
def check_loss_sign(answer: Any) -> Feedback:
    """Exercise: the sign (-1, 0 or +1) of Keras's cosine loss for each row pair."""
    arr = numbers(answer)
    if isinstance(arr, Feedback):
        return arr
    expected = np.sign(np.round(-_cosine(Y_TRUE, Y_PRED), 12))
    if arr.shape != expected.shape:
        return fail(f"Give one sign per row: {expected.size} values, not shape {arr.shape}.")
    if not set(np.unique(arr)) <= {-1.0, 0.0, 1.0}:
        return fail("Use -1, 0 or +1 for each sign.")
    wrong = [int(i) for i in np.flatnonzero(arr != expected)]
    if not wrong:
        return Feedback("Correct: the loss is -cos, negative when the vectors agree.", True)
    if (arr == -expected).all():
        return fail("Every sign is flipped: the loss is minus the cosine.")
    return fail(f"Row {wrong[0]} has the wrong sign; compute its dot product first.")


@exercise("ex-c1-accuracy", NOTEBOOK, answer="letter")
def check_accuracy_meaning(answer: Any) -> Feedback:
    """Exercise: which statement describes case 1's "accuracy" (a letter a-d)."""
    if answer is None:
        return not_solved()
    if not isinstance(answer, str) or answer.strip().lower() not in {"a", "b", "c", "d"}:
        return fail("Answer with one letter: 'a', 'b', 'c' or 'd'.")
    choice = answer.strip().lower()
    reasons = {
        "a": "No: nothing is thresholded; Keras compares the positions of the largest components.",
        "b": "Correct: categorical accuracy, argmax of prediction == argmax of target.",
        "c": "No: a cosine above 0.5 is not what it counts; two close vectors can fail it.",
        "d": "No: it is computed per time step, for every one of the N x 15 vectors.",
    }
    return Feedback(reasons[choice], choice == "b")


@exercise("ex-c1-ceiling", NOTEBOOK, answer="ceiling")
def check_sigmoid_ceiling(answer: Any) -> Feedback:
    """Exercise: per row of Y_TRUE, the best cosine a model with non-negative outputs can reach.

    The closest non-negative vector to ``y`` in angle is ``max(y, 0)``, with cosine
    ``|max(y, 0)| / |y|`` (:func:`loss_casebook.cosine.sigmoid_ceiling`).
    """
    arr = numbers(answer)
    if isinstance(arr, Feedback):
        return arr
    pos = np.maximum(Y_TRUE, 0)
    expected = np.linalg.norm(pos, axis=-1) / np.linalg.norm(Y_TRUE, axis=-1)
    if arr.shape != expected.shape:
        return fail(f"Give one cosine per row of Y_TRUE, shape {expected.shape}, not {arr.shape}.")
    if not np.isfinite(arr).all() or np.abs(arr).max() > 1 + 1e-9:
        return fail("A cosine lies in [-1, 1]; divide by both lengths.")
    if np.allclose(arr, expected, atol=1e-6):
        return Feedback("Correct: |max(y, 0)| / |y|, below 1 only where y has a negative part.", True)
    if np.allclose(arr, expected**2, atol=1e-6):
        return fail("That is the square of the cosine; take its square root.")
    if np.allclose(arr, 1.0):
        return fail("Row 1 has negative components, which positive outputs can never match.")
    mirrored = (Y_TRUE * np.abs(Y_TRUE)).sum(-1) / (Y_TRUE**2).sum(-1)
    if np.allclose(arr, mirrored, atol=1e-6):
        return fail("|y| is not the closest positive vector: set negative parts to 0, do not flip them.")
    return fail("The closest positive vector to y is max(y, 0); take its cosine with y.")
