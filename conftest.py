"""pytest hooks for the whole repository: warm backend workers, and how long
nbval spent in each chapter."""

import contextlib
import os

from loss_casebook.backends import pool

_POOL = contextlib.ExitStack()


def pytest_configure(config):
    """With nbval on (the README's ``pytest``), chapters' backend comparisons
    fork from warm workers (``loss_casebook.backends.pool``) instead of paying
    Keras's and TensorFlow's imports in a fresh interpreter each time. The
    servers start in the background; until one is ready, its backend's
    requests start a fresh interpreter as without a pool."""
    if getattr(config.option, "nbval", False) and not hasattr(config, "workerinput"):
        _POOL.enter_context(pool.running(wait=False))


def pytest_collection_modifyitems(config, items):
    """With pytest-xdist (``-n``), one worker runs a file's tests in order (a
    notebook's cells), and one worker runs every test that builds the site."""
    if not config.pluginmanager.hasplugin("xdist"):
        return
    import pytest

    for item in items:
        group = "site" if "site" in item.fixturenames else item.nodeid.split("::")[0]
        item.add_marker(pytest.mark.xdist_group(group))


def pytest_unconfigure(config):
    _POOL.close()


# ------------------------------------------------ chapter execution times (nbval)
_NOTEBOOK_SECONDS: dict[str, float] = {}


def pytest_runtest_logreport(report):
    """Add up the time nbval spends in each chapter's cells."""
    path = report.nodeid.split("::")[0]
    if path.endswith(".ipynb"):
        _NOTEBOOK_SECONDS[path] = _NOTEBOOK_SECONDS.get(path, 0.0) + report.duration


def pytest_terminal_summary(terminalreporter):
    """One line per chapter nbval executed: CI's log shows each chapter once, timed."""
    if os.environ.get(pool.ENV):
        counts = pool.served()
        terminalreporter.write_line(
            "warm backend workers served " + (", ".join(f"{n} on {b}" for b, n in counts.items())
                                              or "no request"))
    if not _NOTEBOOK_SECONDS:
        return
    kernels = (f"TF_ENABLE_ONEDNN_OPTS={os.environ.get('TF_ENABLE_ONEDNN_OPTS', 'unset')}, "
               f"TF_NUM_INTRAOP_THREADS={os.environ.get('TF_NUM_INTRAOP_THREADS', 'unset')}")
    terminalreporter.section(f"chapters executed by nbval ({kernels})")
    for path, seconds in sorted(_NOTEBOOK_SECONDS.items()):
        terminalreporter.write_line(f"{seconds:7.1f} s  {path}")
    terminalreporter.write_line(f"{sum(_NOTEBOOK_SECONDS.values()):7.1f} s  in all, "
                                f"{len(_NOTEBOOK_SECONDS)} chapters")
