"""Grade a folder of students' exercise notebooks: one row per student and exercise.

Usage::

    python -m loss_casebook.classroom.grade SUBMISSIONS_DIR --out OUT_DIR [--timeout 120] [--jobs 2]
    python -m loss_casebook.classroom.grade --plot OUT_DIR/grades.csv pass-rates.png

``SUBMISSIONS_DIR/<student>/`` holds one student's copies as they were handed
out by :mod:`loss_casebook.classroom.student` (``<student>/case1/05-exercises.ipynb``,
found at any depth below the student's folder). Each notebook is copied to a
temporary folder and executed there by nbclient in a fresh kernel, with a time
budget per notebook; the submission itself is only read. Every checker shows
its verdict as JSON in the output's metadata, under
:data:`loss_casebook.classroom.checkers.VERDICT_MIME`, named by
its exercise's label, so the grader finds it wherever the cell has moved.

``OUT_DIR/grades.csv`` has the columns ``student,exercise,verdict,message``.
``verdict`` is ``correct``, ``wrong`` or ``not solved`` from the checker, or the
reason there is no verdict: ``missing notebook``, ``broken notebook`` (not a
readable notebook), ``timeout``, ``kernel died``, ``error before checker`` (the
checker's cell raised; the message is the notebook's first exception up to that
cell), ``checker missing`` (no cell calls the checker) or ``no verdict`` (the checker ran but its result was not
the cell's last expression). ``OUT_DIR/feedback/<student>.md`` is one
paragraph per student. Grading runs the students' code: do it on a machine and
account where that is acceptable.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
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

from loss_casebook.classroom.checkers import EXERCISES, VERDICT_MIME

HEADER = ("student", "exercise", "verdict", "message")
CHECKER_VERDICTS = ("correct", "wrong", "not solved")


class GradeError(Exception):
    """A one-sentence reason why grading could not start."""


@dataclass(frozen=True)
class Row:
    """One line of grades.csv."""

    student: str
    exercise: str
    verdict: str
    message: str


def notebooks_by_path() -> dict[str, list[str]]:
    """Exercise labels per handed-out notebook path, in the book's order."""
    out: dict[str, list[str]] = {}
    for ex in EXERCISES.values():
        out.setdefault(ex.notebook, []).append(ex.label)
    return out


def _first_line(text: str, limit: int = 160) -> str:
    line = next((s.strip() for s in str(text).splitlines() if s.strip()), "")
    line = re.sub(r"\x1b\[[0-9;]*m", "", line)
    return line if len(line) <= limit else line[: limit - 3] + "..."


def find_students(submissions: pathlib.Path) -> tuple[list[pathlib.Path], list[str]]:
    """Student folders (sorted) and the names of other entries that are skipped."""
    submissions = pathlib.Path(submissions)
    if not submissions.exists():
        raise GradeError(f"there is no folder {submissions}.")
    if not submissions.is_dir():
        raise GradeError(f"{submissions} is a file; give the folder that holds one folder per student.")
    students, skipped = [], []
    for entry in sorted(submissions.iterdir()):
        if entry.name.startswith("."):
            continue
        (students if entry.is_dir() else skipped).append(entry if entry.is_dir() else entry.name)
    if not students:
        raise GradeError(f"{submissions} holds no student folders; put each student's copies in "
                         "SUBMISSIONS_DIR/<student>/.")
    return students, skipped


def locate(student_dir: pathlib.Path, relpath: str) -> pathlib.Path | None:
    """The student's copy of ``relpath`` (e.g. case1/05-exercises.ipynb), at any depth."""
    exact = student_dir / relpath
    if exact.is_file():
        return exact
    parts = pathlib.PurePath(relpath).parts
    hits = sorted(p for p in student_dir.rglob(parts[-1])
                  if p.is_file() and p.parts[-len(parts):] == parts
                  and ".ipynb_checkpoints" not in p.parts)
    return hits[0] if hits else None


def _checker_cell(cells: list, label: str) -> int | None:
    name = EXERCISES[label].checker.__name__
    for i, cell in enumerate(cells):
        if cell.get("cell_type") == "code" and re.search(rf"\b{name}\s*\(", cell.get("source", "")):
            return i
    return None


