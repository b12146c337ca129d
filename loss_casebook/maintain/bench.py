"""Benchmark report: ``python -m loss_casebook.maintain.bench [--readme README.md]``.

Run it in the book's folder (the one with ``_toc.yml``). Times each chapter's
execution alone (nbclient, one fresh kernel per notebook, no warm backend
workers: what a reader running one chapter waits); then, on a copy of the
book: the reader's way from a clone to the site (a new venv, ``pip install -r
requirements.txt`` with this machine's pip cache, ``jupyter-book build .``),
the full re-execution a maintainer runs (``python -m
loss_casebook.maintain.execute`` in that venv, with the backends of
``requirements-backends.txt`` added to it untimed), and a rebuild after a
prose-only edit. Each step runs in its own child process, so its peak memory
(the largest resident set of any process in the step, the kernel included) is
its own. With ``--ci-log PATH``, the steps of a log of ``bash .ci/run`` (its
``::: STEP ok (N s)`` lines) are added, and their total.

Prints a Markdown table that says when and on what machine it was measured,
with each row's budget and whether it was met. With ``--readme PATH`` it also
replaces the table between the lines ``<!-- bench:start -->`` and
``<!-- bench:end -->`` of that file, and nothing else. A report, not a test.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time

START, END = "<!-- bench:start -->", "<!-- bench:end -->"

#: Seconds each kind of row may take (the goals the README states).
BUDGET = {"chapter": 60.0, "reader": 180.0, "execute": 360.0, "rebuild": 30.0, "ci": 1500.0}

#: One row: what, seconds, peak MiB (None if not measured), budget in seconds (or None).
Row = tuple[str, float, "float | None", "float | None"]


class BenchError(Exception):
    """A problem the user can fix, reported in one sentence."""


def _step(*args: str) -> tuple[float, float]:
    """Run ``python -m loss_casebook.maintain.bench --step ...``; return (seconds, peak MiB)."""
    out = subprocess.run([sys.executable, "-m", "loss_casebook.maintain.bench", "--step", *args],
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
    elif kind == "execute":  # in the copy's own venv, so its kernels import its package
        subprocess.run([str(_venv_python(target)), "-m", "loss_casebook.maintain.execute",
                        "--book", target], check=True, capture_output=True, cwd=target)
    elif kind == "reader":  # the README's two commands, in a fresh venv
        subprocess.run(["bash", "-c", "python3 -m venv .venv && source .venv/bin/activate && "
                        "pip install -q -r requirements.txt && jupyter-book build ."],
                       check=True, capture_output=True, cwd=target,
                       env={k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"})
    else:
        jb = _venv_python(target).parent / "jupyter-book"
        subprocess.run([str(jb), "build", target], check=True, capture_output=True)
    seconds = time.perf_counter() - start
    peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
               resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024
    print(json.dumps({"seconds": seconds, "peak_mib": peak}))


def _venv_python(book: str | pathlib.Path) -> pathlib.Path:
    """The Python of the book's own ``.venv`` if it has one, else this one."""
    own = pathlib.Path(book) / ".venv" / "bin" / "python"
    return own if own.exists() else pathlib.Path(sys.executable)


def _add_backends(book: pathlib.Path) -> None:
    """What a maintainer installs on top of the reader's venv (not timed)."""
    subprocess.run([str(_venv_python(book)), "-m", "pip", "install", "-q", "-r",
                    "requirements-backends.txt"], check=True, capture_output=True, cwd=book)


def ci_rows(log: str) -> list[Row]:
    """Rows for the timed steps of a ``bash .ci/run`` log, and their total.

    Raises :class:`BenchError` if the log has no ``::: STEP ok (N s)`` line or
    a step failed.
    """
    failed = re.findall(r"^::: (.+) FAILED \(\d+ s\)$", log, re.M)
    if failed:
        raise BenchError(f"the CI log has a failed step: {failed[0]}")
    steps = re.findall(r"^::: (.+) ok \((\d+) s\)$", log, re.M)
    if not steps:
        raise BenchError("the CI log has no '::: STEP ok (N s)' line; is it bash .ci/run's?")
    rows: list[Row] = [(f"CI: {name}", float(sec), None, None) for name, sec in steps]
    rows.append(("CI: all steps (bash .ci/run)", sum(float(sec) for _, sec in steps), None,
                 BUDGET["ci"]))
    return rows


