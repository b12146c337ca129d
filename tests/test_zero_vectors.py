"""Zero vectors: finite values and bounded gradients on every Keras 3 backend.

``ops.cosine_similarity``, ``ops.angular_distance``, ``losses.cosine_distance``
and ``ops.euclidean_distance`` are checked with an all-zero input (either one
or both), with respect to each argument, under TensorFlow, JAX and PyTorch.
Gradients are taken eagerly and compiled (XLA via ``tf.function(jit_compile=True)``
for TensorFlow, ``jax.jit`` for JAX): TensorFlow's eager ``SqrtGrad`` and
``RsqrtGrad`` kernels turn ``0 * inf`` into 0, its XLA lowering does not.
Each backend runs once, in its own process (``KERAS_BACKEND`` is read at
import), which computes everything and prints JSON; the tests only read it.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from conftest import need

ROOT = pathlib.Path(__file__).resolve().parents[1]
BACKENDS = ("tensorflow", "jax", "torch")
FUNCTIONS = ("cosine_similarity", "angular_distance", "cosine_distance", "euclidean_distance")
#: The largest gradient entry allowed anywhere (a 1e-12 norm floor gives 1e12).
BOUND = 1e3

#: Runs in the child process: values and gradients as JSON on stdout.
SCRIPT = r'''
import json, math, os
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np
import keras
from keras import ops
from loss_casebook import ops as lops
from loss_casebook.losses import cosine_distance

B = keras.backend.backend()


def grads(fn, a, b, compiled=False):
    """Value of fn(a, b) and the gradients of its sum w.r.t. a and b (float32).

    ``compiled``: under ``tf.function(jit_compile=True)`` (XLA, as Keras
    compiles TensorFlow training steps by default) or ``jax.jit``.
    """
    a, b = np.asarray(a, "float32"), np.asarray(b, "float32")
    if B == "tensorflow":
        import tensorflow as tf

        def step(pa, pb):
            with tf.GradientTape() as tape:
                tape.watch([pa, pb])
                y = fn(pa, pb)
                total = ops.sum(y)
            return (y, *tape.gradient(total, [pa, pb]))

        step = tf.function(step, jit_compile=True) if compiled else step
        return tuple(np.asarray(t) for t in step(tf.constant(a), tf.constant(b)))
    if B == "jax":
        import jax
        step = jax.value_and_grad(lambda p, q: ops.sum(fn(p, q)), argnums=(0, 1))
        step = jax.jit(step) if compiled else step
        _, (ga, gb) = step(a, b)
        return np.asarray(fn(a, b)), np.asarray(ga), np.asarray(gb)
    import torch
    ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    y = fn(ta, tb)
    ops.sum(y).backward()
    return y.detach().numpy(), ta.grad.numpy(), tb.grad.numpy()


def cos64(u, v):
    nu = np.linalg.norm(u, axis=-1, keepdims=True)
    nv = np.linalg.norm(v, axis=-1, keepdims=True)
    c = (u * v).sum(-1, keepdims=True) / nu / nv
    return c, v / nu / nv - c * u / nu**2, u / nu / nv - c * v / nv**2


def reference(name, u, v):
    """Float64 value and analytic gradients (w.r.t. u and v) of the function."""
    c, du, dv = cos64(u, v)
    if name == "cosine_similarity":
        return c, du, dv
    if name == "cosine_distance":
        return 1 - c[:, 0], -du, -dv
    if name == "angular_distance":
        k = -1 / (math.pi * np.sqrt(1 - c**2))
        return np.arccos(c) / math.pi, k * du, k * dv
    d = np.linalg.norm(u - v, axis=-1, keepdims=True)
    return d, (u - v) / d, (v - u) / d


FNS = {"cosine_similarity": lops.cosine_similarity,
       "angular_distance": lops.angular_distance,
       "cosine_distance": cosine_distance,
       "euclidean_distance": getattr(lops, "euclidean_distance", None)}
V = np.array([[1.0, 2.0, 2.0], [0.0, 0.0, -5.0]])  # norms 3 and 5; one on an axis
ZERO = np.zeros_like(V)
T = np.array([[2.0, -1.0, 0.0], [3.0, 0.0, 4.0]])  # not parallel to V
CASES = {"(zero, v)": (ZERO, V), "(v, zero)": (V, ZERO), "(zero, zero)": (ZERO, ZERO),
         "(v, v)": (V, V), "(tiny, v)": (1e-6 * T, V), "(v, tiny)": (V, 1e-30 * T)}
SCALES = (1e-3, 1.0, 1e3)
rng = np.random.default_rng(0)
U0, V0 = rng.normal(size=(2, 4, 5))
U0 /= np.linalg.norm(U0, axis=-1, keepdims=True)
V0 /= np.linalg.norm(V0, axis=-1, keepdims=True)

out = {"backend": B, "cases": {}, "ordinary": {}}
for name, fn in FNS.items():
    if fn is None:
        out["cases"][name] = out["ordinary"][name] = f"loss_casebook.ops has no {name}"
        continue
    res = out["cases"][name] = {}
    for mode in ("eager", "compiled") if B != "torch" else ("eager",):
        for case, (a, b) in CASES.items():
            y, ga, gb = grads(fn, a, b, compiled=mode == "compiled")
            res[f"{mode} {case}"] = {"value": y.ravel().tolist(), "grad a": ga.tolist(),
                                     "grad b": gb.tolist()}
    worst = {"value": 0.0, "grad": 0.0}
    for su in SCALES:
        for sv in SCALES:
            u, v = su * U0, sv * V0
            y, ga, gb = grads(fn, u, v)
            ry, ru, rv = reference(name, u.astype("float32").astype("float64"),
                                   v.astype("float32").astype("float64"))
            err = np.abs(y.reshape(ry.shape) - ry) / np.maximum(np.abs(ry), 1.0)
            worst["value"] = max(worst["value"], float(np.max(err)))
            for g, r in ((ga, ru), (gb, rv)):
                rel = np.max(np.abs(g - r)) / np.max(np.abs(r))
                worst["grad"] = max(worst["grad"], float(rel))
    out["ordinary"][name] = worst
print("RESULT " + json.dumps(out))
'''


def _installed(backend: str) -> bool:
    return importlib.util.find_spec(backend) is not None


@functools.cache
def _results(backend: str) -> dict:
    """Run :data:`SCRIPT` under ``backend`` once; its parsed JSON."""
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3",
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    run = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=600)
    lines = [ln for ln in run.stdout.splitlines() if ln.startswith("RESULT ")]
    assert run.returncode == 0 and lines, (run.stdout + run.stderr)[-3000:]
    return json.loads(lines[-1][len("RESULT "):])


def _case(backend: str, mode: str, name: str, case: str) -> dict:
    need(_installed(backend), f"backend {backend} is not installed")
    if mode == "compiled" and backend == "torch":
        pytest.skip("Keras runs torch eagerly unless jit_compile=True; torch.compile not tested")
    res = _results(backend)["cases"][name]
    assert not isinstance(res, str), res
    return res[f"{mode} {case}"]


#: Documented values at zero inputs, one per row of ``V`` (norms 3 and 5).
EXPECTED = {
    "cosine_similarity": {"(zero, v)": [0, 0], "(v, zero)": [0, 0], "(zero, zero)": [0, 0]},
    "angular_distance": {"(zero, v)": [0.5, 0.5], "(v, zero)": [0.5, 0.5],
                         "(zero, zero)": [0.5, 0.5]},
    "cosine_distance": {"(zero, v)": [1, 1], "(v, zero)": [1, 1], "(zero, zero)": [1, 1]},
    "euclidean_distance": {"(zero, v)": [3, 5], "(v, zero)": [3, 5], "(zero, zero)": [0, 0],
                           "(v, v)": [0, 0]},
}
MODES = ("eager", "compiled")  # compiled: XLA for TensorFlow, jax.jit for JAX
ZERO_CASES = [(b, m, f, c) for b in BACKENDS for m in MODES for f in FUNCTIONS
              for c in EXPECTED[f]]


@pytest.mark.parametrize("backend, mode, name, case", ZERO_CASES)
def test_zero_input_gives_the_documented_value_and_a_bounded_gradient(backend, mode, name, case):
    res = _case(backend, mode, name, case)
    np.testing.assert_allclose(res["value"], EXPECTED[name][case], atol=1e-6)
    for arg in ("grad a", "grad b"):
        g = np.asarray(res[arg], dtype=float)
        assert np.isfinite(g).all(), f"{arg}: {g.tolist()}"
        assert np.abs(g).max() <= BOUND, f"{arg}: {g.tolist()}"


TINY_CASES = [(b, m, f, c) for b in BACKENDS for m in MODES for f in FUNCTIONS
              for c in ("(tiny, v)", "(v, tiny)")]


@pytest.mark.parametrize("backend, mode, name, case", TINY_CASES)
def test_tiny_input_gives_a_finite_value_and_a_bounded_gradient(backend, mode, name, case):
    res = _case(backend, mode, name, case)
    assert np.isfinite(res["value"]).all(), res["value"]
    for arg in ("grad a", "grad b"):
        g = np.asarray(res[arg], dtype=float)
        assert np.isfinite(g).all() and np.abs(g).max() <= BOUND, f"{arg}: {g.tolist()}"


@pytest.mark.parametrize("backend, name", [(b, f) for b in BACKENDS for f in FUNCTIONS])
def test_ordinary_inputs_keep_their_values_and_exact_gradients(backend, name):
    """Norms 1e-3, 1 and 1e3 (all pairs): float64 values, analytic gradients.

    Values: absolute error for the cosines, relative error for distances above
    1; gradients: error relative to the largest entry. Norm 1e-3 is exactly
    the cosine helpers' floor in float32 (a tie), where the gradient must still
    be the cosine's.
    """
    need(_installed(backend), f"backend {backend} is not installed")
    worst = _results(backend)["ordinary"][name]
    assert not isinstance(worst, str), worst
    assert worst["value"] <= 1e-6, worst
    assert worst["grad"] <= 1e-4, worst
