"""Every checker: the solution passes, each typical mistake gets its sentence."""

import math

import numpy as np
import pytest

from loss_casebook import exercises as ex

COS = (ex.Y_TRUE * ex.Y_PRED).sum(-1) / np.linalg.norm(ex.Y_TRUE, axis=-1) / np.linalg.norm(
    ex.Y_PRED, axis=-1)


@pytest.mark.parametrize("check", [ex.check_cosine_distance, ex.check_loss_sign,
                                   ex.check_accuracy_meaning, ex.check_smallest_eps,
                                   ex.check_siamese_head])
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
    fb = ex.check_cosine_distance(answer)
    assert bool(fb) is ok and words in fb


@pytest.mark.parametrize("answer, ok, words", [
    (np.sign(-COS), True, "Correct"),
    (-np.sign(-COS), False, "flipped"),
    ([1, 1], False, "one sign per row"),
    ([0.5, 1, 1], False, "-1, 0 or +1"),
])
def test_check_loss_sign(answer, ok, words):
    fb = ex.check_loss_sign(answer)
    assert bool(fb) is ok and words in fb


def test_check_loss_sign_names_the_wrong_row():
    answer = np.sign(-COS)
    answer[2] = -answer[2] if answer[2] else 1
    assert "Row 2" in ex.check_loss_sign(answer)


@pytest.mark.parametrize("answer, ok, words", [
    ("b", True, "Correct"), (" B ", True, "Correct"), ("a", False, "thresholded"),
    ("c", False, "cosine"), ("d", False, "time step"), ("e", False, "one letter"),
    (2, False, "one letter"),
])
def test_check_accuracy_meaning(answer, ok, words):
    fb = ex.check_accuracy_meaning(answer)
    assert bool(fb) is ok and words in fb


@pytest.mark.parametrize("answer, ok, words", [
    (1e-7, True, "Correct"), (1e-8, False, "too small"), (1e-5, False, "smaller power"),
    (3e-7, False, "power of ten"), (-1.0, False, "positive"), ("1e-7", False, "number"),
    (math.nan, False, "positive"),
])
def test_check_smallest_eps(answer, ok, words):
    fb = ex.check_smallest_eps(answer)
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
    fb = ex.check_siamese_head(make(_ops()))
    assert bool(fb) is ok and words in fb, fb


def test_check_siamese_head_rejects_non_functions():
    assert "function" in ex.check_siamese_head(0.5)
