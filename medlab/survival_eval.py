"""Comparing and judging survival models: paired tests over resampled splits, calibration, net benefit.

- :func:`corrected_paired_ttest`: the Nadeau-Bengio (2003) corrected resampled t-test for two models
  scored on the same random train/test splits, with the count of splits each model wins;
- :func:`administrative_censoring`: censor every follow-up at a fixed horizon (DeepSurv's 84 months);
- :func:`calibration_slope`: calibration slope and calibration-in-the-large of predicted event
  probabilities at a horizon (Royston & Altman 2013; Crowson et al. 2016);
- :func:`net_benefit`: decision-curve analysis at a horizon for censored outcomes (Vickers & Elkin
  2006; Vickers et al. 2008), with Kaplan-Meier event rates among those above the threshold.

Introduced in the chapter "From diagnosis to prognosis" (chapters/11_prognosis_survival.ipynb).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .errors import MedlabError


class SurvivalInputError(MedlabError, ValueError):
    """Bad input to a survival evaluation helper (shapes, probabilities, horizons, too few splits)."""



@dataclass(frozen=True)
class PairedComparison:
    """Result of :func:`corrected_paired_ttest` (differences are ``a - b``).

    Introduced in the chapter "From diagnosis to prognosis" (chapters/11_prognosis_survival.ipynb).
    """

    n_splits: int
    wins: int
    ties: int
    mean_diff: float
    sd_diff: float
    se_corrected: float
    t: float
    p: float
    ci_lower: float
    ci_upper: float

    def as_dict(self) -> dict[str, float]:
        """The fields as a plain dict (for tables and records)."""
        return dict(self.__dict__)


def corrected_paired_ttest(a: Any, b: Any, n_train: int, n_test: int, alpha: float = 0.05) -> PairedComparison:
    """Nadeau & Bengio's corrected resampled t-test of paired scores ``a - b`` over J random splits.

    Two models scored on the same J random train/test splits give J paired differences
    d_j. Their ordinary paired t-test treats the splits as independent, but the training
    sets overlap, so the variance of the mean is underestimated. Nadeau & Bengio (Machine
    Learning 52:239-281, 2003) inflate it: var(mean d) = (1/J + n_test/n_train) * s_d^2,
    with t on J - 1 degrees of freedom. With ``n_test = 0`` this is the ordinary paired
    t-test. ``wins`` counts splits where ``a > b``.

    Introduced in the chapter "From diagnosis to prognosis" (chapters/11_prognosis_survival.ipynb).
    """
    from scipy import stats

    a_arr, b_arr = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a_arr.ndim != 1 or a_arr.shape != b_arr.shape:
        raise SurvivalInputError("a and b must be 1-D arrays of the same length, "
                                 f"got shapes {a_arr.shape} and {b_arr.shape}")
    if len(a_arr) < 2:
        raise SurvivalInputError("the corrected t-test needs at least 2 paired splits")
    if not np.isfinite(a_arr).all() or not np.isfinite(b_arr).all():
        raise SurvivalInputError("a and b must be finite (one score per split)")
    if n_train <= 0 or n_test < 0:
        raise SurvivalInputError(f"n_train must be positive and n_test non-negative, got {n_train} and {n_test}")
    if not 0 < alpha < 1:
        raise SurvivalInputError(f"alpha must lie in (0, 1), got {alpha}")
    d = a_arr - b_arr
    j = len(d)
    mean, sd = float(d.mean()), float(d.std(ddof=1))
    se = float(np.sqrt((1 / j + n_test / n_train) * sd**2))
    if se == 0:
        t, p = (0.0, 1.0) if mean == 0 else (float(np.sign(mean) * np.inf), 0.0)
    else:
        t = mean / se
        p = float(2 * stats.t.sf(abs(t), df=j - 1))
    half = float(stats.t.ppf(1 - alpha / 2, df=j - 1) * se)
    return PairedComparison(n_splits=j, wins=int((d > 0).sum()), ties=int((d == 0).sum()), mean_diff=mean,
                            sd_diff=sd, se_corrected=se, t=float(t), p=p, ci_lower=mean - half, ci_upper=mean + half)


def administrative_censoring(time: Any, event: Any, horizon: float) -> tuple[np.ndarray, np.ndarray]:
    """Censor follow-up at ``horizon``: later times become ``horizon``, later events become censored.

    DeepSurv's Rotterdam training file is censored this way at 84 months.

    Introduced in the chapter "From diagnosis to prognosis" (chapters/11_prognosis_survival.ipynb).
    """
    t, e = np.asarray(time, dtype=float), np.asarray(event)
    if t.shape != e.shape:
        raise SurvivalInputError(f"time and event must have the same shape, got {t.shape} and {e.shape}")
    if not horizon > 0:
        raise SurvivalInputError(f"horizon must be positive, got {horizon}")
    late = t > horizon
    return np.where(late, horizon, t), np.where(late, 0, e).astype(int)


def _km_at(time: np.ndarray, event: np.ndarray, horizon: float) -> float:
    from lifelines import KaplanMeierFitter

    return float(KaplanMeierFitter().fit(time, event).predict(horizon))


def _check_probabilities(p: np.ndarray, name: str) -> None:
    if not np.isfinite(p).all() or (p < 0).any() or (p > 1).any():
        raise SurvivalInputError(f"{name} must be probabilities in [0, 1]")


def calibration_slope(time: Any, event: Any, surv_prob_h: Any, horizon: float) -> dict[str, float]:
    """Calibration slope and calibration-in-the-large of predicted survival at ``horizon``.

    The predictions enter a Cox model fitted on the validation outcomes (censored at
    ``horizon``) through the complementary log-log of the predicted event probability,
    log(-log S(horizon | x)); for a Cox model this is its linear predictor plus a constant,
    so the coefficient is Royston & Altman's calibration slope of the prognostic index. A
    slope of 1 is ideal; below 1 the predictions are too extreme (overfitting), above 1
    too timid. Calibration-in-the-large compares the Kaplan-Meier event probability at
    ``horizon`` with the mean predicted one: ``observed``, ``expected``, their difference
    ``citl`` (ideal 0) and ratio ``oe_ratio`` (ideal 1).

    Introduced in the chapter "From diagnosis to prognosis" (chapters/11_prognosis_survival.ipynb).
    """
    from lifelines import CoxPHFitter

    t, e = np.asarray(time, dtype=float), np.asarray(event).astype(int)
    s = np.asarray(surv_prob_h, dtype=float)
    if not (t.shape == e.shape == s.shape) or t.ndim != 1:
        raise SurvivalInputError("time, event and surv_prob_h must be 1-D arrays of the same length")
    _check_probabilities(s, "surv_prob_h")
    th, eh = administrative_censoring(t, e, horizon)
    if eh.sum() < 2:
        raise SurvivalInputError("fewer than 2 events before the horizon: the slope cannot be estimated")
    cloglog = np.log(-np.log(np.clip(s, 1e-12, 1 - 1e-12)))
    fit = CoxPHFitter().fit(pd.DataFrame({"cloglog": cloglog, "time": th, "event": eh}), "time", "event")
    row = fit.summary.loc["cloglog"]
    observed, expected = 1 - _km_at(t, e, horizon), float(np.mean(1 - s))
    return {"slope": float(row["coef"]), "slope_lower": float(row["coef lower 95%"]),
            "slope_upper": float(row["coef upper 95%"]), "observed": observed, "expected": expected,
            "citl": observed - expected, "oe_ratio": observed / expected if expected > 0 else float("nan")}


def net_benefit(time: Any, event: Any, risk_h: Any, horizon: float, thresholds: Any) -> pd.DataFrame:
    """Decision curve at ``horizon``: net benefit of acting on predicted risk, and of acting on everybody.

    For a threshold probability p_t, the patients "treated" are those whose predicted event
    probability by ``horizon`` (``risk_h``) is at least p_t. With censored outcomes their
    true and false positives come from the Kaplan-Meier estimate among them (Vickers et al.,
    BMC Med Inform Decis Mak 2008): with q the share treated and S their Kaplan-Meier
    survival at the horizon, net benefit = q (1 - S) - q S p_t / (1 - p_t). "Treat all"
    uses everybody (q = 1); "treat none" is 0. Without censoring this is Vickers & Elkin's
    (2006) TP/n - FP/n * p_t / (1 - p_t).

    Returns one row per threshold: ``treated`` (share above the threshold), ``model``,
    ``treat_all`` and ``treat_none``.

    Introduced in the chapter "From diagnosis to prognosis" (chapters/11_prognosis_survival.ipynb).
    """
    t, e = np.asarray(time, dtype=float), np.asarray(event).astype(int)
    r = np.asarray(risk_h, dtype=float)
    pts = np.atleast_1d(np.asarray(thresholds, dtype=float))
    if not (t.shape == e.shape == r.shape) or t.ndim != 1:
        raise SurvivalInputError("time, event and risk_h must be 1-D arrays of the same length")
    _check_probabilities(r, "risk_h")
    if ((pts <= 0) | (pts >= 1)).any():
        raise SurvivalInputError("thresholds must lie strictly between 0 and 1")
    n = len(t)
    s_all = _km_at(t, e, horizon)
    rows = []
    for pt in pts:
        odds = pt / (1 - pt)
        above = r >= pt
        q = above.sum() / n
        if above.any():
            s = _km_at(t[above], e[above], horizon)
            nb = q * (1 - s) - q * s * odds
        else:
            nb = 0.0
        rows.append({"threshold": pt, "treated": q, "model": nb, "treat_all": (1 - s_all) - s_all * odds,
                     "treat_none": 0.0})
    return pd.DataFrame(rows).set_index("threshold")


__all__ = ["SurvivalInputError", "PairedComparison", "corrected_paired_ttest", "administrative_censoring",
           "calibration_slope", "net_benefit"]
