"""Label noise on purpose, and confident learning to find it again.

:func:`flip_labels` corrupts a known fraction of training labels;
:func:`out_of_fold_probs` gives every training example a predicted
probability from a model that did not see it (cross-validation, as confident
learning requires); :func:`find_label_issues` asks cleanlab (Northcutt, Jiang
& Chuang, JAIR 2021) which given labels disagree with those probabilities
more than the estimated noise rates allow; :func:`search_quality` scores that
search against the flips we know.

Introduced in the chapter "Data and labels" (chapters/12_data_and_labels.ipynb).
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from . import LabelsError


def flip_labels(labels: np.ndarray, rate: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Flip ``round(rate * n)`` labels chosen uniformly at random (each to another class, uniformly).

    Returns the noisy labels and a boolean array marking the flipped examples.
    """
    y = np.asarray(labels)
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
        raise LabelsError(f"flip_labels: expected one integer class per example, got {y.dtype} of shape {y.shape}")
    if not 0 <= rate <= 1:
        raise LabelsError(f"flip_labels: rate must lie in [0, 1], got {rate}")
    classes = np.unique(y)
    if len(classes) < 2:
        raise LabelsError("flip_labels: the labels hold a single class; there is nothing to flip to")
    rng = np.random.default_rng(seed)
    flipped = np.zeros(len(y), bool)
    flipped[rng.choice(len(y), size=int(round(rate * len(y))), replace=False)] = True
    noisy = y.copy()
    for i in np.flatnonzero(flipped):
        noisy[i] = rng.choice(classes[classes != y[i]])
    return noisy, flipped


def out_of_fold_probs(estimator: BaseEstimator, X: np.ndarray, y: np.ndarray, folds: int = 5,
                      seed: int = 0) -> np.ndarray:
    """Predicted class probabilities of each example from a model trained on the other folds."""
    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    return cross_val_predict(clone(estimator), X, y, cv=cv, method="predict_proba")


def find_label_issues(labels: np.ndarray, probs: np.ndarray, ranked: bool = False) -> np.ndarray:
    """cleanlab's confident-learning search: a boolean mask of likely label errors.

    With ``ranked=True``, the indices of the flagged examples instead, most
    likely error first (ranked by cleanlab's self-confidence score).
    """
    from cleanlab.filter import find_label_issues as _find

    labels = np.asarray(labels)
    if len(labels) != len(probs):
        raise LabelsError(f"find_label_issues: {len(labels)} labels but {len(probs)} rows of probabilities")
    return _find(labels, probs, return_indices_ranked_by="self_confidence" if ranked else None)


def search_quality(found: np.ndarray, flipped: np.ndarray) -> dict[str, float]:
    """Precision and recall of a search for flipped labels (``found`` and ``flipped`` are boolean masks)."""
    found, flipped = np.asarray(found, bool), np.asarray(flipped, bool)
    hits = int((found & flipped).sum())
    return {"flagged": int(found.sum()), "flipped": int(flipped.sum()), "hits": hits,
            "precision": hits / found.sum() if found.any() else float("nan"),
            "recall": hits / flipped.sum() if flipped.any() else float("nan")}


def refit_without(estimator: BaseEstimator, X: np.ndarray, y: np.ndarray, drop: np.ndarray) -> BaseEstimator:
    """A fresh copy of ``estimator`` fitted on the examples not marked in ``drop``."""
    keep = ~np.asarray(drop, bool)
    return clone(estimator).fit(X[keep], y[keep])
