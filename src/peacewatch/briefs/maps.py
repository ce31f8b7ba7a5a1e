"""Maps of a brief: the change in violence by province between two windows, as a choropleth.

Each province's rate ratio (events per day in the window over the baseline) comes from
``analysis.compare`` restricted to that admin1 unit; a province without events in the baseline has
no ratio and is drawn grey with "no baseline", never given a made-up one. Polygons come from a
boundaries GeoJSON (Natural Earth admin-1 for Afghanistan in the shared data); their names are joined
to the data's admin1 spellings through an explicit table of variants, and a unit that matches no
polygon is named in the figure's notes, never dropped silently.

>>> canonical_province("Hilmand"), canonical_province("Maidan Wardak"), canonical_province("Sari Pul")
('Helmand', 'Wardak', 'Sar-e Pol')
"""

from __future__ import annotations

import itertools
import json
import math
import os
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from peacewatch import analysis
from peacewatch.analysis.measures import StoreLike
from peacewatch.briefs.charts import (
    FONT,
    WIDTH,
    ChartError,
    Figure,
    as_span,
    column,
    number_text,
    span_text,
)
from peacewatch.errors import StatisticsError
from peacewatch.indicators.calendar import Span
from peacewatch.indicators.filters import Filters

NO_BASELINE = "no baseline"
NO_BASELINE_COLOUR = "#b3b3b3"
RATIO_LIMIT = 2.0  # the colour scale runs over log2 ratios -2..2, i.e. ratios 0.25..4 (clamped beyond)
SCHEME = "blueorange"  # diverging, readable with red-green colour-vision deficiencies

# The 34 provinces of Afghanistan in ACLED's spelling (the canonical names here), with the other
# spellings found in Natural Earth, UCDP, OCHA/AGCHO and the press. Keys are compared after
# :func:`name_key` (case, diacritics, hyphens, spaces and apostrophes ignored).
AFGHAN_PROVINCES: dict[str, tuple[str, ...]] = {
    "Badakhshan": ("Badakshan", "Badakhshon", "Badahsan"),
    "Badghis": ("Badghes", "Badgis", "Badghisat"),
    "Baghlan": ("Baglan", "Bughlan"),
    "Balkh": ("Balh",),
    "Bamyan": ("Bamiyan", "Bamian", "Bamyian"),
    "Daykundi": ("Daikundi", "Dai Kundi", "Day Kundi", "Daykondi", "Daikondi", "Dāykundī"),
    "Farah": ("Farāh",),
    "Faryab": ("Fariab", "Faryob", "Fāryāb"),
    "Ghazni": ("Gazni", "Ghazny", "Ghaznī"),
    "Ghor": ("Ghur", "Ghowr", "Gawr", "Ghore", "Ghour"),
    "Helmand": ("Hilmand", "Hilmend", "Helmend"),
    "Herat": ("Hirat", "Harat", "Herāt"),
    "Jowzjan": ("Jawzjan", "Jozjan", "Juzjan", "Jouzjan", "Jaozjan", "Jowzjon"),
    "Kabul": ("Kabol", "Kaboul", "Cabul", "Kābul"),
    "Kandahar": ("Qandahar", "Kandehar", "Qandahār"),
    "Kapisa": ("Kapesa", "Kapissa", "Kāpīsā"),
    "Khost": ("Khowst", "Khost Province", "Khōst"),
    "Kunar": ("Konar", "Konarha", "Kunarha", "Kunaṛ"),
    "Kunduz": ("Kondoz", "Qonduz", "Qunduz", "Kundūz"),
    "Laghman": ("Lagman", "Laghmān"),
    "Logar": ("Lowgar", "Loghar", "Lawghar", "Lōgar"),
    "Nangarhar": ("Ningrahar", "Nangrahar", "Nangarhār"),
    "Nimruz": ("Nimroz", "Nimrooz", "Nimroze", "Neemroze", "Nīmrōz"),
    "Nuristan": ("Nooristan", "Nurestan", "Nūristān"),
    "Paktia": ("Paktya", "Paktiya", "Paktiā"),
    "Paktika": ("Paktica", "Paktīkā"),
    "Panjshir": ("Panjsher", "Panjshayr", "Panjsheer", "Panj Shir", "Panjshēr"),
    "Parwan": ("Parvan", "Parwān"),
    "Samangan": ("Samangān",),
    "Sar-e Pol": ("Sari Pul", "Sar-e Pul", "Sar-i-Pul", "Sar-i Pul", "Saripul", "Saripol", "Sar-e-Pol"),
    "Takhar": ("Takar", "Takhār"),
    "Urozgan": ("Uruzgan", "Oruzgan", "Orozgan", "Uruzghan", "Urūzgān"),
    "Wardak": ("Maidan Wardak", "Maydan Wardak", "Maidan-Wardak", "Wardag", "Verdak", "Vardak"),
    "Zabul": ("Zabol", "Zaboul", "Zubul", "Zābul"),
}

