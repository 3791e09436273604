"""The same federated training on a real engine: Flower's ``ClientApp`` and ``ServerApp``.

Flower (Beutel et al. 2020) runs a federation as two kinds of app: a
``ServerApp`` that holds the strategy (FedAvg, FedProx, ...) and a
``ClientApp`` that each site runs next to its data. They exchange
``Message`` objects carrying an ``ArrayRecord`` (the weights), a
``ConfigRecord`` (the round's settings) and a ``MetricRecord`` (the reply's
``num-examples``, FedAvg's weight). The same two apps run

- in one process tree under Flower's simulation engine (Ray), with
  ``run_simulation``, as the chapter does; or
- as a real deployment: a SuperLink (the server's endpoint), one SuperNode
  per hospital, and ``flwr run`` to submit the app, which
  ``medlab/federated/app`` packages (``deployment_apps``).

The ``ClientApp`` trains with ``medlab.federated.fedavg.train_site``, the
very function the hand-written FedAvg calls, so the two engines can be
compared weight for weight. Flower is imported inside the functions (it is in
the ``federated`` extra).

Introduced in the chapter "Federated learning" (chapters/10_federated_learning.ipynb).
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn

from ..errors import MedlabError
from .fedavg import FederatedResult, LocalConfig, get_weights, initial_model, set_weights, train_site
from .partition import Site, make_sites


class AppConfigError(MedlabError, ValueError):
    """A Flower run config that lacks a setting the deployment app needs."""


# Given a Flower ``Context``, the node's ``Site`` and its index (the ``partition-id``).
SiteFn = Callable[[Any], tuple[Site, int]]


def sites_by_partition(sites: Sequence[Site]) -> SiteFn:
    """A ``SiteFn`` for simulation: node ``partition-id`` k holds ``sites[k]``."""
    def site_fn(context: Any) -> tuple[Site, int]:
        k = int(context.node_config["partition-id"])
        return sites[k], k

    return site_fn


def make_client_app(site_fn: SiteFn, model_fn: Callable[[], nn.Module],
                    device: torch.device | str | None = None) -> Any:
    """A Flower ``ClientApp`` whose ``train`` runs ``train_site`` on the node's site, on ``device`` (default: CPU).

    The server's ``ConfigRecord`` gives ``local-steps``, ``batch-size``,
    ``lr``, ``class-weighted``, ``optimizer``, ``momentum``, ``seed`` and ``server-round``
    (and ``proximal-mu`` under FedProx). The reply carries the new weights and ``num-examples``. An
    exception in ``train`` becomes an error reply that the strategy sees.
    """
    from flwr.app import ArrayRecord, Message, MetricRecord, RecordDict
    from flwr.clientapp import ClientApp

    app = ClientApp()

    @app.train()
    def train(msg: Any, context: Any) -> Any:
        site, k = site_fn(context)
        cfg = msg.content["config"]
        config = LocalConfig(steps=int(cfg["local-steps"]), batch_size=int(cfg["batch-size"]), lr=float(cfg["lr"]),
                             mu=float(cfg["proximal-mu"]) if "proximal-mu" in cfg else 0.0,
                             class_weighted=bool(cfg["class-weighted"]), optimizer=str(cfg["optimizer"]),
                             momentum=float(cfg["momentum"]) if "momentum" in cfg else 0.9)
        model = initial_model(model_fn, 0, site.images)
        set_weights(model, msg.content["arrays"].to_numpy_ndarrays())
        metrics = train_site(model, site, config, seed=int(cfg["seed"]), server_round=int(cfg["server-round"]),
                             site_index=k, device=device)
        content = RecordDict({"arrays": ArrayRecord(get_weights(model)), "metrics": MetricRecord(metrics)})
        return Message(content=content, reply_to=msg)

    return app


def _recording(strategy_cls: type) -> type:
    """``strategy_cls`` that also keeps, per round, how many sites replied and the failures."""

    class Recording(strategy_cls):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.failures: list[dict[str, Any]] = []
            self.replies: dict[int, tuple[int, int]] = {}

        def aggregate_train(self, server_round: int, replies: Any) -> Any:
            replies = list(replies)
            errors = [m for m in replies if m.has_error()]
            for m in errors:
                reason = m.error.reason.strip().splitlines()[-1] if m.error.reason.strip() else "error"
                self.failures.append({"round": server_round, "site": f"node {m.metadata.src_node_id}",
                                      "error": reason.split("Message: ")[-1].strip(" '>")})
            self.replies[server_round] = (len(replies) - len(errors), len(errors))
            return super().aggregate_train(server_round, replies)

    Recording.__name__ = f"Recording{strategy_cls.__name__}"
    return Recording


def serve(grid: Any, model_fn: Callable[[], nn.Module], example: np.ndarray, n_sites: int, rounds: int,
          config: LocalConfig, seed: int = 0,
          evaluate: Callable[[nn.Module, int], dict[str, float]] | None = None) -> FederatedResult:
    """The body of a ``ServerApp``'s ``main``: FedAvg (FedProx if ``config.mu`` > 0) through ``grid``.

    The initial model is ``medlab.federated.fedavg.initial_model`` with
    ``seed``, as in the hand-written loop; ``evaluate(model, round)`` is
    Flower's server-side ``evaluate_fn``. Each round waits for ``n_sites``
    nodes; failed replies are recorded and the others averaged.
    """
    from flwr.app import ArrayRecord, ConfigRecord, MetricRecord
    from flwr.serverapp.strategy import FedAvg, FedProx

    model = initial_model(model_fn, seed, example)
    common = dict(fraction_train=1.0, fraction_evaluate=0.0, min_train_nodes=n_sites, min_available_nodes=n_sites)
    strategy = (_recording(FedProx)(proximal_mu=config.mu, **common) if config.mu > 0
                else _recording(FedAvg)(**common))
    train_config = ConfigRecord({"local-steps": config.steps, "batch-size": config.batch_size, "lr": config.lr,
                                 "class-weighted": config.class_weighted, "optimizer": config.optimizer,
                                 "momentum": config.momentum, "seed": seed})

    def evaluate_fn(server_round: int, arrays: Any) -> Any:
        if evaluate is None:
            return None
        set_weights(model, arrays.to_numpy_ndarrays())
        return MetricRecord(evaluate(model, server_round))

    result = strategy.start(grid=grid, initial_arrays=ArrayRecord(get_weights(model)), num_rounds=rounds,
                            train_config=train_config, evaluate_fn=evaluate_fn)
    rows = []
    for r in range(rounds + 1):
        ok, failed = strategy.replies.get(r, (0, 0))
        row: dict[str, Any] = {"round": r, "sites_ok": ok, "sites_failed": failed}
        row.update(dict(result.evaluate_metrics_serverapp.get(r, {})))
        rows.append(row)
    return FederatedResult(result.arrays.to_numpy_ndarrays(), pd.DataFrame(rows), strategy.failures)


def make_server_app(model_fn: Callable[[], nn.Module], example: np.ndarray, n_sites: int, rounds: int,
                    config: LocalConfig, seed: int = 0,
                    evaluate: Callable[[nn.Module, int], dict[str, float]] | None = None,
                    out: dict[str, Any] | None = None) -> Any:
    """A Flower ``ServerApp`` that runs ``serve`` and puts its result into ``out["result"]``.

    For the simulation engine, where the ``ServerApp`` runs in this process:
    ``out`` is an ordinary dict the caller reads afterwards.
    """
    from flwr.serverapp import ServerApp

    app = ServerApp()
    out = {} if out is None else out

    @app.main()
    def main(grid: Any, context: Any) -> None:
        out["result"] = serve(grid, model_fn, example, n_sites, rounds, config, seed, evaluate)

    return app


def app_settings(run_config: Mapping[str, Any]) -> dict[str, Any]:
    """The deployment app's settings: its ``pyproject.toml`` ``[tool.flwr.app.config]`` with overrides."""
    keys = {"dataset": str, "n-sites": int, "alpha": float, "rounds": int, "local-steps": int, "batch-size": int,
            "lr": float, "seed": int, "result-file": str}
    missing = sorted(set(keys) - set(run_config))
    if missing:
        raise AppConfigError(f"the run config lacks {missing}: add them to [tool.flwr.app.config] in "
                             "medlab/federated/app/pyproject.toml or pass them to flwr run --run-config")
    return {k: cast(run_config[k]) for k, cast in keys.items()}


