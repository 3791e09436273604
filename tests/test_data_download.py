"""The data layer's real download code against a real local HTTP server.

``medlab.data`` (``download_file``, ``ResumableDownloader``, ``fetch``, and the
rebuild of a derived dataset such as the PneumoniaMNIST subset from its official
file) and ``medlab.data.tcia`` are exercised end to end over HTTP on 127.0.0.1: a
``ThreadingHTTPServer`` in a background thread serves in-memory files and can
misbehave on purpose (cut a transfer off midway, ignore ``Range``). Nothing is
mocked on the network path and no external address is ever contacted.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import socket
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from medlab.data import (
    ChecksumError,
    DataError,
    DataNotAvailableError,
    DatasetEntry,
    IncompleteDownloadError,
    RemoteFile,
    fetch,
    registry,
    sources,
    subsets,
    tcia,
)
from medlab.data.download import download_file, file_digest, npz_digest, verify_file
from medlab.runtime import record

# 200 kB of non-repeating bytes: several 64 KiB chunks, so a cut-off lands mid-stream.
PAYLOAD = hashlib.sha256(b"seed").digest() * 6250
PAYLOAD_SHA256 = hashlib.sha256(PAYLOAD).hexdigest()
PAYLOAD_MD5 = hashlib.md5(PAYLOAD).hexdigest()


# --------------------------------------------------------------------------- server


class _Handler(BaseHTTPRequestHandler):
    """Serves ``server.files``; ``server.modes[path]`` picks how it behaves.

    ``"normal"`` honours ``Range: bytes=N-`` (206, or 416 past the end);
    ``"ignore_range"`` always answers 200 with the whole file;
    ``"truncate"`` announces the full Content-Length, sends half and hangs up.
    """

    timeout = 5  # seconds; no connection can keep a handler thread forever

    def log_message(self, *args: object) -> None:  # keep pytest output clean
        pass

    def do_GET(self) -> None:
        srv = self.server
        srv.seen.append({"path": self.path, "range": self.headers.get("Range")})
        body = srv.files.get(self.path)
        if body is None:
            self.send_error(404)
            return
        mode = srv.modes.get(self.path, "normal")
        size = len(body)
        match = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range") or "")
        if mode == "normal" and match:
            start = int(match.group(1))
            if start >= size:
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{size}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{size - 1}/{size}")
            self.send_header("Content-Length", str(size - start))
            self.end_headers()
            self.wfile.write(body[start:])
            return
        self.send_response(200)
        self.send_header("Content-Length", str(size))
        self.end_headers()
        if mode == "truncate":
            self.wfile.write(body[: size // 2])
            self.wfile.flush()
            self.close_connection = True  # the socket closes with half the bytes sent
            return
        self.wfile.write(body)


class LocalServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.files: dict[str, bytes] = {}
        self.modes: dict[str, str] = {}
        self.seen: list[dict] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def serve(self, path: str, body: bytes, mode: str = "normal") -> str:
        """Publish ``body`` at ``path``; return its full URL."""
        self.files[path] = body
        self.modes[path] = mode
        return self.url + path


@pytest.fixture(autouse=True)
def _offline_env(monkeypatch, tmp_path):
    """No proxy may intercept 127.0.0.1, no record file, no mirror, data dir in tmp_path."""
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.delenv(record.RECORD_ENV, raising=False)
    monkeypatch.delenv(sources.MIRROR_ENV, raising=False)
    monkeypatch.setenv(sources.DATA_DIR_ENV, str(tmp_path / "data"))
    yield
    record._reset()  # fetch() records what it handed out; forget the test datasets


@pytest.fixture
def server():
    srv = LocalServer()
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(timeout=5)


@pytest.fixture
def dead_url():
    """A URL on a port that is bound but not listening: connections are refused at once."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        sock.close()


def _register(monkeypatch, entry: DatasetEntry) -> DatasetEntry:
    monkeypatch.setitem(registry.REGISTRY, entry.name, entry)
    return entry


