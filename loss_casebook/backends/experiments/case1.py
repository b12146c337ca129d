"""Case 1 (the negative cosine-proximity loss) as a backend-neutral experiment."""

from __future__ import annotations

from typing import Any

import numpy as np

from loss_casebook.backends.experiments.common import backend, value_and_grad
from loss_casebook.repro import training_seed



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
        keras.utils.set_random_seed(training_seed(1))
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
    out["fixed history"] = {k: [float(v) for v in hist["fixed"][k]] for k in ("loss", "val_loss")}
    out["cosine_distance vs CosineSimilarity"] = _same_gradients(
        y_val[:2], np.abs(y_val[2:4]) + 0.1)
    return out
