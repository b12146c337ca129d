"""What every experiment module shares: the backend's name and its gradient.

Experiments use ``keras`` and ``keras.ops`` only, plus :func:`value_and_grad`,
the one place that knows each backend's own gradient machinery.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

def backend() -> str:
    """The Keras backend of this process (``tensorflow``, ``jax`` or ``torch``)."""
    import keras

    return keras.backend.backend()


def value_and_grad(fn: Callable, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Value of ``fn(x)`` and gradient of ``sum(fn(x))`` with respect to ``x``.

    ``fn`` is written with ``keras.ops``; the gradient is taken with the
    backend's own machinery (``tf.GradientTape``, ``jax.grad`` or
    ``torch.autograd``). Both are returned as NumPy arrays.
    """
    name = backend()
    x = np.asarray(x, dtype="float32")
    if name == "tensorflow":
        import tensorflow as tf

        var = tf.Variable(x)
        with tf.GradientTape() as tape:
            y = fn(var)
            total = tf.reduce_sum(y)
        return np.asarray(y), tape.gradient(total, var).numpy()
    if name == "jax":
        import jax
        import jax.numpy as jnp

        y = fn(jnp.asarray(x))
        g = jax.grad(lambda t: jnp.sum(fn(t)))(jnp.asarray(x))
        return np.asarray(y), np.asarray(g)
    if name == "torch":
        import torch

        t = torch.tensor(x, requires_grad=True)
        y = fn(t)
        y.sum().backward()
        return y.detach().cpu().numpy(), t.grad.detach().cpu().numpy()
    raise ValueError(f"no gradient helper for the Keras backend {name!r}.")
