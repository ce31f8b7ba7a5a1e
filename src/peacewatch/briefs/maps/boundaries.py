"""Province boundaries for maps: finding the file a brief names, reading its GeoJSON polygons,
simplifying them for Vega, and matching their names (and the data's admin1 spellings) to canonical
province names through an explicit table of variants, with the Natural Earth corrections.

>>> canonical_province("Hilmand"), canonical_province("Maidan Wardak"), canonical_province("Sari Pul")
('Helmand', 'Wardak', 'Sar-e Pol')
"""

from __future__ import annotations

import itertools
import json
import os
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from peacewatch.briefs.figure import ChartError

# ---------------------------------------------------------------- province names

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
