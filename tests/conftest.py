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


SLOW_LIMIT_ENV = "MEDLAB_UNMARKED_TEST_LIMIT"
"""Seconds an unmarked test may take (default 5); ``./book.sh test`` allows more while chapters run beside it."""


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    """A test in tests/ that takes longer than the limit must be marked ``@pytest.mark.slow``, as README promises."""
    import time

    start = time.perf_counter()
    outcome = yield
    took = time.perf_counter() - start
    limit = float(os.environ.get(SLOW_LIMIT_ENV) or 5)
    in_tests = Path(str(item.fspath)).resolve().is_relative_to(ROOT / "tests")
    if in_tests and took > limit and item.get_closest_marker("slow") is None and outcome.excinfo is None:
        outcome.force_exception(pytest.fail.Exception(
            f"{item.nodeid} took {took:.1f} s (limit {limit:g} s for an unmarked test): mark it @pytest.mark.slow "
            f"so that ./book.sh test --fast stays fast, or make it faster", pytrace=False))
