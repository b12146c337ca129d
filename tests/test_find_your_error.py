"""The error index cannot drift from what the chapters print.

The page *Find your error* is generated from ``loss_casebook/errors.toml``
(``loss_casebook.maintain.errorpage``). These tests run on that index:

* every text an entry says a chapter shows is in that chapter's stored
  outputs (numbers may differ: they are compared as ``#``);
* every message a chapter prints, the error of each ``raises-exception``
  cell and each ``WARNING:logger:`` or ``SomethingError:``/``Warning:`` line
  of its outputs, is one of the index's texts: a chapter that prints a
  message the index lacks fails here;
* every cause names a section that exists in its chapter.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import subprocess
import sys

import pytest
import yaml

from loss_casebook import errorindex
from loss_casebook.errorindex import IndexFileError
from loss_casebook.maintain import errorpage

ROOT = pathlib.Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?")
#: A line of output that is a library's message: a logger's or an exception's.
PRINTED = re.compile(r"^(WARNING|ERROR):[\w.]+:|\b[A-Z]\w*(Error|Warning|Exception): ")
ENTRIES = errorindex.load()


def chapters() -> list[str]:
    """The book's notebooks as _toc.yml lists them (doc names relative to book/)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [c["file"] for part in toc["parts"] for c in part["chapters"]]
    return [f.removeprefix("book/") for f in files if (ROOT / f"{f}.ipynb").exists()]


def numbers_as_hash(text: str) -> str:
    return NUMBER.sub("#", text)


def outputs(doc: str) -> str:
    """All text a notebook's stored outputs show, colour codes removed."""
    parts = []
    for cell in json.loads((BOOK / f"{doc}.ipynb").read_text())["cells"]:
        for o in cell.get("outputs", []):
            if o["output_type"] == "stream":
                parts.append("".join(o["text"]))
            elif o["output_type"] == "error":
                parts.append(f"{o['ename']}: {o['evalue']}")
                parts.extend(o["traceback"])
            else:
                parts.append("".join(o.get("data", {}).get("text/plain", "")))
    return ANSI.sub("", "\n".join(parts))


def printed_messages(doc: str) -> list[str]:
    """The messages a chapter prints: raised errors, log and warning lines."""
    found = []
    for cell in json.loads((BOOK / f"{doc}.ipynb").read_text())["cells"]:
        tags = cell.get("metadata", {}).get("tags", [])
        for o in cell.get("outputs", []):
            if o["output_type"] == "error" and "raises-exception" in tags:
                found.append(ANSI.sub("", f"{o['ename']}: {o['evalue']}").strip())
            elif o["output_type"] == "stream":
                found += [line for line in ANSI.sub("", "".join(o["text"])).splitlines()
                          if PRINTED.search(line)]
    return found


def missing_from_index(messages: list[str], entries) -> list[str]:
    """The messages that contain none of the index's texts."""
    texts = [numbers_as_hash(t.text) for e in entries for t in e.texts]
    return [m for m in messages if not any(t in numbers_as_hash(m) for t in texts)]


TEXTS = [(e.id, t) for e in ENTRIES for t in e.texts if t.chapter]


def test_index_covers_both_cases_and_the_new_chapter():
    docs = {c.doc.split("/")[0] for e in ENTRIES for c in e.causes}
    assert {"case1", "case2", "messages"} <= docs
    assert len(ENTRIES) >= 10


@pytest.mark.parametrize("eid,text", TEXTS, ids=[f"{i}:{t.text[:30]}" for i, t in TEXTS])
def test_each_text_is_what_its_chapter_prints(eid, text):
    assert text.chapter in chapters(), f"{eid}: {text.chapter} is not in _toc.yml"
    assert numbers_as_hash(text.text) in numbers_as_hash(outputs(text.chapter)), (
        f"{eid}: {text.text!r} is not in the stored outputs of {text.chapter}")


@pytest.mark.parametrize("doc", chapters())
def test_every_message_a_chapter_prints_is_in_the_index(doc):
    assert missing_from_index(printed_messages(doc), ENTRIES) == []


