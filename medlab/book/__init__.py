"""The book's own machinery: how a chapter is sized, seeded, run and recorded.

A chapter calls only :func:`medlab.setup` (and :func:`medlab.record_metrics`);
everything else here serves the runner and the book build:

- :mod:`~medlab.book.profiles`: the ``smoke``/``full``/``paper`` sizes of a chapter;
- :mod:`~medlab.book.runtime`: :func:`~medlab.book.runtime.setup`, seeds, devices,
  library versions and hardware;
- :mod:`~medlab.book.record`: what a chapter run produced (metrics, data, run facts);
- :mod:`~medlab.book.provenance`: code hashes, stale outputs, the provenance box;
- :mod:`~medlab.book.run`: the runner, ``python -m medlab.run``;
- :mod:`~medlab.book.report`: the reproducibility table, ``python -m medlab.book.report``;
- :mod:`~medlab.book.edition`: the student edition, ``python -m medlab.book.edition``.

Nothing is imported here, so importing one tool does not load the others.
"""
