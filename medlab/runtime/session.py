"""Seeds, devices and the environment printout at the top of every chapter.

Introduced in the chapter "Your first classifier" (chapters/03_first_classifier.ipynb).
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import random
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from .._version import __version__
from ..errors import MedlabError
from . import record
from .profiles import Profile, get_profile
from .resources import gpu_info

DEVICE_ENV = "MEDLAB_DEVICE"

class DeviceNotAvailableError(MedlabError, RuntimeError):
    """The device a chapter asked for (``DEVICE`` or ``$MEDLAB_DEVICE``) is not on this machine."""


LIBRARIES = ("torch", "torchvision", "numpy", "scikit-learn", "monai", "medmnist", "pydicom")


def set_seed(seed: int, deterministic: bool = True) -> None:
    """Seed ``random``, NumPy and torch (CPU and every CUDA device).

    With ``deterministic``, PyTorch is asked for deterministic algorithms
    (``torch.use_deterministic_algorithms``, warning where an operation has
    none), cuDNN picks deterministic kernels and skips benchmarking, and
    ``CUBLAS_WORKSPACE_CONFIG`` is set as cuBLAS requires (it takes effect
    only if CUDA has not been initialised yet, so call this first). A slower
    but repeatable run on a GPU.

    What seeding cannot fix: results also depend on the number of CPU threads
    (the order of floating-point sums changes; the provenance records it),
    on the library versions and on the hardware. Python's string hashing is
    seeded when the interpreter starts (``PYTHONHASHSEED`` must be set
    before), which the book's code does not depend on.
    """
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.cuda.manual_seed_all(seed)
    if deterministic:
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch.use_deterministic_algorithms(deterministic, warn_only=True)
    torch.backends.cudnn.deterministic = deterministic
    torch.backends.cudnn.benchmark = not deterministic


def seed_worker(worker_id: int) -> None:
    """``DataLoader(worker_init_fn=seed_worker)``: seed NumPy and ``random`` per worker.

    torch seeds each worker from the loader's generator; this passes that seed
    on to the libraries torch does not seed itself.
    """
    worker_seed = torch.initial_seed() % 2**32
    np.random.seed(worker_seed)
    random.seed(worker_seed)


def make_generator(seed: int) -> torch.Generator:
    """A ``torch.Generator`` for DataLoader shuffling, seeded with ``seed``."""
    g = torch.Generator()
    g.manual_seed(seed)
    return g


def pick_device(preference: str | None = "auto") -> torch.device:
    """``cuda`` if available, then Apple ``mps``, else ``cpu``.

    ``preference`` may name a device (``"cpu"``, ``"cuda"``, ``"cuda:1"``,
    ``"mps"``); ``$MEDLAB_DEVICE`` overrides it. Asking for a device that is
    not there raises a clear error instead of failing later.
    """
    choice = (os.environ.get(DEVICE_ENV) or preference or "auto").lower()
    if choice == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    device = torch.device(choice)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise DeviceNotAvailableError(f"device '{choice}' requested but CUDA is not available; use DEVICE='auto'")
    if device.type == "mps" and not torch.backends.mps.is_available():
        raise DeviceNotAvailableError(f"device '{choice}' requested but MPS is not available; use DEVICE='auto'")
    return device


def library_versions(names: tuple[str, ...] = LIBRARIES) -> dict[str, str]:
    """Installed versions of the libraries the book depends on."""
    versions = {"python": platform.python_version(), "medlab": __version__}
    for name in names:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def hardware() -> dict[str, Any]:
    """CPU, core count and accelerator, for provenance."""
    info: dict[str, Any] = {
        "machine": platform.machine(),
        "system": platform.system(),
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "gpu": None,
    }
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        info["cpu"] = platform.processor() or "unknown"
    if torch.cuda.is_available():
        details = gpu_info() or {}
        info["gpu"] = details.get("name") or torch.cuda.get_device_name(0)
        info["gpu_details"] = details
    elif getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        info["gpu"] = "Apple MPS"
    return info


THREADS_ENV = "MEDLAB_THREADS"
"""Overrides the profile's torch thread count (``MEDLAB_THREADS=4``); the record keeps what ran."""


class SizeError(MedlabError, ValueError):
    """A chapter size (:meth:`Session.pick`) or seed count (:meth:`Session.seeds`) that cannot be used."""


def resolve_threads(profile: Profile) -> int | None:
    """The torch thread count a run uses: ``$MEDLAB_THREADS``, else the profile's, else ``None`` (torch's)."""
    env = os.environ.get(THREADS_ENV, "").strip()
    if env:
        if not env.isdigit() or int(env) < 1:
            raise SizeError(f"${THREADS_ENV}={env!r} is not a positive whole number of threads; unset it or use e.g. 1")
        return int(env)
    return profile.threads


