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

from peacewatch.briefs import attribution
from peacewatch.briefs.build import BuiltBrief
from peacewatch.briefs.markdown import link_target
from peacewatch.briefs.outdir import write_whole

# Belt and braces for the SVG: vl-convert writes neither scripts nor event handlers nor remote links,
# and a brief must never carry them even if a future renderer did.
_UNSAFE_SVG = re.compile(r"<script\b.*?</script>|\son[a-z]+\s*=\s*(\"[^\"]*\"|'[^']*')", re.I | re.S)


# Rows of each chart's data table printed in the PDF; the HTML keeps them all (folded).
PRINT_ROWS = 12


def _template_text(name: str) -> str:
    return resources.files("peacewatch.briefs").joinpath("templates", name).read_text(encoding="utf-8")


def _clean_svg(svg: str, scope: str = "") -> str:
    svg = re.sub(r"<\?xml[^>]*>", "", svg)
    return _printable_gradients(_scoped_ids(_UNSAFE_SVG.sub("", svg), scope))


_ID = re.compile(r'\bid="([^"]+)"')


def _scoped_ids(svg: str, scope: str) -> str:
    """Prefix the SVG's own ids (Vega numbers them gradient_0, ... in every chart) with the figure's id,
    so that two charts inlined in one HTML page never share an id and take each other's gradient. They
    are numbered again from 0 in each chart: Vega's counter runs on through a process, and a brief made
    again (``--snapshot N``) must be the same file whatever was drawn before it."""
    if not scope:
        return svg
    counters: dict[str, int] = {}
    for name in dict.fromkeys(_ID.findall(svg)):
        base = _DIGITS.sub("", name)
        new = f"{scope}-{base}{counters.get(base, 0)}"
        counters[base] = counters.get(base, 0) + 1
        svg = svg.replace(f'id="{name}"', f'id="{new}"').replace(f"url(#{name})", f"url(#{new})")
    return svg


_DIGITS = re.compile(r"\d+$")


# A legend's colour ramp as Vega draws it: a rectangle path from the origin filled with a gradient.
_RAMP = re.compile(r'<path d="M0,0h([\d.]+)v([\d.]+)h-[\d.]+Z" fill="url\(#([^)]+)\)"')
_GRADIENT = re.compile(
    r'<linearGradient id="([^"]+)" x1="([\d.]+)" x2="([\d.]+)" y1="([\d.]+)" y2="([\d.]+)">'
)


def _printable_gradients(svg: str) -> str:
    """Give colour-ramp gradients user-space coordinates. Vega writes them in the default bounding-box
    units, which browsers draw and WeasyPrint (the PDF) leaves blank; for a ramp drawn from the origin
    the two are the same picture, so the rewrite changes nothing on screen."""
    sizes = {gid: (float(w), float(h)) for w, h, gid in _RAMP.findall(svg)}

    def rewrite(m: re.Match) -> str:
        gid = m.group(1)
        if gid not in sizes:
            return m.group(0)
        w, h = sizes[gid]
        x1, x2, y1, y2 = (float(v) for v in m.group(2, 3, 4, 5))
        return (
            f'<linearGradient id="{gid}" gradientUnits="userSpaceOnUse" x1="{x1 * w:g}" x2="{x2 * w:g}" '
            f'y1="{y1 * h:g}" y2="{y2 * h:g}">'
        )

    return _GRADIENT.sub(rewrite, svg)


def write(built: BuiltBrief, out: Path, *, pdf: bool = True) -> dict[str, Path]:
    """Write the brief's files into ``out``, replacing a previous brief's files whole (no mix of two
    briefs, no stale brief.pdf after ``pdf=False``; see ``briefs.outdir``); returns their paths by kind."""
    return write_whole(Path(out), lambda folder: _write_files(built, folder, pdf=pdf))


def _write_files(built: BuiltBrief, out: Path, *, pdf: bool) -> dict[str, Path]:
    figdir = out / "figures"
    figdir.mkdir(exist_ok=True)
    svgs = {}
    for fig in built.figures:
        svg = _clean_svg(fig.svg(), scope=fig.id)
        svgs[fig.id] = svg
        (figdir / f"{fig.id}.svg").write_text(svg, encoding="utf-8")
        (figdir / f"{fig.id}.vl.json").write_text(
            json.dumps(fig.spec, indent=1, default=str), encoding="utf-8"
        )
        (figdir / f"{fig.id}.csv").write_text(fig.csv(attribution.figure_lines(fig)), encoding="utf-8")
    paths = {"json": out / "brief.json", "html": out / "brief.html", "figures": figdir}
    paths["json"].write_text(
        json.dumps(built.payload, indent=1, default=str, ensure_ascii=False), encoding="utf-8"
    )
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    env.filters["cell"] = _cell
    env.filters["link"] = link_target
    html = env.from_string(_template_text("brief.html.j2")).render(
        p=built.payload, svgs=svgs, css=_template_text("brief.css"), print_rows=PRINT_ROWS
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
