"""The book's error index: every message and symptom the chapters explain.

One TOML file, ``loss_casebook/errors.toml``, holds the index. The page *Find
your error* is generated from it (:mod:`loss_casebook.maintain.errorpage`),
``python -m loss_casebook.explain`` ranks it with the book's sections against
a pasted log or sentence (:mod:`loss_casebook.explain.rank`), and
:class:`loss_casebook.watch.SymptomWatch` watches ``fit`` for its symptoms.
New cases add their entries to that one file.

An entry has an ``id``, a ``title``, a ``kind`` (``"message"`` for text a
library prints, ``"symptom"`` for what a log shows), the ``texts`` the pinned
versions print (each with ``printed_by`` and, when a chapter's stored output
shows it, that ``chapter``), the ``variants`` readers paste (older wording,
other names and numbers), the ``words`` readers describe the symptom or the
mistake in (sentences and code from public reports), the ``tell`` (the one
question or check that tells the entry apart from its neighbours), one or
more ``causes`` (each with the ``doc`` and
``section`` that reproduce it and the ``fix``) and, for symptoms the callback
can see, a ``watch`` rule. :func:`load` checks all of that and says in one
sentence what is wrong.

This module never imports TensorFlow or Keras.
"""

from __future__ import annotations

import pathlib
import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

#: The index shipped with the package.
INDEX = pathlib.Path(__file__).parents[1] / "errors.toml"
KINDS = ("message", "symptom")
RULES = ("nonfinite", "negative", "plateau")
#: Floors a ``plateau`` rule may name (see :mod:`loss_casebook.watch.symptoms`).
FLOORS = ("sigmoid_ceiling",)
#: The page the index is generated into, relative to the site's root.
PAGE = "book/find-your-error.html"
_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class IndexFileError(ValueError):
    """The error index file is malformed; the message says where, in one sentence."""


@dataclass(frozen=True)
class Text:
    """A message's exact text as one version or backend prints it."""

    text: str
    printed_by: str
    chapter: str | None = None


@dataclass(frozen=True)
class Cause:
    """One cause of an entry, the chapter section that reproduces it, and the fix."""

    cause: str
    doc: str
    section: str
    fix: str
    also: tuple[str, ...] = ()

    @property
    def anchor(self) -> str:
        """The HTML id Sphinx gives the section's heading."""
        return slug(self.section)

    @property
    def html(self) -> str:
        """The section's address relative to the site's root."""
        return f"book/{self.doc}.html#{self.anchor}"


@dataclass(frozen=True)
class Entry:
    """One message or symptom of the index."""

    id: str
    title: str
    kind: str
    texts: tuple[Text, ...]
    variants: tuple[str, ...]
    causes: tuple[Cause, ...]
    watch: dict[str, Any] = field(default_factory=dict)
    words: tuple[str, ...] = ()
    tell: str = ""

    @property
    def anchor(self) -> str:
        """The entry's HTML id on the page *Find your error*."""
        return f"err-{self.id}"

    @property
    def html(self) -> str:
        """The entry's address relative to the site's root."""
        return f"{PAGE}#{self.anchor}"

    @property
    def patterns(self) -> tuple[str, ...]:
        """Everything a reader may paste for this entry: texts, then variants."""
        return tuple(t.text for t in self.texts) + self.variants


def slug(heading: str) -> str:
    """The id docutils gives a section titled ``heading`` (``make_id``, ASCII)."""
    s = re.sub(r"[^a-z0-9]+", "-", heading.lower())
    return re.sub(r"^[-0-9]+|-+$", "", s)  # as make_id: no leading digits


def _str(where: str, table: dict[str, Any], key: str, *, required: bool = True) -> str | None:
    value = table.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise IndexFileError(f"{where}: '{key}' must be a non-empty string, got {value!r}.")
    return value


