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


def test_audit_pairs_stacks_every_pair_and_keep_mask_drops_a_copy_of_any_reference(monkeypatch):
    rng = np.random.default_rng(3)
    train = rng.integers(0, 256, (20, 6, 6), dtype=np.uint8)
    val = rng.integers(0, 256, (5, 6, 6), dtype=np.uint8)
    test = rng.integers(0, 256, (6, 6, 6), dtype=np.uint8)
    val[1] = train[4]          # a validation image copied from training
    test[2] = train[9]         # a test image copied from training
    test[5] = val[3]           # a test image copied from validation (missed by a train-only audit)
    arrays = {"train": train, "val": val, "test": test}
    monkeypatch.setattr(leakage, "load_arrays", lambda name, split: (arrays[split], np.arange(len(arrays[split])) % 2))
    audit = leakage.audit_pairs("toy")
    assert list(leakage.summary(audit).index) == ["val vs train", "test vs train", "test vs val"]
    assert leakage.summary(audit)["near_duplicates"].tolist() == [1, 1, 1]
    val_ds = SimpleNamespace(name="toy", split="val", indices=np.arange(5))
    test_ds = SimpleNamespace(name="toy", split="test", indices=np.arange(6))
    np.testing.assert_array_equal(leakage.keep_mask(audit, val_ds), [True, False, True, True, True])
    np.testing.assert_array_equal(leakage.keep_mask(audit, test_ds), [True, True, False, True, True, False])
    # the train-only audit misses the copy of a validation image
    train_only = leakage.audit_splits("toy")
    np.testing.assert_array_equal(leakage.keep_mask(train_only, test_ds), [True, True, False, True, True, True])
    with pytest.raises(leakage.LeakageAuditError, match="itself"):
        leakage.audit_pairs("toy", pairs=[("val", "val")])
    with pytest.raises(leakage.LeakageAuditError, match="never compared 'val' with 'test'"):
        leakage.show_pairs(audit, "val", reference="test")


def test_dataset_subset_keeps_positions_in_the_whole_split(monkeypatch):
    images = np.arange(6 * 4 * 4, dtype=np.uint8).reshape(6, 4, 4)
    labels = np.array([0, 1, 0, 1, 0, 1])
    monkeypatch.setattr(data.medmnist, "load_arrays", lambda name, split: (images, labels))
    ds = data.MedMNISTDataset("toy", "test")
    part = ds.subset(np.array([True, False, True, True, False, True]))
    np.testing.assert_array_equal(part.indices, [0, 2, 3, 5])
    np.testing.assert_array_equal(part.labels, [0, 0, 1, 1])
    assert len(part) == 4 and len(ds) == 6 and part.full_size == 6
    with pytest.raises(data.medmnist.SplitError, match="one entry per item"):
        ds.subset(np.ones(5, dtype=bool))
    with pytest.raises(data.medmnist.SplitError, match="keeps no item"):
        ds.subset(np.zeros(6, dtype=bool))
