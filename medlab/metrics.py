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

import math
from collections.abc import Mapping
from typing import Any, TypeVar

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


def confusion_rates(y_true: np.ndarray, called: np.ndarray,
                    weights: np.ndarray | None = None) -> dict[str, float | np.ndarray]:
    """The confusion counts of 0/1 labels against calls, and every rate made of them.

    Returns ``tp``, ``fp``, ``fn``, ``tn``, ``sensitivity`` (``tp / (tp + fn)``),
    ``specificity`` (``tn / (tn + fp)``), ``fpr`` (``fp / (fp + tn)``), ``ppv``
    (``tp / (tp + fp)``), ``npv`` (``tn / (tn + fn)``), ``f1``
    (``2 tp / (2 tp + fp + fn)``) and ``accuracy``. A rate whose denominator is
    zero is ``nan`` (``f1`` is 0, as scikit-learn's ``zero_division=0``).

    ``called`` is the boolean decision (e.g. ``score > threshold``). With
    ``weights`` (one row of case weights, or B x N rows, e.g. bootstrap
    resampling counts) every count is a weighted sum and every value is an
    array with one entry per row; without, counts are ints and rates floats.
    The one place the book computes these rates, used by
    :func:`binary_report`, :func:`medlab.evaluation.diagnostic.diagnostic_report` and
    :func:`medlab.fairness.subgroup_report`; introduced in the chapters
    "Your first classifier" (chapters/03_first_classifier.ipynb) and
    "Evaluating a diagnostic model" (chapters/05_evaluating_diagnostic_models.ipynb).
    """
    y = np.asarray(y_true).astype(int).ravel()
    c = np.asarray(called).astype(bool).ravel()
    if len(y) != len(c):
        raise MetricInputError(f"{len(y)} labels but {len(c)} calls; pass one decision per labelled case")
    pos = y == 1
    if weights is None:
        tp, fp = int(np.sum(c & pos)), int(np.sum(c & ~pos))
        fn, tn = int(np.sum(pos)) - tp, int(np.sum(~pos)) - fp
    else:
        w = np.asarray(weights, dtype=float)
        if w.shape[-1] != len(y) or w.ndim > 2:
            raise MetricInputError(f"weights must be N or B x N with N = {len(y)}, got shape {w.shape}")
        tp, fp = w @ (c & pos).astype(float), w @ (c & ~pos).astype(float)
        fn, tn = w @ pos.astype(float) - tp, w @ (~pos).astype(float) - fp

    def ratio(a: Any, b: Any) -> Any:
        if weights is None:
            return float(a / b) if b else float("nan")
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(b > 0, a / b, np.nan)

    f1 = ratio(2 * tp, 2 * tp + fp + fn)
    return {
        "tp": tp, "fp": fp, "fn": fn, "tn": tn,
        "sensitivity": ratio(tp, tp + fn),
        "specificity": ratio(tn, tn + fp),
        "fpr": ratio(fp, fp + tn),
        "ppv": ratio(tp, tp + fp),
        "npv": ratio(tn, tn + fn),
        "f1": np.nan_to_num(f1, nan=0.0) if weights is not None else (0.0 if math.isnan(f1) else f1),
        "accuracy": ratio(tp + tn, tp + fp + fn + tn),
    }


def binary_report(y_true: np.ndarray, probs: np.ndarray, threshold: float = 0.5) -> dict[str, float]:
    """The diagnostic numbers of a binary classifier at one threshold.

    ``probs`` is either the positive-class probability or an N x 2 array.
    Returns ``accuracy``, ``auc``, ``sensitivity``, ``specificity``, ``ppv``,
    ``npv``, ``f1``, ``prevalence`` and the confusion counts (``tn``, ``fp``,
    ``fn``, ``tp``); a case is positive when its score is above ``threshold``.
    """
    y_true = np.asarray(y_true).astype(int)
    score = as_scores(probs)
    r = confusion_rates(y_true, score > threshold)
    n = len(y_true)
    return {
        "accuracy": r["accuracy"] if n else float("nan"),
        "auc": float(skm.roc_auc_score(y_true, score)) if len(np.unique(y_true)) == 2 else float("nan"),
        **{k: r[k] for k in ("sensitivity", "specificity", "ppv", "npv", "f1")},
        "prevalence": (r["tp"] + r["fn"]) / n if n else float("nan"),
        "tn": r["tn"], "fp": r["fp"], "fn": r["fn"], "tp": r["tp"],
    }


__all__ = ["METRIC_KEYS", "METRIC_LABELS", "labelled", "as_scores", "classification_metrics",
           "confusion_rates", "binary_report", "MetricInputError", "MetricTableError"]
