"""Check the book's links into GitHub repositories against local clones.

``python -m loss_casebook.maintain.linkcheck --repo OWNER/REPO=GITDIR ...
[--dir OWNER/REPO@REF=FOLDER ...] [PATH ...]``

Scans ``.ipynb`` (every cell's source), ``.md``, ``.py``, ``.txt``, ``.toml`` and
``.yml`` files under the paths (default: ``README.md``, ``book``,
``loss_casebook``) for GitHub links ``OWNER/REPO/blob/REF/PATH`` (with an
optional ``#Lnn`` or ``#Lnn-Lmm`` anchor) and ``OWNER/REPO/tree/REF/PATH``.
For each link into a repository given with ``--repo`` (a bare git directory
or a work tree) it checks that REF exists, that PATH is a file (``blob``) or a
folder (``tree``) at REF, and that the file has the anchored lines.

Backticked identifiers (``_get_logits``, ``keras.losses.cosine_similarity``)
in a link's text, or else in the sentence around it, are looked up in the
linked file; one found in none of the sentence's linked files is a warning
(an error with ``--symbols strict``; ``--symbols off`` skips the check).

Prints ``FILE: URL: reason`` per broken link (FILE is ``path:line``, or
``path[cell]`` for a notebook, cells counted from 0), then a summary on
stderr. Exit 0 when every checked link resolves, 1 when one is broken (or,
with ``--strict``, when one could not be checked), 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import itertools
import json
import pathlib
import re
import subprocess
import sys
import urllib.parse
from dataclasses import dataclass, field

SUFFIXES = {".ipynb", ".md", ".py", ".txt", ".toml", ".yml", ".yaml"}
DEFAULT_PATHS = ("README.md", "book", "loss_casebook")
LINK = re.compile(r"https://github\.com/([\w.-]+)/([\w.-]+)/(blob|tree)/"
                  r"([^\s()\[\]<>\"'`#?]+)(?:\?[^\s()<>\"'`#]*)?(#L(\d+)(?:-L(\d+))?)?")
MD_LINK = re.compile(r"\[([^\]]*)\]\(\s*$")
IDENT = re.compile(r"`([A-Za-z_][\w.]*)(?:\(\))?`")
ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z*\[`(])")
_SENTENCES = itertools.count()


class UsageError(Exception):
    """Bad arguments, reported in one sentence."""


@dataclass
class Link:
    """One link found in a file, with the identifiers named around it."""

    where: str
    url: str
    repo: str
    kind: str
    rest: str
    lines: tuple[int, int] | None
    names: list[str] = field(default_factory=list)
    from_label: bool = False
    sentence: int = 0


class Clone:
    """A local git repository (bare or work tree), queried through ``git``."""

    def __init__(self, path: pathlib.Path) -> None:
        self.path = path
        self._cache: dict[tuple[str, ...], str | None] = {}

    def _git(self, *args: str) -> str | None:
        if args not in self._cache:
            r = subprocess.run(["git", "-C", str(self.path), *args],
                               capture_output=True, text=True, errors="replace")
            self._cache[args] = r.stdout if r.returncode == 0 else None
        return self._cache[args]

    def is_repo(self) -> bool:
        """True if ``git`` sees a repository at the path."""
        return self._git("rev-parse", "--git-dir") is not None

    def split(self, rest: str) -> tuple[str, str] | None:
        """Split ``REF/PATH`` at the shortest prefix that names a commit."""
        parts = rest.split("/")
        for i in range(1, len(parts) + 1):
            ref = "/".join(parts[:i])
            if self._git("rev-parse", "--verify", "--quiet", ref + "^{commit}"):
                return ref, "/".join(parts[i:])
        return None

    def kind(self, ref: str, path: str) -> str | None:
        """``blob``, ``tree`` or None (missing) for PATH at REF."""
        out = self._git("cat-file", "-t", f"{ref}:{path}")
        return out.strip() if out else None

    def text(self, ref: str, path: str) -> str:
        """The file's text at REF ('' when it cannot be read)."""
        return self._git("cat-file", "blob", f"{ref}:{path}") or ""