def deployment_sites(settings: Mapping[str, Any]) -> list[Site]:
    """The hospitals of the deployment app, rebuilt identically at every node from the shared settings.

    In a real federation each node would read its own files; here every node
    reads the same MedMNIST training split and keeps its own partition.
    """
    from ..data.medmnist import load_arrays

    return make_sites(load_arrays(settings["dataset"], "train"), load_arrays(settings["dataset"], "val"),
                      settings["n-sites"], settings["alpha"], seed=settings["seed"])


def _deployment_model() -> nn.Module:
    from ..models import build_model

    return build_model("simple_cnn")


def deployment_apps() -> tuple[Any, Any]:
    """The ``ServerApp`` and ``ClientApp`` of ``medlab/federated/app`` (what ``flwr run`` deploys).

    The ClientApp finds its site from the node's ``partition-id`` (given to
    ``flower-supernode --node-config``); both read the run config of the app's
    ``pyproject.toml``. The ServerApp writes the final weights to
    ``result-file`` (an ``.npz``) when that is not empty.
    """
    from flwr.serverapp import ServerApp

    def site_fn(context: Any) -> tuple[Site, int]:
        k = int(context.node_config["partition-id"])
        return deployment_sites(app_settings(context.run_config))[k], k

    client = make_client_app(site_fn, _deployment_model)
    server = ServerApp()

    @server.main()
    def main(grid: Any, context: Any) -> None:
        s = app_settings(context.run_config)
        config = LocalConfig(steps=s["local-steps"], batch_size=s["batch-size"], lr=s["lr"])
        result = serve(grid, _deployment_model, np.zeros((1, 28, 28), np.uint8), s["n-sites"], s["rounds"], config,
                       seed=s["seed"])
        if s["result-file"]:
            np.savez(s["result-file"], *result.weights, failures=np.array([f["error"] for f in result.failures]))

    return server, client


