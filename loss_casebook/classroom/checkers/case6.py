"""Checkers for case 6's exercises (labels the loss cannot see)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from loss_casebook.classroom.checkers.feedback import Feedback, exercise, fail, not_solved

NOTEBOOK = "case6/03-exercises.ipynb"

#: The labels of the fix exercise: 1-based ids of 4 classes, and 255 for void.
LABELS = [1, 4, 2, 255, 3, 4, 255, 1]


@exercise("ex-c6-mean", NOTEBOOK, answer="means")
def check_means(answer: Any) -> Feedback:
    """Exercise: JAX's mean loss over 8 pixels, 2 void, 6 at 0.5: plain, then ignore_class."""
    if answer is None:
        return not_solved()
    if (not isinstance(answer, (list, tuple)) or len(answer) != 2
            or not all(isinstance(a, (int, float)) and not isinstance(a, bool) for a in answer)):
        return fail("Give two numbers: [without ignore_class, with ignore_class=255].")
    plain, ignore = (float(a) for a in answer)
    if not (math.isfinite(plain) and math.isfinite(ignore)):
        return fail("Both means are finite numbers.")
    ok_plain, ok_ignore = math.isclose(plain, 0.375), math.isclose(ignore, 0.5)
    if ok_plain and ok_ignore:
        return Feedback("Correct: JAX gives void pixels a loss of 0 but still counts them "
                        "(3/8); ignore_class divides by the 6 valid pixels.", True)
    if not ok_plain and math.isclose(plain, 0.5):
        return fail("Without ignore_class, JAX's void pixels add 0 to the sum but still "
                    "count in the mean over all 8.")
    if not ok_ignore and math.isclose(ignore, 0.375):
        return fail("With ignore_class, Keras masks the void pixels and divides by the "
                    "6 valid ones.")
    return fail("Sum the per-pixel losses (void pixels: 0) and divide by the pixels counted.")


@exercise("ex-c6-backend", NOTEBOOK, answer="label_255")
def check_backend_labels(answer: Any) -> Feedback:
    """Exercise: what TensorFlow (CPU), JAX and PyTorch do with a label of 255 and K = 4."""
    if answer is None:
        return not_solved()
    if (not isinstance(answer, (list, tuple)) or len(answer) != 3
            or not all(isinstance(a, str) for a in answer)):
        return fail("Give a list of three words, for tensorflow, jax and torch in that order.")
    words = [a.strip().lower() for a in answer]
    if not set(words) <= {"raises", "ignores"}:
        return fail("Use only the words 'raises' and 'ignores'.")
    right = ["raises", "ignores", "raises"]
    names = ["tensorflow", "jax", "torch"]
    wrong = [n for n, w, r in zip(names, words, right) if w != r]
    if not wrong:
        return Feedback("Correct: TensorFlow's CPU kernel and torch's nll_loss check the "
                        "label; JAX's one_hot gives a zero row, a loss of 0.", True)
    reasons = {"tensorflow": "on CPU, TensorFlow's kernel checks each label and raises "
                             "InvalidArgumentError.",
               "jax": "jax.nn.one_hot turns an index outside [0, K) into a row of zeros, "
                      "so the loss is 0 and nothing is raised.",
               "torch": "torch's nll_loss raises IndexError: Target 255 is out of bounds."}
    return fail(f"Not for {wrong[0]}: {reasons[wrong[0]]}")


@exercise("ex-c6-fix", NOTEBOOK, answer="fixed_labels")
def check_fixed_labels(answer: Any) -> Feedback:
    """Exercise: ``LABELS`` made 0-based, 255 kept for ``ignore_class=255``."""
    if answer is None:
        return not_solved()
    try:
        values = np.asarray(answer, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        return fail(f"Give the labels as numbers, not a {type(answer).__name__}.")
    labels = np.asarray(LABELS)
    right = np.where(labels == 255, 255, labels - 1)
    if values.shape != right.shape:
        return fail(f"Give one label per pixel: {len(LABELS)} numbers, not {values.size}.")
    if np.array_equal(values, right):
        return Feedback("Correct: classes 0 to 3, and 255 left for ignore_class=255.", True)
    if np.array_equal(values, labels):
        return fail("Unchanged: the ids are 1-based, so class 4 is outside [0, 4).")
    if np.array_equal(values, labels - 1):
        return fail("The void marker became 254; subtract 1 only from real classes.")
    if np.array_equal(values[labels != 255], right[labels != 255]):
        return fail("Classes right, but keep 255 on the void pixels: that is what "
                    "ignore_class=255 looks for.")
    return fail("Subtract 1 from each class id and leave the 255s as they are.")
