"""Case 10: the hand-written losses, check_loss on every backend, the exercises' checkers."""

import importlib

import numpy as np
import pytest

from conftest import need
from loss_casebook import backends
from loss_casebook.check import check_loss, loss_findings
from loss_casebook.check.loss import probe_batch

# the package re-exports the function case10, so import the module by its full name
experiment = importlib.import_module("loss_casebook.backends.experiments.case10")


@pytest.fixture(scope="module")
def findings_by_backend():
    params = {"case10": {"parts": ["findings", "edges"]}}
    found = {b: backends.run("case10", b, params=params) for b in backends.BACKENDS
             if backends.is_installed(b)}
    return {b: r["case10"] for b, r in found.items() if r.ok}


@pytest.mark.parametrize("backend", backends.BACKENDS)
def test_check_loss_finds_each_defect_and_passes_the_fixes_on_backend(backend,
                                                                      findings_by_backend):
    need(backends.is_installed(backend),
         f"{backend} is not installed; add it with: {backends.INSTALL[backend]}")
    found = findings_by_backend[backend]["findings"]
    for name, (_, words) in experiment.DEFECTS.items():
        assert any(words in s for s in found[name]), (backend, name, found[name])
    for name in ("focal clipped", "bce - dice", "bce + 1 - dice", "mse per sample",
                 "binary_crossentropy"):
        assert found[name] == [], (backend, name)


@pytest.mark.parametrize("backend", backends.BACKENDS)
def test_log0_is_not_finite_and_the_clip_is_on_backend(backend, findings_by_backend):
    need(backends.is_installed(backend),
         f"{backend} is not installed; add it with: {backends.INSTALL[backend]}")
    edges = findings_by_backend[backend]["edges"]
    for name in ("raw", "discarded clip"):
        assert not np.isfinite([float(v) for v in edges[name]["value"]]).all()
    assert np.isfinite([float(v) for v in edges["clipped"]["value"]]).all()
    assert np.isfinite([float(v) for v in edges["clipped"]["grad"]]).all()


def test_probe_batch_has_the_corners_then_inner_rows():
    t, p = probe_batch(8, 3, seed=0)
    assert t.shape == p.shape == (8, 3) and t.dtype == np.float32
    assert t[:4, 0].tolist() == [0, 0, 1, 1] and p[:4, 0].tolist() == [0, 1, 0, 1]
    assert ((p[4:] > 0.05) & (p[4:] < 0.95)).all()
    with pytest.raises(ValueError, match="batch must be at least 5"):
        probe_batch(4)


def test_check_loss_raises_one_sentence_or_numbered_sentences():
    with pytest.raises(ValueError, match=r"^No gradient reaches y_pred"):
        check_loss(experiment.mse_of_round)
    with pytest.raises(ValueError, match=r"^\(1\) the loss is not finite .* \(2\) the gradient"):
        check_loss(experiment.focal_raw)
    assert check_loss(experiment.focal_clipped) is None


def test_a_scalar_loss_is_a_problem_only_with_weights():
    assert loss_findings(experiment.mse_scalar) == []
    assert "returns a scalar" in loss_findings(experiment.mse_scalar, weighted=True)[0]


def test_a_broadcast_loss_of_the_wrong_shape_is_found():
    from keras import ops

    def broadcast(y_true, y_pred):  # (batch,) against (batch, 1): (batch, batch)
        return ops.square(y_true[:, 0] - y_pred)

    found = loss_findings(broadcast)
    assert any("returns shape (8, 8)" in s for s in found), found


def test_a_negative_loss_is_not_a_problem():
    values = [float(v) for v in np.ravel(experiment.bce_minus_dice(*probe_batch(8, 16)))]
    assert min(values) < 0
    assert loss_findings(experiment.bce_minus_dice, width=16) == []


