"""Student copies: no solutions, they run top to bottom, and they never destroy work."""

import hashlib
import pathlib
import shutil
import subprocess
import sys

import nbformat
import pytest
from nbclient import NotebookClient

from loss_casebook.classroom.checkers import EXERCISES
from loss_casebook.classroom.handout import RECORD, read_record
from loss_casebook.classroom.plain import Converter, exercise_labels
from loss_casebook.classroom.student import StudentCopyError, find_book, make_student_copies

ROOT = pathlib.Path(__file__).resolve().parents[1]
#: Every exercise notebook, in the book's order, as the student copies name them.
NOTEBOOKS = list(dict.fromkeys(ex.notebook for ex in EXERCISES.values()))


def _student(*args, cwd):
    return subprocess.run([sys.executable, "-m", "loss_casebook.classroom.student", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd)


def _hashes(folder):
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def _checkout(where: pathlib.Path, marker: str) -> pathlib.Path:
    """A minimal copy of the book (its _toc.yml and exercise notebooks), marked."""
    shutil.copy(ROOT / "_toc.yml", where / "_toc.yml")
    for rel in NOTEBOOKS:
        (where / "book" / rel).parent.mkdir(parents=True, exist_ok=True)
        nb = nbformat.read(ROOT / "book" / rel, as_version=4)
        nb.cells.insert(0, nbformat.v4.new_markdown_cell(marker))
        nbformat.write(nb, where / "book" / rel)
    return where


def test_copies_have_no_solution_cells_and_no_outputs(tmp_path):
    paths = make_student_copies(tmp_path, ROOT)
    assert [p.relative_to(tmp_path).as_posix() for p in paths] == NOTEBOOKS
    for p in paths:
        nb = nbformat.read(p, as_version=4)
        assert not [c for c in nb.cells if "solution" in c.metadata.get("tags", [])]
        assert not any("solution-start" in c.source for c in nb.cells)
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")


def test_copies_run_and_report_not_solved(tmp_path):
    for path in make_student_copies(tmp_path, ROOT):
        nb = nbformat.read(path, as_version=4)
        NotebookClient(nb, timeout=300, resources={"metadata": {"path": str(path.parent)}}).execute()
        texts = [o.get("data", {}).get("text/plain", "") + o.get("text", "")
                 for c in nb.cells if c.cell_type == "code" for o in c.outputs]
        rel = path.relative_to(tmp_path).as_posix()
        expected = sum(ex.notebook == rel for ex in EXERCISES.values())
        assert sum("Not solved yet" in t for t in texts) >= expected > 0, (rel, texts)


def test_never_overwrites_without_force(tmp_path):
    first = make_student_copies(tmp_path, ROOT)
    first[0].write_text("a student's work")
    before = _hashes(tmp_path)
    with pytest.raises(StudentCopyError, match="already exists.*nothing was written.*--force"):
        make_student_copies(tmp_path, ROOT)
    assert _hashes(tmp_path) == before
    make_student_copies(tmp_path, ROOT, force=True)
    assert first[0].read_text() != "a student's work"


def test_one_existing_file_stops_every_copy(tmp_path):
    (tmp_path / "case2").mkdir()
    (tmp_path / "case2" / "05-exercises.ipynb").write_text("work")
    with pytest.raises(StudentCopyError):
        make_student_copies(tmp_path, ROOT)
    assert not (tmp_path / "case1").exists()


def test_refuses_to_write_into_a_book_folder(tmp_path):
    for inside in (ROOT, ROOT / "book", ROOT / "book" / "student"):
        with pytest.raises(StudentCopyError, match="inside the book folder"):
            make_student_copies(inside, ROOT)
    other = _checkout(tmp_path, "B")
    with pytest.raises(StudentCopyError, match="inside the book folder"):
        make_student_copies(other / "handout", ROOT)


def test_finds_the_book_from_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT / "book" / "case1")
    assert find_book() == ROOT
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StudentCopyError, match="no _toc.yml.*--book"):
        find_book()
    with pytest.raises(StudentCopyError, match="has no _toc.yml"):
        make_student_copies(tmp_path / "out", tmp_path)


