"""The hand-out record, and finding each handed-out notebook in a student's folder.

:mod:`loss_casebook.classroom.student` writes ``handout.json`` beside the
copies it makes::

    {"kind": "loss_casebook hand-out", "version": 1,
     "notebooks": [{"path": "case1/05-exercises.ipynb",
                    "exercises": ["ex-c1-distance", "ex-c1-sign", ...]}]}

and each copy carries its own path in its metadata
(``metadata.loss_casebook.handout``). The grader grades the notebooks of the
record passed as ``--handout``; without it, those of the records in the
students' folders (their union, if the students' copies differ); without any,
every exercise notebook of the book, as it says when it starts.

A student's notebook is found at its hand-out path, at any depth below the
student's folder. If it is not there, the grader looks for a notebook that
holds its exercises under another name (``05-exercises (1).ipynb``, one
folder off): the path in its metadata, or else the checkers its cells call. It
grades the one it finds and says so in the row's note; it grades none if it
finds several, and names them.
"""

from __future__ import annotations

import json
import pathlib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from loss_casebook.classroom.checkers import EXERCISES

#: The record's file name, in the hand-out folder.
RECORD = "handout.json"
KIND = "loss_casebook hand-out"
VERSION = 1


class HandoutError(Exception):
    """A submissions folder or a hand-out record that cannot be used, in one sentence."""


def find_students(submissions: pathlib.Path) -> tuple[list[pathlib.Path], list[str]]:
    """Student folders (sorted) and the names of other entries that are skipped."""
    submissions = pathlib.Path(submissions)
    if not submissions.exists():
        raise HandoutError(f"there is no folder {submissions}.")
    if not submissions.is_dir():
        raise HandoutError(f"{submissions} is a file; give the folder that holds one folder per student.")
    students, skipped = [], []
    for entry in sorted(submissions.iterdir()):
        if entry.name.startswith("."):
            continue
        (students if entry.is_dir() else skipped).append(entry if entry.is_dir() else entry.name)
    if not students:
        raise HandoutError(f"{submissions} holds no student folders; put each student's copies in "
                         "SUBMISSIONS_DIR/<student>/.")
    return students, skipped


def book_notebooks() -> dict[str, list[str]]:
    """Every exercise notebook of the book with its exercises' labels, in the book's order."""
    out: dict[str, list[str]] = {}
    for ex in EXERCISES.values():
        out.setdefault(ex.notebook, []).append(ex.label)
    return out


def record(notebooks: dict[str, Sequence[str]]) -> dict:
    """The record's JSON data for ``notebooks`` (hand-out path to exercise labels)."""
    return {"kind": KIND, "version": VERSION,
            "notebooks": [{"path": p, "exercises": list(labels)}
                          for p, labels in notebooks.items()]}


def write_record(folder: pathlib.Path, notebooks: dict[str, Sequence[str]]) -> pathlib.Path:
    """Write ``folder/handout.json``; return its path."""
    path = pathlib.Path(folder) / RECORD
    path.write_text(json.dumps(record(notebooks), indent=1) + "\n", encoding="utf-8")
    return path


def read_record(path: pathlib.Path | str) -> dict[str, list[str]]:
    """The notebooks of a record (path to labels), checked against this book's checkers."""
    path = pathlib.Path(path)
    if path.is_dir():
        path = path / RECORD
    if not path.is_file():
        raise HandoutError(f"there is no hand-out record {path}; the student command writes "
                           f"{RECORD} beside the copies.")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        data = None
    if not (isinstance(data, dict) and data.get("kind") == KIND
            and isinstance(data.get("notebooks"), list) and data["notebooks"]):
        raise HandoutError(f"{path} is not a hand-out record written by "
                           "python -m loss_casebook.classroom.student.")
    known = book_notebooks()
    out: dict[str, list[str]] = {}
    for entry in data["notebooks"]:
        rel = entry.get("path") if isinstance(entry, dict) else None
        labels = entry.get("exercises") if isinstance(entry, dict) else None
        if rel not in known or not isinstance(labels, list) or not labels:
            raise HandoutError(f"{path} lists {rel!r}, which is not an exercise notebook of this "
                               "book with its exercises; hand out and grade with one version "
                               "of the book.")
        strange = [label for label in labels if label not in known[rel]]
        if strange:
            raise HandoutError(f"{path} lists the exercise {strange[0]!r} in {rel}, which this "
                               "book's checkers do not grade there; hand out and grade with "
                               "one version of the book.")
        out[rel] = [label for label in known[rel] if label in labels]
    return out


@dataclass(frozen=True)
class Plan:
    """What the grader grades: notebooks (path to labels), and a sentence saying why."""

    notebooks: dict[str, list[str]]
    source: str
    warnings: list[str] = field(default_factory=list)


def _count(notebooks: dict[str, list[str]]) -> str:
    n, k = len(notebooks), sum(map(len, notebooks.values()))
    return f"{n} notebook{'s' * (n != 1)}, {k} exercise{'s' * (k != 1)}"


def _visible(path: pathlib.Path, top: pathlib.Path) -> bool:
    return not any(part.startswith(".") for part in path.relative_to(top).parts)


