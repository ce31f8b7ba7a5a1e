"""Charts that leave peacewatch on their own (``peacewatch chart``): a series, or a comparison drawn as the
series with its window and baseline shaded, carrying inside the image what a reader needs to trust and
credit it: the source and its citation, the dataset with its access (ingest) date, the filters, the
command that reproduces the numbers and every caveat (:func:`peacewatch.briefs.attribution.lines`).

Written as SVG (the footer is text), PNG (the footer is drawn; the same lines are also stored as PNG
text chunks, so a program can read the attribution back) or Vega-Lite JSON (the spec, with the lines in
``usermeta``).

>>> chart_format("figure.PNG"), chart_format("figure.vl.json")
('png', 'json')
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import struct
import textwrap
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from peacewatch import analysis
from peacewatch.analysis import StoreLike
from peacewatch.briefs import attribution
from peacewatch.briefs.charts.frame import Y_AXIS_PX
from peacewatch.briefs.charts.from_analysis import series_figure
from peacewatch.briefs.figure import ChartError, Figure, as_span, number_text, span_text
from peacewatch.indicators.calendar import Span
from peacewatch.indicators.filters import Filters
from peacewatch.schema import caveat_list

FORMATS = {".svg": "svg", ".png": "png", ".json": "json"}
FOOTER_FONT_PX = 9
FOOTER_LINE_PX = 12


def chart_format(path: str | Path, fmt: str | None = None) -> str:
    """svg, png or json: ``fmt`` when given, else from the file's extension."""
    if fmt:
        if fmt not in FORMATS.values():
            raise ChartError(f"--format {fmt!r}: expected svg, png or json.")
        return fmt
    found = FORMATS.get(Path(path).suffix.lower())
    if found is None:
        raise ChartError(
            f"--out {str(path)!r}: expected a file ending .svg, .png or .json (Vega-Lite), "
            f"found {Path(path).suffix or 'no extension'}; or name the format with --format."
        )
    return found


def default_by(span: Span) -> str:
    """Days up to four months, weeks up to three years, months beyond."""
    if span.days <= 123:
        return "day"
    return "week" if span.days <= 3 * 366 else "month"


def series_chart_figure(
    f: Filters,
    *,
    span: Span | str | None = None,
    by: str | None = None,
    measure: str = "events",
    estimate: str = "best",
    stack: str | None = None,
    shade: Sequence[Mapping[str, Any]] = (),
    markers: Sequence[Mapping[str, Any]] = (),
    changepoints: bool = False,
    title: str | None = None,
    store: StoreLike = None,
) -> Figure:
    """A series chart with its attribution footer. ``span`` defaults to the filters' dates, else the
    coverage of the selected datasets."""
    total = analysis.series(f, by=by or "day", measure=measure, estimate=estimate, store=store)
    sp = as_span(span, "span") if span is not None else total.span
    by = by or default_by(sp)
    result = analysis.series(
        f.replace(date_from=sp.start, date_to=sp.end), by=by, measure=measure, estimate=estimate, store=store
    )
    fig = series_figure(
        f,
        by=by,
        span=sp,
        title=title or _title(f, measure, by, sp),
        measure=measure,
        estimate=estimate,
        stack=stack,
        shade=shade,
        markers=markers,
        changepoints=changepoints,
        store=store,
    )
    # The footer names the total's command (and the changepoints'); the data table lists one per type.
    commands = [result.command] + [
        c for c in fig.command.splitlines() if c.startswith("peacewatch changepoints")
    ]
    return with_attribution(fig, result.to_dict() | {"command": " ; ".join(commands)})


def compare_chart_figure(
    f: Filters,
    *,
    window: Span | str,
    baseline: Span | str | None = None,
    baseline_preceding: int | None = None,
    baseline_years: int | None = None,
    by: str | None = None,
    measure: str = "events",
    estimate: str = "best",
    method: str | None = None,
    markers: Sequence[Mapping[str, Any]] = (),
    title: str | None = None,
    store: StoreLike = None,
) -> Figure:
    """A comparison as a chart: the series over the window and its baseline, both shaded, with the rate
    ratio and its interval in the subtitle and the compare command in the footer."""
    result = analysis.compare(
        f,
        window=window,
        baseline=baseline,
        baseline_preceding=baseline_preceding,
        baseline_years=baseline_years,
        measure=measure,
        estimate=estimate,
        method=method,
        store=store,
    )
    d = result.to_dict()
    spans = [result.window, *result.baseline]
    sp = Span(min(s.start for s in spans), max(s.end for s in spans))
    by = by or default_by(sp)
    shade = [{"label": "Window", "span": str(result.window)}]
    shade += [{"label": "Baseline", "span": str(b), "tone": "light"} for b in result.baseline]
    subtitle = (
        f"Window {span_text(result.window)} against baseline ({d['baseline']['rule']}): rate ratio "
        f"{number_text(d['rate_ratio'])} ({round(100 * d['conf_level'])}% interval "
        f"{number_text(d['ci_low'])} to {number_text(d['ci_high'])}), {d['method']}."
    )
    fig = series_figure(
        f,
        by=by,
        span=sp,
        title=title or _title(f, measure, by, sp),
        measure=measure,
        estimate=estimate,
        shade=shade,
        markers=markers,
        subtitle=subtitle,
        store=store,
    )
    fig = dataclasses.replace(fig, command=f"{d['command']}\n{fig.command}")
    return with_attribution(fig, d)