def test_the_books_own_fixed_losses_pass():
    import keras

    case3 = importlib.import_module("loss_casebook.backends.experiments.case3")
    from loss_casebook.losses import cosine_distance

    assert loss_findings(cosine_distance, width=3, weighted=True) == []
    assert loss_findings(keras.losses.binary_crossentropy, weighted=True) == []  # case 4
    assert loss_findings(case3.contrastive_loss) == []  # a scalar: fine without weights
    assert loss_findings(case3.triplet_loss, width=2) == []


def test_mask_data_is_seeded_and_binary():
    x, m = experiment.mask_data(64, 16)
    x2, m2 = experiment.mask_data(64, 16)
    assert np.array_equal(x, x2) and np.array_equal(m, m2)
    assert set(np.unique(m)) == {0.0, 1.0} and 0.1 < m.mean() < 0.9


from loss_casebook.classroom.checkers import case10 as checkers  # noqa: E402
from loss_casebook.classroom.checkers import feedback  # noqa: E402


@pytest.mark.parametrize("check", [checkers.check_minimum, checkers.check_weighted,
                                   checkers.check_round_backends])
def test_unsolved_is_reported_not_raised(check):
    fb = check(None)
    assert not fb and str(fb) == feedback.NOT_SOLVED


@pytest.mark.parametrize("answer, ok, words", [
    (-1, True, "Correct"), (-1.0, True, "Correct"),
    (0, False, "bce + 1 - dice"), (-2.0, False, "smallest cross-entropy"),
    ("-1", False, "one finite number"), (float("nan"), False, "one finite number"),
    (True, False, "one finite number"),
])
def test_check_minimum(answer, ok, words):
    fb = checkers.check_minimum(answer)
    assert bool(fb) is ok and words in fb


@pytest.mark.parametrize("answer, ok, words", [
    ([0.75, 1.25], True, "Correct"), ((0.75, 1.25), True, "Correct"),
    ([1.5, 1.25], False, "not by the sum of the weights"),
    ([1.0, 1.25], False, "multiply each loss by its weight"),
    ([0.75, 0.75], False, "no samples left to weight"),
    ([0.75, 2.5], False, "For the scalar"),
    ([0.75], False, "two numbers"), (["0.75", "1.25"], False, "two numbers"),
])
def test_check_weighted(answer, ok, words):
    fb = checkers.check_weighted(answer)
    assert bool(fb) is ok and words in fb


def test_the_weights_answer_is_what_keras_computes():
    import keras
    from keras import ops

    losses = np.array(checkers.LOSSES, "float32")[:, None]
    t = np.zeros_like(losses)
    p = np.sqrt(losses)  # squared errors of one column: LOSSES
    w = np.array(checkers.WEIGHTS, "float32")
    for fn, right in [(lambda a, b: ops.mean(ops.square(a - b), axis=-1), 0.75),
                      (lambda a, b: ops.mean(ops.square(a - b)), 1.25)]:
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, use_bias=False)])
        model.layers[0].set_weights([p])
        model.compile(loss=fn)
        got = model.evaluate(np.eye(4, dtype="float32"), t, sample_weight=w, batch_size=4,
                             verbose=0)
        assert np.isclose(got, right, rtol=1e-5)


@pytest.mark.parametrize("answer, ok, words", [
    (["raises", "silent", "silent"], True, "Correct"),
    (["silent", "silent", "silent"], False, "Not for tensorflow"),
    (["raises", "raises", "silent"], False, "Not for jax"),
    (["raises", "silent", "raises"], False, "Not for torch"),
    (["raises", "nan", "silent"], False, "Use only"),
    ("raises", False, "three words"),
])
def test_check_round_backends(answer, ok, words):
    fb = checkers.check_round_backends(answer)
    assert bool(fb) is ok and words in fb


def test_the_case10_exercises_in_order():
    labels = [k for k, e in feedback.EXERCISES.items() if e.notebook.startswith("case10/")]
    assert labels == ["ex-c10-min", "ex-c10-weights", "ex-c10-backend"]
