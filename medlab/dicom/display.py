"""Pixel values for a screen or a model: modality units, windows, colour, spacing.

Introduced in the chapter "Imaging modalities" (chapters/01_imaging_modalities.ipynb).
"""

from __future__ import annotations

import numpy as np
from pydicom.dataset import Dataset

from .errors import HeaderMismatchError
from .reading import _label

#: Standard CT display windows, name -> (width, level) in Hounsfield units.
#: Values from Radiopaedia, "Windowing (CT)" (radiopaedia.org/articles/windowing-ct):
#: brain W80 L40, subdural W200 L80 (130-300 / 50-100), lung W1500 L-600,
#: bone W1800 L400, soft tissue/abdomen W400 L50.
STANDARD_WINDOWS: dict[str, tuple[float, float]] = {
    "brain": (80.0, 40.0),
    "subdural": (200.0, 80.0),
    "soft tissue": (400.0, 50.0),
    "lung": (1500.0, -600.0),
    "bone": (1800.0, 400.0),
}


def to_modality_units(ds: Dataset, pixels: np.ndarray) -> np.ndarray:
    """Apply RescaleSlope/RescaleIntercept (CT: Hounsfield units) as float32.

    A value that is not a number raises :class:`HeaderMismatchError`.

    Introduced in the chapter "Imaging modalities" (chapters/01_imaging_modalities.ipynb).
    """
    values = {}
    for keyword, default in (("RescaleSlope", 1.0), ("RescaleIntercept", 0.0)):
        raw = ds.get(keyword, default)
        try:
            values[keyword] = float(raw if raw not in (None, "") else default)
        except (TypeError, ValueError):
            raise HeaderMismatchError(
                f"{_label(getattr(ds, 'filename', None))}: {keyword} is {raw!r}, not a "
                "number; the modality units (HU) cannot be computed. Fix the header or "
                "export the file again."
            ) from None
    slope, intercept = values["RescaleSlope"], values["RescaleIntercept"]
    return (pixels.astype(np.float32) * np.float32(slope) + np.float32(intercept))


def window(values: np.ndarray, width: float, level: float) -> np.ndarray:
    """Map ``[level - width/2, level + width/2]`` linearly to ``[0, 1]``, clipping outside.

    Introduced in the chapter "Imaging modalities" (chapters/01_imaging_modalities.ipynb).
    """
    low = level - width / 2.0
    return np.clip((np.asarray(values, dtype=np.float32) - low) / float(width), 0.0, 1.0)


def for_display(ds: Dataset, pixels: np.ndarray,
                percentiles: tuple[float, float] = (0.0, 100.0)) -> np.ndarray:
    """Grey values scaled to [0, 1] with bright = dense, whatever the photometric.

    MONOCHROME1 stores dense tissue as *low* values; this function inverts it
    within the stored range, so both MONOCHROME1 and MONOCHROME2 display the
    same way with ``cmap="gray"``. ``percentiles`` clips the range first (for
    example ``(0.5, 99.5)`` for an image with a few very bright pixels).

    Introduced in the chapter "Imaging modalities" (chapters/01_imaging_modalities.ipynb).
    """
    arr = np.asarray(pixels, dtype=np.float32)
    lo, hi = (float(v) for v in np.percentile(arr, percentiles))
    scaled = np.clip((arr - lo) / (hi - lo), 0, 1) if hi > lo else np.zeros_like(arr)
    if str(ds.get("PhotometricInterpretation", "")) == "MONOCHROME1":
        scaled = 1.0 - scaled
    return scaled


def _tissue_region(ds: Dataset) -> Dataset | None:
    """The first ultrasound region calibrated in cm along both axes, or ``None``."""
    for region in ds.get("SequenceOfUltrasoundRegions") or []:
        units = (region.get("PhysicalUnitsXDirection"), region.get("PhysicalUnitsYDirection"))
        if all(u is not None and int(u) == 3 for u in units):  # 3 = cm
            if float(region.get("PhysicalDeltaX", 0) or 0) > 0 and float(region.get("PhysicalDeltaY", 0) or 0) > 0:
                return region
    return None


def pixel_spacing(ds: Dataset) -> tuple[tuple[float, float] | None, str]:
    """In-plane spacing ``(row, column)`` in mm and the element it came from.

    Looks at PixelSpacing, then ImagerPixelSpacing (projection radiography, at
    the detector), then the first ultrasound region calibrated in cm along both
    axes (PhysicalDeltaY/X of SequenceOfUltrasoundRegions); a zero value is
    skipped for the next element. When none gives a positive spacing the result
    is ``(None, reason)``: the physical size of such an image is unknown.

    A spacing from an ultrasound region holds inside that region only (the
    rest of the screen holds text, other regions with other units, or
    nothing): ``calibrated_region`` gives its pixel bounds.

    Introduced in the chapter "Imaging modalities" (chapters/01_imaging_modalities.ipynb).
    """
    reasons = []
    for keyword in ("PixelSpacing", "ImagerPixelSpacing"):
        value = ds.get(keyword)
        if value is not None and len(value) == 2:
            spacing = (float(value[0]), float(value[1]))
            if min(spacing) > 0:
                return spacing, keyword
            reasons.append(f"{keyword} is {[float(v) for v in value]}")  # a zero: try the next element
    region = _tissue_region(ds)
    if region is not None:
        return (10 * float(region.PhysicalDeltaY), 10 * float(region.PhysicalDeltaX)), \
            "SequenceOfUltrasoundRegions"
    return None, "; ".join(reasons) if reasons else "no spacing in the header"


