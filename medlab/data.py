"""Fetch and verify the book's datasets: one registry, checksums, a local mirror.

Every dataset the book uses is described once, in ``data_scripts.registry``,
with its official URL(s), checksums, size, licence and citation. :func:`fetch`
returns a folder that holds the verified files, looking in this order:

1. the offline mirror named by ``MEDLAB_DATA_MIRROR`` (read in place, never copied);
2. the data directory ``MEDLAB_DATA_DIR`` (default: the user's cache folder);
3. the official source, downloaded into the data directory.

Downloads go to a ``.part`` file that a later call resumes (HTTP ``Range``);
the finished file is checked against its checksum before it is moved into
place, so a wrong or cut-off transfer never leaves a file that looks valid.

Introduced in the chapter "Your first classifier" (chapters/03_first_classifier.ipynb).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import pooch
import requests
from tqdm import tqdm

from . import record

DATA_DIR_ENV = "MEDLAB_DATA_DIR"
MIRROR_ENV = "MEDLAB_DATA_MIRROR"


class DataError(RuntimeError):
    """Base class of the data layer's errors."""


class ChecksumError(DataError):
    """A file's content does not match the checksum in the registry."""


class DataNotAvailableError(DataError):
    """A dataset is neither on disk nor downloadable right now."""


class IncompleteDownloadError(DataError):
    """The server closed the connection before the whole file arrived."""


@dataclass(frozen=True)
class RemoteFile:
    """One file of a dataset.

    ``name`` is the path inside the dataset folder (and inside its mirror
    folder); ``url`` is the official download address (``None`` when the file
    has no public URL of its own, for example a redistributed subset).
    At least one of ``sha256`` and ``md5`` is given; both are checked when both are.
    """

    name: str
    url: str | None
    sha256: str | None = None
    md5: str | None = None
    size: int | None = None

    def __post_init__(self) -> None:
        if not (self.sha256 or self.md5):
            raise ValueError(f"{self.name}: a registry file needs a sha256 or md5 checksum")

    @property
    def known_hash(self) -> str:
        """The checksum in pooch's ``"alg:hex"`` form (sha256 preferred)."""
        return f"sha256:{self.sha256}" if self.sha256 else f"md5:{self.md5}"


