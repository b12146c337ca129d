"""Case 7 (the loss you see is an average) as a backend-neutral experiment.

The ``loss`` that ``fit`` logs is the mean of the batches' losses, each taken
in training mode with the weights of its own step, plus the regularisation
losses; ``evaluate`` and ``val_loss`` take the weights at the end of the epoch
in inference mode. Each gap is measured alone: with a learning rate of 0 the
weights do not move, so what is left of a gap is the layer or the loss term
under test (dropout, regularisation, BatchNormalization, a frozen base).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from loss_casebook.backends.experiments.common import backend
from loss_casebook.repro import training_seed

BATCH = 32


def regression_data(n: int = 512, features: int = 8, noise: float = 0.5,
                    seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Rows ``x`` drawn from N(0, 1) and ``y = x @ w + noise``, as float32.

    Every row is drawn from the same distribution, so a split into training
    and validation rows gives two samples of one population.
    """
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features)).astype("float32")
    w = rng.normal(size=(features, 1))
    y = (x @ w + noise * rng.normal(size=(n, 1))).astype("float32")
    return x, y


def build(kind: str = "plain", lr: float = 0.05, seed: int = 1, features: int = 8):
    """A small MLP for MSE regression; ``kind`` adds the layer under test.

    ``plain``: Dense(32, relu), Dense(1). ``dropout``: a Dropout(0.5) after
    the hidden layer. ``l2``: an L2 kernel regulariser (0.01) on both Dense
    layers. ``both``: the dropout and the regulariser. ``bn``: a
    BatchNormalization after the hidden layer. ``frozen``:
    the same with the BatchNormalization's ``trainable = False``.
    """
    import keras

    keras.utils.set_random_seed(training_seed(seed))
    reg = keras.regularizers.L2(0.01) if kind in ("l2", "both") else None
    layers = [keras.Input((features,)),
              keras.layers.Dense(32, activation="relu", kernel_regularizer=reg)]
    if kind in ("dropout", "both"):
        layers.append(keras.layers.Dropout(0.5))
    if kind in ("bn", "frozen"):
        layers.append(keras.layers.BatchNormalization())
    layers.append(keras.layers.Dense(1, kernel_regularizer=reg))
    model = keras.Sequential(layers)
    if kind == "frozen":
        model.layers[-2].trainable = False
    model.compile(loss="mse", optimizer=keras.optimizers.SGD(lr))
    return model


class RunningLoss:
    """A Keras callback's factory: ``logs["loss"]`` at each batch's end."""

    @staticmethod
    def make(record: list):
        import keras

        class _Record(keras.callbacks.Callback):
            def on_train_batch_end(self, batch, logs=None):
                record.append(float(logs["loss"]))

        return _Record()


def per_batch(running: list[float]) -> list[float]:
    """The batches' own losses from the running means of equal-sized batches.

    If ``m_k`` is the mean of the first ``k`` batches, batch ``k``'s loss is
    ``k * m_k - (k - 1) * m_(k-1)``.
    """
    m = np.asarray(running, dtype=np.float64)
    k = np.arange(1, len(m) + 1)
    prev = np.concatenate([[0.0], m[:-1]])
    return (k * m - (k - 1) * prev).tolist()


def _mse(model, x, y, training: bool = False) -> float:
    """MSE of the model's outputs on ``x`` computed with NumPy (no regularisation)."""
    import keras

    out = keras.ops.convert_to_numpy(model(x, training=training))
    return float(np.mean((out.astype(np.float64) - y) ** 2))


def _reg(model) -> float:
    """The sum of ``model.losses`` (the regularisation terms) as a float."""
    import keras

    return float(sum(float(keras.ops.convert_to_numpy(v)) for v in model.losses))


def _batches_mse(model, x, y, training: bool) -> float:
    """Mean over the fit's batches (in order) of each batch's MSE."""
    return float(np.mean([_mse(model, x[i:i + BATCH], y[i:i + BATCH], training)
                          for i in range(0, len(x), BATCH)]))


