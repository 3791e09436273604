"""Evaluating a binary diagnostic model: measures, uncertainty, thresholds, calibration.

- :func:`diagnostic_report`: sensitivity, specificity, PPV, NPV, F1, accuracy,
  ROC AUC, PR AUC (average precision) and Brier score with stratified
  bootstrap percentile confidence intervals (vectorised: 2000 resamples of a
  few hundred cases take a fraction of a second).
- :func:`ppv_at_prevalence` / :func:`npv_at_prevalence`: Bayes' rule for a
  population whose prevalence differs from the test split's.
- :func:`threshold_for_sensitivity`: pick an operating point on validation data.
- :func:`paired_auc_test`: DeLong's test for two correlated ROC AUCs, with the
  fast algorithm of Sun & Xu (2014); :func:`paired_bootstrap` cross-checks it.
- Calibration: :func:`reliability_curve`, :func:`expected_calibration_error`,
  :func:`brier_score`, :class:`TemperatureScaler` and :func:`plot_reliability`.

Conventions: ``scores`` is the predicted probability (or any score) of the
positive class, or an N x 2 array whose second column is used; a case is
called positive when ``score > threshold`` (as :mod:`medlab.metrics` and
MedMNIST's evaluator do).

Introduced in the chapter "Evaluating a diagnostic model"
(chapters/05_evaluating_diagnostic_models.ipynb).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import asdict, dataclass
from typing import Mapping, NamedTuple, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from matplotlib.figure import Figure
from scipy import optimize, special, stats
from sklearn import metrics as skm
from sklearn.calibration import calibration_curve
from torch import nn
from torch.utils.data import DataLoader

from .metrics import as_scores
from .train import predict

METRICS: tuple[str, ...] = (
    "sensitivity", "specificity", "PPV", "NPV", "F1", "accuracy",
    "ROC AUC", "PR AUC", "Brier score",
)
"""Row names of :func:`diagnostic_report`, in order."""


# --------------------------------------------------------------------------- inputs


def _check_binary(y_true: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y_true).astype(int).ravel()
    s = as_scores(scores)
    if len(y) != len(s):
        raise ValueError(f"{len(y)} labels but {len(s)} scores")
    if not np.isin(y, (0, 1)).all():
        raise ValueError("labels must be 0 (negative) or 1 (positive)")
    if y.min() == y.max():
        raise ValueError("both classes must be present")
    return y, s


# ----------------------------------------------------------- weighted metrics core


def _weighted_metrics(y: np.ndarray, s: np.ndarray, w: np.ndarray,
                      threshold: float) -> np.ndarray:
    """All :data:`METRICS` for each row of case weights ``w`` (B x N).

    A bootstrap resample is the original cases with integer weights (how
    often each was drawn), so every metric is a weighted sum over the
    original cases and B resamples are computed at once. Ties in the scores
    are handled as scikit-learn does (one ROC/PR point per distinct score).
    """
    w = np.atleast_2d(np.asarray(w, dtype=float))
    pos = y == 1
    called = s > threshold
    wp, wn = w[:, pos], w[:, ~pos]
    n_pos, n_neg = wp.sum(1), wn.sum(1)
    tp = wp @ called[pos].astype(float)
    fp = wn @ called[~pos].astype(float)
    fn, tn = n_pos - tp, n_neg - fp

    with np.errstate(divide="ignore", invalid="ignore"):
        sens = tp / n_pos
        spec = tn / n_neg
        ppv = np.where(tp + fp > 0, tp / (tp + fp), np.nan)
        npv = np.where(tn + fn > 0, tn / (tn + fn), np.nan)
        f1 = np.where(2 * tp + fp + fn > 0, 2 * tp / (2 * tp + fp + fn), 0.0)
        acc = (tp + tn) / (n_pos + n_neg)

        # ROC AUC and average precision from cumulative counts over distinct scores
        order = np.argsort(-s, kind="mergesort")
        s_sorted, y_sorted = s[order], y[order].astype(float)
        last_of_group = np.r_[s_sorted[1:] != s_sorted[:-1], True]
        ws = w[:, order]
        tp_cum = np.cumsum(ws * y_sorted, axis=1)[:, last_of_group]
        fp_cum = np.cumsum(ws * (1 - y_sorted), axis=1)[:, last_of_group]
        d_tp = np.diff(tp_cum, axis=1, prepend=0.0)
        d_fp = np.diff(fp_cum, axis=1, prepend=0.0)
        auc = (d_fp * (tp_cum - d_tp + d_tp / 2)).sum(1) / (n_pos * n_neg)
        precision = np.where(tp_cum + fp_cum > 0, tp_cum / (tp_cum + fp_cum), 0.0)
        ap = (d_tp * precision).sum(1) / n_pos

        brier = (w * (s - y) ** 2).sum(1) / w.sum(1)
    return np.stack([sens, spec, ppv, npv, f1, acc, auc, ap, brier], axis=1)


def _stratified_weights(y: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """B x N case weights of ``n_boot`` stratified bootstrap resamples.

    Each class is resampled with replacement within itself, so every
    resample keeps the class counts (and the prevalence) of the original.
    """
    w = np.zeros((n_boot, len(y)))
    for label in (0, 1):
        idx = np.flatnonzero(y == label)
        draws = rng.integers(0, len(idx), size=(n_boot, len(idx)))
        flat = (draws + np.arange(n_boot)[:, None] * len(idx)).ravel()
        counts = np.bincount(flat, minlength=n_boot * len(idx)).reshape(n_boot, len(idx))
        w[:, idx] = counts
    return w


def bootstrap_metrics(y_true: np.ndarray, scores: np.ndarray, threshold: float = 0.5,
                      n_boot: int = 2000, seed: int = 0) -> pd.DataFrame:
    """The :data:`METRICS` on ``n_boot`` stratified bootstrap resamples (one row each)."""
    y, s = _check_binary(y_true, scores)
    w = _stratified_weights(y, n_boot, np.random.default_rng(seed))
    return pd.DataFrame(_weighted_metrics(y, s, w, threshold), columns=list(METRICS))


def diagnostic_report(y_true: np.ndarray, scores: np.ndarray, threshold: float = 0.5,
                      n_boot: int = 2000, seed: int = 0, ci: float = 0.95) -> pd.DataFrame:
    """Diagnostic measures with stratified bootstrap percentile confidence intervals.

    Rows are :data:`METRICS` (sensitivity, specificity, PPV, NPV, F1,
    accuracy, ROC AUC, PR AUC as average precision, Brier score); columns
    ``estimate`` (on the data as given), ``lower`` and ``upper`` (the
    ``ci`` percentile interval over ``n_boot`` resamples that keep the class
    counts). ``report.attrs`` holds the settings and the class counts.
    """
    y, s = _check_binary(y_true, scores)
    estimate = _weighted_metrics(y, s, np.ones((1, len(y))), threshold)[0]
    frame = pd.DataFrame({"estimate": estimate}, index=list(METRICS))
    if n_boot > 0:
        boot = _weighted_metrics(y, s, _stratified_weights(y, n_boot, np.random.default_rng(seed)),
                                 threshold)
        alpha = (1 - ci) / 2
        with warnings.catch_warnings():  # a measure undefined on every resample stays NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            frame["lower"] = np.nanquantile(boot, alpha, axis=0)
            frame["upper"] = np.nanquantile(boot, 1 - alpha, axis=0)
    else:
        frame["lower"] = frame["upper"] = np.nan
    frame.attrs.update(threshold=threshold, n_boot=n_boot, seed=seed, ci=ci,
                       n_pos=int(y.sum()), n_neg=int((1 - y).sum()))
    return frame


def format_report(report: pd.DataFrame, digits: int = 3) -> pd.Series:
    """``"estimate (lower-upper)"`` strings, one per row of a :func:`diagnostic_report`."""
    def fmt(row: pd.Series) -> str:
        return f"{row['estimate']:.{digits}f} ({row['lower']:.{digits}f}-{row['upper']:.{digits}f})"

    return report.apply(fmt, axis=1)


# ------------------------------------------------------------------- prevalence


def ppv_at_prevalence(sensitivity: float | np.ndarray, specificity: float | np.ndarray,
                      prevalence: float | np.ndarray) -> float | np.ndarray:
    """Positive predictive value at another prevalence (Bayes' rule).

    ``PPV = sens * prev / (sens * prev + (1 - spec) * (1 - prev))``;
    arrays broadcast.
    """
    sens, spec, prev = (np.asarray(v, dtype=float) for v in (sensitivity, specificity, prevalence))
    with np.errstate(divide="ignore", invalid="ignore"):
        out = sens * prev / (sens * prev + (1 - spec) * (1 - prev))
    return float(out) if out.ndim == 0 else out


def npv_at_prevalence(sensitivity: float | np.ndarray, specificity: float | np.ndarray,
                      prevalence: float | np.ndarray) -> float | np.ndarray:
    """Negative predictive value at another prevalence (Bayes' rule).

    ``NPV = spec * (1 - prev) / (spec * (1 - prev) + (1 - sens) * prev)``.
    """
    sens, spec, prev = (np.asarray(v, dtype=float) for v in (sensitivity, specificity, prevalence))
    with np.errstate(divide="ignore", invalid="ignore"):
        out = spec * (1 - prev) / (spec * (1 - prev) + (1 - sens) * prev)
    return float(out) if out.ndim == 0 else out


# -------------------------------------------------------------------- thresholds


class ThresholdChoice(NamedTuple):
    """An operating point: call positive when ``score > threshold``."""

    threshold: float
    sensitivity: float
    specificity: float


def threshold_for_sensitivity(y_true: np.ndarray, scores: np.ndarray,
                              target: float = 0.95) -> ThresholdChoice:
    """The highest threshold whose sensitivity on these data is at least ``target``.

    Choose it on validation data and apply it, unchanged, to the test split.
    Among the thresholds that reach the target, the highest has the best
    specificity; it is placed halfway between the score of the last positive
    that must be caught and the next lower score, so it does not sit on a
    data point.
    """
    y, s = _check_binary(y_true, scores)
    if not 0 < target <= 1:
        raise ValueError("target must be in (0, 1]")
    pos_scores = np.sort(s[y == 1])[::-1]
    k = math.ceil(target * len(pos_scores) - 1e-9)  # positives that must score above it
    cut = pos_scores[k - 1]
    below = s[s < cut]
    threshold = float((cut + below.max()) / 2) if len(below) else float(np.nextafter(cut, -np.inf))
    called = s > threshold
    return ThresholdChoice(threshold, float(called[y == 1].mean()), float((~called[y == 0]).mean()))


def threshold_max_youden(y_true: np.ndarray, scores: np.ndarray) -> ThresholdChoice:
    """The threshold that maximises Youden's J (sensitivity + specificity - 1) on these data.

    One of the usual ways of "moving the threshold" of a model trained on
    imbalanced data. Candidates lie halfway between consecutive distinct
    scores (and just outside their range), so none sits on a data point.
    """
    y, s = _check_binary(y_true, scores)
    u = np.unique(s)
    candidates = np.r_[np.nextafter(u[0], -np.inf), (u[1:] + u[:-1]) / 2, u[-1]]
    pos, neg = np.sort(s[y == 1]), np.sort(s[y == 0])
    sens = 1 - np.searchsorted(pos, candidates, side="right") / len(pos)
    spec = np.searchsorted(neg, candidates, side="right") / len(neg)
    best = int(np.argmax(sens + spec))
    return ThresholdChoice(float(candidates[best]), float(sens[best]), float(spec[best]))


def operating_point(y_true: np.ndarray, scores: np.ndarray, threshold: float) -> ThresholdChoice:
    """Sensitivity and specificity of ``score > threshold`` on these data."""
    y, s = _check_binary(y_true, scores)
    called = s > threshold
    return ThresholdChoice(float(threshold), float(called[y == 1].mean()),
                           float((~called[y == 0]).mean()))


# ------------------------------------------------------------- paired comparison


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
    y, a = _check_binary(y_true, scores_a)
    _, b = _check_binary(y, scores_b)
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
    return PairedResult("DeLong", "ROC AUC", float(auc[0]), float(auc[1]), diff, se, z, p,
                        diff - q * se, diff + q * se)


def paired_bootstrap(y_true: np.ndarray, scores_a: np.ndarray, scores_b: np.ndarray,
                     metric: str = "ROC AUC", threshold: float = 0.5, n_boot: int = 2000,
                     seed: int = 0, ci: float = 0.95) -> PairedResult:
    """Paired stratified bootstrap of ``metric(A) - metric(B)`` (any of :data:`METRICS`).

    Both models are scored on the same resampled cases, so the correlation
    between them is kept. SE is the standard deviation of the resampled
    differences, the interval is their percentile interval, and p is the
    two-sided share of resamples on the other side of zero (at least
    ``1 / n_boot``; 1 when both models agree on every resample).
    """
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {METRICS}")
    y, a = _check_binary(y_true, scores_a)
    _, b = _check_binary(y, scores_b)
    col = METRICS.index(metric)
    ones = np.ones((1, len(y)))
    est_a = _weighted_metrics(y, a, ones, threshold)[0, col]
    est_b = _weighted_metrics(y, b, ones, threshold)[0, col]
    w = _stratified_weights(y, n_boot, np.random.default_rng(seed))
    d = (_weighted_metrics(y, a, w, threshold)[:, col]
         - _weighted_metrics(y, b, w, threshold)[:, col])
    d = d[np.isfinite(d)]
    if len(d) < 2:
        raise ValueError(f"{metric} is undefined on (almost) every resample")
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


# -------------------------------------------------------------------- calibration


def brier_score(y_true: np.ndarray, probs: np.ndarray) -> float:
    """Mean squared difference between probability and outcome (scikit-learn's)."""
    y, p = _check_binary(y_true, probs)
    return float(skm.brier_score_loss(y, p))


def _bin_ids(p: np.ndarray, n_bins: int, strategy: str) -> np.ndarray:
    # the same bins as sklearn.calibration.calibration_curve
    if strategy == "uniform":
        edges = np.linspace(0.0, 1.0, n_bins + 1)
    elif strategy == "quantile":
        edges = np.percentile(p, np.linspace(0, 100, n_bins + 1))
    else:
        raise ValueError("strategy must be 'uniform' or 'quantile'")
    return np.searchsorted(edges[1:-1], p)


def reliability_curve(y_true: np.ndarray, probs: np.ndarray, n_bins: int = 10,
                      strategy: str = "uniform") -> pd.DataFrame:
    """Observed frequency against mean predicted probability, per non-empty bin.

    Uses ``sklearn.calibration.calibration_curve`` (bins of equal width
    for ``"uniform"``, of equal counts for ``"quantile"``) and adds the
    number of cases per bin. Columns: ``mean_predicted``,
    ``fraction_positive``, ``count``.
    """
    y, p = _check_binary(y_true, probs)
    frac, mean_pred = calibration_curve(y, p, n_bins=n_bins, strategy=strategy)
    counts = np.bincount(_bin_ids(p, n_bins, strategy), minlength=n_bins)
    counts = counts[counts > 0]
    return pd.DataFrame({"mean_predicted": mean_pred, "fraction_positive": frac, "count": counts})


def expected_calibration_error(y_true: np.ndarray, probs: np.ndarray, n_bins: int = 10,
                               strategy: str = "uniform") -> float:
    """ECE: the count-weighted mean gap between the reliability curve and the diagonal.

    ``sum_b (n_b / N) * |fraction_positive_b - mean_predicted_b|`` over the
    bins of :func:`reliability_curve`, for the positive-class probability.
    (Guo et al. 2017 bin the top-class confidence instead; the two differ
    for binary models, so state which one you report.)
    """
    curve = reliability_curve(y_true, probs, n_bins, strategy)
    gaps = (curve["fraction_positive"] - curve["mean_predicted"]).abs()
    return float((gaps * curve["count"]).sum() / curve["count"].sum())


def _log_softmax(z: np.ndarray) -> np.ndarray:
    return z - special.logsumexp(z, axis=1, keepdims=True)


class TemperatureScaler:
    """Temperature scaling (Guo et al., ICML 2017): ``softmax(logits / T)``.

    :meth:`fit` finds the single temperature ``T > 0`` that minimises the
    negative log-likelihood on held-out (validation) logits; apply it to
    test logits with :meth:`predict_proba`. Dividing every logit by the same
    ``T`` never changes which case scores higher, so ROC AUC and the ranking
    stay the same; only the confidence changes (``T > 1`` softens).
    """

    def __init__(self, bounds: tuple[float, float] = (0.05, 20.0)):
        self.bounds = bounds
        self.temperature_: float | None = None

    @staticmethod
    def nll(logits: np.ndarray, y_true: np.ndarray, temperature: float = 1.0) -> float:
        """Mean negative log-likelihood of the labels under ``softmax(logits / T)``."""
        z = np.asarray(logits, dtype=float) / temperature
        y = np.asarray(y_true).astype(int).ravel()
        return float(-_log_softmax(z)[np.arange(len(y)), y].mean())

    def fit(self, logits: np.ndarray, y_true: np.ndarray) -> "TemperatureScaler":
        """Fit the temperature on validation logits (N x C) and labels."""
        z = np.asarray(logits, dtype=float)
        if z.ndim != 2:
            raise ValueError("logits must be N x C (C >= 2)")
        lo, hi = np.log(self.bounds[0]), np.log(self.bounds[1])
        res = optimize.minimize_scalar(lambda log_t: self.nll(z, y_true, math.exp(log_t)),
                                       bounds=(lo, hi), method="bounded",
                                       options={"xatol": 1e-6})
        self.temperature_ = float(math.exp(res.x))
        return self

    def _check(self) -> float:
        if self.temperature_ is None:
            raise RuntimeError("call fit() first")
        return self.temperature_

    def transform(self, logits: np.ndarray) -> np.ndarray:
        """Scaled logits ``logits / T``."""
        return np.asarray(logits, dtype=float) / self._check()

    def predict_proba(self, logits: np.ndarray) -> np.ndarray:
        """Calibrated class probabilities ``softmax(logits / T)`` (N x C)."""
        return np.exp(_log_softmax(self.transform(logits)))

    def __repr__(self) -> str:
        t = "unfitted" if self.temperature_ is None else f"T={self.temperature_:.3f}"
        return f"TemperatureScaler({t})"


def predict_logits(model: nn.Module, loader: DataLoader,
                   device: torch.device | str = "cpu") -> tuple[np.ndarray, np.ndarray]:
    """Labels and raw logits (before the softmax) of every item in ``loader``.

    :func:`medlab.train.predict` with ``logits=True``; temperature scaling
    needs the logits, not the probabilities.
    """
    return predict(model, loader, device, amp=False, logits=True)


def plot_reliability(curves: Mapping[str, tuple[np.ndarray, np.ndarray]], n_bins: int = 10,
                     strategy: str = "uniform", title: str = "Reliability diagram") -> Figure:
    """Reliability diagram (top) and histogram of predictions (bottom) for several models.

    ``curves`` maps a name to ``(y_true, positive_class_probability)``; the
    legend gives each model's ECE and Brier score.
    """
    fig, (ax, hist) = plt.subplots(2, 1, figsize=(4.8, 5.6), sharex=True,
                                   gridspec_kw={"height_ratios": [3, 1]})
    ax.plot([0, 1], [0, 1], ls="--", color="grey", lw=1, label="perfect calibration")
    bins = np.linspace(0, 1, n_bins + 1)
    for name, (y, p) in curves.items():
        p = as_scores(p)
        curve = reliability_curve(y, p, n_bins, strategy)
        ece = expected_calibration_error(y, p, n_bins, strategy)
        (line,) = ax.plot(curve["mean_predicted"], curve["fraction_positive"], marker="o", ms=4,
                          label=f"{name} (ECE {ece:.3f}, Brier {brier_score(y, p):.3f})")
        hist.hist(p, bins=bins, histtype="step", lw=1.5, color=line.get_color())
    ax.set_ylabel("observed fraction positive")
    ax.set_title(title)
    ax.legend(fontsize=7, loc="upper left")
    ax.grid(alpha=0.3)
    hist.set_xlabel("predicted probability of the positive class")
    hist.set_ylabel("cases")
    hist.set_yscale("log")
    fig.tight_layout()
    return fig


def plot_ppv_prevalence(sensitivity: float, specificity: float,
                        marks: Mapping[str, float] | None = None,
                        prevalence: Sequence[float] | None = None) -> Figure:
    """PPV and NPV against prevalence (log axis) at a fixed sensitivity and specificity.

    ``marks`` names prevalences to mark, e.g. ``{"test split": 0.625}``.
    """
    prev = np.geomspace(0.001, 0.6, 200) if prevalence is None else np.asarray(prevalence)
    fig, ax = plt.subplots(figsize=(5.5, 3.6))
    ax.plot(prev, ppv_at_prevalence(sensitivity, specificity, prev), label="PPV")
    ax.plot(prev, npv_at_prevalence(sensitivity, specificity, prev), label="NPV")
    for i, (name, value) in enumerate((marks or {}).items()):
        ppv = ppv_at_prevalence(sensitivity, specificity, value)
        ax.axvline(value, color=f"C{i + 2}", ls=":", lw=1)
        ax.plot(value, ppv, "o", color=f"C{i + 2}", label=f"{name}: {value:.1%}, PPV {ppv:.2f}")
    ax.set_xscale("log")
    ax.set_xlabel("prevalence")
    ax.set_ylabel("predictive value")
    ax.set_ylim(0, 1.02)
    ax.set_title(f"sensitivity {sensitivity:.3f}, specificity {specificity:.3f}")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


__all__ = [
    "METRICS", "as_scores", "bootstrap_metrics", "diagnostic_report", "format_report",
    "ppv_at_prevalence", "npv_at_prevalence", "ThresholdChoice", "threshold_for_sensitivity",
    "threshold_max_youden",
    "operating_point", "delong_components", "delong_covariance", "PairedResult",
    "paired_auc_test", "paired_bootstrap", "brier_score", "reliability_curve",
    "expected_calibration_error", "TemperatureScaler", "predict_logits", "plot_reliability",
    "plot_ppv_prevalence",
]
