"""Case 3 (NaN at zero distance) as a backend-neutral experiment.

A Siamese model whose head is the Euclidean distance
``sqrt(sum(square(a - b)))`` meets pairs whose two embeddings coincide. The
experiment has three parts, chosen with ``parts``: ``"facts"`` (values and
gradients at zero distance), ``"broken"`` (training with the plain distance,
a contrastive and a triplet loss, and the messages each backend's NaN
debugger prints) and ``"fixed"`` (training with keras-io's guard and with
:func:`loss_casebook.ops.euclidean_distance`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from loss_casebook.backends.experiments.common import backend, value_and_grad
from loss_casebook.repro import training_seed

#: keras-io's guard floors the squared distance at Keras's epsilon, 1e-7.
GUARD_EPS = 1e-7
PARTS = ("facts", "broken", "fixed")


def plain_distance(a, b):
    """The reports' distance: ``sqrt(sum(square(a - b)))`` per row."""
    from keras import ops

    return ops.sqrt(ops.sum(ops.square(a - b), axis=-1, keepdims=True))


def guarded_distance(a, b):
    """keras-io's ``sqrt(maximum(sum_square, epsilon))`` per row."""
    from keras import ops

    s = ops.sum(ops.square(a - b), axis=-1, keepdims=True)
    return ops.sqrt(ops.maximum(s, GUARD_EPS))


def fixed_distance(a, b):
    """:func:`loss_casebook.ops.euclidean_distance` (double ``where``)."""
    from loss_casebook.ops import euclidean_distance

    return euclidean_distance(a, b)


DISTANCES: dict[str, Callable] = {
    "plain": plain_distance, "keras-io guard": guarded_distance, "fix": fixed_distance}


def contrastive_loss(y_true, d, margin: float = 1.0):
    """Hadsell et al.'s contrastive loss without its factors 1/2, label 1 = similar.

    ``y d^2 + (1-y) max(m-d, 0)^2``; the paper's label 0 marks a similar pair.
    """
    from keras import ops

    y = ops.cast(y_true, d.dtype)
    far = ops.square(ops.maximum(margin - d, 0.0))
    return ops.mean(y * ops.square(d) + (1.0 - y) * far)


def triplet_loss(y_true, d):
    """Soft-margin triplet loss ``softplus(d(anchor, pos) - d(anchor, neg))``.

    Hermans, Beyer and Leibe's "In Defense of the Triplet Loss" (2017); its
    slope with respect to ``d(anchor, pos)`` is never 0 in exact arithmetic
    (in float32 it underflows to 0 for a difference far below 0). ``y_true`` is unused.
    """
    from keras import ops

    return ops.mean(ops.softplus(d[:, 0] - d[:, 1]))


def _grad(fn: Callable, x: np.ndarray) -> tuple[list, list]:
    value, grad = value_and_grad(fn, np.asarray(x, "float32"))
    return np.asarray(value, float).ravel().tolist(), np.asarray(grad, float).ravel().tolist()


def _xla_grad(fn: Callable, x: np.ndarray) -> list | None:
    """TensorFlow only: the gradient of ``sum(fn(x))`` under XLA (jit_compile)."""
    if backend() != "tensorflow":
        return None
    import tensorflow as tf

    @tf.function(jit_compile=True)
    def grad(t):
        with tf.GradientTape() as tape:
            tape.watch(t)
            total = tf.reduce_sum(fn(t))
        return tape.gradient(total, t)

    return np.asarray(grad(tf.constant(np.asarray(x, "float32"))), float).ravel().tolist()


def facts() -> dict[str, Any]:
    """Values and gradients at zero, as lists of floats (JSON keeps NaN and inf)."""
    from keras import ops

    zero, v = np.zeros((1, 3), "float32"), np.array([[1.0, 2.0, 2.0]], "float32")
    same = ops.convert_to_tensor(v)
    near = v + np.array([[1e-4, 0.0, 0.0]], "float32")  # distance 1e-4 from v
    out: dict[str, Any] = {}
    out["sqrt"] = _grad(ops.sqrt, [0.0, 4.0])
    square_sqrt = lambda x: ops.square(ops.sqrt(x))  # noqa: E731
    out["square(sqrt)"] = _grad(square_sqrt, [0.0, 4.0])
    out["square(sqrt) xla"] = _xla_grad(square_sqrt, [0.0, 4.0])
    normalize = lambda x: x / ops.sqrt(ops.sum(ops.square(x), -1, keepdims=True))  # noqa: E731
    out["x/||x||"] = _grad(lambda x: normalize(x) * same, zero)
    out["x/||x|| at v"] = _grad(lambda x: normalize(x), v)
    for name, dist in DISTANCES.items():
        out[f"{name} a==b"] = _grad(lambda a, d=dist: d(a, same), v)
        out[f"{name} 1e-4"] = _grad(lambda a, d=dist: d(a, same), near)
        out[f"{name} squared a==b"] = _grad(
            lambda a, d=dist: ops.square(d(a, same)), v)
    out["plain a==b xla"] = _xla_grad(lambda a: plain_distance(a, same), v)
    out["plain squared a==b xla"] = _xla_grad(
        lambda a: ops.square(plain_distance(a, same)), v)
    s = np.array([[0.0], [GUARD_EPS / 2], [4.0]], "float32")
    out["guard of s"] = _grad(lambda t: ops.sqrt(ops.maximum(t, GUARD_EPS)), s)
    return out


