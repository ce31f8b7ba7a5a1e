"""GDELT event types come from the CAMEO root code, never from QuadClass, as docs/mapping.md says and
docs/schema.md now says too, checked on the real GDELT 2.0 file of 13 November 2020."""

from __future__ import annotations

import csv
import gzip
from collections import Counter
from pathlib import Path

from peacewatch.store import Store

GDELT2 = "gdelt_samples/gdelt2_events_20201113_relabelled_headers.csv.gz"
DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_quadclass_4_is_not_violence_and_protest_is_read_from_its_root_code(tmp_path, data_file):
    path = data_file(GDELT2)
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    roots = Counter((r["Event_Root_Code"], r["Quad_Class"]) for r in rows)
    material_conflict = sum(n for (root, quad), n in roots.items() if quad == "4")
    not_violence = sum(n for (root, quad), n in roots.items() if quad == "4" and root in ("15", "16", "17"))
    assert (material_conflict, not_violence) == (283, 154)
    assert roots[("14", "3")] == 21  # protest is QuadClass 3 in GDELT's own file

    store = Store(tmp_path / "s.duckdb")
    store.ingest([path])
    types = {
        r["event_type"]: r["n"]
        for r in store.query("SELECT event_type, count(*) AS n FROM events GROUP BY 1").to_pylist()
    }
    violent = types["battle"] + types["explosion_remote_violence"] + types["violence_against_civilians"]
    assert violent == 9 + 116 + 4 == material_conflict - not_violence  # roots 18, 19, 20 only
    assert types["protest"] + types["riot"] == 21
    assert types["other"] == len(rows) - violent - 21


def test_schema_and_mapping_docs_agree_that_quadclass_is_not_used():
    gdelt_row = next(
        line
        for line in (DOCS / "schema.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("| GDELT |")
    )
    assert "`QuadClass` is not used" in gdelt_row and "QuadClass 4 map" not in gdelt_row
    assert "`QuadClass` is not used" in (DOCS / "mapping.md").read_text(encoding="utf-8")
