"""Warm workers for :func:`loss_casebook.backends.run`: import once, fork per request.

Each backend comparison starts a fresh interpreter per backend. It imports
Keras and the backend's framework, and by the end of an experiment TensorFlow
too, under every backend (the package's own experiment reports it, and
``tests/test_pool.py`` checks that a fresh interpreter reports what a warm
worker does); re-executing every chapter, or testing them, pays those imports
for every comparison. A pool runs one server per backend that imports them
once and then forks a child per request (:class:`socketserver.ForkingMixIn`):
each request still runs in a process of its own in which no experiment ran
before, without paying the imports.

``with pool.running():`` starts the servers and sets ``LOSS_CASEBOOK_BACKEND_POOL``
in ``os.environ``, so that kernels started inside the block (nbclient, nbval)
inherit it and their :func:`~loss_casebook.backends.run` calls use the pool.
Without the variable, with no server for a backend, or when the caller's
settings differ from the server's (the environment variables that choose
kernels, threads and Keras's backend, the Python installation and this
package's folder), :func:`~loss_casebook.backends.run` starts a fresh
interpreter as before.
"""

from __future__ import annotations

import contextlib
import json
import os
import pathlib
import select
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from loss_casebook.repro import SEED_OFFSET_ENV

#: Set in ``os.environ`` by :func:`running`: the folder with one socket per backend.
ENV = "LOSS_CASEBOOK_BACKEND_POOL"

#: Environment variables a server and its caller must agree on: they choose
#: kernels, thread counts, seeds and what Keras loads, and libraries read some
#: of them only once, at import.
_DECISIVE = ("TF_", "KERAS_", "XLA_", "JAX_", "OMP_", "MKL_", "OPENBLAS_", "TORCH_",
             "PYTORCH_", "CUDA_", "PYTHONHASHSEED", "PYTHONPATH", SEED_OFFSET_ENV)

_PACKAGE = str(pathlib.Path(__file__).resolve().parents[1])


def fingerprint(env: Mapping[str, str]) -> dict[str, str]:
    """What a request's process must share with the server's to be served by it."""
    decisive = {k: v for k, v in env.items() if k.startswith(_DECISIVE)}
    decisive["(python)"] = sys.prefix
    decisive["(package)"] = _PACKAGE
    return decisive


def socket_path(folder: str | os.PathLike, backend: str) -> pathlib.Path:
    """Where the server of ``backend`` listens inside a pool's folder."""
    return pathlib.Path(folder) / f"{backend}.sock"


# ----------------------------------------------------------------- server side
#: Forking servers need ``os.fork`` and Unix sockets (not on Windows).
SUPPORTED = hasattr(os, "fork") and hasattr(socket, "AF_UNIX")


class _Server(getattr(socketserver, "ForkingMixIn", object),  # type: ignore[misc]
              getattr(socketserver, "UnixStreamServer", object)):
    block_on_close = False
    #: The server's settings as it started (imports may add variables).
    fingerprint: dict[str, str] = {}
    #: The process that started the server; if it goes, so does the server.
    parent: int = 0

    def service_actions(self) -> None:
        """Between requests: reap finished children; stop if the starter died
        without stopping the server (killed, say), instead of idling forever."""
        super().service_actions()
        if os.getppid() != self.parent:
            os._exit(0)


