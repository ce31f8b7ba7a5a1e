"""The pieces every sync's pages go through (sync/pages.py): ``ahead``, which fetches the next page
while the last is consumed, and ``text_table``, which turns JSON records into the text columns a CSV
export gives; and ACLED's cursor, read from those columns (sync/acled.py ``_newest``)."""

from __future__ import annotations

import threading
import time

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peacewatch.sync.acled import _newest
from peacewatch.sync.pages import _text, ahead, text_table


class Source:
    """An iterator of pages that records how many were started and whether it was closed, and in
    which thread."""

    def __init__(self, n: int, fail_at: int | None = None, delay: float = 0.0):
        self.n, self.fail_at, self.delay = n, fail_at, delay
        self.started = 0
        self.closed_in: str | None = None

    def __iter__(self):
        return self.pages()

    def pages(self):
        try:
            for i in range(self.n):
                self.started += 1
                if self.delay:
                    time.sleep(self.delay)
                if i == self.fail_at:
                    raise ValueError(f"page {i} is malformed")
                yield i
        finally:
            self.closed_in = threading.current_thread().name


def test_ahead_gives_every_item_in_order():
    assert list(ahead(iter(Source(7)))) == list(range(7))
    assert list(ahead(iter(Source(0)))) == []


def test_ahead_raises_the_sources_error_at_the_item_it_would_have_been():
    got = []
    with pytest.raises(ValueError, match="page 3 is malformed"):
        for item in ahead(iter(Source(10, fail_at=3))):
            got.append(item)
    assert got == [0, 1, 2]


def test_ahead_never_runs_more_than_one_item_ahead_of_the_consumer():
    source = Source(20)
    for consumed, _ in enumerate(ahead(iter(source)), start=1):
        time.sleep(0.02)  # the worker has time to run ahead if it would
        assert source.started <= consumed + 1


def test_ahead_overlaps_the_sources_waiting_with_the_consumers_work():
    source = Source(6, delay=0.1)
    started = time.perf_counter()
    for _ in ahead(iter(source)):
        time.sleep(0.1)  # the consumer's work: the next item is fetched meanwhile
    # in turn it would take 1.2 s; one ahead, about 0.7 s
    assert time.perf_counter() - started < 1.05


def test_a_consumer_that_stops_early_stops_the_worker_and_closes_the_source_there():
    source = Source(100)
    pages = ahead(iter(source))
    assert next(pages) == 0
    pages.close()
    for _ in range(200):
        if source.closed_in is not None:
            break
        time.sleep(0.01)
    assert source.closed_in == "peacewatch-sync-ahead"
    assert source.started <= 2


def _reference(records, columns):
    """What text_table gave before it read records as Arrow structs: a column at a time in Python."""
    return {
        c: [None if r.get(c) is None or _text(r[c]) == "" else _text(r[c]) for r in records] for c in columns
    }


values = st.one_of(
    st.none(),
    st.text(max_size=8),
    st.just(""),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
)
records = st.lists(
    st.dictionaries(st.sampled_from(["a", "b", "c", "extra"]), values, max_size=4), max_size=12
)


@settings(max_examples=200, deadline=None)
@given(records, st.booleans())
def test_text_table_gives_the_text_a_csv_export_holds(recs, text_only):
    if text_only:  # the usual case (ACLED's answers): every value text or null
        recs = [{k: v for k, v in r.items() if v is None or isinstance(v, str)} for r in recs]
    columns = ["a", "b", "c"]
    table = text_table(recs, columns)
    assert table.schema == pa.schema([(c, pa.string()) for c in columns])
    assert table.to_pydict() == _reference(recs, columns)


def _newest_in_python(stamps) -> int:
    """The cursor's newest timestamp as sync/acled.py computed it record by record."""
    newest = 0
    for v in stamps:
        ts = str(v or "").split(".")[0]
        if ts.isascii() and ts.isdigit():
            newest = max(newest, int(ts))
    return newest


stamps = st.lists(
    st.one_of(
        st.none(),
        st.integers(0, 2_000_000_000).map(str),
        st.builds(lambda a, b: f"{a}.{b}", st.integers(0, 2_000_000_000), st.integers(0, 999)),
        st.text(alphabet="0123456789.x -", max_size=12),
    ),
    max_size=20,
)


@settings(max_examples=300, deadline=None)
@given(stamps)
def test_the_newest_timestamp_is_read_from_the_text_column_as_from_each_record(values):
    column = text_table([{"timestamp": v} for v in values], ["timestamp"]).column("timestamp")
    assert _newest(column) == _newest_in_python(values)
