"""Case 11 (what the loss averages) as a backend-neutral experiment.

Each backend's process reports the numbers Keras computes: a loss under each
reduction, with and without ``sample_weight``; ``class_weight`` in ``fit``;
the epoch loss of ``fit`` at several batch sizes; a masked sequence loss; a
loss beside metrics of the same function. The chapters compute the same
numbers by hand with NumPy, from the inputs made here (:func:`rows`,
:func:`sequences`) and the predictions the processes return, and compare.

Models are trained with ``SGD(learning_rate=0)``, so their weights, and so
their predictions, do not change while ``fit`` reports its loss.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from loss_casebook.backends.experiments.common import backend
from loss_casebook.repro import training_seed

#: The reductions Keras 3.15.1's ``Loss`` accepts (``None`` is the same as "none").
REDUCTIONS = ("sum", "sum_over_batch_size", "mean", "mean_with_sample_weight", "none")

#: The reductions measured in ``fit`` (``"none"`` gives no scalar to report).
FIT_REDUCTIONS = ("sum", "sum_over_batch_size", "mean_with_sample_weight")

#: Batch sizes for the epoch loss of ``fit`` on :data:`N_FIT` rows; 16 leaves
#: a last batch of 8.
BATCH_SIZES = (4, 8, 16, 40)
N_FIT = 40

#: The class weights of the ``fit`` runs: class 2 counts five times.
CLASS_WEIGHT = {0: 1.0, 1: 1.0, 2: 5.0}

#: L2 factor of the regularised model in :func:`loss_and_metrics`.
L2 = 0.01


def rows(n: int = 6, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Targets, predictions (``n`` x 2) and per-row sample weights, float32.

    The weights include a 0, so that dividing by the row count and by the
    sum of the weights give different means.
    """
    rng = np.random.default_rng(seed)
    y = rng.normal(size=(n, 2)).astype("float32")
    p = (y + rng.normal(size=(n, 2))).astype("float32")
    w = rng.choice([0.0, 0.5, 1.0, 3.0], size=n).astype("float32")
    w[0] = 0.0
    return y, p, w


