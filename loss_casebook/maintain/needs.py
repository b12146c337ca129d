"""A pytest plugin for nbval: chapter cells that need a backend.

A chapter cell whose compared output only one Keras backend can produce (a
PyTorch error message, a line for each backend that ran) carries the tag
``needs-<backend>``, for example ``needs-torch``. Where that backend is not
installed (:func:`loss_casebook.backends.is_installed`, the test the chapters
use to print "not installed"), nbval still executes the cell, so that its
own checks run and the cells after it find what it defines, but does not
compare its output, and pytest reports the cell as skipped with the reason
and the install command. In CI (``CI=true``), where every backend must be
checked, the cell fails instead.

The root ``conftest.py`` loads this plugin (``pytest_plugins``).
"""

from __future__ import annotations

import os

import pytest

#: The tag's prefix; the rest names one of :data:`loss_casebook.backends.BACKENDS`.
PREFIX = "needs-"


def in_ci() -> bool:
    """True in CI (``CI`` set to anything but empty, ``0`` or ``false``)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false")


def needed(item: pytest.Item) -> list[str]:
    """The backends an nbval cell's ``needs-<backend>`` tags name ([] for others).

    Raises :class:`pytest.UsageError` for a tag that names no backend.
    """
    from loss_casebook.backends import BACKENDS

    cell = getattr(item, "cell", None)
    if cell is None or not hasattr(item, "options"):  # not an nbval cell
        return []
    tags = cell.get("metadata", {}).get("tags", [])
    names = [t[len(PREFIX):] for t in tags if t.startswith(PREFIX)]
    unknown = sorted(set(names) - set(BACKENDS))
    if unknown:
        raise pytest.UsageError(
            f"{item.nodeid}: tag {PREFIX}{unknown[0]} names no backend; "
            f"the backends are {', '.join(BACKENDS)}.")
    return names


def reason(missing: list[str]) -> str:
    """One sentence: what the cell compares, and how to install it."""
    from loss_casebook.backends import INSTALL

    commands = " && ".join(sorted({INSTALL[b] for b in missing}))
    return (f"this cell compares {' and '.join(missing)} output, and "
            f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} "
            f"not installed ({commands}); the cell ran, its output was not compared")


def _run_then(runtest, outcome, message: str):
    def runtest_without_comparison():
        runtest()
        outcome(message)
    return runtest_without_comparison


def pytest_collection_modifyitems(config, items):
    from loss_casebook.backends import is_installed

    ci = in_ci()
    for item in items:
        missing = [b for b in needed(item) if not is_installed(b)]
        if not missing:
            continue
        message = reason(missing)
        item.options["check"] = False
        if ci:
            item.runtest = _run_then(item.runtest, pytest.fail,
                                     f"missing in CI: {message}")
        else:
            item.runtest = _run_then(item.runtest, pytest.skip, message)
