"""The grader on a synthetic class built from the student copies."""

import csv
import os
import pathlib
import shutil
import subprocess
import sys
import time

import nbformat
import pytest

from loss_casebook.classroom import grade
from loss_casebook.classroom.checkers import EXERCISES, NOT_SOLVED
from loss_casebook.classroom.student import make_student_copies

ROOT = pathlib.Path(__file__).resolve().parents[1]
C1, C2 = "case1/05-exercises.ipynb", "case2/05-exercises.ipynb"
TIMEOUT = 60  # seconds per notebook; the endless loop costs exactly this

RIGHT = {
    "distance": "distance = 1 - (Y_TRUE * Y_PRED).sum(-1) / (\n"
                "    np.linalg.norm(Y_TRUE, axis=-1) * np.linalg.norm(Y_PRED, axis=-1))",
    "signs": "signs = list(-np.sign((Y_TRUE * Y_PRED).sum(-1)))",
    "letter": 'letter = "b"',
    "ceiling": "ceiling = (np.linalg.norm(np.maximum(Y_TRUE, 0), axis=-1)\n"
               "           / np.linalg.norm(Y_TRUE, axis=-1))",
    "eps": "eps = 1e-7",
    "head": "def head(cos):\n    return (1 + cos) / 2",
    "nan_heads": 'nan_heads = "both"',
    "backend": 'backend = "PyTorch"',
}
TYPICAL = {  # one typical mistake per exercise
    "distance": "distance = -(Y_TRUE * Y_PRED).sum(-1) / (\n"
                "    np.linalg.norm(Y_TRUE, axis=-1) * np.linalg.norm(Y_PRED, axis=-1))",
    "signs": "signs = list(np.sign((Y_TRUE * Y_PRED).sum(-1)))",
    "letter": 'letter = "a"',
    "ceiling": "ceiling = [1.0, 1.0, 1.0]",
    "eps": "eps = 1e-8",
    "head": "def head(cos):\n    return 1 - ops.arccos(cos) / math.pi",
    "nan_heads": 'nan_heads = "answer"',
    "backend": 'backend = "jax"',
}
LABELS = {C1: ["ex-c1-distance", "ex-c1-sign", "ex-c1-accuracy", "ex-c1-ceiling"],
          C2: ["ex-c2-eps", "ex-c2-head", "ex-c2-broken", "ex-c2-backend"]}
OK = {  # the checkers' sentences for RIGHT and TYPICAL, in label order
    "ex-c1-distance": ("Correct: 1 - cos, from 0 (same direction) to 2 (opposite).",
                       "That is Keras's cosine loss, -cos: add 1 to get the distance 1 - cos."),
    "ex-c1-sign": ("Correct: the loss is -cos, negative when the vectors agree.",
                   "Every sign is flipped: the loss is minus the cosine."),
    "ex-c1-accuracy": ("Correct: categorical accuracy, argmax of prediction == argmax of target.",
                       "No: nothing is thresholded; Keras compares the positions of the largest "
                       "components."),
    "ex-c1-ceiling": ("Correct: |max(y, 0)| / |y|, below 1 only where y has a negative part.",
                      "Row 1 has negative components, which positive outputs can never match."),
    "ex-c2-eps": ("Correct: 1e-7 is the smallest power of ten with 1 - eps < 1 in float32.",
                  "eps too small: 1 - eps rounds to 1 in float32, where acos has an infinite slope."),
    "ex-c2-head": ("Correct: finite values and gradients, a similarity in [0, 1].",
                   "The head returns NaN for a cosine just above 1; clip the cosine before acos."),
    "ex-c2-broken": ("Correct: acos of a cosine above 1 is NaN, and clip passes a NaN through.",
                     "The question's head is broken too: acos of a cosine above 1 is NaN."),
    "ex-c2-backend": ("Correct: torch's binary_cross_entropy raises a RuntimeError on CPU (a "
                      "device-side assert on CUDA) for an input outside [0, 1], and NaN is "
                      "outside.",
                      "No: jax computes the cross-entropy with its own log and returns NaN; look "
                      "for the backend whose loss function checks its input."),
}


def _answer_cell(nb, var):
    return next(c for c in nb.cells if c.cell_type == "code"
                and c.source.startswith(f"{var} = None"))


def _checker_cell(nb, label):
    name = EXERCISES[label].checker.__name__
    return next(c for c in nb.cells if c.cell_type == "code" and c.source.startswith(name))


