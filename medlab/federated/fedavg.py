"""FedAvg and FedProx by hand: local training, weight exchange, weighted averaging.

One round of FedAvg (McMahan et al. 2017): the server sends the global
weights to every site; each site trains a copy for a few local steps on its
own data and sends its weights back with its number of training images;
the server averages the weights, each site weighted by its size. FedProx
(Li et al. 2020) adds ``mu / 2 * ||w - w_global||^2`` to the local loss so
that sites whose data differ do not drift far from the global model.

``train_site`` is the local training both this module and the Flower
``ClientApp`` of ``medlab.federated.flower`` run, so that the two give the
same weights for the same seeds. Its randomness (batch order, dropout) is
seeded by (seed, round, site), never by global state, and it leaves the
caller's random state alone. Every training function takes a ``device``
(default: the CPU); weights are exchanged as NumPy arrays on the CPU.

Introduced in the chapter "Federated learning" (chapters/10_federated_learning.ipynb).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn

from ..data.medmnist import to_batch
from ..errors import MedlabError
from ..experiment import as_device, class_weights, module_device, seeded
from .partition import Site


class SiteFailure(MedlabError, RuntimeError):
    """A site that stopped during its local training (a simulated crash or lost connection)."""


class SiteDataError(MedlabError, ValueError):
    """A site whose data cannot be used with the chosen local training (e.g. class weights without both classes).

    Introduced in the chapter "Federated learning" (chapters/10_federated_learning.ipynb).
    """


class FederatedConfigError(MedlabError, ValueError):
    """A local-training setting, or a set of weights and sizes, that FedAvg cannot use (also a ``ValueError``)."""


@dataclass(frozen=True)
class LocalConfig:
    """What each site does in one round: ``steps`` optimiser steps on batches of ``batch_size``.

    ``optimizer`` is ``"adam"`` or ``"sgd"`` (with ``momentum``, 0.9 by
    default; ``momentum=0`` is the plain SGD of McMahan et al.'s FedAvg), at
    learning rate ``lr``; it starts afresh every round (its state is not
    exchanged).
    ``mu`` > 0 adds FedProx's proximal term. With
    ``class_weighted``, each site weights its cross-entropy by its own
    inverse class frequencies (``medlab.experiment.class_weights``), so that
    a site dominated by one class does not teach the model only its prior.
    Class weights are computed from the site's labels and make each image's
    gradient depend on the others in its batch, so DP-SGD
    (``medlab.federated.privacy.dp_trainer``) refuses them.
    """

    steps: int = 5
    batch_size: int = 32
    lr: float = 1e-3
    mu: float = 0.0
    class_weighted: bool = False
    optimizer: str = "adam"
    momentum: float = 0.9

    def __post_init__(self) -> None:
        if self.optimizer not in ("adam", "sgd"):
            raise FederatedConfigError(f"optimizer must be 'adam' or 'sgd', not {self.optimizer!r}; "
                                       "pass LocalConfig(optimizer='adam') or LocalConfig(optimizer='sgd')")
        if not 0 <= self.momentum < 1:
            raise FederatedConfigError(f"momentum must be in [0, 1), not {self.momentum}; "
                                       "momentum=0 gives plain SGD")


def as_batch(images: np.ndarray) -> torch.Tensor:
    """A site's inputs as a float tensor for the model.

    uint8 N x H x W images become an N x 1 x H x W tensor in [-1, 1]
    (``medlab.data.to_batch``). A floating-point N x F array is taken as
    features already computed by a frozen extractor (as
    ``medlab.federated.privacy.frozen_features`` gives them) and returned as
    a float32 N x F tensor, unchanged.
    """
    arr = np.asarray(images)
    if arr.ndim == 2 and np.issubdtype(arr.dtype, np.floating):
        return torch.as_tensor(arr, dtype=torch.float32)
    return to_batch(arr)


def get_weights(model: nn.Module) -> list[np.ndarray]:
    """Copies of the model's ``state_dict`` tensors as NumPy arrays, in ``state_dict`` order."""
    return [t.detach().cpu().numpy().copy() for t in model.state_dict().values()]


def set_weights(model: nn.Module, weights: Sequence[np.ndarray]) -> None:
    """Load arrays given by ``get_weights`` (same order) into ``model``."""
    keys = list(model.state_dict())
    if len(keys) != len(weights):
        raise FederatedConfigError(f"model has {len(keys)} tensors, got {len(weights)} arrays; pass the weights "
                                   "get_weights returned for a model of the same architecture")
    model.load_state_dict({k: torch.from_numpy(np.asarray(w).copy()) for k, w in zip(keys, weights)}, strict=True)


def weighted_average(weights: Sequence[Sequence[np.ndarray]], sizes: Sequence[float]) -> list[np.ndarray]:
    """FedAvg's aggregate: sum over sites of (size / total size) x weights, array by array."""
    if not weights or len(weights) != len(sizes):
        raise FederatedConfigError(f"need one size per site's weights (got {len(weights)} and {len(sizes)}); pass "
                                   "at least one site's weights and, in the same order, its number of images")
    total = float(sum(sizes))
    out = []
    for arrays in zip(*weights):
        acc = sum(a.astype(np.float64) * (n / total) for a, n in zip(arrays, sizes))
        out.append(np.asarray(acc).astype(arrays[0].dtype))
    return out


def make_optimizer(model: nn.Module, config: LocalConfig) -> torch.optim.Optimizer:
    """A fresh optimiser for one round of local training, as ``config`` asks."""
    if config.optimizer == "sgd":
        return torch.optim.SGD(model.parameters(), lr=config.lr, momentum=config.momentum)
    return torch.optim.Adam(model.parameters(), lr=config.lr)


def site_problem(site: Site, config: LocalConfig, num_classes: int = 2) -> str | None:
    """Why ``site`` cannot train under ``config``, or ``None`` when it can.

    With ``config.class_weighted`` a site must hold every class: a class
    without images has no finite inverse-frequency weight. ``fedavg`` checks
    every site with this before its first round. Introduced in the chapter
    "Federated learning" (chapters/10_federated_learning.ipynb).
    """
    if len(site) == 0:
        return f"{site.name} has no training images"
    if config.class_weighted:
        missing = [c for c in range(num_classes) if not np.any(np.asarray(site.labels) == c)]
        if missing:
            return (f"{site.name} has no training images of class {', '.join(map(str, missing))}, "
                    "so its class-weighted loss is undefined")
    return None


def round_seed(seed: int, server_round: int, site_index: int) -> int:
    """The seed of one site's local training in one round (the same in every engine)."""
    return int(seed) * 1_000_003 + int(server_round) * 1009 + int(site_index)


def train_site(model: nn.Module, site: Site, config: LocalConfig, seed: int, server_round: int,
               site_index: int, device: torch.device | str | None = None) -> dict[str, float]:
    """Train ``model`` in place on ``site`` for ``config.steps`` steps; its reply metrics.

    Batches are drawn from successive random permutations of the site's
    images (a new permutation when one runs out). With ``config.mu`` > 0 the
    FedProx term pulls the weights towards those the round started from. A
    site whose ``fail_rounds`` contains ``server_round`` raises
    ``SiteFailure`` after half its steps. Returns ``num-examples`` (the
    site's size, FedAvg's weight) and the mean training loss.

    ``model`` is moved to ``device`` (default: the CPU) and trained there;
    batches are drawn on the CPU and moved. Dropout is seeded in a fork of
    torch's random state, so the caller's is left as it was.
    """
    s = round_seed(seed, server_round, site_index)
    with seeded(s, device) as dev:  # dropout
        gen = torch.Generator().manual_seed(s)
        model.to(dev)
        x_all, y_all = as_batch(site.images), torch.as_tensor(site.labels, dtype=torch.long)
        problem = site_problem(site, config)
        if problem is not None:
            raise SiteDataError(f"{problem}; train it without class weights (LocalConfig(class_weighted=False)) "
                                "or leave it out (fedavg(..., unusable='skip'))")
        weight = class_weights(site.labels, num_classes=2).to(dev) if config.class_weighted else None
        start = [p.detach().clone() for p in model.parameters()]
        optimizer = make_optimizer(model, config)
        order = torch.empty(0, dtype=torch.long)
        model.train()
        losses = []
        for step in range(config.steps):
            if server_round in site.fail_rounds and step == config.steps // 2:
                raise SiteFailure(f"{site.name}: connection lost during round {server_round} (step {step})")
            if len(order) < config.batch_size:
                order = torch.cat([order, torch.randperm(len(y_all), generator=gen)])
            idx, order = order[:config.batch_size], order[config.batch_size:]
            x, y = x_all[idx].to(dev, non_blocking=True), y_all[idx].to(dev, non_blocking=True)
            optimizer.zero_grad(set_to_none=True)
            loss = nn.functional.cross_entropy(model(x), y, weight=weight)
            if config.mu > 0:
                loss = loss + config.mu / 2 * sum(((p - p0) ** 2).sum() for p, p0 in zip(model.parameters(), start))
            loss.backward()
            optimizer.step()
            losses.append(float(loss.detach()))
    return {"num-examples": float(len(site)), "train-loss": float(np.mean(losses)) if losses else float("nan")}


@torch.no_grad()
def predict_proba(model: nn.Module, images: np.ndarray, batch_size: int = 1024) -> np.ndarray:
    """Softmax probability of class 1 for uint8 images (evaluation mode, no gradients).

    The model runs on the device it is on; the result is a NumPy array.
    """
    model.eval()
    dev = module_device(model)
    out = [torch.softmax(model(as_batch(images[i:i + batch_size]).to(dev)), dim=1)[:, 1].cpu()
           for i in range(0, len(images), batch_size)]
    return torch.cat(out).numpy() if out else np.empty(0, dtype=np.float32)


@dataclass
class FederatedResult:
    """What a federated run returns: final global weights, per-round history, and the failures.

    ``history`` has one row per round (``round``, ``sites_ok``, ``sites_failed``,
    ``sites_skipped``, ``took_part`` (the names of the sites averaged) and
    whatever the ``evaluate`` callback returned); ``failures`` one dict per
    failed site-round (``round``, ``site``, ``error``); ``skipped`` one dict
    per site left out of every round before training (``site``, ``reason``).
    """

    weights: list[np.ndarray]
    history: pd.DataFrame
    failures: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)

    def participation(self) -> pd.DataFrame:
        """Rounds x sites: ``"trained"``, ``"failed"`` or ``"skipped"`` for every site in every round.

        Introduced in the chapter "Federated learning" (chapters/10_federated_learning.ipynb).
        """
        h = self.history[self.history["round"] > 0]
        names = list(dict.fromkeys([n for t in h["took_part"] for n in t.split(", ") if n]
                                   + [f["site"] for f in self.failures] + [s["site"] for s in self.skipped]))
        failed = {(f["round"], f["site"]) for f in self.failures}
        skipped = {s["site"] for s in self.skipped}
        rows = {int(r): {n: "skipped" if n in skipped else "failed" if (int(r), n) in failed else "trained"
                         for n in names} for r in h["round"]}
        return pd.DataFrame.from_dict(rows, orient="index").rename_axis("round")

    def model(self, model_fn: Callable[[], nn.Module]) -> nn.Module:
        """A fresh model from ``model_fn`` holding the final global weights (on the CPU).

        Its random initial weights, overwritten at once, are drawn in a fork of
        torch's random state, so the caller's is left as it was.
        """
        with torch.random.fork_rng(devices=[]):
            net = model_fn()
        set_weights(net, self.weights)
        return net


