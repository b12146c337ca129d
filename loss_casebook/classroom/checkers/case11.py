"""Checkers for case 11's exercises (what the loss averages)."""

from __future__ import annotations

import math
from typing import Any

from loss_casebook.classroom.checkers.feedback import Feedback, exercise, fail, not_solved

NOTEBOOK = "case11/03-exercises.ipynb"

#: The per-row losses and sample weights of the first exercise.
LOSSES = [1.0, 2.0, 3.0, 6.0]
WEIGHTS = [0.0, 1.0, 1.0, 0.0]


def _number(answer: Any) -> bool:
    return isinstance(answer, (int, float)) and not isinstance(answer, bool)


@exercise("ex-c11-weights", NOTEBOOK, answer="means")
def check_weighted_means(answer: Any) -> Feedback:
    """Exercise: ``LOSSES`` weighted by ``WEIGHTS``: sum_over_batch_size, mean_with_sample_weight."""
    if answer is None:
        return not_solved()
    if (not isinstance(answer, (list, tuple)) or len(answer) != 2
            or not all(_number(a) for a in answer)):
        return fail("Give two numbers: [sum_over_batch_size, mean_with_sample_weight].")
    rows, weights = (float(a) for a in answer)
    ok_rows, ok_weights = math.isclose(rows, 1.25), math.isclose(weights, 2.5)
    if ok_rows and ok_weights:
        return Feedback("Correct: the weighted sum 5 over the 4 rows, then over the weights' "
                        "sum 2.", True)
    if math.isclose(rows, 2.5) and math.isclose(weights, 1.25):
        return fail("Swapped: sum_over_batch_size divides by the rows, "
                    "mean_with_sample_weight by the sum of the weights.")
    if math.isclose(rows, 3.0) or math.isclose(weights, 3.0):
        return fail("3 is the unweighted mean: multiply each loss by its weight first.")
    if not ok_rows:
        return fail("sum_over_batch_size: sum(w * l) divided by the number of rows, "
                    "zero weights included.")
    return fail("mean_with_sample_weight: sum(w * l) divided by sum(w).")


@exercise("ex-c11-epoch", NOTEBOOK, answer="epoch")
def check_epoch(answer: Any) -> Feedback:
    """Exercise: the epoch loss of 10 rows of loss 1, batch size 4, reduction "sum"."""
    if answer is None:
        return not_solved()
    if not _number(answer) or not math.isfinite(float(answer)):
        return fail("Give one finite number: the epoch loss the log shows.")
    value = float(answer)
    if math.isclose(value, 3.6):
        return Feedback("Correct: batch sums 4, 4 and 2, weighted by their 4, 4 and 2 rows: "
                        "36 / 10.", True)
    if math.isclose(value, 10 / 3):
        return fail("That is the plain mean of the three batch values; Keras weights each "
                    "batch by its number of rows.")
    if math.isclose(value, 10.0):
        return fail("That is the sum over all rows; the log shows a mean over the batches.")
    if math.isclose(value, 1.0):
        return fail("That is the per-row mean, what sum_over_batch_size would show; "
                    "under 'sum' each batch reports the sum of its rows.")
    if math.isclose(value, 4.0):
        return fail("A full batch sums to 4, but the last batch has only 2 rows.")
    return fail("Sum each batch (4 + 4 + 2 rows), then average the sums weighted by "
                "their rows.")


@exercise("ex-c11-mask", NOTEBOOK, answer="masked")
def check_masked(answer: Any) -> Feedback:
    """Exercise: a sequence of 5 steps, the last 2 masked, step losses 1, 2, 3 (and 9, 9 padded)."""
    if answer is None:
        return not_solved()
    if not _number(answer) or not math.isfinite(float(answer)):
        return fail("Give one finite number: the loss Keras reports.")
    value = float(answer)
    if math.isclose(value, 2.0):
        return Feedback("Correct: the 3 valid steps only, (1 + 2 + 3) / 3.", True)
    if math.isclose(value, 1.2):
        return fail("The masked steps add nothing, but they are not counted either: "
                    "divide by the 3 valid steps, not 5.")
    if math.isclose(value, 24 / 5):
        return fail("The mask leaves the padded steps out of the sum.")
    if math.isclose(value, 6.0):
        return fail("That is the sum; sum_over_batch_size divides by the valid steps.")
    return fail("Add the losses of the valid steps and divide by their number.")