def _edit(path, answers=None, change=None):
    nb = nbformat.read(path, as_version=4)
    for var, code in (answers or {}).items():
        if any(c.source.startswith(f"{var} = None") for c in nb.cells):
            _answer_cell(nb, var).source = code
    if change:
        change(nb)
    nbformat.write(nb, path)


def _handout(folder):
    """Student copies of cases 1 and 2, with their record, in ``folder``; their two paths."""
    folder.mkdir(parents=True)
    return make_student_copies(folder, ROOT, cases=["1", "2"])


def _cell(path, start):
    """The number (from 1, as Jupyter lists them) of the first cell of ``path`` so starting."""
    cells = nbformat.read(path, as_version=4).cells
    return next(i for i, c in enumerate(cells, 1) if c.source.startswith(start))


def _before(label, cell):
    def change(nb):
        at = nb.cells.index(_checker_cell(nb, label))
        nb.cells.insert(at, cell)
    return change


def _build_class(subs: pathlib.Path) -> None:
    """Ten students, each with a different way to succeed or fail."""
    for p in _handout(subs / "ada"):  # all right, one exercise moved to the top
        def move_backend(nb):
            answer = next(c for c in nb.cells if c.source == RIGHT["backend"])
            cells = [answer, _checker_cell(nb, "ex-c2-backend")]
            for c in cells:
                nb.cells.remove(c)
            nb.cells[4:4] = cells
        _edit(p, RIGHT, move_backend if p.parent.name == "case2" else None)
    for p in _handout(subs / "ben"):  # the typical mistakes
        _edit(p, TYPICAL)
    _handout(subs / "cleo")  # handed in untouched
    c1, c2 = _handout(subs / "dan")  # case 1 is not JSON any more
    c1.write_text(c1.read_text()[:500])
    _edit(c2, RIGHT)
    c1, c2 = _handout(subs / "eve")  # an endless loop before the head's checker
    _edit(c1, RIGHT)
    _edit(c2, RIGHT, _before("ex-c2-head", nbformat.v4.new_code_cell("while True:\n    pass")))
    c1, c2 = _handout(subs / "finn")  # deleted the sign checker
    _edit(c1, RIGHT, lambda nb: nb.cells.remove(_checker_cell(nb, "ex-c1-sign")))
    c1, c2 = _handout(subs / "gus")  # an exception in an answer; a checker wrapped in print
    _edit(c1, {**RIGHT, "distance": "distance = 1 / 0"},
          lambda nb: setattr(_checker_cell(nb, "ex-c1-accuracy"), "source",
                             "check_accuracy_meaning(letter)\nprint('done')"))
    c1, c2 = _handout(subs / "hal")  # the eps answer cell emptied
    _edit(c2, {**RIGHT, "eps": ""})
    nested = subs / "ivy" / "handin"  # handed in one folder too deep, with extra files
    _handout(nested)
    _edit(nested / C1, RIGHT)
    (nested / C2).unlink()
    (nested / "README.txt").write_text("my notes")
    (subs / "jo").mkdir()  # a folder without notebooks
    (subs / "jo" / "answers.docx").write_bytes(b"PK\x03\x04")
    (subs / "notes.txt").write_text("not a student")
    c1, c2 = _handout(subs / "kai")  # saved under other names, one folder off
    _edit(c1, RIGHT)
    c1.rename(subs / "kai" / "05-exercises (1).ipynb")
    _edit(c2, RIGHT)
    c2.rename(c2.with_name("05-exercises-Copy1.ipynb"))
    c1, c2 = _handout(subs / "lou")  # a cell raised after the answers; a spare copy
    _edit(c1, RIGHT, lambda nb: nb.cells.append(nbformat.v4.new_code_cell("plot(distance)")))
    shutil.copy(c2, c2.with_name("05-exercises (1).ipynb"))
    _edit(c2, RIGHT)
    c1, c2 = _handout(subs / "mia")  # case 2's notebook saved into case 1's folder
    _edit(c2, RIGHT)
    c2.replace(c1)
    c2.parent.rmdir()
    c1, c2 = _handout(subs / "nat")  # two renamed copies of case 1; case 2 gone
    shutil.copy(c1, subs / "nat" / "05-exercises-Copy1.ipynb")
    c1.rename(c1.with_name("05-exercises-Copy2.ipynb"))
    c2.unlink()
    nbformat.write(nbformat.v4.new_notebook(), subs / "nat" / "scratch.ipynb")


