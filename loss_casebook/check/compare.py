"""After ``fit``: the numbers to put beside the ``loss`` that ``fit`` logged (case 7).

The ``loss`` of an epoch in ``model.fit(...).history`` is the mean of the
epoch's batch losses, each taken in training mode (dropout on,
BatchNormalization on the batch's statistics) with the weights of its own
step, plus the regularisation terms in ``model.losses``. ``val_loss`` and
``model.evaluate`` take the weights at the end of the epoch, in inference
mode, and (as measured in case 7 on TensorFlow, JAX and PyTorch) add the same
regularisation terms. :func:`comparable_losses` computes, from the reader's
own model and data, the numbers that can be compared with each other.

Importing this module imports neither Keras nor TensorFlow; the function
imports Keras when it runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np


def regularisation(model: Any) -> float:
    """The sum of ``model.losses`` (weight regularisers, ``add_loss`` terms) as a float.

    0.0 for a model without such terms.
    """
    import keras

    return float(sum(float(keras.ops.convert_to_numpy(v)) for v in model.losses))


def comparable_losses(model: Any, x: Any, y: Any, *,
                      validation_data: tuple[Any, Any] | None = None,
                      history: Mapping[str, Sequence[float]] | None = None,
                      batch_size: int = 32) -> dict[str, float]:
    """The training data's loss with the model's current weights, next to ``val_loss``.

    Call it right after ``fit`` (the weights are then the last epoch's end).
    Returns a dict of floats:

    * ``"fit loss"``: ``history["loss"][-1]``, the number ``fit`` logged (the
      epoch's running mean, training mode, regularisation included); only if
      ``history`` is given.
    * ``"train loss"``: ``model.evaluate(x, y)``: the same rows, the end
      weights, inference mode, regularisation included.
    * ``"regularisation"``: the sum of ``model.losses``.
    * ``"train loss without regularisation"``: the two above subtracted.
    * ``"val_loss"``: ``history["val_loss"][-1]`` if the history has it.
    * ``"val loss"`` and ``"val loss without regularisation"``: the same two
      numbers for ``validation_data``, if given.

    ``"train loss"`` and ``"val loss"`` (or ``"val_loss"``) are the pair to
    compare: same weights, same mode. The model must be compiled with a single
    loss, so that ``evaluate`` returns one number. Regularisation terms that
    depend on the inputs (activity regularisers) are counted as
    ``model.losses`` holds them after the last call.

    Raises
    ------
    ValueError
        If ``evaluate`` returns more than one number (metrics or several
        outputs: compile a copy with the loss alone), or ``batch_size`` is not
        a positive integer.
    """
    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, not {batch_size!r}.")

    def _evaluate(a: Any, b: Any) -> float:
        got = model.evaluate(a, b, batch_size=batch_size, verbose=0)
        values = np.atleast_1d(np.asarray(got, dtype=np.float64))
        if values.size != 1:
            raise ValueError("model.evaluate returned several numbers "
                             f"({values.size}): compile the model with one loss and "
                             "no metrics to compare its loss.")
        return float(values[0])

    out: dict[str, float] = {}
    if history is not None and history.get("loss"):
        out["fit loss"] = float(history["loss"][-1])
    reg = regularisation(model)
    out["train loss"] = _evaluate(x, y)
    out["regularisation"] = reg
    out["train loss without regularisation"] = out["train loss"] - reg
    if history is not None and history.get("val_loss"):
        out["val_loss"] = float(history["val_loss"][-1])
    if validation_data is not None:
        xv, yv = validation_data
        out["val loss"] = _evaluate(xv, yv)
        out["val loss without regularisation"] = out["val loss"] - reg
    return out
