"""Constructed readers: documented models of how annotators' masks differ.

No multi-reader annotation of a real image set is reachable offline, so the
chapter builds readers from one real mask (TCIA's ``MaskTumor``) with explicit
models of disagreement. Each :class:`ReaderModel` combines

- a **boundary bias**: in-plane erosion (negative ``boundary``) or dilation
  (positive) by that many pixels, i.e. a reader who draws tight or generous
  contours;
- **missed components**: each connected tumour component smaller than
  ``miss_below`` voxels is left out with probability ``miss_prob`` (small
  satellite lesions are the ones readers miss);
- **skipped slices**: each slice with tumour is left empty with probability
  ``skip_prob`` (a reader who contours every other slice, or misses the
  first and last slice of a lesion); ``skip_edges`` empties the first and
  last tumour slice.

The results are *constructed* readers, not people: they show what the
agreement measures respond to, not how real radiologists disagree.

Introduced in the chapter "Data and labels" (chapters/12_data_and_labels.ipynb).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from . import LabelsError


@dataclass(frozen=True)
class ReaderModel:
    """One constructed reader's habits (see the module docstring for each field)."""

    name: str
    boundary: int = 0
    miss_below: int = 0
    miss_prob: float = 0.0
    skip_prob: float = 0.0
    skip_edges: bool = False


def _check_mask(mask: np.ndarray, what: str = "mask") -> np.ndarray:
    mask = np.asarray(mask)
    if mask.ndim != 3:
        raise LabelsError(f"{what}: expected a 3D (slices x rows x columns) mask, got shape {mask.shape}; "
                          "pass Volume.array of a segmentation series")
    values = np.unique(mask)
    if not np.isin(values, (0, 1)).all():
        raise LabelsError(f"{what}: expected a binary mask (0 and 1), found values {values[:6]}; "
                          "threshold it first (mask > 0)")
    return mask.astype(bool)


def simulate_reader(mask: np.ndarray, model: ReaderModel, seed: int = 0) -> np.ndarray:
    """The mask that a reader following ``model`` would draw, given the reference ``mask`` (z, y, x).

    Erosion and dilation act within each slice (slices are 5-6 mm apart, pixels
    under 1 mm, so readers contour slice by slice). Returns a boolean array.
    """
    ref = _check_mask(mask)
    rng = np.random.default_rng(seed)
    out = ref.copy()
    if model.boundary:
        structure = ndimage.generate_binary_structure(2, 1)[None]  # in-plane 4-neighbourhood
        op = ndimage.binary_dilation if model.boundary > 0 else ndimage.binary_erosion
        out = op(out, structure=structure, iterations=abs(model.boundary))
    if model.miss_below and model.miss_prob:
        labels, n = ndimage.label(ref)
        sizes = ndimage.sum_labels(ref, labels, index=np.arange(1, n + 1))
        for comp, size in enumerate(sizes, start=1):
            if size < model.miss_below and rng.random() < model.miss_prob:
                out[labels == comp] = False
    tumour_slices = np.flatnonzero(ref.any(axis=(1, 2)))
    if model.skip_edges and len(tumour_slices) > 2:
        out[[tumour_slices[0], tumour_slices[-1]]] = False
    if model.skip_prob:
        for z in tumour_slices:
            if rng.random() < model.skip_prob:
                out[z] = False
    return out


def crop_to(masks: list[np.ndarray], margin: int = 8) -> tuple[slice, ...]:
    """The in-plane bounding box of the union of ``masks`` plus ``margin`` pixels (all slices kept).

    Surface distances and STAPLE on a 512 x 512 grid spend most of their time
    on empty background; cropping first changes no result.
    """
    union = np.any([_check_mask(m, f"mask {i}") for i, m in enumerate(masks)], axis=0)
    if not union.any():
        raise LabelsError("crop_to: every mask is empty; nothing to crop to")
    _, ys, xs = np.nonzero(union)
    y0, y1 = max(ys.min() - margin, 0), min(ys.max() + margin + 1, union.shape[1])
    x0, x1 = max(xs.min() - margin, 0), min(xs.max() + margin + 1, union.shape[2])
    return (slice(None), slice(y0, y1), slice(x0, x1))
