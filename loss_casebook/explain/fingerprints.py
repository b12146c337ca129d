"""Fingerprints of a training log: what its numbers say, whatever its words.

A log line such as ``loss: -55.0 - acc: 0.11`` names no loss, but its number
is a fact: the loss is negative, and only some losses can be. The rules here
read the numbers of a pasted log (:func:`readings`) and turn them into
:class:`Sign` s, each with the index entries it points to. ``explain`` uses
them on a paste; :class:`loss_casebook.watch.SymptomWatch` uses two of these
rule functions (:func:`negative_entries`, :func:`nonfinite`) on the numbers
``fit`` reports; its ``plateau`` rule checks the sigmoid ceiling instead.

The rules:

* **nonfinite**: the first loss that is ``nan`` or ``inf``, with its epoch and
  batch when the log shows them: the entries whose watch rule is
  ``nonfinite``.
* **negative**: a negative loss: the entries whose watch rule is ``negative``
  for the loss the paste compiles with (a ``loss=`` in the paste) or, when the
  paste names none, all of them, each with its ``tell``: the question that
  separates them.
* **stall**: the last three values of a loss all within
  :data:`STALL_TOLERANCE` of ln(1 + (K - 1)/e), the floor at which case 5's
  softmax taken as logits stops (K classes, 2 <= K <= 100).
* **prior**: the last three values within that tolerance of ln K, the loss of a
  model that predicts the class prior of K balanced classes; the book has no
  chapter on it, so the sign names no entry.
* **validation below training**: the last epoch's ``val_loss`` below its
  ``loss``: often no fault (``loss`` is the epoch's running mean in training
  mode, ``val_loss`` the end weights in inference mode), so the sign names no
  entry and points to case 7's chapter on which numbers compare.

This module never imports TensorFlow or Keras.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from loss_casebook.explain.index import Entry

#: How close (absolute) three logged values must lie to a floor to sit on it;
#: Keras prints four decimals.
STALL_TOLERANCE = 0.002
_NUMBER = r"(nan|-?inf(?:inity)?|[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)"
_METRIC = re.compile(r"\b((?:val_)?[a-z_]*loss)['\"]?\s*[:=]\s*" + _NUMBER, re.I)
_EPOCH = re.compile(r"\bepoch\s*[:=]?\s*(\d+)(?:\s*/\s*\d+)?", re.I)
_BATCH = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\b")
_LOSS_ARG = re.compile(r"\bloss\s*=\s*(?:[\w.]*\.)?['\"]?([A-Za-z_][\w]*)")


@dataclass(frozen=True)
class Reading:
    """One loss value of a log, where it stands and what the log says around it."""

    metric: str
    value: float
    epoch: int | None
    batch: int | None
    line: int          # 1-based line number in the paste
    text: str          # the reader's own line


@dataclass(frozen=True)
class Sign:
    """What a log's numbers show, the reader's line that shows it, and the entries."""

    rule: str
    says: str
    reading: Reading
    entries: tuple[Entry, ...] = ()


_SCAN = re.compile(r"(\n)|" + _EPOCH.pattern + "|" + _METRIC.pattern, re.I)


def readings(text: str) -> list[Reading]:
    """Every loss value (``loss``, ``val_loss``, ``*_loss``) of a pasted log, in order."""
    found, epoch, line, start = [], None, 1, 0
    for m in _SCAN.finditer(text):
        if m.group(1):
            line, start = line + 1, m.end()
            continue
        if m.group(2):
            epoch = int(m.group(2))
            continue
        try:
            value = float(m.group(4))
        except ValueError:
            continue
        end = text.find("\n", start)
        here = text[start:end if end >= 0 else len(text)]
        b = _BATCH.match(here)
        found.append(Reading(m.group(3).lower(), value, epoch,
                             _batch(b), line, here.strip()))
    return found


def _batch(m: re.Match | None) -> int | None:
    """The batch of a progress line ``5/12 ...``; none for the epoch's last line ``12/12``."""
    if m is None or m.group(1) == m.group(2):
        return None
    return int(m.group(1))


def nonfinite(value: float) -> bool:
    """The ``nonfinite`` rule: NaN or infinite."""
    return not math.isfinite(value)


def compiled_losses(text: str) -> set[str]:
    """The loss names a paste compiles with (``loss="x"``, ``loss=keras.losses.X()``)."""
    return {m for m in _LOSS_ARG.findall(text)}


def _norm(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower())


def negative_entries(names: Iterable[str], entries: Sequence[Entry]) -> list[Entry]:
    """The ``negative`` rule: entries whose losses include one of ``names``.

    With no name known (an empty ``names``), every entry with a ``negative``
    rule: the reader has to tell them apart (each entry's ``tell``).
    """
    rules = [e for e in entries if e.watch.get("rule") == "negative"]
    known = {_norm(n) for n in names if n}
    if not known:
        return rules
    return [e for e in rules if known & {_norm(n) for n in e.watch["losses"]}]


def stall_floor(k: int) -> float:
    """ln(1 + (K - 1)/e): where a softmax taken as logits stops (case 5)."""
    return math.log1p((k - 1) / math.e)


