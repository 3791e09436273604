"""What a dataset is, where its files live, and what can go wrong getting them.

- :class:`RemoteFile` and :class:`DatasetEntry`: the shape of one registry entry
  (official URLs, checksums, sizes, licence, citation);
- :func:`data_dir` and :func:`mirror_dir`: the two local places the data layer
  looks (``$MEDLAB_DATA_DIR`` and the read-only mirror ``$MEDLAB_DATA_MIRROR``);
- the data layer's errors, all under :class:`medlab.errors.MedlabError`.

Introduced in the chapter "Your first classifier" (chapters/03_first_classifier.ipynb).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pooch

from ..errors import MedlabError

DATA_DIR_ENV = "MEDLAB_DATA_DIR"
MIRROR_ENV = "MEDLAB_DATA_MIRROR"
FETCH_COMMAND = "python -m medlab.data.fetch"


class DataError(MedlabError, RuntimeError):
    """Base class of the data layer's errors (a :class:`~medlab.errors.MedlabError`)."""


class ChecksumError(DataError):
    """A file's content does not match the checksum in the registry."""


class DataNotAvailableError(DataError):
    """A dataset is neither on disk nor downloadable right now."""


class IncompleteDownloadError(DataError):
    """The server closed the connection before the whole file arrived."""


class DatasetFormatError(MedlabError, ValueError):
    """A dataset file exists but does not hold what the book expects."""


class RegistryEntryError(DataError, ValueError):
    """A registry entry that cannot work as written: a file with no checksum, or a
    derived dataset without its source, its rebuild or its one file (also a ``ValueError``)."""


@dataclass(frozen=True)
class RemoteFile:
    """One file of a dataset.

    ``name`` is the path inside the dataset folder (and inside its mirror
    folder); ``url`` is the official download address (``None`` when the file
    has no public URL of its own, for example a redistributed subset).
    At least one of ``sha256`` and ``md5`` is given; both are checked when both are.

    ``array_sha256``, for a NumPy ``.npz`` archive that the data layer may
    rebuild itself (a subset derived from an official file): the checksum of
    the arrays it holds (:func:`medlab.data.download.npz_digest`). A rebuilt
    archive holds the same arrays, but another zlib may compress them to other
    bytes; a file whose bytes differ from ``sha256`` passes when its arrays match.
    """

    name: str
    url: str | None
    sha256: str | None = None
    md5: str | None = None
    size: int | None = None
    array_sha256: str | None = None

    def __post_init__(self) -> None:
        if not (self.sha256 or self.md5):
            raise RegistryEntryError(
                f"{self.name}: a registry file needs a sha256 or md5 checksum, and this one has neither. "
                "Add the sha256 of the verified file (medlab.data.file_digest(path)) to its RemoteFile "
                "in medlab/data/registry.py."
            )

    @property
    def known_hash(self) -> str:
        """The checksum in pooch's ``"alg:hex"`` form (sha256 preferred)."""
        return f"sha256:{self.sha256}" if self.sha256 else f"md5:{self.md5}"


@dataclass(frozen=True)
class DatasetEntry:
    """A registry entry: what a dataset is, where it officially lives, how to cite it.

    ``downloader``, when set, replaces the per-file download (TCIA serves a
    series as one ZIP, see :func:`medlab.data.tcia.download`).

    ``derived_from`` and ``derive``, for a dataset that is not published on its
    own but can be rebuilt from another registry entry (the PneumoniaMNIST
    subset from the official PneumoniaMNIST): ``derived_from`` names that
    entry, and ``derive(source_folder, out_file)`` writes this dataset's single
    file from the verified files in ``source_folder``. :func:`medlab.data.fetch.fetch`
    verifies the result against ``files[0]`` before it moves it into place.
    """

    name: str
    title: str
    files: tuple[RemoteFile, ...]
    licence: str
    citation: str
    homepage: str
    official: bool = True
    mirror_dir: str = ""
    note: str = ""
    downloader: Callable[[DatasetEntry, Path, bool], None] | None = field(
        default=None, compare=False, repr=False
    )
    derived_from: str = ""
    derive: Callable[[Path, Path], None] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if bool(self.derived_from) != (self.derive is not None) or (self.derive and len(self.files) != 1):
            raise RegistryEntryError(
                f"{self.name}: a derived dataset needs derived_from, derive and exactly one file (got "
                f"derived_from={self.derived_from!r}, derive={'set' if self.derive else 'None'}, "
                f"{len(self.files)} file(s)). Set all three in its DatasetEntry in medlab/data/registry.py, "
                "or none of derived_from and derive for a dataset that is downloaded as published."
            )

    @property
    def size(self) -> int:
        """Total size in bytes, where the registry knows it."""
        return sum(f.size or 0 for f in self.files)

    def how_to_get(self) -> str:
        """One paragraph telling a user how to obtain this dataset."""
        urls = sorted({f.url for f in self.files if f.url})
        if self.derived_from:
            where = (f"build it from the official '{self.derived_from}' (downloaded, needs network "
                     f"access) with `{FETCH_COMMAND} {self.name}`, or")
        elif urls or self.downloader:
            where = f"download it (needs network access) with `{FETCH_COMMAND} {self.name}`, or"
        else:
            where = "it has no public download of its own, so"
        mirror = f"{self.mirror_dir}/" if self.mirror_dir else ""
        return (
            f"To get '{self.name}' ({self.title}): {where} set {MIRROR_ENV} to a "
            f"mirror folder that holds {mirror}{self.files[0].name}"
            + (f" (and the other {len(self.files) - 1} files)" if len(self.files) > 1 else "")
            + "."
        )


def data_dir() -> Path:
    """The folder downloads go to: ``$MEDLAB_DATA_DIR`` or the user's cache folder."""
    env = os.environ.get(DATA_DIR_ENV)
    return Path(env).expanduser() if env else Path(pooch.os_cache("medlab"))


def mirror_dir() -> Path | None:
    """The offline mirror named by ``$MEDLAB_DATA_MIRROR``, or ``None``."""
    env = os.environ.get(MIRROR_ENV)
    return Path(env).expanduser() if env else None


def absolute_env_paths() -> None:
    """Make ``$MEDLAB_DATA_DIR`` and ``$MEDLAB_DATA_MIRROR`` absolute, from the current folder.

    A notebook runs in its own folder, so a relative path that was right for
    the command that started it would point elsewhere inside the kernel; the
    runner (``python -m medlab.run``) calls this before it starts one.
    """
    for var in (DATA_DIR_ENV, MIRROR_ENV):
        value = os.environ.get(var)
        if value and not Path(value).expanduser().is_absolute():
            os.environ[var] = str(Path(value).expanduser().resolve())


__all__ = [
    "DATA_DIR_ENV", "MIRROR_ENV", "FETCH_COMMAND", "DataError", "ChecksumError",
    "DataNotAvailableError", "IncompleteDownloadError", "DatasetFormatError", "RegistryEntryError", "RemoteFile",
    "DatasetEntry", "data_dir", "mirror_dir", "absolute_env_paths",
]
