"""medlab.augment: the recipes keep the [-1, 1] range and labels; the flip test sees asymmetry (chapter 08)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from medlab import augment


def test_recipes_keep_shape_and_range():
    torch.manual_seed(0)
    x = torch.rand(1, 28, 28) * 2 - 1
    assert augment.recipe("none") is None
    for name in augment.RECIPES[1:]:
        out = augment.recipe(name)(x)
        assert out.shape == x.shape, name
        assert out.min() >= -1 - 1e-5 and out.max() <= 1 + 1e-5, name
    with pytest.raises(ValueError, match="unknown augmentation"):
        augment.recipe("mixup")


def test_flip_recipe_flips_about_half_the_time_and_black_stays_black():
    torch.manual_seed(0)
    x = torch.full((1, 28, 28), -1.0)
    x[..., :, :5] = 1.0  # a bright band on the left
    flipped = sum(bool(augment.recipe("flip")(x)[..., 0, -1] > 0) for _ in range(200))
    assert 70 < flipped < 130
    rotated = augment.recipe("rotation")(x)
    assert rotated[..., 0, 27] == pytest.approx(-1.0)  # uncovered corners are filled with black, not grey


@pytest.mark.slow
def test_flip_test_tells_asymmetric_from_symmetric_images():
    rng = np.random.default_rng(0)
    n = 96
    base = rng.integers(0, 60, (n, 28, 28)).astype(np.uint8)
    lateral = base.copy()
    lateral[:, 8:20, 3:10] = 220  # a bright blob always on the left (a heart on one side)
    symmetric = base.copy()
    symmetric[:, 8:20, 3:10] = 220
    symmetric[:, 8:20, 18:25] = 220
    asym = augment.flip_test(lateral[:64], lateral[64:], seed=0, epochs=4)
    sym = augment.flip_test(symmetric[:64], symmetric[64:], seed=0, epochs=4)
    assert asym > 0.95
    assert sym < asym


def test_augment_error_is_a_medlab_error():
    from medlab.errors import MedlabError

    assert issubclass(augment.AugmentError, MedlabError) and issubclass(augment.AugmentError, ValueError)
    with pytest.raises(augment.AugmentError, match="choose one of"):
        augment.recipe("mixup")
    with pytest.raises(augment.AugmentError, match="at least two training images"):
        augment.flip_test(np.zeros((1, 28, 28), np.uint8), np.zeros((1, 28, 28), np.uint8))
