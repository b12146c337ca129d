"""A chapter downloaded from the served site, run the way a reader runs it.

The reader's side: an empty folder, a fresh virtual environment that has the
chapters' dependencies but not the book's helper package, the chapter's
``.ipynb`` and the helper wheel fetched over HTTP from the site's own links.
First the chapter must stop at its first cell with one sentence; after the
documented ``pip install ./loss_casebook-*.whl`` it must run to the end.

So that the test needs no network, the new environment gets the dependencies
as links to the ones already installed (everything but the helpers).
"""

import glob
import json
import pathlib
import subprocess
import sys
import sysconfig
import urllib.parse

import nbformat
import pytest

from conftest import default_kernels
from nbclient import NotebookClient
from nbconvert.preprocessors import ClearOutputPreprocessor
from nbclient.exceptions import CellExecutionError

CHAPTER = "book/case2/02-keras3.html"
SENTENCE = ("This chapter needs the book's helper package loss_casebook: install the "
            "wheel and requirements from the book's page 'Run the chapters yourself' "
            "(run-yourself.html) with pip, then restart the kernel.")


def _download(page, base: str, href: str, dest: pathlib.Path) -> pathlib.Path:
    response = page.request.get(urllib.parse.urljoin(base, href))
    assert response.status == 200, (href, response.status)
    out = dest / pathlib.PurePosixPath(urllib.parse.urlparse(href).path).name
    out.write_bytes(response.body())
    return out


def _reader_venv(where: pathlib.Path) -> pathlib.Path:
    """A venv whose site-packages links every installed package but the helpers."""
    subprocess.run([sys.executable, "-m", "venv", str(where)], check=True)
    target = pathlib.Path(glob.glob(str(where / "lib" / "python3*" / "site-packages"))[0])
    for entry in pathlib.Path(sysconfig.get_paths()["purelib"]).iterdir():
        if "casebook" in entry.name or (target / entry.name).exists():
            continue
        (target / entry.name).symlink_to(entry)
    return where / "bin" / "python"


def _kernel(tmp: pathlib.Path, python: pathlib.Path, monkeypatch) -> str:
    spec = tmp / "jupyter" / "kernels" / "reader"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "reader", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp / "jupyter"))
    for name, value in default_kernels({}).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("TF_NUM_INTRAOP_THREADS", raising=False)
    monkeypatch.delenv("TF_NUM_INTEROP_THREADS", raising=False)
    return "reader"


def _run(path: pathlib.Path, kernel: str) -> nbformat.NotebookNode:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, kernel_name=kernel, timeout=600,
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute()
    finally:
        nbformat.write(nb, path)
    return nb


def test_downloaded_chapter_stops_with_one_sentence_then_runs(
        site, browser, tmp_path, monkeypatch):
    folder = tmp_path / "reader"
    folder.mkdir()
    page = browser.new_page()
    page.goto(f"{site}/book/run-yourself.html")
    wheel = _download(page, page.url, page.get_attribute("a[href$='.whl']", "href"), folder)
    page.goto(f"{site}/{CHAPTER}")
    chapter = _download(page, page.url, page.get_attribute("a[href$='.ipynb']", "href"),
                        folder)
    page.close()
    python = _reader_venv(tmp_path / "venv")
    kernel = _kernel(tmp_path, python, monkeypatch)

    # the download carries the site's outputs: clear them to see what this run does
    nb = nbformat.read(chapter, as_version=4)
    ClearOutputPreprocessor().preprocess(nb, {})
    nbformat.write(nb, chapter)
    with pytest.raises(CellExecutionError):
        _run(chapter, kernel)
    cells = [c for c in nbformat.read(chapter, as_version=4).cells if c.cell_type == "code"]
    first = [o for o in cells[0].outputs if o.output_type == "error"]
    assert len(first) == 1 and first[0].traceback == [SENTENCE], first
    assert all(c.get("execution_count") is None for c in cells[1:]), "ran past the check"

    # the documented step, as the page writes it, in the reader's folder
    assert wheel.name.startswith("loss_casebook-")
    install = subprocess.run(
        ["bash", "-c", "source ../venv/bin/activate && pip install ./loss_casebook-*.whl"],
        cwd=folder, capture_output=True, text=True)
    assert install.returncode == 0, install.stdout + install.stderr
    # nbclient stops at any error outside a cell tagged raises-exception
    nb = _run(chapter, kernel)
    ran = [c for c in nb.cells if c.cell_type == "code" and c.get("execution_count")]
    assert len(ran) == len(cells)
