import numpy as np
import pytest

from loss_casebook import data


def test_sentence_embeddings_shape_dtype_and_determinism():
    a, b = data.sentence_embeddings(n=4, steps=3, dim=5, seed=2)
    a2, b2 = data.sentence_embeddings(n=4, steps=3, dim=5, seed=2)
    assert a.shape == b.shape == (4, 3, 5) and a.dtype == np.float32
    np.testing.assert_array_equal(a, a2)
    np.testing.assert_array_equal(b, b2)


def test_offset_sets_the_targets_mean():
    _, pos = data.sentence_embeddings(n=50, offset=0.15, seed=0)
    _, neg = data.sentence_embeddings(n=50, offset=-0.2, seed=0)
    assert abs(pos.mean() - 0.15) < 0.01 and abs(neg.mean() + 0.2) < 0.01


@pytest.mark.parametrize("kwargs, word", [
    ({"n": 0}, "n must be a positive integer"),
    ({"dim": 2.5}, "dim must be a positive integer"),
    ({"noise": 0.0}, "noise must be a positive number"),
    ({"offset": float("nan")}, "offset must be a finite number"),
])
def test_sentence_embeddings_rejects_bad_arguments(kwargs, word):
    with pytest.raises(ValueError, match=word):
        data.sentence_embeddings(**kwargs)


def test_string_pairs_balance_labels_and_edits():
    left, right, y = data.string_pairs(200, seed=1)
    assert len(left) == len(right) == len(y) == 200 and y.sum() == 100
    similar = [(a, b) for a, b, lab in zip(left, right, y) if lab == 1]
    assert any(a == b for a, b in similar) and any(a != b for a, b in similar)
    # an edit changes at most two characters or the length by one
    for a, b in similar:
        assert abs(len(a) - len(b)) <= 1


@pytest.mark.parametrize("n, word", [(3, "even"), (0, "positive")])
def test_string_pairs_rejects_bad_n(n, word):
    with pytest.raises(ValueError, match=word):
        data.string_pairs(n)


def test_encode_and_decode_code_points():
    x = data.encode_code_points(["ab", "c"])
    assert x.shape == (2, 2, 1) and x.dtype == np.float32
    assert x[0, :, 0].tolist() == [97, 98] and x[1, :, 0].tolist() == [99, 0]
    assert data.decode_code_points(x[1]) == "c"
    with pytest.raises(ValueError, match="more than length"):
        data.encode_code_points(["abc"], length=2)
    with pytest.raises(ValueError, match="list of str"):
        data.encode_code_points("abc")


def test_char_ids_are_padded_code_points_within_the_vocabulary():
    ids = data.char_ids(["ab", "\u00e9z\u4e2d"], vocab=256)
    assert ids.dtype == np.int32 and ids.shape == (2, 3)
    assert ids.tolist() == [[97, 98, 0], [233, 122, 255]]
    with pytest.raises(ValueError, match="at least 2"):
        data.char_ids(["a"], vocab=1)
