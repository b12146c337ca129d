"""Deterministic synthetic data for both cases.

Nothing is downloaded: every array is generated from a seed with NumPy's
``default_rng``, so a chapter run twice sees the same data, and one run on
another machine with the same NumPy version should too (NumPy keeps a seeded
``default_rng`` stream stable within a version).
"""

from __future__ import annotations

import numpy as np


def _check_positive_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


def sentence_embeddings(
    n: int = 100,
    steps: int = 15,
    dim: int = 300,
    *,
    offset: float = 0.15,
    noise: float = 0.3,
    latent: int = 16,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Context and utterance "sentence embeddings" for case 1.

    Each of ``n`` dialogues has ``steps`` word vectors of size ``dim``. Context
    vectors are a shared direction plus noise; the utterance is a learnable
    function of the context (both are the same ``latent``-dimensional meaning
    seen through two fixed random bases) plus a shared ``offset``, so that all
    targets lean the same way (with a positive offset, towards the positive
    orthant).

    Parameters
    ----------
    n, steps, dim:
        Output shape ``(n, steps, dim)`` of both arrays.
    offset:
        Mean of every utterance component. Positive (the default) makes the
        targets point where a sigmoid output can reach, so the cosine loss is
        negative from the start; strongly negative makes them point away.
    noise:
        Standard deviation of the per-word part.
    latent:
        Dimension of the meaning shared by a context word and its reply.
    seed:
        Seed of the generator.

    Returns
    -------
    context, utterance:
        Two ``float32`` arrays of shape ``(n, steps, dim)``.

    Raises
    ------
    ValueError
        If a size is not a positive integer, ``offset`` is not finite or
        ``noise`` is not a positive number.
    """
    n = _check_positive_int("n", n)
    steps = _check_positive_int("steps", steps)
    dim = _check_positive_int("dim", dim)
    latent = _check_positive_int("latent", latent)
    if not np.isfinite(offset):
        raise ValueError(f"offset must be a finite number, got {offset!r}.")
    if not (np.isfinite(noise) and noise > 0):
        raise ValueError(f"noise must be a positive number, got {noise!r}.")
    rng = np.random.default_rng(seed)
    shared = np.abs(rng.normal(size=dim))
    shared *= np.sqrt(dim) / np.linalg.norm(shared)
    # Each word's meaning is a point in a small latent space; context and
    # utterance express it through different fixed bases (a learnable map).
    meaning = rng.normal(size=(n, steps, latent))
    basis_c = rng.normal(size=(latent, dim)) / np.sqrt(latent)
    basis_u = rng.normal(size=(latent, dim)) / np.sqrt(latent)
    context = 0.5 * shared + noise * (meaning @ basis_c)
    utterance = offset + noise * (meaning @ basis_u)
    return context.astype(np.float32), utterance.astype(np.float32)


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _edit(word: str, rng: np.random.Generator) -> str:
    """Return ``word`` unchanged or with one small, human-like edit."""
    kind = rng.integers(5)
    i = int(rng.integers(len(word)))
    if kind == 0:  # identical
        return word
    if kind == 1:  # typo: replace one letter
        return word[:i] + _LETTERS[rng.integers(26)] + word[i + 1 :]
    if kind == 2 and len(word) > 1:  # swap two neighbours
        i = min(i, len(word) - 2)
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == 3:  # case change
        return word[:i] + word[i].upper() + word[i + 1 :]
    return word[:i] + word[i + 1 :] if len(word) > 3 else word  # deletion


def string_pairs(
    n: int = 2000, *, min_len: int = 5, max_len: int = 10, seed: int = 0
) -> tuple[list[str], list[str], np.ndarray]:
    """Pairs of strings for case 2, half similar and half dissimilar.

    A similar pair is a random word and the same word after at most one small
    edit (identical, a typo, a swap of neighbours, a case change or a deleted
    letter); a dissimilar pair is two independent random words. Labels follow
    the question: ``1`` means similar, ``0`` dissimilar.

    Parameters
    ----------
    n:
        Number of pairs (even: half of each kind).
    min_len, max_len:
        Length range of the random words.
    seed:
        Seed of the generator.

    Returns
    -------
    left, right, labels:
        Two lists of ``n`` strings and an ``int`` array of ``n`` labels,
        shuffled together.
    """
    n = _check_positive_int("n", n)
    if n % 2:
        raise ValueError(f"n must be even (half similar, half dissimilar), got {n}.")
    min_len = _check_positive_int("min_len", min_len)
    max_len = _check_positive_int("max_len", max_len)
    if min_len > max_len:
        raise ValueError(f"min_len ({min_len}) must not exceed max_len ({max_len}).")
    rng = np.random.default_rng(seed)

    def word() -> str:
        size = int(rng.integers(min_len, max_len + 1))
        return "".join(_LETTERS[i] for i in rng.integers(26, size=size))

    left, right, labels = [], [], []
    for k in range(n):
        a = word()
        left.append(a)
        right.append(_edit(a, rng) if k % 2 == 0 else word())
        labels.append(1 if k % 2 == 0 else 0)
    order = rng.permutation(n)
    return (
        [left[i] for i in order],
        [right[i] for i in order],
        np.asarray(labels)[order],
    )


def encode_code_points(strings: list[str], length: int | None = None) -> np.ndarray:
    """Encode strings as Unicode code points, padded with 0, as the question does.

    Returns a ``float32`` array of shape ``(len(strings), length, 1)``, the
    ``Input(shape=[None, 1])`` layout of the question. ``length`` defaults to
    the longest string; longer strings raise ``ValueError``.
    """
    if isinstance(strings, str) or not all(isinstance(s, str) for s in strings):
        raise ValueError("strings must be a list of str.")
    if not strings:
        raise ValueError("strings must not be empty.")
    longest = max(len(s) for s in strings)
    length = longest if length is None else _check_positive_int("length", length)
    if longest > length:
        raise ValueError(f"a string has {longest} characters, more than length={length}.")
    out = np.zeros((len(strings), length, 1), dtype=np.float32)
    for i, s in enumerate(strings):
        out[i, : len(s), 0] = [ord(c) for c in s]
    return out


def decode_code_points(row: np.ndarray) -> str:
    """Inverse of :func:`encode_code_points` for one row: drop padding zeros."""
    values = np.asarray(row).reshape(-1)
    return "".join(chr(int(v)) for v in values if v > 0)


def char_ids(strings: list[str], length: int | None = None, vocab: int = 256) -> np.ndarray:
    """Character ids for an ``Embedding`` layer: code points, 0 for padding.

    The same encoding as :func:`encode_code_points`, as a ``(n, length)``
    ``int32`` array, with code points at or above ``vocab`` mapped to
    ``vocab - 1`` so that every id fits an ``Embedding(vocab, ...)``.
    """
    vocab = _check_positive_int("vocab", vocab)
    if vocab < 2:
        raise ValueError(f"vocab must be at least 2 (0 is padding), got {vocab}.")
    points = encode_code_points(strings, length)[..., 0]
    return np.minimum(points, vocab - 1).astype(np.int32)


def duplicate_pairs(
    n: int = 512,
    dim: int = 16,
    *,
    identities: int = 20,
    duplicates: float = 0.25,
    noise: float = 0.3,
    nuisance: float = 1.0,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of feature vectors for case 3, some of them exact duplicates.

    Each vector is the prototype of one of ``identities`` random identities
    plus Gaussian noise, in its first quarter of components (at least one);
    the other components are independent Gaussian nuisance, the same for no
    two vectors, so that the raw Euclidean distance tells pairs apart poorly
    and a model has to learn which components matter. A similar pair (label ``1``) holds two vectors of the
    same identity; a fraction ``duplicates`` of the similar pairs are the
    *same* vector twice, as a dataset with repeated records, padding or empty
    inputs has. A dissimilar pair (label ``0``) holds vectors of two different
    identities. A Siamese model maps a duplicate to two identical embeddings,
    at Euclidean distance exactly 0.

    Parameters
    ----------
    n:
        Number of pairs (even: half similar, half dissimilar).
    dim:
        Size of each vector.
    identities:
        Number of identities (at least 2).
    duplicates:
        Fraction in [0, 1] of the similar pairs that are exact duplicates.
    noise:
        Standard deviation of the noise around each prototype (positive).
    nuisance:
        Standard deviation of the nuisance components (positive).
    seed:
        Seed of the generator.

    Returns
    -------
    left, right, labels:
        Two ``float32`` arrays of shape ``(n, dim)`` and an ``int`` array of
        ``n`` labels, shuffled together.

    Raises
    ------
    ValueError
        If a size is not a positive integer, ``n`` is odd, ``identities`` is
        below 2, ``duplicates`` is outside [0, 1] or ``noise`` or
        ``nuisance`` is not positive.
    """
    n = _check_positive_int("n", n)
    if n % 2:
        raise ValueError(f"n must be even (half similar, half dissimilar), got {n}.")
    dim = _check_positive_int("dim", dim)
    identities = _check_positive_int("identities", identities)
    if identities < 2:
        raise ValueError(f"identities must be at least 2, got {identities}.")
    if isinstance(duplicates, bool) or not (
        isinstance(duplicates, (int, float)) and 0 <= duplicates <= 1
    ):
        raise ValueError(f"duplicates must be a number in [0, 1], got {duplicates!r}.")
    for name, value in (("noise", noise), ("nuisance", nuisance)):
        if isinstance(value, bool) or not (
            isinstance(value, (int, float)) and np.isfinite(value) and value > 0
        ):
            raise ValueError(f"{name} must be a positive number, got {value!r}.")
    rng = np.random.default_rng(seed)
    signal = max(1, dim // 4)
    prototypes = rng.normal(size=(identities, signal))
    half = n // 2
    same = rng.integers(identities, size=half)
    first = rng.integers(identities, size=half)
    other = (first + rng.integers(1, identities, size=half)) % identities

    def item(ids: np.ndarray) -> np.ndarray:
        meaning = prototypes[ids] + noise * rng.normal(size=(len(ids), signal))
        extra = nuisance * rng.normal(size=(len(ids), dim - signal))
        return np.concatenate([meaning, extra], axis=1)

    sim_left, sim_right = item(same), item(same)
    dup = rng.random(half) < duplicates
    sim_right[dup] = sim_left[dup]
    left = np.concatenate([sim_left, item(first)])
    right = np.concatenate([sim_right, item(other)])
    labels = np.concatenate([np.ones(half, int), np.zeros(half, int)])
    order = rng.permutation(n)
    return (left[order].astype(np.float32), right[order].astype(np.float32),
            labels[order])
