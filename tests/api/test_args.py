"""Properties of the front door's arguments: every spelling of a date, a span or a group is the same
filter, and a reversed span or period is refused naming the argument."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from peacewatch.api.args import date_arg, filters_from, span_arg
from peacewatch.errors import ArgumentError

days = st.dates(min_value=dt.date(1989, 1, 1), max_value=dt.date(2030, 12, 31))
keys = st.lists(st.from_regex(r"[a-z][a-z_]{1,12}", fullmatch=True), min_size=1, max_size=4, unique=True)


@given(days)
def test_a_day_as_text_date_datetime_or_timestamp_is_the_same_day(day):
    stamp = pd.Timestamp(day) + pd.Timedelta(hours=13)
    midday = dt.datetime.combine(day, dt.time(12))
    assert date_arg(day.isoformat(), "start") == date_arg(day, "start") == day
    assert date_arg(stamp, "start") == date_arg(midday, "start") == day


@given(days, days)
def test_a_span_as_text_or_pair_is_the_same_span_and_reversed_spans_are_refused(a, b):
    first, last = min(a, b), max(a, b)
    text = span_arg(f"{first}:{last}", "window")
    assert text == span_arg((first, pd.Timestamp(last)), "window")
    assert text.days == (last - first).days + 1
    if first < last:
        with pytest.raises(ArgumentError, match=r"^window="):
            span_arg((last, first), "window")


@given(keys, days, days)
def test_groups_as_lists_or_plus_strings_and_dates_in_any_form_give_equal_filters(group, a, b):
    start, end = min(a, b), max(a, b)
    listed = filters_from({"actor": group, "start": start, "end": pd.Timestamp(end)})
    joined = filters_from({"actor": "+".join(group), "start": start.isoformat(), "end": end.isoformat()})
    assert listed == joined
    assert listed.cli_args().startswith(f"--actor {'+'.join(group)} --from {start}")
    if start < end:
        with pytest.raises(ArgumentError, match=rf"^start={end} is after end={start}"):
            filters_from({"start": end, "end": start})
