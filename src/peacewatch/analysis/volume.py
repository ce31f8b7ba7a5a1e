"""Counts of news-derived records relative to the total volume of news coverage.

GDELT records follow how much the news covers a place as well as what happens there, and the volume of
GDELT as a whole has changed many-fold since 1979 and varies by day of the week. GDELT publishes the
total number of records it coded each day (its normalisation file, ``normfiles/day.csv``: lines
``YYYYMMDD,count``); dividing a series by that total turns "records about Armenia" into "records about
Armenia per 1,000 records about anywhere", which compares across periods of different coverage.
peacewatch does not fetch the file: the user supplies it (``series --per-coverage FILE``), and the
result names the file and its sha256.

>>> import datetime as dt
>>> totals = {dt.date(2020, 11, 13): 200_000.0}
>>> rows = [(dt.date(2020, 11, 13), 66.0)]
>>> per_total(rows, totals, "day", per=1000)
[(datetime.date(2020, 11, 13), 0.33)]
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
from pathlib import Path

from peacewatch.errors import PeacewatchError
from peacewatch.indicators.calendar import By, next_period

PER = 1000


def read_totals(path: str | Path) -> dict[dt.date, float]:
    """Total records per day from a CSV of ``date,total`` (a header row is allowed; dates as YYYYMMDD,
    as GDELT writes them, or YYYY-MM-DD). A row that cannot be read stops with its file and line."""
    path = Path(path)
    if not path.is_file():
        raise PeacewatchError(f"--per-coverage {path}: no such file.")
    totals: dict[dt.date, float] = {}
    with path.open(newline="", encoding="utf-8") as fh:
        for line_no, row in enumerate(csv.reader(fh), start=1):
            if not row or not "".join(row).strip():
                continue
            day = _day(row[0])
            if day is None and line_no == 1:
                continue  # a header
            try:
                total = float(row[1])
            except (IndexError, ValueError):
                total = float("nan")
            if day is None or not total > 0:
                raise PeacewatchError(
                    f"{path}:{line_no}: expected a date (YYYYMMDD or YYYY-MM-DD) and a positive total of "
                    f"records, found {','.join(row)!r}."
                )
            totals[day] = totals.get(day, 0.0) + total
    if not totals:
        raise PeacewatchError(f"{path}: expected rows of date,total; found none.")
    return totals


def _day(text: str) -> dt.date | None:
    text = text.strip()
    for fmt in ("%Y%m%d", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def per_total(
    points: list[tuple[dt.date, float]], totals: dict[dt.date, float], by: By, *, per: int = PER
) -> list[tuple[dt.date, float]]:
    """Each period's value per ``per`` records of total coverage in the same period. Every day of a
    period must have a total: a missing day would inflate the rate, so it stops instead."""
    out = []
    for start, value in points:
        days = [start + dt.timedelta(days=i) for i in range((next_period(start, by) - start).days)]
        missing = [d for d in days if d not in totals]
        if missing:
            raise PeacewatchError(
                f"--per-coverage: the totals file has no total for {missing[0]}"
                + (f" and {len(missing) - 1} more day(s)" if len(missing) > 1 else "")
                + f"; every day of the {by} starting {start} needs one.",
                hint="Supply totals for every day of --from..--to (GDELT's normfiles/day.csv has them).",
            )
        out.append((start, round(value * per / sum(totals[d] for d in days), 6)))
    return out


def normalise(result, path: str | Path, *, per: int = PER):
    """A series result divided by total coverage from ``path`` (see :func:`read_totals`), naming the
    file, its sha256 and the unit in ``normalised``."""
    path = Path(path)
    totals = read_totals(path)
    points = per_total(result.points, totals, result.by, per=per)
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    return dataclasses.replace(
        result,
        points=points,
        command=f"{result.command} --per-coverage {path}",
        normalised={
            "per": per,
            "unit": f"{result.measure} per {per:,} records of all coverage",
            "file": str(path),
            "sha256": sha,
        },
    )
