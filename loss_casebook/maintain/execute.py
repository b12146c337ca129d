"""Re-execute chapters and store their outputs: ``python -m loss_casebook.maintain.execute``.

What a maintainer runs after changing a chapter's code or the package. Every
chapter listed in ``_toc.yml`` (or only the notebooks named) is executed by
nbclient in a fresh kernel, in the notebook's own folder, on the book's
default kernels (``TF_ENABLE_ONEDNN_OPTS=0``, TensorFlow's own thread count),
``--jobs`` at a time, longest first, and written back with its outputs. Backend
comparisons fork from warm workers (:mod:`loss_casebook.backends.pool`), which
import each backend once for the whole run. Each notebook is
stamped with :func:`code_digest` of its code, so that a test can tell when
code changed without its outputs being regenerated
(``tests/test_stale_outputs.py``).

Before a notebook is written, :func:`scrub_outputs` takes the machine's own
absolute paths out of its outputs (tracebacks name every file they pass
through): a file of an installed package becomes ``.../site-packages/...``, of
the standard library ``.../python3.11/...``, of the book's checkout a path
relative to it (``loss_casebook/checks.py``), of the home folder ``~/...``.
``book/nbval_sanitize.cfg`` maps a fresh run's paths to the same forms, so
nbval compares the two.

A notebook that fails to execute is left unchanged and named, with its error,
in one line; the command then exits 1.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pathlib
import re
import site
import sys
import sysconfig
import time
from concurrent.futures import ProcessPoolExecutor, as_completed

#: Where the digest lives in a notebook's metadata.
STAMP = "loss_casebook"


class ExecuteError(Exception):
    """A problem the user can fix, in one sentence."""


def code_digest(nb: dict) -> str:
    """SHA-256 of a notebook's code cells (their sources and tags), in order."""
    h = hashlib.sha256()
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        tags = sorted(cell.get("metadata", {}).get("tags", []))
        h.update(json.dumps([source, tags]).encode())
    return h.hexdigest()


def stamped_digest(nb: dict) -> str | None:
    """The digest stored when the notebook was last executed, or None."""
    return nb.get("metadata", {}).get(STAMP, {}).get("code_sha256")


def chapters(book: pathlib.Path) -> list[pathlib.Path]:
    """Every notebook ``_toc.yml`` lists, in its order."""
    toc = book / "_toc.yml"
    if not toc.is_file():
        raise ExecuteError(f"{book} has no _toc.yml; run this in the book's folder or give --book.")
    names = re.findall(r"(?:file|root):\s*(\S+)", toc.read_text())
    return [book / f"{n}.ipynb" for n in names if (book / f"{n}.ipynb").is_file()]


def last_seconds(path: pathlib.Path) -> float:
    """Seconds the notebook's cells took when it was last executed (0 if unknown)."""
    from datetime import datetime

    total = 0.0
    try:
        cells = json.loads(path.read_text()).get("cells", [])
    except (OSError, ValueError):
        return 0.0
    for cell in cells:
        timing = cell.get("metadata", {}).get("execution", {})
        try:
            began = datetime.fromisoformat(timing["iopub.execute_input"].rstrip("Z"))
            ended = datetime.fromisoformat(timing["shell.execute_reply"].rstrip("Z"))
        except (KeyError, TypeError, ValueError):
            continue
        total += (ended - began).total_seconds()
    return total


def machine_paths(book: pathlib.Path | None = None) -> list[tuple[str, str]]:
    """This machine's paths that a stored output must not show, each with
    what it shows instead; longest first, so the most specific form wins.

    The installed packages' folders (``.../site-packages``), the standard
    library's (``.../python3.11``), a virtual environment outside the book
    (``.../<its name>``), the book's checkout (``book`` and the folder the
    helper package was imported from; replaced by nothing, so its files read
    relative to it) and the home folder (``~``). Each also as its real path,
    where a symbolic link leads elsewhere.
    """
    import loss_casebook

    found: dict[str, str] = {}

    def add(path, instead: str) -> None:
        if not path:
            return
        for form in {str(path), os.path.realpath(path)}:
            form = form.rstrip("/\\")
            if len(form) > 1:  # never "/" itself
                found.setdefault(form, instead)

    packages = [*site.getsitepackages(), site.getusersitepackages(),
                sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]
    for folder in packages:
        add(folder, ".../" + pathlib.Path(folder).name)
    for key in ("stdlib", "platstdlib"):
        folder = sysconfig.get_paths()[key]
        add(folder, ".../" + pathlib.Path(folder).name)
    if sys.prefix != sys.base_prefix:  # a virtual environment
        add(sys.prefix, ".../" + pathlib.Path(sys.prefix).name)
    checkouts = [pathlib.Path(loss_casebook.__file__).resolve().parents[1]]
    if book is not None:
        checkouts.append(pathlib.Path(book).resolve())
    for folder in checkouts:
        add(folder, "")
    add(pathlib.Path.home(), "~")
    return sorted(found.items(), key=lambda kv: len(kv[0]), reverse=True)


#: Where a path may start: not inside a name, or right after a terminal
#: colour code (IPython colours a traceback's file names: ``\x1b[32m/...``).
_START = (r"(?:(?<![\w.-])|(?<=\x1b\[\dm)|(?<=\x1b\[\d\dm)|(?<=\x1b\[\d;\d\dm)"
          r"|(?<=\x1b\[\d\d;\d\dm))")