def _entry(name: str, spec: RemoteFile, mirror_dir: str = "") -> DatasetEntry:
    return DatasetEntry(
        name=name, title=f"test dataset {name}", files=(spec,), licence="CC0",
        citation="nobody", homepage="http://127.0.0.1/", mirror_dir=mirror_dir,
    )


def _leftovers(folder: Path, keep: frozenset[str] | set[str] = frozenset()) -> list[str]:
    """Names in ``folder`` other than ``keep`` (``.part`` files, pooch temp files...)."""
    return sorted(p.name for p in folder.iterdir() if p.name not in keep) if folder.exists() else []


# --------------------------------------------------------------------------- download_file


def test_download_ok_leaves_only_the_file(server, tmp_path):
    url = server.serve("/files/scan.npz", PAYLOAD)
    target = tmp_path / "out" / "scan.npz"
    spec = RemoteFile("scan.npz", url, sha256=PAYLOAD_SHA256, md5=PAYLOAD_MD5, size=len(PAYLOAD))

    assert download_file(spec, target, progress=False) == target

    assert target.read_bytes() == PAYLOAD
    assert _leftovers(target.parent, {"scan.npz"}) == []
    assert server.seen == [{"path": "/files/scan.npz", "range": None}]


@pytest.mark.parametrize(
    "checksums",
    [
        {"sha256": "0" * 64},  # pooch's own check fails
        {"md5": "0" * 32},  # md5-only registry entry
        {"sha256": PAYLOAD_SHA256, "md5": "0" * 32},  # pooch passes, the second check fails
    ],
    ids=["sha256", "md5", "sha256-ok-md5-wrong"],
)
def test_wrong_checksum_leaves_nothing(server, tmp_path, checksums):
    url = server.serve("/files/scan.npz", PAYLOAD)
    target = tmp_path / "out" / "scan.npz"
    spec = RemoteFile("scan.npz", url, **checksums)

    with pytest.raises(ChecksumError) as info:
        download_file(spec, target, progress=False)

    assert "scan.npz" in str(info.value)
    assert not target.exists()
    assert _leftovers(target.parent) == []  # no .part, no pooch temp file


def test_cut_off_transfer_keeps_part_then_resumes_with_range(server, tmp_path):
    url = server.serve("/files/scan.npz", PAYLOAD, mode="truncate")
    target = tmp_path / "out" / "scan.npz"
    part = target.with_name("scan.npz.part")
    spec = RemoteFile("scan.npz", url, sha256=PAYLOAD_SHA256, size=len(PAYLOAD))

    with pytest.raises(IncompleteDownloadError) as info:
        download_file(spec, target, progress=False)
    assert isinstance(info.value, DataError)
    assert url in str(info.value)
    assert not target.exists()
    received = part.read_bytes()
    assert 0 < len(received) <= len(PAYLOAD) // 2
    assert received == PAYLOAD[: len(received)]
    assert _leftovers(target.parent, {part.name}) == []

    # The server is healthy again: the second call asks only for the rest.
    server.modes["/files/scan.npz"] = "normal"
    download_file(spec, target, progress=False)

    assert server.seen[-1] == {"path": "/files/scan.npz", "range": f"bytes={len(received)}-"}
    assert target.read_bytes() == PAYLOAD
    assert verify_file(target, spec) == PAYLOAD_SHA256
    assert _leftovers(target.parent, {"scan.npz"}) == []


def test_resume_against_server_that_ignores_range(server, tmp_path):
    url = server.serve("/files/scan.npz", PAYLOAD, mode="ignore_range")
    target = tmp_path / "out" / "scan.npz"
    target.parent.mkdir()
    part = target.with_name("scan.npz.part")
    stale = b"stale bytes from an earlier attempt"
    part.write_bytes(stale)
    spec = RemoteFile("scan.npz", url, sha256=PAYLOAD_SHA256)

    download_file(spec, target, progress=False)

    assert server.seen == [{"path": "/files/scan.npz", "range": f"bytes={len(stale)}-"}]
    assert target.read_bytes() == PAYLOAD
    assert _leftovers(target.parent, {"scan.npz"}) == []


