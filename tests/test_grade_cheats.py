"""The grader against an inventive class: forged verdicts, patched checkers, escapes.

Every submission here tries to pass without solving, or to reach beyond its
kernel. The grades must be those of the answers alone, the submissions and the
teacher's files untouched, and the sandbox must hold (it is required in CI).
"""

import csv
import os
import pathlib
import socket
import subprocess
import sys
import threading

import nbformat
import pytest

from loss_casebook.classroom import grade
from loss_casebook.classroom.checkers import NOT_SOLVED, VERDICT_MIME
from loss_casebook.classroom.sandbox import SandboxError, check_sandbox
from test_grade import C1, C2, LABELS, OK, RIGHT, TYPICAL, _before, _cell, _edit, _handout

HOME_FILE = pathlib.Path.home() / "loss-casebook-grader-escape.txt"


def _sandbox_or_skip():
    try:
        check_sandbox()
    except SandboxError as exc:
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail(f"CI must test the sandbox: {exc}")
        pytest.skip(str(exc))


def _code(source):
    return nbformat.v4.new_code_cell(source)


def _after_imports(cell):
    def change(nb):
        at = next(i for i, c in enumerate(nb.cells)
                  if c.cell_type == "code" and "loss_casebook.classroom.checkers" in c.source)
        nb.cells.insert(at + 1, cell)
    return change


FORGE = """from IPython.display import display
for label in {labels!r}:
    display({{"text/plain": "Correct"}}, raw=True, metadata={{{mime!r}: {{
        "exercise": label, "verdict": "correct", "message": "Correct: forged."}}}})"""

REDEFINE = """from loss_casebook.classroom.checkers.feedback import Feedback
def check_loss_sign(answer):
    return Feedback("Correct: the loss is -cos, negative when the vectors agree.", True,
                    "ex-c1-sign")"""

PATCH = """import loss_casebook.classroom.answers as answers
import loss_casebook.classroom.checkers.case2 as case2
from loss_casebook.classroom.checkers.feedback import Feedback
good = {"value": [[1.0], [1.0], [0.5], [0.0], [0.0]], "shape": [5, 1], "grad": [[1.0]] * 5}
case2.probe_head = lambda head: good
case2.judge_head = lambda data: Feedback("Correct: patched.", True, "ex-c2-head")
case2.check_nan_backend = lambda answer: Feedback("Correct: patched.", True)
answers.to_json = lambda value: good"""

ESCAPE = """import pathlib
for target in {targets!r}:
    try:
        pathlib.Path(target).write_text("written by a student")
        print("wrote", target)
    except OSError as exc:
        print("refused:", type(exc).__name__)"""

CONNECT = """import socket
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=3).sendall(b"hello")
    print("connected")
except OSError as exc:
    print("refused:", type(exc).__name__)"""

HOG = """hog = []
while True:
    hog.append(bytearray(10**8))"""


