"""MedMNIST-style datasets: load a verified ``.npz``, sub-sample by profile, export.

The ``medmnist`` package's classes assert the full split sizes, so the book
loads the arrays itself, checks them, and sub-samples *after* loading
(stratified, seeded). :func:`medlab.data.subsets.take_rows` rebuilds a subset (the PneumoniaMNIST
subset) from the file it was taken from. :func:`export_imagefolder` writes the
``<root>/<split>/<class>/*.png`` layout that torchvision's ``ImageFolder``
and most tutorials use. :func:`load_splits` loads the three splits at the
sizes a profile asks for, which is how every training chapter starts.

Introduced in the chapter "Your first classifier" (chapters/03_first_classifier.ipynb).
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset

from ..io import atomic_dir
from ..runtime.profiles import Profile
from .fetch import fetch
from .sources import DataError, DatasetFormatError

SPLITS = ("train", "val", "test")

# Label names per dataset (from medmnist.INFO; the subset shares PneumoniaMNIST's).
LABELS: dict[str, dict[int, str]] = {
    "pneumoniamnist": {0: "normal", 1: "pneumonia"},
    "pneumoniamnist_subset": {0: "normal", 1: "pneumonia"},
    "breastmnist": {0: "malignant", 1: "normal_benign"},
    "breastmnist_64": {0: "malignant", 1: "normal_benign"},
    "breastmnist_128": {0: "malignant", 1: "normal_benign"},
    "breastmnist_224": {0: "malignant", 1: "normal_benign"},
    "adrenalmnist3d": {0: "normal", 1: "hyperplasia"},
    "adrenalmnist3d_64": {0: "normal", 1: "hyperplasia"},
}


class SplitError(DataError, ValueError):
    """A split the data layer cannot give: an unknown split name, or a stratified
    subset too small to hold one item of each class (also a ``ValueError``)."""


def npz_path(name: str) -> Path:
    """Path of the verified ``.npz`` file of MedMNIST-style dataset ``name``."""
    folder = fetch(name)
    files = sorted(folder.glob(f"{name}.npz"))
    if not files:
        raise DatasetFormatError(f"{folder}: no {name}.npz; the registry entry of '{name}' must list it")
    return files[0]


def load_arrays(name: str, split: str) -> tuple[np.ndarray, np.ndarray]:
    """Images (``uint8``, N x H x W[xD]) and labels (``int64``, N) of one split."""
    if split not in SPLITS:
        raise SplitError(f"split must be one of {SPLITS}, not '{split}'; pass one of these names")
    path = npz_path(name)
    with np.load(path) as data:
        keys = (f"{split}_images", f"{split}_labels")
        missing = [k for k in keys if k not in data.files]
        if missing:
            raise DatasetFormatError(
                f"{path.name}: missing array(s) {missing}; found {data.files}. "
                "The file is not a MedMNIST-style archive; fetch it again."
            )
        images, labels = data[keys[0]], data[keys[1]]
    if images.dtype != np.uint8 or len(images) != len(labels):
        raise DatasetFormatError(
            f"{path.name}: {split} images must be uint8 with one label each "
            f"(got {images.dtype}, {len(images)} images, {len(labels)} labels)"
        )
    return images, labels.reshape(len(labels), -1)[:, 0].astype(np.int64)


def stratified_indices(labels: np.ndarray, size: int | None, seed: int = 0) -> np.ndarray:
    """Indices of a stratified random subset of ``size`` items (all, sorted, if ``None``).

    Every class keeps its share (at least one item each), so a small smoke
    subset still has both classes; the subset has exactly ``size`` items.
    """
    n = len(labels)
    if size is None or size >= n:
        return np.arange(n)
    rng = np.random.default_rng(seed)
    classes, counts = np.unique(labels, return_counts=True)
    if size < len(classes):
        raise SplitError(f"a stratified subset of {size} cannot hold one item of each of {len(classes)} classes; "
                         f"ask for at least {len(classes)} items (or None for the whole split)")
    quota = np.maximum(1, np.floor(counts / n * size).astype(int))
    while quota.sum() < size:  # hand out the remainder to the largest classes
        quota[np.argmax(counts - quota)] += 1
    while quota.sum() > size:  # many small classes forced up to one item: take back from the largest
        quota[np.argmax(np.where(quota > 1, quota, -1))] -= 1
    picks = [rng.choice(np.flatnonzero(labels == c), q, replace=False) for c, q in zip(classes, quota)]
    return np.sort(np.concatenate(picks))


def to_tensor(image: np.ndarray) -> torch.Tensor:
    """``uint8`` H x W (or D x H x W) array to a float tensor in [-1, 1] with a channel axis."""
    return torch.from_numpy(np.ascontiguousarray(image)).float().div_(127.5).sub_(1.0).unsqueeze(0)


def to_batch(images: np.ndarray) -> torch.Tensor:
    """``uint8`` N x H x W images to an N x 1 x H x W float batch in [-1, 1], the scaling of ``to_tensor``.

    For code that feeds a whole array of images to a network at once, without
    a ``Dataset``. Used in the chapters "Augmentation and generative models"
    (chapters/08_augmentation_generative.ipynb) and "Federated learning"
    (chapters/10_federated_learning.ipynb).
    """
    return to_tensor(np.asarray(images)).movedim(0, 1)


class InUnitRange(torch.nn.Module):
    """Run an image transform in [0, 1] on a tensor stored in [-1, 1] (as :func:`to_tensor` gives).

    torchvision's photometric transforms (``ColorJitter``, ``RandomAutocontrast``...)
    assume float images in [0, 1] and clip to that range, and the geometric
    ones fill uncovered pixels with 0. Applied directly to the book's [-1, 1]
    tensors, ``ColorJitter`` would wipe out everything below mid-grey and
    ``RandomAffine`` would fill the corners with mid-grey instead of black.
    This wrapper maps the image to [0, 1], applies ``transform``, and maps it
    back, so black stays black and no intensity is lost::

        augment = data.InUnitRange(v2.Compose([v2.RandomAffine(...), v2.ColorJitter(...)]))

    Introduced in the chapter "Your first classifier" (chapters/03_first_classifier.ipynb).
    """

    def __init__(self, transform: Callable[[torch.Tensor], torch.Tensor]):
        super().__init__()
        self.transform = transform

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        return self.transform((image + 1.0) / 2.0) * 2.0 - 1.0

    def __repr__(self) -> str:
        return f"InUnitRange({self.transform!r})"


class MedMNISTDataset(Dataset):
    """A torch dataset over one split of a MedMNIST-style archive.

    ``size`` sub-samples (stratified by ``seed``) after loading. ``transform``
    is applied to the tensor from :func:`to_tensor` (so torchvision v2
    transforms work directly). Items are ``(image, label)``.
    """

    def __init__(self, name: str, split: str, size: int | None = None, seed: int = 0,
                 transform: Callable[[torch.Tensor], torch.Tensor] | None = None):
        images, labels = load_arrays(name, split)
        self.full_size = len(labels)
        idx = stratified_indices(labels, size, seed)
        self.name, self.split = name, split
        self.indices = idx  # positions of the items in the whole split
        self.images, self.labels = images[idx], labels[idx]
        self.transform = transform
        self.classes = [LABELS.get(name, {}).get(i, str(i)) for i in range(int(labels.max()) + 1)]

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, int]:
        x = to_tensor(self.images[i])
        if self.transform is not None:
            x = self.transform(x)
        return x, int(self.labels[i])

    def subset(self, keep: np.ndarray) -> MedMNISTDataset:
        """A copy that holds only the items where the boolean mask ``keep`` is ``True``.

        For example the de-duplicated split,
        ``ds.subset(leakage.keep_mask(audit, ds))``; ``indices`` still name
        positions in the whole split. Introduced in the chapter "Classical ML
        vs deep learning" (chapters/04_classical_vs_deep.ipynb).
        """
        keep = np.asarray(keep)
        if keep.dtype != bool or keep.shape != (len(self),):
            raise SplitError(f"subset needs a boolean mask with one entry per item ({len(self)} for the "
                             f"'{self.split}' split of '{self.name}'), got dtype {keep.dtype} and shape "
                             f"{keep.shape}; pass e.g. data.leakage.keep_mask(audit, dataset)")
        if not keep.any():
            raise SplitError(f"the mask keeps no item of the '{self.split}' split of '{self.name}'; "
                             "a subset needs at least one item")
        part = copy.copy(self)
        part.indices, part.images, part.labels = self.indices[keep], self.images[keep], self.labels[keep]
        return part

    def class_counts(self) -> dict[str, int]:
        """Number of items per class name."""
        counts = np.bincount(self.labels, minlength=len(self.classes))
        return {c: int(n) for c, n in zip(self.classes, counts)}

    def __repr__(self) -> str:
        return (f"MedMNISTDataset({self.name!r}, split={self.split!r}, n={len(self)} of "
                f"{self.full_size}, classes={self.class_counts()})")


def load_splits(name: str, profile: Profile, seed: int = 0,
                transform: Callable[[torch.Tensor], torch.Tensor] | None = None
                ) -> dict[str, MedMNISTDataset]:
    """The ``train``, ``val`` and ``test`` splits of ``name``, sized by ``profile``.

    The training split keeps ``profile.train_size`` items and the two
    evaluation splits ``profile.eval_size`` each (``None``: the whole split),
    sub-sampled stratified with ``seed``. ``transform`` (augmentation) is set
    on the training split only. For another size, pass
    ``profile.with_overrides(train_size=...)``. "Your first classifier" loads
    the splits by hand; this is introduced in the chapter "Classical ML vs deep
    learning" (chapters/04_classical_vs_deep.ipynb).
    """
    return {
        split: MedMNISTDataset(name, split, seed=seed,
                               size=profile.train_size if split == "train" else profile.eval_size,
                               transform=transform if split == "train" else None)
        for split in SPLITS
    }


def export_imagefolder(name: str, root: str | os.PathLike, splits: Sequence[str] = SPLITS,
                       size: int | None = None, seed: int = 0) -> dict[str, dict[str, int]]:
    """Write ``root/<split>/<class>/<index>.png`` for a 2D MedMNIST-style dataset.

    The export is built in a temporary folder beside ``root`` and moved into
    place at the end (:func:`medlab.io.atomic_dir`), so an interrupted export
    never leaves half a tree. ``root/export.json`` records what was written; an
    identical existing export is reused. Returns the image counts per split
    and class.
    """
    from PIL import Image

    root = Path(root)
    spec = {"dataset": name, "splits": list(splits), "size": size, "seed": seed}
    stamp = root / "export.json"
    if stamp.is_file():
        saved = json.loads(stamp.read_text())
        if saved.get("spec") == spec:
            return saved["counts"]
    counts: dict[str, dict[str, int]] = {}
    with atomic_dir(root, overwrite=True) as tmp:
        for split in splits:
            ds = MedMNISTDataset(name, split, size=size, seed=seed)
            if ds.images.ndim != 3:
                raise DatasetFormatError(
                    f"{name}: ImageFolder export needs 2D images, got shape {ds.images.shape[1:]}")
            for c in ds.classes:
                (tmp / split / c).mkdir(parents=True)
            for i, (img, label) in enumerate(zip(ds.images, ds.labels)):
                Image.fromarray(img).save(tmp / split / ds.classes[label] / f"{i:05d}.png")
            counts[split] = ds.class_counts()
        (tmp / "export.json").write_text(json.dumps({"spec": spec, "counts": counts}, indent=1))
    return counts


__all__ = ["SPLITS", "LABELS", "SplitError", "npz_path", "load_arrays", "stratified_indices", "to_tensor", "to_batch",
           "InUnitRange", "MedMNISTDataset", "load_splits", "export_imagefolder"]
