"""Detection as a task: matching points to a reference, precision-recall, average precision, FROC.

A detector outputs *where* (points or boxes) with a confidence score. Scoring it
needs a matching rule first: here a detection is a true positive when it lies
within ``radius`` of a reference point not already taken by a higher-scored
detection (the rule of COCO and of the cell-detection literature, with a
distance in place of an overlap). From the ranked list follow

- the precision-recall curve and the average precision (AP, the area under the
  step curve, as ``sklearn.metrics.average_precision_score`` computes it,
  except that references never detected keep the recall below 1);
- the FROC curve, sensitivity against false positives per image, and its
  summary score, the mean sensitivity at 1/8, 1/4, 1/2, 1, 2, 4 and 8 false
  positives per image (CAMELYON16, LUNA16);
- :func:`wilson_interval`, a confidence interval for a proportion (sensitivity,
  positive predictivity) on few cases.

Introduced in the chapter "Beyond radiology" (chapters/14_beyond_radiology.ipynb).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats
from scipy.spatial import cKDTree

from .errors import MedlabError

FROC_FP_RATES = (0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0)
"""False positives per image at which the FROC score averages sensitivity (chapters/14_beyond_radiology.ipynb)."""


class DetectionError(MedlabError, ValueError):
    """Detections and scores that do not fit together (also a ``ValueError``; chapters/14_beyond_radiology.ipynb)."""


@dataclass(frozen=True)
class RankedDetections:
    """Detections sorted by decreasing score, each marked true or false positive, and the reference count."""

    scores: np.ndarray
    is_tp: np.ndarray
    n_ref: int
    n_images: int = 1

    def precision_recall(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Precision, recall and score threshold after each distinct score (highest first)."""
        tp = np.cumsum(self.is_tp)
        fp = np.cumsum(~self.is_tp)
        last = np.r_[np.flatnonzero(np.diff(self.scores)), len(self.scores) - 1]  # ties: one point per score
        tp, fp = tp[last], fp[last]
        return tp / np.maximum(tp + fp, 1), tp / max(self.n_ref, 1), self.scores[last]

    def average_precision(self) -> float:
        """AP = sum over thresholds of (R_k - R_{k-1}) P_k, with R_0 = 0 (no interpolation)."""
        precision, recall, _ = self.precision_recall()
        return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))

    def froc(self) -> tuple[np.ndarray, np.ndarray]:
        """False positives per image and sensitivity after each distinct score (the FROC curve)."""
        tp = np.cumsum(self.is_tp)
        fp = np.cumsum(~self.is_tp)
        last = np.r_[np.flatnonzero(np.diff(self.scores)), len(self.scores) - 1]
        return fp[last] / self.n_images, tp[last] / max(self.n_ref, 1)

    def froc_score(self, fp_rates: Sequence[float] = FROC_FP_RATES) -> tuple[float, np.ndarray]:
        """Mean sensitivity at ``fp_rates`` false positives per image, and the sensitivity at each.

        At each rate the best sensitivity reached with no more false positives per image counts
        (0 if even the top-scored detections exceed it).
        """
        fppi, sens = self.froc()
        at = np.array([sens[fppi <= r].max() if np.any(fppi <= r) else 0.0 for r in fp_rates])
        return float(at.mean()), at


def match_points(reference: np.ndarray, detections: np.ndarray, scores: np.ndarray, radius: float,
                 n_images: int = 1) -> RankedDetections:
    """Greedy matching by decreasing score: each detection takes the nearest free reference within ``radius``.

    ``reference`` and ``detections`` are ``(n, 2)`` arrays of coordinates (same units as ``radius``).
    Returns :class:`RankedDetections`. Introduced in chapters/14_beyond_radiology.ipynb.
    """
    ref = np.asarray(reference, dtype=float).reshape(-1, 2)
    det = np.asarray(detections, dtype=float).reshape(-1, 2)
    s = np.asarray(scores, dtype=float).ravel()
    if len(s) != len(det):
        raise DetectionError(f"{len(det)} detections but {len(s)} scores; pass one score per detection, "
                             "in the same order")
    order = np.argsort(-s, kind="stable")
    is_tp = np.zeros(len(det), dtype=bool)
    if len(ref) and len(det):
        tree = cKDTree(ref)
        taken = np.zeros(len(ref), dtype=bool)
        for rank, k in enumerate(order):
            for j in sorted(tree.query_ball_point(det[k], radius), key=lambda j: np.sum((ref[j] - det[k]) ** 2)):
                if not taken[j]:
                    taken[j] = True
                    is_tp[rank] = True
                    break
    return RankedDetections(scores=s[order], is_tp=is_tp, n_ref=len(ref), n_images=n_images)


def wilson_interval(successes: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion ``successes / n`` (Wilson 1927).

    Better than the normal approximation for small ``n`` or proportions near 0 or 1; returns
    ``(nan, nan)`` when ``n == 0``. Introduced in chapters/14_beyond_radiology.ipynb.
    """
    if n == 0:
        return float("nan"), float("nan")
    z = stats.norm.ppf(0.5 + level / 2)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return float(max(0.0, centre - half)), float(min(1.0, centre + half))
