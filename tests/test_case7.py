"""Case 7: the experiment's helpers, comparable_losses, the exercises' checkers."""

import importlib

import numpy as np
import pytest

# the package re-exports the function case7, so import the module by its full name
experiment = importlib.import_module("loss_casebook.backends.experiments.case7")
from loss_casebook.check import compare  # noqa: E402
from loss_casebook.classroom.checkers import case7, feedback  # noqa: E402


def test_regression_data_is_seeded():
    x, y = experiment.regression_data(64)
    x2, y2 = experiment.regression_data(64)
    assert x.shape == (64, 8) and y.shape == (64, 1)
    assert np.array_equal(x, x2) and np.array_equal(y, y2)


def test_per_batch_inverts_the_running_mean():
    losses = [3.0, 1.0, 2.0, 0.5]
    running = np.cumsum(losses) / np.arange(1, 5)
    assert np.allclose(experiment.per_batch(running.tolist()), losses)


def test_case7_rejects_an_unknown_part():
    with pytest.raises(ValueError, match="part must be"):
        experiment.case7(part="nope")


def test_comparable_losses_matches_numpy_and_subtracts_regularisation():
    keras = pytest.importorskip("keras")
    x, y = experiment.regression_data(96)
    model = experiment.build("l2")
    hist = model.fit(x[:64], y[:64], validation_data=(x[64:], y[64:]), epochs=1,
                     batch_size=32, verbose=0)
    got = compare.comparable_losses(model, x[:64], y[:64], history=hist.history,
                                    validation_data=(x[64:], y[64:]))
    pred = keras.ops.convert_to_numpy(model(x[:64], training=False))
    assert got["regularisation"] > 0
    assert np.isclose(got["train loss without regularisation"],
                      np.mean((pred - y[:64]) ** 2), rtol=1e-4)
    assert np.isclose(got["val loss"], got["val_loss"], rtol=1e-5)
    assert got["fit loss"] == hist.history["loss"][-1]


def test_comparable_losses_rejects_several_numbers_and_bad_batch_size():
    keras = pytest.importorskip("keras")
    x, y = experiment.regression_data(32)
    model = experiment.build("plain")
    model.compile(loss="mse", optimizer="sgd", metrics=["mae"])
    with pytest.raises(ValueError, match="several numbers"):
        compare.comparable_losses(model, x, y)
    with pytest.raises(ValueError, match="positive integer"):
        compare.comparable_losses(model, x, y, batch_size=0)
    assert keras is not None


@pytest.mark.parametrize("check", [case7.check_batch_losses, case7.check_differ,
                                   case7.check_train_data_loss])
def test_unsolved_is_reported_not_raised(check):
    fb = check(None)
    assert not fb and str(fb) == feedback.NOT_SOLVED


@pytest.mark.parametrize("answer, ok, words", [
    ([2.0, 1.0, 0.6, 0.4], True, "Correct"),
    (case7.RUNNING, False, "running means"),
    ([2.0, -0.5, -0.3, -0.2], False, "differences"),
    ([1, 1, 1, 1], False, "k times"),
    ([2.0, 1.0], False, "one loss per batch"),
    ({"a": 1}, False, "four numbers"),
])
def test_check_batch_losses(answer, ok, words):
    fb = case7.check_batch_losses(answer)
    assert bool(fb) is ok and words in fb


@pytest.mark.parametrize("answer, ok, words", [
    (["dropout", "batchnorm"], True, "Correct"),
    ({"Dropout", "batchnorm"}, True, "Correct"),
    (["dropout", "batchnorm", "l2"], False, "in both numbers"),
    (["dropout", "batchnorm", "frozen batchnorm"], False, "inference mode"),
    (["dropout"], False, "Missing 'batchnorm'"),
    (["batchnorm"], False, "Missing 'dropout'"),
    (["relu"], False, "Use only"),
    ("dropout", False, "a list"),
])
def test_check_differ(answer, ok, words):
    fb = case7.check_differ(answer)
    assert bool(fb) is ok and words in fb


@pytest.mark.parametrize("answer, ok, words", [
    (0.45, True, "Correct"),
    (0.62, False, "subtract the regularisation"),
    (1.14, False, "running mean"),
    (0.54, False, "validation rows"),
    (0.3, False, "remove what"),
    ("0.45", False, "one finite number"),
    (float("nan"), False, "one finite number"),
])
def test_check_train_data_loss(answer, ok, words):
    fb = case7.check_train_data_loss(answer)
    assert bool(fb) is ok and words in fb


def test_the_exercises_are_registered():
    labels = [e for e in feedback.EXERCISES if e.startswith("ex-c7-")]
    assert labels == ["ex-c7-batches", "ex-c7-fixed", "ex-c7-compare"]
