"""Real actor names from the shared data, read once per session with the stdlib csv module."""

from __future__ import annotations

import csv
import gzip

import pytest

from peacewatch.gazetteer import iso3_for

SYRIA = "ucdp_ged_syria_2016_2019/ucdp_ged_syria_2016-01-01_2019-11-30.csv.gz"
MYANMAR = "ucdp_ged_myanmar_1989_2023/ucdp_ged_myanmar_1989_2023.csv.gz"
GED191 = "ucdp_ged_191_myanmar_bangladesh/ged191_myanmar_bangladesh_subset.csv.gz"
SAMPLE231 = "ucdp_ged_231_global_sample/ucdp_ged_231_sample_1000.csv.gz"
ACLED2022 = "acled_global_sample_2022/acled_sample_2022-01_2022-06_9000_events.csv.gz"
GTD = "gtd_2012_2015_subset/gtd_2012_2015_38cols.csv.gz"


def read_rows(path) -> list[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="session")
def rows(data_file):
    """Rows of a gzipped CSV in the shared data, cached for the session."""
    cache: dict[str, list[dict[str, str]]] = {}

    def get(relative: str) -> list[dict[str, str]]:
        if relative not in cache:
            cache[relative] = read_rows(data_file(relative))
        return cache[relative]

    return get


@pytest.fixture(scope="session")
def real_actor_names(rows) -> set[tuple[str, str | None]]:
    """Distinct (actor name, iso3) pairs of the UCDP, ACLED and GTD files, as an ingest would see them."""
    pairs: set[tuple[str, str | None]] = set()
    for relative in (SYRIA, MYANMAR, GED191, SAMPLE231):
        for r in rows(relative):
            iso3 = iso3_for(r["country"])
            pairs.update({(r["side_a"], iso3), (r["side_b"], iso3)})
    for r in rows(ACLED2022):
        iso3 = iso3_for(r["country"])
        pairs.update((r[c], iso3) for c in ("actor1", "actor2", "assoc_actor_1", "assoc_actor_2"))
    for r in rows(GTD):
        pairs.add((r["gname"], iso3_for(r["country_txt"])))
    return pairs