def _rows(student, verdicts, notes=None):
    """Rows for one student from {label: (verdict, message)}; others 'correct'.

    ``notes`` gives the note of each notebook ({C1: "...", C2: "..."}), '' by default.
    """
    out = []
    for relpath, labels in LABELS.items():
        for label in labels:
            verdict, message = verdicts.get(label, ("correct", OK[label][0]))
            out.append((student, label, verdict, message, (notes or {}).get(relpath, "")))
    return out


def _all(verdict, message, labels):
    return {label: (verdict, message) for label in labels}


def _in_place(name, relpath):
    return (f"graded {name} in its place, a notebook with its exercises (there is no "
            f"{relpath} in the student's folder).")


def _expected(subs):
    c1, c2 = LABELS[C1], LABELS[C2]
    not_solved = ("not solved", NOT_SOLVED)
    broken = ("broken notebook", "05-exercises.ipynb is not valid JSON, so Jupyter cannot open "
              "it; it may have been cut off or edited outside Jupyter.")
    gus = _cell(subs / "gus" / C1, "distance = 1 / 0")
    hal = _cell(subs / "hal" / C2, "check_smallest_eps")
    lou = _cell(subs / "lou" / C1, "plot(distance)")
    nat = ("no case1/05-exercises.ipynb in the student's folder, and 2 notebooks hold its "
           "exercises (05-exercises-Copy1.ipynb, case1/05-exercises-Copy2.ipynb): rename the "
           "one to grade.")
    return [
        *_rows("ada", {}),
        *_rows("ben", {label: ("wrong", OK[label][1]) for label in c1 + c2}),
        *_rows("cleo", {label: not_solved for label in c1 + c2}),
        *_rows("dan", {label: broken for label in c1}),
        *_rows("eve", _all("timeout", f"the notebook did not finish within {TIMEOUT} s "
                           "(an endless loop?).", c2[1:])),
        *_rows("finn", {label: not_solved for label in c2}),  # graded without the checker
        *_rows("gus", {"ex-c1-distance": ("error before checker",
                                          "ZeroDivisionError: division by zero."),
                       **{label: not_solved for label in c2}},
               {C1: f"cell {gus} (`distance = 1 / 0`) raised ZeroDivisionError: division by "
                    "zero, and 1 more cell raised."}),
        *_rows("hal", {"ex-c2-eps": ("error before checker",
                                     "NameError: name 'eps' is not defined."),
                       **{label: not_solved for label in c1}},
               {C2: f"cell {hal} (`check_smallest_eps(eps)`) raised NameError: name 'eps' is "
                    "not defined."}),
        *_rows("ivy", _all("missing notebook", f"no {C2} in the student's folder.", c2)),
        *_rows("jo", {**_all("missing notebook", f"no {C1} in the student's folder.", c1),
                      **_all("missing notebook", f"no {C2} in the student's folder.", c2)}),
        *_rows("kai", {}, {C1: _in_place("05-exercises (1).ipynb", C1),
                           C2: _in_place("case2/05-exercises-Copy1.ipynb", C2)}),
        *_rows("lou", {}, {C1: f"cell {lou} (`plot(distance)`) raised NameError: name 'plot' is "
                               "not defined, after the answers: the grades are what the answers "
                               "earn.",
                           C2: "also found case2/05-exercises (1).ipynb, with the same "
                               "exercises, not graded."}),
        *_rows("mia", _all("missing notebook", f"{C1} holds {C2}'s exercises, and no notebook "
                           f"in the student's folder holds {C1}'s.", c1),
               {C2: _in_place(C1, C2)}),
        *_rows("nat", {**_all("missing notebook", nat, c1),
                       **_all("missing notebook", f"no {C2} in the student's folder (it holds "
                              "other notebooks, none with these exercises: scratch.ipynb).", c2)}),
    ]


#: The students of the made-up class, in the order of grades.csv.
STUDENTS = ("ada", "ben", "cleo", "dan", "eve", "finn", "gus", "hal", "ivy", "jo", "kai", "lou",
            "mia", "nat")


def _sandbox_flag() -> list[str]:
    """No flag where the sandbox works (always in CI); elsewhere grade unconfined."""
    from loss_casebook.classroom.sandbox import SandboxError, check_sandbox

    try:
        check_sandbox()
    except SandboxError:
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            raise
        return ["--no-sandbox"]
    return []


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    subs = tmp_path_factory.mktemp("class") / "submissions"
    subs.mkdir()
    _build_class(subs)
    before = grade.sha256_tree(subs)
    out = subs.parent / "out"
    start = time.monotonic()
    run = subprocess.run([sys.executable, "-m", "loss_casebook.classroom.grade", str(subs), "--out",
                          str(out), "--timeout", str(TIMEOUT), *_sandbox_flag()],
                         capture_output=True, text=True)
    seconds = time.monotonic() - start
    print(f"graded {len(STUDENTS)} submissions in {seconds:.0f} s")
    return dict(subs=subs, out=out, run=run, before=before, seconds=seconds)


