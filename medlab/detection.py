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
  summary scores: CAMELYON16's, the mean sensitivity at 6 rates, 1/4, 1/2, 1,
  2, 4 and 8 false positives per slide (:data:`CAMELYON16_FP_RATES`), and
  LUNA16's competition performance metric (CPM), the mean at 7 rates, 1/8,
  1/4, 1/2, 1, 2, 4 and 8 false positives per scan (:data:`LUNA16_FP_RATES`);
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

CAMELYON16_FP_RATES = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)
"""The 6 false-positive rates per slide at which CAMELYON16 averages sensitivity (chapters/14_beyond_radiology.ipynb).

Its evaluation script (``Evaluation_FROC.py``) reads the sensitivity at each rate off the FROC curve by
linear interpolation (``np.interp``) and reports their mean.
"""

LUNA16_FP_RATES = (0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0)
"""The 7 false-positive rates per scan of LUNA16's CPM score (chapters/14_beyond_radiology.ipynb).

LUNA16's evaluation script also reads each sensitivity off an interpolated FROC curve.
"""

FROC_FP_RATES = LUNA16_FP_RATES
"""Deprecated alias of :data:`LUNA16_FP_RATES` (these 7 rates are LUNA16's, not CAMELYON16's); name the set you mean."""


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

    def froc_score(self, fp_rates: Sequence[float] = LUNA16_FP_RATES,
                   interpolate: bool = False) -> tuple[float, np.ndarray]:
        """Mean sensitivity at ``fp_rates`` false positives per image, and the sensitivity at each.

        Name the rates: :data:`CAMELYON16_FP_RATES` (6 rates) or :data:`LUNA16_FP_RATES` (7 rates,
        the default), or use :meth:`camelyon16_score` and :meth:`luna16_cpm`. By default the
        sensitivity at a rate is the best one reached with no more false positives per image (a step
        read-out, 0 if even the top-scored detections exceed the rate). ``interpolate=True`` reads it
        off the curve by linear interpolation between operating points, starting from (0, 0), as
        CAMELYON16's ``Evaluation_FROC.py`` does with ``np.interp``; it is never below the step value.
        Introduced in chapters/14_beyond_radiology.ipynb.
        """
        rates = np.asarray(fp_rates, dtype=float).ravel()
        if rates.size == 0 or np.any(~np.isfinite(rates)) or np.any(rates <= 0):
            raise DetectionError(f"fp_rates must be positive false-positive rates per image, got {list(fp_rates)}; "
                                 "use CAMELYON16_FP_RATES or LUNA16_FP_RATES")
        fppi, sens = self.froc()
        if interpolate:
            at = np.interp(rates, np.r_[0.0, fppi], np.r_[0.0, sens])
        else:
            at = np.array([sens[fppi <= r].max() if np.any(fppi <= r) else 0.0 for r in rates])
        return float(at.mean()), at

    def camelyon16_score(self, interpolate: bool = False) -> tuple[float, np.ndarray]:
        """CAMELYON16's FROC score: mean sensitivity at 1/4, 1/2, 1, 2, 4, 8 false positives per image.

        See :meth:`froc_score` for ``interpolate``. Introduced in chapters/14_beyond_radiology.ipynb.
        """
        return self.froc_score(CAMELYON16_FP_RATES, interpolate=interpolate)

    def luna16_cpm(self, interpolate: bool = False) -> tuple[float, np.ndarray]:
        """LUNA16's CPM: mean sensitivity at 1/8, 1/4, 1/2, 1, 2, 4, 8 false positives per image.

        See :meth:`froc_score` for ``interpolate``. Introduced in chapters/14_beyond_radiology.ipynb.
        """
        return self.froc_score(LUNA16_FP_RATES, interpolate=interpolate)


def match_points(reference: np.ndarray, detections: np.ndarray, scores: np.ndarray, radius: float,
                 n_images: int = 1) -> RankedDetections:
    """Greedy matching by decreasing score: each detection takes the nearest free reference within ``radius``.

    ``reference`` and ``detections`` are ``(n, 2)`` arrays of coordinates (same units as ``radius``).
    Returns :class:`RankedDetections`. Introduced in chapters/14_beyond_radiology.ipynb.
    """
    ref = np.asarray(reference, dtype=float).reshape(-1, 2)
    det = np.asarray(detections, dtype=float).reshape(-1, 2)
    s = np.asarray(scores, dtype=float).ravel()
    if int(n_images) < 1:
        raise DetectionError(f"n_images must be at least 1 (the number of images the detections come from), "
                             f"got {n_images}")
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

    With ``p = successes / n`` and ``z`` the normal quantile (1.96 for 95%), the interval is the set
    of proportions that a score test would not reject:
    ``(p + z²/2n ± z sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)``. Better than the normal approximation
    for small ``n`` or proportions near 0 or 1 (it never leaves [0, 1] and is not empty at 0 or n);
    returns ``(nan, nan)`` when ``n == 0``. Introduced in chapters/14_beyond_radiology.ipynb.
    """
    if n < 0 or successes < 0 or successes > n:
        raise DetectionError(f"wilson_interval needs 0 <= successes <= n, got successes={successes}, n={n}")
    if not 0 < level < 1:
        raise DetectionError(f"level must lie between 0 and 1 (0.95 for a 95% interval), got {level}")
    if n == 0:
        return float("nan"), float("nan")
    z = stats.norm.ppf(0.5 + level / 2)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return float(max(0.0, centre - half)), float(min(1.0, centre + half))
