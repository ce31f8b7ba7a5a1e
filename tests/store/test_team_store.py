"""A team store (DuckLake catalog in the session's real PostgreSQL server, files in a shared folder),
driven as users drive it: real files ingested, datasets and series read, snapshots and a read pinned at
the first, two writers, a password that never comes out, and the CLI's --store postgres:... --data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

import pytest

from peacewatch.errors import StoreError
from peacewatch.store import Store
from peacewatch.store.team import locate_postgres

ARGENTINA = "acled_global_sample_2022/acled_argentina_2022-06_326_events.csv.gz"
UCDP_SAMPLE = "ucdp_ged_231_global_sample/ucdp_ged_231_sample_1000.csv.gz"
SOUTH_SUDAN = "acled_south_sudan_events_reduced/acled_south_sudan_reduced.csv.gz"

pytestmark = pytest.mark.slow  # real ingests into a real server: about a minute each on a busy machine


@pytest.fixture
def team(postgres_server, postgres_database, tmp_path):
    """A new team store's --store text and --data folder (the lake is made by the first ingest)."""
    return "postgres:" + postgres_server.conninfo(postgres_database), tmp_path / "shared"


@pytest.fixture(scope="module")
def expected(data_file, tmp_path_factory):
    """The same two files in a store folder, ingested one at a time: what the team store must equal."""
    store = Store(tmp_path_factory.mktemp("local") / "store")
    store.ingest([data_file(ARGENTINA)])
    first = store.datasets()
    store.ingest([data_file(UCDP_SAMPLE)])
    return {"store": store, "first": first, "second": store.datasets()}


def _comparable(rows):
    return [{k: v for k, v in r.items() if k not in ("ingested_at", "path")} for r in rows]


def test_a_team_store_ingests_real_files_as_snapshots_and_reads_the_first_again(team, data_file, expected):
    where, shared = team
    store = Store(locate_postgres(where, str(shared)))
    (report,) = store.ingest([data_file(ARGENTINA)])
    assert (report.status, report.rows_ingested, report.rows_quarantined) == ("ingested", 326, 0)
    first = store.snapshot
    assert _comparable(store.datasets()) == _comparable(expected["first"])
    store.ingest([data_file(UCDP_SAMPLE)])
    second = store.snapshot
    assert second > first
    assert _comparable(store.datasets()) == _comparable(expected["second"])

    # the files are where --data said: Parquet under data/, the source files under archive/
    assert list((shared / "data").rglob("*.parquet"))
    assert sorted(p.name.split(".")[0] for p in (shared / "archive").iterdir()) == sorted(
        d["sha256"] for d in expected["second"]
    )

    # another Store, given only --store (the folder comes from the catalog), pinned at the first snapshot
    pinned = Store(where, snapshot=first)
    assert [d["dataset_id"] for d in pinned.datasets()] == [expected["first"][0]["dataset_id"]]
    assert pinned.query("SELECT count(*) AS n, sum(fatalities_best) AS f FROM events").to_pylist() == [
        {"n": 326, "f": 2}
    ]
    current = Store(where)
    assert current.snapshot == second
    events = current.query("SELECT dataset_id, count(*) AS n FROM events GROUP BY 1 ORDER BY 1").to_pylist()
    assert {r["dataset_id"]: r["n"] for r in events} == {
        d["dataset_id"]: d["rows_ingested"] for d in expected["second"]
    }


def test_compacting_a_team_store_keeps_its_current_state(team, data_file):
    where, shared = team
    store = Store(locate_postgres(where, str(shared)))
    store.ingest([data_file(ARGENTINA)])
    store.ingest([data_file(SOUTH_SUDAN)])
    before = Store(where).query("SELECT dataset_id, count(*) AS n FROM events GROUP BY 1 ORDER BY 1")
    done = Store(where).compact(keep=1)
    assert done["expired"] and Store(where).snapshots()[0]["snapshot_id"] == Store(where).snapshot
    assert Store(where).query("SELECT dataset_id, count(*) AS n FROM events GROUP BY 1 ORDER BY 1") == before


