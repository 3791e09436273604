"""medlab.evaluation agrees with scikit-learn, with slow reference formulas and with itself."""

import dataclasses

import numpy as np
import pytest
from sklearn import metrics as skm
from sklearn.calibration import calibration_curve

from medlab import evaluation as ev
from medlab.evaluation.calibration import _bin_ids, _log_softmax
from medlab.evaluation.diagnostic import _weighted_metrics, stratified_resample_weights


def _data(n=600, prevalence=0.6, separation=1.2, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < prevalence).astype(int)
    logit = separation * (2 * y - 1) + rng.normal(0, 1.2, n)
    return y, 1 / (1 + np.exp(-logit))


def _second_model(y, p, seed=1, noise=1.0):
    rng = np.random.default_rng(seed)
    logit = np.log(p / (1 - p)) + rng.normal(0, noise, len(p))
    return 1 / (1 + np.exp(-logit))


def test_report_estimates_match_sklearn():
    y, p = _data()
    p[:20] = np.round(p[:20], 1)  # some ties
    r = ev.diagnostic_report(y, p, threshold=0.5, n_boot=0)["estimate"]
    pred = (p > 0.5).astype(int)
    tn, fp, fn, tp = skm.confusion_matrix(y, pred).ravel()
    assert np.isclose(r["sensitivity"], skm.recall_score(y, pred))
    assert np.isclose(r["specificity"], skm.recall_score(1 - y, 1 - pred))
    assert np.isclose(r["ppv"], skm.precision_score(y, pred))
    assert np.isclose(r["npv"], tn / (tn + fn))
    assert np.isclose(r["f1"], skm.f1_score(y, pred))
    assert np.isclose(r["accuracy"], skm.accuracy_score(y, pred))
    assert np.isclose(r["auc"], skm.roc_auc_score(y, p))
    assert np.isclose(r["pr_auc"], skm.average_precision_score(y, p))
    assert np.isclose(r["brier"], skm.brier_score_loss(y, p))


def test_report_accepts_two_column_probabilities_and_other_threshold():
    y, p = _data(seed=3)
    a = ev.diagnostic_report(y, p, threshold=0.3, n_boot=0)
    b = ev.diagnostic_report(y, np.c_[1 - p, p], threshold=0.3, n_boot=0)
    assert np.allclose(a["estimate"], b["estimate"])
    assert np.isclose(a.loc["sensitivity", "estimate"], np.mean(p[y == 1] > 0.3))


def test_bootstrap_rows_match_sklearn_with_weights():
    """Each resample equals scikit-learn's metrics with the drawn counts as sample weights."""
    y, p = _data(n=200, seed=5)
    p = np.round(p, 2)  # many ties
    w = stratified_resample_weights(y, 5, np.random.default_rng(0))
    rows = _weighted_metrics(y, p, w, 0.5)
    for wi, row in zip(w, rows):
        keep = wi > 0
        yy, pp, ww = y[keep], p[keep], wi[keep]
        assert np.isclose(row[ev.METRICS.index("auc")],
                          skm.roc_auc_score(yy, pp, sample_weight=ww))
        assert np.isclose(row[ev.METRICS.index("pr_auc")],
                          skm.average_precision_score(yy, pp, sample_weight=ww))
        assert np.isclose(row[ev.METRICS.index("brier")],
                          skm.brier_score_loss(yy, pp, sample_weight=ww))
        assert np.isclose(row[ev.METRICS.index("f1")],
                          skm.f1_score(yy, (pp > 0.5).astype(int), sample_weight=ww))


def test_stratified_resamples_keep_class_counts():
    y, _ = _data(n=300)
    w = stratified_resample_weights(y, 50, np.random.default_rng(1))
    assert np.all(w[:, y == 1].sum(1) == y.sum())
    assert np.all(w[:, y == 0].sum(1) == (1 - y).sum())


