"""grades.csv and what is made from it: feedback per student, pass rates, a figure."""

from __future__ import annotations

import csv
import hashlib
import pathlib
from collections.abc import Sequence
from dataclasses import dataclass

from loss_casebook.classroom.checkers import EXERCISES

HEADER = ("student", "exercise", "verdict", "message", "note")
#: The header of a grades.csv written before the ``note`` column.
OLD_HEADER = HEADER[:4]


class GradesError(Exception):
    """A file that is not a grades.csv, in one sentence."""


@dataclass(frozen=True)
class Row:
    """One line of grades.csv; ``note`` is about the notebook, never the verdict."""

    student: str
    exercise: str
    verdict: str
    message: str
    note: str = ""


def write_grades(rows: Sequence[Row], path: pathlib.Path | str) -> pathlib.Path:
    """Write ``rows`` as grades.csv (header ``student,exercise,verdict,message,note``)."""
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        writer.writerows((r.student, r.exercise, r.verdict, r.message, r.note) for r in rows)
    return path


def read_grades(path: pathlib.Path | str) -> list[Row]:
    """Read a grades.csv written by :func:`write_grades` (or one without its ``note``)."""
    with pathlib.Path(path).open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if tuple(reader.fieldnames or ()) not in (HEADER, OLD_HEADER):
            raise GradesError(f"{path} does not start with the header {','.join(HEADER)}.")
        rows = list(reader)
    if any(None in r or None in r.values() for r in rows):
        raise GradesError(f"{path} has a row whose number of fields differs from its header's.")
    return [Row(**r) for r in rows]


def feedback_paragraph(student: str, rows: Sequence[Row]) -> str:
    """One paragraph for one student: the score, each exercise's verdict, then the notes.

    Each note is given once per notebook: "Note on case1/05-exercises.ipynb: ...".
    """
    mine = [r for r in rows if r.student == student]
    correct = sum(r.verdict == "correct" for r in mine)
    parts = [f"{student}: {correct} of {len(mine)} exercises correct."]
    for r in mine:
        parts.append(f"{r.exercise}: {r.verdict}" + ("." if r.verdict == "correct"
                                                     else f" ({r.message.rstrip('.')})."))
    notes = {}
    for r in mine:
        if r.note:
            ex = EXERCISES.get(r.exercise)
            notes.setdefault((ex.notebook if ex else "", r.note), None)
    for notebook, note in notes:
        parts.append(f"Note on {notebook}: {note}" if notebook else f"Note: {note}")
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


def plot_command(csv_path: pathlib.Path, png: pathlib.Path, force: bool = False) -> str:
    """Draw :func:`plot_pass_rates` of a grades.csv into ``png``; return what was written.

    Refuses (:class:`GradesError`) a ``png`` inside a book folder (one with a
    ``_toc.yml``) unless ``force`` (the student copies are refused even
    with it).
    """
    import matplotlib

    from loss_casebook.classroom.student import TOC, inside_a_book

    matplotlib.use("Agg")
    host = inside_a_book(png.parent)  # the folder need not exist yet
    if host is not None and not force:
        raise GradesError(f"{png} is inside the book folder {host} (it has a {TOC}); write the "
                          "picture outside it, e.g. ../results/pass-rates.png, or add --force.")
    if not csv_path.is_file():
        raise GradesError(f"there is no file {csv_path}.")
    try:
        rows = read_grades(csv_path)
    except (csv.Error, TypeError, UnicodeDecodeError) as exc:
        why = next(iter(str(exc).splitlines()), type(exc).__name__)
        raise GradesError(f"{csv_path} is not a grades.csv ({why}).") from None
    if not rows:
        raise GradesError(f"{csv_path} has no grades to draw.")
    ax = plot_pass_rates(rows)
    ax.figure.tight_layout()
    png.parent.mkdir(parents=True, exist_ok=True)
    try:
        ax.figure.savefig(png, dpi=120)
    except ValueError as exc:  # an unknown suffix
        raise GradesError(f"cannot write {png}: {exc}") from None
    return f"wrote {png}."


def sha256_tree(folder: pathlib.Path | str) -> dict[str, str]:
    """SHA-256 of every file below ``folder``, by relative path."""
    folder = pathlib.Path(folder)
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}
