"""Check a loss written by hand before ``fit`` (case 10).

A loss function ``fn(y_true, y_pred)`` can go wrong in ways ``fit`` shows
late or not at all: ``log(0)`` gives ``inf`` or NaN at a prediction of 0 or
1, ``argmax``, ``round`` or a cast leave no gradient (one backend raises,
another trains with zero gradients), and a loss that already took the mean
over the batch returns a scalar, so Keras cannot weight its samples.

:func:`loss_findings` evaluates ``fn`` and its gradient with respect to
``y_pred`` on a small batch, with ``keras.ops`` and the backend's own
gradient (:func:`loss_casebook.backends.experiments.common.value_and_grad`),
so it runs on TensorFlow, JAX and PyTorch. It returns one sentence per
problem found, an empty list when there is none. :func:`check_loss` raises a
:class:`ValueError` whose message is those sentences, or returns ``None``.

The batch has ``batch`` rows of ``width`` columns: first the four corners
(``y_true`` and ``y_pred`` each 0 or 1, every column alike), then rows drawn
from a fixed seed, with ``y_pred`` in (0.05, 0.95) and ``y_true`` 0 or 1.
A negative loss is not a problem (``bce - dice`` has its minimum at -1):
the checks are

* finite values at every row, corners included;
* finite gradients with respect to ``y_pred`` at every row;
* a nonzero gradient at the inner rows (a loss through ``argmax``, ``round``
  or a cast gets none);
* the output's shape: one value per sample, ``(batch,)`` (or more axes after
  the batch, which Keras averages); a scalar is a problem only with
  ``weighted=True`` (you will pass ``sample_weight`` or ``class_weight``),
  since Keras multiplies a scalar by the mean weight of the batch
  (``reduce_weighted_values`` in ``keras/src/losses/loss.py``).

Example
-------
>>> from keras import ops
>>> def focal(y_true, y_pred):
...     return -ops.mean(y_true * (1 - y_pred) ** 2 * ops.log(y_pred), axis=-1)
>>> loss_findings(focal)[0]  # doctest: +ELLIPSIS
'the loss is not finite (inf) at y_true=1, y_pred=0: ...'
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

#: The corner rows, as (y_true, y_pred).
CORNERS: tuple[tuple[float, float], ...] = ((0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0))

CLIP_ADVICE = ("clip y_pred to [epsilon, 1 - epsilon] before the log "
               "(p = ops.clip(y_pred, 1e-7, 1 - 1e-7)) and use p, not y_pred, after it")


def probe_batch(batch: int = 8, width: int = 1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``(y_true, y_pred)`` of shape ``(batch, width)``: the four corners, then inner rows."""
    if batch < len(CORNERS) + 1 or width < 1:
        raise ValueError(f"batch must be at least {len(CORNERS) + 1} and width at least 1, "
                         f"got batch={batch}, width={width}.")
    rng = np.random.default_rng(seed)
    inner = batch - len(CORNERS)
    t = np.concatenate([np.repeat([[c[0]] for c in CORNERS], width, axis=1),
                        rng.integers(0, 2, size=(inner, width)).astype(float)])
    p = np.concatenate([np.repeat([[c[1]] for c in CORNERS], width, axis=1),
                        rng.uniform(0.05, 0.95, size=(inner, width))])
    return t.astype("float32"), p.astype("float32")


def _kind(values: np.ndarray) -> str:
    return "NaN" if np.isnan(values).any() else "inf"


def _row_name(t: np.ndarray, p: np.ndarray, row: int) -> str:
    if row < len(CORNERS):
        return f"y_true={CORNERS[row][0]:g}, y_pred={CORNERS[row][1]:g}"
    return f"an inner row (y_pred={float(p[row, 0]):.2f})"


def loss_findings(fn: Callable, *, batch: int = 8, width: int = 1,
                  weighted: bool = False, seed: int = 0) -> list[str]:
    """One sentence per problem of the loss ``fn(y_true, y_pred)``; ``[]`` if none.

    Parameters
    ----------
    fn:
        The loss, written with ``keras.ops`` (or the backend's own ops).
    batch, width:
        The probe batch's shape, ``(batch, width)``: ``width`` is the last
        axis your model outputs (1 for one sigmoid, the pixels of a mask).
    weighted:
        Whether you will pass ``sample_weight`` or ``class_weight`` to
        ``fit``; then a scalar loss is a problem.
    seed:
        Seed of the inner rows.
    """
    from keras import ops

    from loss_casebook.backends.experiments.common import value_and_grad

    t, p = probe_batch(batch, width, seed)
    y_true = ops.convert_to_tensor(t)

    def total(y_pred):
        # "+ 0 * sum" keeps a gradient path on every backend, so a loss that
        # cuts it (argmax, round, a cast) shows a zero gradient, not an error.
        return ops.sum(fn(y_true, y_pred)) + 0.0 * ops.sum(y_pred)

    value = np.asarray(ops.convert_to_numpy(fn(y_true, ops.convert_to_tensor(p))))
    _, grad = value_and_grad(total, p)
    grad = np.asarray(grad, dtype="float64")
    found: list[str] = []

    shape = tuple(value.shape)
    if shape == ():
        if weighted:
            found.append("the loss returns a scalar, so Keras multiplies it by the batch's "
                         "mean sample weight instead of weighting each sample: reduce over "
                         "the last axis only (ops.mean(..., axis=-1)) and let Keras "
                         "average over the batch.")
    elif shape[0] != batch or value.size > t.size:
        found.append(f"the loss returns shape {shape} for a batch of shape {t.shape}: it "
                     f"should return one value per sample, shape ({batch},); check that "
                     f"y_true and y_pred have the same shape before they are combined "
                     f"(a (batch,) and a (batch, 1) broadcast to (batch, batch)).")

    rows = value.reshape(batch, -1) if shape and shape[0] == batch else None
    if rows is not None:
        bad = [r for r in range(batch) if not np.isfinite(rows[r]).all()]
        if bad:
            r = bad[0]
            found.append(f"the loss is not finite ({_kind(rows[r])}) at "
                         f"{_row_name(t, p, r)}: {CLIP_ADVICE}.")
    elif not np.isfinite(value).all():
        found.append(f"the loss is not finite ({_kind(value)}) on a batch with predictions "
                     f"at 0 and 1: {CLIP_ADVICE}.")

    bad = [r for r in range(batch) if not np.isfinite(grad[r]).all()]
    if bad:
        r = bad[0]
        found.append(f"the gradient with respect to y_pred is not finite ({_kind(grad[r])}) at "
                     f"{_row_name(t, p, r)}: {CLIP_ADVICE}; a clip's gradient is 0 outside "
                     f"its range, so it stays finite there.")
    inner = grad[len(CORNERS):]
    if np.isfinite(inner).all() and not np.any(inner != 0):
        found.append("no gradient reaches y_pred (it is zero at every inner row): argmax, "
                     "round, floor, a comparison or a cast inside the loss cut it; compute "
                     "the loss from y_pred itself (a probability, not a decision).")
    return found


def check_loss(fn: Callable, *, batch: int = 8, width: int = 1,
               weighted: bool = False, seed: int = 0) -> None:
    """Raise a :class:`ValueError` naming each problem of ``fn``; ``None`` if none.

    The message is the sentences of :func:`loss_findings` (same arguments),
    numbered when there are several.
    """
    found = loss_findings(fn, batch=batch, width=width, weighted=weighted, seed=seed)
    if len(found) == 1:
        raise ValueError(found[0][0].upper() + found[0][1:])
    if found:
        raise ValueError(" ".join(f"({i}) {s}" for i, s in enumerate(found, 1)))