def test_grades_csv_rows(graded):
    assert graded["run"].returncode == 0, graded["run"].stderr
    with (graded["out"] / "grades.csv").open(newline="") as f:
        rows = list(csv.reader(f))
    assert tuple(rows[0]) == grade.HEADER
    got = [tuple(r) for r in rows[1:]]
    assert got == _expected(graded["subs"])
    assert len(got) == len(STUDENTS) * (len(LABELS[C1]) + len(LABELS[C2]))


def test_the_grader_says_what_it_grades(graded):
    assert graded["run"].stdout.splitlines()[0] == (
        "grading the hand-out recorded in the students' folders (handout.json, "
        f"{len(STUDENTS) - 1} of {len(STUDENTS)} students): 2 notebooks, 8 exercises.")


def test_no_submission_file_changes(graded):
    assert grade.sha256_tree(graded["subs"]) == graded["before"]


def test_grading_takes_under_three_minutes(graded):
    assert graded["seconds"] < 180


def test_feedback_and_skipped_files(graded):
    feedback = sorted(p.name for p in (graded["out"] / "feedback").iterdir())
    assert feedback == [f"{s}.md" for s in STUDENTS]
    ada = (graded["out"] / "feedback" / "ada.md").read_text()
    assert ada.startswith("ada: 8 of 8 exercises correct.") and "Note" not in ada
    assert ada.count("\n") == 1
    ben = (graded["out"] / "feedback" / "ben.md").read_text()
    assert ben.startswith("ben: 0 of 8") and "Every sign is flipped" in ben
    lou = (graded["out"] / "feedback" / "lou.md").read_text()
    assert lou.startswith("lou: 8 of 8 exercises correct.")
    cell = _cell(graded["subs"] / "lou" / C1, "plot(distance)")
    assert lou.count("Note on ") == 2 and (
        f"Note on {C1}: cell {cell} (`plot(distance)`) raised NameError: name 'plot' is not "
        "defined, after the answers: the grades are what the answers earn.") in lou
    kai = (graded["out"] / "feedback" / "kai.md").read_text()
    assert kai.startswith("kai: 8 of 8") and f"Note on {C1}: graded 05-exercises (1).ipynb" in kai
    assert "skipped 1 file(s)" in graded["run"].stderr and "notes.txt" in graded["run"].stderr
    assert "Traceback" not in graded["run"].stderr


def test_refuses_to_overwrite_grades(graded):
    run = _grade(graded["subs"], "--out", graded["out"])
    assert run.returncode == 2 and "already exists" in run.stderr and "--force" in run.stderr


def test_plot_from_grades_csv(graded, tmp_path):
    png = tmp_path / "rates.png"
    run = _grade("--plot", graded["out"] / "grades.csv", png)
    assert run.returncode == 0, run.stderr
    assert png.read_bytes().startswith(b"\x89PNG")
    rates = grade.pass_rates(grade.read_grades(graded["out"] / "grades.csv"))
    handed_out = [label for labels in LABELS.values() for label in labels]
    assert list(rates) == handed_out  # no exercise that was not handed out
    assert all(0 < rates[label] < 1 for label in handed_out)


def _grade(*args):
    return subprocess.run([sys.executable, "-m", "loss_casebook.classroom.grade", *map(str, args)],
                          capture_output=True, text=True)


@pytest.mark.parametrize("make, words", [
    (lambda t: t / "missing", "there is no folder"),
    (lambda t: t, "holds no student folders"),
    (lambda t: (t / "f.txt").write_text("x") and t / "f.txt", "is a file"),
])
def test_unusable_submissions_folder(tmp_path, make, words):
    subs = tmp_path / "subs"
    subs.mkdir()
    run = _grade(make(subs), "--out", tmp_path / "out")
    assert run.returncode == 2 and words in run.stderr, run.stderr
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr


def test_out_inside_submissions_and_missing_arguments(tmp_path):
    (tmp_path / "ada").mkdir()
    run = _grade(tmp_path, "--out", tmp_path / "out")
    assert run.returncode == 2 and "inside" in run.stderr
    run = _grade(tmp_path)
    assert run.returncode == 2 and "--out" in run.stderr


