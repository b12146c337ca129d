"""Measure where a NaN is born in a model that feeds a cosine into ``acos``.

Case 2's Siamese model computes ``acos(cos) / pi``. Two mechanisms make its
training non-finite, and which one strikes first depends on the rounding of
the machine's kernels:

* **forward**: a float32 cosine *above* 1, where ``acos`` is NaN, so the loss
  itself is NaN;
* **backward**: a cosine of *exactly* 1, where ``acos`` is finite (0) but its
  gradient, ``-1 / sqrt(1 - x**2)``, divides by zero: an infinity that meets a
  zero (binary cross-entropy's clip below ``1e-7``, or the cosine's own zero
  gradient at identical vectors) and leaves NaN gradients behind a finite loss.

The same two happen at the other end: below -1 ``acos`` is NaN, at exactly -1
its slope is infinite. In the book's run of case 2 no batch got there.

:func:`trace_nan_birth` replays ``fit``'s training step batch by batch,
records the cosine that ``acos`` saw and which of the two (if any) fired.
:func:`check_numerics_culprit` reads the op that
``tf.debugging.enable_check_numerics()`` names in its error message.

Both need the TensorFlow backend (the first uses ``tf.GradientTape``).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

#: The three classes of a batch's cosine, in the order the book shows them.
COSINE_CLASSES = ("above 1", "exactly 1", "below 1")

#: The two ways the question's model goes non-finite.
MECHANISMS = ("forward NaN", "backward non-finite")


def cosine_class(cos: Any) -> str:
    """Classify a batch of cosines by its most dangerous value.

    Returns ``"above 1"`` if any value exceeds 1 (``acos`` is NaN there),
    else ``"exactly 1"`` if any value equals 1 (``acos`` has an infinite
    slope there), else ``"below 1"``. Only the largest value counts: a batch
    whose cosines include -1 (infinite slope) or less (NaN) is still
    ``"below 1"`` unless another value reaches 1.

    Raises
    ------
    ValueError
        If ``cos`` is empty or holds a NaN.
    """
    values = np.asarray(cos, dtype=np.float64).ravel()
    if values.size == 0:
        raise ValueError("cos must hold at least one value.")
    if np.isnan(values).any():
        raise ValueError("cos holds NaN: classify the cosine before acos, not after.")
    if (values > 1).any():
        return "above 1"
    if (values == 1).any():
        return "exactly 1"
    return "below 1"


@dataclass(frozen=True)
class BatchRecord:
    """What one training step saw: the batch's cosine and what went non-finite."""

    batch: int
    cosine: float  #: the largest cosine of the batch, as ``acos`` received it
    cosine_class: str
    loss: float
    gradients_finite: bool

    @property
    def mechanism(self) -> str | None:
        """``"forward NaN"``, ``"backward non-finite"`` or ``None`` (all finite)."""
        if not math.isfinite(self.loss):
            return "forward NaN"
        if not self.gradients_finite:
            return "backward non-finite"
        return None


@dataclass(frozen=True)
class NanBirth:
    """The records of one traced epoch, with the counts the book reports."""

    records: tuple[BatchRecord, ...]

    @property
    def first(self) -> BatchRecord | None:
        """The first batch whose loss or gradients were not finite, if any."""
        return next((r for r in self.records if r.mechanism is not None), None)

    def counts(self) -> dict[tuple[str, str | None], int]:
        """Number of batches per (cosine class, mechanism) pair that occurred."""
        return dict(Counter((r.cosine_class, r.mechanism) for r in self.records))

    def mechanism_counts(self) -> dict[str, int]:
        """Number of batches per mechanism, zeros included."""
        found = Counter(r.mechanism for r in self.records)
        return {m: found.get(m, 0) for m in MECHANISMS}

    def summary(self) -> str:
        """One line: the first non-finite batch and how often each mechanism fired."""
        counts = self.mechanism_counts()
        tally = ", ".join(f"{m} {n}" for m, n in counts.items())
        first = self.first
        if first is None:
            return f"{len(self.records)} batches, all finite."
        return (
            f"{len(self.records)} batches; first non-finite: batch {first.batch}, "
            f"{first.mechanism} at a cosine {first.cosine_class}; "
            f"over the epoch: {tally}."
        )


def _as_list(x: Any) -> list[np.ndarray]:
    arrays = list(x) if isinstance(x, (list, tuple)) else [x]
    return [np.asarray(a) for a in arrays]


