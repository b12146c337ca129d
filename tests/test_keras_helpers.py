"""Keras 3 helpers: the loss, the safe angular distance, the NaN hunter."""

import math
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

from loss_casebook.watch.nanhunter import BatchRows, NaNHunter, event, nonfinite_weights  # noqa: E402
from loss_casebook.losses import cosine_distance  # noqa: E402
from loss_casebook.ops import angular_distance, cosine_similarity  # noqa: E402


def test_cosine_distance_is_one_minus_cosine():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(2, 6, 4)).astype("float32")
    ref = 1 - (a * b).sum(-1) / np.linalg.norm(a, axis=-1) / np.linalg.norm(b, axis=-1)
    np.testing.assert_allclose(cosine_distance(a, b), ref, atol=1e-6)
    np.testing.assert_allclose(cosine_distance(a, -a), 2.0, atol=1e-6)
    np.testing.assert_allclose(cosine_distance(a, 0 * a), 1.0, atol=1e-6)


def test_cosine_distance_lets_nan_through_to_that_vector_only():
    a = np.ones((2, 3), "float32")
    b = a.copy()
    b[0, 1] = np.nan
    d = np.asarray(cosine_distance(a, b))
    assert np.isnan(d[0]) and d[1] == pytest.approx(0.0, abs=1e-6)


def test_cosine_distance_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="same shape"):
        cosine_distance(np.ones((2, 3), "float32"), np.ones((2, 4), "float32"))


def test_cosine_distance_is_registered():
    assert keras.saving.get_registered_object("loss_casebook>cosine_distance") is cosine_distance


def test_angular_distance_matches_numpy_and_stays_finite():
    rng = np.random.default_rng(0)
    u, v = rng.normal(size=(2, 50, 10)).astype("float32")
    cos = (u * v).sum(-1) / np.linalg.norm(u, axis=-1) / np.linalg.norm(v, axis=-1)
    ref = np.arccos(np.clip(cos, -1 + 1e-6, 1 - 1e-6)) / math.pi
    np.testing.assert_allclose(np.ravel(angular_distance(u, v)), ref, atol=1e-5)
    for other in (u, -u, 1000 * u, u + 1e-7, 0 * u):
        var = tf.Variable(u)
        with tf.GradientTape() as tape:
            d = angular_distance(var, tf.constant(other))
        assert np.isfinite(d.numpy()).all()
        assert np.isfinite(tape.gradient(d, var).numpy()).all()


def test_angular_distance_works_on_keras_tensors():
    a, b = keras.Input((4,)), keras.Input((4,))
    model = keras.Model([a, b], angular_distance(a, b))
    x = np.ones((2, 4), "float32")
    np.testing.assert_allclose(model.predict([x, -x], verbose=0), 1.0, atol=1e-3)


@pytest.mark.parametrize("u, v, eps, word", [
    (np.ones((2, 3, 1)), np.ones((2, 3, 1)), 1e-6, "rank-2"),
    (np.ones((2, 3)), np.ones((2, 4)), 1e-6, "differ"),
    (np.ones((2, 3)), np.ones((2, 3)), 0.0, "eps must be"),
])
def test_angular_distance_rejects_bad_input(u, v, eps, word):
    with pytest.raises(ValueError, match=word):
        angular_distance(u.astype("float32"), v.astype("float32"), eps=eps)


def test_cosine_similarity_has_shape_batch_by_one():
    assert tuple(cosine_similarity(np.ones((3, 2)), np.ones((3, 2))).shape) == (3, 1)


def test_cosine_similarity_of_a_zero_vector_is_zero_with_a_finite_gradient():
    zero = tf.Variable(np.zeros((1, 3), "float32"))
    with tf.GradientTape() as tape:
        cos = cosine_similarity(zero, tf.constant([[1.0, 2.0, 0.0]]))
    assert float(cos[0, 0]) == 0.0
    assert np.isfinite(tape.gradient(cos, zero).numpy()).all()


def _tiny_model(output):
    keras.utils.set_random_seed(0)
    inp = keras.Input((2,))
    model = keras.Model(inp, output(keras.layers.Dense(1)(inp)))
    model.compile(loss="mse", optimizer="sgd")
    return model


