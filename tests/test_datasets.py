"""medlab.data.medmnist: MedMNIST-style loading, sub-sampling, splits by profile, ImageFolder export."""

import numpy as np
import pytest
import torch

from medlab.data import DataNotAvailableError, DatasetFormatError
from medlab.data.medmnist import (
    MedMNISTDataset,
    SplitError,
    export_imagefolder,
    load_arrays,
    load_splits,
    stratified_indices,
)
from medlab.errors import MedlabError
from medlab.runtime.profiles import PROFILES


def test_stratified_indices_keep_every_class():
    labels = np.array([0] * 10 + [1] * 990)
    idx = stratified_indices(labels, 50, seed=0)
    assert len(idx) == 50 and set(labels[idx]) == {0, 1}
    assert np.array_equal(idx, stratified_indices(labels, 50, seed=0))
    assert not np.array_equal(idx, stratified_indices(labels, 50, seed=1))
    assert np.array_equal(stratified_indices(labels, None), np.arange(1000))


def test_split_error_is_a_medlab_error_and_a_value_error():
    assert issubclass(SplitError, MedlabError) and issubclass(SplitError, ValueError)
    with pytest.raises(SplitError, match="not 'valid'; pass one of these names"):
        load_arrays("breastmnist", "valid")  # refused before any file is looked for


def test_breastmnist_full_split_sizes(mirror):
    sizes = {s: len(load_arrays("breastmnist", s)[1]) for s in ("train", "val", "test")}
    assert sizes == {"train": 546, "val": 78, "test": 156}  # MedMNIST v2's official splits


def test_subset_split_sizes_and_balance(mirror):
    _, y = load_arrays("pneumoniamnist_subset", "train")
    assert len(y) == 3882 and np.bincount(y).tolist() == [388, 3494]


def test_dataset_items(mirror):
    ds = MedMNISTDataset("breastmnist", "train", size=40, seed=0)
    x, y = ds[0]
    assert len(ds) == 40 and ds.full_size == 546
    assert x.shape == (1, 28, 28) and x.dtype == torch.float32 and -1 <= x.min() and x.max() <= 1
    assert y in (0, 1) and ds.classes == ["malignant", "normal_benign"]
    assert sum(ds.class_counts().values()) == 40


def test_load_splits_sizes_follow_the_profile(mirror):
    smoke = PROFILES["smoke"]
    flip = lambda x: x.flip(-1)  # noqa: E731
    splits = load_splits("breastmnist", smoke, seed=3, transform=flip)
    assert list(splits) == ["train", "val", "test"]
    # smoke asks for 256 / 128 / 128; BreastMNIST's validation split has only 78 images
    assert [len(d) for d in splits.values()] == [smoke.train_size, 78, smoke.eval_size]
    # the same stratified sub-samples as loading each split by hand
    by_hand = MedMNISTDataset("breastmnist", "val", size=smoke.eval_size, seed=3)
    assert np.array_equal(splits["val"].images, by_hand.images)
    assert splits["train"].transform is flip and splits["test"].transform is None
    full = load_splits("breastmnist", PROFILES["full"])
    assert [len(d) for d in full.values()] == [546, 78, 156]
    small = load_splits("breastmnist", smoke.with_overrides(train_size=40))
    assert len(small["train"]) == 40 and len(small["test"]) == smoke.eval_size


def test_export_imagefolder_round_trip(mirror, tmp_path):
    from PIL import Image

    root = tmp_path / "export"
    counts = export_imagefolder("breastmnist", root, splits=("test",), size=12, seed=0)
    files = sorted((root / "test").glob("*/*.png"))
    assert len(files) == 12 == sum(counts["test"].values())
    ds = MedMNISTDataset("breastmnist", "test", size=12, seed=0)
    first = np.array(Image.open(root / "test" / ds.classes[ds.labels[0]] / "00000.png"))
    assert np.array_equal(first, ds.images[0])
    assert [p.name for p in tmp_path.iterdir()] == ["export"]  # no temporary folder left
    assert export_imagefolder("breastmnist", root, splits=("test",), size=12, seed=0) == counts