def test_plot_refuses_a_file_that_is_not_grades(tmp_path):
    bad = tmp_path / "x.csv"
    bad.write_text("a,b\n1,2\n")
    run = _grade("--plot", bad, tmp_path / "x.png")
    assert run.returncode == 2 and "header" in run.stderr and "Traceback" not in run.stderr
    run = _grade("--plot", tmp_path / "none.csv", tmp_path / "x.png")
    assert run.returncode == 2 and "no file" in run.stderr


def test_feedback_paragraph_and_pass_rates():
    rows = [grade.Row("a", "ex-c1-sign", "correct", "Correct."),
            grade.Row("a", "ex-c1-distance", "wrong", "Wrong sign."),
            grade.Row("b", "ex-c1-distance", "correct", "Correct.")]
    assert grade.feedback_paragraph("a", rows) == (
        "a: 1 of 2 exercises correct. ex-c1-sign: correct. ex-c1-distance: wrong (Wrong sign).")
    assert grade.pass_rates(rows) == {"ex-c1-distance": 0.5, "ex-c1-sign": 1.0}


def test_an_old_grades_csv_without_notes_still_reads(tmp_path):
    old = tmp_path / "grades.csv"
    old.write_text("student,exercise,verdict,message\na,ex-c1-sign,correct,Correct.\n")
    assert grade.read_grades(old) == [grade.Row("a", "ex-c1-sign", "correct", "Correct.", "")]
    old.write_text("student,exercise,verdict,message,note\na,ex-c1-sign,correct\n")
    with pytest.raises(grade.GradesError, match="number of fields"):
        grade.read_grades(old)


def test_feedback_gives_each_notebooks_note_once():
    note = "cell 9 (`plot(x)`) raised NameError: name 'plot' is not defined."
    rows = [grade.Row("a", "ex-c1-sign", "correct", "Correct.", note),
            grade.Row("a", "ex-c1-distance", "correct", "Correct.", note),
            grade.Row("a", "ex-c2-eps", "correct", "Correct.", "")]
    assert grade.feedback_paragraph("a", rows) == (
        "a: 3 of 3 exercises correct. ex-c1-sign: correct. ex-c1-distance: correct. "
        f"ex-c2-eps: correct. Note on {C1}: {note}")


def _cells(*specs):
    """Executed cells: ("code", source, error name or None) or ("ours", ...)."""
    cells = []
    for kind, source, error in specs:
        cell = nbformat.v4.new_code_cell(source)
        if error:
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="x\n"),
                            nbformat.v4.new_output("error", ename=error, evalue="it broke\nmore",
                                                   traceback=[])]
        cells.append((kind, cell))
    return [c for _, c in cells], [c for k, c in cells if k == "ours"]


@pytest.mark.parametrize("specs, note", [
    ([("code", "x = 1", None), ("ours", "capture", None), ("code", "plot(x)", "NameError")],
     "cell 2 (`plot(x)`) raised NameError: it broke, after the answers: the grades are what "
     "the answers earn."),
    ([("code", "x = 1 / 0", "ZeroDivisionError"), ("ours", "capture", None),
      ("code", "y", "NameError"), ("code", "z", "NameError")],
     "cell 1 (`x = 1 / 0`) raised ZeroDivisionError: it broke, and 2 more cells raised."),
    ([("code", "x = 1", None), ("ours", "capture", None)], ""),
    ([("ours", "capture", None), ("code", "\n\n" + "a_long_name = " * 9, "MemoryError")],
     "cell 1 (`a_long_name = a_long_name = a_long_na...`) raised MemoryError: it broke, "
     "after the answers: the grades are what the answers earn."),
])
def test_the_note_names_the_cell_that_raised(specs, note):
    cells, ours = _cells(*specs)
    assert grade.raised_note(cells, ours) == note


def _plot_class(where):
    """A grades.csv of one student in ``where``/results."""
    grade.write_grades([grade.Row("a", "ex-c1-sign", "correct", "Correct.")],
                       where / "results" / "grades.csv")
    return where / "results" / "grades.csv"


def test_plot_refuses_a_book_folder_unless_forced(tmp_path):
    csv_path = _plot_class(tmp_path)
    for inside in (ROOT / "pass-rates.png", ROOT / "book" / "new" / "rates.png"):
        run = _grade("--plot", csv_path, inside)
        assert run.returncode == 2 and "inside the book folder" in run.stderr, run.stderr
        assert "--force" in run.stderr and run.stderr.count("\n") == 1
        assert not inside.exists()
    book = tmp_path / "book"
    book.mkdir()
    (book / "_toc.yml").write_text("format: jb-book\n")
    run = _grade("--plot", csv_path, book / "rates.png", "--force")
    assert run.returncode == 0 and (book / "rates.png").read_bytes().startswith(b"\x89PNG")