def test_ci_contains_estimate_and_narrows_with_n():
    y, p = _data(n=200, seed=2)
    small = ev.diagnostic_report(y, p, n_boot=1000, seed=0)
    assert (small["lower"] <= small["estimate"] + 1e-12).all()
    assert (small["estimate"] <= small["upper"] + 1e-12).all()
    y2, p2 = _data(n=2000, seed=2)
    large = ev.diagnostic_report(y2, p2, n_boot=1000, seed=0)
    width_small = small["upper"] - small["lower"]
    width_large = large["upper"] - large["lower"]
    assert (width_large < width_small).all()
    # roughly 1 / sqrt(n): ten times the cases, about a third of the width
    assert 0.2 < (width_large["auc"] / width_small["auc"]) < 0.5


def test_bootstrap_is_seeded():
    y, p = _data(n=624)
    a = ev.diagnostic_report(y, p, n_boot=2000, seed=7)
    b = ev.diagnostic_report(y, p, n_boot=2000, seed=7)
    c = ev.diagnostic_report(y, p, n_boot=2000, seed=8)
    assert a.equals(b)
    assert a["estimate"].equals(c["estimate"]) and not a["lower"].equals(c["lower"])


def test_format_report():
    y, p = _data(n=100)
    s = ev.format_report(ev.diagnostic_report(y, p, n_boot=100))
    assert list(s.index) == list(ev.METRICS) and "(" in s["auc"]


def test_single_class_is_rejected():
    with pytest.raises(ev.EvaluationError, match="both classes"):
        ev.diagnostic_report(np.ones(10), np.linspace(0, 1, 10))
    with pytest.raises(ev.EvaluationError, match="0 .negative. or 1"):
        ev.diagnostic_report(np.array([0, 1, 2]), np.linspace(0, 1, 3))
    with pytest.raises(ev.EvaluationError, match="one score per labelled case"):
        ev.diagnostic_report(np.array([0, 1, 1]), np.linspace(0, 1, 4))
    with pytest.raises(ev.EvaluationError, match="strategy"):
        _bin_ids(np.array([0.2, 0.8]), 10, "equal")
    assert issubclass(ev.EvaluationError, ValueError)  # older `except ValueError` code still works


def test_ppv_npv_at_prevalence():
    # at the data's own prevalence, Bayes gives back the observed PPV and NPV
    y, p = _data(n=1000, seed=4)
    r = ev.diagnostic_report(y, p, n_boot=0)["estimate"]
    prev = y.mean()
    assert np.isclose(ev.ppv_at_prevalence(r["sensitivity"], r["specificity"], prev), r["ppv"])
    assert np.isclose(ev.npv_at_prevalence(r["sensitivity"], r["specificity"], prev), r["npv"])
    # textbook example: sens 0.9, spec 0.9 at 1 % prevalence
    assert np.isclose(ev.ppv_at_prevalence(0.9, 0.9, 0.01), 0.009 / (0.009 + 0.099))
    curve = ev.ppv_at_prevalence(0.9, 0.9, np.array([0.001, 0.01, 0.1, 0.5]))
    assert np.all(np.diff(curve) > 0) and np.isclose(curve[-1], 0.9)


@pytest.mark.parametrize("target", [0.8, 0.9, 0.95, 0.99, 1.0])
def test_threshold_for_sensitivity_reaches_target(target):
    y, p = _data(n=500, seed=6)
    choice = ev.threshold_for_sensitivity(y, p, target)
    assert choice.sensitivity >= target
    assert np.isclose(choice.sensitivity, np.mean(p[y == 1] > choice.threshold))
    assert np.isclose(choice.specificity, np.mean(p[y == 0] <= choice.threshold))
    # it is the best such threshold: one positive less would miss the target
    pos = np.sort(p[y == 1])
    higher = pos[pos > choice.threshold].min()
    assert np.mean(p[y == 1] > higher) < target
    assert ev.operating_point(y, p, choice.threshold) == choice


def test_threshold_max_youden():
    y, p = _data(n=400, seed=12)
    p = np.round(p, 2)
    choice = ev.threshold_max_youden(y, p)
    fpr, tpr, _ = skm.roc_curve(y, p)
    assert np.isclose(choice.sensitivity + choice.specificity - 1, np.max(tpr - fpr))
    assert ev.operating_point(y, p, choice.threshold) == choice


