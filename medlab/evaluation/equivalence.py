"""Equivalence of two models on the same cases: two one-sided tests (TOST) on a paired difference.

A non-significant difference test does not show that two models are equally
good: a small test set leaves a wide interval that holds zero and large
differences alike. Equivalence is a claim one can test only against a
**margin** ``δ`` fixed in advance: the two models count as equivalent at
level ``α`` when both one-sided hypotheses "A is worse than B by at least
``δ``" and "A is better than B by at least ``δ``" are rejected, each at
``α``. That happens exactly when the two-sided ``1 - 2α`` confidence
interval of the difference (a 90 % interval for ``α = 0.05``) lies inside
``(-δ, +δ)`` (Schuirmann 1987).

:func:`equivalence_test` runs it on the paired difference of a metric, with
DeLong's interval for the AUC (:func:`~medlab.evaluation.comparisons.paired_auc_test`)
or the paired stratified bootstrap
(:func:`~medlab.evaluation.comparisons.paired_bootstrap`) for any metric.

Introduced in the chapter "3D volumes" (chapters/09_volumes_3d.ipynb).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy import stats

from .comparisons import paired_auc_test
from .diagnostic import METRICS, EvaluationError, _weighted_metrics, check_binary, stratified_resample_weights


@dataclass(frozen=True)
class EquivalenceResult:
    """TOST of ``metric(A) - metric(B)`` against the margin ``±margin``.

    ``lower`` and ``upper`` bound the two-sided ``1 - 2 alpha`` interval of
    the difference; ``p_lower`` tests "difference <= -margin", ``p_upper``
    "difference >= +margin", and ``p`` (the larger) is the TOST p-value.
    ``equivalent`` is True when the interval lies inside ``(-margin, margin)``.
    Introduced in the chapter "3D volumes" (chapters/09_volumes_3d.ipynb).
    """

    method: str
    metric: str
    a: float
    b: float
    difference: float
    margin: float
    alpha: float
    lower: float
    upper: float
    p_lower: float
    p_upper: float
    p: float
    equivalent: bool

    def as_dict(self) -> dict[str, float | str | bool]:
        """The result as a plain dict (one row of a table)."""
        return asdict(self)


def equivalence_test(y_true: np.ndarray, scores_a: np.ndarray, scores_b: np.ndarray, margin: float, *,
                     metric: str = "auc", alpha: float = 0.05, method: str = "bootstrap", threshold: float = 0.5,
                     n_boot: int = 2000, seed: int = 0) -> EquivalenceResult:
    """Two one-sided tests of ``metric(A) - metric(B)`` on the same cases against ``±margin``.

    ``method="delong"`` (AUC only) uses DeLong's standard error and normal
    one-sided p-values; ``method="bootstrap"`` resamples cases within each
    class (the resamples of :func:`~medlab.evaluation.comparisons.paired_bootstrap`
    with the same ``seed``), takes the percentile ``1 - 2 alpha`` interval and
    the shares of resampled differences at or beyond each margin as one-sided
    p-values. ``margin`` is in the metric's units (0.05 for five hundredths
    of AUC) and must be fixed before the test data are seen.
    Introduced in the chapter "3D volumes" (chapters/09_volumes_3d.ipynb).
    """
    if not margin > 0:
        raise EvaluationError(f"margin must be a positive difference in {metric} (such as 0.05), got {margin}")
    if not 0 < alpha < 0.5:
        raise EvaluationError(f"alpha must lie between 0 and 0.5 (0.05 gives a 90 % interval), got {alpha}")
    if method == "delong":
        if metric != "auc":
            raise EvaluationError(f"DeLong's test compares AUCs only, not {metric!r}; use method='bootstrap'")
        r = paired_auc_test(y_true, scores_a, scores_b, ci=1 - 2 * alpha)
        a, b, diff, lower, upper = r.a, r.b, r.difference, r.lower, r.upper
        if r.se > 0:
            p_lower = float(stats.norm.sf((diff + margin) / r.se))
            p_upper = float(stats.norm.sf((margin - diff) / r.se))
        else:
            p_lower = 0.0 if diff > -margin else 1.0
            p_upper = 0.0 if diff < margin else 1.0
    elif method == "bootstrap":
        if metric not in METRICS:
            raise EvaluationError(f"unknown metric {metric!r}; metric must be one of {METRICS}")
        y, sa = check_binary(y_true, scores_a)
        _, sb = check_binary(y, scores_b)
        col = METRICS.index(metric)
        ones = np.ones((1, len(y)))
        a = float(_weighted_metrics(y, sa, ones, threshold)[0, col])
        b = float(_weighted_metrics(y, sb, ones, threshold)[0, col])
        w = stratified_resample_weights(y, n_boot, np.random.default_rng(seed))
        d = _weighted_metrics(y, sa, w, threshold)[:, col] - _weighted_metrics(y, sb, w, threshold)[:, col]
        d = d[np.isfinite(d)]
        if len(d) < 2:
            raise EvaluationError(f"{metric} is undefined on (almost) every resample; use more cases of each "
                                  "class, or a metric that is defined on them (such as 'auc')")
        diff = a - b
        lower, upper = (float(v) for v in np.quantile(d, [alpha, 1 - alpha]))
        p_lower = float(max((d <= -margin).mean(), 1 / len(d)))
        p_upper = float(max((d >= margin).mean(), 1 / len(d)))
    else:
        raise EvaluationError(f"method must be 'bootstrap' or 'delong', got {method!r}")
    equivalent = bool(-margin < lower and upper < margin)
    return EquivalenceResult(method, metric, float(a), float(b), float(diff), float(margin), float(alpha),
                             float(lower), float(upper), p_lower, p_upper, max(p_lower, p_upper), equivalent)


__all__ = ["EquivalenceResult", "equivalence_test"]
