"""Child side of :func:`loss_casebook.backends.run`: ``python -m loss_casebook.backends REQUEST``.

REQUEST is JSON ``{"experiments": [...], "params": {...}}``; the reply is one
line on standard output, marked so that library chatter cannot be mistaken for it.
A warm worker of :mod:`loss_casebook.backends.pool` calls :func:`answer` the same way.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from loss_casebook.backends.runner import _MARKER


def answer(request: dict[str, Any]) -> dict[str, Any]:
    """Run the request's experiments here: ``{"data": ...}`` or ``{"error": "one sentence"}``."""
    try:
        import keras

        if keras.backend.backend() == "torch":
            import torch

            # Tiny models: on a shared CPU a thread pool costs more than it saves.
            torch.set_num_threads(1)
        from loss_casebook.backends.experiments import EXPERIMENTS

        data = {}
        for name in request["experiments"]:
            data[name] = EXPERIMENTS[name](**request["params"].get(name, {}))
        return {"data": data}
    except Exception as err:  # reported to the parent as one sentence
        first = (str(err).strip().splitlines() or [""])[0]
        return {"error": f"{type(err).__name__}: {first}"}


def _main(argv: list[str]) -> int:
    """One JSON request in, one marked JSON line out."""
    reply = answer(json.loads(argv[0]))
    sys.stdout.flush()
    print(_MARKER + json.dumps(reply), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
