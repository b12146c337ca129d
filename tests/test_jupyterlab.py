"""An exercise chapter in JupyterLab, run the way a reader runs it.

Starts ``jupyter lab`` from the README's environment on 127.0.0.1 in a scratch
folder holding a copy of an exercise chapter, opens it in headless Chromium,
chooses *Run > Run All Cells* in the menu, saves, and checks the page and the
saved notebook: no error output anywhere, every checker's verdict shown.
"""

import json
import os
import pathlib
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from conftest import default_kernels

ROOT = pathlib.Path(__file__).resolve().parents[1]
CHAPTER = ROOT / "book" / "case2" / "05-exercises.ipynb"
VERDICT_STARTS = ("Correct", "Not solved yet")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lab")
    shutil.copy(CHAPTER, folder / CHAPTER.name)
    port, token = _free_port(), secrets.token_hex(16)
    jupyter = pathlib.Path(sys.executable).parent / "jupyter"
    proc = subprocess.Popen(
        [str(jupyter), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--ServerApp.root_dir={folder}", f"--IdentityProvider.token={token}",
         "--LabApp.news_url=", "--ServerApp.open_browser=False",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         "--LabApp.extension_manager=readonly",
         *(["--allow-root"] if os.geteuid() == 0 else [])],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=folder,
        env={**default_kernels(dict(os.environ)),
             "JUPYTER_CONFIG_DIR": str(folder / ".config")})
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        if proc.poll() is not None:
            break
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("jupyter lab did not start: " + proc.stderr.read().decode()[-500:])
    yield base, token, folder
    proc.terminate()
    proc.wait(timeout=30)


def test_exercise_chapter_runs_in_jupyterlab(lab, browser):
    base, token, folder = lab
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{base}/lab/tree/{CHAPTER.name}?token={token}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']",
                           timeout=120_000)
    page.wait_for_timeout(3_000)  # let the kernel connection settle
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    # the run has started, then the kernel is idle and no cell is queued ([*])
    page.wait_for_function(
        """() => [...document.querySelectorAll(".jp-CodeCell .jp-InputArea-prompt")]
                   .some(e => /[*\\d]/.test(e.textContent))""", timeout=60_000)
    page.wait_for_function(
        """() => document.querySelector(".jp-Notebook-ExecutionIndicator")
                   .dataset.status === "idle"
              && ![...document.querySelectorAll(".jp-CodeCell .jp-InputArea-prompt")]
                   .some(e => e.textContent.includes("*"))""",
        timeout=300_000, polling=1_000)
    prompts = page.eval_on_selector_all(
        ".jp-CodeCell .jp-InputArea-prompt", "els => els.map(e => e.textContent.trim())")
    page.keyboard.press("Control+s")
    page.wait_for_timeout(2_000)
    shown = page.eval_on_selector_all(
        ".jp-OutputArea-output", "els => els.map(e => e.innerText.trim())")
    page.screenshot(path=str(folder / "lab.png"))
    page.close()

    unrun = [p for p in prompts if not re.fullmatch(r"\[\d+\]:", p)]
    assert prompts and not unrun, f"cells left unrun by Run All: {prompts}"
    assert not any("Traceback" in t or "Error:" in t.split("\n", 1)[0] for t in shown), shown
    saved = json.loads((folder / CHAPTER.name).read_text())
    errors = [o for c in saved["cells"] if c["cell_type"] == "code"
              for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert errors == [], [f"{e['ename']}: {e['evalue']}" for e in errors]
    checkers = [c for c in saved["cells"] if c["cell_type"] == "code"
                and "".join(c["source"]).lstrip().startswith(("check_", "print(check_"))]
    verdicts = [t for t in shown if t.startswith(VERDICT_STARTS)]
    assert checkers and len(verdicts) >= len(checkers), (len(checkers), verdicts)