def test_series_of_a_team_store_equal_a_store_folders(team, data_file, expected):
    import peacewatch as pw

    where, shared = team
    Store(locate_postgres(where, str(shared))).ingest([data_file(ARGENTINA)])
    dataset = expected["first"][0]["dataset_id"]
    kwargs = {"dataset": dataset, "country": "Argentina", "start": "2022-06-01", "end": "2022-06-30"}
    local = pw.open_store(expected["store"].path)
    got = pw.open_store(where).series(**kwargs).to_dict()
    want = local.series(**kwargs).to_dict()
    assert got["points"] == want["points"]
    assert sum(p["value"] for p in got["points"]) == 326
    assert got["command"].startswith(
        f"peacewatch series --store '{where}' --snapshot {got['snapshot']} --dataset {dataset} "
    )


HOLD = """
import sys, time
from peacewatch.store.advisory import advisory_lock
from peacewatch.store.postgres import parse_postgres
with advisory_lock(parse_postgres(sys.argv[1]), wait=5):
    print("held", flush=True)
    time.sleep(60)
"""

INGEST = """
import sys
from peacewatch.store import Store
from peacewatch.store.team import locate_postgres
print("start", flush=True)
report, = Store(locate_postgres(sys.argv[1], sys.argv[2])).ingest([sys.argv[3]], wait=300)
print(report.status, report.rows_ingested, flush=True)
"""


def _python(code: str, *args) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.Popen(
        [sys.executable, "-c", code, *map(str, args)], stdout=subprocess.PIPE, text=True, env=env
    )


def test_a_second_writer_waits_then_fails_clearly_and_the_store_is_unchanged(team, data_file):
    where, shared = team
    store = Store(locate_postgres(where, str(shared)))
    store.ingest([data_file(ARGENTINA)])
    before = store.snapshot
    holder = _python(HOLD, where)
    try:
        assert holder.stdout.readline().strip() == "held"
        start = time.monotonic()
        with pytest.raises(StoreError) as err:
            store.ingest([data_file(UCDP_SAMPLE)], wait=2)
        waited = time.monotonic() - start
    finally:
        holder.kill()
        holder.wait()
    assert 2 <= waited < 30
    assert str(err.value).startswith(f"{where}: another peacewatch process is writing this store")
    assert "waited 2 s" in str(err.value)
    assert Store(where).snapshot == before
    assert [d["dataset_id"] for d in Store(where).datasets()] == ["acled-argentina-2022-06-326-events"]


def test_two_writers_on_two_processes_take_turns_and_both_commit(team, data_file):
    where, shared = team
    Store(locate_postgres(where, str(shared))).ingest([data_file(ARGENTINA)])  # the lake exists
    first = Store(where).snapshot
    other = _python(INGEST, where, shared, data_file(UCDP_SAMPLE))
    assert other.stdout.readline().strip() == "start"
    mine = {}

    def write():
        (mine["report"],) = Store(where).ingest([data_file(SOUTH_SUDAN)], wait=300)

    thread = threading.Thread(target=write)
    thread.start()
    out, _ = other.communicate(timeout=600)
    thread.join(timeout=600)
    assert other.returncode == 0 and out.split()[0] == "ingested"
    assert mine["report"].status == "ingested"
    assert Store(where).snapshot == first + 2  # one snapshot each, none lost to a conflict
    assert len(Store(where).datasets()) == 3


