"""Hide installed packages, to see the book as a reader without them sees it.

With this folder on ``PYTHONPATH``, every Python process that inherits the
environment (pytest, the Jupyter kernels nbval starts, the backend processes
of :mod:`loss_casebook.backends`) runs this file at start-up and hides the
top-level packages named in ``LOSS_CASEBOOK_HIDE`` (comma-separated): for
them ``importlib.util.find_spec`` returns ``None``, ``import`` raises
``ModuleNotFoundError`` and :mod:`importlib.metadata` finds no distribution,
as when they were never installed. The folder must be given as an absolute
path (the kernels start in the chapters' folders). For example, the default
install (``requirements.txt``, no PyTorch)::

    PYTHONPATH=$PWD/tests/hide_modules LOSS_CASEBOOK_HIDE=torch \\
        pytest -n 0 book/case4/01-as-reported.ipynb
"""

import os
import sys

HIDDEN = frozenset(
    name.strip() for name in os.environ.get("LOSS_CASEBOOK_HIDE", "").split(",")
    if name.strip()
)


def _hidden(name: str) -> bool:
    return name.partition(".")[0] in HIDDEN


class _Hiding:
    """Wraps a finder of ``sys.meta_path``: it finds nothing hidden."""

    def __init__(self, finder):
        self._finder = finder

    def find_spec(self, name, path=None, target=None):
        if _hidden(name):
            return None
        return self._finder.find_spec(name, path, target)

    def find_distributions(self, context=None, **kwargs):
        from importlib.metadata import DistributionFinder

        found = getattr(self._finder, "find_distributions", None)
        if found is None:
            return iter(())
        context = context or DistributionFinder.Context(**kwargs)
        return (d for d in found(context)
                if d.metadata["Name"] is None
                or d.metadata["Name"].lower().replace("-", "_") not in HIDDEN)

    def __getattr__(self, attribute):
        return getattr(self._finder, attribute)


if HIDDEN:
    sys.meta_path[:] = [f if isinstance(f, _Hiding) else _Hiding(f)
                        for f in sys.meta_path]
