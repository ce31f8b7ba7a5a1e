"""The change map by province on real data: ACLED Afghanistan, March 2020 against 1-21 February 2020,
on Natural Earth admin-1 polygons (boundaries_afghanistan/ in the shared data).

Every ACLED province must find its polygon; a province without baseline events is grey with "no
baseline"; the ratios in the table are those analysis.compare gives for that province.
"""

from __future__ import annotations

import re

import jsonschema
import pytest

from peacewatch import analysis
from peacewatch.briefs import maps
from peacewatch.briefs.maps import (
    NO_BASELINE,
    BoundariesError,
    ProvinceChange,
    canonical_province,
    load_boundaries,
    name_key,
)
from peacewatch.briefs.maps.boundaries import _signed_area
from peacewatch.indicators.filters import Filters

AFGHANISTAN = Filters(country="Afghanistan")
BOUNDARIES = "boundaries_afghanistan/naturalearth_afg_admin1_provinces.geojson"
WINDOW, BASELINE = "2020-03-02:2020-03-31", "2020-02-01:2020-02-21"
NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


@pytest.fixture(scope="module")
def boundaries(data_file):
    return load_boundaries(data_file(BOUNDARIES))


@pytest.fixture(scope="module")
def march(afghan_store, boundaries):
    return maps.change_map_figure(
        AFGHANISTAN,
        boundaries=boundaries,
        window=WINDOW,
        baseline=BASELINE,
        title="Change by province after the signing",
        store=afghan_store,
    )


def row(fig, province):
    return next(r for r in fig.data if r["province"] == province)


def test_all_34_acled_provinces_match_a_polygon_of_their_own(afghan_store, boundaries):
    units = sorted(set(analysis.events(AFGHANISTAN, afghan_store).column("admin1").to_pylist()))
    assert len(units) == 34
    matched, unmatched = maps.match_units(units, boundaries)
    assert unmatched == []
    assert len(set(matched.values())) == 34
    assert sorted(p.province for p in boundaries.provinces) == sorted(maps.AFGHAN_PROVINCES)
    assert boundaries.notes == ()


def test_the_two_mislabelled_natural_earth_polygons_are_panjshir_and_daykundi(boundaries):
    # The file names AFG-1769 "Parwan" and AFG-1753 "Uruzgan"; their label points say otherwise.
    by = boundaries.by_province()
    assert (by["Panjshir"].code, by["Panjshir"].source_name) == ("AFG-1769", "Parwan")
    assert (by["Daykundi"].code, by["Daykundi"].source_name) == ("AFG-1753", "Uruzgan")
    assert (
        by["Panjshir"].label_lon > by["Parwan"].label_lon
        and by["Panjshir"].label_lat > by["Parwan"].label_lat
    )
    assert by["Daykundi"].label_lat > by["Urozgan"].label_lat + 0.8


@pytest.mark.parametrize(
    ("spelling", "province"),
    [
        ("Wardak", "Wardak"),
        ("Maidan Wardak", "Wardak"),
        ("Uruzgan", "Urozgan"),
        ("Sari Pul", "Sar-e Pol"),
        ("Sar-e Pul", "Sar-e Pol"),
        ("SAR-E POL", "Sar-e Pol"),
        ("Hilmand", "Helmand"),
        ("Nimroz", "Nimruz"),
        ("Paktya", "Paktia"),
        ("Paktika", "Paktika"),
        ("Daikundi", "Daykundi"),
        ("Panjsher", "Panjshir"),
        ("Jawzjan", "Jowzjan"),
        ("Hirat", "Herat"),
        ("Nīmrōz", "Nimruz"),
        ("Kunar Province", "Kunar"),
        ("Nuristan", "Nuristan"),
        ("Atlantis", None),
    ],
)
def test_province_spellings_resolve_to_the_acled_name(spelling, province):
    assert canonical_province(spelling) == province


def test_name_keys_ignore_case_diacritics_hyphens_and_the_word_province():
    assert name_key("Sar-e Pol") == name_key("sar e pol") == name_key("Sar-e-Pol Province") == "sarepol"
    assert name_key("Dāykundī") == "daykundi"


