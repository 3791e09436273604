"""The book's publishing: how chapters are run, recorded on their pages, checked and handed out.

It sits at the top of ``medlab``'s layers: it may import everything below it,
and nothing below imports it. What a chapter itself calls while it runs
(``medlab.setup``, profiles, seeds, records) is in :mod:`medlab.runtime`.

- :mod:`~medlab.book.provenance`: code hashes, stale outputs, the provenance box;
- :mod:`~medlab.book.dependencies`: the ``medlab`` modules a chapter imports, and their hashes;
- :mod:`~medlab.book.refactor`: confirming a library refactor by identical smoke outputs;
- :mod:`~medlab.book.run`: the runner, ``python -m medlab.run``;
- :mod:`~medlab.book.report` and :mod:`~medlab.book.reproduction`: the Reproducibility page,
  ``python -m medlab.book.report``;
- :mod:`~medlab.book.edition`: the student edition, ``python -m medlab.book.edition``.

Nothing is imported here, so importing one tool does not load the others.
"""
