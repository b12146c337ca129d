"""Every checker: the solution passes, each typical mistake gets its sentence."""

import math

import numpy as np
import pytest

from loss_casebook.classroom.checkers import case1, case2, feedback

COS = (case1.Y_TRUE * case1.Y_PRED).sum(-1) / np.linalg.norm(case1.Y_TRUE, axis=-1) / np.linalg.norm(
    case1.Y_PRED, axis=-1)


@pytest.mark.parametrize("check", [case1.check_cosine_distance, case1.check_loss_sign,
                                   case1.check_accuracy_meaning, case2.check_smallest_eps,
                                   case2.check_siamese_head])
def test_unsolved_is_reported_not_raised(check):
    fb = check(None)
    assert not fb and str(fb).startswith("Not solved yet")


@pytest.mark.parametrize("answer, ok, words", [
    (1 - COS, True, "Correct"),
    (list(1 - COS), True, "Correct"),
    (-COS, False, "add 1"),
    (COS, False, "cosine itself"),
    (1 + COS, False, "Wrong sign"),
    ((1 - COS)[:2], False, "shape"),
    ([np.nan, 1, 1], False, "NaN"),
    ([0.1, 0.2, 0.3], False, "normalise"),
    ("abc", False, "numbers"),
])
def test_check_cosine_distance(answer, ok, words):
    fb = case1.check_cosine_distance(answer)
    assert bool(fb) is ok and words in fb


@pytest.mark.parametrize("answer, ok, words", [
    (np.sign(-COS), True, "Correct"),
    (-np.sign(-COS), False, "flipped"),
    ([1, 1], False, "one sign per row"),
    ([0.5, 1, 1], False, "-1, 0 or +1"),
])
def test_check_loss_sign(answer, ok, words):
    fb = case1.check_loss_sign(answer)
    assert bool(fb) is ok and words in fb


def test_check_loss_sign_names_the_wrong_row():
    answer = np.sign(-COS)
    answer[2] = -answer[2] if answer[2] else 1
    assert "Row 2" in case1.check_loss_sign(answer)


@pytest.mark.parametrize("answer, ok, words", [
    ("b", True, "Correct"), (" B ", True, "Correct"), ("a", False, "thresholded"),
    ("c", False, "cosine"), ("d", False, "time step"), ("e", False, "one letter"),
    (2, False, "one letter"),
])
def test_check_accuracy_meaning(answer, ok, words):
    fb = case1.check_accuracy_meaning(answer)
    assert bool(fb) is ok and words in fb


@pytest.mark.parametrize("answer, ok, words", [
    (1e-7, True, "Correct"), (1e-8, False, "too small"), (1e-5, False, "smaller power"),
    (3e-7, False, "power of ten"), (-1.0, False, "positive"), ("1e-7", False, "number"),
    (math.nan, False, "positive"),
])
def test_check_smallest_eps(answer, ok, words):
    fb = case2.check_smallest_eps(answer)
    assert bool(fb) is ok and words in fb


def _ops():
    from keras import ops
    return ops


@pytest.mark.parametrize("make, ok, words", [
    (lambda o: lambda c: 1 - o.arccos(o.clip(c, -1 + 1e-6, 1 - 1e-6)) / math.pi, True, "Correct"),
    (lambda o: lambda c: (1 + c) / 2, True, "Correct"),
    (lambda o: lambda c: 1 - o.arccos(c) / math.pi, False, "NaN"),
    (lambda o: lambda c: 1 - o.arccos(o.clip(c, -1.0, 1.0)) / math.pi, False, "gradient"),
    (lambda o: lambda c: o.arccos(o.clip(c, -1 + 1e-6, 1 - 1e-6)) / math.pi, False, "orientation"),
    (lambda o: lambda c: 2 * c, False, "[0, 1]"),
    (lambda o: lambda c: c[:, 0], False, "shape"),
    (lambda o: lambda c: 1 / 0, False, "ZeroDivisionError"),
])
def test_check_siamese_head(make, ok, words):
    fb = case2.check_siamese_head(make(_ops()))
    assert bool(fb) is ok and words in fb, fb


def test_check_siamese_head_rejects_non_functions():
    assert "function" in case2.check_siamese_head(0.5)


