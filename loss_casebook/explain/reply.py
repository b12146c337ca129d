"""The answer ``explain`` gives: ranked entries and sections, the reader's line, a link.

:func:`answer` combines the three kinds of evidence (exact messages, the
log's numbers, the words) into one ranked list; :func:`explain` prints it.
"""

from __future__ import annotations

import functools
import os
import pathlib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from loss_casebook.explain import exact, fingerprints, rank
from loss_casebook.explain.corpus import Document
from loss_casebook.explain.index import Entry, load
from loss_casebook.explain.text import words

#: When the words alone count as an answer: lunr's best score at least
#: ``CONFIDENT[0]`` and, divided by the square root of the number of words
#: asked (so that a long paste does not win by its length), at least
#: ``CONFIDENT[1]``. Below :data:`NEAR` (the same two numbers) the book says it
#: does not explain the text; between the two it says it may. Chosen on the
#: tuning half of the book's set of real reports (tests/reports/reports.toml)
#: and on short logs and messages that no chapter explains (tests/test_explain.py).
CONFIDENT = (9.5, 1.5)
NEAR = (7.0, 1.0)
#: How many answers are printed.
TOP = 5
#: A paste longer than this is read once line by line for its numbers, and
#: matched on its distinct lines only (a long log repeats itself).
LONG = 200_000
SITE_ENV = "LOSS_CASEBOOK_SITE"
_DIGITS = str.maketrans("", "", "0123456789")
ROOT = pathlib.Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Item:
    """One answer: the document, why it came up, and the reader's line that led to it."""

    doc: Document
    why: str                    # "message", "log" or "words"
    score: float
    line: tuple[int, str] | None
    says: str = ""


@dataclass(frozen=True)
class Answer:
    """What the book says about a paste: ranked items, the log's signs, explained or not."""

    items: tuple[Item, ...]
    signs: tuple[fingerprints.Sign, ...]
    explained: bool
    notes: tuple[str, ...] = field(default=())
    near: bool = False          # not explained, but the words match in part


def healthy(answer: Answer) -> bool:
    """Whether ``answer`` finds nothing wrong: no message, no sign, not explained.

    A sign that names no entry (a loss at the prior, ``val_loss`` below
    ``loss``) is a note, not a symptom, and does not count.
    """
    return (not answer.explained and not answer.near
            and not any(i.why in ("message", "log") for i in answer.items)
            and not any(s.entries for s in answer.signs))


def condense(text: str) -> str:
    """``text``, or for a long paste its distinct lines (digits aside), in order."""
    if len(text) <= LONG:
        return text
    seen: set[str] = set()
    keep = []
    for line in text.splitlines():
        key = line.translate(_DIGITS).strip()
        if key and key not in seen:
            seen.add(key)
            keep.append(line)
    return "\n".join(keep)


@functools.lru_cache(maxsize=1)
def _df() -> Counter:
    docs, _ = rank._default()
    return Counter(w for d in docs for w in set(words(" ".join(d.fields.values()))))


@functools.lru_cache(maxsize=512)
def _doc_words(doc: Document) -> frozenset[str]:
    return frozenset(words(" ".join(doc.fields.values())))


def reader_line(text: str, doc: Document) -> tuple[int, str] | None:
    """The paste's line (number, text) that shares the rarest words with ``doc``."""
    df, have = _df(), _doc_words(doc)
    best, where = 0.0, None
    for n, line in enumerate(text.splitlines(), 1):
        got = sum(1 / df.get(w, 1) for w in set(words(line)) & have)
        if got > best:
            best, where = got, (n, line.strip()[:160])
    return where


def _exact_line(text: str, m: exact.Match) -> tuple[int, str] | None:
    want = set(exact.tokens(m.pattern))
    scored = [(len(want & set(exact.tokens(ln))), n, ln) for n, ln in
              enumerate(text.splitlines(), 1)]
    best = max(scored, default=(0, 0, ""))
    return (best[1], best[2].strip()[:160]) if best[0] else None


def answer(text: str, entries: Sequence[Entry] | None = None) -> Answer:
    """The ranked answer to ``text`` (see the package doc)."""
    if entries is None:
        entries = load()
        docs, index = rank._default()
    else:
        docs = rank.documents(entries)
        index = rank.build_index(docs)
    by_ref = {d.ref: d for d in docs}
    short = condense(text)
    items: list[Item] = []
    for m in exact.match(short, entries):
        if m.entry.anchor in by_ref:
            items.append(Item(by_ref[m.entry.anchor], "message", float("inf"),
                              _exact_line(short, m)))
    signs = fingerprints.signs(text, entries)
    for s in signs:
        for e in s.entries:
            if e.anchor in by_ref and all(i.doc.ref != e.anchor for i in items):
                items.append(Item(by_ref[e.anchor], "log", float("inf"),
                                  (s.reading.line, s.reading.text[:160]), s.says))
    taken = {i.doc.ref for i in items}
    ranked = rank.rank(short, docs, index)
    top = ranked[0].score if ranked else 0.0
    strength = (top, top / max(1, len(rank.query_words(short))) ** 0.5)
    # a NaN alone has many causes, most of them in no chapter: the words decide
    decisive = [i for i in items if i.why == "message" or
                any(s.rule != "nonfinite" for s in signs if i.says == s.says)]
    explained = bool(decisive) or all(v >= t for v, t in zip(strength, CONFIDENT))
    hits = [h for h in ranked if h.doc.ref not in taken]
    for h in hits[:max(0, TOP - len(items))]:
        items.append(Item(h.doc, "words", h.score, reader_line(short, h.doc)))
    notes = tuple(s.says for s in signs if not s.entries)
    return Answer(tuple(items[:TOP]), tuple(signs), explained, notes,
                  near=not explained and all(v >= t for v, t in zip(strength, NEAR)))


