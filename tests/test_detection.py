"""medlab.detection against scikit-learn and statsmodels, and on cases worked by hand (chapter 14)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, precision_recall_curve

from medlab import detection as de


def test_match_points_wants_one_score_per_detection():
    with pytest.raises(de.DetectionError, match="2 detections but 1 scores"):
        de.match_points([[0, 0]], [[0, 1], [0, 0]], [0.2], radius=2)
    assert issubclass(de.DetectionError, ValueError)


def test_ap_equals_sklearn_when_every_reference_is_detected():
    rng = np.random.default_rng(0)
    ref = rng.uniform(0, 500, size=(40, 2))
    det = np.r_[ref + rng.normal(0, 1, ref.shape), rng.uniform(0, 500, size=(25, 2))]
    scores = np.r_[rng.uniform(0.3, 1, 40), rng.uniform(0, 0.8, 25)]
    ranked = de.match_points(ref, det, scores, radius=5.0)
    assert ranked.is_tp.sum() == 40  # every reference found: the ranked list is a binary ranking problem
    y = ranked.is_tp.astype(int)
    assert ranked.average_precision() == pytest.approx(average_precision_score(y, ranked.scores), abs=1e-12)
    p, r, _ = ranked.precision_recall()
    sp, sr, _ = precision_recall_curve(y, ranked.scores)
    assert np.allclose(p[::-1], sp[:-1]) and np.allclose(r[::-1], sr[:-1])


def test_missed_references_scale_ap():
    ref = np.array([[0, 0], [10, 0], [20, 0], [100, 100]])
    det = np.array([[0, 1], [10, 1], [50, 50], [20, 1]])
    ranked = de.match_points(ref, det, [0.9, 0.8, 0.7, 0.6], radius=3)
    assert ranked.is_tp.tolist() == [True, True, False, True]
    # recall steps 1/4, 1/4, 0, 1/4 at precisions 1, 1, 2/3, 3/4
    assert ranked.average_precision() == pytest.approx(0.25 * (1 + 1 + 0.75))


def test_one_detection_per_reference_higher_score_first():
    ranked = de.match_points([[0, 0]], [[0, 1], [0, 0]], [0.2, 0.9], radius=2)
    assert ranked.is_tp.tolist() == [True, False]  # the 0.9 detection takes it; the 0.2 one is a duplicate


def test_froc_hand_case():
    # 2 images, 4 references; ranked: TP, FP, TP, FP, FP, TP
    ranked = de.RankedDetections(scores=np.array([6, 5, 4, 3, 2, 1.0]),
                                 is_tp=np.array([1, 0, 1, 0, 0, 1], bool), n_ref=4, n_images=2)
    fppi, sens = ranked.froc()
    assert fppi.tolist() == [0, 0.5, 0.5, 1, 1.5, 1.5] and sens.tolist() == [0.25, 0.25, 0.5, 0.5, 0.5, 0.75]
    score, at = ranked.froc_score((0.25, 0.5, 2.0))
    assert at.tolist() == [0.25, 0.5, 0.75] and score == pytest.approx(0.5)


def test_wilson_matches_statsmodels():
    sm = pytest.importorskip("statsmodels.stats.proportion")
    for k, n in ((0, 8), (3, 8), (8, 8), (2239, 2273)):
        assert de.wilson_interval(k, n) == pytest.approx(sm.proportion_confint(k, n, method="wilson"), abs=1e-12)
    assert np.isnan(de.wilson_interval(0, 0)[0])
