"""Checkers for case 4's exercises (a negative binary cross-entropy)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from loss_casebook.classroom.checkers.feedback import Feedback, exercise, fail, not_solved

NOTEBOOK = "case4/03-exercises.ipynb"

#: 1 minus float32(1 - 1e-7): the gap Keras's clip leaves below 1 in float32.
DELTA = 2.0**-23

#: The mask of the fix exercise, as stored (0/255).
MASK = [0, 255, 255, 0, 255]


def floor(target: float) -> float:
    """The smallest binary cross-entropy Keras's clip allows for a target >= 1."""
    return -(target * math.log(1 - DELTA) + (1 - target) * math.log(DELTA))


@exercise("ex-c4-floor", NOTEBOOK, answer="floor_100")
def check_floor(answer: Any) -> Feedback:
    """Exercise: the lowest loss a pixel of target 100 can reach on JAX."""
    if answer is None:
        return not_solved()
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        return fail(f"Give the floor as one number, not a {type(answer).__name__}.")
    if not math.isfinite(answer):
        return fail("The clip keeps the loss finite on JAX: the floor is a finite number.")
    right = floor(100.0)
    if answer >= 0:
        return fail("For a target above 1 the loss goes below 0: the floor is negative.")
    if math.isclose(answer, right, rel_tol=1e-4):
        return Feedback(f"Correct: {right:.2f}, (t - 1) log(2**-23) and a tiny t term.", True)
    naive = -(100 * math.log(1 - 1e-7) + (1 - 100) * math.log(1e-7))
    if math.isclose(answer, naive, rel_tol=1e-4):
        return fail("That uses 1e-7 itself; in float32 the clip bound 1 - 1e-7 rounds to "
                    "1 - 2**-23, so the gap is 2**-23.")
    return fail("Put p = 1 - 2**-23 (the float32 clip bound) into -(t log p + (1 - t) log(1 - p)).")


@exercise("ex-c4-backend", NOTEBOOK, answer="behaviour")
def check_backend_behaviour(answer: Any) -> Feedback:
    """Exercise: what TensorFlow, JAX and PyTorch do with 0/255 targets, in that order."""
    if answer is None:
        return not_solved()
    choices = {"falls", "floor", "raises"}
    if (not isinstance(answer, (list, tuple)) or len(answer) != 3
            or not all(isinstance(a, str) for a in answer)):
        return fail("Give a list of three words, for tensorflow, jax and torch in that order.")
    words = [a.strip().lower() for a in answer]
    if not set(words) <= choices:
        return fail("Use only the words 'falls', 'floor' and 'raises'.")
    right = ["falls", "floor", "raises"]
    names = ["tensorflow", "jax", "torch"]
    wrong = [n for n, w, r in zip(names, words, right) if w != r]
    if not wrong:
        return Feedback("Correct: TensorFlow uses the sigmoid's logits and falls, JAX clips "
                        "and stops at a floor, PyTorch checks the target and raises.", True)
    reasons = {"tensorflow": "TensorFlow reads the sigmoid's logits: no clip, no floor.",
               "jax": "JAX clips the prediction, so its loss stops at a floor.",
               "torch": "torch's binary_cross_entropy checks that targets lie in [0, 1]."}
    return fail(f"Not for {wrong[0]}: {reasons[wrong[0]]}")


@exercise("ex-c4-fix", NOTEBOOK, answer="targets")
def check_fixed_targets(answer: Any) -> Feedback:
    """Exercise: the targets to give binary cross-entropy for the 0/255 ``MASK``."""
    if answer is None:
        return not_solved()
    try:
        values = np.asarray(answer, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        return fail(f"Give the targets as numbers, not a {type(answer).__name__}.")
    right = np.asarray(MASK, dtype=np.float64) / 255
    if values.shape != right.shape:
        return fail(f"Give one target per pixel: {len(MASK)} numbers, not {values.size}.")
    if not np.isfinite(values).all():
        return fail("The targets must be finite numbers.")
    if values.max() > 1 or values.min() < 0:
        return fail("Some targets are still outside [0, 1]; divide the mask by 255.")
    if np.allclose(values, right):
        return Feedback("Correct: 0 and 1, what binary cross-entropy expects.", True)
    return fail("In range, but not the mask: a 255 pixel should become 1 and a 0 stay 0.")
