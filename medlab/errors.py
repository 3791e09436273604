"""One root for every error ``medlab`` raises on purpose.

A chapter (or a user's script) can catch :class:`MedlabError` to handle any
problem the book's helpers detect: a dataset that is missing or corrupt, a
DICOM file that cannot be read, a de-identification that must not go ahead.
Each subclass also derives from the built-in exception a caller would expect
(``ValueError`` for bad input, ``RuntimeError`` for a failed operation,
``OSError`` for files), so existing ``except ValueError`` code keeps working.

Every message names the file (or dataset) concerned and says how to fix it.
No ``medlab`` module raises a bare built-in exception on purpose; each module
defines (or reuses) a small subclass here or next to its code, and
``tests/test_errors.py`` checks both rules.

Introduced in the chapter "DICOM in practice" (chapters/02_dicom_in_practice.ipynb).
"""

from __future__ import annotations

from dataclasses import dataclass


class MedlabError(Exception):
    """Root of every error raised on purpose by ``medlab``."""


@dataclass(frozen=True)
class Skipped:
    """One input a batch reader left out, and why: the one shape of "files skipped".

    ``path`` is the file (as given), ``reason`` a one-line, human-readable
    explanation, and ``error`` the class name of the error that caused it.
    """

    path: str
    reason: str
    error: str = ""

    @classmethod
    def from_exception(cls, path: object, exc: BaseException) -> Skipped:
        """A record for ``path`` skipped because of ``exc``."""
        return cls(path=str(path), reason=str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__,
                   error=type(exc).__name__)


__all__ = ["MedlabError", "Skipped"]