def test_two_checkouts(tmp_path):
    """Run in checkout B, the copies come from B; no checkout's notebooks are overwritten."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a, b = _checkout(tmp_path / "a", "from A"), _checkout(tmp_path / "b", "from B")
    before = {**_hashes(a), **_hashes(b)}
    for cwd, out in [(b, b / "book"), (a, b / "book"), (b, a / "book" / "case1"), (a, b)]:
        run = _student(out, cwd=cwd)
        assert run.returncode == 2 and "inside the book folder" in run.stderr, run.stderr
        assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr
    assert {**_hashes(a), **_hashes(b)} == before
    run = _student(tmp_path / "handout", cwd=b)
    assert run.returncode == 0, run.stderr
    copy = nbformat.read(tmp_path / "handout" / "case1" / "05-exercises.ipynb", as_version=4)
    assert copy.cells[0].source == "from B"
    run = _student(tmp_path / "handout2", "--book", a, cwd=b)
    copy = nbformat.read(tmp_path / "handout2" / "case2" / "05-exercises.ipynb", as_version=4)
    assert run.returncode == 0 and copy.cells[0].source == "from A"


def test_command_line(tmp_path):
    run = _student(tmp_path / "out", cwd=ROOT)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines == [f"wrote {tmp_path / 'out' / rel}: "
                     f"{sum(ex.notebook == rel for ex in EXERCISES.values())} exercises, "
                     "no solutions" for rel in NOTEBOOKS] + [
        f"wrote {tmp_path / 'out' / RECORD}: the record of what was handed out"]
    again = _student(tmp_path / "out", cwd=ROOT)
    assert again.returncode == 2 and "--force" in again.stderr and again.stdout == ""
    assert again.stderr.count("\n") == 1
    assert _student(tmp_path / "out", "--force", cwd=ROOT).returncode == 0
    nowhere = _student(tmp_path / "out2", cwd=tmp_path)
    assert nowhere.returncode == 2 and "no _toc.yml" in nowhere.stderr
    bad_book = _student(tmp_path / "out3", "--book", tmp_path / "missing", cwd=ROOT)
    assert bad_book.returncode == 2 and "Traceback" not in bad_book.stderr


def test_the_documented_hand_out_command_works(tmp_path):
    """The command README.md and the classroom chapter print, run as they say:
    from the book's folder, writing next to it."""
    command = "python -m loss_casebook.classroom.student ../handout/"
    assert command in (ROOT / "README.md").read_text()
    assert command in (ROOT / "book" / "classroom.ipynb").read_text()
    (tmp_path / "book").mkdir()
    book = _checkout(tmp_path / "book", "documented")
    run = _student(*command.split()[3:], cwd=book)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "handout" / "case1" / "05-exercises.ipynb").is_file()
    assert (tmp_path / "handout" / "case2" / "05-exercises.ipynb").is_file()


def test_the_record_lists_what_was_handed_out(tmp_path):
    paths = make_student_copies(tmp_path / "all", ROOT)
    assert read_record(tmp_path / "all") == {
        rel: [label for label, ex in EXERCISES.items() if ex.notebook == rel] for rel in NOTEBOOKS}
    for p, rel in zip(paths, NOTEBOOKS):
        assert nbformat.read(p, as_version=4).metadata["loss_casebook"] == {"handout": rel}
    paths = make_student_copies(tmp_path / "one", ROOT, cases=["3", "case1"])
    assert [p.relative_to(tmp_path / "one").as_posix() for p in paths] == [NOTEBOOKS[0],
                                                                           NOTEBOOKS[2]]
    assert list(read_record(tmp_path / "one")) == [NOTEBOOKS[0], NOTEBOOKS[2]]
    assert sorted(p.name for p in (tmp_path / "one").iterdir()) == ["case1", "case3", RECORD]


def test_a_case_without_exercises_and_an_earlier_record_stop_the_copies(tmp_path):
    with pytest.raises(StudentCopyError, match="no exercises for case 8; its exercise "
                       "chapters are in case1, case2"):
        make_student_copies(tmp_path / "x", ROOT, cases=["8"])
    assert not (tmp_path / "x").exists()
    (tmp_path / "y").mkdir()
    (tmp_path / "y" / RECORD).write_text("{}")
    with pytest.raises(StudentCopyError, match="handout.json already exists.*--force"):
        make_student_copies(tmp_path / "y", ROOT, cases=["1"])
    assert sorted(p.name for p in (tmp_path / "y").iterdir()) == [RECORD]
    make_student_copies(tmp_path / "y", ROOT, cases=["1"], force=True)
    assert list(read_record(tmp_path / "y")) == [NOTEBOOKS[0]]


#: MyST that Jupyter would show as it is written.
MYST = ("{exercise}", "{solution", ":label:", "{ref}", "{doc}", "{numref}", "```{", ":::{")