def test_the_documented_plot_command_writes_outside_the_book(tmp_path):
    """README's --plot line, run from a book's folder as it says, writes next to it."""
    readme = (ROOT / "README.md").read_text()
    command = next(line for line in readme.splitlines()
                   if line.startswith("python -m loss_casebook.classroom.grade --plot"))
    args = command.split("#")[0].split()[3:]
    assert args[0] == "--plot" and all(a.startswith("../") for a in args[1:])
    book = tmp_path / "book"
    book.mkdir()
    (book / "_toc.yml").write_text("format: jb-book\n")
    _plot_class(tmp_path)
    run = subprocess.run([sys.executable, "-m", "loss_casebook.classroom.grade", *args],
                         capture_output=True, text=True, cwd=book)
    assert run.returncode == 0, run.stderr
    assert (book / args[2]).resolve().read_bytes().startswith(b"\x89PNG")
    assert [p.name for p in book.iterdir()] == ["_toc.yml"]


@pytest.fixture(scope="module")
def unrecorded(tmp_path_factory):
    """One student, handed cases 1 and 2, whose hand-out record is gone; a teacher's
    record of case 1 alone."""
    root = tmp_path_factory.mktemp("unrecorded")
    c1, c2 = _handout(root / "subs" / "ada")
    (root / "subs" / "ada" / "handout.json").unlink()
    _edit(c1, RIGHT)
    make_student_copies(root / "handout", ROOT, cases=["1"])
    runs = {}
    for name, extra in (("none", []), ("teacher", ["--handout", root / "handout"])):
        runs[name] = _grade(root / "subs", "--out", root / name, "--quiet", *extra,
                            *_sandbox_flag())
    return root, runs


def test_without_a_record_every_exercise_is_graded_and_the_grader_says_so(unrecorded):
    root, runs = unrecorded
    assert runs["none"].returncode == 0, runs["none"].stderr
    assert runs["none"].stdout.splitlines()[0] == (
        "no hand-out record (handout.json) in the students' folders and no --handout: grading "
        f"every exercise notebook of the book ({len(set(e.notebook for e in EXERCISES.values()))} "
        f"notebooks, {len(EXERCISES)} exercises).")
    rows = grade.read_grades(root / "none" / "grades.csv")
    assert [r.exercise for r in rows] == list(EXERCISES)
    verdicts = {r.exercise: r.verdict for r in rows}
    assert {verdicts[label] for label in LABELS[C1]} == {"correct"}
    assert {verdicts[label] for label in LABELS[C2]} == {"not solved"}
    assert {v for label, v in verdicts.items() if label not in LABELS[C1] + LABELS[C2]} == {
        "missing notebook"}


def test_the_teachers_record_decides_what_is_graded(unrecorded):
    root, runs = unrecorded
    assert runs["teacher"].returncode == 0, runs["teacher"].stderr
    assert runs["teacher"].stdout.splitlines()[0] == (
        f"grading the hand-out recorded in {root / 'handout' / 'handout.json'}: 1 notebook, "
        "4 exercises.")
    rows = grade.read_grades(root / "teacher" / "grades.csv")
    assert [(r.exercise, r.verdict) for r in rows] == [(label, "correct") for label in LABELS[C1]]


@pytest.mark.parametrize("write, words", [
    (None, "there is no hand-out record"),
    ("not json", "is not a hand-out record written by"),
    ('{"kind": "loss_casebook hand-out", "version": 1, "notebooks": [{"path": "case9/x.ipynb",'
     ' "exercises": ["ex-x"]}]}', "lists 'case9/x.ipynb', which is not an exercise notebook"),
])
def test_an_unusable_handout_record_stops_the_grader(tmp_path, write, words):
    (tmp_path / "subs" / "ada").mkdir(parents=True)
    (tmp_path / "handout").mkdir()
    if write:
        (tmp_path / "handout" / "handout.json").write_text(write)
    run = _grade(tmp_path / "subs", "--out", tmp_path / "out", "--handout",
                 tmp_path / "handout", "--no-sandbox")
    assert run.returncode == 2 and words in run.stderr, run.stderr
    assert run.stderr.count("\n") == 1 and not (tmp_path / "out").exists()
