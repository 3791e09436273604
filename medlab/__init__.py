"""medlab: the helper package of medlab-book.

A chapter holds the lesson; ``medlab`` holds what chapters reuse. Every public
helper's docstring names the chapter that introduces it. The package is
versioned with the book: a chapter prints the version it ran with.

Layout:

- ``medlab.setup`` (and :func:`record_metrics`, :func:`set_seed`, ...): the one
  entry point a chapter calls, from :mod:`medlab.runtime` (profiles, session,
  records, resources);
- :mod:`medlab.book`: the book's publishing (provenance, runner, report,
  student edition), at the top of the layers;
- :mod:`medlab.data`: the dataset registry, mirror and downloads, TCIA, and the
  MedMNIST datasets;
- :mod:`medlab.models`, :mod:`medlab.train`, :mod:`medlab.experiment`: models,
  the training loop, and the plumbing around it (splits, class weights, seeds);
- :mod:`medlab.metrics`, :mod:`medlab.evaluation`, :mod:`medlab.published`:
  one metric vocabulary, diagnostic evaluation, published baselines;
- :mod:`medlab.features`, :mod:`medlab.viz`, :mod:`medlab.dicom` (with
  :mod:`medlab.dicom.deid`, de-identification);
- :mod:`medlab.errors` and :mod:`medlab.io`: one error root, atomic writes.
"""

from ._version import __version__
from .runtime.profiles import PROFILES, Profile, get_profile
from .runtime.record import record_metrics
from .runtime.session import pick_device, set_seed, setup

__all__ = ["__version__", "PROFILES", "Profile", "get_profile", "record_metrics",
           "pick_device", "set_seed", "setup"]
