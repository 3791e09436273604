"""medlab.federated: partitions, FedAvg by hand against Flower, site failures, DP accounting, deployment.

The Flower tests start Ray (simulation) or real Flower processes and are
marked slow; the deployment test starts a SuperLink and two SuperNodes on
127.0.0.1 and always stops them.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score
from torch import nn

from medlab import federated as fl
from medlab import models
from medlab.errors import MedlabError
from medlab.federated import flower, privacy
from medlab.federated.fedavg import initial_model, round_seed

ROOT = Path(__file__).resolve().parents[1]


def toy_arrays(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two classes of 28-pixel images that differ in brightness (learnable in a few steps)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    x = rng.normal(90 + 60 * y[:, None, None], 30, size=(n, 28, 28)).clip(0, 255).astype(np.uint8)
    return x, y.astype(np.int64)


def toy_sites(n_sites: int = 2, n: int = 120, seed: int = 0) -> list[fl.Site]:
    return fl.make_sites(toy_arrays(n, seed), toy_arrays(40, seed + 1), n_sites, alpha=5.0, seed=seed,
                         min_size=10)


def cnn() -> nn.Module:
    return models.build_model("simple_cnn")


# ----------------------------------------------------------------------------- partitions


def test_dirichlet_partition_covers_every_item_once_and_is_reproducible():
    labels = np.repeat([0, 1, 2], [300, 200, 100])
    parts = fl.dirichlet_partition(labels, 5, alpha=0.5, seed=3, min_size=20)
    joined = np.concatenate(parts)
    assert sorted(joined.tolist()) == list(range(len(labels)))
    assert min(len(p) for p in parts) >= 20
    again = fl.dirichlet_partition(labels, 5, alpha=0.5, seed=3, min_size=20)
    assert all(np.array_equal(a, b) for a, b in zip(parts, again))


def test_small_alpha_skews_labels_more_than_large_alpha():
    labels = np.repeat([0, 1], [500, 500])

    def skew(alpha: float) -> float:  # mean distance of the sites' positive share from 0.5, over draws
        return np.mean([np.mean([abs(labels[p].mean() - 0.5) for p in fl.dirichlet_partition(labels, 4, alpha, s)])
                        for s in range(20)])

    assert skew(0.3) > skew(100.0) + 0.15
    assert skew(100.0) < 0.05


def test_partition_errors_name_the_fix():
    with pytest.raises(fl.PartitionError, match="lower min_size"):
        fl.dirichlet_partition(np.zeros(30, int), 4, 1.0, min_size=10)
    with pytest.raises(fl.PartitionError, match="alpha > 0"):
        fl.dirichlet_partition(np.zeros(30, int), 2, 0.0)


def test_make_sites_shifts_only_the_chosen_site_with_the_shift_module():
    from medlab.shift import acquisition_shift

    train, val = toy_arrays(200), toy_arrays(50, 1)
    sites = fl.make_sites(train, val, 3, alpha=10.0, seed=0, shifted_sites=[2])
    parts = fl.dirichlet_partition(train[1], 3, 10.0, seed=0)
    assert np.array_equal(sites[0].images, train[0][parts[0]])
    expected = acquisition_shift(acquisition_shift(train[0][parts[2]], "gamma", 2), "contrast", 2)
    assert np.array_equal(sites[2].images, expected)
    assert sites[2].scanner != sites[0].scanner
    pooled = fl.pool_sites(sites)
    assert len(pooled) == 200 and len(pooled.val_labels) == 50


# ----------------------------------------------------------------------------- FedAvg by hand


def test_weighted_average_matches_flowers_aggregation():
    from flwr.app import ArrayRecord, MetricRecord, RecordDict
    from flwr.serverapp.strategy.strategy_utils import aggregate_arrayrecords

    rng = np.random.default_rng(0)
    sites = [[rng.normal(size=(3, 4)).astype(np.float32), rng.normal(size=5).astype(np.float32)] for _ in range(3)]
    sizes = [10, 30, 60]
    ours = fl.weighted_average(sites, sizes)
    records = [RecordDict({"arrays": ArrayRecord(w), "metrics": MetricRecord({"num-examples": n})})
               for w, n in zip(sites, sizes)]
    theirs = aggregate_arrayrecords(records, "num-examples").to_numpy_ndarrays()
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(ours[1], 0.1 * sites[0][1] + 0.3 * sites[1][1] + 0.6 * sites[2][1], rtol=1e-6)


def test_weights_round_trip():
    a, b = initial_model(cnn, 1, toy_arrays(2)[0]), initial_model(cnn, 2, toy_arrays(2)[0])
    fl.set_weights(b, fl.get_weights(a))
    assert all(np.array_equal(x, y) for x, y in zip(fl.get_weights(a), fl.get_weights(b)))
    with pytest.raises(ValueError, match="tensors"):
        fl.set_weights(b, fl.get_weights(a)[:-1])


def test_train_site_is_seeded_and_fedprox_stays_closer_to_the_start():
    site = toy_sites(1, 80)[0]
    start = initial_model(cnn, 0, site.images)
    w0 = fl.get_weights(start)

    def trained(mu: float, seed: int) -> list[np.ndarray]:
        net = initial_model(cnn, 0, site.images)
        fl.train_site(net, site, fl.LocalConfig(steps=6, lr=5e-3, mu=mu), seed, 1, 0)
        return fl.get_weights(net)

    a, b, c = trained(0.0, 1), trained(0.0, 1), trained(0.0, 2)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert any(not np.array_equal(x, y) for x, y in zip(a, c))
    dist = lambda w: sum(float(((x - y) ** 2).sum()) for x, y in zip(w, w0))  # noqa: E731
    assert dist(trained(50.0, 1)) < dist(a)


def test_class_weighted_sgd_config():
    site = toy_sites(1, 80)[0]
    site.labels[:] = np.where(np.arange(len(site)) < 10, 0, 1)  # one class dominates
    config = fl.LocalConfig(steps=1, batch_size=len(site), lr=0.1, optimizer="sgd", class_weighted=True)

    def linear() -> nn.Module:  # no dropout: the full batch's gradient does not depend on its order
        torch.manual_seed(0)
        return nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 2))

    net, ref = linear(), linear()
    w0 = [p.detach().clone() for p in net.parameters()]
    weight = torch.tensor(len(site) / (2 * np.bincount(site.labels)), dtype=torch.float32)
    nn.functional.cross_entropy(ref(fl.as_batch(site.images)), torch.as_tensor(site.labels), weight=weight).backward()
    fl.train_site(net, site, config, 0, 1, 0)  # one full-batch SGD step: w - lr * grad (momentum starts at 0)
    for p, p0, r in zip(net.parameters(), w0, ref.parameters()):
        assert torch.allclose(p, p0 - 0.1 * r.grad, atol=1e-6)
    with pytest.raises(ValueError, match="optimizer"):
        fl.LocalConfig(optimizer="rmsprop")


def test_fedavg_learns_and_logs_every_round():
    sites = toy_sites(2, 160)
    vx = np.concatenate([s.val_images for s in sites])
    vy = np.concatenate([s.val_labels for s in sites])
    res = fl.fedavg(cnn, sites, 3, fl.LocalConfig(steps=4), seed=0,
                    evaluate=lambda m, r: {"auc": roc_auc_score(vy, fl.predict_proba(m, vx))})
    assert res.history["round"].tolist() == [0, 1, 2, 3]
    assert res.history["sites_ok"].tolist()[1:] == [2, 2, 2]
    assert res.history["auc"].iloc[-1] > 0.9
    assert not res.failures


def test_dropout_round_completes_with_the_other_sites_and_is_recorded():
    sites = toy_sites(2, 120)
    sites[0].fail_rounds = (1,)
    config = fl.LocalConfig(steps=4)
    res = fl.fedavg(cnn, sites, 1, config, seed=0)
    assert res.history["sites_ok"].tolist() == [0, 1] and res.history["sites_failed"].tolist() == [0, 1]
    assert len(res.failures) == 1 and res.failures[0]["round"] == 1
    assert res.failures[0]["site"] == sites[0].name and "SiteFailure" in res.failures[0]["error"]
    # the round's average is the surviving site's weights
    net = initial_model(cnn, 0, sites[0].images)
    fl.train_site(net, sites[1], config, 0, 1, 1)
    assert all(np.allclose(a, b) for a, b in zip(res.weights, fl.get_weights(net)))


def test_a_round_in_which_every_site_fails_raises():
    sites = toy_sites(2, 120)
    for s in sites:
        s.fail_rounds = (1,)
    with pytest.raises(fl.SiteFailure, match="every site failed"):
        fl.fedavg(cnn, sites, 1, fl.LocalConfig(steps=2), seed=0)


def test_round_seed_differs_between_sites_and_rounds():
    assert len({round_seed(1, r, k) for r in range(5) for k in range(5)}) == 25


# ----------------------------------------------------------------------------- Flower


def _flower(sites, rounds, config, seed, evaluate=None):
    out: dict = {}
    flower.run_simulation(flower.make_server_app(cnn, sites[0].images, len(sites), rounds, config, seed,
                                                 evaluate=evaluate, out=out),
                          flower.make_client_app(flower.sites_by_partition(sites), cnn), len(sites))
    return out["result"]


@pytest.mark.slow  # Ray starts
def test_flower_fedavg_matches_the_hand_written_fedavg():
    """Same partitions, seeds and local training: the weights agree to float32 rounding.

    Tolerance: the two engines sum the sites' weights in different orders and
    Flower in float32, so the global weights differ by rounding (~1e-7) that
    local training can amplify a little over rounds; 1e-4 on every weight and
    0.005 on AUC leave room for that and for nothing else.
    """
    sites = toy_sites(2, 120)
    vx = np.concatenate([s.val_images for s in sites])
    vy = np.concatenate([s.val_labels for s in sites])
    evaluate = lambda m, r: {"auc": roc_auc_score(vy, fl.predict_proba(m, vx))}  # noqa: E731
    config = fl.LocalConfig(steps=3)
    hand = fl.fedavg(cnn, sites, 2, config, seed=4, evaluate=evaluate)
    flwr_res = _flower(sites, 2, config, seed=4, evaluate=evaluate)
    assert max(float(np.abs(a - b).max()) for a, b in zip(hand.weights, flwr_res.weights)) < 1e-4
    assert abs(hand.history["auc"].iloc[-1] - flwr_res.history["auc"].iloc[-1]) < 0.005
    assert flwr_res.history["sites_ok"].tolist() == [0, 2, 2]


@pytest.mark.slow  # Ray starts
def test_flower_round_completes_when_a_client_raises():
    sites = toy_sites(3, 150)
    sites[1].fail_rounds = (1,)
    config = fl.LocalConfig(steps=2)
    res = _flower(sites, 2, config, seed=0)
    assert res.history["sites_ok"].tolist() == [0, 2, 3]
    assert res.history["sites_failed"].tolist() == [0, 1, 0]
    assert len(res.failures) == 1 and res.failures[0]["round"] == 1
    assert f"{sites[1].name}: connection lost during round 1" in res.failures[0]["error"]
    hand = fl.fedavg(cnn, sites, 2, config, seed=0)  # the hand version skips the same site
    assert max(float(np.abs(a - b).max()) for a, b in zip(hand.weights, res.weights)) < 1e-4


def test_app_settings_name_the_file_to_fix():
    with pytest.raises(flower.AppConfigError, match="pyproject.toml"):
        flower.app_settings({"dataset": "breastmnist"})


# ----------------------------------------------------------------------------- privacy


def test_make_dp_compatible_replaces_batchnorm_and_inplace_relu():
    from opacus.validators import ModuleValidator

    net = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(inplace=True))
    fixed = privacy.make_dp_compatible(net)
    assert not any(isinstance(m, nn.BatchNorm2d) for m in fixed.modules())
    assert any(isinstance(m, nn.GroupNorm) for m in fixed.modules())
    assert not any(getattr(m, "inplace", False) for m in fixed.modules())
    assert ModuleValidator.is_valid(fixed)


def test_epsilon_matches_the_privacy_engines_accountant():
    from opacus import PrivacyEngine

    torch.manual_seed(0)
    x, y = torch.randn(200, 5), torch.randint(0, 2, (200,))
    model = nn.Linear(5, 2)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=20)
    engine = PrivacyEngine(accountant="rdp")
    model, optimizer, loader = engine.make_private(module=model, optimizer=torch.optim.SGD(model.parameters(), 0.1),
                                                   data_loader=loader, noise_multiplier=1.1, max_grad_norm=1.0)
    steps = 0
    for _ in range(3):
        for xb, yb in loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(xb), yb).backward()
            optimizer.step()
            steps += 1
    assert engine.get_epsilon(1e-3) == pytest.approx(privacy.epsilon(1.1, 20 / 200, steps, 1e-3), rel=1e-9)
    assert privacy.epsilon(2.0, 0.1, 30, 1e-3) < privacy.epsilon(1.1, 0.1, 30, 1e-3)
    assert privacy.epsilon(1.1, 0.1, 0, 1e-3) == 0.0


def test_dp_trainer_trains_deterministically_and_noise_changes_the_result():
    site = toy_sites(1, 80)[0]
    model_fn = lambda: privacy.make_dp_compatible(cnn())  # noqa: E731

    def run(noise: float) -> list[np.ndarray]:
        return fl.fedavg(model_fn, [site], 1, fl.LocalConfig(steps=3), seed=0,
                         train_fn=privacy.dp_trainer(noise, 1.0)).weights

    start = fl.get_weights(initial_model(model_fn, 0, site.images))
    a, b, c = run(1.0), run(1.0), run(3.0)
    assert any(not np.array_equal(x, y) for x, y in zip(a, start))
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert any(not np.allclose(x, y) for x, y in zip(a, c))


def test_per_example_grad_norms_match_a_manual_gradient_and_scale_with_the_class_weight():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 2))
    x, y = toy_arrays(6)
    norms = privacy.per_example_grad_norms(net, x, y)
    net.zero_grad()
    nn.functional.cross_entropy(net(fl.as_batch(x[2:3])), torch.as_tensor(y[2:3])).backward()
    manual = torch.sqrt(sum((p.grad ** 2).sum() for p in net.parameters()))
    assert norms.shape == (6,) and norms[2] == pytest.approx(float(manual), rel=1e-5)
    w = torch.tensor([3.0, 0.5])
    weighted = privacy.per_example_grad_norms(net, x, y, weight=w)
    np.testing.assert_allclose(weighted, norms * w.numpy()[y], rtol=1e-5)


def test_loss_attack_detects_memorised_images_and_not_fresh_ones():
    rng = np.random.default_rng(0)
    members = (rng.integers(0, 256, (16, 28, 28)).astype(np.uint8), rng.integers(0, 2, 16))
    others = (rng.integers(0, 256, (16, 28, 28)).astype(np.uint8), rng.integers(0, 2, 16))
    torch.manual_seed(0)
    net = nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 2))  # random labels: only memorising fits them
    fl.train_site(net, fl.Site("one", *members), fl.LocalConfig(steps=100, batch_size=16, lr=1e-2), 0, 1, 0)
    assert privacy.loss_attack_auc(net, members, others) > 0.9
    assert privacy.loss_attack_auc(net, members, members) == pytest.approx(0.5)


# ----------------------------------------------------------------------------- deployment


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.5)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {seconds} s")


def _stop_group(p: subprocess.Popen) -> None:
    """Stop ``p`` and every process it started (its own process group): TERM, then KILL."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(p.pid, sig)
        except ProcessLookupError:
            return
        end = time.monotonic() + 15
        while time.monotonic() < end:
            p.poll()  # reap the leader, or it lingers as a zombie in the group
            try:
                os.killpg(p.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.2)


