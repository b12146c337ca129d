"""A Keras 3 callback that catches the first non-finite batch, on any backend.

:class:`NaNHunter` is built from three small pieces that read on their own:
:class:`BatchRows` (which rows of the inputs a batch held),
:func:`nonfinite_weights` (which weights hold NaN or infinity) and
:func:`event` (the record of where training broke).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator, Sequence
from typing import Any

import keras
import numpy as np


class BatchRows:
    """The rows of ``fit``'s inputs that batch ``i`` held (``shuffle=False``).

    ``x`` is an array or a list of arrays as passed to ``fit``, or ``None``
    (then every batch's rows are ``None``); ``batch_size`` is ``fit``'s.
    """

    def __init__(self, x: Any = None, batch_size: int | None = None):
        if x is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, int)
                              or batch_size < 1):
            raise ValueError("NaNHunter needs the fit batch_size (a positive int) when x is given.")
        if x is not None:
            arrays = x if isinstance(x, (list, tuple)) else [x]
            lengths = {len(a) for a in arrays}
            if len(lengths) != 1:
                raise ValueError(f"NaNHunter: the inputs have different lengths {sorted(lengths)}.")
        self.x = x
        self.batch_size = batch_size

    def __call__(self, batch: int) -> Any:
        """The rows of batch ``batch`` (one array per input), or ``None`` without ``x``."""
        if self.x is None:
            return None
        sl = slice(batch * self.batch_size, (batch + 1) * self.batch_size)
        if isinstance(self.x, (list, tuple)):
            return [np.asarray(a)[sl] for a in self.x]
        return np.asarray(self.x)[sl]


def nonfinite_weights(weights: Sequence[Any]) -> list[str]:
    """The paths (names) of the weights that hold a NaN or an infinity."""
    return [w.path for w in weights
            if not np.isfinite(keras.ops.convert_to_numpy(w)).all()]


def event(epoch: int, batch: int, step: int, *, loss: float = math.nan,
          bad_weights: Sequence[str] = (), inputs: Any = None,
          error: BaseException | None = None) -> dict[str, Any]:
    """The record of a batch where training broke, as :attr:`NaNHunter.found` holds it."""
    message = None
    if error is not None:
        text = str(error).strip()
        message = f"{type(error).__name__}: {text.splitlines()[0] if text else ''}"
    return {"epoch": int(epoch), "batch": int(batch), "step": int(step), "loss": float(loss),
            "bad_weights": list(bad_weights), "inputs": inputs, "error": message}


class NaNHunter(keras.callbacks.Callback):
    """Stop training at the first batch whose loss or weights are not finite.

    The weights matter: a batch can report a finite loss while its gradient,
    and so the updated weights, are already NaN (case 2's ``acos`` at a cosine
    of exactly 1); the loss shows the NaN one batch later.

    Unlike ``keras.callbacks.TerminateOnNaN``, it also records *where* and
    *what*: the epoch, the batch index, the loss, and (if the training inputs
    were given and ``fit`` runs with ``shuffle=False``) the rows of the batch.

    It works with every Keras 3 backend (TensorFlow, JAX, PyTorch). Some
    backends do not let a NaN reach the loss: on CPU, PyTorch's
    ``binary_cross_entropy`` raises ``RuntimeError`` instead (on CUDA, a
    device-side assert surfaces as a ``RuntimeError`` about a CUDA error,
    possibly a few calls later). Run ``fit``
    inside :meth:`guard` and such an error, raised during a batch, is recorded
    as the same event (with the error in ``found["error"]``) instead of
    ending the program.

    Parameters
    ----------
    x:
        Optional training inputs as passed to ``fit`` (an array or a list of
        arrays). Needed to report the batch's contents.
    batch_size:
        The ``batch_size`` given to ``fit``; needed with ``x``.
    check_weights:
        Also check every weight after every batch (cheap for small models).

    Attributes
    ----------
    found:
        ``None`` while training stayed finite, else a dict with keys
        ``epoch``, ``batch`` (0-based within the epoch), ``step`` (0-based
        over the whole run), ``loss``, ``bad_weights`` (names) and
        ``inputs`` (the batch rows, or ``None``) and ``error`` (``None``, or
        ``"ExceptionType: first line of the message"`` when a batch raised
        inside :meth:`guard`).
    """

    def __init__(self, x: Any = None, batch_size: int | None = None, *,
                 check_weights: bool = True):
        super().__init__()
        self.rows = BatchRows(x, batch_size)
        self.x = x
        self.batch_size = batch_size
        self.check_weights = check_weights
        self.found: dict[str, Any] | None = None
        self._epoch = 0
        self._step = 0
        self._batch = 0
        self._training = False

    def on_train_begin(self, logs=None):
        self.found = None
        self._step = 0
        self._batch = 0
        self._training = True

    def on_train_end(self, logs=None):
        self._training = False

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_begin(self, batch, logs=None):
        self._batch = int(batch)

    def on_train_batch_end(self, batch, logs=None):
        loss = float((logs or {}).get("loss", 0.0))
        bad = nonfinite_weights(self.model.weights) if self.check_weights else []
        if math.isfinite(loss) and not bad:
            self._step += 1
            return
        self.found = event(self._epoch, batch, self._step, loss=loss, bad_weights=bad,
                           inputs=self.rows(int(batch)))
        self.model.stop_training = True

    @contextlib.contextmanager
    def guard(
        self, errors: tuple[type[BaseException], ...] = (RuntimeError, FloatingPointError)
    ) -> Iterator[NaNHunter]:
        """Record an error raised during a training batch as a non-finite event.

        Use as ``with hunter.guard(): model.fit(..., callbacks=[hunter])``.
        An exception of one of the types in ``errors`` raised while ``fit`` is
        training (after this callback's ``on_train_begin``) is swallowed and
        stored in :attr:`found`, with the epoch and batch that were running.
        Any other exception, or one raised before or after training, passes
        through unchanged.

        Parameters
        ----------
        errors:
            Exception types to record. The default covers PyTorch's
            ``RuntimeError`` (for example ``all elements of input should be
            between 0 and 1`` from ``binary_cross_entropy`` given a NaN) and
            the ``FloatingPointError`` of JAX's ``jax_debug_nans`` mode.
        """
        if not isinstance(errors, tuple) or not errors or not all(
            isinstance(e, type) and issubclass(e, BaseException) for e in errors
        ):
            raise ValueError(f"errors must be a non-empty tuple of exception types, got {errors!r}.")
        self._training = False
        try:
            yield self
        except errors as err:
            if not self._training:
                raise
            self._training = False
            self.found = event(self._epoch, self._batch, self._step, error=err,
                               inputs=self.rows(self._batch))

    def summary(self) -> str:
        """One line saying whether and where training went non-finite."""
        if self.found is None:
            return "NaNHunter: loss and weights stayed finite."
        f = self.found
        if f.get("error"):
            return (
                f"NaNHunter: training broke at epoch {f['epoch']}, batch {f['batch']} "
                f"with {f['error']}"
            )
        return (
            f"NaNHunter: training went non-finite at epoch {f['epoch']}, batch {f['batch']} "
            f"(loss {f['loss']:.4g}, {len(f['bad_weights'])} weight tensors with NaN/inf)."
        )
