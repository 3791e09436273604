"""Four ways to feed a volume to a CNN: one slice (2D), slices as channels (2.5D), ACS, and 3D.

Every model here takes the same input, a batch of volumes ``(N, 1, D, H, W)``,
so one data loader serves all of them and the comparison is about the model
alone:

- ``"2d"``: :class:`MiddleSlices` picks the central axial slice, a 2D
  :class:`SmallCNN` reads it;
- ``"2.5d"``: :class:`SlicesAsChannels` turns the ``D`` axial slices into ``D``
  input channels of a 2D :class:`SmallCNN`;
- ``"acs"``: the 2D :class:`SmallCNN` converted by :func:`acs_convert`: each 2D
  kernel becomes three 3D kernels, one per orthogonal plane (:class:`ACSConv`);
- ``"3d"``: the same :class:`SmallCNN` with 3D convolutions.

Introduced in the chapter "3D volumes" (chapters/09_volumes_3d.ipynb).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from ..errors import MedlabError

KINDS = ("2d", "2.5d", "acs", "3d")
"""The model kinds :func:`build_volume_model` builds."""


class VolumeShapeError(MedlabError, ValueError):
    """An input that is not the batch of volumes a model or helper of ``medlab.volumes`` expects.

    Chapter 09 (chapters/09_volumes_3d.ipynb).
    """


class VolumeModelError(MedlabError, ValueError):
    """A model setting ``medlab.volumes`` cannot build or convert (also a ``ValueError``).

    Chapter 09 (chapters/09_volumes_3d.ipynb).
    """


class UnknownModelKindError(MedlabError, KeyError):
    """A model kind that is not one of :data:`KINDS` (also a ``KeyError``).

    Chapter 09 (chapters/09_volumes_3d.ipynb).
    """


def _check_volumes(x: torch.Tensor, where: str) -> None:
    if x.ndim != 5:
        raise VolumeShapeError(f"{where}: expected a batch of volumes (N, C, D, H, W), got shape {tuple(x.shape)}; "
                               "add the batch and channel axes (x[None, None]) or use a MedMNIST 3D dataset")


class SmallCNN(nn.Module):
    """Three conv-BN-ReLU blocks (the first with stride 2), global average pooling and a linear head.

    ``dims`` is 2 or 3 (``nn.Conv2d`` or ``nn.Conv3d`` and their pooling and
    normalisation); ``widths`` are the channels of the three blocks. A
    max-pool follows the second block, so a 28-voxel input is read at 14 and
    7 voxels. Volumes are passed on channels-last (``torch.channels_last_3d``),
    which the CPU's oneDNN convolutions run about twice as fast; the result is
    the same. Chapter 09 (chapters/09_volumes_3d.ipynb).
    """

    def __init__(self, in_channels: int = 1, num_classes: int = 2, widths: Sequence[int] = (8, 16, 32),
                 dims: int = 2, dropout: float = 0.2):
        super().__init__()
        if dims not in (2, 3):
            raise VolumeModelError(f"dims must be 2 or 3, not {dims}; pass dims=2 for images (or slices) "
                                   "and dims=3 for volumes")
        conv, bn, pool = ((nn.Conv2d, nn.BatchNorm2d, nn.MaxPool2d) if dims == 2
                          else (nn.Conv3d, nn.BatchNorm3d, nn.MaxPool3d))
        a, b, c = widths
        self.features = nn.Sequential(
            conv(in_channels, a, 3, stride=2, padding=1, bias=False), bn(a), nn.ReLU(inplace=True),
            conv(a, b, 3, padding=1, bias=False), bn(b), nn.ReLU(inplace=True), pool(2),
            conv(b, c, 3, padding=1, bias=False), bn(c), nn.ReLU(inplace=True),
        )
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(dropout), nn.Linear(c, num_classes))
        if dims == 3:
            self.to(memory_format=torch.channels_last_3d)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim == 5:  # oneDNN's 3D convolutions run about twice as fast channels-last on a CPU
            x = x.contiguous(memory_format=torch.channels_last_3d)
        f = self.features(x)
        return self.head(f.mean(dim=tuple(range(2, f.ndim))))  # global average pooling, any dims


class MiddleSlices(nn.Module):
    """``(N, C, D, H, W)`` to the central ``k`` axial slices as ``(N, C * k, H, W)``: the 2D view.

    Chapter 09 (chapters/09_volumes_3d.ipynb).
    """

    def __init__(self, k: int = 1):
        super().__init__()
        self.k = k

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _check_volumes(x, "MiddleSlices")
        start = (x.shape[2] - self.k) // 2
        return x[:, :, start:start + self.k].flatten(1, 2)


class SlicesAsChannels(nn.Module):
    """``(N, C, D, H, W)`` to ``(N, C * D, H, W)``: every axial slice an input channel (2.5D).

    Chapter 09 (chapters/09_volumes_3d.ipynb).
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _check_volumes(x, "SlicesAsChannels")
        return x.flatten(1, 2)


