"""Before ``fit``: do the model's last activation and the loss's ``from_logits`` agree?

Case 5 of the book. A cross-entropy needs to know what it is given:
probabilities (the output of ``softmax`` or ``sigmoid``, ``from_logits=False``,
the default) or raw scores ("logits", no activation, ``from_logits=True``).
Get it the wrong way round and, depending on the Keras 3 backend, the model
trains, stalls at a fixed loss, or collapses, with no error. A softmax over a
single unit outputs 1 for every input.

Example
-------
>>> import keras                                            # doctest: +SKIP
>>> model = keras.Sequential([keras.Input((8,)),
...                           keras.layers.Dense(4, activation="softmax")])
>>> check_from_logits(                                      # doctest: +SKIP
...     model, keras.losses.SparseCategoricalCrossentropy(from_logits=True))
Mismatch: the model ends in softmax (probabilities) but the loss has
from_logits=True; ...

Importing this module does not import Keras or TensorFlow; the functions
import Keras when called.
"""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any

#: Activations whose outputs are probabilities (``from_logits=False``).
PROBABILITIES = ("softmax", "sigmoid")

#: Loss names that Keras resolves to a cross-entropy, as strings or functions.
CROSS_ENTROPIES = ("sparse_categorical_crossentropy", "categorical_crossentropy",
                   "binary_crossentropy")


@dataclasses.dataclass(frozen=True)
class Agreement:
    """What :func:`check_from_logits` found; ``bool()`` is whether they agree.

    Attributes
    ----------
    ok:
        True if the activation and ``from_logits`` agree.
    activation:
        The last activation's name, e.g. ``"softmax"`` or ``"linear"``.
    units:
        Size of the output's last axis (``None`` if unknown).
    from_logits:
        What the loss was given.
    message:
        One or two sentences for the reader.
    """

    ok: bool
    activation: str
    units: int | None
    from_logits: bool
    message: str

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return self.message


def _last_layer(model: Any) -> Any:
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a Keras 3 model, got {type(model).__name__}.")
    outputs = getattr(model, "outputs", None)
    if outputs is not None and len(outputs) != 1:
        raise ValueError(f"the model has {len(outputs)} outputs; check one output layer "
                         "at a time with output_activation(layer).")
    if not model.layers:
        raise ValueError("the model has no layers yet; build it before the check.")
    return model.layers[-1]


def output_activation(model: Any) -> str:
    """Name of the activation that produces the model's output.

    Parameters
    ----------
    model:
        A Keras 3 model with one output (its last layer is read), or a Keras
        layer.

    Returns
    -------
    str
        ``"softmax"``, ``"sigmoid"``, ``"linear"`` (no activation), or the
        name of another activation such as ``"relu"``.

    Raises
    ------
    TypeError
        If ``model`` is neither a Keras 3 model nor a layer.
    ValueError
        If the model has several outputs or no layers.
    """
    import keras

    if isinstance(model, keras.layers.Layer) and not isinstance(model, keras.Model):
        layer = model
    else:
        layer = _last_layer(model)
    if isinstance(layer, keras.layers.Softmax):
        return "softmax"
    fn = getattr(layer, "activation", None)
    if fn is None:
        return "linear"
    if isinstance(fn, str):
        return fn
    return getattr(fn, "__name__", type(fn).__name__)


def _units(model: Any) -> int | None:
    outputs = getattr(model, "outputs", None)
    if not outputs:
        return None
    last = outputs[0].shape[-1]
    return None if last is None else int(last)


def loss_from_logits(loss: Any) -> bool:
    """The ``from_logits`` a cross-entropy will use.

    Parameters
    ----------
    loss:
        A Keras 3 loss object (``keras.losses.BinaryCrossentropy(...)``,
        ``SparseCategoricalCrossentropy`` or ``CategoricalCrossentropy``),
        a function such as ``keras.losses.binary_crossentropy``, or one of
        the names in :data:`CROSS_ENTROPIES` (both default to ``False``).

    Raises
    ------
    ValueError
        If ``loss`` is not one of those cross-entropies.
    """
    import keras

    if isinstance(loss, str):
        if loss not in CROSS_ENTROPIES:
            raise ValueError(f"loss must be a cross-entropy such as {CROSS_ENTROPIES}, "
                             f"got {loss!r}.")
        return False
    if isinstance(loss, keras.losses.Loss):
        config = loss.get_config()
        if "from_logits" not in config:
            raise ValueError(f"{type(loss).__name__} has no from_logits; give a "
                             "cross-entropy loss.")
        return bool(config["from_logits"])
    if callable(loss) and getattr(loss, "__name__", None) in CROSS_ENTROPIES:
        return bool(inspect.signature(loss).parameters["from_logits"].default)
    raise ValueError(f"loss must be a Keras cross-entropy (object, function or name), "
                     f"got {type(loss).__name__}.")


def check_from_logits(model: Any, loss: Any) -> Agreement:
    """Whether the model's last activation and the loss's ``from_logits`` agree.

    Call it before ``fit``. Softmax and sigmoid outputs are probabilities
    and need ``from_logits=False``; any other last activation (none, or
    ``relu``, ``tanh``...) does not give probabilities and needs
    ``from_logits=True``. A softmax over one unit always outputs 1 and
    never agrees.

    Parameters
    ----------
    model:
        A Keras 3 model with one output, or its output layer.
    loss:
        What :func:`loss_from_logits` accepts.

    Returns
    -------
    Agreement
        Truthy if they agree; its message says what to change if not.

    Raises
    ------
    TypeError, ValueError
        As :func:`output_activation` and :func:`loss_from_logits`.
    """
    activation = output_activation(model)
    from_logits = loss_from_logits(loss)
    units = _units(model)
    if activation == "softmax" and units == 1:
        return Agreement(False, activation, units, from_logits,
                         "Mismatch: a softmax over one unit outputs 1 for every input; "
                         "use Dense(1, activation='sigmoid') with binary cross-entropy, "
                         "or two units with softmax.")
    probabilities = activation in PROBABILITIES
    if probabilities and from_logits:
        return Agreement(False, activation, units, from_logits,
                         f"Mismatch: the model ends in {activation} (probabilities) but the "
                         "loss has from_logits=True; on JAX and PyTorch the loss takes the "
                         "probabilities for logits and stalls. Remove from_logits=True.")
    if not probabilities and not from_logits:
        return Agreement(False, activation, units, from_logits,
                         f"Mismatch: the model ends in {activation} (not probabilities) but "
                         "the loss has from_logits=False, so it clips the outputs to "
                         "[epsilon, 1 - epsilon]. Pass from_logits=True.")
    kind = "probabilities" if probabilities else "logits"
    return Agreement(True, activation, units, from_logits,
                     f"Agree: the model outputs {kind} ({activation}) and the loss has "
                     f"from_logits={from_logits}.")