def _delong_slow(y, scores):
    """O(m n) reference: DeLong's structural components from every pair."""
    scores = np.atleast_2d(scores)
    pos, neg = scores[:, y == 1], scores[:, y == 0]
    psi = (pos[:, :, None] > neg[:, None, :]) + 0.5 * (pos[:, :, None] == neg[:, None, :])
    auc = psi.mean((1, 2))
    v10, v01 = psi.mean(2), psi.mean(1)
    cov = np.atleast_2d(np.cov(v10)) / pos.shape[1] + np.atleast_2d(np.cov(v01)) / neg.shape[1]
    return auc, cov


def test_delong_fast_matches_slow_reference():
    y, a = _data(n=120, seed=8)
    b = _second_model(y, a, noise=1.5)
    a = np.round(a, 1)  # ties exercise the midranks
    auc_fast, cov_fast = ev.delong_covariance(y, np.vstack([a, b]))
    auc_slow, cov_slow = _delong_slow(y, np.vstack([a, b]))
    assert np.allclose(auc_fast, auc_slow)
    assert np.allclose(cov_fast, cov_slow)
    assert np.isclose(auc_fast[0], skm.roc_auc_score(y, a))


def test_delong_identical_scores():
    y, a = _data(n=300)
    r = ev.paired_auc_test(y, a, a.copy())
    assert r.difference == 0 and r.se == 0 and r.p == 1.0
    boot = ev.paired_bootstrap(y, a, a.copy(), n_boot=200)
    assert boot.difference == 0 and boot.p == 1.0


def test_delong_agrees_with_paired_bootstrap():
    y, a = _data(n=600, seed=9)
    b = _second_model(y, a, noise=1.2)
    d = ev.paired_auc_test(y, a, b)
    bt = ev.paired_bootstrap(y, a, b, n_boot=3000, seed=0)
    assert np.isclose(d.difference, skm.roc_auc_score(y, a) - skm.roc_auc_score(y, b))
    assert np.isclose(d.difference, bt.difference)
    assert 0.8 < bt.se / d.se < 1.25
    assert np.isclose(d.z, d.difference / d.se) and 0 <= d.p <= 1
    assert d.lower < d.difference < d.upper
    # swapping the models flips the sign and keeps p
    r = ev.paired_auc_test(y, b, a)
    assert np.isclose(r.difference, -d.difference) and np.isclose(r.p, d.p)


def test_delong_p_values_are_uniform_under_the_null():
    """Two equally good but different models: p < 0.05 in about 5 % of data sets."""
    rng = np.random.default_rng(0)
    ps = []
    for _ in range(300):
        y = (rng.random(200) < 0.5).astype(int)
        base = 1.0 * y
        ps.append(ev.paired_auc_test(y, base + rng.normal(0, 1, 200),
                                     base + rng.normal(0, 1, 200)).p)
    assert 0.01 < np.mean(np.array(ps) < 0.05) < 0.10


def test_reliability_curve_and_ece():
    y, p = _data(n=2000, seed=10)
    curve = ev.reliability_curve(y, p, n_bins=10)
    assert curve["count"].sum() == len(y)
    frac, mean = calibration_curve(y, p, n_bins=10)
    assert np.allclose(curve["fraction_positive"], frac)
    assert np.allclose(curve["mean_predicted"], mean)
    q = ev.reliability_curve(y, p, n_bins=5, strategy="quantile")
    assert len(q) == 5 and q["count"].sum() == len(y)
    # calibrated by construction: labels drawn from the probabilities
    rng = np.random.default_rng(0)
    p_cal = rng.random(20000)
    y_cal = (rng.random(20000) < p_cal).astype(int)
    assert ev.expected_calibration_error(y_cal, p_cal) < 0.02
    over = np.clip(p_cal ** 0.3, 0, 1)  # overconfident towards 1
    assert ev.expected_calibration_error(y_cal, over) > 0.1
    assert np.isclose(ev.brier_score(y, p), skm.brier_score_loss(y, p))