def test_a_message_missing_from_the_index_fails():
    """Take one entry out of the index: the chapters that print it now fail."""
    without = [e for e in ENTRIES if e.id != "checkpoint-metric-missing"]
    lost = missing_from_index(printed_messages("case1/01-as-asked"), without)
    assert lost and "Can save best model only with val_acc available" in lost[0]


def test_every_cause_names_a_section_of_its_chapter():
    for e in ENTRIES:
        for c in e.causes:
            nb = json.loads((BOOK / f"{c.doc}.ipynb").read_text())
            headings = {h.strip() for cell in nb["cells"] if cell["cell_type"] == "markdown"
                        for h in re.findall(r"^#{1,3} (.+)$", "".join(cell["source"]), re.M)}
            assert c.section in headings, f"{e.id}: no section {c.section!r} in {c.doc}"
            for d in (c.doc, *c.also):
                assert d in chapters(), f"{e.id}: {d} is not a chapter"


def test_every_cause_of_a_message_with_several_is_reproduced_in_a_chapter():
    several = {e.id: e for e in ENTRIES if len(e.causes) > 1}
    assert {"checkpoint-metric-missing", "unknown-loss"} <= set(several)
    ckpt = [c.section for c in several["checkpoint-metric-missing"].causes]
    assert ckpt == ["A second surprise: no checkpoint", "The checkpoint counts batches",
                    "No validation data", "Callbacks from the other Keras"]


def test_the_page_is_generated_from_the_index():
    page = (BOOK / "find-your-error.md").read_text()
    assert "```{error-index}" in page
    assert "- **`" not in page, "entries belong in errors.toml, not on the page"


def test_editing_an_entry_changes_the_page():
    entry = ENTRIES[0]
    before = "\n".join(errorpage.entry_markdown(entry))
    edited = errorindex.parse((errorindex.INDEX.read_text()).replace(
        entry.title, entry.title + " (edited)", 1))[0]
    after = "\n".join(errorpage.entry_markdown(edited))
    assert before != after and "(edited)" in after


def test_every_text_and_variant_is_on_the_page():
    lines = "\n".join(line for e in ENTRIES for line in errorpage.entry_markdown(e))
    for e in ENTRIES:
        for p in e.patterns:
            assert " ".join(p.split()) in lines, (e.id, p)


@pytest.mark.parametrize("bad,says", [
    ("x = 1", "no [[entry]]"),
    ("[[entry]]\nid = 'A b'\n", "lower-case"),
    ("[[entry]]\nid = 'a'\ntitle = 't'\nkind = 'other'\n", "'kind' must be one of"),
    ("[[entry]]\nid = 'a'\ntitle = 't'\nkind = 'message'\n", "has no texts"),
    ("[[entry]]\nid = 'a'\ntitle = 't'\nkind = 'message'\n"
     "[[entry.texts]]\ntext = 'x y'\nprinted_by = 'k'\n", "has no causes"),
    ("[[entry\n", "not valid TOML"),
])
def test_a_malformed_index_is_refused_in_one_sentence(bad, says):
    with pytest.raises(IndexFileError, match=re.escape(says)) as info:
        errorindex.parse(bad)
    assert str(info.value).count(". ") == 0 or says == "not valid TOML"
    assert "\n" not in str(info.value)


def test_the_gather_text_without_a_chapter_is_what_tensorflow_prints():
    """The one index text no chapter prints: TensorFlow's gather under op determinism."""
    text = next(t.text for e in ENTRIES if e.id == "tf-deterministic-label-index"
                for t in e.texts if not t.chapter)
    code = ("import numpy as np, tensorflow as tf, keras\n"
            "tf.config.experimental.enable_op_determinism()\n"
            "try:\n"
            "    keras.losses.sparse_categorical_crossentropy(\n"
            "        np.array([4]), np.full((1, 4), 0.25, 'float32'))\n"
            "except tf.errors.InvalidArgumentError as err:\n"
            "    print(err)\n")
    env = dict(os.environ, KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="3")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, timeout=300)
    assert text in out.stdout, (out.stdout, out.stderr[-2000:])
