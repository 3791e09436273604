"""Active learning: which unlabelled images should the expert label next?

Pool-based loop (Settles, *Active Learning Literature Survey*, 2009): start
from a small stratified labelled set, train, score the unlabelled pool with an
acquisition function, send the ``step`` highest-scoring images to the
"expert" (here: reveal their stored labels), repeat. Strategies:

- ``random``: the baseline every strategy must beat;
- ``entropy``: uncertainty sampling, the predictive entropy of P(class 1);
- ``bald``: Bayesian Active Learning by Disagreement (Houlsby et al. 2011;
  Gal et al. 2017): the mutual information between the label and the model
  weights, estimated with Monte Carlo dropout. It prefers images on which
  dropout samples *disagree*, not those on which each sample is unsure.

Introduced in the chapter "Data and labels" (chapters/12_data_and_labels.ipynb).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
from sklearn.metrics import roc_auc_score

from ..data.medmnist import stratified_indices
from . import LabelsError
from .learners import fit_mlp, predict_proba

STRATEGIES = ("random", "entropy", "bald")
"""The acquisition strategies :func:`active_learning` knows."""


def binary_entropy(p: np.ndarray) -> np.ndarray:
    """Entropy (nats) of a Bernoulli(p) prediction; 0 at p in {0, 1}, log 2 at 0.5."""
    p = np.clip(np.asarray(p, float), 1e-12, 1 - 1e-12)
    return -(p * np.log(p) + (1 - p) * np.log(1 - p))


def bald_score(samples: np.ndarray) -> np.ndarray:
    """BALD from Monte Carlo samples of P(class 1), shape (samples, n): H(mean p) - mean H(p)."""
    samples = np.asarray(samples, float)
    if samples.ndim != 2:
        raise LabelsError(f"bald_score: expected (samples, n) probabilities, got shape {samples.shape}")
    return binary_entropy(samples.mean(axis=0)) - binary_entropy(samples).mean(axis=0)


def acquire(strategy: str, model, X_pool: np.ndarray, k: int, rng: np.random.Generator,
            mc_samples: int = 20) -> np.ndarray:
    """Positions (into ``X_pool``) of the ``k`` pool items that ``strategy`` would label next."""
    if strategy == "random":
        return rng.choice(len(X_pool), size=k, replace=False)
    if strategy == "entropy":
        score = binary_entropy(predict_proba(model, X_pool))
    elif strategy == "bald":
        score = bald_score(predict_proba(model, X_pool, mc_samples=mc_samples, seed=int(rng.integers(2**31))))
    else:
        raise LabelsError(f"unknown strategy '{strategy}'; choose from {STRATEGIES}")
    return np.argsort(-score, kind="stable")[:k]


def active_learning(X: np.ndarray, y: np.ndarray, X_test: np.ndarray, y_test: np.ndarray, strategy: str,
                    start: int = 20, step: int = 20, rounds: int = 10, seed: int = 0,
                    device: torch.device | str | None = None, **fit_kwargs) -> pd.DataFrame:
    """One active-learning run: test AUC after each round, as a frame with columns ``labels`` and ``auc``.

    ``X, y`` is the pool (labels are revealed only when acquired); the first
    ``start`` labels are a stratified random draw (the same for every
    strategy with the same ``seed``), then ``rounds`` rounds add ``step``
    labels each. ``fit_kwargs`` go to :func:`~medlab.labels.learners.fit_mlp`,
    which trains on ``device`` (default: the CPU).
    """
    if start + step * rounds > len(X):
        raise LabelsError(f"the pool holds {len(X)} items; start + step * rounds = {start + step * rounds}")
    rng = np.random.default_rng(seed)
    labelled = list(stratified_indices(np.asarray(y), start, seed=seed))
    rows = []
    for r in range(rounds + 1):
        model = fit_mlp(X[labelled], y[labelled], seed=seed, device=device, **fit_kwargs)
        rows.append({"labels": len(labelled), "auc": roc_auc_score(y_test, predict_proba(model, X_test))})
        if r == rounds:
            break
        pool = np.setdiff1d(np.arange(len(X)), labelled)
        picked = acquire(strategy, model, X[pool], step, rng)
        labelled.extend(pool[picked].tolist())
    return pd.DataFrame(rows)


def labels_to_reach(labels: np.ndarray, auc: np.ndarray, target: float) -> float:
    """The number of labels at which a learning curve first reaches ``target`` (linear interpolation).

    NaN if it never does; the first budget if it starts above the target.
    """
    labels, auc = np.asarray(labels, float), np.asarray(auc, float)
    above = np.flatnonzero(auc >= target)
    if not len(above):
        return float("nan")
    i = above[0]
    if i == 0:
        return float(labels[0])
    frac = (target - auc[i - 1]) / (auc[i] - auc[i - 1])
    return float(labels[i - 1] + frac * (labels[i] - labels[i - 1]))
