"""Simulated hospitals: partitions of a training set with label and quantity skew, and a site scanner.

A hospital is a ``Site``: its images, labels and the name of its scanner.
``dirichlet_partition`` splits a labelled set the way federated-learning
papers simulate heterogeneous sites (the per-class form of Yurochkin et al. 2019;
Hsu et al. 2019 instead draw each site's class mix): for each class, the
share of each site is drawn from a Dirichlet distribution with concentration
``alpha``. A small ``alpha`` gives sites dominated by one class (label skew)
and sites of very different sizes (quantity skew); a large ``alpha`` tends to
an even, IID split. ``scanner_transform`` passes a site's images through
another acquisition (``medlab.shift.acquisition_shift``'s gamma curve and
contrast change, chapter 13). ``make_sites`` cuts the validation (and test)
split with each hospital's own class shares (``split_like``), so that every
hospital is validated on data like its own, with both classes where it has
both.

Introduced in the chapter "Federated learning" (chapters/10_federated_learning.ipynb).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..errors import MedlabError
from ..shift import acquisition_shift


class PartitionError(MedlabError, ValueError):
    """A partition that cannot be made (too few items for the sites asked for, bad ``alpha``)."""


@dataclass
class Site:
    """One simulated hospital: its training (and optional validation) images and labels.

    ``images`` are uint8 N x H x W arrays as ``medlab.data.load_arrays`` gives
    them, ``labels`` integer class ids. ``scanner`` names the acquisition its
    images went through. ``fail_rounds`` lists rounds in which the site's
    training stops half-way with ``medlab.federated.SiteFailure`` (a
    simulated crash, for the fault-tolerance lesson).
    """

    name: str
    images: np.ndarray
    labels: np.ndarray
    val_images: np.ndarray | None = None
    val_labels: np.ndarray | None = None
    scanner: str = "as acquired"
    fail_rounds: tuple[int, ...] = field(default_factory=tuple)
    test_images: np.ndarray | None = None
    test_labels: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.labels)

    def class_counts(self, split: str = "train") -> dict[int, int]:
        """Number of images of each class in ``split`` (``"train"``, ``"val"`` or ``"test"``).

        A split the site does not hold gives an empty dict.
        """
        labels = {"train": self.labels, "val": self.val_labels, "test": self.test_labels}.get(split, False)
        if labels is False:
            raise PartitionError(f"split must be 'train', 'val' or 'test', not {split!r}")
        if labels is None:
            return {}
        classes, counts = np.unique(labels, return_counts=True)
        return {int(c): int(n) for c, n in zip(classes, counts)}


def dirichlet_partition(labels: np.ndarray, n_sites: int, alpha: float, seed: int = 0,
                        min_size: int = 10, max_tries: int = 1000) -> list[np.ndarray]:
    """Indices of ``labels`` for each of ``n_sites`` sites, with Dirichlet(``alpha``) label shares.

    For every class, the class's items are shuffled and cut in proportions
    drawn from Dirichlet(``alpha``, ..., ``alpha``). Draws are repeated until
    every site holds at least ``min_size`` items. Every item goes to exactly
    one site; the result is reproducible with ``seed``.
    """
    labels = np.asarray(labels)
    if n_sites < 1 or alpha <= 0:
        raise PartitionError(f"need n_sites >= 1 and alpha > 0 (got n_sites={n_sites}, alpha={alpha})")
    if len(labels) < n_sites * min_size:
        raise PartitionError(f"{len(labels)} items cannot give {n_sites} sites of at least {min_size} each; "
                             "lower min_size or the number of sites")
    rng = np.random.default_rng(seed)
    for _ in range(max_tries):
        parts: list[list[np.ndarray]] = [[] for _ in range(n_sites)]
        for c in np.unique(labels):
            idx = rng.permutation(np.flatnonzero(labels == c))
            shares = rng.dirichlet(np.full(n_sites, float(alpha)))
            cuts = (np.cumsum(shares)[:-1] * len(idx)).astype(int)
            for k, chunk in enumerate(np.split(idx, cuts)):
                parts[k].append(chunk)
        sites = [np.sort(np.concatenate(p)) for p in parts]
        if min(len(s) for s in sites) >= min_size:
            return sites
    raise PartitionError(f"no Dirichlet({alpha}) draw in {max_tries} gave every one of {n_sites} sites "
                         f"{min_size} items; raise alpha or lower min_size")


def split_like(site_labels: Sequence[np.ndarray], labels: np.ndarray, seed: int = 0,
               min_per_class: int = 1) -> list[np.ndarray]:
    """Indices of ``labels`` for each site, each site getting its training share of every class.

    ``site_labels[k]`` are site k's training labels. For every class c, site k
    receives the fraction ``n_kc / n_c`` of the items of class c in ``labels``
    (largest-remainder rounding), so a site's validation or test shard has
    the class mix and relative size of its own training data, as a stratified
    split inside each hospital would. A site holding class c in training gets
    at least ``min_per_class`` of it when there are enough (taken from the
    site with the most), so that every site with both classes can compute an
    AUC. Every item goes to exactly one site. Introduced in the chapter
    "Federated learning" (chapters/10_federated_learning.ipynb).
    """
    labels = np.asarray(labels)
    train_counts = {c: np.array([int(np.sum(np.asarray(y) == c)) for y in site_labels]) for c in np.unique(labels)}
    rng = np.random.default_rng(seed)
    parts: list[list[np.ndarray]] = [[] for _ in site_labels]
    for c, n_kc in train_counts.items():
        idx = rng.permutation(np.flatnonzero(labels == c))
        if n_kc.sum() == 0:
            raise PartitionError(f"class {c} occurs in the split to cut but in no site's training data; "
                                 "partition a training set that holds every class")
        exact = n_kc / n_kc.sum() * len(idx)
        counts = np.floor(exact).astype(int)
        for k in np.argsort(-(exact - counts), kind="stable")[:len(idx) - counts.sum()]:
            counts[k] += 1
        for k in np.flatnonzero((n_kc > 0) & (counts < min_per_class)):
            donor = int(np.argmax(counts))
            need = min_per_class - counts[k]
            if counts[donor] - need >= min_per_class:
                counts[donor] -= need
                counts[k] += need
        for k, chunk in enumerate(np.split(idx, np.cumsum(counts)[:-1])):
            parts[k].append(chunk)
    return [np.sort(np.concatenate(p)) if p else np.empty(0, dtype=int) for p in parts]


def scanner_transform(images: np.ndarray, gamma_severity: int = 2, contrast_severity: int = 2,
                      seed: int = 0) -> np.ndarray:
    """``images`` as another scanner would give them: a gamma curve, then lower contrast.

    Both changes are ``medlab.shift.acquisition_shift``'s (severities 0-3,
    chapter 13); the result is uint8 again.
    """
    shifted = acquisition_shift(images, "gamma", gamma_severity, seed=seed)
    return acquisition_shift(shifted, "contrast", contrast_severity, seed=seed)


def make_sites(train: tuple[np.ndarray, np.ndarray], val: tuple[np.ndarray, np.ndarray], n_sites: int,
               alpha: float, seed: int = 0, shifted_sites: Sequence[int] = (), min_size: int = 10,
               names: Sequence[str] | None = None,
               test: tuple[np.ndarray, np.ndarray] | None = None) -> list[Site]:
    """Split a training, a validation and optionally a test split (images, labels) into ``n_sites`` hospitals.

    Training images are split with ``dirichlet_partition`` (label and
    quantity skew). The validation split (seed + 1) and the test split
    (seed + 2) are cut with ``split_like``: each hospital gets its own
    training share of every class, so it is validated and tested on data like
    its own (at least one image of each class it trains on, where the split
    has enough). Sites whose index is in ``shifted_sites`` see all their
    images through ``scanner_transform``.
    """
    names = list(names) if names is not None else [f"hospital {chr(ord('A') + k)}" for k in range(n_sites)]
    if len(names) != n_sites:
        raise PartitionError(f"{len(names)} names for {n_sites} sites")
    train_parts = dirichlet_partition(train[1], n_sites, alpha, seed=seed, min_size=min_size)
    site_labels = [train[1][p] for p in train_parts]
    val_parts = split_like(site_labels, val[1], seed=seed + 1)
    test_parts = split_like(site_labels, test[1], seed=seed + 2) if test is not None else None
    sites = []
    for k in range(n_sites):
        x, y = train[0][train_parts[k]], train[1][train_parts[k]]
        vx, vy = val[0][val_parts[k]], val[1][val_parts[k]]
        tx, ty = (test[0][test_parts[k]], test[1][test_parts[k]]) if test_parts is not None else (None, None)
        scanner = "as acquired"
        if k in shifted_sites:
            x, vx = scanner_transform(x, seed=seed), scanner_transform(vx, seed=seed)
            tx = None if tx is None else scanner_transform(tx, seed=seed)
            scanner = "other scanner (gamma 2, contrast 0.5)"
        sites.append(Site(names[k], x, y, vx, vy, scanner=scanner, test_images=tx, test_labels=ty))
    return sites


def pool_sites(sites: Sequence[Site], name: str = "all sites pooled") -> Site:
    """One site holding every site's data: the centralised baseline (what FL avoids building)."""
    def cat(attr: str) -> np.ndarray | None:
        parts = [getattr(s, attr) for s in sites]
        return None if any(p is None for p in parts) else np.concatenate(parts)

    return Site(name, cat("images"), cat("labels"), cat("val_images"), cat("val_labels"), scanner="mixed",
                test_images=cat("test_images"), test_labels=cat("test_labels"))
