"""Grade a folder of students' exercise notebooks: one row per student and exercise.

Usage::

    python -m loss_casebook.classroom.grade SUBMISSIONS_DIR --out OUT_DIR
        [--handout HANDOUT_DIR] [--timeout 120] [--jobs 2] [--memory 4096] [--no-sandbox]
    python -m loss_casebook.classroom.grade --plot OUT_DIR/grades.csv OUT_DIR/pass-rates.png

``SUBMISSIONS_DIR/<student>/`` holds one student's copies as they were handed
out by :mod:`loss_casebook.classroom.student` (``<student>/case1/05-exercises.ipynb``,
found at any depth below the student's folder, or under another name: see
:mod:`loss_casebook.classroom.handout`). The grader grades the notebooks of
the hand-out record (``--handout``, else the ``handout.json`` in the students'
folders); without one, every exercise notebook of the book, and it says which
when it starts. Each notebook is copied to a temporary folder and executed
there by nbclient in a fresh kernel, with a time budget per notebook; the
submission itself is only read.

**Verdicts the student cannot write.** After each exercise's checker cell (or
at the end, if that cell is gone) the grader adds a cell of its own that takes
the answer variable out of the kernel as data
(:mod:`loss_casebook.classroom.answers`); the grader then runs the book's
checker on it in its own process. Output metadata, printed text or a
redefined checker never count.

**A sandbox for the students' code.** Each kernel runs under bubblewrap
(:mod:`loss_casebook.classroom.sandbox`): the system read-only, the
submissions and the output folder hidden, its temporary folder the only place
it can write, no network, and limits on memory (``--memory``) and CPU time.
Where bubblewrap cannot start, the grader refuses with the reason;
``--no-sandbox`` runs the code unconfined, with the teacher's rights.

``OUT_DIR/grades.csv`` has the columns ``student,exercise,verdict,message,note``.
``verdict`` is ``correct``, ``wrong`` or ``not solved`` from the checker, or
the reason there is none: ``missing notebook``, ``broken notebook`` (not a
readable notebook), ``timeout``, ``kernel died`` (also: out of memory or CPU
time), ``error before checker`` (no answer, and a cell up to the checker
raised: the message is the first exception), ``no answer`` (the variable does
not exist) or ``unreadable answer`` (not numbers or text, or too large).
``note`` is what the grader noticed about the notebook without changing the
verdict: the notebook it graded under another name, another copy it did not
grade, or the first cell that raised (which cell, the exception's type and
message). ``OUT_DIR/feedback/<student>.md`` is one paragraph per student, with
those notes.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import multiprocessing
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass

from loss_casebook.classroom.answers import capture_source, new_marker, read_capture
from loss_casebook.classroom.checkers import EXERCISES
from loss_casebook.classroom.handout import (
    HandoutError,
    book_notebooks,
    calls,
    find_students,
    locate_all,
    plan,
)
from loss_casebook.classroom.results import (  # noqa: F401  (the grader's public face)
    HEADER,
    GradesError,
    Row,
    feedback_paragraph,
    pass_rates,
    plot_command,
    plot_pass_rates,
    read_grades,
    sha256_tree,
    write_feedback,
    write_grades,
)
from loss_casebook.classroom.sandbox import SandboxError, check_sandbox, sandboxed_kernel_manager



class GradeError(Exception):
    """A one-sentence reason why grading could not start."""


def _first_line(text: str, limit: int = 160) -> str:
    line = next((s.strip() for s in str(text).splitlines() if s.strip()), "")
    line = re.sub(r"\x1b\[[0-9;]*m", "", line)
    return line if len(line) <= limit else line[: limit - 3] + "..."


def _checker_cell(cells: list, label: str) -> int | None:
    """The last code cell that calls the exercise's checker (a ``def`` does not count)."""
    call = calls(EXERCISES[label].checker.__name__)
    found = None
    for i, cell in enumerate(cells):
        if cell.get("cell_type") == "code" and call.search(cell.get("source", "")):
            found = i
    return found


