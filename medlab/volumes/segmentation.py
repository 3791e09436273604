"""Brain-tumour segmentation in 3D and slice by slice: a coarse grid, patches, sliding windows, Dice and HD95.

- :func:`resample_study`: a ``brain_mr.Study`` on a coarser, square in-plane
  grid (the same field of view as ``brain_mr.slices``), keeping every slice;
- :func:`random_patches`: training patches of a few slices, most of them
  through the tumour;
- :func:`train_segmenter`: a short Adam loop with MONAI's Dice + cross-entropy
  loss, for 2D (slices) and 3D (patches) networks alike;
- :func:`predict_volume`: MONAI's ``sliding_window_inference`` for a 3D
  network, slice by slice for a 2D one;
- :func:`segmentation_scores`: MONAI's ``DiceMetric`` and
  ``HausdorffDistanceMetric(percentile=95)`` in millimetres (the voxel spacing
  is passed on).

MONAI is imported inside the functions that use it (it is in the ``dicom``
extra). Introduced in the chapter "3D volumes" (chapters/09_volumes_3d.ipynb).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from ..data.brain_mr import Study, resize_study
from ..experiment import as_device, module_device
from .models import VolumeShapeError


@dataclass(frozen=True)
class GridVolume:
    """One study on the coarse grid: ``image`` ``(C, z, n, n)`` float32 in 0–1, ``mask`` ``(z, n, n)`` uint8.

    ``spacing`` is ``(z, y, x)`` in mm. Chapter 09 (chapters/09_volumes_3d.ipynb).
    """

    patient: str
    study: str
    image: np.ndarray
    mask: np.ndarray
    spacing: tuple[float, float, float]


def resample_study(study: Study, size: int = 64, channels: Sequence[str] = ("t1post", "flair")) -> GridVolume:
    """``study`` padded to its square field of view and resized in-plane to ``size`` pixels, every slice kept.

    ``brain_mr.resize_study`` (the resizing ``brain_mr.slices`` uses for 2D),
    with the channels first; the slice spacing is unchanged.
    Chapter 09 (chapters/09_volumes_3d.ipynb).
    """
    img, msk, pixel = resize_study(study, size, channels)
    return GridVolume(study.patient, study.study, np.ascontiguousarray(img.transpose(1, 0, 2, 3), dtype=np.float32),
                      msk, (float(study.spacing[0]), pixel, pixel))


def random_patches(volumes: Sequence[GridVolume], n: int, depth: int, rng: np.random.Generator,
                   size: int | None = None, tumour_fraction: float = 0.67) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` patches of ``depth`` slices of ``size`` x ``size`` pixels: images ``(n, C, depth, size, size)``.

    A share ``tumour_fraction`` of the patches contains a random tumour voxel
    (placed at a random position in the patch; tumour is rare, so uniform
    sampling would mostly show background); the others are placed uniformly.
    ``size=None`` keeps the whole slice; ``depth=1`` gives 2D slices
    ``(n, C, size, size)``. Masks are ``(n, 1, ...)`` int64. Chapter 09
    (chapters/09_volumes_3d.ipynb).
    """
    xs, ys = [], []
    for _ in range(n):
        v = volumes[rng.integers(len(volumes))]
        shape = v.mask.shape
        patch = (depth, size or shape[1], size or shape[2])
        if any(p > s for p, s in zip(patch, shape)):
            raise VolumeShapeError(f"{v.patient}/{v.study}: grid {shape} is smaller than the patch {patch} "
                                   "(fewer slices than the patch depth?)")
        tumour = np.argwhere(v.mask > 0)
        if len(tumour) and rng.random() < tumour_fraction:
            centre = tumour[rng.integers(len(tumour))]
            start = [int(np.clip(c - rng.integers(p), 0, s - p)) for c, p, s in zip(centre, patch, shape)]
        else:
            start = [int(rng.integers(s - p + 1)) for p, s in zip(patch, shape)]
        box = tuple(slice(a, a + p) for a, p in zip(start, patch))
        xs.append(v.image[(slice(None), *box)])
        ys.append(v.mask[box][None])
    x, y = torch.from_numpy(np.stack(xs)), torch.from_numpy(np.stack(ys).astype(np.int64))
    if depth == 1:
        x, y = x[:, :, 0], y[:, :, 0]
    return x, y


