"""Write student copies of the exercise notebooks, without their solutions.

Usage: ``python -m loss_casebook.student OUT_DIR``

Every ``book/**/*exercises.ipynb`` is copied to ``OUT_DIR`` (keeping its
folder, e.g. ``OUT_DIR/case1/05-exercises.ipynb``) with the cells tagged
``solution`` removed by nbconvert's ``TagRemovePreprocessor`` and all outputs
cleared. The copies run top to bottom: each checker reports "Not solved yet".
"""

from __future__ import annotations

import argparse
import pathlib
import sys

import nbformat
from nbconvert.preprocessors import ClearOutputPreprocessor, TagRemovePreprocessor

BOOK = pathlib.Path(__file__).resolve().parents[1] / "book"


def make_student_copies(out_dir: pathlib.Path, book: pathlib.Path = BOOK) -> list[pathlib.Path]:
    """Write solution-free copies of the exercise notebooks; return their paths.

    Raises ``ValueError`` if ``out_dir`` is inside the book (the copies would
    become chapters) or if the book has no exercise notebooks.
    """
    out_dir = pathlib.Path(out_dir).resolve()
    book = pathlib.Path(book).resolve()
    if out_dir == book or book in out_dir.parents:
        raise ValueError(f"OUT_DIR must be outside the book folder {book}.")
    sources = sorted(book.rglob("*exercises.ipynb"))
    if not sources:
        raise ValueError(f"no exercise notebooks (*exercises.ipynb) under {book}.")
    remove = TagRemovePreprocessor(remove_cell_tags=("solution",), enabled=True)
    clear = ClearOutputPreprocessor()
    written = []
    for src in sources:
        nb = nbformat.read(src, as_version=4)
        nb, _ = remove.preprocess(nb, {})
        nb, _ = clear.preprocess(nb, {})
        dest = out_dir / src.relative_to(book)
        dest.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, dest)
        written.append(dest)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loss_casebook.student", description=__doc__.split("\n")[0])
    parser.add_argument("out_dir", type=pathlib.Path, help="folder for the student copies")
    args = parser.parse_args(argv)
    try:
        paths = make_student_copies(args.out_dir)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for p in paths:
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
