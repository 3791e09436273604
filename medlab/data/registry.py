"""The book's datasets: official sources, checksums, sizes, licences, citations.

One entry per dataset. SHA-256 values were measured on the files; MD5 values
of MedMNIST files are the official ones from ``medmnist.INFO``. A dataset that
is not the official release (the PneumoniaMNIST subset) is its own entry with
``official=False`` and says so wherever it is shown.

:func:`entry` looks a dataset up by name; :func:`~medlab.data.fetch.fetch` and
:func:`~medlab.data.fetch.describe` use it. ``python -m medlab.data.fetch --list``
prints the registry.

Introduced in the chapter "Your first classifier" (chapters/03_first_classifier.ipynb).
"""

from __future__ import annotations

from pathlib import Path

from .sources import FETCH_COMMAND, DataError, DatasetEntry, RemoteFile
from .subsets import take_rows
from .tcia import tcia_entry

ZENODO = "https://zenodo.org/records/10519652/files"
MEDMNIST_CITE = (
    "Yang, J. et al. MedMNIST v2 - A large-scale lightweight benchmark for 2D and 3D "
    "biomedical image classification. Scientific Data 10, 41 (2023)."
)
MEDMNIST_HOME = "https://medmnist.com (files on Zenodo, record 10519652)"
PHYSIONET_CITE = (
    "Goldberger, A. L. et al. PhysioBank, PhysioToolkit, and PhysioNet. Circulation 101, "
    "e215-e220 (2000)."
)


def _medmnist(name: str, fname: str, md5: str, sha256: str | None, size: int | None,
              title: str, extra_cite: str = "") -> DatasetEntry:
    return DatasetEntry(
        name=name,
        title=title,
        files=(RemoteFile(fname, f"{ZENODO}/{fname}?download=1", sha256=sha256, md5=md5, size=size),),
        licence="CC BY 4.0",
        citation=MEDMNIST_CITE + (f" {extra_cite}" if extra_cite else ""),
        homepage=MEDMNIST_HOME,
        mirror_dir="medmnist",
    )


class UnknownDatasetError(DataError, KeyError):
    """:func:`entry` asked for a name the registry does not hold (also a ``KeyError``)."""


REGISTRY: dict[str, DatasetEntry] = {}


def _add(entry: DatasetEntry) -> None:
    REGISTRY[entry.name] = entry


_add(_medmnist(
    "pneumoniamnist", "pneumoniamnist.npz", "28209eda62fecd6e6a2d98b1501bb15f", None, None,
    "PneumoniaMNIST (28 px paediatric chest X-rays, normal vs pneumonia; 4708/524/624)",
    "Kermany, D. S. et al. Identifying medical diagnoses and treatable diseases by "
    "image-based deep learning. Cell 172, 1122-1131 (2018).",
))


def _derive_pneumoniamnist_subset(source_folder: Path, out_file: Path) -> None:
    """Rebuild the PneumoniaMNIST subset from the official ``pneumoniamnist.npz`` in ``source_folder``."""
    take_rows(source_folder / "pneumoniamnist.npz", out_file, PNEUMONIAMNIST_SUBSET_ROWS)


# The subset has no public URL of its own. Where no copy is at hand (a mirror, the data directory),
# the data layer rebuilds it from the official file: the rows that PNEUMONIAMNIST_SUBSET_ROWS (at the
# end of this module) names, in the subset's order, written by numpy.savez_compressed. The result is
# checked against sha256 (the same bytes as the mirror's copy where zlib compresses as NumPy's does
# here) or, where another zlib wrote other bytes, against array_sha256 (the same arrays).
_add(DatasetEntry(
    name="pneumoniamnist_subset",
    title="PneumoniaMNIST subset (28 px; train 3882 = all 3494 pneumonia + 388 of 1214 "
          "normals; official val 524 and test 624)",
    files=(RemoteFile(
        "pneumoniamnist_subset.npz", None,
        sha256="a554d2332488d3ddc075125e66a1af77ec379fd2bafc09108ab95a37e2bd9c26",
        md5="f5b994ec7c2fe8bc81ae15cbab7c3df8", size=3549652,
        array_sha256="6ac57d73c1001e024759c83d55e32b37c69f6c93a20ff50adef118f95fbacf03"),),
    licence="CC BY 4.0 (derived from Kermany et al. 2018 through MedMNIST)",
    citation=MEDMNIST_CITE + " Kermany, D. S. et al. Cell 172, 1122-1131 (2018).",
    homepage="redistributed subset of PneumoniaMNIST (no public URL of its own; rebuilt from the "
             "official pneumoniamnist.npz where no copy is at hand)",
    official=False,
    mirror_dir="medmnist-subsets",
    note="a redistributed subset whose training split keeps only 388 of the 1214 "
         "normal images (about 1 normal to 9 pneumonia); val and test are the official splits",
    derived_from="pneumoniamnist",
    derive=_derive_pneumoniamnist_subset,
))
_add(_medmnist(
    "breastmnist", "breastmnist.npz", "750601b1f35ba3300ea97c75c52ff8f6",
    "3a22d2a4625e7dd8903f0f59030e81a3d0c222bece2e5e10927456cb50efdec1", 559580,
    "BreastMNIST (28 px breast ultrasound, malignant vs normal/benign; 546/78/156)",
    "Al-Dhabyani, W. et al. Dataset of breast ultrasound images. Data in Brief 28, 104863 (2020).",
))
# MedMNIST+ (larger images of the same BreastMNIST cases, same splits): not in the offline
# mirror; fetched from Zenodo where a network is available (chapter "Transfer learning").
for _size, _md5 in ((64, "742edef2a1fd1524b2efff4bd7ba9364"), (128, "363e4b3f8d712e9b5de15470a2aaadf1"),
                    (224, "b56378a6eefa9fed602bb16d192d4c8b")):
    _add(_medmnist(
        f"breastmnist_{_size}", f"breastmnist_{_size}.npz", _md5, None, None,
        f"BreastMNIST at {_size} px (MedMNIST+; the same 546/78/156 cases as the 28 px file)",
        "Al-Dhabyani, W. et al. Dataset of breast ultrasound images. Data in Brief 28, 104863 (2020).",
    ))
_add(_medmnist(
    "adrenalmnist3d", "adrenalmnist3d.npz", "bbd3c5a5576322bc4cdfea780653b1ce",
    "8ffd78c0f000265deb7cf4ee0b454136fb3170f9839ecaa7bb01adf9f88aa7d1", 276833,
    "AdrenalMNIST3D (28^3 adrenal shapes from CT, normal vs hyperplasia; 1188/98/298)",
))
_add(_medmnist(
    "adrenalmnist3d_64", "adrenalmnist3d_64.npz", "17721accfe9fb005146a47d33bc54b2f",
    "124a53ea2c66c8ac1985a4c98ea6f34d1ab35bdab1dc50947f80d4a87e54057d", 1880591,
    "AdrenalMNIST3D at 64^3 (MedMNIST+)",
))
_add(tcia_entry())

_PHYSIONET = "https://physionet.org/files"
_add(DatasetEntry(
    name="mitdb_100",
    title="MIT-BIH Arrhythmia Database, record 100 (30 min, leads MLII and V5, 360 Hz, beat annotations)",
    files=(
        RemoteFile("100.hea", f"{_PHYSIONET}/mitdb/1.0.0/100.hea",
                   sha256="309c8a1d71baee199620a53b8f210cb7bcbaa978af961d191e5b69beb58dd343", size=144),
        RemoteFile("100.dat", f"{_PHYSIONET}/mitdb/1.0.0/100.dat",
                   sha256="b2ea3c250e56e48f4b7b90697832b8ecd1afa1e0bb31f2dcfea4ed6e1075a639", size=1950000),
        RemoteFile("100.atr", f"{_PHYSIONET}/mitdb/1.0.0/100.atr",
                   sha256="8d8a5349fb16638ebbf649f1779d12e96d91b736b2aafe59db43719ae583d471", size=4558),
    ),
    licence="ODC-By 1.0",
    citation="Moody, G. B. & Mark, R. G. The impact of the MIT-BIH Arrhythmia Database. "
             "IEEE Eng. Med. Biol. 20, 45-50 (2001). " + PHYSIONET_CITE,
    homepage="https://physionet.org/content/mitdb/1.0.0/",
    mirror_dir="physionet/mitdb",
    note="checksums measured on the mirrored copy, whose header keeps its source's line endings",
))
_add(DatasetEntry(
    name="ptbdb_s0010_re",
    title="PTB Diagnostic ECG Database, patient001 record s0010_re (12 + 3 Frank leads, 1 kHz, 38.4 s)",
    files=(
        RemoteFile("s0010_re.hea", f"{_PHYSIONET}/ptbdb/1.0.0/patient001/s0010_re.hea",
                   sha256="30d2d5db5b7b735f7dc39e5cf3e60a433a868b53d24587c9820cf51aa1729b87", size=2687),
        RemoteFile("s0010_re.dat", f"{_PHYSIONET}/ptbdb/1.0.0/patient001/s0010_re.dat",
                   sha256="4e26a62c96e50eebd0eca7a11a4ad62ac8d7654e4de47acf2e0ce64be9565f20", size=921600),
        RemoteFile("s0010_re.xyz", f"{_PHYSIONET}/ptbdb/1.0.0/patient001/s0010_re.xyz",
                   sha256="0caffd208e17c5c597fb39c8416f85ce55726f3e8e9d5486a6331c9ec4451265", size=230400),
    ),
    licence="ODC-By 1.0",
    citation="Bousseljot, R., Kreiseler, D. & Schnabel, A. Nutzung der EKG-Signaldatenbank "
             "CARDIODAT der PTB ueber das Internet. Biomed. Tech. 40, S317 (1995). " + PHYSIONET_CITE,
    homepage="https://physionet.org/content/ptbdb/1.0.0/",
    mirror_dir="physionet/ptbdb",
))
_add(DatasetEntry(
    name="scipy_ecg",
    title="MIT-BIH record 208 excerpt, 5 min at 360 Hz, as shipped by SciPy",
    files=(RemoteFile("ecg.dat", "https://raw.githubusercontent.com/scipy/dataset-ecg/main/ecg.dat",
                      sha256="f20ad3365fb9b7f845d0e5c48b6fe67081377ee466c3a220b7f69f35c8958baf",
                      size=119035),),
    licence="BSD-3-Clause (SciPy) / ODC-By 1.0 (MIT-BIH)",
    citation="Moody & Mark 2001; the SciPy datasets module (scipy.datasets.electrocardiogram).",
    homepage="https://github.com/scipy/dataset-ecg",
    mirror_dir="scipy-data",
))


