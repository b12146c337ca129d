"""Helpers for the Keras loss casebook, grouped by who uses them and when.

Importing the package never imports TensorFlow or Keras by itself. The
modules that define Keras objects (``losses``, ``ops``,
``watch.symptoms`` and ``watch.nanhunter``) import Keras when they are
imported; the others import it, if at all, only inside the functions that
need it. So the "as asked" chapters, which must set ``TF_USE_LEGACY_KERAS``
before TensorFlow is first imported, set it before importing those.

**The reader's tools**, by when a reader uses them:

* :mod:`loss_casebook.check` -- before ``fit``: ``check_targets`` and
  ``check_labels`` (the range a cross-entropy needs), ``check_from_logits``
  (do the last activation and ``from_logits`` agree?).
* :mod:`loss_casebook.watch` -- during ``fit``: ``SymptomWatch`` (prints the
  index's entry when ``fit`` shows its symptom), ``NaNHunter`` (the first
  non-finite batch), ``trace_nan_birth`` (where case 2's first NaN is born).
* :mod:`loss_casebook.explain` -- after: ``python -m loss_casebook.explain``,
  a pasted log, traceback or sentence in, the book's ranked entries and
  sections out; the error index, ``errors.toml``, and the log's fingerprints.

The older names ``checks``, ``logits``, ``callbacks``, ``nanbirth`` and
``errorindex`` still import: each is the moved module itself.

**What the chapters import** (teaching helpers, at the top level):

* :mod:`loss_casebook.repro` -- seeds, op determinism and a quiet start-up.
* :mod:`loss_casebook.data` -- deterministic synthetic data for the cases.
* :mod:`loss_casebook.cosine` -- NumPy references: cosine, the sigmoid ceiling,
  what Keras's "accuracy" computes, retrieval score.
* :mod:`loss_casebook.losses` -- ``cosine_distance``, a registered Keras 3 loss.
* :mod:`loss_casebook.ops` -- ``angular_distance`` with finite gradients.
* :mod:`loss_casebook.plotting` -- small matplotlib helpers.
* :mod:`loss_casebook.nbcheck` -- check the error a ``raises-exception`` cell raised.
* :mod:`loss_casebook.backends` -- run the cases under each Keras 3 backend, one
  process each; its ``experiments`` hold one module per case.

**What teachers run**: :mod:`loss_casebook.classroom` -- the exercises'
checkers (one module per case), student copies, the grader.

**What the site build and the maintainers run**: :mod:`loss_casebook.maintain`
-- the Sphinx extension, the benchmark behind the README's table, the check of
the chapters' source links.
"""

__version__ = "0.3.0"
