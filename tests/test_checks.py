"""loss_casebook.check (targets): argument checks, one-sentence errors, tensors of every backend."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from conftest import need

from loss_casebook import backends
from loss_casebook.check import check_labels, check_targets


def test_targets_in_range_pass():
    assert check_targets(np.array([0.0, 0.25, 1.0])) is None
    assert check_targets([[0, 1], [1, 0]], loss="categorical_crossentropy") is None


@pytest.mark.parametrize("y, words", [
    (np.array([0, 255, 255]), "2 of 3 are outside it (255); divide a 0/255 mask by 255."),
    (np.array([3.5, 0.2, -1.0]), "(-1, 3.5); rescale them into [0, 1]"),
    (np.array([0.0, np.nan]), "1 NaN or infinite values"),
])
def test_targets_out_of_range_name_values_and_fix(y, words):
    with pytest.raises(ValueError) as err:
        check_targets(y)
    message = str(err.value)
    assert words in message and message.count(". ") == 0 and message.endswith(".")


@pytest.mark.parametrize("y, loss, words", [
    (np.zeros(3), "mse", "loss must be one of"),
    (np.zeros(3), None, "loss must be one of"),
    ("abc", "binary_crossentropy", "array or tensor of numbers"),
    (None, "binary_crossentropy", "array or tensor of numbers"),
    (np.array([], dtype=float), "binary_crossentropy", "empty"),
    (np.array([True, False]), "binary_crossentropy", "must hold numbers"),
])
def test_targets_bad_arguments(y, loss, words):
    with pytest.raises(ValueError, match=words.replace("(", r"\(")):
        check_targets(y, loss=loss)


def test_labels_in_range_pass():
    assert check_labels([0, 1, 2, 3], 4) is None
    assert check_labels(np.array([0, 3, 255]), 4, ignore_class=255) is None
    assert check_labels(np.array([0.0, 2.0]), 3) is None  # whole floats, as Keras casts


@pytest.mark.parametrize("y, k, ignore, words", [
    ([1, 2, 3, 4], 4, None, "1 of 4 are outside it (4); they look 1-based: subtract 1."),
    ([0, 1, 255, 255], 4, None, "(255); if 255 marks pixels to skip, pass ignore_class=255"),
    ([0, -1, 2], 4, None, "(-1); if -1 marks pixels to skip, pass ignore_class=-1"),
    ([0, 5, 7], 4, None, "(5, 7); remap them, or give the model 8 outputs."),
    ([0, 4, 255], 4, 255, "1 of 3 are outside it (4)"),
    ([0, 1.5], 4, None, "whole numbers"),
])
def test_labels_out_of_range_name_values_and_fix(y, k, ignore, words):
    with pytest.raises(ValueError) as err:
        check_labels(y, k, ignore_class=ignore)
    assert words in str(err.value) and str(err.value).endswith(".")


@pytest.mark.parametrize("k, ignore, words", [
    (0, None, "num_classes must be at least 1"),
    (True, None, "num_classes must be an integer"),
    (4.0, None, "num_classes must be an integer"),
    (4, "255", "ignore_class must be an integer"),
])
def test_labels_bad_arguments(k, ignore, words):
    with pytest.raises(ValueError, match=words):
        check_labels([0, 1], k, ignore_class=ignore)


# The checks on each backend's own tensors, in a child process per backend.
CHILD = r"""
import json, sys
import keras, numpy as np
from loss_casebook.check import check_labels, check_targets
name = keras.backend.backend()
if name == "tensorflow":
    import tensorflow as tf
    native = tf.constant
elif name == "jax":
    import jax.numpy as jnp
    native = jnp.asarray
else:
    import torch
    native = torch.tensor
out = {"backend": name}
for kind, make in [("keras", keras.ops.convert_to_tensor), ("native", native)]:
    mask = make(np.array([0.0, 255.0], "float32"))
    labels = make(np.array([0, 1, 255], "int32"))
    res = {}
    try:
        check_targets(mask)
    except ValueError as err:
        res["targets"] = str(err)
    res["targets ok"] = check_targets(make(np.array([0.0, 1.0], "float32"))) is None
    try:
        check_labels(labels, 4)
    except ValueError as err:
        res["labels"] = str(err)
    res["labels ok"] = check_labels(labels, 4, ignore_class=255) is None
    out[kind] = res
print("RESULT " + json.dumps(out))
"""


@pytest.mark.parametrize("backend", backends.BACKENDS)
def test_checks_on_backend_tensors(backend):
    need(backends.is_installed(backend),
         f"{backend} is not installed; add it with: {backends.INSTALL[backend]}")
    env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True,
                          text=True, timeout=300)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, proc.stderr[-2000:]
    out = json.loads(lines[-1][len("RESULT "):])
    assert out["backend"] == backend
    for kind in ("keras", "native"):
        res = out[kind]
        assert res["targets ok"] and res["labels ok"], kind
        assert "1 of 2 are outside it (255); divide a 0/255 mask by 255." in res["targets"]
        assert "pass ignore_class=255" in res["labels"], kind