def test_temperature_scaling_lowers_nll_and_keeps_auc():
    rng = np.random.default_rng(11)
    n = 800
    y = (rng.random(n) < 0.6).astype(int)
    true_logit = 1.0 * (2 * y - 1) + rng.normal(0, 1.5, n)
    logits = np.c_[np.zeros(n), 4.0 * true_logit]  # overconfident: 4 x the right scale
    val, test = slice(0, 400), slice(400, n)
    scaler = ev.TemperatureScaler().fit(logits[val], y[val])
    assert scaler.temperature_ > 1.5
    before = ev.TemperatureScaler.nll(logits[val], y[val])
    after = ev.TemperatureScaler.nll(logits[val], y[val], scaler.temperature_)
    assert after < before
    p_before = np.exp(_log_softmax(logits[test]))[:, 1]
    p_after = scaler.predict_proba(logits[test])[:, 1]
    assert np.isclose(skm.roc_auc_score(y[test], p_before), skm.roc_auc_score(y[test], p_after))
    assert np.allclose(scaler.predict_proba(logits[test]).sum(1), 1)
    assert ev.expected_calibration_error(y[test], p_after) < ev.expected_calibration_error(
        y[test], p_before)
    with pytest.raises(ev.NotFittedError, match="call fit"):
        ev.TemperatureScaler().predict_proba(logits)
    assert issubclass(ev.NotFittedError, RuntimeError)


def test_predict_logits_and_plots():
    import matplotlib

    matplotlib.use("Agg")
    import torch
    from torch.utils.data import DataLoader, TensorDataset

    torch.manual_seed(0)
    net = torch.nn.Linear(3, 2)
    x = torch.randn(10, 3)
    loader = DataLoader(TensorDataset(x, torch.arange(10) % 2), batch_size=4)
    y, z = ev.predict_logits(net, loader)
    assert z.shape == (10, 2) and np.allclose(z, net(x).detach().numpy(), atol=1e-6)
    assert list(y) == [i % 2 for i in range(10)]
    yy, p = _data(n=200)
    fig = ev.plot_reliability({"model": (yy, p)})
    assert len(fig.axes) == 2
    fig = ev.plot_ppv_prevalence(0.9, 0.8, marks={"test": 0.625})
    assert fig.axes[0].get_xscale() == "log"


def test_temperature_at_its_bound_warns():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    logits = np.stack([-(2 * y - 1) * 40.0, (2 * y - 1) * 40.0], axis=1)  # confident and right: T wants to be tiny
    with pytest.warns(UserWarning, match="bound"):
        ev.TemperatureScaler(bounds=(0.5, 2.0)).fit(logits, y)


def test_correct_prior_gives_the_bayes_posterior_at_the_new_prevalence():
    from scipy import stats

    from medlab.evaluation import correct_prior

    # two classes with known image-feature distributions: N(0, 1) and N(1.5, 1)
    x = np.linspace(-3, 4, 50)
    f0, f1 = stats.norm.pdf(x, 0, 1), stats.norm.pdf(x, 1.5, 1)

    def posterior(prevalence):
        return prevalence * f1 / (prevalence * f1 + (1 - prevalence) * f0)

    at_train = posterior(0.9)  # what an ideal model trained at 90 % positives outputs
    np.testing.assert_allclose(correct_prior(at_train, 0.9, 0.625), posterior(0.625), rtol=1e-9)
    np.testing.assert_allclose(correct_prior(np.c_[1 - at_train, at_train], 0.9, 0.02), posterior(0.02), rtol=1e-9)
    np.testing.assert_allclose(correct_prior(at_train, 0.9, 0.9), at_train)  # no shift, no change
    # the ranking (so the AUC) is kept
    assert (np.argsort(correct_prior(at_train, 0.9, 0.3)) == np.argsort(at_train)).all()
    with pytest.raises(ValueError, match="target_prevalence"):
        correct_prior(at_train, 0.9, 1.0)


# ------------------------------------------------------------------ the one bootstrap, and Estimate


def test_stratified_resample_weights_keep_class_counts():
    y = np.r_[np.zeros(37, int), np.ones(13, int)]
    w = ev.stratified_resample_weights(y, 200, np.random.default_rng(0))
    assert w.shape == (200, 50)
    assert (w[:, y == 1].sum(1) == 13).all() and (w[:, y == 0].sum(1) == 37).all()
    assert (w >= 0).all() and np.allclose(w, np.round(w))
    # each case is drawn once per resample on average
    assert w.mean() == pytest.approx(1.0, abs=0.02)