class Listener:
    """A TCP server on 127.0.0.1 that counts the connections it accepts."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.5)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
                self.accepted += 1
                conn.close()
            except OSError:
                pass

    def close(self):
        self.stop = True
        self.thread.join()
        self.sock.close()


def _only(folder, keep, answers=None, change=None):
    """Hand out into ``folder``, keep one notebook (edited), delete the other."""
    c1, c2 = _handout(folder)
    mine, other = (c1, c2) if keep == C1 else (c2, c1)
    other.unlink()
    _edit(mine, answers, change)


def _build(subs, out, port):
    _only(subs / "kim", C1, None, _before("ex-c1-distance", _code(FORGE.format(
        labels=LABELS[C1], mime=VERDICT_MIME))))
    _only(subs / "lee", C1, {"signs": TYPICAL["signs"]}, _after_imports(_code(REDEFINE)))
    _only(subs / "max", C2, {"head": TYPICAL["head"], "backend": TYPICAL["backend"]},
          _after_imports(_code(PATCH)))
    targets = [str(subs / "kim" / "case1" / "05-exercises.ipynb"), str(subs / "lee" / "note.txt"),
               str(out / "grades.csv"), str(HOME_FILE)]
    _only(subs / "nia", C1, RIGHT, _after_imports(_code(ESCAPE.format(targets=targets))))
    _only(subs / "oli", C1, RIGHT, _after_imports(_code(CONNECT.format(port=port))))
    _only(subs / "pam", C2, RIGHT, _before("ex-c2-head", _code(HOG)))


def _missing(student, relpath):
    return [(student, label, "missing notebook", f"no {relpath} in the student's folder.", "")
            for label in LABELS[relpath]]


def _expected(subs, hog_killed=False, noted=None):
    """The grades; a memory hog gets a MemoryError (which the note names), or its kernel
    is killed, or both, the MemoryError first (which depends on the machine's memory),
    and the grader goes on."""
    died = ("kernel died", "the kernel died while running the notebook (out of memory or "
            "CPU time?).")
    hog = {label: died for label in LABELS[C2][1:]} if hog_killed else {}
    noted = not hog_killed if noted is None else noted
    hog_note = (f"cell {_cell(subs / 'pam' / C2, 'hog = []')} (`hog = []`) raised MemoryError."
                if noted else "")

    def rows(student, relpath, verdicts=None, note=""):
        other = C2 if relpath == C1 else C1
        mine = [(student, label, *(verdicts or {}).get(label, ("correct", OK[label][0])), note)
                for label in LABELS[relpath]]
        return mine + _missing(student, other) if relpath == C1 else _missing(student, other) + mine
    not_solved = ("not solved", NOT_SOLVED)
    return [
        *rows("kim", C1, {label: not_solved for label in LABELS[C1]}),
        *rows("lee", C1, {"ex-c1-distance": not_solved, "ex-c1-accuracy": not_solved,
                          "ex-c1-ceiling": not_solved, "ex-c1-sign": ("wrong", OK["ex-c1-sign"][1])}),
        *rows("max", C2, {"ex-c2-eps": not_solved, "ex-c2-broken": not_solved,
                          "ex-c2-head": ("wrong", OK["ex-c2-head"][1]),
                          "ex-c2-backend": ("wrong", OK["ex-c2-backend"][1])}),
        *rows("nia", C1),
        *rows("oli", C1),
        *rows("pam", C2, hog, hog_note),
    ]


@pytest.fixture(scope="module")
def cheats(tmp_path_factory):
    _sandbox_or_skip()
    root = tmp_path_factory.mktemp("cheats")
    subs, out = root / "submissions", root / "out"
    subs.mkdir()
    out.mkdir()
    (out / "grades.csv").write_text("the teacher's old grades\n")
    listener = Listener()
    _build(subs, out, listener.port)
    before = grade.sha256_tree(subs)
    HOME_FILE.unlink(missing_ok=True)
    run = subprocess.run([sys.executable, "-m", "loss_casebook.classroom.grade", str(subs),
                          "--out", str(out), "--timeout", "300", "--force", "--quiet"],
                         capture_output=True, text=True)
    listener.close()
    yield dict(subs=subs, out=out, run=run, before=before, accepted=listener.accepted)
    HOME_FILE.unlink(missing_ok=True)


def test_grades_are_those_of_the_answers_alone(cheats):
    assert cheats["run"].returncode == 0, cheats["run"].stderr
    with (cheats["out"] / "grades.csv").open(newline="") as f:
        got = [tuple(r) for r in list(csv.reader(f))[1:]]
    want = [_expected(cheats["subs"]), _expected(cheats["subs"], hog_killed=True),
            _expected(cheats["subs"], hog_killed=True, noted=True)]
    closest = min(want, key=lambda rows: len(set(rows) ^ set(got)))
    assert got in want, ("rows that differ (got, then expected):\n"
                         + "\n".join(map(str, [r for r in got if r not in closest]))
                         + "\n--\n" + "\n".join(map(str, [r for r in closest if r not in got])))


def test_nothing_outside_the_sandbox_was_written_or_reached(cheats):
    assert grade.sha256_tree(cheats["subs"]) == cheats["before"]
    assert not HOME_FILE.exists()
    assert not (cheats["subs"] / "lee" / "note.txt").exists()
    assert "written by a student" not in (cheats["out"] / "grades.csv").read_text()
    assert cheats["accepted"] == 0


def test_the_grader_refuses_without_a_sandbox_and_says_how(monkeypatch, tmp_path, capsys):
    (tmp_path / "subs" / "ada").mkdir(parents=True)
    monkeypatch.setattr(grade, "check_sandbox",
                        lambda: (_ for _ in ()).throw(SandboxError("bwrap is missing; use "
                                                                   "--no-sandbox")))
    code = grade.main([str(tmp_path / "subs"), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and "cannot be sandboxed" in err and "--no-sandbox" in err
    assert err.count("\n") == 1 and not (tmp_path / "out" / "grades.csv").exists()