def test_nan_hunter_finds_the_first_bad_batch_and_its_rows():
    x = np.arange(12, dtype="float32").reshape(6, 2)
    x[3] = np.nan  # the 4th row, batch 1 with batch_size 2
    hunter = NaNHunter(x, batch_size=2)
    _tiny_model(lambda t: t).fit(x, np.zeros(6), batch_size=2, epochs=2,
                                 shuffle=False, callbacks=[hunter], verbose=0)
    assert hunter.found["epoch"] == 0 and hunter.found["batch"] == 1
    assert np.isnan(hunter.found["inputs"][1]).all()
    assert "batch 1" in hunter.summary()


def test_nan_hunter_stays_quiet_when_training_is_finite():
    x = np.ones((4, 2), "float32")
    hunter = NaNHunter()
    _tiny_model(lambda t: t).fit(x, np.zeros(4), epochs=1, callbacks=[hunter], verbose=0)
    assert hunter.found is None and "stayed finite" in hunter.summary()


def test_nan_hunter_validates_arguments():
    with pytest.raises(ValueError, match="batch_size"):
        NaNHunter(np.ones((2, 2)))
    with pytest.raises(ValueError, match="different lengths"):
        NaNHunter([np.ones((2, 1)), np.ones((3, 1))], batch_size=1)


def _raising_model(fail_at_call):
    calls = []

    def loss(y_true, y_pred):
        calls.append(1)
        if len(calls) == fail_at_call:
            raise RuntimeError("all elements of input should be between 0 and 1\nmore")
        return keras.ops.mean((y_true - y_pred) ** 2)

    keras.utils.set_random_seed(0)
    inp = keras.Input((2,))
    model = keras.Model(inp, keras.layers.Dense(1)(inp))
    model.compile(loss=loss, optimizer="sgd", run_eagerly=True)
    return model


def test_nan_hunter_guard_records_an_error_raised_during_a_batch():
    x = np.ones((6, 2), "float32")
    hunter = NaNHunter(x, batch_size=2)
    with hunter.guard():
        _raising_model(2).fit(x, np.zeros(6), batch_size=2, epochs=1, shuffle=False,
                              callbacks=[hunter], verbose=0)
    f = hunter.found
    assert (f["epoch"], f["batch"]) == (0, 1) and math.isnan(f["loss"])
    assert f["error"] == "RuntimeError: all elements of input should be between 0 and 1"
    assert f["inputs"].shape == (2, 2)
    assert "broke at epoch 0, batch 1 with RuntimeError" in hunter.summary()


def test_nan_hunter_guard_lets_other_errors_through():
    hunter = NaNHunter()
    with pytest.raises(RuntimeError, match="outside"):
        with hunter.guard():
            raise RuntimeError("outside training")
    with pytest.raises(ValueError, match="exception types"):
        with hunter.guard(errors=(int,)):
            pass
    with pytest.raises(ZeroDivisionError):
        with hunter.guard():
            x = np.ones((2, 2), "float32")

            class Boom(keras.callbacks.Callback):
                def on_train_batch_begin(self, batch, logs=None):
                    raise ZeroDivisionError

            _tiny_model(lambda t: t).fit(x, np.zeros(2), callbacks=[hunter, Boom()],
                                         verbose=0)
    assert hunter.found is None


def test_batch_rows_reads_one_batch_of_each_input():
    x = np.arange(10).reshape(5, 2)
    rows = BatchRows([x, -x], batch_size=2)
    left, right = rows(1)
    np.testing.assert_array_equal(left, x[2:4])
    np.testing.assert_array_equal(right, -x[2:4])
    np.testing.assert_array_equal(BatchRows(x, 2)(2), x[4:])
    assert BatchRows()(3) is None


@pytest.mark.parametrize("x, size, words", [
    (np.ones((4, 2)), None, "batch_size"), (np.ones((4, 2)), True, "batch_size"),
    ([np.ones((4, 2)), np.ones((3, 2))], 2, "different lengths"),
])
def test_batch_rows_rejects_bad_arguments(x, size, words):
    with pytest.raises(ValueError, match=words):
        BatchRows(x, size)


def test_nonfinite_weights_names_only_the_bad_ones():
    good = keras.Variable(np.ones(3, "float32"), name="good")
    bad = keras.Variable(np.array([1.0, np.inf, 0.0], "float32"), name="bad")
    assert nonfinite_weights([good, bad]) == [bad.path]
    assert nonfinite_weights([good]) == []


def test_event_records_an_error_as_one_line():
    found = event(0, 3, 7, error=RuntimeError("all elements of input\nsecond line"))
    assert found["error"] == "RuntimeError: all elements of input"
    assert math.isnan(found["loss"]) and found["bad_weights"] == []
    assert event(1, 2, 3, loss=float("nan"), bad_weights=("w",))["error"] is None
