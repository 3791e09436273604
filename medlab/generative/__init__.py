"""Generative models and their honest evaluation: GANs, super-resolution, image translation, metrics.

- ``medlab.generative.gan``: a conditional DCGAN for 28-pixel images;
- ``medlab.generative.paired``: super-resolution and T1-to-FLAIR
  translation, trained with L1 or L1 plus a PatchGAN loss, and their
  baselines (bicubic interpolation, histogram matching);
- ``medlab.generative.metrics``: PSNR, SSIM, MAE and the Fréchet distance
  in the feature space of a classifier trained on the domain;
- ``medlab.generative.fidelity``: the Fréchet distance with a bootstrap
  interval and a real-versus-real floor, precision, recall, density and
  coverage, and ImageNet features (EfficientNet-Lite0, packaged weights).

Introduced in the chapter "Augmentation and generative models"
(chapters/08_augmentation_generative.ipynb).
"""

from . import fidelity, gan, metrics, paired

__all__ = ["fidelity", "gan", "metrics", "paired"]
