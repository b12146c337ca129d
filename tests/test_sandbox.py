"""The bubblewrap sandbox for students' kernels: what the kernel can and cannot do."""

import datetime
import os
import pathlib
import socket
import stat
import subprocess
import sys
import tempfile
import time

import pytest
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError
from nbformat.v4 import new_code_cell, new_notebook

from conftest import need
from loss_casebook.classroom import sandbox

MEMORY_MB = 2048  # TensorFlow's import and a tiny fit need about 0.6 GB of data
REAL_HOME = pathlib.Path(os.path.expanduser("~"))

TF_FIT = """\
import numpy as np, tensorflow as tf, keras
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                          keras.layers.Dense(1)])
model.compile("adam", "mse")
hist = model.fit(np.random.rand(64, 4), np.random.rand(64, 1), epochs=2, verbose=0)
print("FIT", len(hist.history["loss"]))
open("in-scratch.txt", "w").write("ok")  # the working directory is writable
"""
WRITE = """\
import errno, pathlib
folder = pathlib.Path({folder!r})
print("SEEN", folder.is_dir(), [p.read_text() for p in folder.glob("*.ipynb")])
try:
    (folder / "sandbox-probe.txt").write_text("escaped")
    print("WROTE")
except OSError as exc:
    print("BLOCKED", errno.errorcode.get(exc.errno, exc.errno))
"""
CONNECT = """\
import errno, socket
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=5).sendall(b"escaped")
    print("CONNECTED")
except OSError as exc:
    print("BLOCKED", type(exc).__name__)
"""
HOG = """\
x = []
try:
    while True:
        x.append(bytearray(10**8))
finally:
    n = len(x)
    del x
    print("HOG", n)
"""


def _need_bwrap():
    need(sandbox.shutil.which("bwrap") is not None,
         "bubblewrap is not installed (apt-get install bubblewrap)")
    try:
        sandbox.check_sandbox()
    except sandbox.SandboxError as exc:
        need(False, str(exc))


def _stdout(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("name") == "stdout")


def _seconds(cell) -> float:
    t = {k: datetime.datetime.fromisoformat(v.rstrip("Z"))
         for k, v in cell.metadata.execution.items()}
    return (t["shell.execute_reply"] - t["iopub.execute_input"]).total_seconds()


def _client(nb, scratch, timeout, **limits) -> NotebookClient:
    km = sandbox.sandboxed_kernel_manager(scratch, **limits)
    return NotebookClient(nb, km=km, timeout=timeout, allow_errors=True, record_timing=True,
                          resources={"metadata": {"path": str(scratch)}})


@pytest.fixture(scope="module")
def run():
    """One sandboxed kernel runs all the probes; yields the cells, paths and the server."""
    _need_bwrap()
    # /var/tmp, not /tmp: the sandbox's own /tmp would hide a folder there
    with tempfile.TemporaryDirectory(dir="/var/tmp", prefix="outside-") as outside, \
            tempfile.TemporaryDirectory(prefix="sbx-") as scratch:
        outside = pathlib.Path(outside)
        (outside / "submission.ipynb").write_text("{}")
        server = socket.create_server(("127.0.0.1", 0))
        server.setblocking(False)
        nb = new_notebook(cells=[
            new_code_cell(TF_FIT),
            new_code_cell(WRITE.format(folder=str(outside))),
            new_code_cell(WRITE.format(folder=str(REAL_HOME))),
            new_code_cell(CONNECT.format(port=server.getsockname()[1])),
            new_code_cell(HOG),
        ])
        t0 = time.monotonic()
        _client(nb, pathlib.Path(scratch), 120, memory_mb=MEMORY_MB, cpu_seconds=300).execute()
        yield {"cells": nb.cells, "outside": outside, "scratch": pathlib.Path(scratch),
               "server": server, "seconds": time.monotonic() - t0}
        server.close()


def test_tensorflow_fits_and_scratch_is_writable(run):
    cell = run["cells"][0]
    assert "FIT 2" in _stdout(cell), cell.outputs
    assert (run["scratch"] / "in-scratch.txt").read_text() == "ok"


def test_outside_folder_is_visible_but_read_only(run):
    out = _stdout(run["cells"][1])
    assert "SEEN True ['{}']" in out and "BLOCKED EROFS" in out, out
    assert not (run["outside"] / "sandbox-probe.txt").exists()


def test_real_home_is_read_only(run):
    out = _stdout(run["cells"][2])
    assert "BLOCKED EROFS" in out, out
    assert not (REAL_HOME / "sandbox-probe.txt").exists()


def test_no_network_to_the_host(run):
    out = _stdout(run["cells"][3])
    assert "BLOCKED" in out, out
    with pytest.raises(BlockingIOError):  # the host's server never saw a connection
        run["server"].accept()


