"""A small Sphinx extension for the book's site.

sphinx-thebe 0.3.1 registers its inline configuration script once per
``env-before-read-docs`` event, which Jupyter Book's build emits more than once,
so every page declared ``const THEBE_JS_URL`` twice and the browser logged a
``SyntaxError``. This extension drops repeated script entries from each page.
"""

from __future__ import annotations

from typing import Any


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


def _on_page(app, pagename, templatename, context, doctree) -> None:
    if "script_files" in context:
        context["script_files"][:] = dedupe_scripts(context["script_files"])


def setup(app) -> dict[str, Any]:
    app.connect("html-page-context", _on_page)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
