"""Hand-crafted image features and the classical classifiers that use them.

Before deep learning, a medical-image classifier was two separate pieces: a
person chose *features* (numbers computed from the pixels) and a generic
classifier learned from them. This module holds both pieces for small
grey-level images such as MedMNIST's 28 x 28 pixels:

- :func:`intensity_features`: a normalised grey-level histogram and a few
  intensity statistics (vectorised over the whole batch);
- :func:`glcm_features`: Haralick-style texture from scikit-image's grey-level
  co-occurrence matrix (``graycomatrix``/``graycoprops``);
- :func:`hog_features`: histograms of oriented gradients (``skimage.feature.hog``);
- :func:`extract_features`: all of them side by side, with names, optionally
  in parallel chunks with joblib;
- :func:`classical_models` and :func:`tune`: an RBF support-vector machine,
  logistic regression and a random forest, each a scikit-learn ``Pipeline``
  whose hyper-parameters are chosen by stratified cross-validation on ROC AUC
  (or, with :func:`select_on_validation`, on a fixed validation split);
- :func:`positive_scores`: a score in [0, 1] for the positive class from any of
  them, so :mod:`medlab.metrics` applies MedMNIST's definitions unchanged.

Introduced in the chapter "Classical ML vs deep learning"
(chapters/04_classical_vs_deep.ipynb).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from joblib import Parallel, delayed
from scipy.special import expit
from skimage.feature import graycomatrix, graycoprops, hog
from sklearn.base import BaseEstimator, clone
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV, ParameterGrid, StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from .errors import MedlabError

FEATURE_GROUPS: tuple[str, ...] = ("intensity", "glcm", "hog")
GLCM_PROPS: tuple[str, ...] = ("contrast", "dissimilarity", "homogeneity", "energy",
                               "correlation", "ASM")
GLCM_ANGLES: tuple[float, ...] = (0.0, np.pi / 4, np.pi / 2, 3 * np.pi / 4)
PERCENTILES: tuple[int, ...] = (5, 25, 50, 75, 95)


class FeatureError(MedlabError, ValueError):
    """Images, feature groups or labels the feature pipeline cannot use (also a ``ValueError``)."""


def _as_batch(images: np.ndarray) -> np.ndarray:
    images = np.asarray(images)
    if images.ndim == 2:
        images = images[None]
    if images.ndim != 3:
        raise FeatureError(f"expected N x H x W grey-level images, got shape {images.shape}; "
                           "drop the channel axis of a one-channel batch (images[:, 0] or images[..., 0])")
    if images.dtype != np.uint8:
        raise FeatureError(f"expected uint8 images (0-255), got {images.dtype}; pass the raw MedMNIST "
                           "arrays, or convert with (x * 255).round().astype(np.uint8) for images in [0, 1]")
    return images


def intensity_features(images: np.ndarray, bins: int = 16) -> np.ndarray:
    """Grey-level histogram (fractions of pixels, ``bins`` equal bins over 0-255),
    mean, standard deviation and percentiles of each image; N x (bins + 7).

    Vectorised: one ``bincount`` over the whole batch, no Python loop.
    """
    images = _as_batch(images)
    n = len(images)
    flat = images.reshape(n, -1)
    if 256 % bins:
        raise FeatureError(f"bins must divide 256, got {bins}; use a power of two such as 16 or 32")
    which = flat.astype(np.int64) // (256 // bins) + bins * np.arange(n)[:, None]
    hist = np.bincount(which.ravel(), minlength=n * bins).reshape(n, bins) / flat.shape[1]
    values = flat.astype(np.float64) / 255.0
    stats = np.column_stack([values.mean(1), values.std(1),
                             np.percentile(values, PERCENTILES, axis=1).T])
    return np.hstack([hist, stats])


def glcm_features(images: np.ndarray, distances: Sequence[int] = (1, 2, 4),
                  angles: Sequence[float] = GLCM_ANGLES, levels: int = 32,
                  props: Sequence[str] = GLCM_PROPS, average_angles: bool = True) -> np.ndarray:
    """Texture from the grey-level co-occurrence matrix of each image.

    Images are quantised to ``levels`` grey levels; for every distance and
    angle scikit-image builds the symmetric, normalised co-occurrence matrix
    and ``graycoprops`` summarises it (contrast, dissimilarity, homogeneity,
    energy, correlation, ASM). With ``average_angles`` the four directions are
    averaged, which makes the features (nearly) rotation invariant:
    N x (len(props) * len(distances)); otherwise N x (props * distances * angles).
    Correlation is set to 1 for a constant image, where it is undefined.
    """
    images = _as_batch(images)
    if 256 % levels:
        raise FeatureError(f"levels must divide 256, got {levels}; use a power of two such as 16 or 32")
    quantised = (images // (256 // levels)).astype(np.uint8)
    distances, angles = list(distances), list(angles)
    out = []
    for image in quantised:
        glcm = graycomatrix(image, distances, angles, levels=levels, symmetric=True,
                            normed=True)
        feats = np.stack([graycoprops(glcm, p) for p in props])  # props x d x a
        out.append(feats.mean(axis=2) if average_angles else feats)
    result = np.stack(out).reshape(len(images), -1)
    return np.nan_to_num(result, nan=1.0)


def hog_features(images: np.ndarray, orientations: int = 9,
                 pixels_per_cell: tuple[int, int] = (7, 7),
                 cells_per_block: tuple[int, int] = (2, 2)) -> np.ndarray:
    """Histograms of oriented gradients (Dalal & Triggs 2005) of each image.

    With the defaults a 28 x 28 image has 4 x 4 cells of 7 pixels and 3 x 3
    overlapping blocks of 2 x 2 cells: 3 * 3 * 2 * 2 * 9 = 324 features.
    """
    images = _as_batch(images)
    return np.stack([
        hog(image, orientations=orientations, pixels_per_cell=pixels_per_cell,
            cells_per_block=cells_per_block, block_norm="L2-Hys", feature_vector=True)
        for image in images
    ])


def feature_names(image_shape: tuple[int, int] = (28, 28),
                  groups: Sequence[str] = FEATURE_GROUPS,
                  params: dict[str, dict[str, Any]] | None = None) -> list[str]:
    """Names of the columns :func:`extract_features` returns, ``"group:detail"``."""
    params = params or {}
    names: list[str] = []
    for group in groups:
        p = params.get(group, {})
        if group == "intensity":
            bins = p.get("bins", 16)
            names += [f"intensity:hist{i:02d}" for i in range(bins)]
            names += ["intensity:mean", "intensity:std"] + [
                f"intensity:p{q:02d}" for q in PERCENTILES]
        elif group == "glcm":
            props = p.get("props", GLCM_PROPS)
            dists = p.get("distances", (1, 2, 4))
            angles = p.get("angles", GLCM_ANGLES)
            if p.get("average_angles", True):
                names += [f"glcm:{q}_d{d}" for q in props for d in dists]
            else:
                names += [f"glcm:{q}_d{d}_a{round(np.degrees(a))}"
                          for q in props for d in dists for a in angles]
        elif group == "hog":
            dummy = np.zeros((1, *image_shape), dtype=np.uint8)
            size = hog_features(dummy, **p).shape[1]
            names += [f"hog:{i:03d}" for i in range(size)]
        else:
            raise FeatureError(f"unknown feature group '{group}'; choose from {FEATURE_GROUPS}")
    return names


_EXTRACTORS = {"intensity": intensity_features, "glcm": glcm_features, "hog": hog_features}


def _extract(images: np.ndarray, groups: Sequence[str],
             params: dict[str, dict[str, Any]]) -> np.ndarray:
    return np.hstack([_EXTRACTORS[g](images, **params.get(g, {})) for g in groups])


def extract_features(images: np.ndarray, groups: Sequence[str] = FEATURE_GROUPS,
                     params: dict[str, dict[str, Any]] | None = None, n_jobs: int = 1,
                     chunk_size: int = 1000) -> tuple[np.ndarray, list[str]]:
    """All hand-crafted features of a batch of ``uint8`` images, and their names.

    ``groups`` picks among ``intensity``, ``glcm`` and ``hog``; ``params`` maps a
    group to keyword arguments of its function. With ``n_jobs`` other than 1
    the batch is cut into chunks of ``chunk_size`` images that joblib processes
    in parallel (worth it only for many images: starting workers costs about a
    second). Returns a ``float32`` array, N x features, and the column names.
    """
    images = _as_batch(images)
    params = params or {}
    unknown = set(groups) - set(_EXTRACTORS)
    if unknown:
        raise FeatureError(f"unknown feature group(s) {sorted(unknown)}; "
                           f"choose from {FEATURE_GROUPS}")
    names = feature_names(images.shape[1:], groups, params)
    if n_jobs == 1 or len(images) <= chunk_size:
        X = _extract(images, groups, params)
    else:
        chunks = [images[i:i + chunk_size] for i in range(0, len(images), chunk_size)]
        parts = Parallel(n_jobs=n_jobs)(delayed(_extract)(c, groups, params) for c in chunks)
        X = np.vstack(parts)
    return X.astype(np.float32), names


def feature_groups(names: Sequence[str]) -> np.ndarray:
    """The group (``intensity``, ``glcm``, ``hog``) of each feature name."""
    return np.array([n.split(":", 1)[0] for n in names])


def classical_models(seed: int = 0, small: bool = False,
                     n_jobs: int | None = None) -> dict[str, tuple[Pipeline, dict[str, list]]]:
    """The three classical classifiers and their hyper-parameter grids.

    Every model weights its classes by inverse frequency (``class_weight=
    "balanced"``), as the book's CNNs weight their loss. The SVM and logistic
    regression standardise the features first (fitted on the training folds
    only, inside the pipeline); trees need no scaling. The grids are small on
    purpose (a few points each, sized for a 2-core CPU); ``small`` gives one- or
    two-point grids and fewer trees for quick runs. ``n_jobs`` is passed to the
    random forest (trees are built in threads).
    """
    svm = Pipeline([("scale", StandardScaler()),
                    ("clf", SVC(kernel="rbf", class_weight="balanced", random_state=seed))])
    logreg = Pipeline([("scale", StandardScaler()),
                       ("clf", LogisticRegression(class_weight="balanced", max_iter=5000))])
    forest = Pipeline([("clf", RandomForestClassifier(
        n_estimators=50 if small else 100, class_weight="balanced", random_state=seed,
        n_jobs=n_jobs))])
    if small:
        grids = {"svm": {"clf__C": [1.0]}, "logreg": {"clf__C": [0.1]},
                 "forest": {"clf__min_samples_leaf": [1, 3]}}
    else:
        grids = {
            "svm": {"clf__C": [1.0, 3.0, 10.0], "clf__gamma": ["scale", 0.001]},
            "logreg": {"clf__C": [0.001, 0.01, 0.1]},
            "forest": {"clf__min_samples_leaf": [1, 4]},
        }
    return {"svm": (svm, grids["svm"]), "logreg": (logreg, grids["logreg"]),
            "forest": (forest, grids["forest"])}


def cv_folds(y: np.ndarray, folds: int = 5, seed: int = 0) -> StratifiedKFold:
    """Stratified, shuffled folds; fewer than ``folds`` when a class is rarer than that."""
    smallest = int(np.bincount(np.asarray(y).astype(int)).min())
    if smallest < 2:
        raise FeatureError(f"cross-validation needs at least two examples of every class, but one class has "
                           f"{smallest}; use a larger (stratified) training subset")
    return StratifiedKFold(n_splits=min(folds, smallest), shuffle=True, random_state=seed)


def tune(pipeline: Pipeline, grid: dict[str, list], X: np.ndarray, y: np.ndarray,
         folds: int = 5, seed: int = 0, n_jobs: int | None = None) -> GridSearchCV:
    """Grid search with stratified ``folds``-fold cross-validation on ROC AUC.

    The best setting is refitted on all of ``X``; the returned ``GridSearchCV``
    predicts with it and keeps the cross-validated scores in ``cv_results_``.
    """
    search = GridSearchCV(pipeline, grid, scoring="roc_auc", cv=cv_folds(y, folds, seed),
                          n_jobs=n_jobs, refit=True)
    return search.fit(X, y)


def select_on_validation(pipeline: Pipeline, grid: dict[str, list], X: np.ndarray,
                         y: np.ndarray, X_val: np.ndarray,
                         y_val: np.ndarray) -> tuple[Pipeline, dict[str, Any], float]:
    """Fit every grid point on ``(X, y)`` and keep the one with the best validation AUC.

    The counterpart of :func:`tune` for a fixed validation split, the way a CNN
    picks its best epoch: the model is fitted on ``X`` only (never on the
    validation data). Returns the fitted best model, its parameters and its
    validation AUC; ties go to the first grid point.
    """
    best: tuple[Pipeline, dict[str, Any], float] | None = None
    for params in ParameterGrid(grid):
        model = clone(pipeline).set_params(**params).fit(X, y)
        score = float(roc_auc_score(y_val, positive_scores(model, X_val)))
        if best is None or score > best[2]:
            best = (model, params, score)
    assert best is not None, "empty grid"
    return best


def positive_scores(model: BaseEstimator, X: np.ndarray) -> np.ndarray:
    """A score in [0, 1] for class 1: ``predict_proba`` where the model has it, else
    the logistic function of ``decision_function`` (for an SVM), so that 0.5 is
    the model's own decision boundary and the ranking (the AUC) is unchanged.
    """
    if hasattr(model, "predict_proba"):
        try:
            return model.predict_proba(X)[:, 1]
        except AttributeError:  # e.g. SVC(probability=False) inside a search
            pass
    return expit(model.decision_function(X))


__all__ = [
    "FEATURE_GROUPS", "GLCM_PROPS", "intensity_features", "glcm_features", "hog_features",
    "feature_names", "extract_features", "feature_groups", "classical_models", "cv_folds",
    "tune", "select_on_validation", "positive_scores", "FeatureError",
]
