"""Case 2 (the Siamese angular-distance NaN) as a backend-neutral experiment."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from loss_casebook.backends.experiments.common import backend, value_and_grad
from loss_casebook.repro import training_seed



def self_cosines_above_one(n: int = 1000, dim: int = 10, seed: int = 0) -> int:
    """How many of ``n`` random vectors have a float32 cosine above 1 with themselves.

    The cosine is the question's ``Dot(axes=1, normalize=True)`` layer.
    """
    import keras

    v = np.random.default_rng(seed).normal(size=(n, dim)).astype("float32")
    cos = keras.ops.convert_to_numpy(keras.layers.Dot(axes=1, normalize=True)([v, v]))
    return int((cos > 1.0).sum())


def acos_at_one() -> dict[str, Any]:
    """``arccos`` and its gradient at 1 and just above 1 (float32)."""
    from keras import ops

    above = float(np.nextafter(np.float32(1), np.float32(2)))
    value, grad = value_and_grad(ops.arccos, np.array([1.0, above], "float32"))
    return {"acos(1)": float(value[0]), "d acos(1)": float(grad[0]),
            "acos(1+ulp)": float(value[1]), "d acos(1+ulp)": float(grad[1])}


def clip_gradient() -> dict[str, float]:
    """Gradient of ``keras.ops.clip(x, 0, 1)`` below, inside, at and above the bound."""
    from keras import ops

    x = np.array([-0.5, 0.5, 1.0, 1.5], "float32")
    _, grad = value_and_grad(lambda t: ops.clip(t, 0.0, 1.0), x)
    return {"below": float(grad[0]), "inside": float(grad[1]),
            "at bound": float(grad[2]), "above": float(grad[3])}


def _heads() -> dict[str, Callable]:
    from keras import ops

    from loss_casebook.ops import angular_distance

    def dot(a, b):
        import keras

        return keras.layers.Dot(axes=1, normalize=True)([a, b])

    return {
        "question": lambda a, b: ops.arccos(dot(a, b)) / math.pi,
        "answer's clip": lambda a, b: ops.clip(
            ops.arccos(dot(a, b)) / math.pi, 1e-6, 1 - 1e-6),
        "fix": lambda a, b: 1.0 - angular_distance(a, b),
    }


def _siamese(head: Callable, *, embed: bool, optimizer: Any, seed: int = 1):
    import keras

    keras.utils.set_random_seed(training_seed(seed))
    shape, dtype = ([None], "int32") if embed else ([None, 1], "float32")
    left_input = keras.Input(shape=shape, dtype=dtype)
    right_input = keras.Input(shape=shape, dtype=dtype)
    left, right = left_input, right_input
    if embed:
        embedding = keras.layers.Embedding(256, 8, mask_zero=True)
        left, right = embedding(left), embedding(right)
    lstm = keras.layers.LSTM(10)
    model = keras.Model([left_input, right_input], head(lstm(left), lstm(right)))
    model.compile(loss="binary_crossentropy", optimizer=optimizer)
    return model


def _first_bad_weights():
    """A callback whose ``batch`` is the first batch after which a weight was not finite."""
    import keras

    class FirstBadWeights(keras.callbacks.Callback):
        batch: int | None = None

        def on_train_batch_end(self, batch, logs=None):
            if self.batch is None and not all(
                np.isfinite(keras.ops.convert_to_numpy(w)).all() for w in self.model.weights
            ):
                self.batch = int(batch)

    return FirstBadWeights()


def _train_until_broken(head: Callable, x: list[np.ndarray], y: np.ndarray) -> dict:
    """The question's training: SGD, batch 1, one epoch.

    A :class:`~loss_casebook.watch.NaNHunter` that watches the *loss*
    only (as a reader watching the progress bar would) stops at the first
    non-finite loss or, inside its ``guard``, at the first error; a second
    callback notes the first batch after which a weight was non-finite.
    """
    from loss_casebook.watch import NaNHunter

    model = _siamese(head, embed=False, optimizer="sgd")
    hunter = NaNHunter(x, batch_size=1, check_weights=False)
    weights = _first_bad_weights()
    with hunter.guard():
        model.fit(x, y.reshape(-1, 1), batch_size=1, epochs=1, shuffle=False,
                  callbacks=[weights, hunter], verbose=0)
    found = hunter.found
    out = {"broke": found is not None, "summary": hunter.summary(),
           "weights bad after batch": weights.batch}
    if found is not None:
        out.update({"epoch": found["epoch"], "batch": found["batch"],
                    "loss": found["loss"], "error": found["error"]})
    return out


def _fix_finite() -> dict[str, bool]:
    """``1 - angular_distance`` for every kind of pair: value and both gradients.

    True where the value is finite and the gradient with respect to *each*
    vector is finite with no entry above 1e3 (one SGD step cannot throw the
    weights away).
    """
    from keras import ops

    from loss_casebook.ops import angular_distance

    x = np.array([[1.0, 2.0, 3.0]], "float32")
    out = {}
    for name, other in {"identical": x, "opposite": -x, "scaled": 1000 * x,
                        "near-identical": x + 1e-6, "zero": 0 * x}.items():
        fixed_b, fixed_a = ops.convert_to_tensor(other), ops.convert_to_tensor(x)
        value, grad_a = value_and_grad(lambda a, b=fixed_b: 1.0 - angular_distance(a, b), x)
        _, grad_b = value_and_grad(lambda b, a=fixed_a: 1.0 - angular_distance(a, b), other)
        grads = np.concatenate([grad_a.ravel(), grad_b.ravel()])
        out[name] = bool(np.isfinite(value).all() and np.isfinite(grads).all()
                         and np.abs(grads).max() <= 1e3)
    return out


def _fix_trains(n: int, epochs: int) -> dict[str, Any]:
    """The fix chapter's recipe (embedding, Adam) on fewer pairs: held-out ROC AUC."""
    import keras
    from sklearn.metrics import roc_auc_score

    from loss_casebook.watch import NaNHunter
    from loss_casebook.data import char_ids, string_pairs

    left, right, y = string_pairs(n, seed=0)
    length = max(len(s) for s in left + right)
    xl, xr = char_ids(left, length), char_ids(right, length)
    cut = int(0.8 * n)
    model = _siamese(_heads()["fix"], embed=True, optimizer=keras.optimizers.Adam(0.01))
    hunter = NaNHunter()
    with hunter.guard():
        hist = model.fit([xl[:cut], xr[:cut]], y[:cut], batch_size=16, epochs=epochs,
                         callbacks=[hunter], verbose=0).history
    scores = model.predict([xl[cut:], xr[cut:]], verbose=0).ravel()
    return {"finite": hunter.found is None and bool(np.isfinite(hist["loss"]).all()),
            "auc": float(roc_auc_score(y[cut:], scores)), "test pairs": n - cut,
            "losses": [float(v) for v in hist["loss"]]}


def case2(n: int = 400, fix_n: int = 400, fix_epochs: int = 3) -> dict[str, Any]:
    """Case 2 on this process's backend: the NaN, the answer's clip, the fix.

    Parameters
    ----------
    n:
        Pairs (raw code points) for the question's training run.
    fix_n, fix_epochs:
        Pairs (80 % train, 20 % held out) and epochs for training the fix.
    """
    from loss_casebook.data import encode_code_points, string_pairs

    left, right, y = string_pairs(n, seed=0)
    length = max(len(s) for s in left + right)
    x = [encode_code_points(left, length), encode_code_points(right, length)]
    heads = _heads()
    return {
        "backend": backend(),
        "self-cosines above 1": self_cosines_above_one(),
        "acos": acos_at_one(),
        "clip gradient": clip_gradient(),
        "question": _train_until_broken(heads["question"], x, y),
        "answer's clip": _train_until_broken(heads["answer's clip"], x, y),
        "fix finite": _fix_finite(),
        "fix": _fix_trains(fix_n, fix_epochs),
        "identical pairs": int(sum(a == b for a, b in zip(left, right))),
    }
