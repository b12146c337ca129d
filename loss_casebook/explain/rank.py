"""Ranked retrieval over the book: a paste in, the entries and sections that explain it out.

The ranking is lunr's (BM25 over the fields of :mod:`loss_casebook.explain.corpus`,
with the field boosts there), run by the Python port ``lunr`` here and by
``lunr.js`` on the site over the same serialized index, so that
``explain`` and the site's search page rank alike. Words come from
:func:`loss_casebook.explain.text.words`; lunr adds only its Porter stemmer.

Every word of the paste is an optional term: a document matches when it
shares any word, and shares of rarer words count more. A whole sentence, a
log or a traceback is a query. Exact messages of the index are found first
by :mod:`loss_casebook.explain.exact`; see :func:`search`.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from lunr import get_default_builder
from lunr.index import Index
from lunr.stemmer import stemmer

from loss_casebook.explain import exact
from loss_casebook.explain.corpus import FIELDS, Document, documents
from loss_casebook.explain.index import Entry
from loss_casebook.explain.text import STOP, words  # noqa: F401

#: The most distinct words of a paste that become query terms (a long log
#: keeps its first ones and the lines that name an error; see :func:`query_words`).
MAX_TERMS = 300


def build_index(docs: Sequence[Document]) -> Index:
    """The lunr index of ``docs``: their fields turned into :func:`words`, then stemmed."""
    builder = get_default_builder()
    builder.pipeline.reset()
    builder.search_pipeline.reset()
    builder.pipeline.add(stemmer)
    builder.search_pipeline.add(stemmer)
    builder.ref("ref")
    for name, boost in FIELDS.items():
        builder.field(name, boost)
    for d in docs:
        builder.add({"ref": d.ref, **{n: " ".join(words(d.fields.get(n, ""))) for n in FIELDS}})
    return builder.build()


@functools.lru_cache(maxsize=4)
def _default() -> tuple[tuple[Document, ...], Index]:
    docs = tuple(documents())
    return docs, build_index(docs)


def query_words(text: str) -> list[str]:
    """The distinct words of ``text`` that are asked for, at most :data:`MAX_TERMS`.

    Lines that name an error or a warning go first, so that the message at
    the end of a long traceback or log is not cut off.
    """
    lines = text.splitlines() or [text]
    loud = [ln for ln in lines if any(k in ln.lower() for k in ("error", "warning", "nan"))]
    seen: dict[str, None] = {}
    for ln in loud + lines:
        for w in words(ln):
            seen.setdefault(w, None)
            if len(seen) >= MAX_TERMS:
                return list(seen)
    return list(seen)


@dataclass(frozen=True)
class Hit:
    """One ranked result: a document, its score, and why it came up."""

    doc: Document
    score: float
    why: str          # "message" (an exact message of the index) or "words"


def rank(text: str, docs: Sequence[Document] | None = None,
         index: Index | None = None) -> list[Hit]:
    """Every document sharing a word with ``text``, best first, by lunr's score."""
    if docs is None or index is None:
        docs, index = _default()
    asked = query_words(text)
    if not asked:
        return []
    by_ref = {d.ref: d for d in docs}
    query = index.create_query()
    for w in asked:
        query.term(w)
    return [Hit(by_ref[r["ref"]], r["score"], "words") for r in index.query(query)]


def search(text: str, entries: Sequence[Entry] | None = None,
           docs: Sequence[Document] | None = None, index: Index | None = None) -> list[Hit]:
    """The ranked answer to a paste: exact messages of the index first, then :func:`rank`.

    An entry whose printed text or variant the paste holds
    (:func:`loss_casebook.explain.exact.match`) is the best evidence there is,
    so those entries lead, in the exact matcher's order; every other document
    follows in lunr's order. No document appears twice.
    """
    if docs is None or index is None:
        docs, index = _default()
    by_ref = {d.ref: d for d in docs}
    lead = [Hit(by_ref[m.entry.anchor], float("inf"), "message")
            for m in exact.match(text, entries) if m.entry.anchor in by_ref]
    taken = {h.doc.ref for h in lead}
    return lead + [h for h in rank(text, docs, index) if h.doc.ref not in taken]