class Folder:
    """One tag's files in a plain folder, e.g. an installed package (``--dir``).

    Used where no clone can be had: TensorFlow's ``.py`` files sit in its wheel
    at the same paths as in its repository, and its C++ headers under the
    wheel's ``include/``. Only links at ``ref`` are checked. A repository given
    ``--dir`` twice at the same ref is looked up in both folders, first first.
    """

    def __init__(self, path: pathlib.Path, ref: str) -> None:
        self.roots = [path]
        self.ref = ref

    @property
    def path(self) -> pathlib.Path:
        """The first folder."""
        return self.roots[0]

    def is_repo(self) -> bool:
        """True if every folder exists."""
        return all(r.is_dir() for r in self.roots)

    def _find(self, path: str) -> pathlib.Path:
        for root in self.roots:
            if (root / path).exists():
                return root / path
        return self.roots[0] / path

    def split(self, rest: str) -> tuple[str, str] | None:
        """``(ref, path)`` when the link is at this folder's ref."""
        head = self.ref + "/"
        return (self.ref, rest[len(head):]) if rest.startswith(head) else None

    def kind(self, ref: str, path: str) -> str | None:
        """``blob``, ``tree`` or None (missing) for PATH."""
        target = self._find(path)
        return "blob" if target.is_file() else "tree" if target.is_dir() else None

    def text(self, ref: str, path: str) -> str:
        """The file's text ('' when it cannot be read)."""
        try:
            return self._find(path).read_text(errors="replace")
        except OSError:
            return ""


def _blocks(text: str) -> list[tuple[int, str]]:
    """Split text into (first line number, text) list items and paragraphs."""
    blocks: list[tuple[int, list[str]]] = []
    new = True
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            new = True
            continue
        if new or ITEM.match(line):
            blocks.append((n, []))
        blocks[-1][1].append(line.strip())
        new = False
    return [(n, " ".join(lines)) for n, lines in blocks]


def find_links(text: str, where: str, numbered: bool) -> list[Link]:
    """Links in ``text``; ``where`` gets ``:line`` appended when ``numbered``."""
    found: list[Link] = []
    for first, block in _blocks(text):
        for sentence in SENTENCE_END.split(block):
            sentence_id = next(_SENTENCES)
            idents = IDENT.findall(sentence)
            for m in LINK.finditer(sentence):
                url = m.group(0).rstrip(".,;:!")
                label = MD_LINK.search(sentence[:m.start()])
                lines = None
                if m.group(6):
                    lines = (int(m.group(6)), int(m.group(7) or m.group(6)))
                line = first + text_offset(text, first, url)
                own = IDENT.findall(label.group(1)) if label else []
                found.append(Link(f"{where}:{line}" if numbered else where, url,
                                  f"{m.group(1)}/{m.group(2)}", m.group(3),
                                  urllib.parse.unquote(m.group(4).rstrip(".,;:!")), lines,
                                  own or idents, bool(own), sentence_id))
    return found


def text_offset(text: str, first: int, url: str) -> int:
    """Lines from block start ``first`` to the line holding ``url``."""
    lines = text.splitlines()
    for i in range(first - 1, len(lines)):
        if url in lines[i]:
            return i - first + 1
    return 0


def scan(paths: list[pathlib.Path]) -> list[Link]:
    """Every GitHub blob/tree link in the files under ``paths``."""
    links: list[Link] = []
    files: list[pathlib.Path] = []
    for p in paths:
        files += [p] if p.is_file() else sorted(
            f for f in p.rglob("*") if f.is_file() and f.suffix in SUFFIXES
            and not any(part.startswith(".") or part == "_build"
                        for part in f.relative_to(p).parts))
    for f in files:
        text = f.read_text(encoding="utf-8", errors="replace")
        if f.suffix == ".ipynb":
            try:
                cells = json.loads(text).get("cells", [])
            except json.JSONDecodeError:
                raise UsageError(f"{f} is not a readable notebook.") from None
            for i, cell in enumerate(cells):
                src = cell.get("source", "")
                links += find_links("".join(src) if isinstance(src, list) else src,
                                    f"{f}[{i}]", False)
        else:
            links += find_links(text, str(f), True)
    return links


def check(link: Link, clone: Clone | Folder) -> str | None:
    """Why the link is broken, in one sentence, or None if it resolves."""
    split = clone.split(link.rest)
    if split is None:
        return f"no ref at the start of {link.rest!r} exists in {link.repo}."
    ref, path = split
    kind = clone.kind(ref, path) if path else "tree"
    if kind is None:
        return f"{path} does not exist in {link.repo} at {ref}."
    if kind != link.kind:
        return f"{path} is a {kind}, not a {link.kind}, in {link.repo} at {ref}."
    if link.lines:
        start, end = link.lines
        count = len(clone.text(ref, path).splitlines())
        if start > end or end > count:
            return (f"the anchor asks for lines {start}-{end} but {path} has "
                    f"{count} lines at {ref}.")
    return None