@contextlib.contextmanager
def quiet_flower() -> Iterator[None]:
    """Silence Flower's and Ray's logs and warnings for the duration (errors are kept by the strategy)."""
    os.environ.setdefault("RAY_ACCEL_ENV_VAR_OVERRIDE_ON_ZERO", "0")
    os.environ.setdefault("RAY_DEDUP_LOGS", "0")
    loggers = [logging.getLogger(n) for n in ("flwr", "ray")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL + 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)


def run_simulation(server_app: Any, client_app: Any, n_sites: int, num_cpus: float = 1.0) -> float:
    """Run the two apps under Flower's simulation engine (Ray) with ``n_sites`` SuperNodes; seconds taken.

    Each simulated site gets ``num_cpus`` CPU and no GPU; Ray starts, runs
    the ``ServerApp`` to the end, and shuts down. Logs are silenced.
    """
    from flwr.simulation import run_simulation as flwr_run_simulation

    backend_config = {"client_resources": {"num_cpus": num_cpus, "num_gpus": 0.0},
                      "init_args": {"logging_level": logging.ERROR, "log_to_driver": False,
                                    "include_dashboard": False}}
    t0 = time.perf_counter()
    with quiet_flower():
        flwr_run_simulation(server_app=server_app, client_app=client_app, num_supernodes=n_sites,
                            backend_config=backend_config)
    return time.perf_counter() - t0
