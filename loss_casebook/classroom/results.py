"""grades.csv and what is made from it: feedback per student, pass rates, a figure."""

from __future__ import annotations

import csv
import hashlib
import pathlib
from collections.abc import Sequence
from dataclasses import dataclass

from loss_casebook.classroom.checkers import EXERCISES

HEADER = ("student", "exercise", "verdict", "message")


class GradesError(Exception):
    """A file that is not a grades.csv, in one sentence."""


@dataclass(frozen=True)
class Row:
    """One line of grades.csv."""

    student: str
    exercise: str
    verdict: str
    message: str


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
            raise GradesError(f"{path} does not start with the header {','.join(HEADER)}.")
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
