"""Collect what a chapter run produced, for the runner's ``results/<chapter>.json``.

A chapter calls :func:`record_metrics` with the numbers it reports; the data
layer calls :func:`record_data` for every dataset it hands out, and
:func:`medlab.runtime.session.setup` calls :func:`record_run` with the profile, seed and device.
When a chapter runs under ``python -m medlab.run`` the environment variable
``MEDLAB_RECORD_FILE`` names a JSON file that collects these records; otherwise
they stay in memory, so a notebook run by hand behaves the same.

Introduced in the chapter "Your first classifier" (chapters/03_first_classifier.ipynb).
"""

from __future__ import annotations

import json
import math
import os
from typing import Any

from ..io import atomic_write_text

RECORD_ENV = "MEDLAB_RECORD_FILE"

RUNNER_ENV = "MEDLAB_RUNNER"
"""Set (to ``1``) while a chapter runs under ``python -m medlab.run``: training logs stay short in stored pages."""

_records: dict[str, Any] = {"run": {}, "metrics": {}, "data": {}}


def _clean(value: Any) -> Any:
    """Turn NumPy/torch scalars and containers into plain JSON values."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and callable(value.item):
        try:
            value = value.item()
        except (ValueError, RuntimeError):
            value = value.tolist()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def _flush() -> None:
    path = os.environ.get(RECORD_ENV)
    if path:
        atomic_write_text(path, json.dumps(_records, indent=1, sort_keys=True))


def record_run(**fields: Any) -> None:
    """Record run-level facts (profile, seed, device, ...)."""
    _records["run"].update(_clean(fields))
    _flush()


def record_metrics(prefix: str | None = None, /, **metrics: Any) -> dict[str, Any]:
    """Record metrics a chapter reports; ``prefix`` namespaces them (``"simple_cnn"``).

    Returns the cleaned metrics so a cell can display them.
    """
    cleaned = _clean(metrics)
    if prefix:
        _records["metrics"].setdefault(prefix, {}).update(cleaned)
    else:
        _records["metrics"].update(cleaned)
    _flush()
    return cleaned


def record_data(name: str, info: dict[str, Any]) -> None:
    """Record a dataset's identity (source, checksums) as the data layer hands it out."""
    _records["data"][name] = _clean(info)
    _flush()


def _snapshot() -> dict[str, Any]:
    """Everything recorded so far in this process (a deep copy; for tests)."""
    return json.loads(json.dumps(_records))


def _reset() -> None:
    """Forget everything recorded (for tests)."""
    for key in _records:
        _records[key] = {}
    _flush()
