"""The words of a pasted text that the ranking compares, rule for rule as in the browser.

:func:`words` is the one tokenizer of the book's ranked search: the site's
search page and paste box (``maintain/rankedsearch.js``, which ports these
rules line for line) and ``python -m loss_casebook.explain`` both turn the
book's sections, the error index and a reader's paste into words with it, so
that they rank the same text. ``tests/test_site.py`` compares the two ports
on the whole corpus and on real reports.

The rules, in order:

1. ANSI colour codes and web addresses go; ``CamelCase`` and ``camelCase`` split into words
   (``BinaryCrossentropy`` -> ``binary crossentropy``).
2. Lower case; ``cross-entropy``, ``cross entropy`` and ``cross_entropy``
   become ``crossentropy``, the spelling of Keras's names.
3. Numbers are read as numbers: a loss logged negative (``loss: -55.0``)
   adds the word ``negative``; ``nan`` and ``inf`` are words; other numbers
   are dropped.
4. Words are runs of ASCII letters and digits starting with a letter
   (``val_loss`` gives ``val`` and ``loss``); each Chinese character is a
   word of its own, so that Chinese text is searchable without a segmenter.
5. Words of one letter and the :data:`STOP` words go.
"""

from __future__ import annotations

import re

#: Words that say nothing about which cause it is: English function words and
#: the noise of tracebacks and progress bars.
STOP = frozenset("""
a about after again all also am an and any are as at be been before being but by
can could did do does doing done for from get gets got had has have having he her
here hi him his how i if in into is it its just me more most my no not now of on
once only or other our out over same she so some such than that the their them then
there these they this those through to too under until up very was we were what when
where which while who why will with would you your yours
file line py traceback recent call last site packages lib python dist usr local home
eta step steps ms us
""".split())

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]|https?://\S+")
_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_CROSS = re.compile(r"cross[\s_-]*entropy")
_NEGATIVE = re.compile(r"(loss\w*['\"]?\s*[:=]\s*)-(?=\s*[0-9.])")
_WORD = re.compile(r"[a-z][a-z0-9]*|[\u3400-\u9fff\uf900-\ufaff]")


def words(text: str) -> list[str]:
    """The words of ``text`` that the ranking compares (see the module doc)."""
    text = _CAMEL.sub(r"\1 \2", _ANSI.sub(" ", text)).lower()
    text = _CROSS.sub("crossentropy", text)
    text = _NEGATIVE.sub(r"\1 negative ", text)
    return [w for w in _WORD.findall(text) if (len(w) > 1 or w > "\u3000") and w not in STOP]
