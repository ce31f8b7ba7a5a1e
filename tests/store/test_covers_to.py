"""`ingest --covers-to DATE`: a file whose events stop before the end of what it covers (a quiet end, a
reduced export) may declare its last day; coverage then ends there instead of at the last event
(docs/adr/0009), and verdicts can reach that day. Without it nothing changes."""

from __future__ import annotations

import gzip
import json

import pytest

from peacewatch.cli.app import main

SSD = "acled_south_sudan_events_reduced/acled_south_sudan_reduced.csv.gz"
DECEMBER = ["--window", "2025-12-01:2025-12-31", "--baseline-preceding", "30"]


@pytest.fixture(scope="module")
def cut_file(tmp_path_factory, data_file):
    """The South Sudan export cut after 2025-11-30 (16,574 rows; the last event on 2025-11-30)."""
    path = tmp_path_factory.mktemp("cut") / "ssd_to_november.csv"
    with gzip.open(data_file(SSD), "rt", encoding="utf-8") as f:
        lines = f.read().splitlines(keepends=True)
    path.write_text(lines[0] + "".join(x for x in lines[1:] if x.split(",")[2] < "2025-12-01"))
    return path


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_without_a_declaration_coverage_ends_at_the_last_event(tmp_path, cut_file, capsys):
    store = str(tmp_path / "s")
    assert _run(capsys, "ingest", "--store", store, str(cut_file))[0] == 0
    code, _, err = _run(capsys, "compare", "--store", store, *DECEMBER)
    assert code == 1
    assert "2025-12-01 to 2025-12-31 (31 days) are missing" in " ".join(err.split())
    _, out, _ = _run(capsys, "datasets", "--store", store, "--json")
    assert json.loads(out)[0]["covers_to"] is None


def test_a_declared_end_lets_a_quiet_month_be_counted_as_quiet(tmp_path, cut_file, capsys):
    store = str(tmp_path / "s")
    assert _run(capsys, "ingest", "--store", store, str(cut_file), "--covers-to", "2025-12-31")[0] == 0
    _, out, _ = _run(capsys, "datasets", "--store", store, "--json")
    row = json.loads(out)[0]
    assert (row["date_max"], row["covers_to"]) == ("2025-11-30", "2025-12-31")
    code, out, _ = _run(capsys, "compare", "--store", store, *DECEMBER, "--json")
    assert code == 0
    got = json.loads(out)
    assert (got["window"]["total"], got["window"]["days"]) == (0.0, 31)
    # a day after the declared end is still missing
    code, _, err = _run(capsys, "compare", "--store", store, "--window", "2026-01-01:2026-01-02",
                        "--baseline-preceding", "30")  # fmt: skip
    assert code == 1 and "2026-01-01 to 2026-01-02 (2 days) are missing" in " ".join(err.split())


def test_a_declaration_on_a_file_already_in_the_store_is_its_own_snapshot(tmp_path, cut_file, capsys):
    store = str(tmp_path / "s")
    assert _run(capsys, "ingest", "--store", store, str(cut_file))[0] == 0
    assert _run(capsys, "ingest", "--store", store, str(cut_file), "--covers-to", "2025-12-15")[0] == 0
    _, out, _ = _run(capsys, "snapshots", "--store", store, "--json")
    assert [s["snapshot_id"] for s in json.loads(out)] == [0, 1, 2]
    _, out, _ = _run(capsys, "datasets", "--store", store, "--json", "--snapshot", "1")
    assert json.loads(out)[0]["covers_to"] is None  # the past is read as it was
    _, out, _ = _run(capsys, "datasets", "--store", store, "--json")
    assert json.loads(out)[0]["covers_to"] == "2025-12-15"


@pytest.mark.parametrize(
    "day, says",
    [
        ("2025-11-29", "has events up to 2025-11-30; expected a day on or after its last event"),
        ("2999-01-01", "expected a day on or before today"),
    ],
)
def test_a_declared_end_before_the_last_event_or_in_the_future_is_refused_and_nothing_is_written(
    tmp_path, cut_file, capsys, day, says
):
    store = tmp_path / "s"
    code, _, err = _run(capsys, "ingest", "--store", str(store), str(cut_file), "--covers-to", day)
    assert code == 1
    assert says in " ".join(err.split())
    assert not store.exists()


def test_an_export_carries_the_declaration_for_other_engines(tmp_path, cut_file, capsys):
    from peacewatch.store.spark import SparkStore

    store, out_dir = str(tmp_path / "s"), tmp_path / "exp"
    assert _run(capsys, "ingest", "--store", store, str(cut_file), "--covers-to", "2025-12-31")[0] == 0
    assert _run(capsys, "export", "--store", store, str(out_dir))[0] == 0
    assert SparkStore(out_dir).declared_coverage() == {"ssd-to-november": "2025-12-31"}
