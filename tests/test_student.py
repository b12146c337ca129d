"""Student copies: no solutions, and they run top to bottom."""

import pathlib
import subprocess
import sys

import nbformat
import pytest
from nbclient import NotebookClient

from loss_casebook.student import BOOK, make_student_copies


def test_copies_have_no_solution_cells_and_no_outputs(tmp_path):
    paths = make_student_copies(tmp_path)
    assert {p.name for p in paths} == {"05-exercises.ipynb"} and len(paths) == 2
    for p in paths:
        nb = nbformat.read(p, as_version=4)
        assert not [c for c in nb.cells if "solution" in c.metadata.get("tags", [])]
        assert not any("solution-start" in c.source for c in nb.cells)
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")


def test_copies_run_and_report_not_solved(tmp_path):
    for path in make_student_copies(tmp_path):
        nb = nbformat.read(path, as_version=4)
        NotebookClient(nb, timeout=300, resources={"metadata": {"path": str(path.parent)}}).execute()
        texts = [o.get("data", {}).get("text/plain", "") + o.get("text", "")
                 for c in nb.cells if c.cell_type == "code" for o in c.outputs]
        assert sum("Not solved yet" in t for t in texts) >= 2, texts


def test_refuses_to_write_into_the_book():
    with pytest.raises(ValueError, match="outside the book"):
        make_student_copies(BOOK / "student")


def test_command_line(tmp_path):
    run = subprocess.run([sys.executable, "-m", "loss_casebook.student", str(tmp_path / "out")],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert len(run.stdout.split()) == 2
    bad = subprocess.run([sys.executable, "-m", "loss_casebook.student", str(BOOK)],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "outside the book" in bad.stderr
