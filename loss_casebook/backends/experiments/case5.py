"""Case 5 (probabilities treated as logits) as a backend-neutral experiment.

Three mistakes of the same kind, on data generated from a seed: a softmax or
sigmoid output given to a cross-entropy with ``from_logits=True``; raw scores
(no activation) given to one with ``from_logits=False``; and the sibling
``Dense(1, activation="softmax")``, whose output is 1 for every input. Each
run returns its loss per epoch, its held-out loss and accuracy, what the
floors of :func:`floors` (below) need, and the warnings Keras issued.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from loss_casebook.backends.experiments.common import backend
from loss_casebook.repro import training_seed

#: Classes of the multi-class data; the positives of the binary data are class 0.
K = 4

#: name -> (units, activation, loss name, from_logits, binary labels).
RUNS: dict[str, tuple[int, str | None, str, bool, bool]] = {
    "softmax, from_logits=True": (K, "softmax", "sparse", True, False),
    "sigmoid, from_logits=True": (1, "sigmoid", "binary", True, True),
    "no activation, from_logits=False": (K, None, "sparse", False, False),
    "no activation, binary, from_logits=False": (1, None, "binary", False, True),
    "Dense(1, softmax)": (1, "softmax", "binary", False, True),
    "fix: softmax, from_logits=False": (K, "softmax", "sparse", False, False),
    "fix: no activation, from_logits=True": (K, None, "sparse", True, False),
    "fix: sigmoid, from_logits=False": (1, "sigmoid", "binary", False, True),
}


def blobs(n: int = 512, dim: int = 8, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points around ``K`` random centres (well separated) and their classes."""
    rng = np.random.default_rng(seed)
    centres = 3.0 * rng.normal(size=(K, dim))
    y = rng.integers(K, size=n)
    x = centres[y] + rng.normal(size=(n, dim))
    return x.astype("float32"), y.astype("int32")


def initial_weights(units: int, dim: int = 8, hidden: int = 16,
                    seed: int = 0) -> list[np.ndarray]:
    """Glorot-uniform kernels and zero biases drawn with NumPy, the same on every backend.

    Each backend's own initializers draw different numbers from the same
    seed; starting all three from these weights leaves the loss code as the
    only difference between them.
    """
    rng = np.random.default_rng(seed)

    def glorot(fan_in: int, fan_out: int) -> np.ndarray:
        limit = math.sqrt(6 / (fan_in + fan_out))
        return rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype("float32")

    return [glorot(dim, hidden), np.zeros(hidden, "float32"),
            glorot(hidden, units), np.zeros(units, "float32")]


def _messages(caught: list) -> list[str]:
    """The distinct first lines of the warnings that mention logits or softmax."""
    out: list[str] = []
    for w in caught:
        text = str(w.message).splitlines()[0]
        if ("logits" in text or "softmax" in text) and text not in out:
            out.append(text)
    return out


