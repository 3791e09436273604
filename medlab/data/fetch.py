"""Fetch the book's datasets: a folder of verified files, from the mirror, the cache or the source.

Every dataset the book uses is described once, in :mod:`medlab.data.registry`,
with its official URL(s), checksums, size, licence and citation. :func:`fetch`
returns a folder that holds the verified files, looking in this order:

1. the offline mirror named by ``MEDLAB_DATA_MIRROR`` (read in place, never copied);
2. the data directory ``MEDLAB_DATA_DIR`` (default: the user's cache folder);
3. the official source, downloaded into the data directory (:mod:`medlab.data.download`);
   a dataset with no download of its own that is derived from another one (the
   PneumoniaMNIST subset, from the official PneumoniaMNIST) is built from that
   one's verified files instead, checked against the registry and stored in the
   data directory.

It records the dataset's identity (source, checksums; for a derived dataset,
whether the mirror's copy or a rebuilt file ran) for the chapter's provenance.
:func:`describe` prints an entry for a chapter page.

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
import json
import sys
from pathlib import Path

import requests

from ..io import atomic_path, atomic_write_text
from ..runtime import record
from . import registry
from .download import download_file, verify_file
from .sources import (
    FETCH_COMMAND,
    MIRROR_ENV,
    ChecksumError,
    DataError,
    DataNotAvailableError,
    DatasetEntry,
    DatasetFormatError,
    data_dir,
    mirror_dir,
)

# Beside a file the data layer built from another dataset: what it was built from (for the provenance).
DERIVATION_RECORD = "derivation.json"


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


def _locate(entry: DatasetEntry, progress: bool) -> tuple[Path, str, dict[str, str]]:
    """Folder, source (mirror, data_dir, download, derived) and SHA-256 of every file of ``entry``."""
    mirror = mirror_dir()
    if mirror is not None:
        candidate = mirror / entry.mirror_dir if entry.mirror_dir else mirror
        digests = _verified(candidate, entry)
        if digests is not None:
            return candidate, "mirror", digests
    candidate = data_dir() / entry.name
    try:
        digests = _verified(candidate, entry)
    except ChecksumError:
        digests = None  # a bad local copy is replaced below
    if digests is not None:
        return candidate, "data_dir", digests
    try:
        if entry.derive is not None:
            _derive(entry, candidate, progress)
        elif entry.downloader is not None:
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
        how = f"building it from '{entry.derived_from}'" if entry.derived_from else "downloading"
        mirror_text = mirror if mirror is not None else "unset"
        raise DataNotAvailableError(
            f"Dataset '{entry.name}' is not available: it is not in the mirror ({MIRROR_ENV}={mirror_text}) "
            f"nor in the data directory, and {how} failed ({type(exc).__name__}: {exc}). "
            + entry.how_to_get()
        ) from exc
    digests = _verified(candidate, entry)
    if digests is None:  # pragma: no cover - a downloader that forgot a file
        raise DataNotAvailableError(f"Dataset '{entry.name}': download finished with files missing")
    return candidate, "derived" if entry.derive is not None else "download", digests


def _derive(entry: DatasetEntry, folder: Path, progress: bool) -> None:
    """Build ``entry``'s one file in ``folder`` from the dataset it is derived from.

    The source dataset comes from the mirror, the data directory or its
    official URL (verified as always). The derived file is written to a hidden
    temporary sibling, checked against the registry, and only then moved into
    place, beside :data:`DERIVATION_RECORD` (what it was built from, for the
    provenance); a failed check leaves nothing behind.
    """
    spec = entry.files[0]
    source = registry.entry(entry.derived_from)
    source_folder, source_where, source_digests = _locate(source, progress)
    source_spec = source.files[0]
    source_path = source_folder / source_spec.name
    target = folder / spec.name
    target.unlink(missing_ok=True)  # a copy that failed verification
    with atomic_path(target) as tmp:
        try:
            entry.derive(source_folder, tmp)
            sha256 = verify_file(tmp, spec)
        except (ChecksumError, DatasetFormatError) as exc:
            mirror_file = f"{entry.mirror_dir}/{spec.name}" if entry.mirror_dir else spec.name
            raise ChecksumError(
                f"{target}: the file built from {source_path} (sha256 {source_digests[source_spec.name]}) "
                f"is not the registered '{entry.name}' ({exc}). Nothing was written to {target}. Either "
                f"the official file is not the one '{entry.name}' was taken from, or the rebuild has changed. "
                f"To fix it, use a copy of the file: set {MIRROR_ENV} to a mirror folder that holds "
                f"{mirror_file}, or put the file at {target}; if '{entry.derived_from}' has a new official "
                f"version, update both entries in medlab/data/registry.py."
            ) from exc
        atomic_write_text(folder / DERIVATION_RECORD, json.dumps({
            "dataset": entry.name,
            "file": spec.name,
            "sha256": sha256,
            "array_sha256": spec.array_sha256,
            "same_bytes_as_registry": sha256 == spec.sha256,
            "derived_from": {
                "dataset": source.name,
                "file": source_spec.name,
                "sha256": source_digests[source_spec.name],
                "md5": source_spec.md5,
                "source": source_where,
            },
        }, indent=1) + "\n")


def _origin(entry: DatasetEntry, folder: Path, source: str, sha256: str) -> dict[str, object]:
    """For a derived dataset: which file ran (the mirror's copy or one rebuilt here), with checksums."""
    spec = entry.files[0]
    out: dict[str, object] = {"array_sha256": spec.array_sha256} if spec.array_sha256 else {}
    derivation = folder / DERIVATION_RECORD
    if source != "mirror" and derivation.is_file():
        try:
            built = json.loads(derivation.read_text(encoding="utf-8"))
        except ValueError:
            built = {}
        if built.get("sha256") == sha256:  # the record describes this very file
            origin = built["derived_from"]
            out["origin"] = (f"rebuilt from the official {origin['file']} (sha256 {origin['sha256']}) "
                             f"of '{origin['dataset']}'")
            out["derived_from"] = origin
            out["same_bytes_as_registry"] = built["same_bytes_as_registry"]
            return out
    out["origin"] = f"the {'mirror' if source == 'mirror' else 'data directory'}'s copy of {spec.name}"
    return out


def fetch(name: str, progress: bool = True) -> Path:
    """Return a folder holding dataset ``name``'s verified files.

    Looks in the mirror, then the data directory, then downloads from the
    official source (or, for a dataset derived from another one, builds it
    from that one's verified files). Raises
    :class:`~medlab.data.sources.DataNotAvailableError` with instructions when
    none of these works, and :class:`~medlab.data.sources.ChecksumError` when a
    file is wrong. Records the dataset for the chapter's provenance: where it
    came from and its checksum, and for a derived dataset which file ran.
    """
    entry = registry.entry(name)
    folder, source, digests = _locate(entry, progress)
    info: dict[str, object] = {
        "title": entry.title,
        "official": entry.official,
        "source": source,
        "files": len(digests),
        "sha256": digests[entry.files[0].name] if len(digests) == 1 else _fingerprint(digests),
        "licence": entry.licence,
    }
    if entry.derived_from:
        info.update(_origin(entry, folder, source, digests[entry.files[0].name]))
    record.record_data(name, info)
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
