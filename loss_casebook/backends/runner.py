"""Run an experiment under each Keras 3 backend, each in its own process.

Keras reads ``KERAS_BACKEND`` when it is first imported. Keras's
``keras.config.set_backend`` can switch a running process to another backend by
re-importing Keras, but tensors, layers and models made before the switch
belong to the old one (``keras/src/utils/backend_utils.py`` at v3.15.1); a
fresh process per backend is the safe choice. :func:`run` starts a fresh
interpreter with ``KERAS_BACKEND`` set, runs named experiments from
:mod:`loss_casebook.backends.experiments` there, and returns their results as data
(JSON over the child's standard output). A backend whose framework is not
installed is reported as such, with the command that installs it, and is not
an error.

Example
-------
>>> from loss_casebook import backends
>>> backends.installed()                                  # doctest: +SKIP
{'tensorflow': True, 'jax': True, 'torch': False}
>>> results = backends.compare(["case2"])                 # doctest: +SKIP
>>> results["torch"].status                               # doctest: +SKIP
'not installed'
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from loss_casebook.backends import pool

#: The Keras 3 backends this book runs on, in the order tables show them.
BACKENDS: tuple[str, ...] = ("tensorflow", "jax", "torch")

#: The modules each backend needs, checked without importing them.
MODULES: dict[str, tuple[str, ...]] = {
    "tensorflow": ("tensorflow",),
    "jax": ("jax", "jaxlib"),
    "torch": ("torch",),
}

#: The command that installs each backend (run from the book's folder).
INSTALL: dict[str, str] = {
    "tensorflow": "pip install -r requirements.txt",
    "jax": "pip install -r requirements-backends.txt",
    "torch": "pip install -r requirements-backends.txt",
}

#: Marks the child's one line of results on its standard output.
_MARKER = "LOSS_CASEBOOK_RESULT "


class BackendError(RuntimeError):
    """An experiment failed, crashed or timed out in its backend's process."""


@dataclasses.dataclass
class Result:
    """What one backend's process returned.

    Attributes
    ----------
    backend:
        ``"tensorflow"``, ``"jax"`` or ``"torch"``.
    status:
        ``"ok"`` or ``"not installed"``.
    data:
        Experiment name to its results (``{}`` unless ``status == "ok"``).
    seconds:
        Wall time of the child process (0 if it was not started).
    install:
        The command that installs this backend.
    warm:
        True if a warm worker of :mod:`loss_casebook.backends.pool` ran it
        (a process forked from one that had imported the backend already).
    """

    backend: str
    status: str
    data: dict[str, Any]
    seconds: float
    install: str
    warm: bool = False

    @property
    def ok(self) -> bool:
        """True if the backend ran."""
        return self.status == "ok"

    def __getitem__(self, experiment: str) -> dict[str, Any]:
        if not self.ok:
            raise KeyError(f"{self.backend} is {self.status}; install it with: {self.install}")
        return self.data[experiment]


def _check_backend(backend: object) -> str:
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}.")
    return backend  # type: ignore[return-value]


def is_installed(backend: str) -> bool:
    """True if every module ``backend`` needs can be found (nothing is imported)."""
    return all(importlib.util.find_spec(m) is not None for m in MODULES[_check_backend(backend)])


def installed() -> dict[str, bool]:
    """Which backends can be used here, as ``{backend: True/False}``."""
    return {b: is_installed(b) for b in BACKENDS}


def _check_experiments(experiments: str | Sequence[str]) -> list[str]:
    from loss_casebook.backends.experiments import EXPERIMENTS

    names = [experiments] if isinstance(experiments, str) else list(experiments)
    if not names:
        raise ValueError("name at least one experiment.")
    for name in names:
        if name not in EXPERIMENTS:
            raise ValueError(f"unknown experiment {name!r}; known: {sorted(EXPERIMENTS)}.")
    return names


def _child_env(backend: str) -> dict[str, str]:
    env = dict(os.environ)
    env["KERAS_BACKEND"] = backend
    # The same defaults as loss_casebook.repro.seed_everything: quiet C++ logs,
    # oneDNN off unless the caller turned it on (TensorFlow is imported by
    # Keras's data pipeline under every backend).
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    env.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    return env


