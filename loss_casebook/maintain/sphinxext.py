"""The book's own Sphinx extension: what the site serves besides the chapters.

* It builds the helper package as a wheel (``pip wheel``, from a copy of the
  package's sources, so the checkout gets no ``build/`` folder) and serves it,
  with the pinned requirement files, from ``downloads/`` on the site. The
  substitutions ``{{ wheel }}`` and ``{{ wheel_link }}`` name and link the
  wheel in the book's pages (``{{ requirements_link }}``, ``{{ backends_link }}``
  link the requirement files).
* sphinx-thebe 0.3.1 registers its inline configuration script once per
  ``env-before-read-docs`` event, which Jupyter Book's build emits more than
  once, so every page declared ``const THEBE_JS_URL`` twice and the browser
  logged a ``SyntaxError``. This extension drops repeated script entries.
* It marks each cell output that prints a text table (a rule of dashes under
  its header, or a model summary's rules) with the class ``output-table``.
  ``book/_static/casebook.css`` wraps every other output's long lines; a table
  keeps its columns and scrolls in a box that ``casebook.js`` labels when the
  table is wider than the page's column.
"""

from __future__ import annotations

import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
from typing import Any

#: Files from the repository root that the site serves next to the wheel.
SERVED_FILES = ("requirements-chapters.txt", "requirements-backends.txt")
#: What the wheel is built from (copied to a scratch folder first).
WHEEL_SOURCES = ("pyproject.toml", "README.md", "requirements-chapters.txt", "loss_casebook")


#: The class of a cell output that holds a text table.
TABLE_CLASS = "output-table"
#: A table's rule: a line of only rule characters (tabulate's ``----  ---``,
#: a Keras model summary's ``====`` or ``━━━┳━━━``), at least 10 of them.
_RULE_CHARS = "-=_─━│┃┄┅┈┉┌┐└┘├┤┬┴┼┏┓┗┛┡┩┣┫┳┻╇╋"
_RULE = re.compile(rf"^[\s{re.escape(_RULE_CHARS)}]+$")


def is_text_table(text: str) -> bool:
    """True if ``text`` has a table's rule line (10 or more rule characters
    and nothing else on the line), the mark of a printed table."""
    return any(_RULE.match(line) and sum(c in _RULE_CHARS for c in line) >= 10
               for line in text.splitlines())


def mark_tables(app, doctree, docname) -> None:
    """``doctree-resolved``: add :data:`TABLE_CLASS` to each cell output (not a
    traceback) that prints a text table."""
    from docutils import nodes

    for node in doctree.findall(nodes.literal_block):
        classes = node.get("classes", [])
        if ("output" in classes and "traceback" not in classes
                and TABLE_CLASS not in classes and is_text_table(node.astext())):
            classes.append(TABLE_CLASS)


def _key(script: Any) -> tuple[str, str]:
    """Identify a script by its file name and inline body (priority ignored)."""
    attributes = getattr(script, "attributes", {}) or {}
    return (str(getattr(script, "filename", script) or ""), str(attributes.get("body", "")))


def dedupe_scripts(scripts: list[Any]) -> list[Any]:
    """Return ``scripts`` without repeats, keeping the first of each, in order."""
    seen: set[tuple[str, str]] = set()
    out = []
    for script in scripts:
        key = _key(script)
        if key not in seen:
            seen.add(key)
            out.append(script)
    return out


def build_wheel(root: pathlib.Path, dest: pathlib.Path) -> pathlib.Path:
    """Build the helper package's wheel from ``root`` into ``dest``; return its path.

    Uses ``pip wheel --no-deps --no-build-isolation`` with the running
    interpreter, so it needs no network (setuptools is pinned in
    ``requirements.txt``). Old wheels in ``dest`` are removed first.

    Raises
    ------
    FileNotFoundError
        If ``root`` lacks one of :data:`WHEEL_SOURCES`.
    RuntimeError
        If pip fails; the message ends with pip's last output line.
    """
    root = pathlib.Path(root)
    missing = [name for name in WHEEL_SOURCES if not (root / name).exists()]
    if missing:
        raise FileNotFoundError(f"cannot build the helper wheel: {root} has no {missing[0]}")
    dest.mkdir(parents=True, exist_ok=True)
    for old in dest.glob("loss_casebook-*.whl"):
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        src = pathlib.Path(tmp) / "src"
        src.mkdir()
        for name in WHEEL_SOURCES:
            if (root / name).is_dir():
                shutil.copytree(root / name, src / name,
                                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            else:
                shutil.copy2(root / name, src / name)
        run = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
             "--disable-pip-version-check", "-q", "-w", str(dest), str(src)],
            capture_output=True, text=True)
    wheels = sorted(dest.glob("loss_casebook-*.whl"))
    if run.returncode != 0 or len(wheels) != 1:
        last = (run.stderr or run.stdout).strip().splitlines()[-1:] or ["no output"]
        raise RuntimeError(f"building the helper wheel failed: {last[0]}")
    return wheels[0]


def _serve_downloads(app, config) -> None:
    """``config-inited``: build the wheel and add it to the site's extra files."""
    root = pathlib.Path(app.srcdir)
    extra = pathlib.Path(app.outdir).parent / "site-extra"
    downloads = extra / "downloads"
    wheel = build_wheel(root, downloads)
    for name in SERVED_FILES:
        if (root / name).exists():
            shutil.copy2(root / name, downloads / name)
    if str(extra) not in config.html_extra_path:
        config.html_extra_path.append(str(extra))
    link = '<a class="reference download" href="../downloads/{0}" download>{0}</a>'
    config.myst_substitutions = {
        **config.myst_substitutions,
        "wheel": wheel.name,
        # pages in book/ link one level up, to the site's downloads/
        "wheel_link": link.format(wheel.name),
        "requirements_link": link.format("requirements-chapters.txt"),
        "backends_link": link.format("requirements-backends.txt"),
    }


def _on_page(app, pagename, templatename, context, doctree) -> None:
    if "script_files" in context:
        context["script_files"][:] = dedupe_scripts(context["script_files"])


def setup(app) -> dict[str, Any]:
    app.connect("config-inited", _serve_downloads)
    app.connect("html-page-context", _on_page)
    app.connect("doctree-resolved", mark_tables)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
