"""Coverage a user declares for a file: ``peacewatch ingest --covers-to DATE``.

An event dataset covers its first day to the last day one of its events starts (docs/adr/0009): the
file itself cannot show that the weeks after its last event were collected and quiet, or that a
reduced file was cut from a longer export. The user who knows can say so: ``--covers-to`` records,
per dataset and for the file's sha256, the last day the file covers, and coverage then ends there
instead of at the last event. A new release of the dataset (another sha256) drops the declaration;
without one, nothing changes. The declaration must reach at least the last event (an earlier end would
hide events the file has) and may not lie in the future (no file covers days that have not happened).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from peacewatch.errors import IngestError

TABLE = "coverage_declared"
DDL = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} (dataset_id VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, "
    "covers_to DATE NOT NULL, declared_at TIMESTAMP NOT NULL)"
)


def declare(con, dataset_ids: Iterable[str], covers_to: dt.date, *, today: dt.date | None = None) -> None:
    """Record ``covers_to`` as the last day each of ``dataset_ids`` covers, inside the caller's write
    transaction (so an ingest that fails declares nothing). Raises IngestError, before anything is
    written, for a date before a dataset's last event or after today."""
    today = today or dt.date.today()
    if covers_to > today:
        raise IngestError(
            f"--covers-to {covers_to.isoformat()}: expected a day on or before today ({today.isoformat()}), "
            "found a later one; no file covers days that have not happened.",
            hint="Give the last day the source's export covers (its cut-off date).",
        )
    rows = []
    for name in dict.fromkeys(dataset_ids):
        sha256, table = con.execute(
            "SELECT sha256, table_name FROM datasets WHERE dataset_id = ?", [name]
        ).fetchone()
        column = "date_start" if table == "events" else "period_end"
        last = con.execute(f"SELECT max({column}) FROM {table} WHERE dataset_id = ?", [name]).fetchone()[0]
        if last is not None and covers_to < last:
            raise IngestError(
                f"--covers-to {covers_to.isoformat()}: dataset {name} has events up to {last.isoformat()}; "
                "expected a day on or after its last event, found an earlier one.",
                hint=f"Give --covers-to {last.isoformat()} or later (the export's cut-off), or leave it out.",
            )
        rows.append((name, sha256))
    con.execute(DDL)
    for name, sha256 in rows:
        con.execute(f"DELETE FROM {TABLE} WHERE dataset_id = ?", [name])
        con.execute(f"INSERT INTO {TABLE} VALUES (?, ?, ?, now()::TIMESTAMP)", [name, sha256, covers_to])


def declared(con) -> dict[str, dt.date]:
    """The declared last day of each dataset whose current file carries a declaration."""
    # No bound parameter on the read path: binding one makes DuckDB import pandas (a CLI start-up cost).
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
        f"AND schema_name = 'main' AND table_name = '{TABLE}'"
    ).fetchone()[0]
    if not exists:
        return {}
    rows = con.execute(
        f"SELECT c.dataset_id, c.covers_to FROM {TABLE} c JOIN datasets d "
        "ON d.dataset_id = c.dataset_id AND d.sha256 = c.sha256"
    ).fetchall()
    return dict(rows)