def run(capsys, *argv) -> tuple[int, str, str]:
    from peacewatch.cli.app import main

    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_the_cli_opens_a_team_store_and_never_prints_its_password(
    postgres_server, data_file, tmp_path, capsys, monkeypatch
):
    role, secret = postgres_server.password_role, postgres_server.password
    where = "postgres:" + postgres_server.conninfo(postgres_server.create_database(owner=role), role)
    inline = f"{where} password='{secret}'"  # the password has a space: quoted as libpq wants
    shared = tmp_path / "shared"
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.delenv("PEACEWATCH_STORE_DATA", raising=False)
    said = []

    def cli(*argv) -> tuple[int, str, str]:
        code, out, err = run(capsys, *argv)
        said.append(out + err)
        return code, out, err

    code, _, err = cli("datasets", "--store", where)
    assert code == 1 and "no password supplied" in err
    code, _, err = cli("datasets", "--store", f"{where} password=Wr0ngSecret")
    assert code == 1 and "password authentication failed" in err and "Wr0ngSecret" not in err
    assert err.startswith(f"error: {where}: cannot open the team store's catalog in PostgreSQL")
    code, out, _ = cli("datasets", "--store", inline)
    assert code == 0 and f"{where}: no datasets yet" in " ".join(out.split())
    code, _, err = cli("ingest", "--store", inline, data_file(ARGENTINA))
    assert code == 1 and "a new team store needs a folder for its data files" in err and "--data" in err

    code, out, _ = cli("ingest", "--store", inline, "--data", shared, "--json", data_file(ARGENTINA))
    assert code == 0 and json.loads(out)[0]["rows_ingested"] == 326
    assert (shared / "archive").is_dir()

    # later commands need only --store; the password from PGPASSWORD
    monkeypatch.setenv("PGPASSWORD", secret)
    code, out, _ = cli("series", "--store", where, "--country", "Argentina", "--json")
    assert code == 0
    payload = json.loads(out)
    assert sum(p["value"] for p in payload["points"]) == 326
    assert payload["command"].startswith(
        f"peacewatch series --store '{where}' --snapshot 1 --country Argentina "
    )
    code, out, _ = cli("series", "--store", inline, "--country", "Argentina", "--json")
    assert code == 0 and json.loads(out)["command"] == payload["command"]  # the password left out
    code, out, _ = cli("datasets", "--store", inline, "--json")
    assert code == 0 and [d["dataset_id"] for d in json.loads(out)] == ["acled-argentina-2022-06-326-events"]
    # a --data folder that is not there, for a lake that exists, is refused naming the recorded one
    code, _, err = cli("datasets", "--store", where, "--data", tmp_path / "elsewhere")
    assert code == 1 and f"no data folder there ({tmp_path / 'elsewhere' / 'data'} is missing)" in err
    assert f"its catalog records {shared}" in err
    # --data of a store folder is a mistake
    code, _, err = cli("datasets", "--store", tmp_path / "folder", "--data", shared)
    assert code == 1 and "only a team store (--store postgres:...) keeps its files apart" in err

    assert not [text for text in said if secret in text or "Corr3ct" in text]


READ = """
import json, pathlib, sys
from peacewatch.store import Store
stop, seen, errors = pathlib.Path(sys.argv[2]), set(), []
print("reading", flush=True)
while not stop.exists():
    try:
        store = Store(sys.argv[1])  # a new Store each time: the newest snapshot, then one snapshot
        seen.add(store.query("SELECT count(*) AS n FROM events").to_pylist()[0]["n"])
        store.close()
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {exc}"[:300])
print(json.dumps({"seen": sorted(seen), "errors": errors}))
"""


def test_a_reader_in_another_process_sees_the_state_before_or_after_a_commit_never_half(
    team, data_file, tmp_path
):
    where, shared = team
    store = Store(locate_postgres(where, str(shared)))
    store.ingest([data_file(ARGENTINA)])
    stop = tmp_path / "stop"
    reader = _python(READ, where, stop)
    assert reader.stdout.readline().strip() == "reading"
    time.sleep(1)
    (report,) = store.ingest([data_file(SOUTH_SUDAN)])
    time.sleep(1)
    stop.touch()
    out, _ = reader.communicate(timeout=300)
    answers = json.loads(out.strip().splitlines()[-1])
    assert answers["errors"] == [], out
    assert set(answers["seen"]) <= {326, 326 + report.rows_ingested}
    assert 326 in answers["seen"]
