"""Thin wrappers over scikit-learn for the numbers chapters report.

Definitions follow MedMNIST's ``Evaluator``: for a binary task, AUC uses the
probability of class 1 and ACC thresholds it at 0.5; for more classes, AUC is
the one-vs-rest macro average and ACC uses the arg-max.

Introduced in the chapter "Your first classifier" (chapters/03_first_classifier.ipynb).
"""

from __future__ import annotations

import numpy as np
from sklearn import metrics as skm


def as_scores(scores: np.ndarray) -> np.ndarray:
    """Positive-class scores as a 1-D float array (column 1 of an N x 2 array)."""
    s = np.asarray(scores, dtype=float)
    if s.ndim == 2 and s.shape[1] == 2:
        s = s[:, 1]
    if s.ndim != 1:
        raise ValueError(f"scores must be 1-D or N x 2, got shape {np.shape(scores)}")
    return s


def classification_metrics(y_true: np.ndarray, probs: np.ndarray) -> dict[str, float]:
    """Accuracy and ROC AUC (``nan`` when only one class is present)."""
    y_true = np.asarray(y_true)
    probs = np.asarray(probs, dtype=float)
    if probs.ndim == 1 or probs.shape[1] == 2:
        score = as_scores(probs)
        acc = float(np.mean((score > 0.5).astype(int) == y_true))
        auc = float(skm.roc_auc_score(y_true, score)) if len(np.unique(y_true)) == 2 else float("nan")
    else:
        acc = float(np.mean(probs.argmax(1) == y_true))
        try:
            auc = float(skm.roc_auc_score(y_true, probs, multi_class="ovr"))
        except ValueError:
            auc = float("nan")
    return {"acc": acc, "auc": auc}


def binary_report(y_true: np.ndarray, probs: np.ndarray, threshold: float = 0.5) -> dict[str, float]:
    """The diagnostic numbers of a binary classifier at one threshold.

    ``probs`` is either the positive-class probability or an N x 2 array.
    Returns accuracy, ROC AUC, sensitivity, specificity, PPV, NPV, F1,
    prevalence and the confusion counts (tn, fp, fn, tp).
    """
    y_true = np.asarray(y_true).astype(int)
    score = as_scores(probs)
    y_pred = (score > threshold).astype(int)
    tn, fp, fn, tp = skm.confusion_matrix(y_true, y_pred, labels=[0, 1]).ravel()

    def ratio(a: float, b: float) -> float:
        return float(a / b) if b else float("nan")

    return {
        "acc": ratio(tp + tn, len(y_true)),
        "auc": float(skm.roc_auc_score(y_true, score)) if len(np.unique(y_true)) == 2 else float("nan"),
        "sensitivity": ratio(tp, tp + fn),
        "specificity": ratio(tn, tn + fp),
        "ppv": ratio(tp, tp + fp),
        "npv": ratio(tn, tn + fn),
        "f1": float(skm.f1_score(y_true, y_pred, zero_division=0)),
        "prevalence": ratio(tp + fn, len(y_true)),
        "tn": int(tn), "fp": int(fp), "fn": int(fn), "tp": int(tp),
    }
