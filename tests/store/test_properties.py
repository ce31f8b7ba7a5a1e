"""Property tests: whatever bytes or malformed rows a file holds, ingest either refuses the file with a
PeacewatchError (leaving the store as it was) or accounts for every row."""

from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peacewatch.errors import PeacewatchError
from peacewatch.store import Store

HEADER = (
    "event_id_cnty,event_date,year,event_type,sub_event_type,actor1,actor2,country,admin1,"
    "latitude,longitude,fatalities"
)
N_FIELDS = HEADER.count(",") + 1

# Text without quotes or line breaks, so that one line is one row; commas are allowed and produce
# rows with the wrong number of fields.
cell = st.text(alphabet=string.ascii_letters + string.digits + " -/.,:;()", max_size=12)
good_row = st.tuples(
    st.integers(0, 10_000).map(lambda i: f"AFG{i}"),
    st.dates().map(lambda d: d.isoformat()),
    st.just("2020"),
    st.sampled_from(["Battles", "Riots", "Protests", "Explosions/Remote violence", "Unknown type"]),
    cell,
    cell,
    cell,
    st.sampled_from(["Afghanistan", "Syria", "", "Atlantis"]),
    cell,
    st.one_of(st.floats(-100, 100, allow_nan=False).map(str), cell),
    st.one_of(st.floats(-200, 200, allow_nan=False).map(str), cell),
    st.one_of(st.integers(-5, 500).map(str), cell),
).map(",".join)
any_row = st.one_of(good_row, st.lists(cell, min_size=0, max_size=N_FIELDS + 3).map(",".join))

SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _reconciles(store: Store) -> None:
    for d in store.datasets():
        assert d["rows_read"] == d["rows_ingested"] + d["rows_quarantined"] + d["rows_duplicate"]
        held = store.query("SELECT count(*) AS n FROM quarantine WHERE dataset_id = ?", [d["dataset_id"]])
        assert held.to_pylist()[0]["n"] == d["rows_quarantined"] + d["rows_duplicate"]


@SETTINGS
@given(rows=st.lists(any_row, min_size=1, max_size=40))
def test_malformed_rows_are_all_accounted_for(tmp_path_factory, rows):
    folder = tmp_path_factory.mktemp("prop")
    path = folder / "acled_rows.csv"
    # Blank lines are not rows for any CSV reader; keep only lines with content.
    rows = [r for r in rows if r.strip()] or ["AFG1,2020-01-01,2020,Battles,,,,Afghanistan,,,,1"]
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    store = Store(folder / "s.duckdb")
    report = store.ingest([path])[0]
    assert report.rows_read == len(rows)
    _reconciles(store)


@SETTINGS
@given(data=st.binary(max_size=2_000))
def test_arbitrary_bytes_raise_only_peacewatch_errors_and_leave_the_store_alone(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("bytes")
    path = folder / "anything.csv"
    path.write_bytes(data)
    store = Store(folder / "s.duckdb")
    try:
        store.ingest([path])
    except PeacewatchError:
        assert not store.exists()
        return
    _reconciles(store)
