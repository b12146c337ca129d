"""Check targets and labels before ``fit``: the range each cross-entropy needs.

Keras 3's cross-entropy code does not check the range of what it is given;
what happens to a value out of range is left to each backend (on CPU some
raise, some return a number: cases 4 and 6 of the book). Call these on the
arrays you will pass to ``fit``. Each returns ``None`` when everything is in
range, and otherwise raises a one-sentence :class:`ValueError`: for values out
of range it names them and the fix; for bad arguments it says what is wrong.

Example
-------
>>> import numpy as np
>>> from loss_casebook.check import check_labels, check_targets
>>> check_targets(np.array([0.0, 1.0, 0.5]))
>>> check_labels(np.array([0, 3, 255]), num_classes=4, ignore_class=255)
>>> check_targets(np.array([0, 255]))  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
ValueError: binary_crossentropy needs targets in [0, 1], but 1 of 2 are outside it (255); ...

They accept NumPy arrays, lists and Keras tensors of every backend (converted
with ``keras.ops.convert_to_numpy``; Keras is imported only for a framework
tensor, anything that is not a NumPy array or scalar, a list, a tuple or a
Python number).
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: The losses whose targets must lie in [0, 1], as ``compile`` names them.
PROBABILITY_LOSSES: tuple[str, ...] = (
    "binary_crossentropy", "binary_focal_crossentropy", "categorical_crossentropy",
)


def _to_numpy(name: str, values: Any) -> np.ndarray:
    """``values`` as a NumPy array; a framework tensor goes through Keras."""
    if values is None or isinstance(values, (str, bytes, dict, set)):
        raise ValueError(f"{name} must be an array or tensor of numbers, "
                         f"got {type(values).__name__}.")
    if isinstance(values, (np.ndarray, np.generic, list, tuple, int, float)):
        array = np.asarray(values)
    else:
        import keras  # only for a tensor of some framework

        array = np.asarray(keras.ops.convert_to_numpy(values))
    if array.dtype == bool or not np.issubdtype(array.dtype, np.number):
        raise ValueError(f"{name} must hold numbers, got an array of {array.dtype}.")
    if array.size == 0:
        raise ValueError(f"{name} is empty: there is nothing to check.")
    return array


def _examples(values: np.ndarray, limit: int = 3) -> str:
    """Up to ``limit`` distinct values, smallest first, as text."""
    distinct = np.unique(values)
    shown = ", ".join(f"{v:g}" if isinstance(v, float) else str(v)
                      for v in distinct[:limit].tolist())
    return shown + (", ..." if distinct.size > limit else "")


def check_targets(y: Any, loss: str = "binary_crossentropy") -> None:
    """Check that targets for a probability loss lie in [0, 1].

    Parameters
    ----------
    y:
        The targets you will give ``fit``: array, list or Keras tensor.
    loss:
        The loss's name as ``compile`` takes it, one of
        :data:`PROBABILITY_LOSSES`.

    Raises
    ------
    ValueError
        If ``loss`` is not one of those names, ``y`` is not numeric, is
        empty, holds NaN or infinity, or has values outside [0, 1].
    """
    if not isinstance(loss, str) or loss not in PROBABILITY_LOSSES:
        raise ValueError(f"loss must be one of {list(PROBABILITY_LOSSES)}, got {loss!r}.")
    array = _to_numpy("y", y).astype(np.float64)
    if not np.isfinite(array).all():
        count = int((~np.isfinite(array)).sum())
        raise ValueError(f"{loss} needs finite targets, but y holds {count} NaN or "
                         "infinite values; drop or fill them.")
    outside = array[(array < 0) | (array > 1)]
    if outside.size == 0:
        return None
    if set(np.unique(array).tolist()) <= {0.0, 255.0}:
        fix = "divide a 0/255 mask by 255"
    else:
        fix = "rescale them into [0, 1] or use a regression loss"
    raise ValueError(f"{loss} needs targets in [0, 1], but {outside.size} of {array.size} "
                     f"are outside it ({_examples(outside)}); {fix}.")


def _check_int(name: str, value: Any, minimum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer, got {value!r}.")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}.")
    return int(value)


def check_labels(y: Any, num_classes: int, ignore_class: int | None = None) -> None:
    """Check that sparse class labels lie in [0, num_classes).

    Parameters
    ----------
    y:
        The integer labels you will give ``fit`` with a sparse categorical
        cross-entropy: array, list or Keras tensor (floats holding whole
        numbers are accepted, as Keras casts them).
    num_classes:
        The number of outputs of the model's last layer (at least 1).
    ignore_class:
        The label your loss ignores (``SparseCategoricalCrossentropy(
        ignore_class=...)``), or ``None``.

    Raises
    ------
    ValueError
        If an argument is not what is described above, or a label other than
        ``ignore_class`` is outside [0, num_classes).
    """
    num_classes = _check_int("num_classes", num_classes, minimum=1)
    if ignore_class is not None:
        ignore_class = _check_int("ignore_class", ignore_class)
    array = _to_numpy("y", y)
    if not np.isfinite(array).all() or (array != np.round(array)).any():
        raise ValueError("sparse labels must be whole numbers (class indices), but y holds "
                         f"{_examples(array[~np.isfinite(array) | (array != np.round(array))])}.")
    array = array.astype(np.int64)
    bad = (array < 0) | (array >= num_classes)
    if ignore_class is not None:
        bad &= array != ignore_class
    if not bad.any():
        return None
    outside = array[bad]
    present = set(np.unique(array).tolist())
    if array.min() >= 1 and array.max() == num_classes and ignore_class is None:
        fix = "they look 1-based: subtract 1"
    elif len(np.unique(outside)) > num_classes and 0 <= array.min() <= array.max() <= 255:
        fix = (f"{len(present)} different values up to {int(max(present))} for "
               f"{num_classes} classes look like bytes of the data (pixels) read as labels: "
               f"check where y is read from (if they are class ids, give the model "
               f"{int(max(present)) + 1} outputs)")
    elif len(np.unique(outside)) == 1:
        fix = (f"if {outside[0]} marks pixels to skip, pass ignore_class={outside[0]} "
               "to SparseCategoricalCrossentropy")
    else:
        fix = f"remap them, or give the model {int(max(present)) + 1} outputs"
    raise ValueError(f"sparse labels must lie in [0, {num_classes}), but {outside.size} of "
                     f"{array.size} are outside it ({_examples(outside)}); {fix}.")
