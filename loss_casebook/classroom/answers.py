"""Take each exercise's answer out of an executed notebook, as data the grader checks.

The grader never trusts what a student's notebook displays (a verdict can be
printed by anyone). Instead it adds one cell of its own after each exercise's
checker cell (or at the end, if the student removed it). That cell reads the
answer variable, turns it into JSON data (for an answer that is a function,
the exercise's probe runs it on fixed inputs first) and prints it after a
random marker made anew for every notebook. The grader then runs the book's
checker on that data in its own process.

The cell's code is the grader's: the converter and the probe are copied into
it as source, so patching :mod:`loss_casebook` in the kernel changes nothing.
A student can still make their answer unreadable (then it is graded as such),
or hand in numbers a function never computed by patching TensorFlow itself;
the sandbox (:mod:`loss_casebook.classroom.sandbox`) keeps such code away
from the teacher's files.
"""

from __future__ import annotations

import inspect
import json
import secrets
import textwrap
from typing import Any

from loss_casebook.classroom.checkers.feedback import Exercise

#: The largest answer, as JSON text, that the grader reads.
MAX_ANSWER_BYTES = 200_000


def to_json(value: Any) -> Any:
    """``value`` as JSON data: numbers, strings, booleans, None, lists, str-keyed dicts.

    NumPy arrays and scalars become lists and numbers; tuples become lists.
    Anything else raises ``TypeError`` naming its type.
    """
    if value is None or isinstance(value, (bool, int, float, str)):
        return value if not isinstance(value, str) else str(value)
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {k: to_json(v) for k, v in value.items()}
    if hasattr(value, "tolist") and hasattr(value, "dtype"):  # NumPy array or scalar
        return to_json(value.tolist())
    raise TypeError(f"a {type(value).__name__} cannot be graded; give numbers or text")


def new_marker() -> str:
    """A marker no student's code can know in advance."""
    return f"LOSS_CASEBOOK_ANSWER_{secrets.token_hex(16)} "


def capture_source(exercise: Exercise, marker: str) -> str:
    """The code of the cell that prints ``exercise``'s answer after ``marker``."""
    helpers = [inspect.getsource(to_json)]
    probe = "value"
    if exercise.probe is not None:
        helpers.append(inspect.getsource(exercise.probe))
        probe = f"{exercise.probe.__name__}(value)"
    name = f"_grader_{marker.split('_')[-1].strip()}"
    body = "\n".join(textwrap.indent(h, "    ") for h in helpers)
    return (
        f"def {name}():\n"
        "    import json\n"
        "    from typing import Any\n"
        f"{body}\n"
        f"    if {exercise.answer!r} not in globals():\n"
        "        return {'missing': True}\n"
        f"    value = globals()[{exercise.answer!r}]\n"
        "    try:\n"
        f"        text = json.dumps({{'value': to_json({probe})}})\n"
        "    except Exception as exc:\n"
        "        text = json.dumps({'error': f'{type(exc).__name__}: {exc}'.splitlines()[0]})\n"
        f"    if len(text) > {MAX_ANSWER_BYTES}:\n"
        "        text = json.dumps({'error': 'the answer is too large to grade'})\n"
        "    return text\n"
        f"print({marker!r} + str({name}()))\n"
        f"del {name}"
    )


def read_capture(outputs: list[dict[str, Any]], marker: str) -> dict[str, Any] | None:
    """The payload the capture cell printed (``value``, ``missing`` or ``error``), or None."""
    for out in outputs:
        if out.get("output_type") != "stream":
            continue
        text = out.get("text", "")
        text = "".join(text) if isinstance(text, list) else str(text)
        for line in text.splitlines():
            if line.startswith(marker):
                raw = line[len(marker):]
                if raw.startswith("{'missing'"):
                    return {"missing": True}
                try:
                    payload = json.loads(raw)
                except json.JSONDecodeError:
                    return None
                return payload if isinstance(payload, dict) else None
    return None
