"""Run the book's experiments under each Keras 3 backend, each in its own process.

The public face of :mod:`loss_casebook.backends.runner` (start a child per
backend, collect its results) and :mod:`loss_casebook.backends.experiments`
(what the child runs, one module per case). Chapters use it as
``from loss_casebook import backends`` and ``backends.compare(["case2"])``.
:mod:`loss_casebook.backends.pool` keeps warm workers that serve those
requests while chapters are re-executed or tested.
"""

from loss_casebook.backends.runner import (
    BACKENDS,
    INSTALL,
    MODULES,
    BackendError,
    Result,
    compare,
    installed,
    is_installed,
    require_all,
    run,
    table,
)

__all__ = ["BACKENDS", "INSTALL", "MODULES", "BackendError", "Result", "compare", "installed",
           "is_installed", "require_all", "run", "table"]
