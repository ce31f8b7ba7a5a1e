"""The change map: a choropleth of each province's rate ratio (window over baseline) on a log2 scale
centred on 1, provinces without baseline events grey, a dark outline where the 95% interval excludes
1, and the table of every polygon's numbers. A unit that matches no polygon is named in the notes,
never dropped silently."""

from __future__ import annotations

import math
import os
import shlex
from collections.abc import Mapping, Sequence
from typing import Any

from peacewatch.analysis import StoreLike, as_store, reproduce_flags
from peacewatch.briefs.figure import (
    FONT,
    SCHEMA_URL,
    WIDTH,
    Figure,
    as_span,
    column,
    number_text,
    span_text,
)
from peacewatch.briefs.maps.boundaries import Boundaries, boundaries_path, load_boundaries, match_units
from peacewatch.briefs.maps.province_changes import NO_BASELINE, ProvinceChange, province_changes
from peacewatch.indicators.calendar import Span
from peacewatch.indicators.filters import Filters

NO_BASELINE_COLOUR = "#b3b3b3"
RATIO_LIMIT = 2.0  # the colour scale runs over log2 ratios -2..2, i.e. ratios 0.25..4 (clamped beyond)
SCHEME = "blueorange"  # diverging, readable with red-green colour-vision deficiencies


def _shade(ratio: float | None) -> float | None:
    if ratio is None:
        return None
    if ratio <= 0:
        return -RATIO_LIMIT
    return max(-RATIO_LIMIT, min(RATIO_LIMIT, math.log2(ratio)))


def _ratio_label(c: ProvinceChange | None) -> str:
    if c is None or c.rate_ratio is None:
        return NO_BASELINE
    if c.rate_ratio == 0:
        return "0 (no events in window)"
    return f"{c.rate_ratio:.2f}"


def change_map(
    changes: Sequence[ProvinceChange],
    boundaries: Boundaries,
    *,
    title: str,
    window: Span | str,
    baseline: Span | str,
    command: str,
    measure: str = "events",
    unnamed_events: int = 0,
    id: str = "map",
    subtitle: str | None = None,
    datasets: Sequence[Mapping[str, Any]] = (),
    snapshot: int | None = None,
    width: int = WIDTH,
    height: int = 470,
    labels: bool = True,
) -> Figure:
    """A choropleth of the rate ratio per province (log2 scale centred on 1, legend in ratios),
    provinces without baseline events grey, and the table of every polygon's numbers. ``datasets``
    and ``snapshot`` say what the numbers were read from (the caption names them)."""
    w, b = as_span(window, "window"), as_span(baseline, "baseline")
    matched, unmatched = match_units([c.unit for c in changes], boundaries)
    by_prov = {matched[c.unit]: c for c in changes if c.unit in matched}
    noun = "events" if measure == "events" else "fatalities"
    features, table, label_rows = [], [], []
    for poly in boundaries.provinces:
        c = by_prov.get(poly.province) if poly.province else None
        ratio = c.rate_ratio if c else None
        name = poly.province or poly.source_name
        significant = c.significant if c else None
        features.append(
            {
                "type": "Feature",
                "geometry": poly.geometry,
                "properties": {"province": name, "shade": _shade(ratio), "significant": bool(significant)},
            }
        )
        if labels and poly.label_lon is not None:
            label_rows.append({"lon": poly.label_lon, "lat": poly.label_lat, "text": name})
        if poly.province is None:
            continue
        table.append(
            {
                "province": name,
                "unit": c.unit if c else None,
                "baseline_total": c.baseline_total if c else 0.0,
                "baseline_rate": c.baseline_rate if c else 0.0,
                "window_total": c.window_total if c else 0.0,
                "window_rate": c.window_rate if c else 0.0,
                "rate_ratio": ratio,
                "ratio_label": _ratio_label(c),
                "ci_low": c.ci_low if c else None,
                "ci_high": c.ci_high if c else None,
                "interval": f"{c.ci_low:.2f}–{c.ci_high:.2f}" if c and c.ci_low is not None else "",
                "significant": significant,
                "status": c.status if c else NO_BASELINE,
                "method": c.method if c else None,
            }
        )
    table.sort(key=lambda r: r["province"])
    notes = list(boundaries.notes)
    for u in unmatched:
        c = next(c for c in changes if c.unit == u)
        notes.append(
            f"{noun.capitalize()} recorded in {u!r} ({number_text(c.baseline_total)} in the baseline, "
            f"{number_text(c.window_total)} in the window) match no polygon of {boundaries.path.name} "
            "and are not on the map."
        )
    if unnamed_events:
        notes.append(f"{unnamed_events:,} {noun} in the two periods have no province and are not on the map.")
    for r in table:
        if r["status"] == NO_BASELINE:
            r["note"] = f"no {noun} in the baseline; {number_text(r['window_total'])} in the window"
    description = _map_description(w, b, table, noun, unmatched)
    alt = f"{title}: {description[0].lower()}{description[1:]}"
    spec = _map_spec(title, subtitle, alt, features, label_rows, width, height)
    cols = (
        column("province", "Province"),
        column("baseline_total", f"Baseline {noun}", ",.0f"),
        column("baseline_rate", "Baseline per day", ".2f"),
        column("window_total", f"Window {noun}", ",.0f"),
        column("window_rate", "Window per day", ".2f"),
        column("ratio_label", "Rate ratio"),
        column("interval", "95% interval"),
    )
    return Figure(
        id,
        title,
        alt,
        spec,
        table,
        command,
        cols,
        tuple(notes),
        tuple(datasets),
        description=description,
        snapshot=snapshot,
    )