def calibrated_region(ds: Dataset) -> tuple[int, int, int, int] | None:
    """Pixel bounds ``(row_start, row_stop, col_start, col_stop)`` where :func:`pixel_spacing` holds.

    Half-open, like Python slices: ``pixels[r0:r1, c0:c1]`` is the calibrated
    part. The whole image for PixelSpacing or ImagerPixelSpacing; for an
    ultrasound spacing, the bounds of the region it came from
    (RegionLocationMinX0/MinY0/MaxX1/MaxY1, which include their last pixel),
    clipped to the image. ``None`` when the image has no known spacing.

    Introduced in the chapter "Imaging modalities" (chapters/01_imaging_modalities.ipynb).
    """
    spacing, source = pixel_spacing(ds)
    if spacing is None:
        return None
    rows, cols = int(ds.Rows), int(ds.Columns)
    if source != "SequenceOfUltrasoundRegions":
        return 0, rows, 0, cols
    region = _tissue_region(ds)
    if region is None:  # not reached: pixel_spacing took its spacing from this region
        return 0, rows, 0, cols
    r0 = min(max(int(region.get("RegionLocationMinY0", 0)), 0), rows)
    c0 = min(max(int(region.get("RegionLocationMinX0", 0)), 0), cols)
    r1 = min(int(region.get("RegionLocationMaxY1", rows - 1)) + 1, rows)
    c1 = min(int(region.get("RegionLocationMaxX1", cols - 1)) + 1, cols)
    return r0, max(r1, r0), c0, max(c1, c0)


def field_of_view_mm(ds: Dataset) -> tuple[float, float] | None:
    """Height and width in mm of the part of the image whose pixel size is known.

    The calibrated pixels (``calibrated_region``) times the spacing
    (:func:`pixel_spacing`): the whole image for CT, MR or a radiograph with a
    spacing, the calibrated region only for ultrasound. ``None`` when the
    spacing is unknown.

    Introduced in the chapter "Imaging modalities" (chapters/01_imaging_modalities.ipynb).
    """
    spacing, _ = pixel_spacing(ds)
    bounds = calibrated_region(ds)
    if spacing is None or bounds is None:
        return None
    r0, r1, c0, c1 = bounds
    return (r1 - r0) * spacing[0], (c1 - c0) * spacing[1]


def to_rgb(ds: Dataset, pixels: np.ndarray) -> np.ndarray:
    """Colour images as RGB: PALETTE COLOR through its lookup table, others unchanged.

    pydicom already converts YBR colour spaces to RGB when decoding.

    Introduced in the chapter "Imaging modalities" (chapters/01_imaging_modalities.ipynb).
    """
    if str(ds.get("PhotometricInterpretation", "")) == "PALETTE COLOR":
        from pydicom.pixels import apply_color_lut

        rgb = apply_color_lut(pixels, ds)
        if rgb.dtype == np.uint16:  # 16-bit lookup-table entries
            rgb = (rgb >> 8).astype(np.uint8)
        return rgb
    return pixels


def describe_image(ds: Dataset, pixels: np.ndarray) -> dict[str, object]:
    """Header and measured pixel facts of one image, for a modality table.

    The field of view covers the calibrated pixels (``field_of_view_mm``):
    for ultrasound, the region whose spacing is given, not the whole screen.

    Introduced in the chapter "Imaging modalities" (chapters/01_imaging_modalities.ipynb).
    """
    spacing, _ = pixel_spacing(ds)
    fov = field_of_view_mm(ds)
    n = int(ds.get("NumberOfFrames", 1) or 1)
    rows, cols = int(ds.Rows), int(ds.Columns)
    return {
        "modality": str(ds.get("Modality", "")),
        "photometric": str(ds.get("PhotometricInterpretation", "")),
        "bits alloc/stored": f"{ds.get('BitsAllocated')}/{ds.get('BitsStored')}",
        "signed": bool(ds.get("PixelRepresentation", 0)),
        "matrix": f"{rows}x{cols}" + (f"x{n}f" if n > 1 else "")
        + (f"x{ds.SamplesPerPixel}" if int(ds.get("SamplesPerPixel", 1)) > 1 else ""),
        "spacing mm": "x".join(f"{s:.3g}" for s in spacing) if spacing else "unknown",
        "field of view mm": f"{fov[0]:.0f}x{fov[1]:.0f}" if fov else "unknown",
        "dtype": str(pixels.dtype),
        "min": pixels.min().item(),
        "max": pixels.max().item(),
    }


def describe_array(image: np.ndarray, spacing_mm: float | None = None) -> dict[str, object]:
    """The equivalents of :func:`describe_image` for an image without a DICOM header.

    Introduced in the chapter "Imaging modalities" (chapters/01_imaging_modalities.ipynb).
    """
    bits = image.dtype.itemsize * 8
    return {
        "modality": "",
        "photometric": "RGB" if image.ndim == 3 and image.shape[-1] == 3 else "grey",
        "bits alloc/stored": f"{bits}/{bits}",
        "signed": bool(np.issubdtype(image.dtype, np.signedinteger)),
        "matrix": "x".join(str(s) for s in image.shape),
        "spacing mm": f"{spacing_mm:.3g}" if spacing_mm else "unknown",
        "field of view mm": "unknown" if not spacing_mm
        else "x".join(f"{s * spacing_mm:.0f}" for s in image.shape[:2]),
        "dtype": str(image.dtype),
        "min": image.min().item(),
        "max": image.max().item(),
    }


__all__ = ["STANDARD_WINDOWS", "calibrated_region", "describe_array", "describe_image",
           "field_of_view_mm", "for_display", "pixel_spacing", "to_modality_units", "to_rgb", "window"]
