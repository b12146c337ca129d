"""Checks for notebook cells that are meant to raise."""

from __future__ import annotations

import sys


def last_error(expected: type[BaseException], contains: str) -> BaseException:
    """Return the exception raised by the previous cell, after checking it.

    A cell tagged ``raises-exception`` lets the book build and ``nbval``
    continue past an error, but neither checks *which* error it was. IPython
    keeps the last uncaught exception in ``sys.last_value``; call this in the
    next cell to assert its type and message.

    Parameters
    ----------
    expected:
        The exception class the cell should have raised (or a base class).
    contains:
        A piece of text the message must contain.

    Raises
    ------
    AssertionError
        If no cell has raised yet, or the error has another type or message.
    """
    err = getattr(sys, "last_value", None)
    if err is None:
        raise AssertionError(f"expected a {expected.__name__}, but no cell has raised yet.")
    if not isinstance(err, expected):
        raise AssertionError(f"expected {expected.__name__}, got {type(err).__name__}: {err}")
    if contains not in str(err):
        raise AssertionError(f"the {type(err).__name__} does not mention {contains!r}: {err}")
    print(f"The cell raised {type(err).__name__}, mentioning: {contains}")
    return err
