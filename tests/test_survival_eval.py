"""medlab.survival_eval against scipy, lifelines and hand-computed values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("lifelines")

from medlab import survival as sv  # noqa: E402
from medlab.errors import MedlabError  # noqa: E402


def test_corrected_ttest_reduces_to_paired_ttest_without_correction():
    from scipy import stats

    rng = np.random.default_rng(0)
    a, b = rng.normal(0.68, 0.03, 10), rng.normal(0.66, 0.03, 10)
    res = sv.corrected_paired_ttest(a, b, n_train=500, n_test=0)
    ref = stats.ttest_rel(a, b)
    assert res.t == pytest.approx(ref.statistic)
    assert res.p == pytest.approx(ref.pvalue)
    assert res.wins == int((a > b).sum())


def test_corrected_ttest_inflates_variance_by_nadeau_bengio_factor():
    a = np.array([0.70, 0.66, 0.69, 0.64, 0.71])
    b = np.array([0.67, 0.64, 0.65, 0.60, 0.69])
    d = a - b
    res = sv.corrected_paired_ttest(a, b, n_train=514, n_test=172)
    se = np.sqrt((1 / 5 + 172 / 514) * d.var(ddof=1))
    assert res.se_corrected == pytest.approx(se)
    assert res.t == pytest.approx(d.mean() / se)
    assert res.wins == 5 and res.ties == 0
    plain = sv.corrected_paired_ttest(a, b, n_train=514, n_test=0)
    assert res.p > plain.p  # the correction makes the test more conservative
    assert res.ci_lower < res.mean_diff < res.ci_upper
    assert set(res.as_dict()) >= {"wins", "mean_diff", "p"}


def test_corrected_ttest_rejects_bad_input():
    with pytest.raises(sv.SurvivalInputError):
        sv.corrected_paired_ttest([0.6, 0.7], [0.6], 100, 30)
    with pytest.raises(MedlabError):
        sv.corrected_paired_ttest([0.6], [0.5], 100, 30)
    with pytest.raises(ValueError):
        sv.corrected_paired_ttest([0.6, 0.7], [0.5, 0.6], 0, 30)


def test_administrative_censoring():
    t, e = sv.administrative_censoring([10, 50, 100, 200], [1, 0, 1, 1], 100)
    assert t.tolist() == [10, 50, 100, 100]
    assert e.tolist() == [1, 0, 1, 0]
    with pytest.raises(sv.SurvivalInputError):
        sv.administrative_censoring([1, 2], [1], 10)


def _exponential_cohort(n=4000, seed=0):
    rng = np.random.default_rng(seed)
    lp = rng.normal(0, 1, n)
    t = rng.exponential(1 / (0.1 * np.exp(lp)))
    c = rng.exponential(30, n)
    return lp, np.minimum(t, c), (t <= c).astype(int)


def test_calibration_slope_positive_and_negative_controls():
    lp, time, event = _exponential_cohort()
    horizon = 5.0
    true_surv = np.exp(-0.1 * horizon * np.exp(lp))
    good = sv.calibration_slope(time, event, true_surv, horizon)
    assert good["slope"] == pytest.approx(1, abs=0.1)
    assert good["oe_ratio"] == pytest.approx(1, abs=0.06)
    overfit = sv.calibration_slope(time, event, np.exp(-0.1 * horizon * np.exp(2 * lp)), horizon)
    assert overfit["slope"] == pytest.approx(0.5, abs=0.06)  # predictions twice too extreme


def test_calibration_slope_matches_a_direct_lifelines_fit():
    from lifelines import CoxPHFitter

    lp, time, event = _exponential_cohort(n=500, seed=1)
    surv = np.exp(-0.5 * np.exp(0.8 * lp))
    res = sv.calibration_slope(time, event, surv, 5.0)
    t5, e5 = np.minimum(time, 5.0), np.where(time > 5.0, 0, event)
    df = pd.DataFrame({"x": np.log(-np.log(surv)), "time": t5, "event": e5})
    assert res["slope"] == pytest.approx(CoxPHFitter().fit(df, "time", "event").params_["x"])
    with pytest.raises(sv.SurvivalInputError):
        sv.calibration_slope(time, event, surv + 1, 5.0)


def test_net_benefit_without_censoring_is_vickers_elkin():
    rng = np.random.default_rng(2)
    n = 300
    risk = rng.uniform(0, 1, n)
    event_by_h = rng.uniform(0, 1, n) < risk
    time = np.where(event_by_h, rng.uniform(0, 5, n), 10.0)  # everybody followed past the horizon
    event = event_by_h.astype(int)
    table = sv.net_benefit(time, event, risk, 5.0, [0.2, 0.5])
    for pt in (0.2, 0.5):
        above = risk >= pt
        tp, fp = (above & event_by_h).sum() / n, (above & ~event_by_h).sum() / n
        assert table.loc[pt, "model"] == pytest.approx(tp - fp * pt / (1 - pt))
        prev = event_by_h.mean()
        assert table.loc[pt, "treat_all"] == pytest.approx(prev - (1 - prev) * pt / (1 - pt))
    assert (table["treat_none"] == 0).all()
    with pytest.raises(sv.SurvivalInputError):
        sv.net_benefit(time, event, risk, 5.0, [0.0])
