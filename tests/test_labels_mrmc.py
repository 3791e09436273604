"""medlab.labels.mrmc: the Obuchowski-Rockette analysis of a simulated reader study."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from medlab.labels import LabelsError, mrmc


def test_per_reader_auc_matches_scikit_learn_and_jackknife_matches_delong():
    from medlab.evaluation.comparisons import delong_covariance

    scores, truth = mrmc.simulate_roe_metz(n_readers=3, n_negative=30, n_positive=25, seed=1)
    res = mrmc.obuchowski_rockette(scores, truth)
    for t in range(2):
        for j in range(3):
            assert res.auc.iloc[t, j] == pytest.approx(roc_auc_score(truth, scores[t, j]))
    _, cov = delong_covariance(truth, scores.reshape(6, -1))
    # the jackknife and DeLong variances of an AUC agree closely (both are U-statistic variances)
    assert res.components["var"] == pytest.approx(np.diag(cov).mean(), rel=0.15)


def test_readers_random_is_wider_than_readers_fixed_when_readers_differ():
    scores, truth = mrmc.simulate_roe_metz(n_readers=5, delta=0.3, var_tr=0.2, seed=3)
    res = mrmc.obuchowski_rockette(scores, truth)
    width = res.ci_random_readers[1] - res.ci_random_readers[0]
    width_fixed = res.ci_fixed_readers[1] - res.ci_fixed_readers[0]
    assert width > width_fixed > 0
    assert res.ci_random_readers[0] < res.difference < res.ci_random_readers[1]
    assert res.difference == pytest.approx(res.auc.iloc[1].mean() - res.auc.iloc[0].mean())
    assert res.ddf > 0 and 0 <= res.p_random_readers <= 1
    assert set(res.summary().index) == {"AUC difference", "95% CI, readers and cases random",
                                        "95% CI, cases random, readers fixed"}


def test_large_effect_is_found_and_the_null_is_mostly_not_rejected():
    scores, truth = mrmc.simulate_roe_metz(n_readers=6, n_negative=80, n_positive=80, delta=1.5, seed=0)
    assert mrmc.obuchowski_rockette(scores, truth).p_random_readers < 0.01
    rejections = sum(mrmc.obuchowski_rockette(*mrmc.simulate_roe_metz(delta=0.0, n_negative=30, n_positive=30,
                                                                      seed=s)).p_random_readers < 0.05
                     for s in range(30))
    assert rejections <= 5  # about 1.5 expected at a 5 % level


def test_bad_input_is_refused():
    scores, truth = mrmc.simulate_roe_metz(n_readers=2, n_negative=5, n_positive=5)
    with pytest.raises(LabelsError, match="shape"):
        mrmc.obuchowski_rockette(scores[0], truth)
    with pytest.raises(LabelsError, match="2 readers"):
        mrmc.obuchowski_rockette(scores[:, :1], truth)
    with pytest.raises(LabelsError, match="truth"):
        mrmc.obuchowski_rockette(scores, np.zeros_like(truth))
    with pytest.raises(LabelsError, match="at least 2 readers"):
        mrmc.simulate_roe_metz(n_readers=1)
