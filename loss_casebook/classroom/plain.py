"""The exercise chapters' MyST as plain Markdown, for student copies opened in Jupyter.

The book writes each exercise as a sphinx-exercise directive::

    ```{exercise} Cosine distance by hand
    :label: ex-c1-distance

    With NumPy, compute ...
    ```

which Jupyter and JupyterLab show as a raw code block. In a student copy it
becomes a heading and its text (``## Exercise 1: Cosine distance by hand``),
numbered in the copy's order, and the label moves to the cell's metadata
(``loss_casebook.exercises``), where no reader sees it and Jupyter keeps it.
Roles become text: ``{ref}`` to an exercise of the copy is "Exercise N",
``{doc}`` the chapter's title in italics, ``{math}`` inline ``$...$``; any
other role keeps its text as code. Admonitions (``{note}``, ...) become a
quote with a bold title; solution directives are dropped (their cells, tagged
``solution``, are removed before this runs).
"""

from __future__ import annotations

import pathlib
import re
from collections.abc import Callable

#: The opening line of a directive: a fence of backticks or colons, its name, its argument.
_OPEN = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|:{3,})\{(?P<name>[\w:.-]+)\}\s*(?P<arg>.*?)\s*$")
#: A plain code fence (no directive), whose lines are left alone.
_CODE = re.compile(r"^\s*(?P<fence>`{3,}|~{3,})")
_OPTION = re.compile(r"^\s*:(?P<key>[\w-]+):\s*(?P<value>.*?)\s*$")
_ROLE = re.compile(r"\{(?P<name>[\w:.-]+)\}`(?P<text>[^`]*)`")
_TARGET = re.compile(r"^\s*\([\w:.-]+\)=\s*$")
_COMMENT = re.compile(r"^\s*%")
_ADMONITIONS = ("note", "tip", "hint", "important", "warning", "caution", "attention",
                "danger", "error", "seealso")
_SOLUTIONS = ("solution", "solution-start", "solution-end")


def exercise_labels(source: str) -> list[str]:
    """The ``:label:`` of every ``{exercise}`` directive in a MyST cell, in order."""
    labels = []
    for block in _blocks(source.splitlines()):
        if isinstance(block, tuple) and block[0] == "exercise":
            labels.append(block[2].get("label", ""))
            labels += exercise_labels("\n".join(block[3]))
    return [label for label in labels if label]


def _blocks(lines: list[str]) -> list:
    """Lines, with each top-level directive as ``(name, arg, options, body_lines)``."""
    out: list = []
    i = 0
    code_fence = None
    while i < len(lines):
        line = lines[i]
        if code_fence is None and (m := _OPEN.match(line)):
            fence = m["fence"]
            j = i + 1
            while j < len(lines) and not (set(lines[j].strip()) == {fence[0]}
                                          and len(lines[j].strip()) >= len(fence)):
                j += 1
            body = lines[i + 1:j]
            options = {}
            while body and (o := _OPTION.match(body[0])):
                options[o["key"]] = o["value"]
                body = body[1:]
            out.append((m["name"], m["arg"], options, body))
            i = j + 1
            continue
        if (c := _CODE.match(line)) and "{" not in line:
            if code_fence is None:
                code_fence = c["fence"]
            elif line.strip().startswith(code_fence) and set(line.strip()) == {code_fence[0]}:
                code_fence = None
        out.append(line if code_fence is None else ("code", line))
        i += 1
    return out


class Converter:
    """Turns one copy's Markdown cells into plain Markdown, numbering its exercises.

    ``exercise_numbers`` maps a label to its number in the copy; ``doc_title``
    maps a ``{doc}`` target (as written in the chapter) to the title to show
    (:func:`chapter_titles` reads it from the book).
    """

    def __init__(self, exercise_numbers: dict[str, int],
                 doc_title: Callable[[str], str] = lambda target: target) -> None:
        self.numbers = dict(exercise_numbers)
        self.doc_title = doc_title

    def role(self, match: re.Match) -> str:
        name, text = match["name"], match["text"]
        shown, _, target = text.partition("<")
        target = target.rstrip(">").strip() if target else ""
        if name in ("ref", "numref", "doc", "eq") and target:
            return shown.strip()
        if name in ("ref", "numref"):
            return f"Exercise {self.numbers[text]}" if text in self.numbers else text
        if name == "doc":
            return f"*{self.doc_title(text)}*"
        if name == "math":
            return f"${text}$"
        return f"`{text}`"

    def convert(self, source: str) -> str:
        """``source`` (one Markdown cell) with no MyST left in it."""
        lines: list[str] = []
        for block in _blocks(source.splitlines()):
            if isinstance(block, str):
                if not (_TARGET.match(block) or _COMMENT.match(block)):
                    lines.append(_ROLE.sub(self.role, block))
                continue
            if block[0] == "code":
                lines.append(block[1])
                continue
            lines += self._directive(*block)
        text = "\n".join(lines)
        return re.sub(r"\n{3,}", "\n\n", text).strip("\n")

    def _directive(self, name: str, arg: str, options: dict, body: list[str]) -> list[str]:
        inner = self.convert("\n".join(body)).splitlines()
        arg = _ROLE.sub(self.role, arg)
        if name in _SOLUTIONS:
            return []
        if name == "exercise":
            number = self.numbers.get(options.get("label", ""))
            head = "Exercise" if number is None else f"Exercise {number}"
            return [f"## {head}: {arg}" if arg else f"## {head}", "", *inner, ""]
        if name in _ADMONITIONS or name == "admonition":
            title = arg if name == "admonition" else name.capitalize()
            quoted = [f"> {line}" if line else ">" for line in inner]
            return [f"> **{title}**", ">", *quoted, ""] if title else [*quoted, ""]
        if name == "math":
            return ["$$", *inner, "$$", ""]
        return ([f"**{arg}**", ""] if arg else []) + [*inner, ""]


def chapter_titles(chapter: pathlib.Path) -> Callable[[str], str]:
    """For a chapter file, a function from a ``{doc}`` target to that chapter's title.

    The title is the first ``# `` heading of the target notebook or Markdown
    file; a target that cannot be read stays as it is written.
    """
    import nbformat

    def title(target: str) -> str:
        base = chapter.parent / target
        for path in (base.with_suffix(".ipynb"), base.with_suffix(".md")):
            if not path.is_file():
                continue
            if path.suffix == ".ipynb":
                cells = nbformat.read(path, as_version=4).cells
                text = "\n".join(c.source for c in cells if c.cell_type == "markdown")
            else:
                text = path.read_text(encoding="utf-8")
            heading = re.search(r"^# (.+)$", text, re.MULTILINE)
            if heading:
                return _ROLE.sub(lambda m: m["text"], heading[1].strip())
        return target

    return title


def plain_notebook(nb, chapter: pathlib.Path) -> list[str]:
    """Convert ``nb``'s Markdown cells in place; return its exercise labels in order.

    ``chapter`` is the book's file the copy comes from (for ``{doc}`` titles).
    Each cell that held exercises keeps their labels in its metadata,
    ``loss_casebook: {"exercises": [...]}``.
    """
    labels: list[str] = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            labels += exercise_labels(cell.source)
    converter = Converter({label: i for i, label in enumerate(labels, 1)},
                          chapter_titles(chapter))
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        found = exercise_labels(cell.source)
        cell.source = converter.convert(cell.source)
        if found:
            cell.metadata["loss_casebook"] = {"exercises": found}
    return labels
