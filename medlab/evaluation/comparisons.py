"""Comparing two models on the same cases: DeLong's test and the paired bootstrap.

Two models scored on the same test images make correlated errors, so their
confidence intervals must not be compared side by side; these tests look at
the difference directly.

- :func:`paired_auc_test`: DeLong's test for two correlated ROC AUCs, with the
  fast algorithm of Sun & Xu (2014) (:func:`delong_components`,
  :func:`delong_covariance`);
- :func:`paired_bootstrap`: the same question for any metric key of
  :data:`medlab.evaluation.diagnostic.METRICS`, by resampling cases;
- :func:`subset_auc_difference`: one model, two case sets, one inside the
  other (the full test split and its de-duplicated part): what removing the
  cases does to the AUC, with a paired interval.

Both return a :class:`PairedResult` whose ``metric`` is a key of
:mod:`medlab.metrics` (``"auc"``, ``"sensitivity"``, ...).

Introduced in the chapter "Evaluating a diagnostic model"
(chapters/05_evaluating_diagnostic_models.ipynb).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from scipy import stats

from .diagnostic import (
    METRICS,
    EvaluationError,
    _weighted_metrics,
    _weighted_ranking,
    check_binary,
    stratified_resample_weights,
)


def _midrank(x: np.ndarray) -> np.ndarray:
    """Ranks 1..n of each row of ``x``, ties sharing their mean rank."""
    return stats.rankdata(x, method="average", axis=-1)


def delong_components(y_true: np.ndarray,
                      scores: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """AUCs and DeLong's structural components for K score vectors (fast algorithm).

    ``scores`` is K x N (or N). Returns ``(auc, v10, v01)`` with ``auc`` of
    shape K, ``v10`` K x m (one column per positive: the share of negatives
    it outranks) and ``v01`` K x n (per negative: the share of positives that
    outrank it). Midranks make it O(N log N) (Sun & Xu, IEEE Signal
    Processing Letters 2014) instead of the O(m n) pairwise definition.
    """
    y = np.asarray(y_true).astype(int).ravel()
    s = np.atleast_2d(np.asarray(scores, dtype=float))
    x_pos, x_neg = s[:, y == 1], s[:, y == 0]
    m, n = x_pos.shape[1], x_neg.shape[1]
    tx, ty = _midrank(x_pos), _midrank(x_neg)
    tz = _midrank(np.concatenate([x_pos, x_neg], axis=1))
    auc = tz[:, :m].sum(1) / (m * n) - (m + 1) / (2 * n)
    v10 = (tz[:, :m] - tx) / n
    v01 = 1 - (tz[:, m:] - ty) / m
    return auc, v10, v01


def delong_covariance(y_true: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """AUCs (K) and their DeLong covariance matrix (K x K) for K score vectors."""
    y = np.asarray(y_true).astype(int).ravel()
    auc, v10, v01 = delong_components(y, scores)
    m, n = v10.shape[1], v01.shape[1]
    s10 = np.atleast_2d(np.cov(v10))
    s01 = np.atleast_2d(np.cov(v01))
    return auc, s10 / m + s01 / n


@dataclass(frozen=True)
class PairedResult:
    """The difference of a metric between models A and B on the same cases."""

    method: str
    metric: str
    a: float
    b: float
    difference: float
    se: float
    z: float
    p: float
    lower: float
    upper: float

    def as_dict(self) -> dict[str, float | str]:
        """The result as a plain dict (one row of a table)."""
        return asdict(self)


def paired_auc_test(y_true: np.ndarray, scores_a: np.ndarray, scores_b: np.ndarray,
                    ci: float = 0.95) -> PairedResult:
    """DeLong's test of ``AUC(A) - AUC(B)`` on the same cases (two-sided).

    DeLong, DeLong & Clarke-Pearson (Biometrics 1988), computed with the
    fast algorithm of Sun & Xu (2014). The confidence interval is the normal
    one, ``difference +- z * SE``. Identical scores give difference 0, SE 0
    and p = 1.
    """
    y, a = check_binary(y_true, scores_a)
    _, b = check_binary(y, scores_b)
    auc, cov = delong_covariance(y, np.vstack([a, b]))
    diff = float(auc[0] - auc[1])
    var = float(cov[0, 0] + cov[1, 1] - 2 * cov[0, 1])
    se = math.sqrt(max(var, 0.0))
    if se > 1e-15:
        z = diff / se
        p = float(2 * stats.norm.sf(abs(z)))
    else:
        z, p = 0.0, 1.0 if abs(diff) < 1e-15 else 0.0
    q = stats.norm.ppf(0.5 + ci / 2)
    return PairedResult("DeLong", "auc", float(auc[0]), float(auc[1]), diff, se, z, p,
                        diff - q * se, diff + q * se)


def paired_bootstrap(y_true: np.ndarray, scores_a: np.ndarray, scores_b: np.ndarray,
                     metric: str = "auc", threshold: float = 0.5, n_boot: int = 2000,
                     seed: int = 0, ci: float = 0.95) -> PairedResult:
    """Paired stratified bootstrap of ``metric(A) - metric(B)``.

    ``metric`` is any key of :data:`~medlab.evaluation.diagnostic.METRICS`.

    Both models are scored on the same resampled cases, so the correlation
    between them is kept. SE is the standard deviation of the resampled
    differences, the interval is their percentile interval, and p is the
    two-sided share of resamples on the other side of zero (at least
    ``1 / n_boot``; 1 when both models agree on every resample).
    """
    if metric not in METRICS:
        raise EvaluationError(f"unknown metric {metric!r}; metric must be one of {METRICS}")
    y, a = check_binary(y_true, scores_a)
    _, b = check_binary(y, scores_b)
    col = METRICS.index(metric)
    ones = np.ones((1, len(y)))
    est_a = _weighted_metrics(y, a, ones, threshold)[0, col]
    est_b = _weighted_metrics(y, b, ones, threshold)[0, col]
    w = stratified_resample_weights(y, n_boot, np.random.default_rng(seed))
    d = (_weighted_metrics(y, a, w, threshold)[:, col]
         - _weighted_metrics(y, b, w, threshold)[:, col])
    d = d[np.isfinite(d)]
    if len(d) < 2:
        raise EvaluationError(f"{metric} is undefined on (almost) every resample; use more cases of each "
                              "class, or a metric that is defined on them (such as 'auc')")
    diff = float(est_a - est_b)
    se = float(d.std(ddof=1))
    alpha = (1 - ci) / 2
    lower, upper = (float(v) for v in np.quantile(d, [alpha, 1 - alpha]))
    if np.all(d == 0):
        p = 1.0
    else:
        p = float(min(1.0, 2 * min((d <= 0).mean(), (d >= 0).mean())))
        p = max(p, 1 / len(d))
    z = diff / se if se > 0 else 0.0
    return PairedResult("bootstrap", metric, float(est_a), float(est_b), diff, se, z, p,
                        lower, upper)


def subset_auc_difference(y_true: np.ndarray, scores: np.ndarray, keep: np.ndarray, n_boot: int = 2000,
                          seed: int = 0, ci: float = 0.95) -> PairedResult:
    """``AUC(all cases) - AUC(cases where keep)`` for one model, with a paired bootstrap interval.

    The two AUCs share the kept cases, so their difference is paired: each
    resample draws the cases within the four cells (class x kept or not), so
    both sets keep their class counts, and scores the full resample and its
    kept part. A positive difference means the removed cases (near-copies of
    training images, say) made the model look better. ``a`` is the full AUC,
    ``b`` the AUC on the kept cases; the interval is the percentile interval.
    Introduced in the chapter "Classical ML vs deep learning"
    (chapters/04_classical_vs_deep.ipynb).
    """
    y, s = check_binary(y_true, scores)
    k = np.asarray(keep)
    if k.dtype != bool or k.shape != y.shape:
        raise EvaluationError(f"keep must be a boolean mask with one entry per case ({len(y)}), got dtype "
                              f"{k.dtype} and shape {k.shape}")
    if len(np.unique(y[k])) < 2:
        raise EvaluationError("the kept cases hold one class only, so their AUC is undefined; keep cases "
                              "of both classes")
    ones = np.ones((1, len(y)))
    w = stratified_resample_weights(2 * y + k, n_boot, np.random.default_rng(seed))
    with np.errstate(divide="ignore", invalid="ignore"):  # average precision is not used here
        full = float(_weighted_ranking(y, s, ones)[0][0])
        part = float(_weighted_ranking(y, s, ones * k)[0][0])
        d = _weighted_ranking(y, s, w)[0] - _weighted_ranking(y, s, w * k)[0]
    d = d[np.isfinite(d)]
    if len(d) < 2:
        raise EvaluationError("the AUC difference is undefined on (almost) every resample; keep more cases "
                              "of each class")
    diff = full - part
    se = float(d.std(ddof=1))
    alpha = (1 - ci) / 2
    lower, upper = (float(v) for v in np.quantile(d, [alpha, 1 - alpha]))
    if np.all(d == 0):
        p = 1.0
    else:
        p = max(float(min(1.0, 2 * min((d <= 0).mean(), (d >= 0).mean()))), 1 / len(d))
    z = diff / se if se > 0 else 0.0
    return PairedResult("bootstrap", "auc", full, part, diff, se, z, p, lower, upper)


__all__ = ["delong_components", "delong_covariance", "PairedResult", "paired_auc_test",
           "paired_bootstrap", "subset_auc_difference"]
