"""A Keras 3 callback that watches ``fit`` for the symptoms in the book's error index.

:class:`SymptomWatch` reads the same index as the page *Find your error* and
``python -m loss_casebook.explain`` (:mod:`loss_casebook.explain.index`). Each
entry with a ``watch`` rule is checked as training runs:

* ``nonfinite``: the first loss (batch or epoch, training or validation) that
  is NaN or infinite;
* ``negative``: a negative loss from one of the rule's ``losses`` (a cosine
  loss is minus a cosine, negative whenever the predictions lean the targets'
  way; a cross-entropy is never negative when its targets lie in [0, 1]);
* ``plateau``: a loss from the rule's ``losses`` that sits within
  ``tolerance`` of one of the book's floors: the floor ``sigmoid_ceiling`` is
  minus the best mean cosine that non-negative outputs can reach for the
  targets (which :func:`loss_casebook.cosine.sigmoid_ceiling` returns),
  checked only when the targets are given and the last layer's activation is
  non-negative.

The ``nonfinite`` and ``negative`` rules are those ``python -m
loss_casebook.explain`` applies to a pasted log
(:mod:`loss_casebook.explain.fingerprints`). It prints each entry once, with
the chapter section that explains it, and records what it saw in
:attr:`SymptomWatch.found`. It stops training only when asked (``stop=True``).
It works on every Keras 3 backend.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import keras
import numpy as np

from loss_casebook.explain import index as errorindex
from loss_casebook.cosine import sigmoid_ceiling
from loss_casebook.explain.index import Entry
from loss_casebook.explain import fingerprints

#: Activations whose outputs are never negative: the sigmoid ceiling binds.
NON_NEGATIVE = frozenset({"sigmoid", "hard_sigmoid", "relu", "relu6", "softmax",
                          "softplus", "exponential", "elu_plus_one"})


def loss_names(loss: Any) -> set[str]:
    """Every name a compiled ``loss`` goes by: the string, function or class name."""
    if loss is None:
        return set()
    if isinstance(loss, str):
        return {loss}
    if isinstance(loss, dict):
        return set().union(*(loss_names(v) for v in loss.values())) if loss else set()
    if isinstance(loss, (list, tuple)):
        return set().union(*(loss_names(v) for v in loss)) if loss else set()
    names = {getattr(loss, "__name__", None), type(loss).__name__, getattr(loss, "name", None)}
    return {n for n in names if isinstance(n, str) and n not in ("function", "partial")}


class SymptomWatch(keras.callbacks.Callback):
    """Print the book's entry for a symptom the moment ``fit`` shows it.

    Parameters
    ----------
    targets:
        Optional training targets (as given to ``fit``); needed for the
        ``plateau`` rule's ``sigmoid_ceiling``.
    stop:
        Stop training when a symptom is found (default ``False``: only report).
    entries:
        The index entries to watch; default the package's ``errors.toml``.
    print_fn:
        Where the one-line reports go (default :func:`print`).

    Attributes
    ----------
    found:
        One dict per entry seen, in order: ``id``, ``title``, ``rule``,
        ``epoch``, ``batch`` (``None`` at an epoch's end), ``metric``,
        ``value`` and ``see`` (the chapter section's address on the site).

    Raises
    ------
    ValueError
        If an argument has the wrong type or value (one sentence).
    """

    def __init__(self, targets: Any = None, *, stop: bool = False,
                 entries: Sequence[Entry] | None = None,
                 print_fn: Callable[[str], Any] = print):
        super().__init__()
        if not isinstance(stop, bool):
            raise ValueError(f"stop must be True or False, got {stop!r}.")
        if not callable(print_fn):
            raise ValueError(f"print_fn must be callable, got {print_fn!r}.")
        entries = errorindex.load() if entries is None else list(entries)
        if not all(isinstance(e, Entry) for e in entries):
            raise ValueError("entries must be error index entries (errorindex.load()).")
        self.ceiling: float | None = None
        if targets is not None:
            try:
                self.ceiling = sigmoid_ceiling(np.asarray(targets, dtype=np.float64))
            except (TypeError, ValueError) as err:
                raise ValueError(f"targets must be a finite array of non-zero vectors: {err}") from None
        self.stop = stop
        self.print_fn = print_fn
        self.rules = [(e, e.watch) for e in entries if e.watch]
        self.found: list[dict[str, Any]] = []
        self._names: set[str] = set()
        self._epoch = 0
        self._non_negative = False

    def on_train_begin(self, logs=None):
        self._names = loss_names(getattr(self.model, "loss", None))
        last = self.model.layers[-1] if getattr(self.model, "layers", None) else None
        activation = getattr(getattr(last, "activation", None), "__name__", "")
        self._non_negative = activation in NON_NEGATIVE

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = int(epoch)

    def on_train_batch_end(self, batch, logs=None):
        self._check(logs, int(batch))

    def on_epoch_end(self, epoch, logs=None):
        self._epoch = int(epoch)
        self._check(logs, None)

    def _check(self, logs: dict[str, Any] | None, batch: int | None) -> None:
        for metric in ("loss", "val_loss"):
            value = (logs or {}).get(metric)
            if value is None:
                continue
            value = float(value)
            for entry, rule in self.rules:
                if self._fires(entry, rule, value):
                    self._report(entry, rule["rule"], batch, metric, value)

    def _fires(self, entry: Entry, rule: dict[str, Any], value: float) -> bool:
        kind = rule["rule"]
        if kind == "nonfinite":
            return fingerprints.nonfinite(value)
        if fingerprints.nonfinite(value) or not self._names:
            return False
        if kind == "negative":
            return value < 0 and entry in fingerprints.negative_entries(self._names, [entry])
        if not self._names & set(rule["losses"]):
            return False
        if self.ceiling is None or not self._non_negative:
            return False
        return abs(value + self.ceiling) <= rule["tolerance"]

    def _report(self, entry: Entry, rule: str, batch: int | None, metric: str,
                value: float) -> None:
        if any(f["id"] == entry.id for f in self.found):
            return
        cause = entry.causes[0]
        self.found.append({"id": entry.id, "title": entry.title, "rule": rule,
                           "epoch": self._epoch, "batch": batch, "metric": metric,
                           "value": value, "see": cause.html})
        where = f"epoch {self._epoch}" + (f", batch {batch}" if batch is not None else "")
        self.print_fn(f"SymptomWatch: {entry.title} ({metric} {value:.4g} at {where}); "
                      f"see {cause.doc}, \"{cause.section}\": {cause.html}")
        if self.stop:
            self.model.stop_training = True