def classes(n: int = N_FIT, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Features (``n`` x 4) and labels of 3 classes, the rows of the ``fit`` runs."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype("float32")
    y = (np.arange(n) % 3).astype("int64")
    rng.shuffle(y)
    return x, y


def sequences(n: int = 8, steps: int = 6, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Token ids (``n`` x ``steps``, 0 = padding at the end) and targets (``n`` x ``steps`` x 1)."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(2, steps + 1, size=n)
    lengths[0] = steps
    tokens = rng.integers(1, 10, size=(n, steps))
    tokens[np.arange(steps)[None, :] >= lengths[:, None]] = 0
    target = rng.normal(size=(n, steps, 1)).astype("float32")
    return tokens.astype("int64"), target


def _np(value) -> Any:
    import keras

    return keras.ops.convert_to_numpy(value).astype(float).tolist()


def direct() -> dict[str, Any]:
    """``MeanSquaredError`` of :func:`rows` under each reduction, plain and weighted.

    Also the example of keras-team/keras#19740: ``MeanAbsoluteError`` as a
    loss and as a metric, weights ``[0, 1]``.
    """
    import keras

    y, p, w = rows()
    out: dict[str, Any] = {"plain": {}, "weighted": {}}
    for reduction in REDUCTIONS:
        loss = keras.losses.MeanSquaredError(reduction=reduction)
        out["plain"][reduction] = _np(loss(y, p))
        out["weighted"][reduction] = _np(loss(y, p, sample_weight=w))
    try:
        keras.losses.MeanSquaredError(reduction="weighted_mean")
        out["weighted_mean"] = "accepted"
    except ValueError as err:
        out["weighted_mean"] = f"{type(err).__name__}: {err}"
    args = dict(y_true=np.array([[1.0], [2.0]]), y_pred=np.array([[2.0], [3.0]]),
                sample_weight=np.array([[0.0], [1.0]]))
    out["19740"] = {"loss": _np(keras.losses.MeanAbsoluteError()(**args)),
                    "metric": _np(keras.metrics.MeanAbsoluteError()(**args)),
                    "mean_with_sample_weight": _np(keras.losses.MeanAbsoluteError(
                        reduction="mean_with_sample_weight")(**args))}
    return out


def class_model(regularise: bool = False, seed: int = 1):
    """A 4-feature, 3-class softmax classifier (an L2 kernel penalty if ``regularise``)."""
    import keras

    keras.utils.set_random_seed(training_seed(seed))
    reg = keras.regularizers.L2(L2) if regularise else None
    return keras.Sequential([keras.Input((4,)),
                             keras.layers.Dense(3, activation="softmax",
                                                kernel_regularizer=reg)])


def _compile(model, loss, **kw) -> None:
    import keras

    model.compile(loss=loss, optimizer=keras.optimizers.SGD(learning_rate=0.0), **kw)


def class_weights() -> dict[str, Any]:
    """The epoch loss of one full batch with ``class_weight`` and the same as ``sample_weight``."""
    import keras

    x, y = classes()
    model = class_model()
    out: dict[str, Any] = {"pred": model.predict(x, verbose=0).astype(float).tolist()}
    weights = np.array([CLASS_WEIGHT[int(c)] for c in y], "float32")
    runs = [("plain", "sum_over_batch_size", {}),
            ("class_weight", "sum_over_batch_size", {"class_weight": CLASS_WEIGHT}),
            ("sample_weight", "sum_over_batch_size", {"sample_weight": weights}),
            ("class_weight", "mean_with_sample_weight", {"class_weight": CLASS_WEIGHT})]
    for name, reduction, kw in runs:
        _compile(model, keras.losses.SparseCategoricalCrossentropy(reduction=reduction))
        hist = model.fit(x, y, batch_size=len(y), epochs=1, verbose=0, shuffle=False, **kw)
        out[f"{name} {reduction}"] = float(hist.history["loss"][0])
    return out


def batch_sizes() -> dict[str, Any]:
    """The epoch loss ``fit`` reports under "sum" and "sum_over_batch_size", per batch size.

    No shuffling, so the batches are the rows in order.
    """
    import keras

    x, y = classes()
    model = class_model()
    out: dict[str, Any] = {"pred": model.predict(x, verbose=0).astype(float).tolist()}
    for reduction in FIT_REDUCTIONS[:2]:
        loss = keras.losses.SparseCategoricalCrossentropy(reduction=reduction)
        _compile(model, loss, metrics=[keras.metrics.SparseCategoricalCrossentropy(name="metric")])
        out[reduction], out[f"metric {reduction}"] = {}, {}
        for size in BATCH_SIZES:
            hist = model.fit(x, y, batch_size=size, epochs=1, verbose=0, shuffle=False).history
            out[reduction][str(size)] = float(hist["loss"][0])
            out[f"metric {reduction}"][str(size)] = float(hist["metric"][0])
    return out


def masked() -> dict[str, Any]:
    """A masked sequence loss (``Embedding(mask_zero=True)``) under each fit reduction."""
    import keras

    tokens, target = sequences()
    keras.utils.set_random_seed(training_seed(1))
    model = keras.Sequential([keras.Input((tokens.shape[1],), dtype="int64"),
                              keras.layers.Embedding(10, 4, mask_zero=True),
                              keras.layers.Dense(1)])
    out: dict[str, Any] = {"pred": model.predict(tokens, verbose=0).astype(float).tolist()}
    for reduction in FIT_REDUCTIONS:
        _compile(model, keras.losses.MeanSquaredError(reduction=reduction))
        out[reduction] = float(model.evaluate(tokens, target, batch_size=len(tokens),
                                              verbose=0))
    return out


def loss_and_metrics() -> dict[str, Any]:
    """One evaluation of an L2-regularised model with sample weights: loss and two metrics."""
    import keras

    x, y = classes()
    w = np.where(y == 2, 5.0, 1.0).astype("float32")
    model = class_model(regularise=True)
    loss = keras.losses.SparseCategoricalCrossentropy()
    _compile(model, loss,
             metrics=[keras.metrics.SparseCategoricalCrossentropy(name="metric")],
             weighted_metrics=[keras.metrics.SparseCategoricalCrossentropy(name="weighted")])
    logs = model.evaluate(x, y, sample_weight=w, batch_size=len(y), verbose=0,
                          return_dict=True)
    kernel = keras.ops.convert_to_numpy(model.layers[0].kernel).astype(float)
    return {"pred": model.predict(x, verbose=0).astype(float).tolist(),
            "kernel": kernel.tolist(), "logs": {k: float(v) for k, v in logs.items()}}


#: The parts of :func:`case11`, by name.
PARTS = {"direct": direct, "class weights": class_weights, "batch sizes": batch_sizes,
         "masked": masked, "loss and metrics": loss_and_metrics}


def case11(parts: list[str] | None = None) -> dict[str, Any]:
    """Case 11 on this process's backend: the numbers the chapters check by hand.

    ``parts`` names the parts of :data:`PARTS` to run (all by default).
    """
    out: dict[str, Any] = {"backend": backend()}
    for name in parts or PARTS:
        out[name] = PARTS[name]()
    return out