def plan(students: Sequence[pathlib.Path], handout: pathlib.Path | None = None) -> Plan:
    """Which notebooks to grade: ``handout``'s record, else the students' records, else all."""
    if handout is not None:
        notebooks = read_record(handout)
        where = handout / RECORD if handout.is_dir() else handout
        return Plan(notebooks, f"grading the hand-out recorded in {where}: {_count(notebooks)}.")
    found: dict[str, dict[str, list[str]]] = {}
    warnings = []
    for student in students:
        for path in sorted(student.rglob(RECORD)):
            if not (path.is_file() and _visible(path, student)) or student.name in found:
                continue
            try:
                found[student.name] = read_record(path)
            except HandoutError as exc:
                warnings.append(f"ignored {path.relative_to(student.parent)}: {exc}")
    if not found:
        notebooks = book_notebooks()
        return Plan(notebooks, f"no hand-out record ({RECORD}) in the students' folders and no "
                    f"--handout: grading every exercise notebook of the book "
                    f"({_count(notebooks)}).", warnings)
    wanted = {rel: set() for rel in book_notebooks()}
    for notebooks in found.values():
        for rel, labels in notebooks.items():
            wanted[rel] |= set(labels)
    notebooks = {rel: [label for label in labels if label in wanted[rel]]
                 for rel, labels in book_notebooks().items() if wanted[rel]}
    common, _ = Counter(json.dumps(n) for n in found.values()).most_common(1)[0]
    odd = sorted(s for s, n in found.items() if json.dumps(n) != common)
    if odd:
        warnings.append(f"the hand-out records of {', '.join(odd)} differ from the others'; "
                        "grading every notebook any record lists (pass --handout to grade "
                        "your own).")
    return Plan(notebooks, f"grading the hand-out recorded in the students' folders ({RECORD}, "
                f"{len(found)} of {len(students)} students): {_count(notebooks)}.", warnings)


def calls(name: str) -> re.Pattern:
    """A line that calls the function ``name`` (a ``def`` does not count)."""
    return re.compile(rf"^(?!\s*def\s).*\b{name}\s*\(", re.MULTILINE)


def handed_out_as(path: pathlib.Path) -> str | None:
    """The hand-out path of the exercise notebook in the file ``path``, if it is one.

    Its metadata's path, or else the notebook whose checkers its code cells
    call most (``None`` for a tie, no call, or a file that is not a notebook).
    """
    try:
        data = json.loads(pathlib.Path(path).read_bytes())
        cells = data["cells"]
        meta = data.get("metadata", {}).get("loss_casebook", {})
        code = "\n".join("".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                         for c in cells if c.get("cell_type") == "code")
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
    known = book_notebooks()
    if isinstance(meta, dict) and meta.get("handout") in known:
        return meta["handout"]
    hits = Counter({rel: sum(bool(calls(EXERCISES[label].checker.__name__).search(code))
                             for label in labels) for rel, labels in known.items()})
    best = hits.most_common(2)
    if not best or best[0][1] == 0 or (len(best) > 1 and best[1][1] == best[0][1]):
        return None
    return best[0][0]


@dataclass(frozen=True)
class Found:
    """Where a student's copy of one notebook is: its path (or None), a note, a message.

    ``note`` says what the grader noticed (another name, another copy);
    ``message`` why nothing is graded, when ``path`` is None.
    """

    path: pathlib.Path | None
    note: str = ""
    message: str = ""


def locate_all(student: pathlib.Path, notebooks: Sequence[str]) -> dict[str, Found]:
    """Each handed-out notebook's copy in the folder ``student``.

    At its hand-out path (``case1/05-exercises.ipynb``), at any depth, unless
    that file holds another notebook's exercises; otherwise the one notebook
    that holds its exercises under another name.
    """
    student = pathlib.Path(student)
    files = sorted(p for p in student.rglob("*.ipynb") if p.is_file() and _visible(p, student))
    ident = {p: handed_out_as(p) for p in files}
    rel_name = {p: p.relative_to(student).as_posix() for p in files}
    exact: dict[str, pathlib.Path] = {}
    misfiled: dict[str, list[str]] = {}
    for rel in notebooks:
        parts = pathlib.PurePath(rel).parts
        named = [p for p in files if p.parts[-len(parts):] == parts]
        hits = [p for p in named if ident[p] in (None, rel)]
        misfiled[rel] = [f"{rel_name[p]} holds {ident[p]}'s exercises" for p in named
                         if p not in hits]
        if hits:
            exact[rel] = student / rel if student / rel in hits else hits[0]
    rest = [p for p in files if p not in exact.values()]
    out = {}
    for rel in notebooks:
        mine = [p for p in rest if ident[p] == rel]
        names = ", ".join(rel_name[p] for p in mine)
        if rel in exact:
            note = (f"also found {names}, with the same exercises, not graded." if mine else "")
            out[rel] = Found(exact[rel], note)
        elif len(mine) == 1:
            out[rel] = Found(mine[0], f"graded {names} in its place, a notebook with its "
                             f"exercises (there is no {rel} in the student's folder).")
        elif mine:
            out[rel] = Found(None, message=f"no {rel} in the student's folder, and {len(mine)} "
                             f"notebooks hold its exercises ({names}): rename the one to grade.")
        else:
            others = [rel_name[p] for p in rest if ident[p] not in notebooks]
            also = (f" (it holds other notebooks, none with these exercises: "
                    f"{', '.join(others)})" if others else "")
            message = f"no {rel} in the student's folder{also}."
            if misfiled[rel]:
                message = (f"{'; '.join(misfiled[rel])}, and no notebook in the student's "
                           f"folder holds {rel}'s.")
            out[rel] = Found(None, message=message)
    return out
