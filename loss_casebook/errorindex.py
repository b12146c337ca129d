"""The old name of :mod:`loss_casebook.explain.index`, kept so that old imports work.

Importing it gives that module itself, so its names, and any change made to
them, are the same under both names.
"""

import importlib
import sys

sys.modules[__name__] = importlib.import_module("loss_casebook.explain.index")
