"""Zip archives: the data member is unpacked into a working folder that is always removed, bounded in
size and ratio (a zip bomb is refused with a clear error), and never written outside that folder."""

from __future__ import annotations

import gzip
import os
import tempfile
import zipfile
from pathlib import Path

import pytest

from peacewatch.cli.app import main
from peacewatch.errors import SourceError
from peacewatch.sources import detect
from peacewatch.store import Store

SYRIA = "ucdp_ged_syria_2016_2019/ucdp_ged_syria_2016-01-01_2019-11-30.csv.gz"


@pytest.fixture(scope="module")
def syria_zip(tmp_path_factory, data_file) -> Path:
    path = tmp_path_factory.mktemp("zips") / "ged_syria-csv.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("../../ucdp_ged_syria.csv", gzip.decompress(data_file(SYRIA).read_bytes()))
    return path


def report_sha(path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def _unzip_dirs() -> set[str]:
    return {n for n in os.listdir(tempfile.gettempdir()) if n.startswith("peacewatch-unzip-")}


def test_a_zipped_real_file_ingests_and_leaves_nothing_unpacked(tmp_path, syria_zip):
    before = _unzip_dirs()
    store = Store(tmp_path / "store" / "s.duckdb")
    report = store.ingest([syria_zip])[0]
    assert report.rows_read == 16566 and report.rows_ingested + report.rows_quarantined == 16566
    assert sorted(p.name for p in store.path.parent.iterdir()) == ["s.duckdb"]
    assert {"archive", "catalog.sqlite", "data", "writer.lock"} <= {p.name for p in store.path.iterdir()}
    # The zip itself is archived (a member is rebuilt from it), nothing unpacked stays in the store.
    assert [p.name for p in (store.path / "archive").iterdir()] == [f"{report_sha(syria_zip)}.zip"]
    assert not any((store.path / "tmp").glob("unzip-*"))
    assert _unzip_dirs() == before
    assert not (tmp_path / "ucdp_ged_syria.csv").exists()  # the member's ../../ was not followed


def test_a_zip_bomb_is_refused_with_a_clear_error_and_nothing_left(tmp_path, capsys):
    bomb = tmp_path / "events.zip"
    with (
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf,
        zf.open("events.csv", "w") as member,
    ):
        member.write(b"id,date_start,type_of_violence,best\n")
        zero = b"\0" * (1 << 20)
        for _ in range(64):
            member.write(zero)
    assert bomb.stat().st_size < 200_000
    store = tmp_path / "s.duckdb"
    code = main(["ingest", "--store", str(store), str(bomb)])
    err = capsys.readouterr().err
    assert code == 1
    assert "times its compressed size" in err and "zip bomb" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.zip"]


def test_the_size_bound_holds_whatever_the_zip_directory_says(tmp_path, syria_zip, monkeypatch):
    monkeypatch.setattr(detect, "MAX_UNZIPPED_BYTES", 1 << 20)
    store = Store(tmp_path / "s.duckdb")
    with pytest.raises(SourceError, match="unpacks to more than"):
        store.ingest([syria_zip])
    assert not store.exists()
    assert list(tmp_path.iterdir()) == []


def test_a_damaged_zip_member_is_a_clear_error(tmp_path, syria_zip, capsys):
    raw = bytearray(syria_zip.read_bytes())
    middle = len(raw) // 2
    raw[middle : middle + 64] = bytes(64)
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(bytes(raw))
    code = main(["ingest", "--store", str(tmp_path / "s.duckdb"), str(damaged)])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert any(word in err for word in ("damaged", "corrupt", "ends early", "could not be read"))