def test_bad_archive_is_named(monkeypatch, tmp_path):
    import medlab.data.medmnist as mds

    bad = tmp_path / "breastmnist.npz"
    np.savez(bad, images=np.zeros((2, 28, 28), np.uint8))
    monkeypatch.setattr(mds, "npz_path", lambda name: bad)
    with pytest.raises(DatasetFormatError, match="breastmnist.npz.*train_images"):
        load_arrays("breastmnist", "train")


def test_missing_dataset_says_how_to_get_it(monkeypatch, tmp_path):
    import dataclasses
    import socket

    from medlab.data import registry

    monkeypatch.setenv("MEDLAB_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MEDLAB_DATA_MIRROR", str(tmp_path / "empty-mirror"))
    # No network: the official file the subset is built from points at a port that refuses connections.
    official = registry.REGISTRY["pneumoniamnist"]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}/pneumoniamnist.npz"
        monkeypatch.setitem(registry.REGISTRY, "pneumoniamnist", dataclasses.replace(
            official, files=(dataclasses.replace(official.files[0], url=dead),)))
        with pytest.raises(DataNotAvailableError, match="MEDLAB_DATA_MIRROR.*medmnist-subsets/pneumoniamnist_subset.npz"
                           ) as info:
            load_arrays("pneumoniamnist_subset", "train")
    assert "building it from 'pneumoniamnist' failed" in str(info.value)
    assert "python -m medlab.data.fetch pneumoniamnist_subset" in str(info.value)
    assert not (tmp_path / "pneumoniamnist_subset" / "pneumoniamnist_subset.npz").exists()


def test_stratified_indices_never_returns_more_than_asked():
    import numpy as np
    import pytest

    from medlab.data import stratified_indices

    labels = np.repeat(np.arange(10), [50, 2, 2, 2, 2, 2, 2, 2, 2, 2])  # many small classes
    idx = stratified_indices(labels, 12, seed=0)
    assert len(idx) == 12 and len(np.unique(labels[idx])) == 10
    with pytest.raises(ValueError, match="10 classes; ask for at least 10 items"):
        stratified_indices(labels, 5)


def test_in_unit_range_keeps_dark_pixels_and_black_corners():
    import torch
    from torchvision.transforms import v2

    from medlab.data import InUnitRange, to_tensor

    image = to_tensor(np.linspace(0, 255, 28 * 28).reshape(28, 28).astype(np.uint8))  # in [-1, 1]
    brighter = v2.ColorJitter(brightness=(1.1, 1.1))
    # applied directly, torchvision clips the [-1, 1] image to [0, 1]: everything below mid-grey is lost
    assert brighter(image).min() >= 0
    wrapped = InUnitRange(brighter)(image)
    expected = ((image + 1) / 2 * 1.1).clamp(0, 1) * 2 - 1
    assert torch.allclose(wrapped, expected, atol=1e-5) and wrapped.min() == -1.0
    shifted = InUnitRange(v2.RandomAffine(degrees=0, translate=(0.3, 0.3)))
    torch.manual_seed(0)
    out = shifted(torch.ones(1, 28, 28))  # a white image moved: the uncovered border is black (-1)
    assert out.min() == -1.0 and out.max() == 1.0


def test_to_batch_stacks_what_to_tensor_gives_each_image():
    from medlab.data import to_batch, to_tensor

    images = np.random.default_rng(0).integers(0, 256, (5, 28, 28), dtype=np.uint8)
    batch = to_batch(images)
    assert batch.shape == (5, 1, 28, 28) and batch.dtype == torch.float32
    torch.testing.assert_close(batch, torch.stack([to_tensor(im) for im in images]), rtol=0, atol=0)
    assert batch.min() >= -1 and batch.max() <= 1
