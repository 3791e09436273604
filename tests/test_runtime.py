"""Seeding covers random, NumPy, torch and DataLoader workers; device choice is explicit."""

import random

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader, Dataset

from medlab.book import record
from medlab.book.runtime import (DeviceNotAvailableError, library_versions, make_generator, pick_device,
                                 seed_worker, set_seed, setup)
from medlab.errors import MedlabError


def _draw():
    return random.random(), float(np.random.rand()), float(torch.rand(1))


def test_set_seed_repeats_every_library():
    set_seed(3)
    a = _draw()
    set_seed(3)
    assert _draw() == a
    set_seed(4)
    assert _draw() != a


class _NumpyNoise(Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        return torch.tensor([np.random.rand(), random.random()])


def _worker_batches(seed):
    loader = DataLoader(_NumpyNoise(), batch_size=2, num_workers=2, worker_init_fn=seed_worker,
                        generator=make_generator(seed))
    return torch.cat(list(loader))


def test_dataloader_workers_are_seeded():
    a, b = _worker_batches(0), _worker_batches(0)
    assert torch.equal(a, b)
    assert not torch.equal(a, _worker_batches(1))
    # the two workers must not produce the same stream
    assert not torch.equal(a[:2], a[2:4])


def test_pick_device(monkeypatch):
    monkeypatch.delenv("MEDLAB_DEVICE", raising=False)
    assert pick_device("cpu").type == "cpu"
    assert pick_device("auto").type in {"cpu", "cuda", "mps"}
    monkeypatch.setenv("MEDLAB_DEVICE", "cpu")
    assert pick_device("auto").type == "cpu"


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_missing_cuda_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("MEDLAB_DEVICE", raising=False)
    with pytest.raises(DeviceNotAvailableError, match="CUDA is not available") as info:
        pick_device("cuda")
    assert isinstance(info.value, MedlabError) and isinstance(info.value, RuntimeError)


def test_setup_prints_and_records(capsys, monkeypatch):
    monkeypatch.setenv("MEDLAB_PROFILE", "smoke")
    monkeypatch.delenv("MEDLAB_DEVICE", raising=False)
    session = setup("full", seed=7, device="cpu", max_epochs=2)
    out = capsys.readouterr().out
    assert "profile smoke" in out and "seed 7" in out and "torch" in out
    assert session.profile.max_epochs == 2 and session.seed == 7
    assert record._snapshot()["run"]["profile"] == "smoke"
    assert "torch" in library_versions()
