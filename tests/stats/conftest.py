"""Fixtures of the statistics tests: zero-filled daily ACLED Afghanistan event counts, read by the stdlib."""

from __future__ import annotations

import csv
import gzip

import numpy as np
import pytest

ACLED_AFGHANISTAN = "acled_afghanistan_events_reduced/acled_afghanistan_2017-01-01_2026-03-13_reduced.csv.gz"


class DailyCounts:
    """Events per calendar day, with days without events as 0; sliced by inclusive ISO dates."""

    def __init__(self, dates: np.ndarray, counts: np.ndarray):
        self.dates = dates
        self.counts = counts

    def between(self, first: str, last: str) -> tuple[np.ndarray, np.ndarray]:
        keep = (self.dates >= np.datetime64(first)) & (self.dates <= np.datetime64(last))
        return self.dates[keep], self.counts[keep]

    def counts_between(self, first: str, last: str) -> np.ndarray:
        return self.between(first, last)[1]


@pytest.fixture(scope="session")
def afghanistan_daily(data_file) -> DailyCounts:
    """ACLED Afghanistan events per day, 2017-01-01..2026-03-13. Every row is one event: identical
    rows are distinct events whose distinguishing columns were dropped, so none is de-duplicated."""
    per_day: dict[str, int] = {}
    with gzip.open(data_file(ACLED_AFGHANISTAN), "rt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            per_day[row["event_date"]] = per_day.get(row["event_date"], 0) + 1
    first, last = np.datetime64(min(per_day)), np.datetime64(max(per_day))
    dates = np.arange(first, last + np.timedelta64(1, "D"))
    counts = np.array([per_day.get(str(d), 0) for d in dates], dtype=float)
    return DailyCounts(dates, counts)
