"""medlab.data.brain_mr: the TCIA Brain-Tumor-Progression studies as aligned arrays (chapters 07-09)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from skimage.measure import block_reduce

from medlab import data
from medlab.data import brain_mr


@pytest.fixture(scope="module")
def root() -> Path:
    try:
        return data.fetch("tcia_brain_tumor_progression")
    except data.DataError as err:  # pragma: no cover - the mirror is always present in CI
        pytest.skip(f"TCIA mirror not available: {err}")


@pytest.fixture(scope="module")
def studies(root):
    return brain_mr.load_studies(root)


def test_every_study_has_three_series_on_one_grid(studies):
    assert len(studies) == 7
    assert sorted({s.patient for s in studies}) == ["PGBM-001", "PGBM-003", "PGBM-006", "PGBM-008"]
    for s in studies:
        assert s.t1post.shape == s.flair.shape == s.mask.shape
        assert set(np.unique(s.mask.array)) <= {0, 1} and s.mask.array.sum() > 0
        assert s.stack().shape == (2, *s.t1post.shape)


def test_scale_intensity_maps_percentiles_and_keeps_background():
    rng = np.random.default_rng(0)
    vol = np.zeros((4, 10, 10), np.float32)
    vol[:, 2:8, 2:8] = rng.uniform(100, 1000, (4, 6, 6))
    out = brain_mr.scale_intensity(vol)
    lo, hi = np.percentile(vol[vol > 0], [1, 99])
    inside = vol > 0
    np.testing.assert_allclose(out[inside], np.clip((vol[inside] - lo) / (hi - lo), 0, 1), rtol=1e-5)
    assert (out[~inside] == 0).all() and out.max() == 1.0


def test_square_pads_centred():
    a = np.ones((2, 4, 2))
    sq = brain_mr.square(a)
    assert sq.shape == (2, 4, 4) and sq[:, :, 1:3].all() and not sq[:, :, 0].any() and not sq[:, :, 3].any()


def test_slices_resize_by_area_like_block_averaging(studies):
    big = next(s for s in studies if s.t1post.shape[1:] == (512, 512))
    out = brain_mr.slices([big], size=64, min_brain_fraction=0.0)
    ref = block_reduce(big.stack()[0], (1, 8, 8), np.mean)  # 512 / 64 = 8
    np.testing.assert_allclose(out.images[:, 0], ref, atol=1e-5)
    mask = block_reduce(big.mask.array.astype(float), (1, 8, 8), np.mean) >= 0.5
    np.testing.assert_array_equal(out.masks, mask)
    np.testing.assert_allclose(out.pixel_mm, 512 * big.spacing[1] / 64)


def test_slices_keep_provenance_and_drop_empty_ends(studies):
    out = brain_mr.slices(studies, size=32)
    total = sum(s.t1post.shape[0] for s in studies)
    assert 0 < len(out) <= total and out.images.shape[1:] == (2, 32, 32)
    assert 0 < out.labels.mean() < 1
    sub = out.subset(out.patient == "PGBM-006")
    assert set(sub.study) == {s.study for s in studies if s.patient == "PGBM-006"}
    for train, test in brain_mr.patient_folds(out.patient):
        assert not set(out.patient[train]) & set(out.patient[test])


def test_a_study_without_its_mask_is_named(root, tmp_path):
    src = sorted(root.glob("*/*"))[0]
    study = tmp_path / src.parent.name / src.name
    for series in src.iterdir():
        if "MaskTumor" not in series.name:
            shutil.copytree(series, study / series.name)
    with pytest.raises(brain_mr.BrainMRError, match="MaskTumor"):
        brain_mr.load_study(study)
    with pytest.raises(brain_mr.BrainMRError, match="no <patient>/<study>/"):
        brain_mr.load_studies(tmp_path / "empty")