def frozen_gap(x, y, kind: str) -> dict[str, Any]:
    """One epoch at learning rate 0 (weights fixed): fit's loss against evaluate's."""
    model = build(kind, lr=0.0)
    running: list[float] = []
    hist = model.fit(x, y, batch_size=BATCH, epochs=1, shuffle=False, verbose=0,
                     callbacks=[RunningLoss.make(running)]).history
    out = {"fit loss": float(hist["loss"][0]),
           "evaluate": float(model.evaluate(x, y, batch_size=BATCH, verbose=0)),
           "inference mse": _mse(model, x, y), "regularisation": _reg(model)}
    if kind == "plain":
        fixed = [_mse(model, x[i:i + BATCH], y[i:i + BATCH]) for i in range(0, len(x), BATCH)]
        out["running"] = running
        counts = np.arange(1, len(fixed) + 1)
        out["cumulative mean of batches"] = (np.cumsum(fixed) / counts).tolist()
        out["batch losses"] = fixed
    if kind in ("bn", "frozen"):
        layer = model.layers[-2]
        import keras

        out["moving mean unchanged"] = bool(np.allclose(
            keras.ops.convert_to_numpy(layer.moving_mean), 0.0))
        out["batch-stats mse"] = _batches_mse(model, x, y, training=True)
        out["training call = inference call"] = bool(np.allclose(
            keras.ops.convert_to_numpy(model(x[:BATCH], training=True)),
            keras.ops.convert_to_numpy(model(x[:BATCH], training=False)), atol=1e-6))
    if kind == "dropout":
        out["training-mode mse"] = float(np.mean(
            [_mse(model, x, y, training=True) for _ in range(5)]))
    return out


def trained(x, y, xv, yv, kind: str, epochs: int) -> dict[str, Any]:
    """A real fit with validation rows: each epoch's running means, then the end numbers."""
    model = build(kind)
    running: list[float] = []
    hist = model.fit(x, y, batch_size=BATCH, epochs=epochs, shuffle=False, verbose=0,
                     validation_data=(xv, yv),
                     callbacks=[RunningLoss.make(running)]).history
    from loss_casebook.check.compare import comparable_losses

    return {"loss": [float(v) for v in hist["loss"]],
            "comparable": comparable_losses(model, x, y, validation_data=(xv, yv),
                                            history=hist, batch_size=BATCH),
            "val_loss": [float(v) for v in hist["val_loss"]],
            "running": running,
            "evaluate train": float(model.evaluate(x, y, batch_size=BATCH, verbose=0)),
            "evaluate val": float(model.evaluate(xv, yv, batch_size=BATCH, verbose=0)),
            "train mse": _mse(model, x, y), "val mse": _mse(model, xv, yv),
            "regularisation": _reg(model)}


def case7(n: int = 384, epochs: int = 4, part: str = "all") -> dict[str, Any]:
    """Case 7 on this process's backend; ``part`` is ``reported``, ``cause`` or ``all``.

    ``reported``: the plain and the dropout model trained for ``epochs``
    epochs with the training rows themselves as validation data, as in
    keras-team/keras#3562. ``cause``: ``fixed``, for each kind of
    :func:`build`, one epoch with the weights fixed (learning rate 0, no
    shuffling); and ``both`` (dropout and L2) trained on the first 3/4 of the
    ``n`` rows and validated on the rest (rows of one distribution).
    """
    if part not in ("reported", "cause", "all"):
        raise ValueError(f"part must be 'reported', 'cause' or 'all', not {part!r}.")
    x, y = regression_data(n)
    cut = 3 * n // 4
    out: dict[str, Any] = {"backend": backend(), "batches": cut // BATCH}
    if part in ("reported", "all"):
        out["same rows"] = {k: trained(x[:cut], y[:cut], x[:cut], y[:cut], k, epochs)
                            for k in ("plain", "dropout")}
    if part in ("cause", "all"):
        out["fixed"] = {k: frozen_gap(x[:cut], y[:cut], k)
                        for k in ("plain", "dropout", "l2", "bn", "frozen")}
        out["held out"] = trained(x[:cut], y[:cut], x[cut:], y[cut:], "both", epochs)
    return out
