"""Shared test settings: where the browser is, and when its absence is an error."""

import functools
import http.server
import os
import pathlib
import shutil
import subprocess
import sys
import threading

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
#: Chromium's flags for a closed network: no background traffic, no sandbox as root.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


def in_ci() -> bool:
    """True in CI (``CI`` set to anything but empty, ``0`` or ``false``)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false")


def default_kernels(env: dict[str, str]) -> dict[str, str]:
    """``env`` on the kernels the committed outputs come from.

    CI runs pytest on other kernels (oneDNN on, 7 threads), where nbval executes
    every chapter once; a test that executes a chapter again does it here, on
    the default kernels, so no chapter runs twice on one configuration.
    """
    env = {k: v for k, v in env.items() if k not in ("TF_NUM_INTRAOP_THREADS",
                                                     "TF_NUM_INTEROP_THREADS")}
    env["TF_ENABLE_ONEDNN_OPTS"] = "0"
    return env


def need(condition: bool, reason: str) -> None:
    """Skip the test with ``reason`` unless ``condition``; in CI, fail instead.

    CI installs everything the tests need, so a missing browser or backend
    there means a broken install, not a test to leave out.
    """
    if condition:
        return
    if in_ci():
        pytest.fail(f"missing in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    """A headless Debian Chromium driven by Playwright (no browser download)."""
    need(CHROMIUM is not None, "no Chromium installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="session")
def site(browser):  # no browser, no build: skip or (in CI) fail first
    """The strict build of the book, served on 127.0.0.1; yields the base URL."""
    jb = pathlib.Path(sys.executable).parent / "jupyter-book"
    # the strict build: a warning fails the browser test too
    build = subprocess.run([str(jb), "build", str(ROOT), "-W", "-n", "--keep-going"],
                           capture_output=True, text=True)
    assert build.returncode == 0, (build.stdout + build.stderr)[-3000:]
    handler = functools.partial(_QuietHandler, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()

