"""A "reproduce" command is shell-safe and names its store: pasted into a shell it runs peacewatch on
the same store with the same arguments, and nothing else."""

from __future__ import annotations

import datetime as dt
import json
import shlex
import subprocess

from peacewatch import analysis
from peacewatch.cli.app import main
from peacewatch.indicators.filters import Filters

HOSTILE = "Aleppo $(touch PWNED) `touch PWNED2`; touch PWNED3 \"'"


def test_a_hostile_admin1_is_one_quoted_word_and_the_shell_runs_nothing(syria_store, tmp_path):
    f = Filters(
        country="Syria",
        admin1=HOSTILE,
        date_from=dt.date(2017, 1, 1),
        date_to=dt.date(2017, 1, 31),
    )
    r = analysis.series(f, by="week", store=syria_store)
    words = shlex.split(r.command)
    assert words[:4] == ["peacewatch", "series", "--store", str(syria_store.path)]
    assert words[words.index("--admin1") + 1] == HOSTILE
    # The shell sees the arguments as data: printing them runs none of the substitutions.
    printed = subprocess.run(
        ["sh", "-c", "printf '%s\\n' " + r.command.removeprefix("peacewatch ")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert HOSTILE in printed.stdout.splitlines()
    assert list(tmp_path.iterdir()) == []


def test_the_printed_command_run_elsewhere_gives_the_same_numbers(
    afghan_store, tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)  # no ./peacewatch.duckdb here: only --store can find the data
    monkeypatch.delenv("PEACEWATCH_STORE", raising=False)
    f = Filters(
        country="Afghanistan", admin1="Helmand", date_from=dt.date(2020, 2, 1), date_to=dt.date(2020, 3, 31)
    )
    r = analysis.compare(
        f, window="2020-03-01:2020-03-31", baseline="2020-02-01:2020-02-29", store=afghan_store
    )
    words = shlex.split(r.command)
    assert words[2:4] == ["--store", str(afghan_store.path)]
    assert main([*words[1:], "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert (again["window"]["total"], again["baseline"]["total"]) == (
        r.result.window_total,
        r.result.baseline_total,
    )
    assert again["command"] == r.command


def test_filter_flags_are_quoted_word_by_word():
    f = Filters(datasets=("a b",), actor="taliban+haqqani_network", dyad=("is", "taliban"), types=("battle",))
    assert f.cli_args() == "--dataset 'a b' --actor taliban+haqqani_network --dyad is,taliban --type battle"
    assert f.cli_args(store="/tmp/my store.duckdb").startswith("--store '/tmp/my store.duckdb' ")