def _config_baseurl(root: pathlib.Path) -> str:
    try:
        text = (root / "_config.yml").read_text(encoding="utf-8")
    except OSError:
        return ""
    m = re.search(r"(?m)^html:\s*\n(?:[ \t]+.*\n)*?[ \t]+baseurl:\s*['\"]?([^'\"\s#]+)", text)
    return m.group(1) if m else ""


def link(rel: str, site: str | None = None, root: pathlib.Path = ROOT) -> str:
    """An address a terminal can open for ``rel`` (a page relative to the site's root).

    The published site when it is known (``site``, the ``LOSS_CASEBOOK_SITE``
    variable, or ``html.baseurl`` in the book's ``_config.yml``), else the
    locally built page (``_build/html``) as a ``file://`` address, else ``rel``
    itself with the command that builds the site.
    """
    base = site or os.environ.get(SITE_ENV) or _config_baseurl(root)
    if base:
        return base.rstrip("/") + "/" + rel
    page, _, anchor = rel.partition("#")
    built = root / "_build" / "html" / page
    if built.is_file():
        return built.resolve().as_uri() + (f"#{anchor}" if anchor else "")
    return f"{rel} (on the site; build it with jupyter-book build . to open it here)"


def _item_text(n: int, item: Item, site: str | None) -> list[str]:
    d = item.doc
    if d.kind == "entry":
        head = f"{n}. {d.title}  [{d.entry.id}]"
    else:
        head = f"{n}. Section \"{d.title}\" of {d.ref.split('#')[0]}"
    lines = [head]
    if item.line:
        lines.append(f"   your line {item.line[0]}: {item.line[1]}")
    why = {"message": "the index holds this message",
           "log": f"your log shows {item.says}",
           "words": "shares words with it"}[item.why]
    lines.append(f"   why: {why}")
    if d.entry is not None:
        lines.append(f"   tell it apart: {d.entry.tell}")
        for c in d.entry.causes[:2]:
            lines.append(f"   cause: {c.cause}")
    lines.append(f"   read: {link(d.url, site)}")
    return lines


def explain(text: str, entries: Sequence[Entry] | None = None, site: str | None = None) -> str:
    """Everything ``python -m loss_casebook.explain`` prints for ``text``.

    Raises
    ------
    ValueError
        If ``text`` is not a string, is empty or holds no words.
    """
    if not isinstance(text, str) or not words(text) and not exact.tokens(text):
        raise ValueError("the input holds no words; paste a log, a traceback or a "
                         "sentence, or give a file or an entry's id.")
    return render(answer(text, entries), site)


def render(a: Answer, site: str | None = None) -> str:
    """The text of an :class:`Answer`, as ``explain`` prints it."""
    if a.explained:
        head = "The book explains this; best first:"
    elif a.near:
        head = ("The book may explain this, but the text matches it only in part; "
                "check the question under each answer:")
    elif a.items:
        head = ("Nothing in the book explains this text; the nearest entries and "
                "sections are:")
    else:
        head = "Nothing in the book explains this text, and no page shares a word with it."
    out = [head, ""]
    for note in a.notes:
        out.append(f"Your log shows {note}.")
    if a.notes:
        out.append("")
    for n, item in enumerate(a.items, 1):
        out += _item_text(n, item, site) + [""]
    first = next((i.doc.entry for i in a.items if i.doc.entry is not None), None)
    if first is not None:
        out.append(f"Whole entry: python -m loss_casebook.explain {first.id}")
    return "\n".join(out).rstrip() + "\n"


def explain_entry(eid: str, entries: Sequence[Entry] | None = None,
                  site: str | None = None) -> str:
    """The whole entry ``eid`` as ``python -m loss_casebook.explain ID`` prints it.

    Raises
    ------
    KeyError
        If no entry has that id (the message lists the ids).
    """
    entries = load() if entries is None else entries
    entry = next((e for e in entries if e.id == eid), None)
    if entry is None:
        raise KeyError(f"no entry has the id {eid!r}; the ids are "
                       + ", ".join(e.id for e in entries) + ".")
    out = [f"{entry.title}  [{entry.id}, {entry.kind}]", "", "Printed as:"]
    out += [f"  {t.text}    ({t.printed_by})" for t in entry.texts]
    out += ["", f"Tell it apart: {entry.tell}", ""]
    for n, c in enumerate(entry.causes, 1):
        out += [f"Cause {n}: {c.cause}", f"  Fix: {c.fix}",
                f"  Reproduced in {c.doc}, section \"{c.section}\": {link(c.html, site)}", ""]
    out.append(f"On the page Find your error: {link(entry.html, site)}")
    return "\n".join(out) + "\n"
