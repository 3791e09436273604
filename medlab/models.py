"""Models the chapters train: the seed's SimpleCNN and small ResNets for 28-pixel images.

Introduced in the chapter "Your first classifier" (chapters/03_first_classifier.ipynb).
"""

from __future__ import annotations

import torch
from torch import nn
from torchvision.models import resnet18
from torchvision.models.resnet import BasicBlock

from .errors import MedlabError


class UnknownModelError(MedlabError, KeyError):
    """:func:`build_model` asked for a name that is not in ``MODELS`` (also a ``KeyError``)."""


class SimpleCNN(nn.Module):
    """Three conv-ReLU-pool blocks and a two-layer head: the classic first CNN.

    For 28 x 28 inputs the feature map shrinks 28 -> 14 -> 7 -> 3.
    """

    def __init__(self, in_channels: int = 1, num_classes: int = 2, width: int = 16, dropout: float = 0.3):
        super().__init__()
        w = width
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, w, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(2),
            nn.Conv2d(w, 2 * w, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(2),
            nn.Conv2d(2 * w, 4 * w, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(2),
        )
        self.head = nn.Sequential(
            nn.Flatten(), nn.LazyLinear(128), nn.ReLU(inplace=True), nn.Dropout(dropout),
            nn.Linear(128, num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


class SmallResNet(nn.Module):
    """A narrow ResNet, built from torchvision's ``BasicBlock`` modules, for small images.

    ``widths`` gives the channels of each stage (the first keeps the
    resolution, the others halve it); ``blocks`` the residual blocks per stage.
    The default has 77,234 parameters, against about 11 M for ResNet-18.
    """

    def __init__(self, in_channels: int = 1, num_classes: int = 2,
                 widths: tuple[int, ...] = (16, 32, 64), blocks: int = 1):
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, widths[0], 3, padding=1, bias=False),
            nn.BatchNorm2d(widths[0]), nn.ReLU(inplace=True),
        )
        layers: list[nn.Module] = []
        c_in = widths[0]
        for i, c_out in enumerate(widths):
            stride = 1 if i == 0 else 2
            for b in range(blocks):
                down = None
                if b == 0 and (stride != 1 or c_in != c_out):
                    down = nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride, bias=False), nn.BatchNorm2d(c_out))
                layers.append(BasicBlock(c_in, c_out, stride if b == 0 else 1, downsample=down))
                c_in = c_out
        self.layers = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(c_in, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(torch.flatten(self.pool(self.layers(self.stem(x))), 1))


def resnet18_medmnist(in_channels: int = 1, num_classes: int = 2) -> nn.Module:
    """ResNet-18 as MedMNIST v2 trains it on 28-pixel images.

    torchvision's ResNet-18 with a 3 x 3, stride-1 first convolution and no
    max-pool, so 28-pixel inputs are not shrunk to 7 pixels before the first
    residual stage (MedMNIST's "ResNet-18 (28)").
    """
    model = resnet18(weights=None, num_classes=num_classes)
    model.conv1 = nn.Conv2d(in_channels, 64, 3, stride=1, padding=1, bias=False)
    model.maxpool = nn.Identity()
    return model


def count_parameters(model: nn.Module) -> int:
    """Number of trainable parameters (materialises lazy layers with a 28-px dummy if needed)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad and not isinstance(
        p, nn.parameter.UninitializedParameter))


MODELS = {"simple_cnn": SimpleCNN, "small_resnet": SmallResNet, "resnet18": resnet18_medmnist}


def build_model(name: str, in_channels: int = 1, num_classes: int = 2) -> nn.Module:
    """Build a model by name (``simple_cnn``, ``small_resnet``, ``resnet18``).

    Lazy layers are materialised with a 28-pixel dummy batch, so the
    parameter count is right away correct.
    """
    try:
        model = MODELS[name](in_channels=in_channels, num_classes=num_classes)
    except KeyError:
        raise UnknownModelError(f"unknown model '{name}'; choose one of {', '.join(MODELS)} "
                                "(or add it to medlab.models.MODELS)") from None
    with torch.no_grad():
        model.eval()(torch.zeros(2, in_channels, 28, 28))
    return model.train()
