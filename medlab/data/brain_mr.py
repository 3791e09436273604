"""The TCIA Brain-Tumor-Progression studies as aligned arrays: T1post, FLAIR and the tumour mask.

Every study in the collection has three series on one voxel grid: the
post-contrast T1 (``T1post``), a FLAIR registered to it (``FLAIRreg``) and a
tumour segmentation (``MaskTumor``). :func:`load_studies` reads them with
``medlab.dicom.load_series`` (chapter 02), checks that the three share the
grid, and keeps the patient identifier so that every split can be made by
patient. :func:`slices` turns the studies into a stack of equally sized 2D
slices on a common physical field of view, with intensities scaled per volume.

Used in the chapters "Explainability" (chapters/07_explainability.ipynb),
"Augmentation and generative models" (chapters/08_augmentation_generative.ipynb)
and "3D volumes" (chapters/09_volumes_3d.ipynb).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from ..dicom import Volume, load_series
from ..errors import MedlabError

SERIES = {"t1post": "T1post", "flair": "FLAIRreg", "mask": "MaskTumor"}
"""The key this module uses for each series, and the text its folder name contains."""


class BrainMRError(MedlabError, ValueError):
    """A study folder that lacks a series, or whose series do not share one voxel grid.

    Chapters 07, 08 and 09.
    """


@dataclass(frozen=True)
class Study:
    """One MR study: the three series of one patient on one date, on a shared grid.

    ``t1post`` and ``flair`` hold intensities as stored (scanner units);
    ``mask`` is 1 inside the tumour and 0 elsewhere. Arrays are ``(z, y, x)``.
    Chapters 07, 08 and 09.
    """

    patient: str
    study: str
    t1post: Volume
    flair: Volume
    mask: Volume

    @property
    def spacing(self) -> tuple[float, float, float]:
        """Voxel size ``(z, y, x)`` in mm, shared by the three series."""
        return self.t1post.spacing

    def stack(self, channels: Sequence[str] = ("t1post", "flair")) -> np.ndarray:
        """The named series as one ``(channels, z, y, x)`` float32 array, each scaled by :func:`scale_intensity`."""
        return np.stack([scale_intensity(getattr(self, name).array) for name in channels]).astype(np.float32)


def _find(study_dir: Path, key: str) -> Path:
    found = sorted(p for p in study_dir.iterdir() if p.is_dir() and SERIES[key] in p.name)
    if len(found) != 1:
        raise BrainMRError(
            f"{study_dir}: expected one series folder whose name contains {SERIES[key]!r}, found {len(found)}. "
            "Each study of Brain-Tumor-Progression holds T1post, FLAIRreg and MaskTumor; re-fetch it with "
            "medlab.data.fetch('tcia_brain_tumor_progression').")
    return found[0]


def _check_grid(study_dir: Path, ref: Volume, other: Volume, key: str) -> None:
    same = (ref.shape == other.shape and np.allclose(ref.spacing, other.spacing, atol=1e-3)
            and np.allclose(ref.origin, other.origin, atol=1e-2))
    if not same:
        raise BrainMRError(
            f"{study_dir}: the {SERIES[key]} series is not on the T1post grid "
            f"(shape {other.shape} vs {ref.shape}, spacing {other.spacing} vs {ref.spacing}). "
            "The collection's series are registered to T1post; resample this series before use.")


def load_study(study_dir: Path) -> Study:
    """Read one study folder (``<patient>/<study>/``) into a :class:`Study`, checking the shared grid.

    Chapters 07, 08 and 09.
    """
    study_dir = Path(study_dir)
    vols = {key: load_series(_find(study_dir, key)) for key in SERIES}
    for key in ("flair", "mask"):
        _check_grid(study_dir, vols["t1post"], vols[key], key)
    m = vols["mask"]
    mask = Volume(array=(m.array > 0).astype(np.uint8), spacing=m.spacing, origin=m.origin,
                  direction=m.direction, files=m.files)
    return Study(patient=study_dir.parent.name, study=study_dir.name,
                 t1post=vols["t1post"], flair=vols["flair"], mask=mask)


def load_studies(root: Path | None = None, patients: Sequence[str] | None = None,
                 limit: int | None = None) -> list[Study]:
    """Every study under ``root`` (default: ``data.fetch("tcia_brain_tumor_progression")``), sorted.

    ``patients`` keeps only those patient folders; ``limit`` keeps the first
    ``limit`` studies (for quick runs). Chapters 07, 08 and 09.
    """
    if root is None:
        from .fetch import fetch

        root = fetch("tcia_brain_tumor_progression")
    dirs = sorted(d for d in Path(root).glob("*/*") if d.is_dir())
    if patients is not None:
        dirs = [d for d in dirs if d.parent.name in set(patients)]
    if not dirs:
        raise BrainMRError(f"{root}: no <patient>/<study>/ folders found. Fetch the collection with "
                           "medlab.data.fetch('tcia_brain_tumor_progression').")
    return [load_study(d) for d in dirs[:limit]]


def scale_intensity(array: np.ndarray, low: float = 1.0, high: float = 99.0) -> np.ndarray:
    """Map the ``low``–``high`` percentiles of the non-zero voxels to 0–1, clipping outside; zeros stay 0.

    MR intensities have no physical unit and differ between scanners and
    studies, so each volume is scaled on its own. Chapters 07, 08 and 09.
    """
    values = array[array > 0]
    if values.size == 0:
        return np.zeros_like(array, dtype=np.float32)
    lo, hi = np.percentile(values, [low, high])
    return np.clip((array - lo) / max(hi - lo, 1e-6), 0.0, 1.0).astype(np.float32) * (array > 0)


def square(array: np.ndarray) -> np.ndarray:
    """Pad the last two axes with zeros, centred, to a square (the scanner's field of view is square).

    Chapters 07, 08 and 09.
    """
    h, w = array.shape[-2:]
    n = max(h, w)
    pad = [(0, 0)] * (array.ndim - 2) + [((n - h) // 2, n - h - (n - h) // 2), ((n - w) // 2, n - w - (n - w) // 2)]
    return np.pad(array, pad)


@dataclass(frozen=True)
class SliceSet:
    """Axial slices of several studies, resized to one matrix.

    ``images`` is ``(n, channels, size, size)`` float32 in 0–1; ``masks`` is
    ``(n, size, size)`` uint8; ``patient``, ``study`` and ``index`` (the slice
    number within its study) say where each slice came from; ``pixel_mm`` is
    the pixel size after resizing. Chapters 07, 08 and 09.
    """

    images: np.ndarray
    masks: np.ndarray
    patient: np.ndarray
    study: np.ndarray
    index: np.ndarray
    pixel_mm: np.ndarray
    channels: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.images)

    @property
    def labels(self) -> np.ndarray:
        """1 where the slice contains tumour (any mask pixel), else 0."""
        return (self.masks.reshape(len(self), -1).sum(1) > 0).astype(np.int64)

    def subset(self, keep: np.ndarray) -> SliceSet:
        """The slices selected by a boolean mask or an index array."""
        return SliceSet(self.images[keep], self.masks[keep], self.patient[keep], self.study[keep],
                        self.index[keep], self.pixel_mm[keep], self.channels)


def resize_study(study: Study, size: int = 64, channels: Sequence[str] = ("t1post", "flair"),
                 ) -> tuple[np.ndarray, np.ndarray, float]:
    """Every slice of ``study`` padded to its square field of view and resized in-plane to ``size`` pixels.

    Returns images ``(z, channels, size, size)`` float32 scaled by
    ``scale_intensity`` and resized by area averaging, the mask ``(z, size,
    size)`` uint8 kept where at least half of a new pixel is tumour, and the
    new pixel size in mm. The slice spacing is unchanged. Chapters 07, 08 and 09.
    """
    img = torch.from_numpy(square(study.stack(channels))).permute(1, 0, 2, 3)  # (z, c, n, n)
    msk = torch.from_numpy(square(study.mask.array.astype(np.float32)))[:, None]
    pixel_mm = img.shape[-1] * study.spacing[1] / size
    img = F.interpolate(img, size=(size, size), mode="area").numpy()
    msk = (F.interpolate(msk, size=(size, size), mode="area")[:, 0] >= 0.5).numpy().astype(np.uint8)
    return img, msk, float(pixel_mm)


def slices(studies: Sequence[Study], size: int = 64, channels: Sequence[str] = ("t1post", "flair"),
           min_brain_fraction: float = 0.05) -> SliceSet:
    """Every axial slice of ``studies`` padded to a square field of view and resized to ``size`` pixels.

    Images are scaled per volume (:func:`scale_intensity`) and resized by area
    averaging; the mask is resized the same way and kept where at least half
    of a pixel is tumour. Slices whose brain (non-zero T1post) covers less than
    ``min_brain_fraction`` of the field are dropped: they are the empty ends of
    the stack. Chapters 07, 08 and 09.
    """
    if not studies:
        raise BrainMRError("slices() needs at least one study; load them with load_studies().")
    parts: dict[str, list] = {k: [] for k in ("images", "masks", "patient", "study", "index", "pixel_mm")}
    for s in studies:
        img, msk, pixel_mm = resize_study(s, size, channels)
        brain = (square(s.t1post.array) > 0).reshape(len(img), -1).mean(1)
        keep = brain >= min_brain_fraction
        n = int(keep.sum())
        parts["images"].append(img[keep])
        parts["masks"].append(msk[keep])
        parts["patient"].append(np.full(n, s.patient))
        parts["study"].append(np.full(n, s.study))
        parts["index"].append(np.flatnonzero(keep))
        parts["pixel_mm"].append(np.full(n, pixel_mm))
    cat = {k: np.concatenate(v) for k, v in parts.items()}
    return SliceSet(cat["images"].astype(np.float32), cat["masks"], cat["patient"], cat["study"],
                    cat["index"], cat["pixel_mm"], tuple(channels))


def patient_folds(patients: Sequence[str] | np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Leave-one-patient-out folds: for each patient, (train indices, test indices) into ``patients``.

    Chapters 07, 08 and 09.
    """
    patients = np.asarray(patients)
    return [(np.flatnonzero(patients != p), np.flatnonzero(patients == p)) for p in np.unique(patients)]
