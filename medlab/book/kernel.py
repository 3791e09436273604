"""Executing a chapter notebook in a fresh kernel, with environment variables set for that run only.

The runner (``python -m medlab.run``) and its refactor confirmation
(``python -m medlab.run CHAPTER --confirm-refactor``) both execute chapters
with papermill under variables the chapter's kernel reads (the profile, the
record file, where ``medlab`` is imported from); :func:`execute` does it for
both, and puts the caller's environment back afterwards, whatever happens.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any


@contextlib.contextmanager
def environment(values: Mapping[str, str | None]) -> Iterator[None]:
    """Set (or, for ``None``, remove) environment variables for the block; restore them afterwards."""
    saved = {key: os.environ.get(key) for key in values}
    try:
        for key, value in values.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def execute(src: Path, out: Path, parameters: Mapping[str, Any], env: Mapping[str, str | None],
            timeout: int | None = None) -> None:
    """Run ``src`` with papermill (``python3`` kernel, in the notebook's folder) into ``out`` under ``env``.

    Papermill's exceptions propagate; the caller says what failed.
    """
    import papermill as pm

    with environment(env):
        pm.execute_notebook(str(src), str(out), parameters=dict(parameters), cwd=str(src.parent),
                            kernel_name="python3", progress_bar=False, execution_timeout=timeout)


__all__ = ["environment", "execute"]