def _map_description(w: Span, b: Span, table, noun: str, unmatched) -> str:
    """What the map shows, without its title (the alt text puts the title first)."""
    rated = [r for r in table if r["rate_ratio"] is not None]
    up = sorted(
        (r for r in rated if r["rate_ratio"] > 1 and r["significant"]), key=lambda r: -r["rate_ratio"]
    )
    down = sorted(
        (r for r in rated if r["rate_ratio"] < 1 and r["significant"]), key=lambda r: r["rate_ratio"]
    )
    grey = [r["province"] for r in table if r["rate_ratio"] is None]
    n_up = sum(1 for r in rated if r["rate_ratio"] > 1)
    n_down = sum(1 for r in rated if r["rate_ratio"] < 1)

    def say(r):
        return (
            f"{r['province']} {r['rate_ratio']:.2f} ({number_text(r['baseline_rate'])} to "
            f"{number_text(r['window_rate'])} a day)"
        )

    parts = [
        f"A map of {len(table)} provinces coloured by the rate ratio of {noun} per day, "
        f"{span_text(w)} against {span_text(b)} (blue: fewer, orange: more). Rate ratios above 1 in "
        f"{n_up} provinces, below 1 in {n_down}."
    ]
    parts.append(
        "Rises whose 95% interval excludes 1: " + ("; ".join(say(r) for r in up[:5]) if up else "none") + "."
    )
    parts.append(
        "Falls whose 95% interval excludes 1: "
        + ("; ".join(say(r) for r in down[:5]) if down else "none")
        + "."
    )
    if grey:
        parts.append(f"No baseline {noun}, so no ratio (grey): {', '.join(grey)}.")
    if unmatched:
        parts.append(f"Not on the map (no matching polygon): {', '.join(unmatched)}.")
    return " ".join(parts)