def test_the_variant_table_sends_no_spelling_to_two_provinces():
    seen = {}
    for canon, variants in maps.AFGHAN_PROVINCES.items():
        for v in (canon, *variants):
            assert seen.setdefault(name_key(v), canon) == canon, v


def test_the_map_is_valid_vega_lite_renders_offline_and_stays_small(march):
    from altair.vegalite.v6.schema import load_schema

    spec_schema = load_schema()
    errors = [
        e.message
        for e in jsonschema.validators.validator_for(spec_schema)(spec_schema).iter_errors(march.spec)
    ]
    assert not errors, errors[:3]
    svg = march.svg()
    assert march.title in svg
    assert set(re.findall(r"https?://[^\s\"'<>)]+", svg)) <= NAMESPACES
    assert len(svg.encode()) < 1_000_000
    # The legend reads as ratios, not logarithms.
    for label in ("≤0.25", "0.5", ">1<", ">2<", "≥4", "No baseline events"):
        assert label in svg, label


def test_a_province_without_baseline_events_is_grey_with_no_baseline_in_its_row(march):
    nuristan = row(march, "Nuristan")
    # Measured: no events in Nuristan from 1 to 21 February 2020.
    assert nuristan["baseline_total"] == 0
    assert nuristan["rate_ratio"] is None and nuristan["ratio_label"] == NO_BASELINE
    assert nuristan["status"] == NO_BASELINE and nuristan["window_total"] > 0
    grey, coloured = march.spec["layer"][0], march.spec["layer"][1]
    assert grey["mark"]["fill"] == maps.NO_BASELINE_COLOUR
    shades = {f["properties"]["province"]: f["properties"]["shade"] for f in coloured["data"]["values"]}
    assert shades["Nuristan"] is None
    assert coloured["transform"] == [{"filter": "datum.properties.shade !== null"}]
    assert {p for p, s in shades.items() if s is None} == {
        r["province"] for r in march.data if r["rate_ratio"] is None
    }
    assert "Nuristan" in march.alt.split("(grey)")[1]


@pytest.mark.parametrize("province", ["Helmand", "Kandahar"])
def test_the_table_ratios_are_those_of_analysis_compare(march, afghan_store, province):
    r = analysis.compare(
        AFGHANISTAN.replace(admin1=province), window=WINDOW, baseline=BASELINE, store=afghan_store
    ).result
    mine = row(march, province)
    assert mine["rate_ratio"] == r.rate_ratio
    assert (mine["ci_low"], mine["ci_high"]) == (r.ci_low, r.ci_high)
    assert mine["baseline_rate"] == pytest.approx(r.baseline_rate)
    assert mine["window_rate"] == pytest.approx(r.window_rate)
    assert mine["ratio_label"] == f"{r.rate_ratio:.2f}"
    feature = next(
        f for f in march.spec["layer"][1]["data"]["values"] if f["properties"]["province"] == province
    )
    assert 2 ** feature["properties"]["shade"] == pytest.approx(r.rate_ratio)


def test_every_polygon_has_a_row_and_the_counts_reconcile_with_the_country(march, afghan_store):
    assert len(march.data) == 34
    country = analysis.compare(AFGHANISTAN, window=WINDOW, baseline=BASELINE, store=afghan_store).result
    assert sum(r["window_total"] for r in march.data) == country.window_total
    assert sum(r["baseline_total"] for r in march.data) == country.baseline_total
    assert march.notes == ()
    assert march.command.startswith(
        f"peacewatch compare --store {afghan_store.path} --snapshot {afghan_store.snapshot} "
        "--country Afghanistan "
        "--admin1 PROVINCE "
        "--window 2020-03-02"
    )


def test_a_unit_that_matches_no_polygon_is_named_in_the_notes_not_dropped(boundaries):
    changes = [
        ProvinceChange("Helmand", 30.0, 30, 21.0, 21, 1.0, 0.5, 2.0),
        ProvinceChange("Atlantis", 4.0, 30, 2.0, 21, 1.4, 0.2, 9.0),
    ]
    fig = maps.change_map(changes, boundaries, title="t", window=WINDOW, baseline=BASELINE, command="c")
    assert any("'Atlantis'" in n and "not on the map" in n for n in fig.notes)
    assert "Atlantis" in fig.alt
    assert row(fig, "Helmand")["rate_ratio"] == 1.0
    assert row(fig, "Kabul")["ratio_label"] == NO_BASELINE


