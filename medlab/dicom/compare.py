"""Time :func:`~medlab.dicom.load_series` against MONAI's DICOM reader.

Introduced in the chapter "DICOM in practice" (chapters/02_dicom_in_practice.ipynb).
"""

from __future__ import annotations

import logging
import warnings

import numpy as np

from .reading import PathLike
from .series import Volume, load_series


def load_series_monai(folder: PathLike) -> Volume:
    """Read a series with MONAI's ``LoadImage(reader="PydicomReader")`` as a :class:`Volume`.

    Used to compare against :func:`load_series` (MONAI returns ``(x, y, z)``
    and a RAS affine; both are converted back to this module's conventions).
    Silences MONAI's per-read log notice that its GPU decoder is not installed.

    Introduced in the chapter "DICOM in practice" (chapters/02_dicom_in_practice.ipynb).
    """
    from monai.transforms import LoadImage

    # MONAI logs a notice on every read when its GPU JPEG decoder is absent
    logging.getLogger("monai.data.nvimgcodec_pydicom_plugin").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        img = LoadImage(reader="PydicomReader", image_only=True)(str(folder))
    affine_ras = np.asarray(img.affine, dtype=float)
    affine_lps = np.diag([-1.0, -1.0, 1.0, 1.0]) @ affine_ras
    zooms = np.linalg.norm(affine_lps[:3, :3], axis=0)
    return Volume(
        array=np.asarray(img).transpose(2, 1, 0),
        spacing=(float(zooms[2]), float(zooms[1]), float(zooms[0])),
        origin=affine_lps[:3, 3],
        direction=affine_lps[:3, :3] / zooms,
        files=[],
    )


def compare_loaders(folder: PathLike, repeats: int = 5) -> dict[str, object]:
    """Time :func:`load_series` against MONAI's DICOM reader on one series folder.

    One warm-up call of each is discarded; then ``repeats`` rounds run both,
    alternating which goes first so that slow drifts of the machine's load hit
    both alike. Returns the median seconds of each, their ratio
    (``monai / medlab``: above 1 means ``load_series`` is faster), every
    timing, and whether both gave the same array, spacing, origin and direction.

    Introduced in the chapter "DICOM in practice" (chapters/02_dicom_in_practice.ipynb).
    """
    import time

    ours, theirs = load_series(folder), load_series_monai(folder)
    times: dict[str, list[float]] = {"medlab": [], "monai": []}
    loaders = {"medlab": load_series, "monai": load_series_monai}
    for r in range(max(1, repeats)):
        order = ("medlab", "monai") if r % 2 == 0 else ("monai", "medlab")
        for name in order:
            start = time.perf_counter()
            loaders[name](folder)
            times[name].append(time.perf_counter() - start)
    med = {k: float(np.median(v)) for k, v in times.items()}
    return {
        "medlab_s": med["medlab"],
        "monai_s": med["monai"],
        "ratio_monai_over_medlab": med["monai"] / med["medlab"],
        "times": times,
        "same_shape": ours.shape == theirs.shape,
        "same_array": ours.shape == theirs.shape and bool(np.array_equal(ours.array,
                                                                          theirs.array)),
        "same_spacing": bool(np.allclose(ours.spacing, theirs.spacing, atol=1e-4)),
        "same_origin": bool(np.allclose(ours.origin, theirs.origin, atol=1e-4)),
        "same_direction": bool(np.allclose(ours.direction, theirs.direction, atol=1e-4)),
    }


__all__ = ["compare_loaders", "load_series_monai"]
