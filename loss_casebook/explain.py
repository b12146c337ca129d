"""Find the book's entry for a pasted log or traceback.

``python -m loss_casebook.explain [FILE]`` reads a log, a traceback or a
single message (from ``FILE``, or from standard input when ``FILE`` is
missing or ``-``), matches it against the book's error index
(:mod:`loss_casebook.errorindex`) and prints each matching entry with its
causes and the chapter sections that reproduce them, or one sentence when
nothing matches. Exit status: 0 found, 1 nothing found, 2 bad input.

Matching is deliberately simple and deterministic, so that the page's paste
box (the same rules in JavaScript, ``maintain/errorsearch.js``) agrees with
it:

1. :func:`tokens` lower-cases the text, turns every number into ``#`` (``-#``
   when negative), drops quotes, punctuation, exception-class words
   (``ValueError``, ``UserWarning``...) and the noise words of tracebacks
   (``File``, ``line``...).
2. For each text and variant of an entry, :func:`score` finds the longest run
   of consecutive tokens it shares with the pasted text, and how many of its
   tokens occur there at all.
3. A pattern matches when that run holds at least two tokens and at least 60 %
   of the shorter of the two; entries are ranked by the run's share of the
   pattern plus half the overlap, then by the run's length.

This module never imports TensorFlow or Keras.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from loss_casebook import errorindex
from loss_casebook.errorindex import Entry

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_TOKEN = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?|[a-z_][a-z0-9_]*")
_CLASS = re.compile(r"^[a-z_]*(error|warning|exception)$")
#: Words that say nothing about which message it is.
STOP = frozenset({"a", "an", "the", "to", "of", "in", "is", "and", "or", "file", "line",
                  "py", "traceback", "most", "recent", "call", "last"})
#: The shortest run, as a share of the shorter text, that counts as a match.
SHARE = 0.6
PAGE = "book/find-your-error.html"


def tokens(text: str) -> list[str]:
    """The words of ``text`` that identify a message, normalised (see the module doc)."""
    out = []
    for tok in _TOKEN.findall(_ANSI.sub(" ", text).lower()):
        if tok[0] in "0123456789" or (tok[0] == "-" and len(tok) > 1):
            out.append("-#" if tok[0] == "-" else "#")
        elif tok not in STOP and not _CLASS.match(tok):
            out.append(tok)
    return out


def score(pattern: Sequence[str], text: Sequence[str]) -> tuple[int, float]:
    """(longest common run of consecutive tokens, share of ``pattern`` found in ``text``)."""
    if not pattern or not text:
        return 0, 0.0
    where: dict[str, list[int]] = {}
    for j, tok in enumerate(text):
        where.setdefault(tok, []).append(j)
    best, prev = 0, {}
    for tok in pattern:
        cur = {j: prev.get(j - 1, 0) + 1 for j in where.get(tok, ())}
        if cur:
            best = max(best, max(cur.values()))
        prev = cur
    have = Counter(text)
    overlap = sum(min(n, have[t]) for t, n in Counter(pattern).items())
    return best, overlap / len(pattern)


@dataclass(frozen=True)
class Match:
    """An entry that matches, with the pattern that matched best."""

    entry: Entry
    pattern: str
    rank: float
    run: int


def match(text: str, entries: Sequence[Entry] | None = None) -> list[Match]:
    """The entries whose texts or variants match ``text``, best first."""
    entries = errorindex.load() if entries is None else entries
    pasted = tokens(text)
    found = []
    for entry in entries:
        best: Match | None = None
        for pattern in entry.patterns:
            ptoks = tokens(pattern)
            run, cover = score(ptoks, pasted)
            need = max(2, math.ceil(SHARE * min(len(ptoks), len(pasted))))
            if run < need:
                continue
            m = Match(entry, pattern, run / len(ptoks) + cover / 2, run)
            if best is None or (m.rank, m.run) > (best.rank, best.run):
                best = m
        if best is not None:
            found.append(best)
    order = {e.id: n for n, e in enumerate(entries)}
    return sorted(found, key=lambda m: (-m.rank, -m.run, order[m.entry.id]))


def describe(m: Match) -> str:
    """The text ``explain`` prints for one match."""
    e = m.entry
    lines = [f"{e.title}  [{e.id}, {e.kind}]", f"  matched: {m.pattern.splitlines()[0][:100]}"]
    for n, c in enumerate(e.causes, 1):
        lines += [f"  cause {n}: {c.cause}",
                  f"    reproduced in {c.doc}, section \"{c.section}\": {c.html}",
                  f"    fix: {c.fix}"]
    return "\n".join(lines)


def explain(text: str, entries: Sequence[Entry] | None = None) -> str:
    """Everything ``python -m loss_casebook.explain`` prints for ``text``.

    Raises
    ------
    ValueError
        If ``text`` is empty or holds no words.
    """
    if not isinstance(text, str) or not tokens(text):
        raise ValueError("the input holds no message; paste a log or traceback, or give a file.")
    found = match(text, entries)
    if not found:
        return (f"Nothing in this text matches the book's error index; "
                f"see the list on {PAGE}.")
    head = f"{len(found)} matching entr{'y' if len(found) == 1 else 'ies'} (best first):"
    return "\n\n".join([head] + [describe(m) for m in found])


def _read(source: str) -> str:
    if source == "-":
        data = sys.stdin.buffer.read()
    else:
        with open(source, "rb") as fh:
            data = fh.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{'the input' if source == '-' else source} is not UTF-8 text.") from None


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m loss_casebook.explain [FILE] [--index PATH]``."""
    parser = argparse.ArgumentParser(
        prog="python -m loss_casebook.explain",
        description="Match a pasted log or traceback against the book's error index.")
    parser.add_argument("file", nargs="?", default="-",
                        help="a file holding the log or traceback; '-' or none reads stdin")
    parser.add_argument("--index", default=None,
                        help="an error index to use instead of the package's errors.toml")
    args = parser.parse_args(argv)
    try:
        entries = errorindex.load(args.index)
        text = _read(args.file)
        print(explain(text, entries))
    except OSError as err:
        print(f"explain: cannot read {args.file}: {err.strerror}.", file=sys.stderr)
        return 2
    except ValueError as err:  # IndexFileError too
        print(f"explain: {err}", file=sys.stderr)
        return 2
    return 0 if match(text, entries) else 1


if __name__ == "__main__":
    sys.exit(main())
