"""Explaining what an image classifier looks at: attribution maps, and how to test them.

One call, ``attribute``, computes a map at image resolution with any of
the methods in ``METHODS`` (Grad-CAM, vanilla and SmoothGrad saliency,
integrated gradients, layer-wise relevance propagation, occlusion, LIME and
KernelSHAP), all through captum. The rest of the module scores such maps:

- against a ground-truth mask: ``pointing_game`` and ``energy_inside``;
- for faithfulness to the model: ``perturbation_curve`` (deletion and
  insertion, Petsiuk et al. 2018) and ``curve_auc``;
- for sensitivity to the model and the data (the sanity checks of Adebayo et
  al. 2018): ``cascading_randomization`` and ``map_similarity``
  (Spearman rank correlation and SSIM of absolute maps).

``SliceCNN`` is the small slice classifier the chapter explains, and
``show_overlays`` draws maps over an image with the mask's contour.

captum, MONAI and scikit-image's segmentation are imported inside the
functions that use them. Introduced in the chapter "Explainability"
(chapters/07_explainability.ipynb).
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import torch
from matplotlib.figure import Figure
from scipy import ndimage, stats
from torch import nn

from .errors import MedlabError
from .experiment import module_device, seeded

METHODS: tuple[str, ...] = ("gradcam", "gradcam_fine", "saliency", "smoothgrad", "integrated_gradients", "lrp",
                            "occlusion", "lime", "kernelshap")
"""The attribution methods ``attribute`` knows, by name (``"random"``, a chance reference, is accepted too)."""


class ExplainError(MedlabError, ValueError):
    """An unknown method, or maps, masks and images whose shapes do not fit together (chapter 07)."""


class SliceCNN(nn.Module):
    """A small CNN for 2D slices: four conv-batchnorm-ReLU blocks, global average pooling, one linear layer.

    Every block but the last halves the resolution (max pooling), so a
    64-pixel slice ends as an 8 x 8 feature map, the resolution of its
    Grad-CAM map (``cam_layer`` names that block); ``fine_cam_layer`` names
    the third block's ReLU, before its pooling, a 16 x 16 map for a 64-pixel
    slice (the ``gradcam_fine`` method). ReLUs are not in-place,
    which captum's hooks need. ``cascade_layers`` lists the blocks from the
    input to the output, the order ``cascading_randomization`` reverses.
    Chapter 07.
    """

    cam_layer = "features.block4"
    fine_cam_layer = "features.block3.relu"
    cascade_layers = ("features.block1", "features.block2", "features.block3", "features.block4", "fc")

    def __init__(self, in_channels: int = 2, num_classes: int = 2, widths: Sequence[int] = (8, 16, 32, 32),
                 dropout: float = 0.2):
        super().__init__()
        if len(widths) != 4:
            raise ExplainError(f"SliceCNN has four blocks; widths must hold four numbers, not {tuple(widths)}.")
        blocks: OrderedDict[str, nn.Module] = OrderedDict()
        c_in = in_channels
        for i, c_out in enumerate(widths, start=1):
            layers: OrderedDict[str, nn.Module] = OrderedDict(
                conv=nn.Conv2d(c_in, c_out, 3, padding=1), bn=nn.BatchNorm2d(c_out), relu=nn.ReLU())
            if i < len(widths):
                layers["pool"] = nn.MaxPool2d(2)
            blocks[f"block{i}"] = nn.Sequential(layers)
            c_in = c_out
        self.features = nn.Sequential(blocks)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(c_in, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.dropout(torch.flatten(self.pool(self.features(x)), 1)))


# ----------------------------------------------------------------------------- attribution


def _as_tensor(images: np.ndarray | torch.Tensor) -> torch.Tensor:
    x = torch.as_tensor(np.asarray(images) if not isinstance(images, torch.Tensor) else images).float()
    if x.ndim != 4:
        raise ExplainError(f"images must be (n, channels, H, W), got shape {tuple(x.shape)}; "
                           "add a batch axis with images[None] for one image.")
    return x.detach()


def _cam_layer(model: nn.Module, layer: str | nn.Module | None) -> nn.Module:
    if isinstance(layer, nn.Module):
        return layer
    name = layer or getattr(model, "cam_layer", None)
    if name is None:
        convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
        if not convs:
            raise ExplainError("gradcam needs a convolutional layer; pass layer='name.of.layer'.")
        return convs[-1]
    return model.get_submodule(name)


def superpixels(images: np.ndarray | torch.Tensor, n_segments: int = 60, compactness: float = 0.1,
                channel: int | None = None) -> np.ndarray:
    """SLIC superpixels (scikit-image) of each image: ``(n, H, W)`` int labels from 0, background 0.

    The features that LIME and KernelSHAP switch on and off. The segmentation
    uses every channel (or only ``channel``) of images scaled to 0–1, and is
    restricted to the non-zero part of the image, so the empty background is
    one feature of its own; labels are consecutive. An image that SLIC cannot
    split into two features gets a square grid of about ``n_segments`` cells.
    Chapter 07.
    """
    from skimage.segmentation import relabel_sequential, slic

    x = _as_tensor(images).cpu().numpy()
    n, _, h, w = x.shape
    side = max(1, int(round(np.sqrt(n_segments))))
    grid = (np.arange(h)[:, None] * side // h) * side + (np.arange(w)[None, :] * side // w)
    out = np.zeros((n, h, w), dtype=np.int64)
    for i, img in enumerate(x):
        chans = img if channel is None else img[channel:channel + 1]
        fg = np.abs(img).sum(0) > 0
        labels = np.zeros((h, w), dtype=np.int64)
        if fg.sum() >= 2:
            labels = slic(np.moveaxis(chans, 0, -1), n_segments=n_segments, compactness=compactness,
                          channel_axis=-1, start_label=1, mask=fg, enforce_connectivity=True)
        labels = relabel_sequential(labels)[0] if labels.any() else labels
        labels = labels - labels.min()
        out[i] = labels if labels.max() >= 1 else grid  # fewer than two features: fall back to a grid
    return out


def attribute(model: nn.Module, images: np.ndarray | torch.Tensor, method: str = "gradcam", target: int = 1,
              *, layer: str | nn.Module | None = None, n_samples: int | None = None, n_steps: int = 32,
              noise: float = 0.15, window: int = 8, stride: int = 4, segments: np.ndarray | None = None,
              n_segments: int = 60, batch_size: int = 64, seed: int = 0) -> np.ndarray:
    """Attribution maps of ``model`` for class ``target``: one ``(n, H, W)`` float32 map per image.

    ``method`` is one of ``METHODS`` (or ``"random"``: uniform noise, the
    chance reference). Larger values mean more evidence *for* ``target``:

    - ``gradcam``: captum's ``LayerGradCam`` on ``layer`` (default: the
      model's ``cam_layer``, else its last ``Conv2d``), ReLU applied, upsampled
      bilinearly with ``LayerAttribution.interpolate``; ``gradcam_fine``: the
      same on an earlier, finer layer (``layer``, default the model's
      ``fine_cam_layer``; a model without one needs ``layer=...``);
    - ``saliency``: ``Saliency`` (absolute input gradient), maximum over channels
      (Simonyan et al. 2014); ``smoothgrad``: the same averaged over
      ``n_samples`` (default 25) noisy copies, noise sd ``noise`` times the
      image's range (Smilkov et al. 2017), via ``NoiseTunnel``;
    - ``integrated_gradients``: ``IntegratedGradients`` from a black image in
      ``n_steps`` steps, summed over channels (signed; the map sums to the
      change of the logit); ``lrp``: captum's ``LRP`` (epsilon rule), summed
      over channels (signed);
    - ``occlusion``: ``Occlusion`` with a ``window`` x ``window`` black patch
      over all channels moved by ``stride`` pixels: the drop of the logit;
    - ``lime`` and ``kernelshap``: captum's ``Lime`` and ``KernelShap`` with
      ``n_samples`` (default 200) perturbations of ``superpixels``
      (``n_segments``), or of your own ``segments`` ``(n, H, W)``; switched-off
      superpixels are black. LIME fits a ridge regression (alpha 1, the
      ``lime`` package's default) weighted by captum's default kernel.

    Gradient methods explain the logit (the pre-softmax output); the model is
    put in ``eval`` mode and run on the device it is on (the maps come back
    as a NumPy array). The random draws of SmoothGrad, LIME and KernelSHAP
    are seeded by ``seed`` in a fork of torch's random state, so the
    caller's is left as it was. Chapter 07.
    """
    x = _as_tensor(images)
    model.eval()
    n, c, h, w = x.shape
    if method == "random":
        return np.random.default_rng(seed).random((n, h, w)).astype(np.float32)
    if method not in METHODS:
        raise ExplainError(f"unknown attribution method {method!r}; choose one of {', '.join(METHODS)} "
                           "(or 'random').")
    dev = module_device(model)
    with seeded(seed, dev):
        out = _attribute(model, x.to(dev), method, target, layer, n_samples, n_steps, noise, window, stride,
                         segments, n_segments, batch_size, seed)
    return out.detach().float().cpu().numpy()


def _attribute(model: nn.Module, x: torch.Tensor, method: str, target: int, layer: str | nn.Module | None,
               n_samples: int | None, n_steps: int, noise: float, window: int, stride: int,
               segments: np.ndarray | None, n_segments: int, batch_size: int, seed: int) -> torch.Tensor:
    import captum.attr as ca

    n, c, h, w = x.shape
    if method in ("gradcam", "gradcam_fine"):
        if method == "gradcam_fine" and layer is None:
            layer = getattr(model, "fine_cam_layer", None)
            if layer is None:
                raise ExplainError("gradcam_fine needs an earlier layer: give the model a fine_cam_layer "
                                   "attribute or pass layer='name.of.layer'.")
        cam = ca.LayerGradCam(model, _cam_layer(model, layer))
        maps = [ca.LayerAttribution.interpolate(cam.attribute(xb, target=target, relu_attributions=True),
                                                (h, w), interpolate_mode="bilinear")[:, 0]
                for xb in x.split(batch_size)]
        out = torch.cat(maps)
    elif method in ("saliency", "smoothgrad"):
        sal = ca.Saliency(model)
        if method == "saliency":
            out = torch.cat([sal.attribute(xb, target=target, abs=True) for xb in x.split(batch_size)])
        else:  # the noise is drawn from torch's generator, seeded by attribute
            nt = ca.NoiseTunnel(sal)
            parts = []
            for xi in x.split(1):
                sd = noise * float(xi.max() - xi.min())
                parts.append(nt.attribute(xi, nt_type="smoothgrad", nt_samples=n_samples or 25,
                                          nt_samples_batch_size=batch_size, stdevs=sd, target=target, abs=True))
            out = torch.cat(parts)
        out = out.amax(1)
    elif method == "integrated_gradients":
        ig = ca.IntegratedGradients(model)
        out = torch.cat([ig.attribute(xb, baselines=0.0, target=target, n_steps=n_steps,
                                      internal_batch_size=batch_size) for xb in x.split(max(1, batch_size // n_steps))])
        out = out.sum(1)
    elif method == "lrp":
        out = torch.cat([ca.LRP(model).attribute(xb.clone(), target=target) for xb in x.split(batch_size)]).sum(1)
    elif method == "occlusion":
        occ = ca.Occlusion(model)
        out = occ.attribute(x, sliding_window_shapes=(c, window, window), strides=(c, stride, stride),
                            baselines=0.0, target=target, perturbations_per_eval=batch_size).mean(1)
    else:  # lime, kernelshap: one image at a time, each with its own superpixels
        seg = superpixels(x, n_segments) if segments is None else np.asarray(segments)
        if seg.shape != (n, h, w):
            raise ExplainError(f"segments has shape {seg.shape}; it must be (n, H, W) = {(n, h, w)}.")
        if method == "lime":
            from captum._utils.models.linear_model import SkLearnRidge

            explainer = ca.Lime(model, interpretable_model=SkLearnRidge(alpha=1.0))
        else:
            explainer = ca.KernelShap(model)
        parts = []
        for i in range(n):
            with seeded(seed + i, x.device):
                fm = torch.as_tensor(seg[i], device=x.device)[None, None].expand(1, c, h, w)
                parts.append(explainer.attribute(x[i:i + 1], baselines=0.0, target=target, feature_mask=fm,
                                                 n_samples=n_samples or 200, perturbations_per_eval=batch_size))
        out = torch.cat(parts).mean(1)
    return out


# ----------------------------------------------------------------------------- localisation


def _check_pair(maps: np.ndarray, masks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    maps, masks = np.asarray(maps, dtype=np.float64), np.asarray(masks).astype(bool)
    if maps.ndim == 2:
        maps, masks = maps[None], masks[None] if masks.ndim == 2 else masks
    if maps.shape != masks.shape:
        raise ExplainError(f"maps {maps.shape} and masks {masks.shape} must have the same (n, H, W) shape; "
                           "compute maps at image resolution (explain.attribute does).")
    return maps, masks


def pointing_game(maps: np.ndarray, masks: np.ndarray, tolerance: float = 0.0) -> np.ndarray:
    """Per map: does its maximum fall inside the mask (or within ``tolerance`` pixels of it)?

    The pointing game of Zhang et al. (2018): a hit when the single most
    attributed pixel lies on the object. A constant map points nowhere and
    scores a miss; ties go to the first maximum in raster order. Returns a
    boolean array, one entry per map. Chapter 07.
    """
    maps, masks = _check_pair(maps, masks)
    hits = np.zeros(len(maps), dtype=bool)
    for i, (m, k) in enumerate(zip(maps, masks)):
        if not k.any() or np.ptp(m) == 0:
            continue
        y, x = np.unravel_index(np.argmax(m), m.shape)
        if tolerance > 0:
            hits[i] = ndimage.distance_transform_edt(~k)[y, x] <= tolerance
        else:
            hits[i] = k[y, x]
    return hits


def energy_inside(maps: np.ndarray, masks: np.ndarray) -> np.ndarray:
    """Per map: the fraction of its positive attribution that lies inside the mask (NaN if it has none).

    Negative values (evidence against the class, for signed methods) are set
    to zero first, as in the energy-based pointing game of Score-CAM (Wang et
    al. 2020). A uniform map over the image scores the mask's area fraction.
    Chapter 07.
    """
    maps, masks = _check_pair(maps, masks)
    pos = np.clip(maps, 0, None)
    total = pos.reshape(len(pos), -1).sum(1)
    inside = (pos * masks).reshape(len(pos), -1).sum(1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, inside / np.where(total > 0, total, 1), np.nan)


# ----------------------------------------------------------------------------- faithfulness


def perturbation_curve(model: nn.Module, images: np.ndarray | torch.Tensor, maps: np.ndarray, target: int = 1,
                       mode: str = "deletion", steps: int = 32, blur_sigma: float = 4.0,
                       batch_size: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """Deletion or insertion curve (Petsiuk et al. 2018) of each image, pixels taken in map order.

    ``deletion`` sets the most attributed pixels to 0 (black, no signal),
    a fraction ``k / steps`` at a time, and records the model's softmax
    probability of ``target``: a faithful map makes it fall fast (small area
    under the curve). ``insertion`` starts from the image blurred with a
    Gaussian of ``blur_sigma`` pixels and puts the original pixels back in
    the same order: a faithful map makes it rise fast (large area). Pixels
    are ranked by the map (all channels together; ties in raster order).
    Returns ``(fractions, probabilities)`` of shapes ``(steps + 1,)`` and
    ``(n, steps + 1)``. The model runs on the device it is on. Chapter 07.
    """
    if mode not in ("deletion", "insertion"):
        raise ExplainError(f"mode must be 'deletion' or 'insertion', not {mode!r}.")
    x = _as_tensor(images).cpu()
    maps = np.asarray(maps)
    if maps.shape != (x.shape[0], *x.shape[2:]):
        raise ExplainError(f"maps {maps.shape} do not match images {tuple(x.shape)}: one (H, W) map per image.")
    n, c, h, w = x.shape
    fractions = np.linspace(0, 1, steps + 1)
    counts = np.round(fractions * h * w).astype(int)
    if mode == "deletion":
        start, end = x, torch.zeros_like(x)
    else:
        blurred = ndimage.gaussian_filter(x.numpy(), sigma=(0, 0, blur_sigma, blur_sigma))
        start, end = torch.from_numpy(blurred).float(), x
    model.eval()
    dev = module_device(model)
    probs = np.zeros((n, steps + 1))
    for i in range(n):
        order = torch.from_numpy(np.argsort(-maps[i].ravel(), kind="stable").copy())
        rank = torch.empty(h * w, dtype=torch.long)
        rank[order] = torch.arange(h * w)
        chosen = (rank[None, :] < torch.as_tensor(counts)[:, None]).reshape(-1, 1, h, w)  # (steps+1, 1, h, w)
        batch = torch.where(chosen, end[i:i + 1], start[i:i + 1])
        with torch.no_grad():
            p = torch.cat([torch.softmax(model(b.to(dev)), 1)[:, target].cpu() for b in batch.split(batch_size)])
        probs[i] = p.numpy()
    return fractions, probs


def curve_auc(fractions: np.ndarray, probabilities: np.ndarray) -> np.ndarray:
    """Area under each curve by the trapezoidal rule (``numpy.trapezoid``): one value per row. Chapter 07."""
    return np.trapezoid(np.atleast_2d(probabilities), np.asarray(fractions), axis=-1)


# ----------------------------------------------------------------------------- sanity checks


def weighted_layers(model: nn.Module) -> list[str]:
    """The layers ``cascading_randomization`` walks through, from the input to the output.

    The model's own ``cascade_layers`` if it has them (``SliceCNN``
    lists its blocks, so a convolution and its batch normalisation are
    randomised together), else every convolution and linear layer.
    Chapter 07.
    """
    own = getattr(model, "cascade_layers", None)
    if own is not None:
        return list(own)
    return [name for name, m in model.named_modules()
            if name and isinstance(m, (nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.Linear))]


def cascading_randomization(model: nn.Module, layers: Sequence[str] | None = None,
                            seed: int = 0) -> list[tuple[str, nn.Module]]:
    """Copies of ``model`` with its layers re-initialised one more at a time, from the output down.

    The model-parameter randomisation test of Adebayo et al. (2018): the
    first copy has ``layers[-1]`` (default: ``weighted_layers``, so the
    output layer) re-initialised, every sub-module with its own
    ``reset_parameters`` (a batch normalisation also forgets its running
    statistics); the next copy also the layer below, and so on until every
    listed layer is random. Returns ``[(name of the last layer randomised,
    model copy), ...]``; the original model is untouched. A map that barely
    changes along the cascade does not depend on what the model learned.
    The new weights are drawn (on the model's device) from torch's generator
    seeded by ``seed``, in a fork of the random state: the caller's is left
    as it was. Chapter 07.
    """
    layers = list(layers) if layers is not None else weighted_layers(model)
    if not layers:
        raise ExplainError("the model has no Conv or Linear layers to randomise; pass layers=[...].")
    out = []
    with seeded(seed, module_device(model)):
        current = copy.deepcopy(model).eval()
        for name in reversed(layers):
            for m in current.get_submodule(name).modules():
                if hasattr(m, "reset_parameters"):
                    m.reset_parameters()
            out.append((name, copy.deepcopy(current)))
    return out


def map_similarity(maps_a: np.ndarray, maps_b: np.ndarray) -> dict[str, np.ndarray]:
    """Similarity of paired maps as Adebayo et al. (2018) measured it, one value per pair.

    ``spearman``: Spearman rank correlation of the absolute maps
    (``scipy.stats.spearmanr``; NaN for a constant map); ``ssim``: the
    structural similarity index (``skimage.metrics.structural_similarity``)
    of the absolute maps, each scaled to 0–1 by its maximum. Both are 1 for
    identical maps. Chapter 07.
    """
    from skimage.metrics import structural_similarity

    a, b = np.abs(np.asarray(maps_a, dtype=np.float64)), np.abs(np.asarray(maps_b, dtype=np.float64))
    if a.shape != b.shape or a.ndim != 3:
        raise ExplainError(f"map_similarity needs two (n, H, W) stacks of the same shape, got {a.shape} and {b.shape}.")
    rho, ssim = np.full(len(a), np.nan), np.full(len(a), np.nan)
    for i, (p, q) in enumerate(zip(a, b)):
        if np.ptp(p) > 0 and np.ptp(q) > 0:
            rho[i] = stats.spearmanr(p.ravel(), q.ravel()).statistic
        ssim[i] = structural_similarity(p / max(p.max(), 1e-12), q / max(q.max(), 1e-12), data_range=1.0)
    return {"spearman": rho, "ssim": ssim}


def shifted_label_aucs(labels: np.ndarray, scores: np.ndarray, groups: np.ndarray, max_draws: int = 20000,
                       seed: int = 0) -> np.ndarray:
    """AUCs of ``scores`` against ``labels`` shifted circularly within each group: chance for slice stacks.

    Neighbouring slices are nearly copies, and a tumour fills a contiguous
    run of them, so the usual AUC null (labels permuted slice by slice)
    is far too narrow. Shifting each group's labels (a study's stack, in
    slice order) by every offset keeps the tumour a contiguous block and
    moves it through the stack: the AUCs of all combinations of offsets
    (``sklearn.metrics.roc_auc_score``; a random ``max_draws`` of them,
    NumPy generator seeded by ``seed``, when there are more) are the
    reference an observed AUC is compared with. ``labels`` and ``scores``
    must be in slice order within each group. Combinations whose shifted
    labels hold a single class are skipped. Introduced in
    chapters/07_explainability.ipynb.
    """
    from sklearn.metrics import roc_auc_score

    y, sc, g = np.asarray(labels), np.asarray(scores, dtype=float), np.asarray(groups)
    if not (y.shape == sc.shape == g.shape) or y.ndim != 1:
        raise ExplainError(f"labels, scores and groups must be 1-D and of one length, got {y.shape}, {sc.shape}, "
                           f"{g.shape}.")
    members = [np.flatnonzero(g == k) for k in dict.fromkeys(g.tolist())]
    sizes = [len(m) for m in members]
    total = int(np.prod(sizes, dtype=float)) if np.prod(sizes, dtype=float) <= max_draws else None
    if total is not None:
        offsets = np.stack(np.meshgrid(*[np.arange(n) for n in sizes], indexing="ij"), -1).reshape(-1, len(sizes))
    else:
        rng = np.random.default_rng(seed)
        offsets = np.stack([rng.integers(n, size=max_draws) for n in sizes], -1)
    out = []
    for row in offsets:
        shifted = y.copy()
        for idx, k in zip(members, row):
            shifted[idx] = np.roll(y[idx], int(k))
        if 0 < shifted.sum() < len(shifted):
            out.append(roc_auc_score(shifted, sc))
    return np.asarray(out)


# ----------------------------------------------------------------------------- display


def show_overlays(image: np.ndarray, maps: Mapping[str, np.ndarray], mask: np.ndarray | None = None,
                  ncols: int | None = None, title: str | None = None, cell: float = 1.9,
                  colorbar: bool = True) -> Figure:
    """One slice (grey) under each map (its positive part, scaled to its maximum), with the mask's contour.

    ``image`` is ``(H, W)``; ``maps`` maps a panel title to an ``(H, W)`` map;
    the first panel shows the image alone. Maps are drawn translucent (the
    anatomy stays visible) and the tumour outline in cyan, so a reader sees
    at once whether the bright region sits on the tumour. With ``colorbar``
    one colour bar on the right says what the colours mean (a fraction of
    each map's own maximum). Chapter 07.
    """
    import matplotlib.pyplot as plt

    panels = [("image", None), *maps.items()]
    ncols = ncols or len(panels)
    nrows = int(np.ceil(len(panels) / ncols))
    width = cell * ncols + (0.9 if colorbar else 0)
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, cell * nrows + (0.3 if title else 0)), squeeze=False)
    shown = None
    for ax, (name, m) in zip(axes.flat, panels):
        ax.imshow(image, cmap="gray", vmin=0, vmax=1)
        if m is not None:
            pos = np.clip(np.asarray(m, dtype=float), 0, None)
            shown = ax.imshow(pos / pos.max() if pos.max() > 0 else pos, cmap="inferno", alpha=0.55, vmin=0, vmax=1)
        if mask is not None and np.asarray(mask).any():
            ax.contour(np.asarray(mask, dtype=float), levels=[0.5], colors="cyan", linewidths=0.8)
        ax.set_title(name, fontsize=8)
        ax.axis("off")
    for ax in list(axes.flat)[len(panels):]:
        ax.axis("off")
    if title:
        fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    if colorbar and shown is not None:
        right = 1 - 0.9 / width
        fig.subplots_adjust(right=right)
        cax = fig.add_axes((right + 0.15 * (1 - right), 0.15, 0.12 * (1 - right), 0.65))
        bar = fig.colorbar(plt.cm.ScalarMappable(norm=shown.norm, cmap=shown.cmap), cax=cax)
        bar.set_label("map / its max", fontsize=7)
        bar.ax.tick_params(labelsize=6)
    return fig


# ----------------------------------------------------------------------------- masks and controls


def head_mask(images: np.ndarray | torch.Tensor, channel: int = 0) -> np.ndarray:
    """The head in each slice: Otsu threshold, holes filled, largest connected component. ``(n, H, W)`` bool.

    For each image, ``channel`` is thresholded at its Otsu level
    (``skimage.filters.threshold_otsu``), holes inside the foreground are
    filled (``scipy.ndimage.binary_fill_holes``: ventricles and dark
    tumour cores belong to the head) and only the largest 8-connected
    component is kept (``scipy.ndimage.label``), which drops specks of noise
    in the background. A constant image has no head (an empty mask).
    Introduced in chapters/07_explainability.ipynb.
    """
    from skimage.filters import threshold_otsu

    x = _as_tensor(images).cpu().numpy()
    if not 0 <= channel < x.shape[1]:
        raise ExplainError(f"channel {channel} does not exist: the images have {x.shape[1]} channel(s).")
    out = np.zeros((x.shape[0], *x.shape[2:]), dtype=bool)
    for i, img in enumerate(x[:, channel]):
        if np.ptp(img) == 0:
            continue
        fg = ndimage.binary_fill_holes(img > threshold_otsu(img))
        labels, n = ndimage.label(fg, structure=np.ones((3, 3)))
        if n:
            sizes = ndimage.sum_labels(fg, labels, index=np.arange(1, n + 1))
            out[i] = labels == 1 + int(np.argmax(sizes))
    return out


def plant_marker(images: np.ndarray, labels: np.ndarray, size: int = 4, value: float = 1.0,
                 region: np.ndarray | None = None, target: int = 1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A positive control: a bright square planted at a random place in every image of class ``target``.

    Each image with ``labels == target`` gets a ``size`` x ``size`` square
    set to ``value`` in every channel, its top-left corner drawn uniformly
    (NumPy generator seeded by ``seed``) among the places where the whole
    square lies inside ``region`` (``(n, H, W)`` bool, e.g. ``head_mask``;
    default: anywhere in the image). A model trained on these images can
    separate the classes by the marker alone, so a good attribution method
    must point at it: the marker masks are the ground truth. Returns
    ``(images with markers, marker masks (n, H, W) bool)``; other images
    are unchanged and their marker mask is empty. Introduced in
    chapters/07_explainability.ipynb.
    """
    x = np.array(images, dtype=np.float32, copy=True)
    labels = np.asarray(labels)
    if x.ndim != 4 or labels.shape != (len(x),):
        raise ExplainError(f"images must be (n, channels, H, W) with one label each; got {x.shape} and "
                           f"{labels.shape} labels.")
    n, _, h, w = x.shape
    if not 1 <= size <= min(h, w):
        raise ExplainError(f"marker size {size} does not fit {h} x {w} images; choose 1 to {min(h, w)}.")
    allowed = np.ones((n, h, w), dtype=bool) if region is None else np.asarray(region, dtype=bool)
    if allowed.shape != (n, h, w):
        raise ExplainError(f"region must be (n, H, W) = {(n, h, w)}, got {allowed.shape}.")
    rng = np.random.default_rng(seed)
    markers = np.zeros((n, h, w), dtype=bool)
    for i in np.flatnonzero(labels == target):
        fits = np.lib.stride_tricks.sliding_window_view(allowed[i], (size, size)).all((-2, -1))  # by top-left corner
        corners = np.argwhere(fits)
        if not len(corners):
            raise ExplainError(f"image {i}: no {size} x {size} square fits inside its region; use a smaller "
                               "marker or a larger region.")
        r, c = corners[rng.integers(len(corners))]
        markers[i, r:r + size, c:c + size] = True
        x[i, :, r:r + size, c:c + size] = value
    return x, markers


def sanity_verdict(similarity_random: np.ndarray, similarity_reference: np.ndarray, keep: float = 0.5,
                   alpha: float = 0.05) -> dict[str, Any]:
    """Does a map change more under randomisation than between two working trained models? Paired, per slice.

    ``similarity_random[i]`` is the similarity (e.g. Spearman of absolute
    maps, ``map_similarity``) of slice ``i``'s map from the trained model to
    the map from the randomised model; ``similarity_reference[i]`` is the
    similarity of the same map to that of another trained model that works
    (its mean over several such models). The method passes when the
    randomised model's map keeps clearly less than the fraction ``keep`` of
    the agreement two trained models share: a one-sided Wilcoxon
    signed-rank test (``scipy.stats.wilcoxon``) of the paired differences
    ``keep * reference - random`` is significant at ``alpha``. When two
    trained models barely agree (reference near 0), a pass needs the
    randomised model's map to be anti-correlated and shows little: the test
    cannot then tell a trained model from a random one. The rule is
    calibrated by the trained models' own agreement, not a fixed cut-off.
    Returns the means and sds of both, ``p`` and ``passes`` (NaN pairs are
    dropped; fewer than two pairs give ``p`` NaN and ``passes`` None).
    Introduced in chapters/07_explainability.ipynb.
    """
    rnd, ref = np.asarray(similarity_random, dtype=float), np.asarray(similarity_reference, dtype=float)
    if rnd.shape != ref.shape or rnd.ndim != 1:
        raise ExplainError(f"sanity_verdict needs two paired 1-D arrays of the same length, got {rnd.shape} and "
                           f"{ref.shape}.")
    if not 0 < keep <= 1:
        raise ExplainError(f"keep is a fraction of the trained models' agreement, in (0, 1]; got {keep}.")
    ok = ~(np.isnan(rnd) | np.isnan(ref))
    rnd, ref = rnd[ok], ref[ok]

    def sd(v: np.ndarray) -> float:
        return float(v.std(ddof=1)) if v.size > 1 else float("nan")

    out: dict[str, Any] = {"n": int(rnd.size), "random_mean": float(rnd.mean()) if rnd.size else float("nan"),
                           "random_sd": sd(rnd), "reference_mean": float(ref.mean()) if ref.size else float("nan"),
                           "reference_sd": sd(ref), "keep": keep, "p": float("nan"), "passes": None}
    if rnd.size >= 2:
        diff = keep * ref - rnd
        p = 1.0 if np.all(diff == 0) else float(stats.wilcoxon(diff, alternative="greater").pvalue)
        out.update(p=p, passes=bool(p < alpha))
    return out


def _describe(values: np.ndarray) -> dict[str, Any]:
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    if v.size == 0:
        return {"n": 0, "mean": float("nan"), "sd": float("nan"), "median": float("nan"),
                "q1": float("nan"), "q3": float("nan")}
    q1, med, q3 = np.percentile(v, [25, 50, 75])
    return {"n": int(v.size), "mean": float(v.mean()), "sd": float(v.std(ddof=1)) if v.size > 1 else float("nan"),
            "median": float(med), "q1": float(q1), "q3": float(q3)}


def summarize(values: Mapping[str, np.ndarray]) -> dict[str, dict[str, Any]]:
    """Per named array of per-slice scores: n, mean, sd, median and quartiles (NaNs dropped). Chapter 07."""
    return {name: _describe(v) for name, v in values.items()}


__all__ = ["METHODS", "ExplainError", "SliceCNN", "superpixels", "attribute", "pointing_game", "energy_inside",
           "perturbation_curve", "curve_auc", "weighted_layers", "cascading_randomization", "map_similarity",
           "show_overlays", "summarize", "head_mask", "plant_marker", "sanity_verdict",
           "shifted_label_aucs"]
