"""Image-quality and distribution metrics for generated images: PSNR, SSIM, MAE, Fréchet distance.

- ``psnr`` is written out (it is one line of algebra); ``ssim``
  wraps scikit-image's ``structural_similarity`` with the settings of Wang et
  al. (2004): an 11-pixel Gaussian window of sd 1.5 and population
  statistics. ``tests/test_generative.py`` checks both against MONAI's
  ``PSNRMetric`` and ``SSIMMetric``.
- ``image_quality`` scores a batch image by image, optionally inside a
  mask (the brain), so that the black background does not flatter a model.
- ``frechet_distance`` is the distance between two Gaussians fitted to
  feature vectors: the "FID" when the features come from ImageNet's
  Inception network, here from a classifier trained on the domain's own
  images (``classifier_features``).

Introduced in the chapter "Augmentation and generative models"
(chapters/08_augmentation_generative.ipynb).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
from skimage.metrics import structural_similarity
from torch import nn

from ..data.medmnist import to_batch
from ..errors import MedlabError
from ..experiment import module_device


class ImageMetricError(MedlabError, ValueError):
    """Images, masks or feature arrays whose shapes do not fit an image metric (also a ``ValueError``).

    Chapter 08 (chapters/08_augmentation_generative.ipynb).
    """


class FeatureNetworkError(MedlabError, TypeError):
    """``classifier_features`` given a network that is not a chapter-03 ``SimpleCNN`` (also a ``TypeError``).

    Chapter 08 (chapters/08_augmentation_generative.ipynb).
    """


def psnr(pred: np.ndarray, target: np.ndarray, data_range: float = 1.0) -> float:
    """Peak signal-to-noise ratio in dB: ``10 log10(data_range^2 / MSE)`` (infinite for identical images).

    Chapter 08 (chapters/08_augmentation_generative.ipynb).
    """
    pred, target = np.asarray(pred, dtype=np.float64), np.asarray(target, dtype=np.float64)
    if pred.shape != target.shape:
        raise ImageMetricError(f"psnr: shapes differ, {pred.shape} vs {target.shape}; "
                               "pass a prediction and a target of the same shape")
    mse = float(np.mean((pred - target) ** 2))
    return float("inf") if mse == 0 else float(10 * np.log10(data_range ** 2 / mse))


def ssim(pred: np.ndarray, target: np.ndarray, data_range: float = 1.0) -> float:
    """Structural similarity of two 2D images (Wang et al. 2004), by scikit-image.

    Gaussian window of sd 1.5 (11 pixels), population covariances, constants
    K1 = 0.01, K2 = 0.03: the published definition, which MONAI's
    ``SSIMMetric`` also follows. 1 means identical. Chapter 08
    (chapters/08_augmentation_generative.ipynb).
    """
    pred, target = np.asarray(pred, dtype=np.float64), np.asarray(target, dtype=np.float64)
    if pred.shape != target.shape or pred.ndim != 2:
        raise ImageMetricError(f"ssim expects two 2D images of one shape, got {pred.shape} and {target.shape}; "
                               "pass single (H, W) images (use image_quality for a stack)")
    return float(structural_similarity(pred, target, data_range=data_range, gaussian_weights=True,
                                       sigma=1.5, use_sample_covariance=False))


def image_quality(pred: np.ndarray, target: np.ndarray, mask: np.ndarray | None = None,
                  data_range: float = 1.0) -> pd.DataFrame:
    """Per-image MAE, PSNR and SSIM of two stacks ``(n, H, W)``, one row per image.

    With ``mask`` (``(n, H, W)``, true inside the region of interest), MAE and
    PSNR are computed over the masked pixels only and SSIM is averaged over
    them (scikit-image's full SSIM map; without a mask, SSIM is ``ssim``), so that a background of zeros that
    every method gets right does not dominate. Chapter 08
    (chapters/08_augmentation_generative.ipynb).
    """
    pred, target = np.asarray(pred, dtype=np.float64), np.asarray(target, dtype=np.float64)
    if pred.shape != target.shape or pred.ndim != 3:
        raise ImageMetricError(f"image_quality expects two (n, H, W) stacks of one shape, got {pred.shape}, "
                               f"{target.shape}; stack the images (np.stack) and pass as many predictions as targets")
    rows = []
    for i in range(len(pred)):
        m = np.ones(pred.shape[1:], bool) if mask is None else np.asarray(mask[i], bool)
        if not m.any():
            raise ImageMetricError(f"image {i}: the mask is empty; give every image a mask with at least one "
                                   "true pixel (or pass mask=None)")
        err = pred[i][m] - target[i][m]
        mse = float(np.mean(err ** 2))
        whole, smap = structural_similarity(pred[i], target[i], data_range=data_range, gaussian_weights=True,
                                            sigma=1.5, use_sample_covariance=False, full=True)
        rows.append({"mae": float(np.mean(np.abs(err))),
                     "psnr": float("inf") if mse == 0 else float(10 * np.log10(data_range ** 2 / mse)),
                     "ssim": float(whole) if mask is None else float(smap[m].mean())})
    return pd.DataFrame(rows)


def frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to two feature sets ``(n, d)``.

    ``|mu_a - mu_b|^2 + tr(S_a + S_b - 2 (S_a S_b)^(1/2))`` (Dowson & Landau
    1982; as FID, Heusel et al. 2017). The trace of the matrix square root is
    computed from the eigenvalues of the symmetric ``S_a^(1/2) S_b S_a^(1/2)``,
    which has the same trace of its root and stays stable when a covariance is
    singular (``tests/test_generative.py`` checks it against
    ``scipy.linalg.sqrtm``). 0 for identical distributions; it grows with differences in mean and
    spread. Chapter 08 (chapters/08_augmentation_generative.ipynb).
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1] or min(len(a), len(b)) < 2:
        raise ImageMetricError(f"frechet_distance expects two (n, d) arrays with n >= 2, got {a.shape} and {b.shape}; "
                               "pass at least two feature vectors per set, with the same d")
    mu_a, mu_b = a.mean(0), b.mean(0)
    s_a, s_b = np.atleast_2d(np.cov(a, rowvar=False)), np.atleast_2d(np.cov(b, rowvar=False))
    # tr((S_a S_b)^(1/2)) = tr((R S_b R)^(1/2)) with R = S_a^(1/2): the second matrix is symmetric
    # positive semi-definite, so its root comes from its eigenvalues, also when S_a or S_b is singular
    # (features that are always zero, as ReLU features can be), where sqrtm of the product is unstable.
    w, v = np.linalg.eigh(s_a)
    root_a = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
    m = root_a @ s_b @ root_a
    trace_root = float(np.sqrt(np.clip(np.linalg.eigvalsh((m + m.T) / 2), 0, None)).sum())
    return float(np.sum((mu_a - mu_b) ** 2) + np.trace(s_a) + np.trace(s_b) - 2 * trace_root)


@torch.no_grad()
def classifier_features(net: nn.Module, images: np.ndarray, batch_size: int = 512) -> np.ndarray:
    """Penultimate-layer features of a chapter-03 ``SimpleCNN`` for ``uint8`` images ``(n, H, W)``.

    The image goes through the convolutions and the first dense layer with
    its ReLU (128 numbers per image): the representation the classifier has
    learned for the task, the yardstick ``frechet_distance`` is measured
    in. The network runs on the device it is on; the features come back as
    a NumPy array. Chapter 08 (chapters/08_augmentation_generative.ipynb).
    """
    if not hasattr(net, "features") or not hasattr(net, "head"):
        raise FeatureNetworkError(f"classifier_features expects a medlab.models.SimpleCNN (with .features and .head), "
                                  f"got {type(net).__name__}; pass the classifier trained in chapter 03")
    net.eval()
    dev = module_device(net)
    out = []
    for start in range(0, len(images), batch_size):
        x = to_batch(images[start:start + batch_size]).to(dev)
        out.append(net.head[:3](net.features(x)).cpu().numpy())
    return np.concatenate(out)


__all__ = ["ImageMetricError", "FeatureNetworkError", "psnr", "ssim", "image_quality", "frechet_distance",
           "classifier_features"]
