"""Data augmentation, measured: named recipes of torchvision v2 transforms and a flip test.

An augmentation is a claim about the data: "a real image could have looked
like this, with the same label". ``recipe`` builds the transforms the
chapter compares (flips, rotations, elastic deformation, brightness and
contrast, noise, and all of them together) as ``torchvision.transforms.v2``
pipelines that run on the book's [-1, 1] tensors through
``medlab.data.InUnitRange`` (chapter 03), so every transform sees the [0, 1]
range it assumes. ``flip_test`` measures whether a left-right flip
produces images that are still plausible: a classifier is trained to tell
original images from flipped ones, and its AUC on held-out images says how
visible the flip is (0.5: invisible; near 1: the flip makes images that never
occur, such as a chest radiograph with the heart on the right).

Introduced in the chapter "Augmentation and generative models"
(chapters/08_augmentation_generative.ipynb).
"""

from __future__ import annotations

import numpy as np
import torch
from torch.utils.data import TensorDataset
from torchvision.transforms import v2

from . import models, train
from .data.medmnist import InUnitRange, to_batch
from .errors import MedlabError
from .experiment import seeded
from .metrics import classification_metrics

RECIPES = ("none", "flip", "rotation", "elastic", "intensity", "noise", "all")
"""The augmentation recipes ``recipe`` knows, in the order the chapter compares them."""


class AugmentError(MedlabError, ValueError):
    """An unknown augmentation recipe, or too few images for the flip test (also a ``ValueError``).

    Chapter 08 (chapters/08_augmentation_generative.ipynb).
    """


def _parts(name: str) -> list[torch.nn.Module]:
    if name == "flip":
        return [v2.RandomHorizontalFlip(p=0.5)]
    if name == "rotation":
        return [v2.RandomRotation(degrees=15)]
    if name == "elastic":
        return [v2.RandomApply([v2.ElasticTransform(alpha=20.0, sigma=3.0)], p=0.8)]
    if name == "intensity":
        return [v2.ColorJitter(brightness=0.25, contrast=0.25)]
    if name == "noise":
        return [v2.GaussianNoise(mean=0.0, sigma=0.05, clip=True)]
    raise AugmentError(f"unknown augmentation recipe {name!r}; choose one of {RECIPES}")


def recipe(name: str) -> InUnitRange | None:
    """The named augmentation as one transform on [-1, 1] tensors (``None`` for ``"none"``).

    ``flip``: left-right flip with probability 0.5; ``rotation``: a uniform
    angle in [-15, 15] degrees; ``elastic``: torchvision's elastic
    deformation (displacement field of strength 20 pixels smoothed with a
    3-pixel Gaussian) on 80 % of the images; ``intensity``: brightness and
    contrast factors in [0.75, 1.25]; ``noise``: Gaussian noise of sd 0.05 of
    the range; ``all``: every one of these in that order (noise last). Pass the
    result as ``transform`` of ``medlab.data.load_splits``: it is applied to
    the training split only. Chapter 08 (chapters/08_augmentation_generative.ipynb).
    """
    if name == "none":
        return None
    if name == "all":
        parts = [p for n in ("flip", "rotation", "elastic", "intensity", "noise") for p in _parts(n)]
    else:
        parts = _parts(name)
    return InUnitRange(v2.Compose(parts))


def flip_test(train_images: np.ndarray, test_images: np.ndarray, seed: int = 0, epochs: int = 10,
              batch_size: int = 64, device: torch.device | str | None = None) -> float:
    """AUC of a small CNN trained to tell original images from their left-right mirror images.

    ``train_images`` and ``test_images`` are ``uint8`` stacks (N x H x W);
    each image appears twice, as it is (label 0) and flipped (label 1). The
    ``SimpleCNN`` of chapter 03 trains on the training pairs for ``epochs``
    epochs and is scored on the test pairs, images it never saw. An AUC near
    0.5 means flipped images look like real ones; near 1, the flip is plain to
    see and a flipped image is not a plausible member of the data. The
    network trains with :func:`medlab.train.fit` on ``device`` (default: the
    CPU), seeded by ``seed`` in a fork of the random state (the caller's is
    left as it was). Chapter 08 (chapters/08_augmentation_generative.ipynb).
    """

    def pairs(images: np.ndarray) -> TensorDataset:
        x = to_batch(images)
        x = torch.cat([x, torch.flip(x, dims=[-1])])
        y = torch.cat([torch.zeros(len(images), dtype=torch.long), torch.ones(len(images), dtype=torch.long)])
        return TensorDataset(x, y)

    if len(train_images) < 2 or len(test_images) < 1:
        raise AugmentError(f"flip_test needs at least two training images and one test image, got "
                           f"{len(train_images)} and {len(test_images)}; pass larger stacks (N x H x W)")
    with seeded(seed, device, everything=True) as dev:
        net = models.build_model("simple_cnn")
        loader = train.make_loader(pairs(train_images), batch_size, train=True, seed=seed, device=dev)
        train.fit(net, loader, None, epochs=epochs, monitor="train_loss", device=dev, verbose=False)
        y, probs = train.predict(net, train.make_loader(pairs(test_images), 256, train=False, device=dev), dev)
    return float(classification_metrics(y, probs)["auc"])


__all__ = ["RECIPES", "AugmentError", "recipe", "flip_test"]
