"""The dashboard in a real browser (Debian's chromium through Playwright): a person's path from the home
page to a commitment's evidence, the explore page redrawing its chart, accessibility checked with
axe-core, and hostile text from the data never running as script."""

from __future__ import annotations

import csv
import re
import shutil

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Charts take their time on a loaded machine; a page that never draws fails after this.
DRAWN_MS = 120_000


def _drawn(page) -> None:
    page.wait_for_selector("html[data-charts='drawn']", timeout=DRAWN_MS)


def _axe(page, axe_source: str) -> list[str]:
    """The serious and critical axe-core violations of the page, one line each."""
    found = page.evaluate("async () => (await axe.run(document)).violations")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


def test_home_to_the_afghanistan_case_to_a_commitments_evidence(live_dashboard, page_of, axe_source):
    page = page_of("case-path")
    page.goto(live_dashboard.url + "/", timeout=DRAWN_MS)
    assert "Licence mode: derived figures only" in page.inner_text("header")
    page.shot("home")
    assert _axe(page, axe_source) == []

    page.get_by_role("link", name=re.compile("Doha process 2020")).click(timeout=DRAWN_MS)
    page.wait_for_url(re.compile(r"/cases/afghanistan-2020$"), timeout=DRAWN_MS)
    _drawn(page)
    assert page.locator("#case-chart .vega svg").count() == 1
    assert page.locator("#case-chart .vega[data-drawn='true']").count() == 1
    page.shot("case")
    assert _axe(page, axe_source) == []

    page.get_by_role("link", name="riv", exact=True).click(timeout=DRAWN_MS)
    page.wait_for_url(re.compile(r"/commitments/riv$"), timeout=DRAWN_MS)
    _drawn(page)
    text = page.inner_text("main")
    assert "rate ratio 0.20 (95% interval 0.13 to 0.30)" in text
    assert page.locator("#commitment-riv .vega svg").count() == 1
    page.shot("commitment")
    assert _axe(page, axe_source) == []
    assert page.console_errors == []


def test_explore_redraws_its_chart_when_a_filter_changes(live_dashboard, page_of, axe_source):
    page = page_of("explore")
    page.goto(live_dashboard.url + "/explore", timeout=DRAWN_MS)
    _drawn(page)
    assert "rate ratio 0.21 (95% interval 0.15 to 0.31)" in page.inner_text("#answer")
    before = page.inner_html("#explore-chart .vega")
    page.shot("days")
    assert _axe(page, axe_source) == []

    page.select_option("#by", "week")  # a change event: the result is fetched and swapped in
    page.wait_for_url(re.compile(r"by=week"), timeout=DRAWN_MS)
    _drawn(page)
    after = page.inner_html("#explore-chart .vega")
    assert after != before and "<svg" in after
    assert "Bars of events per week" in page.inner_text("#explore-chart figcaption")
    page.shot("weeks")

    page.check("input[name='type'][value='battle']")
    page.wait_for_url(re.compile(r"type=battle"), timeout=DRAWN_MS)
    _drawn(page)
    assert "--type battle" in page.text_content("#results")  # the command, in its folded details
    page.reload(timeout=DRAWN_MS)  # the address reproduces the view
    _drawn(page)
    assert page.is_checked("input[name='type'][value='battle']") and page.input_value("#by") == "week"
    assert page.console_errors == []


def test_datasets_page_has_no_serious_accessibility_violations(live_dashboard, page_of, axe_source):
    page = page_of("datasets")
    page.goto(live_dashboard.url + "/datasets", timeout=DRAWN_MS)
    assert "Quarantined" in page.inner_text("main")
    page.shot("datasets")
    assert _axe(page, axe_source) == []
    assert page.console_errors == []


XSS = [
    "<img src=x onerror=alert('actor')>",
    "<script>alert('notes')</script>",
    '"><svg onload=alert("attr")>',
]


@pytest.fixture(scope="module")
def hostile_dashboard(tmp_path_factory, test_data, live_server):
    """A store whose events carry script in actor names and notes, served with --expose-events (so the
    rows are shown), beside a user case folder whose title is a script."""
    from peacewatch.serve import ServeConfig
    from peacewatch.serve.app import create_app
    from peacewatch.store import Store

    root = tmp_path_factory.mktemp("hostile")
    rows = list(csv.DictReader((test_data / "acled_release_a.csv").open(encoding="utf-8")))
    for row in rows:
        row["actor1"], row["notes"], row["admin1"] = XSS[0], XSS[1], XSS[2]
    path = root / "hostile.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    Store(root / "store").ingest([path])
    cases = root / "cases"
    shutil.copytree(test_data / "car-2019", cases / "hostile-case")
    agreement = cases / "hostile-case" / "agreement.yaml"
    text = agreement.read_text(encoding="utf-8")
    agreement.write_text(
        re.sub(
            r"(?m)^title: .*$", "title: \"<script>alert('title')</script><img src=x onerror=alert(9)>\"", text
        ),
        encoding="utf-8",
    )
    app = create_app(ServeConfig(store=root / "store", cases=cases, expose_events=True))
    with live_server(app) as server:
        yield server


def test_script_in_actor_names_notes_and_case_titles_never_runs(hostile_dashboard, page_of):
    page = page_of("xss")
    base = hostile_dashboard.url
    page.goto(base + "/", timeout=DRAWN_MS)
    assert "<script>alert('title')</script>" in page.inner_text("main")  # shown as text
    page.shot("home")
    page.goto(base + "/cases/hostile-case", timeout=DRAWN_MS)
    page.shot("case")
    query = "/explore?country=Afghanistan&actor=" + XSS[0] + "&window_start=2020-02-22&window_end=2020-02-29"
    page.goto(base + query + "&baseline_start=2020-02-01&baseline_end=2020-02-21", timeout=DRAWN_MS)
    assert page.input_value("#actor") == XSS[0]
    page.shot("explore")
    explore = "/explore?country=Afghanistan&window_start=2020-03-01&window_end=2020-03-04"
    page.goto(base + explore + "&baseline_start=2020-02-20&baseline_end=2020-02-29", timeout=DRAWN_MS)
    _drawn(page)
    events = page.inner_text("table.events")
    assert XSS[0] in events and XSS[1] in events and XSS[2] in events  # shown, as text
    page.shot("events")
    page.goto(base + "/datasets", timeout=DRAWN_MS)
    assert page.dialogs == []
    assert (
        page.evaluate("() => document.querySelectorAll('main script:not([type]), main img[src=x]').length")
        == 0
    )
