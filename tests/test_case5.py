"""Case 5 (probabilities treated as logits): checkers, floors and the experiment's runs."""

import importlib
import math

import numpy as np
import pytest

from loss_casebook.backends.experiments import EXPERIMENTS
from loss_casebook.classroom.checkers import case5, feedback

# the package's attribute case5 is the experiment function; this is its module
experiment = importlib.import_module("loss_casebook.backends.experiments.case5")

NOT_SOLVED = feedback.NOT_SOLVED


@pytest.mark.parametrize("check", [
    case5.check_floor_ten_classes, case5.check_training_backend,
    case5.check_agreeing_pairs, case5.check_single_softmax_accuracy])
def test_none_is_not_solved(check):
    fb = check(None)
    assert not fb and str(fb) == NOT_SOLVED and fb.verdict == "not solved"


@pytest.mark.parametrize("check, bad", [
    (case5.check_floor_ten_classes, "0.744"), (case5.check_floor_ten_classes, True),
    (case5.check_floor_ten_classes, float("nan")), (case5.check_training_backend, 1),
    (case5.check_agreeing_pairs, "c, e"), (case5.check_agreeing_pairs, [1, 2]),
    (case5.check_agreeing_pairs, {"c": 1}), (case5.check_single_softmax_accuracy, [0.3]),
])
def test_bad_type_gets_one_plain_sentence(check, bad):
    fb = check(bad)
    assert not fb and fb.verdict == "wrong"
    assert str(fb).endswith(".") and "\n" not in str(fb) and "Traceback" not in str(fb)


@pytest.mark.parametrize("answer, ok, says", [
    (math.log(1 + 9 / math.e), True, "Correct"),
    (1.4611, True, "Correct"),
    (math.log(10), False, "uniform guess"),
    (math.log(1 + 3 / math.e), False, "4 classes"),
    (0.0, False, "correct logits"),
    (2.0, False, "Take the probabilities"),
])
def test_floor_ten_classes(answer, ok, says):
    fb = case5.check_floor_ten_classes(answer)
    assert bool(fb) is ok and says in fb


@pytest.mark.parametrize("answer, ok, says", [
    ("tensorflow", True, "Correct"), (" TF ", True, "Correct"),
    ("jax", False, "stalls"), ("PyTorch", False, "stalls"),
    ("numpy", False, "Name one Keras 3 backend"),
])
def test_training_backend(answer, ok, says):
    fb = case5.check_training_backend(answer)
    assert bool(fb) is ok and says in fb


@pytest.mark.parametrize("answer, ok, says", [
    (["c", "e"], True, "Correct"), (["E", " c"], True, "Correct"),
    (["c", "d", "e"], False, "sibling"), (["a", "c", "e"], False, "(a)"),
    (["b", "c", "e"], False, "(b)"), (["c"], False, "missing"), ([], False, "missing"),
    (["f"], False, "no configuration 'f'"),
])
def test_agreeing_pairs(answer, ok, says):
    fb = case5.check_agreeing_pairs(answer)
    assert bool(fb) is ok and says in fb


@pytest.mark.parametrize("answer, ok, says", [
    (0.3, True, "Correct"), (30, True, "Correct"), (0.7, False, "always says 0"),
    (0.5, False, "not guessing"), (1.0, False, "Work out"),
])
def test_single_softmax_accuracy(answer, ok, says):
    fb = case5.check_single_softmax_accuracy(answer)
    assert bool(fb) is ok and says in fb


def test_the_case5_exercises_in_order():
    labels = [k for k, e in feedback.EXERCISES.items() if e.notebook.startswith("case5/")]
    assert labels == ["ex-c5-floor", "ex-c5-backend", "ex-c5-pairs", "ex-c5-accuracy"]


def test_the_pairs_answer_matches_the_helper():
    """The checker's key is what check_from_logits says about each configuration."""
    keras = pytest.importorskip("keras")
    from loss_casebook.check.logits import check_from_logits

    def head(units, activation=None):
        return keras.Sequential([keras.Input((8,)),
                                 keras.layers.Dense(units, activation=activation)])

    sce = keras.losses.SparseCategoricalCrossentropy
    pairs = {"a": (head(4, "softmax"), sce(from_logits=True)),
             "b": (head(4), "sparse_categorical_crossentropy"),
             "c": (head(4), sce(from_logits=True)),
             "d": (head(1, "softmax"), "binary_crossentropy"),
             "e": (head(1, "sigmoid"), "binary_crossentropy")}
    assert {k: bool(check_from_logits(m, loss)) for k, (m, loss) in pairs.items()} == case5.PAIRS


@pytest.mark.parametrize("k", [2, 4, 10, 1000])
def test_softmax_floor_is_the_minimum_over_probability_vectors(k):
    rng = np.random.default_rng(k)
    p = rng.dirichlet(0.05 * np.ones(k), size=5000)
    y = rng.integers(k, size=5000)
    loss = -p[np.arange(5000), y] + np.log(np.exp(p).sum(-1))
    floor = case5.softmax_floor(k)
    assert loss.min() >= floor - 1e-12
    assert (loss <= floor + 1 - p[np.arange(5000), y] + 1e-12).all()
    corner = np.eye(k)[0]
    assert math.isclose(-1 + math.log(np.exp(corner).sum()), floor, rel_tol=1e-12)


def test_experiment_floors_match_the_formulas():
    floors = experiment.floors()
    assert math.isclose(floors["softmax as logits"], case5.softmax_floor(experiment.K))
    assert math.isclose(floors["softmax as logits"], 0.7436683806, rel_tol=1e-9)
    assert math.isclose(floors["-log(eps), label 0 at 1"], 15.942385, rel_tol=1e-6)
    assert math.isclose(floors["-log(1 - eps), label 1 at 1"], 1.1920929e-07, rel_tol=1e-6)


def test_experiment_is_registered_and_rejects_unknown_runs():
    assert EXPERIMENTS["case5"] is experiment.case5
    with pytest.raises(ValueError, match="unknown case 5 runs"):
        experiment.case5(runs=["softmax"], with_probe=False)


def test_blobs_and_initial_weights_are_seeded():
    x1, y1 = experiment.blobs(64, seed=3)
    x2, y2 = experiment.blobs(64, seed=3)
    assert np.array_equal(x1, x2) and np.array_equal(y1, y2)
    assert x1.dtype == np.float32 and set(np.unique(y1)) <= set(range(experiment.K))
    w = experiment.initial_weights(4)
    assert [a.shape for a in w] == [(8, 16), (16,), (16, 4), (4,)]
    assert all(np.array_equal(a, b) for a, b in zip(w, experiment.initial_weights(4)))