class _Handler(socketserver.StreamRequestHandler):
    """Runs in the forked child: one request, one reply."""

    def _send(self, message: dict[str, Any]) -> None:
        self.wfile.write((json.dumps(message) + "\n").encode())
        self.wfile.flush()

    def handle(self) -> None:
        from loss_casebook.backends.__main__ import answer

        message = json.loads(self.rfile.readline())
        ours = self.server.fingerprint
        theirs = message["fingerprint"]
        differ = sorted(k for k in set(ours) | set(theirs) if ours.get(k) != theirs.get(k))
        if differ:
            self._send({"mismatch": differ})
            return
        self._send({"pid": os.getpid()})
        with open(self.server.server_address + ".served", "a") as log:  # see served()
            log.write(f"{os.getpid()}\n")
        # Library chatter must not reach the server's pipes; the caller reads
        # the last line of this file if the child dies without a reply.
        err = os.open(self.server.server_address + f".{os.getpid()}.err",
                      os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(err, 2)
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
        self._send(answer(message["request"]))


def serve(backend: str, path: str) -> None:
    """Import the backend's libraries, then answer requests on ``path`` forever."""
    settings, parent = fingerprint(os.environ), os.getppid()
    starting = pathlib.Path(path + ".starting")
    starting.write_text(str(os.getpid()))
    import keras  # noqa: F401  (KERAS_BACKEND chose the backend)
    import tensorflow  # noqa: F401  (Keras's data pipeline needs it under every backend)

    if backend == "jax":
        import jax  # noqa: F401
    elif backend == "torch":
        import torch  # noqa: F401
    import loss_casebook.backends.__main__  # noqa: F401
    import loss_casebook.backends.experiments  # noqa: F401

    server = _Server(path, _Handler)
    server.fingerprint, server.parent = settings, parent
    pathlib.Path(path + ".pid").write_text(str(os.getpid()))
    starting.unlink()
    print("ready", flush=True)
    server.serve_forever()


# ----------------------------------------------------------------- caller side
def ask(backend: str, request: dict[str, Any], env: Mapping[str, str],
        timeout: float) -> dict[str, Any] | None:
    """The reply of the pool's server for ``backend``, or None if it can't serve.

    None (start a fresh interpreter instead) when no pool is set, the server
    is not there, or it runs under other settings. While the server is still
    importing, it waits for it (at most two minutes). Raises
    :class:`~loss_casebook.backends.runner.BackendError` if the request timed
    out (its child is killed) or its child died without a reply.
    """
    from loss_casebook.backends.runner import BackendError

    folder = os.environ.get(ENV)
    if not folder or not SUPPORTED:
        return None
    path = socket_path(folder, backend)
    names = ", ".join(request["experiments"])
    deadline = time.monotonic() + timeout
    _await_start(path, min(deadline, time.monotonic() + 120.0))
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        try:
            conn.connect(str(path))
        except OSError:
            return None
        conn.settimeout(timeout)
        stream = conn.makefile("rb")
        conn.sendall((json.dumps({"request": request, "fingerprint": fingerprint(env)})
                      + "\n").encode())
        try:
            first = json.loads(stream.readline() or "{}")
        except (OSError, ValueError):
            return None
        if "pid" not in first:
            return None
        pid, err_file = first["pid"], pathlib.Path(f"{path}.{first['pid']}.err")
        try:
            conn.settimeout(max(deadline - time.monotonic(), 0.001))
            line = stream.readline()
        except TimeoutError:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
            err_file.unlink(missing_ok=True)
            raise BackendError(f"{names} on {backend} did not finish within {timeout:g} s.") \
                from None
        tail = _last_line(err_file)
        err_file.unlink(missing_ok=True)
    if not line:
        raise BackendError(f"{names} on {backend} died in its warm worker: {tail}")
    return json.loads(line)


def served(folder: str | os.PathLike | None = None) -> dict[str, int]:
    """How many requests each backend's server has taken (the running pool's by default)."""
    folder = folder or os.environ.get(ENV)
    if not folder:
        return {}
    counts = {}
    for log in sorted(pathlib.Path(folder).glob("*.sock.served")):
        counts[log.name.split(".")[0]] = len(log.read_text().splitlines())
    return counts


def stopped(folder: str | os.PathLike | None = None) -> list[str]:
    """Backends whose server started but is no longer running (killed, for example)."""
    folder = folder or os.environ.get(ENV)
    if not folder:
        return []
    gone = []
    for pid_file in sorted(pathlib.Path(folder).glob("*.sock.pid")):
        if not _alive(int(pid_file.read_text())):
            gone.append(pid_file.name.split(".")[0])
    return gone


def report(folder: str | os.PathLike | None = None) -> str:
    """One sentence for a log: the requests each server took, and any that stopped early."""
    counts, gone = served(folder), stopped(folder)
    return ("warm backend workers served "
            + (", ".join(f"{n} on {b}" for b, n in counts.items()) or "no request")
            + (f"; stopped before the end: {', '.join(gone)}" if gone else "") + ".")


def _alive(pid: int) -> bool:
    """True if the process runs (a zombie, dead but not yet waited for, does not)."""
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    with contextlib.suppress(OSError):  # Linux: a zombie died
        if pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0] == "Z":
            return False
    return True


