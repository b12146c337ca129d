"""The set of real reports (tests/reports/reports.toml) is well formed.

The set measures how well a reader's own words lead to the book's sections. It
is only fair if its halves are fixed by the ids, if every expected section is a
real heading of the book, and if it is large enough to score both kinds of
report.
"""

import hashlib
import json
import pathlib
import re
import tomllib

import pytest

try:  # the error index is moving into loss_casebook.explain
    from loss_casebook.explain.index import slug
except ImportError:
    from loss_casebook.errorindex import slug

ROOT = pathlib.Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
REPORTS = ROOT / "tests" / "reports" / "reports.toml"
KEYS = {"id", "url", "date", "half", "in_book", "expect", "cause", "evidence", "words"}
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")


def half_of(report_id: str) -> str:
    """The half an id belongs to, fixed before any tuning by its SHA-256."""
    digest = int(hashlib.sha256(report_id.encode()).hexdigest(), 16)
    return "tune" if digest % 2 == 0 else "holdout"


def book_anchors(book: pathlib.Path = BOOK) -> set[str]:
    """Every ``doc#anchor`` of a markdown heading in the book's notebooks."""
    anchors = set()
    for nb in sorted(book.rglob("*.ipynb")):
        if ".ipynb_checkpoints" in nb.parts:
            continue
        doc = nb.relative_to(book).with_suffix("").as_posix()
        for cell in json.loads(nb.read_text())["cells"]:
            if cell["cell_type"] != "markdown":
                continue
            in_code = False
            for line in "".join(cell["source"]).splitlines():
                if FENCE.match(line):
                    in_code = not in_code
                elif not in_code and (m := HEADING.match(line)):
                    anchors.add(f"{doc}#{slug(m.group(1))}")
    return anchors


def load(path: pathlib.Path = REPORTS) -> list[dict]:
    return tomllib.loads(path.read_text())["report"]


@pytest.fixture(scope="module")
def reports():
    return load()


def test_every_report_has_the_fields_and_no_others(reports):
    for r in reports:
        assert set(r) == KEYS, f"{r.get('id')}: fields {sorted(set(r) ^ KEYS)}"
        assert all(r[k].strip() for k in KEYS - {"in_book", "expect"}), r["id"]


def test_ids_are_unique_and_stable(reports):
    ids = [r["id"] for r in reports]
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]
    for i in ids:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", i), i


def test_every_half_is_the_one_its_id_hashes_to(reports):
    for r in reports:
        assert r["half"] == half_of(r["id"]), f"{r['id']}: half {r['half']!r}"


def test_the_hash_rule_is_the_stated_one():
    # sha256("a") ends in ...b5 (odd), sha256("b") in ...3d (odd), "c" in ...f6 (even)
    assert [half_of(x) for x in "abc"] == ["holdout", "holdout", "tune"]


def test_every_expected_section_is_a_heading_of_the_book(reports):
    anchors = book_anchors()
    assert "case5/01-as-reported#dense-1-activation-softmax" in anchors
    for r in reports:
        for a in r["expect"]:
            assert a in anchors, f"{r['id']}: no section {a!r} in the book"


def test_in_book_exactly_when_a_section_is_expected(reports):
    for r in reports:
        assert r["in_book"] is bool(r["expect"]), r["id"]


def test_the_set_is_large_enough_to_score_both_kinds(reports):
    assert len(reports) >= 70
    assert sum(not r["in_book"] for r in reports) >= 15
    in_book_halves = {r["half"] for r in reports if r["in_book"]}
    assert in_book_halves == {"tune", "holdout"}
