"""The catalog side of an ingest: which dataset a file is a release of, newer-release-wins between
datasets that share event ids, and the dataset's catalog and release rows.

A file is a new release of dataset D when the user says so (``--release-of D``), or when it reads with
the same source and reader as D, D carries source event ids, and at least ``RELEASE_OVERLAP`` of D's
current event ids are in the file. A release is applied to D as a change set (store/ingest.py); any
other file is a new dataset.
"""

from __future__ import annotations

from datetime import date

from peacewatch.errors import IngestError
from peacewatch.sources.base import ReadPlan, quote_literal

# The share of a dataset's current event ids a file must carry to be taken as its new release.
RELEASE_OVERLAP = 0.9


def _version_key(version: str | None) -> tuple:
    digits = [int(p) for p in "".join(ch if ch.isdigit() else " " for ch in (version or "")).split()]
    return tuple(digits)


def release_target(con, plan: ReadPlan, asked: str | None) -> tuple[str | None, str | None]:
    """The dataset this file is a new release of (or None), and a sentence saying why, for the report.
    Reads the staged rows (temp.scan_typed)."""
    if asked is not None:
        row = (
            con.execute("SELECT table_name, source FROM datasets WHERE dataset_id = ?", [asked]).fetchone()
            if _has(con, "datasets")
            else None
        )
        if row is None:
            known = (
                [r[0] for r in con.execute("SELECT dataset_id FROM datasets ORDER BY 1").fetchall()]
                if _has(con, "datasets")
                else []
            )
            raise IngestError(
                f"--release-of {asked}: no such dataset in the store"
                + (f" (it holds: {', '.join(known)})." if known else " (it holds none)."),
                hint="Give a dataset_id of `peacewatch datasets`, or leave --release-of out to add a "
                "new dataset.",
            )
        if row[0] != plan.table:
            raise IngestError(
                f"--release-of {asked}: that dataset holds {row[0]}, this file {plan.table}.",
                hint="A release must hold the same kind of rows; leave --release-of out to add a new "
                "dataset.",
            )
        return asked, f"applied as a new release of dataset {asked} (--release-of)"
    if plan.table != "events" or not plan.source_id or not _has(con, "datasets"):
        return None, None
    candidates = [
        r[0]
        for r in con.execute(
            "SELECT dataset_id FROM datasets WHERE source = ? AND reader = ? AND table_name = 'events' "
            "AND NOT list_contains(fields_missing, 'source_event_id')",
            [plan.source, plan.reader],
        ).fetchall()
    ]
    if not candidates:
        return None, None
    prefix = quote_literal(plan.source + ":")
    overlaps = con.execute(
        f"""
        SELECT e.dataset_id, count(*) AS n,
               count(*) FILTER (WHERE e.event_id IN (
                   SELECT {prefix} || __source_id FROM temp.scan_typed
                   WHERE __bad IS NULL AND __source_id IS NOT NULL)) AS shared
        FROM events e WHERE e.dataset_id IN (SELECT unnest(?::VARCHAR[]))
        GROUP BY e.dataset_id ORDER BY shared DESC, e.dataset_id""",
        [candidates],
    ).fetchall()
    for dataset, n, shared in overlaps:
        if n and shared / n >= RELEASE_OVERLAP:
            return dataset, (
                f"applied as a new release of dataset {dataset}: the file carries {shared:,} of its "
                f"{n:,} current event ids ({shared / n:.1%}; {RELEASE_OVERLAP:.0%} or more makes a release)"
            )
    return None, None


def _has(con, table: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = 'main' AND table_name = ?",
            [table],
        ).fetchone()[0]
    )


