"""What the ranked search ranks: the error index's entries and the book's sections.

Two kinds of document, one list:

* an **entry** of the index (``errors.toml``), at its anchor on *Find your
  error*: its title, the texts and variants it is printed and pasted as, the
  words readers describe it in, its causes and fixes;
* a **section** of a chapter (every heading starts one), from
  ``sections.json``, which ``python -m loss_casebook.maintain.corpus`` writes
  from the notebooks: its heading, prose, code and printed outputs.

Each document has the fields :data:`FIELDS` (weighted by their boosts when
ranked) and the sections a reader sent to it is helped by (``helps``: for a
section itself, for an entry the sections of its causes).
"""

from __future__ import annotations

import json
import pathlib
from collections.abc import Sequence
from dataclasses import dataclass

from loss_casebook.explain.index import Entry, load

SECTIONS = pathlib.Path(__file__).with_name("sections.json")
#: Field name -> boost. A title word counts more than a word of the body.
FIELDS = {"title": 4, "said": 3, "body": 1}


@dataclass(frozen=True, eq=False)
class Document:
    """One ranked document: an index entry or a chapter section."""

    ref: str
    kind: str          # "entry" or "section"
    title: str
    url: str           # relative to the site's root
    fields: dict[str, str]
    helps: tuple[str, ...]
    entry: Entry | None = None


def entry_document(entry: Entry) -> Document:
    """The document of an index entry."""
    said = [t.text for t in entry.texts] + list(entry.variants) + list(entry.words)
    body = [entry.tell] + [f"{c.cause} {c.section} {c.fix}" for c in entry.causes]
    helps = tuple(dict.fromkeys(f"{c.doc}#{c.anchor}" for c in entry.causes))
    return Document(entry.anchor, "entry", entry.title, entry.html,
                    {"title": entry.title, "said": "\n".join(said), "body": "\n".join(body)},
                    helps, entry)


def section_documents(path: str | pathlib.Path | None = None) -> list[Document]:
    """The documents of the book's sections, from ``sections.json``."""
    path = pathlib.Path(path) if path is not None else SECTIONS
    try:
        records = json.loads(path.read_text(encoding="utf-8"))["sections"]
    except (OSError, ValueError, KeyError) as err:
        raise ValueError(f"cannot read the book's sections from {path}: {err}.") from None
    docs = []
    for r in records:
        ref = f"{r['doc']}#{r['anchor']}"
        docs.append(Document(ref, "section", r["heading"], f"book/{r['doc']}.html#{r['anchor']}",
                             {"title": r["heading"], "said": "",
                              "body": r["prose"] + "\n" + r["code"]}, (ref,)))
    return docs


def documents(entries: Sequence[Entry] | None = None,
              sections: str | pathlib.Path | None = None) -> list[Document]:
    """Every document the search ranks: the entries first, then the sections."""
    entries = load() if entries is None else entries
    return [entry_document(e) for e in entries] + section_documents(sections)
