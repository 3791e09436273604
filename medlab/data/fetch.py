"""Fetch the book's datasets: a folder of verified files, from the mirror, the cache or the source.

Every dataset the book uses is described once, in :mod:`medlab.data.registry`,
with its official URL(s), checksums, size, licence and citation. :func:`fetch`
returns a folder that holds the verified files, looking in this order:

1. the offline mirror named by ``MEDLAB_DATA_MIRROR`` (read in place, never copied);
2. the data directory ``MEDLAB_DATA_DIR`` (default: the user's cache folder);
3. the official source, downloaded into the data directory (:mod:`medlab.data.download`).

It records the dataset's identity (source, checksums) for the chapter's
provenance. :func:`describe` prints an entry for a chapter page.

The same module is the command line::

    python -m medlab.data.fetch [NAME ...] [--all] [--list] [--optional NAME ...] [--quiet]

``--optional`` names datasets whose absence is reported but does not fail the
command (for example the official PneumoniaMNIST on a machine without network
access). The package ``medlab.data`` imports this module and exports its
function ``fetch``, so ``medlab.data.fetch`` is the function, and
``python -m medlab.data.fetch`` still runs :func:`main`.

Introduced in the chapter "Imaging modalities" (chapters/01_imaging_modalities.ipynb).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import requests

from ..book import record
from . import registry
from .download import download_file, verify_file
from .sources import (
    FETCH_COMMAND,
    MIRROR_ENV,
    ChecksumError,
    DataError,
    DataNotAvailableError,
    DatasetEntry,
    data_dir,
    mirror_dir,
)


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
    official source. Raises :class:`~medlab.data.sources.DataNotAvailableError` with
    instructions when none of these works, and :class:`~medlab.data.sources.ChecksumError`
    when a file is wrong.
    """
    entry = registry.entry(name)
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
    entry = registry.entry(name)
    urls = sorted({f.url for f in entry.files if f.url})
    official = "official files" if entry.official else "NOT the official release: " + entry.note
    lines = [
        f"**{entry.title}** (`{entry.name}`, {official})",
        f"- source: {entry.homepage}" + (f" ({len(urls)} file URL(s))" if urls else ""),
        f"- licence: {entry.licence}",
        f"- cite: {entry.citation}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """The command line ``python -m medlab.data.fetch``; returns the exit status."""
    parser = argparse.ArgumentParser(prog=FETCH_COMMAND, description="Fetch and verify the book's datasets.")
    parser.add_argument("names", nargs="*", help="dataset names (see --list)")
    parser.add_argument("--all", action="store_true", help="every dataset in the registry")
    parser.add_argument("--list", action="store_true", help="list the registry and exit")
    parser.add_argument("--optional", nargs="*", default=[], metavar="NAME",
                        help="datasets whose absence is reported but not fatal")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)

    if args.list:
        for name, entry in sorted(registry.REGISTRY.items()):
            size = f"{entry.size / 1e6:7.1f} MB" if entry.size else "   size ?"
            flag = "" if entry.official else "  [not official]"
            print(f"{name:30s} {size}  {entry.licence}{flag}\n    {entry.title}")
        return 0
    names = registry.registry_names() if args.all else args.names
    if not names:
        parser.error("name at least one dataset, or pass --all")
    unknown = [n for n in names + args.optional if n not in registry.REGISTRY]
    if unknown:
        parser.error(f"unknown dataset(s) {unknown}; see --list")

    print(f"data directory: {data_dir()}\nmirror: {mirror_dir() or 'unset'}")
    failures = 0
    for name in names:
        try:
            folder = fetch(name, progress=not args.quiet)
            print(f"ok       {name:30s} {len(registry.REGISTRY[name].files)} file(s) in {folder}")
        except DataError as exc:
            if name in args.optional:
                print(f"skipped  {name:30s} (optional) {exc}")
            else:
                failures += 1
                print(f"FAILED   {name:30s} {exc}", file=sys.stderr)
    return 1 if failures else 0


__all__ = ["fetch", "describe", "main"]

if __name__ == "__main__":
    sys.exit(main())