@dataclass
class Session:
    """What :func:`setup` returns: the profile, seed, device, and the run's sizes and seeds.

    A chapter states every size once, for the three profiles, with :meth:`pick`,
    and draws its seeds with :meth:`seeds`; both are written into the run's
    record, so the provenance box says what actually ran::

        epochs = run.pick("epochs", smoke=1, full=6, paper=30, given=EPOCHS)
        seeds = run.seeds(run.pick("seeds", smoke=1, full=3, paper=5, given=N_SEEDS))
    """

    profile: Profile
    seed: int
    device: torch.device
    threads: int | None = None
    sizes: dict[str, Any] = field(default_factory=dict)
    seed_sets: dict[str, list[int]] = field(default_factory=dict)

    def generator(self, offset: int = 0) -> torch.Generator:
        """A fresh generator seeded with ``seed + offset``."""
        return make_generator(self.seed + offset)

    def pick(self, name: str, *, smoke: Any, full: Any, paper: Any, given: Any = None) -> Any:
        """The size ``name`` under the profile in force, recorded in the run's provenance.

        ``given`` is the chapter's parameter (``EPOCHS``): when it is not ``None``
        it wins, so ``0`` or ``()`` are honoured rather than taken as unset.
        Picking the same name twice with another value raises :class:`SizeError`.
        """
        value = given if given is not None else {"smoke": smoke, "full": full, "paper": paper}[self.profile.name]
        clean = list(value) if isinstance(value, tuple) else value
        if name in self.sizes and self.sizes[name] != clean:
            raise SizeError(f"size {name!r} picked twice with different values ({self.sizes[name]!r}, {clean!r}); "
                            f"pick it once and reuse the variable")
        self.sizes[name] = clean
        record.record_run(sizes=dict(self.sizes))
        return value

    def seeds(self, n: int | None = None, *, offset: int = 0, name: str = "seeds") -> list[int]:
        """``n`` seeds (the profile's ``num_seeds`` if ``None``): ``SEED + offset``, ``SEED + offset + 1``, ...

        Every seed list a chapter uses comes from here, so the record lists the
        seeds that ran: under ``name`` in ``seed_sets``, and all of them, in
        order of first use, in ``seeds``. ``offset`` keeps two experiments'
        seeds apart (``offset=100``), or starts a chapter's seeds at ``SEED + 1``.
        """
        count = self.profile.num_seeds if n is None else int(n)
        if count < 1:
            raise SizeError(f"run.seeds({n!r}): a run needs at least one seed")
        values = [self.seed + offset + i for i in range(count)]
        if name in self.seed_sets and self.seed_sets[name] != values:
            raise SizeError(f"seed set {name!r} drawn twice with different seeds; give the second a name of its own")
        self.seed_sets[name] = values
        every = list(dict.fromkeys(s for group in self.seed_sets.values() for s in group))
        record.record_run(seeds=every, seed_sets=dict(self.seed_sets))
        return values


def setup(profile: str | None = None, seed: int = 0, device: str | None = "auto",
          verbose: bool = True, **overrides: Any) -> Session:
    """Resolve the profile, seed everything, pick the device, set the threads and print it all.

    Call it once, right after the parameters cell::

        run = medlab.setup(PROFILE, SEED, DEVICE)

    ``overrides`` replace profile fields (``max_epochs=3``); ``None`` values
    are ignored, so parameters that default to ``None`` pass straight through.
    The torch thread count comes from the profile (``full``: 1, as the pages
    were produced) unless ``$MEDLAB_THREADS`` says otherwise; it is printed and
    recorded, because another count changes the last digits of a result.
    """
    prof = get_profile(profile, **overrides)
    set_seed(seed)
    dev = pick_device(device)
    threads = resolve_threads(prof)
    if threads is not None:
        torch.set_num_threads(threads)
    versions = library_versions()
    hw = hardware()
    record.record_run(profile=prof.name, seed=seed, seeds=[seed], device=str(dev), profile_settings=prof.as_dict(),
                      hardware=hw, versions=versions, threads=torch.get_num_threads(), sizes={}, seed_sets={})
    if verbose:
        print(f"medlab {__version__} | profile {prof.name} | seed {seed} | device {dev} | "
              f"torch threads {torch.get_num_threads()}")
        print("  profile defaults: " + ", ".join(f"{k}={v}" for k, v in prof.as_dict().items() if k != "name")
              + " (the chapter's own sizes are listed in its provenance box)")
        print("  " + " ".join(f"{k} {v}" for k, v in versions.items()))
        print(f"  {hw.get('cpu', 'cpu')} ({hw['cpu_count']} cores)" + (f", GPU {hw['gpu']}" if hw["gpu"] else ""))
        if threads is None:
            print(f"  threads: torch's default; to reproduce a page, use the count in its provenance box "
                  f"(${THREADS_ENV}=n)")
    return Session(profile=prof, seed=seed, device=dev, threads=torch.get_num_threads())


__all__ = [
    "DeviceNotAvailableError", "set_seed", "seed_worker", "make_generator", "pick_device", "library_versions",
    "hardware", "Session", "SizeError", "THREADS_ENV", "resolve_threads", "setup",
]
