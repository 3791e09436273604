"""Hand-crafted features agree with scikit-image and NumPy; classical models tune and score."""

import numpy as np
import pytest
from scipy.special import expit
from skimage.feature import graycomatrix, graycoprops, hog
from sklearn.base import clone
from sklearn.model_selection import ParameterGrid

from medlab import features as F


def _images(n=12, seed=0):
    """Random 28-px uint8 images: half smooth and dark, half noisy and bright."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    base = np.where(y[:, None, None] == 1, 150, 70)
    noise = rng.normal(0, 1, (n, 28, 28)) * np.where(y[:, None, None] == 1, 40, 8)
    return np.clip(base + noise, 0, 255).astype(np.uint8), y


def test_intensity_histogram_matches_numpy():
    images, _ = _images()
    feats = F.intensity_features(images, bins=16)
    assert feats.shape == (len(images), 16 + 7)
    for img, row in zip(images, feats):
        counts, _ = np.histogram(img, bins=16, range=(0, 256))
        assert np.allclose(row[:16], counts / img.size)
        assert row[16] == pytest.approx(img.mean() / 255)
        assert row[17] == pytest.approx(img.std() / 255)
        assert row[18 + 2] == pytest.approx(np.median(img) / 255)  # p50


def test_intensity_constant_image_and_bad_input():
    feats = F.intensity_features(np.full((28, 28), 255, np.uint8), bins=8)
    assert feats.shape == (1, 15)
    assert feats[0, 7] == 1.0 and feats[0, :7].sum() == 0
    with pytest.raises(F.FeatureError, match="uint8"):
        F.intensity_features(np.zeros((2, 28, 28), np.float32))
    assert issubclass(F.FeatureError, ValueError)
    with pytest.raises(F.FeatureError, match="divide"):
        F.intensity_features(np.zeros((2, 28, 28), np.uint8), bins=10)


def test_glcm_matches_scikit_image():
    images, _ = _images(4)
    dists, angles = (1, 2), (0, np.pi / 2)
    feats = F.glcm_features(images, distances=dists, angles=angles, levels=16,
                            average_angles=False)
    assert feats.shape == (4, len(F.GLCM_PROPS) * 2 * 2)
    q = images[1] // 16
    glcm = graycomatrix(q, list(dists), list(angles), levels=16, symmetric=True, normed=True)
    expected = np.stack([graycoprops(glcm, p) for p in F.GLCM_PROPS]).ravel()
    assert np.allclose(feats[1], expected)
    averaged = F.glcm_features(images, distances=dists, angles=angles, levels=16)
    assert averaged.shape == (4, len(F.GLCM_PROPS) * 2)
    assert np.allclose(averaged[1], expected.reshape(-1, 2, 2).mean(2).ravel())


def test_glcm_constant_image_is_finite():
    feats = F.glcm_features(np.zeros((1, 28, 28), np.uint8))
    assert np.isfinite(feats).all()


def test_hog_matches_scikit_image():
    images, _ = _images(3)
    feats = F.hog_features(images)
    assert feats.shape == (3, 324)
    expected = hog(images[2], orientations=9, pixels_per_cell=(7, 7), cells_per_block=(2, 2))
    assert np.allclose(feats[2], expected)


@pytest.mark.slow  # joblib starts worker processes
def test_extract_features_names_parallel_and_errors():
    images, _ = _images(10)
    X, names = F.extract_features(images)
    assert X.dtype == np.float32 and X.shape == (10, len(names))
    groups = F.feature_groups(names)
    assert set(groups) == set(F.FEATURE_GROUPS)
    assert (groups == "hog").sum() == 324 and (groups == "glcm").sum() == 18
    assert len(set(names)) == len(names)
    X2, names2 = F.extract_features(images, n_jobs=2, chunk_size=3)
    assert names2 == names and np.allclose(X, X2)
    X3, names3 = F.extract_features(images, groups=("glcm",),
                                    params={"glcm": {"average_angles": False}})
    assert X3.shape == (10, len(names3)) == (10, 72)
    with pytest.raises(F.FeatureError, match="unknown feature group"):
        F.extract_features(images, groups=("sift",))
    with pytest.raises(F.FeatureError, match="N x H x W"):
        F.extract_features(np.zeros((2, 3, 28, 28), np.uint8))


def test_features_separate_textures():
    images, y = _images(40)
    X, _ = F.extract_features(images)
    models = F.classical_models(small=True)
    search = F.tune(*models["logreg"], X, y, folds=3)
    assert search.best_score_ > 0.95
    assert set(search.cv_results_["params"][0]) == {"clf__C"}


def test_classical_models_grids_match_pipelines():
    for small in (False, True):
        models = F.classical_models(seed=1, small=small)
        assert set(models) == {"svm", "logreg", "forest"}
        for pipe, grid in models.values():
            params = pipe.get_params()
            assert all(key in params for key in grid)
            assert params["clf__class_weight"] == "balanced"


def test_cv_folds_shrinks_for_rare_class():
    y = np.array([0] * 3 + [1] * 20)
    assert F.cv_folds(y, 5).get_n_splits() == 3
    assert F.cv_folds(np.array([0] * 10 + [1] * 10), 5).get_n_splits() == 5
    with pytest.raises(F.FeatureError, match="two examples"):
        F.cv_folds(np.array([0] + [1] * 9))


def test_positive_scores_svm_and_forest():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 4))
    y = (X[:, 0] + 0.3 * rng.normal(size=60) > 0).astype(int)
    models = F.classical_models(small=True)
    svm = models["svm"][0].fit(X, y)
    s = F.positive_scores(svm, X)
    assert np.allclose(s, expit(svm.decision_function(X)))
    assert np.array_equal((s > 0.5).astype(int), svm.predict(X))
    forest = models["forest"][0].fit(X, y)
    p = F.positive_scores(forest, X)
    assert np.allclose(p, forest.predict_proba(X)[:, 1])


def test_select_on_validation_fits_on_training_data_only():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(80, 3))
    y = (X[:, 0] > 0).astype(int)
    X_val = rng.normal(size=(40, 3))
    y_val = (X_val[:, 0] > 0).astype(int)
    pipe, _ = F.classical_models()["logreg"]
    grid = {"clf__C": [1e-4, 1.0]}
    model, params, score = F.select_on_validation(pipe, grid, X, y, X_val, y_val)
    assert params in list(ParameterGrid(grid))
    assert score > 0.9
    assert model.named_steps["scale"].n_samples_seen_ == 80  # not refitted on validation
    ref = clone(pipe).set_params(**params).fit(X, y)
    assert np.allclose(F.positive_scores(model, X_val), F.positive_scores(ref, X_val))
