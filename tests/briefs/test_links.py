"""Only http(s) and mailto URLs become links in a brief (HTML and PDF); any other source is text."""

from __future__ import annotations

import re
import shutil
from importlib import resources

import pytest

from peacewatch.briefs import build, render
from peacewatch.briefs.markdown import link_target

HOSTILE = "javascript:alert(1)"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "vbscript:msgbox(1)",
        "cch123/eco2020:2020-03-07/Asia/a.md",
        "//evil.example/x",
        "https://",
        "mailto:",
    ],
)
def test_a_url_that_is_not_http_https_or_mailto_is_not_a_link(url):
    assert link_target(url) is None


@pytest.mark.parametrize(
    "url", ["https://peacemaker.un.org/doha", "http://example.org/a?b=c", "mailto:desk@example.org"]
)
def test_http_https_and_mailto_urls_are_links(url):
    assert link_target(url) == url


def test_hostile_sources_in_commitments_claims_and_facts_become_text_not_links(
    afghan_store, data_dir, tmp_path, monkeypatch
):
    monkeypatch.setenv("PEACEWATCH_DATA", str(data_dir))
    case = tmp_path / "case"
    shutil.copytree(resources.files("peacewatch.cases").joinpath("afghanistan-2020"), case)
    replaced = 0
    for name in ("agreement.yaml", "chronology.yaml", "claims.yaml"):
        text = (case / name).read_text(encoding="utf-8")
        text, n = re.subn(r"(?m)^(\s*-?\s*source:\s*).*$", rf"\g<1>'{HOSTILE}'", text)
        replaced += n
        (case / name).write_text(text, encoding="utf-8")
    assert replaced > 10
    built = build.build(case / "brief.yaml", store=afghan_store)
    paths = render.write(built, tmp_path / "out", pdf=True)
    html = paths["html"].read_text(encoding="utf-8")
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs and all(h.startswith("#") or link_target(h) for h in hrefs)
    assert f"source: {HOSTILE}" in html  # still shown, as text
    pdf = paths["pdf"].read_bytes()
    assert b"javascript" not in pdf.lower()
