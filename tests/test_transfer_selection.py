"""medlab.transfer_selection: tuning split, winner's curse, paired seeds (chapter 06)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from medlab import data, transfer_selection
from medlab.errors import MedlabError


@pytest.fixture
def toy(monkeypatch) -> data.MedMNISTDataset:
    rng = np.random.default_rng(0)
    labels = np.r_[np.zeros(30, int), np.ones(70, int)]
    rng.shuffle(labels)
    images = rng.integers(0, 255, (100, 28, 28), dtype=np.uint8)
    monkeypatch.setattr(data.medmnist, "load_arrays", lambda name, split: (images, labels))
    return data.MedMNISTDataset("toy", "train")


def test_stratified_split_matches_sklearn_and_partitions(toy):
    rest, part = transfer_selection.stratified_split(toy, 0.2, seed=3)
    _, expected = train_test_split(np.arange(100), test_size=20, stratify=toy.labels, random_state=3)
    assert sorted(part.indices.tolist()) == sorted(toy.indices[expected].tolist())
    assert len(rest) == 80 and len(part) == 20
    assert not set(rest.indices) & set(part.indices)
    assert np.bincount(part.labels).tolist() == [6, 14]  # the class shares of the whole
    np.testing.assert_array_equal(part.images[0], toy.images[part.indices[0]])


def test_stratified_split_refuses_bad_fractions(toy):
    with pytest.raises(MedlabError, match="strictly between"):
        transfer_selection.stratified_split(toy, 1.0)


def test_rank_auc_matches_sklearn():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, (5, 40))
    s = np.round(rng.normal(size=(5, 40)), 1)  # ties included
    got = transfer_selection._auc_rows(y, s)
    np.testing.assert_allclose(got, [roc_auc_score(y[i], s[i]) for i in range(5)])


def test_winners_curse_is_positive_among_noise_and_small_for_a_clear_winner():
    rng = np.random.default_rng(2)
    y = np.r_[np.zeros(40, int), np.ones(40, int)]
    noise = {f"c{i}": [rng.normal(size=80)] for i in range(15)}
    r = transfer_selection.winners_curse(y, noise, n_boot=500, seed=0)
    assert r.val_auc == pytest.approx(max(roc_auc_score(y, v[0]) for v in noise.values()))
    assert r.optimism > 0.03  # the best of 15 coin flips looks better than it is
    assert r.corrected < r.val_auc
    clear = {"good": [y + rng.normal(scale=0.5, size=80)], "bad": [rng.normal(size=80)]}
    r2 = transfer_selection.winners_curse(y, clear, n_boot=500, seed=0)
    assert r2.winner == "good" and r2.win_share["good"] > 0.99
    assert abs(r2.optimism) < 0.02
    with pytest.raises(MedlabError, match="one score per validation image"):
        transfer_selection.winners_curse(y, {"x": [np.zeros(3)]})


def test_paired_seeds_matches_scipy():
    a, b = [0.80, 0.84, 0.79, 0.86, 0.83], [0.78, 0.80, 0.80, 0.81, 0.79]
    r = transfer_selection.paired_seeds(a, b)
    ref = stats.ttest_rel(a, b)
    assert r.p == pytest.approx(ref.pvalue)
    ci = ref.confidence_interval(0.95)
    assert (r.lower, r.upper) == pytest.approx((ci.low, ci.high))
    assert r.wins == 4 and r.n == 5
    one = transfer_selection.paired_seeds([0.8], [0.7])
    assert np.isnan(one.p) and one.mean_difference == pytest.approx(0.1)
    with pytest.raises(MedlabError):
        transfer_selection.paired_seeds([0.8, 0.9], [0.7])
