"""Case 11: the NumPy reductions, the experiment's data, the exercises' checkers."""

import importlib

import numpy as np
import pytest

from loss_casebook import averages
from loss_casebook.classroom.checkers import case11, feedback

# the package re-exports the function case11, so import the module by its full name
experiment = importlib.import_module("loss_casebook.backends.experiments.case11")


def test_reduce_by_hand():
    l, w = np.array([1.0, 2.0, 3.0, 6.0]), np.array([0.0, 1.0, 1.0, 0.0])
    assert averages.reduce(l, "sum", w) == 5.0
    assert averages.reduce(l, "sum_over_batch_size", w) == 1.25
    assert averages.reduce(l, "mean", w) == 1.25
    assert averages.reduce(l, "mean_with_sample_weight", w) == 2.5
    assert averages.reduce(l, "mean_with_sample_weight") == 3.0  # no weights: the mean
    assert averages.reduce(l, "none", w).tolist() == [0.0, 2.0, 3.0, 0.0]
    assert averages.reduce(l, None).tolist() == l.tolist()
    assert averages.reduce(l, "mean_with_sample_weight", np.zeros(4)) == 0.0  # divide_no_nan


def test_reduce_with_a_mask_counts_only_valid_elements():
    l = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    mask = np.array([[True, True, False], [True, False, False]])
    assert averages.reduce(l, "sum", mask=mask) == 7.0
    assert averages.reduce(l, "sum_over_batch_size", mask=mask) == 7.0 / 3
    assert averages.reduce(l, "mean_with_sample_weight", mask=mask) == 7.0 / 3
    # a per-row weight broadcasts over the steps
    w = np.array([1.0, 2.0])
    assert averages.reduce(l, "sum_over_batch_size", w, mask) == (3.0 + 8.0) / 3
    assert averages.reduce(l, "mean_with_sample_weight", w, mask) == (3.0 + 8.0) / 4


def test_reduce_refuses_an_unknown_reduction():
    with pytest.raises(ValueError, match="reduction must be one of"):
        averages.reduce([1.0], "weighted_mean")


def test_epoch_loss_weights_batches_by_rows():
    epoch, per_batch, rows = averages.epoch_loss(np.ones(10), 4, "sum")
    assert per_batch == [4.0, 4.0, 2.0] and rows == [4, 4, 2]
    assert np.isclose(epoch, 3.6) and not np.isclose(epoch, np.mean(per_batch))
    epoch, _, _ = averages.epoch_loss(np.arange(10.0), 4)
    assert np.isclose(epoch, np.arange(10.0).mean())  # means: the row mean
    with pytest.raises(ValueError, match="batch_size"):
        averages.epoch_loss(np.ones(3), 0)


def test_comparable_metric_has_the_loss_function_and_its_options():
    keras = pytest.importorskip("keras")
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction="sum")
    metric = averages.comparable_metric(loss)
    assert type(metric).__name__ == "SparseCategoricalCrossentropy"
    assert metric.get_config()["from_logits"] is True
    assert metric.name == "same_sparse_categorical_crossentropy"
    y, logits = np.array([0, 1]), np.array([[2.0, 0.0], [0.0, 1.0]], "float32")
    metric.update_state(y, logits)
    per_row = keras.losses.SparseCategoricalCrossentropy(
        from_logits=True, reduction="none")(y, logits)
    assert np.isclose(float(metric.result()), float(np.mean(per_row)), rtol=1e-6)
    with pytest.raises(TypeError, match="no metric of the same function"):
        averages.comparable_metric(keras.losses.Huber())


def test_the_experiment_data_is_seeded():
    y, p, w = experiment.rows()
    y2, p2, w2 = experiment.rows()
    assert np.array_equal(p, p2) and np.array_equal(w, w2) and w[0] == 0
    x, labels = experiment.classes()
    assert len(labels) == experiment.N_FIT and set(labels.tolist()) == {0, 1, 2}
    tokens, target = experiment.sequences()
    assert (tokens[0] != 0).all() and (tokens == 0).any()
    # padding only at the end of each sequence
    for row in tokens:
        n = int((row != 0).sum())
        assert (row[:n] != 0).all() and (row[n:] == 0).all()
    assert set(averages.REDUCTIONS) == set(experiment.REDUCTIONS)
    assert experiment.N_FIT % 16 == 8  # batch size 16 leaves a last batch of 8


def test_direct_on_this_process_backend_matches_numpy():
    pytest.importorskip("keras")
    out = experiment.direct()
    y, p, w = experiment.rows()
    per_row = ((y - p) ** 2).mean(axis=-1)
    for red in averages.REDUCTIONS:
        assert np.allclose(out["weighted"][red], averages.reduce(per_row, red, w), rtol=1e-5)
    assert out["19740"] == {"loss": 0.5, "metric": 1.0, "mean_with_sample_weight": 1.0}


@pytest.mark.parametrize("check", [case11.check_weighted_means, case11.check_epoch,
                                   case11.check_masked])
def test_unsolved_is_reported_not_raised(check):
    fb = check(None)
    assert not fb and str(fb) == feedback.NOT_SOLVED


@pytest.mark.parametrize("answer, ok, words", [
    ([1.25, 2.5], True, "Correct"),
    ((1.25, 2.5), True, "Correct"),
    ([2.5, 1.25], False, "Swapped"),
    ([3.0, 3.0], False, "unweighted mean"),
    ([1.0, 2.5], False, "zero weights included"),
    ([1.25, 2.0], False, "divided by sum(w)"),
    ([1.25], False, "two numbers"),
    (["1.25", "2.5"], False, "two numbers"),
    ([True, 2.5], False, "two numbers"),
])
def test_check_weighted_means(answer, ok, words):
    fb = case11.check_weighted_means(answer)
    assert bool(fb) is ok and words in fb


@pytest.mark.parametrize("answer, ok, words", [
    (3.6, True, "Correct"),
    (10 / 3, False, "plain mean"),
    (10, False, "sum over all rows"),
    (1, False, "per-row mean"),
    (4.0, False, "last batch"),
    (7.0, False, "weighted by"),
    (float("nan"), False, "finite"),
    ("3.6", False, "one finite number"),
])
def test_check_epoch(answer, ok, words):
    fb = case11.check_epoch(answer)
    assert bool(fb) is ok and words in fb


@pytest.mark.parametrize("answer, ok, words", [
    (2.0, True, "Correct"),
    (2, True, "Correct"),
    (1.2, False, "not counted either"),
    (4.8, False, "out of the sum"),
    (6.0, False, "That is the sum"),
    (3.0, False, "divide by their number"),
    (None, False, "not solved"),
    ([2.0], False, "one finite number"),
])
def test_check_masked(answer, ok, words):
    fb = case11.check_masked(answer)
    assert bool(fb) is ok and (words in fb or answer is None)


def test_the_case11_exercises_in_order():
    labels = [k for k, e in feedback.EXERCISES.items() if e.notebook.startswith("case11/")]
    assert labels == ["ex-c11-weights", "ex-c11-epoch", "ex-c11-mask"]
