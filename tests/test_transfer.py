"""medlab.transfer: offline pretrained backbones (proven pretrained), input adaptation, probes, fine-tuning."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn
from torchvision.transforms import v2

from medlab import published, transfer
from medlab.errors import MedlabError

CATS = {"Egyptian cat", "tabby", "tiger cat", "Persian cat", "Siamese cat"}


@pytest.fixture(scope="module")
def chelsea() -> torch.Tensor:
    from skimage import data as skdata

    return transfer.photo_tensor(skdata.chelsea(), 224)


def test_packaged_lite0_weights_are_imagenet_pretrained(chelsea):
    """A real photograph gets its ImageNet class from the packaged weights, and not from random ones."""
    top = transfer.top_classes(transfer.efficientnet_lite0(pretrained=True), chelsea, k=5)
    assert top.loc[1, "class"] == "Egyptian cat"
    assert top.loc[1, "probability"] > 0.5
    torch.manual_seed(0)
    random_top = transfer.top_classes(transfer.efficientnet_lite0(pretrained=False), chelsea, k=1)
    assert random_top.loc[1, "class"] not in CATS
    assert random_top.loc[1, "probability"] < 0.05


def test_categories_are_imagenet_and_offline():
    names = transfer.imagenet_categories()
    assert len(names) == 1000 and names[285] == "Egyptian cat" and names[0] == "tench"


def test_new_head_keeps_the_backbone_weights():
    pre = transfer.efficientnet_lite0(pretrained=True)
    two = transfer.efficientnet_lite0(pretrained=True, num_classes=2, image_size=64)
    assert two._fc.out_features == 2
    assert torch.equal(pre._conv_stem.weight, two._conv_stem.weight)
    assert torch.equal(pre._blocks[15]._project_conv.weight, two._blocks[15]._project_conv.weight)
    assert two(torch.zeros(2, 3, 64, 64)).shape == (2, 2)


def test_missing_torchvision_weights_raise_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path))
    for name in ("resnet18", "mobilenet_v2", "resnet50"):
        path, url = transfer.torchvision_checkpoint(name)
        assert path.parent == tmp_path / "checkpoints" and url.startswith("https://download.pytorch.org/")
        with pytest.raises(transfer.WeightsNotCachedError) as info:
            transfer.torchvision_backbone(name)
        message = str(info.value)
        assert path.name in message and url in message and f"torchvision.models.{name}(weights=" in message
        assert isinstance(info.value, MedlabError)
    with pytest.raises(KeyError, match="resnet18"):
        transfer.torchvision_checkpoint("vgg11")


def test_cached_torchvision_weights_are_loaded(tmp_path, monkeypatch):
    """A checkpoint in the cache is read, not replaced by fresh random weights."""
    from torchvision.models import resnet18

    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path))
    path, _ = transfer.torchvision_checkpoint("resnet18")
    path.parent.mkdir(parents=True)
    torch.manual_seed(123)
    saved = resnet18(weights=None)
    torch.save(saved.state_dict(), path)
    torch.manual_seed(0)
    loaded = transfer.torchvision_backbone("resnet18")
    assert torch.equal(loaded.conv1.weight, saved.conv1.weight)
    assert not loaded.training


def test_imagenet_input_matches_torchvision_transforms():
    g = torch.Generator().manual_seed(0)
    unit = torch.rand(4, 1, 28, 28, generator=g)
    ours = transfer.ImageNetInput(112)(unit * 2 - 1)  # the book's [-1, 1] range
    reference = v2.Compose([v2.Resize(112, antialias=False), v2.Grayscale(num_output_channels=3),
                            v2.Normalize(transfer.IMAGENET_MEAN, transfer.IMAGENET_STD)])(unit)
    assert ours.shape == (4, 3, 112, 112)
    torch.testing.assert_close(ours, reference, atol=1e-5, rtol=1e-5)
    colour = torch.rand(2, 3, 300, 400, generator=g)
    shrunk = transfer.ImageNetInput(224, book_range=False)(colour)
    expected = v2.Normalize(transfer.IMAGENET_MEAN, transfer.IMAGENET_STD)(
        v2.Resize((224, 224), antialias=True)(colour))
    torch.testing.assert_close(shrunk, expected, atol=2e-3, rtol=1e-3)
    with pytest.raises(ValueError, match="N x 1 x H x W"):
        transfer.ImageNetInput(64)(torch.zeros(2, 2, 28, 28))


def test_photo_tensor_rejects_grey_images():
    with pytest.raises(ValueError, match="H x W x 3 uint8"):
        transfer.photo_tensor(np.zeros((10, 10), np.uint8))


def test_split_backbone_reproduces_the_whole_network():
    model = transfer.efficientnet_lite0(pretrained=True, image_size=64)
    x = torch.randn(2, 3, 64, 64, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        whole = model._avg_pooling(model.extract_features(x)).flatten(1)
        for at in (0, 11, transfer.LITE0_BLOCKS):
            parts = transfer.split_efficientnet(model, at)
            torch.testing.assert_close(parts.upper.eval()(parts.lower.eval()(x)), whole)
    with pytest.raises(ValueError, match="between 0 and 16"):
        transfer.split_efficientnet(model, 17)


def test_pooled_stages_head_and_cut_match_the_network():
    model = transfer.efficientnet_lite0(pretrained=True, image_size=64)
    images = np.random.default_rng(2).integers(0, 256, (3, 28, 28), dtype=np.uint8)
    stages = transfer.PooledStages(model)
    feats = transfer.extract(stages, images, 64)
    assert feats.shape == (3, 24 + 40 + 80 + 112 + 192 + 320 + 1280)
    assert list(stages.columns) == [*transfer.LITE0_STAGES, "head"]
    whole = transfer.extract(_pooled(model), images, 64)
    torch.testing.assert_close(feats[:, stages.columns["head"]], whole)
    both = transfer.extract(transfer.PooledStages(model, cut=15), images, 64, batch_size=2)
    lower = transfer.extract(transfer.split_efficientnet(model, 15).lower, images, 64)
    torch.testing.assert_close(both[0], feats, atol=1e-4, rtol=1e-3)
    torch.testing.assert_close(both[1], lower, atol=1e-4, rtol=1e-3)  # other batch size, other rounding


def _pooled(model):
    parts = transfer.split_efficientnet(model, 16)
    return nn.Sequential(parts.lower, parts.upper)


def test_extract_adapts_and_flips():
    images = np.random.default_rng(0).integers(0, 256, (5, 28, 28), dtype=np.uint8)
    out = transfer.extract(nn.Identity(), images, 32, batch_size=2)
    assert out.shape == (5, 3, 32, 32)
    flipped = transfer.extract(nn.Identity(), images, 32, flip=True)
    torch.testing.assert_close(flipped, torch.flip(out, dims=[-1]))


def test_linear_probe_selects_c_on_validation_like_sklearn():
    from sklearn.datasets import make_classification
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.preprocessing import StandardScaler

    x, y = make_classification(300, 20, n_informative=5, random_state=0)
    probe, table = transfer.linear_probe(x[:200], y[:200], x[200:], y[200:], cs=(1e-3, 1e-1, 10.0))
    assert list(table.index) == [1e-3, 1e-1, 10.0]
    best_c = table["val_auc"].idxmax()
    scaler = StandardScaler().fit(x[:200])
    ref = LogisticRegression(C=best_c, max_iter=2000).fit(scaler.transform(x[:200]), y[:200])
    ref_auc = roc_auc_score(y[200:], ref.predict_proba(scaler.transform(x[200:]))[:, 1])
    assert table.loc[best_c, "val_auc"] == pytest.approx(ref_auc)
    np.testing.assert_allclose(probe.predict_proba(x[200:]), ref.predict_proba(scaler.transform(x[200:])))


def test_fine_tune_two_steps_learns_and_keeps_the_input_module():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(160, 8, generator=g)
    y = (x[:, 0] + 0.3 * x[:, 1] > 0).long().numpy()
    upper = nn.Sequential(nn.Linear(8, 16), nn.ReLU())
    before = [p.detach().clone() for p in upper.parameters()]
    result = transfer.fine_tune(upper, x[:120], y[:120], x[120:], y[120:], seed=0, head_epochs=3, epochs=3,
                                head_lr=1e-2, backbone_lr=1e-3)
    assert all(torch.equal(a, b) for a, b in zip(before, upper.parameters()))
    assert len(result.head_history.records) == 3 and len(result.full_history.records) == 3
    p = transfer.predict_proba(result.model, x[120:])
    assert p.shape == (40,) and transfer.auc(y[120:], p) > 0.8
    head_only = transfer.fine_tune(upper, x[:120], y[:120], x[120:], y[120:], seed=0, head_epochs=2, epochs=0)
    assert head_only.full_history is None
    assert all(torch.equal(a, b) for a, b in zip(before, head_only.model[0].parameters()))


def test_set_trainable_and_auc():
    layer = transfer.set_trainable(nn.Linear(2, 2), False)
    assert not any(p.requires_grad for p in layer.parameters())
    assert transfer.auc(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8])) == pytest.approx(0.75)


def test_medmnist_plus_rows():
    rows = published.medmnist_plus("breastmnist", 28)
    assert rows.loc["AlexNet (28)", "auc"] == 0.891 and rows.loc["ResNet-18 (28)", "auc"] == 0.876
    assert rows.loc["DINO ViT-B/16, linear probe (28)", "auc"] == 0.868
    assert published.medmnist_plus("breastmnist").loc["AlexNet (128)", "auc"] == 0.940
    assert "MedMNIST+" in published.MEDMNIST_PLUS_CITATION
    with pytest.raises(KeyError, match="MedMNIST\\+"):
        published.medmnist_plus("pneumoniamnist")


def test_transfer_errors_are_medlab_errors():
    assert issubclass(transfer.UnknownBackboneError, MedlabError)
    assert issubclass(transfer.UnknownBackboneError, KeyError)
    assert issubclass(transfer.TransferInputError, MedlabError) and issubclass(transfer.TransferInputError, ValueError)
    with pytest.raises(transfer.UnknownBackboneError, match="choose one of"):
        transfer.torchvision_checkpoint("vgg11")
    with pytest.raises(transfer.TransferInputError, match="uint8"):
        transfer.photo_tensor(np.zeros((8, 8), np.uint8))
    with pytest.raises(transfer.TransferInputError, match="at least one seed"):
        transfer.auc_summary(np.array([0, 1]), [])
