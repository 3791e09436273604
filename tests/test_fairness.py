"""medlab.fairness: WHAS500 as a binary task, subgroup measures with intervals (chapter 13)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import MetricFrame, false_positive_rate, selection_rate, true_positive_rate
from sklearn.metrics import roc_auc_score

from medlab import data
from medlab import fairness as fs


@pytest.fixture
def toy():
    rng = np.random.default_rng(0)
    groups = np.repeat(["a", "b"], [120, 80])
    y = np.r_[rng.random(120) < 0.2, rng.random(80) < 0.5].astype(int)
    probs = np.clip(0.3 * y + rng.random(200) * 0.7, 0, 1)
    return y, probs, groups


def test_point_estimates_agree_with_fairlearn(toy):
    y, p, g = toy
    rep = fs.subgroup_report(y, p, g, threshold=0.5, n_boot=50)
    pred = (p > 0.5).astype(int)
    mf = MetricFrame(metrics={"sensitivity": true_positive_rate, "fpr": false_positive_rate,
                              "selection_rate": selection_rate}, y_true=y, y_pred=pred, sensitive_features=g)
    for group in ("a", "b"):
        for m in ("sensitivity", "fpr", "selection_rate"):
            assert rep.loc[group, m] == pytest.approx(mf.by_group.loc[group, m])
        idx = g == group
        assert rep.loc[group, "auc"] == pytest.approx(roc_auc_score(y[idx], p[idx]))
        assert rep.loc[group, "observed_rate"] == pytest.approx(y[idx].mean())
    assert rep.loc["all", "n"] == 200
    assert rep.loc["all", "sensitivity"] == pytest.approx(mf.overall["sensitivity"])


def test_intervals_bracket_the_estimates_and_per_case_thresholds(toy):
    y, p, g = toy
    rep = fs.subgroup_report(y, p, g, threshold=np.where(g == "a", 0.4, 0.6), n_boot=60)
    for m in ("auc", "sensitivity", "fpr"):
        assert (rep[f"{m}_lower"] <= rep[m] + 1e-12).all() and (rep[m] <= rep[f"{m}_upper"] + 1e-12).all()
    assert rep.loc["a", "selection_rate"] == pytest.approx((p[g == "a"] > 0.4).mean())
    table = fs.format_subgroups(rep)
    assert list(table.columns) == ["n", "auc", "sensitivity", "fpr"] and "[" in table.loc["a", "auc"]


def test_bad_input_is_named(toy):
    y, p, g = toy
    with pytest.raises(fs.FairnessError, match="must match"):
        fs.subgroup_report(y, p[:-1], g)
    with pytest.raises(fs.FairnessError, match="only one outcome"):
        fs.subgroup_report(np.r_[np.zeros(10), y[10:]], p, np.r_[["c"] * 10, g[10:]], n_boot=5)


def test_chouldechova_identity_holds_on_any_confusion_matrix():
    rng = np.random.default_rng(1)
    for _ in range(20):
        y = rng.random(300) < rng.uniform(0.1, 0.6)
        pred = rng.random(300) < np.where(y, 0.7, 0.2)
        ppv, fnr, fpr = y[pred].mean(), 1 - pred[y].mean(), pred[~y].mean()
        assert fs.chouldechova_fpr(y.mean(), ppv, fnr) == pytest.approx(fpr)
    with pytest.raises(fs.FairnessError):
        fs.chouldechova_fpr(1.0, 0.5, 0.1)


def test_whas500_task():
    df = data.tables.load_whas500()
    assert len(df) == 500 and set(df.sex) == {"female", "male"}
    assert df.death.sum() == 138  # deaths within 365 days of admission
    assert (df.female == 1).sum() == 200
    assert isinstance(df, pd.DataFrame) and "los" not in df
    with pytest.raises(data.tables.TableError, match="censored"):
        data.tables.load_whas500(horizon_days=3000)


def _rank_auc(y, p):
    """Mann-Whitney AUC (ties averaged), a fast stand-in for roc_auc_score in the loop below."""
    from scipy.stats import rankdata

    n1 = y.sum()
    return (rankdata(p)[y == 1].sum() - n1 * (n1 + 1) / 2) / (n1 * (len(y) - n1))


def _loop_bootstrap_widths(y, p, called, n_boot, seed):
    """Brute-force reference: loops of resamples within each class (for the measures defined within a
    class) and of the group's cases (for the measures that depend on its prevalence)."""
    rng = np.random.default_rng(seed)
    pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    rows = []
    assert _rank_auc(y, p) == pytest.approx(roc_auc_score(y, p))
    for _ in range(n_boot):
        b = np.r_[rng.choice(pos, len(pos)), rng.choice(neg, len(neg))]
        c = rng.choice(len(y), len(y))
        rows.append((_rank_auc(y[b], p[b]), called[b][y[b] == 1].mean(), called[b][y[b] == 0].mean(),
                     p[c].mean(), y[c].mean()))
    frame = pd.DataFrame(rows, columns=["auc", "sensitivity", "fpr", "mean_predicted", "observed_rate"])
    return frame.quantile(0.975) - frame.quantile(0.025)


def test_subgroup_bootstrap_agrees_with_a_loop_bootstrap():
    rng = np.random.default_rng(11)
    n = 400
    y = rng.integers(0, 2, n)
    p = np.clip(0.25 + 0.35 * y + rng.normal(0, 0.2, n), 0.01, 0.99)
    groups = np.where(rng.random(n) < 0.5, "a", "b")
    report = fs.subgroup_report(y, p, groups, n_boot=1500, seed=0)
    assert list(report.index) == ["all", "a", "b"]
    for name in report.index:
        row = report.loc[name]
        for m in ("auc", "sensitivity", "fpr", "ppv", "selection_rate", "mean_predicted"):
            assert row[f"{m}_lower"] <= row[m] <= row[f"{m}_upper"]
        # the observed rate varies with the group's cases: its interval is not of zero width
        assert row["observed_rate_lower"] < row["observed_rate"] < row["observed_rate_upper"]
        idx = np.arange(n) if name == "all" else np.flatnonzero(groups == name)
        ref = _loop_bootstrap_widths(y[idx], p[idx], p[idx] > 0.5, 1500, seed=1)
        for m in ("auc", "sensitivity", "fpr", "mean_predicted", "observed_rate"):
            assert row[f"{m}_upper"] - row[f"{m}_lower"] == pytest.approx(ref[m], rel=0.15), (name, m)
