"""Benchmark report: ``python -m casebook.bench``.

Times, on a clean execution cache, each chapter's execution (nbclient, one
kernel per notebook) and the whole ``jupyter-book build .``, then a rebuild
after a prose-only edit, which must hit the cache. Prints a table of seconds
and peak memory (of this process's children). A report, not a test.
"""

from __future__ import annotations

import pathlib
import resource
import shutil
import subprocess
import sys
import tempfile
import time

import nbformat
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def time_notebook(path: pathlib.Path) -> float:
    """Execute one notebook in a fresh kernel; return wall seconds."""
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=600, allow_errors=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return time.perf_counter() - start


def time_build(root: pathlib.Path) -> float:
    start = time.perf_counter()
    subprocess.run([str(pathlib.Path(sys.executable).parent / "jupyter-book"), "build", str(root)], check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> int:
    rows: list[tuple[str, float, float]] = []
    for nb in sorted((ROOT / "book").rglob("*.ipynb")):
        secs = time_notebook(nb)
        rows.append((str(nb.relative_to(ROOT)), secs, _peak_mib()))
    with tempfile.TemporaryDirectory() as tmp:
        copy = pathlib.Path(tmp) / "book"
        shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns("_build", ".venv", "venv", ".git"))
        rows.append(("cold build (jupyter-book build .)", time_build(copy), _peak_mib()))
        intro = copy / "book" / "classroom.md"
        intro.write_text(intro.read_text() + "\nA prose-only edit.\n")
        rows.append(("rebuild after a prose-only edit", time_build(copy), _peak_mib()))
    width = max(len(r[0]) for r in rows)
    print(f"| {'what':<{width}} | seconds | peak MiB |")
    print(f"|{'-' * (width + 2)}|--------:|---------:|")
    for name, secs, mib in rows:
        print(f"| {name:<{width}} | {secs:7.1f} | {mib:8.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