# Natural Earth 1:10m admin-1 (the file in boundaries_afghanistan/) labels two polygons with the name
# of a neighbour: AFG-1769 is Panjshir but is named "Parwan", AFG-1753 is Daykundi but is named
# "Uruzgan" (their gn_name, gns_name and woe_name say so, and their label points lie in Panjshir and
# Daykundi). Corrected by adm1_code, and only when gns_name confirms it.
NATURAL_EARTH_CORRECTIONS: dict[str, tuple[str, str]] = {
    "AFG-1769": ("Panjshir", "Panjshayr"),
    "AFG-1753": ("Daykundi", "Daykundi"),
}

_STRIP = re.compile(r"\b(province|wilayat e|wilayat|velayat e|velayat|welayat)\b")


class BoundariesError(ChartError):
    """A boundaries file cannot be found or read as GeoJSON polygons."""


def name_key(name: str) -> str:
    """A spelling-insensitive key: no diacritics, case, punctuation, spaces or 'province'.

    >>> name_key("Sar-e Pol"), name_key("  SAR E POL province"), name_key("Nīmrōz")
    ('sarepol', 'sarepol', 'nimroz')
    """
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"[-_'’`.,/]+", " ", text)
    text = _STRIP.sub(" ", text)
    return re.sub(r"[^a-z0-9]+", "", text)


_BY_KEY: dict[str, str] = {}
for _canon, _variants in AFGHAN_PROVINCES.items():
    for _v in (_canon, *_variants):
        _BY_KEY[name_key(_v)] = _canon


def canonical_province(name: str | None) -> str | None:
    """The canonical (ACLED) spelling of an Afghan province name, or None when it is not one."""
    if not name:
        return None
    return _BY_KEY.get(name_key(name))


# ---------------------------------------------------------------- boundaries


@dataclass(frozen=True)
class Province:
    """One polygon of the boundaries file, with the province it was matched to (None: unmatched)."""

    province: str | None
    source_name: str
    code: str | None
    geometry: dict[str, Any]
    label_lon: float | None
    label_lat: float | None


@dataclass(frozen=True)
class Boundaries:
    path: Path
    provinces: tuple[Province, ...]
    notes: tuple[str, ...] = ()

    def by_province(self) -> dict[str, Province]:
        return {p.province: p for p in self.provinces if p.province}


def data_folder() -> Path:
    """The shared data folder: PEACEWATCH_DATA, else ../shared/data from the working directory."""
    env = os.environ.get("PEACEWATCH_DATA")
    return Path(env).expanduser() if env else Path.cwd().parent / "shared" / "data"


def boundaries_path(
    value: str | os.PathLike,
    *,
    data_dir: str | os.PathLike | None = None,
    base_dir: str | os.PathLike | None = None,
) -> Path:
    """Find a boundaries file named in brief.yaml: an absolute path; else relative to ``base_dir``
    (the case folder); else relative to the data folder; else a file of that name anywhere under the
    data folder (it must be the only one)."""
    path = Path(value).expanduser()
    if path.is_absolute():
        if path.is_file():
            return path
        raise BoundariesError(f"boundaries {str(value)!r}: no such file.")
    folder = Path(data_dir) if data_dir is not None else data_folder()
    tried = []
    for root in (Path(base_dir) if base_dir is not None else None, folder):
        if root is None:
            continue
        candidate = root / path
        tried.append(str(candidate))
        if candidate.is_file():
            return candidate.resolve()
    found = sorted(folder.rglob(path.name)) if folder.is_dir() else []
    if len(found) == 1:
        return found[0].resolve()
    if len(found) > 1:
        raise BoundariesError(
            f"boundaries {str(value)!r}: {len(found)} files of that name under {folder} "
            f"({', '.join(str(f.relative_to(folder)) for f in found)}).",
            hint="Give the path relative to the data folder in brief.yaml.",
        )
    raise BoundariesError(
        f"boundaries {str(value)!r}: not found (tried {', '.join(tried)} and every folder under {folder}).",
        hint="Give a path relative to the case folder or the data folder (PEACEWATCH_DATA).",
    )