def test_part_already_complete_gets_416_and_restarts(server, tmp_path):
    url = server.serve("/files/scan.npz", PAYLOAD)
    target = tmp_path / "out" / "scan.npz"
    target.parent.mkdir()
    target.with_name("scan.npz.part").write_bytes(PAYLOAD)  # killed just before the rename
    spec = RemoteFile("scan.npz", url, sha256=PAYLOAD_SHA256)

    download_file(spec, target, progress=False)

    assert [r["range"] for r in server.seen] == [f"bytes={len(PAYLOAD)}-", None]
    assert target.read_bytes() == PAYLOAD
    assert _leftovers(target.parent, {"scan.npz"}) == []


# --------------------------------------------------------------------------- fetch


def test_fetch_downloads_then_reuses_data_dir(server, monkeypatch, tmp_path):
    url = server.serve("/files/scan.npz", PAYLOAD)
    _register(monkeypatch, _entry("tiny_scan", RemoteFile("scan.npz", url, sha256=PAYLOAD_SHA256)))

    folder = fetch("tiny_scan", progress=False)

    assert folder == tmp_path / "data" / "tiny_scan"
    assert (folder / "scan.npz").read_bytes() == PAYLOAD
    assert _leftovers(folder, {"scan.npz"}) == []
    assert record._snapshot()["data"]["tiny_scan"]["source"] == "download"
    assert fetch("tiny_scan", progress=False) == folder
    assert len(server.seen) == 1  # the second call used the verified local copy
    assert record._snapshot()["data"]["tiny_scan"]["source"] == "data_dir"


def test_fetch_with_server_down_says_how_to_get_the_data(dead_url, monkeypatch, tmp_path):
    spec = RemoteFile("scan.npz", dead_url + "/files/scan.npz", sha256=PAYLOAD_SHA256)
    _register(monkeypatch, _entry("tiny_scan", spec, mirror_dir="tiny"))

    with pytest.raises(DataNotAvailableError) as info:
        fetch("tiny_scan", progress=False)

    message = str(info.value)
    assert "python -m medlab.data.fetch tiny_scan" in message
    assert sources.MIRROR_ENV in message
    assert "tiny/scan.npz" in message
    assert not (tmp_path / "data" / "tiny_scan" / "scan.npz").exists()


def test_fetch_reads_the_mirror_without_network(server, monkeypatch, tmp_path):
    url = server.serve("/files/scan.npz", PAYLOAD)
    _register(monkeypatch, _entry("tiny_scan", RemoteFile("scan.npz", url, sha256=PAYLOAD_SHA256),
                                  mirror_dir="tiny"))
    mirror = tmp_path / "mirror"
    (mirror / "tiny").mkdir(parents=True)
    (mirror / "tiny" / "scan.npz").write_bytes(PAYLOAD)
    monkeypatch.setenv(sources.MIRROR_ENV, str(mirror))

    assert fetch("tiny_scan", progress=False) == mirror / "tiny"
    assert server.seen == []
    assert not (tmp_path / "data").exists()
    assert record._snapshot()["data"]["tiny_scan"]["source"] == "mirror"


def test_fetch_rejects_a_corrupt_mirror_file(server, monkeypatch, tmp_path):
    url = server.serve("/files/scan.npz", PAYLOAD)
    _register(monkeypatch, _entry("tiny_scan", RemoteFile("scan.npz", url, sha256=PAYLOAD_SHA256),
                                  mirror_dir="tiny"))
    mirror = tmp_path / "mirror"
    (mirror / "tiny").mkdir(parents=True)
    bad = mirror / "tiny" / "scan.npz"
    bad.write_bytes(PAYLOAD[:-1] + b"\x00")
    monkeypatch.setenv(sources.MIRROR_ENV, str(mirror))

    with pytest.raises(ChecksumError) as info:
        fetch("tiny_scan", progress=False)

    assert str(bad) in str(info.value)
    assert server.seen == []