@dataclass(frozen=True)
class DatasetEntry:
    """A registry entry: what a dataset is, where it officially lives, how to cite it."""

    name: str
    title: str
    files: tuple[RemoteFile, ...]
    licence: str
    citation: str
    homepage: str
    official: bool = True
    mirror_dir: str = ""
    note: str = ""
    downloader: Callable[["DatasetEntry", Path, bool], None] | None = field(
        default=None, compare=False, repr=False
    )

    @property
    def size(self) -> int:
        """Total size in bytes, where the registry knows it."""
        return sum(f.size or 0 for f in self.files)

    def how_to_get(self) -> str:
        """One paragraph telling a user how to obtain this dataset."""
        urls = sorted({f.url for f in self.files if f.url})
        where = (
            f"download it (needs network access) with `python -m data_scripts.fetch {self.name}`, or"
            if urls or self.downloader
            else "it has no public download of its own, so"
        )
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
    runner calls this before it starts one.
    """
    for var in (DATA_DIR_ENV, MIRROR_ENV):
        value = os.environ.get(var)
        if value and not Path(value).expanduser().is_absolute():
            os.environ[var] = str(Path(value).expanduser().resolve())


def file_digest(path: Path, algorithm: str = "sha256") -> str:
    """Hex digest of a file, read in 1 MiB blocks."""
    h = hashlib.new(algorithm)
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def verify_file(path: Path, spec: RemoteFile) -> str:
    """Check ``path`` against ``spec``'s checksum(s); return its SHA-256.

    Raises :class:`ChecksumError` naming the file and what to do.
    """
    sha256 = file_digest(path, "sha256")
    problems = []
    if spec.sha256 and sha256 != spec.sha256:
        problems.append(f"sha256 {sha256} != expected {spec.sha256}")
    if spec.md5:
        md5 = file_digest(path, "md5")
        if md5 != spec.md5:
            problems.append(f"md5 {md5} != expected {spec.md5}")
    if problems:
        raise ChecksumError(
            f"{path}: checksum mismatch ({'; '.join(problems)}). The file is corrupt, "
            "truncated or a different version. Delete it and fetch it again, or fix the "
            "mirror that provided it."
        )
    return sha256


class ResumableDownloader:
    """A pooch downloader that resumes an interrupted transfer from a ``.part`` file.

    pooch hands it a temporary output path and checks the checksum after it
    returns; this class streams into ``<target>.part`` (appending with an HTTP
    ``Range`` request when a previous attempt left one) and moves the finished
    ``.part`` onto pooch's temporary file. A transfer that ends early raises
    :class:`IncompleteDownloadError` and keeps the ``.part`` for the next call.
    """

    def __init__(self, part_path: Path, progress: bool = True, timeout: float = 30.0):
        self.part_path = Path(part_path)
        self.progress = progress
        self.timeout = timeout

    def __call__(self, url: str, output_file: str, pooch_obj: object, check_only: bool = False) -> bool | None:
        if check_only:
            return True
        part = self.part_path
        part.parent.mkdir(parents=True, exist_ok=True)
        start = part.stat().st_size if part.exists() else 0
        headers = {"Range": f"bytes={start}-"} if start else {}
        with requests.get(url, headers=headers, stream=True, timeout=self.timeout) as response:
            if start and response.status_code == 416:
                # The .part is already as long as (or longer than) the file: start over.
                part.unlink()
                return self(url, output_file, pooch_obj)
            response.raise_for_status()
            if start and response.status_code != 206:
                start = 0  # the server ignored the Range request: restart from zero
            length = response.headers.get("Content-Length")
            total = start + int(length) if length is not None else None
            mode = "ab" if start else "wb"
            try:
                with open(part, mode) as fh, tqdm(
                    total=total,
                    initial=start,
                    unit="B",
                    unit_scale=True,
                    desc=Path(part.name).stem,
                    disable=not self.progress,
                    leave=False,
                ) as bar:
                    for chunk in response.iter_content(chunk_size=1 << 16):
                        fh.write(chunk)
                        bar.update(len(chunk))
            except requests.exceptions.RequestException as exc:
                raise IncompleteDownloadError(
                    f"{url}: transfer interrupted after {part.stat().st_size} bytes ({exc}); "
                    "run the same command again to resume."
                ) from exc
        got = part.stat().st_size
        if total is not None and got < total:
            raise IncompleteDownloadError(
                f"{url}: got {got} of {total} bytes; run the same command again to resume."
            )
        os.replace(part, output_file)
        return None


def download_file(spec: RemoteFile, target: Path, progress: bool = True) -> Path:
    """Download ``spec`` to ``target`` (resuming, checksum-verified, atomic)."""
    if not spec.url:
        raise DataNotAvailableError(f"{spec.name}: no official URL in the registry")
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    try:
        pooch.retrieve(
            spec.url,
            known_hash=spec.known_hash,
            fname=target.name,
            path=target.parent,
            downloader=ResumableDownloader(part, progress=progress),
            progressbar=False,
        )
    except requests.exceptions.RequestException:
        raise  # some are ValueErrors too (InvalidURL); they are not checksum problems
    except ValueError as exc:  # pooch's checksum mismatch; it has removed its temp file
        raise ChecksumError(
            f"{spec.url}: the downloaded file does not match the registry checksum "
            f"{spec.known_hash} ({exc}). Nothing was written to {target}. If the source "
            "has published a new version, update data_scripts/registry.py."
        ) from exc
    # pooch checked one checksum; check both where the registry has both.
    try:
        verify_file(target, spec)
    except ChecksumError:
        target.unlink()  # never leave a file that fails verification at the target path
        raise
    return target


def _entry(name: str) -> DatasetEntry:
    from data_scripts.registry import REGISTRY

    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(
            f"unknown dataset '{name}'; the registry has: {', '.join(sorted(REGISTRY))}"
        ) from None


def _verified(folder: Path, entry: DatasetEntry) -> dict[str, str] | None:
    """SHA-256 of every file if all are present in ``folder``; ``None`` if any is missing."""
    paths = [folder / f.name for f in entry.files]
    if not all(p.is_file() for p in paths):
        return None
    return {f.name: verify_file(p, f) for f, p in zip(entry.files, paths)}


def _fingerprint(digests: dict[str, str]) -> str:
    """One SHA-256 over the sorted (name, sha256) pairs of a dataset's files."""
    h = hashlib.sha256()
    for name in sorted(digests):
        h.update(f"{name}\0{digests[name]}\n".encode())
    return h.hexdigest()


