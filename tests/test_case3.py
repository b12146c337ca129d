"""Case 3 (NaN at zero distance): its data generator and its exercises' checkers."""

import math

import numpy as np
import pytest

from loss_casebook.classroom.checkers import case3
from loss_casebook.classroom.checkers.feedback import EXERCISES
from loss_casebook.data import duplicate_pairs

# -- data ------------------------------------------------------------------------------


def test_duplicate_pairs_shapes_labels_and_duplicates():
    left, right, y = duplicate_pairs(64, dim=8, seed=3)
    assert left.shape == right.shape == (64, 8) and left.dtype == np.float32
    assert sorted(set(y.tolist())) == [0, 1] and y.sum() == 32
    dup = (left == right).all(axis=1)
    assert dup.any() and (y[dup] == 1).all()


def test_duplicate_pairs_is_deterministic_and_seeded():
    a, b = duplicate_pairs(32, seed=1), duplicate_pairs(32, seed=1)
    assert all(np.array_equal(x, z) for x, z in zip(a, b))
    assert not np.array_equal(a[0], duplicate_pairs(32, seed=2)[0])


def test_duplicate_pairs_fraction_of_duplicates():
    for fraction, check in ((0.0, lambda k: k == 0), (1.0, lambda k: k == 100)):
        left, right, _ = duplicate_pairs(200, duplicates=fraction)
        assert check(int((left == right).all(axis=1).sum()))


@pytest.mark.parametrize("kwargs, words", [
    ({"n": 7}, "even"), ({"n": 0}, "positive integer"), ({"dim": 2.5}, "positive integer"),
    ({"identities": 1}, "at least 2"), ({"duplicates": 1.5}, "[0, 1]"),
    ({"duplicates": True}, "[0, 1]"), ({"noise": 0}, "noise"), ({"nuisance": -1}, "nuisance"),
])
def test_duplicate_pairs_rejects_bad_arguments(kwargs, words):
    with pytest.raises(ValueError, match=None) as err:
        duplicate_pairs(**kwargs)
    assert words in str(err.value)


# -- checkers --------------------------------------------------------------------------

CHECKERS = [case3.check_zero_backend, case3.check_breaking_loss, case3.check_dead_zone,
            case3.check_safe_distance]


@pytest.mark.parametrize("check", CHECKERS)
def test_unsolved_is_reported_not_raised(check):
    fb = check(None)
    assert not fb and fb.verdict == "not solved"


def test_every_case3_exercise_is_registered_with_its_notebook():
    labels = {"ex-c3-backend", "ex-c3-loss", "ex-c3-guard", "ex-c3-distance"}
    assert labels <= set(EXERCISES)
    assert {EXERCISES[label].notebook for label in labels} == {case3.NOTEBOOK}
    assert EXERCISES["ex-c3-distance"].probe is case3.probe_distance


@pytest.mark.parametrize("answer, ok, words", [
    ("tensorflow", True, "Correct"), (" TF ", True, "Correct"), ("jax", False, "NaN"),
    ("PyTorch", False, "NaN"), ("numpy", False, "cannot train"), ("keras", False, "one backend"),
    (0, False, "string"), (["tensorflow"], False, "string"),
])
def test_check_zero_backend(answer, ok, words):
    fb = case3.check_zero_backend(answer)
    assert bool(fb) is ok and words in fb, fb


@pytest.mark.parametrize("answer, ok, words", [
    ("triplet", True, "Correct"), (" Triplet", True, "Correct"),
    ("contrastive", False, "slope at 0 is 0"), ("both", False, "Not both"),
    ("neither", False, "One of them"), ("t", False, "one word"), (2, False, "string"),
])
def test_check_breaking_loss(answer, ok, words):
    fb = case3.check_breaking_loss(answer)
    assert bool(fb) is ok and words in fb, fb