CEILING = np.linalg.norm(np.maximum(case1.Y_TRUE, 0), axis=-1) / np.linalg.norm(case1.Y_TRUE, axis=-1)


@pytest.mark.parametrize("check", [case1.check_sigmoid_ceiling, case2.check_broken_heads,
                                   case2.check_nan_backend])
def test_new_checkers_report_unsolved(check):
    fb = check(None)
    assert not fb and fb.verdict == "not solved"


@pytest.mark.parametrize("answer, ok, words", [
    (CEILING, True, "Correct"), (CEILING**2, False, "square"), ([1, 1, 1], False, "Row 1"),
    ((case1.Y_TRUE * abs(case1.Y_TRUE)).sum(-1) / (case1.Y_TRUE**2).sum(-1), False, "do not flip"),
    ([2, 1, 1], False, "[-1, 1]"), (CEILING[:2], False, "one cosine per row"),
    ([0.5, 0.5, 0.5], False, "max(y, 0)"), ("x", False, "numbers"),
])
def test_check_sigmoid_ceiling(answer, ok, words):
    fb = case1.check_sigmoid_ceiling(answer)
    assert bool(fb) is ok and words in fb, fb


@pytest.mark.parametrize("answer, ok, words", [
    ("both", True, "Correct"), (" Both ", True, "Correct"), ("question", False, "too late"),
    ("answer", False, "question's head"), ("neither", False, "Run the checker"),
    ("b", False, "one word"), (1, False, "one word"),
])
def test_check_broken_heads(answer, ok, words):
    fb = case2.check_broken_heads(answer)
    assert bool(fb) is ok and words in fb


@pytest.mark.parametrize("answer, ok, words", [
    ("torch", True, "RuntimeError"), ("PyTorch ", True, "Correct"), ("jax", False, "returns NaN"),
    ("TensorFlow", False, "returns NaN"), ("numpy", False, "cannot train"),
    ("keras", False, "one Keras 3 backend"), (3, False, "string"),
])
def test_check_nan_backend(answer, ok, words):
    fb = case2.check_nan_backend(answer)
    assert bool(fb) is ok and words in fb


def test_torch_raises_the_message_the_solution_quotes():
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError, match="all elements of input should be between 0 and 1"):
        torch.nn.functional.binary_cross_entropy(torch.tensor([float("nan")]),
                                                 torch.tensor([1.0]))


def test_every_exercise_has_a_checker_in_its_notebook_and_a_label():
    import pathlib

    import nbformat
    root = pathlib.Path(__file__).resolve().parents[1] / "book"
    for case in ("case1", "case2"):
        labels = [label for label, e in feedback.EXERCISES.items() if e.notebook.startswith(case + "/")]
        assert len(labels) >= 4
        nb = nbformat.read(root / case / "05-exercises.ipynb", as_version=4)
        text = "\n".join(c.source for c in nb.cells)
        for label in labels:
            assert f":label: {label}" in text and f"{feedback.EXERCISES[label].checker.__name__}(" in text


def test_feedback_carries_a_machine_readable_verdict():
    data, meta = case2.check_nan_backend("jax")._repr_mimebundle_()
    assert list(data) == ["text/plain"]  # the page renders only the sentence
    assert data["text/plain"] == meta[feedback.VERDICT_MIME]["message"]
    assert meta[feedback.VERDICT_MIME]["exercise"] == "ex-c2-backend"
    assert meta[feedback.VERDICT_MIME]["verdict"] == "wrong"
    _, meta = case1.check_loss_sign(None)._repr_mimebundle_()
    assert meta[feedback.VERDICT_MIME]["verdict"] == "not solved"


@pytest.mark.parametrize("label", list(feedback.EXERCISES))
def test_every_exercise_sits_in_its_notebook_as_the_grader_expects(label):
    """Its directive, an answer cell the student copy leaves as None, and a checker call
    on that variable: the grader takes the answer from that variable after that call."""
    import pathlib

    import nbformat

    ex = feedback.EXERCISES[label]
    book = pathlib.Path(__file__).resolve().parents[1] / "book"
    text = "\n".join(c.source for c in nbformat.read(book / ex.notebook, as_version=4).cells)
    assert f":label: {label}" in text
    assert f"{ex.answer} = None" in text
    assert f"{ex.checker.__name__}({ex.answer})" in text