def fetch(name: str, progress: bool = True) -> Path:
    """Return a folder holding dataset ``name``'s verified files.

    Looks in the mirror, then the data directory, then downloads from the
    official source. Raises :class:`DataNotAvailableError` with instructions
    when none of these works, and :class:`ChecksumError` when a file is wrong.
    """
    entry = _entry(name)
    source, folder, digests = None, None, None
    mirror = mirror_dir()
    if mirror is not None:
        candidate = mirror / entry.mirror_dir if entry.mirror_dir else mirror
        digests = _verified(candidate, entry)
        if digests is not None:
            source, folder = "mirror", candidate
    if folder is None:
        candidate = data_dir() / entry.name
        try:
            digests = _verified(candidate, entry)
        except ChecksumError:
            digests = None  # a bad local copy is replaced by a fresh download below
        if digests is not None:
            source, folder = "data_dir", candidate
    if folder is None:
        candidate = data_dir() / entry.name
        try:
            if entry.downloader is not None:
                entry.downloader(entry, candidate, progress)
            else:
                for spec in entry.files:
                    target = candidate / spec.name
                    if target.is_file():
                        try:
                            verify_file(target, spec)
                            continue
                        except ChecksumError:
                            target.unlink()
                    if not spec.url:
                        raise DataNotAvailableError(f"{spec.name} has no official URL")
                    download_file(spec, target, progress=progress)
        except (requests.exceptions.RequestException, DataNotAvailableError) as exc:
            raise DataNotAvailableError(
                f"Dataset '{name}' is not available: it is not in the mirror "
                f"({MIRROR_ENV}={mirror if mirror is not None else 'unset'}) nor in the data "
                f"directory, and downloading failed ({type(exc).__name__}: {exc}). "
                + entry.how_to_get()
            ) from exc
        digests = _verified(candidate, entry)
        if digests is None:  # pragma: no cover - a downloader that forgot a file
            raise DataNotAvailableError(f"Dataset '{name}': download finished with files missing")
        source, folder = "download", candidate
    record.record_data(
        name,
        {
            "title": entry.title,
            "official": entry.official,
            "source": source,
            "files": len(digests),
            "sha256": digests[entry.files[0].name] if len(digests) == 1 else _fingerprint(digests),
            "licence": entry.licence,
        },
    )
    return folder


def describe(name: str) -> str:
    """A short Markdown description of a dataset: title, source, licence, citation."""
    entry = _entry(name)
    urls = sorted({f.url for f in entry.files if f.url})
    official = "official files" if entry.official else "NOT the official release: " + entry.note
    lines = [
        f"**{entry.title}** (`{entry.name}`, {official})",
        f"- source: {entry.homepage}" + (f" ({len(urls)} file URL(s))" if urls else ""),
        f"- licence: {entry.licence}",
        f"- cite: {entry.citation}",
    ]
    return "\n".join(lines)


def registry_names() -> Iterable[str]:
    """Names of every dataset in the registry."""
    from data_scripts.registry import REGISTRY

    return sorted(REGISTRY)