class ACSConv(nn.Module):
    """A 2D convolution's kernels spread over the three orthogonal planes of a volume (ACS).

    Yang et al., "Reinforcing 2D pretraining for 3D medical images via ACS
    convolutions", IEEE JBHI 2021. The ``out_channels`` 2D kernels ``k x k``
    are split into three groups; the axial group is applied as ``1 x k x k``
    3D kernels (in each ``(H, W)`` slice), the coronal group as ``k x 1 x k``
    (in ``(D, W)``) and the sagittal group as ``k x k x 1`` (in ``(D, H)``), and
    the three outputs are concatenated along the channels. The weights keep
    their 2D shape, so 2D (pretrained) weights load unchanged. The axial group
    gets the whole remainder of the division by 3, (k+2, k, k) for a remainder
    of 2, where the authors' ``acsconv`` package splits (k+1, k+1, k); the two
    agree when the remainder is 0 or 1.
    Chapter 09 (chapters/09_volumes_3d.ipynb).
    """

    def __init__(self, conv2d: nn.Conv2d):
        super().__init__()
        if conv2d.groups != 1 or conv2d.kernel_size[0] != conv2d.kernel_size[1]:
            raise VolumeModelError(f"ACSConv converts square, ungrouped 2D convolutions only, got kernel "
                                   f"{tuple(conv2d.kernel_size)} with groups={conv2d.groups}; leave such layers "
                                   "2D or replace them by a square kernel with groups=1 before converting")
        self.weight = nn.Parameter(conv2d.weight.detach().clone())
        self.bias = None if conv2d.bias is None else nn.Parameter(conv2d.bias.detach().clone())
        self.stride = conv2d.stride[0]
        self.padding = conv2d.padding[0]
        out = self.weight.shape[0]
        self.split = (out - 2 * (out // 3), out // 3, out // 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _check_volumes(x, "ACSConv")
        x = x.contiguous(memory_format=torch.channels_last_3d)  # about twice as fast on a CPU
        s, p = self.stride, self.padding
        wa, wc, ws = torch.split(self.weight, self.split)
        ba, bc, bs = (None, None, None) if self.bias is None else torch.split(self.bias, self.split)
        cl = torch.channels_last_3d
        outs = [F.conv3d(x, wa.unsqueeze(2).contiguous(memory_format=cl), ba, stride=s, padding=(0, p, p)),  # 1 x k x k
                F.conv3d(x, wc.unsqueeze(3).contiguous(memory_format=cl), bc, stride=s, padding=(p, 0, p)),  # k x 1 x k
                F.conv3d(x, ws.unsqueeze(4).contiguous(memory_format=cl), bs, stride=s, padding=(p, p, 0))]  # k x k x 1
        return torch.cat([o for o, n in zip(outs, self.split) if n > 0], dim=1)


_TO_3D = {nn.BatchNorm2d: nn.BatchNorm3d, nn.MaxPool2d: nn.MaxPool3d, nn.AvgPool2d: nn.AvgPool3d,
          nn.AdaptiveAvgPool2d: nn.AdaptiveAvgPool3d, nn.Dropout2d: nn.Dropout3d}


def acs_convert(model: nn.Module) -> nn.Module:
    """A copy of a 2D model that reads volumes: every ``Conv2d`` becomes an :class:`ACSConv`.

    Batch norms and poolings become their 3D versions (batch-norm statistics
    and affine weights are copied); everything else is kept. The model's own
    weights are kept, which is the point of ACS: a 2D network, pretrained or
    not, turned into a 3D one without new parameters. Chapter 09
    (chapters/09_volumes_3d.ipynb).
    """
    model = copy.deepcopy(model)

    def convert(module: nn.Module) -> None:
        for name, child in module.named_children():
            if isinstance(child, nn.Conv2d):
                setattr(module, name, ACSConv(child))
            elif type(child) in _TO_3D:
                new = _TO_3D[type(child)].__new__(_TO_3D[type(child)])
                new.__dict__ = child.__dict__  # same parameters, buffers and settings, 3D forward
                setattr(module, name, new)
            else:
                convert(child)

    convert(model)
    return model


def build_volume_model(kind: str, depth: int = 28, widths: Sequence[int] = (8, 16, 32),
                       num_classes: int = 2) -> nn.Module:
    """One of :data:`KINDS` for volumes with ``depth`` axial slices; every kind has the same blocks.

    Chapter 09 (chapters/09_volumes_3d.ipynb).
    """
    if kind == "2d":
        return nn.Sequential(MiddleSlices(1), SmallCNN(1, num_classes, widths, dims=2))
    if kind == "2.5d":
        return nn.Sequential(SlicesAsChannels(), SmallCNN(depth, num_classes, widths, dims=2))
    if kind == "acs":
        return acs_convert(SmallCNN(1, num_classes, widths, dims=2))
    if kind == "3d":
        return SmallCNN(1, num_classes, widths, dims=3)
    raise UnknownModelKindError(f"unknown model kind '{kind}'; choose one of {', '.join(KINDS)}")


__all__ = ["KINDS", "VolumeShapeError", "VolumeModelError", "UnknownModelKindError", "SmallCNN", "MiddleSlices",
           "SlicesAsChannels", "ACSConv", "acs_convert", "build_volume_model"]
