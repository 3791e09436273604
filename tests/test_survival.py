"""medlab.survival against lifelines' and scikit-survival's own values."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("lifelines")
pytest.importorskip("sksurv")

from medlab import data  # noqa: E402
from medlab import survival as sv  # noqa: E402


@pytest.fixture(scope="module")
def gbsg():
    return data.tables.load_gbsg2()


def test_gbsg2_shape_and_coding(gbsg):
    assert gbsg.shape == (686, 10)
    assert set(gbsg["tgrade"]) == {1, 2, 3}
    assert gbsg["event"].sum() == 299


def test_harrell_c_matches_lifelines_and_sksurv(gbsg):
    from lifelines.utils import concordance_index
    from sksurv.metrics import concordance_index_censored

    rng = np.random.default_rng(0)
    risk = gbsg["pnodes"].to_numpy() + rng.normal(0, 1, len(gbsg)).round()  # with ties
    ours = sv.harrell_c(gbsg["time"], gbsg["event"], risk)
    # lifelines scores "higher predicts longer survival", hence the minus sign
    assert ours == pytest.approx(concordance_index(gbsg["time"], -risk, gbsg["event"]), abs=1e-12)
    sk = concordance_index_censored(gbsg["event"].astype(bool), gbsg["time"], risk)[0]
    assert ours == pytest.approx(sk, abs=1e-12)


def test_evaluate_matches_sksurv_metrics(gbsg):
    from lifelines import CoxPHFitter
    from sksurv.metrics import concordance_index_ipcw, integrated_brier_score

    train, test = gbsg.iloc[:500], gbsg.iloc[500:]
    cph = CoxPHFitter().fit(train, "time", "event")
    y_tr, y_te = sv.surv_array(train["time"], train["event"]), sv.surv_array(test["time"], test["event"])
    times = sv.evaluation_times(test["time"], num=20)
    risk = cph.predict_log_partial_hazard(test).to_numpy()
    surv = cph.predict_survival_function(test, times=times).T.to_numpy()
    res = sv.evaluate(y_tr, y_te, risk, surv, times)
    assert res["ibs"] == pytest.approx(integrated_brier_score(y_tr, y_te, surv, times))
    assert res["uno_c"] == pytest.approx(concordance_index_ipcw(y_tr, y_te, risk, tau=times[-1])[0])
    assert res["harrell_c"] == pytest.approx(sv.harrell_c(test["time"], test["event"], risk))
    assert 0.5 < res["mean_auc"] < 1


def test_km_in_calibration_matches_lifelines(gbsg):
    from lifelines import KaplanMeierFitter

    p = np.full(len(gbsg), 0.5)
    table = sv.calibration_at(gbsg["time"], gbsg["event"], p, 1826, n_groups=1)
    km = KaplanMeierFitter().fit(gbsg["time"], gbsg["event"])
    assert table.loc[1, "observed"] == pytest.approx(float(km.predict(1826)))


def test_breslow_with_zero_risk_is_kaplan_meier_like(gbsg):
    from lifelines import NelsonAalenFitter

    y = sv.surv_array(gbsg["time"], gbsg["event"])
    times = np.array([365.0, 1000.0, 2000.0])
    s = sv.breslow_survival(np.zeros(len(gbsg)), y, np.zeros(1), times)[0]
    na = NelsonAalenFitter().fit(gbsg["time"], gbsg["event"])
    expected = np.exp(-na.cumulative_hazard_at_times(times).to_numpy())
    assert s == pytest.approx(expected, rel=1e-3)  # the two differ only in how tied times are counted


def test_deepsurv_learns_a_linear_risk():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 3))
    t = rng.exponential(1 / np.exp(1.5 * x[:, 0]))
    e = rng.random(400) < 0.8
    m = sv.fit_deepsurv(x[:300], t[:300], e[:300], x[300:], t[300:], e[300:], epochs=150, lr=1e-2)
    assert sv.harrell_c(t[300:], e[300:], sv.predict_risk(m, x[300:])) > 0.7


def test_published_table():
    table = sv.published_table()
    assert {"Harrell", "-"} >= set(table["estimator"])
    assert table.loc[table["model"] == "DeepSurv", "c_index"].item() == 0.668