def supersede(con, dataset_id: str, plan: ReadPlan) -> tuple[int, int, tuple[str, ...]]:
    """Newer release wins between datasets that share event ids: the older dataset's rows with those
    ids leave the current state (they stay readable at earlier snapshots). Only overlapping rows are
    touched.

    The new dataset is the newer release unless both carry versions and its version is lower (an
    older release ingested late). Returns the rows of other datasets this ingest superseded, the rows
    of this dataset superseded by others, and one sentence per dataset involved for the report.
    """
    # Event ids begin with their source, so only datasets of the same source can share them; with none
    # in the store (the usual first ingest) there is nothing to compare, and no self-join of the events.
    others = con.execute(
        "SELECT count(*) FROM datasets WHERE source = ? AND dataset_id <> ? AND table_name = 'events'",
        [plan.source, dataset_id],
    ).fetchone()[0]
    if not others:
        return 0, 0, ()
    overlaps = con.execute(
        """
        SELECT o.dataset_id, d.version, count(*) FROM events n
        JOIN events o ON o.event_id = n.event_id AND o.dataset_id <> n.dataset_id AND o.source = n.source
        JOIN datasets d ON d.dataset_id = o.dataset_id
        WHERE n.dataset_id = ? GROUP BY ALL ORDER BY 1""",
        [dataset_id],
    ).fetchall()
    superseded = own = 0
    said: list[str] = []
    for other, other_version, n in overlaps:
        older_release = (
            plan.version and other_version and _version_key(plan.version) < _version_key(other_version)
        )
        loser, winner = (dataset_id, other) if older_release else (other, dataset_id)
        con.execute(
            "DELETE FROM events WHERE dataset_id = ? AND event_id IN "
            "(SELECT event_id FROM events WHERE dataset_id = ?)",
            [loser, winner],
        )
        if loser == other:
            superseded += n
            con.execute(
                "UPDATE datasets SET rows_superseded = rows_superseded + ? WHERE dataset_id = ?", [n, other]
            )
            said.append(
                f"superseded {n:,} rows of dataset {other} ({other_version or 'version unknown'}): they "
                "share event ids with this file, which is taken as the newer release"
            )
        else:
            own += n
            said.append(
                f"{n:,} rows of this file are superseded by dataset {other} ({other_version}), a newer "
                "release already in the store"
            )
    return superseded, own, tuple(said)


# A dataset's first date, last date and sorted countries (iso3, else the source's name), as its
# catalog row holds them.
Coverage = tuple[date | None, date | None, list[str]]


def coverage_after(con, dataset_id: str, staged: str) -> Coverage | None:
    """The coverage of events dataset ``dataset_id`` once the upsert in ``temp.change_set`` is applied
    (store/ingest.py: _upserts, before its delete), from its catalog row and the change set alone, or
    None when that cannot be exact and the dataset must be scanned.

    At ten million events the scan costs 0.4-0.7 s of a sync's few seconds. The catalog row is the
    dataset's coverage as its last release or sync left it, unless rows of it were superseded since
    (they leave without the row being rewritten), so a dataset with superseded rows is scanned. A
    first date is kept unless a removed row (deleted or replaced) held it and no added row reaches
    it; likewise the last date; a country is dropped only by a scan (a removed row's country that
    no added row has may or may not still have events).
    """
    row = con.execute(
        f"""
        WITH a AS (SELECT date_start, date_end, coalesce(iso3, country) AS k FROM temp.{staged}
                   WHERE event_id IN
                       (SELECT event_id FROM temp.change_set WHERE change IN ('added', 'updated'))),
             r AS (SELECT date_start, date_end, coalesce(iso3, country) AS k FROM temp.touched
                   WHERE __rowid IN
                       (SELECT __rowid FROM temp.change_set WHERE change IN ('deleted', 'updated')))
        SELECT d.date_min, d.date_max, d.countries, d.rows_superseded,
               (SELECT min(date_start) FROM a), (SELECT max(date_end) FROM a),
               (SELECT list(DISTINCT k) FILTER (WHERE k IS NOT NULL) FROM a),
               (SELECT count(*) FROM r WHERE date_start = d.date_min),
               (SELECT count(*) FROM r WHERE date_end = d.date_max),
               (SELECT list(DISTINCT k) FILTER (WHERE k IS NOT NULL) FROM r)
        FROM datasets d WHERE d.dataset_id = {quote_literal(dataset_id)}"""
    ).fetchone()
    if row is None:
        return None
    old_min, old_max, old_keys, superseded, add_min, add_max, add_keys, at_min, at_max, gone_keys = row
    if superseded or set(gone_keys or ()) - set(add_keys or ()):
        return None
    if at_min and (add_min is None or add_min > old_min):
        return None
    if at_max and (add_max is None or add_max < old_max):
        return None
    first = min((d for d in (old_min if not at_min else None, add_min) if d is not None), default=None)
    last = max((d for d in (old_max if not at_max else None, add_max) if d is not None), default=None)
    return first, last, sorted(set(old_keys or ()) | set(add_keys or ()))


