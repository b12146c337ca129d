"""After ``fit``: from what a reader pasted to the chapter section that explains it.

``python -m loss_casebook.explain [FILE | ID]`` reads a log, a traceback, a
message or a sentence in the reader's own words (from ``FILE``, or standard
input when it is missing or ``-``) and prints the book's best few answers,
each with the reader's own line that led to it, the question that tells it
apart from the next, and a link a terminal can open. Given the ``id`` of an
index entry instead (``negative-cosine-loss``), it prints that entry, like
``rustc --explain E0308``.

Three kinds of evidence, strongest first:

1. an exact message of the index (:mod:`loss_casebook.explain.exact`);
2. the numbers of a log (:mod:`loss_casebook.explain.fingerprints`): a
   negative loss, the first NaN, a loss stuck at a floor;
3. the words, ranked by lunr over the index and every section of the book
   (:mod:`loss_casebook.explain.rank`), as the site's search page ranks them.

When none of them is strong enough (:data:`CONFIDENT`), it says in one
sentence that the book may explain the text, when the words match in part,
or that it does not, and lists the nearest entries and sections. Exit status: 0 explained, 1 not in the book, 2 bad input.

This package never imports TensorFlow or Keras.
"""

from __future__ import annotations

from loss_casebook.explain.fingerprints import fit_log  # noqa: F401
from loss_casebook.explain.reply import (  # noqa: F401
    CONFIDENT, Answer, answer, explain, explain_entry, healthy, link)
from loss_casebook.explain.exact import SHARE, STOP, Match, match, score, tokens  # noqa: F401
from loss_casebook.explain.index import PAGE  # noqa: F401


def main(argv=None) -> int:
    """Command line (see :mod:`loss_casebook.explain.cli`)."""
    from loss_casebook.explain.cli import main as _main
    return _main(argv)
