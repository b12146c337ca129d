"""During ``fit``: callbacks and replays that watch training for the book's symptoms.

* :mod:`loss_casebook.watch.symptoms` -- :class:`SymptomWatch`, which prints
  the error index's entry the moment ``fit`` shows its symptom.
* :mod:`loss_casebook.watch.nanhunter` -- :class:`NaNHunter`, which catches the
  first non-finite batch, on any backend.
* :mod:`loss_casebook.watch.nanbirth` -- :func:`trace_nan_birth`, which
  replays case 2's training step batch by batch to find where its NaN is born.

The names are loaded when first used, so importing this package imports
neither Keras nor TensorFlow; the callbacks import Keras, and
:func:`trace_nan_birth` TensorFlow, when they are reached.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {"SymptomWatch": "symptoms", "NaNHunter": "nanhunter",
          "trace_nan_birth": "nanbirth", "check_numerics_culprit": "nanbirth"}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