def run(
    experiments: str | Sequence[str],
    backend: str,
    *,
    timeout: float = 300.0,
    params: dict[str, dict[str, Any]] | None = None,
) -> Result:
    """Run named experiments under one backend, in one fresh process.

    Parameters
    ----------
    experiments:
        A name from :data:`loss_casebook.backends.experiments.EXPERIMENTS`, or several
        (they run one after the other in the same process).
    backend:
        ``"tensorflow"``, ``"jax"`` or ``"torch"``.
    timeout:
        Seconds before the child is stopped and :class:`BackendError` raised.
    params:
        Optional keyword arguments per experiment, e.g. ``{"case2": {"n": 200}}``.

    Returns
    -------
    Result
        With ``status == "not installed"`` (and no process started) if the
        backend's framework is missing.

    Raises
    ------
    ValueError
        For an unknown backend or experiment, or a non-positive timeout.
    BackendError
        If the child raised, crashed or did not finish in time.
    """
    backend = _check_backend(backend)
    names = _check_experiments(experiments)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}.")
    params = dict(params or {})
    unknown = set(params) - set(names)
    if unknown:
        raise ValueError(f"params given for experiments not run: {sorted(unknown)}.")
    if not is_installed(backend):
        return Result(backend, "not installed", {}, 0.0, INSTALL[backend])
    start = time.perf_counter()
    reply = pool.ask(backend, {"experiments": names, "params": params},
                     _child_env(backend), timeout)
    if reply is not None:
        return _result(backend, names, reply, time.perf_counter() - start, warm=True)
    request = json.dumps({"experiments": names, "params": params})
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "loss_casebook.backends", request],
            env=_child_env(backend), capture_output=True, text=True, timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        raise BackendError(
            f"{', '.join(names)} on {backend} did not finish within {timeout:g} s."
        ) from None
    seconds = time.perf_counter() - start
    lines = [line for line in proc.stdout.splitlines() if line.startswith(_MARKER)]
    if not lines:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise BackendError(
            f"{', '.join(names)} on {backend} exited with code {proc.returncode}: {tail}"
        )
    return _result(backend, names, json.loads(lines[-1][len(_MARKER):]), seconds, warm=False)


def _result(backend: str, names: list[str], reply: dict[str, Any], seconds: float,
            warm: bool) -> Result:
    if "error" in reply:
        raise BackendError(f"{', '.join(names)} on {backend} raised {reply['error']}")
    return Result(backend, "ok", reply["data"], seconds, INSTALL[backend], warm)


def compare(
    experiments: str | Sequence[str],
    backends: Iterable[str] = BACKENDS,
    *,
    timeout: float = 300.0,
    params: dict[str, dict[str, Any]] | None = None,
    parallel: bool = True,
) -> dict[str, Result]:
    """:func:`run` the experiments under each backend, one process each.

    The processes run at the same time (``parallel=False``: one after the
    other), so each :attr:`Result.seconds` is measured beside the others.
    Returns the results in the order of ``backends``; if several fail, the
    first backend's :class:`BackendError` is raised.
    """
    names = [_check_backend(b) for b in backends]
    _check_experiments(experiments)
    if not parallel or len(names) < 2:
        return {b: run(experiments, b, timeout=timeout, params=params) for b in names}
    with ThreadPoolExecutor(max_workers=len(names)) as threads:
        futures = {b: threads.submit(run, experiments, b, timeout=timeout, params=params)
                   for b in names}
        return {b: futures[b].result() for b in names}


def require_all(ci: bool | None = None) -> list[str]:
    """Backends missing here; in CI (``CI=true``) a missing backend is an error.

    Returns the list of missing backends. With ``ci`` true (default: the
    ``CI`` environment variable is set to anything but empty, ``0`` or
    ``false``) it raises
    :class:`BackendError` naming them and the install command instead.
    """
    if ci is None:
        ci = os.environ.get("CI", "").strip().lower() not in ("", "0", "false")
    missing = [b for b, ok in installed().items() if not ok]
    if ci and missing:
        commands = sorted({INSTALL[b] for b in missing})
        raise BackendError(
            f"CI must check every backend, but {', '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not installed: {' && '.join(commands)}"
        )
    return missing


def table(rows: dict[str, dict[str, Any]]) -> str:
    """Plain-text table: one row per key of ``rows``, one column per inner key.

    Floats are shown with 3 significant digits, ``None`` as an empty cell;
    columns missing from a row (for example a backend that is not
    installed) are empty too.
    """
    if not rows:
        raise ValueError("rows must not be empty.")
    columns: list[str] = []
    for row in rows.values():
        columns += [c for c in row if c not in columns]

    def cell(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, float):
            return f"{value:.3g}"
        return str(value)

    body = [[str(name)] + [cell(row.get(c)) for c in columns] for name, row in rows.items()]
    head = [""] + columns
    widths = [max(len(r[i]) for r in [head] + body) for i in range(len(head))]
    lines = ["  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in [head] + body]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
