"""Honest selection for transfer learning: a tuning split, the winner's curse, paired seeds.

A chapter that compares many candidates must not let the same images both
tune each candidate (epoch, regularisation, layers) and choose between them.
:func:`stratified_split` carves a tuning split out of the training data;
:func:`winners_curse` estimates by bootstrap how much the validation AUC of
the candidate chosen as the best overstates it; :func:`paired_seeds` compares
two methods run on the same seeds and data as pairs. Introduced in the chapter
"Transfer learning" (chapters/06_transfer_learning.ipynb).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from .data.medmnist import MedMNISTDataset
from .errors import MedlabError

__all__ = ["PairedSeeds", "SelectionInputError", "WinnersCurse", "paired_seeds", "stratified_split",
           "winners_curse"]


class SelectionInputError(MedlabError, ValueError):
    """Inputs that a selection helper cannot use (sizes, fractions, too few classes)."""


def stratified_split(dataset: MedMNISTDataset, fraction: float, seed: int = 0
                     ) -> tuple[MedMNISTDataset, MedMNISTDataset]:
    """Split ``dataset`` into ``(rest, part)``, ``part`` holding a stratified ``fraction`` of its items.

    The draw is scikit-learn's ``train_test_split(..., stratify=labels)`` with
    ``random_state=seed``; both halves keep the order and the ``indices`` of
    ``dataset``. Used for a tuning split carved out of the training data (the
    per-candidate choices are made on it, the validation split only chooses
    between candidates), and for the stratified subsets of a training-set-size
    curve. Introduced in the chapter "Transfer learning" (chapters/06_transfer_learning.ipynb).
    """
    from sklearn.model_selection import train_test_split

    if not 0.0 < fraction < 1.0:
        raise SelectionInputError(f"fraction must lie strictly between 0 and 1, got {fraction}; "
                                  "pass e.g. 0.2 for a fifth of the items")
    labels = np.asarray(dataset.labels)
    counts = np.bincount(labels)
    n_part = int(round(fraction * len(labels)))
    if counts[counts > 0].min() < 2 or n_part < len(counts[counts > 0]) or len(labels) - n_part < len(counts):
        raise SelectionInputError(f"cannot split {len(labels)} items with class counts {counts.tolist()} "
                                  f"stratified at fraction {fraction}; use a larger dataset or a fraction "
                                  "that leaves every class in both parts")
    positions = np.arange(len(labels))
    _, part_pos = train_test_split(positions, test_size=n_part, stratify=labels, random_state=seed)
    mask = np.zeros(len(labels), dtype=bool)
    mask[part_pos] = True
    return dataset.subset(~mask), dataset.subset(mask)


def _auc_rows(y: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """AUC of each row of ``scores`` (rows: resamples, columns: items) against labels ``y`` of the same shape."""
    ranks = stats.rankdata(scores, axis=-1)  # mid-ranks for ties, as the Mann-Whitney AUC needs
    pos = y == 1
    n1 = pos.sum(axis=-1)
    n0 = y.shape[-1] - n1
    return ((ranks * pos).sum(axis=-1) - n1 * (n1 + 1) / 2) / (n1 * n0)


@dataclass
class WinnersCurse:
    """Result of :func:`winners_curse`. Introduced in chapters/06_transfer_learning.ipynb."""

    winner: str
    val_auc: float
    optimism: float
    corrected: float
    win_share: dict[str, float]
    n_boot: int


def winners_curse(y_val: np.ndarray, candidates: Mapping[str, Sequence[np.ndarray]], n_boot: int = 2000,
                  seed: int = 0) -> WinnersCurse:
    """Bootstrap estimate of how much the best validation AUC among ``candidates`` overstates the winner.

    ``candidates`` maps a name to one vector of validation scores per seed; a
    candidate's AUC is the mean over its seeds, and the winner is the
    candidate with the highest. Each stratified bootstrap resample of the
    validation images chooses its own winner; the optimism is the mean, over
    resamples, of that winner's AUC on the resample minus its AUC on the
    original images (the bias correction of Tibshirani & Tibshirani, 2009,
    for the minimum of cross-validated errors). ``corrected`` is the winner's
    validation AUC minus that optimism, and ``win_share`` how often each
    candidate won a resample. Introduced in the chapter "Transfer learning"
    (chapters/06_transfer_learning.ipynb).
    """
    y_val = np.asarray(y_val).astype(int)
    if not candidates:
        raise SelectionInputError("winners_curse needs at least one candidate: a dict name -> [scores per seed]")
    if set(np.unique(y_val)) != {0, 1}:
        raise SelectionInputError("winners_curse needs binary labels with both classes present in y_val")
    names = list(candidates)
    per = []
    for name in names:
        seeds = [np.asarray(s, dtype=float) for s in candidates[name]]
        if not seeds or any(s.shape != y_val.shape for s in seeds):
            raise SelectionInputError(f"candidate {name!r}: pass a non-empty list of score vectors, each with one "
                                      f"score per validation image ({len(y_val)})")
        per.append(np.stack(seeds))
    rng = np.random.default_rng(seed)
    pos, neg = np.flatnonzero(y_val == 1), np.flatnonzero(y_val == 0)
    idx = np.concatenate([rng.choice(pos, (n_boot, len(pos))), rng.choice(neg, (n_boot, len(neg)))], axis=1)
    y_boot = y_val[idx]
    boot = np.stack([np.mean([_auc_rows(y_boot, s[idx]) for s in seeds], axis=0) for seeds in per], axis=1)
    orig = np.array([np.mean(_auc_rows(y_val[None, :], seeds)) for seeds in per])
    winners = boot.argmax(axis=1)
    optimism = float(np.mean(boot[np.arange(n_boot), winners] - orig[winners]))
    best = int(orig.argmax())
    share = np.bincount(winners, minlength=len(names)) / n_boot
    return WinnersCurse(winner=names[best], val_auc=float(orig[best]), optimism=optimism,
                        corrected=float(orig[best] - optimism),
                        win_share={n: float(s) for n, s in zip(names, share)}, n_boot=int(n_boot))


@dataclass
class PairedSeeds:
    """Result of :func:`paired_seeds`. Introduced in chapters/06_transfer_learning.ipynb."""

    n: int
    wins: int
    mean_difference: float
    lower: float
    upper: float
    p: float


def paired_seeds(a: Sequence[float], b: Sequence[float], confidence: float = 0.95) -> PairedSeeds:
    """Compare two methods run on the same seeds (same data draw, same test images) as pairs.

    Returns the number of seeds, how many times ``a`` beat ``b``, the mean of
    the differences ``a - b`` with its t interval, and the two-sided p value of
    the paired t-test (``scipy.stats.ttest_rel``); with fewer than two seeds
    the interval and p are NaN. The spread it measures is that of training
    (data draw and initialisation): the test images are the same for every
    seed, so their own sampling error is not in it. Introduced in the chapter
    "Transfer learning" (chapters/06_transfer_learning.ipynb).
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape or a.ndim != 1 or len(a) == 0:
        raise SelectionInputError(f"paired_seeds needs two equal-length, non-empty vectors (one value per seed), "
                                  f"got shapes {a.shape} and {b.shape}")
    d = a - b
    n = len(d)
    mean = float(d.mean())
    if n < 2:
        lower = upper = p = float("nan")
    else:
        se = d.std(ddof=1) / np.sqrt(n)
        half = float(stats.t.ppf(0.5 + confidence / 2, n - 1) * se)
        lower, upper = mean - half, mean + half
        p = float(stats.ttest_rel(a, b).pvalue) if se > 0 else (1.0 if mean == 0 else 0.0)
    return PairedSeeds(n=n, wins=int((d > 0).sum()), mean_difference=mean, lower=lower, upper=upper, p=p)
