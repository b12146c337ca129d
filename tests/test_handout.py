"""The hand-out record and how the grader finds a student's notebooks (no kernels run)."""

import json
import pathlib
import shutil

import nbformat
import pytest

from loss_casebook.classroom import handout
from loss_casebook.classroom.checkers import EXERCISES
from loss_casebook.classroom.student import make_student_copies

ROOT = pathlib.Path(__file__).resolve().parents[1]
C1, C2, C3 = "case1/05-exercises.ipynb", "case2/05-exercises.ipynb", "case3/03-exercises.ipynb"


def _labels(rel):
    return [label for label, ex in EXERCISES.items() if ex.notebook == rel]


def _students(tmp_path, records):
    """One folder per student, each with the record of the given cases (None: no record)."""
    folders = []
    for name, cases in records.items():
        folder = tmp_path / name
        if cases is None:
            folder.mkdir()
        else:
            make_student_copies(folder, ROOT, cases=cases)
        folders.append(folder)
    return folders


def test_the_students_records_decide_when_they_agree(tmp_path):
    chosen = handout.plan(_students(tmp_path, {"ada": ["1"], "ben": ["1"], "cy": None}))
    assert chosen.notebooks == {C1: _labels(C1)}
    assert chosen.source == ("grading the hand-out recorded in the students' folders "
                             "(handout.json, 2 of 3 students): 1 notebook, 4 exercises.")
    assert chosen.warnings == []


def test_records_that_differ_are_united_and_named(tmp_path):
    """A student who drops a notebook from their record does not drop it for anyone."""
    folders = _students(tmp_path, {"ada": ["1", "3"], "ben": ["1", "3"], "eve": ["1"]})
    chosen = handout.plan(folders)
    assert chosen.notebooks == {C1: _labels(C1), C3: _labels(C3)}
    assert chosen.warnings == ["the hand-out records of eve differ from the others'; grading "
                               "every notebook any record lists (pass --handout to grade your "
                               "own)."]


def test_an_unreadable_record_in_a_students_folder_is_ignored_and_said(tmp_path):
    ada, ben = _students(tmp_path, {"ada": ["2"], "ben": None})
    (ben / "handout.json").write_text("{}")
    chosen = handout.plan([ada, ben])
    assert list(chosen.notebooks) == [C2]
    assert chosen.warnings == [f"ignored ben/handout.json: {ben / 'handout.json'} is not a "
                               "hand-out record written by python -m "
                               "loss_casebook.classroom.student."]


def test_no_record_means_every_notebook(tmp_path):
    chosen = handout.plan(_students(tmp_path, {"ada": None}))
    assert chosen.notebooks == handout.book_notebooks()
    assert chosen.source.startswith("no hand-out record (handout.json) in the students' folders")


def test_the_teachers_record_wins(tmp_path):
    ada, = _students(tmp_path, {"ada": ["1", "2"]})
    make_student_copies(tmp_path / "handout", ROOT, cases=["3"])
    for where in (tmp_path / "handout", tmp_path / "handout" / "handout.json"):
        assert handout.plan([ada], where).notebooks == {C3: _labels(C3)}


@pytest.mark.parametrize("data, words", [
    ({"kind": "something else", "notebooks": [{"path": C1, "exercises": ["ex-c1-sign"]}]},
     "not a hand-out record"),
    ({"kind": handout.KIND, "notebooks": []}, "not a hand-out record"),
    ({"kind": handout.KIND, "notebooks": [{"path": C1, "exercises": ["ex-c2-eps"]}]},
     "lists the exercise 'ex-c2-eps' in case1/05-exercises.ipynb, which this book's checkers "
     "do not grade there"),
    ({"kind": handout.KIND, "notebooks": [{"path": C1}]}, "lists 'case1/05-exercises.ipynb'"),
])
def test_read_record_refuses_what_this_book_cannot_grade(tmp_path, data, words):
    (tmp_path / "handout.json").write_text(json.dumps(data))
    with pytest.raises(handout.HandoutError, match=words):
        handout.read_record(tmp_path)


