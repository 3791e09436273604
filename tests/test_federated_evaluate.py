"""medlab.federated.evaluate: hospitals scored on their own shards, against scikit-learn's AUC."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score
from torch import nn

from medlab import federated as fl
from medlab.errors import MedlabError


def feature_site(name: str, n: int, seed: int, one_class: bool = False) -> fl.Site:
    rng = np.random.default_rng(seed)
    y = np.ones(n, dtype=np.int64) if one_class else rng.integers(0, 2, n)
    x = (rng.normal(0, 1, (n, 4)) + y[:, None]).astype(np.float32)
    return fl.Site(name, x, y, val_images=x, val_labels=y, test_images=x[::-1].copy(), test_labels=y[::-1].copy())


def model() -> nn.Module:
    net = nn.Linear(4, 2)
    nn.init.normal_(net.weight, 0, 1, generator=__import__("torch").Generator().manual_seed(0))
    return net


def test_site_aucs_match_sklearn_and_flag_single_class_shards():
    sites = [feature_site("A", 50, 0), feature_site("B", 30, 1), feature_site("C", 10, 2, one_class=True)]
    net = model()
    table = fl.site_aucs(net, sites)
    for s, (_, row) in zip(sites[:2], table.iterrows()):
        assert row["auc"] == pytest.approx(roc_auc_score(s.val_labels, fl.predict_proba(net, s.val_images)))
    assert np.isnan(table.auc.iloc[2]) and "only class 1" in table.note.iloc[2]
    expected = np.average(table.auc.iloc[:2], weights=[50, 30])
    assert fl.mean_site_auc(net, sites) == pytest.approx(expected)
    with pytest.raises(MedlabError):
        fl.mean_site_auc(net, sites[2:])
    with pytest.raises(MedlabError):
        fl.site_aucs(net, sites, split="train")


def test_pooled_auc_rewards_a_scanner_indicator_that_per_site_auc_does_not():
    # two hospitals: B's images are all brighter (scanner) and mostly class 0
    rng = np.random.default_rng(0)
    ya, yb = rng.binomial(1, 0.8, 200), rng.binomial(1, 0.2, 200)
    indicator = np.r_[np.zeros(200), np.ones(200)]  # "this came from B", knows nothing about the image
    pooled = roc_auc_score(np.r_[ya, yb], -indicator)
    assert pooled > 0.75
    sites = [fl.Site("A", np.zeros((200, 1), np.float32), ya, np.zeros((200, 1), np.float32), ya),
             fl.Site("B", np.ones((200, 1), np.float32), yb, np.ones((200, 1), np.float32), yb)]
    net = nn.Linear(1, 2)
    assert fl.mean_site_auc(net, sites) == pytest.approx(0.5)  # constant within a hospital: no information


def test_cross_site_auc_intervals_cover_the_estimate_and_match_sklearn():
    sites = [feature_site("A", 60, 0), feature_site("B", 40, 1)]
    nets = {"m1": model(), "m2": nn.Linear(4, 2)}
    scores = {m: {s.name: fl.predict_proba(net, s.test_images) for s in sites} for m, net in nets.items()}
    labels = {s.name: s.test_labels for s in sites}
    table = fl.cross_site_auc(scores, labels, n_boot=300, seed=0)
    assert len(table) == 4
    for _, row in table.iterrows():
        assert row["auc"] == pytest.approx(roc_auc_score(labels[row["site"]], scores[row["model"]][row["site"]]))
        assert row["lower"] <= row["auc"] <= row["upper"] and row["upper"] > row["lower"]