# --------------------------------------------------------------------------- TCIA

SERIES_UID = "1.2.826.0.1.3680043.8.498.1"
BLOBS = {f"{i:06d}.dcm": b"DICM" + bytes([i]) * (1000 + i) for i in range(3)}


def _manifest() -> dict:
    return {
        "collection": "Test-Collection",
        "series": [{
            "path": "PAT-001/01-01-2000-STUDY-1/2-T1post-3",
            "patient_id": "PAT-001",
            "study_instance_uid": "1.2.826.0.1.3680043.8.498.0",
            "series_instance_uid": SERIES_UID,
            "series_description": "T1post",
            "modality": "MR",
            "files": [
                {"name": name, "sha256": hashlib.sha256(blob).hexdigest(), "size": len(blob)}
                for name, blob in BLOBS.items()
            ],
        }],
    }


def _series_zip(blobs: dict[str, bytes]) -> bytes:
    """A ZIP as NBIA sends it: member names unlike the manifest's, plus a non-DICOM file."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("LICENSE.txt", "not a DICOM file")
        for i, blob in enumerate(reversed(list(blobs.values()))):
            zf.writestr(f"1-{i + 1:02d}.dcm", blob)
    return buf.getvalue()


@pytest.fixture
def tiny_manifest(monkeypatch):
    manifest = _manifest()
    monkeypatch.setattr(tcia, "load_manifest", lambda: manifest)
    return manifest


def test_series_url():
    assert tcia.series_url("1.2.3", api="http://x/api") == "http://x/api/getImage?SeriesInstanceUID=1.2.3"


def test_tcia_download_writes_series_under_manifest_names(server, tiny_manifest, tmp_path):
    api = server.url + "/nbia-api/services/v1"
    server.serve(f"/nbia-api/services/v1/getImage?SeriesInstanceUID={SERIES_UID}", _series_zip(BLOBS))
    folder = tmp_path / "tcia"
    series = tiny_manifest["series"][0]

    tcia.download(tcia.tcia_entry(), folder, progress=False, api=api)

    dest = folder / series["path"]
    assert sorted(p.name for p in dest.iterdir()) == sorted(BLOBS)
    for name, blob in BLOBS.items():
        assert (dest / name).read_bytes() == blob
    assert _leftovers(folder / ".downloads") == []  # zip and .part removed
    assert _leftovers(dest.parent, {dest.name}) == []  # no temporary series folder

    tcia.download(tcia.tcia_entry(), folder, progress=False, api=api)
    assert len(server.seen) == 1  # a complete, verified series is not fetched again


def test_tcia_zip_missing_a_file_leaves_no_series(server, tiny_manifest, tmp_path):
    api = server.url + "/nbia-api/services/v1"
    incomplete = {k: v for k, v in BLOBS.items() if k != "000001.dcm"}
    server.serve(f"/nbia-api/services/v1/getImage?SeriesInstanceUID={SERIES_UID}", _series_zip(incomplete))
    folder = tmp_path / "tcia"
    dest = folder / tiny_manifest["series"][0]["path"]

    with pytest.raises(ChecksumError) as info:
        tcia.download(tcia.tcia_entry(), folder, progress=False, api=api)

    assert SERIES_UID in str(info.value)
    assert "000001.dcm" in str(info.value)
    assert not dest.exists()
    assert _leftovers(dest.parent) == []  # no temporary .<series>.* folder either


# --------------------------------------------------------------------------- derived datasets
# A dataset with no download of its own, rebuilt from an official file (as the PneumoniaMNIST
# subset is from PneumoniaMNIST): a small stand-in "official" archive is served over HTTP, the
# subset entry names its rows by content (subsets._encode_rows), and fetch() builds, verifies and
# stores it.

SUBSET_ROWS = {"train": [7, 2, 9, 0, 4], "val": [3, 1], "test": [0, 2, 3]}  # picked and reordered


def _official_arrays() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    out = {}
    for split, n in (("train", 10), ("val", 4), ("test", 5)):
        out[f"{split}_images"] = rng.integers(0, 256, (n, 6, 6), dtype=np.uint8)
        out[f"{split}_labels"] = rng.integers(0, 2, (n, 1), dtype=np.uint8)
    return out


def _take(arrays: dict[str, np.ndarray], rows: dict[str, list[int]]) -> dict[str, np.ndarray]:
    out = {}
    for split in ("train", "val", "test"):
        for kind in ("images", "labels"):
            out[f"{split}_{kind}"] = arrays[f"{split}_{kind}"][rows[split]]
    return out


def _npz(arrays: dict[str, np.ndarray]) -> bytes:
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


def _derived_pair(monkeypatch, url: str, official: bytes, subset: dict[str, np.ndarray], **subset_sums) -> Path:
    """Register 'tiny_official' (served at ``url``) and 'tiny_subset' derived from it; return the expected file."""
    _register(monkeypatch, _entry("tiny_official", RemoteFile(
        "official.npz", url, sha256=hashlib.sha256(official).hexdigest(), md5=hashlib.md5(official).hexdigest())))
    manifest = {s: subsets._encode_rows(subset[f"{s}_images"], subset[f"{s}_labels"]) for s in ("train", "val", "test")}
    expected = _npz(subset)
    sums = {"sha256": hashlib.sha256(expected).hexdigest(), "array_sha256": _arrays_sha256(expected)}
    sums.update(subset_sums)
    _register(monkeypatch, DatasetEntry(
        name="tiny_subset", title="test subset", licence="CC0", citation="nobody", homepage="none",
        files=(RemoteFile("tiny_subset.npz", None, **sums),), official=False, note="a test subset",
        mirror_dir="tiny-subsets", derived_from="tiny_official",
        derive=lambda folder, out: subsets.take_rows(folder / "official.npz", out, manifest),
    ))
    return Path("tiny_subset.npz")


def _arrays_sha256(npz: bytes) -> str:
    with io.BytesIO(npz) as fh, np.load(fh) as data:
        h = hashlib.sha256()
        for key in sorted(data.files):
            a = np.ascontiguousarray(data[key])
            h.update(f"{key}\0{a.dtype.str}\0{a.shape}\n".encode())
            h.update(a.tobytes())
    return h.hexdigest()


def test_derived_dataset_is_built_from_the_official_file(server, monkeypatch, tmp_path):
    arrays = _official_arrays()
    official = _npz(arrays)
    _derived_pair(monkeypatch, server.serve("/files/official.npz", official), official, _take(arrays, SUBSET_ROWS))

    folder = fetch("tiny_subset", progress=False)

    assert folder == tmp_path / "data" / "tiny_subset"
    expected = _take(arrays, SUBSET_ROWS)
    assert (folder / "tiny_subset.npz").read_bytes() == _npz(expected)  # same NumPy, same zlib: same bytes
    with np.load(folder / "tiny_subset.npz") as data:
        assert list(data.files) == list(expected)
        for key, value in expected.items():
            np.testing.assert_array_equal(data[key], value)
    assert _leftovers(folder, {"tiny_subset.npz", "derivation.json"}) == []  # no .part
    assert (tmp_path / "data" / "tiny_official" / "official.npz").read_bytes() == official
    info = record._snapshot()["data"]["tiny_subset"]
    official_sha = hashlib.sha256(official).hexdigest()
    assert info["source"] == "derived" and info["official"] is False
    assert info["sha256"] == hashlib.sha256(_npz(expected)).hexdigest()
    assert info["origin"] == f"rebuilt from the official official.npz (sha256 {official_sha}) of 'tiny_official'"
    assert info["derived_from"] == {"dataset": "tiny_official", "file": "official.npz", "sha256": official_sha,
                                    "md5": hashlib.md5(official).hexdigest(), "source": "download"}
    assert info["same_bytes_as_registry"] is True and info["array_sha256"] == _arrays_sha256(_npz(expected))
    assert "tiny_official" not in record._snapshot()["data"]  # the subset ran, not the official file

    assert fetch("tiny_subset", progress=False) == folder
    assert len(server.seen) == 1  # the stored subset is reused
    again = record._snapshot()["data"]["tiny_subset"]
    assert again["source"] == "data_dir" and again["derived_from"] == info["derived_from"]


def test_derived_file_with_other_bytes_passes_on_its_arrays(server, monkeypatch):
    """Another zlib compresses the same arrays to other bytes: the arrays' checksum decides."""
    arrays = _official_arrays()
    official = _npz(arrays)
    _derived_pair(monkeypatch, server.serve("/files/official.npz", official), official, _take(arrays, SUBSET_ROWS),
                  sha256="0" * 64, md5="0" * 32)

    folder = fetch("tiny_subset", progress=False)

    info = record._snapshot()["data"]["tiny_subset"]
    assert info["same_bytes_as_registry"] is False and info["source"] == "derived"
    assert info["sha256"] == file_digest(folder / "tiny_subset.npz")
    fetch("tiny_subset", progress=False)  # the stored copy passes on its arrays too
    assert record._snapshot()["data"]["tiny_subset"]["source"] == "data_dir"