def _edit_prose(path: pathlib.Path) -> None:
    """Append a sentence to the last Markdown cell of a notebook (code untouched)."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    last = [c for c in nb.cells if c.cell_type == "markdown"][-1]
    last.source += "\n\nA prose-only edit."
    nbformat.write(nb, path)


def machine() -> str:
    """One line: the date, CPU model, core count, and the TensorFlow in use."""
    import datetime
    import importlib.metadata as md
    import os
    import platform

    cpu = platform.processor() or platform.machine()
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    onednn = os.environ.get("TF_ENABLE_ONEDNN_OPTS", "0 (the book's default)")
    return (f"Measured {datetime.date.today().isoformat()} on {cpu}, "
            f"{os.cpu_count()} cores, no GPU, {platform.system()}; Python "
            f"{platform.python_version()}, TensorFlow {md.version('tensorflow')}, "
            f"TF_ENABLE_ONEDNN_OPTS={onednn}.")


def table(rows: list[Row]) -> str:
    """The rows as a Markdown table: what, seconds, peak MiB, budget, met."""
    width = max(len(r[0]) for r in rows)
    lines = [f"| {'what':<{width}} | seconds | peak MiB | budget s | met |",
             f"|{'-' * (width + 2)}|--------:|---------:|---------:|:---:|"]
    for name, secs, mib, budget in rows:
        peak = "" if mib is None else f"{mib:.0f}"
        limit, met = ("", "") if budget is None else (f"{budget:.0f}",
                                                      "yes" if secs <= budget else "NO")
        lines.append(f"| {name:<{width}} | {secs:7.1f} | {peak:>8} | {limit:>8} | {met:^3} |")
    return "\n".join(lines)


def replace_block(text: str, block: str) -> str:
    """``text`` with the part between the bench markers replaced by ``block``."""
    if text.count(START) != 1 or text.count(END) != 1 or text.index(START) > text.index(END):
        raise BenchError(f"the file needs exactly one {START} line followed by one {END} line")
    head, rest = text.split(START)
    _, tail = rest.split(END)
    return f"{head}{START}\n{block}\n{END}{tail}"


def measure(root: pathlib.Path) -> list[Row]:
    """Time every chapter of the book at ``root``, then a reader's and a maintainer's copy."""
    rows: list[Row] = []
    for nb in sorted((root / "book").rglob("*.ipynb")):
        if ".ipynb_checkpoints" not in nb.parts:
            rows.append((str(nb.relative_to(root)), *_step("notebook", str(nb)),
                         BUDGET["chapter"]))
    with tempfile.TemporaryDirectory() as tmp:
        copy = pathlib.Path(tmp) / "book"
        shutil.copytree(root, copy, ignore=shutil.ignore_patterns(
            "_build", ".venv", "venv", ".git", "*.egg-info", ".pytest_cache"))
        rows.append(("reader: new venv, pip install, jupyter-book build .",
                     *_step("reader", str(copy)), BUDGET["reader"]))
        _add_backends(copy)
        rows.append(("full re-execution (maintain.execute, 2 at a time)",
                     *_step("execute", str(copy)), BUDGET["execute"]))
        _edit_prose(copy / "book" / "case1" / "03-explained.ipynb")
        rows.append(("rebuild after a prose-only edit", *_step("build", str(copy)),
                     BUDGET["rebuild"]))
    return rows


def main(argv: list[str]) -> int:
    import argparse

    if argv[:1] == ["--step"]:
        _run_step(argv[1], argv[2])
        return 0
    parser = argparse.ArgumentParser(prog="python -m loss_casebook.maintain.bench",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--book", type=pathlib.Path, default=pathlib.Path.cwd(),
                        help="the book's folder, with _toc.yml (default: here)")
    parser.add_argument("--readme", type=pathlib.Path,
                        help="replace the table between the bench markers of this file")
    parser.add_argument("--ci-log", type=pathlib.Path,
                        help="add the timed steps of this log of bash .ci/run")
    args = parser.parse_args(argv)
    try:
        root = args.book.resolve()
        if not (root / "_toc.yml").is_file():
            raise BenchError(f"{root} is not a book folder: it has no _toc.yml")
        if args.readme is not None:  # fail before the long run, not after
            replace_block(args.readme.read_text(), "")
        ci = ci_rows(args.ci_log.read_text(errors="replace")) if args.ci_log else []
        block = f"{machine()}\n\n{table(measure(root) + ci)}"
        print(block)
        if args.readme is not None:
            args.readme.write_text(replace_block(args.readme.read_text(), block))
            print(f"Updated the table in {args.readme}.")
    except (BenchError, OSError) as err:
        print(f"bench: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
