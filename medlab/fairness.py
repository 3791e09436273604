"""Subgroup performance on real attributes: per-group measures with intervals, and their limits.

- :func:`subgroup_report`: AUC, sensitivity, false-positive rate, selection
  rate and calibration-in-the-large per group, each with a bootstrap
  interval (point estimates agree with fairlearn's ``MetricFrame``);
- :func:`chouldechova_fpr`: the identity behind the impossibility result,
  ``FPR = p / (1 - p) * (1 - PPV) / PPV * (1 - FNR)`` (Chouldechova 2017).

The WHAS500 table it is taught on (500 patients, with recorded sex and age, as a
binary task: death within one year) is loaded by :func:`medlab.data.tables.load_whas500`.

Introduced in the chapter "Trustworthy deployment" (chapters/13_trustworthy_deployment.ipynb).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from .errors import MedlabError
from .evaluation import stratified_resample_weights, weighted_auc
from .metrics import confusion_rates


class FairnessError(MedlabError, ValueError):
    """Bad input to a subgroup analysis (lengths differ, a group without both outcomes)."""


CLASS_CONDITIONAL = ("auc", "sensitivity", "fpr")
"""Measures defined within the classes: their intervals hold each group's class counts fixed."""


def _rates(y: np.ndarray, p: np.ndarray, called: np.ndarray,
           weights: np.ndarray | None = None) -> dict[str, float | np.ndarray]:
    """Every measure on the cases as given, or for each row of case weights (B x N bootstrap counts)."""
    pos, neg = y == 1, y == 0
    r = confusion_rates(y, called, weights)
    if weights is None:
        return {"auc": roc_auc_score(y, p) if pos.any() and neg.any() else np.nan, "sensitivity": r["sensitivity"],
                "fpr": r["fpr"], "ppv": r["ppv"], "selection_rate": called.mean(), "observed_rate": y.mean(),
                "mean_predicted": p.mean()}
    w = np.atleast_2d(np.asarray(weights, dtype=float))
    n = w.sum(1)
    class_rates = {"auc": weighted_auc(y, p, w) if (w @ pos).all() and (w @ neg).all() else np.full(len(w), np.nan),
                   "sensitivity": r["sensitivity"], "fpr": r["fpr"]}
    return {**class_rates, "ppv": r["ppv"], "selection_rate": (r["tp"] + r["fp"]) / n,
            "observed_rate": w @ y.astype(float) / n, "mean_predicted": w @ p / n}


def subgroup_report(y_true: np.ndarray, probs: np.ndarray, groups: np.ndarray | pd.Series,
                    threshold: float | np.ndarray = 0.5, n_boot: int = 1000, seed: int = 0,
                    ci: float = 0.95) -> pd.DataFrame:
    """Per-group measures of a probabilistic classifier, with stratified bootstrap intervals.

    A case is called positive when ``prob > threshold`` (``threshold`` may
    be one number or one per case, e.g. per-group thresholds). Rows: ``"all"``
    and each group; columns ``n``, then for each measure (``auc``,
    ``sensitivity``, ``fpr``, ``ppv``, ``selection_rate``, ``observed_rate``,
    ``mean_predicted``) the estimate and its ``_lower``/``_upper`` percentile
    bounds over ``n_boot`` resamples drawn within each group: within each class
    of the group for the measures defined within a class (``CLASS_CONDITIONAL``:
    AUC, sensitivity, FPR), and over the group's cases for the measures that
    depend on its prevalence (PPV, selection rate, observed rate, mean
    prediction; holding the classes fixed would give the observed rate an
    interval of zero width). ``observed_rate`` against ``mean_predicted`` is
    calibration-in-the-large per group. Introduced in the chapter "Trustworthy deployment"
    (chapters/13_trustworthy_deployment.ipynb).
    """
    y = np.asarray(y_true).astype(int).ravel()
    p = np.asarray(probs, dtype=float).ravel()
    g = np.asarray(groups).ravel()
    called = p > np.broadcast_to(np.asarray(threshold, dtype=float), p.shape)
    if not len(y) == len(p) == len(g):
        raise FairnessError(f"labels ({len(y)}), probabilities ({len(p)}) and groups ({len(g)}) must match")
    rng = np.random.default_rng(seed)
    alpha = (1 - ci) / 2
    rows = {}
    for name in ["all", *sorted(pd.unique(g).tolist())]:
        idx = np.arange(len(y)) if name == "all" else np.flatnonzero(g == name)
        yi, pi, ci_ = y[idx], p[idx], called[idx]
        if len(np.unique(yi)) < 2:
            raise FairnessError(f"group '{name}' has only one outcome; merge it with another group")
        est = _rates(yi, pi, ci_)
        within_class = _rates(yi, pi, ci_, stratified_resample_weights(yi, n_boot, rng))
        # Measures that depend on the group's prevalence (PPV, selection and observed rates, the mean
        # prediction) vary with it: their resamples draw the group's cases without holding the classes fixed.
        cases = _rates(yi, pi, ci_, stratified_resample_weights(np.zeros_like(yi), n_boot, rng))
        boot = {key: within_class[key] if key in CLASS_CONDITIONAL else cases[key] for key in est}
        row: dict[str, float] = {"n": len(idx)}
        for key, value in est.items():
            row[key] = value
            row[f"{key}_lower"] = float(np.nanquantile(boot[key], alpha))
            row[f"{key}_upper"] = float(np.nanquantile(boot[key], 1 - alpha))
        rows[name] = row
    return pd.DataFrame(rows).T


def format_subgroups(report: pd.DataFrame, measures: tuple[str, ...] = ("auc", "sensitivity", "fpr"),
                     digits: int = 2) -> pd.DataFrame:
    """``"estimate [lower, upper]"`` strings for some measures of a :func:`subgroup_report`.

    Introduced in the chapter "Trustworthy deployment" (chapters/13_trustworthy_deployment.ipynb).
    """
    out = pd.DataFrame({"n": report["n"].astype(int)})
    for m in measures:
        out[m] = [f"{e:.{digits}f} [{lo:.{digits}f}, {hi:.{digits}f}]"
                  for e, lo, hi in zip(report[m], report[f"{m}_lower"], report[f"{m}_upper"], strict=True)]
    return out


def chouldechova_fpr(prevalence: float, ppv: float, fnr: float) -> float:
    """The false-positive rate forced by prevalence, PPV and false-negative rate.

    ``FPR = p / (1 - p) * (1 - PPV) / PPV * (1 - FNR)`` holds for any binary
    classifier on any group (Chouldechova 2017). If two groups differ in
    prevalence ``p``, equal PPV (predictive parity) and equal FNR force
    unequal FPR: the impossibility result in one line. Introduced in the
    chapter "Trustworthy deployment" (chapters/13_trustworthy_deployment.ipynb).
    """
    if not 0 < prevalence < 1 or not 0 < ppv <= 1:
        raise FairnessError("prevalence must lie in (0, 1) and PPV in (0, 1]")
    return prevalence / (1 - prevalence) * (1 - ppv) / ppv * (1 - fnr)


__all__ = ["FairnessError", "subgroup_report",
           "format_subgroups", "chouldechova_fpr"]
