"""Compiled SQL kept per shape (store/compiled.py): the SQL a template gives is, character for
character, the SQL Ibis compiles for the same expression; shapes a template cannot describe are
compiled every time. And the latest snapshot read from a local store's catalog directly (lake.CatalogPeek)
is the one DuckDB reads."""

from __future__ import annotations

import datetime as dt

import ibis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peacewatch import analysis
from peacewatch.analysis.select import selection
from peacewatch.indicators.calendar import Span
from peacewatch.indicators.filters import Filters
from peacewatch.indicators.series import event_counts, imprecise_counts
from peacewatch.store import lake
from peacewatch.store.compiled import Template, Templates, shape

BATTLES = Filters(country="Afghanistan", types=("battle",))
SYRIA = "ucdp_ged_syria_2016_2019/ucdp_ged_syria_2016-01-01_2019-11-30.csv.gz"
AFGHANISTAN = "acled_afghanistan_events_reduced/acled_afghanistan_2017-01-01_2026-03-13_reduced.csv.gz"


def _series_expr(store, start: dt.date, end: dt.date):
    _, sel = selection(BATTLES.replace(date_from=start, date_to=end), store.pinned())
    return event_counts(sel.expr, "day")


def _imprecise_expr(store, spans: tuple[Span, ...]):
    _, sel = selection(BATTLES, store.pinned())
    return imprecise_counts(sel.expr, "day", spans=spans)


days = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 12, 31))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(a=days, b=days, c=days, d=days)
def test_a_template_gives_the_sql_ibis_compiles_for_any_dates(afghan_store, a, b, c, d):
    templates = Templates()
    backend = afghan_store.pinned().ibis()
    first = _imprecise_expr(afghan_store, (Span(dt.date(2020, 2, 1), dt.date(2020, 2, 21)),))
    assert templates.sql(backend, first) == backend.compile(first)
    for expr in (
        _series_expr(afghan_store, min(a, b), max(a, b)),
        _imprecise_expr(afghan_store, (Span(min(a, b), max(a, b)), Span(min(c, d), max(c, d)))),
    ):
        assert templates.sql(backend, expr) == backend.compile(expr)


def test_the_same_question_with_other_dates_is_not_compiled_again(afghan_store):
    templates = Templates()
    backend = afghan_store.pinned().ibis()
    for end in (dt.date(2020, 3, 1), dt.date(2020, 3, 2), dt.date(2020, 6, 30)):
        templates.sql(backend, _series_expr(afghan_store, dt.date(2020, 1, 1), end))
    assert (templates.misses, templates.hits) == (1, 2)


def test_a_series_reads_the_same_through_templates_as_compiled_afresh(afghan_store):
    from peacewatch.store.compiled import TEMPLATES

    f = BATTLES.replace(date_from=dt.date(2020, 2, 1), date_to=dt.date(2020, 2, 29))
    TEMPLATES.clear()
    fresh = analysis.series(f, store=afghan_store).to_dict()
    kept = analysis.series(f, store=afghan_store).to_dict()
    moved = analysis.series(f.replace(date_to=dt.date(2020, 3, 31)), store=afghan_store).to_dict()
    assert fresh == kept
    assert moved["points"][:29] == fresh["points"] and len(moved["points"]) == 60
    assert [p["value"] for p in fresh["points"]][21:] == [6, 2, 5, 1, 4, 0, 1, 2]


def test_one_date_written_twice_is_filled_in_both_places(afghan_store):
    templates = Templates()
    backend = afghan_store.pinned().ibis()
    for day in (dt.date(2020, 2, 22), dt.date(2020, 3, 5)):
        expr = _series_expr(afghan_store, day, day)  # from = to: one literal, two comparisons
        assert templates.sql(backend, expr) == backend.compile(expr)
    assert templates.hits == 1


def test_a_date_also_written_by_another_part_of_the_query_is_not_templated(afghan_store):
    # ibis.date(2020, 2, 22) of integers is written MAKE_DATE(2020, 2, 22), as the literal of that day
    # is: a template would move both; the check against a second compilation refuses it.
    templates = Templates()
    backend = afghan_store.pinned().ibis()
    t = backend.table("events")
    for start in (dt.date(2020, 2, 22), dt.date(2020, 2, 22)):
        expr = t.filter(t.date_start >= start, t.date_end <= ibis.date(2020, 2, 22)).count().as_table()
        assert templates.sql(backend, expr) == backend.compile(expr)
    assert templates.hits == 1  # the shape was seen again, and compiled again
    _key, dates = shape(expr.op())
    assert dates == [dt.date(2020, 2, 22)]
    assert Template.of(backend.compile(expr), dates).fill([dt.date(2020, 2, 23)]) != backend.compile(
        t.filter(t.date_start >= dt.date(2020, 2, 23), t.date_end <= ibis.date(2020, 2, 22))
        .count()
        .as_table()
    )


def test_an_expression_with_an_in_memory_table_is_left_to_ibis(afghan_store):
    backend = afghan_store.pinned().ibis()
    mem = ibis.memtable({"day": [dt.date(2020, 1, 1)]})
    assert shape(mem.op()) is None
    assert Templates().sql(backend, mem) is None


def test_the_catalog_peek_reads_the_snapshot_duckdb_reads_and_sees_a_later_commit(tmp_path, data_file):
    from peacewatch.store import Store

    store = Store(tmp_path / "store")
    store.ingest([data_file(SYRIA)])
    peek = lake.CatalogPeek(store.location.catalog_path)
    with store.raw() as con:
        assert peek.latest() == lake.latest_snapshot(con) == 1
    store.ingest([data_file(AFGHANISTAN)])  # another writer's connection, closed after its commit
    assert peek.latest() == 2
    assert lake.CatalogPeek(tmp_path / "no store" / "catalog.sqlite").latest() is None  # ask DuckDB


def test_an_unpinned_store_reads_the_snapshot_committed_since_its_last_read(tmp_path, data_file):
    from peacewatch.store import Store

    writer, reader = Store(tmp_path / "store"), Store(tmp_path / "store")
    writer.ingest([data_file(SYRIA)])
    assert reader.snapshot == 1
    writer.ingest([data_file(AFGHANISTAN)])
    assert reader.snapshot == 2 and reader.pinned().snapshot == 2
