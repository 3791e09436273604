"""Shared fixtures: the book's root, the data mirror, a clean medlab environment."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture
def mirror() -> Path:
    """The offline data mirror; tests that need real data skip without one."""
    env = os.environ.get("MEDLAB_DATA_MIRROR")
    if not env or not Path(env).is_dir():
        pytest.skip("MEDLAB_DATA_MIRROR is not set to a folder (real-data test)")
    return Path(env)


@pytest.fixture(autouse=True)
def _isolate_records(monkeypatch):
    """Tests never write into a runner's record file and start with no records."""
    from medlab.runtime import record

    monkeypatch.delenv("MEDLAB_RECORD_FILE", raising=False)
    record._reset()
    yield
    record._reset()
