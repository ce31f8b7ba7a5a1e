"""`peacewatch chart` on real data: GDELT 2.0 of 13 November 2020 (news-derived) and ACLED Afghanistan
around the February 2020 reduction in violence. The attribution is read back from the files written:
the text of the SVG, the text chunks of the PNG, the usermeta of the Vega-Lite JSON."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from html import unescape

from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from peacewatch import analysis
from peacewatch.briefs import attribution
from peacewatch.briefs.charts import series_figure, standalone
from peacewatch.briefs.charts.frame import layout_labels
from peacewatch.cli.app import main
from peacewatch.indicators.filters import Filters


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def svg_text(svg: str) -> str:
    """The text a reader sees in an SVG: its <text> elements, joined."""
    return " ".join(unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg))


def test_a_gdelt_chart_as_svg_and_png_carries_source_dataset_filters_and_the_news_caveat(
    gdelt, capsys, tmp_path
):
    store = ("--store", str(gdelt.path))
    svg_path, png_path = tmp_path / "am.svg", tmp_path / "am.png"
    assert run(capsys, "chart", "--country", "AM", "--out", str(svg_path), *store)[0] == 0
    assert run(capsys, "chart", "--country", "AM", "--out", str(png_path), *store)[0] == 0
    seen = " ".join(svg_text(svg_path.read_text(encoding="utf-8")).split())
    for expected in (
        "Source: The GDELT Project, https://www.gdeltproject.org",
        "Dataset: gdelt2-events-20201113-relabelled-headers (GDELT 2.0, sha256 1f5e68367430), accessed",
        "Filters: country=AM",
        "Caveat: News-derived (GDELT)",
        "Caveat: No fatality figures",
        "Events per day, Armenia, 13 Nov 2020",
    ):
        assert expected in seen, expected
    png = png_path.read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    text = standalone.png_text(png)
    assert text["Source"].startswith("Source: The GDELT Project, https://www.gdeltproject.org")
    assert "Caveat: News-derived (GDELT)" in text["Source"]
    # PIL is an independent reader: the chunks must not break the file.
    with Image.open(png_path) as img:
        img.load()
        assert img.size[0] >= 1200 and img.info["Source"] == text["Source"]


def test_the_vega_lite_json_keeps_the_attribution_and_the_caveats(gdelt, capsys, tmp_path):
    out = tmp_path / "am.vl.json"
    code, _, _ = run(
        capsys,
        "chart",
        "--country",
        "ARM",
        "--measure",
        "articles",
        "--out",
        str(out),
        "--store",
        str(gdelt.path),
    )
    spec = json.loads(out.read_text(encoding="utf-8"))
    assert code == 0 and spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    assert [c["key"] for c in spec["usermeta"]["caveats"]] == [
        "news_derived",
        "media_volume",
        "no_fatalities",
    ]
    bars = spec["layer"][0]["data"]["values"]
    assert [b["value"] for b in bars] == [6.0]  # 6 distinct articles behind Armenia's 25 records
    footer = next(lay for lay in spec["layer"] if lay.get("name") == "attribution")["data"]["values"]
    assert footer[0]["text"].startswith("Source: The GDELT Project")


def test_a_chart_of_a_measure_the_data_lack_or_of_an_unknown_format_is_a_user_error(gdelt, capsys, tmp_path):
    store = ("--store", str(gdelt.path))
    code, _, err = run(
        capsys,
        "chart",
        "--country",
        "AM",
        "--measure",
        "fatalities",
        "--out",
        str(tmp_path / "x.svg"),
        *store,
    )
    assert code == 1 and "no fatality figures" in err
    code, _, err = run(capsys, "chart", "--country", "AM", "--out", str(tmp_path / "x.txt"), *store)
    assert code == 1 and "expected a file ending .svg, .png or .json" in err
    code, _, err = run(
        capsys,
        "chart",
        "--country",
        "AM",
        "--mark",
        "Ceasefire=2020-11-10",
        "--out",
        str(tmp_path / "x.svg"),
        *store,
    )
    assert code == 1 and "lies outside the dates the chart shows" in err


def test_a_comparison_chart_shades_window_and_baseline_and_states_the_rate_ratio(
    afghan_store, capsys, tmp_path
):
    f = Filters(country="Afghanistan")
    fig = standalone.compare_chart_figure(
        f,
        window="2020-02-22:2020-02-29",
        baseline_preceding=28,
        markers=[{"label": "Signing", "date": "2020-02-29"}],
        store=afghan_store,
    )
    want = analysis.compare(
        f, window="2020-02-22:2020-02-29", baseline_preceding=28, store=afghan_store
    ).to_dict()
    shade = next(lay for lay in fig.spec["layer"] if lay.get("name") == "shade")["data"]["values"]
    assert [(s["start"], s["end"], s["opacity"]) for s in shade] == [
        ("2020-02-22", "2020-03-01", 0.13),
        ("2020-01-25", "2020-02-22", 0.05),
    ]
    subtitle = " ".join(fig.spec["title"]["subtitle"])
    assert f"rate ratio {want['rate_ratio']:.2g}" in subtitle and "preceding 28 days" in subtitle
    assert fig.command.splitlines()[0] == want["command"]
    lines = fig.spec["usermeta"]["attribution"]
    assert lines[0].startswith("Source: Armed Conflict Location & Event Data (ACLED)")
    assert lines[-1] == f"Counted by peacewatch from the source rows; reproduce with: {want['command']}"


def test_a_single_date_draws_a_solid_line_at_noon_with_its_label_at_the_same_place(afghan_store):
    fig = series_figure(
        Filters(country="Afghanistan"),
        by="week",
        span="2020-01-01:2020-04-30",
        title="Weekly events",
        shade=[
            {"label": "Reduction in violence", "span": "2020-02-22:2020-02-29"},
            {"label": "Signing", "span": "2020-02-29:2020-02-29"},  # one day: a marker, not a band
        ],
        changepoints=True,
        store=afghan_store,
    )
    layers = {lay.get("name"): lay for lay in fig.spec["layer"]}
    assert [s["label"] for s in layers["shade"]["data"]["values"]] == ["Reduction in violence 22–29 Feb 2020"]
    rule = layers["markers"]
    assert rule["mark"]["type"] == "rule" and rule["mark"].get("strokeDash") is None
    assert rule["mark"]["strokeWidth"] >= 1.5
    assert rule["data"]["values"] == [{"date": "2020-02-29T12:00:00Z", "label": "Signing 29 Feb"}]
    labels = [
        v
        for name in ("labels_left", "labels_right")
        for v in layers.get(name, {"data": {"values": []}})["data"]["values"]
    ]
    signing = next(v for v in labels if v["text"] == "Signing 29 Feb")
    assert signing["date"] == "2020-02-29T12:00:00Z" and signing["kind"] == "marker"
    assert "Marked: Signing on 29 Feb 2020." in fig.alt


def test_a_band_label_aligned_right_ends_at_its_own_band():
    d0, d1 = dt.date(2020, 1, 1), dt.date(2020, 4, 30)
    band = {
        "date": dt.date(2020, 4, 10),
        "end": dt.date(2020, 4, 18),
        "text": "Reduction in violence 10–17 Apr 2020",
    }
    layout_labels([band], d0, d1, 580)
    assert band["align"] == "right" and band["at"] == dt.date(2020, 4, 18)


def test_a_brief_figure_csv_starts_with_its_attribution(afghan_store):
    fig = series_figure(
        Filters(country="Afghanistan"), by="week", span="2020-02-03:2020-03-29", title="t", store=afghan_store
    )
    lines = fig.csv(attribution.figure_lines(fig)).splitlines()
    assert lines[0].startswith(
        "# Source: Armed Conflict Location & Event Data (ACLED), https://acleddata.com"
    )
    assert lines[1].startswith("# Dataset: acled-afghanistan-2017-01-01-2026-03-13-reduced")
    assert lines[2] == f"# Counted by peacewatch from the source rows; reproduce with: {fig.command}"
    assert lines[3] == "period_start,days,value"


def test_a_brief_figure_and_dataset_entry_on_gdelt_carry_the_news_derived_caveat(gdelt):
    from peacewatch.briefs.build import _dataset

    fig = series_figure(Filters(country="AJ"), by="day", span="2020-11-13:2020-11-13", title="t", store=gdelt)
    assert any(n.startswith("Caveat: News-derived (GDELT)") for n in fig.notes)
    entry = _dataset(gdelt.datasets()[0])
    assert entry["caveats"][0].startswith("News-derived (GDELT)")
    assert any(c.startswith("No fatality figures") for c in entry["caveats"])


def test_a_stacked_figure_csv_lists_each_command_on_its_own_comment_line(afghan_store):
    fig = series_figure(
        Filters(country="Afghanistan"),
        by="week",
        span="2020-02-03:2020-03-29",
        title="t",
        stack="event_type",
        store=afghan_store,
    )
    comments = [line for line in fig.csv(attribution.figure_lines(fig)).splitlines() if line.startswith("#")]
    assert "# Counted by peacewatch from the source rows; reproduce with:" in comments
    assert [c.removeprefix("#   ") for c in comments if c.startswith("#   ")] == fig.command.splitlines()
    assert any("--type battle" in c for c in comments)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 119), st.integers(0, 20), st.text(min_size=1, max_size=40)),
        min_size=1,
        max_size=12,
    )
)
def test_placed_labels_never_overlap_and_band_labels_stay_at_their_band(items):
    d0, d1, width, char_px = dt.date(2020, 1, 1), dt.date(2020, 4, 30), 580, 6.6
    labels = [
        {"date": d0 + dt.timedelta(days=a), "end": d0 + dt.timedelta(days=min(a + n + 1, 120)), "text": t}
        for a, n, t in items
    ]
    layout_labels(labels, d0, d1, width)
    total = (d1 - d0).days
    placed: dict[int, list[tuple[float, float]]] = {}
    for lab in labels:
        assert lab["at"] == (lab["date"] if lab["align"] == "left" else lab["end"])
        if lab["row"] is None:
            continue
        x = (lab["at"] - d0).days / total * width
        w = len(lab["text"]) * char_px + 8
        lo, hi = (x, x + w) if lab["align"] == "left" else (min(x, width) - w, min(x, width))
        for a, b in placed.get(lab["row"], []):
            assert hi < a or lo > b
        placed.setdefault(lab["row"], []).append((lo, hi))


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(st.sampled_from(["Title", "Source", "Description"]), st.text(max_size=300), min_size=1)
)
def test_png_text_chunks_round_trip_any_unicode(texts):
    png = Image.new("RGB", (2, 2), "white")
    buf = io.BytesIO()
    png.save(buf, format="PNG")
    written = standalone.png_with_text(buf.getvalue(), texts)
    assert standalone.png_text(written) == texts
    with Image.open(io.BytesIO(written)) as img:
        img.load()
        assert {k: img.info[k] for k in texts} == texts


def test_small_multiples_draw_a_one_day_shade_as_a_line(afghan_store):
    from peacewatch.briefs.charts import small_multiples_figure

    fig = small_multiples_figure(
        Filters(country="Afghanistan"),
        by="month",
        span="2020-01-01:2020-06-30",
        title="Monthly events by province",
        shade=[
            {"label": "Reduction in violence", "span": "2020-02-22:2020-02-29"},
            {"label": "Signing", "span": "2020-02-29:2020-02-29"},
        ],
        store=afghan_store,
    )
    layers = {lay.get("name"): lay for lay in fig.spec["spec"]["layer"]}
    assert layers["shade"]["data"]["values"] == [{"start": "2020-02-22", "end": "2020-03-01"}]
    assert layers["markers"]["mark"]["type"] == "rule"
    assert layers["markers"]["data"]["values"] == [{"date": "2020-02-29T12:00:00Z"}]
    assert fig.svg().lstrip().startswith("<svg")
