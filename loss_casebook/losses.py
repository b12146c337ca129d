"""A positive cosine loss for Keras 3 (case 1).

Built from ``keras.ops`` only, so it runs on every Keras 3 backend; the
backend chapter and ``tests/test_backends.py`` check it under TensorFlow,
JAX and PyTorch.
"""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="loss_casebook")
def cosine_distance(y_true, y_pred):
    """Cosine distance ``1 - cos(y_true, y_pred)`` along the last axis.

    0 when prediction and target point the same way, 1 when orthogonal, 2 when
    opposite. It differs from Keras's ``CosineSimilarity`` loss (``-cos``) by
    the constant 1 only, so it has the same gradients and trains identically;
    it just reads like a distance. Registered, so a model compiled with it
    saves to and loads from ``.keras`` files.

    Vectors are normalised with ``keras.ops.normalize(x, epsilon=1e-12)``, a
    norm floor of 1e-12, so an all-zero vector gets distance 1, a finite value.
    Keras's own ``cosine_similarity`` loss normalises with the default epsilon,
    ``keras.config.epsilon()`` = 1e-7 (``keras/src/losses/losses.py`` and
    ``keras/src/backend/config.py`` at v3.15.1); the two agree for every
    vector whose norm is at least 1e-7. A NaN
    in either input gives a NaN distance for that vector (it is not hidden),
    so ``keras.callbacks.TerminateOnNaN`` or ``loss_casebook.callbacks.NaNHunter``
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
    y_true = ops.normalize(y_true, axis=-1, epsilon=1e-12)
    y_pred = ops.normalize(y_pred, axis=-1, epsilon=1e-12)
    return 1.0 - ops.sum(y_true * y_pred, axis=-1)
