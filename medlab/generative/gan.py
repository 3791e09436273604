"""A conditional DCGAN for 28-pixel images: generator, discriminator, training loop, sampling.

The architecture follows Radford et al. (2016, "DCGAN"): batch
normalisation and ReLU in the generator (which upsamples, then convolves),
strided convolutions with leaky ReLU in the discriminator, Adam at 2e-4 with
beta1 = 0.5. It is made *conditional* (Mirza & Osindero 2014) by giving both
networks the class: the generator gets a learned class embedding beside its
noise vector, the discriminator a constant image channel holding the class.
Both are narrow (a few hundred thousand parameters, most of them in the
generator's first dense layer) so that the chapter trains in a minute or two on
one CPU thread.

Introduced in the chapter "Augmentation and generative models"
(chapters/08_augmentation_generative.ipynb).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import torch
from torch import nn

from ..data.medmnist import to_batch
from ..errors import MedlabError
from ..experiment import module_device, seeded


class GanInputError(MedlabError, ValueError):
    """Training images or labels ``train_cgan`` cannot use (also a ``ValueError``).

    Chapter 08 (chapters/08_augmentation_generative.ipynb).
    """


class Generator(nn.Module):
    """Noise ``z`` and a class label to a 1 x 28 x 28 image in [-1, 1] (tanh output).

    ``z`` (``latent`` numbers) and a ``latent``-dimensional class embedding
    are mapped by a dense layer to ``2 width`` maps of 7 x 7; two stages of
    nearest-neighbour upsampling and a 3 x 3 convolution double the size twice
    (7 -> 14 -> 28). Upsampling then convolving, rather than DCGAN's
    transposed convolutions, avoids their checkerboard artefacts (Odena et al.
    2016) and costs less. Chapter 08 (chapters/08_augmentation_generative.ipynb).
    """

    def __init__(self, latent: int = 64, num_classes: int = 2, width: int = 32):
        super().__init__()
        self.latent = latent
        self.embed = nn.Embedding(num_classes, latent)
        self.project = nn.Sequential(nn.Linear(2 * latent, 2 * width * 49, bias=False),
                                     nn.BatchNorm1d(2 * width * 49), nn.ReLU(True))
        self.net = nn.Sequential(
            nn.Upsample(scale_factor=2), nn.Conv2d(2 * width, width, 3, padding=1, bias=False),
            nn.BatchNorm2d(width), nn.ReLU(True),
            nn.Upsample(scale_factor=2), nn.Conv2d(width, 1, 3, padding=1), nn.Tanh())

    def forward(self, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        h = self.project(torch.cat([z, self.embed(y)], 1))
        return self.net(h.view(len(z), -1, 7, 7))


class Discriminator(nn.Module):
    """An image in [-1, 1] and its class label to one logit: real (high) or generated (low).

    The label enters as a second input channel, constant over the image.
    Chapter 08 (chapters/08_augmentation_generative.ipynb).
    """

    def __init__(self, num_classes: int = 2, width: int = 16):
        super().__init__()
        self.num_classes = num_classes
        self.net = nn.Sequential(
            nn.Conv2d(2, width, 4, 2, 1), nn.LeakyReLU(0.2, True),
            nn.Conv2d(width, 2 * width, 4, 2, 1, bias=False), nn.BatchNorm2d(2 * width), nn.LeakyReLU(0.2, True),
            nn.Flatten(), nn.Dropout(0.3), nn.Linear(2 * width * 49, 1))

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        label = (y.float() / max(self.num_classes - 1, 1) * 2 - 1).view(-1, 1, 1, 1).expand_as(x)
        return self.net(torch.cat([x, label], 1)).squeeze(1)


def train_cgan(images: np.ndarray, labels: np.ndarray, *, epochs: int, batch_size: int = 64,
               latent: int = 64, width: int = 32, d_width: int = 16, lr: float = 2e-4, seed: int = 0,
               balanced: bool = False,
               on_epoch: Callable[[int, Generator], dict[str, float] | None] | None = None,
               device: torch.device | str | None = None) -> tuple[Generator, pd.DataFrame]:
    """Train a conditional DCGAN on ``uint8`` images ``(n, 28, 28)`` with integer ``labels``.

    The standard non-saturating losses (binary cross-entropy on logits), with
    one-sided label smoothing (real target 0.9, Salimans et al. 2016), one
    discriminator step per generator step, Adam (lr ``lr``, betas 0.5 and
    0.999). ``width`` and ``d_width`` set the channels of the generator and
    the discriminator. Classes are seen as often as they occur in ``labels``, or, with
    ``balanced``, equally often: each epoch then draws ``n`` images with
    replacement, every class with the same probability, so the images of a
    rare class are shown many times over (a memorisation risk to check).
    After each
    epoch ``on_epoch(epoch, generator)`` may return numbers to add to the
    history (a Fréchet distance, say). Returns the generator (in eval mode) and
    the history, one row per epoch (mean losses, mean discriminator outputs
    on real and generated images, and what ``on_epoch`` returned).

    ``device`` (default: the CPU) is where both networks train; the batch
    order and the noise are drawn on the CPU from a generator seeded by
    ``seed`` and moved there, so only the arithmetic differs between devices.
    The networks are seeded by ``seed`` too, in a fork of torch's random state:
    the caller's random state is left as it was. The generator stays on
    ``device``. Chapter 08 (chapters/08_augmentation_generative.ipynb).
    """
    images, labels = np.asarray(images), np.asarray(labels).astype(np.int64)
    if images.ndim != 3 or images.shape[1:] != (28, 28) or len(images) != len(labels):
        raise GanInputError(f"train_cgan expects (n, 28, 28) images with one label each, got {images.shape}, "
                            f"{labels.shape}; pass 28-pixel MedMNIST images and one label per image")
    with seeded(seed, device, everything=True) as dev:
        return _train_cgan(images, labels, epochs, batch_size, latent, width, d_width, lr, seed, balanced, on_epoch,
                           dev)


def _train_cgan(images: np.ndarray, labels: np.ndarray, epochs: int, batch_size: int, latent: int, width: int,
                d_width: int, lr: float, seed: int, balanced: bool,
                on_epoch: Callable[[int, Generator], dict[str, float] | None] | None,
                dev: torch.device) -> tuple[Generator, pd.DataFrame]:
    num_classes = int(labels.max()) + 1
    G, D = Generator(latent, num_classes, width).to(dev), Discriminator(num_classes, d_width).to(dev)
    opt_g = torch.optim.Adam(G.parameters(), lr=lr, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=lr, betas=(0.5, 0.999))
    bce = nn.BCEWithLogitsLoss()
    x_all = to_batch(images)
    y_all = torch.from_numpy(labels)
    gen = torch.Generator().manual_seed(seed)
    weights = torch.from_numpy(1.0 / np.bincount(labels)[labels])
    rows = []
    for epoch in range(1, epochs + 1):
        G.train()
        D.train()
        sums = dict.fromkeys(("d_loss", "g_loss", "d_real", "d_fake"), 0.0)
        order = (torch.multinomial(weights, len(x_all), replacement=True, generator=gen) if balanced
                 else torch.randperm(len(x_all), generator=gen))
        n_batches = 0
        for start in range(0, len(order) - batch_size + 1, batch_size):
            idx = order[start:start + batch_size]
            x, y = x_all[idx].to(dev, non_blocking=True), y_all[idx].to(dev, non_blocking=True)
            z = torch.randn(len(x), latent, generator=gen).to(dev, non_blocking=True)
            fake = G(z, y)
            d_real, d_fake = D(x, y), D(fake.detach(), y)
            d_loss = bce(d_real, torch.full_like(d_real, 0.9)) + bce(d_fake, torch.zeros_like(d_fake))
            opt_d.zero_grad(set_to_none=True)
            d_loss.backward()
            opt_d.step()
            out = D(fake, y)
            g_loss = bce(out, torch.ones_like(out))
            opt_g.zero_grad(set_to_none=True)
            g_loss.backward()
            opt_g.step()
            n_batches += 1
            sums["d_loss"] += d_loss.item()
            sums["g_loss"] += g_loss.item()
            sums["d_real"] += torch.sigmoid(d_real).mean().item()
            sums["d_fake"] += torch.sigmoid(d_fake).mean().item()
        row: dict[str, float] = {"epoch": epoch, **{k: v / max(n_batches, 1) for k, v in sums.items()}}
        if on_epoch is not None:
            G.eval()
            row.update(on_epoch(epoch, G) or {})
        rows.append(row)
    return G.eval(), pd.DataFrame(rows).set_index("epoch")


@torch.no_grad()
def sample(generator: Generator, labels: np.ndarray, seed: int = 0, batch_size: int = 512) -> np.ndarray:
    """Generate one ``uint8`` image ``(28, 28)`` per requested label, reproducibly for a ``seed``.

    The generator runs on the device it is on; the noise is drawn on the CPU
    (the same images on every device, up to arithmetic) and the images come
    back as a NumPy array. Chapter 08 (chapters/08_augmentation_generative.ipynb).
    """
    generator.eval()
    dev = module_device(generator)
    gen = torch.Generator().manual_seed(seed)
    y = torch.as_tensor(np.asarray(labels), dtype=torch.long)
    out = []
    for start in range(0, len(y), batch_size):
        part = y[start:start + batch_size]
        z = torch.randn(len(part), generator.latent, generator=gen)
        out.append(generator(z.to(dev), part.to(dev))[:, 0].cpu())
    x = torch.cat(out) if out else torch.empty(0, 28, 28)
    return ((x + 1) * 127.5).round().clamp(0, 255).to(torch.uint8).numpy()


__all__ = ["GanInputError", "Generator", "Discriminator", "train_cgan", "sample"]
