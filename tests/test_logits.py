"""loss_casebook.check.logits on every Keras 3 backend, each in its own process.

A backend that is not installed is skipped, except in CI (``CI=true``),
where every backend must be present.
"""

import json
import os
import pathlib
import subprocess
import sys
import textwrap

import pytest
from conftest import need

from loss_casebook import backends

ROOT = pathlib.Path(__file__).resolve().parents[1]

#: Runs in a child with KERAS_BACKEND set; prints one JSON line of facts.
CHILD = textwrap.dedent("""
    import json, warnings
    warnings.simplefilter("ignore")
    import keras
    from loss_casebook.check.logits import (
        check_from_logits, loss_from_logits, output_activation)

    def model(units, activation, layer=False):
        layers = [keras.Input((3,)), keras.layers.Dense(units, activation=activation)]
        if layer:
            layers = [keras.Input((3,)), keras.layers.Dense(units),
                      keras.layers.Softmax()]
        return keras.Sequential(layers)

    def two_outputs():
        x = keras.Input((3,))
        return keras.Model(x, [keras.layers.Dense(1)(x), keras.layers.Dense(2)(x)])

    L = keras.losses
    out = {"backend": keras.backend.backend()}
    cases = {
        "softmax+True": (model(4, "softmax"), L.SparseCategoricalCrossentropy(from_logits=True)),
        "softmax+False": (model(4, "softmax"), L.SparseCategoricalCrossentropy()),
        "Softmax layer+True": (model(4, None, layer=True),
                               L.CategoricalCrossentropy(from_logits=True)),
        "linear+name": (model(4, None), "sparse_categorical_crossentropy"),
        "linear+True": (model(4, None), L.SparseCategoricalCrossentropy(from_logits=True)),
        "sigmoid+True": (model(1, "sigmoid"), L.BinaryCrossentropy(from_logits=True)),
        "sigmoid+function": (model(1, "sigmoid"), L.binary_crossentropy),
        "relu+False": (model(1, "relu"), L.BinaryCrossentropy()),
        "Dense1 softmax": (model(1, "softmax"), "binary_crossentropy"),
    }
    for name, (m, loss) in cases.items():
        found = check_from_logits(m, loss)
        out[name] = [bool(found), found.activation, found.units, found.from_logits,
                     str(found)]
    out["layer"] = output_activation(keras.layers.Dense(2, activation="tanh"))
    errors = {}
    for name, call in {
        "not a model": lambda: check_from_logits("model", "binary_crossentropy"),
        "mse": lambda: check_from_logits(model(1, None), "mse"),
        "MSE object": lambda: loss_from_logits(L.MeanSquaredError()),
        "number": lambda: loss_from_logits(3),
        "two outputs": lambda: output_activation(two_outputs()),
    }.items():
        try:
            call()
            errors[name] = None
        except Exception as err:
            errors[name] = [type(err).__name__, str(err)]
    out["errors"] = errors
    print("FACTS " + json.dumps(out))
""")


def _run(backend):
    need(backends.is_installed(backend),
         f"{backend} is not installed; add it with: {backends.INSTALL[backend]}")
    env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=300)
    lines = [x for x in proc.stdout.splitlines() if x.startswith("FACTS ")]
    assert lines, proc.stderr[-2000:]
    return json.loads(lines[-1][len("FACTS "):])


@pytest.fixture(scope="module", params=backends.BACKENDS)
def facts(request):
    return _run(request.param)


def test_runs_on_the_named_backend(facts):
    assert facts["backend"] in backends.BACKENDS


@pytest.mark.parametrize("case, ok, activation, from_logits, says", [
    ("softmax+True", False, "softmax", True, "Remove from_logits=True"),
    ("softmax+False", True, "softmax", False, "Agree"),
    ("Softmax layer+True", False, "softmax", True, "stalls"),
    ("linear+name", False, "linear", False, "Pass from_logits=True"),
    ("linear+True", True, "linear", True, "logits"),
    ("sigmoid+True", False, "sigmoid", True, "Mismatch"),
    ("sigmoid+function", True, "sigmoid", False, "Agree"),
    ("relu+False", False, "relu", False, "not probabilities"),
    ("Dense1 softmax", False, "softmax", False, "outputs 1 for every input"),
])
def test_agreement_on_backend(facts, case, ok, activation, from_logits, says):
    found_ok, found_activation, _, found_from_logits, message = facts[case]
    assert (found_ok, found_activation, found_from_logits) == (ok, activation, from_logits)
    assert says in message


def test_units_are_read_from_the_output(facts):
    assert facts["softmax+True"][2] == 4 and facts["Dense1 softmax"][2] == 1


def test_a_layer_can_be_checked(facts):
    assert facts["layer"] == "tanh"


@pytest.mark.parametrize("case, kind, says", [
    ("not a model", "TypeError", "must be a Keras 3 model, got str"),
    ("mse", "ValueError", "loss must be a cross-entropy"),
    ("MSE object", "ValueError", "MeanSquaredError has no from_logits"),
    ("number", "ValueError", "got int"),
    ("two outputs", "ValueError", "the model has 2 outputs"),
])
def test_bad_arguments_get_one_sentence(facts, case, kind, says):
    found = facts["errors"][case]
    assert found is not None and found[0] == kind and says in found[1]
    assert found[1].count(". ") == 0 and found[1].endswith(".")


def test_importing_the_module_does_not_import_keras():
    code = ("import sys, loss_casebook.check.logits; "
            "print(sorted(m for m in ('keras', 'tensorflow', 'jax', 'torch') "
            "if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"
