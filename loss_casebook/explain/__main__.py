"""``python -m loss_casebook.explain``: see :mod:`loss_casebook.explain.cli`."""

import sys

from loss_casebook.explain.cli import main

sys.exit(main())