@pytest.mark.slow  # three Flower processes, a ServerApp and two ClientApps start
def test_superlink_and_two_supernodes_run_one_round_of_the_same_apps(tmp_path, mirror):
    """``flwr run`` submits medlab/federated/app to a SuperLink; two SuperNodes train; all stop."""
    bindir = Path(sys.executable).parent
    home = tmp_path / "flwr"
    home.mkdir()
    port = _free_port()
    (home / "config.toml").write_text(
        f'[superlink]\ndefault = "local"\n\n[superlink.local]\naddress = "127.0.0.1:{port}"\ninsecure = true\n')
    env = {**os.environ, "FLWR_HOME": str(home), "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}",
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
           "MEDLAB_DATA_MIRROR": str(mirror), "OMP_NUM_THREADS": "1"}
    result_file = tmp_path / "weights.npz"
    logs = []
    procs: list[subprocess.Popen] = []

    def start(*cmd: str) -> None:
        log = open(tmp_path / f"process{len(procs)}.log", "w")  # noqa: SIM115 (closed below)
        logs.append(log)
        procs.append(subprocess.Popen([str(bindir / cmd[0]), *cmd[1:]], env=env, cwd=tmp_path, stdout=log,
                                      stderr=subprocess.STDOUT, start_new_session=True))

    try:
        start("flower-superlink", "--insecure", "--disable-runtime-dependency-installation", "--port", str(port),
              "--database", str(home / "state.db"))
        _wait_for_port(port, 90)
        for k in range(2):
            start("flower-supernode", "--insecure", "--superlink", f"127.0.0.1:{port}", "--port", str(_free_port()),
                  "--node-config", f"partition-id={k} num-partitions=2")
        done = subprocess.run([str(bindir / "flwr"), "run", str(ROOT / "medlab/federated/app"), "local", "--stream",
                               "--run-config", f"result-file='{result_file}' rounds=1 n-sites=2"],
                              env=env, cwd=tmp_path, capture_output=True, text=True, timeout=240)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        assert result_file.exists(), done.stdout[-3000:]
        with np.load(result_file) as f:
            weights = [f[f"arr_{i}"] for i in range(len(f.files) - 1)]
            assert len(f["failures"]) == 0
    finally:
        for p in procs:
            _stop_group(p)
        for log in logs:
            log.close()
    for p in procs:  # each process group is gone (ClientApp and ServerApp processes included)
        with pytest.raises(ProcessLookupError):
            os.killpg(p.pid, 0)
    # the deployment trained what the hand-written FedAvg trains with the same settings
    settings = flower.app_settings({"dataset": "breastmnist", "n-sites": 2, "alpha": 1.0, "rounds": 1,
                                    "local-steps": 5, "batch-size": 32, "lr": 0.001, "seed": 1, "result-file": ""})
    hand = fl.fedavg(cnn, flower.deployment_sites(settings), 1, fl.LocalConfig(steps=5), seed=1)
    assert max(float(np.abs(a - b).max()) for a, b in zip(hand.weights, weights)) < 1e-4


