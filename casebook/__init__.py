"""Helpers for the Keras loss casebook.

The package is split so that importing it never imports TensorFlow or Keras by
itself: the "as asked" chapters must set ``TF_USE_LEGACY_KERAS`` before
TensorFlow is first imported.

* :mod:`casebook.repro` -- one call for seeds, op determinism and quiet logs.
* :mod:`casebook.data` -- deterministic synthetic data for both cases.
* :mod:`casebook.cosine` -- NumPy references: cosine, the sigmoid ceiling,
  what Keras's "accuracy" computes, retrieval score.
* :mod:`casebook.losses` -- ``cosine_distance``, a registered Keras 3 loss.
* :mod:`casebook.ops` -- ``angular_distance`` with finite gradients.
* :mod:`casebook.callbacks` -- ``NaNHunter``, a Keras 3 callback.
* :mod:`casebook.plotting` -- small matplotlib helpers used by the chapters.
* :mod:`casebook.exercises` -- checkers for the exercises.
* :mod:`casebook.student` -- writes student copies without solutions.
* :mod:`casebook.bench` -- times every chapter and the build.
"""

__version__ = "0.1.0"
