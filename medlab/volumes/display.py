"""A volume in three orthogonal planes, with axes in millimetres and the true aspect ratio.

With 6.5 mm slices and 3.4 mm pixels, a sagittal or coronal view drawn pixel
for pixel is squashed to half its height. :func:`plane_extents` gives each
plane's extent in mm from the voxel spacing, so ``imshow(..., extent=...)``
draws every voxel at its physical size; :func:`plot_three_planes` draws an
image with contours of one or more masks in the three planes.

Introduced in the chapter "3D volumes" (chapters/09_volumes_3d.ipynb).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from .models import VolumeShapeError

PLANES = ("axial", "coronal", "sagittal")
"""The three planes, in the order :func:`plot_three_planes` draws them."""

_OPPOSITE = {"R": "L", "L": "R", "A": "P", "P": "A", "S": "I", "I": "S"}


def plane_orientation_labels(orientation: str) -> dict[str, dict[str, str]]:
    """The patient direction at the ``left``, ``right``, ``bottom`` and ``top`` edge of each plane's image.

    ``orientation`` holds the axis codes of ``(x, y, z)`` (column, row,
    slice) in nibabel's RAS terms, as ``medlab.dicom.Volume.orientation``
    gives them (``nibabel.aff2axcodes``): each letter names the direction in
    which that index grows, so ``"LPS"`` means columns run to the patient's
    left, rows to the back and slices upwards. The planes are drawn as
    :func:`plot_three_planes` draws them: axial with the first row at the
    top, coronal and sagittal with the first slice at the bottom.
    Introduced in the chapter "3D volumes" (chapters/09_volumes_3d.ipynb).
    """
    codes = orientation.upper()
    if len(codes) != 3 or any(c not in _OPPOSITE for c in codes) or len({frozenset((c, _OPPOSITE[c]))
                                                                          for c in codes}) != 3:
        raise VolumeShapeError(f"orientation must name three different axes with one of R/L, A/P, S/I each "
                               f"(such as 'LPS', from Volume.orientation), got {orientation!r}")
    x, y, z = codes
    return {"axial": {"left": _OPPOSITE[x], "right": x, "top": _OPPOSITE[y], "bottom": y},
            "coronal": {"left": _OPPOSITE[x], "right": x, "bottom": _OPPOSITE[z], "top": z},
            "sagittal": {"left": _OPPOSITE[y], "right": y, "bottom": _OPPOSITE[z], "top": z}}


def plane_extents(shape: Sequence[int], spacing: Sequence[float]) -> dict[str, tuple[float, float, float, float]]:
    """``imshow`` extents ``(left, right, bottom, top)`` in mm of the three planes of a ``(z, y, x)`` volume.

    Axial shows ``(y, x)`` (row down), coronal ``(z, x)`` and sagittal
    ``(z, y)``, with the first slice at the bottom. Voxel centres sit at
    ``(i + 0.5) * spacing``. Chapter 09 (chapters/09_volumes_3d.ipynb).
    """
    (nz, ny, nx), (sz, sy, sx) = shape, spacing
    return {"axial": (0.0, nx * sx, ny * sy, 0.0),
            "coronal": (0.0, nx * sx, 0.0, nz * sz),
            "sagittal": (0.0, ny * sy, 0.0, nz * sz)}


def _cut(volume: np.ndarray, plane: str, index: Sequence[int]) -> np.ndarray:
    z, y, x = index
    if plane == "axial":
        return volume[z]
    if plane == "coronal":
        return volume[:, y, :]
    return volume[:, :, x]


def plot_three_planes(image: np.ndarray, spacing: Sequence[float], masks: Mapping[str, np.ndarray] | None = None,
                      index: Sequence[int] | None = None, title: str | None = None,
                      colors: Sequence[str] = ("yellow", "red", "cyan"), figsize: tuple[float, float] = (11, 3.6),
                      unit: str = "mm", orientation: str | None = None) -> Figure:
    """Axial, coronal and sagittal cuts of ``image`` ``(z, y, x)`` through ``index``, in mm.

    ``masks`` maps a legend label to a binary ``(z, y, x)`` array drawn as a
    contour. ``index`` defaults to the centre of the first mask (or of the
    volume). Coronal and sagittal cuts have the slice axis upwards. ``unit``
    labels the axes (``"voxels"`` with a spacing of 1 for volumes without a
    physical size). ``orientation`` (axis codes of ``(x, y, z)``, such as
    ``Volume.orientation``) writes the patient's directions at the edges of
    every cut (:func:`plane_orientation_labels`); without it none is drawn.
    Chapter 09 (chapters/09_volumes_3d.ipynb).
    """
    if image.ndim != 3:
        raise VolumeShapeError(f"plot_three_planes draws one (z, y, x) volume, got shape {image.shape}; "
                               "pick a channel first (image[0])")
    masks = dict(masks or {})
    for label, m in masks.items():
        if m.shape != image.shape:
            raise VolumeShapeError(f"mask '{label}' has shape {m.shape}, the image {image.shape}")
    if index is None:
        first = next(iter(masks.values()), None)
        pts = np.argwhere(first > 0) if first is not None else np.empty((0, 3))
        index = np.round(pts.mean(0)).astype(int) if len(pts) else np.array(image.shape) // 2
    extents = plane_extents(image.shape, spacing)
    sides = plane_orientation_labels(orientation) if orientation is not None else None
    fig, axes = plt.subplots(1, 3, figsize=figsize)
    for ax, plane in zip(axes, PLANES):
        ext = extents[plane]
        origin = "upper" if plane == "axial" else "lower"
        ax.imshow(_cut(image, plane, index), cmap="gray", extent=ext, origin=origin, aspect="equal",
                  interpolation="nearest")
        for (label, m), color in zip(masks.items(), colors):
            cut = _cut(m, plane, index).astype(float)
            if cut.any():
                n0, n1 = cut.shape
                xs = np.linspace(ext[0], ext[1], n1 + 1)
                xs = (xs[:-1] + xs[1:]) / 2
                lo, hi = sorted(ext[2:])
                ys = np.linspace(lo, hi, n0 + 1)
                ys = (ys[:-1] + ys[1:]) / 2
                if origin == "upper":
                    ys = ys[::-1] if ext[2] < ext[3] else ys
                ax.contour(xs, ys, cut, levels=[0.5], colors=color, linewidths=1.2)
            ax.plot([], [], color=color, label=label)
        if sides is not None:
            at = {"left": (0.02, 0.5, "left", "center"), "right": (0.98, 0.5, "right", "center"),
                  "top": (0.5, 0.98, "center", "top"), "bottom": (0.5, 0.02, "center", "bottom")}
            for edge, letter in sides[plane].items():
                u, v, ha, va = at[edge]
                ax.text(u, v, letter, transform=ax.transAxes, ha=ha, va=va, color="white", fontsize=9,
                        fontweight="bold", bbox={"facecolor": "black", "alpha": 0.5, "pad": 1, "linewidth": 0})
        ax.set_title(f"{plane} (slice {index[PLANES.index(plane)]})", fontsize=9)
        ax.set_xlabel(unit)
        ax.set_ylabel(unit)
    if masks:
        axes[0].legend(fontsize=7, loc="lower right")
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


__all__ = ["PLANES", "plane_extents", "plane_orientation_labels", "plot_three_planes"]
