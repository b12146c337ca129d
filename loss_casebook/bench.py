"""Benchmark report: ``python -m loss_casebook.bench``.

Times, on a clean execution cache, each chapter's execution (nbclient, one
fresh kernel per notebook) and the whole ``jupyter-book build .`` of a copy of
the book, then a rebuild after a prose-only edit, which must hit the execution
cache. Each step runs in its own child process, so its peak memory (the
largest resident set of any process in the step, the kernel included) is its
own. Prints a Markdown table. A report, not a test.
"""

from __future__ import annotations

import json
import pathlib
import resource
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _step(*args: str) -> tuple[float, float]:
    """Run ``python -m loss_casebook.bench --step ...``; return (seconds, peak MiB)."""
    out = subprocess.run([sys.executable, "-m", "loss_casebook.bench", "--step", *args],
                         check=True, capture_output=True, text=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    return result["seconds"], result["peak_mib"]


def _run_step(kind: str, target: str) -> None:
    start = time.perf_counter()
    if kind == "notebook":
        import nbformat
        from nbclient import NotebookClient

        path = pathlib.Path(target)
        nb = nbformat.read(path, as_version=4)
        NotebookClient(nb, timeout=600,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    else:
        jb = pathlib.Path(sys.executable).parent / "jupyter-book"
        subprocess.run([str(jb), "build", target], check=True, capture_output=True)
    seconds = time.perf_counter() - start
    peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
               resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024
    print(json.dumps({"seconds": seconds, "peak_mib": peak}))


def _edit_prose(path: pathlib.Path) -> None:
    """Append a sentence to the last Markdown cell of a notebook (code untouched)."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    last = [c for c in nb.cells if c.cell_type == "markdown"][-1]
    last.source += "\n\nA prose-only edit."
    nbformat.write(nb, path)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--step"]:
        _run_step(argv[1], argv[2])
        return 0
    rows: list[tuple[str, float, float]] = []
    for nb in sorted((ROOT / "book").rglob("*.ipynb")):
        rows.append((str(nb.relative_to(ROOT)), *_step("notebook", str(nb))))
    with tempfile.TemporaryDirectory() as tmp:
        copy = pathlib.Path(tmp) / "book"
        shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(
            "_build", ".venv", "venv", ".git", "*.egg-info"))
        rows.append(("cold build (jupyter-book build .)", *_step("build", str(copy))))
        _edit_prose(copy / "book" / "case1" / "03-explained.ipynb")
        rows.append(("rebuild after a prose-only edit", *_step("build", str(copy))))
    width = max(len(r[0]) for r in rows)
    print(f"| {'what':<{width}} | seconds | peak MiB |")
    print(f"|{'-' * (width + 2)}|--------:|---------:|")
    for name, secs, mib in rows:
        print(f"| {name:<{width}} | {secs:7.1f} | {mib:8.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
