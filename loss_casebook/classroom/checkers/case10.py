"""Checkers for case 10's exercises (a loss of your own)."""

from __future__ import annotations

import math
from typing import Any

from loss_casebook.classroom.checkers.feedback import Feedback, exercise, fail, not_solved

NOTEBOOK = "case10/03-exercises.ipynb"

#: The weights exercise: four per-sample losses and their sample weights.
LOSSES = [1.0, 2.0, 3.0, 4.0]
WEIGHTS = [1.0, 1.0, 0.0, 0.0]


def _number(answer: Any) -> bool:
    return isinstance(answer, (int, float)) and not isinstance(answer, bool)


@exercise("ex-c10-min", NOTEBOOK, answer="minimum")
def check_minimum(answer: Any) -> Feedback:
    """Exercise: the smallest value ``bce - dice`` can take."""
    if answer is None:
        return not_solved()
    if not _number(answer) or not math.isfinite(answer):
        return fail("Give one finite number: the loss's smallest value.")
    if math.isclose(answer, -1.0):
        return Feedback("Correct: the cross-entropy's minimum is 0 and the Dice score's "
                        "maximum 1, so bce - dice is at least -1.", True)
    if math.isclose(answer, 0.0):
        return fail("0 is the minimum of bce + 1 - dice; bce - dice subtracts a score "
                    "that reaches 1.")
    return fail("Add the smallest cross-entropy (0) to minus the largest Dice score (1).")


@exercise("ex-c10-weights", NOTEBOOK, answer="weighted")
def check_weighted(answer: Any) -> Feedback:
    """Exercise: the weighted loss Keras reports, per-sample loss and scalar loss."""
    if answer is None:
        return not_solved()
    if (not isinstance(answer, (list, tuple)) or len(answer) != 2
            or not all(_number(a) for a in answer)):
        return fail("Give two numbers: [per-sample loss, scalar loss].")
    per, scalar = (float(a) for a in answer)
    ok_per, ok_scalar = math.isclose(per, 0.75), math.isclose(scalar, 1.25)
    if ok_per and ok_scalar:
        return Feedback("Correct: (1 + 2) / 4 with the weights on each sample; the mean "
                        "2.5 times the mean weight 0.5 for the scalar.", True)
    if not ok_per and math.isclose(per, 1.5):
        return fail("Keras divides the weighted sum by the number of samples, 4, not by "
                    "the sum of the weights.")
    if not ok_per:
        return fail("Per sample: multiply each loss by its weight, sum, divide by 4.")
    if math.isclose(scalar, 0.75):
        return fail("A scalar loss has no samples left to weight: Keras multiplies the "
                    "mean, 2.5, by each weight and averages.")
    return fail("For the scalar: the function returns the mean 2.5; Keras multiplies it "
                "by the weights and averages them.")


@exercise("ex-c10-backend", NOTEBOOK, answer="round_loss")
def check_round_backends(answer: Any) -> Feedback:
    """Exercise: what fit does on TensorFlow, JAX and PyTorch with a loss through round."""
    if answer is None:
        return not_solved()
    if (not isinstance(answer, (list, tuple)) or len(answer) != 3
            or not all(isinstance(a, str) for a in answer)):
        return fail("Give a list of three words, for tensorflow, jax and torch in that order.")
    words = [a.strip().lower() for a in answer]
    if not set(words) <= {"raises", "silent"}:
        return fail("Use only the words 'raises' and 'silent'.")
    right = ["raises", "silent", "silent"]
    reasons = {"tensorflow": "Round's gradient is None, and Keras's optimizer raises "
                             "'No gradients provided for any variable.'",
               "jax": "round's derivative is 0, so fit trains and the weights stay put.",
               "torch": "round's backward is zero, so fit trains and the weights stay put "
                        "(argmax would raise)."}
    wrong = [n for n, w, r in zip(["tensorflow", "jax", "torch"], words, right) if w != r]
    if not wrong:
        return Feedback("Correct: TensorFlow raises; JAX and PyTorch train with zero "
                        "gradients and learn nothing.", True)
    return fail(f"Not for {wrong[0]}: {reasons[wrong[0]]}")
