"""Every helper that trains takes a ``device``, and leaves the caller's random state alone (chapters 06 to 12).

For each helper:

- it honours ``device``: called with ``torch.device("cpu", 0)`` (a CPU device
  that can be told apart from the default ``"cpu"``), it moves its model and
  its batches there, seen by a spy on ``nn.Module.to`` and ``Tensor.to``;
  prediction helpers move their inputs to wherever the model is;
- it leaves torch's, NumPy's and Python's global random state and the
  deterministic-algorithm flags as they were;
- with a fixed seed it gives the same result whatever the global random state,
  and the result it gave before it took a device (``BEFORE``: the sum of the
  weights and outputs, computed on the code before this change).
"""

from __future__ import annotations

import random
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
from torch import nn

CPU0 = torch.device("cpu", 0)  # the CPU, but not equal to torch.device("cpu"): an ignored argument shows

# The sum of every number a helper returned (weights, history, predictions), on the code before helpers took a
# device (commit b55cd6c); one thread. Sums move in the last digits with the thread count, hence the tolerance.
BEFORE = {
    "train_cgan": 1494.3328895205905,
    "train_cgan_balanced": 187796.2116371914,
    "fit_paired": 2137.5756672711577,
    "fit_paired_adversarial": 10.70552790502552,
    "fit_mlp": 214.96221923450628,
    "semi": 127.6142689655826,
    "active_learning": 31.977964743589745,
    "fit_deepsurv": -10.929444237670396,
    "train_segmenter": 461.6261330455891,
    "fedavg": 60.111493790527916,
    "dp_trainer": 10.623557800170602,
    "fine_tune": 35.089479762129486,
    "attribute": 138.83263668639438,
    "flip_test": 0.359375,
}


def total(*objs: Any) -> float:
    """The sum of every number in ``objs`` (modules: their ``state_dict``; frames, tensors, arrays, lists)."""
    out = 0.0
    for o in objs:
        if isinstance(o, nn.Module):
            arrays = [t.detach().cpu().numpy() for t in o.state_dict().values()]
        elif isinstance(o, (list, tuple)):
            arrays = [np.asarray(a.detach().cpu() if torch.is_tensor(a) else a) for a in o]
        elif hasattr(o, "to_numpy"):
            arrays = [o.to_numpy()]
        elif torch.is_tensor(o):
            arrays = [o.detach().cpu().numpy()]
        else:
            arrays = [np.asarray(o)]
        out += sum(float(np.asarray(a, dtype=np.float64).sum()) for a in arrays if np.asarray(a).dtype.kind in "fiub")
    return out


def _kw(device: torch.device | None) -> dict[str, Any]:
    return {} if device is None else {"device": device}


# ----------------------------------------------------------------------------- the helpers, on toy data


def run_train_cgan(device=None) -> float:
    from medlab.generative import gan

    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (64, 28, 28), dtype=np.uint8)
    labels = np.r_[np.zeros(32), np.ones(32)].astype(int)
    G, hist = gan.train_cgan(images, labels, epochs=1, batch_size=32, seed=0, width=8, d_width=8, **_kw(device))
    return total(G, hist)


def run_train_cgan_balanced(device=None) -> float:
    from medlab.generative import gan

    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, (48, 28, 28), dtype=np.uint8)
    labels = np.r_[np.zeros(40), np.ones(8)].astype(int)
    G, hist = gan.train_cgan(images, labels, epochs=1, batch_size=16, seed=3, width=8, d_width=8, balanced=True,
                             **_kw(device))
    return total(G, hist, gan.sample(G, np.array([0, 1]), seed=2))


def _paired_data() -> np.ndarray:
    return np.random.default_rng(0).random((16, 16, 16)).astype(np.float32)


def run_fit_paired(device=None) -> float:
    from medlab.generative import paired

    x = _paired_data()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        net = paired.SRNet(width=8, depth=3)
    hist = paired.fit_paired(net, x, 1 - x, steps=10, batch_size=8, lr=3e-3, seed=0, **_kw(device))
    return total(net, hist, paired.predict_paired(net, x))


def run_fit_paired_adversarial(device=None) -> float:
    from medlab.generative import paired

    x = _paired_data()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        net = paired.SRNet(width=8, depth=3)
    hist = paired.fit_paired(net, x, 1 - x, steps=4, batch_size=4, adv_weight=0.01, crop=12, seed=1, **_kw(device))
    return total(net, hist)


