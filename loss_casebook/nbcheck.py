"""Checks for notebook cells that are meant to raise."""

from __future__ import annotations

import logging
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


class LogCapture(logging.Handler):
    """Keep every record a logger emits, without stopping it from printing.

    Attached with :func:`capture_log`. The records still propagate to the
    logger's usual handlers, so a warning stays visible in the notebook and
    can also be asserted afterwards through :attr:`messages`.
    """

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    @property
    def messages(self) -> list[str]:
        """The formatted message of each record, in the order they came."""
        return [r.getMessage() for r in self.records]


def capture_log(name: str) -> LogCapture:
    """Start keeping the records of logger ``name``; return the handler.

    Call ``logging.getLogger(name).removeHandler(handler)`` to stop.

    Raises
    ------
    ValueError
        If ``name`` is not a non-empty string.
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"name must be a non-empty logger name, got {name!r}.")
    handler = LogCapture()
    logging.getLogger(name).addHandler(handler)
    return handler