def _round_ring(ring, decimals: int):
    out = []
    for x, y, *_ in ring:
        pt = [round(float(x), decimals), round(float(y), decimals)]
        if not out or pt != out[-1]:
            out.append(pt)
    if out and out[0] != out[-1]:
        out.append(out[0])
    return out if len(out) >= 4 else None


def _signed_area(ring) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(ring)) / 2


def _polygon(rings, decimals: int):
    """Rounded rings in the winding d3-geo (Vega) expects: exterior clockwise, holes anticlockwise.
    RFC 7946 GeoJSON winds the other way, which d3 reads as 'everything but this polygon'."""
    out = []
    for i, ring in enumerate(rings):
        r = _round_ring(ring, decimals)
        if r is None:
            continue
        clockwise = _signed_area(r) < 0
        if clockwise != (i == 0):
            r = r[::-1]
        out.append(r)
    return out


def simplify_geometry(geometry: Mapping[str, Any], decimals: int = 3) -> dict[str, Any]:
    """Coordinates rounded to ``decimals`` (3: about 100 m), repeated points dropped, rings wound for
    d3-geo. Polygon and MultiPolygon only."""
    kind = geometry.get("type")
    if kind == "Polygon":
        return {"type": "Polygon", "coordinates": _polygon(geometry["coordinates"], decimals)}
    if kind == "MultiPolygon":
        polys = [p for p in (_polygon(rings, decimals) for rings in geometry["coordinates"]) if p]
        return {"type": "MultiPolygon", "coordinates": polys}
    raise BoundariesError(f"expected Polygon or MultiPolygon geometries; found {kind!r}.")


def load_boundaries(path: str | os.PathLike, *, decimals: int = 3) -> Boundaries:
    """Read admin-1 polygons from a GeoJSON FeatureCollection and match each to a canonical province.

    A feature's name is its ``name`` property (after NATURAL_EARTH_CORRECTIONS), else ``shapeName``
    (geoBoundaries), else ``ADM1_EN`` (OCHA); when that is not a known spelling, the alternatives in
    ``name_alt`` are tried. Features that match nothing, or match a province another feature already
    has, are listed in ``notes``.
    """
    p = Path(path)
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BoundariesError(f"boundaries {p}: cannot be read as GeoJSON ({exc}).") from None
    if doc.get("type") != "FeatureCollection":
        raise BoundariesError(
            f"boundaries {p}: expected a GeoJSON FeatureCollection; found {doc.get('type')!r}."
        )
    provinces, notes, seen = [], [], {}
    for i, feat in enumerate(doc.get("features") or []):
        props = feat.get("properties") or {}
        name = props.get("name") or props.get("shapeName") or props.get("ADM1_EN") or ""
        code = props.get("adm1_code") or props.get("shapeID") or props.get("ADM1_PCODE")
        fix = NATURAL_EARTH_CORRECTIONS.get(str(code))
        if fix and fix[1].lower() in str(props.get("gns_name") or "").lower():
            province = fix[0]
        else:
            province = canonical_province(name)
            for alt in str(props.get("name_alt") or "").split("|") if province is None else ():
                province = canonical_province(alt)
                if province:
                    break
        if province is None:
            notes.append(
                f"Polygon {i + 1} ({name!r}, {code}) matches no province name; it is drawn without data."
            )
        elif province in seen:
            notes.append(
                f"Polygons {seen[province] + 1} and {i + 1} are both {province!r}; "
                "the second is drawn without data."
            )
            province = None
        else:
            seen[province] = i
        lon, lat = props.get("longitude"), props.get("latitude")
        provinces.append(
            Province(
                province=province,
                source_name=str(name),
                code=str(code) if code else None,
                geometry=simplify_geometry(feat.get("geometry") or {}, decimals),
                label_lon=float(lon) if lon is not None else None,
                label_lat=float(lat) if lat is not None else None,
            )
        )
    return Boundaries(p, tuple(provinces), tuple(notes))


def match_units(units: Sequence[str], boundaries: Boundaries) -> tuple[dict[str, str], list[str]]:
    """({data unit: province of a polygon}, [units that match no polygon])."""
    have = boundaries.by_province()
    matched, unmatched = {}, []
    for u in units:
        c = canonical_province(u)
        if c in have:
            matched[u] = c
        else:
            unmatched.append(u)
    return matched, unmatched


