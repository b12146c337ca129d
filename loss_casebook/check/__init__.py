"""Before ``fit``: checks of what you are about to train with.

* :mod:`loss_casebook.check.targets` -- :func:`check_targets` (targets in the
  range their cross-entropy needs, case 4) and :func:`check_labels` (sparse
  labels in [0, K), case 6).
* :mod:`loss_casebook.check.logits` -- :func:`check_from_logits`: do the model's
  last activation and the loss's ``from_logits`` agree (case 5)?
* :mod:`loss_casebook.check.loss` -- :func:`check_loss` and
  :func:`loss_findings`: a loss written by hand, finite at predictions of 0
  and 1, with a gradient that reaches ``y_pred``, one value per sample
  (case 10).

Importing this package imports neither Keras nor TensorFlow. The checks import
Keras when they run: ``check_targets`` and ``check_labels`` only for a
framework tensor, ``check_from_logits``, ``loss_from_logits``, ``check_loss``
and ``loss_findings`` on every call.
"""

from loss_casebook.check.logits import (  # noqa: F401
    Agreement, check_from_logits, loss_from_logits, output_activation)
from loss_casebook.check.loss import check_loss, loss_findings  # noqa: F401
from loss_casebook.check.targets import check_labels, check_targets  # noqa: F401

__all__ = ["Agreement", "check_from_logits", "check_labels", "check_loss", "check_targets",
           "loss_findings", "loss_from_logits", "output_activation"]
