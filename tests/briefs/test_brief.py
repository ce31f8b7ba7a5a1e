"""The afghanistan-2020 brief end to end: payload, HTML structure, safety, PDF."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from peacewatch.briefs import build, render

QUESTIONS = [
    "Are the Taliban negotiating in good faith?",
    "Do the Taliban lack a clear path to military victory?",
    "Why may the Taliban now see negotiations as their best option?",
    "Did the Taliban already get everything they want?",
    "Are the Taliban living up to their commitments?",
]
SNAPSHOT = Path(__file__).parent / "snapshots" / "afghanistan-2020.json"


@pytest.fixture(scope="module")
def written(afghan_store, data_dir, tmp_path_factory, monkeypatch_module):
    monkeypatch_module.setenv("PEACEWATCH_DATA", str(data_dir))
    built = build.build("afghanistan-2020", store=afghan_store)
    out = tmp_path_factory.mktemp("brief")
    return built, render.write(built, out, pdf=True)


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


class _Doc(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.h2: list[str] = []
        self._in_h2 = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_h2 = tag == "h2"

    def handle_endtag(self, tag):
        if tag == "h2":
            self._in_h2 = False

    def handle_data(self, data):
        if self._in_h2 and data.strip():
            self.h2.append(data.strip())


def _parse(path: Path) -> _Doc:
    doc = _Doc()
    doc.feed(path.read_text(encoding="utf-8"))
    return doc


def test_the_brief_answers_the_five_questions_and_has_a_methods_appendix(written):
    _, paths = written
    doc = _parse(paths["html"])
    assert doc.h2 == [*QUESTIONS, "Data and methods"]


def test_every_chart_has_alt_text_and_its_data_as_a_table(written):
    built, paths = written
    html = paths["html"].read_text(encoding="utf-8")
    figures = built.payload["figures"]
    assert len(figures) >= 3
    for f in figures:
        assert len(f["alt"]) > 40
        assert f"Data for “{f['title']}”" in html
        assert f'aria-label="{f["alt"]}"'.replace("'", "&#39;") in html or f["alt"][:30] in html
        for ext in ("svg", "vl.json", "csv"):
            assert (paths["figures"] / f"{f['id']}.{ext}").exists()
        assert f["command"].startswith("peacewatch ")
        # A figure's CSV starts with its attribution as comment lines (docs/brief-format.md).
        head = (paths["figures"] / f"{f['id']}.csv").read_text(encoding="utf-8").splitlines()
        assert head[0].startswith("# Source: Armed Conflict Location & Event Data (ACLED)")
        assert any(line.startswith("# Counted by peacewatch") for line in head if line.startswith("# "))


def test_a_charts_caption_does_not_repeat_its_title_and_names_its_data(written):
    built, paths = written
    html = paths["html"].read_text(encoding="utf-8")
    captions = re.findall(r"<figcaption>(.*?)</figcaption>", html, re.S)
    figures = built.payload["figures"]
    assert len(captions) == len(figures)
    for f, caption in zip(figures, captions, strict=True):
        # The title is drawn in the chart; the caption says what it does not.
        assert f["title"] not in caption and f["caption"] not in ("", f["alt"])
        assert f"Data: {f['datasets'][0]['dataset_id']}, snapshot {built.payload['snapshot']} of" in caption


def test_the_print_css_keeps_headings_and_captions_with_what_follows_and_repeats_table_headers(written):
    _, paths = written
    html = paths["html"].read_text(encoding="utf-8")
    # The stylesheet is inlined as written: an escaped quote or ">" would void its rules.
    style = html[html.index("<style>") + len("<style>") : html.index("</style>")]
    assert style == render._template_text("brief.css")
    css = style[style.index("@media print") :]
    css = re.sub(r"/\*.*?\*/", "", css[: css.index("@page")], flags=re.S)
    rules = {
        sel.strip(): body.strip()
        for sels, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css)
        for sel in sels.split(",")
    }
    for heading in ("h2", "h3", "caption"):
        assert "break-after: avoid" in rules[heading]
    assert "display: table-header-group" in rules["thead"]
    assert "break-inside: avoid" in rules["tr"] and "break-before: avoid" in rules["tr.noterow"]
    # A chart and its caption are one block; its data table may run on to the next page.
    assert "break-after: avoid" in rules["figure.chart .svg"]
    for block in ("figcaption", ".compare", "aside.cannot"):
        assert "break-inside: avoid" in rules[block]
    assert "break-inside: avoid" not in rules.get("figure.chart", "")


def test_the_pdf_prints_the_first_rows_of_each_data_table_and_says_where_the_rest_are(written):
    built, paths = written
    html = paths["html"].read_text(encoding="utf-8")
    long_tables = [f for f in built.payload["figures"] if len(f["data"]) > render.PRINT_ROWS]
    assert long_tables, "the Afghanistan brief has charts with long data tables"
    for f in long_tables:
        table = html[html.index(f"Data for “{f['title']}”") :]
        table = table[: table.index("</table>")]
        # Every row stays in the HTML; the rows after the first PRINT_ROWS are hidden in print only.
        assert table.count("<tr") == len(f["data"]) + 1
        assert table.count('<tr class="unprinted">') == len(f["data"]) - render.PRINT_ROWS
        note = f"The first {render.PRINT_ROWS} of {len(f['data'])} rows; every row is in the HTML brief"
        assert note in html and f"figures/{f['id']}.csv" in html
    css = html[html.index("@media print") :]
    assert "tr.unprinted { display: none; }" in css[: css.index("@page")]


def test_the_html_references_no_remote_resource(written):
    _, paths = written
    doc = _parse(paths["html"])
    for tag, attrs in doc.tags:
        for key in ("src", "srcset", "data", "xlink:href"):
            assert not str(attrs.get(key, "")).startswith(("http", "//")), (tag, attrs)
        if tag == "link":
            pytest.fail(f"the brief links an external resource: {attrs}")
        if tag == "a" and attrs.get("href", "").startswith("http"):
            continue  # links to cited sources are fine
    html = paths["html"].read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert not re.search(r"@import|url\(\s*['\"]?https?:", html)


def test_the_appendix_names_each_dataset_with_its_citation_hash_and_as_of(written):
    built, paths = written
    html = paths["html"].read_text(encoding="utf-8")
    ds = built.payload["datasets"]
    assert [d["dataset_id"] for d in ds] == ["acled-afghanistan-2017-01-01-2026-03-13-reduced"]
    assert ds[0]["sha256"] in html and "Introducing ACLED" in html and "redistribution" in html
    assert "Evidence as of 2020-12-31" in html


def test_the_payload_is_the_json_the_html_renders_and_matches_its_snapshot(written):
    built, paths = written
    payload = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert payload["title"] == built.payload["title"]
    shape = {
        "title": payload["title"],
        "as_of": payload["as_of"],
        "questions": [s["question"] for s in payload["sections"]],
        "blocks": [[b["kind"] for b in s["blocks"]] for s in payload["sections"]],
        "verdicts": {
            r["id"]: r["verdict"]
            for s in payload["sections"]
            for b in s["blocks"]
            if b["kind"] == "verdicts"
            for r in b["rows"]
        },
        "claims": {
            r["id"]: r["result"]
            for s in payload["sections"]
            for b in s["blocks"]
            if b["kind"] == "claims"
            for r in b["rows"]
        },
        "figures": [f["id"] for f in payload["figures"]],
    }
    if not SNAPSHOT.exists():  # first run writes the snapshot; review it before committing
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(json.dumps(shape, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert shape == json.loads(SNAPSHOT.read_text(encoding="utf-8"))


def test_the_pdf_first_page_renders_and_is_not_blank(written, tmp_path):
    _, paths = written
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm is missing: `make test` installs poppler-utils")
    subprocess.run(
        ["pdftoppm", "-f", "1", "-l", "1", "-r", "50", "-png", str(paths["pdf"]), str(tmp_path / "p")],
        check=True,
    )
    page = next(tmp_path.glob("p*.png"))
    data = page.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5_000  # a white page compresses to almost nothing


def test_no_page_of_the_pdf_ends_with_a_heading_or_a_table_caption(written):
    _, paths = written
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: `make test` installs poppler-utils")
    text = subprocess.run(
        ["pdftotext", str(paths["pdf"]), "-"], check=True, capture_output=True, text=True
    ).stdout
    pages = [" ".join(page.split()) for page in text.split("\f")[:-1]]
    assert len(pages) > 10
    headings = [
        *QUESTIONS,
        "Data and methods",
        "Datasets",
        "Figures",
        "What the data cannot show",
        "COMMITMENTS AND WHAT THE EVIDENCE SAYS",
        "DATED FACTS BEHIND THE VERDICTS",
        "CLAIMS CHECKED AGAINST THE DATA",
    ]
    for number, page in enumerate(pages, 1):
        body = re.sub(r"\s*\d+ / \d+$", "", page)  # the page number in the bottom margin
        stranded = [h for h in headings if body.endswith(h)]
        assert not stranded, f"page {number} ends with {stranded}"


def test_a_points_block_draws_events_where_the_data_have_coordinates(
    tmp_path, data_file, data_dir, monkeypatch
):
    from peacewatch.store import Store

    monkeypatch.setenv("PEACEWATCH_DATA", str(data_dir))
    store = Store(tmp_path / "s.duckdb")
    store.ingest([data_file("acled_global_sample_2022/acled_sample_2022-01_2022-06_9000_events.csv.gz")])
    (tmp_path / "brief.yaml").write_text(
        "title: Points\nas_of: 2022-06-30\ndatasets: [acled-sample-2022-01-2022-06-9000-events]\n"
        "sections:\n  - question: Where?\n    blocks:\n"
        "      - points: {filters: {country: Afghanistan}, title: 'Events in Afghanistan, 2022',\n"
        "                 boundaries: naturalearth_afg_admin1_provinces.geojson}\n",
        encoding="utf-8",
    )
    built = build.build(tmp_path / "brief.yaml", store=store)
    figure = built.payload["figures"][0]
    assert sum(r["events"] for r in figure["data"]) == 105 and "Events in Afghanistan" in figure["title"]
    assert "<svg" in built.figures[0].svg()
