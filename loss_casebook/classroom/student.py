"""Write student copies of the exercise notebooks, without their solutions.

Usage: ``python -m loss_casebook.classroom.student OUT_DIR [--case N ...] [--book PATH]
[--force]``

The book is the folder holding ``_toc.yml``: the current folder (or one above
it), or ``--book PATH``; never the folder this package was imported from, so a
command run in one checkout copies that checkout's exercises. Every chapter of
``_toc.yml`` whose name ends in ``exercises`` (or, with ``--case N``, repeated
as needed, those of case N) is copied to ``OUT_DIR`` under its case folder
(``OUT_DIR/case1/05-exercises.ipynb``), with the cells tagged ``solution``
removed by nbconvert's ``TagRemovePreprocessor`` and all outputs cleared. The
exercises' MyST directives become plain Markdown, which Jupyter shows as
headings and text (:mod:`loss_casebook.classroom.plain`). The copies run top
to bottom: each checker reports "Not solved yet".

Beside the copies it writes the hand-out record ``OUT_DIR/handout.json``
(:mod:`loss_casebook.classroom.handout`): the notebooks and exercises handed
out, so that the grader grades those and no others. It prints one line per
file it wrote.

Nothing is ever lost: if a copy or the record would replace an existing file,
nothing is written unless ``--force`` is given, and ``OUT_DIR`` may not be
inside any book folder (a folder with a ``_toc.yml``), whose chapters the
copies would replace.
"""

from __future__ import annotations

import argparse
import pathlib
import re
import sys

import nbformat
from nbconvert.preprocessors import ClearOutputPreprocessor, TagRemovePreprocessor

from loss_casebook.classroom.handout import RECORD, book_notebooks, read_record, write_record
from loss_casebook.classroom.plain import plain_notebook

TOC = "_toc.yml"


class StudentCopyError(Exception):
    """A one-sentence reason why no copies were written."""


def find_book(start: pathlib.Path | str | None = None) -> pathlib.Path:
    """The book folder: ``start`` (default: the current folder) or the nearest parent with a ``_toc.yml``."""
    here = pathlib.Path.cwd() if start is None else pathlib.Path(start)
    here = here.resolve()
    for folder in (here, *here.parents):
        if (folder / TOC).is_file():
            return folder
    raise StudentCopyError(f"no {TOC} in {here} or above it: run this from the book's folder "
                           "or pass --book PATH.")


def exercise_notebooks(book: pathlib.Path) -> list[pathlib.Path]:
    """The exercise notebooks listed in the book's ``_toc.yml``, in its order."""
    toc = book / TOC
    if not toc.is_file():
        raise StudentCopyError(f"{book} has no {TOC}; pass the folder that holds it as --book.")
    entries = re.findall(r"(?:file|root):\s*(\S+)", toc.read_text(encoding="utf-8"))
    found = [book / f"{e}.ipynb" for e in entries if e.endswith("exercises")]
    found = [p for p in found if p.is_file()]
    if not found:
        raise StudentCopyError(f"{toc} lists no exercise notebooks (chapters named *exercises).")
    return found


def inside_a_book(folder: pathlib.Path) -> pathlib.Path | None:
    """The book folder (one with a ``_toc.yml``) that ``folder`` is in or is, if any."""
    folder = pathlib.Path(folder).resolve()
    for f in (folder, *folder.parents):
        if (f / TOC).is_file():
            return f
    return None


def _chosen(sources: list[pathlib.Path], cases: list[str] | None) -> list[pathlib.Path]:
    """The exercise notebooks of the ``cases`` asked for (``"1"`` or ``"case1"``), or all."""
    if not cases:
        return sources
    folders = list(dict.fromkeys(src.parent.name for src in sources))
    wanted = [c if c.startswith("case") else f"case{c}" for c in map(str, cases)]
    unknown = [c for c in wanted if c not in folders]
    if unknown:
        raise StudentCopyError(f"the book has no exercises for case {unknown[0][4:]}; its "
                               f"exercise chapters are in {', '.join(folders)}.")
    return [src for src in sources if src.parent.name in wanted]


