"""Case 10 (a loss of your own) as a backend-neutral experiment.

Losses written by hand with ``keras.ops``, each with one defect of the
reports, and their fixes: ``log(0)`` in a focal loss (and a clip whose result
is thrown away), a loss that is negative by construction (``bce - dice``),
a loss reduced to a scalar inside the function (what that does to
``sample_weight``), and losses through ``round``, ``argmax`` or a cast (no
gradient). Each backend's process reports the values, what ``fit`` does, and
what :func:`loss_casebook.check.loss_findings` says about each loss.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from loss_casebook.backends.experiments.case4 import error_text
from loss_casebook.backends.experiments.common import backend, value_and_grad
from loss_casebook.repro import training_seed

EPS = 1e-7
GAMMA = 2.0


def focal_raw(y_true, y_pred):
    """Binary focal loss (gamma 2) with ``log`` of the raw prediction."""
    from keras import ops

    pos = y_true * (1.0 - y_pred) ** GAMMA * ops.log(y_pred)
    neg = (1.0 - y_true) * y_pred ** GAMMA * ops.log(1.0 - y_pred)
    return -ops.mean(pos + neg, axis=-1)


def focal_discarded_clip(y_true, y_pred):
    """The same, after a clip whose result is thrown away."""
    from keras import ops

    ops.clip(y_pred, EPS, 1.0 - EPS)  # the result is not used: y_pred is unchanged
    return focal_raw(y_true, y_pred)


def focal_clipped(y_true, y_pred):
    """The same on ``p = clip(y_pred, 1e-7, 1 - 1e-7)``."""
    from keras import ops

    return focal_raw(y_true, ops.clip(y_pred, EPS, 1.0 - EPS))


def dice_score(y_true, y_pred, smooth: float = 1.0):
    """Soft Dice score per sample over the last axis, in (0, 1]."""
    from keras import ops

    inter = ops.sum(y_true * y_pred, axis=-1)
    return (2.0 * inter + smooth) / (ops.sum(y_true, axis=-1) + ops.sum(y_pred, axis=-1)
                                     + smooth)


def bce_minus_dice(y_true, y_pred):
    """``bce - dice``: negative by construction, minimum -1."""
    import keras

    return keras.losses.binary_crossentropy(y_true, y_pred) - dice_score(y_true, y_pred)


def bce_plus_one_minus_dice(y_true, y_pred):
    """``bce + 1 - dice``: the same gradients, minimum 0."""
    import keras

    return (keras.losses.binary_crossentropy(y_true, y_pred)
            + 1.0 - dice_score(y_true, y_pred))


def mse_per_sample(y_true, y_pred):
    """Squared error averaged over the last axis: one value per sample."""
    from keras import ops

    return ops.mean(ops.square(y_true - y_pred), axis=-1)


def mse_scalar(y_true, y_pred):
    """Squared error averaged over everything: a scalar."""
    from keras import ops

    return ops.mean(ops.square(y_true - y_pred))


def mse_of_round(y_true, y_pred):
    """Squared error of the rounded prediction."""
    from keras import ops

    return ops.mean(ops.square(y_true - ops.round(y_pred)), axis=-1)


def mse_of_argmax(y_true, y_pred):
    """Squared error of the argmax of ``[1 - p, p]`` (the predicted class), cast to float."""
    from keras import ops

    both = ops.stack([1.0 - y_pred, y_pred], axis=-1)
    return ops.mean(ops.square(y_true - ops.cast(ops.argmax(both, axis=-1), "float32")),
                    axis=-1)


def mse_of_cast(y_true, y_pred):
    """Squared error of ``p > 0.5`` cast to int and back."""
    from keras import ops

    hard = ops.cast(ops.cast(y_pred > 0.5, "int32"), "float32")
    return ops.mean(ops.square(y_true - hard), axis=-1)


#: The losses with no gradient, by the op that cuts it.
NO_GRADIENT: dict[str, Callable] = {
    "round": mse_of_round, "argmax": mse_of_argmax, "cast": mse_of_cast}

#: Each defective loss of the case and the finding :func:`loss_findings` must report.
DEFECTS: dict[str, tuple[Callable, str]] = {
    "log(0)": (focal_raw, "not finite"),
    "discarded clip": (focal_discarded_clip, "not finite"),
    "scalar": (mse_scalar, "returns a scalar"),
    "round": (mse_of_round, "no gradient reaches y_pred"),
    "argmax": (mse_of_argmax, "no gradient reaches y_pred"),
    "cast": (mse_of_cast, "no gradient reaches y_pred"),
}


def mask_data(n: int = 256, pixels: int = 16, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Features and binary masks of ``pixels`` pixels, each pixel a linear rule of x."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 8)).astype("float32")
    mask = (x @ rng.normal(size=(8, pixels)) > 0.3).astype("float32")
    return x, mask


def mask_model(pixels: int, loss: Any, seed: int = 1, lr: float = 0.05):
    """One sigmoid per pixel on 8 features."""
    import keras

    keras.utils.set_random_seed(training_seed(seed))
    model = keras.Sequential([keras.Input((8,)),
                              keras.layers.Dense(pixels, activation="sigmoid")])
    model.compile(loss=loss, optimizer=keras.optimizers.Adam(lr))
    return model


def edges() -> dict[str, Any]:
    """Value and gradient of each focal loss at the corners ``y_true, y_pred in {0, 1}``."""
    t = np.array([[0.0], [0.0], [1.0], [1.0]], "float32")
    p = np.array([[0.0], [1.0], [0.0], [1.0]], "float32")
    from keras import ops

    out: dict[str, Any] = {"corners": [[float(a), float(b)] for a, b in zip(t[:, 0], p[:, 0])],
                           "one minus eps": float(np.float32(1.0) - np.float32(1.0 - EPS))}
    for name, fn in [("raw", focal_raw), ("discarded clip", focal_discarded_clip),
                     ("clipped", focal_clipped)]:
        y_true = ops.convert_to_tensor(t)
        value, grad = value_and_grad(lambda q, fn=fn: fn(y_true, q), p)
        out[name] = {"value": [repr(float(v)) for v in np.ravel(value)],
                     "grad": [repr(float(g)) for g in np.ravel(grad)]}
    return out


def _fit(model, x, y, epochs, **kw) -> dict[str, Any]:
    try:
        hist = model.fit(x, y, epochs=epochs, batch_size=32, verbose=0, **kw).history
    except Exception as err:
        return {"error": error_text(err)}
    return {"error": None, "losses": [float(v) for v in hist["loss"]]}


def negative(n: int = 256, pixels: int = 16, epochs: int = 10) -> dict[str, Any]:
    """Train ``bce - dice`` and ``bce + 1 - dice`` from the same weights; held-out Dice."""
    x, mask = mask_data(n, pixels)
    cut = int(0.8 * n)
    out: dict[str, Any] = {}
    for name, loss in [("bce - dice", bce_minus_dice), ("bce + 1 - dice",
                                                        bce_plus_one_minus_dice)]:
        model = mask_model(pixels, loss)
        run = _fit(model, x[:cut], mask[:cut], epochs)
        pred = model.predict(x[cut:], verbose=0)
        hard = (pred > 0.5).astype("float32")
        inter = (hard * mask[cut:]).sum(1)
        run["test dice"] = float(np.mean((2 * inter + 1) / (hard.sum(1) + mask[cut:].sum(1) + 1)))
        out[name] = run
    return out


def weighting(n: int = 64, width: int = 4) -> dict[str, Any]:
    """What Keras makes of ``sample_weight`` with a per-sample and a scalar loss.

    Each loss is compiled into a model whose output is ``p`` exactly, and
    ``evaluate`` with ``sample_weight`` reports the weighted loss. Weights 1 for the first half of the batch and 0 for the second; the
    returned ``expected`` values are NumPy's: the weighted per-sample mean
    ``sum(w * l) / n``, and the scalar times ``mean(w)``.
    """
    import keras

    keras.utils.set_random_seed(training_seed(1))
    rng = np.random.default_rng(0)
    t = rng.uniform(size=(n, width)).astype("float32")
    p = rng.uniform(size=(n, width)).astype("float32")
    p[n // 2:] += 1.0  # the zero-weight half is far off
    w = np.r_[np.ones(n // 2), np.zeros(n - n // 2)].astype("float32")
    per = ((t - p) ** 2).mean(1)
    out: dict[str, Any] = {
        "expected per-sample": float((w * per).sum() / n),
        "expected scalar": float(per.mean() * w.mean()),
        "unweighted": float(per.mean()),
        "weighted half only": float(per[: n // 2].mean() / 2)}
    for name, fn in [("per-sample", mse_per_sample), ("scalar", mse_scalar)]:
        x = np.eye(n, dtype="float32")  # a linear model that outputs p exactly
        model = keras.Sequential([keras.Input((n,)), keras.layers.Dense(width, use_bias=False)])
        model.layers[0].set_weights([p])
        model.compile(loss=fn)
        out[name] = float(model.evaluate(x, t, sample_weight=w, batch_size=n,
                                                       verbose=0))
    return out


def no_gradient(n: int = 64, epochs: int = 2) -> dict[str, Any]:
    """``fit`` with each loss of :data:`NO_GRADIENT`: the error, or whether weights moved."""
    x, mask = mask_data(n, 1)
    out: dict[str, Any] = {}
    for name, fn in NO_GRADIENT.items():
        model = mask_model(1, fn)
        before = [np.array(w) for w in model.get_weights()]
        run = _fit(model, x, mask, epochs)
        if run["error"] is None:
            run["weights moved"] = bool(any(not np.array_equal(a, b) for a, b in
                                            zip(before, model.get_weights())))
        out[name] = run
    return out


def findings() -> dict[str, Any]:
    """:func:`loss_casebook.check.loss_findings` on each defect and on the fixes."""
    import keras

    from loss_casebook.check import loss_findings

    out: dict[str, Any] = {}
    for name, (fn, _) in DEFECTS.items():
        out[name] = loss_findings(fn, weighted=(name == "scalar"))
    fixed = {"focal clipped": (focal_clipped, 1), "bce - dice": (bce_minus_dice, 16),
             "bce + 1 - dice": (bce_plus_one_minus_dice, 16),
             "mse per sample": (mse_per_sample, 4),
             "binary_crossentropy": (keras.losses.binary_crossentropy, 1)}
    for name, (fn, width) in fixed.items():
        out[name] = loss_findings(fn, width=width, weighted=True)
    return out


PARTS = ("edges", "negative", "weighting", "no gradient", "findings")


def case10(parts: tuple[str, ...] | list[str] = PARTS) -> dict[str, Any]:
    """Case 10 on this process's backend: the parts named in ``parts``."""
    run = {"edges": edges, "negative": negative, "weighting": weighting,
           "no gradient": no_gradient, "findings": findings}
    out: dict[str, Any] = {"backend": backend()}
    for part in parts:
        out[part] = run[part]()
    return out
