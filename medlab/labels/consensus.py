"""Consensus of several readers' masks: majority vote and STAPLE.

:func:`majority_vote` is the per-voxel vote written in NumPy (SimpleITK's
``LabelVoting`` gives the same for an odd number of readers); :func:`staple`
runs SimpleITK's STAPLE (Warfield, Zou & Wells, IEEE TMI 2004), which
estimates the hidden true segmentation and each reader's sensitivity and
specificity together by expectation-maximisation.

Introduced in the chapter "Data and labels" (chapters/12_data_and_labels.ipynb).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from . import LabelsError


def _stack(masks: Sequence[np.ndarray]) -> np.ndarray:
    if len(masks) < 2:
        raise LabelsError(f"consensus needs at least two readers' masks, got {len(masks)}")
    shapes = {np.shape(m) for m in masks}
    if len(shapes) != 1:
        raise LabelsError(f"readers' masks differ in shape {sorted(shapes)}; resample them onto one grid first")
    return np.stack([np.asarray(m, bool) for m in masks])


def majority_vote(masks: Sequence[np.ndarray]) -> np.ndarray:
    """Voxels marked by more than half of the readers (ties, with an even number of readers, count as 0)."""
    stack = _stack(masks)
    return stack.sum(axis=0) * 2 > len(stack)


def label_voting(masks: Sequence[np.ndarray]) -> np.ndarray:
    """SimpleITK's ``LabelVoting`` of binary masks (ties broken to background), for comparison."""
    import SimpleITK as sitk

    stack = _stack(masks)
    images = [sitk.GetImageFromArray(m.astype(np.uint8)) for m in stack]
    vote = sitk.LabelVotingImageFilter()
    vote.SetLabelForUndecidedPixels(0)
    return sitk.GetArrayFromImage(vote.Execute(images)).astype(bool)


@dataclass
class StapleResult:
    """STAPLE's output: the probability that each voxel is foreground, and each reader's estimates."""

    probability: np.ndarray
    sensitivity: list[float]
    specificity: list[float]

    def mask(self, threshold: float = 0.5) -> np.ndarray:
        """The consensus mask: voxels with probability at least ``threshold``."""
        return self.probability >= threshold


def staple(masks: Sequence[np.ndarray], max_iterations: int = 200) -> StapleResult:
    """SimpleITK's STAPLE on binary masks: consensus probabilities and per-reader sensitivity/specificity.

    Specificity is estimated over every voxel given, so it depends on how much
    background the arrays hold: crop all masks to the same region first
    (:func:`medlab.labels.readers.crop_to`) and report that region.
    """
    import SimpleITK as sitk

    stack = _stack(masks)
    images = [sitk.GetImageFromArray(m.astype(np.uint8)) for m in stack]
    f = sitk.STAPLEImageFilter()
    f.SetForegroundValue(1)
    f.SetMaximumIterations(max_iterations)
    prob = sitk.GetArrayFromImage(f.Execute(images))
    return StapleResult(probability=prob.astype(np.float32), sensitivity=list(f.GetSensitivity()),
                        specificity=list(f.GetSpecificity()))