def test_a_window_without_events_is_a_ratio_of_zero_drawn_at_the_end_of_the_scale(boundaries):
    changes = [ProvinceChange("Kabul", 0.0, 30, 21.0, 21, 0.0, 0.0, 0.12)]
    fig = maps.change_map(changes, boundaries, title="t", window=WINDOW, baseline=BASELINE, command="c")
    kabul = next(f for f in fig.spec["layer"][1]["data"]["values"] if f["properties"]["province"] == "Kabul")
    assert kabul["properties"]["shade"] == -maps.RATIO_LIMIT
    assert row(fig, "Kabul")["ratio_label"] == "0 (no events in window)"


def test_rings_are_wound_clockwise_for_vega_and_rounded(boundaries):
    for p in boundaries.provinces:
        polys = [p.geometry["coordinates"]] if p.geometry["type"] == "Polygon" else p.geometry["coordinates"]
        for rings in polys:
            assert _signed_area(rings[0]) < 0
            assert all(round(x, 3) == x for x, _ in rings[0])


def test_the_boundaries_file_is_found_by_name_under_the_data_folder(data_dir):
    found = maps.boundaries_path("naturalearth_afg_admin1_provinces.geojson", data_dir=data_dir)
    assert found == (data_dir / BOUNDARIES).resolve()
    assert maps.boundaries_path(BOUNDARIES, data_dir=data_dir) == found
    with pytest.raises(BoundariesError, match="not found"):
        maps.boundaries_path("nowhere.geojson", data_dir=data_dir)


def test_points_map_draws_events_with_coordinates_and_counts_the_others(boundaries):
    events = [
        {"latitude": 31.6, "longitude": 65.7, "event_type": "battle"},
        {"latitude": 34.5, "longitude": 69.2, "event_type": "explosion_remote_violence"},
        {"latitude": None, "longitude": None, "event_type": "battle"},
    ]
    fig = maps.points_map(events, title="Events", command="peacewatch events", boundaries=boundaries)
    assert len(fig.spec["layer"][-1]["data"]["values"]) == 2
    assert fig.notes == ("1 of 3 events has no coordinates and is not drawn.",)
    assert fig.data[0] == {"event_type": "battle", "label": "Battles", "events": 2}
    assert "Events" in fig.svg()


def test_the_legend_colour_ramp_is_drawn_in_the_pdf_too(march, tmp_path):
    """WeasyPrint leaves gradients in bounding-box units blank; the brief gives the ramp user-space units
    (the same picture in a browser) and scopes its id to the figure."""
    import shutil
    import subprocess

    from PIL import Image
    from weasyprint import HTML

    from peacewatch.briefs.render import _clean_svg

    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm is missing: `make test` installs poppler-utils")
    vega = re.sub(r"<\?xml[^>]*>", "", march.svg())  # as vl-convert writes it
    mine = _clean_svg(march.svg(), scope="s5b4")
    ramp = re.search(r'<path d="M0,0h([\d.]+)v([\d.]+)h', mine)
    width, height = float(ramp.group(1)), float(ramp.group(2))
    # vl-convert numbers gradients per process (gradient_0, gradient_1, ...): ids differ between runs.
    assert re.search(
        rf'id="s5b4-gradient_\d+" gradientUnits="userSpaceOnUse" x1="0" x2="{width:g}" y1="0" y2="0"', mine
    )
    assert all(ref.startswith("s5b4-") for ref in re.findall(r"url\(#([^)]+)\)", mine))
    inked = []
    for name, svg in (("vega", vega), ("mine", mine)):
        pdf = tmp_path / f"{name}.pdf"
        HTML(string=f"<html><body>{svg}</body></html>").write_pdf(pdf)
        subprocess.run(["pdftoppm", "-r", "40", "-png", "-singlefile", pdf, tmp_path / name], check=True)
        grey_levels = Image.open(tmp_path / f"{name}.png").convert("L").histogram()
        inked.append(sum(grey_levels[:250]))
    # The ramp (width x height px at 96 dpi) adds its area in ink; nothing else differs.
    assert inked[1] - inked[0] > 0.8 * (width * height) * (40 / 96) ** 2