def initial_model(model_fn: Callable[[], nn.Module], seed: int, example: np.ndarray) -> nn.Module:
    """``model_fn()`` built under ``seed`` and run once on ``example`` (lazy layers get their shapes).

    Built on the CPU, in a fork of torch's random state (the caller's is left alone).
    """
    with seeded(seed):
        net = model_fn()
        with torch.no_grad():
            net.eval()
            net(as_batch(example[:1]))
    return net


def fedavg(model_fn: Callable[[], nn.Module], sites: Sequence[Site], rounds: int, config: LocalConfig,
           seed: int = 0, evaluate: Callable[[nn.Module, int], dict[str, float]] | None = None,
           initial_weights: Sequence[np.ndarray] | None = None,
           train_fn: Callable[..., dict[str, float]] | None = None,
           device: torch.device | str | None = None, unusable: str = "raise") -> FederatedResult:
    """Run ``rounds`` rounds of FedAvg (FedProx if ``config.mu`` > 0) over ``sites``, all in this process.

    The global model starts from ``initial_weights`` or from
    ``initial_model`` with ``seed``. A site that raises is recorded in
    ``failures`` and left out of that round's average; a round in which every
    site fails raises ``SiteFailure`` with the first error (nothing to
    average; often a bug rather than bad luck). ``evaluate(model, round)`` is
    called on the global model after every round (and for round 0).
    One site holding everything is centralised training with the same steps.
    ``train_fn`` replaces ``train_site`` (same signature, ``device`` included), e.g. DP-SGD
    from ``medlab.federated.privacy.dp_trainer``. The global model is built
    on the CPU and trained, and given to ``evaluate``, on ``device`` (default:
    the CPU); the weights are averaged as NumPy arrays.

    Before the first round every site is checked with ``site_problem``
    (with class weights, a site must hold both classes). With
    ``unusable="raise"`` (the default) such a site raises ``SiteDataError``
    naming it; with ``unusable="skip"`` it is left out of every round,
    listed in ``skipped`` with its reason and counted in the history's
    ``sites_skipped``, never dropped silently.
    """
    if unusable not in ("raise", "skip"):
        raise FederatedConfigError(f"unusable must be 'raise' or 'skip', not {unusable!r}")
    problems = {site.name: site_problem(site, config) for site in sites}
    skipped = [{"site": n, "reason": why} for n, why in problems.items() if why is not None]
    if skipped and unusable == "raise":
        raise SiteDataError("; ".join(s["reason"] for s in skipped) + ". Pass fedavg(..., unusable='skip') to leave "
                            "such sites out (recorded in result.skipped), train without class weights, or "
                            "repartition with a larger alpha")
    usable = [(k, site) for k, site in enumerate(sites) if problems[site.name] is None]
    if not usable:
        raise SiteDataError(f"no site can train: {'; '.join(s['reason'] for s in skipped)}")
    train_fn = train_fn or train_site
    dev = as_device(device)
    model = initial_model(model_fn, seed, usable[0][1].images).to(dev)
    if initial_weights is not None:
        set_weights(model, initial_weights)
    global_w = get_weights(model)
    rows, failures = [], []

    def log(r: int, ok: list[str], failed: int) -> None:
        row: dict[str, Any] = {"round": r, "sites_ok": len(ok), "sites_failed": failed,
                               "sites_skipped": len(skipped), "took_part": ", ".join(ok)}
        if evaluate is not None:
            set_weights(model, global_w)
            row.update(evaluate(model, r))
        rows.append(row)

    log(0, [], 0)
    for r in range(1, rounds + 1):
        replies, names = [], []
        for k, site in usable:
            set_weights(model, global_w)  # the server sends the global weights
            try:
                metrics = train_fn(model, site, config, seed, r, k, device=dev)
            except Exception as exc:  # a site that fails is recorded and skipped
                failures.append({"round": r, "site": site.name, "error": f"{type(exc).__name__}: {exc}"})
                continue
            replies.append((get_weights(model), metrics["num-examples"]))
            names.append(site.name)
        if not replies:
            raise SiteFailure(f"round {r}: every site failed, so there is nothing to average; "
                              f"first error: {failures[-len(usable)]['error']}")
        global_w = weighted_average([w for w, _ in replies], [n for _, n in replies])
        log(r, names, len(usable) - len(replies))
    return FederatedResult(global_w, pd.DataFrame(rows), failures, skipped)
