"""Operating points: choose the decision threshold on validation data, apply it unchanged.

- :func:`threshold_for_sensitivity`: the highest threshold that reaches a
  target sensitivity (and so the best specificity among those that do);
- :func:`threshold_max_youden`: the threshold that maximises Youden's J;
- :func:`operating_point`: sensitivity and specificity of a given threshold.

A case is called positive when ``score > threshold``.

Introduced in the chapter "Evaluating a diagnostic model"
(chapters/05_evaluating_diagnostic_models.ipynb).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ..metrics import confusion_rates
from .diagnostic import EvaluationError, check_binary


class ThresholdChoice(NamedTuple):
    """An operating point: call positive when ``score > threshold``."""

    threshold: float
    sensitivity: float
    specificity: float


def threshold_for_sensitivity(y_true: np.ndarray, scores: np.ndarray,
                              target: float = 0.95) -> ThresholdChoice:
    """The highest threshold whose sensitivity on these data is at least ``target``.

    Choose it on validation data and apply it, unchanged, to the test split.
    Among the thresholds that reach the target, the highest has the best
    specificity; it is placed halfway between the score of the last positive
    that must be caught and the next lower score, so it does not sit on a
    data point.
    """
    y, s = check_binary(y_true, scores)
    if not 0 < target <= 1:
        raise EvaluationError(f"target must be in (0, 1], not {target}; pass a sensitivity such as 0.95")
    pos_scores = np.sort(s[y == 1])[::-1]
    k = math.ceil(target * len(pos_scores) - 1e-9)  # positives that must score above it
    cut = pos_scores[k - 1]
    below = s[s < cut]
    threshold = float((cut + below.max()) / 2) if len(below) else float(np.nextafter(cut, -np.inf))
    return operating_point(y, s, threshold)


def threshold_max_youden(y_true: np.ndarray, scores: np.ndarray) -> ThresholdChoice:
    """The threshold that maximises Youden's J (sensitivity + specificity - 1) on these data.

    One of the usual ways of "moving the threshold" of a model trained on
    imbalanced data. Candidates lie halfway between consecutive distinct
    scores (and just outside their range), so none sits on a data point.
    """
    y, s = check_binary(y_true, scores)
    u = np.unique(s)
    candidates = np.r_[np.nextafter(u[0], -np.inf), (u[1:] + u[:-1]) / 2, u[-1]]
    pos, neg = np.sort(s[y == 1]), np.sort(s[y == 0])
    sens = 1 - np.searchsorted(pos, candidates, side="right") / len(pos)
    spec = np.searchsorted(neg, candidates, side="right") / len(neg)
    best = int(np.argmax(sens + spec))
    return ThresholdChoice(float(candidates[best]), float(sens[best]), float(spec[best]))


def operating_point(y_true: np.ndarray, scores: np.ndarray, threshold: float) -> ThresholdChoice:
    """Sensitivity and specificity of ``score > threshold`` on these data."""
    y, s = check_binary(y_true, scores)
    r = confusion_rates(y, s > threshold)
    return ThresholdChoice(float(threshold), r["sensitivity"], r["specificity"])


__all__ = ["ThresholdChoice", "threshold_for_sensitivity", "threshold_max_youden", "operating_point"]
