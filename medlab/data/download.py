"""Download and verify files: checksums, resumable transfers, nothing half-written.

:func:`download_file` fetches one :class:`~medlab.data.sources.RemoteFile` from
its official URL with pooch. The transfer goes to a ``.part`` file that a later
call resumes (HTTP ``Range``, :class:`ResumableDownloader`); the finished file
is checked against its checksum before it is moved into place, so a wrong or
cut-off transfer never leaves a file that looks valid. :func:`verify_file`
checks a file already on disk (in the mirror or the data directory);
:func:`npz_digest` is the checksum of the arrays in an archive, for one the
data layer rebuilds itself.

Introduced in the chapter "Your first classifier" (chapters/03_first_classifier.ipynb),
whose data check prints :func:`file_digest` of the archive it trains on.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pooch
import requests
from tqdm import tqdm

from .sources import ChecksumError, DataNotAvailableError, IncompleteDownloadError, RemoteFile


def file_digest(path: Path, algorithm: str = "sha256") -> str:
    """Hex digest of a file, read in 1 MiB blocks."""
    h = hashlib.new(algorithm)
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def npz_digest(path: Path) -> str:
    """SHA-256 of the arrays in a NumPy ``.npz`` archive, whatever its compression.

    Hashes, key by key in sorted order, the key, the dtype, the shape and the
    C-order bytes of each array (read without pickle), so two archives that
    hold the same arrays agree even where zlib wrote different bytes. Raises
    :class:`~medlab.data.sources.ChecksumError` when ``path`` is not a readable archive.
    """
    h = hashlib.sha256()
    try:
        data = np.load(path, allow_pickle=False)
        if isinstance(data, np.lib.npyio.NpzFile):
            with data:
                for key in sorted(data.files):
                    array = np.ascontiguousarray(data[key])
                    h.update(f"{key}\0{array.dtype.str}\0{array.shape}\n".encode())
                    h.update(array.tobytes())
            return h.hexdigest()
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
        raise _unreadable_npz(path, f"{type(exc).__name__}: {exc}") from exc
    raise _unreadable_npz(path, "it holds a single array (.npy), not an archive")


def _unreadable_npz(path: Path, problem: str) -> ChecksumError:
    """The error of :func:`npz_digest` for a file that is not a readable ``.npz`` archive."""
    return ChecksumError(f"{path}: not a readable .npz archive ({problem}). Delete it and fetch it again.")


def verify_file(path: Path, spec: RemoteFile) -> str:
    """Check ``path`` against ``spec``'s checksum(s); return its SHA-256.

    Where ``spec`` has an ``array_sha256`` (an archive the data layer may
    rebuild) and the file's bytes differ, its arrays are checked instead.
    Raises :class:`~medlab.data.sources.ChecksumError` naming the file and what to do.
    """
    sha256 = file_digest(path, "sha256")
    problems = []
    if spec.sha256 and sha256 != spec.sha256:
        problems.append(f"sha256 {sha256} != expected {spec.sha256}")
    if spec.md5:
        md5 = file_digest(path, "md5")
        if md5 != spec.md5:
            problems.append(f"md5 {md5} != expected {spec.md5}")
    if problems and spec.array_sha256:
        arrays = npz_digest(path)
        if arrays == spec.array_sha256:
            return sha256  # the same arrays, compressed to other bytes
        problems.append(f"arrays sha256 {arrays} != expected {spec.array_sha256}")
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
    :class:`~medlab.data.sources.IncompleteDownloadError` and keeps the ``.part`` for the next call.
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
        # the .part is the resumable download itself, so it is moved, not rewritten
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
            "has published a new version, update medlab/data/registry.py."
        ) from exc
    # pooch checked one checksum; check both where the registry has both.
    try:
        verify_file(target, spec)
    except ChecksumError:
        target.unlink()  # never leave a file that fails verification at the target path
        raise
    return target


__all__ = ["file_digest", "npz_digest", "verify_file", "ResumableDownloader", "download_file"]
