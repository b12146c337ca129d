"""Helpers for the Keras loss loss_casebook.

The package is split so that importing it never imports TensorFlow or Keras by
itself: the "as asked" chapters must set ``TF_USE_LEGACY_KERAS`` before
TensorFlow is first imported.

* :mod:`loss_casebook.repro` -- one call for seeds, op determinism and quiet logs.
* :mod:`loss_casebook.data` -- deterministic synthetic data for both cases.
* :mod:`loss_casebook.cosine` -- NumPy references: cosine, the sigmoid ceiling,
  what Keras's "accuracy" computes, retrieval score.
* :mod:`loss_casebook.losses` -- ``cosine_distance``, a registered Keras 3 loss.
* :mod:`loss_casebook.ops` -- ``angular_distance`` with finite gradients.
* :mod:`loss_casebook.callbacks` -- ``NaNHunter``, a Keras 3 callback.
* :mod:`loss_casebook.plotting` -- small matplotlib helpers used by the chapters.
* :mod:`loss_casebook.exercises` -- checkers for the exercises.
* :mod:`loss_casebook.student` -- writes student copies without solutions.
* :mod:`loss_casebook.bench` -- times every chapter and the build.
"""

__version__ = "0.2.0"