def test_read_record_keeps_the_books_order():
    rec = handout.record({C2: list(reversed(_labels(C2))), C1: _labels(C1)[:1]})
    assert [n["path"] for n in rec["notebooks"]] == [C2, C1]


def _notebook(path, source_cells, metadata=None):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in source_cells]
    nb.metadata.update(metadata or {})
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def test_a_notebook_is_known_by_its_metadata_or_by_the_checkers_it_calls(tmp_path):
    assert handout.handed_out_as(_notebook(tmp_path / "a.ipynb", [], {
        "loss_casebook": {"handout": C3}})) == C3
    assert handout.handed_out_as(_notebook(tmp_path / "b.ipynb", [
        "check_loss_sign(signs)", "check_smallest_eps(eps)", "check_sigmoid_ceiling(c)"])) == C1
    # a tie, a definition only, no checker: not known
    assert handout.handed_out_as(_notebook(tmp_path / "c.ipynb", [
        "check_loss_sign(signs)", "check_smallest_eps(eps)"])) is None
    assert handout.handed_out_as(_notebook(tmp_path / "d.ipynb", [
        "def check_loss_sign(x):\n    pass"])) is None
    (tmp_path / "e.ipynb").write_text('{"cells": 3')
    assert handout.handed_out_as(tmp_path / "e.ipynb") is None


def test_locate_prefers_the_hand_out_path_and_skips_hidden_folders(tmp_path):
    make_student_copies(tmp_path / "ada", ROOT, cases=["1"])
    ada = tmp_path / "ada"
    (ada / ".ipynb_checkpoints").mkdir()
    (ada / C1).rename(ada / ".ipynb_checkpoints" / "05-exercises-checkpoint.ipynb")
    found = handout.locate_all(ada, [C1])[C1]
    assert found.path is None and found.message == f"no {C1} in the student's folder."
    make_student_copies(tmp_path / "ada", ROOT, cases=["1"], force=True)
    make_student_copies(tmp_path / "ada" / "deeper", ROOT, cases=["1"])
    found = handout.locate_all(ada, [C1])[C1]
    assert found.path == ada / C1
    assert found.note == (f"also found deeper/{C1}, with the same exercises, not graded.")


def test_a_notebook_one_folder_too_deep_is_found_without_a_note(tmp_path):
    make_student_copies(tmp_path / "ben" / "handin", ROOT, cases=["2"])
    found = handout.locate_all(tmp_path / "ben", [C2])[C2]
    assert found.path == tmp_path / "ben" / "handin" / C2 and found.note == ""


def test_a_renamed_copy_is_graded_in_place_and_two_are_named(tmp_path):
    ada = tmp_path / "ada"
    make_student_copies(ada, ROOT, cases=["1", "2"])
    (ada / C1).rename(ada / "05-exercises (1).ipynb")
    (ada / C2).rename(ada / "case2" / "05-exercises-Copy1.ipynb")
    found = handout.locate_all(ada, [C1, C2])
    assert found[C1].path == ada / "05-exercises (1).ipynb"
    assert found[C1].note == ("graded 05-exercises (1).ipynb in its place, a notebook with its "
                              f"exercises (there is no {C1} in the student's folder).")
    assert found[C2].path == ada / "case2" / "05-exercises-Copy1.ipynb"
    # case 1's notebook saved in case 2's folder: case 2's is the renamed copy
    (ada / "05-exercises (1).ipynb").rename(ada / C2)
    found = handout.locate_all(ada, [C1, C2])
    assert (found[C1].path, found[C2].path) == (ada / C2, ada / "case2" / "05-exercises-Copy1.ipynb")
    # two copies of case 2: both named, none graded
    (ada / C2).rename(ada / "old.ipynb")
    shutil.copy(ada / "case2" / "05-exercises-Copy1.ipynb", ada / "05-exercises-Copy2.ipynb")
    found = handout.locate_all(ada, [C1, C2])
    assert found[C1].path == ada / "old.ipynb"
    assert found[C2].path is None and found[C2].message == (
        f"no {C2} in the student's folder, and 2 notebooks hold its exercises "
        "(05-exercises-Copy2.ipynb, case2/05-exercises-Copy1.ipynb): rename the one to grade.")
