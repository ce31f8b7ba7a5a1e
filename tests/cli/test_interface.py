"""One interface (issue 15): --json wherever there is a payload, an unknown output option names the
one the command has, every analysis table ends with the command that reproduces it, and the names
`actors --unresolved` lists are clean, one row per name. On real data from ../shared/data."""

from __future__ import annotations

import json
import shlex

import pytest

from peacewatch.cli.app import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def store_arg(afghan_store):
    return ("--store", str(afghan_store.path))


@pytest.fixture(scope="module")
def read_at(afghan_store):
    """The flag every reproduce command gives after --store: the snapshot it read."""
    return ("--snapshot", str(afghan_store.snapshot))


JAN_APR = ("--from", "2020-01-01", "--to", "2020-04-30")
FEBRUARY = ("--country", "Afghanistan", "--from", "2020-02-01", "--to", "2020-02-29", "--by", "week")


def test_series_json_is_the_same_as_format_json(capsys, store_arg):
    code, with_json, _ = run(capsys, "series", *FEBRUARY, "--json", *store_arg)
    assert code == 0
    code, with_format, _ = run(capsys, "series", *FEBRUARY, "--format", "json", *store_arg)
    assert code == 0 and json.loads(with_json) == json.loads(with_format)
    assert [p["value"] for p in json.loads(with_json)["points"]][:2] == [73.0, 258.0]


def test_json_with_another_format_is_a_user_error(capsys, store_arg):
    code, _, err = run(capsys, "series", *FEBRUARY, "--json", "--format", "csv", *store_arg)
    assert code == 1 and "--json and --format csv" in err


def test_events_and_quarantine_take_json_too(capsys, store_arg):
    code, out, _ = run(capsys, "events", "--country", "Afghanistan", "--limit", "2", "--json", *store_arg)
    assert code == 0 and len(json.loads(out)) == 2
    code, out, _ = run(capsys, "quarantine", "--json", *store_arg)
    assert code == 0 and json.loads(out) == []


@pytest.mark.parametrize(
    ("argv", "hint"),
    [
        (("compare", "--format", "json"), "This command prints JSON with --json."),
        (("datasets", "--output", "json"), "This command prints JSON with --json."),
        (("agreements", "from-pax", "1", "--json"), ""),
    ],
)
def test_an_unknown_output_option_names_the_one_the_command_has(capsys, argv, hint):
    code, _, err = run(capsys, *argv)
    assert code == 1 and err.startswith("error: No such option")
    assert (hint in err) if hint else ("JSON" not in err)


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (
            ("trend", "--country", "Afghanistan", "--month", "2020-03", "--measure", "fatalities"),
            "peacewatch trend --country Afghanistan --month 2020-03 --measure fatalities --estimate best",
        ),
        (
            ("changepoints", "--country", "Afghanistan", "--from", "2020-01-01", "--to", "2020-04-30"),
            "peacewatch changepoints --country Afghanistan --from 2020-01-01 --to 2020-04-30 "
            "--measure events",
        ),
        (
            ("its", "--country", "Afghanistan", "--intervention", "2020-03-01", *JAN_APR),
            "peacewatch its --country Afghanistan --intervention 2020-03-01 --from 2020-01-01 "
            "--to 2020-04-30",
        ),
    ],
)
def test_every_analysis_table_ends_with_the_command_that_reproduces_it(
    capsys, store_arg, read_at, argv, command
):
    code, out, _ = run(capsys, *argv, *store_arg)
    assert code == 0
    # The command starts with the store it read (tests/cli/test_reproduce.py); rich may fold a long
    # path, so compare without white space.
    name, verb, *rest = command.split()
    command = shlex.join([name, verb, *store_arg, *read_at, *rest])
    assert "".join(command.split()) in "".join(out.split())
    # The printed command gives the same payload.
    again = shlex.split(command)[1:]
    code, first, _ = run(capsys, *argv, "--json", *store_arg)
    code2, second, _ = run(capsys, *again, "--json")
    assert code == code2 == 0
    strip = lambda d: {k: v for k, v in d.items() if k != "command"}  # noqa: E731
    a, b = json.loads(first), json.loads(second)
    assert strip(a) == strip(b) and a["command"] == b["command"]


def test_unresolved_actors_are_one_row_per_clean_name_with_the_countries_their_events_are_in(capsys, gdelt):
    code, out, _ = run(
        capsys, "actors", "--unresolved", "--limit", "200", "--json", "--store", str(gdelt.path)
    )
    assert code == 0
    rows = json.loads(out)
    names = [r["name"] for r in rows]
    assert len(names) == len(set(names)) and all(n == n.strip() and "|" not in n for n in names)
    turkey = next(r for r in rows if r["name"] == "TURKEY")
    # Before, TURKEY came as five rows (FRA 32, TUR 15, USA 14, AZE 9, RUS 6...), read as its iso3.
    assert turkey["event_countries"][:2] == ["FRA", "TUR"] and "iso3" not in turkey
    assert turkey["events"] >= 32 + 15 + 14 + 9 + 6
    code, out, _ = run(capsys, "actors", "--unresolved", "--limit", "5", "--store", str(gdelt.path))
    assert code == 0 and "event countries" in out and "UNITED STATES" in out


def test_evaluate_ends_with_the_command_that_reproduces_it(capsys, store_arg, read_at):
    code, out, _ = run(capsys, "evaluate", "afghanistan-2020", "--as-of", "2020-11-30", *store_arg)
    assert code == 0
    # Like every reproduce command, it names the store it read (docs/cli.md).
    command = shlex.join(
        ["peacewatch", "evaluate", "afghanistan-2020", *store_arg, *read_at, "--as-of", "2020-11-30"]
    )
    assert "".join(command.split()) in "".join(out.split())
