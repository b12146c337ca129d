"""Warm backend workers: same results as a fresh interpreter, and a fresh
interpreter whenever the pool can't serve a request as one would."""

import contextlib
import os
import pathlib
import re
import shutil
import subprocess
import sys
import threading
import time

import nbformat
import pytest
from conftest import need
from nbclient import NotebookClient

from loss_casebook import backends
from loss_casebook.backends import pool

BACKEND = "jax"  # the quickest to import; every backend is compared below


def _need(backend):
    need(backends.is_installed(backend),
         f"{backend} is not installed; add it with: {backends.INSTALL[backend]}")


@pytest.fixture(scope="module")
def warm():
    """A pool of this module's own, so that no other test's request (the
    session's pool serves nbval's chapters) can be mistaken for one of these."""
    outer = os.environ.pop(pool.ENV, None)
    try:
        with pool.running() as up:
            yield up
    finally:
        if outer is not None:
            os.environ[pool.ENV] = outer


@pytest.mark.parametrize("backend", backends.BACKENDS)
def test_a_warm_worker_gives_what_a_fresh_interpreter_gives(backend, warm, monkeypatch):
    _need(backend)
    assert warm[backend], f"the {backend} server did not start"
    before = pool.served().get(backend, 0)
    hot = backends.run("package", backend)
    again = backends.run("package", backend)
    assert pool.served()[backend] == before + 2
    assert f"{before + 2} on {backend}" in pool.report()
    monkeypatch.delenv(pool.ENV)
    cold = backends.run("package", backend)
    assert (hot.warm, again.warm, cold.warm) == (True, True, False)
    # Each request runs in a process of its own: no state carries over.
    assert hot.data == again.data == cold.data
    # Why a server imports TensorFlow under every backend: a fresh one does too.
    assert cold.data["package"]["tensorflow imported"]


def test_other_settings_get_a_fresh_interpreter(warm, monkeypatch):
    _need(BACKEND)
    other = "1" if os.environ.get("TF_ENABLE_ONEDNN_OPTS", "0") == "0" else "0"
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", other)
    assert pool.ask(BACKEND, {"experiments": ["package"], "params": {}},
                    backends.runner._child_env(BACKEND), 60) is None
    result = backends.run("package", BACKEND)
    assert result.ok and not result.warm


def test_a_seed_offset_is_a_setting_of_its_own():
    """A warm worker must not serve a run whose training seeds are shifted."""
    from loss_casebook.repro import SEED_OFFSET_ENV

    plain = pool.fingerprint({"TF_ENABLE_ONEDNN_OPTS": "0"})
    shifted = pool.fingerprint({"TF_ENABLE_ONEDNN_OPTS": "0", SEED_OFFSET_ENV: "1"})
    assert plain != shifted and shifted[SEED_OFFSET_ENV] == "1"
    assert "HOME" not in pool.fingerprint({"HOME": "/x"})


def test_no_server_means_a_fresh_interpreter(tmp_path, monkeypatch):
    _need(BACKEND)
    monkeypatch.setenv(pool.ENV, str(tmp_path))
    result = backends.run("package", BACKEND)
    assert result.ok and not result.warm


def test_an_error_in_a_warm_worker_is_one_sentence(warm):
    _need(BACKEND)
    with pytest.raises(backends.BackendError,
                       match=r"^package on jax raised TypeError: .*unexpected keyword"):
        backends.run("package", BACKEND, params={"package": {"bogus": 1}})


def test_a_timeout_kills_the_worker_and_is_one_sentence(warm):
    _need(BACKEND)
    folder = pathlib.Path(os.environ[pool.ENV])
    with pytest.raises(backends.BackendError,
                       match=r"^case1 on jax did not finish within 0\.5 s\.$"):
        backends.run("case1", BACKEND, timeout=0.5)
    assert not list(folder.glob(f"{BACKEND}.sock.*.err"))
    assert backends.run("package", BACKEND).warm  # the server still serves


def test_a_worker_that_dies_is_one_sentence(warm):
    _need(BACKEND)
    folder = pathlib.Path(os.environ[pool.ENV])
    errors = []

    def kill_the_worker():
        for _ in range(200):
            found = list(folder.glob(f"{BACKEND}.sock.*.err"))
            if found:
                os.kill(int(re.search(r"\.(\d+)\.err$", found[0].name)[1]), 9)
                return
            time.sleep(0.05)
        errors.append("no worker appeared")

    killer = threading.Thread(target=kill_the_worker)
    killer.start()
    with pytest.raises(backends.BackendError, match=r"^case1 on jax died in its warm worker"):
        backends.run("case1", BACKEND)
    killer.join()
    assert not errors


def test_a_kernel_started_inside_the_pool_uses_it(warm, tmp_path):
    """What makes re-execution fast: the chapters' kernels inherit the pool."""
    _need(BACKEND)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "from loss_casebook import backends\n"
        "print(backends.run('package', 'jax').warm)")])
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert nb.cells[0].outputs[0]["text"].strip() == "True"


def test_running_checks_its_arguments():
    with pytest.raises(ValueError, match="backend must be one of"):
        with pool.running(["tf"]):
            pass
    with pytest.raises(ValueError, match="timeout"):
        with pool.running(timeout=0):
            pass


def test_a_server_that_cannot_start_is_reported_and_cleaned_up(monkeypatch):
    _need(BACKEND)
    monkeypatch.delenv(pool.ENV, raising=False)
    monkeypatch.setattr(pool.sys, "executable", "/bin/false")
    with pool.running([BACKEND], timeout=30) as up:
        folder = pathlib.Path(os.environ[pool.ENV])
        assert up == {BACKEND: False}
        assert not pool.socket_path(folder, BACKEND).exists()
    assert pool.ENV not in os.environ and not folder.exists()


def test_the_report_names_requests_and_servers_that_stopped(tmp_path):
    (tmp_path / "jax.sock.served").write_text("11\n12\n")
    (tmp_path / "torch.sock.pid").write_text("999999999")  # no such process
    assert pool.report(tmp_path) == ("warm backend workers served 2 on jax; "
                                     "stopped before the end: torch.")
    assert pool.report(tmp_path / "empty") == "warm backend workers served no request."


def test_a_pool_inside_a_pool_is_the_outer_one(warm):
    outer = os.environ[pool.ENV]
    with pool.running([BACKEND]) as up:
        assert os.environ[pool.ENV] == outer and up == {BACKEND: warm[BACKEND]}
    assert os.environ[pool.ENV] == outer and pool.socket_path(outer, BACKEND).exists()


def test_servers_stop_when_their_starter_dies_without_stopping_them(tmp_path):
    """A killed test run or re-execution leaves no server idling."""
    _need(BACKEND)
    code = ("import os, sys\n"
            "from loss_casebook.backends import pool\n"
            f"with pool.running([{BACKEND!r}]) as up:\n"
            "    print(os.environ[pool.ENV], up, flush=True)\n"
            "    os._exit(0)\n")
    env = {k: v for k, v in os.environ.items() if k != pool.ENV}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, timeout=300)
    folder, up = run.stdout.split(" ", 1)
    pid = int((pathlib.Path(folder) / f"{BACKEND}.sock.pid").read_text())
    try:
        assert "True" in up
        for _ in range(50):
            if not pool._alive(pid):
                break
            time.sleep(0.1)
        assert not pool._alive(pid), "the server outlived its starter"
    finally:
        with contextlib.suppress(OSError):
            os.kill(pid, 9)
        shutil.rmtree(folder, ignore_errors=True)
