"""`peacewatch watch` on the command line: --every with a bounded number of cycles, and user errors."""

from __future__ import annotations

import json

import pytest

from peacewatch.cli.app import main


def test_every_runs_the_cycles_asked_and_prints_one_json_object_per_cycle(watched_afghan_store, capsys):
    store = str(watched_afghan_store.path)
    code = main(["watch", "afghanistan-2020", "--every", "0.1s", "--cycles", "2", "--json", "--store", store])
    out = capsys.readouterr().out
    assert code == 0
    runs = [json.loads(line) for line in out.splitlines()]
    assert len(runs) == 2
    assert runs[0]["cases"][0]["first_run"] and runs[0]["alerts"]
    assert not runs[1]["cases"][0]["first_run"] and runs[1]["alerts"] == []
    assert runs[0]["run_id"] != runs[1]["run_id"]


def test_once_prints_the_alerts_and_where_they_are_stored(watched_afghan_store, capsys):
    code = main(
        ["watch", "afghanistan-2020", "--once", "--no-sync", "--store", str(watched_afghan_store.path)]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "first run: baseline recorded" in out
    assert "new alert(s)" in out and "violence_change" in out
    assert "alerts.jsonl" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--once", "--every", "1d"], "--once and --every: expected one of them"),
        (["--cycles", "2"], "--cycles N: expected with --every"),
        (["--every", "daily"], "--every 'daily': expected a positive number and a unit"),
        (["--webhook", "hooks.example.org/x"], "expected an http(s):// URL"),
    ],
)
def test_a_usage_it_cannot_follow_is_one_sentence_and_exit_1(tmp_path, capsys, args, message):
    code = main(["watch", "afghanistan-2020", *args, "--store", str(tmp_path / "none")])
    err = capsys.readouterr().err
    assert code == 1
    assert message in err and "Traceback" not in err


def test_a_store_that_does_not_exist_is_named(tmp_path, capsys):
    code = main(["watch", "afghanistan-2020", "--store", str(tmp_path / "none")])
    assert code == 1
    assert "no store here yet" in capsys.readouterr().err