def test_weighted_auc_equals_auc_of_the_resample():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 80)
    s = np.round(rng.random(80) + 0.4 * y, 1)  # ties
    w = ev.stratified_resample_weights(y, 5, rng)
    aucs = ev.weighted_auc(y, s, w)
    for b in range(5):
        rep = np.repeat(np.arange(80), w[b].astype(int))
        assert aucs[b] == pytest.approx(skm.roc_auc_score(y[rep], s[rep]))
    with pytest.raises(ev.EvaluationError):
        ev.weighted_auc(y, s, w[:, :-1])


def test_estimate_format_shows_the_parts_that_exist():
    assert ev.Estimate(0.9, 0.859, 0.941, sd=0.033, n=5).format() == "0.900 ± 0.033 [0.859, 0.941] (n = 5)"
    assert ev.Estimate(0.9, n=1).format() == "0.900 (n = 1)"
    assert ev.Estimate(0.91234, sd=0.01).format(2) == "0.91 ± 0.01"
    assert ev.Estimate(0.5, 0.4, 0.6).format(1) == "0.5 [0.4, 0.6]"
    with pytest.raises(ev.EvaluationError):
        ev.Estimate(0.5, lower=0.4)
    with pytest.raises(dataclasses.FrozenInstanceError):
        ev.Estimate(0.5).value = 1.0  # type: ignore[misc]


def test_mean_sd_ci_is_the_t_interval():
    from scipy import stats

    values = [0.88, 0.91, 0.93, 0.87, 0.92]
    e = ev.mean_sd_ci(values, level=0.9)
    lo, hi = stats.t.interval(0.9, len(values) - 1, loc=np.mean(values), scale=stats.sem(values))
    assert e.value == pytest.approx(np.mean(values)) and e.sd == pytest.approx(np.std(values, ddof=1))
    assert (e.lower, e.upper, e.n, e.level) == (pytest.approx(lo), pytest.approx(hi), 5, 0.9)
    one = ev.mean_sd_ci([0.7])
    assert (one.value, one.sd, one.lower, one.n) == (0.7, None, None, 1)
    with pytest.raises(ev.EvaluationError):
        ev.mean_sd_ci([])


def test_estimate_prevalence_recovers_a_shifted_prior_without_labels():
    from medlab.evaluation import correct_prior, estimate_prevalence

    rng = np.random.default_rng(0)
    # a calibrated model at prevalence 0.5: scores are the true posteriors of two Gaussians
    n_pos, n_neg = 300, 2700  # deployment prevalence 0.1
    x = np.concatenate([rng.normal(1.0, 1.0, n_pos), rng.normal(-1.0, 1.0, n_neg)])
    p_balanced = 1 / (1 + np.exp(-2 * x))  # log-likelihood ratio of N(1,1) vs N(-1,1) is 2x
    estimate = estimate_prevalence(p_balanced, train_prevalence=0.5)
    assert abs(estimate - 0.1) < 0.02
    assert abs(estimate - p_balanced.mean()) > 0.15  # the naive mean score is far off
    # at the fixed point the corrected scores average to the estimate
    assert abs(correct_prior(p_balanced, 0.5, estimate).mean() - estimate) < 1e-6
    with pytest.raises(ev.EvaluationError, match="train_prevalence"):
        estimate_prevalence(p_balanced, train_prevalence=1.0)


def test_subset_auc_difference_is_the_difference_of_the_two_aucs_with_a_paired_interval():
    from sklearn.metrics import roc_auc_score

    from medlab.evaluation import subset_auc_difference

    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 300)
    s = y + rng.normal(0, 1, 300)
    easy = rng.random(300) < 0.3
    s[easy] = y[easy] * 3.0  # cases the model gets right: removing them lowers the AUC
    keep = ~easy
    res = subset_auc_difference(y, s, keep, n_boot=500, seed=0)
    assert res.a == pytest.approx(roc_auc_score(y, s))
    assert res.b == pytest.approx(roc_auc_score(y[keep], s[keep]))
    assert res.difference == pytest.approx(res.a - res.b)
    assert 0 < res.lower < res.difference < res.upper
    none_removed = subset_auc_difference(y, s, np.ones(300, dtype=bool), n_boot=50)
    assert none_removed.difference == 0 and none_removed.p == 1.0
    with pytest.raises(ev.EvaluationError, match="boolean mask"):
        subset_auc_difference(y, s, keep.astype(int))
