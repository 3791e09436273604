"""medlab.generative: metrics against scikit-image, MONAI and closed forms; the GAN and paired models (chapter 08)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from monai.metrics import PSNRMetric, SSIMMetric
from monai.networks.nets import PatchDiscriminator, UNet  # noqa: F401  (imported here: the import is slow, not the tests)
from scipy import linalg

from medlab.generative import gan, metrics, paired


def _pair(seed=0, shape=(48, 48)):
    rng = np.random.default_rng(seed)
    target = np.clip(rng.random(shape) * 0.3 + np.linspace(0, 0.7, shape[1])[None], 0, 1)
    pred = np.clip(target + rng.normal(0, 0.05, shape), 0, 1)
    return pred, target


def test_psnr_matches_skimage_and_monai():
    from skimage.metrics import peak_signal_noise_ratio

    pred, target = _pair()
    ours = metrics.psnr(pred, target)
    assert ours == pytest.approx(peak_signal_noise_ratio(target, pred, data_range=1.0), rel=1e-9)
    monai = PSNRMetric(max_val=1.0)(torch.tensor(pred)[None, None].float(), torch.tensor(target)[None, None].float())
    assert ours == pytest.approx(float(monai), abs=1e-3)
    assert metrics.psnr(target, target) == float("inf")
    # halving the error raises PSNR by 20 log10(2) dB
    assert metrics.psnr(target + (pred - target) / 2, target) - ours == pytest.approx(20 * np.log10(2), abs=1e-9)


def test_ssim_matches_monai_and_orders_distortions():
    pred, target = _pair()
    ours = metrics.ssim(pred, target)
    monai = float(SSIMMetric(spatial_dims=2, data_range=1.0, kernel_type="gaussian", win_size=11,
                             kernel_sigma=1.5)(torch.tensor(pred)[None, None].float(),
                                               torch.tensor(target)[None, None].float()))
    # scikit-image averages over the whole image with padding cropped, MONAI over valid windows: close, not equal
    assert ours == pytest.approx(monai, abs=0.02)
    assert metrics.ssim(target, target) == pytest.approx(1.0)
    noisier = np.clip(target + np.random.default_rng(1).normal(0, 0.2, target.shape), 0, 1)
    assert metrics.ssim(noisier, target) < ours < 1


def test_image_quality_per_image_and_masked():
    pred, target = _pair()
    table = metrics.image_quality(np.stack([pred, target]), np.stack([target, target]))
    assert table.loc[0, "psnr"] == pytest.approx(metrics.psnr(pred, target))
    assert table.loc[0, "ssim"] == pytest.approx(metrics.ssim(pred, target))
    assert table.loc[0, "mae"] == pytest.approx(np.abs(pred - target).mean())
    assert table.loc[1, "mae"] == 0 and table.loc[1, "psnr"] == float("inf")
    # a mask that leaves out a perfectly predicted background raises the error per pixel
    bg = np.zeros((1, 48, 48))
    bg[0, :, :24] = 1
    p2 = np.where(bg.astype(bool), np.stack([pred]), np.stack([target]))
    whole = metrics.image_quality(p2, np.stack([target]))
    masked = metrics.image_quality(p2, np.stack([target]), mask=bg)
    assert masked.loc[0, "mae"] == pytest.approx(2 * whole.loc[0, "mae"])
    with pytest.raises(ValueError, match="mask is empty"):
        metrics.image_quality(p2, np.stack([target]), mask=np.zeros_like(bg))


def test_frechet_distance_closed_forms():
    rng = np.random.default_rng(0)
    # one dimension: (mu1 - mu2)^2 + (s1 - s2)^2 for the fitted Gaussians
    a, b = rng.normal(1.0, 2.0, (5000, 1)), rng.normal(-0.5, 0.5, (4000, 1))
    expected = (a.mean() - b.mean()) ** 2 + (a.std(ddof=1) - b.std(ddof=1)) ** 2
    assert metrics.frechet_distance(a, b) == pytest.approx(expected, rel=1e-6)
    # several dimensions: the direct formula with scipy.linalg.sqrtm
    a, b = rng.normal(size=(400, 5)) @ rng.normal(size=(5, 5)), rng.normal(0.3, 1.0, (300, 5))
    sa, sb = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    direct = np.sum((a.mean(0) - b.mean(0)) ** 2) + np.trace(sa + sb - 2 * np.real(linalg.sqrtm(sa @ sb)))
    assert metrics.frechet_distance(a, b) == pytest.approx(direct, rel=1e-8)
    assert metrics.frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6)
    assert metrics.frechet_distance(a, b) == pytest.approx(metrics.frechet_distance(b, a), rel=1e-6)
    with pytest.raises(ValueError):
        metrics.frechet_distance(a, b[:, :3])
    # a feature that is always zero (a dead ReLU unit) makes both covariances singular: still finite and right
    a0, b0 = np.c_[a, np.zeros(len(a))], np.c_[b, np.zeros(len(b))]
    assert metrics.frechet_distance(a0, b0) == pytest.approx(direct, rel=1e-6)


def test_classifier_features_are_the_penultimate_layer():
    from medlab import models

    net = models.build_model("simple_cnn").eval()
    images = np.random.default_rng(0).integers(0, 256, (5, 28, 28), dtype=np.uint8)
    feats = metrics.classifier_features(net, images)
    assert feats.shape == (5, 128) and (feats >= 0).all()
    x = torch.from_numpy(images).float().div(127.5).sub(1).unsqueeze(1)
    with torch.no_grad():
        logits = net(x).numpy()
    last = net.head[-1]
    recomputed = feats @ last.weight.detach().numpy().T + last.bias.detach().numpy()
    np.testing.assert_allclose(recomputed, logits, rtol=1e-4, atol=1e-5)


def test_cgan_shapes_training_and_reproducible_sampling():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (64, 28, 28), dtype=np.uint8)
    labels = np.r_[np.zeros(32), np.ones(32)].astype(int)
    seen = []
    G, history = gan.train_cgan(images, labels, epochs=2, batch_size=32, seed=0,
                                on_epoch=lambda e, g: seen.append(e) or {"mark": float(e)})
    assert list(history.index) == [1, 2] and seen == [1, 2] and history["mark"].tolist() == [1.0, 2.0]
    assert np.isfinite(history[["d_loss", "g_loss"]].to_numpy()).all()
    out = gan.sample(G, np.array([0, 1, 1]), seed=3)
    assert out.shape == (3, 28, 28) and out.dtype == np.uint8
    np.testing.assert_array_equal(out, gan.sample(G, np.array([0, 1, 1]), seed=3))
    D = gan.Discriminator()
    assert D(torch.zeros(4, 1, 28, 28), torch.tensor([0, 1, 0, 1])).shape == (4,)
    with pytest.raises(ValueError):
        gan.train_cgan(images[:, :14], labels, epochs=1)


def test_downsample_and_bicubic():
    rng = np.random.default_rng(0)
    img = rng.random((2, 16, 16)).astype(np.float32)
    low = paired.downsample(img, 4)
    assert low.shape == (2, 4, 4)
    assert low[0, 1, 2] == pytest.approx(img[0, 4:8, 8:12].mean(), rel=1e-6)
    flat = np.full((1, 4, 4), 0.3, np.float32)
    np.testing.assert_allclose(paired.upsample_bicubic(flat, 4), 0.3, atol=1e-6)  # constants are kept
    assert paired.upsample_bicubic(low, 4).shape == img.shape
    with pytest.raises(ValueError, match="multiple"):
        paired.downsample(img[:, :15, :15], 4)


@pytest.mark.slow
def test_fit_paired_learns_a_simple_mapping_and_the_gan_loss_runs():
    rng = np.random.default_rng(0)
    x = rng.random((16, 16, 16)).astype(np.float32)
    y = 1 - x  # an intensity inversion, learnable by 1x1 convolutions
    net = paired.SRNet(width=8, depth=3)
    before = np.abs(paired.predict_paired(net, x) - y).mean()
    hist = paired.fit_paired(net, x, y, steps=150, batch_size=8, lr=3e-3, seed=0)
    after = np.abs(paired.predict_paired(net, x) - y).mean()
    assert after < 0.5 * before and list(hist.columns) == ["l1"]
    hist = paired.fit_paired(net, x, y, steps=4, batch_size=4, adv_weight=0.01, crop=12, seed=0)
    assert {"l1", "adv", "d_loss"} <= set(hist.columns) and np.isfinite(hist.to_numpy()).all()
    unet = paired.translation_unet((4, 8, 16))
    assert paired.predict_paired(unet, x).shape == x.shape
    res = paired.Residual(torch.nn.Conv2d(1, 1, 3, padding=1))
    np.testing.assert_allclose(paired.predict_paired(res, x), x)  # the gate starts at 0: the input comes back
    paired.fit_paired(res, x, y, steps=30, batch_size=8, lr=1e-2, seed=0)
    assert float(res.gate) != 0 and np.abs(paired.predict_paired(res, x) - y).mean() < np.abs(x - y).mean()


def test_histogram_baseline_matches_the_reference_distribution():
    rng = np.random.default_rng(0)
    src = np.zeros((2, 20, 20), np.float32)
    src[:, 5:15, 5:15] = rng.random((2, 10, 10))
    ref = np.zeros((3, 20, 20), np.float32)
    ref[:, 2:18, 2:18] = rng.beta(5, 2, (3, 16, 16))
    out = paired.histogram_baseline(src, ref)
    assert (out[src == 0] == 0).all()
    inside = out[src > 0]
    assert inside.mean() == pytest.approx(ref[ref > 0].mean(), abs=0.03)
    # the order of grey levels is kept
    a, b = src[0][src[0] > 0], out[0][src[0] > 0]
    assert (np.argsort(a, kind="stable") == np.argsort(b, kind="stable")).mean() > 0.9


def test_generative_errors_are_medlab_errors():
    from medlab.errors import MedlabError

    for cls, builtin in [(metrics.ImageMetricError, ValueError), (metrics.FeatureNetworkError, TypeError),
                         (paired.PairedInputError, ValueError), (gan.GanInputError, ValueError)]:
        assert issubclass(cls, MedlabError) and issubclass(cls, builtin), cls
    with pytest.raises(metrics.ImageMetricError, match="same shape"):
        metrics.psnr(np.zeros((4, 4)), np.zeros((4, 5)))
    with pytest.raises(metrics.FeatureNetworkError, match="SimpleCNN"):
        metrics.classifier_features(torch.nn.Linear(2, 2), np.zeros((1, 28, 28), np.uint8))
    with pytest.raises(paired.PairedInputError, match="multiple"):
        paired.downsample(np.zeros((1, 6, 6)), 4)
    with pytest.raises(gan.GanInputError, match="28"):
        gan.train_cgan(np.zeros((2, 14, 14), np.uint8), np.zeros(2), epochs=1)


def test_kspace_downsample_keeps_band_limited_images_and_rings_at_edges():
    n, f = 32, 4
    yy, xx = np.mgrid[0:n, 0:n]

    def wave(y, x):
        return 0.5 + 0.3 * np.cos(2 * np.pi * 3 * x / n + 0.4) * np.cos(2 * np.pi * 2 * y / n)

    low = paired.kspace_downsample(wave(yy, xx)[None], f)
    centres = np.arange(n // f) * f + (f - 1) / 2  # coarse pixels sit at the block centres, as downsample's do
    yc, xc = np.meshgrid(centres, centres, indexing="ij")
    assert low.shape == (1, 8, 8)
    np.testing.assert_allclose(low[0], wave(yc, xc), atol=1e-6)  # frequencies below the cut-off are kept exactly
    # grey levels are kept, with or without a window (the window is 1 at the zero frequency)
    flat = np.full((1, n, n), 0.3)
    np.testing.assert_allclose(paired.kspace_downsample(flat, f), 0.3, atol=1e-6)
    np.testing.assert_allclose(paired.kspace_downsample(flat, f, window="hann"), 0.3, atol=1e-6)
    # a step edge: truncation overshoots (Gibbs), block averaging never leaves the range, a window damps the ringing
    step = np.zeros((1, 64, 64))
    step[:, :, 24:40] = 1.0
    trunc, hann = paired.kspace_downsample(step, f), paired.kspace_downsample(step, f, window="hann")
    assert trunc.max() > 1.005 and trunc.min() < -0.005
    assert paired.downsample(step.astype(np.float32), f).max() <= 1.0
    assert hann.max() < trunc.max() and hann.min() > trunc.min()
    assert not np.allclose(trunc, paired.downsample(step.astype(np.float32), f))
    with pytest.raises(ValueError, match="multiple"):
        paired.kspace_downsample(step[:, :30, :30], f)
    with pytest.raises(ValueError, match="stack"):
        paired.kspace_downsample(step[0], f)
