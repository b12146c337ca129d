"""What the site build and the book's maintainers run; chapters never import it.

* :mod:`loss_casebook.maintain.sphinxext` -- a Sphinx extension in ``_config.yml``:
  builds the helper wheel and serves it from the site's ``downloads/``.
* :mod:`loss_casebook.maintain.execute` -- ``python -m loss_casebook.maintain.execute``
  re-executes the chapters and stores their outputs, stamped with their code's digest.
* :mod:`loss_casebook.maintain.bench` -- ``python -m loss_casebook.maintain.bench``
  times every chapter and the build, and writes the README's table.
* :mod:`loss_casebook.maintain.linkcheck` -- ``python -m loss_casebook.maintain.linkcheck``
  checks every repository link the book cites against local clones at its tag.
"""
