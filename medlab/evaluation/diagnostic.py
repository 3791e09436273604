"""Diagnostic measures of a binary model, with bootstrap confidence intervals.

- :func:`diagnostic_report`: sensitivity, specificity, PPV, NPV, F1, accuracy,
  ROC AUC, PR AUC (average precision) and Brier score with stratified
  bootstrap percentile confidence intervals (vectorised: 2000 resamples of a
  few hundred cases take a fraction of a second);
- :func:`ppv_at_prevalence` / :func:`npv_at_prevalence` and
  :func:`plot_ppv_prevalence`: Bayes' rule for a population whose prevalence
  differs from the test split's.

Rows are named with the book's metric keys (:mod:`medlab.metrics`):
``sensitivity, specificity, ppv, npv, f1, accuracy, auc, pr_auc, brier``.

Conventions: ``scores`` is the predicted probability (or any score) of the
positive class, or an N x 2 array whose second column is used; a case is
called positive when ``score > threshold`` (as :mod:`medlab.metrics` and
MedMNIST's evaluator do).

Introduced in the chapter "Evaluating a diagnostic model"
(chapters/05_evaluating_diagnostic_models.ipynb).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..errors import MedlabError
from ..metrics import METRIC_LABELS, as_scores, confusion_rates


class EvaluationError(MedlabError, ValueError):
    """Labels, scores or settings that an evaluation of ``medlab.evaluation`` cannot use.

    Also a ``ValueError``, so older ``except ValueError`` code keeps working.
    """


METRICS: tuple[str, ...] = (
    "sensitivity", "specificity", "ppv", "npv", "f1", "accuracy", "auc", "pr_auc", "brier",
)
"""Row keys of :func:`diagnostic_report`, in order (labels: :data:`medlab.metrics.METRIC_LABELS`)."""


def check_binary(y_true: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Labels as 0/1 ints and positive-class scores; raises if they do not fit together.

    Every function of ``medlab.evaluation`` starts with it: equal lengths,
    labels 0 or 1, and both classes present.
    """
    y = np.asarray(y_true).astype(int).ravel()
    s = as_scores(scores)
    if len(y) != len(s):
        raise EvaluationError(f"{len(y)} labels but {len(s)} scores; pass one score per labelled case "
                              "(the labels and the predictions of the same split, in the same order)")
    if not np.isin(y, (0, 1)).all():
        raise EvaluationError(f"labels must be 0 (negative) or 1 (positive), got the values "
                              f"{sorted(np.unique(y).tolist())[:10]}; binarise a multi-class label first")
    if y.min() == y.max():
        raise EvaluationError(f"both classes must be present, but every label is {int(y[0])}; evaluate on "
                              "a split (or subgroup) that holds positive and negative cases")
    return y, s


def _weighted_metrics(y: np.ndarray, s: np.ndarray, w: np.ndarray,
                      threshold: float) -> np.ndarray:
    """All :data:`METRICS` for each row of case weights ``w`` (B x N).

    A bootstrap resample is the original cases with integer weights (how
    often each was drawn), so every metric is a weighted sum over the
    original cases and B resamples are computed at once. Ties in the scores
    are handled as scikit-learn does (one ROC/PR point per distinct score).
    """
    w = np.atleast_2d(np.asarray(w, dtype=float))
    r = confusion_rates(y, s > threshold, w)
    with np.errstate(divide="ignore", invalid="ignore"):
        auc, ap = _weighted_ranking(y, s, w)
        brier = (w * (s - y) ** 2).sum(1) / w.sum(1)
    sens, spec, ppv, npv, f1, acc = (r[k] for k in ("sensitivity", "specificity", "ppv", "npv", "f1", "accuracy"))
    return np.stack([sens, spec, ppv, npv, f1, acc, auc, ap, brier], axis=1)