def test_copies_show_plain_markdown(tmp_path):
    """Every copy's Markdown has no MyST left; each exercise is a heading with its title,
    and its label moved to the cell's metadata, in the book's order."""
    for p, rel in zip(make_student_copies(tmp_path, ROOT), NOTEBOOKS):
        source = nbformat.read(ROOT / "book" / rel, as_version=4)
        titles = [line.split("}", 1)[1].strip() for c in source.cells
                  if c.cell_type == "markdown" for line in c.source.splitlines()
                  if line.startswith("```{exercise}")]
        nb = nbformat.read(p, as_version=4)
        markdown = [c for c in nb.cells if c.cell_type == "markdown"]
        text = "\n".join(c.source for c in markdown)
        assert not [m for m in MYST if m in text], (rel, [m for m in MYST if m in text])
        headings = [line for line in text.splitlines() if line.startswith("## Exercise")]
        assert headings == [f"## Exercise {i}: {t}" for i, t in enumerate(titles, 1)]
        labels = [label for c in markdown
                  for label in c.metadata.get("loss_casebook", {}).get("exercises", [])]
        assert labels == [label for label, ex in EXERCISES.items() if ex.notebook == rel]


def test_case1_copy_reads_as_the_book_says(tmp_path):
    """The real MyST of case 1: the title, the body, a {doc} as its chapter's title and
    a {ref} as the exercise's number in the copy."""
    copy = make_student_copies(tmp_path, ROOT, cases=["1"])[0]
    cells = [c.source for c in nbformat.read(copy, as_version=4).cells
             if c.cell_type == "markdown"]
    assert cells[1] == ("## Exercise 1: Cosine distance by hand\n\n"
                        "With NumPy, compute the cosine distance `1 - cos` between each row "
                        "of `Y_TRUE`\nand the same row of `Y_PRED`: one number per row.")
    assert "is positive (*Why the loss is negative*). For each row" in cells[4]
    assert "the sign asked for in Exercise 2." in cells[-1]


def test_the_copy_renders_as_headings_not_code(tmp_path):
    """nbconvert's HTML (its Markdown renderer, like Jupyter's) shows each exercise as an
    <h2> and no directive as a code block."""
    from nbconvert import HTMLExporter

    copy = make_student_copies(tmp_path, ROOT, cases=["2"])[0]
    html, _ = HTMLExporter(template_name="basic").from_filename(str(copy))
    assert "{exercise}" not in html and ":label:" not in html
    assert html.count("<h2") == 4 + 1  # four exercises and Sources
    assert "Exercise 4: Which backend refuses?" in html


@pytest.mark.parametrize("source, plain", [
    ("````{exercise} Title\n:label: ex-a\n:class: x\n\nBody with\n```python\nx = 1\n```\n"
     "````", "## Exercise 1: Title\n\nBody with\n```python\nx = 1\n```"),
    (":::{exercise}\n:label: ex-b\nSee {ref}`ex-a` and {ref}`that one <ex-b>`.\n:::",
     "## Exercise 2\n\nSee Exercise 1 and that one."),
    ("```{note}\nSee {doc}`other` and {math}`x^2`, {py:func}`f`.\n```",
     "> **Note**\n>\n> See *Other chapter* and $x^2$, `f`."),
    ("(target)=\n% a comment\n```{solution-start} ex-a\n:class: dropdown\n```\nText.",
     "Text."),
    ("```\n{ref}`kept` in code\n```", "```\n{ref}`kept` in code\n```"),
])
def test_myst_to_plain_markdown(source, plain):
    convert = Converter({"ex-a": 1, "ex-b": 2}, lambda target: "Other chapter").convert
    assert convert(source) == plain


def test_exercise_labels_in_order():
    assert exercise_labels("```{exercise} A\n:label: ex-a\n```\n\n"
                           ":::{exercise} B\n:label: ex-b\n:::") == ["ex-a", "ex-b"]


def test_the_classroom_chapter_says_what_the_hand_out_does():
    """Its stored hand-out lists one copy per exercise chapter and the record; every
    figure has alt text; its lab hands out one case with its record and grades that."""
    nb = nbformat.read(ROOT / "book" / "classroom.ipynb", as_version=4)
    printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                      for o in c.outputs if o.get("output_type") == "stream")
    wrote = [line for line in printed.splitlines() if line.startswith("wrote ../handout/")]
    assert wrote[:-1] == [f"wrote ../handout/{rel}: "
                          f"{sum(ex.notebook == rel for ex in EXERCISES.values())} exercises, "
                          "no solutions" for rel in NOTEBOOKS]
    assert wrote[-1] == f"wrote ../handout/{RECORD}: the record of what was handed out"
    figures = [c for c in nb.cells if c.cell_type == "code"
               and any("image/png" in o.get("data", {}) for o in c.outputs)]
    assert figures
    for cell in figures:
        alt = cell.metadata.get("mystnb", {}).get("image", {}).get("alt", "")
        assert len(alt.split()) >= 8 and ".png" not in alt, cell.source
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    lab = text[text.index("## A lab in one session"):]
    assert "student ../handout/ --case 1" in lab and "--handout ../handout/" in lab
    assert "writes `../handout/case1/05-exercises.ipynb` and" not in text
