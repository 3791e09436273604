"""Run profiles: one parameters cell, three sizes of the same chapter.

A chapter's ``parameters`` cell sets ``PROFILE = "full"``; papermill can
override it (``papermill -p PROFILE smoke``) and so can the environment
(``MEDLAB_PROFILE=smoke``), which wins over both so that CI and nbval test
stored notebooks without editing them. :func:`get_profile` turns the name into
concrete sizes, so a notebook never hard-codes two versions of itself.

- ``smoke``: CI on 2 CPU cores, offline, seconds per chapter. Checks that the
  code runs and results are sane, not that they are good.
- ``full``: what the rendered book shows; real training sized for a laptop CPU.
- ``paper``: published protocols (e.g. MedMNIST's 100 epochs), meant for a GPU.

Introduced in the chapter "Your first classifier" (chapters/03_first_classifier.ipynb).
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, replace
from typing import Any

from ..errors import MedlabError

PROFILE_ENV = "MEDLAB_PROFILE"


class ProfileError(MedlabError, ValueError):
    """An unknown profile name (from the parameters cell or ``$MEDLAB_PROFILE``)."""


@dataclass(frozen=True)
class Profile:
    """Concrete sizes for one profile.

    ``train_size``/``eval_size`` of ``None`` mean the whole split; numbers
    sub-sample it (stratified) after loading.
    """

    name: str
    max_epochs: int
    train_size: int | None
    eval_size: int | None
    batch_size: int
    num_seeds: int
    patience: int | None
    lr: float
    num_workers: int
    threads: int | None = None
    """torch's intra-op CPU threads; ``None`` leaves torch's default (one per core).

    The number of threads changes the order of floating-point sums, so it is part
    of a run: ``full`` pins one thread, which is how the pages were produced."""

    def as_dict(self) -> dict[str, Any]:
        """The profile as a plain dict (for printing and provenance)."""
        return asdict(self)

    def with_overrides(self, **overrides: Any) -> Profile:
        """A copy with some fields replaced; ``None`` values are ignored."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


PROFILES: dict[str, Profile] = {
    "smoke": Profile("smoke", max_epochs=1, train_size=256, eval_size=128, batch_size=64,
                     num_seeds=1, patience=None, lr=1e-3, num_workers=0, threads=None),
    "full": Profile("full", max_epochs=15, train_size=None, eval_size=None, batch_size=128,
                    num_seeds=3, patience=5, lr=1e-3, num_workers=0, threads=1),
    "paper": Profile("paper", max_epochs=100, train_size=None, eval_size=None, batch_size=128,
                     num_seeds=5, patience=None, lr=1e-3, num_workers=4, threads=None),
}


def resolve_profile_name(parameter: str | None = None) -> str:
    """The profile in force: ``$MEDLAB_PROFILE`` if set, else ``parameter``, else ``full``."""
    name = os.environ.get(PROFILE_ENV) or parameter or "full"
    name = name.strip().lower()
    if name not in PROFILES:
        raise ProfileError(
            f"unknown profile '{name}' (from "
            f"{'$' + PROFILE_ENV if os.environ.get(PROFILE_ENV) else 'the parameters cell'}); "
            f"choose one of {', '.join(PROFILES)}"
        )
    return name


def get_profile(parameter: str | None = None, **overrides: Any) -> Profile:
    """The :class:`Profile` in force, with optional per-chapter overrides."""
    return PROFILES[resolve_profile_name(parameter)].with_overrides(**overrides)