def test_federated_errors_are_medlab_errors():
    from medlab.errors import MedlabError
    from medlab.federated.fedavg import FederatedConfigError

    for cls in (FederatedConfigError, privacy.NotDPCompatibleError):
        assert issubclass(cls, MedlabError) and issubclass(cls, ValueError), cls
    with pytest.raises(FederatedConfigError, match="'adam' or 'sgd'"):
        fl.LocalConfig(optimizer="rmsprop")
    with pytest.raises(FederatedConfigError, match="one size per site"):
        fl.weighted_average([], [])


# ----------------------------------------------------------------------------- own validation shards, unusable sites


def test_split_like_gives_every_site_its_training_share_of_each_class():
    train = np.repeat([0, 1], [100, 300])
    parts = fl.dirichlet_partition(train, 4, alpha=0.5, seed=1, min_size=20)
    site_labels = [train[p] for p in parts]
    val = np.random.default_rng(0).permutation(np.repeat([0, 1], [40, 60]))
    vparts = fl.split_like(site_labels, val, seed=2)
    assert sorted(np.concatenate(vparts).tolist()) == list(range(len(val)))  # every item exactly once
    for y_tr, p in zip(site_labels, vparts):
        for c, total in ((0, 40), (1, 60)):
            expected = (y_tr == c).sum() / (train == c).sum() * total
            got = (val[p] == c).sum()
            assert abs(got - expected) <= 1.0 or (got == 1 and expected < 1)  # rounding, or the floor of one
            if (y_tr == c).any():
                assert got >= 1  # a site that trains on a class is validated on it


