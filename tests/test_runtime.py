"""Seeding covers random, NumPy, torch and DataLoader workers; device choice is explicit."""

import os
import random

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader, Dataset

from medlab.errors import MedlabError
from medlab.runtime import record
from medlab.runtime.session import (
    DeviceNotAvailableError,
    library_versions,
    make_generator,
    pick_device,
    seed_worker,
    set_seed,
    setup,
)


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


def _accelerators(monkeypatch, cuda: bool, mps: bool) -> None:
    """Pretend this machine has (or lacks) CUDA and MPS, whatever it really has."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: mps)


@pytest.mark.parametrize("cuda, mps, expected", [
    (True, True, "cuda"),  # CUDA first
    (False, True, "mps"),  # then Apple's MPS
    (False, False, "cpu"),
])
def test_auto_picks_the_best_device(monkeypatch, cuda, mps, expected):
    monkeypatch.delenv("MEDLAB_DEVICE", raising=False)
    _accelerators(monkeypatch, cuda, mps)
    assert pick_device("auto").type == expected
    assert pick_device(None).type == expected
    assert pick_device("cpu").type == "cpu"  # a named device is taken as asked


def test_env_overrides_the_device(monkeypatch):
    _accelerators(monkeypatch, cuda=True, mps=False)
    monkeypatch.setenv("MEDLAB_DEVICE", "cpu")
    assert pick_device("auto").type == "cpu"
    assert pick_device("cuda").type == "cpu"


@pytest.mark.parametrize("name, message", [("cuda", "CUDA is not available"), ("cuda:1", "CUDA is not available"),
                                           ("mps", "MPS is not available")])
def test_missing_accelerator_is_a_clear_error(monkeypatch, name, message):
    monkeypatch.delenv("MEDLAB_DEVICE", raising=False)
    _accelerators(monkeypatch, cuda=False, mps=False)
    with pytest.raises(DeviceNotAvailableError, match=message) as info:
        pick_device(name)
    assert isinstance(info.value, MedlabError) and isinstance(info.value, RuntimeError)


def test_setup_prints_and_records(capsys, monkeypatch):
    monkeypatch.setenv("MEDLAB_PROFILE", "smoke")
    monkeypatch.delenv("MEDLAB_DEVICE", raising=False)
    session = setup("full", seed=7, device="cpu", max_epochs=2)
    out = capsys.readouterr().out
    assert "profile smoke" in out and "seed 7" in out and "torch" in out
    assert session.profile.max_epochs == 2 and session.seed == 7
    assert record._snapshot()["run"]["profile"] == "smoke"
    versions = library_versions()
    assert versions["torch"].split("+")[0] == torch.__version__.split("+")[0]
    assert library_versions(("no-such-package",))["no-such-package"] == "not installed"


def test_set_seed_asks_for_deterministic_algorithms(monkeypatch):
    from medlab.runtime.session import set_seed

    monkeypatch.delenv("CUBLAS_WORKSPACE_CONFIG", raising=False)
    try:
        set_seed(0)
        assert torch.are_deterministic_algorithms_enabled()
        assert os.environ["CUBLAS_WORKSPACE_CONFIG"] == ":4096:8"
        set_seed(0, deterministic=False)
        assert not torch.are_deterministic_algorithms_enabled()
    finally:
        torch.use_deterministic_algorithms(False)


def test_pick_states_sizes_per_profile_and_records_them(monkeypatch):
    from medlab.runtime.session import SizeError

    monkeypatch.delenv("MEDLAB_PROFILE", raising=False)
    run = setup("smoke", 0, "cpu", verbose=False)
    assert run.pick("epochs", smoke=1, full=6, paper=30) == 1
    assert run.pick("rates", smoke=(0.2,), full=(0.1, 0.2), paper=(0.1, 0.2)) == (0.2,)
    assert run.pick("steps", smoke=4, full=240, paper=3000, given=0) == 0  # a parameter of 0 is honoured
    assert record._snapshot()["run"]["sizes"] == {"epochs": 1, "rates": [0.2], "steps": 0}
    with pytest.raises(SizeError, match="picked twice"):
        run.pick("epochs", smoke=2, full=6, paper=30)
    full = setup("full", 0, "cpu", verbose=False)
    assert full.pick("epochs", smoke=1, full=6, paper=30) == 6
    assert record._snapshot()["run"]["sizes"] == {"epochs": 6}  # a new setup starts a new record


def test_seeds_come_from_one_source_and_are_recorded(monkeypatch):
    from medlab.runtime.session import SizeError

    monkeypatch.delenv("MEDLAB_PROFILE", raising=False)
    run = setup("full", 5, "cpu", verbose=False)
    assert record._snapshot()["run"]["seeds"] == [5]
    assert run.seeds() == [5, 6, 7]  # the profile's number of seeds, from SEED
    assert run.seeds(2, offset=1, name="dp") == [6, 7]
    rec = record._snapshot()["run"]
    assert rec["seeds"] == [5, 6, 7] and rec["seed_sets"] == {"seeds": [5, 6, 7], "dp": [6, 7]}
    assert run.seeds() == [5, 6, 7]  # asking again is fine
    with pytest.raises(SizeError, match="drawn twice"):
        run.seeds(4)
    with pytest.raises(SizeError, match="at least one seed"):
        run.seeds(0, name="none")


def test_threads_come_from_the_profile_or_the_environment(monkeypatch, capsys):
    from medlab.runtime.session import SizeError

    monkeypatch.delenv("MEDLAB_PROFILE", raising=False)
    monkeypatch.delenv("MEDLAB_THREADS", raising=False)
    before = torch.get_num_threads()
    try:
        run = setup("full", 0, "cpu")
        assert run.threads == torch.get_num_threads() == 1
        assert "torch threads 1" in capsys.readouterr().out
        assert record._snapshot()["run"]["threads"] == 1
        monkeypatch.setenv("MEDLAB_THREADS", "2")
        assert setup("full", 0, "cpu", verbose=False).threads == 2
        monkeypatch.setenv("MEDLAB_THREADS", "two")
        with pytest.raises(SizeError, match="MEDLAB_THREADS"):
            setup("full", 0, "cpu", verbose=False)
    finally:
        torch.set_num_threads(before)