def test_endless_allocation_stops_at_the_memory_limit(run):
    cell = run["cells"][4]
    errors = [o.get("ename") for o in cell.outputs if o.get("output_type") == "error"]
    assert errors == ["MemoryError"], cell.outputs
    n = int(_stdout(cell).split("HOG")[1])
    assert 0 < n * 100 <= MEMORY_MB, f"{n * 0.1:.1f} GB allocated under a {MEMORY_MB} MB limit"
    assert _seconds(cell) < 30


def test_busy_loop_is_killed_by_the_cpu_limit(tmp_path):
    _need_bwrap()
    nb = new_notebook(cells=[new_code_cell("while True:\n    pass")])
    t0 = time.monotonic()
    with pytest.raises(DeadKernelError):  # RLIMIT_CPU kills it long before the 60 s timeout
        _client(nb, tmp_path, 60, memory_mb=MEMORY_MB, cpu_seconds=4).execute()
    assert time.monotonic() - t0 < 30


def test_interrupt_keeps_the_kernel_alive(tmp_path):
    _need_bwrap()  # a SIGINT would hit bwrap, not the kernel, and kill both
    nb = new_notebook(cells=[new_code_cell("import time\ntime.sleep(60)"),
                             new_code_cell("print('alive')")])
    client = _client(nb, tmp_path, 3, memory_mb=MEMORY_MB, cpu_seconds=60)
    client.interrupt_on_timeout = True
    client.execute()
    assert [o.get("ename") for o in nb.cells[0].outputs] == ["KeyboardInterrupt"]
    assert _stdout(nb.cells[1]) == "alive\n"


def test_hidden_folders_look_empty_and_read_only(tmp_path):
    _need_bwrap()
    with tempfile.TemporaryDirectory(dir="/var/tmp", prefix="hidden-") as hidden:
        (pathlib.Path(hidden) / "other-student.ipynb").write_text("{}")
        script = f"ls -A {hidden} | wc -l; touch {hidden}/x || echo BLOCKED; echo > ok"
        argv = sandbox.bwrap_argv(tmp_path, hide=[pathlib.Path(hidden)])
        done = subprocess.run(argv + ["--", "sh", "-c", script], capture_output=True, text=True)
        assert done.stdout.split() == ["0", "BLOCKED"], done
        assert (tmp_path / "ok").exists() and not (pathlib.Path(hidden) / "x").exists()


def test_argv_isolates_everything():
    argv = sandbox.bwrap_argv(pathlib.Path("/tmp/s"))
    for flag in ("--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
                 "--die-with-parent", "--new-session"):
        assert flag in argv
    assert argv[argv.index("--ro-bind") + 1: argv.index("--ro-bind") + 3] == ["/", "/"]
    binds = [argv[i + 1] for i, a in enumerate(argv) if a == "--bind"]
    assert binds == ["/tmp/s"]  # the scratch folder is the only writable bind
    assert argv.index("--tmpfs") < argv.index("--bind")  # /tmp first, then scratch on top


def test_check_sandbox_names_apt_get_when_bwrap_is_missing(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty PATH: no bwrap
    with pytest.raises(sandbox.SandboxError) as err:
        sandbox.check_sandbox()
    msg = str(err.value)
    assert "apt-get install bubblewrap" in msg and "--no-sandbox" in msg, msg


def test_check_sandbox_explains_a_failing_bwrap(monkeypatch, tmp_path):
    fake = tmp_path / "bwrap"
    fake.write_text("#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\n"
                    "exit 1\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(sandbox.SandboxError) as err:
        sandbox.check_sandbox()
    msg = str(err.value)
    assert "user namespaces" in msg and "--no-sandbox" in msg, msg


def test_check_sandbox_needs_linux(monkeypatch):
    monkeypatch.setattr(sys, "platform", "darwin")
    with pytest.raises(sandbox.SandboxError, match="--no-sandbox"):
        sandbox.check_sandbox()


def test_a_python_below_tmp_stays_visible_in_the_sandbox(monkeypatch, tmp_path):
    """A CI clone or venv below /tmp must not vanish under the sandbox's fresh /tmp."""
    venv = tmp_path / "venv"
    (venv / "lib").mkdir(parents=True)
    monkeypatch.setattr(sandbox.sys, "prefix", str(venv))
    monkeypatch.setattr(sandbox.sys, "path", [*sandbox.sys.path, str(venv / "lib")])
    kept = sandbox.needed_folders()
    assert str(venv.resolve()) in kept and str((venv / "lib").resolve()) not in kept
    argv = sandbox.bwrap_argv(tmp_path / "scratch")
    after_tmp = argv[argv.index("/tmp"):]
    binds = [after_tmp[i + 1] for i, a in enumerate(after_tmp) if a == "--ro-bind"]
    assert str(venv.resolve()) in binds
