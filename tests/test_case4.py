"""Case 4: the floor formula, the experiment's helpers, the exercises' checkers."""

import importlib
import math

import numpy as np
import pytest

# the package re-exports the function case4, so import the module by its full name
experiment = importlib.import_module("loss_casebook.backends.experiments.case4")
from loss_casebook.classroom.checkers import case4, feedback

CLIP = {"epsilon": 1e-7, "clip high": float(np.float32(1 - 1e-7)), "delta": 2.0**-23}


def test_float32_clip_bound_is_one_minus_2_to_the_minus_23():
    assert float(np.float32(1) - np.float32(1 - 1e-7)) == 2.0**-23


def test_floor_matches_keras_on_plain_numbers():
    keras = pytest.importorskip("keras")
    t = np.array([[255.0], [100.0], [1.0]], "float32")
    loss = keras.ops.convert_to_numpy(keras.losses.binary_crossentropy(t, np.ones_like(t)))
    expected = [experiment.floor(v, CLIP) for v in (255.0, 100.0, 1.0)]
    assert np.allclose(loss, expected, rtol=1e-6, atol=1e-6)


def test_floor_is_about_minus_t_minus_one_times_log_2_to_the_23():
    assert math.isclose(experiment.floor(255.0, CLIP), -254 * 23 * math.log(2), rel_tol=1e-6)


def test_positive_at_floor_is_the_share_of_object_pixels_on_the_floor():
    """Untrained, no prediction sits at the clip bound; trained, nearly all do."""
    pytest.importorskip("keras")
    x, y = experiment.mask_data(256)  # the chapters' data
    fresh = experiment.train_mask(x, 255 * y, epochs=1)
    trained = experiment.train_mask(x, 255 * y, epochs=60)
    assert fresh["positive at floor"] < 0.5
    assert 0.95 <= trained["positive at floor"] <= 1.0
    assert math.isclose(trained["positive loss"][0], experiment.floor(255.0, CLIP),
                        rel_tol=1e-5)


def test_error_text_picks_the_line_that_names_the_value():
    err = RuntimeError("Graph execution error:\n\nDetected at node x\nReceived a label value "
                       "of 255 which is outside the valid range of [0, 4).  Label values: 255")
    assert experiment.error_text(err).startswith("RuntimeError: Received a label value of 255")
    assert experiment.error_text(ValueError("one line")) == "ValueError: one line"


def test_mask_data_is_seeded_and_binary():
    x1, y1 = experiment.mask_data(64, seed=3)
    x2, y2 = experiment.mask_data(64, seed=3)
    assert np.array_equal(x1, x2) and np.array_equal(y1, y2)
    assert set(np.unique(y1)) == {0.0, 1.0} and y1.shape == (64, 1)


@pytest.mark.parametrize("check", [case4.check_floor, case4.check_backend_behaviour,
                                   case4.check_fixed_targets])
def test_unsolved_is_reported_not_raised(check):
    fb = check(None)
    assert not fb and str(fb) == feedback.NOT_SOLVED


@pytest.mark.parametrize("answer, ok, words", [
    (case4.floor(100.0), True, "Correct"),
    (round(case4.floor(100.0), 2), True, "Correct"),
    (-(100 * math.log(1 - 1e-7) - 99 * math.log(1e-7)), False, "2**-23"),
    (1578.3, False, "negative"),
    (-1.0, False, "float32 clip bound"),
    (float("-inf"), False, "finite"),
    ("-1578", False, "one number"),
    (True, False, "one number"),
])
def test_check_floor(answer, ok, words):
    fb = case4.check_floor(answer)
    assert bool(fb) is ok and words in fb


@pytest.mark.parametrize("answer, ok, words", [
    (["falls", "floor", "raises"], True, "Correct"),
    ([" Falls", "FLOOR", "raises "], True, "Correct"),
    (["floor", "floor", "raises"], False, "Not for tensorflow"),
    (["falls", "falls", "raises"], False, "Not for jax"),
    (["falls", "floor", "floor"], False, "Not for torch"),
    (["falls", "floor", "nan"], False, "Use only"),
    (["falls", "floor"], False, "three words"),
    ("falls floor raises", False, "three words"),
])
def test_check_backend_behaviour(answer, ok, words):
    fb = case4.check_backend_behaviour(answer)
    assert bool(fb) is ok and words in fb


@pytest.mark.parametrize("answer, ok, words", [
    (np.asarray(case4.MASK) / 255, True, "Correct"),
    ([0, 1, 1, 0, 1], True, "Correct"),
    (case4.MASK, False, "outside [0, 1]"),
    ([1, 0, 0, 1, 0], False, "not the mask"),
    (np.asarray(case4.MASK) / 256, False, "not the mask"),
    ([0, 1], False, "5 numbers"),
    ([0, 1, 1, 0, float("nan")], False, "finite"),
    ("abc", False, "numbers"),
])
def test_check_fixed_targets(answer, ok, words):
    fb = case4.check_fixed_targets(answer)
    assert bool(fb) is ok and words in fb


def test_the_case4_exercises_in_order():
    labels = [k for k, e in feedback.EXERCISES.items() if e.notebook.startswith("case4/")]
    assert labels == ["ex-c4-floor", "ex-c4-backend", "ex-c4-fix"]
