"""What a Keras loss averages, by hand in NumPy, and the number to compare across runs.

:func:`reduce` is the reduction of Keras 3.15.1's ``Loss`` written out with
NumPy (``keras/src/losses/loss.py``: ``reduce_weighted_values``,
``apply_mask`` and ``reduce_values``), :func:`epoch_loss` the value ``fit``
logs for an epoch (a ``Mean`` of the batches' losses weighted by their row
counts), and :func:`comparable_metric` the unweighted metric of a loss's own
function, the number that does not change with the batch size, the
reduction, the weights or a regulariser. Defined in case 11.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: The reductions of Keras 3.15.1's ``Loss`` (``None`` is the same as "none").
REDUCTIONS = ("sum", "sum_over_batch_size", "mean", "mean_with_sample_weight", "none")


def reduce(values: Any, reduction: str | None = "sum_over_batch_size",
           sample_weight: Any = None, mask: Any = None) -> np.ndarray | float:
    """A Keras loss reduction, by hand.

    Parameters
    ----------
    values:
        The per-element losses (what a loss's ``call`` returns).
    reduction:
        One of :data:`REDUCTIONS` or ``None``.
    sample_weight:
        Weights broadcastable to ``values`` (per row, for rows of losses), or ``None``.
    mask:
        Booleans of the shape of ``values`` (``True``: counted), or ``None``.

    Returns
    -------
    The weighted values for ``"none"``, else a float: ``"sum"`` is
    ``sum(w * m * l)``; ``"sum_over_batch_size"`` and ``"mean"`` divide that
    by the number of counted elements (all of them without a mask, however
    small the weights); ``"mean_with_sample_weight"`` divides by
    ``sum(w * m)`` (by the counted elements without weights).
    """
    if reduction not in REDUCTIONS and reduction is not None:
        raise ValueError(f"reduction must be one of {REDUCTIONS} or None, not {reduction!r}.")
    values = np.asarray(values, dtype=np.float64)
    m = np.ones_like(values) if mask is None else np.asarray(mask, dtype=np.float64)
    w = np.ones_like(values) if sample_weight is None else np.broadcast_to(
        np.asarray(sample_weight, dtype=np.float64).reshape(
            np.shape(sample_weight) + (1,) * (values.ndim - np.ndim(sample_weight))),
        values.shape)
    weighted = values * w * m
    if reduction in (None, "none"):
        return weighted
    total = float(weighted.sum())
    if reduction == "sum":
        return total
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        divisor = float((w * m).sum())
    else:
        divisor = float(m.sum())
    return total / divisor if divisor else 0.0


def epoch_loss(values: Any, batch_size: int,
               reduction: str = "sum_over_batch_size") -> tuple[float, list[float], list[int]]:
    """The epoch loss ``fit`` logs, by hand, for per-row losses in batch order.

    The rows are cut into batches of ``batch_size`` (the last one may be
    smaller), each batch is reduced with :func:`reduce`, and the epoch value
    is the mean of the batches' values weighted by their row counts, as
    Keras's loss tracker (a ``Mean`` updated with ``sample_weight`` = the
    batch's rows) computes it. Returns the epoch value, the batches' values
    and their row counts.
    """
    values = np.asarray(values, dtype=np.float64)
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}.")
    batches = [values[i:i + batch_size] for i in range(0, len(values), batch_size)]
    per_batch = [float(reduce(b, reduction)) for b in batches]
    rows = [len(b) for b in batches]
    return float(np.dot(per_batch, rows) / sum(rows)), per_batch, rows


#: Loss classes with a metric of the same function, and the arguments both take.
_SAME_FUNCTION = {
    "MeanSquaredError": (), "MeanAbsoluteError": (),
    "BinaryCrossentropy": ("from_logits", "label_smoothing"),
    "CategoricalCrossentropy": ("from_logits", "label_smoothing", "axis"),
    "SparseCategoricalCrossentropy": ("from_logits", "axis"),
}


def comparable_metric(loss: Any, name: str | None = None) -> Any:
    """The Keras metric of the same function as ``loss``, to pass in ``metrics=``.

    A metric in ``metrics`` (not ``weighted_metrics``) is the plain mean over
    every example the epoch saw: it does not change with the batch size, the
    loss's reduction, ``sample_weight``, ``class_weight`` or a regulariser,
    so its value (``val_<name>`` on a fixed validation set) is the number to
    compare across runs. ``name`` defaults to ``"same_" + `` the loss's name.
    Raises ``TypeError`` for a loss that has no such metric here.
    """
    import keras

    kind = type(loss).__name__
    if kind not in _SAME_FUNCTION:
        raise TypeError(f"no metric of the same function known for {kind}; "
                        f"known: {', '.join(_SAME_FUNCTION)}.")
    config = loss.get_config()
    kwargs = {k: config[k] for k in _SAME_FUNCTION[kind] if k in config}
    return getattr(keras.metrics, kind)(name=name or f"same_{loss.name}", **kwargs)
