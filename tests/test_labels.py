"""medlab.labels against the libraries it wraps: scikit-learn, statsmodels, krippendorff, SimpleITK, MONAI, cleanlab."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import ndimage

# the wrapped libraries, imported once at collection (MONAI's first import alone takes seconds)
pytest.importorskip("cleanlab")
pytest.importorskip("krippendorff")
pytest.importorskip("SimpleITK")
pytest.importorskip("statsmodels")
pytest.importorskip("monai.metrics")

from medlab.errors import MedlabError  # noqa: E402
from medlab.labels import LabelsError, active, agreement, consensus, learners, noise, readers, semi  # noqa: E402


@pytest.fixture(scope="module")
def blob() -> np.ndarray:
    """A 3D reference mask: a ball on slices 2-6 and a small satellite of 8 voxels."""
    z, yy, xx = np.mgrid[:9, :40, :40]
    mask = ((yy - 20) ** 2 + (xx - 18) ** 2 < 100) & (z >= 2) & (z <= 6)
    mask[4, 35:37, 5:9] = True
    return mask.astype(np.uint8)


# ------------------------------------------------------------------------------------------- readers


def test_reader_boundary_bias_erodes_and_dilates_in_plane(blob):
    tight = readers.simulate_reader(blob, readers.ReaderModel("t", boundary=-1))
    generous = readers.simulate_reader(blob, readers.ReaderModel("g", boundary=2))
    assert tight.sum() < blob.sum() < generous.sum()
    assert (tight <= blob.astype(bool)).all() and (generous >= blob.astype(bool)).all()
    # in-plane only: no slice without tumour gains any
    assert not generous[[0, 1, 7, 8]].any()


def test_reader_misses_small_components_and_skips_slices(blob):
    missed = readers.simulate_reader(blob, readers.ReaderModel("m", miss_below=20, miss_prob=1.0))
    assert ndimage.label(missed)[1] == 1 and blob.sum() - missed.sum() == 8
    edges = readers.simulate_reader(blob, readers.ReaderModel("e", skip_edges=True))
    assert agreement.slice_calls(edges).tolist() == [0, 0, 0, 1, 1, 1, 0, 0, 0]
    all_skipped = readers.simulate_reader(blob, readers.ReaderModel("s", skip_prob=1.0))
    assert not all_skipped.any()


def test_reader_rejects_non_binary_masks(blob):
    with pytest.raises(LabelsError, match="binary"):
        readers.simulate_reader(blob * 3, readers.ReaderModel("x"))
    with pytest.raises(MedlabError, match="3D"):
        readers.simulate_reader(blob[0], readers.ReaderModel("x"))


def test_crop_keeps_every_foreground_voxel(blob):
    box = readers.crop_to([blob], margin=2)
    assert blob[box].sum() == blob.sum()
    assert blob[box].shape[1] < blob.shape[1]


# ----------------------------------------------------------------------------------------- agreement


def test_pairwise_kappa_matches_scikit_learn():
    from sklearn.metrics import cohen_kappa_score

    rng = np.random.default_rng(0)
    calls = pd.DataFrame({r: rng.integers(0, 3, 60) for r in "abc"})
    table = agreement.pairwise_kappa(calls, weights="quadratic")
    assert table.loc["a", "c"] == pytest.approx(cohen_kappa_score(calls.a, calls.c, weights="quadratic"))
    assert table.loc["c", "a"] == table.loc["a", "c"] and (np.diag(table) == 1).all()


def test_fleiss_kappa_matches_textbook_example():
    # Fleiss (1971)-style check: 2 readers, Fleiss' kappa equals Scott's pi, computed by hand
    a = np.array([1, 1, 0, 0, 1, 0, 1, 1, 0, 1])
    b = np.array([1, 0, 0, 0, 1, 0, 1, 1, 1, 1])
    p = (a.mean() + b.mean()) / 2
    pe = p**2 + (1 - p) ** 2
    po = np.mean(a == b)
    assert agreement.fleiss_kappa({"a": a, "b": b}) == pytest.approx((po - pe) / (1 - pe))
    assert agreement.fleiss_kappa({"a": a, "b": a, "c": a}) == pytest.approx(1.0)


def test_krippendorff_alpha_agrees_with_fleiss_for_large_complete_data():
    rng = np.random.default_rng(1)
    truth = rng.integers(0, 2, 2000)
    calls = {r: np.where(rng.random(2000) < 0.1, 1 - truth, truth) for r in "abcd"}
    # alpha applies a small-sample correction (n / (n - 1) in the disagreement), negligible at n = 8000 calls
    assert agreement.krippendorff_alpha(calls) == pytest.approx(agreement.fleiss_kappa(calls), abs=2e-3)
    missing = pd.DataFrame(calls).astype(float)
    missing.iloc[:10, 0] = np.nan
    assert np.isfinite(agreement.krippendorff_alpha(missing))
    with pytest.raises(LabelsError, match="missing"):
        agreement.fleiss_kappa(missing)


def test_dice_matches_monai(blob):
    import torch
    from monai.metrics import compute_dice

    other = readers.simulate_reader(blob, readers.ReaderModel("g", boundary=1))
    ours = agreement.dice(blob, other)
    theirs = compute_dice(torch.from_numpy(other[None, None].astype(np.float32)),
                          torch.from_numpy(blob[None, None].astype(np.float32))).item()
    assert ours == pytest.approx(theirs, rel=1e-6)
    assert agreement.dice(np.zeros((2, 2)), np.zeros((2, 2))) == 1.0
    with pytest.raises(LabelsError, match="shape"):
        agreement.dice(blob, blob[:-1])


def test_surface_distances_of_a_one_pixel_dilation(blob):
    ball = (blob.astype(bool) & ~(np.arange(40) >= 30)[None, :, None])  # drop the satellite
    grown = readers.simulate_reader(ball, readers.ReaderModel("g", boundary=1))
    out = agreement.mask_agreement(ball, grown, spacing=(5.0, 0.5, 0.5))
    assert out["hd95_mm"] == pytest.approx(0.5, abs=0.25)  # one in-plane pixel, 0.5 mm
    assert 0 < out["assd_mm"] <= 0.5
    assert np.isnan(agreement.mask_agreement(ball, np.zeros_like(ball), (1, 1, 1))["hd95_mm"])


# ----------------------------------------------------------------------------------------- consensus


def test_majority_vote_matches_simpleitk_label_voting(blob):
    masks = [readers.simulate_reader(blob, readers.ReaderModel(str(b), boundary=b)) for b in (-1, 0, 1, 2, 3)]
    mv = consensus.majority_vote(masks)
    assert (mv == consensus.label_voting(masks)).all()
    assert (mv == masks[2]).all()  # the median of nested masks is the middle one


def test_staple_recovers_reader_performance(blob):
    ref = blob.astype(bool)
    masks = [ref, ref, ref, readers.simulate_reader(blob, readers.ReaderModel("t", boundary=-2))]
    st = consensus.staple(masks)
    assert (st.mask() == ref).all()
    assert st.sensitivity[0] == pytest.approx(1.0, abs=1e-3)
    assert st.sensitivity[3] == pytest.approx(masks[3].sum() / ref.sum(), abs=0.02)
    with pytest.raises(LabelsError, match="shape"):
        consensus.staple([ref, ref[:-1]])


# -------------------------------------------------------------------------------------------- noise


def test_flip_labels_flips_exactly_the_share_asked():
    y = np.repeat([0, 1, 2], 50)
    noisy, flipped = noise.flip_labels(y, 0.2, seed=3)
    assert flipped.sum() == 30 and ((noisy != y) == flipped).all()
    with pytest.raises(LabelsError, match="rate"):
        noise.flip_labels(y, 1.5)
    with pytest.raises(LabelsError, match="single class"):
        noise.flip_labels(np.zeros(5, int), 0.1)


def test_confident_learning_finds_planted_flips():
    from sklearn.datasets import make_classification
    from sklearn.linear_model import LogisticRegression

    X, y = make_classification(n_samples=400, n_features=5, class_sep=3.0, flip_y=0, random_state=0)
    noisy, flipped = noise.flip_labels(y, 0.1, seed=0)
    probs = noise.out_of_fold_probs(LogisticRegression(), X, noisy, seed=0)
    found = noise.find_label_issues(noisy, probs)
    q = noise.search_quality(found, flipped)
    assert q["precision"] > 0.8 and q["recall"] > 0.8
    ranked = noise.find_label_issues(noisy, probs, ranked=True)
    assert set(ranked) == set(np.flatnonzero(found))
    assert len(noise.refit_without(LogisticRegression(), X, noisy, found).coef_[0]) == 5


def test_search_quality_counts():
    q = noise.search_quality(np.array([1, 1, 0, 0], bool), np.array([1, 0, 1, 0], bool))
    assert (q["precision"], q["recall"], q["hits"]) == (0.5, 0.5, 1)


# --------------------------------------------------------------------------------- active and semi


def test_entropy_and_bald():
    assert active.binary_entropy(np.array([0.5]))[0] == pytest.approx(np.log(2))
    assert active.binary_entropy(np.array([0.0, 1.0])).max() < 1e-9
    agree = np.full((10, 3), 0.5)  # every sample unsure, no disagreement: BALD 0
    disagree = np.tile([[0.0], [1.0]], (5, 3))  # samples confident but opposite: BALD log 2
    assert active.bald_score(agree) == pytest.approx(np.zeros(3), abs=1e-9)
    assert active.bald_score(disagree) == pytest.approx(np.full(3, np.log(2)), abs=1e-6)


def test_labels_to_reach_interpolates():
    assert active.labels_to_reach([20, 40, 60], [0.6, 0.7, 0.8], 0.75) == pytest.approx(50)
    assert active.labels_to_reach([20, 40], [0.8, 0.9], 0.7) == 20
    assert np.isnan(active.labels_to_reach([20, 40], [0.6, 0.65], 0.7))


@pytest.fixture(scope="module")
def separable():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    X = rng.normal(0, 1, (300, 6)) + 1.5 * y[:, None]
    return X.astype(np.float32), y


def test_mlp_learns_and_mc_dropout_varies(separable):
    from sklearn.metrics import roc_auc_score

    X, y = separable
    model = learners.fit_mlp(X[:200], y[:200], epochs=60)
    assert roc_auc_score(y[200:], learners.predict_proba(model, X[200:])) > 0.9
    samples = learners.predict_proba(model, X[200:], mc_samples=5)
    assert samples.shape == (5, 100) and samples.std(axis=0).mean() > 0
    with pytest.raises(LabelsError, match="both classes"):
        learners.fit_mlp(X[:5], np.zeros(5, int))


def test_active_learning_loop_spends_the_budget(separable):
    X, y = separable
    for strategy in active.STRATEGIES:
        curve = active.active_learning(X[:200], y[:200], X[200:], y[200:], strategy, start=10, step=10, rounds=2,
                                       epochs=30)
        assert curve["labels"].tolist() == [10, 20, 30] and (curve.auc > 0.5).all()
    with pytest.raises(LabelsError, match="unknown strategy"):
        active.acquire("nope", None, X, 3, np.random.default_rng(0))


def test_semi_supervised_methods_run_and_add_only_confident_items(separable):
    from sklearn.metrics import roc_auc_score

    X, y = separable
    model, added = semi.pseudo_label(X[:20], y[:20], X[20:200], threshold=0.999, epochs=60)
    assert 0 <= added < 180
    teacher = semi.mean_teacher(X[:20], y[:20], X[20:200], epochs=60)
    assert roc_auc_score(y[200:], learners.predict_proba(teacher, X[200:])) > 0.8
