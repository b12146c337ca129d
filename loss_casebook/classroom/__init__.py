"""What teachers run: the exercises' checkers, student copies and the grader.

* :mod:`loss_casebook.classroom.checkers` -- one module of checkers per case;
  exercise chapters import them, the grader runs them.
* :mod:`loss_casebook.classroom.student` -- ``python -m loss_casebook.classroom.student``
  writes copies of the exercise chapters without their solutions, in plain
  Markdown (:mod:`loss_casebook.classroom.plain`), and the hand-out record
  (:mod:`loss_casebook.classroom.handout`) that tells the grader what to grade.
* :mod:`loss_casebook.classroom.grade` -- ``python -m loss_casebook.classroom.grade``
  grades a folder of submissions.
"""
