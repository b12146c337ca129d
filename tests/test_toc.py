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


#: A path of some machine in a stored output: an installed package's folder
#: or a checkout of the book under an absolute path, or a home folder.
MACHINE_PATH = re.compile(
    r"(?<![\w.~:/-])(?:/[^\s'\"/]+)+/(?:site-packages|dist-packages|loss_casebook|book)/"
    r"|(?<![\w.-])(?:/home/[^\s'\"/]+|/root|/Users/[^\s'\"/]+)/")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _output_texts(cell):
    for out in cell.get("outputs", []):
        for key in ("text", "evalue", "traceback"):
            value = out.get(key, "")
            yield "\n".join(value) if isinstance(value, list) else value
        for mime, value in out.get("data", {}).items():
            if mime.startswith("text/"):
                yield "".join(value) if isinstance(value, list) else value


def test_no_stored_output_shows_a_machine_path():
    """Stored outputs show no absolute path of the machine that ran them
    (loss_casebook.maintain.execute scrubs them when it stores outputs):
    neither this machine's checkout, environment or home, nor any machine's
    site-packages or home folder."""
    from loss_casebook.maintain import execute

    here = execute.machine_paths(ROOT)
    found = {}
    for nb in sorted((ROOT / "book").rglob("*.ipynb")):
        for n, cell in enumerate(json.loads(nb.read_text())["cells"]):
            for text in _output_texts(cell):
                plain = ANSI.sub("", text)
                hits = [m.group(0) for m in MACHINE_PATH.finditer(plain)]
                hits += [p for p, _ in here if p in plain and execute.scrub(text, [(p, "")]) != text]
                if hits:
                    found.setdefault(str(nb.relative_to(ROOT)), []).append(f"cell {n}: {hits[0]}")
    assert not found, ("stored outputs that show a machine's path (re-execute with "
                       "python -m loss_casebook.maintain.execute):\n"
                       + "\n".join(f"{nb}: {len(cells)} outputs, first {cells[0]}"
                                   for nb, cells in found.items()))


def test_scrubbed_paths_compare_equal_to_fresh_ones():
    """What execute stores and what a fresh run prints, on this machine and in
    another checkout, read the same once nbval's sanitize file has run."""
    from nbval.plugin import get_sanitize_patterns

    from loss_casebook.maintain import execute

    patterns = get_sanitize_patterns((ROOT / "book" / "nbval_sanitize.cfg").read_text())

    def sanitized(text):
        for regex, replace in patterns:
            text = re.sub(regex, replace, text)
        return text

    here = execute.machine_paths(ROOT)
    site = next(p for p, instead in here if instead == ".../site-packages")
    home = str(pathlib.Path.home())
    printed = [f"File \x1b[32m{site}/keras/src/losses/loss.py:12\x1b[39m, in f",
               f"\x1b[32m{ROOT}/loss_casebook/checks.py:94\x1b[39m, in check",
               f'saved to "{home}/models/m.keras"', f"{ROOT}/book/case1/01-as-asked.ipynb"]
    elsewhere = [t.replace(str(ROOT), "/srv/ci/clone") for t in printed]
    for text in printed:
        stored = execute.scrub(text, here)
        assert MACHINE_PATH.search(ANSI.sub("", stored)) is None, stored
        assert str(ROOT) not in stored, stored
        assert sanitized(stored) == sanitized(text), (stored, text)
    for stored, fresh in zip(map(lambda t: execute.scrub(t, here), printed), elsewhere):
        assert sanitized(stored) == sanitized(fresh), (stored, fresh)
    assert execute.scrub(f"{ROOT}line/x", here) == f"{ROOT}line/x"  # another name


def test_the_sidebar_has_one_numbered_part_per_case():
    """Each case is one part, captioned "Case N: ...", holding exactly the
    chapters of book/caseN/, numbered from 1 within it (multitoc numbering
    off); the parts around the cases are not numbered."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["html"]["use_multitoc_numbering"] is False
    cases = sorted(p.name for p in (ROOT / "book").glob("case*") if p.is_dir())
    seen = []
    for part in toc["parts"]:
        files = [c["file"] for c in part["chapters"]]
        folders = {pathlib.PurePosixPath(f).parent.name for f in files}
        case = re.fullmatch(r"Case (\d+): \S.*", part["caption"])
        if part.get("numbered"):
            assert case, f"a numbered part that is not a case: {part['caption']!r}"
            assert folders == {f"case{case[1]}"}, (part["caption"], files)
            assert files == sorted(files), f"{part['caption']}: chapters out of order"
            seen.append(f"case{case[1]}")
        else:
            assert not case and not any(f.startswith("case") for f in folders), part
    assert seen == sorted(cases, key=lambda c: int(c[4:])), seen


def test_the_landing_page_says_where_each_reader_starts():
    cells = json.loads((ROOT / "book" / "intro.ipynb").read_text())["cells"]
    text = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    start = text.split("## Where to start", 1)[1].split("\n## ", 1)[0]
    for page in ("find-your-error", "classroom", "run-yourself"):
        assert f"{{doc}}`{page}`" in start, page
        assert (ROOT / "book" / f"{page}.md").exists() or (
            ROOT / "book" / f"{page}.ipynb").exists(), page
