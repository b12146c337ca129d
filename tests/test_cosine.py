import numpy as np
import pytest

from loss_casebook import cosine


def test_cosine_matches_a_numpy_reference():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(2, 7, 5))
    ref = (a * b).sum(-1) / np.linalg.norm(a, axis=-1) / np.linalg.norm(b, axis=-1)
    np.testing.assert_allclose(cosine.cosine(a, b), ref, rtol=1e-12)
    assert cosine.cosine_proximity(a, b) == pytest.approx(-ref.mean())


def test_zero_vector_has_cosine_zero():
    assert cosine.cosine([[0.0, 0.0]], [[1.0, 2.0]])[0] == 0.0


@pytest.mark.parametrize("a, b, word", [
    (np.ones((2, 3)), np.ones((3, 2)), "same shape"),
    ([[np.nan, 1.0]], [[1.0, 1.0]], "NaN"),
    (1.0, 1.0, "vectors"),
])
def test_cosine_rejects_bad_input(a, b, word):
    with pytest.raises(ValueError, match=word):
        cosine.cosine(a, b)


def test_sigmoid_ceiling_is_the_positive_part():
    y = np.array([[3.0, -4.0], [1.0, 1.0]])
    assert cosine.sigmoid_ceiling(y) == pytest.approx((3 / 5 + 1.0) / 2)
    with pytest.raises(ValueError, match="all-zero"):
        cosine.sigmoid_ceiling(np.zeros((1, 3)))


def test_argmax_accuracy_and_retrieval():
    y = np.eye(4)
    assert cosine.argmax_accuracy(y, y) == 1.0
    assert cosine.argmax_accuracy(y, y[::-1]) == 0.0
    assert cosine.retrieval_score(y, y + 0.1) == 1.0
    assert cosine.retrieval_score(y, y[::-1]) == 0.0


def test_no_non_negative_output_beats_the_sigmoid_ceiling():
    rng = np.random.default_rng(1)
    y = rng.normal(0.1, 1.0, size=(1, 20))
    ceiling = cosine.sigmoid_ceiling(y)
    outputs = rng.uniform(0, 1, size=(5000, 20)) ** 3  # many directions in [0, 1]^d
    assert cosine.cosine(np.repeat(y, 5000, axis=0), outputs).max() <= ceiling + 1e-12
    assert cosine.cosine(y, np.maximum(y, 0))[0] == pytest.approx(ceiling)