def _separable() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    X = rng.normal(0, 1, (300, 6)) + 1.5 * y[:, None]
    return X.astype(np.float32), y


def run_fit_mlp(device=None) -> float:
    from medlab.labels import learners

    X, y = _separable()
    m = learners.fit_mlp(X[:200], y[:200], epochs=20, seed=2, **_kw(device))
    return total(m, learners.predict_proba(m, X[200:]), learners.predict_proba(m, X[200:], mc_samples=3, seed=4))


def run_semi(device=None) -> float:
    from medlab.labels import semi

    X, y = _separable()
    m, added = semi.pseudo_label(X[:20], y[:20], X[20:200], threshold=0.9, epochs=20, seed=1, **_kw(device))
    t = semi.mean_teacher(X[:20], y[:20], X[20:200], epochs=20, seed=1, **_kw(device))
    return total(m, [added], t)


def run_active_learning(device=None) -> float:
    from medlab.labels import active

    X, y = _separable()
    return total(active.active_learning(X[:200], y[:200], X[200:], y[200:], "bald", start=10, step=10, rounds=1,
                                        epochs=10, **_kw(device)))


def run_fit_deepsurv(device=None) -> float:
    pytest.importorskip("torchsurv")
    from medlab import survival as sv

    rng = np.random.default_rng(0)
    x = rng.normal(size=(120, 4)).astype(np.float32)
    t = rng.exponential(np.exp(-x[:, 0]))
    e = rng.random(120) < 0.7
    m = sv.fit_deepsurv(x[:80], t[:80], e[:80], x[80:], t[80:], e[80:], epochs=15, lr=1e-2, seed=3, **_kw(device))
    return total(m, sv.predict_risk(m, x))


def run_train_segmenter(device=None) -> float:
    from monai.networks.nets import UNet

    from medlab.volumes import predict_volume, train_segmenter
    from medlab.volumes.segmentation import GridVolume

    rng = np.random.default_rng(0)
    vols = []
    for i in range(2):
        img = rng.random((2, 4, 16, 16)).astype(np.float32)
        mask = np.zeros((4, 16, 16), np.uint8)
        mask[1:3, 4:9, 5:10] = 1
        img[:, mask > 0] += 0.5
        vols.append(GridVolume(f"p{i}", "s", img, mask, (2.0, 1.0, 1.0)))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        net = UNet(spatial_dims=2, in_channels=2, out_channels=2, channels=(4, 8), strides=(2,), num_res_units=0)
    # batch_dice=False: the per-sample Dice loss the pinned value was computed with
    losses = train_segmenter(net, vols, steps=3, batch=4, depth=1, seed=1, batch_dice=False, **_kw(device))
    return total(net, losses, predict_volume(net, vols[0].image))


def _toy_arrays(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    x = rng.normal(90 + 60 * y[:, None, None], 30, size=(n, 28, 28)).clip(0, 255).astype(np.uint8)
    return x, y.astype(np.int64)


def _toy_sites(n_sites: int = 2, n: int = 120, seed: int = 0) -> list:
    from medlab import federated as fl

    return fl.make_sites(_toy_arrays(n, seed), _toy_arrays(40, seed + 1), n_sites, alpha=5.0, seed=seed,
                         min_size=10)


def _cnn() -> nn.Module:
    from medlab import models

    return models.build_model("simple_cnn")


def run_fedavg(device=None) -> float:
    from medlab import federated as fl

    sites = _toy_sites()
    res = fl.fedavg(_cnn, sites, 2, fl.LocalConfig(steps=2, mu=0.1), seed=1, **_kw(device))
    return total(res.weights, fl.predict_proba(res.model(_cnn), sites[0].images))


def run_dp_trainer(device=None) -> float:
    pytest.importorskip("opacus")
    from medlab import federated as fl
    from medlab.federated import privacy

    def model_fn() -> nn.Module:
        return privacy.make_dp_compatible(_cnn())

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Opacus' notices about hooks and secure RNG
        res = fl.fedavg(model_fn, _toy_sites(1, 60), 1, fl.LocalConfig(steps=2), seed=0,
                        train_fn=privacy.dp_trainer(1.0, 1.0), **_kw(device))
        net = res.model(model_fn)
        return total(res.weights, privacy.per_example_loss(net, *_toy_arrays(8, 5)),
                     privacy.per_example_grad_norms(net, *_toy_arrays(4, 6)))


def run_fine_tune(device=None) -> float:
    from medlab import transfer

    g = torch.Generator().manual_seed(0)
    x = torch.randn(80, 8, generator=g)
    y = (x[:, 0] + 0.3 * x[:, 1] > 0).long().numpy()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(7)
        upper = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Dropout(0.1))
    r = transfer.fine_tune(upper, x[:60], y[:60], x[60:], y[60:], seed=0, head_epochs=2, epochs=2, head_lr=1e-2,
                           backbone_lr=1e-3, batch_size=16, **_kw(device))
    return total(r.model, transfer.predict_proba(r.model, x))