def _map_spec(title, subtitle, alt, features, label_rows, width, height) -> dict[str, Any]:
    ticks = [-2, -1, 0, 1, 2]
    legend = {
        "title": "Rate ratio (window ÷ baseline)",
        "orient": "bottom-right",
        "direction": "horizontal",
        "gradientLength": 200,
        "values": ticks,
        "labelExpr": (
            "datum.value <= -2 ? '≤0.25' : datum.value >= 2 ? '≥4' : format(pow(2, datum.value), '~g')"
        ),
        "titleLimit": 260,
        "offset": 8,
    }
    key = [subtitle] if subtitle else []
    key.append("Dark outline: the 95% interval of the ratio excludes 1.")
    outline = {
        "stroke": {
            "condition": {"test": "datum.properties.significant", "value": "#1a1a1a"},
            "value": "#ffffff",
        },
        "strokeWidth": {"condition": {"test": "datum.properties.significant", "value": 1.4}, "value": 0.7},
    }
    layers: list[dict[str, Any]] = [
        {  # every polygon in grey: those without a ratio stay so (Vega drops null colour values)
            "data": {"values": features},
            "mark": {"type": "geoshape", "fill": NO_BASELINE_COLOUR, "stroke": "#ffffff", "strokeWidth": 0.7},
            "name": "no_baseline",
        },
        {
            "data": {"values": features},
            "transform": [{"filter": "datum.properties.shade !== null"}],
            "mark": {"type": "geoshape", "strokeJoin": "round"},
            "encoding": {
                "color": {
                    "field": "properties.shade",
                    "type": "quantitative",
                    "scale": {
                        "domain": [-RATIO_LIMIT, RATIO_LIMIT],
                        "domainMid": 0,
                        "scheme": SCHEME,
                        "clamp": True,
                    },
                    "legend": legend,
                },
                **outline,
            },
            "name": "provinces",
        },
        {  # the legend entry Vega-Lite cannot make for a colour outside the scale
            "data": {"values": [{"text": "No baseline events"}]},
            "mark": {
                "type": "square",
                "size": 160,
                "fill": NO_BASELINE_COLOUR,
                "opacity": 1,
                "stroke": "#888",
            },
            "encoding": {"x": {"value": width - 200}, "y": {"value": height - 62}},
            "name": "no_baseline_key",
        },
        {
            "data": {"values": [{"text": "No baseline events"}]},
            "mark": {"type": "text", "align": "left", "baseline": "middle", "fontSize": 11, "dx": 12},
            "encoding": {"x": {"value": width - 200}, "y": {"value": height - 62}, "text": {"field": "text"}},
            "name": "no_baseline_key_label",
        },
    ]
    if label_rows:
        layers.append(
            {
                "data": {"values": label_rows},
                "mark": {"type": "text", "fontSize": 8.5, "color": "#1a1a1a"},
                "encoding": {
                    "longitude": {"field": "lon", "type": "quantitative"},
                    "latitude": {"field": "lat", "type": "quantitative"},
                    "text": {"field": "text"},
                },
                "name": "labels",
            }
        )
    return {
        "$schema": SCHEMA_URL,
        "description": alt,
        "title": {
            "text": title,
            "anchor": "start",
            "fontSize": 14,
            "subtitle": key,
            "subtitleFontSize": 11,
            "subtitleColor": "#444",
        },
        "width": width,
        "height": height,
        "background": "white",
        "projection": {"type": "mercator"},
        "config": {
            "font": FONT,
            "aria": False,
            "view": {"stroke": None},
            "legend": {"labelFontSize": 11, "titleFontSize": 11},
        },
        "layer": layers,
    }


def change_map_figure(
    f: Filters,
    *,
    boundaries: str | os.PathLike | Boundaries,
    window: Span | str,
    baseline: Span | str,
    title: str,
    measure: str = "events",
    estimate: str = "best",
    method: str | None = None,
    id: str = "map",
    subtitle: str | None = None,
    data_dir: str | os.PathLike | None = None,
    base_dir: str | os.PathLike | None = None,
    store: StoreLike = None,
) -> Figure:
    """The map block of a brief in one call: boundaries found and matched, one compare per province."""
    w, b = as_span(window, "window"), as_span(baseline, "baseline")
    bounds = (
        boundaries
        if isinstance(boundaries, Boundaries)
        else load_boundaries(boundaries_path(boundaries, data_dir=data_dir, base_dir=base_dir))
    )
    changes, unnamed = province_changes(
        f, window=w, baseline=b, measure=measure, estimate=estimate, method=method, store=store
    )
    args = reproduce_flags(f, store)
    cmd = f"peacewatch compare {args} --admin1 PROVINCE --window {w} --baseline {b} --measure {measure}"
    if measure == "fatalities":
        cmd += f" --estimate {estimate}"
    if method:
        cmd += f" --method {method}"
    datasets = next((c.extra["datasets"] for c in changes if c.extra.get("datasets")), [])
    return change_map(
        changes,
        bounds,
        title=title,
        window=w,
        baseline=b,
        command=shlex.join(shlex.split(cmd)),
        measure=measure,
        unnamed_events=unnamed,
        id=id,
        subtitle=subtitle,
        datasets=datasets,
        snapshot=as_store(store).snapshot,
    )
