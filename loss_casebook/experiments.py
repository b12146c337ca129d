"""Both cases as backend-neutral experiments, each returning plain data.

Every function here uses ``keras`` and ``keras.ops`` only (plus one small
gradient helper per backend), so it runs unchanged under TensorFlow, JAX and
PyTorch. Which backend it runs on is decided by ``KERAS_BACKEND`` before Keras
is first imported; :mod:`loss_casebook.backends` runs each experiment in a
fresh process for that reason. Results are dicts of numbers, booleans and
strings, so that they travel as JSON.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np


def backend() -> str:
    """The Keras backend of this process (``tensorflow``, ``jax`` or ``torch``)."""
    import keras

    return keras.backend.backend()


def value_and_grad(fn: Callable, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Value of ``fn(x)`` and gradient of ``sum(fn(x))`` with respect to ``x``.

    ``fn`` is written with ``keras.ops``; the gradient is taken with the
    backend's own machinery (``tf.GradientTape``, ``jax.grad`` or
    ``torch.autograd``). Both are returned as NumPy arrays.
    """
    name = backend()
    x = np.asarray(x, dtype="float32")
    if name == "tensorflow":
        import tensorflow as tf

        var = tf.Variable(x)
        with tf.GradientTape() as tape:
            y = fn(var)
            total = tf.reduce_sum(y)
        return np.asarray(y), tape.gradient(total, var).numpy()
    if name == "jax":
        import jax
        import jax.numpy as jnp

        y = fn(jnp.asarray(x))
        g = jax.grad(lambda t: jnp.sum(fn(t)))(jnp.asarray(x))
        return np.asarray(y), np.asarray(g)
    if name == "torch":
        import torch

        t = torch.tensor(x, requires_grad=True)
        y = fn(t)
        y.sum().backward()
        return y.detach().cpu().numpy(), t.grad.detach().cpu().numpy()
    raise ValueError(f"no gradient helper for the Keras backend {name!r}.")


# --------------------------------------------------------------------------- case 2


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

    keras.utils.set_random_seed(seed)
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

    A :class:`~loss_casebook.callbacks.NaNHunter` that watches the *loss*
    only (as a reader watching the progress bar would) stops at the first
    non-finite loss or, inside its ``guard``, at the first error; a second
    callback notes the first batch after which a weight was non-finite.
    """
    from loss_casebook.callbacks import NaNHunter

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
    """Value and gradient of ``1 - angular_distance`` for every kind of pair."""
    from keras import ops

    from loss_casebook.ops import angular_distance

    x = np.array([[1.0, 2.0, 3.0]], "float32")
    out = {}
    for name, other in {"identical": x, "opposite": -x, "scaled": 1000 * x,
                        "near-identical": x + 1e-6, "zero": 0 * x}.items():
        b = ops.convert_to_tensor(other)
        value, grad = value_and_grad(lambda a, b=b: 1.0 - angular_distance(a, b), x)
        out[name] = bool(np.isfinite(value).all() and np.isfinite(grad).all())
    return out


def _fix_trains(n: int, epochs: int) -> dict[str, Any]:
    """The fix chapter's recipe (embedding, Adam) on fewer pairs: held-out ROC AUC."""
    import keras
    from sklearn.metrics import roc_auc_score

    from loss_casebook.callbacks import NaNHunter
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
            "auc": float(roc_auc_score(y[cut:], scores)), "test pairs": n - cut}


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


# --------------------------------------------------------------------------- case 1


def _case1_model(fixed: bool, dim: int, steps: int):
    import keras

    from loss_casebook.losses import cosine_distance

    act = "tanh" if fixed else "sigmoid"
    lstm = dict(return_sequences=True, activation=act, kernel_initializer="glorot_normal",
                recurrent_initializer="glorot_normal")
    layers = [keras.Input(shape=(steps, dim)), keras.layers.LSTM(dim, **lstm),
              keras.layers.LSTM(dim, **lstm)]
    if fixed:
        layers.append(keras.layers.Dense(dim))
        loss, metrics = cosine_distance, [keras.metrics.CosineSimilarity(name="cosine")]
    else:
        loss, metrics = keras.losses.CosineSimilarity(), ["accuracy"]
    model = keras.Sequential(layers)
    model.compile(loss=loss, optimizer="adam", metrics=metrics)
    return model


