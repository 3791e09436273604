"""What a chapter calls while it runs: its profile, seeds, device, threads and record.

Below every topic module in ``medlab``'s layers (it imports only
:mod:`medlab.errors`, :mod:`medlab.io` and :mod:`medlab._version`), so that the
data layer, the training loop and the topic modules can record what they do
without depending on the book's publishing (:mod:`medlab.book`).

- :mod:`~medlab.runtime.profiles`: the ``smoke``/``full``/``paper`` profiles;
- :mod:`~medlab.runtime.session`: :func:`~medlab.runtime.session.setup` and the
  :class:`~medlab.runtime.session.Session` it returns (``run.pick``, ``run.seeds``),
  seeding, devices, threads, library versions and hardware;
- :mod:`~medlab.runtime.record`: what a chapter run produced (metrics, data, run facts);
- :mod:`~medlab.runtime.resources`: peak memory and GPU facts.

Introduced in the chapter "Your first classifier" (chapters/03_first_classifier.ipynb).
"""