def scrub(text: str, paths: list[tuple[str, str]]) -> str:
    """``text`` with each of ``paths`` (from :func:`machine_paths`) replaced.

    A path counts only as a whole: not inside a longer name (``/work/main``
    is left alone in ``/work/mainline``). A checkout's path followed by ``/``
    is dropped with the slash (``loss_casebook/checks.py``); alone it becomes
    ``.``.
    """
    if not paths or not text:
        return text
    instead = dict(paths)
    pattern = re.compile(_START + "(" + "|".join(re.escape(p) for p, _ in paths)
                         + r")(?![\w.-])(/?)")

    def put(m: re.Match) -> str:
        new = instead[m.group(1)]
        if new == "":
            return "" if m.group(2) else "."
        return new + m.group(2)

    return pattern.sub(put, text)


def scrub_outputs(nb: dict, paths: list[tuple[str, str]]) -> int:
    """Scrub every text of every output in ``nb`` in place (streams, text
    data, error values and tracebacks); return how many texts changed."""
    changed = 0

    def fix(value):
        nonlocal changed
        if isinstance(value, str):
            new = scrub(value, paths)
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            new = [scrub(v, paths) for v in value]
        else:
            return value
        changed += new != value
        return new

    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []) or []:
            for key in ("text", "evalue", "traceback"):
                if key in out:
                    out[key] = fix(out[key])
            data = out.get("data", {})
            for mime in list(data):
                if mime.startswith("text/"):  # not images: base64 has slashes
                    data[mime] = fix(data[mime])
    return changed


def book_of(path: pathlib.Path) -> pathlib.Path | None:
    """The book folder (the nearest one above ``path`` with a ``_toc.yml``), if any."""
    for folder in pathlib.Path(path).resolve().parents:
        if (folder / "_toc.yml").is_file():
            return folder
    return None


def default_kernels() -> None:
    """The kernels the committed outputs come from (see loss_casebook.repro)."""
    os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"
    os.environ.pop("TF_NUM_INTRAOP_THREADS", None)
    os.environ.pop("TF_NUM_INTEROP_THREADS", None)


def execute(path: str, timeout: float = 600.0) -> tuple[str, float, str | None]:
    """Execute one notebook in place; return (path, seconds, error or None)."""
    import nbformat
    from nbclient import NotebookClient

    default_kernels()
    nb_path = pathlib.Path(path)
    nb = nbformat.read(nb_path, as_version=4)
    start = time.perf_counter()
    try:
        NotebookClient(nb, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": str(nb_path.parent)}}).execute()
    except Exception as exc:  # reported in one line; the file stays as it was
        first = (str(exc).strip().splitlines() or [""])[-1][:200]
        return path, time.perf_counter() - start, f"{type(exc).__name__}: {first}"
    scrub_outputs(nb, machine_paths(book_of(nb_path)))
    nb.metadata.setdefault(STAMP, {})["code_sha256"] = code_digest(nb)
    nbformat.write(nb, nb_path)
    return path, time.perf_counter() - start, None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loss_casebook.maintain.execute",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", type=pathlib.Path,
                        help="notebooks to execute (default: every chapter in _toc.yml)")
    parser.add_argument("--book", type=pathlib.Path, default=pathlib.Path("."),
                        help="the book's folder (default: here)")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks at once (default 2)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per cell")
    parser.add_argument("--no-warm-workers", action="store_true",
                        help="start no warm backend workers (for notebooks that compare "
                             "no backends)")
    args = parser.parse_args(argv)
    try:
        if args.jobs < 1 or args.timeout <= 0:
            raise ExecuteError("--jobs must be at least 1 and --timeout positive.")
        paths = args.notebooks or chapters(args.book.resolve())
        missing = [str(p) for p in paths if not p.is_file() or p.suffix != ".ipynb"]
        if missing:
            raise ExecuteError(f"not a notebook: {', '.join(missing)}.")
    except ExecuteError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from loss_casebook.backends import pool

    start = time.perf_counter()
    # Longest first (by the times stored last run), so that no long chapter
    # starts last while the other worker idles.
    paths = sorted(paths, key=last_seconds, reverse=True)
    saved = dict(os.environ)
    default_kernels()  # for the warm backend workers too, so they serve the kernels
    os.environ.pop(pool.ENV, None)  # an outer pool (a test run's) has other settings
    try:
        results, workers_said = _run_all(paths, args.jobs, args.timeout,
                                         warm=not args.no_warm_workers)
    finally:  # a caller's environment (a test's, say) is left as it was
        os.environ.clear()
        os.environ.update(saved)
    failed = sum(error is not None for _, _, error in results)
    print(workers_said)
    print(f"executed {len(paths) - failed} of {len(paths)} notebooks in "
          f"{time.perf_counter() - start:.0f} s with {args.jobs} at a time.")
    return 1 if failed else 0


def _run_all(paths: list[pathlib.Path], jobs: int, timeout: float,
             warm: bool) -> tuple[list[tuple[str, float, str | None]], str]:
    """Execute the notebooks, ``jobs`` at a time (with ``warm``, inside a pool of
    warm backend workers); return what each gave and what the workers served."""
    import contextlib

    from loss_casebook.backends import pool

    done = []
    workers_pool = pool.running(wait=False) if warm else contextlib.nullcontext()
    with workers_pool, ProcessPoolExecutor(max_workers=jobs) as workers:
        futures = [workers.submit(execute, str(p), timeout) for p in paths]
        for fut in as_completed(futures):
            path, seconds, error = fut.result()
            done.append((path, seconds, error))
            print(f"{seconds:6.1f} s  {path}" + (f"  FAILED: {error}" if error else ""),
                  flush=True)
        return done, pool.report() if warm else "no warm backend workers."


if __name__ == "__main__":
    sys.exit(main())
