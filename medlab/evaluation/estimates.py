"""One shape for an estimate with its uncertainty, and one way to print it.

- :class:`Estimate`: a value with, where known, its interval, standard
  deviation and number of observations; :meth:`Estimate.format` prints
  ``"mean ± sd [lo, hi] (n = k)"`` with the parts that exist;
- :func:`mean_sd_ci`: the mean of repeated runs (seeds) with its sample
  standard deviation and Student-t interval.

Introduced in the chapter "Evaluating a diagnostic model"
(chapters/05_evaluating_diagnostic_models.ipynb).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from scipy import stats

from .diagnostic import EvaluationError


@dataclass(frozen=True)
class Estimate:
    """A value with, where known, its interval ``[lower, upper]``, its sd and its number of observations.

    ``level`` is the coverage of the interval (0.95 for a 95 % interval).
    Introduced in the chapter "Evaluating a diagnostic model"
    (chapters/05_evaluating_diagnostic_models.ipynb).
    """

    value: float
    lower: float | None = None
    upper: float | None = None
    sd: float | None = None
    n: int | None = None
    level: float = 0.95

    def __post_init__(self) -> None:
        if (self.lower is None) != (self.upper is None):
            raise EvaluationError("an interval needs both bounds; pass lower and upper, or neither")
        if not 0 < self.level < 1:
            raise EvaluationError(f"level must be in (0, 1), not {self.level}; pass e.g. 0.95")

    def format(self, digits: int = 3) -> str:
        """``"mean ± sd [lo, hi] (n = k)"``, with only the parts that exist."""
        text = f"{self.value:.{digits}f}"
        if self.sd is not None:
            text += f" ± {self.sd:.{digits}f}"
        if self.lower is not None and self.upper is not None:
            text += f" [{self.lower:.{digits}f}, {self.upper:.{digits}f}]"
        if self.n is not None:
            text += f" (n = {self.n})"
        return text

    def __str__(self) -> str:
        return self.format()


def mean_sd_ci(values: Iterable[float], level: float = 0.95) -> Estimate:
    """Mean of ``values`` with the sample sd (``ddof=1``) and the Student-t ``level`` interval of the mean.

    One value alone gives its value and ``n = 1`` with no sd or interval;
    no value raises ``EvaluationError``. The
    reproducibility table (``python -m medlab.book.report``) prints each
    comparison's seeds with it; the :class:`Estimate` it returns is
    introduced in the chapter "Evaluating a diagnostic model"
    (chapters/05_evaluating_diagnostic_models.ipynb).
    """
    v = np.asarray(list(values), dtype=float).ravel()
    n = len(v)
    if n == 0:
        raise EvaluationError("mean_sd_ci needs at least one value; pass the per-seed results")
    if not 0 < level < 1:
        raise EvaluationError(f"level must be in (0, 1), not {level}; pass e.g. 0.95")
    mean = math.fsum(v) / n
    if n == 1:
        return Estimate(mean, n=1, level=level)
    sd = math.sqrt(math.fsum((v - mean) ** 2) / (n - 1))
    half = float(stats.t.ppf(0.5 + level / 2, n - 1)) * sd / math.sqrt(n)
    return Estimate(mean, mean - half, mean + half, sd=sd, n=n, level=level)


__all__ = ["Estimate", "mean_sd_ci"]