@pytest.mark.parametrize("fault", ["arrays_differ", "row_missing"])
def test_derived_checksum_mismatch_is_typed_named_and_leaves_nothing(server, monkeypatch, tmp_path, fault):
    arrays = _official_arrays()
    subset = _take(arrays, SUBSET_ROWS)
    if fault == "arrays_differ":  # the registry's checksums are not those of what the rows give
        served, sums = _npz(arrays), {"sha256": "1" * 64, "array_sha256": "2" * 64}
    else:  # the official file is another version: an image of the subset is not in it
        changed = dict(arrays, train_images=arrays["train_images"].copy())
        changed["train_images"][9] ^= 0xFF
        served, sums = _npz(changed), {}
    _derived_pair(monkeypatch, server.serve("/files/official.npz", served), served, subset, **sums)

    with pytest.raises(ChecksumError) as info:
        fetch("tiny_subset", progress=False)

    message = str(info.value)
    target = tmp_path / "data" / "tiny_subset" / "tiny_subset.npz"
    assert str(target) in message
    assert str(tmp_path / "data" / "tiny_official" / "official.npz") in message
    assert f"{sources.MIRROR_ENV} to a mirror folder that holds tiny-subsets/tiny_subset.npz" in message
    assert "Nothing was written" in message
    assert _leftovers(target.parent) == []  # no subset, no temporary file, no derivation record
    assert "tiny_subset" not in record._snapshot()["data"]


