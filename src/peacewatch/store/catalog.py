"""The catalog side of an ingest: supersession between releases and the dataset's catalog row."""

from __future__ import annotations

from peacewatch.sources.base import ReadPlan


def _version_key(version: str | None) -> tuple:
    digits = [int(p) for p in "".join(ch if ch.isdigit() else " " for ch in (version or "")).split()]
    return tuple(digits)


def supersede(con, dataset_id: str, plan: ReadPlan) -> tuple[int, tuple[str, ...]]:
    """Mark rows that share event ids with another dataset: the newer release wins.

    The new dataset is the newer release unless both carry versions and its version is lower (an
    older release ingested late). Returns how many rows of other datasets this ingest superseded, and
    one sentence per dataset involved for the ingest report, so that superseding is never silent.
    """
    # Event ids begin with their source, so only datasets of the same source can share them; with none
    # in the store (the usual first ingest) there is nothing to compare, and no self-join of the events.
    others = con.execute(
        "SELECT count(*) FROM datasets WHERE source = ? AND dataset_id <> ?", [plan.source, dataset_id]
    ).fetchone()[0]
    if not others:
        return 0, ()
    overlaps = con.execute(
        """
        SELECT o.dataset_id, d.version, count(*) FROM events n
        JOIN events o ON o.event_id = n.event_id AND o.dataset_id <> n.dataset_id AND o.superseded_by IS NULL
            AND o.source = n.source
        JOIN datasets d ON d.dataset_id = o.dataset_id
        WHERE n.dataset_id = ? GROUP BY ALL""",
        [dataset_id],
    ).fetchall()
    superseded = 0
    said: list[str] = []
    for other, other_version, n in overlaps:
        older_release = (
            plan.version and other_version and _version_key(plan.version) < _version_key(other_version)
        )
        loser, winner = (dataset_id, other) if older_release else (other, dataset_id)
        con.execute(
            """
            UPDATE events SET superseded_by = ? WHERE dataset_id = ? AND superseded_by IS NULL
            AND event_id IN (SELECT event_id FROM events WHERE dataset_id = ?)""",
            [winner, loser, winner],
        )
        if loser == other:
            superseded += n
            said.append(
                f"superseded {n:,} rows of dataset {other} ({other_version or 'version unknown'}): they "
                "share event ids with this file, which is taken as the newer release"
            )
        else:
            said.append(
                f"{n:,} rows of this file are superseded by dataset {other} ({other_version}), a newer "
                "release already in the store"
            )
        con.execute(
            "UPDATE datasets SET rows_superseded = (SELECT count(*) FROM events WHERE dataset_id = ? "
            "AND superseded_by IS NOT NULL) WHERE dataset_id = ?",
            [loser, loser],
        )
    return superseded, tuple(said)


def record(con, plan: ReadPlan, *, dataset_id, original, sha256, nbytes, rows_read, counts, missing) -> None:
    table = plan.table
    lo, hi = ("date_start", "date_end") if table == "events" else ("period_start", "period_end")
    dmin, dmax, countries = con.execute(
        f"SELECT min({lo}), max({hi}), list_sort(list(DISTINCT coalesce(iso3, country)) "
        f"FILTER (WHERE coalesce(iso3, country) IS NOT NULL)) FROM {table} WHERE dataset_id = ?",
        [dataset_id],
    ).fetchone()
    own_superseded = 0
    if table == "events":
        own_superseded = con.execute(
            "SELECT count(*) FROM events WHERE dataset_id = ? AND superseded_by IS NOT NULL", [dataset_id]
        ).fetchone()[0]
    con.execute(
        f"INSERT INTO datasets VALUES ({', '.join('?' * 19)}, now()::TIMESTAMP)",
        [
            dataset_id,
            plan.source,
            plan.reader,
            original,
            sha256,
            nbytes,
            plan.version,
            table,
            rows_read,
            counts[0],
            counts[1],
            counts[2],
            own_superseded,
            dmin,
            dmax,
            countries or [],
            list(missing),
            plan.news_derived,
            list(plan.notes),
        ],
    )
