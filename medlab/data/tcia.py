"""TCIA Brain-Tumor-Progression: download series through TCIA's public NBIA API.

The NBIA ``getImage`` endpoint returns one series as a ZIP of DICOM files,
addressed by ``SeriesInstanceUID``. File names inside the ZIP are not stable,
so each file is matched to the manifest by its SHA-256 (the files are the
original DICOM, unchanged) and written under the manifest's name. A series is
extracted into a temporary folder and moved into place only when every file
has been matched, so a failed download never leaves a partial series.

The manifest (``tcia_brain_tumor_progression.json``, package data beside this
module) is rebuilt from a local copy with
``python -m data_scripts.build_tcia_manifest``.

Introduced in the chapter "Imaging modalities" (chapters/01_imaging_modalities.ipynb),
which shows an MR slice of this collection through :func:`~medlab.data.fetch.fetch`.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

from ..io import atomic_dir
from .download import ResumableDownloader, verify_file
from .sources import ChecksumError, DatasetEntry, RemoteFile

NBIA_API = "https://services.cancerimagingarchive.net/nbia-api/services/v1"
MANIFEST = Path(__file__).with_name("tcia_brain_tumor_progression.json")


def series_url(series_instance_uid: str, api: str = NBIA_API) -> str:
    """The NBIA URL that returns one series as a ZIP."""
    return f"{api}/getImage?SeriesInstanceUID={series_instance_uid}"


def load_manifest() -> dict:
    """The committed manifest: every series with its UIDs and per-file SHA-256."""
    return json.loads(MANIFEST.read_text())


def extract_series(zip_path: Path, series: dict, dest: Path) -> None:
    """Verify ``zip_path`` against ``series`` and move its DICOM files to ``dest``.

    The files are written into a temporary folder that becomes ``dest`` only
    when every file of the manifest was found (:func:`medlab.io.atomic_dir`).
    """
    wanted = {f["sha256"]: f["name"] for f in series["files"]}
    with atomic_dir(dest, overwrite=True) as tmp, zipfile.ZipFile(zip_path) as zf:
        for member in zf.namelist():
            if not member.lower().endswith(".dcm"):
                continue
            data = zf.read(member)
            name = wanted.get(hashlib.sha256(data).hexdigest())
            if name is not None:
                (tmp / name).write_bytes(data)
        missing = sorted(set(wanted.values()) - {p.name for p in tmp.iterdir()})
        if missing:
            raise ChecksumError(
                f"{zip_path}: series {series['series_instance_uid']} lacks {len(missing)} "
                f"file(s) of the manifest (for example {missing[0]}); nothing was written to {dest}. "
                "Fetch it again; if TCIA has changed the series, rebuild the manifest with "
                "`python -m data_scripts.build_tcia_manifest`."
            )


def download(entry: DatasetEntry, folder: Path, progress: bool = True, api: str = NBIA_API) -> None:
    """Download every series of the manifest that ``folder`` does not yet hold."""
    for series in load_manifest()["series"]:
        dest = folder / series["path"]
        try:
            if all(verify_file(dest / f["name"], _spec(series["path"], f)) for f in series["files"]):
                continue
        except (FileNotFoundError, ChecksumError):
            pass
        zip_path = folder / ".downloads" / f"{series['series_instance_uid']}.zip"
        zip_path.parent.mkdir(parents=True, exist_ok=True)
        part = zip_path.with_name(zip_path.name + ".part")
        downloader = ResumableDownloader(part, progress=progress)
        downloader(series_url(series["series_instance_uid"], api), str(zip_path), None)
        extract_series(zip_path, series, dest)
        zip_path.unlink()


def _spec(series_path: str, f: dict) -> RemoteFile:
    return RemoteFile(f"{series_path}/{f['name']}", None, sha256=f["sha256"], size=f["size"])


def tcia_entry() -> DatasetEntry:
    """The registry entry for the Brain-Tumor-Progression series the book uses."""
    manifest = load_manifest()
    files = tuple(_spec(s["path"], f) for s in manifest["series"] for f in s["files"])
    n_series = len(manifest["series"])
    patients = sorted({s["patient_id"] for s in manifest["series"]})
    return DatasetEntry(
        name="tcia_brain_tumor_progression",
        title=f"TCIA Brain-Tumor-Progression: {len(patients)} patients, {n_series} MR series "
              "(T1post, FLAIRreg, MaskTumor), de-identified DICOM",
        files=files,
        licence="TCIA data usage policy; collection licensed CC BY 3.0 (check the collection page)",
        citation="Schmainda, K. M. & Prah, M. Data from Brain-Tumor-Progression. The Cancer "
                 "Imaging Archive (2018). doi:10.7937/K9/TCIA.2018.15quzvnb. Clark, K. et al. "
                 "The Cancer Imaging Archive (TCIA). J. Digit. Imaging 26, 1045-1057 (2013).",
        homepage="https://doi.org/10.7937/K9/TCIA.2018.15quzvnb (NBIA API by SeriesInstanceUID)",
        mirror_dir="tcia-brain-tumor-progression",
        downloader=download,
    )


__all__ = ["NBIA_API", "MANIFEST", "series_url", "load_manifest", "extract_series", "download",
           "tcia_entry"]