def stall_classes(value: float, tolerance: float = STALL_TOLERANCE) -> int | None:
    """The K (2 to 100) whose stall floor ln(1 + (K-1)/e) ``value`` sits on, or ``None``."""
    for k in range(2, 101):
        if abs(value - stall_floor(k)) <= tolerance:
            return k
    return None


def _prior_classes(value: float, tolerance: float) -> int | None:
    for k in range(2, 1001):
        if abs(value - math.log(k)) <= tolerance:
            return k
    return None


def _tail(rs: list[Reading], metric: str) -> list[Reading]:
    return [r for r in rs if r.metric == metric][-3:]


def signs(text: str, entries: Sequence[Entry]) -> list[Sign]:
    """What the numbers of ``text`` show (see the module doc), strongest first."""
    rs = readings(text)
    out: list[Sign] = []
    bad = next((r for r in rs if nonfinite(r.value)), None)
    if bad is not None:
        where = ", ".join(p for p in (f"epoch {bad.epoch}" if bad.epoch is not None else "",
                                      f"batch {bad.batch}" if bad.batch is not None else "") if p)
        out.append(Sign("nonfinite", f"the first non-finite loss ({bad.metric} {bad.value})"
                        + (f" at {where}" if where else ""), bad,
                        tuple(e for e in entries if e.watch.get("rule") == "nonfinite")))
    neg = next((r for r in rs if math.isfinite(r.value) and r.value < 0), None)
    if neg is not None:
        names = compiled_losses(text)
        found = negative_entries(names, entries) or negative_entries((), entries)
        named = f", compiled with {', '.join(sorted(names))}" if names else ", no loss named"
        out.append(Sign("negative", f"a negative loss ({neg.metric} {neg.value:g}{named})",
                        neg, tuple(found)))
    for metric in ("loss", "val_loss"):
        tail = _tail(rs, metric)
        if len(tail) < 3 or not all(math.isfinite(r.value) for r in tail):
            continue
        k = stall_classes(tail[-1].value)
        if k is not None and all(stall_classes(r.value) == k for r in tail):
            out.append(Sign("stall", f"{metric} stuck at {tail[-1].value:g} = "
                            f"ln(1 + {k - 1}/e), the floor of a softmax taken as logits "
                            f"with {k} classes", tail[-1],
                            tuple(e for e in entries if e.id == "probabilities-as-logits")))
            break
        k = _prior_classes(tail[-1].value, STALL_TOLERANCE)
        if k is not None and all(_prior_classes(r.value, STALL_TOLERANCE) == k for r in tail):
            out.append(Sign("prior", f"{metric} stuck at {tail[-1].value:g} = ln {k}, the "
                            f"cross-entropy of predicting the prior of {k} balanced classes; "
                            "the book has no chapter on it yet", tail[-1]))
            break
    train, val = _tail(rs, "loss"), _tail(rs, "val_loss")
    if train and val and math.isfinite(train[-1].value) and math.isfinite(val[-1].value) \
            and val[-1].value < train[-1].value and val[-1].line == train[-1].line:
        out.append(Sign("val-below", "val_loss below loss in the last epoch, which is "
                        "often no fault: see case7/02-cause-and-fix#which-number-to-compare",
                        val[-1]))
    return out


def fit_log(history: Mapping[str, Sequence[float]], steps: int = 10) -> str:
    """A log as Keras 3's ``fit(..., verbose=2)`` prints it, from a history.

    ``history`` maps metric names to one value per epoch, as
    ``model.fit(...).history`` does (``{"loss": [0.69, 0.52]}``). Each epoch
    gets Keras's two lines, ``Epoch 2/2`` (only when there is more than one
    epoch, as ``keras/src/callbacks/progbar_logger.py`` prints it) and ``10/10
    - 0s - 5ms/step - loss: 0.5200``, with values printed as Keras 3.15's
    ``Progbar`` prints them (``keras/src/utils/progbar.py``: four decimals above
    1e-3, else ``.4e``, five significant digits in exponent form). The step
    count (``steps``) and the time fields are placeholders.
    The chapters use it to show that ``explain`` reads a healthy run as
    healthy.
    """
    if not isinstance(history, Mapping) or not history:
        raise ValueError("history must be a non-empty mapping of metric names to "
                         "one value per epoch, like model.fit(...).history.")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a positive whole number, got {steps!r}.")
    columns = {str(k): list(v) for k, v in history.items()}
    epochs = {len(v) for v in columns.values()}
    if len(epochs) != 1 or 0 in epochs:
        raise ValueError("every metric of history needs the same number of epochs, "
                         f"at least one; got {sorted(epochs)}.")
    n = epochs.pop()
    lines = []
    for e in range(n):
        fields = [f"{k}: {v:.4f}" if v > 1e-3 else f"{k}: {v:.4e}"
                  for k, v in ((k, float(col[e])) for k, col in columns.items())]
        lines += [f"Epoch {e + 1}/{n}"] if n > 1 else []
        lines.append(f"{steps}/{steps} - 0s - 5ms/step - " + " - ".join(fields))
    return "\n".join(lines)
