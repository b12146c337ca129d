"""A positive cosine loss for Keras 3 (case 1).

Built from ``keras.ops`` only, so it runs on every Keras 3 backend; the
backend chapter and ``tests/test_backends.py`` check it under TensorFlow,
JAX and PyTorch.
"""

from __future__ import annotations

import keras
from keras import ops

from loss_casebook.ops import safe_normalize


@keras.saving.register_keras_serializable(package="loss_casebook")
def cosine_distance(y_true, y_pred):
    """Cosine distance ``1 - cos(y_true, y_pred)`` along the last axis.

    0 when prediction and target point the same way, 1 when orthogonal, 2 when
    opposite. For vectors with norm >= 1e-3 it differs from Keras's
    ``CosineSimilarity`` loss (``-cos``) by the constant 1 only, so it has the
    same gradients and trains identically; it just reads like a distance.
    Registered, so a model compiled with it saves to and loads from ``.keras``
    files.

    Vectors are divided by ``max(||x||, 1e-3)``
    (:func:`loss_casebook.ops.safe_normalize`, floor ``ops.NORM_FLOOR``), so
    for vectors with norm >= 1e-3 this is exactly ``1 - cos``. An all-zero
    vector gets distance 1 (from anything, itself included), and every
    gradient entry is finite and at most 1e3 in magnitude, zero vectors
    included, on TensorFlow (eager and XLA), JAX (eager and jit) and PyTorch
    (``tests/test_zero_vectors.py``).
    Keras's own ``cosine_similarity`` loss uses ``keras.ops.normalize`` with
    ``keras.config.epsilon()`` = 1e-7 (``keras/src/losses/losses.py`` and
    ``keras/src/backend/config.py`` at v3.15.1): it agrees for vectors with norm
    >= 1e-3, but its gradient with respect to a zero vector is NaN on JAX,
    PyTorch and XLA-compiled TensorFlow (up to 1e7 on eager TensorFlow), since
    ``normalize`` floors ``rsqrt(sum(x**2))``, infinite at 0.
    Below norm 1e-3 this loss sees ``||x|| / 1e-3`` times the cosine. A NaN
    in either input gives a NaN distance for that vector (it is not hidden),
    so ``keras.callbacks.TerminateOnNaN`` or ``loss_casebook.watch.NaNHunter``
    can catch it.

    Raises
    ------
    ValueError
        If the two shapes are known and differ.
    """
    true_shape, pred_shape = tuple(y_true.shape), tuple(y_pred.shape)
    if len(true_shape) != len(pred_shape) or any(
        a is not None and b is not None and a != b for a, b in zip(true_shape, pred_shape)
    ):
        raise ValueError(
            f"cosine_distance: y_true and y_pred must have the same shape, "
            f"got {true_shape} and {pred_shape}."
        )
    y_true = ops.cast(y_true, y_pred.dtype)
    return 1.0 - ops.sum(safe_normalize(y_true) * safe_normalize(y_pred), axis=-1)
