"""NumPy references for case 1: cosine, the sigmoid ceiling, "accuracy", retrieval."""

from __future__ import annotations

import numpy as np


def _as_pair(y_true: np.ndarray, y_pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(y_true, dtype=np.float64)
    b = np.asarray(y_pred, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(
            f"y_true and y_pred must have the same shape, got {a.shape} and {b.shape}."
        )
    if a.ndim == 0 or a.shape[-1] == 0:
        raise ValueError(f"expected vectors along the last axis, got shape {a.shape}.")
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        raise ValueError("y_true and y_pred must not contain NaN or infinity.")
    return a, b


def cosine(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Cosine similarity along the last axis, as tf-keras computes it.

    Each vector is divided by ``sqrt(max(sum(x**2), 1e-12))``, the floor of
    ``tf.linalg.l2_normalize``, which tf-keras 2.21's ``cosine_similarity``
    uses. Keras 3.15's ``ops.normalize`` multiplies by
    ``min(rsqrt(sum(x**2)), 1 / 1e-7)`` instead; the two agree for every
    vector whose norm is at least 1e-6. Either way an all-zero vector has
    cosine 0 with everything (a finite value, not an error).

    Raises ``ValueError`` for different shapes, scalars or non-finite input.
    """
    a, b = _as_pair(y_true, y_pred)
    na = np.sqrt(np.maximum((a * a).sum(-1, keepdims=True), 1e-12))
    nb = np.sqrt(np.maximum((b * b).sum(-1, keepdims=True), 1e-12))
    return ((a / na) * (b / nb)).sum(-1)


def cosine_proximity(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Minus the mean cosine: the loss Keras reports for a cosine loss.

    This is what ``cosine_proximity`` (Keras 2.2), ``cosine_similarity``
    (tf-keras 2.21) and ``keras.losses.CosineSimilarity`` (Keras 3) average
    over all vectors with the default reduction.
    """
    return float(-cosine(y_true, y_pred).mean())


def sigmoid_ceiling(y_true: np.ndarray) -> float:
    """Best mean cosine any output in ``[0, 1]^d`` can reach for these targets.

    For a target ``y`` the non-negative vector closest in angle is its
    positive part ``y+``, with cosine ``|y+| / |y|``. An all-negative target
    gets 0 (the zero vector's cosine under Keras's norm floor). Returns the
    mean over all vectors.
    """
    y = np.asarray(y_true, dtype=np.float64)
    if y.ndim == 0 or not np.isfinite(y).all():
        raise ValueError("y_true must be a finite array of vectors.")
    norm = np.linalg.norm(y, axis=-1)
    if (norm == 0).any():
        raise ValueError("y_true contains an all-zero vector, which has no direction.")
    return float((np.linalg.norm(np.maximum(y, 0), axis=-1) / norm).mean())


def argmax_accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """What ``metrics=["accuracy"]`` computes for these targets.

    Keras resolves the string "accuracy" by the shapes of target and output
    (``get_metric`` in Keras 3.15's ``keras/src/trainers/compile_utils.py``,
    ``_get_metric_object`` in tf-keras 2.21's
    ``tf_keras/engine/compile_utils.py``): binary if the output's last
    dimension is 1, sparse categorical if the target has a lower rank or a
    last dimension of 1, otherwise categorical. For vector targets it is
    categorical accuracy: the fraction of vectors whose largest component
    sits at the same index in target and prediction.
    """
    a, b = _as_pair(y_true, y_pred)
    return float((a.argmax(-1) == b.argmax(-1)).mean())


def retrieval_score(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Fraction of predictions whose nearest target (by cosine) is their own.

    All vectors are flattened to ``(-1, dim)``; for each prediction,
    scikit-learn's ``NearestNeighbors`` with the cosine metric finds the
    closest of all targets. Chance level is ``1 / number of vectors``.
    """
    from sklearn.neighbors import NearestNeighbors

    a, b = _as_pair(y_true, y_pred)
    a = a.reshape(-1, a.shape[-1])
    b = b.reshape(-1, b.shape[-1])
    nn = NearestNeighbors(n_neighbors=1, metric="cosine").fit(a)
    idx = nn.kneighbors(b, return_distance=False)[:, 0]
    return float((idx == np.arange(len(a))).mean())
