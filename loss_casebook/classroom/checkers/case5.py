"""Checkers for case 5's exercises (probabilities treated as logits)."""

from __future__ import annotations

import math
from typing import Any

from loss_casebook.classroom.checkers.feedback import Feedback, exercise, fail, not_solved

NOTEBOOK = "case5/03-exercises.ipynb"


def softmax_floor(k: int) -> float:
    """``ln(1 + (k - 1) / e)``: the lowest loss of softmax outputs taken as logits."""
    return math.log(1 + (k - 1) / math.e)


def _number(answer: Any, what: str) -> float | Feedback:
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        return fail(f"Give {what} as a number, not a {type(answer).__name__}.")
    if not math.isfinite(answer):
        return fail(f"{what.capitalize()} is a finite number.")
    return float(answer)


@exercise("ex-c5-floor", NOTEBOOK, answer="floor10")
def check_floor_ten_classes(answer: Any) -> Feedback:
    """Exercise: the stalled loss of a 10-class softmax model with ``from_logits=True``."""
    if answer is None:
        return not_solved()
    value = _number(answer, "the loss")
    if isinstance(value, Feedback):
        return value
    if abs(value - softmax_floor(10)) < 1e-3:
        return Feedback("Correct: ln(1 + 9/e), the loss of a one-hot probability vector "
                        "taken as logits.", True)
    if abs(value - math.log(10)) < 1e-3:
        return fail("ln(10) is the loss of a uniform guess; the stalled model is sure of "
                    "the right class, and its loss is lower.")
    if abs(value - softmax_floor(4)) < 1e-3:
        return fail("That is the floor for 4 classes; redo it with K = 10.")
    if abs(value) < 1e-3:
        return fail("0 is the loss of correct logits; probabilities in [0, 1] taken as "
                    "logits cannot get there.")
    return fail("Take the probabilities (1, 0, ..., 0) as logits and compute "
                "-log(softmax(p)[true class]) for K = 10.")


@exercise("ex-c5-backend", NOTEBOOK, answer="trains")
def check_training_backend(answer: Any) -> Feedback:
    """Exercise: which backend trains softmax outputs with ``from_logits=True`` anyway.

    Keras's TensorFlow backend reads the scores that ``softmax`` attached to
    its output (``_keras_logits``) back in ``_get_logits``; the JAX and
    PyTorch backends do not (``keras/src/backend/*/nn.py`` at v3.15.1).
    """
    if answer is None:
        return not_solved()
    if not isinstance(answer, str):
        return fail(f"Name the backend as a string, such as 'jax', not a "
                    f"{type(answer).__name__}.")
    name = answer.strip().lower()
    if name in {"tensorflow", "tf"}:
        return Feedback("Correct: TensorFlow's cross-entropies read the scores softmax "
                        "attached to its output, and warn.", True)
    if name in {"jax", "torch", "pytorch"}:
        return fail(f"No: on {name} the loss takes the probabilities as logits and stalls "
                    "at ln(1 + (K-1)/e).")
    return fail("Name one Keras 3 backend: 'jax', 'tensorflow' or 'torch'.")


#: The exercise's configurations and whether each agrees.
PAIRS = {"a": False, "b": False, "c": True, "d": False, "e": True}


@exercise("ex-c5-pairs", NOTEBOOK, answer="agree")
def check_agreeing_pairs(answer: Any) -> Feedback:
    """Exercise: which of the configurations (a) to (e) agree (a list of letters)."""
    if answer is None:
        return not_solved()
    if isinstance(answer, str) or not isinstance(answer, (list, tuple)):
        return fail(f"Give a list of letters such as ['a', 'b'], not a "
                    f"{type(answer).__name__}.")
    if not all(isinstance(a, str) for a in answer):
        return fail("Give the configurations as letters, such as ['a', 'b'].")
    chosen = {a.strip().lower() for a in answer}
    unknown = sorted(chosen - set(PAIRS))
    if unknown:
        return fail(f"There is no configuration {unknown[0]!r}; choose among a to e.")
    right = {k for k, ok in PAIRS.items() if ok}
    if chosen == right:
        return Feedback("Correct: only raw scores with from_logits=True (c) and a sigmoid "
                        "with the default from_logits=False (e) agree.", True)
    if "d" in chosen:
        return fail("(d) is the sibling mistake: a softmax over one unit outputs 1 for "
                    "every input.")
    if "a" in chosen:
        return fail("(a) gives probabilities to a loss that expects logits.")
    if "b" in chosen:
        return fail("(b) gives raw scores to a loss that expects probabilities.")
    return fail("Some configurations that agree are missing; try check_from_logits on "
                "each.")


@exercise("ex-c5-accuracy", NOTEBOOK, answer="accuracy")
def check_single_softmax_accuracy(answer: Any) -> Feedback:
    """Exercise: the accuracy of ``Dense(1, activation="softmax")`` with 30 % positives."""
    if answer is None:
        return not_solved()
    value = _number(answer, "the accuracy")
    if isinstance(value, Feedback):
        return value
    if value > 1:
        value /= 100  # a percentage
    if abs(value - 0.3) < 1e-6:
        return Feedback("Correct: the output is 1 for every input, so every row is called "
                        "positive and only the positives count as right.", True)
    if abs(value - 0.7) < 1e-6:
        return fail("That would be a model that always says 0; a softmax over one unit "
                    "says 1.")
    if abs(value - 0.5) < 1e-6:
        return fail("The model is not guessing at random: it gives the same answer "
                    "for every row.")
    return fail("Work out what the model outputs for every row, then which rows that "
                "answer gets right.")