def grade_notebook(path: pathlib.Path | str, labels: Sequence[str],
                   timeout: float = 120.0) -> list[tuple[str, str, str]]:
    """Execute a copy of one notebook and return ``(label, verdict, message)`` per exercise.

    ``timeout`` is the budget in seconds for all of the notebook's cells together
    (kernel start-up not included). The file at ``path`` is only read.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    path = pathlib.Path(path)
    raw = path.read_bytes()
    try:
        json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        msg = (f"{path.name} is not valid JSON, so Jupyter cannot open it; it may have been cut "
               "off or edited outside Jupyter.")
        return [(label, "broken notebook", msg) for label in labels]
    try:
        nb = nbformat.reads(raw.decode("utf-8"), as_version=4)
        if not isinstance(nb.get("cells"), list):
            raise ValueError("it has no list of cells")
    except Exception as exc:  # any other unreadable file: report, never a traceback
        msg = f"{path.name} is JSON but not a notebook ({type(exc).__name__}: {_first_line(exc)})."
        return [(label, "broken notebook", msg) for label in labels]

    status, status_msg = None, ""
    with tempfile.TemporaryDirectory(prefix="grade-") as tmp:
        copy = pathlib.Path(tmp) / path.name
        copy.write_bytes(raw)
        deadline: list[float] = []

        def budget(cell: object) -> int:
            if not deadline:
                deadline.append(time.monotonic() + timeout)
            return max(1, int(deadline[0] - time.monotonic()))

        client = NotebookClient(nb, timeout_func=budget, allow_errors=True, kernel_name="python3",
                                resources={"metadata": {"path": tmp}})
        try:
            client.execute(stderr=subprocess.DEVNULL)
        except CellTimeoutError:
            status = "timeout"
            status_msg = f"the notebook did not finish within {timeout:g} s (an endless loop?)."
        except DeadKernelError:
            status, status_msg = "kernel died", "the kernel died while running the notebook."
        except Exception as exc:
            status = "broken notebook"
            status_msg = f"it could not be run ({type(exc).__name__}: {_first_line(exc)})."

    verdicts: dict[str, tuple[str, str]] = {}
    first_error: dict[int, str] = {}
    error_so_far = None
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            meta = out.get("metadata", {})
            if VERDICT_MIME in meta:
                v = meta[VERDICT_MIME]
                if isinstance(v, dict) and v.get("exercise") in labels \
                        and v.get("verdict") in CHECKER_VERDICTS:
                    verdicts[v["exercise"]] = (v["verdict"], str(v.get("message", "")))
            if out.get("output_type") == "error" and error_so_far is None:
                error_so_far = f"{out.get('ename', 'Error')}: {_first_line(out.get('evalue', ''))}"
        first_error[i] = error_so_far

    rows = []
    for label in labels:
        if label in verdicts:
            rows.append((label, *verdicts[label]))
            continue
        at = _checker_cell(nb.cells, label)
        if at is None:
            rows.append((label, "checker missing",
                         f"no cell calls {EXERCISES[label].checker.__name__}(...)."))
        elif status is not None:
            rows.append((label, status, status_msg))
        elif any(o.get("output_type") == "error" for o in nb.cells[at].get("outputs", [])):
            rows.append((label, "error before checker", f"{first_error[at]}."))
        else:
            rows.append((label, "no verdict", "the checker ran but its result was not the last "
                         "line of its cell."))
    return rows


def _grade_task(student: str, relpath: str, path: str | None, labels: list[str],
                timeout: float) -> list[Row]:
    if path is None:
        msg = f"no {relpath} in the student's folder."
        return [Row(student, label, "missing notebook", msg) for label in labels]
    return [Row(student, *r) for r in grade_notebook(path, labels, timeout)]


def _progress(items: Iterable, total: int, quiet: bool) -> Iterable:
    if quiet:
        return items
    try:
        from tqdm import tqdm
    except ModuleNotFoundError:
        return items
    return tqdm(items, total=total, desc="grading", unit="notebook")


def grade_folder(submissions: pathlib.Path | str, timeout: float = 120.0, jobs: int = 2,
                 quiet: bool = False) -> tuple[list[Row], list[str]]:
    """Grade every student folder; return the rows (sorted) and the skipped entries."""
    students, skipped = find_students(pathlib.Path(submissions))
    tasks = []
    for student in students:
        for relpath, labels in notebooks_by_path().items():
            found = locate(student, relpath)
            tasks.append((student.name, relpath, str(found) if found else None, labels, timeout))
    rows: list[Row] = []
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=ctx) as pool:
        futures = [pool.submit(_grade_task, *t) for t in tasks]
        for fut in _progress(as_completed(futures), len(futures), quiet):
            rows.extend(fut.result())
    order = {label: i for i, label in enumerate(EXERCISES)}
    rows.sort(key=lambda r: (r.student, order[r.exercise]))
    return rows, skipped


def write_grades(rows: Sequence[Row], path: pathlib.Path | str) -> pathlib.Path:
    """Write ``rows`` as grades.csv (header ``student,exercise,verdict,message``)."""
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        writer.writerows((r.student, r.exercise, r.verdict, r.message) for r in rows)
    return path


def read_grades(path: pathlib.Path | str) -> list[Row]:
    """Read a grades.csv written by :func:`write_grades`."""
    with pathlib.Path(path).open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if tuple(reader.fieldnames or ()) != HEADER:
            raise GradeError(f"{path} does not start with the header {','.join(HEADER)}.")
        return [Row(**r) for r in reader]


def feedback_paragraph(student: str, rows: Sequence[Row]) -> str:
    """One paragraph for one student: the score, then each exercise's verdict."""
    mine = [r for r in rows if r.student == student]
    correct = sum(r.verdict == "correct" for r in mine)
    parts = [f"{student}: {correct} of {len(mine)} exercises correct."]
    for r in mine:
        parts.append(f"{r.exercise}: {r.verdict}" + ("." if r.verdict == "correct"
                                                     else f" ({r.message.rstrip('.')})."))
    return " ".join(parts)


