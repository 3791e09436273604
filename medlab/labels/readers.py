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
  last tumour slice;
- **extra parts**: ``extra_parts`` false-positive regions (a vessel, a blood
  product or oedema taken for tumour), each a disc of ``extra_radius``
  pixels on ``extra_slices`` consecutive slices, centred ``extra_gap``
  pixels outside the reference contour on a tumour slice.

Errors therefore go both ways: erosion, missed parts and skipped slices
under-segment; dilation and extra parts over-segment. Readers who share a
``school`` share a habit, as readers trained together do: their extra parts
are drawn from one random stream per school and study
(:func:`simulate_panel`), so they mark the *same* false-positive regions.
Errors that are correlated between readers are what majority voting and
STAPLE (which assumes readers err independently) handle worst.

The results are *constructed* readers, not people: they show what the
agreement measures respond to, not how real radiologists disagree.

Introduced in the chapter "Data and labels" (chapters/12_data_and_labels.ipynb).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
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
    extra_parts: int = 0
    extra_radius: int = 4
    extra_slices: int = 2
    extra_gap: int = 6
    school: str | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.miss_prob <= 1 or not 0 <= self.skip_prob <= 1:
            raise LabelsError(f"reader {self.name!r}: miss_prob and skip_prob are probabilities in [0, 1], got "
                              f"{self.miss_prob} and {self.skip_prob}")
        if self.extra_parts < 0 or self.extra_radius < 1 or self.extra_slices < 1 or self.extra_gap < 1:
            raise LabelsError(f"reader {self.name!r}: extra_parts must be >= 0 and extra_radius, extra_slices, "
                              f"extra_gap >= 1, got {self.extra_parts}, {self.extra_radius}, "
                              f"{self.extra_slices}, {self.extra_gap}")

    @property
    def adds_voxels(self) -> bool:
        """Whether this reader can mark voxels outside the reference (dilation or extra parts)."""
        return self.boundary > 0 or self.extra_parts > 0


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


def _extra_parts(ref: np.ndarray, model: ReaderModel, rng: np.random.Generator) -> np.ndarray:
    """The false-positive regions of ``model`` (see the module docstring), drawn with ``rng``."""
    extra = np.zeros_like(ref)
    tumour_slices = np.flatnonzero(ref.any(axis=(1, 2)))
    if not len(tumour_slices):
        return extra
    yy, xx = np.mgrid[:ref.shape[1], :ref.shape[2]]
    for _ in range(model.extra_parts):
        z0 = int(rng.choice(tumour_slices))
        dist = ndimage.distance_transform_edt(~ref[z0])
        ys, xs = np.nonzero((dist >= model.extra_gap) & (dist < model.extra_gap + 1.5))
        if not len(ys):  # the tumour fills the slice: nowhere to put a false positive
            continue
        k = int(rng.integers(len(ys)))
        disc = (yy - ys[k]) ** 2 + (xx - xs[k]) ** 2 <= model.extra_radius**2
        for z in range(z0, min(z0 + model.extra_slices, len(ref))):
            extra[z] |= disc
    return extra & ~ref


def simulate_reader(mask: np.ndarray, model: ReaderModel, seed: int = 0, school_seed: int | None = None) -> np.ndarray:
    """The mask that a reader following ``model`` would draw, given the reference ``mask`` (z, y, x).

    Erosion and dilation act within each slice (in the chapter's TCIA series the
    slices are 6.5 mm apart and the pixels under 1 mm, so readers contour slice
    by slice). ``seed`` drives the reader's own random habits (missed parts,
    skipped slices); ``school_seed`` drives the extra parts, so that readers
    given the same ``school_seed`` mark the same ones (default: ``seed``).
    Returns a boolean array.
    """
    ref = _check_mask(mask)
    if not isinstance(model, ReaderModel):
        raise LabelsError(f"simulate_reader: expected a ReaderModel, got {type(model).__name__}")
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
    skipped = np.zeros(len(ref), bool)
    if model.skip_edges and len(tumour_slices) > 2:
        skipped[[tumour_slices[0], tumour_slices[-1]]] = True
    if model.skip_prob:
        for z in tumour_slices:
            if rng.random() < model.skip_prob:
                skipped[z] = True
    if model.extra_parts:
        out |= _extra_parts(ref, model, np.random.default_rng(seed if school_seed is None else school_seed))
    out[skipped] = False  # a skipped slice stays empty
    return out


def simulate_panel(mask: np.ndarray, models: Sequence[ReaderModel], seed: int = 0) -> list[np.ndarray]:
    """Every reader of ``models`` reading the same reference ``mask``: one mask per reader.

    Each reader's own habits get an independent random stream spawned from
    ``seed``; readers of the same ``school`` share one stream for their extra
    parts (derived from ``seed`` and the school's name), so their false
    positives coincide. Readers without a school have independent extra parts.

    Introduced in the chapter "Data and labels" (chapters/12_data_and_labels.ipynb).
    """
    if not models:
        raise LabelsError("simulate_panel: pass at least one ReaderModel")
    names = [m.name for m in models]
    if len(set(names)) != len(names):
        raise LabelsError(f"simulate_panel: reader names must be unique, got {names}")
    own = np.random.SeedSequence(seed).spawn(len(models))
    out = []
    for model, ss in zip(models, own, strict=True):
        reader_seed = int(ss.generate_state(1)[0])
        school_seed = None
        if model.school is not None:
            school_seed = int(np.random.SeedSequence([seed, zlib.crc32(model.school.encode())]).generate_state(1)[0])
        out.append(simulate_reader(mask, model, seed=reader_seed, school_seed=school_seed))
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