def scanned_coverage(con, table: str, dataset_id: str) -> Coverage:
    """The coverage of dataset ``dataset_id`` of ``table`` (events or counts), read from the table."""
    lo, hi = ("date_start", "date_end") if table == "events" else ("period_start", "period_end")
    return con.execute(
        f"SELECT min({lo}), max({hi}), list_sort(list(DISTINCT coalesce(iso3, country)) "
        f"FILTER (WHERE coalesce(iso3, country) IS NOT NULL)) FROM {table} WHERE dataset_id = ?",
        [dataset_id],
    ).fetchone()


def recount(con, dataset_id: str, coverage: Coverage | None = None) -> None:
    """After an upsert of events dataset ``dataset_id``: its catalog row's ``rows_ingested`` becomes
    the dataset's current number of events (what briefs show; ``rows_read`` follows), and its first
    and last dates and countries ``coverage`` when given. One count, a scan of the dataset."""
    (now,) = con.execute("SELECT count(*) FROM events WHERE dataset_id = ?", [dataset_id]).fetchone()
    con.execute(
        "UPDATE datasets SET rows_ingested = ?, rows_read = ? + rows_quarantined + rows_duplicate "
        "WHERE dataset_id = ?",
        [now, now, dataset_id],
    )
    if coverage is not None:
        first, last, countries = coverage
        con.execute(
            "UPDATE datasets SET date_min = ?, date_max = ?, countries = ? WHERE dataset_id = ?",
            [first, last, list(countries or []), dataset_id],
        )


def record(
    con,
    plan: ReadPlan,
    *,
    dataset_id,
    original,
    sha256,
    archived,
    snapshot_id,
    nbytes,
    rows_read,
    counts,
    missing,
    superseded,
    changes,
    coverage: Coverage | None = None,
) -> None:
    """Write the dataset's catalog row (replacing the previous release's) and its release row.

    Its first and last dates and its countries are ``coverage`` when given (an upsert's, exact:
    coverage_after), else read from the table (a scan of the dataset)."""
    table = plan.table
    dmin, dmax, countries = coverage or scanned_coverage(con, table, dataset_id)
    before = con.execute(
        "SELECT releases, rows_superseded FROM datasets WHERE dataset_id = ?", [dataset_id]
    ).fetchone()
    releases = (before[0] if before else 0) + 1
    if before:
        superseded += before[1]
        con.execute("DELETE FROM datasets WHERE dataset_id = ?", [dataset_id])
    con.execute(
        f"INSERT INTO datasets VALUES ({', '.join('?' * 22)}, now()::TIMESTAMP)",
        [
            dataset_id,
            plan.source,
            plan.reader,
            original,
            sha256,
            archived,
            snapshot_id,
            nbytes,
            plan.version,
            table,
            rows_read,
            counts[0],
            counts[1],
            counts[2],
            superseded,
            releases,
            dmin,
            dmax,
            countries or [],
            list(missing),
            plan.news_derived,
            list(plan.notes),
        ],
    )
    con.execute(
        "INSERT INTO releases VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now()::TIMESTAMP)",
        [
            dataset_id,
            releases,
            snapshot_id,
            original,
            sha256,
            archived,
            plan.version,
            rows_read,
            changes["added"],
            changes["updated"],
            changes["deleted"],
            changes["unchanged"],
        ],
    )
