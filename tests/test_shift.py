"""medlab.shift: acquisition changes, harmonisation, two-sample tests, CUSUM (chapter 13)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from skimage import exposure
from sklearn.metrics import roc_auc_score

from medlab import shift as sh


@pytest.fixture
def images():
    rng = np.random.default_rng(0)
    base = np.linspace(20, 230, 28)[None, :] * np.ones((28, 1))
    return np.clip(base[None] + rng.normal(0, 10, (12, 28, 28)), 0, 255).astype(np.uint8)


def test_severity_zero_is_identity_and_shifts_change_images(images):
    for kind in sh.SHIFTS:
        assert np.array_equal(sh.acquisition_shift(images, kind, 0), images)
        out = sh.acquisition_shift(images, kind, 3)
        assert out.dtype == np.uint8 and out.shape == images.shape
        assert not np.array_equal(out, images)


def test_shift_parameters_do_what_they_say(images):
    g = sh.acquisition_shift(images, "gamma", 2)  # gamma 2
    expected = np.clip(np.rint(255 * (images / 255.0) ** 2), 0, 255)
    assert np.array_equal(g, expected)
    c = sh.acquisition_shift(images, "contrast", 3).astype(float)
    assert c.std(axis=(1, 2)).mean() < 0.4 * images.astype(float).std(axis=(1, 2)).mean()
    n = sh.acquisition_shift(images, "noise", 3).astype(float) - images
    assert 20 < n.std() < 40
    assert np.array_equal(sh.acquisition_shift(images, "gamma", 1, parameter=1.0), images)


def test_bad_input_is_named():
    with pytest.raises(sh.ShiftError, match="unknown shift"):
        sh.acquisition_shift(np.zeros((1, 4, 4), np.uint8), "tilt", 1)
    with pytest.raises(sh.ShiftError, match="severity"):
        sh.acquisition_shift(np.zeros((1, 4, 4), np.uint8), "gamma", 7)
    with pytest.raises(sh.ShiftError, match="uint8"):
        sh.acquisition_shift(np.zeros((4, 4)), "gamma", 1)


def test_histogram_matching_undoes_a_monotone_curve(images):
    ref = sh.reference_image(images, size=images.size)
    darker = sh.acquisition_shift(images, "gamma", 3)
    matched = sh.match_histograms(darker, ref)
    assert abs(matched.mean() - images.mean()) < 0.2 * abs(darker.mean() - images.mean())
    # one image: the same as scikit-image's own call
    direct = exposure.match_histograms(darker[0], ref.reshape(1, -1))
    assert np.array_equal(matched[0], np.clip(np.rint(direct), 0, 255).astype(np.uint8))


def test_normalise_intensity_stretches_percentiles(images):
    out = sh.normalise_intensity(sh.acquisition_shift(images, "contrast", 3))
    lo, hi = np.percentile(out[0], (1, 99))
    assert lo <= 2 and hi >= 253


def test_mmd2_matches_the_direct_formula():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(15, 3)), rng.normal(size=(11, 3)) + 0.3
    bw = 1.3
    k = lambda a, b: np.exp(-np.sum((a - b) ** 2) / (2 * bw**2))  # noqa: E731
    m, n = len(x), len(y)
    kxx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    kyy = sum(k(y[i], y[j]) for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    kxy = sum(k(a, b) for a in x for b in y) / (m * n)
    assert sh.mmd2(x, y, bw) == pytest.approx(kxx + kyy - 2 * kxy, rel=1e-10)


def test_mmd_test_null_and_alternative():
    rng = np.random.default_rng(2)
    p_null = [sh.mmd_test(rng.normal(size=(30, 4)), rng.normal(size=(30, 4)), n_permutations=99, seed=s).p_value
              for s in range(20)]
    assert np.mean(np.array(p_null) < 0.05) <= 0.15  # about 5 % under the null
    assert np.mean(p_null) > 0.3
    shifted = sh.mmd_test(rng.normal(size=(40, 4)), rng.normal(size=(40, 4)) + 1.0, n_permutations=99)
    assert shifted.p_value <= 0.01


def test_classifier_test_null_and_alternative():
    rng = np.random.default_rng(3)
    assert sh.classifier_test(rng.normal(size=(60, 5)), rng.normal(size=(60, 5))).p_value > 0.01
    res = sh.classifier_test(rng.normal(size=(60, 5)), rng.normal(size=(60, 5)) + 1.5)
    assert res.statistic > 0.8 and res.p_value < 1e-4


def test_auc_over_models_is_the_mean_auc_and_brackets_it():
    rng = np.random.default_rng(4)
    y = rng.integers(0, 2, 80)
    scores = y + rng.normal(0, 1, (3, 80))
    mean, lo, hi = sh.auc_over_models(y, scores, n_boot=300)
    assert mean == pytest.approx(np.mean([roc_auc_score(y, s) for s in scores]))
    assert lo < mean < hi
    ties = np.round(scores, 0)
    assert sh.auc_over_models(y, ties, n_boot=10)[0] == pytest.approx(np.mean([roc_auc_score(y, s) for s in ties]))


def test_combat_moves_the_other_site_to_the_reference():
    rng = np.random.default_rng(5)
    ref = rng.normal(0, 1, (100, 6))
    other = rng.normal(0, 1, (100, 6)) * 3 + 5
    out = sh.combat(ref, other)
    assert np.abs(out.mean(0) - ref.mean(0)).max() < 0.3
    assert np.abs(out.std(0) / ref.std(0) - 1).max() < 0.3
    # order within the site is kept (ComBat is an affine map per feature)
    assert stats.spearmanr(out[:, 0], other[:, 0]).statistic > 0.999


def test_cusum_matches_the_recursion_and_alarms_on_a_shift():
    x = np.array([0.0, 1.0, 2.0, -3.0, 1.5, 2.5])
    s, alarm = sh.cusum(x, mean=0.0, sd=1.0, k=0.5, h=2.0)
    expected, acc = [], 0.0
    for v in x:
        acc = max(0.0, acc + v - 0.5)
        expected.append(acc)
    assert np.allclose(s, expected)
    assert alarm == 5  # S = 0, 0.5, 2.0, 0, 1.0, 3.0: strictly above h first at index 5
    rng = np.random.default_rng(6)
    in_control = [sh.cusum(rng.normal(size=100), 0.0, 1.0, h=5.0)[1] for _ in range(50)]
    assert sum(a is not None for a in in_control) <= 10
    _, late = sh.cusum(np.r_[rng.normal(size=50), rng.normal(size=50) + 2.0], 0.0, 1.0, h=5.0)
    assert late is not None and 50 <= late < 60
    _, down = sh.cusum(np.r_[rng.normal(size=50), rng.normal(size=50) - 2.0], 0.0, 1.0, h=5.0)
    _, down2 = sh.cusum(np.r_[rng.normal(size=50), rng.normal(size=50) - 2.0], 0.0, 1.0, h=5.0, two_sided=True)
    assert down is None and down2 is not None and 50 <= down2 < 60  # a fall needs the lower chart
    with pytest.raises(sh.ShiftError, match="sd"):
        sh.cusum(x, 0.0, 0.0)


def test_auc_over_models_interval_agrees_with_a_loop_bootstrap():
    rng = np.random.default_rng(12)
    y = rng.integers(0, 2, 300)
    scores = np.stack([0.8 * y + rng.normal(0, 1, 300) for _ in range(3)])
    est, lo, hi = sh.auc_over_models(y, scores, n_boot=1500, seed=0)
    assert est == pytest.approx(np.mean([roc_auc_score(y, s) for s in scores]))
    assert lo < est < hi
    loop_rng = np.random.default_rng(1)
    pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    boot = []
    for _ in range(1500):
        b = np.r_[loop_rng.choice(pos, len(pos)), loop_rng.choice(neg, len(neg))]
        ranks = stats.rankdata(scores[:, b], axis=1)
        boot.append(np.mean((ranks[:, y[b] == 1].sum(1) - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg))))
    ref_lo, ref_hi = np.quantile(boot, [0.025, 0.975])
    assert hi - lo == pytest.approx(ref_hi - ref_lo, rel=0.15)
    assert (lo + hi) / 2 == pytest.approx((ref_lo + ref_hi) / 2, abs=0.1 * (ref_hi - ref_lo))