def run_attribute(device=None) -> float:
    """explain.attribute and cascading_randomization: seeded, on the model's device."""
    from medlab import explain

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        net = explain.SliceCNN(in_channels=2, widths=(4, 4, 4, 4)).eval()
    if device is not None:
        net.to(device)
    x = torch.rand(2, 2, 32, 32, generator=torch.Generator().manual_seed(0))
    maps = [explain.attribute(net, x, m, n_samples=8, seed=5) for m in ("smoothgrad", "lime", "kernelshap", "gradcam")]
    return total(maps, *[m for _, m in explain.cascading_randomization(net, seed=2)])


def run_flip_test(device=None) -> float:
    from medlab import augment

    images = np.random.default_rng(0).integers(0, 256, (24, 28, 28), dtype=np.uint8)
    return augment.flip_test(images[:16], images[16:], seed=1, epochs=1, batch_size=8, **_kw(device))


HELPERS: dict[str, Callable[..., float]] = {
    name: fn for name, fn in globals().items() if name.startswith("run_") and callable(fn)
}
HELPERS = {name.removeprefix("run_"): fn for name, fn in HELPERS.items()}
TRAINERS = [name for name in HELPERS if name != "attribute"]  # attribute runs where the model is


# ----------------------------------------------------------------------------- a spy on .to()


