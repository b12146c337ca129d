"""The package's own Keras helpers, checked on the backend of this process."""

from __future__ import annotations

import math
import sys
from typing import Any

import numpy as np

from loss_casebook.backends.experiments.common import backend, value_and_grad
from loss_casebook.repro import training_seed



def package_check() -> dict[str, Any]:
    """The package's Keras helpers on this process's backend, as facts.

    ``losses.cosine_distance``, ``ops.angular_distance`` / ``cosine_similarity``
    and ``watch.NaNHunter`` (with :meth:`~loss_casebook.watch.NaNHunter.guard`)
    are run on small inputs; every entry of the result should be ``True``
    (``"hunter error"`` is the recorded error or ``None``).
    """
    import keras
    from keras import ops

    from loss_casebook.watch import NaNHunter
    from loss_casebook.losses import cosine_distance
    from loss_casebook.ops import angular_distance, cosine_similarity

    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(2, 6, 4)).astype("float32")
    ref = 1 - (a * b).sum(-1) / np.linalg.norm(a, axis=-1) / np.linalg.norm(b, axis=-1)
    nan_b = b.copy()
    nan_b[0, 1] = np.nan
    dist_nan = ops.convert_to_numpy(cosine_distance(a, nan_b))
    try:
        cosine_distance(a[:, :3], b)
        shape_error = False
    except ValueError:
        shape_error = True

    u, v = rng.normal(size=(2, 50, 10)).astype("float32")
    cos = (u * v).sum(-1) / np.linalg.norm(u, axis=-1) / np.linalg.norm(v, axis=-1)
    ang_ref = np.arccos(np.clip(cos, -1 + 1e-6, 1 - 1e-6)) / math.pi
    grads_finite = True
    for other in (u, -u, 1000 * u, u + 1e-7, 0 * u):
        o = ops.convert_to_tensor(other)
        value, grad = value_and_grad(lambda t, o=o: angular_distance(t, o), u)
        grads_finite &= bool(np.isfinite(value).all() and np.isfinite(grad).all())

    x = np.arange(12, dtype="float32").reshape(6, 2) / 12
    x[3] = np.nan  # batch 1 with batch_size 2
    def tiny_model():
        keras.utils.set_random_seed(training_seed(0))
        inp = keras.Input((2,))
        model = keras.Model(inp, keras.layers.Dense(1, activation="sigmoid")(inp))
        model.compile(loss="binary_crossentropy", optimizer="sgd")
        return model

    hunter = NaNHunter(x, batch_size=2)
    with hunter.guard():
        tiny_model().fit(x, np.ones((6, 1)), batch_size=2, epochs=2, shuffle=False,
                         callbacks=[hunter], verbose=0)
    found = hunter.found or {}
    quiet = NaNHunter()
    tiny_model().fit(np.ones((4, 2), "float32"), np.ones((4, 1)), epochs=1,
                     callbacks=[quiet], verbose=0)
    return {
        "backend": backend(),
        "cosine_distance matches NumPy": bool(
            np.allclose(ops.convert_to_numpy(cosine_distance(a, b)), ref, atol=1e-5)),
        "cosine_distance lets NaN through to that vector only": bool(
            np.isnan(dist_nan[0]) and np.isfinite(dist_nan[1:]).all()),
        "cosine_distance rejects mismatched shapes": shape_error,
        "angular_distance matches NumPy": bool(np.allclose(
            ops.convert_to_numpy(angular_distance(u, v)).ravel(), ang_ref, atol=1e-5)),
        "angular_distance value and gradient finite": grads_finite,
        "cosine_similarity shape (batch, 1)": tuple(cosine_similarity(u, v).shape) == (50, 1),
        "hunter found epoch 0, batch 1": (found.get("epoch"), found.get("batch")) == (0, 1),
        "hunter kept the NaN row": bool(
            found.get("inputs") is not None and np.isnan(found["inputs"][1]).all()),
        "hunter quiet when finite": quiet.found is None,
        # Why the warm workers of loss_casebook.backends.pool import TensorFlow
        # under every backend: by now this process has imported it.
        "tensorflow imported": "tensorflow" in sys.modules,
        "hunter error": found.get("error"),
        "hunter summary": hunter.summary(),
    }
