"""Digital pathology: stains, stain normalisation, nuclei, tissue masks and tiles.

- :func:`optical_density` and :func:`macenko_stain_vectors` write out the
  Macenko et al. (ISBI 2009) estimate of the two stain vectors of an image
  (checked against torchstain's implementation in tests/test_pathology.py);
  :func:`macenko_normalize` calls torchstain to normalise an image to a target;
- :func:`nuclei_reference` is a careful classical nuclei segmentation
  (haematoxylin channel by colour deconvolution, Otsu threshold, distance
  transform and marker-controlled watershed) and :func:`nuclei_candidates` a
  fast scored point detector to be evaluated against it;
- :func:`tissue_mask`, :func:`tile_grid` and :func:`pyramid` are the first steps
  of every whole-slide pipeline.

torchstain is imported inside :func:`macenko_normalize` (the ``signals`` extra).

Introduced in the chapter "Beyond radiology" (chapters/14_beyond_radiology.ipynb).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage as ndi
from skimage import color, feature, filters, measure, morphology, segmentation, transform

from .errors import MedlabError


class StainImageError(MedlabError, ValueError):
    """An image given as a stained RGB slide is not one (chapters/14_beyond_radiology.ipynb)."""


def _check_rgb(rgb: np.ndarray, name: str = "image") -> np.ndarray:
    a = np.asarray(rgb)
    if a.ndim != 3 or a.shape[2] != 3:
        raise StainImageError(f"{name}: expected an RGB image of shape (height, width, 3), got {a.shape}; "
                              "drop an alpha channel with image[..., :3] or convert a grey image with "
                              "skimage.color.gray2rgb.")
    if a.dtype != np.uint8:
        raise StainImageError(f"{name}: expected uint8 intensities 0-255, got {a.dtype}; convert with "
                              "skimage.util.img_as_ubyte.")
    return a


def optical_density(rgb: np.ndarray, io: float = 240.0) -> np.ndarray:
    """Optical density ``-log((I + 1) / Io)`` per pixel and channel (Beer-Lambert), shape ``(n_pixels, 3)``.

    Introduced in chapters/14_beyond_radiology.ipynb.
    """
    a = _check_rgb(rgb)
    return -np.log((a.reshape(-1, 3).astype(float) + 1.0) / io)


def macenko_stain_vectors(rgb: np.ndarray, io: float = 240.0, alpha: float = 1.0,
                          beta: float = 0.15) -> np.ndarray:
    """The two stain vectors (columns, unit length in OD space) of ``rgb`` by Macenko's method.

    1. optical density; drop near-transparent pixels (any channel OD < ``beta``);
    2. project the rest on the plane of the two largest principal directions;
    3. the robust extreme angles (``alpha`` and ``100 - alpha`` percentiles) give the two stains;
    4. order: the vector with the larger red-channel OD first (haematoxylin in H&E).

    Used in chapters/14_beyond_radiology.ipynb; tests/test_pathology.py checks it against torchstain.
    """
    od = optical_density(rgb, io)
    od_hat = od[~np.any(od < beta, axis=1)]
    if len(od_hat) < 10:
        raise StainImageError("image: fewer than 10 stained pixels (is it blank or background only?); "
                              "pass a tile that contains tissue")
    _, eigvecs = np.linalg.eigh(np.cov(od_hat.T))
    plane = eigvecs[:, 1:3]
    proj = od_hat @ plane
    phi = np.arctan2(proj[:, 1], proj[:, 0])
    lo, hi = np.percentile(phi, alpha), np.percentile(phi, 100 - alpha)
    v_min = plane @ np.array([np.cos(lo), np.sin(lo)])
    v_max = plane @ np.array([np.cos(hi), np.sin(hi)])
    return np.stack([v_min, v_max], axis=1) if v_min[0] > v_max[0] else np.stack([v_max, v_min], axis=1)


def macenko_normalize(rgb: np.ndarray, target: np.ndarray) -> np.ndarray:
    """``rgb`` re-rendered with the stain vectors and intensities of ``target`` (torchstain's Macenko).

    Used in chapters/14_beyond_radiology.ipynb.
    """
    import torchstain

    norm = torchstain.normalizers.MacenkoNormalizer(backend="numpy")
    norm.fit(_check_rgb(target, "target"))
    out, _, _ = norm.normalize(I=_check_rgb(rgb), stains=False)
    return out


def stain_channels(rgb: np.ndarray) -> dict[str, np.ndarray]:
    """Haematoxylin, eosin and DAB concentrations by colour deconvolution (Ruifrok & Johnston 2001).

    A thin wrapper of ``skimage.color.rgb2hed``. Used in chapters/14_beyond_radiology.ipynb.
    """
    hed = color.rgb2hed(_check_rgb(rgb))
    return {"haematoxylin": hed[..., 0], "eosin": hed[..., 1], "dab": hed[..., 2]}


@dataclass(frozen=True)
class Nuclei:
    """Segmented nuclei: a label image, centroids ``(row, col)``, areas (pixels) and mean DAB per nucleus."""

    labels: np.ndarray
    centroids: np.ndarray
    areas: np.ndarray
    mean_dab: np.ndarray


def nuclei_reference(rgb: np.ndarray, sigma: float = 1.0, min_area: int = 30,
                     min_distance: int = 5) -> Nuclei:
    """Nuclei by a careful classical pipeline: haematoxylin, Otsu, clean-up, distance-transform watershed.

    Nuclei take the haematoxylin counterstain (blue); DAB (brown) marks the protein of interest, here
    on cell membranes, so the mask is taken on the haematoxylin channel alone. Touching nuclei are
    split by a marker-controlled watershed of the distance transform, markers at its local maxima at
    least ``min_distance`` apart. This is a *reference made by a pipeline*, not an expert annotation.
    Introduced in chapters/14_beyond_radiology.ipynb.
    """
    ch = stain_channels(rgb)
    stain = filters.gaussian(ch["haematoxylin"], sigma=sigma)
    mask = stain > filters.threshold_otsu(stain)
    mask = ndi.binary_fill_holes(morphology.opening(mask, morphology.disk(1)))
    mask = morphology.remove_small_objects(mask, max_size=min_area - 1)
    dist = ndi.distance_transform_edt(mask)
    peaks = feature.peak_local_max(dist, min_distance=min_distance, labels=measure.label(mask), exclude_border=False)
    markers = np.zeros(mask.shape, dtype=np.int32)
    markers[tuple(peaks.T)] = np.arange(1, len(peaks) + 1)
    labels = segmentation.watershed(-dist, markers, mask=mask)
    labels = morphology.remove_small_objects(labels, max_size=min_area - 1)
    props = measure.regionprops(labels, intensity_image=ch["dab"])
    return Nuclei(labels=labels,
                  centroids=np.array([p.centroid for p in props]).reshape(-1, 2),
                  areas=np.array([p.area for p in props]),
                  mean_dab=np.array([p.intensity_mean for p in props]))


def nuclei_candidates(rgb: np.ndarray, sigma: float = 3.0, min_distance: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """A fast point detector: local maxima of the smoothed haematoxylin image, scored by their height.

    Returns ``(points (n, 2) as (row, col), scores)``; every local maximum is kept, so the
    threshold on the score is left to the precision-recall analysis. Used in
    chapters/14_beyond_radiology.ipynb.
    """
    ch = stain_channels(rgb)
    smooth = filters.gaussian(ch["haematoxylin"], sigma=sigma)
    pts = feature.peak_local_max(smooth, min_distance=min_distance, exclude_border=False)
    return pts.astype(float), smooth[tuple(pts.T)]


def tissue_mask(rgb: np.ndarray, threshold: float | str = 0.05, sigma: float = 4.0,
                min_size: int = 64) -> np.ndarray:
    """Tissue (True) versus glass background: a threshold on smoothed HSV saturation, specks removed.

    Glass is grey-white (saturation near 0) and stained tissue is coloured. The saturation is
    smoothed (Gaussian, ``sigma`` pixels) so that pale stroma between stained nuclei counts as
    tissue, then thresholded: at ``threshold`` (default 0.05) or, with ``threshold="otsu"``, at
    Otsu's value, which suits a whole slide at low resolution where glass dominates (as in CLAM)
    but splits strong from weak staining in a field that is all tissue. Used in
    chapters/14_beyond_radiology.ipynb.
    """
    sat = filters.gaussian(color.rgb2hsv(_check_rgb(rgb))[..., 1], sigma=sigma)
    thr = filters.threshold_otsu(sat) if threshold == "otsu" else float(threshold)
    mask = sat > thr
    return morphology.remove_small_holes(morphology.remove_small_objects(mask, max_size=min_size - 1),
                                         max_size=min_size - 1)


def tile_grid(mask: np.ndarray, tile: int, min_tissue: float = 0.5) -> np.ndarray:
    """Top-left ``(row, col)`` of every non-overlapping ``tile`` x ``tile`` tile with enough tissue.

    A tile is kept when at least ``min_tissue`` of its pixels are tissue in ``mask``. Used in
    chapters/14_beyond_radiology.ipynb.
    """
    h, w = mask.shape
    out = [(r, c) for r in range(0, h - tile + 1, tile) for c in range(0, w - tile + 1, tile)
           if mask[r:r + tile, c:c + tile].mean() >= min_tissue]
    return np.array(out, dtype=int).reshape(-1, 2)


def pyramid(rgb: np.ndarray, levels: int = 3) -> list[np.ndarray]:
    """Level 0 (full resolution) and ``levels - 1`` halvings, as a whole-slide file stores them.

    Each level is anti-aliased before downsampling (``skimage.transform.pyramid_reduce``). Used in
    chapters/14_beyond_radiology.ipynb.
    """
    out = [_check_rgb(rgb)]
    for _ in range(levels - 1):
        out.append((transform.pyramid_reduce(out[-1], downscale=2, channel_axis=-1) * 255).round().astype(np.uint8))
    return out
