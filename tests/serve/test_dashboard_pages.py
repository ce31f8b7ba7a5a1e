"""The dashboard's pages in-process (no browser): what each page says, on the reduced ACLED Afghanistan
export, without any JavaScript. The browser tests (tests/serve/browser) check the charts and the clicks."""

from __future__ import annotations

import html as html_lib
import json
import re

import pytest
from fastapi.testclient import TestClient

from peacewatch.serve import ServeConfig
from peacewatch.serve.app import create_app
from peacewatch.serve.pages.home import latest_alerts


@pytest.fixture(scope="module")
def dash(afghan_store):
    """A client of the dashboard over the shared Afghanistan store (derived figures only)."""
    with TestClient(create_app(ServeConfig(store=afghan_store.path))) as client:
        yield client


def _text(html: str) -> str:
    html = re.sub(r'<script type="application/json".*?</script>', "", html, flags=re.S)
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def test_home_lists_every_builtin_case_with_verdict_counts_and_the_licence_mode(dash):
    page = dash.get("/")
    assert page.status_code == 200
    text = _text(page.text)
    for name in ("afghanistan-2020", "myanmar-2015", "syria-2016"):
        assert f'href="/cases/{name}"' in page.text
    assert "Licence mode: derived figures only" in text
    assert "acled-afghanistan-2017-01-01-2026-03-13-reduced" in text and "2026-03-13" in text
    assert "peacewatch evaluate afghanistan-2020 --store" in text
    assert "Latest alerts" not in text  # no watch has run


def test_case_page_shows_the_board_the_chart_spec_the_claims_and_the_chronology(dash):
    page = dash.get("/cases/afghanistan-2020?as_of=2020-12-31")
    assert page.status_code == 200
    text = _text(page.text)
    assert 'href="/cases/afghanistan-2020/commitments/riv?as_of=2020-12-31"' in page.text
    assert "rate ratio 0.20, 95% interval 0.13 to 0.30" in text
    assert "riv-cut-violence" in text and "supported" in text
    assert "2020-09-12" in text  # the chronology: talks opened in Doha
    spec = re.search(r'<script type="application/json" id="case-chart-spec">(.*?)</script>', page.text, re.S)
    assert spec and json.loads(spec.group(1))["$schema"].startswith(
        "https://vega.github.io/schema/vega-lite/"
    )
    assert '<script src="/static/dashboard.js"></script>' in page.text
    assert "<script>" not in page.text  # no inline script


def test_the_case_charts_caption_says_what_its_title_does_not(dash):
    page = dash.get("/cases/afghanistan-2020?as_of=2020-12-31")
    caption = _text(re.search(r"<figcaption>(.*?)</figcaption>", page.text, re.S).group(1)).strip()
    spec = re.search(r'<script type="application/json" id="case-chart-spec">(.*?)</script>', page.text, re.S)
    title = json.loads(spec.group(1))["title"]["text"]
    assert title == "Events per day around the measured windows" and title not in caption
    assert caption.startswith("Bars of events per day, ")
    # The windows of the measured commitments, their baselines lighter, the data and the snapshot.
    assert "Shaded: riv, riv-80pct 22–29 Feb 2020." in caption
    assert "Shaded lighter: baseline of riv, riv-80pct 1–21 Feb 2020." in caption
    data = r"Data: acled-afghanistan-2017-01-01-2026-03-13-reduced, snapshot \d+ of the store\.$"
    assert re.search(data, caption)


def test_commitment_page_gives_the_rate_ratio_interval_snapshot_and_command(dash):
    page = dash.get("/cases/afghanistan-2020/commitments/riv?as_of=2020-12-31")
    text = _text(page.text)
    assert page.status_code == 200
    assert "rate ratio 0.20 (95% interval 0.13 to 0.30)" in text
    assert "peacewatch compare --store" in text and "--snapshot" in text
    assert "not served in this licence mode" in text


def test_explore_answers_the_reduction_in_violence_week_by_default(dash):
    """docs/python.md: all event types in Afghanistan, 22-29 Feb 2020 against 1-21 Feb: RR 0.2146
    (0.147 to 0.312)."""
    page = dash.get("/explore")
    text = _text(page.text)
    assert "rate ratio 0.21 (95% interval 0.15 to 0.31)" in text
    assert "The whole interval lies below 1: a fall." in text
    assert "--window 2020-02-22:2020-02-29 --baseline 2020-02-01:2020-02-21" in text


def test_explore_keeps_the_query_in_the_address_and_reads_filters_from_it(dash):
    url = (
        "/explore?country=Afghanistan&type=battle&window_start=2020-02-22&window_end=2020-02-29"
        "&baseline_start=2020-02-01&baseline_end=2020-02-21&by=week"
    )
    text = _text(dash.get(url).text)
    assert "--type battle" in text and "Events per week" in text


def test_explore_says_what_is_wrong_with_a_bad_date_and_never_fails_with_500(dash):
    page = dash.get(
        "/explore?country=Afghanistan&window_start=2020-02-30&window_end=2020-03-01"
        "&baseline_start=2020-02-01&baseline_end=2020-02-21"
    )
    assert page.status_code == 400
    assert "window_start='2020-02-30': expected a date as YYYY-MM-DD." in _text(page.text)


def test_datasets_page_shows_quarantine_counts_and_snapshots(dash):
    text = _text(dash.get("/datasets").text)
    assert "Quarantined" in text and "69,172" in text
    assert "peacewatch snapshots --store" in text


def test_an_unknown_case_or_commitment_is_a_404_page_naming_what_exists(dash):
    page = dash.get("/cases/atlantis")
    assert page.status_code == 404 and "the server offers no case by this name" in _text(page.text)
    page = dash.get("/cases/afghanistan-2020/commitments/nope?as_of=2020-12-31")
    assert page.status_code == 404 and "riv-80pct" in _text(page.text)


def test_alerts_are_read_newest_first_skipping_broken_lines_and_unknown_fields(tmp_path):
    path = tmp_path / "alerts.jsonl"
    lines = [
        json.dumps(
            {
                "time": "2026-01-01",
                "case": "afghanistan-2020",
                "commitment": "riv",
                "before": "met",
                "after": "late",
                "future_field": [1, 2],
            }
        ),
        "{not json",
        json.dumps(["not", "an", "object"]),
        json.dumps({"time": "2026-01-02", "case": "syria-2016", "message": 7}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    alerts = latest_alerts(path)
    assert [a["time"] for a in alerts] == ["2026-01-02", "2026-01-01"]
    assert alerts[0]["message"] == "7" and alerts[1]["after"] == "late"
    assert latest_alerts(tmp_path / "absent.jsonl") == []


def test_warm_start_computes_each_case_page_so_the_first_view_reads_the_cache(afghan_store):
    from peacewatch.serve.pages import casework

    app = create_app(ServeConfig(store=afghan_store.path, warm=True))
    with TestClient(app) as client:  # the lifespan runs the warm-up before the first request
        hits = casework.case_view.cache_info().hits
        chart_hits = casework.comparisons_figure.cache_info().hits
        assert client.get("/cases/afghanistan-2020").status_code == 200
        assert casework.case_view.cache_info().hits == hits + 1
        assert casework.comparisons_figure.cache_info().hits == chart_hits + 1
