"""Results read at a snapshot are reproducible: `--snapshot N` gives the payload it gave then, whatever
was ingested since; every payload and reproduce command names the snapshot it read; `peacewatch
snapshots` lists the history.

The store holds the reduced ACLED Afghanistan export (69,172 events, snapshot 1). The later ingest
applies tests/data/acled_release_a.csv as a new release of it: 69,172 rows deleted and 5 inserted, so
every number of the current state changes while the numbers at snapshot 1 must not.
"""

from __future__ import annotations

import contextlib
import io
import json
import shlex
from pathlib import Path

import pytest
from tests.conftest import REDUCED_ACLED

from peacewatch.cli.app import main
from peacewatch.store import Store

FEBRUARY = ("--country", "Afghanistan", "--from", "2020-02-01", "--to", "2020-03-31")
COMPARE = ("--window", "2020-02-22:2020-02-29", "--baseline", "2020-02-01:2020-02-21")
CASE = ("afghanistan-2020", "--as-of", "2020-06-30")
RELEASE_A = ("--country", "Afghanistan", "--from", "2020-02-20", "--to", "2020-03-04")  # its coverage


def cli_json(*argv: str):
    """Run the CLI with --json and return the payload it printed (no capsys: module fixtures use it)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([*argv, "--json"])
    assert code == 0, err.getvalue()
    return json.loads(out.getvalue())


def _results(store: str, snapshot: tuple[str, ...], out: Path) -> dict:
    """The JSON of series, compare, evaluate and check, and the brief's brief.json and brief.html."""
    found = {
        "series": cli_json("series", *FEBRUARY, "--by", "week", "--store", store, *snapshot),
        "compare": cli_json("compare", *FEBRUARY, *COMPARE, "--store", store, *snapshot),
        "evaluate": cli_json("evaluate", *CASE, "--store", store, *snapshot),
        "check": cli_json("check", *CASE, "--store", store, *snapshot),
    }
    with contextlib.redirect_stdout(io.StringIO()):
        assert (
            main(["brief", "afghanistan-2020", "--out", str(out), "--no-pdf", "--store", store, *snapshot])
            == 0
        )
    found["brief"] = json.loads((out / "brief.json").read_text())
    found["brief.html"] = (out / "brief.html").read_text()
    return found


@pytest.fixture(scope="module")
def history(tmp_path_factory, data_file):
    """(store path, the first snapshot, the latest, results at the first, the same read again with
    --snapshot after the later ingest, the current state's series)."""
    work = tmp_path_factory.mktemp("history")
    store = Store(work / "store")
    store.ingest([data_file(REDUCED_ACLED)])
    first = store.snapshot
    before = _results(str(store.path), (), work / "brief-before")
    dataset = store.datasets()[0]["dataset_id"]
    later = Store(store.path)
    later.ingest(
        [Path(__file__).parents[1] / "data" / "acled_release_a.csv"],
        release_of=dataset,
        message="peacewatch ingest acled_release_a.csv --release-of [the reduced export]",
    )
    again = _results(str(store.path), ("--snapshot", str(first)), work / "brief-again")
    current = cli_json("series", *RELEASE_A, "--by", "week", "--store", str(store.path))
    return store.path, first, later.snapshot, before, again, current


@pytest.mark.parametrize("what", ["series", "compare", "evaluate", "check", "brief", "brief.html"])
def test_a_result_read_at_a_snapshot_is_the_same_after_a_later_ingest(history, what):
    _, first, _, before, again, _ = history
    assert again[what] == before[what]
    if what != "brief.html":
        assert before[what]["snapshot"] == first


def test_the_current_state_moved_while_the_snapshot_did_not(history):
    _, first, latest, _, _, current = history
    assert latest > first
    assert current["snapshot"] == latest
    assert sum(p["value"] for p in current["points"]) == 5  # release A's five events
    at_first = cli_json(
        "series", *RELEASE_A, "--by", "week", "--store", str(history[0]), "--snapshot", str(first)
    )
    assert sum(p["value"] for p in at_first["points"]) > 5


def test_every_reproduce_command_names_the_snapshot_it_read(history):
    path, first, _, before, _, _ = history
    flags = ["--store", str(path), "--snapshot", str(first)]
    for what in ("series", "compare"):
        assert shlex.split(before[what]["command"])[2:6] == flags
    for verdict in before["evaluate"]["commitments"]:
        command = verdict["evidence"].get("command")
        if command:
            assert f"--snapshot {first}" in command, command
    for claim in before["check"]["claims"]:
        assert f"--snapshot {first}" in claim["evidence"]["command"]
    for figure in before["brief"]["figures"]:
        for line in figure["command"].splitlines():
            assert f"--snapshot {first}" in line, line
    assert f"snapshot {first} of the store" in before["brief.html"]


def test_a_printed_command_run_after_later_ingests_gives_the_same_payload(history, capsys):
    _, _, _, before, _, _ = history
    words = shlex.split(before["compare"]["command"])
    assert cli_json(*words[1:]) == before["compare"]


def test_a_snapshot_named_by_time_reads_the_last_one_committed_by_then(history, capsys):
    path, first, latest, _, _, _ = history
    times = {s["snapshot_id"]: s["time"] for s in Store(path).snapshots()}
    at_first = cli_json("datasets", "--store", str(path), "--snapshot", "@" + times[first])
    assert [d["rows_ingested"] for d in at_first] == [69172]
    naive_utc = "@" + times[latest][:19]  # no offset: read as UTC
    assert cli_json("series", *FEBRUARY, "--store", str(path), "--snapshot", naive_utc)["snapshot"] in (
        first,
        latest,
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("99", "no snapshot 99; this store holds snapshots 0 to"),
        ("latest", "expected a snapshot id (a whole number"),
        ("@1999-01-01T00:00", "no snapshot at or before 1999-01-01"),
        ("@soon", "expected a snapshot time as an ISO timestamp"),
    ],
)
def test_a_snapshot_the_store_cannot_give_is_one_clear_error(history, capsys, value, message):
    path = history[0]
    assert main(["series", *FEBRUARY, "--store", str(path), "--snapshot", value]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_snapshots_lists_each_ingest_with_its_command_and_rows_changed(history, capsys, monkeypatch):
    from peacewatch.cli import render

    monkeypatch.setattr(render.console, "width", 250)
    path, first, latest, _, _, _ = history
    snaps = cli_json("snapshots", "--store", str(path))
    by_id = {s["snapshot_id"]: s for s in snaps}
    (dataset,) = by_id[first]["changes"]
    assert by_id[first]["changes"][dataset] == {"added": 69172, "updated": 0, "deleted": 0, "unchanged": 0}
    assert by_id[latest]["changes"][dataset] == {"added": 5, "updated": 0, "deleted": 69172, "unchanged": 0}
    assert by_id[latest]["command"].startswith("peacewatch ingest acled_release_a.csv")
    assert main(["snapshots", "--store", str(path)]) == 0
    table = capsys.readouterr().out
    assert "69,172" in table and "--release-of [the reduced export]" in table  # not rich markup