def test_derived_dataset_prefers_the_mirror_copy(server, monkeypatch, tmp_path):
    arrays = _official_arrays()
    official = _npz(arrays)
    subset = _take(arrays, SUBSET_ROWS)
    _derived_pair(monkeypatch, server.serve("/files/official.npz", official), official, subset)
    mirror = tmp_path / "mirror"
    (mirror / "tiny-subsets").mkdir(parents=True)
    (mirror / "tiny-subsets" / "tiny_subset.npz").write_bytes(_npz(subset))
    monkeypatch.setenv(sources.MIRROR_ENV, str(mirror))

    assert fetch("tiny_subset", progress=False) == mirror / "tiny-subsets"

    assert server.seen == [] and not (tmp_path / "data").exists()
    info = record._snapshot()["data"]["tiny_subset"]
    assert info["source"] == "mirror" and info["origin"] == "the mirror's copy of tiny_subset.npz"
    assert "derived_from" not in info


def test_derived_dataset_offline_says_how_to_get_it(dead_url, monkeypatch, tmp_path):
    arrays = _official_arrays()
    official = _npz(arrays)
    _derived_pair(monkeypatch, dead_url + "/files/official.npz", official, _take(arrays, SUBSET_ROWS))

    with pytest.raises(DataNotAvailableError) as info:
        fetch("tiny_subset", progress=False)

    message = str(info.value)
    assert "building it from 'tiny_official' failed" in message
    assert "python -m medlab.data.fetch tiny_subset" in message
    assert f"{sources.MIRROR_ENV} to a mirror folder that holds tiny-subsets/tiny_subset.npz" in message
    assert _leftovers(tmp_path / "data" / "tiny_subset") == []


