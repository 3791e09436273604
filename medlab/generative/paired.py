"""Paired image-to-image models: super-resolution and T1-to-FLAIR translation, with or without a GAN loss.

Both tasks map an input image to a target image on the same grid, and are
trained on pairs:

- **super-resolution**: ``downsample`` makes the low-resolution input
  by area averaging (block means), ``kspace_downsample`` by truncating
  k-space (the centre of the 2-D Fourier transform, as a coarser MR
  acquisition matrix measures it, optionally with a window); bicubic
  interpolation (``upsample_bicubic``) is the baseline, and ``SRNet``
  learns the residual between bicubic and the truth (as VDSR, Kim et al. 2016);
- **translation**: a MONAI ``UNet`` (``translation_unet``) maps T1post
  to FLAIR, predicting the difference between the two; ``histogram_baseline`` is the trivial baseline, the input
  with its grey levels mapped onto the target's histogram by scikit-image's
  ``match_histograms``.

``fit_paired`` trains either with an L1 loss, or with L1 plus an
adversarial loss from MONAI's ``PatchDiscriminator`` that judges
(input, output) pairs patch by patch (pix2pix, Isola et al. 2017; SRGAN,
Ledig et al. 2017). MONAI is imported inside the functions that need it.

Introduced in the chapter "Augmentation and generative models"
(chapters/08_augmentation_generative.ipynb).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from skimage.exposure import match_histograms
from torch import nn

from ..errors import MedlabError
from ..experiment import module_device, seeded


class PairedInputError(MedlabError, ValueError):
    """Image pairs, sizes or references the paired models cannot use (also a ``ValueError``).

    Chapter 08 (chapters/08_augmentation_generative.ipynb).
    """


def downsample(images: np.ndarray, factor: int) -> np.ndarray:
    """Average ``factor`` x ``factor`` blocks of ``(n, H, W)`` images: a ``factor`` times coarser matrix.

    Chapter 08 (chapters/08_augmentation_generative.ipynb).
    """
    x = torch.from_numpy(np.ascontiguousarray(images, dtype=np.float32))[:, None]
    if x.shape[-1] % factor or x.shape[-2] % factor:
        raise PairedInputError(f"image size {tuple(x.shape[-2:])} is not a multiple of the factor {factor}; "
                               "crop or pad the images to a multiple of it, or choose a factor that divides the size")
    return F.avg_pool2d(x, factor)[:, 0].numpy()


def kspace_downsample(images: np.ndarray, factor: int, window: str | tuple | None = None) -> np.ndarray:
    """A ``factor`` times coarser matrix by k-space truncation: keep the centre of each image's 2-D FFT.

    An MR scanner measures the Fourier transform of the image (k-space); a
    coarser acquisition matrix measures only its low spatial frequencies.
    For ``(n, H, W)`` images this keeps the central ``H / factor`` x
    ``W / factor`` frequencies and transforms back on that coarse grid
    (scaled so that grey levels are kept). The result is band-limited: edges
    are blurred by a sinc-shaped kernel and ring (Gibbs artefacts), unlike
    ``downsample``'s block means. The coarse pixels are placed at the centres
    of the ``factor`` x ``factor`` blocks (a linear phase in k-space), so
    ``upsample_bicubic`` aligns them as it aligns ``downsample``'s output.
    ``window`` (a name scipy.signal.get_window knows, e.g. ``"hann"``, or
    ``("tukey", 0.5)``) tapers the kept frequencies, as scanners filter raw
    data to reduce ringing, at the cost of more blur. The real part is
    returned. Chapter 08 (chapters/08_augmentation_generative.ipynb).
    """
    x = np.asarray(images, dtype=np.float64)
    if x.ndim != 3:
        raise PairedInputError(f"kspace_downsample expects a stack (n, H, W), got shape {x.shape}; "
                               "add the first axis (images[None]) for a single image")
    h, w = x.shape[1:]
    if factor < 1 or h % factor or w % factor:
        raise PairedInputError(f"image size {(h, w)} is not a multiple of the factor {factor}; "
                               "crop or pad the images to a multiple of it, or choose a factor that divides the size")
    ch, cw = h // factor, w // factor
    k = np.fft.fftshift(np.fft.fft2(x), axes=(1, 2))
    top, left = h // 2 - ch // 2, w // 2 - cw // 2
    k = k[:, top:top + ch, left:left + cw]
    fy = np.arange(ch) - ch // 2  # frequencies of the kept rows, in cycles per image
    fx = np.arange(cw) - cw // 2
    shift = (factor - 1) / 2  # block centres lie (factor - 1) / 2 fine pixels from the block's first pixel
    k = k * np.exp(2j * np.pi * shift * (fy[:, None] / h + fx[None, :] / w))
    if window is not None:
        from scipy.signal import get_window

        # symmetric windows of odd length n + 1, cut to n: the value 1 falls on the zero frequency (index n // 2)
        wy, wx = (get_window(window, n + 1, fftbins=False)[:n] for n in (ch, cw))
        k = k * np.outer(wy, wx)
    low = np.fft.ifft2(np.fft.ifftshift(k, axes=(1, 2))).real / factor ** 2
    return low.astype(np.float32)


def upsample_bicubic(images: np.ndarray, factor: int) -> np.ndarray:
    """Bicubic interpolation of ``(n, h, w)`` images to ``factor`` times the size, clipped to 0–1.

    ``torch.nn.functional.interpolate(mode="bicubic")``, the usual baseline of
    super-resolution. Chapter 08 (chapters/08_augmentation_generative.ipynb).
    """
    x = torch.from_numpy(np.ascontiguousarray(images, dtype=np.float32))[:, None]
    return F.interpolate(x, scale_factor=factor, mode="bicubic", align_corners=False).clamp(0, 1)[:, 0].numpy()


class SRNet(nn.Module):
    """A small residual CNN for super-resolution: bicubic input plus a learned correction.

    ``depth`` 3 x 3 convolutions of ``width`` channels with ReLU between them;
    the output is the input plus the last convolution's map, so the network
    only learns what interpolation misses (VDSR's residual learning). Chapter 08
    (chapters/08_augmentation_generative.ipynb).
    """

    def __init__(self, width: int = 32, depth: int = 5, channels: int = 1):
        super().__init__()
        layers: list[nn.Module] = [nn.Conv2d(channels, width, 3, padding=1), nn.ReLU(True)]
        for _ in range(depth - 2):
            layers += [nn.Conv2d(width, width, 3, padding=1), nn.ReLU(True)]
        layers.append(nn.Conv2d(width, channels, 3, padding=1))
        self.body = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class Residual(nn.Module):
    """``x + g * net(x)``, with a learned scalar ``g`` that starts at 0: a correction to the input.

    At the start the module returns its input unchanged, and training adds as
    much of ``net``'s correction as helps (the "ReZero" initialisation,
    Bachlechner et al. 2021). With a small training budget this starts
    translation from the input image instead of from the noise of a randomly
    initialised network. Chapter 08 (chapters/08_augmentation_generative.ipynb).
    """

    def __init__(self, net: nn.Module):
        super().__init__()
        self.net = net
        self.gate = nn.Parameter(torch.zeros(1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.gate * self.net(x)


def translation_unet(channels: tuple[int, ...] = (16, 32, 64, 128), residual: bool = True) -> nn.Module:
    """MONAI's 2D ``UNet`` (one input, one output channel), strided down- and up-sampling, for translation.

    ``channels`` sets the width of each level (three halvings for four
    levels: the image side must be a multiple of 8). With ``residual`` (the
    default) the U-Net is wrapped in ``Residual``: it predicts the difference
    between the target and the input. Chapter 08
    (chapters/08_augmentation_generative.ipynb).
    """
    from monai.networks.nets import UNet

    net = UNet(spatial_dims=2, in_channels=1, out_channels=1, channels=channels,
               strides=(2,) * (len(channels) - 1), num_res_units=0)
    return Residual(net) if residual else net


def _crop(x: torch.Tensor, y: torch.Tensor, size: int | None, gen: torch.Generator) -> tuple[torch.Tensor, ...]:
    if size is None or size >= x.shape[-1]:
        return x, y
    i, j = (int(v) for v in torch.randint(0, x.shape[-1] - size + 1, (2,), generator=gen))
    return x[..., i:i + size, j:j + size], y[..., i:i + size, j:j + size]


def fit_paired(generator: nn.Module, inputs: np.ndarray, targets: np.ndarray, *, steps: int,
               batch_size: int = 16, lr: float = 1e-3, adv_weight: float = 0.0,
               discriminator: nn.Module | None = None, crop: int | None = None,
               seed: int = 0, device: torch.device | str | None = None) -> pd.DataFrame:
    """Train ``generator`` to map ``inputs`` to ``targets`` (both ``(n, H, W)`` in 0–1) for ``steps`` steps.

    Each step draws ``batch_size`` pairs at random (and, with ``crop``, one
    random ``crop`` x ``crop`` window shared by input and target) and takes
    an Adam step on the mean absolute error. With ``adv_weight`` > 0 the
    generator also minimises ``adv_weight`` times a non-saturating GAN loss
    against ``discriminator`` (default: MONAI's ``PatchDiscriminator``, two
    strided layers of 16 channels, which sees the input and the output as
    two channels and gives one logit per patch), trained in alternation with
    Adam at ``lr`` / 2 and betas (0.5, 0.999). The generator is modified in
    place and left in eval mode. Returns the history, one row per 10 % of
    the steps (mean L1, adversarial and discriminator losses).

    ``device`` (default: the CPU) is where the networks train; they are moved
    there and stay there. Pairs and crops are drawn on the CPU from a
    generator seeded by ``seed``, and a default discriminator is initialised
    under ``seed`` in a fork of torch's random state, so the caller's random
    state is left as it was. Chapter 08 (chapters/08_augmentation_generative.ipynb).
    """
    if np.shape(inputs) != np.shape(targets) or np.ndim(inputs) != 3:
        raise PairedInputError(f"fit_paired expects inputs and targets of one (n, H, W) shape, got "
                               f"{np.shape(inputs)} and {np.shape(targets)}; pass one target per input, on the "
                               "same grid (upsample low-resolution inputs first)")
    with seeded(seed, device, everything=True) as dev:
        return _fit_paired(generator, inputs, targets, steps, batch_size, lr, adv_weight, discriminator, crop, seed,
                           dev)


def _fit_paired(generator: nn.Module, inputs: np.ndarray, targets: np.ndarray, steps: int, batch_size: int,
                lr: float, adv_weight: float, discriminator: nn.Module | None, crop: int | None, seed: int,
                dev: torch.device) -> pd.DataFrame:
    gen = torch.Generator().manual_seed(seed)
    x_all = torch.from_numpy(np.ascontiguousarray(inputs, dtype=np.float32))[:, None]
    y_all = torch.from_numpy(np.ascontiguousarray(targets, dtype=np.float32))[:, None]
    generator.to(dev)
    opt_g = torch.optim.Adam(generator.parameters(), lr=lr, betas=(0.5, 0.999) if adv_weight else (0.9, 0.999))
    if adv_weight > 0:
        if discriminator is None:
            from monai.networks.nets import PatchDiscriminator

            discriminator = PatchDiscriminator(spatial_dims=2, num_layers_d=2, channels=16, in_channels=2,
                                               out_channels=1)
        discriminator.to(dev)
        opt_d = torch.optim.Adam(discriminator.parameters(), lr=lr / 2, betas=(0.5, 0.999))
        bce = nn.BCEWithLogitsLoss()
    generator.train()
    rows, acc = [], {"l1": 0.0, "adv": 0.0, "d_loss": 0.0, "n": 0}
    every = max(1, steps // 10)
    for step in range(1, steps + 1):
        idx = torch.randint(0, len(x_all), (batch_size,), generator=gen)
        x, y = _crop(x_all[idx], y_all[idx], crop, gen)
        x, y = x.to(dev, non_blocking=True), y.to(dev, non_blocking=True)
        out = generator(x)
        l1 = (out - y).abs().mean()
        loss = l1
        if adv_weight > 0:
            assert discriminator is not None
            d_real = discriminator(torch.cat([x, y], 1))[-1]
            d_fake = discriminator(torch.cat([x, out.detach()], 1))[-1]
            d_loss = bce(d_real, torch.ones_like(d_real)) + bce(d_fake, torch.zeros_like(d_fake))
            opt_d.zero_grad(set_to_none=True)
            d_loss.backward()
            opt_d.step()
            g_out = discriminator(torch.cat([x, out], 1))[-1]
            adv = bce(g_out, torch.ones_like(g_out))
            loss = l1 + adv_weight * adv
            acc["adv"] += adv.item()
            acc["d_loss"] += d_loss.item()
        opt_g.zero_grad(set_to_none=True)
        loss.backward()
        opt_g.step()
        acc["l1"] += l1.item()
        acc["n"] += 1
        if step % every == 0 or step == steps:
            n = acc.pop("n")
            rows.append({"step": step, **{k: v / n for k, v in acc.items()}})
            acc = {"l1": 0.0, "adv": 0.0, "d_loss": 0.0, "n": 0}
    generator.eval()
    history = pd.DataFrame(rows).set_index("step")
    return history if adv_weight > 0 else history[["l1"]]


@torch.no_grad()
def predict_paired(generator: nn.Module, inputs: np.ndarray, batch_size: int = 32) -> np.ndarray:
    """Apply a trained paired model to ``(n, H, W)`` images; the output is clipped to 0–1.

    The model runs on the device it is on; the result is a NumPy array.
    Chapter 08 (chapters/08_augmentation_generative.ipynb).
    """
    generator.eval()
    dev = module_device(generator)
    x = torch.from_numpy(np.ascontiguousarray(inputs, dtype=np.float32))[:, None]
    out = [generator(x[i:i + batch_size].to(dev)).clamp(0, 1).cpu() for i in range(0, len(x), batch_size)]
    return torch.cat(out)[:, 0].numpy()


def histogram_baseline(sources: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Map each source image's non-zero grey levels onto the histogram of ``reference``'s non-zero pixels.

    The trivial translation: same anatomy and contrast *order* as the input,
    grey-level *distribution* of the target modality (scikit-image's
    ``match_histograms`` against all non-zero pixels of the training targets).
    Zero pixels (outside the head) stay zero. Chapter 08
    (chapters/08_augmentation_generative.ipynb).
    """
    ref = np.asarray(reference, dtype=np.float64)
    ref = ref[ref > 0]
    if ref.size == 0:
        raise PairedInputError("histogram_baseline: the reference images have no non-zero pixel; pass the "
                               "training targets (images of the target modality), not empty or all-zero images")
    out = np.zeros_like(np.asarray(sources, dtype=np.float32))
    for i, img in enumerate(np.asarray(sources, dtype=np.float64)):
        m = img > 0
        if m.any():
            out[i][m] = match_histograms(img[m], ref)
    return out


__all__ = ["PairedInputError", "downsample", "kspace_downsample", "upsample_bicubic", "SRNet", "Residual",
           "translation_unet", "fit_paired", "predict_paired", "histogram_baseline"]
