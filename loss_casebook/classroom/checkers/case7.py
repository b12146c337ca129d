"""Checkers for case 7's exercises (the loss you see is an average)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from loss_casebook.classroom.checkers.feedback import Feedback, exercise, fail, not_solved

NOTEBOOK = "case7/03-exercises.ipynb"

#: ``logs["loss"]`` at the end of each of four batches of 32 rows.
RUNNING = [2.0, 1.5, 1.2, 1.0]

#: The layers and terms of the second exercise.
PARTS = ("dropout", "l2", "batchnorm", "frozen batchnorm")

#: What ``comparable_losses`` returned in the third exercise.
NUMBERS = {"fit loss": 1.31, "train loss": 0.62, "regularisation": 0.17,
           "val_loss": 0.71}


def _number(answer: Any) -> float | None:
    if isinstance(answer, bool) or not isinstance(answer, (int, float, np.floating)):
        return None
    value = float(answer)
    return value if math.isfinite(value) else None


@exercise("ex-c7-batches", NOTEBOOK, answer="batch_losses")
def check_batch_losses(answer: Any) -> Feedback:
    """Exercise: the four batches' own losses from the running means ``RUNNING``."""
    if answer is None:
        return not_solved()
    try:
        values = np.asarray(answer, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        return fail(f"Give four numbers, not a {type(answer).__name__}.")
    if values.size != len(RUNNING):
        return fail(f"Give one loss per batch: {len(RUNNING)} numbers, not {values.size}.")
    k = np.arange(1, len(RUNNING) + 1)
    m = np.asarray(RUNNING)
    right = k * m - (k - 1) * np.concatenate([[0.0], m[:-1]])
    if np.allclose(values, right, atol=1e-6):
        return Feedback("Correct: batch k's loss is k m_k - (k - 1) m_(k-1); the last batch "
                        "is well below the epoch's mean of 1.0.", True)
    if np.allclose(values, m):
        return fail("Those are the running means Keras logs; each batch's own loss is "
                    "k m_k - (k - 1) m_(k-1).")
    if np.allclose(values, np.diff(np.concatenate([[0.0], m]))):
        return fail("The differences of the means are not the losses: weight the means "
                    "by the number of batches, k m_k - (k - 1) m_(k-1).")
    return fail("Batch k's loss is k times the mean of k batches minus (k - 1) times the "
                "mean of the first k - 1.")


@exercise("ex-c7-fixed", NOTEBOOK, answer="differ")
def check_differ(answer: Any) -> Feedback:
    """Exercise: which of ``PARTS`` make fit's loss differ from evaluate at learning rate 0."""
    if answer is None:
        return not_solved()
    if isinstance(answer, str) or not all(isinstance(a, str) for a in answer):
        return fail("Give a list (or set) of names taken from PARTS.")
    names = {a.strip().lower() for a in answer}
    unknown = names - set(PARTS)
    if unknown:
        return fail(f"Use only the names in PARTS, not {sorted(unknown)[0]!r}.")
    right = {"dropout", "batchnorm"}
    if names == right:
        return Feedback("Correct: dropout and BatchNormalization act differently in training "
                        "mode; regularisation is in both numbers, and a frozen "
                        "BatchNormalization runs in inference mode inside fit too.", True)
    if "l2" in names:
        return fail("Keras 3 adds model.losses to evaluate's loss as well as fit's: the "
                    "regularisation is in both numbers.")
    if "frozen batchnorm" in names:
        return fail("A BatchNormalization with trainable = False runs in inference mode "
                    "even inside fit: it uses the moving statistics in both.")
    missing = sorted(right - names)
    reason = {"dropout": "Dropout drops units only when called with training=True, as fit "
                         "calls the model.",
              "batchnorm": "In training mode BatchNormalization normalises with each batch's "
                           "statistics, in evaluate with the moving ones."}
    return fail(f"Missing {missing[0]!r}: {reason[missing[0]]}")


@exercise("ex-c7-compare", NOTEBOOK, answer="train_data_loss")
def check_train_data_loss(answer: Any) -> Feedback:
    """Exercise: the training rows' loss without regularisation, from ``NUMBERS``."""
    if answer is None:
        return not_solved()
    value = _number(answer)
    if value is None:
        return fail("Give one finite number.")
    right = NUMBERS["train loss"] - NUMBERS["regularisation"]
    if math.isclose(value, right, abs_tol=1e-6):
        return Feedback("Correct: evaluate includes the regularisation; without it the "
                        "training rows' loss is 0.45, the number a NumPy MSE gives.", True)
    if math.isclose(value, NUMBERS["train loss"], abs_tol=1e-6):
        return fail("evaluate's loss includes model.losses: subtract the regularisation.")
    if math.isclose(value, NUMBERS["fit loss"] - NUMBERS["regularisation"], abs_tol=1e-6):
        return fail("fit's loss is the epoch's running mean in training mode: start from "
                    "the training rows' loss with the end weights (\"train loss\").")
    if math.isclose(value, NUMBERS["val_loss"] - NUMBERS["regularisation"], abs_tol=1e-6):
        return fail("That is the validation rows' loss without regularisation; the "
                    "question asks for the training rows'.")
    return fail("Take \"train loss\" (evaluate on the training rows) and remove what "
                "evaluate adds to the data's loss.")
