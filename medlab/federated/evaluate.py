"""Scoring a federation hospital by hospital: per-site AUCs, their weighted mean, and cross-site tables.

In a real federation each hospital scores the model on its own validation or
test images and only the numbers travel. Pooling the hospitals' shards into
one set would also mix their acquisitions: when one hospital has another
scanner and another class mix, "which scanner" alone predicts the label in
the pooled set, and the pooled AUC rewards a model for recognising the
scanner. ``site_aucs`` scores each hospital on its own images;
``mean_site_auc`` averages them (weighted by shard size) and is the
validation measure the chapter draws its curves and makes its choices with;
``cross_site_auc`` puts every model on every hospital's data, with stratified
bootstrap intervals (``medlab.evaluation``'s resampling, chapter 05).

Introduced in the chapter "Federated learning" (chapters/10_federated_learning.ipynb).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score
from torch import nn

from ..errors import MedlabError
from ..evaluation.diagnostic import stratified_resample_weights, weighted_auc
from .fedavg import predict_proba
from .partition import Site

Predict = Callable[[nn.Module, np.ndarray], np.ndarray]


class SiteEvaluationError(MedlabError, ValueError):
    """A per-site score that cannot be computed (no site holds the split, or none has both classes)."""


def _split(site: Site, split: str) -> tuple[np.ndarray | None, np.ndarray | None]:
    if split not in ("val", "test"):
        raise SiteEvaluationError(f"split must be 'val' or 'test', not {split!r}")
    return (site.val_images, site.val_labels) if split == "val" else (site.test_images, site.test_labels)


def site_aucs(model: nn.Module, sites: Sequence[Site], split: str = "val",
              predict: Predict = predict_proba) -> pd.DataFrame:
    """One row per site: ``site``, ``n``, ``class 0``, ``class 1`` and ``auc`` of ``model`` on its ``split``.

    A site whose shard holds one class only has no AUC: its ``auc`` is NaN
    and ``note`` says why, so it is visible rather than silently dropped.
    Introduced in the chapter "Federated learning" (chapters/10_federated_learning.ipynb).
    """
    rows = []
    for site in sites:
        x, y = _split(site, split)
        if y is None:
            raise SiteEvaluationError(f"{site.name} holds no {split} split; build the sites with make_sites(..., "
                                      f"{'test=' if split == 'test' else 'val='}(images, labels))")
        y = np.asarray(y)
        row = {"site": site.name, "n": len(y), "class 0": int((y == 0).sum()), "class 1": int((y == 1).sum()),
               "auc": np.nan, "note": ""}
        if len(np.unique(y)) < 2:
            row["note"] = f"only class {int(y[0]) if len(y) else '-'} in its {split} shard: no AUC"
        else:
            row["auc"] = float(roc_auc_score(y, predict(model, x)))
        rows.append(row)
    return pd.DataFrame(rows)


def mean_site_auc(model: nn.Module, sites: Sequence[Site], split: str = "val",
                  predict: Predict = predict_proba) -> float:
    """The sites' own AUCs on ``split``, averaged with weights proportional to their shard sizes.

    Sites whose shard has one class only are left out of the mean (see
    ``site_aucs``); if none has both classes, ``SiteEvaluationError``.
    Introduced in the chapter "Federated learning" (chapters/10_federated_learning.ipynb).
    """
    table = site_aucs(model, sites, split, predict)
    ok = table.dropna(subset=["auc"])
    if ok.empty:
        raise SiteEvaluationError(f"no site has both classes in its {split} shard; repartition with a larger alpha")
    return float(np.average(ok["auc"], weights=ok["n"]))


def cross_site_auc(scores: Mapping[str, Mapping[str, np.ndarray]], labels: Mapping[str, np.ndarray],
                   n_boot: int = 1000, seed: int = 0, level: float = 0.95) -> pd.DataFrame:
    """AUC of every model on every site's data, with a stratified bootstrap percentile interval.

    ``scores[model][site]`` are a model's scores on ``labels[site]``. Each
    site's cases are resampled within their class (the shard's class counts
    are fixed by the partition), the same resamples for every model. One row
    per (model, site): ``model``, ``site``, ``n``, ``auc``, ``lower``,
    ``upper``; a site with one class gets NaN. Introduced in the chapter
    "Federated learning" (chapters/10_federated_learning.ipynb).
    """
    rows = []
    alpha = (1 - level) / 2
    for k, (site, y) in enumerate(labels.items()):
        y = np.asarray(y)
        two = len(np.unique(y)) == 2
        w = stratified_resample_weights(y, n_boot, np.random.default_rng(seed + k)) if two else None
        for model, by_site in scores.items():
            row = {"model": model, "site": site, "n": len(y), "auc": np.nan, "lower": np.nan, "upper": np.nan}
            if two:
                s = np.asarray(by_site[site])
                boot = weighted_auc(y, s, w)
                row.update(auc=float(roc_auc_score(y, s)), lower=float(np.nanquantile(boot, alpha)),
                           upper=float(np.nanquantile(boot, 1 - alpha)))
            rows.append(row)
    return pd.DataFrame(rows)
