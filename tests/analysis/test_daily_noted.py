"""The daily values and the imprecise-dates note of one scan (analysis.series.daily_noted) against the
two queries they replace (daily, then imprecise), on real data: UCDP GED Syria 2016-2019, where
thousands of events are dated only to a month or a year."""

from __future__ import annotations

import datetime as dt

import pytest

from peacewatch.analysis.series import daily, daily_noted, imprecise, selection_over
from peacewatch.indicators.calendar import Span, preceding, same_window_previous_years
from peacewatch.indicators.filters import Filters

WINDOWS = [Span(dt.date(2018, 2, 27), dt.date(2018, 3, 25)), Span(dt.date(2019, 1, 1), dt.date(2019, 1, 31))]


@pytest.mark.parametrize("window", WINDOWS, ids=str)
@pytest.mark.parametrize("measure, estimate", [("events", "best"), ("fatalities", "high")])
def test_one_scan_gives_the_values_and_note_of_the_two_queries_even_with_gaps_between_spans(
    syria_store, window, measure, estimate
):
    f = Filters(dyad=("syrian_government", "syrian_insurgents"))
    # The same window in the two previous years leaves months between the spans, whose events the
    # note must not count; the preceding days leave none.
    for baseline in ((preceding(window, 28),), tuple(same_window_previous_years(window, 2))):
        full = Span(min(b.start for b in (window, *baseline)), max(b.end for b in (window, *baseline)))
        sel = selection_over(syria_store, f, full)
        dates, values, _ = daily(f, full, measure=measure, estimate=estimate, store=syria_store, sel=sel)
        spans = (window, *baseline)
        note = imprecise(
            syria_store, sel, "day", estimate=estimate, spans=spans, subject="the events compared"
        )
        got = daily_noted(
            f,
            full,
            spans=spans,
            subject="the events compared",
            measure=measure,
            estimate=estimate,
            store=syria_store,
            sel=sel,
        )
        assert (got[0] == dates).all() and (got[1] == values).all()
        assert note is not None and got[3] == note
        assert type(got[3]["fatalities"]) is type(note["fatalities"])


def test_no_note_when_every_event_compared_is_dated_to_the_day(syria_store):
    f = Filters(dyad=("syrian_government", "syrian_insurgents"), precision="day")
    full = Span(dt.date(2018, 1, 1), dt.date(2018, 3, 31))
    got = daily_noted(f, full, spans=(full,), subject="the events compared", store=syria_store)
    assert got[3] is None and got[1].sum() > 0