def _same_gradients(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    import keras
    from keras import ops

    from loss_casebook.losses import cosine_distance

    t = ops.convert_to_tensor(y_true)
    a, ga = value_and_grad(lambda p: keras.losses.CosineSimilarity()(t, p), y_pred)
    b, gb = value_and_grad(lambda p: ops.mean(cosine_distance(t, p)), y_pred)
    return {"difference": float(b) - float(a), "max gradient gap": float(np.abs(ga - gb).max())}


def case1(n: int = 200, steps: int = 5, dim: int = 32, epochs: int = 20,
          offset: float = 0.0, seed: int = 0) -> dict[str, Any]:
    """Case 1 on this process's backend: sign and range, "accuracy", the ceiling, the fix.

    A smaller version of the case 1 chapters (``dim``-sized embeddings and
    LSTMs instead of 300): the question's model (sigmoid LSTMs, Keras's
    ``CosineSimilarity`` loss, ``metrics=["accuracy"]``) and the fixed one
    (tanh LSTMs, a linear ``Dense`` head, ``cosine_distance``), trained on the
    same split of :func:`loss_casebook.data.sentence_embeddings`.
    """
    import keras

    from loss_casebook import cosine
    from loss_casebook.data import sentence_embeddings

    context, utterance = sentence_embeddings(n, steps, dim, offset=offset, latent=8, seed=seed)
    cut = int(0.9 * n)
    x_train, x_val, y_train, y_val = context[:cut], context[cut:], utterance[:cut], utterance[cut:]
    out: dict[str, Any] = {"backend": backend()}
    hist = {}
    preds = {}
    for name, fixed in [("asked", False), ("fixed", True)]:
        keras.utils.set_random_seed(1)
        model = _case1_model(fixed, dim, steps)
        hist[name] = model.fit(x_train, y_train, validation_data=(x_val, y_val),
                               epochs=epochs, batch_size=32, verbose=0).history
        preds[name] = np.asarray(model.predict(x_val, verbose=0), "float64")
        if not fixed:
            loss, acc = model.evaluate(x_val, y_val, verbose=0)
            per_vector = -cosine.cosine(y_val, preds[name])
            out["loss"] = float(loss)
            out["loss by hand"] = float(per_vector.mean())
            out["per-vector min"] = float(per_vector.min())
            out["per-vector max"] = float(per_vector.max())
            out["accuracy"] = float(acc)
            out["accuracy by hand"] = cosine.argmax_accuracy(y_val, preds[name])
            out["outputs positive"] = bool((preds[name] > 0).all())
    out["ceiling"] = cosine.sigmoid_ceiling(y_val)
    out["asked cosine"] = float(cosine.cosine(y_val, preds["asked"]).mean())
    out["fixed cosine"] = float(cosine.cosine(y_val, preds["fixed"]).mean())
    out["fixed loss"] = float(hist["fixed"]["val_loss"][-1])
    out["cosine_distance vs CosineSimilarity"] = _same_gradients(
        y_val[:2], np.abs(y_val[2:4]) + 0.1)
    return out


#: The experiments :func:`loss_casebook.backends.run` can run, by name.
EXPERIMENTS: dict[str, Callable[..., dict[str, Any]]] = {"case1": case1, "case2": case2}


# --------------------------------------------------------------------------- the package


def package_check() -> dict[str, Any]:
    """The package's Keras helpers on this process's backend, as facts.

    ``losses.cosine_distance``, ``ops.angular_distance`` / ``cosine_similarity``
    and ``callbacks.NaNHunter`` (with :meth:`~loss_casebook.callbacks.NaNHunter.guard`)
    are run on small inputs; every entry of the result should be ``True``
    (``"hunter error"`` is the recorded error or ``None``).
    """
    import keras
    from keras import ops

    from loss_casebook.callbacks import NaNHunter
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
        keras.utils.set_random_seed(0)
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
        "hunter error": found.get("error"),
        "hunter summary": hunter.summary(),
    }


EXPERIMENTS["package"] = package_check
