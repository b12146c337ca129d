"""Sphinx extension: the page *Find your error*, generated from the error index.

The directive ``{error-index}`` turns :mod:`loss_casebook.errorindex`'s
``errors.toml`` into MyST text and parses it in place, so that its ``{doc}``
links resolve and every text and variant is in Sphinx's search index. Each
entry gets the target ``err-<id>``.

Sphinx's search needs every word of a query on a page, so a sentence, a log
or a traceback finds nothing there. The extension therefore also serves the
ranked search of :mod:`loss_casebook.explain`: the exact matcher ported to
JavaScript (``errorsearch.js``, with the index as data,
``error-index-data.js``), lunr.js 2.3.9 (``vendor/``) and the index that the
Python port of lunr builds over every entry and section
(``ranked-search-data.js``, loaded only where it is used), put together by
``rankedsearch.js``: a paste box on the page, and on the search page the
book's best answers above Sphinx's own results. All are local files; they
work offline.
"""

from __future__ import annotations

import json
import pathlib
import re
from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

from loss_casebook import errorindex, explain
from loss_casebook.errorindex import Entry
from loss_casebook.explain import rank, reply

HERE = pathlib.Path(__file__).parent
SCRIPT = HERE / "errorsearch.js"
RANKED = HERE / "rankedsearch.js"
LUNR = HERE / "vendor" / "lunr-2.3.9.min.js"
PASTE_BOX = """<div id="error-paste" class="error-paste">
<label for="error-paste-input"><strong>Paste your message</strong>, a whole log or
traceback, or say what you see in your own words; the entries and sections of the
book that explain it best appear below, best first.</label>
<textarea id="error-paste-input" rows="4" style="width:100%"
 placeholder="e.g. WARNING:tensorflow:Can save best model only with val_f1 available, skipping."></textarea>
<p id="error-paste-verdict" class="ranked-verdict"></p>
<ol id="error-paste-results"></ol>
</div>"""


def code(text: str) -> str:
    """``text`` as one MyST inline code span, whitespace collapsed."""
    text = " ".join(text.split())
    longest = max((len(r) for r in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def doc(name: str) -> str:
    """A ``{doc}`` link to the chapter ``name`` (relative to ``book/``)."""
    return f"{{doc}}`/book/{name}`"


def entry_markdown(entry: Entry) -> list[str]:
    """The MyST lines of one entry of the page."""

    lines = [f"(err-{entry.id})=", f"### {entry.title}", ""]
    lines.append(f"Id {code(entry.id)}; in a terminal: "
                 f"{code('python -m loss_casebook.explain ' + entry.id)}")
    lines.append("")
    lines.append(f"**Tell it apart:** {entry.tell}")
    lines.append("")
    lines.append(f"*{entry.kind}*, printed as:")
    lines.append("")
    for t in entry.texts:
        where = f" (shown in {doc(t.chapter)})" if t.chapter else ""
        lines.append(f"- {code(t.text)} by {t.printed_by}{where}")
    lines.append("")
    if entry.variants:
        lines.append("Also pasted as: " + " · ".join(code(v) for v in entry.variants))
        lines.append("")
    if entry.words:
        lines.append("Readers describe it as: " + " · ".join(f"“{w}”" for w in entry.words))
        lines.append("")
    head = "Cause:" if len(entry.causes) == 1 else f"{len(entry.causes)} causes:"
    lines += [head, ""]
    for n, c in enumerate(entry.causes, 1):
        also = ""
        if c.also:
            also = " See also " + ", ".join(doc(d) for d in c.also) + "."
        lines.append(f"{n}. {c.cause} Reproduced in {doc(c.doc)}, section "
                     f"*{c.section}*. **Fix:** {c.fix}{also}")
    lines.append("")
    return lines


class ErrorIndexDirective(SphinxDirective):
    """``{error-index}``: every entry of the error index, then nothing else."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        path = self.env.config.error_index_path or None
        entries = errorindex.load(path)
        self.env.note_dependency(str(pathlib.Path(path or errorindex.INDEX).resolve()))
        lines: list[str] = []
        for entry in entries:
            lines += entry_markdown(entry)
        container = nodes.container(classes=["error-index"])
        container += nodes.raw("", PASTE_BOX, format="html")
        self.state.nested_parse(StringList(lines, source="errors.toml"),
                                self.content_offset, container)
        return [container]


def page_data(entries: list[Entry], page: str = "book/find-your-error.html") -> dict[str, Any]:
    """What ``error-index-data.js`` holds: entries, their links and the matcher's settings."""
    return {
        "page": page,
        "share": explain.SHARE,
        "stop": sorted(explain.STOP),
        "entries": [{
            "id": e.id, "title": e.title, "kind": e.kind,
            "anchor": f"err-{e.id}",
            "docs": [c.html for c in e.causes],
            "patterns": list(e.patterns),
        } for e in entries],
    }


def ranked_data(entries: list[Entry]) -> dict[str, Any]:
    """What ``ranked-search-data.js`` holds: lunr's index, the documents, the rules' settings."""
    docs = rank.documents(entries)
    return {
        "index": rank.build_index(docs).serialize(),
        "docs": {d.ref: [d.title, d.url, d.kind] for d in docs},
        "stop": sorted(rank.STOP),
        "maxTerms": rank.MAX_TERMS,
        "top": reply.TOP,
        "confident": list(reply.CONFIDENT),
        "near": list(reply.NEAR),
        # the entries a negative loss in a log names, by the losses they cover
        # (explain's fingerprints.negative_entries)
        "negative": [{"ref": e.anchor, "losses": list(e.watch.get("losses", []))}
                     for e in entries if e.watch.get("rule") == "negative"],
    }


def _write_static(app, config) -> None:
    """``config-inited``: write the data and the matcher into a static folder."""
    static = pathlib.Path(app.outdir).parent / "errorindex-static"
    static.mkdir(parents=True, exist_ok=True)
    data = page_data(errorindex.load(config.error_index_path or None))
    (static / "error-index-data.js").write_text(
        "window.LOSS_CASEBOOK_ERRORS = " + json.dumps(data, indent=1) + ";\n", encoding="utf-8")
    (static / "errorsearch.js").write_text(SCRIPT.read_text(encoding="utf-8"), encoding="utf-8")
    ranked = ranked_data(errorindex.load(config.error_index_path or None))
    (static / "ranked-search-data.js").write_text(
        "window.LOSS_CASEBOOK_RANKED = " + json.dumps(ranked, separators=(",", ":"),
                                                      ensure_ascii=False) + ";\n",
        encoding="utf-8")
    for src in (RANKED, LUNR):
        (static / src.name).write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    if str(static) not in config.html_static_path:
        config.html_static_path.append(str(static))


def setup(app) -> dict[str, Any]:
    app.add_config_value("error_index_path", "", "env")
    app.add_directive("error-index", ErrorIndexDirective)
    app.connect("config-inited", _write_static)
    app.add_js_file("error-index-data.js")
    app.add_js_file("errorsearch.js")
    app.add_js_file(LUNR.name)
    app.add_js_file(RANKED.name)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
