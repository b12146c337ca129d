"""Angular distance with finite values and gradients (case 2).

Built from ``keras.ops`` only, so it runs on every Keras 3 backend; the
backend chapter and ``tests/test_backends.py`` check it under TensorFlow,
JAX and PyTorch.
"""

from __future__ import annotations

import math

from keras import ops

#: Default clipping margin, chosen by measurement in the case 2 fix chapter.
DEFAULT_EPS = 1e-6


def _check(u, v, eps: float) -> None:
    if not isinstance(eps, (int, float)) or isinstance(eps, bool) or not 0 < eps < 0.5:
        raise ValueError(f"eps must be a number in (0, 0.5), got {eps!r}.")
    su, sv = tuple(u.shape), tuple(v.shape)
    if len(su) != 2 or len(sv) != 2:
        raise ValueError(
            f"angular_distance expects two rank-2 tensors (batch, features), "
            f"got shapes {su} and {sv}."
        )
    if any(a is not None and b is not None and a != b for a, b in zip(su, sv)):
        raise ValueError(f"angular_distance: shapes {su} and {sv} differ.")


def cosine_similarity(u, v):
    """Row-wise cosine of two ``(batch, features)`` tensors, shape ``(batch, 1)``.

    Each vector is scaled by ``min(rsqrt(sum(x**2)), 1 / 1e-12)``: that is
    ``keras.ops.normalize(x, epsilon=1e-12)`` (``_normalize`` in
    ``keras/src/ops/nn.py`` at v3.15.1), a norm floor of 1e-12. A zero vector
    stays zero and gets cosine 0 with a finite gradient (tested). The result
    may still exceed 1 by a rounding error in float32.
    """
    _check(u, v, DEFAULT_EPS)
    u = ops.normalize(u, axis=-1, epsilon=1e-12)
    v = ops.normalize(v, axis=-1, epsilon=1e-12)
    return ops.sum(u * v, axis=-1, keepdims=True)


def angular_distance(u, v, eps: float = DEFAULT_EPS):
    """Angular distance ``acos(cos(u, v)) / pi`` in ``[0, 1]``, safe to train.

    The cosine is clipped to ``[-1 + eps, 1 - eps]`` *before* ``arccos``: the
    clip removes float32 results above 1 (where ``arccos`` is NaN) and keeps
    away from +-1 (where its derivative ``-1 / sqrt(1 - x^2)`` is infinite).
    The price is a distance error of about ``sqrt(2 * eps) / pi`` for
    identical or opposite vectors.

    Built from ``keras.ops``: works on KerasTensors inside a functional model
    and on eager tensors or NumPy arrays.

    Parameters
    ----------
    u, v:
        Tensors of shape ``(batch, features)``.
    eps:
        Clipping margin in ``(0, 0.5)``.

    Returns
    -------
    Tensor of shape ``(batch, 1)``: 0 for the same direction, 1 for opposite.

    Raises
    ------
    ValueError
        For a rank other than 2, different shapes, or ``eps`` out of range.
    """
    _check(u, v, eps)
    cos = cosine_similarity(u, v)
    cos = ops.clip(cos, -1.0 + eps, 1.0 - eps)
    return ops.arccos(cos) / math.pi