def train_segmenter(net: nn.Module, volumes: Sequence[GridVolume], *, steps: int, batch: int, depth: int,
                    size: int | None = None, lr: float = 3e-3, seed: int = 0,
                    tumour_fraction: float = 0.67, device: torch.device | str | None = None,
                    batch_dice: bool = True) -> list[float]:
    """Train ``net`` for ``steps`` Adam steps on :func:`random_patches`; return the loss per step.

    The loss is MONAI's ``DiceCELoss`` (soft Dice plus cross-entropy on the
    softmax of two classes). With ``batch_dice=True`` (the default) its Dice
    term pools the voxels of the whole batch before dividing
    (``DiceCELoss(batch=True)``); with ``False`` it is computed per sample and
    averaged, so every tumour-free slice or block in a batch adds a Dice loss
    of about 1 whatever the network predicts. ``depth=1`` trains a 2D network
    on slices.
    Patches are drawn on the CPU (NumPy, seeded by ``seed``) and moved to
    ``device`` (default: the CPU), where ``net`` is moved, trained and left.
    Chapter 09 (chapters/09_volumes_3d.ipynb).
    """
    from monai.losses import DiceCELoss

    dev = as_device(device)
    rng = np.random.default_rng(seed)
    loss_fn = DiceCELoss(to_onehot_y=True, softmax=True, include_background=False, batch=batch_dice)
    net.to(dev)
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    net.train()
    losses = []
    for _ in range(steps):
        x, y = random_patches(volumes, batch, depth, rng, size, tumour_fraction)
        x, y = x.to(dev, non_blocking=True), y.to(dev, non_blocking=True)
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(net(x), y)
        loss.backward()
        opt.step()
        sched.step()
        losses.append(float(loss.detach()))
    return losses


@torch.no_grad()
def predict_volume(net: nn.Module, image: np.ndarray | torch.Tensor, roi: Sequence[int] | None = None,
                   overlap: float = 0.5, largest_component: bool = False) -> np.ndarray:
    """Label map ``(z, y, x)`` of one ``(C, z, y, x)`` volume.

    With ``roi`` (a 3D window, e.g. ``(16, 64, 64)``) the network is a 3D one
    and MONAI's ``sliding_window_inference`` runs it on overlapping windows,
    blending them with Gaussian weights; without, the network is 2D and reads
    one axial slice at a time. ``largest_component`` keeps only the largest
    3D connected component of the tumour label (MONAI's
    ``KeepLargestConnectedComponent``, 26-connected), a common clean-up for a
    single lesion. The network runs on the device it is on; the labels come
    back as a NumPy array. Chapter 09 (chapters/09_volumes_3d.ipynb).
    """
    x = torch.as_tensor(image, dtype=torch.float32)
    if x.ndim != 4:
        raise VolumeShapeError(f"predict_volume expects one (C, z, y, x) volume, got shape {tuple(x.shape)}")
    x = x.to(module_device(net))
    net.eval()
    if roi is None:
        labels = net(x.permute(1, 0, 2, 3)).argmax(1)  # slices as a batch: (z, classes, y, x) -> (z, y, x)
    else:
        from monai.inferers import sliding_window_inference

        logits = sliding_window_inference(x[None], roi_size=tuple(roi), sw_batch_size=4, predictor=net,
                                          overlap=overlap, mode="gaussian")
        labels = logits[0].argmax(0)
    labels = labels.cpu()
    if largest_component and labels.any():
        from monai.transforms import KeepLargestConnectedComponent

        labels = KeepLargestConnectedComponent(applied_labels=[1], connectivity=3)(labels[None])[0]
    return torch.as_tensor(labels).numpy().astype(np.uint8)


def segmentation_scores(pred: np.ndarray, truth: np.ndarray, spacing: Sequence[float]) -> dict[str, float]:
    """Dice, HD95 (mm) and both volumes (ml) of a binary prediction ``(z, y, x)`` against the truth.

    Dice and the 95th-percentile symmetric Hausdorff distance come from
    MONAI's ``DiceMetric`` and ``HausdorffDistanceMetric(percentile=95)``,
    with ``spacing`` (mm, ``(z, y, x)``) passed so that distances are in mm.
    HD95 is ``nan`` when the prediction or the truth is empty.
    Chapter 09 (chapters/09_volumes_3d.ipynb).
    """
    from monai.metrics import DiceMetric, HausdorffDistanceMetric

    if pred.shape != truth.shape or pred.ndim != 3:
        raise VolumeShapeError(f"prediction {pred.shape} and truth {truth.shape} must be the same (z, y, x) grid")
    onehot = [torch.from_numpy(np.stack([a == 0, a > 0]).astype(np.float32))[None] for a in (pred, truth)]
    dice = DiceMetric(include_background=False, reduction="none")(*onehot)
    voxel_ml = float(np.prod(spacing)) / 1000
    out = {"dice": float(dice.ravel()[0]), "hd95_mm": float("nan"),
           "volume_ml": float(truth.sum()) * voxel_ml, "predicted_ml": float((pred > 0).sum()) * voxel_ml}
    if pred.any() and truth.any():
        hd = HausdorffDistanceMetric(include_background=False, percentile=95, reduction="none")
        out["hd95_mm"] = float(hd(*onehot, spacing=[float(s) for s in spacing]).ravel()[0])
    return out


__all__ = ["GridVolume", "resample_study", "random_patches", "train_segmenter", "predict_volume",
           "segmentation_scores"]
