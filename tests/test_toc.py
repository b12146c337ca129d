"""The table of contents and the notebooks in book/ match, both ways."""

import json
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _listed() -> set[str]:
    text = (ROOT / "_toc.yml").read_text()
    return set(re.findall(r"(?:file|root):\s*(\S+)", text))


def _notebooks() -> set[str]:
    return {
        str(p.relative_to(ROOT).with_suffix(""))
        for p in (ROOT / "book").rglob("*.ipynb")
        if ".ipynb_checkpoints" not in p.parts
    }


def test_every_notebook_is_in_the_toc():
    assert _notebooks() - _listed() == set()


def test_every_toc_entry_exists():
    missing = {e for e in _listed()
               if not (ROOT / f"{e}.ipynb").exists() and not (ROOT / f"{e}.md").exists()}
    assert missing == set()


def test_notebooks_are_committed_executed():
    for nb in (ROOT / "book").rglob("*.ipynb"):
        cells = json.loads(nb.read_text())["cells"]
        code = [c for c in cells if c["cell_type"] == "code" and "".join(c["source"]).strip()]
        assert code, f"{nb} has no code"
        unrun = [i for i, c in enumerate(code) if c.get("execution_count") is None]
        assert not unrun, f"{nb}: code cells {unrun} have no stored output"


def test_every_chapter_first_checks_for_the_helpers():
    """A downloaded chapter stops at its first cell with one sentence if the
    helpers are missing (tests/test_run_yourself.py runs one such chapter)."""
    sources = {}
    for nb in sorted((ROOT / "book").rglob("*.ipynb")):
        cells = json.loads(nb.read_text())["cells"]
        first = next(c for c in cells if c["cell_type"] == "code")
        source = "".join(first["source"])
        assert "import loss_casebook" in source and "_render_traceback_" in source, nb
        assert "hide-input" in first["metadata"].get("tags", []), nb
        sources[source] = nb
    assert len(sources) == 1, f"the check differs between chapters: {list(sources.values())}"


#: Characters of code that fit a chapter's code box in a 1280-pixel window with
#: room to spare. tests/test_site.py measures the rendered pages in Chromium;
#: this check says the same in a second, without a browser.
CODE_WIDTH = 79


def test_chapter_code_lines_fit_the_page():
    wide = []
    for nb in sorted((ROOT / "book").rglob("*.ipynb")):
        for n, cell in enumerate(json.loads(nb.read_text())["cells"]):
            if cell["cell_type"] != "code":
                continue
            wide += [f"{nb.relative_to(ROOT)} cell {n}: {line}"
                     for line in "".join(cell["source"]).splitlines()
                     if len(line) > CODE_WIDTH]
    assert not wide, f"code lines over {CODE_WIDTH} characters:\n" + "\n".join(wide)