# ---------------------------------------------------------------- the numbers (through analysis)


@dataclass(frozen=True)
class ProvinceChange:
    """A unit's events per day in the window against the baseline; ``rate_ratio`` is None (status
    "no baseline") when the baseline has no events."""

    unit: str
    window_total: float
    window_days: int
    baseline_total: float
    baseline_days: int
    rate_ratio: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    p_value: float | None = None
    method: str | None = None
    note: str | None = None
    command: str = ""
    status: str = "compared"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def window_rate(self) -> float:
        return self.window_total / self.window_days

    @property
    def baseline_rate(self) -> float:
        return self.baseline_total / self.baseline_days

    @property
    def significant(self) -> bool | None:
        if self.ci_low is None or self.ci_high is None:
            return None
        return self.ci_high < 1.0 or self.ci_low > 1.0

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("extra")
        return d | {"window_rate": self.window_rate, "baseline_rate": self.baseline_rate}


def _units(f: Filters, spans: Sequence[Span], store) -> tuple[list[str], int]:
    units, unnamed = set(), 0
    for sp in spans:
        names = (
            analysis.events(f.replace(date_from=sp.start, date_to=sp.end), store).column("admin1").to_pylist()
        )
        units |= {n for n in names if n}
        unnamed += sum(1 for n in names if not n)
    return sorted(units), unnamed


def province_changes(
    f: Filters,
    *,
    window: Span | str,
    baseline: Span | str,
    measure: str = "events",
    estimate: str = "best",
    method: str | None = None,
    store: StoreLike = None,
) -> tuple[list[ProvinceChange], int]:
    """One analysis.compare per admin1 unit with an event in the window or the baseline; returns the
    changes and the number of events in either period without an admin1 name."""
    w, b = as_span(window, "window"), as_span(baseline, "baseline")
    units, unnamed = _units(f, (b, w), store)
    out = []
    for u in units:
        g = f.replace(admin1=u)
        try:
            r = analysis.compare(
                g, window=w, baseline=b, measure=measure, estimate=estimate, method=method, store=store
            )
        except StatisticsError:
            totals = {}
            for name, sp in (("window", w), ("baseline", b)):
                s = analysis.series(
                    g.replace(date_from=sp.start, date_to=sp.end),
                    by="day",
                    measure=measure,
                    estimate=estimate,
                    store=store,
                )
                totals[name] = (sum(v for _, v in s.points), sp.days)
            if totals["baseline"][0] != 0:
                raise
            cmd = (
                f"peacewatch series {g.replace(date_from=b.start, date_to=b.end).cli_args()} --by day "
                f"--measure {measure}"
            )
            out.append(
                ProvinceChange(u, *totals["window"], *totals["baseline"], command=cmd, status=NO_BASELINE)
            )
            continue
        c = r.result
        out.append(
            ProvinceChange(
                u,
                c.window_total,
                c.window_days,
                c.baseline_total,
                c.baseline_days,
                c.rate_ratio,
                c.ci_low,
                c.ci_high,
                c.p_value,
                c.method,
                c.note,
                r.command,
                extra={"datasets": r.datasets},
            )
        )
    return out, unnamed


# ---------------------------------------------------------------- the map


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
    width: int = WIDTH,
    height: int = 470,
    labels: bool = True,
) -> Figure:
    """A choropleth of the rate ratio per province (log2 scale centred on 1, legend in ratios),
    provinces without baseline events grey, and the table of every polygon's numbers."""
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
    alt = _map_alt(title, w, b, table, noun, unmatched)
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
    return Figure(id, title, alt, spec, table, command, cols, tuple(notes), tuple(datasets))


def _map_alt(title, w: Span, b: Span, table, noun: str, unmatched) -> str:
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
        f"{title}: a map of {len(table)} provinces coloured by the rate ratio of {noun} per day, "
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
        "$schema": "https://vega.github.io/schema/vega-lite/v6.4.1.json",
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
    cmd = (
        f"peacewatch compare {f.cli_args()} --admin1 PROVINCE --window {w} --baseline {b} --measure {measure}"
    )
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
        command=" ".join(cmd.split()),
        measure=measure,
        unnamed_events=unnamed,
        id=id,
        subtitle=subtitle,
        datasets=datasets,
    )


