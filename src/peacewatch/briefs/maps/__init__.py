"""Maps of a brief: the change in violence by province between two windows, as a choropleth, and
events as points.

Each province's rate ratio (events per day in the window over the baseline) comes from
``analysis.compare`` restricted to that admin1 unit (``province_changes``); a province without events
in the baseline has no ratio and is drawn grey with "no baseline", never given a made-up one
(``choropleth``). Polygons come from a boundaries GeoJSON (Natural Earth admin-1 for Afghanistan in
the shared data); their names are joined to the data's admin1 spellings through an explicit table of
variants, and a unit that matches no polygon is named in the figure's notes, never dropped silently
(``boundaries``). ``points`` draws events at their coordinates.
"""

from __future__ import annotations

from peacewatch.briefs.maps.boundaries import (
    AFGHAN_PROVINCES,
    NATURAL_EARTH_CORRECTIONS,
    Boundaries,
    BoundariesError,
    Province,
    boundaries_path,
    canonical_province,
    load_boundaries,
    match_units,
    name_key,
    simplify_geometry,
)
from peacewatch.briefs.maps.choropleth import (
    NO_BASELINE_COLOUR,
    RATIO_LIMIT,
    change_map,
    change_map_figure,
)
from peacewatch.briefs.maps.points import points_map
from peacewatch.briefs.maps.province_changes import NO_BASELINE, ProvinceChange, province_changes

__all__ = [
    "AFGHAN_PROVINCES",
    "NATURAL_EARTH_CORRECTIONS",
    "NO_BASELINE",
    "NO_BASELINE_COLOUR",
    "RATIO_LIMIT",
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
