"""Experiments that run unchanged under TensorFlow, JAX and PyTorch, one module per case.

Each module's functions use ``keras`` and ``keras.ops`` only (plus
:func:`~loss_casebook.backends.experiments.common.value_and_grad`), so they
run on every Keras 3 backend. The backend is read from ``KERAS_BACKEND`` when
Keras is first imported (``keras.config.set_backend`` can switch it later, but
objects built before the switch stop working), so :mod:`loss_casebook.backends`
runs them in a fresh process per backend. Results are dicts of numbers,
booleans and strings, so that they travel as JSON.

A new case adds a module here and one line to :data:`EXPERIMENTS`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from loss_casebook.backends.experiments.case1 import case1
from loss_casebook.backends.experiments.case2 import case2
from loss_casebook.backends.experiments.case3 import case3
from loss_casebook.backends.experiments.case4 import case4
from loss_casebook.backends.experiments.case5 import case5
from loss_casebook.backends.experiments.case6 import case6
from loss_casebook.backends.experiments.case7 import case7
from loss_casebook.backends.experiments.case10 import case10
from loss_casebook.backends.experiments.case11 import case11
from loss_casebook.backends.experiments.package import package_check

#: The experiments :func:`loss_casebook.backends.run` can run, by name.
EXPERIMENTS: dict[str, Callable[..., dict[str, Any]]] = {
    "case1": case1,
    "case2": case2,
    "case3": case3,
    "case4": case4,
    "case5": case5,
    "case6": case6,
    "case7": case7,
    "case10": case10,
    "case11": case11,
    "package": package_check,
}
