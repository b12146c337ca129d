"""``python -m loss_casebook.explain [FILE | ID] [--index PATH] [--site URL]``."""

from __future__ import annotations

import argparse
import pathlib
import sys
from collections.abc import Sequence

from loss_casebook.explain import reply as answer
from loss_casebook.explain.index import _ID, load


def read(source: str) -> str:
    """The text of ``source`` (a path, or ``-`` for standard input), checked to be text.

    Raises
    ------
    OSError
        If the file cannot be read.
    ValueError
        If it is not UTF-8 text (a binary file, say).
    """
    if source == "-":
        data = sys.stdin.buffer.read()
    else:
        with open(source, "rb") as fh:
            data = fh.read()
    name = "the input" if source == "-" else source
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{name} is not UTF-8 text; paste a log, a traceback or a "
                         "sentence.") from None
    if "\x00" in text:
        raise ValueError(f"{name} holds NUL bytes: it is a binary file, not a log.")
    return text


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; return its exit status (0 explained, 1 not in the book, 2 bad input)."""
    parser = argparse.ArgumentParser(
        prog="python -m loss_casebook.explain",
        description="Find the chapter that explains a pasted log, traceback, message or "
                    "sentence; or print one entry of the book's error index by its id.")
    parser.add_argument("file", nargs="?", default="-",
                        help="a file holding the text, or an entry's id; '-' or none "
                             "reads standard input")
    parser.add_argument("--index", default=None,
                        help="an error index to use instead of the package's errors.toml")
    parser.add_argument("--site", default=None,
                        help="the published site's address, for the links (default: "
                             f"${answer.SITE_ENV}, html.baseurl of _config.yml, or the "
                             "local build)")
    args = parser.parse_args(argv)
    try:
        entries = load(args.index)
        if args.file != "-" and not pathlib.Path(args.file).exists() and _ID.match(args.file):
            print(answer.explain_entry(args.file, entries, args.site), end="")
            return 0
        text = read(args.file)
        if not answer.words(text) and not answer.exact.tokens(text):
            raise ValueError("the input holds no words; paste a log, a traceback or a "
                             "sentence, or give a file or an entry's id.")
        result = answer.answer(text, entries)
        print(answer.render(result, args.site), end="")
    except KeyError as err:
        print(f"explain: {err.args[0]}", file=sys.stderr)
        return 2
    except OSError as err:
        print(f"explain: cannot read {args.file}: {err.strerror}.", file=sys.stderr)
        return 2
    except ValueError as err:  # IndexFileError too
        print(f"explain: {err}", file=sys.stderr)
        return 2
    return 0 if result is not None and result.explained else 1


if __name__ == "__main__":
    sys.exit(main())
