"""One metric vocabulary: the keys every ``medlab`` function returns, and how to print them.

Every function that reports a metric uses the same keys (:data:`METRIC_KEYS`):
``accuracy``, ``auc`` (ROC AUC), ``sensitivity``, ``specificity``, ``ppv``,
``npv``, ``f1``, and for the evaluation chapter ``pr_auc`` (average precision)
and ``brier``. Keys are what code indexes and what ``results/*.json`` records;
:data:`METRIC_LABELS` is the one table of display labels, applied by
:func:`labelled` when a table is shown.

Definitions follow MedMNIST's ``Evaluator``: for a binary task, AUC uses the
probability of class 1 and accuracy thresholds it at 0.5; for more classes,
AUC is the one-vs-rest macro average and accuracy uses the arg-max.

Introduced in the chapter "Your first classifier" (chapters/03_first_classifier.ipynb).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

import numpy as np
import pandas as pd
from sklearn import metrics as skm

from .errors import MedlabError

METRIC_KEYS: tuple[str, ...] = (
    "accuracy", "auc", "sensitivity", "specificity", "ppv", "npv", "f1", "pr_auc", "brier",
)
"""The metric keys, in the order tables show them."""

METRIC_LABELS: dict[str, str] = {
    "accuracy": "accuracy",
    "auc": "ROC AUC",
    "sensitivity": "sensitivity",
    "specificity": "specificity",
    "ppv": "PPV",
    "npv": "NPV",
    "f1": "F1",
    "pr_auc": "PR AUC",
    "brier": "Brier score",
    "prevalence": "prevalence",
}
"""Display label of every metric key (the only place labels are spelled)."""

_T = TypeVar("_T", pd.DataFrame, pd.Series, dict)


class MetricInputError(MedlabError, ValueError):
    """Labels or scores whose shapes do not fit a metric (also a ``ValueError``)."""


class MetricTableError(MedlabError, TypeError):
    """:func:`labelled` given something that is not a table of metrics (also a ``TypeError``)."""


def labelled(table: _T) -> _T:
    """A copy of ``table`` whose metric keys are replaced by their display labels.

    Works on a DataFrame (index and columns), a Series (index) or a dict
    (keys); names that are not metric keys are left as they are.
    """
    if isinstance(table, pd.DataFrame):
        return table.rename(index=METRIC_LABELS, columns=METRIC_LABELS)
    if isinstance(table, pd.Series):
        return table.rename(index=METRIC_LABELS)
    if isinstance(table, Mapping):
        return {METRIC_LABELS.get(k, k): v for k, v in table.items()}
    raise MetricTableError(f"labelled() takes a DataFrame, Series or dict, not {type(table).__name__}; "
                           "pass the table of metrics itself (e.g. pd.DataFrame(rows))")


def as_scores(scores: np.ndarray) -> np.ndarray:
    """Positive-class scores as a 1-D float array (column 1 of an N x 2 array)."""
    s = np.asarray(scores, dtype=float)
    if s.ndim == 2 and s.shape[1] == 2:
        s = s[:, 1]
    if s.ndim != 1:
        raise MetricInputError(f"scores must be 1-D or N x 2, got shape {np.shape(scores)}; pass the "
                               "positive-class probabilities (or the N x 2 output of predict)")
    return s


def classification_metrics(y_true: np.ndarray, probs: np.ndarray) -> dict[str, float]:
    """``accuracy`` and ``auc`` (ROC AUC; ``nan`` when only one class is present).

    ``y_true`` may be N or N x 1 (MedMNIST's own label format); anything
    else, or a length that does not match ``probs``, raises ``ValueError``.
    """
    y_true = np.asarray(y_true)
    if y_true.ndim == 2 and y_true.shape[1] == 1:
        y_true = y_true[:, 0]
    if y_true.ndim != 1 or len(y_true) != len(probs):
        raise MetricInputError(f"y_true must be N or N x 1 labels matching {len(probs)} predictions, "
                               f"got shape {np.shape(y_true)}; pass the labels of the split that was "
                               "predicted, in the same order")
    probs = np.asarray(probs, dtype=float)
    if probs.ndim == 1 or probs.shape[1] == 2:
        score = as_scores(probs)
        accuracy = float(np.mean((score > 0.5).astype(int) == y_true))
        auc = float(skm.roc_auc_score(y_true, score)) if len(np.unique(y_true)) == 2 else float("nan")
    else:
        accuracy = float(np.mean(probs.argmax(1) == y_true))
        try:
            auc = float(skm.roc_auc_score(y_true, probs, multi_class="ovr"))
        except ValueError:
            auc = float("nan")
    return {"accuracy": accuracy, "auc": auc}


def binary_report(y_true: np.ndarray, probs: np.ndarray, threshold: float = 0.5) -> dict[str, float]:
    """The diagnostic numbers of a binary classifier at one threshold.

    ``probs`` is either the positive-class probability or an N x 2 array.
    Returns ``accuracy``, ``auc``, ``sensitivity``, ``specificity``, ``ppv``,
    ``npv``, ``f1``, ``prevalence`` and the confusion counts (``tn``, ``fp``,
    ``fn``, ``tp``); a case is positive when its score is above ``threshold``.
    """
    y_true = np.asarray(y_true).astype(int)
    score = as_scores(probs)
    y_pred = (score > threshold).astype(int)
    tn, fp, fn, tp = skm.confusion_matrix(y_true, y_pred, labels=[0, 1]).ravel()

    def ratio(a: float, b: float) -> float:
        return float(a / b) if b else float("nan")

    return {
        "accuracy": ratio(tp + tn, len(y_true)),
        "auc": float(skm.roc_auc_score(y_true, score)) if len(np.unique(y_true)) == 2 else float("nan"),
        "sensitivity": ratio(tp, tp + fn),
        "specificity": ratio(tn, tn + fp),
        "ppv": ratio(tp, tp + fp),
        "npv": ratio(tn, tn + fn),
        "f1": float(skm.f1_score(y_true, y_pred, zero_division=0)),
        "prevalence": ratio(tp + fn, len(y_true)),
        "tn": int(tn), "fp": int(fp), "fn": int(fn), "tp": int(tp),
    }


__all__ = ["METRIC_KEYS", "METRIC_LABELS", "labelled", "as_scores", "classification_metrics",
           "binary_report", "MetricInputError", "MetricTableError"]
