"""Atomic writes: a file or a folder appears whole, or not at all.

Every ``medlab`` writer goes through these helpers: the content is written to
a hidden temporary sibling (``.<name>.<random>.part``) in the same folder and
moved into place with ``os.replace``, which is atomic on one file system.
A process killed half-way leaves at most a hidden ``.part`` sibling, never a
truncated file under the real name; :func:`remove_stale_parts` cleans those up.

Introduced in the chapter "DICOM in practice" (chapters/02_dicom_in_practice.ipynb).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import MedlabError

PART_SUFFIX = ".part"


class TargetExistsError(MedlabError, FileExistsError):
    """:func:`atomic_dir` would replace a folder that exists (also a ``FileExistsError``)."""


def _tmp_sibling(target: Path, directory: bool = False) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    prefix = f".{target.name}."
    if directory:
        return Path(tempfile.mkdtemp(prefix=prefix, suffix=PART_SUFFIX, dir=target.parent))
    fd, name = tempfile.mkstemp(prefix=prefix, suffix=PART_SUFFIX, dir=target.parent)
    os.close(fd)
    os.chmod(name, 0o666 & ~_umask())  # mkstemp makes 0600 files; a written file gets the usual mode
    return Path(name)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary file path; on success it replaces ``target``.

    For writers that want a path rather than data (``torch.save``,
    ``pydicom.Dataset.save_as``)::

        with atomic_path("model.pt") as tmp:
            torch.save(state, tmp)

    If the block raises, the temporary file is removed and ``target`` is left
    as it was.
    """
    target = Path(target)
    tmp = _tmp_sibling(target)
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_bytes(target: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``target`` atomically; return ``target`` as a Path."""
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return Path(target)


def atomic_write_text(target: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``target`` atomically; return ``target`` as a Path."""
    return atomic_write_bytes(target, text.encode(encoding))


@contextlib.contextmanager
def atomic_dir(target: str | os.PathLike[str], overwrite: bool = False) -> Iterator[Path]:
    """Yield a temporary folder; on success it becomes ``target``.

    ``target`` must not exist unless ``overwrite`` is true, in which case the
    old folder is replaced only once the new one is complete. On error the
    temporary folder is removed and ``target`` is untouched.
    """
    target = Path(target)
    if target.exists() and not overwrite:
        raise TargetExistsError(f"{target} already exists; remove it, choose another folder, "
                                "or pass overwrite=True to replace it")
    tmp = _tmp_sibling(target, directory=True)
    try:
        yield tmp
        if target.exists():
            old = _tmp_sibling(target, directory=True)
            old.rmdir()
            os.replace(target, old)
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def remove_stale_parts(folder: str | os.PathLike[str], recursive: bool = True) -> list[Path]:
    """Delete the hidden ``.part`` leftovers of killed writes under ``folder``; return them."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    pattern = f".*{PART_SUFFIX}"
    found = sorted(folder.rglob(pattern) if recursive else folder.glob(pattern))
    for p in found:
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)
    return found


__all__ = ["atomic_path", "atomic_write_bytes", "atomic_write_text",
           "atomic_dir", "remove_stale_parts", "PART_SUFFIX", "TargetExistsError"]
