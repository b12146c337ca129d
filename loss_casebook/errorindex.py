"""The error index under its first name; it lives in :mod:`loss_casebook.explain.index`."""

from loss_casebook.explain.index import (  # noqa: F401
    FLOORS, INDEX, KINDS, PAGE, RULES, Cause, Entry, IndexFileError, Text, load, parse, slug)
