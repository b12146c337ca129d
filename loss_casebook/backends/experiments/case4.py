"""Case 4 (a negative binary cross-entropy) as a backend-neutral experiment.

Targets stored as 0/255 (a mask saved as an 8-bit image) are given to
``binary_crossentropy``. Each backend's process reports what the loss does:
its per-element value at the clip, the training curve, or the error it raises.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from loss_casebook.backends.experiments.common import backend
from loss_casebook.repro import training_seed

#: Error text worth showing from a long framework message.
_MESSAGE = re.compile(r"between 0 and 1|Received a label|out of bounds|is not in|out of range")


def error_text(err: BaseException) -> str:
    """``Type: line``, the line of the message that names the bad value."""
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    hit = next((line for line in lines if _MESSAGE.search(line)), lines[0] if lines else "")
    return f"{type(err).__name__}: {hit}"


def clip_constants() -> dict[str, float]:
    """Keras's epsilon, the float32 upper clip bound and its gap below 1."""
    import keras

    eps = keras.config.epsilon()
    high = np.float32(1.0 - eps)
    return {"epsilon": float(eps), "clip high": float(high),
            "delta": float(np.float32(1.0) - high)}


def floor(target: float, clip: dict[str, float]) -> float:
    """The smallest binary cross-entropy for a target >= 1, at output ``1 - epsilon``.

    ``-(t log(1 - delta) + (1 - t) log(delta))``, with ``delta`` the gap
    between 1 and the float32 clip bound (not epsilon itself: ``1 - 1e-7``
    rounds to ``1 - 2**-23`` in float32).
    """
    return -(target * math.log(clip["clip high"]) + (1 - target) * math.log(clip["delta"]))


def mask_data(n: int = 256, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Features of ``n`` pixels and their mask, 0 or 1, from a linear rule."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 8)).astype("float32")
    y = (x @ rng.normal(size=8) > 0).astype("float32").reshape(-1, 1)
    return x, y


def pixel_model(seed: int = 1):
    """A tiny sigmoid classifier compiled with ``binary_crossentropy``."""
    import keras

    keras.utils.set_random_seed(training_seed(seed))
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(loss="binary_crossentropy", optimizer=keras.optimizers.Adam(0.01),
                  metrics=["accuracy"])
    return model


def direct(clip: dict[str, float]) -> dict[str, Any]:
    """The loss of targets 0, 1, 255 at a saturated output, as plain numbers."""
    import keras

    targets = np.array([[0.0], [1.0], [255.0]], "float32")
    try:
        loss = keras.losses.binary_crossentropy(targets, np.ones_like(targets))
    except Exception as err:  # torch checks the target's range
        return {"error": error_text(err)}
    return {"loss": keras.ops.convert_to_numpy(loss).astype(float).tolist(),
            "floor 255": floor(255.0, clip)}


def train_mask(x: np.ndarray, mask: np.ndarray, epochs: int) -> dict[str, Any]:
    """Train on the 0/255 mask: the curve, or the error, and the end state.

    ``"positive at floor"`` is the fraction of object pixels (target > 0) whose
    loss, computed from the predictions as numbers, is :func:`floor` of the
    mask's largest value to a relative 1e-5.
    """
    import keras

    model = pixel_model()
    try:
        hist = model.fit(x, mask, epochs=epochs, batch_size=32, verbose=0).history
    except Exception as err:
        return {"error": error_text(err)}
    pred = model.predict(x, verbose=0)
    per = keras.ops.convert_to_numpy(keras.losses.binary_crossentropy(mask, pred))
    pos = mask.ravel() > 0
    at_floor = np.isclose(per[pos], floor(float(mask.max()), clip_constants()), rtol=1e-5,
                          atol=0.0)
    return {"error": None, "losses": [float(v) for v in hist["loss"]],
            "accuracy": float(hist["accuracy"][-1]), "positives": float(pos.mean()),
            "positive loss": [float(per[pos].min()), float(per[pos].max())],
            "positive at floor": float(at_floor.mean()),
            "negative loss": [float(per[~pos].min()), float(per[~pos].max())]}


def train_fix(x: np.ndarray, y: np.ndarray, epochs: int) -> dict[str, Any]:
    """Targets in [0, 1]: held-out accuracy of the same model."""
    model = pixel_model()
    cut = int(0.8 * len(x))
    hist = model.fit(x[:cut], y[:cut], epochs=epochs, batch_size=32, verbose=0).history
    pred = model.predict(x[cut:], verbose=0).ravel()
    return {"losses": [float(v) for v in hist["loss"]],
            "test accuracy": float(((pred > 0.5) == (y[cut:].ravel() > 0.5)).mean()),
            "test rows": len(x) - cut}


def case4(n: int = 256, epochs: int = 60, fix: bool = True,
          fix_epochs: int = 15) -> dict[str, Any]:
    """Case 4 on this process's backend.

    Parameters
    ----------
    n:
        Pixels (rows) of the generated data.
    epochs:
        Epochs of the run on the 0/255 mask: enough for the object pixels'
        predictions to reach the clip bound, which the chapters assert.
    fix:
        Also train with the targets divided by 255 (``"fix"`` in the result).
    fix_epochs:
        Epochs of that run.
    """
    x, y = mask_data(n)
    clip = clip_constants()
    out: dict[str, Any] = {"backend": backend(), "clip": clip, "direct": direct(clip),
                           "mask": train_mask(x, 255 * y, epochs)}
    if fix:
        out["fix"] = train_fix(x, (255 * y) / 255, fix_epochs)
    return out
