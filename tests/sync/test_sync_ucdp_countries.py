"""The Gleditsch-Ward numbers `sync ucdp --country` sends to UCDP, held to the real GED files: every
(country, country_id) pair they hold must be what the table gives for that country's name."""

from __future__ import annotations

import duckdb
import pytest

from peacewatch.sync.ucdp_countries import gw_code

GED_CSV = [
    "ucdp_ged_231_global_sample/ucdp_ged_231_sample_1000.csv.gz",
    "ucdp_ged_231_central_african_republic",
    "ucdp_ged_myanmar_1989_2023",
    "ucdp_ged_syria_2016_2019",
]


def _pairs(data_dir) -> set[tuple[str, int]]:
    con = duckdb.connect()
    pairs: set[tuple[str, int]] = set()
    for name in GED_CSV:
        path = data_dir / name
        files = [path] if path.is_file() else sorted(path.glob("*.csv*"))
        for f in files:
            columns = [d[0] for d in con.execute(f"SELECT * FROM read_csv('{f}') LIMIT 0").description]
            if {"country", "country_id"} <= set(columns):
                sql = f"SELECT DISTINCT country, CAST(country_id AS INT) FROM read_csv('{f}') "
                sql += "WHERE country_id IS NOT NULL"
                pairs |= set(con.execute(sql).fetchall())
    return pairs


def test_every_state_number_in_the_real_ged_files_is_the_one_the_table_gives_for_its_country(data_dir):
    pairs = _pairs(data_dir)
    assert len(pairs) >= 50  # the global sample alone names over fifty states
    assert [(c, n, gw_code(c)) for c, n in sorted(pairs) if gw_code(c) != n] == []


@pytest.mark.parametrize(("given", "number"), [("Serbia", 345), ("SRB", 345), ("Kosovo", 347), ("700", 700)])
def test_names_codes_and_numbers_resolve_to_ucdps_state_numbers(given, number):
    assert gw_code(given) == number
