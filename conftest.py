"""pytest hooks for the whole repository: how long nbval spent in each chapter."""

import os


# ------------------------------------------------ chapter execution times (nbval)
_NOTEBOOK_SECONDS: dict[str, float] = {}


def pytest_runtest_logreport(report):
    """Add up the time nbval spends in each chapter's cells."""
    path = report.nodeid.split("::")[0]
    if path.endswith(".ipynb"):
        _NOTEBOOK_SECONDS[path] = _NOTEBOOK_SECONDS.get(path, 0.0) + report.duration


def pytest_terminal_summary(terminalreporter):
    """One line per chapter nbval executed: CI's log shows each chapter once, timed."""
    if not _NOTEBOOK_SECONDS:
        return
    kernels = (f"TF_ENABLE_ONEDNN_OPTS={os.environ.get('TF_ENABLE_ONEDNN_OPTS', 'unset')}, "
               f"TF_NUM_INTRAOP_THREADS={os.environ.get('TF_NUM_INTRAOP_THREADS', 'unset')}")
    terminalreporter.section(f"chapters executed by nbval ({kernels})")
    for path, seconds in sorted(_NOTEBOOK_SECONDS.items()):
        terminalreporter.write_line(f"{seconds:7.1f} s  {path}")
    terminalreporter.write_line(f"{sum(_NOTEBOOK_SECONDS.values()):7.1f} s  in all, "
                                f"{len(_NOTEBOOK_SECONDS)} chapters")