def _strings(where: str, table: dict[str, Any], key: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise IndexFileError(f"{where}: '{key}' must be a list of non-empty strings.")
    return tuple(value)


def _watch(where: str, rule: Any) -> dict[str, Any]:
    if rule is None:
        return {}
    if not isinstance(rule, dict) or rule.get("rule") not in RULES:
        raise IndexFileError(f"{where}: 'watch.rule' must be one of {RULES}, got {rule!r}.")
    losses = rule.get("losses", [])
    if not isinstance(losses, list) or not all(isinstance(n, str) and n for n in losses):
        raise IndexFileError(f"{where}: 'watch.losses' must be a list of loss names.")
    if rule["rule"] in ("negative", "plateau") and not losses:
        raise IndexFileError(f"{where}: a '{rule['rule']}' rule needs 'losses'.")
    if rule["rule"] == "plateau":
        if rule.get("value") not in FLOORS:
            raise IndexFileError(f"{where}: 'watch.value' must be one of {FLOORS}.")
        tol = rule.get("tolerance")
        if isinstance(tol, bool) or not isinstance(tol, (int, float)) or not tol > 0:
            raise IndexFileError(f"{where}: 'watch.tolerance' must be a positive number.")
    return dict(rule)


def _cause(where: str, raw: Any) -> Cause:
    if not isinstance(raw, dict):
        raise IndexFileError(f"{where}: a cause is not a table.")
    also = raw.get("also", [])
    if not isinstance(also, list) or not all(isinstance(d, str) and d for d in also):
        raise IndexFileError(f"{where}: a cause's 'also' must be a list of chapter names.")
    unknown = set(raw) - {"cause", "doc", "section", "fix", "also"}
    if unknown:
        raise IndexFileError(f"{where}: a cause has the unknown key {sorted(unknown)[0]!r}.")
    return Cause(_str(where, raw, "cause"), _str(where, raw, "doc"),
                 _str(where, raw, "section"), _str(where, raw, "fix"), tuple(also))


def _entry(n: int, raw: Any) -> Entry:
    where = f"entry {n + 1}"
    if not isinstance(raw, dict):
        raise IndexFileError(f"{where} is not a table.")
    eid = _str(where, raw, "id")
    if not _ID.match(eid):
        raise IndexFileError(f"{where}: id {eid!r} must be lower-case words joined by '-'.")
    where = f"entry {eid!r}"
    kind = _str(where, raw, "kind")
    if kind not in KINDS:
        raise IndexFileError(f"{where}: 'kind' must be one of {KINDS}, got {kind!r}.")
    texts = []
    for t in raw.get("texts", []):
        chapter = _str(where, t, "chapter", required=False)
        texts.append(Text(_str(where, t, "text"), _str(where, t, "printed_by"), chapter))
    if not texts:
        raise IndexFileError(f"{where} has no texts.")
    variants = _strings(where, raw, "variants")
    words = _strings(where, raw, "words")
    causes = tuple(_cause(where, c) for c in raw.get("causes", []))
    if not causes:
        raise IndexFileError(f"{where} has no causes.")
    unknown = set(raw) - {"id", "title", "kind", "texts", "variants", "words", "tell",
                          "causes", "watch"}
    if unknown:
        raise IndexFileError(f"{where}: unknown key {sorted(unknown)[0]!r}.")
    return Entry(eid, _str(where, raw, "title"), kind, tuple(texts), variants,
                 causes, _watch(where, raw.get("watch")), words, _str(where, raw, "tell"))


def parse(text: str) -> list[Entry]:
    """Parse and check the index from TOML ``text``; return its entries in order.

    Raises
    ------
    IndexFileError
        If the TOML is invalid, an entry lacks a field or has a wrong one, or
        two entries share an id.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise IndexFileError(f"the error index is not valid TOML: {err}.") from None
    raw = data.get("entry")
    if not isinstance(raw, list) or not raw:
        raise IndexFileError("the error index has no [[entry]] tables.")
    entries = [_entry(n, e) for n, e in enumerate(raw)]
    seen: set[str] = set()
    for e in entries:
        if e.id in seen:
            raise IndexFileError(f"the id {e.id!r} is used by two entries.")
        seen.add(e.id)
    return entries


def load(path: str | pathlib.Path | None = None) -> list[Entry]:
    """Read the index (the package's ``errors.toml`` by default); see :func:`parse`."""
    path = pathlib.Path(path) if path is not None else INDEX
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise IndexFileError(f"cannot read the error index {path}: {err.strerror}.") from None
    return parse(text)
