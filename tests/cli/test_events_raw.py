"""`peacewatch events --raw` and `store.events(raw=True)`: each event's original row, read back from
its source file (UCDP GED 23.1's 1,000-event sample, whose quoted fields hold newlines); a file that
changed or is gone is said so, exit 1."""

from __future__ import annotations

import csv
import gzip
import io
import json
import shutil

import pytest

import peacewatch as pw
from peacewatch.cli.app import main
from peacewatch.store import Store

GED_231 = "ucdp_ged_231_global_sample/ucdp_ged_231_sample_1000.csv.gz"


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def _ingest(tmp_path, data_file, *, archive: bool):
    path = tmp_path / "ged231_sample.csv.gz"
    shutil.copyfile(data_file(GED_231), path)
    store = tmp_path / "s"
    Store(store).ingest([path], archive=archive)
    return store, path, gzip.decompress(path.read_bytes()).decode("utf-8")


@pytest.fixture
def ingested(tmp_path, data_file):
    """A copy of the GED sample ingested into a fresh store: (store path, file, the file's text)."""
    return _ingest(tmp_path, data_file, archive=True)


@pytest.fixture
def unarchived(tmp_path, data_file):
    """The same, ingested with --no-archive: the store keeps only the file's path."""
    return _ingest(tmp_path, data_file, archive=False)


def test_events_raw_json_gives_every_event_its_row_exactly_as_in_the_file(capsys, ingested):
    store, _, text = ingested
    code, out, err = run(capsys, "events", "--raw", "--format", "json", "--store", store)
    assert code == 0, err
    rows = json.loads(out)
    assert len(rows) == 1000
    for r in rows:
        assert r["raw"] in text
        assert r["raw"].split(",")[0].removesuffix(".0") == r["source_event_id"]
    multiline = [r for r in rows if "\n" in r["raw"]]
    assert len(multiline) == 68  # rows whose quoted fields hold newlines come back whole
    assert all(next(csv.reader([r["raw"]]))[0] for r in multiline)


def test_events_raw_csv_and_table_carry_the_raw_column(capsys, ingested):
    store, _, text = ingested
    code, out, _ = run(capsys, "events", "--raw", "--format", "csv", "--limit", "3", "--store", store)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 3 and all(r["raw"] in text for r in rows)
    code, out, _ = run(capsys, "events", "--raw", "--limit", "2", "--store", store)
    assert code == 0
    assert "raw" in out and "source row" in out


def test_events_without_raw_print_no_raw_column(capsys, ingested):
    store, _, _ = ingested
    code, out, _ = run(capsys, "events", "--format", "json", "--limit", "1", "--store", store)
    assert code == 0 and "raw" not in json.loads(out)[0]


def test_events_raw_reads_the_archived_copy_when_the_original_changed_or_is_gone(capsys, ingested):
    store, path, text = ingested
    with gzip.open(path, "ab") as fh:
        fh.write(b"")
    code, out, err = run(capsys, "events", "--raw", "--format", "json", "--limit", "2", "--store", store)
    assert code == 0, err
    assert all(r["raw"] in text for r in json.loads(out))
    path.unlink()
    code, out, err = run(capsys, "events", "--raw", "--format", "json", "--limit", "2", "--store", store)
    assert code == 0, err
    (archived,) = (store / "archive").iterdir()
    archived.unlink()
    code, _, err = run(capsys, "events", "--raw", "--limit", "1", "--store", store)
    assert code == 1 and "the archived file is missing and the original is gone" in err


def test_events_raw_says_when_the_file_changed_since_the_ingest(capsys, unarchived):
    store, path, _ = unarchived
    with gzip.open(path, "ab") as fh:  # one more gzip member: the same rows, other bytes
        fh.write(b"")
    code, _, err = run(capsys, "events", "--raw", "--limit", "1", "--store", store)
    assert code == 1
    assert err.startswith("error: ") and "changed since the ingest" in err and str(path) in err


def test_events_raw_says_when_the_file_is_gone(capsys, unarchived):
    store, path, _ = unarchived
    path.unlink()
    code, _, err = run(capsys, "events", "--raw", "--limit", "1", "--store", store)
    assert code == 1
    assert "the original is gone" in err and str(path) in err and "re-ingest" in err
    code, _, _ = run(capsys, "events", "--limit", "1", "--store", store)
    assert code == 0  # the events themselves are still listed without --raw


def test_the_python_api_gives_the_same_rows_and_the_command_that_reproduces_them(capsys, ingested):
    store, _, _ = ingested
    events = pw.open_store(store).events(limit=3, raw=True)
    assert events.command.endswith("--limit 3 --raw")
    code, out, _ = run(capsys, *events.command.split()[1:], "--format", "json")
    assert code == 0
    assert [r["raw"] for r in json.loads(out)] == [r["raw"] for r in events.to_dict()]
    assert "raw" not in pw.open_store(store).events(limit=1).to_dict()[0]