def entry(name: str) -> DatasetEntry:
    """The registry entry of dataset ``name``; an ``UnknownDatasetError`` (a ``KeyError``) lists the names."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise UnknownDatasetError(
            f"unknown dataset '{name}'; the registry has: {', '.join(sorted(REGISTRY))}. Use one of these "
            f"names (`{FETCH_COMMAND} --list` describes them), or add an entry for '{name}' to "
            "medlab/data/registry.py."
        ) from None


def registry_names() -> list[str]:
    """Names of every dataset in the registry, sorted."""
    return sorted(REGISTRY)


__all__ = ["REGISTRY", "MEDMNIST_CITE", "PNEUMONIAMNIST_SUBSET_ROWS", "UnknownDatasetError", "entry",
           "registry_names"]


# The rows of the PneumoniaMNIST subset, split by split in the subset's order, as content digests
# (medlab.data.subsets.row_digests: 4 bytes of SHA-256 over label and image, base64). They name
# each image by what it holds, not by its place in the official file, so the rebuild does not depend
# on how the redistributor picked or ordered the rows: train is the 3494 pneumonia images then 388
# normals, val and test the official images. Made with medlab.data.subsets._encode_rows from the
# mirror's copy (sha256 a554d233...); the result of the rebuild is checked against the registry.
PNEUMONIAMNIST_SUBSET_ROWS: dict[str, str] = {
    "train": (
        "/QtlsApdv0LzSKhzviO9vCKEPCwZloIswg2w9Y99sARC6/hwyVltQy0cCRTDei/ACDoMQEC2PcD1KaBwGoQnk99jKMiY9c5DoWL1hk4frdBH"
        "Y2tUb4LoQnWMDl460F6wXLxrUgjQKCjdldwswDEgwYOe3V12NobGex2Hmz9l8v7UA5o9I3UX347gLAunx/U7A760h75SpJ9VRLDFtO8VYyDB"
        "qSO+omBUdldPLFGDkz1bGYF2ukpYscqHame+Io8MUA/rnzTaKvsfoEAEftQHrQDiPOLudNFu2zzJKFl+IhyCqffxuxf9e2Pr1FeqXo4P+tfL"
        "mnfp6/O8jXGx0mvB+x+KZi25nxEOtFRqRYXdKyOIGMe8b+MJl3PdnmmIfgJn/ndEwcJf2k4cdsePGPaUmNPYMfaJnQU4gKgKK+DSYa/JFL6c"
        "J0gHR3l3qCAr+jzs8zTDgL50/9tvRd16Gx2xPkDST4n2A48Yv/LM//sX/GY1aFor9BGWbvMUfSIxdpXQrdH9Am+8Gbkk6eE1I6CtD21qfGao"
        "yxRbgPEhX8Xum5sk/tjbxcV7S8NX/xsw/Vf3kGBa+csjYl+njIWGrhjUy1wXbLLAAyVdZcnoALP+XI4zjMqTZo0ZMpDwK9vlE2EZJCeg96Mk"
        "tYf5r8rUHBe+VQCGYPlHNiEetCO+Ns92z92+EaPiPaUNF0pp3GX8DVc7CXksi8gd1OKRtRFNxhju8bfviTdcFd3MLbV6W3PRTGkt+D4fxguM"
        "XzOVO6MpFellrjvCLexWPnO5AhA9qyaA6quFtbpe0drl3RXA/cuXEzvdGfiYsMY5vouqDC0qBKrFm8ZPO7UtCRQgwNRVuLwFrobllpSUfT5B"
        "5uEsD9Rx8cB//Hb353CGkyJzZcbnM4JutDCXJboZphvUGcxQnKDHywdRH8XvuG+TnmNgfVNB3s/i//nX1wb5cnPwwg6O3paXT/nWWDo0aiVM"
        "bq+BxS5xq54o+N7SV/pyOr3OPNd/ABRer8XPtUfhmqzn9j7wcaDa/rQDBb5FvqVy866n0AqE5h9Ab+FsYro+taFnMqRVksQdv//SBZqNTkQE"
        "m9IyTwjBoAVdqKSlBTMLtEmuq680PlcvgUfUfOfnwHkPEmP8Drcql5S33GTIjkk8/+lDkfGXt52aV6Tuk33OKWKdb+UNOxYcBWT48jVIlIPy"
        "nAmPkQabEf2bewqfTpQfwpC7NdWYbs/inriVftfxoWKvM9SN+g51O9H4n/T5nSJcX/SYaCbKDRHzutHjS3gZsxOwXpyVWxJOsIA8Gf8LKbSL"
        "uD8X3Wa14gmZSjg1ScJ7wWWShzhyLtsTgnU8d95/g4ATLaZH/M7GuFpOTqa3RKqNSbcdK1RYE/qBBfphsnfKQ6C57zpUWq2ijuaMKFfXim+A"
        "gmaX+3ODrH+/0t+IuHdf6utyJSRZJkFbrAcC8NXs09c9TcNiNxwkz1dTdq9qNs8asLMVpdNjPTpp2gTQccsB5D5bQmb1TjA85t3RWcebM5Br"
        "x0YTakcGLelAuARQFld7Xqq89SnRjhRW0caispiZl7kaFbR0rQRfs3JPGHafLZtWF9WptLSbu0lp32VWq3LkbgYwvGFAvN2cafml/sAI/BHj"
        "GdRHXXd5ISQ8xyMnW5S35NTOwP0rStKhvwVwNfwM38y0SgdR+UV/FJublYZDR6uwdjEWr55iDeCzWCu1OeQ8Os2NDURvQ95qHl3yjUZCnyEQ"
        "zH4EB8CiKIg6shdzsZorVYAqjjkTdE5FfC7tTZCvhWYz0qkaKHV4n8H+TGU309Nmw8o//a9XzC8ldk77RjMqp0v3X+bMdAkIVIq7BVeRySdU"
        "iu3q5Jd1+mr8S4cseACxrb+xgNMEolPi5r/7r/MOG8sek6hFmN/MLxswR/1LlGNvAYs943GkmGPL3Pg1Uu76LvnObs2VmPY2KlNrliQ2hjiN"
        "kJfp/YGrM775C4ug6QJIPWWI4EiaIRQYTrKa8ZAfPouH6BcJVO7EDPlV/uRYrE1N3iluB6lZh3aps57hb8p5CXtcPqWqUm6CKzrhmIEl/olr"
        "suIkhqQWYFeRMxNL3MbS0K+dIRsTt9ZuGDATecWYAcUGcdgHD6DmWGl3oy5z9n1SRZbdKNfAtgy21wjJNryh9B8kj0QYQFHshNlbYZxzv8B6"
        "IRfTcvwaWkDgZ+iiZQ3b6EEBKj14BqoFjd3NkkSPsYV0EoFDtsXjGsMa2K38wQlkSGdtMCayqUyrprEZZPuS77OaSTzJZmrgMUo3ZmtHZLtb"
        "UWV7WBFPRr8pR8Xm/6fWV90XVVVSMCiO6gi5wmGialMkQgDNqhRjakU7CaZJBrjoVq0Mb7FfhVQs2JzkDL4TIrVtWV/z86bcdoad7DPTDeVH"
        "k5LHrxwnb3YY6aKKzGFpVvDwIUBsp4DyfjJ5W6zNqP8e+1Jiotc7vqEpSvGAGXh42XmuJX2FSpQZPXcZw5tE/Z3QRZ1LpGgpBOEnIgXkjsYB"
        "8J6nubGLnvSZ0a46CLl3nzqFRl8ExAgJqzzC9wcKNUEKpm3Muhj3oN7Z2eg4O1yNcwno2pTV3Hzy9xpEPTZklGrV888hwasPObBgmf1BFbd2"
        "PVovrPUNhvJhRcOKE3NQjU4yZBrDybr/cUlUGXbKNFsbC+ONW2ID5t+HVF6akWDAnuR9RrUTgXUDWgMqHS8RzpGuwbWMXdHtxDNnYciZuLdJ"
        "gbqGBba5OmNwSD9Xhw84W0YdKNW3ScOI9sXF2Xt5fzTwI41Oj5mIQy8kw7iK6NVLmZTz9sv9aUQdLopvk07vRuEGheMvvwDV/TOXAzQApxOC"
        "CCHaOtUaPf//nHRRVFKMCs8PXXRMtU6MWUmn6qqDkqUtZTll8PcZLp90gePq7iKUSYkSUNXDeM6OidZ1e2QsiBDNUfBTvFYY5iAIgdizl9GD"
        "FmkvYWoM+AlKVZVzdc8hZE3C5gEvYKYYaBsaj2WBq9fOdVOCcrDgAy4OFM37oVoBoryhBrlAHezvjS2bTZBHU+H3vV7zXVPsIC67DdD8UhHi"
        "wTMEUD1hoVROmoZZECzZY7KIprSQZP8QLE565ipPE7WF7J27UNnGFhR7H4lF6wfj4uAm7gO0PQa24C8JAkmJK84Ac6qfKRN0YR+aaprKWZEQ"
        "NP501+XFfhYtGDHKJ6ubxZFT/KUYX/NtyX4mvKXnlBGt13ORbj37DnWco+0cxVFZesvN/SeLY265gzlEXnbyqo5GHb7M5QZd2oLc2GOyYc62"
        "Xqe/Hvem5zzLS2hh/nrDmCPXS9pZux59RJGOrisbMWjIQo4m4VLq5npQ3XV4UcgIr01/g753mBDtCLaHzUdehFBO4Kg8+Jps/wIWYludiW8L"
        "go1sUi6dLgw5Zl3+6axXgo+ZSXF0JNVSaMWxvUhB3ttMx7qV6XIVoNzVbeK2hZv0IgXVdD3lqwIbPq3C0pWX+6kfm4YzOgt64dGb6aY22ocy"
        "Si8uovz2dtwfFISzRvXRYn3/SS8WQh9TFrDVDx90D98vACncd2O1KzVjJ1JIXRlJbtijc5syCXQNKA77VOWFvDPgS+QF4EJVBYPNVXgZPA9D"
        "eGm/ZJQQJ9tlymGUBooiBo7w+nu9vZSWRsWB/9Xyu/r/WnVoyLGcnLv6JSwm3C0yNA/04JcPK5JI9mrBU6pwBD2SDItPt0LkBGhPlcYmmsw8"
        "huLb5djIKTfnNn8HGeUDZsjOsPt6C5Zamvd8i12Ro2UyyEEhtxAKZMIU8FBSBIK8RvWbn54sT0fplG6wgIohde29SafjndVcPgvAv+Ku5//G"
        "QHFqg9fXiILq6/G5SrRu7ca84U/Vz5dz/T8r7cisGI5o65v3MIC5oIlYaVPusJ6xXMS20Aj+TiS8PVY517rCPhWAbb2QyfaXOJmWoYpk0fdU"
        "De6X1Nc8Q5eYPgxoiLvSU8CMVtMrJ1Gz7bKzONXYAdkgENbQ8nTYDZc3Tyzabl1ig6nCN0fgsUAAMVV/HTp8R7nrkdP8NG6iRpGSAk60bhJT"
        "iVPFbISmdDuaU9bG83wWRAgABpTH1PTGFe/6o0gZfj5E4pej0caSK+OIZMTKY40vpqMemxKoF/FqaniWXpRVAZIH4xP7JsxJkj3uKbsMSbD3"
        "nZejTGS7iL2HtGnP2rbtP5w0vmRN1BeG8SoaeGVPjN5/D+pX8R3YWm8ac0KV7W8xdanQ7MMvHqeOchBJflbqebqmh6wmkLD0NnonN/at2Rlr"
        "kBjYnghAX1uOxVltbCi5wUPUjEvalig0S9A75bU/l7P5shPYYwBQWkwPrgCPs8mMnx/NItyh5AGLrx8f4xr3HWL3qzEUsP8hHkTTk8kjoPzQ"
        "c2cTUIZf49B5kzmRnpHwW3H7sUuuI1CNu1hT3PhJnuUuiu1BKzWh6uNNIgdvBISvtUlVkW2HQz4MQz0F58PAwdr6/++4ReizTH676BvmnM5t"
        "IxSQQPsg2Yc4eElvanGIb+uRpSnO+B0+SjsvK++qQf8VItQF22TIEfopAb8c5CKl2R7vnQFPPopVvx90jkTsKxFmsc6NAwJyiU5ScYSZ9h3s"
        "RCdaRreg2Bko9dD0pLeJCHc3zMangxeUljWUSxj1wDIbuQN900cA5Vvj1h9LmWTdZ3zwtEfbBez+4zPxq1zJVod+Khh+I6Lnau9V+UpiEiTm"
        "DPvG8oEL+NohV4qEo8ZUM7fwQdlUkpQ+hkGg9H76R5kdRB3fUOYkt/Db2ldTXyhNBS7R51PWMcQ/rak/X36KsGlXBBsRlhZinrcaPsxLmZoD"
        "4O5RHaZxM11Uxq0qpbscSZKMMx4+JxAFt3Y4TvcNbFv2oz1RiPENeMMXQTGxNQrEHjC3LTsfIJxpe2Cty3gGjlnU+4gql7BdIfvfUtYyBjqe"
        "XzOYDzbsniLRpuDVcNMSAobAmkvKeyn5RijT33mfY9HlfzJqeDPTCZyghAYcbaz/8V7ICuAWRFCcrGfbWzBfzUgsFcsRtChRZ8zhuusfXauN"
        "OfxGF3PJgDGMqEbe4kXpM7c2DryQM69kzW8vvIharLbn0xZ+d+7hbzT1dGUglqfIjaDeCDRCZYlWmMLzF2XEpGdhFE5vJfGgFRsH4pLvYSXh"
        "gaqLFw7frTA8MnJtR3zTal5Oe6cJ5FEYPBflFsNbk21qVo+dx5/en/0ErlQORm+991sVWdL8L6CCjPohm8mPGSEaZzrNmcJAQsDn9CFcMbwj"
        "lFs6bvU4bJcIUst/F/pnS9toMSGEU0bALB7KMy3J0ZevBU8TX/+Z4SvRQv1ICkBQiRwmd37J8rrEkW/BzgV9aQK+PNUr/aXAD4iVCkwIWm2v"
        "o+ku3IetdoBxb5jwNNVBvildn+MxyQK4+pP3OTQ4WNTQvWBWIlaL//mCoJJKv3KTthJ9Sxwz/gBz1RaV1p14kffad3IUvWvmMf53c/DCDk1a"
        "hYoYRBdNe5opkX7AsUqLhhoC+GfcfzIzQRlXupxSF2/R89BG+RhjXtHR312L6emUmvOedXYZJ5xCTbb0UyBOrdGbSDEFFKVPx3IXll5HUEz8"
        "eC50s/Jc/8N6rTmJyyefWE8dZvQVzs73OsP7IeKWxiO2q4wcSaNKs30ek+aX4tTfmERzLgD9aILy+uey1ruNNsmT3rZ0B/cqjlMZkfWxe589"
        "w0ffjtYB9EMmFlVj6rbl6PVdahJXFsYSBAJhmxoxLTrZIVep8tAA5VllOREkenaZUJPEozDby5Fadqbxg3CsIkv81H517ykZLA0CmOLFRxsh"
        "YBbYff6cLEMjJLXjSP/4OzcfgyQbIig2EUAz3aS8PEjh8xI382AmG7CSSraYOp+P2YX2Pa5E5IAm0ECYdruLLfTGP7CYIsFukirWPq2537Cb"
        "LLkvroPd/mqeb+TeUsHPnFeqiSwwQ4OTcfQ1Mk/Ca3YrcWCHkFUG/BWcMHfbjM9d8QdwR7gCay3kCfvQ4N6anpORjRHMsdmMh1tub3qgeDyp"
        "ge01JVFFpEsZYuIrqm3UuifhpjPyFPqaa2OZG+mXapaHQzrA6l1YPsF3Q5WuqdU1nqqBgdrrCLMypi61b9CJx8DGviYgQrQkae/Yyk6Snt0T"
        "7LQK0D389sq63mvB6hrBiuY7EBXE44aK0YTNhQsKbyOPBmZ6FTKaPY0kcDNrCTt+fM0If54VkIGKmF1LpBiU2YtXbRExgHIj0r4A4t4LDt7S"
        "OIfINiy5jz4rpSbHxGMNI5jGwNS4hs/ziDT54B8dsEfg8IlHSjClgjZoL/KZGeIPhodSiMSBHvNnXMouWyJJFDV+AE2H4WhRA3t4LcF6zAZa"
        "x0w/3F7kBvF2eU6PIPy+KjIPzCip7aBeIAv2tdIVCkesRnAtGxqQ+aN41MECWDydORqWYXZsKwjC8TQuf9sLZF001157Ankom9cR0gFNBsYW"
        "k24Rsbp7ij1M1MlhXr1GYatHwawKK9nNYhzDVjnbP/sHhtN4/GVNkyvsO70UdpquhviM+9OsB+3nwDTXZSGP9RfrM050frH2p12cc0ohYltl"
        "mryMAMVO3PRkWVuB0GwzyB5u8I9WyRtx3xgQmOayxk2bxy6XD7lL/a6fRst4cnmO/lLyV9pw4h95CWGJxzJ+SMLelQIrJ3jly9k/lQnsaN9n"
        "YWureyEw9KtqZRYHaAqZIaljq2NXsNpkT0LSkbwh7Ocb3KpLrRSUwyhzUglJtaJGF2AyoS5xiYXmL5el5wsXKgJOv3oG2Qu0A3F9cQD86doz"
        "xdUmOQYt9b4Pv4XpzTbLGxb8pS5enfjimwabKDrHp7eig8Nl+bxyHWJDMLkqzy8keKpgLV8Yb5UBHczh4FOgdIkvR0KJY49q48e6e3f+ZPas"
        "zkNwbOLqNyHuo+XKrk8FkbPMzpZ8HuJF3m6ar1W30QATcRUayOX1dT1hIRan+RgkbXmQ233Wl3TinYI8a1okE4PT9OgAyoMr+k8Wh/HVlZbn"
        "7Xc2H7E/fzp8ZTiVvP/DcjIDQWqydZ89NdsRtO0YXApAl9Sfqv9hDOPhv4+RHgBTzzhG8h3iB0Q2DqUSFtc+KIIrSWciRhnx6mEb1573JadU"
        "ZFSv9mFkfJY+cbY+ZwleQNUHGJl1RP/blPdbLX3e74yjSr+KFCRj+rc3MB8j4wLUipABPO4OaXXOljgDR/VgFw3CA9NYXrh1QeVGNYfa+OYW"
        "uyzfQXOAxJH1hyV7rzYxBkGlrS7bt7eYXqTbaOdVhflVx3AFLxyDkyY1lGvhLUo6FwbJwvYSKt3swIXOw+T9c0alTZ7B8KRxyB6HTlkT0uwx"
        "jFTZtq3iEhwfdVpSpizNzGeISv2+ss47nCvx8iqzNwmERIvQCzZnyp8qRVYXXhwa9qWTU0kCSuIDwdd+bVyLJoaAj+d5Kj0s4DEP2xfvGjqF"
        "/xa3AyO1l4aSQaI/dOeC0blWatUTzD47kbn0mswlCayMZF8DzHGgmY6OIOvXFNkoXfqUe8yuMXHwXAexGh6/B23CVi+h2WzvRJIjumvrZpDr"
        "axfhz+o3eZVRnHRwh1Z3XCz7FFJk3HyA/WpH/PfBhzG1ueZtlUVC4g+J7QvxnKFSnqwZGUPImnxJUY3hUL0P0wO1PQgtHaxv8M3gQOBOWkPC"
        "v95ssbCFGf1+xDr2AeO/16lHJdxZ9LKbDbGyifQOfJh6yjp5VLIRCpNTgAB5991zgf4+tbdxxMBlVoOh21REeRRkTjNDY1VEXs8SYfnTo/Jj"
        "rm0p8IHXwM5xjPll7hKD77EqOf0P0CtIfsM7fPYlDNuGmIuHChQuFc7Eyu+LTPAL2XRpUDN3ckjRC4yJpJaEdyEvHZxSKc18aOqQE/UE2aVT"
        "Q+BXFe7TpGu5l6AgFhTJd3bZjrwMndW1J1GkIUTR1YQOW19LJalTESbpFaH91MrHkqXNvkTwlySFAlDstbTYYPe2e3hqygXSs4vVA+KTmbgt"
        "L4FQ9Cx0qGB2xzF5YG1X7oOlFydi6Mq85Z4t0qExd6gpeGi9miharKpX4Yrjk83mkVbp5eVUQPQICV4DpAMR8NXntIosnv9rNVfXB37lhb3Q"
        "RcleJz4+H4N7spz14Ec7MlhYOdWhNaYLVLk/BmSZtnOkxwiFrWUbStNj0kM394Nwi2XK08mIHEHoUKAwfOjE2EcehmtK7KZQ/P1Qjgb6flfF"
        "MMOnSeqW6juU4cCe36Z9AiqICoFyyb/3GRwxlhXcZoFA3bmvNynB+CgKOpOFdF3yo0Pmt2lGcjX6N+JTXhczraL280YzKAySrPKGieGFdhXO"
        "ru8I7m1P+/uFtTF2AQYzptax+rVNr4/LF3O3v9VoQyMdBjj49D+0tx3UbAxgqvfa1EoleHyKQAGcLr/AaspaJPrKS+cD+A84RhhJVviR0rFN"
        "2JtG51fy6N6ZeeGnJrJBAtF7MLD0ISCz6CvntZb6SV8ofNYM2jWc9uNb0Emuw09CnjHzPyCKLaHui1O3885Nh+ZTO1tAhAnjoWqHArDiGzw5"
        "obbaNht4g2fGpjFMM6ZGFvC8y4KpxLOhAguvtHgekWZ3e2FAZg8rCdLwKkOJnnxzDrPHQ5ip/OP7ULpsh4xQOrg7dN4y4HeYzxzeEwDJSvNj"
        "DkWYTj1C0LOQb09dG9rIigBpPagJGECxhmFitbbACsap0FPBcrto+mRdxfomg6980toLdBXQKpLJOz0B6GW7w/qfVLCsY3r0+E6G/e4jXumG"
        "+wHUEgkjSNXIsYkpX2jAIHFysxLfR+u/vFsh0MdbRik9TZFuamXK0w1i3oEKli750xP5qQBmHYGnJvhbAOD2aVyxvjuNrG4o9Bqduphn6BSa"
        "+efzIsMSOyQQe6rPmwY0sUqfsFmBdj8U36jTGTs9Ska/jUGNu8kCsjQiR0TJ0oUn/VovbS0NmLeCfVkQZReQW1SvRb/ps23/ytKJiRwmd3us"
        "ysY3zRKdgWvZnnVVeVwtGCxr0CXEYF9FtORLiFkEwcJjLcII8BVoqb8XHmGvOHMFjE9JDngSJhruY8v6zKrKf9/W4dMI3//Y80e+XLBrqL74"
        "1r4ldgju7sPFJKvFvxby5/0rSC8qorEoXcoYhZi4brDwHXIIYHzS2vpMpg27mBZdIcdWeqkskMtiTKagwVQ5BiFoTmoZP2ZgTSgczdcnmwKx"
        "X63c+h4ea0sE8HsgdlOdDkPd6M+M0hLrr19fD1fakVAW5EdCA7Q9BoMUn/N9ejOfcnp7UPNe1KvXguSPduMvM2xHQwgjCTXVTONEKELYkS9l"
        "MCugFn6I3/rv1TLczer4luUmepYdoyZRVke/T8XhwpLVXF0YzrJmqNRiJ75VP9GfUQMNR2Ks5dRuAQCUN3F1hkjRI9pqZGq+qaveNLtG1dAH"
        "iDqi+HQJfSPN0GxoARrv+yj+Qn0p4bMoh4VXAPaLZn3d3v2bN07jbVe3AAYBafG3VQhSnicpqrpVpDJ9/XM1hniSG2k570WC3bbtfHGcHQG3"
        "Fgfwx722XLmd2AVgLcnkipZkYlKLdHcW3yp/wg4Vtr3hD2QsTl31z1l9jV/A5DqZIhSE7Jb0DeNSe7OOvcH9E7czOjEKa74NtT/CxE0mq9ql"
        "ca861sDVXsbcK447BtZNyPBVnb5TOaoq+XZMm5QScG+VoPqZ8qGce5E23X/dRAg2Hyoq0/ag+NBWtZHhFQJQrhllXjknKow55qPAhzkAWlzi"
        "F17YdZ4IW9vUdXbwX61Wk9lxXZGxbfSmbTNAzwNkGq4PQAtJWHzvkFZAXUi+V1QSKPj9YH0WsbeEtAmH66ofCy1lZcN6j8CzSaRIqnMRI0gz"
        "0eJyN4tSQBhi/BjTFwGubh8e3xZ0x2eT23iprfZOb/iih/sfAVcxw6lqZobK6W59iB+NuBYThMUrNvr4OWo4Qg8+xDJGZHM/MtWJ17ZvOPak"
        "aFbexBcQRDGggO56Z89QU7vGLlYWMKNV4wv2cKxZ2a0f2W6BN6IDxTca0bAyEwnG+eNaW6pwVvsD0JmqHHcvmaGsd+MhrAPBjO3NB8/DH5pZ"
        "ZjQZF5ZNfipJfL2ZbJTdF1Pu+GbcLd1t6zah0DbY1dJJ3TjYI8IXUGMzO9HM7qeR5g08j+VcXXj9MgYwfsBNQbQy0lDqwPuJ33Wr5pHl1Gsv"
        "0xO8wbrZ5y1S544HatnyNySBIDKQAEzEe+UmJ4hZ2K8N+AaF9Hcir7OUO8OSzsrBbLdXTR77WxIjWn+gKjkJy7fnNlEjSSplP+3Bpj0YgDP+"
        "66ofirMlIjv+Q74vIZ3gEMWe7G6O4RDkUr2Lyrx8z9hTu3dIUawFWNZe6vPjoIytD+hOGGDXHiIND7M0eBWtrsfJF6goTqxU+Risdk4bXZfP"
        "1EO0ltCAvzy1p9M8YwAxQJKzGY9J9iNnAMJdG85lIWqQxmxwBuV6SanplUJf3vJDXrHkMaG6p8MAOesOLoTUMSfGQFwAhmFNUTwrWlO8oZ27"
        "En+uevlZBMFWvRyWKuQr58wXm+6YSEhH3SKAzrv1DEC8X58eJUzK//4rYM1uNYZUi0MV198KfC1uaoZHxWFJPD0nhVzf7c334AzEkkLv4jVi"
        "/z3KX9nI7epJH3njqiXA/n/4jU4ND6wZk95dWzcwmiM1tZEZzptxOx0AYix998vuRlXTbXToHosXitkVBWbEjy774BKAKAjYzcjzUD26uznP"
        "zc62z2ZJ/nfEjRUhM/WSZyL6o1+eWJMdKAHnnSvGYWTJuGOdfsEQ43ELvzBxTcaoDXETAxDZknLTvwAtUxkH7lCABoM6Rvmg5ze+45KoYN5Z"
        "sMiyg7tJskgkS3SNIqTF9b/+azcMCuyRU3//kiciXvgdRE1udKeL8gSotHp+maO0KWtuSUQo+acQ2+ma2iVAExy9dHOZolo3soKp3JwjxjTU"
        "MWEqKchZ90S+/ZcsVJetohtSeFv0ucmbeWw6IGSFvRUNnasPddV3sEmt7lsWOlwSOjCN3EjhfuORCQAaJ0nlIt9RVSeF0CpbGVD/apslzK4J"
        "k/xRVB+6dZMsLlCscmgWLJusZ6Aq5nHyZWYWemfhPT/0prVt7O5ZwtP4Jv8KaM/RXFH7OsN2u5wyxwQ2yy37jyR6drMKu7xeOBfcIyDAy1r5"
        "gpgGfS1CT1dg6pye5h8dKki3qnYyBu1LB4+XjU+4wnhLufiCwicqKbI+TNBPvzhBrsA67ihdYcrxnvCRPxyfREBFvhgTT9iGAXckZUcssayt"
        "9BVt46zRb/HWJAbS5iXv7j3RIvXFxNc5HYA3qRik0dZmO9OQWqNI5Xtkvi1HC/jMRyp7A45AbjNPjpuZRk2Y0M4KEi+7fRdCRhEREvkuVW2r"
        "Lermlp0fuDGuRAb0lhwAQwagl0ZZkm7j3z675LWH75TqAUhO0SkPvFweIEyLUl63G7Fp3bPMHYIONUayt+AsmrX63JpvJLNPznpZ91ja+B8S"
        "DImqPnrhxOjK2riS0ML/3wmiVr7B210Idc1U9zbf/1ZgbnOzfDDRb9DWyrkCqcDFFCqts697iVhSE/l7NqNkFbwiWio9CjSo2yUqAs8LadWk"
        "6Fyt75ayQh1LycXbxlprzJqv+eaXwIKES7hg/BAblRgiE7zKRBkob+1KWr5sc/V3WF/ZwYuzeteO0fYFJ+0Jqtc7IOBDxkZvEbIRBTXnW1Nl"
        "TkzHlLW1HnOfpuBiZ7/Lo3vDzkI4YOp5WI2CNz9nd4mOdbwLmUQQrghzbsDdJG5YfNqAGNzsPh1gCtAeBJ0EG+DDO4Jl0xgS19P1PRwRTqKY"
        "pF4EWvJRmHFPVPMLVvWW9utpcXrbOdrrN5CIWY7cDjsOpU5xQeCo5P0OvlDG6XsYEdWBE5LTXCAmKkEkzB/q+1oyZwpeQmM4hFct6GFZ9QTH"
        "sGyWo6f1gL5S3xCNkoJUFIf3b7m1syTMfWD/J1h6YxuRpl4B3xzl/CJyNAkwmUdG/krwvpy9OR+oCtDkkn9wyzR0DFGQkB35xFBS9+FrS8uO"
        "Pjj3j+Su6fyw//MJ/DIxu9ZNoj8byBO1i1DZ+1CrQ2xjNLOde9tk8z2c8sXRUkqMwYdjQLAKtUnvYru8WXZk5NtlXs32pEvcMEYXv44/Pcem"
        "PZxvYL5Y/Xl8dWUeljUfDT6JDjNbt1ScyI1J5fpP3lRt5IFKBwOH8xt8WGrE+tQrtM7y5TlXp3QEQi/GgE9b9ukrdunyrwOnYJSl/HswaSzd"
        "hXhlGxGfE+F1NoLqUzks72RW0o1THug7g85CbXEOeiwW5VH1KCyAdY3AGNl/pNvmRiLBjSrv0BBSzoQeWjjERgOANAaHsJRO16tpAPn+O4vo"
        "PKFvnF0sVBTXnLZI8Vyp+QEYddF2pN+tHiyT35tuQHNpvhoatAb1sxurhu4wlnxRaAaxrizT74yInBExggXrV4/IWk/8b0NNVKgmN7PuCSFw"
        "9wFsF3aliMmdNNi7zkIu8aRzBGV3WwWZjmProzEuAzRvWEJHn4jFLDusGO72LnJE/GkEHan0I77k1kXxz0aSpcdkYmIvvwNA6+n48jVIri/i"
        "u8CVqmi1GJdLNQ5KarZ0wdRYNdIbTUCUx0Qw5bc23C2WvtO7J1+nh5QdgbEtvtDi7BZc4swRuz4+p6rqJcmrOy8Z77QjFuHlJgQh8d4QPilp"
        "zU3CtiDyVy4JNF5HUIZgN2wM/H88Ambe/C478NM+A98Lr1uIp+sY4eqI7xyulAKw7lId9k07oopSm8FepE9hFRpf/3CM+wRp7KZcx0pRjsrh"
        "A1ouUgJkawdU+NCYxibcbQJssI+6kzrek4/OBaBxdowDHnEXNgl2WzAxGAZm7//b6Zraiw9JverQVu5THvED8Ab1iom6sEbovAFSVN1OeGk8"
        "VDjcdCjlgRolbhqE7/+etPhnqs+0fFQQV8WrBhASq2agaDvmHAZegJxJPra21hcbdAmx6gKWt0gSwPDq+svYhvNgcw5A8NLP/RSD5aZawlA+"
        "zyyDk8zHvNFT4sOPukvD3jn6ppaHLF0ygwn0wms0+wm5Kps5JDZNzvpkBbDX+LvLJT88CCUddUTZqHR07P2jFd7EDRC5EA9EsSCgjSwj+U+s"
        "IbXKwT0OgYTOyI7GyEQSDLxFH9fuLPrcrbpbNBZ+IpXAg72nDXJboBDvUOq0erqiV2Vw6jA7x0PCpxknYBRFS1ToSA+M5LEdxh35OhJ8P6n3"
        "z++aaB5CpQJaHjFPRH5APC/oazVrRft12cPz7fCwhg4Buhi1tdg5dWsyVc7EMLhyERw45EQ/sW7jkrfK2poPAHzTMxaeN1uevcagbVzqhXWM"
        "Dl6/tMa0b+kRmR4nGhSF6KU4xGXLeqZEYlLd3UD1ap1b3Xb/xSQTJFqjsk2A0cgoI59JiKxNVNXxzmaqtiXWKF9zKQ3lbPHSwVVZIHjPXLaf"
        "KP1zlEZZWl4IviwkPxuAdp96TQyg8lS6fbglwDk3KYfFu+LsNg7Mu7xfg6TL1Tffw+7WRVFAkxryN/4GgjYQVYqxvz6vWNPlaWx4aXKT1JhN"
        "0mnqR27vyMLHwGRWHzEUQZymPGrfFQBVgxXMl68djYVsa1TiCuEo+i8qS1/YnTbK1dDBd0t5sFYkG2xw0BJb7kECJi0DSk/DlQYlVaA3z3LB"
        "TrRaqirnZjPMiorOUNPLHC2HPmf9pAtEXVCuHMMAX0/mjwAY9Q6bebHywRXUedBYnaClFM330vibpuMhhXCgQGHjjDaHZVOUnYJqezcO9VI9"
        "bWXZb37ivowoa5fw+1LCO2sO7W93Kx48mHJe62v+bEM4TfHKnke6PfxrgMVgZzyOC/Qioc9dEvkm9BYTNkSSNx5oSCfSwpll6fuNg3uZPJ9x"
        "DPdi9mtiBrd/p5ZUy9Yc0GdWBrgkLVv0UEVK1A+wws7dAlW/UfmN/KXUGKW9x00wme3wsIY1Scnx12PdRLlkwAJvFifbSxYJlW6J6jwQbgtE"
        "1Ya4hzu71D8sQKpAiy0PBrv4KOXpMScUuhaYLvCSkLeNlEb3IVrAmUJCNVO5byfFVY5SLS6JUtaD/UrJ52F/1vyTiorKLoww4MPFJEGkxP4D"
        "s+cDd3Ugm4MsU4YPmKFR7KZcxxpg9vOmN/M3SI0hXPWeNKDoQY3hkoW69clxGMAvlieHM4BknB3eGaj+RLsD1NyqjYmrIswMG9OppCRK2/J2"
        "bK6eIMhvjV8MnoFjbOV62/5t/1X/ixuMM7oCoCmqpkNmj+dC6YtskmzKDCMUnt7RhoGJVk++KZU39H4dQWScz6mbcoaUTFTgfT44Ooj3BMSu"
        "qz0u+BOA+k+IS+gVd/ott7d3T1NM7KgLWFe0WNaqrTPVkm5+cEkoNcrgOsQHY9+JPIsX4Q6yjgguloHVT0PIq6rD+zFbdPR5Nlzk4CF0p4CX"
        "q6YA+yl5XASaGLqg5QlKfBOnm+cLWD+j1sDzKr13QHoRx/jEbnh66eTUFerY4Fyb/zVa5CrG9PMAymtp2m5dYqBD43S3ugKnb8DbyDjsjfu6"
        "SHIWE5gtLMlBiEqSfBCbDAO5ZDTRiOH6QljaQ7otZ5Qkk+jnDA5nvCgZfUCrTWdFj27dUWe7u3lIbG5f15Yc2WpBwFgi/crtkCbuCSPY0jpA"
        "mEj1ZnyzDgGNiXB+2XMyyUlDcmKsPc1zrdjuVqCmZQX9CL5I4ToD1Z+pIHiePsTmqcVe10nliTAMXYgSU/+nGt8JbII26kmPksJGcUJf8qcI"
        "Gg6bAFpzoQ1zlOC/lN6kCQvhs510yaeRBFkjzi/cyXHx/Yue+9WuRuGRJLOqkflUAxvayzaJt+gR2oVTmKXDoTOJhe7vCxSYgzJ0AM0ERDoR"
        "v39BXiwiDOT2TLqaf9lldgsu4oYq3r8UoPMEoPGX0AkwyaWzvQ1+fHEn6VJ64qV0j1THGxRE8MVBC+05bRTgrtJjmrpb7XWMGGvmdSqJLlWi"
        "N0rSf2oZZxccnzCSR0039/N4SBtRH9+6BrQ6jQp7kGXnSvUUex+JElmW2uIYR8mUzLRqQE9pZmahfphczeOlEIcy7bXxSmMkZRRdCVZK8+E5"
        "VCS9spd85/0SA2aXkMhX3cURX1JL84Bc+Jqmpf1EWLSJP5TcEgylsw3mBP+cmX0PfWnepAkLbWWeiTl2oO3epwtmz9fTz2NQMcyErEpUje7T"
        "PdWy4Cpe/OTVpeXt0diYWEkJHzdr3APD3H0ZjzVwVNfKVI43AumtTAoyGWUxp8ERCDcM8VpN/CrNzNjvuqRLEALsoGBDhepxA0fOLdHuHCbI"
        "EjLfeVlZ/YeUHpOfT0JhgBqFe0hI2Mg+N4XC6/EWV1fzGybIJoLOnKdol/WH/7gzWnam8cXM3EeuyPX8xtS9urIR5T/FwANlAG15Pz1TN70n"
        "ad5DtZHeYzgkdTHYdInu5NnpGv0n3TzPjTT0PjhjDkOP7fIIFvC15vUHD32eUBA5GAAYBtz53Dsdqyz6rXglzvkd4MQYVBla6TSHKBuTBIgz"
        "0qR1MVqkck0Rua/j0zoqmIiL/HexetSfBl3D51HEsGH4OnRlnGuY3idzv28F87TjR+Nrp+A/2AusxIl+Hp9In0BDJ+hSlrvG7JdD29x/vMl8"
        "GNFerGSrUiMl6UlXvNR6uXoHYKlg9Wr2Rvlq/nWYgRdRXaWpsQLUy48NX9hE221nnV9ucVd0QdbymtkEYcExWNnodEkBIfhe5SPX3hp8et9S"
        "s/0l0zIgg57IADHU/QMHn9GXZyBRsvVrAwqWcARNMXo3iuyP42dIp4HeEDU//GyCnKdfHcAoodwbBDZltInXJd7gN/9D7fXMwgfh5qbATUjP"
        "gDcudERqHw7HpjMI7Lp+JCrh8wtL5LYHE+Opn0OoxLmNhxPUWEmJTgbo9xt+n8oWe6FIfjVhh2W44Hudih/e/EwJpMmsNal3uqbs1IXznLxt"
        "Q2/tvKSWfg5+5cMd1eyG9FSUmCbwm9PFcLlSxVjEY3sz1lLW/5pRZjluMtI2IMq7gCTdebMdmzrG3gEvnF2oprJL0C1QkH/6c5GmEBW6vjNb"
        "Idx26g8iACBn4MSxI6sg0xcwEnxn0CquYQvAXIrJ9TzwrkPSmIlDrJ8y/JbV+Wp9RVIFO6LqU9cIbJ2yTxlgKO6g0ofnHVa6TS4y1dJ4v9TC"
        "1SrGXMPREM2zw2oyloGIn1gXkorsfToCbRwPwR6+G272qM4N1yNSv/Q2icY9VVb0wrylvTcVy1mXP6c8dbkGwGLuFgFFPh7cmk+1Ac6kwUWn"
        "wNSunxGeSCnYVps4tuGaqneXbMJ2E/PMUcivv7iZKh61V3wfmjvayhDV2ZYFt7SPV7U1a4dRD2Kd3iwbkT3CnSEUU75W5b+RVSBSwZl+OLMB"
        "nPF3ctwwSF+pVORRGDwlXV/y2gu03m9Ophe3SS3icW5xiyoM53Bv84dqXJ4+5ao4/GNOGfeTWyhhJgmD733h7yFY4ervuXFGxmSvgQl1ys6t"
        "pYvwYBRamIJenvDA3fv5jyg5nRzFKwyJ60ZIFOxSUkVUka9kKLuImHVRtBglne71oP4KKR6bGPGVO728UQpOH/8k8uBc01gVmdB4tsn0L+TS"
        "f9k7WatKkjYNlD8NMZn6WaJjNFTvdvj8/L/WAzLeFhjqLqmbcLpYZSSAs9D2d783G4pO281l5zUu26OcjYzM2aDN5ciWHhMv0bPeCHwv5EJh"
        "vMuy7Kcd/cWWaxoKDpx4r3/vo47UwEbUDGy5sl8/d8nzkbnlmkTtf14SXZhT3IoVBgmj9GH5NylMPbV5hqxFLdyo0b2+kcAU+9tfonv63cFt"
        "fVzPYWXwZaygy/d7PZOFi6DltlDzPkbXwhT3X1jDqMeUZH9RIRvbreSQky6TB91lpD+4t1BrUbpovnNm8UQFeiX2Tg/vnW0K1e7BKSynVot9"
        "UjC93f7ycFybHf37Gb849HbVzdw+fgtJYnd7BJ9t/iQoWc7i1VEyCjDS6KxLlyX7MbaSImaFsOabzb/Wq8u1V8uDoYRUdXC30YvisB8X8je0"
        "a/JjMC7SZZc1p5psBEGuFEDQOI9qLstQKh4pm5iP7lZZsJg6JXpJrp+v+ccR+ikBxyxBK6xKr7wN7wZ4rlIUjT79AzXh4jxw/x/o4fBADus/"
        "5SD14VuPehengEFtlXNAKHipZB3Wt6J/tbmvfL3rnDLfocXBYZ4iWCo7rVADI/vAfIDwUeajjtfTCdfOZ1wfRdQaXHtuhbDzPniTrhLkr6O5"
        "2/kfhtU1bOw3eRDrp5XZ424cT0gWhnFGkMuvoltu/6PhRwEz7DrLtCprP3jJYaDUwr/vANf+7BM59ZRqAOmh4PwhdhiNya3oYTFZfuMEtoVt"
        "K0BFMe5o67l64ZbJh3tBNx4Fdyg9wPJS4lD3QwiiYVXscpYC4+Eyhgh4OxaSAJE2j3wBJkbOp2WR3r8TdCElfHlgE/+zvjB/wgu8ea/dZ4I3"
        "g5Igy5dp8x6jYBk4lOQwZj1hCiSsMgUQPj3W6f5pCmOMWhhk8UX9f8F5d6oTdgZo+O6kcDUWsKF62A5OJDnltb6f19U/dJGkPdmt3BDawKXT"
        "R430O7dR238OIB74hA+euPwTOL/NRKvcqaLC0vmdk+DSYa8yrADa4OAdszzC8/dxNkJOpd+VK5sX18y7hbzEJuHKQYZJYU6TMFULtB3Tre1w"
        "u+Y+/wg+gX4yWarPcMVlN2vD2CLbOnbwu5sBeU9QgMFagHQjD3DfeNe6ZtOLRl8VOwEB1TNOpaEItlc7n001Mm0mDuAabiao2kTu7R+Nh+8m"
        "4v1DvgLXAatvSTQXMxAtjHqiJ3aZD5ozliH2loAiv61mWrDRGQUjBms+O19CvC/ou9NbukpPPeMME5jTWGutpaNlOGJdGOznacPIGGZLdhEO"
        "Ac+xzMgp9L3xyX/3bMls4f8pF2rR9axam7HpwrzXpa+KOP1Vgx2QB2L7iZVGvXuRRSN58E5Fcouw73SA/7cJqbwIugWnwNSunGCvZ4Bf06cM"
        "sh9T81C2WtfJCPq9+V8WN28/ST4+MggNCrkpIjFL+8hT/eZvUrGsLp7P+KPsiQT8VjKcF8GVCaTWPqqLvRYuSI806zP5AfUGgZOJ5QGBghvT"
        "Ulls4iPhhg8Pn9MKCtDOY0BqqOTB0tAXJUftSoa+jLqDuBlr+wR+04nJ+FD/m2Cp6BXNoKPXhMo+yZwKX9nCoNeUslDffoCun0FZUp4H2VCK"
        "OBN4E7fzWNddPW9Jd060EJvX05LxAZuUntX/Wnp4l0QDrplNw4qFVPbqmC6zphEf154VX306j6s41kg3KL10JHorJ3jl9kG/eiqYAU3fFzyS"
        "+fPVNQ80IDD4OntcT2Vw6hlg+1fjBv+tt55lk5fZD4wadYZ9PrJJIqSRdA0RrCswWS2hhMG1XpZrsC77VrpEe2KO8IuMZJ+OeVgRPkYCUneT"
        "DnO9Q9vWpmif3qWoVNk8xHodKIgbEBTGTaoKfUL6nqKtV9OG1Lu//BqwD5BIwQZ/alqDB9uYxjwzpAfzDCbenrZYEr8dE7wk0OORTYW6N058"
        "FOykCVWZoD5uF4K03hAVmxPEeM3d91PqchJdb8ZaGa+27QPSn/3HgccMGn6Bd3fQt3y2UUa50ej6s1J3GtFipNUpBRzQSUCSshJuLlEDx19u"
        "XnmMZOatdDvkWKeDiwcWscKDvn117TEw7Wf3J8uA/f7pRTUE6z7l2TG2QMjfuuCWJK8xZU6z+3NFFSXTV0lEu5U+6IOT8i+QKMqX3JdEYqXC"
        "N2tT4MK501rvPUVeZ1jLLyonic+cOmWPu7YoXnMNTfFHvHKYAhkHRhuHc9DnVgRCH5pHFAnHhBCJ1mWmifDcbrKXsSEkqGe8V8nYaeg2US63"
        "w50J9qXD1HkP0fXrniRcJycJ+VfM5KYXKpA/mT0UVHpeDRfuDlTqH2xAeVy2wrFDXlNL2zzYvt0FpCOx/IAw0aQVDrh3i4ZAp5dkiLmSyN0G"
        "SdGUJNgbbmyCWiTdTRH6zswH2NX6aBUVChbY0nBytFRW71lfSS7We4HZer57CGaMdXiFC6pQvZVkWQuq+TTRRw5EPlTQkYbkDBhwX/T3+RNa"
        "o8zOohm0ZBtqMY2WVZmhwqAd9li33Ll5PEh04PLxxTg4IbDMe7eHrce3M26MlVWdVmXxDh0M+bCfP2dQdOfl0WnXbpPMfqz3ItAcOnyqAJvy"
        "4cZSOxnhvgB2mMDVuBG8TS6N/J3ZzFnC3RcI4be9aVdk/kwg7gGWBNArLwXvzz5+fnAMcjcaSVowCHATRXIJ9tRRZ4kDJcIXoeVSdlF7nalo"
        "5ASCWXlKjCskFibLlWnkmoG0jxxWLr76Shn5DkLnjQ51qx5rg/stSXwGY9ix4o+0Zvsa9TV/bTG91xga+W5Ati/vSsTo0MOFOx9Rc2Hv9tC+"
        "pg4TXtV1FzyQKgRLAcCe4dttJUmcqHYkU08b6aWPzXkw6hWpOUd8p/VdwPz6l5XSTwHijZn8Qtkbk+Oi1maao+Rf8YpvhCCaKPHSdkQbRsBW"
        "Rr8eV7ZuSchMsisDQrxxQaTjHSsLdyTEGkBiki4OXfiFOv5n3Cp6JpaQFW4P0sPMms5LvXhol/xOjzuEYczov4jRct6nSZY1aBtzC09R+tVT"
        "alJX1KEXe7SZll0i/bjNBZxaGQQT38JE9ilCVNux7qP7skBH1xEcdUNu5whA0OR9O0nC85wbYda6E1Wt6nuISrok8HEZBeMpDRfiyXCrd9EJ"
        "Pxz9e2PFJfzJ4O+s4QtO9HgPnvBm1mZz7ChaNLQR8YiBtR7TuxkS/gaDCusCZRnxeyhHWrYfza4BA1mT/ZAzSVmtKAHRUFAG45xd6JjJQ8BV"
        "64+CXfc5nhaf7UkCAETHqa4miDfkEXUkUB+DHjibeYCWCAY1oPRcai/Hx8dDBeANf8GdyQ01lBPoc8i4cjRG0HtYWxfBEUMka3I6VGfJMUbS"
        "1bNvcl7h2Hjq4QUSxSLbq1BUv2Ih0G5GWGPyjQp+Qz4d1HTNT57uPJ13Tj8M5zKwBG8ktUNkage94Avc3ZMq3MCJyLMRikGJkzRyNt3b6+VY"
        "aiyXXFPqXmrNPtJDUiUQa7ksZmFAvighLLMrpIHl5GytTobsVz7Te7v8ZZYMKT/D+Ek4RyOrIPk0MpPwjNG56M9vMcpmV7kgQ7+0oJPjU+/0"
        "Abfb51EGDQrSMAqndUKELqBwlm8xS0grHu844xj1CXLzqXs+ge0wdzQT3mTEV0uriHo/w50d/2KzeXNfTXdzSLcAm3zojY/z+aFymiYd/2me"
        "lMWmU3LKvrrj9MOlTE3qXmhO/kQMKXhrYbm3PBCy3JHIfJkM1nLZA8BTd/9B9fryLWcL1/g9g3uwn7hZmqNdpaETUeBFug9UWeBAYiglsSfc"
        "p0s9XJatqxX0Ip/NNHORXnX7+5HuipOh+Fy1w6IG3a80kW7wmnc7mG98dODS7g+YBlru4RDeYXELu8ywWzdQtSx1MMXhfq37VD3rBbfaJlia"
        "gSE/YA+DRaVIbtmhauS/JsN9k74rn0Yr9HkBnXH2O0+a9Gb71UYK+w4Iqe4jlQRvTD5CY4/KhwSPoF49OcmUNLPM/lA1jyuWtGqcSabCGVpV"
        "t7xlChiW03KK1lkWKfW1zExn28tlvstMuTdFlcj8RK2cVvbg8wvPETpVNTjLLBr7Eyp3PMbJF7FXUBgF8KCqGimJwnw12fzcNU+NBuNkR0Nf"
        "UUtUYVvxR4DVsUiLv5Ad+FMR5G5cM8oXatpLLdU/axk0OcPi3XLVr6tq1HUV7VvvRnZ1E4xvUn3sG4yT+83cR8DrM1ESOGCMHE7j12c/TuSn"
        "Af3mKinOeLyY5gz3p1Rm3Bifezq13HQPsEtv3qHFcV+j10QlsMBUTK52Q4WSTVbJ/hxPx2V48qCo"
    ),
    "val": (
        "fBMAzE3kpHfwZKYGZs4qdRyixW4vrBfGTh3BgGEgQJVbOYbTD5rpS10jcp1HOIrAWizLogKg+Q8vvG3C0KwvuH/gfr6K6Q8mWijuz1JRs2Oi"
        "yy/PIQ/Udv0qafUDXDKksfj6hJ5+dwGj7O9PTtGbSvH3fWgEpkVm70F3/GuWLdiUX3LCh3D4UJ6PJLabGqO8VaxFTW1tyf9lVMNRrq1+y6uP"
        "v5AyWle0bSKSUfG/TvkTltlXnKRnyk01dghDApyf3MlOnn4U4Ylp1bRWwa89ptQApv7WAuRrPqPsgno2pzBW+vO9nkbiNl8u21r7Xo2xhV1P"
        "vx+De7JZRVZunauww8/Qkee3cNCkOzmkweUsNZI+P9+DJo9U2ydqNXClFAKiNFsWaqhkTfBztZIH1HoxtXOUcZdVYnUIIpC8+FIXKZhK+pj1"
        "t6e3djA5QbPvusenRvBhl+yiARGaI1vedIhCnLzn5bDEbugXHD+7tFnA/ib2F7Kj0NQrW+2oZ9D8Qa6hEn6KPm6t+zqGxZjQcOCM3Wnse+R7"
        "ItmGIjk+Bbh9FxfOV/9q0bPeCGwm1vxvLvqjuasVa9L9Oh3BEkFMnROAzn9abH2ykUzCPmsWpwsZUf5VMppum9I8++TE2ErK1enQsMIubkZX"
        "cPmRRXhKKDqgKOxkAi1NE3h1WAuHKkALatjXqTkKcrxUrMR5UMqkMLnkGlFGHM1x2EIiWCOw9/yPLjsfbCyi4NpPTh4TQrhdCI/4bLTNo6Td"
        "y217P8caBgzn4yBFjSpXI84jyCUSRLR2kEFVoxY5HKwV5oYhSPXsH+nEIth8BQb7drzZWNKeHAp44fAGl0A89vU0nXZnfcuOk/aDx/+r81Uj"
        "C9hM5y+aD3oHIW4Pci+frbLBnIWp+hvyaJLVljewuzhsKGNLmnGbfPjyNUggMFh2jZO0Si7Yo9CxvLs7dT+AdBfBUjtI0iipZyoo2MCxhGqI"
        "7F3DEM0Z8ltsDkhq/StPgHk4xo/nZtkrMFkjLdukmkzjR0/H8kk7YBn2xhnjOFS09kPF8aKSvtRNMaCMSkBQgU2gkczYthZCx4XlAhwtGNIs"
        "KOzcCF5NYmiqmKyJKCnMrtndX6G1jHfMwmopTt5xbk4P0bjAz4Nyv1t/Ypr3JSraY/UTuhDsfUfbnVRT7bqezVN6bRtnOjhtmC6ZK/N7NFSp"
        "N6IGT9s1GO0RW1bcpyMnNE/6vKlJSbFU+ZUFlfbuueiJIZAsKRBRzrdoqYdN3kl1dKNdcf9xSVQZufMSJhu3UppodFqPjsM2YcvkZ6X0u9TB"
        "vp8Srcq7gCRFKA0rAGguzEpbaZ8t2McFaZA10rvYPb6ae6kOh2HnfVp2pvGeqoTALmqSkd6/kzzKH/A7sqlXx0adpW8kT5f87LgBT1XAk4qr"
        "kVwppI4alIbislqOIQovyVQLzeAz+YtSypaNPCiDHAuL1vsqDaN8d24D2fXt6Whj/AFAfGdgIdI6CzbkiT3GIIFToYRnXW1d8p/jFsYUUlXz"
        "zY1BQoMvVrd+Va9DB+jaA3jv/kxStjjsfDcch8t2KOU+4NQOjhRQCc8A8apkLZJXqVSp3zi2NmbXVr/gC2+t4IfGdqGikS4q8bxRaAax+gFs"
        "Rzjdu04Oe8Kr/pVg4IxhPmUH8y68sdjeGsOY2UtZAvYo9Jbt+MIHE/iXPn15hFSro9Hff92wLQy9fzOO77ch76oJaOCzrq5QpSl/Ppm4Lz8G"
        "1JZ7r6K8614pf35zroe9x05fja8fMYCg1iIIf3A08Rt6vzjGk2urPtZiJBURZc06ni9HCkTRGiwBc9kM82SQpNlPOME1uC073TCb6pXEIwhx"
        "MNC5JD26/jdwTPvIw6WjQQ1+URuRmt4ikp/xgY3b9gLnRzKTgbx/RZ4qeCp2s9eIRfOgllyWUyRwTdXtqHzSbC6ciavNOHdKCiSz4+hsGlp6"
        "XATueNh2rFxWiN4ryRdLc3RTZjgx6xDcgNqmYBHit+jGjij/TM8V9VqBWguQmfn/EfMQ1aK4Gwdc93Iugn0xFA9l9IpTv49IFt6QcfUQy2ZK"
        "O1SgEgy8rzh+VV0cBqIgQNTJstcy8eZR8bBiUu7vPQ4wRQ7sdXF+o3IXhHqMOA1I4MkCQgDiZFuYu811fiul3XnK0pOxhnL5LiPirDT77gAQ"
        "KJJryml2xu6tXJYq9MhsdaIXzk0oghRR+mgIMcM6AR6wVT62jlkOu4MCBBRy0c286dWs4KdHO5votgYe4h8ghe6JEOajs7yAvUbrqaGJYEAV"
        "UJV8c2II3pgOSFg/C7ei/A8JUgJqImok/D80B4LFNRDiQZ1R604iGni2895rhIatKpw5j1rZDkUVfovWUowWCYH0cBfaNT75/+r4Ym2A+itk"
        "dH5roXalVwlOzz31k6MVy196Z3qsFrV7hjxNh99Hcdxh4URM+NX+gyu6YPV3ezVTDE1etTC5591Lm0noxcUNVbWoMmG1MKAsK1inO4SIiA+F"
        "TitCGmiEAa8w1iM8a+Bl5dYVDh9o95tZWVyBaJqF+VXHTVLsjGMY5C+FpmqiY4JyX90kTrhPtfEkqK3E91dbFXXDe9s0QP3HXNeHP/1eFtMd"
        "6AQfxbVnglJHYqtFSKZbLz8AvMzXYnqgpArwta5rtH6rHDKk4vv0jKCOy0pQVGdTPXL30jdc/G/zKL8G/yrsVQyYQ5wi0VKA+LQn6+ky22fJ"
        "vdEvmfS/y+0flbzGOmDO+dhY5LZ3bdJSyo/iKUT4Jx5lSIsZEzZfQdLD0P2KjNFBESIbCRb4XplsUc9Z7UsI8BzlFVIN4xg="
    ),
    "test": (
        "eb/qpgF1Wc0U4K7M6G56CSrofNXLdttCHqUcyJ1F+Yv5h4F9oGPqQRnbFxvrxhaTDiMnMT9a+4fS0jdEMS9NlNVIMDqNThvme9kO5BPQ7kI1"
        "cdJfSf4D6VcZBpzLPVWJuTSNvtZzKsj+haxCceiS1t/tTTfNKUYILnDeO+up7r0kjr7q9ks6UIdxWNIpndAMSo0pLOR23NtYs73MUsGLIFM0"
        "NgVjwEauy2Z9iQcQVwfid0kiRYRurOCfO73iFHe6k5h/8FIxnts34ozRUlzpRc0CuWApEcHYNmIENgR+zDsN/sbxt/ab7akyGAl+YwznWLww"
        "fCK3qQjdcUB9XHaBnbvUZlOfi66XvkZ8ksA37F883Qw3li7eGRTMU9Dzx03rzotYyIrLaKeeYrIRbIfUljcy8uEW41qG/2VUlvztinhQ9OcX"
        "HrcTWrYtNeh77otedezG5zGS0JN315ywAvBUOy6oaKV3XOTIkiwFN8JJZIB/eE7OXDeliV9J2QUiHH8gqaqfNClIjYa37WZ7lDwxdq2oSWoT"
        "4C/6Q3K+irh9lSa+z5sgH5wZqA99ru0ussh+UxNfUwAeXrROZc7hu8/vqlOEHBtMFzAmeZnJDKknfaaBSScXlSg1zpIy6AZyWDER3drAuXVZ"
        "zcPwS0X/W7C9X1d6coytanQpvjhptPg3W4krbYvEnzC10BQYf77mQ2BqJvmUQMn24PcuWbNK8VVxnp3Xl+M0cOB/LDOvA6t5pztjXOvXCC8T"
        "4tMB/OnBpaOZHf5KlGrLtx0LAExyvwZx6Tx4I1F5fRchlBVfkKVxVeTiBXtGsqnFYpO2N1iXbq6VzbBCL5iJCYYX0p15nzXOiLJFv68nD4kJ"
        "W8hwZwSnxUN+yJzJt14xYIyciDLOpglxcgGGwl3yv1P0DhABnsjJRFdIlmNqto+HD/OYMwub3AO/Q4KPZoabtuc7zFI0r0PlT1zorZTf8yvB"
        "0H2LkBa3qlNaNrKP1LlgbM+6VtQpC5lbh3HCmk++l+8nDwoc92V0Q7743EIZvovtpGQZvPFYGBgNV+nqtaSq78AC6FHSJNINVeNpFb18Q1sX"
        "LJBK7xQfF1+ohZkJdL1/pQee/3ndVIrB+XUUa4LWj15YE6Ut4iZ6a9S9JPlQhwlB1kyntj47aP/5S5H3tMPWX5biMPnro8uLsqjlGEr58x8q"
        "WCW/npXRpKA6/x4ZuIYGgtzVX95mJfmynAg35dv1YRVPvcxa3CSWGkYoERMS17gP9NPfzZZQEq8D3oGk0rMVe6AA+ntLTz54MX8zv+yeCnp+"
        "GTBR4thY/nVTseLcMaBv7RGp3bcYtg7Ol+8ey2qadFSuZskWJwL8LoqUGSR6hPy1sGUuHVdLGvnyW2IuzMHYsHx8Ddzpdu12n7hlCv4krj4I"
        "2lBUqrSLJ8Hmgx4G8qlNDehfDhXKA7TbgYgfCnQePea3djBApdb/dd0gHyT1XX6VSz43JFSgOWw/KanbROOiUPt/TKrdtJrbj53Fx8CA3s90"
        "K4cHOpigBGbJ3K9GCwxK/1wOAmHJQoIZ6mbxBoJoam6hnEcx4NUqDVB6OX5k+WZEleoZIAVo2dEPMrQ4HP1YZlQXJ4Vu1mXaXmwvAxR1CVl1"
        "cGVP4YwbvWRTbYguJnvSaOIOhc17HuVZpswgIgP0DhAB/5BrRmqRl+2zskgenoZlaSTNbbXA/UWB4punw3swGyoy5G/7KHwbJQWLKGKXjqKa"
        "pMUV4tp/5PUlk/UU3pODvu1q2eiU6Iiia5YLsfIUVk/2ZF/6OaPn5kImvJKOjnHC1dt6dCQ4DMngawViORBKYFyVP8Gdzx/WFrFULjzh5zFI"
        "Da20yg/u2oLylotPqFbXBK/yHKIXMqu+XteSsqiQVVXYKgnmJ+DW90E6eS4nj/SXbR3MhEbupVzKEikjnPNTcC0kpTR9NEHKTfV70APCJfsc"
        "S5FforvT3zc6NB7K5HiAqbimVgnaMVhC3SaBL6PUnapQD4yhtM80fR5FX9djBg6XaLV2XT2RMXGLbn6oP3zfekUdgg8g03bQzvcMrDB9SIr2"
        "zzW4w7wmoSXBrvE2HBbAU7j+V8RC4sjL4KFu/v+eWroXqROkoWVVfU5/oKkyMpz6CAPab8AqBIMhsJzcubZXO1kvAxR12bEtQuOXTQMyEL+6"
        "ZkHwTnGrh0KwwBXDkHxc95bgN82G3vlHrnb4Pqh0ZHaqpm8to7N8zQvFNgftq9x+YBkQ7ZPcxpW+Z7Jt5M973aJK+xx+JB/VgkKccsdaO4f5"
        "WE6bjxhKzgNs/XqivcaPK2uVQuEVVKmnSTi2WP+CSVEqwh6r/zxDZpOpMZEhVWnN8CFyCIANJ5Rel+LYkCpHBjCQbVnjFTcfKF3NdCbIDQYb"
        "MZlovccIAKr6SXcUKVPF66btyKWSOG0eLCMekan4O+M0JIZYQjxV2Vo2bte1/Ekfqh9F1FHvLYyRMM7yWr7wC/yB1+KqYUesoJme3MDl6dvx"
        "Ep3RC9vwxcknPhMkU6Lz7hmmr2jmX1VuU65aHNXjZb/KnvMOzdajK7uKQrb37EjRQI/yb4E1ljhn3cbolBuKBvnRVULefnEWlaJa7PElcI+5"
        "9f9BK7413RrDTpCKrh/MYiimzGO86uG6pNnSlTnwV96QSC6wxJ71P3Y9ZNzgcJn9fhPEQx7nfb3sRlPOnhBZHGD2qUVLzARQXM6D+0H86Kv4"
        "aFjUR3A3P65gOEmFSt/m3w+lVdmmnUpPnjJEUif6PQLbazbcQuMHZC1vizaAEBWofEAwpq0tBFQh/41U+eaWI6QWfWerJ5cwMTZPuZd2wFS9"
        "8l7cbD0zRJMP0NheUcd3CValownea5amVZw4OXUoM/u5ZbExSG8FeApD/FPURtiQKkeA3oM3zx3lmeWmkUmDtrLfnZsH+VPBcvUX1fQklKM/"
        "jxqFiFfVjpilwqck0ahe36VkDJZ2SNQsfnz0jQUhzz9wN1Cwyu03qTujp4/pRA/gwOKElj52CtIu/IRAw+sOXvuKfmBCGXFaysSxj7a6PsnC"
        "oBAq4USuhpQ3kC+kxeY4nADvHFEy/sE6ydm/Npd9AlT+1m+SFLcIKh6ZwGbsNDBicffH5i8levnufJDx8q6XwglHRDZCTzrBMXYJic1+Wk3j"
        "uSyqv51ItTbGE6D6AJnXvlpWZ/MsNhBLJA/Hjxf/UmnXY6YsGlBTK2oMbmFmcId9R1MLh3b/UUQRgmc0PrZTMFjFYOaD1aLkPRj5OGr7Mp8+"
        "Q+pYXNZtb8ZsQoWwMkXVFHHv+CSFSiaDH7mLdB+Io8Yh+CjpKqw2UWZphea/XRW9ioziHJFubDfuDot63/2ENPPH"
    ),
}
