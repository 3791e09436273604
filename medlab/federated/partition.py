"""Simulated hospitals: partitions of a training set with label and quantity skew, and a site scanner.

A hospital is a ``Site``: its images, labels and the name of its scanner.
``dirichlet_partition`` splits a labelled set the way federated-learning
papers simulate heterogeneous sites (Hsu et al. 2019): for each class, the
share of each site is drawn from a Dirichlet distribution with concentration
``alpha``. A small ``alpha`` gives sites dominated by one class (label skew)
and sites of very different sizes (quantity skew); a large ``alpha`` tends to
an even, IID split. ``scanner_transform`` passes a site's images through
another acquisition (``medlab.shift.acquisition_shift``'s gamma curve and
contrast change, chapter 13).

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

    def __len__(self) -> int:
        return len(self.labels)

    def class_counts(self) -> dict[int, int]:
        """Number of training images of each class."""
        classes, counts = np.unique(self.labels, return_counts=True)
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
               names: Sequence[str] | None = None) -> list[Site]:
    """Split a training and a validation split (images, labels) into ``n_sites`` hospitals.

    Training images are split with ``dirichlet_partition`` (label and
    quantity skew); validation images with the same ``alpha`` and seed + 1,
    so each site holds a validation shard like its own data. Sites whose index
    is in ``shifted_sites`` see all their images through
    ``scanner_transform``.
    """
    names = list(names) if names is not None else [f"hospital {chr(ord('A') + k)}" for k in range(n_sites)]
    if len(names) != n_sites:
        raise PartitionError(f"{len(names)} names for {n_sites} sites")
    train_parts = dirichlet_partition(train[1], n_sites, alpha, seed=seed, min_size=min_size)
    val_parts = dirichlet_partition(val[1], n_sites, alpha, seed=seed + 1, min_size=max(2, min_size // 5))
    sites = []
    for k in range(n_sites):
        x, y = train[0][train_parts[k]], train[1][train_parts[k]]
        vx, vy = val[0][val_parts[k]], val[1][val_parts[k]]
        scanner = "as acquired"
        if k in shifted_sites:
            x, vx = scanner_transform(x, seed=seed), scanner_transform(vx, seed=seed)
            scanner = "other scanner (gamma 2, contrast 0.5)"
        sites.append(Site(names[k], x, y, vx, vy, scanner=scanner))
    return sites


def pool_sites(sites: Sequence[Site], name: str = "all sites pooled") -> Site:
    """One site holding every site's data: the centralised baseline (what FL avoids building)."""
    def cat(attr: str) -> np.ndarray | None:
        parts = [getattr(s, attr) for s in sites]
        return None if any(p is None for p in parts) else np.concatenate(parts)

    return Site(name, cat("images"), cat("labels"), cat("val_images"), cat("val_labels"), scanner="mixed")
