"""How the grader takes an answer out of a kernel: as data, after its own marker."""

import json

import numpy as np
import pytest

from loss_casebook.classroom import answers
from loss_casebook.classroom.checkers import EXERCISES


def test_to_json_keeps_data_and_refuses_the_rest():
    assert answers.to_json(np.array([[1.0, 2.0]])) == [[1.0, 2.0]]
    assert answers.to_json((np.float32(0.5), "b", None, True)) == [0.5, "b", None, True]
    assert answers.to_json({"a": np.int64(3)}) == {"a": 3}
    with pytest.raises(TypeError, match="a set cannot be graded"):
        answers.to_json({1, 2})
    with pytest.raises(TypeError, match="function cannot be graded"):
        answers.to_json(lambda x: x)


def _run(source: str, namespace: dict) -> str:
    """Run a capture cell's code the way a kernel would, returning what it printed."""
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source, "<capture>", "exec"), namespace)
    return out.getvalue()


@pytest.mark.parametrize("value, payload", [
    ([0.1, 0.2], {"value": [0.1, 0.2]}),
    (None, {"value": None}),
    ({1, 2}, {"error": "TypeError: a set cannot be graded; give numbers or text"}),
    (np.zeros(100_000), {"error": "the answer is too large to grade"}),
])
def test_a_capture_cell_prints_its_answer_after_the_marker(value, payload):
    marker = answers.new_marker()
    source = answers.capture_source(EXERCISES["ex-c1-distance"], marker)
    printed = _run(source, {"distance": value})
    assert answers.read_capture([{"output_type": "stream", "text": printed}], marker) == payload


def test_a_missing_variable_and_a_foreign_marker():
    marker = answers.new_marker()
    source = answers.capture_source(EXERCISES["ex-c2-eps"], marker)
    printed = _run(source, {})
    assert answers.read_capture([{"output_type": "stream", "text": printed}], marker) == {
        "missing": True}
    forged = answers.new_marker() + json.dumps({"value": 1e-7})
    assert answers.read_capture([{"output_type": "stream", "text": forged}], marker) is None


def test_a_function_answer_is_probed_by_the_graders_own_copy():
    marker = answers.new_marker()
    source = answers.capture_source(EXERCISES["ex-c2-head"], marker)
    assert "def probe_head" in source
    printed = _run(source, {"head": lambda cos: (1 + cos) / 2})
    payload = answers.read_capture([{"output_type": "stream", "text": printed}], marker)
    assert EXERCISES["ex-c2-head"].judge(payload["value"]).verdict == "correct"
