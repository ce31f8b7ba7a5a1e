"""Text from data and case files is escaped: an event whose notes hold markup cannot inject anything."""

from __future__ import annotations

import textwrap

from peacewatch.briefs import build, render
from peacewatch.briefs.markdown import to_html
from peacewatch.store import Store

EVIL = '<script>alert("x")</script><img src=x onerror="alert(1)">'


def test_markdown_escapes_html_and_keeps_only_safe_links():
    out = to_html(f"Hello {EVIL} and [a link](https://example.org) and [bad](javascript:alert(1))")
    assert "<script" not in out and "<img" not in out
    assert [t for t, _ in _tags(out)] == ["p", "a"]
    assert '<a href="https://example.org">a link</a>' in out
    assert "javascript:" not in out.split("[bad]")[0]


def test_an_event_with_a_script_in_its_notes_renders_as_text(tmp_path):
    header = (
        "event_id_cnty,event_date,year,event_type,sub_event_type,actor1,actor2,country,admin1,latitude,"
        "longitude,fatalities,notes"
    )
    rows = [
        f"AFG{i},2020-02-{i:02d},2020,Battles,Armed clash,Taliban,Civilians (Afghanistan),Afghanistan,"
        "Helmand,"
        f'31.5,64.1,1,"{EVIL.replace(chr(34), chr(34) * 2)}"'
        for i in range(1, 29)
    ]
    data = tmp_path / "evil.csv"
    data.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    store = Store(tmp_path / "s.duckdb")
    store.ingest([data])
    case = tmp_path / "case"
    case.mkdir()
    (case / "brief.yaml").write_text(
        textwrap.dedent(f"""\
        title: A brief with hostile data {EVIL!r}
        as_of: 2020-02-28
        datasets: [evil]
        sections:
          - question: What happened?
            narrative: "{EVIL.replace('"', "'")}"
            blocks:
              - events: {{filters: {{country: Afghanistan}}, limit: 5}}
        """),
        encoding="utf-8",
    )
    built = build.build(case / "brief.yaml", store=store)
    paths = render.write(built, tmp_path / "out", pdf=False)
    html = paths["html"].read_text(encoding="utf-8")
    tags = _tags(html)
    assert not [t for t, _ in tags if t in ("script", "img", "iframe", "object", "embed")]
    assert not [(t, a) for t, attrs in tags for a in attrs if a.lower().startswith("on")]
    assert not [
        (t, v) for t, attrs in tags for v in attrs.values() if str(v).lower().startswith("javascript:")
    ]
    assert "&lt;script&gt;" in html  # the notes are there, as text


def _tags(html: str) -> list[tuple[str, dict]]:
    from html.parser import HTMLParser

    found: list[tuple[str, dict]] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, dict(attrs)))

    Collect().feed(html)
    return found