def student_copy(src: pathlib.Path, relpath: str):
    """The student copy of the exercise notebook ``src``, and its graded exercises."""
    nb = nbformat.read(src, as_version=4)
    nb, _ = TagRemovePreprocessor(remove_cell_tags=("solution",), enabled=True).preprocess(nb, {})
    nb, _ = ClearOutputPreprocessor().preprocess(nb, {})
    labels = plain_notebook(nb, src)
    nb.metadata["loss_casebook"] = {"handout": relpath}
    graded = book_notebooks().get(relpath, [])
    return nb, [label for label in labels if label in graded]


def make_student_copies(out_dir: pathlib.Path | str, book: pathlib.Path | str | None = None,
                        force: bool = False, cases: list[str] | None = None,
                        ) -> list[pathlib.Path]:
    """Write solution-free copies of the book's exercise notebooks; return their paths.

    ``book`` is the folder with ``_toc.yml`` (default: found from the current
    folder with :func:`find_book`); ``cases`` (e.g. ``["1", "3"]``) limits the
    copies to those cases' exercises. Beside the copies it writes the hand-out
    record, ``out_dir/handout.json``. Raises :class:`StudentCopyError`, writing
    nothing, if ``out_dir`` is in a book folder or, unless ``force``, if any
    copy or the record would replace an existing file.
    """
    book = find_book() if book is None else pathlib.Path(book).resolve()
    if book.is_file() and book.name == TOC:
        book = book.parent
    out_dir = pathlib.Path(out_dir).resolve()
    sources = _chosen(exercise_notebooks(book), cases)
    host = inside_a_book(out_dir)
    if host is not None:
        raise StudentCopyError(f"{out_dir} is inside the book folder {host} (it has a {TOC}); "
                               "choose an OUT_DIR outside every book.")
    targets = [(src, pathlib.PurePath(*src.parts[-2:]).as_posix()) for src in sources]
    existing = [out_dir / rel for _, rel in targets if (out_dir / rel).exists()]
    if existing and not force:
        raise StudentCopyError(f"{existing[0]} already exists, and a student may be working in it, "
                               "so nothing was written; add --force to overwrite.")
    if (out_dir / RECORD).exists() and not force:
        raise StudentCopyError(f"{out_dir / RECORD} already exists and records an earlier "
                               "hand-out, so nothing was written; add --force to overwrite.")
    copies = [(student_copy(src, rel), rel) for src, rel in targets]
    for (nb, _), rel in copies:
        (out_dir / rel).parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, out_dir / rel)
    write_record(out_dir, {rel: labels for (_, labels), rel in copies if labels})
    return [out_dir / rel for _, rel in copies]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loss_casebook.classroom.student",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("out_dir", type=pathlib.Path, help="folder for the student copies")
    parser.add_argument("--book", type=pathlib.Path, default=None,
                        help="the book's folder (with _toc.yml); default: found from here")
    parser.add_argument("--case", action="append", metavar="N",
                        help="hand out only case N's exercises (repeat for more cases)")
    parser.add_argument("--force", action="store_true",
                        help="overwrite copies that already exist in OUT_DIR")
    args = parser.parse_args(argv)
    try:
        paths = make_student_copies(args.out_dir, args.book, force=args.force, cases=args.case)
    except StudentCopyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: could not write the copies: {exc.strerror or exc}: {exc.filename}.",
              file=sys.stderr)
        return 2
    notebooks = read_record(args.out_dir / RECORD)
    for p in paths:
        rel = p.relative_to(p.parents[1]).as_posix()
        n = len(notebooks.get(rel, []))
        print(f"wrote {args.out_dir / rel}: {n} exercise{'s' * (n != 1)}, no solutions")
    print(f"wrote {args.out_dir / RECORD}: the record of what was handed out")
    return 0


if __name__ == "__main__":
    sys.exit(main())
