"""The acceptance property of issue 10: whatever bytes or structures a file holds, in whatever container,
every reader either refuses it with a PeacewatchError (the store left as it was) or ingests it with
every row accounted for: rows_read = ingested + quarantined + duplicate. No other exception.

Rows start from the first rows of the real files in ../shared/data, one per reader and layout, with
cells replaced by hostile values; containers are plain, gzip (whole or cut short) and zip.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import resource
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peacewatch.errors import PeacewatchError
from peacewatch.store import Store

# One real file per reader and layout (the first rows are read at test time, never copied here).
REAL = {
    "ucdp": "ucdp_ged_syria_2016_2019/ucdp_ged_syria_2016-01-01_2019-11-30.csv.gz",
    "ucdp_hdx": "ucdp_ged_191_myanmar_bangladesh/hdx_conflict_data_BGD_with_hxl.csv.gz",
    "acled": "acled_global_sample_2022/acled_argentina_2022-06_326_events.csv.gz",
    "acled_reduced": (
        "acled_afghanistan_events_reduced/acled_afghanistan_2017-01-01_2026-03-13_reduced.csv.gz"
    ),
    "acled_weekly": "acled_afghanistan_weekly_aggregates/acled_afghanistan_weekly_2017_2024.csv.gz",
    "gtd": "gtd_2012_2015_subset/gtd_2012_2015_38cols.csv.gz",
    "gdelt2": "gdelt_samples/gdelt2_events_20201113_relabelled_headers.csv.gz",
    "gdelt1": "gdelt_samples/gdelt1_events_raw_sample_20160728.tsv",
}
ROWS = 6

HOSTILE = (
    "NaN",
    "nan",
    "Infinity",
    "-inf",
    "1e309",
    "-1",
    "",
    " ",
    "0001-01-01",
    "9999-12-31",
    "2020-02-30",
    "2020-02-03 junk",
    "2020-02-29T25:61:00",
    "2020-02-29T10:00:00Z",
    '"',
    "'",
    ",",
    "\t",
    "\r\n",
    "=HYPERLINK(1)",
    "\u202e\u0661\u0662",
    "NULL",
    "99999999999999999999999",
    "x" * 300,
)

# Bounded time: a hang (the alias bomb ran for hours) fails the example; the bound is generous because
# the shared machine is loaded, not a speed target. Bounded memory: checked after every example.
SETTINGS = settings(
    max_examples=30,
    deadline=timedelta(seconds=120),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def real_rows(data_file) -> dict[str, tuple[str, list[list[str]]]]:
    """Per reader: the delimiter and the header plus first rows of its real file."""
    out = {}
    for name, rel in REAL.items():
        path = data_file(rel)
        opener = gzip.open if path.suffix == ".gz" else open
        delim = "\t" if rel.endswith(".tsv") else ","
        with opener(path, "rt", encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh, delimiter=delim)
            out[name] = (delim, [row for _, row in zip(range(ROWS + 2), reader, strict=False)])
    return out


def _accounted(store: Store, reports) -> None:
    for r in reports:
        assert r.rows_read == r.rows_ingested + r.rows_quarantined + r.rows_duplicate, r
    for d in store.datasets():
        assert d["rows_read"] == d["rows_ingested"] + d["rows_quarantined"] + d["rows_duplicate"]
        held = store.query("SELECT count(*) AS n FROM quarantine WHERE dataset_id = ?", [d["dataset_id"]])
        assert held.to_pylist()[0]["n"] == d["rows_quarantined"] + d["rows_duplicate"]
        table = "events" if d["table_name"] == "events" else "counts"
        kept = store.query(f"SELECT count(*) AS n FROM {table} WHERE dataset_id = ?", [d["dataset_id"]])
        assert kept.to_pylist()[0]["n"] == d["rows_ingested"]


def _ingest(folder: Path, name: str, data: bytes, mapping: Path | None = None) -> None:
    path = folder / name
    path.write_bytes(data)
    store = Store(folder / "s.duckdb")
    try:
        reports = store.ingest([path], mapping=mapping)
    except PeacewatchError:
        assert not store.path.exists(), "a refused ingest must leave the store as it was"
        return
    _accounted(store, reports)


@pytest.fixture(autouse=True)
def _memory_stays_bounded():
    yield
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert peak_mb < 2500, f"the test process peaked at {peak_mb:,.0f} MB"


def _pack(text: str, container: str, cut: float, stem: str) -> tuple[str, bytes]:
    raw = text.encode("utf-8")
    if container == "gz":
        data = gzip.compress(raw)
        return f"{stem}.csv.gz", data[: max(1, int(len(data) * cut))] if cut < 1 else data
    if container == "zip":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(f"{stem}.csv", raw)
        data = buf.getvalue()
        return f"{stem}.zip", data[: max(1, int(len(data) * cut))] if cut < 1 else data
    return f"{stem}.csv", raw


@SETTINGS
@given(
    data=st.data(),
    reader=st.sampled_from(sorted(REAL)),
    container=st.sampled_from(["plain", "gz", "zip"]),
    cut=st.sampled_from([1.0, 1.0, 0.9, 0.5]),
)
def test_every_reader_refuses_or_accounts_for_hostile_rows(
    tmp_path_factory, real_rows, data, reader, container, cut
):
    delim, rows = real_rows[reader]
    rows = [list(r) for r in rows]
    for _ in range(data.draw(st.integers(0, 12), label="edits")):
        i = data.draw(st.integers(0, len(rows) - 1), label="row")
        if not rows[i]:
            continue
        j = data.draw(st.integers(0, len(rows[i]) - 1), label="column")
        rows[i][j] = data.draw(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=20)), label="value")
    if data.draw(st.booleans(), label="ragged"):
        rows[-1] = rows[-1][: data.draw(st.integers(0, len(rows[-1])), label="keep")]
    out = io.StringIO()
    csv.writer(out, delimiter=delim, lineterminator="\n").writerows(rows)
    name, payload = _pack(out.getvalue(), container, cut, f"hostile_{reader}")
    if delim == "\t":
        name = name.replace(".csv", ".tsv")
    _ingest(tmp_path_factory.mktemp("hostile"), name, payload)


@SETTINGS
@given(
    data=st.binary(max_size=3000),
    suffix=st.sampled_from([".csv", ".tsv", ".json", ".geojson", ".csv.gz", ".zip", ".xlsx"]),
)
def test_arbitrary_bytes_are_refused_or_accounted_for(tmp_path_factory, data, suffix):
    _ingest(tmp_path_factory.mktemp("bytes"), f"ged_bytes{suffix}", data)


json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.sampled_from(HOSTILE),
        st.text(max_size=10),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=30,
)
ged_record = st.fixed_dictionaries(
    {
        "id": st.one_of(st.integers(), st.sampled_from(HOSTILE)),
        "date_start": st.one_of(st.dates().map(str), st.sampled_from(HOSTILE), json_values),
        "type_of_violence": st.one_of(st.sampled_from([1, 2, 3, "1", 4]), json_values),
        "best": st.one_of(st.integers(-5, 10**6), st.floats(), st.sampled_from(HOSTILE)),
    },
    optional={"side_a": json_values, "side_b": st.text(max_size=10), "latitude": st.floats()},
)
documents = st.one_of(
    st.lists(st.one_of(ged_record, json_values), max_size=8),
    st.fixed_dictionaries({"Result": st.lists(st.one_of(ged_record, json_values), max_size=8)}),
    st.fixed_dictionaries(
        {
            "type": st.just("FeatureCollection"),
            "features": st.one_of(
                st.lists(
                    st.one_of(
                        st.fixed_dictionaries(
                            {"type": st.just("Feature"), "properties": ged_record, "geometry": json_values}
                        ),
                        json_values,
                    ),
                    max_size=6,
                ),
                json_values,
            ),
        }
    ),
    json_values,
)


@SETTINGS
@given(doc=documents, suffix=st.sampled_from([".json", ".geojson"]), depth=st.sampled_from([0, 0, 100_000]))
def test_json_and_geojson_structures_are_refused_or_accounted_for(tmp_path_factory, doc, suffix, depth):
    # json.dumps writes NaN and Infinity, which Python's parser reads back: hostile numbers too.
    text = json.dumps(doc)
    if depth:  # nesting as deep as a hostile file makes it
        text = "[" * depth + text + "]" * depth
    _ingest(tmp_path_factory.mktemp("json"), f"ged{suffix}", text.encode("utf-8"))


@settings(SETTINGS, max_examples=15)
@given(data=st.data(), container=st.sampled_from(["plain", "gz"]))
def test_the_mapped_reader_refuses_or_accounts_for_hostile_rows(tmp_path_factory, test_data, data, container):
    with open(test_data / "mapped_incidents.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    for _ in range(data.draw(st.integers(1, 10), label="edits")):
        i = data.draw(st.integers(1, len(rows) - 1), label="row")
        j = data.draw(st.integers(0, len(rows[i]) - 1), label="column")
        rows[i][j] = data.draw(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=20)), label="value")
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    name, payload = _pack(out.getvalue(), container, 1.0, "incidents")
    _ingest(tmp_path_factory.mktemp("mapped"), name, payload, mapping=test_data / "mapped_incidents.yaml")
