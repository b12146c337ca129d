"""Checkers for case 2's exercises (the Siamese angular-distance NaN)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from loss_casebook.classroom.checkers.feedback import Feedback, exercise, fail, not_solved

NOTEBOOK = "case2/05-exercises.ipynb"


@exercise("ex-c2-eps", NOTEBOOK, answer="eps")
def check_smallest_eps(answer: Any) -> Feedback:
    """Exercise: the smallest power of ten eps for which acos'(1 - eps) is finite in float32."""
    if answer is None:
        return not_solved()
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        return fail(f"Give eps as a number such as 1e-3, not a {type(answer).__name__}.")
    if not np.isfinite(answer) or answer <= 0:
        return fail("eps must be a positive, finite number.")
    if np.float32(1 - answer) == np.float32(1):
        return fail("eps too small: 1 - eps rounds to 1 in float32, where acos has an infinite slope.")
    exponent = np.log10(answer)
    if not np.isclose(exponent, round(exponent)):
        return fail("Give a power of ten, such as 1e-5.")
    if round(exponent) > -7:
        return fail("That eps keeps the gradient finite, but a smaller power of ten does too.")
    return Feedback("Correct: 1e-7 is the smallest power of ten with 1 - eps < 1 in float32.", True)


def probe_head(head: Any) -> Any:
    """Run a head on the probe cosines: its values and gradients, as JSON data.

    Self-contained (the grader runs a copy of this function's source in the
    student's kernel): the cosines slightly above 1, exactly +-1, 0.5 and
    slightly below -1, as a float32 ``tf.Variable`` of shape (5, 1).
    """
    if head is None or not callable(head):
        return None if head is None else {"type": type(head).__name__}
    import numpy as np
    import tensorflow as tf

    cos = tf.Variable(np.array([[1.0000002], [1.0], [0.5], [-1.0], [-1.0000002]], np.float32))
    try:
        with tf.GradientTape() as tape:
            out = head(cos)
        grad = tape.gradient(out, cos)
        value = np.asarray(out, dtype=np.float64)
    except Exception as exc:  # report, never a traceback wall
        return {"error": f"{type(exc).__name__}: {exc}".split("\n")[0]}
    return {"value": value.tolist(), "shape": list(value.shape),
            "grad": None if grad is None else np.asarray(grad, np.float64).tolist()}


def judge_head(probed: Any) -> Feedback:
    """The verdict on what :func:`probe_head` returned for a student's head."""
    if probed is None:
        return not_solved()
    if not isinstance(probed, dict):
        return fail("The grader could not read what your head returned.")
    if "type" in probed:
        return fail(f"Your answer should be a function of the cosine, not a {probed['type']}.")
    if "error" in probed:
        return fail(f"Calling your head raised {probed['error']}")
    out = np.asarray(probed.get("value"), dtype=np.float64)
    if tuple(probed.get("shape", ())) != (5, 1) or out.shape != (5, 1):
        shape = tuple(probed.get("shape", out.shape))
        return fail(f"The head should return one value per cosine, shape (5, 1), not {shape}.")
    if not np.isfinite(out).all():
        return fail("The head returns NaN for a cosine just above 1; clip the cosine before acos.")
    if probed.get("grad") is None:
        return fail("The head's output does not depend on the cosine.")
    if not np.isfinite(np.asarray(probed["grad"], dtype=np.float64)).all():
        return fail("The value is finite but the gradient is not at cos = +-1; "
                    "clip to [-1 + eps, 1 - eps].")
    if out.min() < -1e-6 or out.max() > 1 + 1e-6:
        return fail("Binary cross-entropy needs a probability: keep the output in [0, 1].")
    if not out[1, 0] > out[2, 0] > out[3, 0]:
        return fail("Wrong orientation: label 1 means similar, so a larger cosine must give "
                    "a larger output.")
    return Feedback("Correct: finite values and gradients, a similarity in [0, 1].", True)


@exercise("ex-c2-head", NOTEBOOK, answer="head", judge=judge_head, probe=probe_head)
def check_siamese_head(head: Callable[[Any], Any] | None) -> Feedback:
    """Exercise: a head mapping a cosine to P(similar) with finite values and gradients.

    ``head`` takes a float32 tensor of cosines of shape (batch, 1) and returns
    a similarity of the same shape in [0, 1], larger for larger cosines. It is
    tried on cosines slightly above 1, exactly +-1, and in between.
    """
    return judge_head(probe_head(head))


@exercise("ex-c2-broken", NOTEBOOK, answer="nan_heads")
def check_broken_heads(answer: Any) -> Feedback:
    """Exercise: which heads give NaN, "question", "answer", "both" or "neither"."""
    if answer is None:
        return not_solved()
    choices = {"question", "answer", "both", "neither"}
    if not isinstance(answer, str) or answer.strip().lower() not in choices:
        return fail("Answer with one word: 'question', 'answer', 'both' or 'neither'.")
    reasons = {
        "question": "Not only: clipping after acos is too late, acos already returned NaN.",
        "answer": "The question's head is broken too: acos of a cosine above 1 is NaN.",
        "both": "Correct: acos of a cosine above 1 is NaN, and clip passes a NaN through.",
        "neither": "Run the checker on both: each returns NaN for a cosine just above 1.",
    }
    choice = answer.strip().lower()
    return Feedback(reasons[choice], choice == "both")


@exercise("ex-c2-backend", NOTEBOOK, answer="backend")
def check_nan_backend(answer: Any) -> Feedback:
    """Exercise: which Keras 3 backend raises instead of returning a NaN loss.

    Keras's torch backend ends ``binary_crossentropy`` with
    ``tnn.binary_cross_entropy(output, target, reduction="none")``; the jax and
    tensorflow backends compute ``target * log(output)`` themselves
    (``keras/src/backend/{torch,jax,tensorflow}/nn.py`` at v3.15.1).
    """
    if answer is None:
        return not_solved()
    if not isinstance(answer, str):
        return fail(f"Name the backend as a string, such as 'jax', not a {type(answer).__name__}.")
    name = answer.strip().lower()
    if name in {"torch", "pytorch"}:
        return Feedback("Correct: torch's binary_cross_entropy raises a RuntimeError on CPU (a"
                        " device-side assert on CUDA) for an input outside [0, 1], and NaN is"
                        " outside.", True)
    if name in {"jax", "tensorflow", "tf"}:
        return fail(f"No: {name} computes the cross-entropy with its own log and returns NaN;"
                     " look for the backend whose loss function checks its input.")
    if name == "numpy":
        return fail("The numpy backend cannot train; compare jax, tensorflow and torch.")
    return fail("Name one Keras 3 backend: 'jax', 'tensorflow' or 'torch'.")
