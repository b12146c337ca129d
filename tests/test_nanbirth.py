"""Tests for loss_casebook.watch.nanbirth."""

import math

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from loss_casebook.watch.nanbirth import (  # noqa: E402
    BatchRecord,
    NanBirth,
    check_numerics_culprit,
    cosine_class,
    trace_nan_birth,
)

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow", reason="needs the TensorFlow backend"
)


def test_cosine_class_orders_by_danger():
    assert cosine_class([0.5, 1.0000001, 1.0]) == "above 1"
    assert cosine_class(np.float32(1.0)) == "exactly 1"
    assert cosine_class([[0.2], [-1.0]]) == "below 1"


@pytest.mark.parametrize("bad", [[], [np.nan]])
def test_cosine_class_rejects_empty_and_nan(bad):
    with pytest.raises(ValueError):
        cosine_class(bad)


def test_record_mechanism_and_summary():
    ok = BatchRecord(0, 0.5, "below 1", 0.7, True)
    back = BatchRecord(1, 1.0, "exactly 1", 16.1, False)
    fwd = BatchRecord(2, 1.0000001, "above 1", math.nan, False)
    birth = NanBirth((ok, back, fwd))
    assert [r.mechanism for r in birth.records] == [
        None, "backward non-finite", "forward NaN"]
    assert birth.first is back
    assert birth.mechanism_counts() == {"forward NaN": 1, "backward non-finite": 1}
    assert birth.counts()[("exactly 1", "backward non-finite")] == 1
    assert "first non-finite: batch 1" in birth.summary()
    assert NanBirth((ok,)).first is None
    assert "all finite" in NanBirth((ok,)).summary()


GRAD_MESSAGE = """Graph execution error:

Detected at node gradient_tape/functional_1/Reciprocal/CheckNumericsV2 defined at:
    + ...packages/tensorflow/python/ops/math_grad.py (L1310) _AcosGrad

 : Tensor had +Inf values
"""
FORWARD_MESSAGE = """Graph execution error:

Detected at node functional_1/Acos/CheckNumericsV2 defined at:
    + ...ite-packages/tensorflow/python/ops/gen_math_ops.py (L200) acos

 : Tensor had NaN values
"""


def test_check_numerics_culprit_reads_both_mechanisms():
    assert check_numerics_culprit(GRAD_MESSAGE) == ("_AcosGrad", "+Inf")
    assert check_numerics_culprit(FORWARD_MESSAGE) == ("Acos", "NaN")
    with pytest.raises(ValueError):
        check_numerics_culprit("some other error")


def _model():
    """Identity embedding, cosine, acos / pi: the question's head on 3-d inputs."""
    a, b = keras.Input(shape=(3,)), keras.Input(shape=(3,))
    dense = keras.layers.Dense(3, use_bias=False, kernel_initializer="identity")
    dot = keras.layers.Dot(axes=1, normalize=True)
    cos = dot([dense(a), dense(b)])
    model = keras.Model([a, b], keras.ops.arccos(cos) / math.pi)
    model.compile(loss="binary_crossentropy", optimizer="sgd")
    return model, dot


def test_trace_nan_birth_designed_batches():
    model, dot = _model()
    e1, e2 = np.eye(3, dtype="float32")[:2]
    # identity weights: e1 with itself has a cosine of exactly 1
    left, right = np.stack([e1, e1, e1]), np.stack([e1, e2, e2])
    y = np.array([[1.0], [0.0], [0.0]], dtype="float32")
    birth = trace_nan_birth(model, dot, [left, right], y)
    assert [r.cosine_class for r in birth.records] == ["exactly 1", "below 1", "below 1"]
    assert [r.mechanism for r in birth.records] == ["backward non-finite", None, None]
    # label 1, distance 0: binary cross-entropy clips 0 to 1e-7
    assert birth.records[0].loss == pytest.approx(-math.log(1e-7), rel=1e-3)
    assert birth.first.batch == 0
    # the skipped update keeps the weights finite for the rest of the epoch
    assert all(np.isfinite(np.asarray(w)).all() for w in model.weights)


def test_trace_nan_birth_class_decides_mechanism():
    model, dot = _model()
    v = np.random.default_rng(0).normal(size=(150, 3)).astype("float32")
    y = np.ones((150, 1), dtype="float32")
    birth = trace_nan_birth(model, dot, [v, v], y)
    expected = {"above 1": "forward NaN", "exactly 1": "backward non-finite",
                "below 1": None}
    for r in birth.records:
        assert r.mechanism == expected[r.cosine_class], r
    classes = {r.cosine_class for r in birth.records}
    assert "above 1" in classes and "exactly 1" in classes


def test_trace_nan_birth_batches_and_validation():
    model, dot = _model()
    e1, e2 = np.eye(3, dtype="float32")[:2]
    x = [np.stack([e1, e1, e1]), np.stack([e2, e1, e2])]
    y = np.array([[0.0], [1.0], [0.0]], dtype="float32")
    birth = trace_nan_birth(model, dot, x, y, batch_size=2)
    assert [r.cosine_class for r in birth.records] == ["exactly 1", "below 1"]
    with pytest.raises(ValueError, match="batch_size"):
        trace_nan_birth(model, dot, x, y, batch_size=0)
    with pytest.raises(ValueError, match="lengths"):
        trace_nan_birth(model, dot, x, y[:2])
    with pytest.raises(ValueError, match="cosine_layer"):
        trace_nan_birth(model, keras.layers.Dot(axes=1), x, y)
    bare, bare_dot = _model()
    bare.optimizer = None
    with pytest.raises(ValueError, match="compile"):
        trace_nan_birth(bare, bare_dot, x, y)