def _weighted_ranking(y: np.ndarray, s: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ROC AUC and average precision for each row of case weights ``w`` (B x N).

    Computed from cumulative weighted counts over the distinct scores, so ties
    are handled as scikit-learn does (one ROC/PR point per distinct score; a
    tied positive-negative pair counts one half towards the AUC).
    """
    n_pos, n_neg = w[:, y == 1].sum(1), w[:, y == 0].sum(1)
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
    return auc, ap


def weighted_auc(y_true: np.ndarray, scores: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """ROC AUC for each row of case weights (B x N, e.g. :func:`stratified_resample_weights`).

    With integer weights a row is a bootstrap resample, so B resamples' AUCs
    come from one vectorised pass (ties count one half, as scikit-learn's
    ``roc_auc_score``). The bootstraps of :func:`medlab.fairness.subgroup_report`
    and :func:`medlab.shift.auc_over_models` use it, in the chapter
    "Trustworthy deployment" (chapters/13_trustworthy_deployment.ipynb); the
    resampling itself is introduced in the chapter "Evaluating a diagnostic
    model" (chapters/05_evaluating_diagnostic_models.ipynb).
    """
    y, s = check_binary(y_true, scores)
    w = np.atleast_2d(np.asarray(weights, dtype=float))
    if w.ndim != 2 or w.shape[1] != len(y):
        raise EvaluationError(f"weights must be B x N with N = {len(y)} cases, got shape {w.shape}")
    with np.errstate(divide="ignore", invalid="ignore"):
        return _weighted_ranking(y, s, w)[0]


def stratified_resample_weights(y_true: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """B x N case weights of ``n_boot`` stratified bootstrap resamples (the book's one bootstrap).

    Entry ``[b, i]`` is how often case ``i`` was drawn in resample ``b``. Each
    class of ``y_true`` is resampled with replacement within itself, so every
    resample keeps the class counts (and the prevalence) of the original.
    Any statistic that is a weighted sum over cases (every measure of
    :func:`bootstrap_metrics`, :func:`weighted_auc`,
    :func:`medlab.metrics.confusion_rates`) then gives all resamples at once.
    :func:`medlab.fairness.subgroup_report`, :func:`medlab.shift.auc_over_models`
    and :func:`~medlab.evaluation.comparisons.paired_bootstrap` use it too. Introduced in the chapter
    "Evaluating a diagnostic model" (chapters/05_evaluating_diagnostic_models.ipynb).
    """
    y = np.asarray(y_true).ravel()
    if n_boot < 0:
        raise EvaluationError(f"n_boot must be 0 or more, not {n_boot}")
    w = np.zeros((n_boot, len(y)))
    for label in np.unique(y):
        idx = np.flatnonzero(y == label)
        draws = rng.integers(0, len(idx), size=(n_boot, len(idx)))
        flat = (draws + np.arange(n_boot)[:, None] * len(idx)).ravel()
        counts = np.bincount(flat, minlength=n_boot * len(idx)).reshape(n_boot, len(idx))
        w[:, idx] = counts
    return w


def bootstrap_metrics(y_true: np.ndarray, scores: np.ndarray, threshold: float = 0.5,
                      n_boot: int = 2000, seed: int = 0) -> pd.DataFrame:
    """The :data:`METRICS` on ``n_boot`` stratified bootstrap resamples (one row each).

    Stratified: each resample keeps the number of positives and negatives of
    the sample, so the prevalence is held fixed. Intervals for measures that
    depend on prevalence (PPV, NPV, accuracy, F1) are therefore conditional
    on this test set's prevalence; they do not include the uncertainty of the
    prevalence itself, and do not carry over to a population where it differs.
    """
    y, s = check_binary(y_true, scores)
    w = stratified_resample_weights(y, n_boot, np.random.default_rng(seed))
    return pd.DataFrame(_weighted_metrics(y, s, w, threshold), columns=list(METRICS))


def diagnostic_report(y_true: np.ndarray, scores: np.ndarray, threshold: float = 0.5,
                      n_boot: int = 2000, seed: int = 0, ci: float = 0.95) -> pd.DataFrame:
    """Diagnostic measures with stratified bootstrap percentile confidence intervals.

    Rows are the keys of :data:`METRICS` (``sensitivity``, ``specificity``,
    ``ppv``, ``npv``, ``f1``, ``accuracy``, ``auc``, ``pr_auc`` as average
    precision, ``brier``; print them with :func:`medlab.metrics.labelled`); columns
    ``estimate`` (on the data as given), ``lower`` and ``upper`` (the
    ``ci`` percentile interval over ``n_boot`` resamples that keep the class
    counts). ``report.attrs`` holds the settings and the class counts.
    """
    y, s = check_binary(y_true, scores)
    estimate = _weighted_metrics(y, s, np.ones((1, len(y))), threshold)[0]
    frame = pd.DataFrame({"estimate": estimate}, index=list(METRICS))
    if n_boot > 0:
        boot = bootstrap_metrics(y, s, threshold, n_boot, seed).to_numpy()
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
    """``"estimate (lower-upper)"`` strings, one per row of a :func:`diagnostic_report`.

    The index keeps the metric keys; :func:`medlab.metrics.labelled` turns
    them into display labels.
    """
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


def plot_ppv_prevalence(sensitivity: float, specificity: float,
                        marks: Mapping[str, float] | None = None,
                        prevalence: Sequence[float] | None = None) -> Figure:
    """PPV and NPV against prevalence (log axis) at a fixed sensitivity and specificity.

    ``marks`` names prevalences to mark, e.g. ``{"test split": 0.625}``.
    """
    prev = np.geomspace(0.001, 0.6, 200) if prevalence is None else np.asarray(prevalence)
    fig, ax = plt.subplots(figsize=(5.5, 3.6))
    ax.plot(prev, ppv_at_prevalence(sensitivity, specificity, prev), label=METRIC_LABELS["ppv"])
    ax.plot(prev, npv_at_prevalence(sensitivity, specificity, prev), label=METRIC_LABELS["npv"])
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


__all__ = ["METRICS", "check_binary", "stratified_resample_weights", "weighted_auc", "bootstrap_metrics",
           "diagnostic_report", "format_report",
           "ppv_at_prevalence", "npv_at_prevalence", "plot_ppv_prevalence"]