def test_npz_digest_ignores_compression_and_rejects_non_archives(tmp_path):
    arrays = _official_arrays()
    packed, plain = tmp_path / "packed.npz", tmp_path / "plain.npz"
    packed.write_bytes(_npz(arrays))
    np.savez(plain, **arrays)  # stored, not deflated: other bytes, the same arrays
    assert file_digest(packed) != file_digest(plain)
    assert npz_digest(packed) == npz_digest(plain) == _arrays_sha256(packed.read_bytes())
    (tmp_path / "not.npz").write_bytes(b"not an archive")
    with pytest.raises(ChecksumError, match="not.npz: not a readable .npz archive"):
        npz_digest(tmp_path / "not.npz")
    single = tmp_path / "single.npz"
    with open(single, "wb") as fh:  # one array in .npy format under an .npz name
        np.save(fh, np.zeros(3))
    with pytest.raises(ChecksumError, match="single.npz: not a readable .npz archive .*single array"):
        npz_digest(single)


# The real entry: the registered rows and checksums of pneumoniamnist_subset rebuild the mirror's
# subset from a stand-in "official" file (the subset's rows shuffled among extra images).
MIRROR_AT_IMPORT = os.environ.get(sources.MIRROR_ENV)


def test_pneumoniamnist_subset_is_rebuilt_from_the_official_file(server, monkeypatch, tmp_path):
    if not MIRROR_AT_IMPORT or not Path(MIRROR_AT_IMPORT).is_dir():
        pytest.skip("MEDLAB_DATA_MIRROR is not set to a folder (real-data test)")
    copy = Path(MIRROR_AT_IMPORT) / "medmnist-subsets" / "pneumoniamnist_subset.npz"
    spec = registry.REGISTRY["pneumoniamnist_subset"].files[0]
    rng = np.random.default_rng(0)
    stand_in = {}
    with np.load(copy) as data:
        for split in ("train", "val", "test"):
            images, labels = data[f"{split}_images"], data[f"{split}_labels"]
            images = np.concatenate([images, rng.integers(0, 256, (30, 28, 28), dtype=np.uint8)])
            labels = np.concatenate([labels, np.zeros((30, 1), np.uint8)])
            order = rng.permutation(len(labels))
            stand_in[f"{split}_images"], stand_in[f"{split}_labels"] = images[order], labels[order]
    official = _npz(stand_in)
    url = server.serve("/files/pneumoniamnist.npz", official)
    _register(monkeypatch, _entry("pneumoniamnist", RemoteFile(
        "pneumoniamnist.npz", url, sha256=hashlib.sha256(official).hexdigest())))

    folder = fetch("pneumoniamnist_subset", progress=False)

    built = folder / "pneumoniamnist_subset.npz"
    assert folder == tmp_path / "data" / "pneumoniamnist_subset"
    assert npz_digest(built) == spec.array_sha256 == npz_digest(copy)
    info = record._snapshot()["data"]["pneumoniamnist_subset"]
    assert info["source"] == "derived" and info["derived_from"]["dataset"] == "pneumoniamnist"
    assert info["same_bytes_as_registry"] == (file_digest(built) == spec.sha256 == file_digest(copy))
