"""Helpers for the Keras loss casebook.

The package is split so that importing it never imports TensorFlow or Keras by
itself: the "as asked" chapters must set ``TF_USE_LEGACY_KERAS`` before
TensorFlow is first imported.

What the chapters import (teaching helpers):

* :mod:`loss_casebook.repro` -- seeds, op determinism and a quiet start-up.
* :mod:`loss_casebook.data` -- deterministic synthetic data for both cases.
* :mod:`loss_casebook.cosine` -- NumPy references: cosine, the sigmoid ceiling,
  what Keras's "accuracy" computes, retrieval score.
* :mod:`loss_casebook.losses` -- ``cosine_distance``, a registered Keras 3 loss.
* :mod:`loss_casebook.ops` -- ``angular_distance`` with finite gradients.
* :mod:`loss_casebook.callbacks` -- ``NaNHunter``, a Keras 3 callback.
* :mod:`loss_casebook.nanbirth` -- where case 2's first NaN is born, batch by batch.
* :mod:`loss_casebook.backends` -- run a named experiment (from
  :mod:`loss_casebook.experiments`) under each Keras 3 backend, in a subprocess.
* :mod:`loss_casebook.plotting` -- small matplotlib helpers used by the chapters.
* :mod:`loss_casebook.nbcheck` -- check the error a ``raises-exception`` cell raised.

What teachers run (classroom tools):

* :mod:`loss_casebook.exercises` -- the exercises' checkers.
* :mod:`loss_casebook.student` -- student copies without solutions.
* :mod:`loss_casebook.grade` -- grade a folder of submissions.

What the book's build runs: :mod:`loss_casebook.sphinxext` (the site's
downloads). Run by hand: :mod:`loss_casebook.bench` (the README's timing table).
"""

__version__ = "0.2.0"
