"""Helpers for the Keras loss casebook, in three parts by who uses them.

Importing the package never imports TensorFlow or Keras by itself. The
modules that define Keras objects (``callbacks``, ``losses``, ``ops`` and
``watch``) import Keras when they are imported; the others import it, if at
all, only inside the functions that need it. So the "as asked" chapters, which
must set ``TF_USE_LEGACY_KERAS`` before TensorFlow is first imported, set it
before importing those four.

**What the chapters import** (teaching helpers, at the top level):

* :mod:`loss_casebook.repro` -- seeds, op determinism and a quiet start-up.
* :mod:`loss_casebook.data` -- deterministic synthetic data for the cases.
* :mod:`loss_casebook.cosine` -- NumPy references: cosine, the sigmoid ceiling,
  what Keras's "accuracy" computes, retrieval score.
* :mod:`loss_casebook.losses` -- ``cosine_distance``, a registered Keras 3 loss.
* :mod:`loss_casebook.ops` -- ``angular_distance`` with finite gradients.
* :mod:`loss_casebook.callbacks` -- ``NaNHunter``, a Keras 3 callback.
* :mod:`loss_casebook.nanbirth` -- where case 2's first NaN is born, batch by batch.
* :mod:`loss_casebook.plotting` -- small matplotlib helpers.
* :mod:`loss_casebook.nbcheck` -- check the error a ``raises-exception`` cell raised.
* :mod:`loss_casebook.errorindex` -- the error index, ``errors.toml``: every message
  and symptom the book explains, its wordings, causes and chapter sections.
* :mod:`loss_casebook.explain` -- ``python -m loss_casebook.explain``: a pasted log,
  traceback or sentence in, the book's ranked entries and sections out.
* :mod:`loss_casebook.checks` -- ``check_targets`` and ``check_labels``, before ``fit``.
* :mod:`loss_casebook.logits` -- ``check_from_logits``: do activation and loss agree?
* :mod:`loss_casebook.watch` -- ``SymptomWatch``, a Keras 3 callback that prints the
  index's entry when ``fit`` shows its symptom.
* :mod:`loss_casebook.backends` -- run the cases under each Keras 3 backend, one
  process each; its ``experiments`` hold one module per case.

**What teachers run**: :mod:`loss_casebook.classroom` -- the exercises'
checkers (one module per case), student copies, the grader.

**What the site build and the maintainers run**: :mod:`loss_casebook.maintain`
-- the Sphinx extension, the benchmark behind the README's table, the check of
the chapters' source links.
"""

__version__ = "0.3.0"
