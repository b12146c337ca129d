"""Reproducibility: one call seeds everything and quiets TensorFlow."""

from __future__ import annotations

import contextlib
import os
import sys
import warnings
from collections.abc import Iterator

#: Environment variable added to every training seed the book sets. The
#: chapters' lessons must not depend on one lucky seed: running them with
#: ``LOSS_CASEBOOK_SEED_OFFSET=1`` (other initial weights, other shuffles,
#: same data) must leave every compared output and every assert as it is.
SEED_OFFSET_ENV = "LOSS_CASEBOOK_SEED_OFFSET"


def training_seed(seed: int) -> int:
    """``seed`` plus the offset in ``LOSS_CASEBOOK_SEED_OFFSET`` (0 when unset).

    Used for the seeds that choose initial weights, shuffling and dropout
    (:func:`seed_everything`, the backend experiments); the seeds that
    generate the book's data are not shifted.

    Raises
    ------
    ValueError
        If ``seed`` is not a non-negative integer, or the variable is set to
        something other than a non-negative integer.
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}.")
    raw = os.environ.get(SEED_OFFSET_ENV, "").strip()
    if not raw:
        return seed
    if not raw.isdigit():
        raise ValueError(f"{SEED_OFFSET_ENV} must be a non-negative integer, got {raw!r}.")
    return seed + int(raw)


@contextlib.contextmanager
def _quiet_fd2() -> Iterator[None]:
    """Send file descriptor 2 to /dev/null for the duration of the block.

    TensorFlow's C++ start-up lines ("Could not find cuda drivers ...") are
    written before its log level is read, straight to the process's stderr,
    which Jupyter kernels forward into the notebook.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def seed_everything(seed: int = 0) -> None:
    """Seed Python, NumPy and TensorFlow, turn on op determinism, quiet start-up.

    Call it in the first cell of a chapter, *after* setting
    ``TF_USE_LEGACY_KERAS`` (if the chapter wants Keras 2 semantics) and
    *before* importing TensorFlow yourself: the C++ log level and the oneDNN
    switch only take effect if they are set before TensorFlow is loaded.

    Parameters
    ----------
    seed:
        A non-negative integer used for ``random``, NumPy and TensorFlow
        (through ``keras.utils.set_random_seed`` of whichever Keras
        ``tf.keras`` resolves to), shifted by ``LOSS_CASEBOOK_SEED_OFFSET``
        when that is set (:func:`training_seed`).

    Notes
    -----
    ``TF_ENABLE_ONEDNN_OPTS`` and ``TF_CPP_MIN_LOG_LEVEL`` are set only if the
    environment does not set them already, so ``TF_ENABLE_ONEDNN_OPTS=1``
    (other kernels, another summation order) reaches TensorFlow unchanged.

    Raises
    ------
    ValueError
        If ``seed`` is not a non-negative integer, or the offset variable is
        not one.
    """
    training_seed(seed)  # validates both before anything is imported
    if "tensorflow" not in sys.modules:
        # Only effective before TensorFlow is imported.
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        # oneDNN kernels may round differently on different CPUs.
        os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    with _quiet_fd2():
        import tensorflow as tf

        _ = tf.keras.utils  # loads Keras (tf-keras or Keras 3) quietly as well
        # Finding the devices calls cuInit, whose failure on a machine without
        # a GPU TensorFlow reports on stderr ("failed call to cuInit").
        tf.config.list_physical_devices()
    tf.keras.utils.set_random_seed(training_seed(seed))
    tf.config.experimental.enable_op_determinism()
    # Library deprecation notices are not part of any lesson. Python-level
    # warnings and log records from Keras and TensorFlow (for example a
    # callback's "Can save best model only with ... available") stay visible:
    # they are evidence the chapters show and assert.
    warnings.filterwarnings("ignore", category=DeprecationWarning)


def versions() -> dict[str, str]:
    """Return the versions that matter for this book and the device in use.

    Returns a dict with keys ``python``, ``tensorflow``, ``tf.keras is`` (which Keras
    ``tf.keras`` resolves to in this process), ``keras 3``, ``tf-keras``
    and ``device`` (``"CPU"`` or the first GPU's name).
    """
    import importlib.metadata as md
    import platform

    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    return {
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "tf.keras is": (
            "tf-keras (Keras 2)"
            if tf.keras.layers.Layer.__module__.startswith("tf_keras")
            else "Keras 3"
        ),
        "keras 3": md.version("keras"),
        "tf-keras": md.version("tf-keras"),
        "device": gpus[0].name if gpus else "CPU",
    }
