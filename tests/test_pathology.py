"""medlab.pathology against torchstain and scikit-image, on the real IHC image (chapter 14)."""

from __future__ import annotations

import numpy as np
import pytest
from skimage import color, data

from medlab import pathology as pa


@pytest.fixture(scope="module")
def ihc():
    return data.immunohistochemistry()


def test_macenko_vectors_match_torchstain(ihc):
    torchstain = pytest.importorskip("torchstain")
    norm = torchstain.normalizers.MacenkoNormalizer(backend="numpy")
    norm.fit(ihc)
    ours = pa.macenko_stain_vectors(ihc)
    # eigenvector signs are arbitrary; both implementations must give the same directions
    assert np.allclose(np.abs(ours), np.abs(norm.HERef), atol=1e-6)
    assert np.allclose(np.linalg.norm(ours, axis=0), 1)


def test_macenko_normalize_to_itself_is_close(ihc):
    pytest.importorskip("torchstain")
    out = pa.macenko_normalize(ihc, ihc)
    assert out.shape == ihc.shape and out.dtype == np.uint8
    assert np.abs(out.astype(int) - ihc.astype(int)).mean() < 8


def test_stain_channels_are_rgb2hed(ihc):
    ch = pa.stain_channels(ihc)
    assert np.array_equal(ch["dab"], color.rgb2hed(ihc)[..., 2])


def test_nuclei_reference_on_a_drawn_image():
    img = np.full((120, 120, 3), 240, np.uint8)
    yy, xx = np.mgrid[:120, :120]
    centres = [(30, 30), (30, 80), (85, 50), (90, 95)]
    for r, c in centres:
        img[(yy - r) ** 2 + (xx - c) ** 2 <= 8 ** 2] = (90, 90, 170)  # blue-purple, haematoxylin-like
    nuc = pa.nuclei_reference(img)
    assert len(nuc.centroids) == 4
    d = np.linalg.norm(nuc.centroids[:, None] - np.array(centres)[None], axis=2)
    assert d.min(axis=0).max() < 1.5


def test_tissue_mask_tiles_and_pyramid():
    img = np.full((256, 256, 3), 245, np.uint8)
    img[:128, :] = (150, 80, 160)  # stained half
    mask = pa.tissue_mask(img)
    assert mask[:120].all() and not mask[140:].any()  # smoothing blurs the edge by a few pixels
    assert pa.tile_grid(mask, 64).tolist() == [[0, 0], [0, 64], [0, 128], [0, 192], [64, 0], [64, 64],
                                               [64, 128], [64, 192]]
    assert [p.shape[:2] for p in pa.pyramid(img, 3)] == [(256, 256), (128, 128), (64, 64)]


def test_bad_input_is_explained():
    with pytest.raises(pa.StainImageError, match="RGB"):
        pa.stain_channels(np.zeros((10, 10)))
    with pytest.raises(pa.StainImageError, match="uint8"):
        pa.optical_density(np.zeros((10, 10, 3)))
