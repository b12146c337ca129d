"""SymptomWatch: the index's symptoms, seen during fit, on every backend."""

from __future__ import annotations

import json
import os
import subprocess
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from conftest import need  # noqa: E402

from loss_casebook import backends, errorindex  # noqa: E402
from loss_casebook.watch.symptoms import SymptomWatch, loss_names  # noqa: E402

ENTRIES = errorindex.load()
#: What each backend does with the three symptoms the callback watches.
SCRIPT = r"""
import json, os
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np, keras
from loss_casebook.watch import SymptomWatch

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)
x = rng.normal(size=(64, 4)).astype("float32")
out = {}

def run(name, layer, loss, y, stop=False, epochs=3):
    m = keras.Sequential([keras.Input((4,)), layer])
    m.compile(optimizer=keras.optimizers.SGD(0.5), loss=loss)
    seen = []
    w = SymptomWatch(stop=stop, print_fn=seen.append)
    try:
        h = m.fit(x, y, epochs=epochs, batch_size=16, verbose=0, callbacks=[w])
        epochs_run = len(h.history["loss"])
    except RuntimeError as err:
        epochs_run, seen = None, [f"RuntimeError: {err}"]
    out[name] = {"found": [f["id"] for f in w.found], "printed": seen,
                 "epochs": epochs_run}

labels = rng.integers(0, 4, size=(64, 1)).astype("float32")
run("bce", keras.layers.Dense(1, activation="sigmoid"), "binary_crossentropy", labels)
# Targets a linear layer can reach, so the loss heads for -1 whatever the
# initial weights; with unreachable (random) targets it hovers around 0.
run("cosine", keras.layers.Dense(8), keras.losses.CosineSimilarity(),
    (x @ rng.normal(size=(4, 8))).astype("float32"))
nan_loss = lambda t, p: keras.ops.mean(keras.ops.log(p - 100.0))
run("nan", keras.layers.Dense(1), nan_loss, labels)
run("nan-stop", keras.layers.Dense(1), nan_loss, labels, stop=True)
print("RESULT" + json.dumps(out))
"""


def _run(backend: str) -> dict:
    env = {**os.environ, "KERAS_BACKEND": backend}
    run = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                         env=env, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout.split("RESULT", 1)[1])


@pytest.mark.parametrize("backend", backends.BACKENDS)
def test_symptoms_are_seen_on_every_backend(backend):
    need(backends.is_installed(backend),
         f"{backend} is not installed; add it with: {backends.INSTALL[backend]}")
    r = _run(backend)
    if backend == "torch":  # torch checks BCE's targets and raises instead
        assert r["bce"]["printed"] == [
            "RuntimeError: all elements of target should be between 0 and 1"]
    else:
        assert r["bce"]["found"] == ["negative-cross-entropy"]
        assert len(r["bce"]["printed"]) == 1 and "messages.html" in r["bce"]["printed"][0]
    assert r["cosine"]["found"] == ["negative-cosine-loss"]
    assert r["nan"]["found"] == ["nan-loss"] and len(r["nan"]["printed"]) == 1
    assert r["nan"]["epochs"] == 3, "without stop=True training goes on"
    assert r["nan-stop"]["epochs"] == 1


def _model(activation=None, units=8):
    m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(units, activation=activation)])
    m.compile(optimizer="sgd", loss=keras.losses.CosineSimilarity())
    return m


def _watch(m, **kw):
    seen = []
    w = SymptomWatch(print_fn=seen.append, **kw)
    w.set_model(m)
    w.on_train_begin()
    return w, seen


def test_plateau_at_the_sigmoid_ceiling_is_reported_once():
    y = np.array([[1.0, -1.0], [1.0, 1.0]])  # ceiling (0.7071 + 1) / 2
    ceiling = (2 ** -0.5 + 1) / 2
    w, seen = _watch(_model("sigmoid", 2), targets=y)
    w.on_epoch_end(0, {"loss": -ceiling + 0.3})  # negative, but far from the ceiling
    w.on_epoch_end(1, {"loss": -ceiling + 0.01})
    w.on_epoch_end(2, {"loss": -ceiling + 0.01})
    ids = [f["id"] for f in w.found]
    assert ids == ["negative-cosine-loss", "cosine-sigmoid-ceiling"] and len(seen) == 2
    assert w.found[1]["epoch"] == 1 and w.found[1]["value"] == pytest.approx(-ceiling + 0.01)


def test_the_ceiling_needs_non_negative_outputs_and_targets():
    y = np.array([[1.0, -1.0], [1.0, 1.0]])
    for m, kw in ((_model("tanh", 2), {"targets": y}), (_model("sigmoid", 2), {})):
        w, _ = _watch(m, **kw)
        w.on_epoch_end(0, {"loss": -(2 ** -0.5 + 1) / 2})
        assert [f["id"] for f in w.found] == ["negative-cosine-loss"]


def test_a_finite_positive_run_reports_nothing():
    m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    m.compile(optimizer="sgd", loss="mse")
    w, seen = _watch(m)
    for epoch in range(3):
        w.on_train_batch_end(0, {"loss": 1.0 / (epoch + 1)})
        w.on_epoch_end(epoch, {"loss": 0.5, "val_loss": 0.6})
    assert w.found == [] and seen == []


def test_validation_loss_counts_too():
    m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    m.compile(optimizer="sgd", loss="mse")
    w, seen = _watch(m)
    w.on_epoch_end(0, {"loss": 0.5, "val_loss": float("nan")})
    assert [(f["id"], f["metric"]) for f in w.found] == [("nan-loss", "val_loss")]


@pytest.mark.parametrize("kwargs,says", [
    ({"stop": "yes"}, "stop must be True or False"),
    ({"print_fn": 3}, "print_fn must be callable"),
    ({"entries": ["nan-loss"]}, "entries must be error index entries"),
    ({"targets": [[0.0, 0.0]]}, "targets must be a finite array"),
    ({"targets": [[np.nan, 1.0]]}, "targets must be a finite array"),
])
def test_arguments_are_checked_in_one_sentence(kwargs, says):
    with pytest.raises(ValueError, match=says) as info:
        SymptomWatch(**kwargs)
    assert "\n" not in str(info.value)


def test_loss_names():
    assert loss_names("mse") == {"mse"}
    assert {"CosineSimilarity", "cosine_similarity"} <= loss_names(keras.losses.CosineSimilarity())
    assert loss_names(keras.losses.cosine_similarity) == {"cosine_similarity"}
    assert loss_names({"a": "mse", "b": ["mae"]}) == {"mse", "mae"}
    assert loss_names(None) == set()


def test_every_watch_rule_names_known_losses():
    for e in ENTRIES:
        if e.watch:
            assert e.kind == "symptom", e.id