class ToSpy:
    """Records the device of every ``nn.Module.to`` and ``Tensor.to`` call."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.modules: list[torch.device] = []
        self.tensors: list[torch.device] = []
        module_to, tensor_to = nn.Module.to, torch.Tensor.to

        def spy_module(module, *args, **kwargs):
            self.modules.append(self._device(args, kwargs))
            return module_to(module, *args, **kwargs)

        def spy_tensor(tensor, *args, **kwargs):
            self.tensors.append(self._device(args, kwargs))
            return tensor_to(tensor, *args, **kwargs)

        monkeypatch.setattr(nn.Module, "to", spy_module)
        monkeypatch.setattr(torch.Tensor, "to", spy_tensor)

    @staticmethod
    def _device(args: tuple, kwargs: dict) -> torch.device | None:
        for a in (kwargs.get("device"), *args):
            if isinstance(a, (torch.device, str)):
                return torch.device(a)
        return None


@pytest.fixture
def spy(monkeypatch) -> ToSpy:
    return ToSpy(monkeypatch)


@pytest.fixture
def global_state():
    """Odd global settings for the test (restored afterwards): set_seed would change every one of them."""
    saved = (torch.get_rng_state(), np.random.get_state(), random.getstate(),
             torch.are_deterministic_algorithms_enabled(), torch.is_deterministic_algorithms_warn_only_enabled(),
             torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark)
    torch.use_deterministic_algorithms(False)
    torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = False, True
    yield
    torch.set_rng_state(saved[0])
    np.random.set_state(saved[1])
    random.setstate(saved[2])
    torch.use_deterministic_algorithms(saved[3], warn_only=saved[4])
    torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = saved[5], saved[6]


def snapshot() -> tuple:
    np_state = np.random.get_state()
    return (torch.get_rng_state().clone(), np_state[0], np_state[1].copy(), *np_state[2:], random.getstate(),
            torch.are_deterministic_algorithms_enabled(), torch.backends.cudnn.deterministic,
            torch.backends.cudnn.benchmark)


def same_state(a: tuple, b: tuple) -> bool:
    return (torch.equal(a[0], b[0]) and a[1] == b[1] and np.array_equal(a[2], b[2]) and a[3:] == b[3:])


# ----------------------------------------------------------------------------- the tests


@pytest.mark.parametrize("name", TRAINERS)
def test_helper_moves_model_and_batches_to_its_device(name, spy):
    HELPERS[name](CPU0)
    assert CPU0 in spy.modules, f"{name} did not move its model to the device it was given"
    assert CPU0 in spy.tensors, f"{name} did not move its data to the device it was given"


@pytest.mark.parametrize("name", sorted(HELPERS))
def test_helper_leaves_global_state_alone_and_reproduces_its_result(name, global_state):
    HELPERS[name]()  # a first call imports what the helper needs; some libraries draw from `random` on import
    torch.manual_seed(123)
    np.random.seed(456)
    random.seed(789)
    torch.rand(3)  # a state that no seed call gives
    before = snapshot()
    first = HELPERS[name]()
    assert same_state(before, snapshot()), f"{name} changed the global random state or deterministic flags"
    torch.manual_seed(321)
    np.random.seed(654)
    again = HELPERS[name]()
    assert again == first  # the seed alone decides the result
    assert first == pytest.approx(BEFORE[name], rel=1e-4)  # and it is the result of the code before devices


def test_cuda_that_is_not_there_fails_instead_of_running_on_the_cpu():
    if torch.cuda.is_available():
        pytest.skip("a CUDA device is available here")
    from medlab.labels import learners

    X, y = _separable()
    with pytest.raises((RuntimeError, AssertionError)):
        learners.fit_mlp(X[:50], y[:50], epochs=1, device="cuda")
    with pytest.raises((RuntimeError, AssertionError)):
        run_train_segmenter("cuda")


@pytest.mark.parametrize("module, call", [
    ("medlab.generative.gan", lambda m: m.sample(m.Generator(width=4), np.array([0, 1]))),
    ("medlab.generative.paired", lambda m: m.predict_paired(m.SRNet(4, 3), np.zeros((2, 8, 8), np.float32))),
    ("medlab.generative.metrics", lambda m: m.classifier_features(_cnn(), np.zeros((2, 28, 28), np.uint8))),
    ("medlab.labels.learners", lambda m: m.predict_proba(m.DropoutMLP(3), np.zeros((2, 3)), mc_samples=2)),
    ("medlab.survival", lambda m: m.predict_risk(m.DeepSurv(3), np.zeros((2, 3)))),
    ("medlab.federated.fedavg", lambda m: m.predict_proba(_cnn(), np.zeros((2, 28, 28), np.uint8))),
    ("medlab.federated.privacy", lambda m: m.per_example_loss(_cnn(), np.zeros((2, 28, 28), np.uint8),
                                                              np.array([0, 1]))),
    ("medlab.transfer", lambda m: m.predict_proba(nn.Linear(3, 2), torch.zeros(2, 3))),
    ("medlab.explain", lambda m: m.attribute(m.SliceCNN(), torch.zeros(1, 2, 16, 16), "saliency")),
    ("medlab.volumes.segmentation", lambda m: m.predict_volume(nn.Conv2d(1, 2, 1), np.zeros((1, 2, 4, 4)))),
])
def test_prediction_helpers_run_where_the_model_is(module, call, monkeypatch, spy):
    import importlib

    mod = importlib.import_module(module)
    monkeypatch.setattr(mod, "module_device", lambda _: CPU0)  # as if the model lived on CPU0
    out = call(mod)
    assert CPU0 in spy.tensors, f"{module} did not move its inputs to the model's device"
    assert isinstance(out, np.ndarray)


def test_seeded_draws_what_manual_seed_draws_and_restores_everything():
    from medlab.experiment import as_device, module_device, seeded

    torch.manual_seed(5)
    expected = torch.rand(4)
    np.random.seed(5)
    expected_np = np.random.rand(2)
    outer = snapshot()
    with seeded(5, everything=True) as dev:
        assert dev == torch.device("cpu")
        assert torch.equal(torch.rand(4), expected)
        assert np.array_equal(np.random.rand(2), expected_np)
    assert same_state(outer, snapshot())
    assert as_device(None) == torch.device("cpu") and as_device("cpu:0") == CPU0
    assert module_device(nn.Identity()) == torch.device("cpu")
    assert module_device(nn.Linear(2, 2)) == torch.device("cpu")