def train(name: str, epochs: int = 6, n: int = 512, seed: int = 0) -> dict[str, Any]:
    """Fit the small model of run ``name`` with Adam and report what it did.

    The model is ``Dense(16, relu)`` then the run's output layer, started
    from :func:`initial_weights`; 3/4 of the points train it (batch 128, in
    order), 1/4 are held out for ``evaluate``.
    """
    import keras

    units, activation, loss_name, from_logits, binary = RUNS[name]
    x, y = blobs(n, seed=seed)
    if binary:
        y = (y == 0).astype("float32")[:, None]
    cut = 3 * n // 4
    keras.utils.set_random_seed(training_seed(seed))
    model = keras.Sequential([keras.Input((x.shape[1],)),
                              keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(units, activation=activation)])
    loss = (keras.losses.BinaryCrossentropy(from_logits=from_logits) if binary
            else keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits))
    model.set_weights(initial_weights(units, x.shape[1], seed=seed))
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss=loss,
                  metrics=["accuracy"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(x[:cut], y[:cut], batch_size=128, epochs=epochs,
                            shuffle=False, verbose=0).history
        held_loss, accuracy = model.evaluate(x[cut:], y[cut:], verbose=0)
        pred = keras.ops.convert_to_numpy(model(x[cut:]))
    yv = y[cut:]
    out: dict[str, Any] = {
        "loss per epoch": [float(v) for v in history["loss"]],
        "loss": float(held_loss), "accuracy": float(accuracy),
        "warnings": _messages(caught),
        "prediction min": float(pred.min()), "prediction max": float(pred.max()),
    }
    if binary:
        out["positives"] = float(yv.mean())
        out["mean |p - y|"] = float(np.abs(pred - yv).mean())
        out["outside [0, 1]"] = float(((pred < 0) | (pred > 1)).mean())
    else:
        out["mean p(true class)"] = float(pred[np.arange(len(yv)), yv.astype(int)].mean())
    return out


def probe(seed: int = 0) -> dict[str, Any]:
    """No training: what each backend's cross-entropy does with a softmax output.

    ``z`` are random scores for ``K`` classes. The loss with
    ``from_logits=True`` is computed on ``z`` itself, on
    ``keras.activations.softmax(z)`` (which may carry ``_keras_logits``), and
    on the same probabilities copied into a fresh tensor (which cannot).
    NumPy references: the right cross-entropy of ``z``, and the cross-entropy
    of the probabilities taken as logits (softmax applied twice).
    """
    import keras
    from keras import ops

    rng = np.random.default_rng(seed)
    z = (3 * rng.normal(size=(64, K))).astype("float32")
    y = rng.integers(K, size=64)
    probs = keras.activations.softmax(ops.convert_to_tensor(z))
    fresh = ops.convert_to_tensor(ops.convert_to_numpy(probs))

    def sce(out: Any) -> float:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = keras.losses.sparse_categorical_crossentropy(y, out, from_logits=True)
        return float(ops.convert_to_numpy(ops.mean(value)))

    def ce(logits: np.ndarray) -> float:
        shifted = logits - logits.max(-1, keepdims=True)
        logp = shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))
        return float(-logp[np.arange(len(y)), y].mean())

    p = np.exp(z - z.max(-1, keepdims=True))
    p = p / p.sum(-1, keepdims=True)
    return {"keeps _keras_logits": hasattr(probs, "_keras_logits"),
            "loss(z)": sce(ops.convert_to_tensor(z)), "loss(softmax(z))": sce(probs),
            "loss(copy of softmax(z))": sce(fresh),
            "right": ce(z.astype("float64")), "softmax twice": ce(p.astype("float64"))}


def floors() -> dict[str, float]:
    """The floors in float32 as Keras computes them (``epsilon`` = 1e-7)."""
    eps = np.float32(1e-7)
    top = np.float32(1) - eps  # the upper clip bound, in float32
    return {"softmax as logits": math.log(1 + (K - 1) / math.e),
            "sigmoid as logit, label 1": math.log1p(math.exp(-1)),
            "sigmoid as logit, label 0": math.log(2),
            "-log(1 - eps), label 1 at 1": float(-np.log(top)),
            "-log(eps), label 0 at 1": float(-np.log(np.float32(1) - top))}


def case5(runs: list[str] | None = None, epochs: int = 6,
          with_probe: bool = True) -> dict[str, Any]:
    """Case 5 on this process's backend: the probe and the named training runs.

    Parameters
    ----------
    runs:
        Names from :data:`RUNS` (default: all of them).
    epochs:
        Epochs of each training run.
    with_probe:
        Whether to run :func:`probe` too.
    """
    names = list(RUNS) if runs is None else list(runs)
    unknown = [r for r in names if r not in RUNS]
    if unknown:
        raise ValueError(f"unknown case 5 runs {unknown}; known: {list(RUNS)}.")
    out: dict[str, Any] = {"backend": backend(), "floors": floors()}
    if with_probe:
        out["probe"] = probe()
    out["runs"] = {name: train(name, epochs=epochs) for name in names}
    return out
