"""pytest hooks for the whole repository: warm backend workers, and how long
nbval spent in each chapter."""

import contextlib
import os

import pytest

from loss_casebook.backends import pool

_POOL = contextlib.ExitStack()

#: Chapter cells tagged ``needs-torch`` (or another backend) skip, with the reason,
#: where that backend is not installed, and fail in CI.
pytest_plugins = ["loss_casebook.maintain.needs"]


def pytest_configure(config):
    """With nbval on (the README's ``pytest``), chapters' backend comparisons
    fork from warm workers (``loss_casebook.backends.pool``) instead of paying
    Keras's and TensorFlow's imports in a fresh interpreter each time. The
    servers start in the background; until one is ready, its backend's
    requests start a fresh interpreter as without a pool."""
    if getattr(config.option, "nbval", False) and not hasattr(config, "workerinput"):
        _POOL.enter_context(pool.running(wait=False))


#: Test files whose tests use the ``site`` fixture (it builds into ``_build``):
#: under pytest-xdist they run on one worker, so that no two builds overlap.
SITE_FILES = ("tests/test_site.py", "tests/test_run_yourself.py", "tests/test_site_layout.py")


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist's
def pytest_xdist_make_scheduler(config, log):
    """With pytest-xdist (``-n``), one worker runs a whole file, in order (a
    notebook's cells, in one kernel), and one worker runs all of ``SITE_FILES``."""
    from xdist.scheduler import LoadScopeScheduling

    class ByFile(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return "the site" if path in SITE_FILES else path

    return ByFile(config, log)


def pytest_collection_modifyitems(config, items):
    """A test that builds the site outside ``SITE_FILES`` would race with theirs."""
    stray = sorted({item.nodeid.split("::", 1)[0] for item in items
                    if "site" in getattr(item, "fixturenames", ())} - set(SITE_FILES))
    if stray:
        raise pytest.UsageError(f"{', '.join(stray)} use the site fixture: add them to "
                                "SITE_FILES in conftest.py, so one worker runs them all.")


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
        terminalreporter.write_line(pool.report())
    if not _NOTEBOOK_SECONDS:
        return
    kernels = ", ".join(f"{k}={os.environ.get(k, 'unset')}" for k in (
        "TF_ENABLE_ONEDNN_OPTS", "TF_NUM_INTRAOP_THREADS", "LOSS_CASEBOOK_SEED_OFFSET"))
    terminalreporter.section(f"chapters executed by nbval ({kernels})")
    for path, seconds in sorted(_NOTEBOOK_SECONDS.items()):
        terminalreporter.write_line(f"{seconds:7.1f} s  {path}")
    terminalreporter.write_line(f"{sum(_NOTEBOOK_SECONDS.values()):7.1f} s  in all, "
                                f"{len(_NOTEBOOK_SECONDS)} chapters")
