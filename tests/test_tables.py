"""Packaged clinical tables are registered, verified against their checksum and recorded."""

from __future__ import annotations

import dataclasses
import hashlib

import pytest

from medlab.data import ChecksumError, DataNotAvailableError, tables
from medlab.errors import MedlabError
from medlab.runtime import record


@pytest.mark.parametrize("name", sorted(tables.TABLES))
def test_every_table_is_the_registered_file(name):
    path = tables.table_file(name)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == tables.TABLES[name].sha256
    assert tables.TABLES[name].licence and tables.TABLES[name].citation == tables.citation(name)


def test_another_file_is_refused_with_the_fix(monkeypatch):
    changed = dataclasses.replace(tables.TABLES["gbsg2"], sha256="0" * 64)
    monkeypatch.setitem(tables.TABLES, "gbsg2", changed)
    with pytest.raises(ChecksumError, match="(?s)gbsg2.csv: sha256 .* requirements.txt"):
        tables.load_gbsg2()


def test_a_missing_package_is_named(monkeypatch):
    gone = dataclasses.replace(tables.TABLES["whas500"], package="not_a_package_here", distribution="nothing")
    monkeypatch.setitem(tables.TABLES, "whas500", gone)
    with pytest.raises(DataNotAvailableError, match="nothing is not installed"):
        tables.load_whas500()


def test_loads_record_the_checked_file():
    df = tables.load_gbsg2()
    assert len(df) == 686 and set(df.event) == {0, 1}
    info = record._snapshot()["data"]["gbsg2"]
    assert info["files"] == {"gbsg2.csv": tables.TABLES["gbsg2"].sha256} and info["rows"] == 686
    assert issubclass(tables.TableError, MedlabError) and issubclass(tables.TableError, ValueError)