@dataclass(frozen=True)
class Sandbox:
    """How the students' kernels are confined (see :mod:`loss_casebook.classroom.sandbox`).

    ``hide`` lists folders the kernel sees empty: the submissions and the output.
    """

    memory_mb: int = 4096
    cpu_seconds: int = 600
    hide: tuple[str, ...] = ()


def _with_captures(nb, labels: Sequence[str], marker: str) -> dict[str, object]:
    """Add after each exercise's checker cell (or at the end) the cell that prints its answer."""
    import nbformat

    captures = {}
    for label in labels:
        cell = nbformat.v4.new_code_cell(capture_source(EXERCISES[label], marker))
        at = _checker_cell(nb.cells, label)
        nb.cells.insert(len(nb.cells) if at is None else at + 1, cell)
        captures[label] = cell
    return captures


def _execute(nb, folder: str, timeout: float, sandbox: Sandbox | None) -> tuple[str | None, str]:
    """Run ``nb`` in place in a fresh kernel; the reason it stopped early, if it did."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    deadline: list[float] = []

    def budget(cell: object) -> int:
        if not deadline:
            deadline.append(time.monotonic() + timeout)
        return max(1, int(deadline[0] - time.monotonic()))

    km = None
    if sandbox is not None:
        km = sandboxed_kernel_manager(pathlib.Path(folder), memory_mb=sandbox.memory_mb,
                                      cpu_seconds=sandbox.cpu_seconds,
                                      hide=[pathlib.Path(h) for h in sandbox.hide])
    client = NotebookClient(nb, km=km, timeout_func=budget, allow_errors=True,
                            kernel_name="python3", resources={"metadata": {"path": folder}})
    try:
        client.execute(stderr=subprocess.DEVNULL)
    except CellTimeoutError:
        return "timeout", f"the notebook did not finish within {timeout:g} s (an endless loop?)."
    except DeadKernelError:
        return "kernel died", ("the kernel died while running the notebook (out of memory or "
                               "CPU time?).")
    except Exception as exc:
        return "broken notebook", f"it could not be run ({type(exc).__name__}: {_first_line(exc)})."
    return None, ""


def _verdict(label: str, payload: dict | None) -> tuple[str, str] | None:
    """The checker's verdict on a captured answer, decided here, in the grader's process."""
    if payload is None or payload.get("missing"):
        return None
    if "error" in payload:
        return "unreadable answer", f"{_first_line(payload['error']).rstrip('.')}."
    feedback = EXERCISES[label].judge(payload.get("value"))
    return feedback.verdict, str(feedback)


def raised_note(cells: list, captures: Iterable) -> str:
    """The note on the first of the student's cells that raised: which cell, what it raised.

    Cells are counted as Jupyter lists them, the grader's own left out; after
    the last answer taken out, the grades are still the answers' own.
    """
    ours = {id(c) for c in captures}
    mine = [(i, c) for i, c in enumerate(cells) if id(c) not in ours]
    last = max((i for i, c in enumerate(cells) if id(c) in ours), default=-1)
    raised = []
    for n, (i, c) in enumerate(mine, 1):
        errors = [o for o in c.get("outputs", []) if o.get("output_type") == "error"]
        if c.cell_type == "code" and errors:
            raised.append((n, i, c, errors[0]))
    if not raised:
        return ""
    n, i, cell, out = raised[0]
    code = _first_line(cell.get("source", ""), 40).replace("`", "'")
    why = _first_line(out.get("evalue", "")).rstrip(".")
    note = f"cell {n} (`{code}`) raised {out.get('ename', 'an error')}" + (f": {why}" if why else "")
    if len(raised) > 1:
        note += f", and {len(raised) - 1} more cell{'s' * (len(raised) > 2)} raised"
    if i > last:
        return note + ", after the answers: the grades are what the answers earn."
    return note + "."


def grade_notebook(path: pathlib.Path | str, labels: Sequence[str], timeout: float = 120.0,
                   sandbox: Sandbox | None = None) -> list[tuple[str, str, str, str]]:
    """Execute a copy of one notebook; return ``(label, verdict, message, note)`` per exercise.

    ``timeout`` is the budget in seconds for all of the notebook's cells together
    (kernel start-up not included). The file at ``path`` is only read. Each
    answer is taken out of the kernel as data (:mod:`loss_casebook.classroom.answers`)
    and checked here; nothing the notebook displays counts. With ``sandbox``,
    the kernel runs confined by bubblewrap. The note names the first cell that
    raised, if one did (:func:`raised_note`).
    """
    import nbformat

    path = pathlib.Path(path)
    raw = path.read_bytes()
    try:
        json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        msg = (f"{path.name} is not valid JSON, so Jupyter cannot open it; it may have been cut "
               "off or edited outside Jupyter.")
        return [(label, "broken notebook", msg, "") for label in labels]
    try:
        nb = nbformat.reads(raw.decode("utf-8"), as_version=4)
        if not isinstance(nb.get("cells"), list):
            raise ValueError("it has no list of cells")
    except Exception as exc:  # any other unreadable file: report, never a traceback
        msg = f"{path.name} is JSON but not a notebook ({type(exc).__name__}: {_first_line(exc)})."
        return [(label, "broken notebook", msg, "") for label in labels]

    marker = new_marker()
    checkers = {label: _checker_cell(nb.cells, label) is not None for label in labels}
    captures = _with_captures(nb, labels, marker)
    with tempfile.TemporaryDirectory(prefix="grade-") as tmp:
        (pathlib.Path(tmp) / path.name).write_bytes(raw)
        status, status_msg = _execute(nb, tmp, timeout, sandbox)

    rows = []
    ours = {id(c) for c in captures.values()}
    for label in labels:
        at = next(i for i, c in enumerate(nb.cells) if c is captures[label])
        payload = read_capture(captures[label].get("outputs", []), marker)
        verdict = _verdict(label, payload)
        if verdict is not None:
            rows.append((label, *verdict))
            continue
        errors = [o for c in nb.cells[:at] if c.cell_type == "code" and id(c) not in ours
                  for o in c.get("outputs", []) if o.get("output_type") == "error"]
        name = EXERCISES[label].answer
        if payload is None and status is not None:
            rows.append((label, status, status_msg))
        elif errors:
            first = errors[0]
            rows.append((label, "error before checker",
                         f"{first.get('ename', 'Error')}: {_first_line(first.get('evalue', ''))}."))
        elif payload is None:
            rows.append((label, "unreadable answer", "the grader could not read the answer "
                         "(was print or the output changed?)."))
        else:
            where = "" if checkers[label] else " and no cell calls its checker"
            rows.append((label, "no answer", f"the notebook has no variable {name}{where}."))
    note = raised_note(nb.cells, captures.values())
    return [(*row, note) for row in rows]


def _grade_task(student: str, relpath: str, path: str | None, labels: list[str],
                timeout: float, sandbox: Sandbox | None, found_note: str,
                missing: str) -> list[Row]:
    if path is None:
        return [Row(student, label, "missing notebook", missing) for label in labels]
    rows = grade_notebook(path, labels, timeout, sandbox)
    return [Row(student, label, verdict, message, " ".join(filter(None, (found_note, note))))
            for label, verdict, message, note in rows]


def _progress(items: Iterable, total: int, quiet: bool) -> Iterable:
    if quiet:
        return items
    try:
        from tqdm import tqdm
    except ModuleNotFoundError:
        return items
    return tqdm(items, total=total, desc="grading", unit="notebook")


def grade_folder(submissions: pathlib.Path | str, timeout: float = 120.0, jobs: int = 2,
                 quiet: bool = False, sandbox: Sandbox | None = None,
                 notebooks: dict[str, list[str]] | None = None,
                 ) -> tuple[list[Row], list[str]]:
    """Grade every student folder; return the rows (sorted) and the skipped entries.

    ``notebooks`` (hand-out path to labels; default: every exercise notebook
    of the book) is what was handed out (:func:`loss_casebook.classroom.handout.plan`).
    With ``sandbox`` (see :class:`Sandbox`) each kernel runs confined, and the
    submissions folder is among the folders it sees empty.
    """
    students, skipped = find_students(pathlib.Path(submissions))
    notebooks = book_notebooks() if notebooks is None else notebooks
    if sandbox is not None:
        sandbox = dataclasses.replace(
            sandbox, hide=(*sandbox.hide, str(pathlib.Path(submissions).resolve())))
    tasks = []
    for student in students:
        found = locate_all(student, list(notebooks))
        for relpath, labels in notebooks.items():
            f = found[relpath]
            tasks.append((student.name, relpath, str(f.path) if f.path else None, labels, timeout,
                          sandbox, f.note, f.message))
    rows: list[Row] = []
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=ctx) as pool:
        futures = [pool.submit(_grade_task, *t) for t in tasks]
        for fut in _progress(as_completed(futures), len(futures), quiet):
            rows.extend(fut.result())
    order = {label: i for i, label in enumerate(EXERCISES)}
    rows.sort(key=lambda r: (r.student, order[r.exercise]))
    return rows, skipped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loss_casebook.classroom.grade",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("submissions", nargs="?", type=pathlib.Path,
                        help="folder with one folder per student")
    parser.add_argument("--out", type=pathlib.Path, help="folder for grades.csv and feedback/")
    parser.add_argument("--handout", type=pathlib.Path, metavar="HANDOUT_DIR",
                        help="the hand-out folder (or its handout.json): grade only its "
                        "notebooks; default: the handout.json in the students' folders")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="seconds per notebook (default 120)")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks run at once (default 2)")
    parser.add_argument("--force", action="store_true",
                        help="overwrite an existing grades.csv; with --plot, write into a book "
                        "folder")
    parser.add_argument("--memory", type=int, default=4096, metavar="MB",
                        help="memory limit of each student's kernel (default 4096)")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="run the students' code unconfined, with your rights")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--plot", nargs=2, metavar=("GRADES_CSV", "OUT_PNG"),
                        help="draw the per-exercise pass rate of a grades.csv and stop")
    args = parser.parse_args(argv)
    try:
        if args.plot:
            try:
                print(plot_command(*map(pathlib.Path, args.plot), force=args.force))
            except GradesError as exc:
                raise GradeError(str(exc)) from None
            return 0
        if args.submissions is None or args.out is None:
            raise GradeError("give SUBMISSIONS_DIR and --out OUT_DIR, or --plot GRADES_CSV OUT_PNG.")
        if args.timeout <= 0 or args.jobs < 1 or args.memory < 256:
            raise GradeError("--timeout must be positive, --jobs at least 1 and --memory at "
                             "least 256 (MB).")
        out = args.out.resolve()
        subs = args.submissions.resolve()
        if out == subs or subs in out.parents:
            raise GradeError(f"--out {args.out} is inside {args.submissions}, where it would look "
                             "like a student; choose a folder outside it.")
        grades = out / "grades.csv"
        if grades.exists() and not args.force:
            raise GradeError(f"{grades} already exists; nothing was graded; add --force to "
                             "overwrite it.")
        sandbox = None
        if not args.no_sandbox:
            try:
                check_sandbox()
            except SandboxError as exc:
                raise GradeError(f"the students' code cannot be sandboxed here: {exc}") from None
            # CPU time: importing TensorFlow alone costs seconds; allow a few cores' worth
            sandbox = Sandbox(args.memory, int(4 * args.timeout) + 60, hide=(str(out),))
        try:
            chosen = plan(find_students(subs)[0], args.handout)
        except HandoutError as exc:
            raise GradeError(str(exc)) from None
        print(chosen.source)
        for warning in chosen.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        rows, skipped = grade_folder(subs, args.timeout, args.jobs, args.quiet, sandbox,
                                     chosen.notebooks)
    except GradeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if skipped:
        print(f"skipped {len(skipped)} file(s) in {args.submissions} that are not student folders: "
              f"{', '.join(skipped)}.", file=sys.stderr)
    write_grades(rows, grades)
    if (out / "feedback").exists() and args.force:
        shutil.rmtree(out / "feedback")
    write_feedback(rows, out / "feedback")
    students = len({r.student for r in rows})
    print(f"graded {students} students: {sum(r.verdict == 'correct' for r in rows)} of "
          f"{len(rows)} answers correct; wrote {grades} and {out / 'feedback'}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
