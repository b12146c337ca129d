"""Angular distance with finite values and gradients (case 2).

Built from ``keras.ops`` only, so it runs on every Keras 3 backend; the
backend chapter and ``tests/test_backends.py`` check it under TensorFlow,
JAX and PyTorch, and ``tests/test_zero_vectors.py`` checks every helper here
with all-zero inputs on all three.
"""

from __future__ import annotations

import math

from keras import ops

#: Default clipping margin, chosen by measurement in the case 2 fix chapter.
DEFAULT_EPS = 1e-6

#: Norm floor of the cosine helpers: a vector is divided by ``max(||x||, NORM_FLOOR)``.
#: It bounds every gradient entry of the cosine by ``1 / NORM_FLOOR`` = 1e3 and
#: leaves the cosine of vectors with norm >= 1e-3 unchanged.
NORM_FLOOR = 1e-3

#: Default ``eps`` of :func:`euclidean_distance`: distances up to it count as 0.
DEFAULT_DISTANCE_EPS = 1e-12


def _check_eps(eps: float, name: str = "eps") -> None:
    if not isinstance(eps, (int, float)) or isinstance(eps, bool) or not 0 < eps < 0.5:
        raise ValueError(f"{name} must be a number in (0, 0.5), got {eps!r}.")


def _check_pair(u, v, fn: str) -> None:
    su, sv = tuple(u.shape), tuple(v.shape)
    if len(su) != 2 or len(sv) != 2:
        raise ValueError(
            f"{fn} expects two rank-2 tensors (batch, features), "
            f"got shapes {su} and {sv}."
        )
    if any(a is not None and b is not None and a != b for a, b in zip(su, sv)):
        raise ValueError(f"{fn}: shapes {su} and {sv} differ.")


def _squared_norm(x):
    return ops.sum(ops.square(x), axis=-1, keepdims=True)


def safe_normalize(x, floor: float = NORM_FLOOR):
    """``x / max(||x||, floor)`` along the last axis, with a bounded gradient.

    The norm is ``sqrt(where(s >= floor**2, s, floor**2))`` with
    ``s = sum(x**2)``: ``sqrt`` never sees 0, so its infinite slope there never
    meets the zero gradient of the floor (``0 * inf`` is NaN on JAX and
    PyTorch). A zero vector stays zero, and the Jacobian is ``I / floor``
    wherever ``||x|| < floor``, so no entry exceeds ``1 / floor``. ``where``
    rather than ``maximum``: at a tie ``||x|| == floor``, JAX and PyTorch give
    ``maximum`` half the gradient on each side, which halves the norm's share
    of the gradient; ``where`` gives it all to ``s`` on every backend.
    ``keras.ops.normalize`` instead floors ``rsqrt(sum(x**2))``, which is
    infinite at 0: NaN gradients on JAX, PyTorch and XLA-compiled TensorFlow,
    ``1 / epsilon`` on eager TensorFlow (whose ``RsqrtGrad`` kernel turns
    ``0 * inf`` into 0).
    """
    s = _squared_norm(x)
    floor2 = floor * floor
    return x / ops.sqrt(ops.where(ops.greater_equal(s, floor2), s, floor2))


def _sqrt_or_zero(s, tiny: float):
    """``sqrt(s)`` where ``s > tiny``, else 0, with a finite gradient everywhere.

    The double ``where``: ``sqrt`` gets 1 where ``s <= tiny``, because a
    single ``where`` still sends ``0 * inf`` = NaN back through the branch it
    did not select (on JAX, PyTorch and XLA-compiled TensorFlow; eager
    TensorFlow's ``SqrtGrad`` kernel returns 0 for a zero upstream gradient).
    """
    small = ops.less_equal(s, tiny)
    root = ops.sqrt(ops.where(small, ops.ones_like(s), s))
    return ops.where(small, ops.zeros_like(s), root)


def cosine_similarity(u, v):
    """Row-wise cosine of two ``(batch, features)`` tensors, shape ``(batch, 1)``.

    Each vector is divided by ``max(||x||, NORM_FLOOR)`` (:func:`safe_normalize`,
    floor 1e-3). For vectors with norm >= 1e-3 this is the cosine, as before.
    A shorter vector ``x`` gives ``||x|| / 1e-3`` times the cosine, so a zero
    vector has cosine 0 with anything, itself included. Every gradient entry is
    finite and at most ``1 / NORM_FLOOR`` = 1e3 in magnitude (999.99994 in
    float32 at worst), zero vectors included: tested with zero, 1e-6- and
    1e-30-scaled inputs on TensorFlow (eager and XLA), JAX (eager and jit) and
    PyTorch. With respect to a zero vector it is
    ``other / max(||other||, 1e-3) / 1e-3``; with respect to the other vector
    it is 0. The result may exceed 1 by a rounding error in
    float32.
    """
    _check_pair(u, v, "cosine_similarity")
    return ops.sum(safe_normalize(u) * safe_normalize(v), axis=-1, keepdims=True)


def angular_distance(u, v, eps: float = DEFAULT_EPS):
    """Angular distance ``acos(cos(u, v)) / pi`` in ``[0, 1]``, safe to train.

    The cosine is :func:`cosine_similarity`, clipped to ``[-1 + eps, 1 - eps]``
    *before* ``arccos``: the clip removes float32 results above 1 (where
    ``arccos`` is NaN) and keeps away from +-1 (where its derivative
    ``-1 / sqrt(1 - x^2)`` is infinite). The price is a distance error of about
    ``sqrt(2 * eps) / pi`` for identical or opposite vectors. A zero vector
    (cosine 0) is at distance 0.5 from every vector, itself included, and
    every gradient entry is finite and at most ``1 / (pi * 1e-3)`` ~ 318 in
    magnitude there (tested on TensorFlow, JAX and PyTorch, as for
    :func:`cosine_similarity`).

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
    _check_eps(eps)
    _check_pair(u, v, "angular_distance")
    cos = ops.clip(cosine_similarity(u, v), -1.0 + eps, 1.0 - eps)
    return ops.arccos(cos) / math.pi


def euclidean_distance(a, b, eps: float = DEFAULT_DISTANCE_EPS):
    """Row-wise Euclidean distance ``||a - b||``, shape ``(batch, 1)``, safe to train.

    Exact where the distance exceeds ``eps``; 0 where it is at most ``eps``
    (``a == b`` included), with gradient 0 there, a subgradient of the norm.
    Elsewhere the gradient is ``(a - b) / ||a - b||``, entries at most 1 in
    magnitude. Finite values and gradients for zero inputs and for ``a == b``
    on TensorFlow (eager and XLA), JAX (eager and jit) and PyTorch (tested).
    ``eps`` bounds the error: the result is exact above ``eps`` and at most
    ``eps`` too small below it.

    Parameters
    ----------
    a, b:
        Tensors of shape ``(batch, features)``.
    eps:
        Distance in ``(0, 0.5)`` up to which the result is 0; keep
        ``eps**2`` above float32's smallest normal number (~1.2e-38).

    Raises
    ------
    ValueError
        For a rank other than 2, different shapes, or ``eps`` out of range.
    """
    _check_eps(eps)
    _check_pair(a, b, "euclidean_distance")
    return _sqrt_or_zero(_squared_norm(a - b), eps * eps)
