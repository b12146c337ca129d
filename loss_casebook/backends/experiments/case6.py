"""Case 6 (labels the loss cannot see) as a backend-neutral experiment.

Sparse labels outside [0, K): "void" pixels marked 255 and 1-based class ids,
given to ``sparse_categorical_crossentropy`` with a K-way softmax. Each
backend's process reports the error it raises or what its loss silently does,
and how ``ignore_class`` and 0-based labels train. :func:`byte_records` makes
the third cause, labels read from the wrong bytes of a record.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from loss_casebook.backends.experiments.case4 import error_text
from loss_casebook.backends.experiments.common import backend
from loss_casebook.repro import training_seed

VOID = 255

#: The 128 "Label values" of the batch in tensorflow/tensorflow#5932 (2016-11-29),
#: as its reporter pasted them after "Received a label value of 255 which is
#: outside the valid range of [0, 10).", for a model with 10 classes.
REPORT_5932 = tuple(int(v) for v in """
65 229 184 161 102 117 112 160 66 93 107 117 131 122 129 132 113 163 149 130 75 52 109 84
161 165 99 203 82 42 57 179 155 63 126 49 172 50 144 224 152 220 164 82 195 169 171 125 107
127 70 60 93 115 165 143 78 116 60 153 113 62 89 175 125 90 85 178 167 200 133 168 125 92
62 93 166 141 98 172 102 103 72 179 138 108 49 176 46 70 55 101 141 144 107 126 60 146 108
77 125 59 58 109 171 107 63 151 55 93 172 131 52 128 75 167 255 97 108 171 113 130 77 166
150 132 62 196""".split())


def byte_records(n: int = 128, classes: int = 10, pixels: int = 48,
                 seed: int = 0) -> tuple[bytes, np.ndarray]:
    """``n`` fixed-length records, each ``pixels`` image bytes then one label byte.

    The bytes stand in for a file of images and labels; the pixels are drawn
    uniformly from 0 to 255, the labels from ``0`` to ``classes - 1``. A reader
    that takes the *first* byte of each record as its label (a layout with the
    label in front) reads a pixel instead. Returns the file's bytes and the
    labels that were written.
    """
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, pixels), dtype=np.uint8)
    labels = rng.integers(0, classes, size=n, dtype=np.uint8)
    return np.hstack([images, labels[:, None]]).tobytes(), labels.astype(np.int64)


def class_data(n: int = 256, classes: int = 4, void: float = 0.2,
               seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features, 0-based labels, and the same labels with a fraction set to 255."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 8)).astype("float32")
    y = np.argmax(x @ rng.normal(size=(8, classes)), axis=1)
    with_void = np.where(rng.random(n) < void, VOID, y)
    return x, y, with_void


def class_model(classes: int, loss: Any = "sparse_categorical_crossentropy", seed: int = 1):
    """A softmax classifier with ``classes`` outputs."""
    import keras

    keras.utils.set_random_seed(training_seed(seed))
    model = keras.Sequential([keras.Input((8,)),
                              keras.layers.Dense(classes, activation="softmax")])
    model.compile(loss=loss, optimizer=keras.optimizers.Adam(0.05), metrics=["accuracy"])
    return model


def direct(classes: int) -> dict[str, Any]:
    """Per-row loss of labels K, 255 and -1 (with a valid 0 beside each) at uniform output."""
    import keras

    out = {}
    uniform = np.full((2, classes), 1.0 / classes, "float32")
    for label in (classes, VOID, -1):
        try:
            loss = keras.losses.sparse_categorical_crossentropy(np.array([label, 0]), uniform)
            out[str(label)] = keras.ops.convert_to_numpy(loss).astype(float).tolist()
        except Exception as err:
            out[str(label)] = error_text(err)
    return out


def _fit(model, x, labels, epochs):
    try:
        hist = model.fit(x, labels, epochs=epochs, batch_size=32, verbose=0).history
    except Exception as err:
        return {"error": error_text(err)}
    return {"error": None, "losses": [float(v) for v in hist["loss"]],
            "accuracy": float(hist["accuracy"][-1])}


def _mean_losses(labels: np.ndarray, pred: np.ndarray) -> dict[str, Any]:
    """The mean loss of the same predictions, plain and with ignore_class=255."""
    import keras

    out = {}
    for name, loss in [("plain", keras.losses.SparseCategoricalCrossentropy()),
                       ("ignore", keras.losses.SparseCategoricalCrossentropy(ignore_class=VOID))]:
        try:
            out[name] = float(keras.ops.convert_to_numpy(loss(labels, pred)))
        except Exception as err:
            out[name] = error_text(err)
    return out


def case6(n: int = 256, classes: int = 4, epochs: int = 20,
          fixes: bool = True) -> dict[str, Any]:
    """Case 6 on this process's backend: void labels, 1-based ids, the fixes.

    Held-out accuracies use the last 20 % of the rows and only rows whose
    label is a class (not 255). With ``fixes`` false, the ``ignore_class``
    and ``zero-based`` runs are left out.
    """
    x, y, void = class_data(n, classes)
    cut = int(0.8 * n)
    test = np.arange(n) >= cut
    valid = void != VOID
    out: dict[str, Any] = {"backend": backend(), "classes": classes,
                           "valid fraction": float(valid[:cut].mean()),
                           "direct": direct(classes)}

    model = class_model(classes)
    run = _fit(model, x[:cut], void[:cut], epochs)
    if run["error"] is None:
        pred = model.predict(x, verbose=0)
        run.update(_mean_losses(void[:cut], pred[:cut]))
        run["test accuracy"] = float((pred.argmax(1) == y)[test & valid].mean())
    out["void"] = run

    model = class_model(classes)
    run = _fit(model, x[:cut], y[:cut] + 1, epochs)
    if run["error"] is None:
        pred = model.predict(x, verbose=0).argmax(1)
        run["label K fraction"] = float((y[:cut] + 1 == classes).mean())
        run["test accuracy"] = float((pred == y)[test].mean())
        run["test accuracy vs 1-based"] = float((pred == y + 1)[test].mean())
    out["one-based"] = run
    if not fixes:
        return out

    import keras

    ignore = keras.losses.SparseCategoricalCrossentropy(ignore_class=VOID)
    model = class_model(classes, loss=ignore)
    run = _fit(model, x[:cut], void[:cut], epochs)
    if run["error"] is None:
        pred = model.predict(x, verbose=0).argmax(1)
        run["finite"] = bool(np.isfinite(run["losses"]).all())
        run["test accuracy"] = float((pred == y)[test & valid].mean())
    out["ignore_class"] = run

    model = class_model(classes)
    run = _fit(model, x[:cut], (y[:cut] + 1) - 1, epochs)
    pred = model.predict(x, verbose=0).argmax(1)
    run["test accuracy"] = float((pred == y)[test].mean())
    out["zero-based"] = run
    return out
