"""Seeds, devices and the environment printout at the top of every chapter.

Introduced in the chapter "Your first classifier" (chapters/03_first_classifier.ipynb).
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import random
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from .. import __version__
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


@dataclass
class Session:
    """What :func:`setup` returns: the profile, seed, device and a seeded generator."""

    profile: Profile
    seed: int
    device: torch.device

    def generator(self, offset: int = 0) -> torch.Generator:
        """A fresh generator seeded with ``seed + offset``."""
        return make_generator(self.seed + offset)

    @property
    def seeds(self) -> list[int]:
        """The seeds of a multi-seed experiment, ``seed`` to ``seed + num_seeds - 1``."""
        return [self.seed + i for i in range(self.profile.num_seeds)]


def setup(profile: str | None = None, seed: int = 0, device: str | None = "auto",
          verbose: bool = True, **overrides: Any) -> Session:
    """Resolve the profile, seed everything, pick the device and print it all.

    Call it once, right after the parameters cell::

        run = medlab.setup(PROFILE, SEED, DEVICE)

    ``overrides`` replace profile fields (``max_epochs=3``); ``None`` values
    are ignored, so parameters that default to ``None`` pass straight through.
    """
    prof = get_profile(profile, **overrides)
    set_seed(seed)
    dev = pick_device(device)
    versions = library_versions()
    hw = hardware()
    record.record_run(profile=prof.name, seed=seed, device=str(dev), profile_settings=prof.as_dict(),
                      hardware=hw, versions=versions)
    if verbose:
        print(f"medlab {__version__} | profile {prof.name} | seed {seed} | device {dev}")
        print("  " + ", ".join(f"{k}={v}" for k, v in prof.as_dict().items() if k != "name"))
        print("  " + " ".join(f"{k} {v}" for k, v in versions.items()))
        print(f"  {hw.get('cpu', 'cpu')} ({hw['cpu_count']} cores, torch threads {hw['torch_threads']})"
              + (f", GPU {hw['gpu']}" if hw["gpu"] else ""))
    return Session(profile=prof, seed=seed, device=dev)


__all__ = [
    "DeviceNotAvailableError", "set_seed", "seed_worker", "make_generator", "pick_device", "library_versions",
    "hardware", "Session", "setup",
]
