"""The fit loop learns, keeps the best weights, stops early and checkpoints atomically."""

import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.data import TensorDataset

from medlab.models import (
    SimpleCNN,
    SmallResNet,
    UnknownModelError,
    build_model,
    count_parameters,
    resnet18_medmnist,
)
from medlab.train import (
    TrainingError,
    UnknownMonitorError,
    evaluate,
    fit,
    load_checkpoint,
    make_loader,
    predict,
)


def _toy(n=256, seed=0):
    """28-px images whose class is a bright square in the left or the right half."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 1, 28, 28, generator=g) * 0.3
    y = torch.randint(0, 2, (n,), generator=g)
    for i in range(n):
        col = 4 if y[i] == 0 else 18
        x[i, 0, 10:16, col:col + 6] += 2.0
    return TensorDataset(x, y)


def test_fit_learns_and_restores_best(tmp_path, capsys):
    torch.manual_seed(0)
    model = SimpleCNN()
    tr, va = make_loader(_toy(), 32, True, seed=0), make_loader(_toy(128, 1), 64, False)
    h = fit(model, tr, va, epochs=4, lr=3e-3, checkpoint=tmp_path / "best.pt", progress=False)
    assert h["train_loss"][-1] < h["train_loss"][0]
    assert h.best["val_auc"] > 0.95
    # the restored weights are the best epoch's
    assert evaluate(model, va)["auc"] == pytest.approx(h.best["val_auc"])
    meta = load_checkpoint(SimpleCNN(), tmp_path / "best.pt")
    assert meta["epoch"] == h.best_epoch
    assert not list(tmp_path.glob(".*tmp"))
    assert "epoch 1" in capsys.readouterr().out


def test_early_stopping_with_patience():
    torch.manual_seed(0)
    model = SimpleCNN()
    tr, va = make_loader(_toy(64), 32, True), make_loader(_toy(64, 1), 64, False)
    frozen = torch.optim.SGD(model.parameters(), lr=0.0)  # nothing can improve after epoch 1
    h = fit(model, tr, va, epochs=10, optimizer=frozen, monitor="val_loss", patience=2,
            progress=False, verbose=False)
    assert h.stopped_early and len(h.records) == 3 and h.best_epoch == 1


def test_unknown_monitor_is_reported():
    model = SimpleCNN()
    loader = make_loader(_toy(32), 32, True)
    with pytest.raises(UnknownMonitorError, match="val_f2"):
        fit(model, loader, loader, epochs=1, monitor="val_f2", progress=False, verbose=False)
    assert issubclass(UnknownMonitorError, KeyError)


def test_seeded_training_is_repeatable():
    def once():
        torch.manual_seed(0)
        model = SimpleCNN()
        fit(model, make_loader(_toy(64), 16, True, seed=5), epochs=1, progress=False, verbose=False)
        return predict(model, make_loader(_toy(32, 2), 32, False))[1]

    assert np.allclose(once(), once())


def test_models_shapes_and_sizes():
    x = torch.zeros(3, 1, 28, 28)
    for name in ("simple_cnn", "small_resnet", "resnet18"):
        model = build_model(name).eval()
        assert model(x).shape == (3, 2)
    assert count_parameters(SmallResNet()) < 300_000 < count_parameters(resnet18_medmnist())
    assert resnet18_medmnist().conv1.stride == (1, 1)
    with pytest.raises(UnknownModelError, match="simple_cnn"):
        build_model("vgg")
    assert issubclass(UnknownModelError, KeyError)


def test_weighted_loss_is_used_in_validation():
    model = SimpleCNN()
    loader = make_loader(_toy(64), 64, False)
    plain = evaluate(model, loader, loss_fn=nn.CrossEntropyLoss())["loss"]
    weighted = evaluate(model, loader, loss_fn=nn.CrossEntropyLoss(weight=torch.tensor([5.0, 0.5])))["loss"]
    assert plain != pytest.approx(weighted)


def test_resident_loader_gives_dataloaders_batches():
    from medlab.train import ResidentLoader

    ds = _toy(100)
    dl = make_loader(ds, 32, True, seed=3)
    rl = make_loader(ds, 32, True, seed=3, resident=True)
    assert isinstance(rl, ResidentLoader) and len(rl) == len(dl) == 4
    for _ in range(2):  # two epochs: the generators advance alike
        for (xa, ya), (xb, yb) in zip(dl, rl, strict=True):
            assert torch.equal(ya, yb) and torch.equal(xa, xb)
    ev = [y for _, y in make_loader(ds, 32, False, resident=True)]
    assert torch.equal(torch.cat(ev), ds.tensors[1])


def test_resident_loader_refuses_random_transforms():
    class WithTransform(torch.utils.data.Dataset):
        transform = staticmethod(lambda x: x)

        def __len__(self):
            return 2

        def __getitem__(self, i):
            return torch.zeros(1, 28, 28), 0

    with pytest.raises(TrainingError, match="transform"):
        make_loader(WithTransform(), 2, True, resident=True)
    assert issubclass(TrainingError, ValueError)


def test_fit_on_resident_data_matches_dataloader():
    """Same batches, same start: the two loaders train to the same weights on the CPU."""
    ds = _toy(96)
    results = []
    for resident in (False, True):
        torch.manual_seed(0)
        model = SmallResNet()
        fit(model, make_loader(ds, 32, True, seed=1, resident=resident), None, epochs=2,
            progress=False, verbose=False)
        results.append(model.state_dict())
    for k in results[0]:
        assert torch.allclose(results[0][k].float(), results[1][k].float(), atol=1e-5), k


def test_has_transform_sees_through_wrappers():
    from torch.utils.data import ConcatDataset, Subset

    from medlab.train import has_transform

    plain = _toy(8)
    augmented = _toy(8)
    augmented.transform = lambda x: x
    assert not has_transform(ConcatDataset([Subset(plain, [0, 1])] * 2))
    assert has_transform(ConcatDataset([Subset(augmented, [0, 1])] * 2))
    with pytest.raises(ValueError, match="transform"):
        make_loader(Subset(augmented, [0, 1]), 2, True, resident=True)


def test_fit_refuses_a_nan_monitor():
    ds = _toy(64)
    one_class = TensorDataset(ds.tensors[0][:16], torch.zeros(16, dtype=torch.long))
    with pytest.raises(TrainingError, match="NaN"):
        fit(SimpleCNN(), make_loader(ds, 32, True), make_loader(one_class, 16, False), epochs=1,
            monitor="val_auc", progress=False, verbose=False)
