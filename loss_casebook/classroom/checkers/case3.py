"""Checkers for case 3's exercises (NaN at zero distance)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from loss_casebook.classroom.checkers.feedback import Feedback, exercise, fail, not_solved

NOTEBOOK = "case3/03-exercises.ipynb"

#: keras-io's guard floors the squared distance at Keras's epsilon.
GUARD_EPS = 1e-7


def _word(answer: Any, choices: dict[str, str], what: str) -> str | Feedback:
    """The answer as one of ``choices`` (aliases allowed), or the feedback."""
    if answer is None:
        return not_solved()
    if not isinstance(answer, str):
        return fail(f"Answer with {what} as a string, not a {type(answer).__name__}.")
    name = answer.strip().lower()
    if name not in choices:
        return fail(f"Answer with {what}.")
    return choices[name]


@exercise("ex-c3-backend", NOTEBOOK, answer="backend")
def check_zero_backend(answer: Any) -> Feedback:
    """Exercise: the backend whose gradient of ``square(sqrt(s))`` at 0 is 0, not NaN.

    TensorFlow's ``SqrtGrad`` CPU kernel returns 0 for a zero incoming
    gradient (without XLA); JAX and PyTorch compute ``0 * inf`` = NaN.
    """
    choices = {"tensorflow": "tensorflow", "tf": "tensorflow", "jax": "jax",
               "torch": "torch", "pytorch": "torch", "numpy": "numpy"}
    name = _word(answer, choices, "one backend: 'jax', 'tensorflow' or 'torch'")
    if isinstance(name, Feedback):
        return name
    if name == "tensorflow":
        return Feedback("Correct: TensorFlow's SqrtGrad kernel returns 0 for a zero incoming "
                        "gradient (without XLA; under XLA it is NaN too).", True)
    if name == "numpy":
        return fail("The numpy backend cannot train; compare jax, tensorflow and torch.")
    return fail(f"No: {name} computes 0 * inf and returns NaN; one backend's kernel "
                "special-cases a zero incoming gradient.")


@exercise("ex-c3-loss", NOTEBOOK, answer="breaks")
def check_breaking_loss(answer: Any) -> Feedback:
    """Exercise: which loss gives NaN on TensorFlow without XLA, with duplicates.

    ``"contrastive"``, ``"triplet"``, ``"both"`` or ``"neither"``; the
    soft-margin triplet loss sends a nonzero gradient to a zero distance.
    """
    choices = {c: c for c in ("contrastive", "triplet", "both", "neither")}
    name = _word(answer, choices, "one word: 'contrastive', 'triplet', 'both' or 'neither'")
    if isinstance(name, Feedback):
        return name
    reasons = {
        "triplet": "Correct: its slope at distance 0 is not 0, and inf times the zero "
                   "vector a - b is NaN even on TensorFlow's kernel.",
        "contrastive": "No: a similar pair's term is distance squared, whose slope at 0 is "
                       "0, and TensorFlow's kernel returns 0 for 0 * inf.",
        "both": "Not both: the contrastive loss sends exactly 0 to a zero distance, and "
                "TensorFlow's kernel turns 0 * inf into 0.",
        "neither": "One of them breaks: which loss sends a nonzero gradient to a zero "
                   "distance?",
    }
    return Feedback(reasons[name], name == "triplet")


@exercise("ex-c3-guard", NOTEBOOK, answer="dead_zone")
def check_dead_zone(answer: Any) -> Feedback:
    """Exercise: below which distance keras-io's guard has a zero gradient.

    ``sqrt(maximum(s, 1e-7))`` with ``s`` the squared distance: the gradient
    is 0 wherever ``s < 1e-7``, i.e. for distances below ``sqrt(1e-7)``.
    """
    if answer is None:
        return not_solved()
    if isinstance(answer, bool) or not isinstance(answer, (int, float, np.floating)):
        return fail(f"Give the distance as a number, not a {type(answer).__name__}.")
    value = float(answer)
    if not math.isfinite(value) or value <= 0:
        return fail("The distance must be a positive, finite number.")
    want = math.sqrt(GUARD_EPS)
    if math.isclose(value, want, rel_tol=1e-3):
        return Feedback("Correct: below sqrt(1e-7) ~ 3.16e-4 the guard returns a constant, "
                        "so its gradient is 0.", True)
    if math.isclose(value, GUARD_EPS, rel_tol=1e-3):
        return fail("1e-7 is the floor of the squared distance; the distance is its square "
                    "root.")
    if math.isclose(value, GUARD_EPS**2, rel_tol=1e-3):
        return fail("That squares the floor; the floor is on the squared distance, so take "
                    "its square root.")
    return fail("Not quite: find the distance whose square equals Keras's epsilon, 1e-7.")


def probe_distance(distance: Any) -> Any:
    """Run a distance function on probe pairs: values and gradients, as JSON data.

    Self-contained (the grader runs a copy of this function's source in the
    student's kernel): three rows of ``a``, a float32 ``tf.Variable``, against
    a fixed ``b``: ``a == b``, at distance 1e-4, and at distance 5. The
    gradient is taken twice: in eager TensorFlow, and compiled with XLA
    (``tf.function(jit_compile=True)``), where a single ``where`` around
    ``sqrt`` gives NaN at ``a == b`` as it does on JAX and PyTorch.
    """
    if distance is None or not callable(distance):
        return None if distance is None else {"type": type(distance).__name__}
    import numpy as np
    import tensorflow as tf

    b = np.array([[1.0, 2.0, 2.0]] * 3, np.float32)
    a = b + np.array([[0, 0, 0], [1e-4, 0, 0], [3.0, 4.0, 0]], np.float32)
    var = tf.Variable(a)

    def gradient():
        with tf.GradientTape() as tape:
            out = distance(var, tf.constant(b))
        return out, tape.gradient(out, var)

    def first_line(exc):
        return f"{type(exc).__name__}: {exc}".split("\n")[0]

    try:
        out, grad = gradient()
        value = np.asarray(out, dtype=np.float64)
    except Exception as exc:  # report, never a traceback wall
        return {"error": first_line(exc)}
    found = {"value": value.reshape(-1).tolist(), "shape": list(value.shape),
             "grad": None if grad is None else np.asarray(grad, np.float64).tolist()}
    if grad is not None:
        try:
            xla = tf.function(gradient, jit_compile=True)()[1]
            if xla is not None:
                found["xla_grad"] = np.asarray(xla, np.float64).tolist()
        except Exception as exc:
            found["xla_error"] = first_line(exc)
    return found


def judge_distance(probed: Any) -> Feedback:
    """The verdict on what :func:`probe_distance` returned for a student's distance."""
    if probed is None:
        return not_solved()
    if not isinstance(probed, dict):
        return fail("The grader could not read what your distance returned.")
    if "type" in probed:
        return fail(f"Your answer should be a function of a and b, not a {probed['type']}.")
    if "error" in probed:
        return fail(f"Calling your distance raised {probed['error']}")
    value = np.asarray(probed.get("value"), dtype=np.float64)
    if tuple(probed.get("shape", ())) != (3, 1) or value.shape != (3,):
        shape = tuple(probed.get("shape", value.shape))
        return fail(f"Return one distance per row, shape (3, 1), not {shape}.")
    if probed.get("grad") is None:
        return fail("The result does not depend on a.")
    grad = np.asarray(probed["grad"], dtype=np.float64)
    if not np.isfinite(grad).all():
        return fail("The gradient at a == b is not finite: sqrt sees 0 there; keep 0 away "
                    "from sqrt.")
    if "xla_error" in probed:
        return fail("Compiled with XLA (tf.function(jit_compile=True)), your distance raised "
                    f"{probed['xla_error']}")
    xla = np.asarray(probed.get("xla_grad", 0.0), dtype=np.float64)
    if not np.isfinite(xla).all():
        return fail("Finite in eager TensorFlow, but compiled with XLA the gradient is not "
                    "finite: a where that only picks the result still runs sqrt(0) in the "
                    "branch it drops; keep 0 away from sqrt itself.")
    if not np.isfinite(value).all():
        return fail("The distance is not finite for every row.")
    if abs(value[0]) > 1e-5:
        return fail(f"The distance of a == b should be 0, not {value[0]:.3g}.")
    if abs(value[2] - 5.0) > 1e-4:
        return fail(f"The distance of two points 5 apart should be 5, not {value[2]:.4g}.")
    if abs(value[1] - 1e-4) > 1e-5 or np.abs(grad[1]).max() < 0.5:
        return fail("At a distance of 1e-4 the value or the gradient is wrong (a floor "
                    "such as maximum(s, 1e-7) makes the gradient 0 there).")
    if not np.allclose(grad[2], [0.6, 0.8, 0.0], atol=1e-3):
        return fail("Away from 0 the gradient should be (a - b) / ||a - b||.")
    return Feedback("Correct: exact distances, and finite gradients even at a == b.", True)


@exercise("ex-c3-distance", NOTEBOOK, answer="distance",
          judge=judge_distance, probe=probe_distance)
def check_safe_distance(distance: Callable[[Any, Any], Any] | None) -> Feedback:
    """Exercise: a Euclidean distance with finite gradients at ``a == b``.

    ``distance(a, b)`` takes two float32 tensors of shape (batch, features)
    and returns the row-wise distance, shape (batch, 1). It is tried at
    ``a == b``, at distance 1e-4 and at distance 5, its gradient in eager
    TensorFlow and under XLA.
    """
    return judge_distance(probe_distance(distance))