# ---------------------------------------------------------------- points


def points_map(
    events: Any,
    *,
    title: str,
    command: str,
    boundaries: Boundaries | None = None,
    id: str = "points",
    subtitle: str | None = None,
    datasets: Sequence[Mapping[str, Any]] = (),
    width: int = WIDTH,
    height: int = 470,
) -> Figure:
    """Events as dots at their coordinates, coloured by canonical event type, over the boundaries.

    ``events`` are rows with latitude, longitude and event_type (a list of dicts, or the pyarrow table
    analysis.events returns). Rows without coordinates are counted in the notes. The data table counts
    events by type (the dots themselves are too many for a table).
    """
    from peacewatch.briefs.charts import EVENT_TYPE_COLOURS, EVENT_TYPE_LABELS

    rows = events.to_pylist() if hasattr(events, "to_pylist") else list(events)
    dots, missing, counts = [], 0, {}
    for r in rows:
        lat, lon = r.get("latitude"), r.get("longitude")
        t = r.get("event_type") or "other"
        counts[t] = counts.get(t, 0) + 1
        if lat is None or lon is None or not (math.isfinite(lat) and math.isfinite(lon)):
            missing += 1
            continue
        dots.append(
            {"lon": round(float(lon), 4), "lat": round(float(lat), 4), "type": EVENT_TYPE_LABELS.get(t, t)}
        )
    types = [t for t in EVENT_TYPE_LABELS if t in counts] + sorted(
        t for t in counts if t not in EVENT_TYPE_LABELS
    )
    labels = [EVENT_TYPE_LABELS.get(t, t) for t in types]
    layers: list[dict[str, Any]] = []
    if boundaries is not None:
        layers.append(
            {
                "data": {
                    "values": [
                        {"type": "Feature", "geometry": p.geometry, "properties": {}}
                        for p in boundaries.provinces
                    ]
                },
                "mark": {"type": "geoshape", "fill": "#eeeeee", "stroke": "#ffffff", "strokeWidth": 0.8},
                "name": "boundaries",
            }
        )
    layers.append(
        {
            "data": {"values": dots},
            "mark": {"type": "circle", "size": 14, "opacity": 0.6},
            "encoding": {
                "longitude": {"field": "lon", "type": "quantitative"},
                "latitude": {"field": "lat", "type": "quantitative"},
                "color": {
                    "field": "type",
                    "type": "nominal",
                    "title": None,
                    "scale": {
                        "domain": labels,
                        "range": [EVENT_TYPE_COLOURS.get(t, "#999999") for t in types],
                    },
                    "legend": {"orient": "bottom", "columns": 3, "symbolOpacity": 1},
                },
            },
            "name": "events",
        }
    )
    total = len(rows)
    alt = (
        f"{title}: a map of {len(dots):,} events at their recorded coordinates, coloured by type. "
        f"Of all {total:,} events: "
        + ", ".join(f"{EVENT_TYPE_LABELS.get(t, t)} {counts[t]:,}" for t in types)
        + "."
    )
    notes = []
    if missing:
        notes.append(f"{missing:,} of {total:,} events have no coordinates and are not drawn.")
    table = [{"event_type": t, "label": EVENT_TYPE_LABELS.get(t, t), "events": counts[t]} for t in types]
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.4.1.json",
        "description": alt,
        "title": {"text": title, "anchor": "start", "fontSize": 14}
        | ({"subtitle": subtitle, "subtitleFontSize": 11} if subtitle else {}),
        "width": width,
        "height": height,
        "background": "white",
        "projection": {"type": "mercator"},
        "config": {"font": FONT, "aria": False, "view": {"stroke": None}, "legend": {"labelFontSize": 11}},
        "layer": layers,
    }
    cols = (column("label", "Event type"), column("events", "Events", ",.0f"))
    return Figure(id, title, alt, spec, table, command, cols, tuple(notes), tuple(datasets))


__all__ = [
    "AFGHAN_PROVINCES",
    "NATURAL_EARTH_CORRECTIONS",
    "NO_BASELINE",
    "Boundaries",
    "BoundariesError",
    "Province",
    "ProvinceChange",
    "boundaries_path",
    "canonical_province",
    "change_map",
    "change_map_figure",
    "load_boundaries",
    "match_units",
    "name_key",
    "points_map",
    "province_changes",
    "simplify_geometry",
]