def write_feedback(rows: Sequence[Row], folder: pathlib.Path | str) -> list[pathlib.Path]:
    """Write ``folder/<student>.md`` for every student in ``rows``."""
    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for student in dict.fromkeys(r.student for r in rows):
        p = folder / f"{student}.md"
        p.write_text(feedback_paragraph(student, rows) + "\n", encoding="utf-8")
        paths.append(p)
    return paths


def pass_rates(rows: Sequence[Row]) -> dict[str, float]:
    """Per exercise, in the book's order: the fraction of students with ``correct``."""
    labels = [label for label in EXERCISES if any(r.exercise == label for r in rows)]
    labels += sorted({r.exercise for r in rows} - set(labels))
    rates = {}
    for label in labels:
        mine = [r for r in rows if r.exercise == label]
        rates[label] = sum(r.verdict == "correct" for r in mine) / len(mine)
    return rates


def plot_pass_rates(rows: Sequence[Row], ax=None):
    """A horizontal bar per exercise: the fraction of the class that got it right."""
    import matplotlib.pyplot as plt

    rates = pass_rates(rows)
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 0.4 * len(rates) + 1))
    labels = list(rates)[::-1]
    ax.barh(labels, [rates[k] for k in labels], color="tab:green")
    ax.set_xlim(0, 1)
    ax.set_xlabel(f"fraction of the class correct ({len({r.student for r in rows})} students)")
    ax.grid(axis="x", alpha=0.3)
    return ax


def sha256_tree(folder: pathlib.Path | str) -> dict[str, str]:
    """SHA-256 of every file below ``folder``, by relative path."""
    folder = pathlib.Path(folder)
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loss_casebook.classroom.grade",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("submissions", nargs="?", type=pathlib.Path,
                        help="folder with one folder per student")
    parser.add_argument("--out", type=pathlib.Path, help="folder for grades.csv and feedback/")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="seconds per notebook (default 120)")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks run at once (default 2)")
    parser.add_argument("--force", action="store_true", help="overwrite an existing grades.csv")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--plot", nargs=2, metavar=("GRADES_CSV", "OUT_PNG"),
                        help="draw the per-exercise pass rate of a grades.csv and stop")
    args = parser.parse_args(argv)
    try:
        if args.plot:
            return _plot_command(*map(pathlib.Path, args.plot))
        if args.submissions is None or args.out is None:
            raise GradeError("give SUBMISSIONS_DIR and --out OUT_DIR, or --plot GRADES_CSV OUT_PNG.")
        if args.timeout <= 0 or args.jobs < 1:
            raise GradeError("--timeout must be positive and --jobs at least 1.")
        out = args.out.resolve()
        subs = args.submissions.resolve()
        if out == subs or subs in out.parents:
            raise GradeError(f"--out {args.out} is inside {args.submissions}, where it would look "
                             "like a student; choose a folder outside it.")
        grades = out / "grades.csv"
        if grades.exists() and not args.force:
            raise GradeError(f"{grades} already exists; nothing was graded; add --force to "
                             "overwrite it.")
        rows, skipped = grade_folder(subs, args.timeout, args.jobs, args.quiet)
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


def _plot_command(csv_path: pathlib.Path, png: pathlib.Path) -> int:
    import matplotlib

    matplotlib.use("Agg")
    if not csv_path.is_file():
        raise GradeError(f"there is no file {csv_path}.")
    try:
        rows = read_grades(csv_path)
    except (csv.Error, TypeError, UnicodeDecodeError) as exc:
        raise GradeError(f"{csv_path} is not a grades.csv ({_first_line(exc)}).") from None
    if not rows:
        raise GradeError(f"{csv_path} has no grades to draw.")
    ax = plot_pass_rates(rows)
    ax.figure.tight_layout()
    ax.figure.savefig(png, dpi=120)
    print(f"wrote {png}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
