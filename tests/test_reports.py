"""The front door measured on real public reports (tests/reports/reports.toml).

Each report is a reader's own words from a public thread, the cause that
thread established and the sections of the book that explain it. The set was
split in two by the hash of each report's id before anything was tuned: the
index's words and the thresholds of :mod:`loss_casebook.explain.reply` were
chosen on the ``tune`` half, and the ``holdout`` half was scored once,
untouched, before it became these regression tests. ``explain`` must send a
report whose cause the book explains to a right section among its first five
answers, and say of a report outside the book that the book does not explain
it, with the nearest entries. ``tests/test_site.py`` scores the site's
search page on the same set.
"""

from __future__ import annotations

import pathlib
import tomllib

import pytest

from loss_casebook.explain import rank, reply

REPORTS = tomllib.loads((pathlib.Path(__file__).parent / "reports" / "reports.toml")
                        .read_text(encoding="utf-8"))["report"]
_HELPS = {d.ref: set(d.helps) for d in rank.documents()}


def right(report: dict, refs: list[str]) -> bool:
    """Whether one of ``refs`` (entries or sections) is a section the report expects."""
    return any(_HELPS.get(r, set()) & set(report["expect"]) for r in refs)


@pytest.mark.parametrize("half,least", [("tune", 0.8), ("holdout", 0.9)])
def test_explain_sends_reports_the_book_explains_to_a_right_section(half, least):
    inside = [r for r in REPORTS if r["half"] == half and r["in_book"]]
    missed = [r["id"] for r in inside
              if not right(r, [i.doc.ref for i in reply.answer(r["words"]).items[:5]])]
    assert len(inside) - len(missed) >= least * len(inside), missed


@pytest.mark.parametrize("half", ["tune", "holdout"])
def test_explain_says_so_for_reports_outside_the_book(half):
    outside = [r for r in REPORTS if r["half"] == half and not r["in_book"]]
    answers = {r["id"]: reply.answer(r["words"]) for r in outside}
    wrong = [i for i, a in answers.items() if a.explained or not a.items]
    assert len(outside) - len(wrong) >= 0.75 * len(outside), wrong


def test_a_report_sent_nowhere_fails():
    report = dict(REPORTS[0], expect=["case1/01-as-asked#sources"])
    assert not right(report, [i.doc.ref for i in reply.answer(report["words"]).items[:5]])