def missing_symbols(links: list[Link], clones: dict[str, Clone | Folder]) -> dict[int, list[str]]:
    """Per link index: its named identifiers found in none of the files they refer to.

    Names in a link's own text must occur in that link's file; names in the
    sentence around links may occur in any of the sentence's linked files and
    are reported once, on the sentence's first checkable link.
    """
    texts: dict[int, str] = {}
    for i, link in enumerate(links):
        clone = clones.get(link.repo)
        split = clone.split(link.rest) if clone else None
        if clone and split and link.kind == "blob" and check(link, clone) is None:
            texts[i] = clone.text(*split)
    out: dict[int, list[str]] = {}
    reported: set[int] = set()
    for i, link in enumerate(links):
        if i not in texts or (not link.from_label and link.sentence in reported):
            continue
        mates = [i] if link.from_label else [
            j for j, o in enumerate(links) if o.sentence == link.sentence and j in texts]
        if not link.from_label:
            reported.add(link.sentence)
        lost = [name for name in dict.fromkeys(link.names)
                if not any(name.split(".")[-1] in texts[j] for j in mates)]
        if lost:
            out[i] = lost
    return out


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Parse the command line; a bad argument raises :class:`UsageError`."""
    class Parser(argparse.ArgumentParser):
        def error(self, message: str) -> None:  # type: ignore[override]
            raise UsageError(message[0].upper() + message[1:].rstrip(".") + ".")

    p = Parser(prog="python -m loss_casebook.maintain.linkcheck", description=__doc__)
    p.add_argument("paths", nargs="*", type=pathlib.Path)
    p.add_argument("--repo", action="append", default=[], metavar="OWNER/REPO=PATH")
    p.add_argument("--dir", action="append", default=[], metavar="OWNER/REPO@REF=FOLDER",
                   help="a folder holding one tag's files (e.g. an installed wheel)")
    p.add_argument("--strict", action="store_true",
                   help="fail when a link goes to a repository with no clone given")
    p.add_argument("--symbols", choices=("off", "warn", "strict"), default="warn")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the check; return the exit status."""
    try:
        args = parse_args(argv)
        clones: dict[str, Clone | Folder] = {}
        for spec in args.repo:
            name, sep, path = spec.partition("=")
            if not sep or name.count("/") != 1 or not path:
                raise UsageError(f"--repo takes OWNER/REPO=PATH, not {spec!r}.")
            if not pathlib.Path(path).exists():
                raise UsageError(f"the clone path {path} given for {name} does not exist.")
            clones[name] = Clone(pathlib.Path(path))
            if not clones[name].is_repo():
                raise UsageError(f"{path} given for {name} is not a git repository.")
        for spec in args.dir:
            name, sep, path = spec.partition("=")
            name, at, ref = name.partition("@")
            if not sep or not at or name.count("/") != 1 or not ref or not path:
                raise UsageError(f"--dir takes OWNER/REPO@REF=FOLDER, not {spec!r}.")
            known = clones.get(name)
            if isinstance(known, Folder) and known.ref == ref:
                known.roots.append(pathlib.Path(path))
            else:
                clones[name] = Folder(pathlib.Path(path), ref)
            if not clones[name].is_repo():
                raise UsageError(f"the folder {path} given for {name} does not exist.")
        paths = args.paths or [pathlib.Path(p) for p in DEFAULT_PATHS]
        for p in paths:
            if not p.exists():
                raise UsageError(f"the path {p} to scan does not exist.")
        links = scan(paths)
    except UsageError as e:
        print(f"linkcheck: error: {e}", file=sys.stderr)
        return 2
    except FileNotFoundError:
        print("linkcheck: error: the git command was not found.", file=sys.stderr)
        return 2
    broken = unchecked = warned = 0
    for link in links:
        clone = clones.get(link.repo)
        if clone is None or (isinstance(clone, Folder) and clone.split(link.rest) is None):
            unchecked += 1
            at = "" if clone is None else " at this ref"
            print(f"{link.where}: {link.url}: not checked, no clone of {link.repo}{at} was given.")
        elif (reason := check(link, clone)) is not None:
            broken += 1
            print(f"{link.where}: {link.url}: {reason}")
    if args.symbols != "off":
        for i, lost in missing_symbols(links, clones).items():
            warned += 1
            label = "error" if args.symbols == "strict" else "warning"
            names = ", ".join(f"`{n}`" for n in lost)
            print(f"{links[i].where}: {links[i].url}: {label}, {names} named next to "
                  "the link does not occur in the linked file.")
    print(f"linkcheck: {len(links)} links, {len(links) - unchecked} checked, {broken} broken, "
          f"{unchecked} not checked, {warned} symbol warnings.", file=sys.stderr)
    failed = broken or (args.strict and unchecked) or (args.symbols == "strict" and warned)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