def _title(f: Filters, measure: str, by: str, sp: Span) -> str:
    from peacewatch.gazetteer import country_name
    from peacewatch.indicators.filters import place_group

    names = place_group(f.country)
    place = " + ".join(country_name(analysis.iso3_of(n)) or n for n in names) if names else None
    place = place or f.admin1 or "all places"
    return f"{measure.capitalize()} per {by}, {place}, {span_text(sp)}"


def with_attribution(fig: Figure, payload: Mapping[str, Any]) -> Figure:
    """``fig`` with the attribution lines of ``payload`` (a result's JSON) drawn under the plot and kept
    in the spec's ``usermeta`` (the figure's notes already give the caveats)."""
    payload = dict(payload)
    payload.setdefault("caveats", caveat_list(payload.get("datasets") or [], payload.get("imprecise")))
    lines = attribution.lines(payload)
    spec = json.loads(json.dumps(fig.spec, default=str))
    width = int(spec.get("width", 640))
    wrapped = [
        part
        for line in lines
        for part in textwrap.wrap(line, width=int(width / (0.56 * FOOTER_FONT_PX)), subsequent_indent="  ")
    ]
    legend_rows = _legend_rows(spec)
    top = int(spec.get("height", 260)) + 30 + (legend_rows * 18 + 12 if legend_rows else 0)
    spec["layer"].append(
        {
            "data": {"values": [{"text": t, "y": top + FOOTER_LINE_PX * i} for i, t in enumerate(wrapped)]},
            "mark": {
                "type": "text",
                "align": "left",
                "baseline": "top",
                "fontSize": FOOTER_FONT_PX,
                "color": "#444444",
                "x": -Y_AXIS_PX + 8,
            },
            "encoding": {
                "y": {"field": "y", "type": "quantitative", "scale": None},
                "text": {"field": "text"},
            },
            "name": "attribution",
        }
    )
    spec["usermeta"] = {"attribution": lines, "caveats": payload["caveats"]}
    return dataclasses.replace(fig, spec=spec)


def _legend_rows(spec: Mapping[str, Any]) -> int:
    for lay in spec.get("layer", []):
        fill = lay.get("encoding", {}).get("fill")
        if isinstance(fill, dict) and "legend" in fill:
            n, cols = len(fill["scale"]["domain"]), fill["legend"].get("columns") or 1
            return -(-n // cols)
    return 0


def render(fig: Figure, fmt: str, *, scale: float = 2.0) -> bytes:
    """The figure's bytes as svg, png or json (Vega-Lite)."""
    lines = fig.spec.get("usermeta", {}).get("attribution", [])
    if fmt == "svg":
        return fig.svg().encode("utf-8")
    if fmt == "png":
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
        return png_with_text(
            fig.png(scale=scale),
            {
                "Title": fig.title,
                "Description": fig.alt,
                "Source": "\n".join(lines),
                "Software": "peacewatch",
                "Creation Time": stamp,
            },
        )
    if fmt == "json":
        return (json.dumps(fig.spec, ensure_ascii=False, indent=2, default=str) + "\n").encode("utf-8")
    raise ChartError(f"format {fmt!r}: expected svg, png or json.")


def png_with_text(png: bytes, texts: Mapping[str, str]) -> bytes:
    """``png`` with an iTXt chunk (UTF-8 text, PNG specification 11.3.4.5) per item, before IEND."""
    end = png.rindex(b"IEND") - 4
    chunks = b""
    for key, value in texts.items():
        body = key.encode("latin-1")[:79] + b"\0\0\0\0\0" + value.encode("utf-8")
        chunks += struct.pack(">I", len(body)) + b"iTXt" + body
        chunks += struct.pack(">I", zlib.crc32(b"iTXt" + body) & 0xFFFFFFFF)
    return png[:end] + chunks + png[end:]


def png_text(png: bytes) -> dict[str, str]:
    """The iTXt and tEXt items of a PNG (to read an attribution back)."""
    out, i = {}, 8
    while i < len(png):
        (n,) = struct.unpack(">I", png[i : i + 4])
        kind, body = png[i + 4 : i + 8], png[i + 8 : i + 8 + n]
        if kind == b"tEXt":
            k, v = body.split(b"\0", 1)
            out[k.decode("latin-1")] = v.decode("latin-1")
        elif kind == b"iTXt":
            k, rest = body.split(b"\0", 1)
            # compression flag, method, then language tag and translated keyword (both NUL-terminated)
            _lang, _tkey, text = rest[2:].split(b"\0", 2)
            out[k.decode("latin-1")] = text.decode("utf-8")
        i += 12 + n
    return out
