"""Run a student's notebook kernel in a bubblewrap sandbox (no Docker needed).

The kernel sees the whole system read-only (``--ro-bind / /``) with a fresh
``/dev``, ``/proc`` and a small ``/tmp``; the only writable place is the
caller's scratch folder, which is also ``$HOME``, ``$TMPDIR`` and the working
directory. It has no network (``--unshare-net``): the grader talks to it over
ZMQ's ``ipc`` transport, i.e. Unix sockets in ``scratch/.ipc``, which work
across network namespaces, where TCP on 127.0.0.1 would not. Memory is capped
with ``RLIMIT_DATA`` (unlike ``RLIMIT_AS`` it ignores the address space that
TensorFlow reserves but never touches) and CPU time with ``RLIMIT_CPU``; both
are set by a tiny Python wrapper inside the sandbox that then execs the kernel.

Use it with nbclient::

    km = sandboxed_kernel_manager(scratch, memory_mb=4096, cpu_seconds=600)
    NotebookClient(nb, km=km, resources={"metadata": {"path": str(scratch)}}).execute()
"""

from __future__ import annotations

import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence

from jupyter_client import AsyncKernelManager

BWRAP = "bwrap"
#: Size in bytes of the sandbox's private /tmp and /dev/shm (both live in RAM).
TMPFS_BYTES = 256 * 2**20
#: Seconds between the CPU limit's SIGXCPU and the hard limit's SIGKILL.
CPU_GRACE = 5
#: The longest path of a Unix socket on Linux (sun_path is 108 bytes with its NUL).
_MAX_SOCKET_PATH = 107
#: Runs inside the sandbox: set the limits, then exec the kernel's command.
_LIMITS = (
    "import os, resource as r, sys\n"
    "mem, cpu = int(sys.argv[1]), int(sys.argv[2])\n"
    "r.setrlimit(r.RLIMIT_DATA, (mem, mem))\n"
    "r.setrlimit(r.RLIMIT_CPU, (cpu, cpu + %d))\n"
    "r.setrlimit(r.RLIMIT_CORE, (0, 0))\n"
    "os.execv(sys.argv[3], sys.argv[3:])\n" % CPU_GRACE
)
_NO_SANDBOX = "grade with --no-sandbox (the students' code then runs unconfined)"


class SandboxError(Exception):
    """A one-sentence reason why the sandbox cannot start."""


#: Folders that the sandbox replaces with its own, empty ones.
_FRESH = ("/tmp", "/dev")


def _under(path: str, top: str) -> bool:
    return path == top or path.startswith(top.rstrip("/") + "/")


def needed_folders() -> list[str]:
    """Where this Python, its packages and this package live, if a fresh /tmp would hide them.

    A venv or a checkout below /tmp (a CI clone, say) must stay visible,
    read-only, to the kernel; the outermost such folders are returned.
    """
    here = pathlib.Path(__file__).resolve().parents[2]  # the folder holding loss_casebook
    wanted = {sys.prefix, sys.base_prefix, sys.exec_prefix, str(here),
              os.path.dirname(os.path.realpath(sys.executable)), *sys.path}
    found = sorted(os.path.realpath(p) for p in wanted if p and os.path.isdir(p))
    hidden = [p for p in found if any(_under(p, top) for top in _FRESH)]
    return [p for p in hidden if not any(q != p and _under(p, q) for q in hidden)]


def bwrap_argv(scratch: pathlib.Path, hide: Sequence[pathlib.Path] = ()) -> list[str]:
    """bwrap's options (up to its ``--``) for a kernel confined to ``scratch``.

    Each existing folder in ``hide`` looks empty (and read-only) inside.
    """
    s = str(scratch)
    hidden = [str(pathlib.Path(h).resolve()) for h in hide if pathlib.Path(h).is_dir()]
    keep = needed_folders()
    return [
        BWRAP,
        "--ro-bind", "/", "/",
        "--dev", "/dev",
        "--proc", "/proc",
        "--size", str(TMPFS_BYTES), "--tmpfs", "/tmp",
        "--size", str(TMPFS_BYTES), "--tmpfs", "/dev/shm",
        "--remount-ro", "/dev",
        *(a for k in keep for a in ("--ro-bind", k, k)),
        *(a for h in hidden for a in ("--size", "4096", "--tmpfs", h)),
        "--bind", s, s,  # after the tmpfs mounts, so a scratch folder below /tmp stays visible
        *(a for h in hidden for a in ("--remount-ro", h)),
        "--chdir", s,
        "--setenv", "HOME", s,
        "--setenv", "TMPDIR", str(scratch / ".tmp"),
        "--setenv", "MPLCONFIGDIR", str(scratch / ".config" / "matplotlib"),
        "--unsetenv", "XDG_RUNTIME_DIR",
        # the grader's pid means nothing in the new pid namespace, where the
        # kernel's parent is bwrap's pid 1: 1 turns ipykernel's parent poller off
        # (--die-with-parent does its job)
        "--setenv", "JPY_PARENT_PID", "1",
        "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
        "--die-with-parent", "--new-session", "--cap-drop", "ALL",
    ]