def trace_nan_birth(
    model: Any, cosine_layer: Any, x: Any, y: Any, *, batch_size: int = 1
) -> NanBirth:
    """Replay one epoch of ``fit`` and record, per batch, how it went non-finite.

    Each step does what Keras 3's TensorFlow ``train_step`` does (forward pass
    with ``training=True``, ``model.compute_loss``, ``tf.GradientTape``
    gradients, ``model.optimizer.apply_gradients``), in order, without
    shuffling, and also returns the output of ``cosine_layer`` computed in the
    same graph, so the recorded cosine is the one ``acos`` received.

    Unlike ``fit``, a step whose loss or gradients are not finite is recorded
    and its update *skipped*, so the weights stay finite and the rest of the
    epoch can be counted. Up to and including the first such step, the run
    follows ``fit``'s. On TensorFlow, Keras 3's default ``jit_compile="auto"``
    compiles ``fit``'s step with XLA only where a device other than the CPU is
    visible and no
    ``tf.distribute`` strategy is set (``_resolve_auto_jit_compile`` in
    ``keras/src/trainers/trainer.py``), and only if the model supports it
    (``model_supports_jit``: not while op determinism is enabled, as
    ``seed_everything`` enables it, nor with a layer that does not support XLA);
    with XLA on, ``fit`` and this replay may round differently.

    Parameters
    ----------
    model:
        A compiled Keras 3 model (TensorFlow backend).
    cosine_layer:
        The layer of ``model`` whose output is the cosine fed to ``acos``.
    x, y:
        Training inputs (an array or a list of arrays) and targets.
    batch_size:
        Rows per step.

    Returns
    -------
    NanBirth
        One :class:`BatchRecord` per step.

    Raises
    ------
    ValueError
        If the backend is not TensorFlow, the model is not compiled,
        ``cosine_layer`` is not one of its layers, the inputs and targets
        differ in length, or ``batch_size`` is not a positive integer.
    """
    import keras
    import tensorflow as tf

    if keras.backend.backend() != "tensorflow":
        raise ValueError("trace_nan_birth needs the TensorFlow backend.")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}.")
    if getattr(model, "optimizer", None) is None:
        raise ValueError("compile the model first: trace_nan_birth uses its loss and optimizer.")
    if not any(layer is cosine_layer for layer in model.layers):
        raise ValueError("cosine_layer must be one of model.layers.")
    xs, y = _as_list(x), np.asarray(y)
    lengths = {len(a) for a in xs} | {len(y)}
    if len(lengths) != 1:
        raise ValueError(f"inputs and targets have different lengths {sorted(lengths)}.")

    probe = keras.Model(model.inputs, [model.outputs[0], cosine_layer.output])
    weights = model.trainable_weights
    model.optimizer.build(weights)

    @tf.function
    def step(inputs, target):
        with tf.GradientTape() as tape:
            y_pred, cos = probe(inputs, training=True)
            loss = model.compute_loss(x=inputs, y=target, y_pred=y_pred, training=True)
        grads = tape.gradient(loss, weights)
        finite = tf.reduce_all([tf.reduce_all(tf.math.is_finite(g)) for g in grads])
        return cos, loss, grads, finite

    records = []
    for k, start in enumerate(range(0, len(y), batch_size)):
        rows = slice(start, start + batch_size)
        cos, loss, grads, finite = step([a[rows] for a in xs], y[rows])
        cos, loss, finite = cos.numpy(), float(loss), bool(finite)
        if math.isfinite(loss) and finite:
            model.optimizer.apply_gradients(zip(grads, weights))
        records.append(
            BatchRecord(k, float(np.max(cos)), cosine_class(cos), loss, finite)
        )
    return NanBirth(tuple(records))


_NODE = re.compile(r"Detected at node (\S+?)/CheckNumerics")
_BAD = re.compile(r"Tensor had (.+?) values")


def check_numerics_culprit(message: str) -> tuple[str, str]:
    """Name the first non-finite op in a ``check_numerics`` error message.

    Returns ``(creator, values)``. ``creator`` is the TensorFlow gradient
    function that built the op if the op belongs to a backward pass (for
    example ``"_AcosGrad"``, read from its ``math_grad.py`` frame), else the
    op's own name from ``Detected at node .../<op>/CheckNumericsV2`` (for
    example ``"Acos"``). ``values`` is what the message says the tensor had:
    ``"NaN"``, ``"+Inf"``, ``"-Inf"`` (or several, as written).

    Raises
    ------
    ValueError
        If the message is not a ``check_numerics`` error.
    """
    node = _NODE.search(message)
    bad = _BAD.search(message)
    if node is None or bad is None:
        raise ValueError("not a check_numerics error message (no 'Detected at node').")
    grads = [
        line.split()[-1] for line in message.splitlines() if "math_grad.py" in line
    ]
    creator = grads[0] if grads else node.group(1).split("/")[-1]
    return creator, bad.group(1)