def _await_start(path: pathlib.Path, deadline: float) -> None:
    """Wait while the backend's server is alive and still importing."""
    starting = pathlib.Path(f"{path}.starting")
    while time.monotonic() < deadline:
        try:
            pid = int(starting.read_text())
        except (OSError, ValueError):  # no marker: started, or never will
            return
        if not _alive(pid):  # died while importing
            return
        time.sleep(0.2)


def _last_line(path: pathlib.Path) -> str:
    try:
        lines = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return "no output"
    return lines[-1] if lines else "no output"


@contextlib.contextmanager
def running(backends: Iterable[str] | None = None, *, timeout: float = 300.0,
            wait: bool = True) -> Iterator[dict[str, bool]]:
    """Run a warm server per installed backend for the duration of a ``with`` block.

    Sets ``os.environ[ENV]`` inside the block, so processes started there use
    the pool. Yields ``{backend: True/False}``: whether its server is serving
    (False for a backend that is not installed or whose server did not start
    within ``timeout`` seconds; its requests then start a fresh interpreter).
    With ``wait=False`` it yields at once, ``True`` meaning "starting": until a
    server is ready, requests for its backend start a fresh interpreter.
    Inside an outer pool it does nothing and yields that pool's servers.
    """
    from loss_casebook.backends.runner import BACKENDS, _check_backend, _child_env, is_installed

    names = [_check_backend(b) for b in (BACKENDS if backends is None else backends)]
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}.")
    outer = os.environ.get(ENV)
    if not SUPPORTED:
        yield {b: False for b in names}
        return
    if outer:
        for b in names:
            _await_start(socket_path(outer, b), time.monotonic() + timeout)
        yield {b: socket_path(outer, b).exists() for b in names}
        return
    folder = tempfile.mkdtemp(prefix="lcb-pool-")
    servers: dict[str, subprocess.Popen] = {}
    try:
        for b in names:
            if is_installed(b):
                log = open(pathlib.Path(folder) / f"{b}.log", "wb")
                servers[b] = subprocess.Popen(
                    [sys.executable, "-m", "loss_casebook.backends.pool", b,
                     str(socket_path(folder, b))],
                    env=_child_env(b), stdout=subprocess.PIPE, stderr=log,
                    start_new_session=True)
                log.close()
        if wait:
            ready = _wait_ready(servers, time.monotonic() + timeout)
            for b in set(servers) - ready:
                _stop(servers.pop(b))
        else:
            ready = set(servers)
        os.environ[ENV] = folder
        yield {b: b in ready for b in names}
    finally:
        if os.environ.get(ENV) == folder:
            del os.environ[ENV]
        for proc in servers.values():
            _stop(proc)
        shutil.rmtree(folder, ignore_errors=True)


def _wait_ready(servers: dict[str, subprocess.Popen], deadline: float) -> set[str]:
    waiting = {proc.stdout.fileno(): b for b, proc in servers.items()}
    ready: set[str] = set()
    while waiting and time.monotonic() < deadline:
        readable, _, _ = select.select(list(waiting), [], [], deadline - time.monotonic())
        for fd in readable:
            b = waiting.pop(fd)
            if servers[b].stdout.readline().strip() == b"ready":
                ready.add(b)
    return ready


def _stop(proc: subprocess.Popen) -> None:
    """Stop a server and the children it forked (its own process group)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    if proc.stdout:
        proc.stdout.close()


if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[2])
