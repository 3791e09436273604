"""medlab.generative.fidelity: Fréchet intervals, the real-vs-real floor, precision/recall/density/coverage and
ImageNet features, against hand-checked examples, scikit-learn and the network's own forward pass (chapter 08)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.neighbors import NearestNeighbors

from medlab.errors import MedlabError
from medlab.generative import fidelity, metrics


def test_prdc_hand_checked_example():
    # real 0, 1, 2, 3 (k=1 radii all 1); fake 0.5 (inside the balls of 0 and 1) and 10 (inside no real ball);
    # fake radii 9.5, so every real point lies in a fake ball
    real, fake = np.array([[0.0], [1.0], [2.0], [3.0]]), np.array([[0.5], [10.0]])
    out = fidelity.prdc(real, fake, k=1)
    assert out == {"precision": 0.5, "recall": 1.0, "density": 1.0, "coverage": 0.5}


def test_prdc_radii_match_scikit_learn_and_distributions_behave():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(300, 4))
    k = 5
    nn = NearestNeighbors(n_neighbors=k + 1).fit(real)
    np.testing.assert_allclose(fidelity._kth_radius(real, k), nn.kneighbors(real)[0][:, k], rtol=1e-10)
    same = fidelity.prdc(real, rng.normal(size=(300, 4)), k=k)
    assert same["precision"] > 0.8 and same["recall"] > 0.8 and 0.7 < same["density"] < 1.3
    assert same["coverage"] > 0.8
    # a collapsed generator (all samples near one real point): realistic but no variety
    collapsed = fidelity.prdc(real, real[:1] + rng.normal(0, 0.01, (300, 4)), k=k)
    assert collapsed["precision"] == 1.0 and collapsed["coverage"] < 0.05 and collapsed["recall"] < 0.05
    # a shifted generator: neither realistic nor covering
    shifted = fidelity.prdc(real, rng.normal(size=(300, 4)) + 6, k=k)
    assert shifted["precision"] < 0.05 and shifted["coverage"] < 0.05
    with pytest.raises(MedlabError, match="k="):
        fidelity.prdc(real[:3], real[:3], k=5)
    with pytest.raises(ValueError, match="width"):
        fidelity.prdc(real, real[:, :2])


def test_frechet_interval_brackets_the_estimate_and_narrows_with_n():
    rng = np.random.default_rng(1)
    a, b = rng.normal(0, 1, (400, 1)), rng.normal(0.5, 1, (400, 1))
    est = fidelity.frechet_interval(a, b, n_boot=200, seed=0)
    assert est.value == pytest.approx(metrics.frechet_distance(a, b))
    assert est.low < est.value < est.high and len(est.replicates) == 200
    # the interval is the replicates' percentile interval shifted by their mean excess over the estimate
    bias = est.replicates.mean() - est.value
    assert est.low == pytest.approx(np.quantile(est.replicates, 0.025) - bias)
    assert est.high == pytest.approx(np.quantile(est.replicates, 0.975) - bias)
    # in many dimensions with few images the replicates lie far above the estimate; the shifted interval still holds it
    wide_a, wide_b = rng.normal(size=(60, 300)), rng.normal(size=(60, 300))
    wide = fidelity.frechet_interval(wide_a, wide_b, n_boot=50, seed=0)
    assert np.quantile(wide.replicates, 0.025) > wide.value and wide.low < wide.value < wide.high
    assert est.low < 0.25 < est.high  # the true distance (mean shift 0.5, equal sd)
    again = fidelity.frechet_interval(a, b, n_boot=200, seed=0)
    np.testing.assert_array_equal(est.replicates, again.replicates)
    small = fidelity.frechet_interval(a[:40], b[:40], n_boot=200, seed=0)
    assert (small.high - small.low) > (est.high - est.low)
    assert str(est).count("[") == 1
    with pytest.raises(MedlabError):
        fidelity.frechet_interval(a, b, n_boot=1)


def test_fast_frechet_equals_the_feature_space_formula_when_features_outnumber_samples():
    rng = np.random.default_rng(2)
    a, b = rng.normal(size=(30, 200)), rng.normal(0.2, 1.3, (45, 200))  # d > n: both covariances singular
    assert fidelity._frechet(a, b) == pytest.approx(metrics.frechet_distance(a, b), rel=1e-7)
    assert fidelity._frechet(b, a) == pytest.approx(metrics.frechet_distance(a, b), rel=1e-7)
    small = rng.normal(size=(50, 3)), rng.normal(size=(60, 3))
    assert fidelity._frechet(*small) == metrics.frechet_distance(*small)


def test_real_split_floor_draws_disjoint_samples():
    # pool 0, 0, 10, 10 split 2 + 2: either {0, 0} vs {10, 10} (distance 100) or {0, 10} vs {0, 10} (0);
    # drawing with replacement, or overlapping samples, would give other values
    pool = np.array([[0.0], [0.0], [10.0], [10.0]])
    d = fidelity.real_split_floor(pool, 2, 2, n_splits=60, seed=0)
    assert len(d) == 60 and set(np.round(d, 6)) == {0.0, 100.0}
    np.testing.assert_array_equal(d, fidelity.real_split_floor(pool, 2, 2, n_splits=60, seed=0))
    with pytest.raises(MedlabError, match="distinct rows"):
        fidelity.real_split_floor(pool, 3, 2)


@pytest.mark.slow
def test_imagenet_features_are_the_pooled_head_of_efficientnet():
    from medlab import transfer

    images = np.random.default_rng(0).integers(0, 256, (3, 28, 28), dtype=np.uint8)
    feats = fidelity.imagenet_features(images, size=32)
    assert feats.shape == (3, 1280)
    model = transfer.efficientnet_lite0(pretrained=True, image_size=32)
    x = transfer.ImageNetInput(32)(torch.from_numpy(images).float().div(127.5).sub(1).unsqueeze(1))
    with torch.no_grad():
        direct = model.extract_features(x).mean(dim=(2, 3)).numpy()
    np.testing.assert_allclose(feats, direct, rtol=1e-4, atol=1e-5)
    with pytest.raises(MedlabError, match="uint8"):
        fidelity.imagenet_features(images.astype(float))
