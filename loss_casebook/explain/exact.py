"""The exact messages of the error index, found in a pasted log or traceback.

A message the pinned versions print (an entry's ``texts``) or an older or
other wording of it (its ``variants``) is the strongest evidence a paste can
hold, so :func:`loss_casebook.explain.rank.search` puts the entries found here
first. Matching is deliberately simple and deterministic, so that the site
(the same rules in JavaScript, ``maintain/errorsearch.js``) agrees with it:

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

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from loss_casebook.explain import index as errorindex
from loss_casebook.explain.index import Entry

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_TOKEN = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?|[a-z_][a-z0-9_]*")
_CLASS = re.compile(r"^[a-z_]*(error|warning|exception)$")
#: Words that say nothing about which message it is.
STOP = frozenset({"a", "an", "the", "to", "of", "in", "is", "and", "or", "file", "line",
                  "py", "traceback", "most", "recent", "call", "last",
                  "eta", "s", "ms", "us", "step", "epoch"})
#: The shortest run, as a share of the shorter text, that counts as a match.
SHARE = 0.6


def tokens(text: str) -> list[str]:
    """The words of ``text`` that identify a message, normalised (see the module doc)."""
    out = []
    for tok in _TOKEN.findall(_ANSI.sub(" ", text).lower()):
        if tok[0] in "0123456789" or (tok[0] == "-" and len(tok) > 1):
            out.append("-#" if tok[0] == "-" else "#")
        elif tok not in STOP and not _CLASS.match(tok):
            out.append(tok)
    return out


def _positions(text: Sequence[str]) -> dict[str, list[int]]:
    where: dict[str, list[int]] = {}
    for j, tok in enumerate(text):
        where.setdefault(tok, []).append(j)
    return where


def score(pattern: Sequence[str], text: Sequence[str], *,
          where: dict[str, list[int]] | None = None,
          have: Counter | None = None) -> tuple[int, float]:
    """(longest common run of consecutive tokens, share of ``pattern`` found in ``text``).

    A run counts only when it holds at least two words (tokens other than the
    ``#`` of a number), so a progress bar's numbers match no message.

    ``where`` (each token's positions in ``text``) and ``have`` (its counts)
    may be given when one text is scored against many patterns.
    """
    if not pattern or not text:
        return 0, 0.0
    where = _positions(text) if where is None else where
    best, prev = 0, {}
    for tok in pattern:
        word = tok not in ("#", "-#")
        cur = {}
        for j in where.get(tok, ()):
            run, words = prev.get(j - 1, (0, 0))
            cur[j] = (run + 1, words + word)
        # a run counts only when it holds two words: numbers alone prove nothing
        best = max([best] + [r for r, w in cur.values() if w >= 2])
        prev = cur
    have = Counter(text) if have is None else have
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
    """The ``message`` entries whose texts or variants match ``text``, best first.

    Symptoms (an entry of kind ``symptom``: a negative loss, ``loss: nan``) are
    facts of a log's numbers or a reader's words, not messages, so they are
    left to :mod:`loss_casebook.explain.fingerprints` and the ranking.
    """
    entries = errorindex.load() if entries is None else entries
    pasted = tokens(text)
    where, have = _positions(pasted), Counter(pasted)
    found = []
    for entry in entries:
        if entry.kind != "message":
            continue
        best: Match | None = None
        for pattern in entry.patterns:
            ptoks = tokens(pattern)
            run, cover = score(ptoks, pasted, where=where, have=have)
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
