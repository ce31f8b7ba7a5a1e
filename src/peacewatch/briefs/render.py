"""Write a built brief: brief.json (the payload), figures/, brief.html (one self-contained file) and
brief.pdf. Nothing in the HTML is fetched from the network; every text from data or case files is
escaped by the template (Jinja2 autoescape), and the only markup let through is the SVG that
vl-convert renders from our own chart specs and the Markdown subset of ``briefs.markdown``."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

from jinja2 import Environment, select_autoescape

from peacewatch.briefs.build import BuiltBrief

# Belt and braces for the SVG: vl-convert writes neither scripts nor event handlers nor remote links,
# and a brief must never carry them even if a future renderer did.
_UNSAFE_SVG = re.compile(r"<script\b.*?</script>|\son[a-z]+\s*=\s*(\"[^\"]*\"|'[^']*')", re.I | re.S)


def _template_text(name: str) -> str:
    return resources.files("peacewatch.briefs").joinpath("templates", name).read_text(encoding="utf-8")


def _clean_svg(svg: str) -> str:
    svg = re.sub(r"<\?xml[^>]*>", "", svg)
    return _UNSAFE_SVG.sub("", svg)


def write(built: BuiltBrief, out: Path, *, pdf: bool = True) -> dict[str, Path]:
    """Write the brief's files into ``out``; returns their paths by kind."""
    out.mkdir(parents=True, exist_ok=True)
    figdir = out / "figures"
    figdir.mkdir(exist_ok=True)
    svgs = {}
    for fig in built.figures:
        svg = _clean_svg(fig.svg())
        svgs[fig.id] = svg
        (figdir / f"{fig.id}.svg").write_text(svg, encoding="utf-8")
        (figdir / f"{fig.id}.vl.json").write_text(
            json.dumps(fig.spec, indent=1, default=str), encoding="utf-8"
        )
        (figdir / f"{fig.id}.csv").write_text(fig.csv(), encoding="utf-8")
    paths = {"json": out / "brief.json", "html": out / "brief.html", "figures": figdir}
    paths["json"].write_text(
        json.dumps(built.payload, indent=1, default=str, ensure_ascii=False), encoding="utf-8"
    )
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    env.filters["cell"] = _cell
    html = env.from_string(_template_text("brief.html.j2")).render(
        p=built.payload, svgs=svgs, css=_template_text("brief.css")
    )
    paths["html"].write_text(html, encoding="utf-8")
    if pdf:
        from weasyprint import HTML

        paths["pdf"] = out / "brief.pdf"
        # base_url None and no url_fetcher access beyond data: URIs: the PDF needs nothing remote.
        HTML(string=html, base_url=None, url_fetcher=_no_fetch).write_pdf(paths["pdf"])
    return paths


def _cell(value, fmt: str = "") -> str:
    """A table cell as text, with the figure's format spec for numbers ("" for missing values)."""
    if value is None:
        return ""
    if fmt and isinstance(value, int | float):
        try:
            return format(value, fmt)
        except (TypeError, ValueError):
            return str(value)
    return str(value)


def _no_fetch(url: str, *args, **kwargs):
    raise ValueError(f"briefs fetch nothing: refused {url}")