def limits_argv(memory_mb: int, cpu_seconds: int) -> list[str]:
    """The wrapper that sets the memory and CPU limits and then execs what follows it."""
    return [sys.executable, "-c", _LIMITS, str(memory_mb * 2**20), str(cpu_seconds)]


def check_sandbox() -> None:
    """Raise :class:`SandboxError` if a sandboxed kernel cannot start on this machine.

    Runs ``bwrap ... true`` once, with the same isolation as the kernel gets.
    """
    if not sys.platform.startswith("linux"):
        raise SandboxError(f"the sandbox needs Linux (this is {sys.platform}); {_NO_SANDBOX}.")
    if shutil.which(BWRAP) is None:
        raise SandboxError("bubblewrap (bwrap) is not installed; install it with "
                           f"`apt-get install bubblewrap`, or {_NO_SANDBOX}.")
    with tempfile.TemporaryDirectory(prefix="bwrap-probe-") as probe:
        try:
            done = subprocess.run(bwrap_argv(pathlib.Path(probe)) + ["--", "true"],
                                  capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SandboxError(f"bwrap could not be run ({exc}); fix that, or {_NO_SANDBOX}.") \
                from None
    if done.returncode != 0:
        why = next((s.strip() for s in done.stderr.splitlines() if s.strip()), "no message")
        if re.search(r"namespace|permission|not permitted", why, re.IGNORECASE):
            raise SandboxError(f"bwrap cannot create its namespaces ({why}): user namespaces are "
                               "unavailable here; enable them (sysctl kernel.unprivileged_userns_"
                               f"clone=1, or a container that allows them), or {_NO_SANDBOX}.")
        raise SandboxError(f"bwrap failed to start a sandbox ({why}); fix that, or {_NO_SANDBOX}.")


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel runs under bwrap with ipc transport and rlimits.

    ``memory_mb`` caps the kernel's data (heap and anonymous mappings), per
    process; ``cpu_seconds`` caps its CPU time (all threads together), after
    which it is killed, and nbclient reports a dead kernel.
    """

    def __init__(self, scratch: pathlib.Path, *, memory_mb: int, cpu_seconds: int,
                 hide: Sequence[pathlib.Path] = (), **kwargs: object) -> None:
        self.scratch = pathlib.Path(scratch).resolve()
        self.hide = tuple(hide)
        self.memory_mb = int(memory_mb)
        self.cpu_seconds = int(cpu_seconds)
        ipc = self.scratch / ".ipc"
        ipc.mkdir(parents=True, exist_ok=True)
        for sub in (".tmp", ".config/matplotlib"):
            (self.scratch / sub).mkdir(parents=True, exist_ok=True)
        # socket files are "<ip>-<port>", port up to 5 digits
        if len(str(ipc / "kernel")) + 6 > _MAX_SOCKET_PATH:
            raise SandboxError(f"the scratch folder's path {self.scratch} is too long for the "
                               "kernel's Unix sockets; use a shorter one, e.g. below /tmp.")
        kwargs.setdefault("kernel_name", "python3")
        super().__init__(transport="ipc", ip=str(ipc / "kernel"),
                         connection_file=str(ipc / "kernel.json"), **kwargs)
        # bwrap does not forward SIGINT to the kernel: interrupt with a message instead
        assert self.kernel_spec is not None
        self.kernel_spec.interrupt_mode = "message"

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        """The kernelspec's command, run by the limits wrapper inside bwrap."""
        cmd = super().format_kernel_cmd(extra_arguments)
        if cmd and os.path.basename(cmd[0]).startswith("python"):
            cmd[0] = sys.executable
        return (bwrap_argv(self.scratch, self.hide) + ["--"]
                + limits_argv(self.memory_mb, self.cpu_seconds) + cmd)


def sandboxed_kernel_manager(scratch: pathlib.Path, *, memory_mb: int = 4096,
                             cpu_seconds: int = 600,
                             hide: Sequence[pathlib.Path] = ()) -> SandboxedKernelManager:
    """A kernel manager for ``NotebookClient(nb, km=...)`` that runs the kernel sandboxed.

    ``scratch`` (created if missing) is the kernel's only writable folder, its
    ``$HOME`` and working directory; its path must be short (Unix sockets).
    Everything else is read-only; the folders in ``hide`` (e.g. the other
    submissions, the grader's output) also look empty. Do not hide a folder that
    holds the Python interpreter or the venv.
    """
    scratch = pathlib.Path(scratch)
    scratch.mkdir(parents=True, exist_ok=True)
    return SandboxedKernelManager(scratch, memory_mb=memory_mb, cpu_seconds=cpu_seconds,
                                  hide=hide)
