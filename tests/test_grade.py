"""The grader on a synthetic class built from the student copies."""

import csv
import os
import pathlib
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
    "ex-c2-backend": ("Correct: torch's binary_cross_entropy raises a RuntimeError for an input "
                      "outside [0, 1], and NaN is outside.",
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


#: The made-up class hands in cases 1 and 2; the later cases' notebooks are missing.
LATER = [ex for ex in EXERCISES.values() if ex.notebook not in (C1, C2)]


def _later_missing(student):
    return [(student, ex.label, "missing notebook", f"no {ex.notebook} in the student's folder.")
            for ex in LATER]


def _handout(folder):
    """Student copies of cases 1 and 2 in ``folder``; returns their two paths."""
    folder.mkdir(parents=True)
    paths = make_student_copies(folder, ROOT)
    keep = [p for p in paths if p.relative_to(folder).as_posix() in (C1, C2)]
    for p in set(paths) - set(keep):
        p.unlink()
    return keep


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


def _rows(student, verdicts):
    """Rows for one student from {label: (verdict, message)}; others 'correct'."""
    out = []
    for labels in LABELS.values():
        for label in labels:
            verdict, message = verdicts.get(label, ("correct", OK[label][0]))
            out.append((student, label, verdict, message))
    return out + _later_missing(student)


def _all(verdict, message, labels):
    return {label: (verdict, message) for label in labels}


def _expected():
    c1, c2 = LABELS[C1], LABELS[C2]
    not_solved = ("not solved", NOT_SOLVED)
    broken = ("broken notebook", "05-exercises.ipynb is not valid JSON, so Jupyter cannot open "
              "it; it may have been cut off or edited outside Jupyter.")
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
                       **{label: not_solved for label in c2}}),
        *_rows("hal", {"ex-c2-eps": ("error before checker",
                                     "NameError: name 'eps' is not defined."),
                       **{label: not_solved for label in c1}}),
        *_rows("ivy", _all("missing notebook", f"no {C2} in the student's folder.", c2)),
        *_rows("jo", {**_all("missing notebook", f"no {C1} in the student's folder.", c1),
                      **_all("missing notebook", f"no {C2} in the student's folder.", c2)}),
    ]


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
    print(f"graded 10 submissions (8 with notebooks) in {seconds:.0f} s")
    return dict(subs=subs, out=out, run=run, before=before, seconds=seconds)


def test_grades_csv_rows(graded):
    assert graded["run"].returncode == 0, graded["run"].stderr
    with (graded["out"] / "grades.csv").open(newline="") as f:
        rows = list(csv.reader(f))
    assert tuple(rows[0]) == grade.HEADER
    got = [tuple(r) for r in rows[1:]]
    assert got == _expected()
    assert len(got) == 10 * len(EXERCISES)


def test_no_submission_file_changes(graded):
    assert grade.sha256_tree(graded["subs"]) == graded["before"]


def test_grading_takes_under_three_minutes(graded):
    assert graded["seconds"] < 180


def test_feedback_and_skipped_files(graded):
    feedback = sorted(p.name for p in (graded["out"] / "feedback").iterdir())
    assert feedback == [f"{s}.md" for s in
                        ("ada", "ben", "cleo", "dan", "eve", "finn", "gus", "hal", "ivy", "jo")]
    ada = (graded["out"] / "feedback" / "ada.md").read_text()
    assert ada.startswith(f"ada: 8 of {len(EXERCISES)} exercises correct.")
    assert ada.count("\n") == 1
    ben = (graded["out"] / "feedback" / "ben.md").read_text()
    assert ben.startswith(f"ben: 0 of {len(EXERCISES)}") and "Every sign is flipped" in ben
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
    assert list(rates) == list(EXERCISES)
    handed_in = [label for labels in LABELS.values() for label in labels]
    assert all(0 < rates[label] < 1 for label in handed_in)
    assert all(rates[ex.label] == 0 for ex in LATER)


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
