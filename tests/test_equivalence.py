"""medlab.evaluation.equivalence: TOST on a paired difference, against DeLong's and the bootstrap's intervals,
scipy's normal distribution and scikit-learn's AUC (chapter 09)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from sklearn.metrics import roc_auc_score

from medlab.errors import MedlabError
from medlab.evaluation import equivalence, paired_auc_test, paired_bootstrap


@pytest.fixture
def cases() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    y = np.r_[np.zeros(300), np.ones(100)].astype(int)
    signal = rng.normal(size=400) + 1.5 * y
    a = signal + rng.normal(scale=0.3, size=400)
    b = signal + rng.normal(scale=0.3, size=400)
    return y, a, b


def test_delong_tost_is_the_90_percent_interval_and_normal_one_sided_p(cases):
    y, a, b = cases
    r = equivalence.equivalence_test(y, a, b, margin=0.05, method="delong")
    d = paired_auc_test(y, a, b, ci=0.90)
    assert r.a == pytest.approx(roc_auc_score(y, a)) and r.b == pytest.approx(roc_auc_score(y, b))
    assert (r.lower, r.upper) == pytest.approx((d.lower, d.upper))
    assert r.p_lower == pytest.approx(stats.norm.sf((d.difference + 0.05) / d.se))
    assert r.p_upper == pytest.approx(stats.norm.sf((0.05 - d.difference) / d.se))
    assert r.p == max(r.p_lower, r.p_upper)
    # duality: the 90 % interval lies inside the margin exactly when both one-sided tests reject at 5 %
    assert r.equivalent == (r.p < 0.05)
    assert r.equivalent  # two noisy copies of one score differ by far less than 0.05 in AUC


def test_bootstrap_tost_uses_the_paired_bootstrap_resamples(cases):
    y, a, b = cases
    r = equivalence.equivalence_test(y, a, b, margin=0.05, n_boot=500, seed=3)
    pb = paired_bootstrap(y, a, b, n_boot=500, seed=3, ci=0.90)
    assert (r.lower, r.upper) == pytest.approx((pb.lower, pb.upper))
    assert r.difference == pytest.approx(roc_auc_score(y, a) - roc_auc_score(y, b))
    assert r.equivalent == (r.lower > -0.05 and r.upper < 0.05)


def test_a_real_difference_or_a_tight_margin_is_not_equivalence(cases):
    y, a, _ = cases
    worse = a + np.random.default_rng(1).normal(scale=2.0, size=len(a))  # a much noisier score
    for method in ("delong", "bootstrap"):
        r = equivalence.equivalence_test(y, a, worse, margin=0.05, method=method, n_boot=300)
        assert r.difference > 0.05 and not r.equivalent and r.p_upper > 0.5
    tight = equivalence.equivalence_test(y, *cases[1:], margin=0.001, method="delong")
    assert not tight.equivalent


def test_bad_arguments_say_what_to_do(cases):
    y, a, b = cases
    with pytest.raises(MedlabError, match="margin"):
        equivalence.equivalence_test(y, a, b, margin=0)
    with pytest.raises(MedlabError, match="bootstrap"):
        equivalence.equivalence_test(y, a, b, margin=0.05, method="delong", metric="accuracy")
    with pytest.raises(MedlabError, match="method"):
        equivalence.equivalence_test(y, a, b, margin=0.05, method="t")
