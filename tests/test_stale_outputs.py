"""Committed outputs cannot go stale: a chapter whose code changed since it was
executed (``python -m loss_casebook.maintain.execute``) fails here, by name."""

import json
import os
import pathlib

import pytest

from loss_casebook.maintain.execute import chapters, code_digest, main, stamped_digest

ROOT = pathlib.Path(__file__).resolve().parents[1]
CHAPTERS = chapters(ROOT)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: str(p.relative_to(ROOT)))
def test_outputs_come_from_the_code_as_it_is(path):
    nb = json.loads(path.read_text())
    assert stamped_digest(nb) == code_digest(nb), (
        f"{path.relative_to(ROOT)}: its code changed since its outputs were stored; "
        f"run: python -m loss_casebook.maintain.execute {path.relative_to(ROOT)}")


def test_an_edited_code_cell_is_detected():
    nb = json.loads(CHAPTERS[0].read_text())
    code = next(c for c in nb["cells"] if c["cell_type"] == "code")
    before = code_digest(nb)
    code["source"] = "".join(code["source"]) + "\n# edited"
    assert code_digest(nb) != before


def test_markdown_and_outputs_do_not_count():
    nb = json.loads(CHAPTERS[0].read_text())
    before = code_digest(nb)
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            cell["source"] = "changed prose"
        cell.pop("outputs", None)
    assert code_digest(nb) == before


def test_the_command_refuses_bad_arguments_in_one_sentence(tmp_path, capsys):
    assert main(["--book", str(tmp_path)]) == 2
    assert main([str(tmp_path / "none.ipynb")]) == 2
    assert main(["--jobs", "0"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and all(line.startswith("error: ") for line in err)


def test_the_command_executes_and_stamps_a_notebook(tmp_path, capsys):
    import nbformat

    path = tmp_path / "tiny.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(6 * 7)")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, path)
    before = dict(os.environ)
    assert main([str(path), "--jobs", "1", "--no-warm-workers"]) == 0
    assert dict(os.environ) == before  # the caller's kernels settings are its own
    done = json.loads(path.read_text())
    assert "".join(done["cells"][0]["outputs"][0]["text"]) == "42\n"
    assert stamped_digest(done) == code_digest(done)
    assert "executed 1 of 1 notebooks" in capsys.readouterr().out
