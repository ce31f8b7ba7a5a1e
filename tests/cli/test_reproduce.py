"""A "reproduce" command is shell-safe and names its store: pasted into a shell it runs peacewatch on
the same store with the same arguments, and nothing else."""

from __future__ import annotations

import datetime as dt
import json
import shlex
import shutil
import subprocess

import pytest

from peacewatch import analysis
from peacewatch.cli.app import main
from peacewatch.errors import PlaceError
from peacewatch.indicators.filters import Filters

HOSTILE = "Aleppo $(touch PWNED) `touch PWNED2`; touch PWNED3 \"'"


def test_a_hostile_place_name_is_refused_before_any_command_is_printed(syria_store):
    f = Filters(country="Syria", admin1=HOSTILE, date_from=dt.date(2017, 1, 1), date_to=dt.date(2017, 1, 31))
    with pytest.raises(PlaceError, match="matches no admin1"):
        analysis.series(f, by="week", store=syria_store)


def test_hostile_filter_words_are_one_quoted_word_each():
    words = shlex.split(Filters(admin1=HOSTILE, actor="a;b").cli_args(store="/x/s.duckdb"))
    assert words == ["--store", "/x/s.duckdb", "--admin1", HOSTILE, "--actor", "a;b"]


def test_a_hostile_store_path_is_one_quoted_word_and_the_shell_runs_nothing(syria_store, tmp_path):
    # A store's path is the one word of a command that comes from outside the filters: a folder name
    # with shell syntax in it must reach the shell as data.
    folder = tmp_path / HOSTILE
    folder.mkdir()
    store = folder / "syria.duckdb"
    shutil.copytree(syria_store.path, store)
    f = Filters(country="Syria", admin1="Aleppo", date_from=dt.date(2017, 1, 1), date_to=dt.date(2017, 1, 31))
    r = analysis.series(f, by="week", store=store)
    words = shlex.split(r.command)
    assert words[:4] == ["peacewatch", "series", "--store", str(store)]
    # The shell sees the arguments as data: printing them runs none of the substitutions.
    ran = tmp_path / "ran"
    ran.mkdir()
    printed = subprocess.run(
        ["sh", "-c", "printf '%s\\n' " + r.command.removeprefix("peacewatch ")],
        cwd=ran,
        capture_output=True,
        text=True,
        check=True,
    )
    assert str(store) in printed.stdout.splitlines()
    assert list(ran.iterdir()) == []


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