def test_make_sites_cuts_val_and_test_like_each_hospitals_training_data():
    train, val, test = toy_arrays(400, 0), toy_arrays(100, 1), toy_arrays(100, 2)
    sites = fl.make_sites(train, val, 3, alpha=0.5, seed=4, shifted_sites=[2], min_size=20, test=test)
    for s in sites:
        share = s.class_counts()[1] / len(s)
        assert set(s.class_counts("val")) == set(s.class_counts()) == set(s.class_counts("test"))
        assert abs(s.class_counts("val").get(1, 0) / len(s.val_labels) - share) < 0.25
    assert sum(len(s.test_labels) for s in sites) == 100
    assert not any(np.array_equal(sites[2].test_images[0], t) for t in test[0])  # D's scanner on its test shard
    with pytest.raises(fl.PartitionError):
        sites[0].class_counts("holdout")


@pytest.mark.slow
def test_a_site_without_both_classes_raises_by_default_and_is_skipped_visibly_on_request():
    x, y = toy_arrays(80, 0)
    full = fl.Site("hospital A", x, y)
    one_class = fl.Site("hospital B", x[y == 1], y[y == 1])
    cfg = fl.LocalConfig(steps=2, batch_size=16, lr=0.05, optimizer="sgd", class_weighted=True)
    assert fl.site_problem(one_class, cfg) is not None and fl.site_problem(full, cfg) is None
    assert fl.site_problem(one_class, fl.LocalConfig(class_weighted=False)) is None
    with pytest.raises(fl.SiteDataError, match="hospital B"):
        fl.fedavg(cnn, [full, one_class], 1, cfg, seed=0)
    res = fl.fedavg(cnn, [full, one_class], 2, cfg, seed=0, unusable="skip")
    assert [s["site"] for s in res.skipped] == ["hospital B"]
    assert res.history.sites_skipped.iloc[-1] == 1 and res.history.took_part.iloc[-1] == "hospital A"
    part = res.participation()
    assert list(part.columns) == ["hospital A", "hospital B"] and (part["hospital B"] == "skipped").all()
    assert (part["hospital A"] == "trained").all()
    # the one usable site alone gives the same weights as training it alone (site index 0 in both)
    alone = fl.fedavg(cnn, [full], 2, cfg, seed=0)
    assert all(np.array_equal(a, b) for a, b in zip(res.weights, alone.weights))
    with pytest.raises(fl.SiteDataError):
        fl.train_site(cnn(), one_class, cfg, 0, 1, 0)


def test_momentum_zero_is_plain_sgd():
    torch.manual_seed(0)
    net = nn.Linear(3, 2)
    opt = fl.fedavg.__globals__["make_optimizer"](net, fl.LocalConfig(optimizer="sgd", lr=0.1, momentum=0.0))
    assert opt.param_groups[0]["momentum"] == 0.0
    with pytest.raises(MedlabError):
        fl.LocalConfig(optimizer="sgd", momentum=1.5)
