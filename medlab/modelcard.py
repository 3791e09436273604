"""Model cards written by code from a chapter's run record, never by hand.

A model card (Mitchell et al., FAT* 2019) states what a model is for, what
data it saw, how well it works overall, per subgroup and under shift, and
where it must not be used. :func:`model_card` builds one in Markdown from a
record in the format of ``results/<chapter>.json`` (:func:`load_record`) or
from the record of the run in progress (:func:`current_record`), so every
number on the card is a number the run produced.

Introduced in the chapter "Trustworthy deployment" (chapters/13_trustworthy_deployment.ipynb).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import MedlabError
from .runtime.record import _snapshot


class ModelCardError(MedlabError, ValueError):
    """A record lacks what the card asks for, or a results file is missing or unreadable."""


@dataclass(frozen=True)
class Metric:
    """One headline number of a card: ``record["metrics"][prefix][key]`` with optional bounds.

    Introduced in the chapter "Trustworthy deployment" (chapters/13_trustworthy_deployment.ipynb).
    """

    label: str
    prefix: str
    key: str
    lower: str | None = None
    upper: str | None = None


def load_record(path: str | Path) -> dict[str, Any]:
    """A chapter's ``results/<chapter>.json`` record, with a clear error if it is missing.

    Introduced in the chapter "Trustworthy deployment" (chapters/13_trustworthy_deployment.ipynb).
    """
    path = Path(path)
    if not path.is_file():
        raise ModelCardError(f"{path.name}: no such results record; produce it with "
                             f"python -m medlab.run chapters/{path.stem}.ipynb --profile full")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise ModelCardError(f"{path.name}: not valid JSON ({err}); re-run the chapter to rewrite it") from err


def current_record() -> dict[str, Any]:
    """What this run has recorded so far (``run``, ``metrics``, ``data``), as a copy.

    Under ``python -m medlab.run`` the same content becomes the chapter's
    ``results/`` record. Introduced in the chapter "Trustworthy deployment"
    (chapters/13_trustworthy_deployment.ipynb).
    """
    return _snapshot()


def _flat(record: Mapping[str, Any]) -> dict[str, Any]:
    """A results file and an in-progress record, read the same way."""
    return {**record.get("run", {}), **{k: v for k, v in record.items() if k != "run"}}


def _value(rec: Mapping[str, Any], prefix: str, key: str) -> Any:
    try:
        return rec["metrics"][prefix][key]
    except KeyError as err:
        raise ModelCardError(f"the record has no metric '{prefix}.{key}'; record it with "
                             f"medlab.record_metrics('{prefix}', {key}=...) before building the card") from err


def _fmt(value: Any, digits: int) -> str:
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def metric_text(record: Mapping[str, Any], metric: Metric, digits: int = 3) -> str:
    """``"0.871 (95 % CI 0.80 to 0.93)"`` for one :class:`Metric` of a record.

    Introduced in the chapter "Trustworthy deployment" (chapters/13_trustworthy_deployment.ipynb).
    """
    rec = _flat(record)
    text = _fmt(_value(rec, metric.prefix, metric.key), digits)
    if metric.lower and metric.upper:
        lo, hi = _value(rec, metric.prefix, metric.lower), _value(rec, metric.prefix, metric.upper)
        text += f" (95 % CI {_fmt(lo, digits)} to {_fmt(hi, digits)})"
    return text


def record_table(record: Mapping[str, Any], prefix: str, key: str = "table") -> pd.DataFrame:
    """A table stored in a record as a list of rows (``record_metrics(prefix, table=df.to_dict("records"))``).

    Introduced in the chapter "Trustworthy deployment" (chapters/13_trustworthy_deployment.ipynb).
    """
    rows = _value(_flat(record), prefix, key)
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise ModelCardError(f"metric '{prefix}.{key}' is not a table (a list of rows)")
    return pd.DataFrame(rows)


def _markdown_table(df: pd.DataFrame, digits: int) -> str:
    cells = df.map(lambda v: _fmt(v, digits))
    lines = ["| " + " | ".join(map(str, df.columns)) + " |", "|" + "---|" * len(df.columns)]
    lines += ["| " + " | ".join(row) + " |" for row in cells.astype(str).to_numpy().tolist()]
    return "\n".join(lines)


def model_card(record: Mapping[str, Any], *, title: str, model: str, intended_use: str, not_for: str,
               metrics: Sequence[Metric], tables: Mapping[str, tuple[str, str]] | None = None,
               limitations: Sequence[str] = (), digits: int = 3) -> str:
    """A model card in Markdown, every number read from ``record``.

    Sections follow Mitchell et al. (2019): model details (from the record's
    profile, seeds, device, date, medlab version and commit when present),
    intended use and uses out of scope, data (each dataset the run recorded,
    with licence and checksum), headline ``metrics``, one table per entry of
    ``tables`` (heading -> ``(prefix, key)`` of a table stored with
    :func:`record_table`'s convention), and limitations. Raises
    :class:`ModelCardError` naming any metric the record lacks. Introduced in
    the chapter "Trustworthy deployment" (chapters/13_trustworthy_deployment.ipynb).
    """
    rec = _flat(record)
    seeds = rec.get("seeds") or [rec.get("seed")]
    details = [f"- **Model**: {model}",
               f"- **Run**: profile `{rec.get('profile', '?')}`, seed(s) {', '.join(map(str, seeds))}, "
               f"device {rec.get('device', '?')}"]
    if rec.get("date"):
        details.append(f"- **Date**: {str(rec['date'])[:10]}")
    if rec.get("medlab_version"):
        commit = (rec.get("git") or {}).get("commit") or "unknown"
        details.append(f"- **Software**: medlab {rec['medlab_version']}, commit `{str(commit)[:10]}`")
    data_lines = []
    for name, info in sorted(rec.get("data", {}).items()):
        official = "" if info.get("official", True) else ", not the official release"
        sha = info.get("sha256")
        data_lines.append(f"- `{name}`: {info.get('title', name)}; licence {info.get('licence', 'not recorded')}"
                          f"{official}; sha256 `{str(sha)[:16]}…`" if sha else
                          f"- `{name}`: {info.get('title', name)}; licence {info.get('licence', 'not recorded')}"
                          f"{official}")
    parts = [f"## Model card: {title}", "### Model details", "\n".join(details),
             "### Intended use", intended_use, "### Out of scope", not_for,
             "### Data", "\n".join(data_lines) or "No dataset was recorded by this run.",
             "### Metrics", "\n".join(f"- {m.label}: {metric_text(rec, m, digits)}" for m in metrics)]
    for heading, (prefix, key) in (tables or {}).items():
        parts += [f"### {heading}", _markdown_table(record_table(rec, prefix, key), digits)]
    if limitations:
        parts += ["### Limitations and caveats", "\n".join(f"- {item}" for item in limitations)]
    return "\n\n".join(parts) + "\n"


__all__ = ["ModelCardError", "Metric", "load_record", "current_record", "metric_text", "record_table",
           "model_card"]
