"""The exercises' checkers, one module per case, and the registry the grader reads.

A chapter imports its case's checkers, e.g.
``from loss_casebook.classroom.checkers.case1 import check_loss_sign``; the
shared parts (:class:`Feedback`, :data:`EXERCISES`) live in
:mod:`loss_casebook.classroom.checkers.feedback`. A new case adds a module
here and its import below, which registers its exercises.
"""

from loss_casebook.classroom.checkers import (  # noqa: F401  (registers)
    case1, case2, case3, case4, case5, case6, case7, case10, case11)
from loss_casebook.classroom.checkers.feedback import (
    EXERCISES,
    NOT_SOLVED,
    VERDICT_MIME,
    Exercise,
    Feedback,
)

__all__ = ["EXERCISES", "NOT_SOLVED", "VERDICT_MIME", "Exercise", "Feedback"]
