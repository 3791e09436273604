"""Labels: reader agreement, consensus, label noise, active and semi-supervised learning.

Labels are scarce, slow to make, and experts disagree. This package holds the
pieces of the chapter "Data and labels" (chapters/12_data_and_labels.ipynb)
that are longer than the lesson needs:

- :mod:`medlab.labels.readers`: constructed readers, documented models of how a
  second annotator's mask differs from a reference (boundary bias, missed
  components, skipped slices, false-positive parts shared within a school);
- :mod:`medlab.labels.agreement`: agreement on labels (Cohen's and Fleiss'
  kappa, Krippendorff's alpha) and on masks (Dice, surface distances), with
  cluster-bootstrap intervals that resample studies;
- :mod:`medlab.labels.mrmc`: multi-reader multi-case reader studies (the
  Obuchowski-Rockette analysis, Roe-Metz simulation);
- :mod:`medlab.labels.consensus`: majority vote and STAPLE (SimpleITK);
- :mod:`medlab.labels.noise`: flipping labels on purpose and finding them again
  with confident learning (cleanlab);
- :mod:`medlab.labels.learners`: a small dropout MLP on fixed features, with
  Monte Carlo dropout;
- :mod:`medlab.labels.active` and :mod:`medlab.labels.semi`: active learning
  (uncertainty sampling, BALD) and semi-supervised learning (pseudo-labels,
  mean teacher).

The optional libraries (cleanlab, statsmodels, krippendorff, SimpleITK, MONAI)
are imported inside the functions that use them; they are in the ``labels``
extra.
"""

from __future__ import annotations

from ..errors import MedlabError


class LabelsError(MedlabError, ValueError):
    """Labels, masks or reader calls that cannot be used as given (the message says how to fix them).

    Introduced in the chapter "Data and labels" (chapters/12_data_and_labels.ipynb).
    """


__all__ = ["LabelsError"]
