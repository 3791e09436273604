"""medlab.data.leakage: near-duplicate search across splits, checked against brute force."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from medlab import data
from medlab.data import leakage


def _brute_force(query, reference):
    q = query.reshape(len(query), -1).astype(float)
    r = reference.reshape(len(reference), -1).astype(float)
    mad = np.abs(q[:, None, :] - r[None, :, :]).mean(-1)
    corr = np.array([[np.corrcoef(a, b)[0, 1] for b in r] for a in q])
    return mad, corr


def test_nearest_neighbours_matches_brute_force():
    rng = np.random.default_rng(0)
    reference = rng.integers(0, 256, (40, 6, 5), dtype=np.uint8)
    query = rng.integers(0, 256, (13, 6, 5), dtype=np.uint8)
    nn = leakage.nearest_neighbours(query, reference, chunk=4)  # several chunks
    mad, corr = _brute_force(query, reference)
    np.testing.assert_allclose(nn["mad"], mad.min(1))
    np.testing.assert_array_equal(nn["mad_match"], mad.argmin(1))
    np.testing.assert_allclose(nn["corr"], corr.max(1))
    np.testing.assert_array_equal(nn["corr_match"], corr.argmax(1))


def test_copies_are_found_by_the_right_measure():
    rng = np.random.default_rng(1)
    reference = rng.integers(20, 200, (30, 8, 8)).astype(np.uint8)
    noisy_copy = np.clip(reference[7].astype(int) + rng.integers(-2, 3, (8, 8)), 0, 255)
    brighter_copy = np.clip(reference[12].astype(int) * 1.2 + 20, 0, 255)  # same picture, other contrast
    query = np.stack([noisy_copy, brighter_copy]).astype(np.uint8)
    nn = leakage.nearest_neighbours(query, reference)
    assert nn.loc[0, "mad_match"] == 7 and nn.loc[0, "mad"] <= 2
    assert nn.loc[1, "corr_match"] == 12 and nn.loc[1, "corr"] > 0.99
    assert nn.loc[1, "mad"] > leakage.MAX_MAD  # pixel distance alone misses it


def test_constant_image_has_zero_correlation_not_nan():
    reference = np.stack([np.full((4, 4), 9), np.arange(16).reshape(4, 4)]).astype(np.uint8)
    nn = leakage.nearest_neighbours(np.full((1, 4, 4), 9, dtype=np.uint8), reference)
    assert nn.loc[0, "mad"] == 0 and nn.loc[0, "mad_match"] == 0
    assert nn.loc[0, "corr"] == 0.0


def test_leakage_audit_error_is_a_medlab_error_and_a_value_error():
    from medlab.errors import MedlabError

    assert issubclass(leakage.LeakageAuditError, MedlabError)
    assert issubclass(leakage.LeakageAuditError, ValueError)  # older `except ValueError` code still works
    assert issubclass(leakage.LeakageAuditError, data.DataError)


def test_shape_mismatch_and_empty_input_are_refused():
    with pytest.raises(leakage.LeakageAuditError, match="pixels"):
        leakage.nearest_neighbours(np.zeros((2, 4, 4)), np.zeros((2, 5, 5)))
    with pytest.raises(ValueError, match="at least one"):
        leakage.nearest_neighbours(np.zeros((0, 4, 4)), np.zeros((2, 4, 4)))


def _fake_audit(flags):
    audit = pd.DataFrame({"split": "test", "index": np.arange(len(flags)), "near_duplicate": flags})
    audit.attrs["dataset"] = "toy"
    return audit


def test_keep_mask_follows_the_subsample_indices():
    audit = _fake_audit([False, True, False, True, False])
    subset = SimpleNamespace(name="toy", split="test", indices=np.array([0, 1, 3, 4]))
    np.testing.assert_array_equal(leakage.keep_mask(audit, subset), [True, False, False, True])
    with pytest.raises(ValueError, match="no rows for split 'val'"):
        leakage.keep_mask(audit, SimpleNamespace(name="toy", split="val", indices=np.arange(2)))
    with pytest.raises(leakage.LeakageAuditError, match="audit is of 'toy'.*audit_splits\\('other'\\)"):
        leakage.keep_mask(audit, SimpleNamespace(name="other", split="test", indices=np.arange(2)))
    with pytest.raises(leakage.LeakageAuditError, match="by='corr'"):
        leakage.show_pairs(audit, by="distance")


def test_breastmnist_official_splits_hold_near_copies_of_training_images():
    audit = leakage.audit_splits("breastmnist")
    table = leakage.summary(audit)
    assert list(table.index) == ["val", "test"]
    assert table.loc["test", "images"] == 156 and table.loc["val", "images"] == 78
    # the published splits were made image by image: a pixel-identical copy and label conflicts exist
    assert table.loc["test", "identical"] >= 1
    assert table.loc["test", "label_conflicts"] >= 1
    assert 0.1 < table.loc["test", "share"] < 0.5
    test = data.MedMNISTDataset("breastmnist", "test")
    mask = leakage.keep_mask(audit, test)
    assert mask.sum() == 156 - table.loc["test", "near_duplicates"]


def test_chapter_03_exercise_numbers_follow_from_the_data():
    # the solution of ex-first-classifier-leak-threshold quotes these counts
    loose = leakage.summary(leakage.audit_splits("breastmnist", max_mad=10, min_corr=0.98))
    assert (loose.loc["test", "near_duplicates"], loose.loc["val", "near_duplicates"]) == (60, 31)
    assert loose.loc["test", "label_conflicts"] == 4
    default = leakage.summary(leakage.audit_splits("breastmnist"))
    assert (default.loc["test", "near_duplicates"], default.loc["val", "near_duplicates"]) == (41, 23)
