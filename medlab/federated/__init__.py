"""Federated learning across simulated hospitals.

- ``medlab.federated.partition``: split a MedMNIST training set into
  hospitals (Dirichlet label and quantity skew) and give one of them another
  scanner (``medlab.shift``'s acquisition changes);
- ``medlab.federated.fedavg``: FedAvg and FedProx by hand: local training,
  weight exchange, weighted averaging, site failures recorded and skipped;
- ``medlab.federated.flower``: the same training as a Flower ``ClientApp``
  and ``ServerApp`` (Flower's Message API), run by its simulation engine or
  by a real SuperLink and SuperNodes;
- ``medlab.federated.evaluate``: each hospital scored on its own validation
  or test shard, the size-weighted mean of those AUCs, and every model on
  every hospital's data with bootstrap intervals;
- ``medlab.federated.privacy``: DP-SGD with Opacus and its privacy
  accounting, and what a single gradient gives away.

Flower and Opacus are imported inside the functions that need them (they are
in the ``federated`` extra).

Introduced in the chapter "Federated learning" (chapters/10_federated_learning.ipynb).
"""

from .evaluate import SiteEvaluationError, cross_site_auc, mean_site_auc, site_aucs
from .fedavg import (
    FederatedResult,
    LocalConfig,
    SiteDataError,
    SiteFailure,
    as_batch,
    fedavg,
    get_weights,
    initial_model,
    predict_proba,
    set_weights,
    site_problem,
    train_site,
    weighted_average,
)
from .partition import (
    PartitionError,
    Site,
    dirichlet_partition,
    make_sites,
    pool_sites,
    scanner_transform,
    split_like,
)

__all__ = [
    "FederatedResult", "LocalConfig", "PartitionError", "Site", "SiteDataError", "SiteEvaluationError",
    "SiteFailure", "as_batch", "cross_site_auc", "dirichlet_partition", "fedavg", "get_weights", "initial_model",
    "make_sites", "mean_site_auc", "pool_sites", "predict_proba", "scanner_transform", "set_weights", "site_aucs",
    "site_problem", "split_like", "train_site", "weighted_average",
]
