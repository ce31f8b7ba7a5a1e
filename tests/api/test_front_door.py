"""The Python front door on real data: pw.open_store(path) and its methods, with strings for dates.

The reference figures are the CLI's (tests/cli) on the same reduced ACLED Afghanistan export: 60 events
in the Reduction-in-Violence week against 734 in the 21 days before, rate ratio 0.2146 (quasi-Poisson,
95% interval 0.147 to 0.312).
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

import peacewatch as pw
from peacewatch.errors import ArgumentError, PeacewatchError

AFG = {"country": "Afghanistan"}
RIV = {"window": "2020-02-22:2020-02-29", "baseline": "2020-02-01:2020-02-21"}


@pytest.fixture(scope="module")
def store(afghan_store):
    return pw.open_store(afghan_store.path)


def test_compare_with_string_dates_gives_the_riv_rate_ratio_with_its_interval(store):
    c = store.compare(**AFG, **RIV)
    assert round(c.rate_ratio, 2) == 0.21
    assert c.ci_low == pytest.approx(0.1474, abs=1e-3)
    assert c.ci_high == pytest.approx(0.3123, abs=1e-3)
    html = c._repr_html_()
    assert "rate ratio <b>0.215</b> (95% interval 0.147 to 0.312)" in html
    assert "acled-afghanistan-2017-01-01-2026-03-13-reduced" in html
    # The command names the store it read, so that pasting it reproduces the numbers.
    assert (
        f"peacewatch compare --store {store.store.path} --snapshot {store.snapshot} --country Afghanistan "
        "--window 2020-02-22:2020-02-29" in html
    )


def test_compare_to_dict_is_the_cli_json_payload_and_a_fresh_copy(store):
    c = store.compare(**AFG, **RIV)
    d = c.to_dict()
    assert d["window"]["total"] == 60 and d["baseline"]["total"] == 734
    json.dumps(d)  # JSON-ready, as the CLI prints it
    d["rate_ratio"] = 99.0
    assert c.to_dict()["rate_ratio"] == pytest.approx(0.2146, abs=1e-4)


def test_compare_to_pandas_is_one_typed_row(store):
    frame = store.compare(**AFG, **RIV).to_pandas()
    assert len(frame) == 1
    assert frame.loc[0, "window_total"] == 60.0 and frame.loc[0, "baseline_days"] == 21
    assert frame["window_start"].dtype.kind == "M"
    assert frame["significant"].dtype == bool


def test_dates_as_date_objects_and_timestamps_give_the_same_answer(store):
    by_text = store.compare(**AFG, **RIV).rate_ratio
    by_objects = store.compare(
        **AFG,
        window=(dt.date(2020, 2, 22), pd.Timestamp("2020-02-29")),
        baseline=(pd.Timestamp("2020-02-01"), dt.date(2020, 2, 21)),
    ).rate_ratio
    assert by_objects == by_text


def test_weekly_series_to_pandas_is_one_row_per_iso_week(store):
    s = store.series(**AFG, start="2020-01-01", end="2020-04-30", by="week")
    frame = s.to_pandas()
    assert list(frame.columns) == ["period_start", "period_end", "days", "value"]
    assert len(frame) == 18  # Monday 2019-12-30 to Monday 2020-04-27
    assert frame["period_start"].dt.day_of_week.eq(0).all()
    assert frame["period_start"].is_unique
    assert frame.loc[0, "days"] == 5 and frame.loc[0, "value"] == 181.0  # Jan 1-5 only
    assert frame["value"].dtype == "float64"
    assert sum(frame["value"]) == sum(p["value"] for p in s.to_dict()["points"])


def test_series_displays_key_numbers_and_a_small_chart(store):
    html = store.series(**AFG, start="2020-01-01", end="2020-04-30", by="week")._repr_html_()
    assert "18 weeks from 2020-01-01 to 2020-04-30" in html
    assert "<svg" in html
    assert (
        f"peacewatch series --store {store.store.path} --snapshot {store.snapshot} --country Afghanistan "
        "--from 2020-01-01 "
        "--to 2020-04-30 --by week" in html
    )


def test_charts_are_valid_altair_charts_of_the_brief(store):
    import altair as alt

    s = store.series(**AFG, start="2020-01-01", end="2020-04-30", by="week")
    chart = s.chart()
    assert isinstance(chart, alt.TopLevelMixin)
    spec = chart.to_dict()  # validates against the Vega-Lite schema
    assert spec["title"]["text"] == "Events per week"
    c = store.compare(**AFG, **RIV).chart().to_dict()
    assert "window" in json.dumps(c) and "baseline" in json.dumps(c)


def test_changepoints_find_the_start_of_the_riv_week(store):
    cp = store.changepoints(**AFG, start="2020-01-01", end="2020-06-30")
    assert dt.date(2020, 2, 22) in cp.dates
    segments = cp.to_pandas()
    assert segments["days"].sum() == 182
    assert segments.loc[1, "total"] == 68.0  # 2020-02-22 to 2020-03-01
    cp.chart().to_dict()


def test_its_level_change_at_the_riv_week(store):
    its = store.its(**AFG, intervention="2020-02-22", start="2020-01-01", end="2020-06-30")
    assert its.level_change == pytest.approx(0.546, abs=0.01)
    assert list(its.to_pandas()["effect"]) == ["level_change", "slope_change", "pre_trend", "post_trend"]


def test_trend_march_2020_improved(store):
    t = store.trend(**AFG, month="2020-03")
    assert t.verdict == "improved"
    assert t.to_dict()["rate_ratio"] == pytest.approx(0.794, abs=1e-3)
    assert t.to_pandas().loc[0, "month_days"] == 31


def test_events_and_datasets_convert_to_typed_frames(store):
    events = store.events(**AFG, start="2020-02-22", end="2020-02-22")
    frame = events.to_pandas()
    assert len(frame) == len(events) > 0
    assert (frame["date_start"] == pd.Timestamp("2020-02-22")).all()
    catalog = store.datasets()
    assert catalog.ids == ["acled-afghanistan-2017-01-01-2026-03-13-reduced"]
    assert catalog.to_pandas().loc[0, "rows_ingested"] == 69_172
    assert next(iter(catalog))["dataset_id"] == catalog.ids[0]  # iterates as the catalog's dicts


def test_evaluate_and_check_the_afghanistan_case(store):
    ev = store.evaluate("afghanistan-2020", as_of="2020-12-31")
    assert ev.verdict("riv") == "met"
    assert ev.to_pandas().set_index("id").loc["talks-start", "verdict"] == "late"
    checks = store.check("afghanistan-2020", as_of="2020-12-31").to_pandas().set_index("id")
    assert checks.loc["riv-cut-violence", "result"] == "supported"


def test_results_print_one_line_with_the_key_numbers_and_the_command(store):
    assert repr(store.compare(**AFG, **RIV)) == (
        "<Comparison rate ratio 0.215 (95% interval 0.147 to 0.312), p = 5e-09: peacewatch compare "
        f"--store {store.store.path} --snapshot {store.snapshot} --country Afghanistan "
        "--window 2020-02-22:2020-02-29 "
        "--baseline 2020-02-01:2020-02-21 --measure events>"
    )
    trend = store.trend(**AFG, month="2020-03")
    assert repr(trend) == "<Trend 2020-03 against the three months before: improved>"


def test_results_are_immutable(store):
    c = store.compare(**AFG, **RIV)
    with pytest.raises(AttributeError):
        c.result = None  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"start": "2020-02-30", "end": "2020-03-31"}, "start='2020-02-30'"),
        ({"start": "2020-03-31", "end": "2020-03-01"}, "start=2020-03-31 is after end=2020-03-01"),
        ({"type": "battles"}, "type='battles'"),
        ({"contry": "Afghanistan"}, "contry=: not a filter (did you mean 'country'?)"),
        ({"by": "fortnight"}, "by='fortnight'"),
        ({"measure": "deaths"}, "measure='deaths'"),
        ({"country": 4}, "country=4"),
    ],
)
def test_wrong_input_names_the_argument_at_the_call(store, kwargs, named):
    with pytest.raises(ArgumentError) as info:
        store.series(**kwargs)
    assert named in str(info.value)
    assert isinstance(info.value, PeacewatchError)


def test_compare_needs_exactly_one_baseline(store):
    with pytest.raises(ArgumentError, match="expected exactly one, got 0"):
        store.compare(**AFG, window="2020-02-22:2020-02-29")
    with pytest.raises(ArgumentError, match=r"window='2020-02-22'"):
        store.compare(**AFG, window="2020-02-22", baseline_preceding=21)


def test_groups_as_lists_or_plus_joined_strings_are_the_same_filter():
    from peacewatch.api.args import filters_from

    a = filters_from(
        {"actor": ["taliban", "haqqani_network"], "type": ["battle", "explosion_remote_violence"]}
    )
    b = filters_from({"actor": "taliban+haqqani_network", "type": ["battle", "explosion_remote_violence"]})
    assert a == b and a.actor == "taliban+haqqani_network"


@pytest.mark.slow
def test_brief_writes_the_files_and_keeps_its_figures_as_charts(store, tmp_path):
    brief = store.brief("afghanistan-2020", out=tmp_path / "brief", pdf=False)
    files = brief.to_pandas().set_index("kind")["path"]
    assert (tmp_path / "brief" / "brief.html").samefile(files["html"])
    assert "pdf" not in files.index
    assert brief.to_dict()["title"] == "Are the Taliban serious about peace negotiations?"
    assert brief.chart(0).to_dict()["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    with pytest.raises(ArgumentError, match="figure='nope'"):
        brief.chart("nope")
