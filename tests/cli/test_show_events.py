"""`evaluate --show-events` and `check --show-events`: the events behind a verdict or a claim, on
UCDP GED Syria (the 2016 cessation of hostilities), reconciling with the counts the verdict states."""

from __future__ import annotations

import json

import pytest

from peacewatch.cli.app import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def store_arg(syria_store):
    return ("--store", str(syria_store.path))


def test_evaluate_lists_the_events_a_no_attacks_period_counted_with_imprecise_ones_flagged(capsys, store_arg):
    code, out, _ = run(
        capsys, "evaluate", "syria-2016", *store_arg, "--show-events", "coh-cessation", "--json"
    )
    assert code == 0
    d = json.loads(out)
    assert d["id"] == "coh-cessation" and d["verdict"] == "not_met"
    behind = d["events_behind"]
    assert behind["counts"] == {"period": 173} == {"period": d["evidence"]["events"]}
    assert behind["imprecise"] == 2 == d["imprecise"]["events"]
    first = behind["events"][0]
    assert first["event_id"] == "ucdp_ged:216625"
    assert (first["date_start"], first["date_end"], first["date_precision"]) == (
        "2016-02-27",
        "2016-02-28",
        "week",
    )
    assert first["imprecise"] is True and first["fatalities_best"] == 70
    assert {e["part"] for e in behind["events"]} == {"period"}


def test_evaluate_lists_window_and_baseline_events_of_a_comparison_as_a_table(capsys, store_arg):
    code, out, _ = run(capsys, "evaluate", "syria-2016", *store_arg, "--show-events", "coh-reduction")
    assert code == 0
    assert "Events counted by coh-reduction: 173 in the window, 297 in the baseline" in " ".join(out.split())
    assert "9 of these events are dated only to a window wider than a day" in " ".join(out.split())


def test_check_lists_the_events_of_a_claim_reconciling_with_its_comparison(capsys, store_arg):
    code, out, _ = run(capsys, "check", "syria-2016", *store_arg, "--show-events", "kerry-80-90", "--json")
    assert code == 0
    d = json.loads(out)
    c = d["evidence"]["comparison"]
    behind = d["events_behind"]
    assert behind["counts"] == {"window": 83, "baseline": 297}
    assert (c["window"]["total"], c["baseline"]["total"]) == (83, 297)
    assert behind["imprecise"] == d["imprecise"]["events"] == 8


def test_the_evaluate_and_check_tables_carry_the_imprecise_dates_note(capsys, store_arg, monkeypatch):
    from peacewatch.cli import render

    monkeypatch.setattr(render.console, "width", 400)  # one line per row: the note is not folded
    code, out, _ = run(capsys, "evaluate", "syria-2016", *store_arg, "--as-of", "2020-01-01")
    assert code == 0
    text = " ".join(out.split())
    assert (
        "Dates: 2 of the events counted (76 fatalities) are dated only to a window wider than a day" in text
    )
    code, out, _ = run(capsys, "check", "syria-2016", *store_arg, "--as-of", "2020-01-01")
    assert code == 0
    assert "Dates: 8 of the events compared (236 fatalities)" in " ".join(out.split())


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("evaluate", "syria-2016", "--show-events", "coh-cesation"), "did you mean 'coh-cessation'"),
        (
            ("evaluate", "syria-2016", "--show-events", "accept-government"),
            "counted no events: it rests on chronology facts",
        ),
        (
            ("check", "syria-2016", "--show-events", "kery-80-90"),
            "no claim has this id; did you mean 'kerry-80-90'",
        ),
    ],
)
def test_show_events_for_an_unknown_id_or_a_milestone_is_a_user_error(capsys, store_arg, argv, message):
    code, _, err = run(capsys, *argv, *store_arg)
    assert code == 1
    assert message in " ".join(err.split())