def siamese(distance: Callable, dim: int, *, triplet: bool = False,
            jit_compile: Any = "auto", seed: int = 1):
    """A shared Dense tower, the ``distance`` head, a contrastive or triplet loss."""
    import keras

    keras.utils.set_random_seed(training_seed(seed))
    tower = keras.Sequential([keras.Input((dim,)), keras.layers.Dense(16, "tanh"),
                              keras.layers.Dense(8)])
    inputs = [keras.Input((dim,)) for _ in range(3 if triplet else 2)]
    emb = [tower(t) for t in inputs]
    out = distance(emb[0], emb[1])
    if triplet:
        out = keras.ops.concatenate([out, distance(emb[0], emb[2])], axis=-1)
    model = keras.Model(inputs, out)
    model.compile(loss=triplet_loss if triplet else contrastive_loss,
                  optimizer=keras.optimizers.Adam(0.01), jit_compile=jit_compile)
    return model


def _fit(model, x: list, y: np.ndarray, epochs: int) -> dict[str, Any]:
    from loss_casebook.watch import NaNHunter

    hunter = NaNHunter()
    with hunter.guard():
        hist = model.fit(x, y, batch_size=32, epochs=epochs, shuffle=False,
                         callbacks=[hunter], verbose=0).history
    found = hunter.found
    out = {"broke": found is not None, "jit_compile": bool(model.jit_compile),
           "first loss": float(hist["loss"][0]) if hist.get("loss") else None,
           "losses": [float(v) for v in hist.get("loss", [])]}
    if found is not None:
        out.update({"epoch": found["epoch"], "batch": found["batch"],
                    "loss": found["loss"], "error": found["error"]})
    return out


def _auc(model, x: list, y: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    d = np.asarray(model.predict(x, verbose=0), float).ravel()
    return float(roc_auc_score(y, -d)) if np.isfinite(d).all() else float("nan")


def _data(n: int):
    from loss_casebook.data import duplicate_pairs

    left, right, y = duplicate_pairs(n, seed=0)
    cut = int(0.75 * n)
    return left, right, y, cut


def _triplets(left, right, y):
    """Anchor and positive from the similar pairs, negative from the others."""
    sim, dis = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    k = min(len(sim), len(dis))
    return [left[sim[:k]], right[sim[:k]], left[dis[:k]]], np.zeros(k, "float32")


def broken(n: int = 512, epochs: int = 2) -> dict[str, Any]:
    """Train with the plain distance and Keras's default compilation: both losses."""
    left, right, y, cut = _data(n)
    x, dim = [left[:cut], right[:cut]], left.shape[1]
    model_c = siamese(plain_distance, dim)
    out = {"contrastive": _fit(model_c, x, y[:cut], epochs)}
    xt, yt = _triplets(left[:cut], right[:cut], y[:cut])
    out["triplet"] = _fit(siamese(plain_distance, dim, triplet=True), xt, yt, epochs)
    if not out["contrastive"]["broke"]:  # it trained: how well?
        out["contrastive"]["auc"] = _auc(model_c, [left[cut:], right[cut:]], y[cut:])
    out["debugger"] = debugger_message()
    return out


def debugger_message() -> str | None:
    """What the backend's own NaN debugger says for a positive pair at distance 0.

    PyTorch: anomaly mode; JAX: ``jax_debug_nans``; TensorFlow's is case 2's
    ``enable_check_numerics`` (run in the chapter itself), so ``None`` here.
    """
    v = np.array([[1.0, 2.0, 2.0]], "float32")
    name = backend()
    if name == "torch":
        import torch

        a = torch.tensor(v, requires_grad=True)
        try:
            with torch.autograd.detect_anomaly(check_nan=True):
                torch.square(plain_distance(a, torch.tensor(v))).sum().backward()
        except RuntimeError as err:
            return str(err).strip().splitlines()[0]
        return "no error"
    if name == "jax":
        import jax
        import jax.numpy as jnp

        jax.config.update("jax_debug_nans", True)
        try:
            jax.grad(lambda a: jnp.sum(jnp.square(plain_distance(a, jnp.asarray(v)))))(
                jnp.asarray(v))
        except FloatingPointError as err:
            return f"FloatingPointError: {str(err).strip().splitlines()[0]}"
        finally:
            jax.config.update("jax_debug_nans", False)
        return "no error"
    return None


def fixed(n: int = 512, epochs: int = 6) -> dict[str, Any]:
    """Train keras-io's guard and the fix (on TF also under XLA): held-out ROC AUC."""
    left, right, y, cut = _data(n)
    x, dim = [left[:cut], right[:cut]], left.shape[1]
    test = [left[cut:], right[cut:]]
    out = {}
    for name in ("keras-io guard", "fix"):
        model = siamese(DISTANCES[name], dim)
        run = _fit(model, x, y[:cut], epochs)
        run["auc"] = _auc(model, test, y[cut:])
        out[name] = run
    if backend() == "tensorflow":  # the configuration that broke: XLA
        model = siamese(fixed_distance, dim, jit_compile=True)
        run = _fit(model, x, y[:cut], epochs)
        run["auc"] = _auc(model, test, y[cut:])
        out["fix xla"] = run
    out["test pairs"] = int(len(y) - cut)
    return out


def case3(parts: Sequence[str] = PARTS, n: int = 512) -> dict[str, Any]:
    """Case 3 on this process's backend; ``parts`` picks facts, broken, fixed."""
    unknown = set(parts) - set(PARTS)
    if unknown:
        raise ValueError(f"unknown parts {sorted(unknown)}; known: {PARTS}.")
    out: dict[str, Any] = {"backend": backend()}
    if "facts" in parts:
        out["facts"] = facts()
    if "broken" in parts:
        out["broken"] = broken(n)
    if "fixed" in parts:
        out["fixed"] = fixed(n)
    return out
