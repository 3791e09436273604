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


def test_froc_rate_sets_are_named_after_their_challenges():
    assert de.CAMELYON16_FP_RATES == (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)  # 6 rates per slide
    assert de.LUNA16_FP_RATES == (0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0)  # 7 rates per scan (CPM)
    assert de.FROC_FP_RATES == de.LUNA16_FP_RATES  # deprecated alias keeps its old value
    ranked = de.RankedDetections(scores=np.arange(20, 0, -1.0), is_tp=np.array([1, 0] * 10, bool), n_ref=12,
                                 n_images=4)
    cam, cam_at = ranked.camelyon16_score()
    cpm, cpm_at = ranked.luna16_cpm()
    assert len(cam_at) == 6 and len(cpm_at) == 7
    assert cam == pytest.approx(np.mean(cam_at)) and cpm == pytest.approx(np.mean(cpm_at))
    assert np.allclose(cpm_at[1:], cam_at)  # the two share six rates
    assert cpm == pytest.approx((6 * cam + cpm_at[0]) / 7)


def _camelyon16_script(scores, is_tp, n_ref, n_images, rates):
    """CAMELYON16's Evaluation_FROC.py read-out: FP/TP counts above each threshold, then np.interp."""
    probs = sorted(set(scores))
    fps, tps = [], []
    for thr in probs[1:]:
        fps.append(((scores >= thr) & ~is_tp).sum())
        tps.append(((scores >= thr) & is_tp).sum())
    fps.append(0)
    tps.append(0)
    fps = np.asarray(fps) / n_images
    sens = np.asarray(tps) / n_ref
    return np.interp(rates, fps[::-1], sens[::-1])


def test_interpolated_froc_matches_the_camelyon16_script():
    rng = np.random.default_rng(3)
    scores = rng.permutation(np.linspace(0.01, 1, 60))
    order = np.argsort(-scores)
    is_tp = (rng.random(60) < np.linspace(0.9, 0.1, 60))[np.argsort(order)]  # high scores mostly true
    ranked = de.RankedDetections(scores=scores[order], is_tp=is_tp[order], n_ref=40, n_images=5)
    _, ours = ranked.camelyon16_score(interpolate=True)
    # the script drops the lowest threshold (its first loop starts at probs[1:]); rates below its last point agree
    theirs = _camelyon16_script(scores, is_tp, 40, 5, de.CAMELYON16_FP_RATES)
    fp_total = (~is_tp).sum() / 5
    keep = np.asarray(de.CAMELYON16_FP_RATES) < fp_total - 1
    assert keep.sum() >= 4 and np.allclose(ours[keep], theirs[keep])
    _, step = ranked.camelyon16_score()
    assert np.all(step <= ours + 1e-12)  # the step read-out is never above the interpolated one


def test_froc_score_rejects_bad_rates_and_match_points_bad_n_images():
    ranked = de.RankedDetections(scores=np.array([1.0]), is_tp=np.array([True]), n_ref=1)
    with pytest.raises(de.DetectionError, match="positive false-positive rates"):
        ranked.froc_score((0.0, 1.0))
    with pytest.raises(de.DetectionError, match="n_images must be at least 1"):
        de.match_points([[0, 0]], [[0, 0]], [1.0], radius=1, n_images=0)


def test_wilson_rejects_impossible_counts():
    with pytest.raises(de.DetectionError, match="0 <= successes <= n"):
        de.wilson_interval(9, 8)
    with pytest.raises(de.DetectionError, match="level"):
        de.wilson_interval(1, 8, level=95)
