"""Series charts on real data: ACLED Afghanistan events, September 2019 to November 2020.

The US-Taliban reduction-in-violence week ran from 22 to 29 February 2020; violence returned from
2 March. Charts are Vega-Lite specs rendered offline by vl-convert; the numbers under them come from
peacewatch.analysis and must add up to the series the CLI prints.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re

import jsonschema
import pytest

from peacewatch import analysis, schema
from peacewatch.briefs import charts
from peacewatch.briefs.charts import ChartError, Figure, series_chart, series_points
from peacewatch.briefs.charts.frame import layout_labels
from peacewatch.indicators.filters import Filters

AFGHANISTAN = Filters(country="Afghanistan")
SPAN = "2019-09-01:2020-11-30"
RIV = [{"label": "Reduction in violence", "span": "2020-02-22:2020-02-29"}]
NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


@pytest.fixture(scope="module")
def vega_lite():
    """A validator for the Vega-Lite JSON schema that altair ships (no network)."""
    from altair.vegalite.v6.schema import load_schema

    spec_schema = load_schema()
    return jsonschema.validators.validator_for(spec_schema)(spec_schema)


@pytest.fixture(scope="module")
def weekly(afghan_store) -> Figure:
    return charts.series_figure(
        AFGHANISTAN,
        by="week",
        span=SPAN,
        title="Weekly events, Afghanistan",
        stack="event_type",
        shade=RIV,
        changepoints=True,
        store=afghan_store,
    )


def assert_renders_offline(fig: Figure, vega_lite) -> str:
    errors = [e.message for e in vega_lite.iter_errors(fig.spec)]
    assert not errors, errors[:3]
    svg = fig.svg()
    assert svg.lstrip().startswith("<svg")
    assert fig.title in svg
    assert set(re.findall(r"https?://[^\s\"'<>)]+", svg)) <= NAMESPACES
    return svg


def layer(fig: Figure, name: str) -> dict:
    return next(lay for lay in fig.spec["layer"] if lay.get("name") == name)


def test_weekly_stacked_chart_is_valid_vega_lite_and_renders_offline(weekly, vega_lite):
    svg = assert_renders_offline(weekly, vega_lite)
    assert "DejaVu Sans" in svg and "Battles" in svg and "Explosions/remote violence" in svg
    assert weekly.spec["config"]["font"] == charts.FONT
    # The alt text is the SVG's accessible name.
    assert f'role="img"><title>{html.escape(weekly.alt, quote=False)}</title>' in svg


def test_the_shaded_window_and_the_changepoints_are_layers_of_the_chart(weekly, afghan_store):
    shade = layer(weekly, "shade")["data"]["values"]
    # The end is exclusive: the shading covers the whole of 29 February.
    assert shade == [
        {
            "start": "2020-02-22",
            "end": "2020-03-01",
            "label": "Reduction in violence 22–29 Feb 2020",
            "opacity": 0.13,
        }
    ]
    found = analysis.changepoints(AFGHANISTAN, span=SPAN, store=afghan_store)["changepoints"]
    rules = layer(weekly, "changepoints")["data"]["values"]
    assert [r["date"] for r in rules] == [c["date"] for c in found]
    assert {"2020-02-22", "2020-03-02"} <= {r["date"] for r in rules}
    texts = [t["text"] for name in ("labels_left", "labels_right") for t in _values(weekly, name)]
    assert "Reduction in violence 22–29 Feb 2020" in texts and "22 Feb" in texts
    assert "peacewatch changepoints --store " in weekly.command and "--country Afghanistan" in weekly.command


def _values(fig: Figure, name: str) -> list[dict]:
    lay = [lay for lay in fig.spec["layer"] if lay.get("name") == name]
    return lay[0]["data"]["values"] if lay else []


def test_stacked_counts_add_up_to_the_unstacked_series(afghan_store):
    stacked = series_points(AFGHANISTAN, by="week", span=SPAN, stack="event_type", store=afghan_store)
    total = series_points(AFGHANISTAN, by="week", span=SPAN, store=afghan_store)
    sums: dict[str, float] = {}
    for p in stacked:
        assert p["event_type"] in schema.EVENT_TYPES
        sums[p["period_start"]] = sums.get(p["period_start"], 0.0) + p["value"]
    assert sums == {p["period_start"]: p["value"] for p in total}
    # Measured: 14,798 events from 1 Sep 2019 to 30 Nov 2020.
    assert sum(sums.values()) == 14798


def test_the_table_under_the_stacked_chart_matches_the_bars(weekly):
    bars = weekly.spec["layer"][0]["data"]["values"]
    for row in weekly.data:
        mine = [b for b in bars if b["period_start"] == row["period_start"]]
        assert sum(b["value"] for b in mine) == row["total"]
        assert max(b["y1"] for b in mine) == row["total"]
    feb24 = next(r for r in weekly.data if r["period_start"] == "2020-02-24")
    # The week of the reduction in violence: 47 events (ACLED reduced export).
    assert feb24["total"] == 47


def test_alt_text_gives_the_total_the_extremes_and_the_changepoints(weekly):
    alt = weekly.alt
    assert alt.startswith("Weekly events, Afghanistan, 1 Sep 2019 to 30 Nov 2020")
    assert "14,798 events in all" in alt
    assert "lowest: 47 in the week of 24 Feb 2020" in alt
    assert "Highest among complete periods: 544 in the week of 23 Sep 2019" in alt
    assert "22 Feb 2020 (35.8 to 7.6 a day)" in alt
    assert "Battles 60%" in alt
    assert weekly.spec["description"] == alt


def test_the_caption_says_what_the_title_does_not_and_names_the_data_and_snapshot(weekly, afghan_store):
    caption = weekly.caption
    # The chart draws its title; the caption under it does not repeat it.
    assert weekly.title not in caption
    assert caption.startswith("Bars of events per week stacked by event type (Battles, ")
    assert "1 Sep 2019 to 30 Nov 2020; 14,798 events in all" in caption
    assert "Shaded: Reduction in violence 22–29 Feb 2020." in caption
    assert "22 Feb 2020 (35.8 to 7.6 a day)" in caption
    snapshot = afghan_store.snapshot
    assert snapshot is not None and weekly.snapshot == snapshot
    assert caption.endswith(
        f"Data: acled-afghanistan-2017-01-01-2026-03-13-reduced, snapshot {snapshot} of the store."
    )
    assert weekly.to_dict()["caption"] == caption


def test_the_time_axis_is_titled_like_the_first_column_of_the_data_table(weekly):
    axis_titles = {lay["encoding"]["x"].get("title") for lay in weekly.spec["layer"]}
    assert axis_titles == {"Week starting"} == {weekly.columns[0]["label"]}


def test_partial_weeks_at_the_edges_are_drawn_lighter_and_named_in_the_notes(weekly):
    bars = weekly.spec["layer"][0]["data"]["values"]
    partial = sorted({b["period_start"] for b in bars if b["partial"]})
    assert partial == ["2019-08-26", "2020-11-30"]  # 1 Sep 2019 is a Sunday, 30 Nov 2020 a Monday
    assert any("26 Aug 2019 has 1 of its 7 days" in n for n in weekly.notes)
    assert {"key": "days", "label": "Days in data", "format": "d"} in weekly.columns


def test_every_changepoint_is_in_the_notes_even_when_its_label_does_not_fit(weekly):
    rules = layer(weekly, "changepoints")["data"]["values"]
    for r in rules:
        day = dt.date.fromisoformat(r["date"])
        assert any(n.startswith(f"Changepoint on {charts.day_text(day)}") for n in weekly.notes)


def test_the_command_reproduces_the_total_each_type_and_the_changepoints(weekly, afghan_store):
    lines = weekly.command.splitlines()
    store = f"--store {afghan_store.path} --snapshot {afghan_store.snapshot}"
    assert lines[0] == (
        f"peacewatch series {store} --country Afghanistan --from 2019-09-01 --to 2020-11-30 --by week "
        "--measure events"
    )
    assert any("--type battle" in line for line in lines)
    assert lines[-1].startswith(f"peacewatch changepoints {store} --country Afghanistan --from 2019-09-01")
    assert weekly.datasets[0]["dataset_id"].startswith("acled-afghanistan")


def test_an_unstacked_daily_chart_has_one_bar_per_day_and_the_unit_in_its_axis(afghan_store, vega_lite):
    fig = charts.series_figure(
        AFGHANISTAN,
        by="day",
        span="2020-02-01:2020-03-31",
        title="Daily events",
        shade=RIV,
        store=afghan_store,
    )
    assert_renders_offline(fig, vega_lite)
    bars = fig.spec["layer"][0]
    assert len(bars["data"]["values"]) == 60
    assert bars["encoding"]["y"]["title"] == "Events per day"
    # The derived oracle beside the data: 734 events 1-21 Feb, 60 in the week, 8 on 1 March.
    by_day = {r["period_start"]: r["value"] for r in fig.data}
    assert sum(v for d, v in by_day.items() if d <= "2020-02-21") == 734
    assert sum(v for d, v in by_day.items() if "2020-02-22" <= d <= "2020-02-29") == 60
    assert by_day["2020-03-01"] == 8


def test_fatalities_are_labelled_with_their_estimate():
    assert charts.unit_title("fatalities", "month", "low") == "Fatalities per month (low estimate)"


def test_a_chart_from_hand_made_points_needs_no_store():
    fig = series_chart(
        [
            {"period_start": "2020-02-17", "event_type": "battle", "value": 150.0},
            {"period_start": "2020-02-17", "event_type": "explosion_remote_violence", "value": 51.0},
            {"period_start": "2020-02-24", "event_type": "battle", "value": 20.0},
            {"period_start": "2020-02-24", "event_type": "explosion_remote_violence", "value": 27.0},
        ],
        title="Two weeks",
        by="week",
        measure="events",
        stack="event_type",
        command="peacewatch series --by week",
    )
    assert [r["total"] for r in fig.data] == [201.0, 47.0]
    fill = fig.spec["layer"][0]["encoding"]["fill"]
    assert fill["scale"]["domain"] == ["Battles", "Explosions/remote violence"]
    assert fill["scale"]["range"] == [
        charts.EVENT_TYPE_COLOURS["battle"],
        charts.EVENT_TYPE_COLOURS["explosion_remote_violence"],
    ]
    payload = json.loads(fig.to_json())
    assert payload["data"] == fig.data and payload["command"] == "peacewatch series --by week"
    assert fig.csv().splitlines()[0] == "period_start,days,battle,explosion_remote_violence,total"


def test_every_canonical_event_type_has_a_label_and_a_distinct_colour():
    assert set(charts.EVENT_TYPE_LABELS) == set(schema.EVENT_TYPES)
    assert set(charts.EVENT_TYPE_COLOURS) == set(schema.EVENT_TYPES)
    assert len(set(charts.EVENT_TYPE_COLOURS.values())) == len(schema.EVENT_TYPES)


def test_an_unknown_stack_or_an_unreadable_span_is_a_clear_error():
    points = [{"period_start": "2020-02-17", "value": 1.0}]
    with pytest.raises(ChartError, match="stack 'actor'"):
        series_chart(points, title="t", by="week", measure="events", command="c", stack="actor")
    with pytest.raises(ChartError, match="shade"):
        series_chart(
            points, title="t", by="week", measure="events", command="c", shade=[{"label": "x", "span": "Feb"}]
        )


def test_labels_above_the_chart_never_overlap_and_those_without_room_are_left_out():
    start, end, width = dt.date(2020, 1, 1), dt.date(2020, 4, 30), 580
    days = (0, 1, 2, 3, 30, 31, 90, 118)
    labels = [{"date": start + dt.timedelta(days=d), "text": "22 Feb"} for d in days]
    rows = layout_labels(labels, start, end, width, max_rows=3)
    assert rows == 3
    assert [lab["row"] for lab in labels[:4]] == [0, 1, 2, None]  # four labels in four days: one has no room
    assert labels[-1]["align"] == "right"  # it would run past the right edge
    spans = {}
    for lab in labels:
        if lab["row"] is None:
            continue
        x = (lab["date"] - start).days / (end - start).days * width
        w = len(lab["text"]) * 6.0 + 8
        lo, hi = (x, x + w) if lab["align"] == "left" else (x - w, x)
        assert lo >= 0 and hi <= width
        for a, b in spans.get(lab["row"], []):
            assert hi < a or lo > b
        spans.setdefault(lab["row"], []).append((lo, hi))


def test_small_multiples_show_the_top_provinces_on_a_shared_scale(afghan_store, vega_lite):
    fig = charts.small_multiples_figure(
        AFGHANISTAN,
        by="month",
        span="2020-01-01:2020-06-30",
        title="Monthly events by province",
        top=6,
        store=afghan_store,
    )
    assert_renders_offline(fig, vega_lite)
    assert fig.spec["resolve"]["scale"]["y"] == "shared"
    shown = [r["unit"] for r in fig.data if r["shown"]]
    # Measured: 32 provinces had events in January-June 2020; Bamyan and Panjshir had none.
    assert len(shown) == 6 and len(fig.data) == 32
    totals = [r["total"] for r in fig.data]
    assert totals == sorted(totals, reverse=True)
    helmand = analysis.series(
        AFGHANISTAN.replace(admin1="Helmand", date_from=dt.date(2020, 1, 1), date_to=dt.date(2020, 6, 30)),
        by="month",
        store=afghan_store,
    )
    assert next(r["total"] for r in fig.data if r["unit"] == "Helmand") == sum(helmand.values())
    assert any(n.startswith("26 other provinces") for n in fig.notes)
    assert "Helmand" in fig.alt
    assert fig.caption.startswith("Events per month in the 6 provinces with most events, on a shared scale")
    assert fig.title not in fig.caption
    # one command per unit drawn, each runnable as printed (it once read `--admin1 UNIT`)
    commands = fig.command.splitlines()
    assert len(commands) == 6 and "UNIT" not in fig.command
    assert next(c for c in commands if "--admin1 Helmand" in c) == helmand.command
