"""Every registry entry is complete, and the mirror matches the registry's checksums."""

import pytest

from medlab.data import fetch
from medlab.data.fetch import main as fetch_main
from medlab.data.registry import REGISTRY
from medlab.runtime import record

EXPECTED = {"pneumoniamnist", "pneumoniamnist_subset", "breastmnist", "adrenalmnist3d",
            "adrenalmnist3d_64", "tcia_brain_tumor_progression", "mitdb_100", "ptbdb_s0010_re",
            "scipy_ecg"}


def test_registry_entries_are_complete():
    assert EXPECTED <= set(REGISTRY)
    for name, entry in REGISTRY.items():
        assert entry.licence and entry.citation and entry.homepage and entry.files, name
        assert all(f.sha256 or f.md5 for f in entry.files), name
        assert entry.official or entry.note, f"{name}: a non-official entry must say what it is"
    assert REGISTRY["pneumoniamnist"].files[0].md5 == "28209eda62fecd6e6a2d98b1501bb15f"
    assert not REGISTRY["pneumoniamnist_subset"].official
    subset = REGISTRY["pneumoniamnist_subset"]
    assert subset.derived_from == "pneumoniamnist" and subset.derive is not None
    assert subset.files[0].array_sha256 == "6ac57d73c1001e024759c83d55e32b37c69f6c93a20ff50adef118f95fbacf03"
    assert REGISTRY["tcia_brain_tumor_progression"].downloader is not None
    assert len(REGISTRY["tcia_brain_tumor_progression"].files) == 495


def test_unknown_dataset_error_is_a_medlab_error_and_a_key_error():
    from medlab.data.registry import UnknownDatasetError, entry
    from medlab.errors import MedlabError

    assert issubclass(UnknownDatasetError, MedlabError) and issubclass(UnknownDatasetError, KeyError)
    with pytest.raises(KeyError, match="unknown dataset 'nope'.*breastmnist.*medlab/data/registry.py") as info:
        entry("nope")
    assert isinstance(info.value, UnknownDatasetError)


def test_registry_entry_error_is_a_medlab_error_and_a_value_error():
    from medlab.data.sources import DatasetEntry, RegistryEntryError, RemoteFile
    from medlab.errors import MedlabError

    assert issubclass(RegistryEntryError, MedlabError) and issubclass(RegistryEntryError, ValueError)
    with pytest.raises(RegistryEntryError, match="scan.npz: a registry file needs a sha256.*medlab/data/registry.py"):
        RemoteFile("scan.npz", None)
    spec = RemoteFile("scan.npz", None, sha256="0" * 64)
    with pytest.raises(ValueError, match="toy: a derived dataset needs.*derive=None, 1 file"):
        DatasetEntry("toy", "Toy", (spec,), "CC0", "-", "-", derived_from="breastmnist")


def test_official_md5_agree_with_medmnist():
    import medmnist

    for name, key in (("pneumoniamnist", "MD5"), ("breastmnist", "MD5"), ("adrenalmnist3d", "MD5"),
                      ("adrenalmnist3d_64", "MD5_64")):
        flag = name.removesuffix("_64")
        assert REGISTRY[name].files[0].md5 == medmnist.INFO[flag][key]
        assert REGISTRY[name].files[0].url.split("?")[0] == medmnist.INFO[flag]["url" + key[3:].lower()].split("?")[0]


@pytest.mark.parametrize("name", sorted(EXPECTED - {"pneumoniamnist"}))
def test_mirror_matches_registry(mirror, name):
    folder = fetch(name, progress=False)
    assert folder.is_relative_to(mirror)
    info = record._snapshot()["data"][name]
    assert info["source"] == "mirror" and info["files"] == len(REGISTRY[name].files)
    if REGISTRY[name].derived_from:  # the provenance says the mirror's copy ran, not a rebuilt file
        assert info["origin"] == f"the mirror's copy of {REGISTRY[name].files[0].name}"


def test_subset_rows_name_every_image_of_the_subset():
    import base64

    from medlab.data.registry import PNEUMONIAMNIST_SUBSET_ROWS
    from medlab.data.subsets import ROW_DIGEST_SIZE

    rows = PNEUMONIAMNIST_SUBSET_ROWS
    sizes = {split: len(base64.b64decode(digests)) // ROW_DIGEST_SIZE for split, digests in rows.items()}
    assert sizes == {"train": 3882, "val": 524, "test": 624}


def test_subset_rows_rebuild_the_mirror_copy(mirror, tmp_path):
    """Taking the registered rows from the mirror's copy gives back the same arrays."""
    from medlab.data.download import npz_digest
    from medlab.data.registry import PNEUMONIAMNIST_SUBSET_ROWS
    from medlab.data.subsets import take_rows

    spec = REGISTRY["pneumoniamnist_subset"].files[0]
    out = tmp_path / "rebuilt.npz"
    take_rows(mirror / "medmnist-subsets" / spec.name, out, PNEUMONIAMNIST_SUBSET_ROWS)
    assert npz_digest(out) == spec.array_sha256  # the bytes too where zlib compresses as here


def test_fetch_cli(mirror, capsys):
    assert fetch_main(["breastmnist", "--quiet"]) == 0
    assert "ok" in capsys.readouterr().out
    assert fetch_main(["--list"]) == 0
    with pytest.raises(SystemExit):
        fetch_main(["no_such_dataset"])
