"""Case 6: the experiment's data, JAX's zero row, the exercises' checkers."""

import importlib
import numpy as np
import pytest

# the package re-exports the function case6, so import the module by its full name
experiment = importlib.import_module("loss_casebook.backends.experiments.case6")
from loss_casebook.classroom.checkers import case6, feedback


def test_class_data_is_seeded_and_marks_void_rows_only():
    x, y, void = experiment.class_data(200, classes=4, void=0.2, seed=0)
    x2, y2, void2 = experiment.class_data(200, classes=4, void=0.2, seed=0)
    assert np.array_equal(x, x2) and np.array_equal(void, void2)
    assert set(np.unique(y)) <= {0, 1, 2, 3}
    keep = void != 255
    assert np.array_equal(void[keep], y[keep]) and 0.1 < (~keep).mean() < 0.3


def test_jax_one_hot_gives_a_zero_row_outside_the_range():
    jax = pytest.importorskip("jax")
    rows = np.asarray(jax.nn.one_hot(np.array([4, 255, -1, 0]), 4))
    assert (rows[:3] == 0).all() and rows[3].tolist() == [1, 0, 0, 0]


@pytest.mark.parametrize("check", [case6.check_means, case6.check_backend_labels,
                                   case6.check_fixed_labels])
def test_unsolved_is_reported_not_raised(check):
    fb = check(None)
    assert not fb and str(fb) == feedback.NOT_SOLVED


@pytest.mark.parametrize("answer, ok, words", [
    ([0.375, 0.5], True, "Correct"),
    ((0.375, 0.5), True, "Correct"),
    ([0.5, 0.5], False, "still count"),
    ([0.375, 0.375], False, "6 valid"),
    ([1.0, 2.0], False, "divide by the pixels counted"),
    ([0.375], False, "two numbers"),
    (["0.375", "0.5"], False, "two numbers"),
    ([float("nan"), 0.5], False, "finite"),
])
def test_check_means(answer, ok, words):
    fb = case6.check_means(answer)
    assert bool(fb) is ok and words in fb


@pytest.mark.parametrize("answer, ok, words", [
    (["raises", "ignores", "raises"], True, "Correct"),
    (["ignores", "ignores", "raises"], False, "Not for tensorflow"),
    (["raises", "raises", "raises"], False, "Not for jax"),
    (["raises", "ignores", "ignores"], False, "Not for torch"),
    (["raises", "nan", "raises"], False, "Use only"),
    ("raises", False, "three words"),
])
def test_check_backend_labels(answer, ok, words):
    fb = case6.check_backend_labels(answer)
    assert bool(fb) is ok and words in fb


@pytest.mark.parametrize("answer, ok, words", [
    ([0, 3, 1, 255, 2, 3, 255, 0], True, "Correct"),
    (np.array([0, 3, 1, 255, 2, 3, 255, 0]), True, "Correct"),
    (case6.LABELS, False, "1-based"),
    ([0, 3, 1, 254, 2, 3, 254, 0], False, "254"),
    ([0, 3, 1, 0, 2, 3, 0, 0], False, "keep 255"),
    ([1, 2], False, "8 numbers"),
    ("abc", False, "numbers"),
])
def test_check_fixed_labels(answer, ok, words):
    fb = case6.check_fixed_labels(answer)
    assert bool(fb) is ok and words in fb


def test_the_case6_exercises_in_order():
    labels = [k for k, e in feedback.EXERCISES.items() if e.notebook.startswith("case6/")]
    assert labels == ["ex-c6-mean", "ex-c6-backend", "ex-c6-fix"]


def test_byte_records_read_from_the_wrong_byte_give_labels_far_above_k():
    data, written = experiment.byte_records(128, classes=10, pixels=48, seed=0)
    assert data == experiment.byte_records(128, classes=10, pixels=48, seed=0)[0]
    rows = np.frombuffer(data, np.uint8).reshape(128, 49)
    assert np.array_equal(rows[:, -1], written) and set(written) <= set(range(10))
    first = rows[:, 0]
    assert (first >= 10).mean() > 0.9 and len(np.unique(first)) > 10


def test_check_labels_names_bytes_read_as_labels_and_passes_the_right_byte():
    from loss_casebook.check import check_labels

    data, _ = experiment.byte_records()
    rows = np.frombuffer(data, np.uint8).reshape(128, -1)
    with pytest.raises(ValueError, match=r"different values up to \d+ for 10 classes look "
                                         r"like bytes of the data \(pixels\) read as labels: "
                                         r"check where y is read from"):
        check_labels(rows[:, 0], num_classes=10)
    assert check_labels(rows[:, -1], num_classes=10) is None


@pytest.mark.parametrize("labels, k, says", [
    ([0, 5, 7], 4, "remap them, or give the model 8 outputs"),  # a few values: not bytes
    (list(range(0, 1000, 7)), 10, "remap them, or give the model 995 outputs"),  # above 255
])
def test_check_labels_keeps_its_other_advice_where_the_labels_are_not_bytes(labels, k, says):
    from loss_casebook.check import check_labels

    with pytest.raises(ValueError, match=says):
        check_labels(np.array(labels), num_classes=k)


def test_the_quoted_report_holds_bytes_not_class_ids():
    values = np.array(experiment.REPORT_5932)
    assert len(values) == 128 and values.max() == 255  # the value TensorFlow named
    assert values.min() >= 10  # not one of them is a class of the ten
    assert (values == 255).sum() == 1 and len(np.unique(values)) > 10
