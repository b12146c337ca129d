"""The book's sections that explain ranks (loss_casebook/explain/sections.json) are current."""

import json

from loss_casebook.maintain import corpus


def test_the_sections_file_is_current():
    assert corpus.stale() == [], "run python -m loss_casebook.maintain.corpus"


def test_a_changed_chapter_is_named(tmp_path):
    stored = json.loads(corpus.corpus.SECTIONS.read_text(encoding="utf-8"))
    stored["sections"] = [dict(s, prose=s["prose"] + "x") if s["doc"] == "case2/03-localised"
                          else s for s in stored["sections"]]
    path = tmp_path / "sections.json"
    path.write_text(json.dumps(stored), encoding="utf-8")
    assert corpus.stale(path=path) == ["case2/03-localised"]


def test_every_section_of_every_page_is_there():
    docs = {s["doc"] for s in corpus.build()}
    assert {"case1/03-explained", "case6/02-cause-and-fix", "messages"} <= docs
    assert "find-your-error" not in docs


def test_check_and_bad_root_in_one_sentence(tmp_path, capsys):
    assert corpus.main(["--check"]) == 0
    assert corpus.main(["--root", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "holds no _toc.yml" in err and err.count("\n") == 1