@pytest.mark.parametrize("answer, ok, words", [
    (math.sqrt(1e-7), True, "Correct"), (3.1623e-4, True, "Correct"),
    (np.float32(math.sqrt(1e-7)), True, "Correct"), (1e-7, False, "square root"),
    (1e-14, False, "squares the floor"), (1e-3, False, "Not quite"), (-1.0, False, "positive"),
    (math.nan, False, "positive"), ("3e-4", False, "number"), (True, False, "number"),
])
def test_check_dead_zone(answer, ok, words):
    fb = case3.check_dead_zone(answer)
    assert bool(fb) is ok and words in fb, fb


def _ops():
    from keras import ops
    return ops


def _double_where(o):
    def distance(a, b):
        s = o.sum(o.square(a - b), axis=-1, keepdims=True)
        small = s <= 1e-24
        return o.where(small, o.zeros_like(s), o.sqrt(o.where(small, o.ones_like(s), s)))
    return distance


def _cut_off(o, floor):
    """Exact above sqrt(floor), 0 below: a dead zone that swallows the 1e-4 probe."""
    def distance(a, b):
        s = _sum_square(o, a, b)
        small = s < floor
        return o.where(small, o.zeros_like(s), o.sqrt(o.where(small, o.ones_like(s), s)))
    return distance


def _sum_square(o, a, b):
    return o.sum(o.square(a - b), axis=-1, keepdims=True)


def _single_where(o):
    """The exercise's hint says this is not enough: sqrt(0) still runs in the unused branch."""
    def distance(a, b):
        s = _sum_square(o, a, b)
        return o.where(s <= 1e-24, o.zeros_like(s), o.sqrt(s))
    return distance


@pytest.mark.parametrize("make, ok, words", [
    (_double_where, True, "Correct"),
    (lambda o: __import__("loss_casebook.ops", fromlist=["x"]).euclidean_distance, True,
     "Correct"),
    (lambda o: lambda a, b: o.sqrt(_sum_square(o, a, b) + 1e-12), True, "Correct"),
    (lambda o: lambda a, b: o.sqrt(_sum_square(o, a, b)), False, "not finite"),
    (_single_where, False, "XLA"),
    (lambda o: lambda a, b: o.sqrt(o.maximum(_sum_square(o, a, b), 1e-7)), False, "should be 0"),
    (lambda o: lambda a, b: o.sqrt(o.maximum(_sum_square(o, a, b), 1e-12)), True, "Correct"),
    (lambda o: _cut_off(o, 1e-7), False, "1e-4"),
    (lambda o: lambda a, b: _sum_square(o, a, b), False, "should be 5"),
    (lambda o: lambda a, b: o.sqrt(_sum_square(o, a, b))[:, 0] * 0 + 1, False, "shape"),
    (lambda o: lambda a, b: 1 / 0, False, "ZeroDivisionError"),
    (lambda o: lambda a, b: o.ones((3, 1)), False, "does not depend"),
])
def test_check_safe_distance(make, ok, words):
    fb = case3.check_safe_distance(make(_ops()))
    assert bool(fb) is ok and words in fb, fb


@pytest.mark.parametrize("answer, words", [(0.5, "function"), ("sqrt", "function")])
def test_check_safe_distance_rejects_non_functions(answer, words):
    fb = case3.check_safe_distance(answer)
    assert not fb and words in fb


@pytest.mark.parametrize("probed, words", [
    ([1, 2], "could not read"), ({"error": "ValueError: bad"}, "raised ValueError"),
    ({"value": [0, 1e-4, 5], "shape": [3, 1], "grad": [[math.nan] * 3] * 3}, "not finite"),
    ({"value": [0, 1e-4, 5], "shape": [3, 1], "grad": [[0.0] * 3] * 3,
      "xla_grad": [[math.nan] * 3] * 3}, "compiled with XLA"),
    ({"value": [0, 1e-4, 5], "shape": [3, 1], "grad": [[0.0] * 3] * 3,
      "xla_error": "InvalidArgumentError: bad"}, "raised InvalidArgumentError"),
])
def test_judge_distance_on_grader_data(probed, words):
    """The grader calls the judge on JSON data taken out of a student's notebook."""
    fb = case3.judge_distance(probed)
    assert not fb and words in fb, fb
