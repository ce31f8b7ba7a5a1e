"""The store's history: its snapshots (one per ingest or taxonomy adoption) and what changed between two.

Each write sets its snapshot's commit message to the command that made it and its extra info to the
per-dataset counts of rows added, updated, deleted and unchanged (JSON), so listing the snapshots reads
the lake's own ``snapshots()`` and nothing else. What changed between two snapshots comes from DuckLake's
change feed (``table_changes``): a release applies an updated event as a delete and an insert of the
same event id, which this module reports as one update.
"""

from __future__ import annotations

import json
from typing import Any

from peacewatch.errors import StoreError
from peacewatch.store.lake import ALIAS, retrying, snapshot_range

AUTHOR = "peacewatch"


def _iso(text: str | None) -> str | None:
    """'2026-12-07 02:40:17.935922+00' -> '2026-12-07T02:40:17.935922+00:00'."""
    if text is None:
        return None
    iso = text.replace(" ", "T", 1)
    if len(iso) >= 3 and iso[-3] in "+-" and iso[-2:].isdigit():
        iso += ":00"
    return iso


def snapshot_list(con, upto: int | None = None) -> list[dict[str, Any]]:
    """Every snapshot up to ``upto`` (default: all), oldest first: ``snapshot_id``, ``time`` (ISO,
    UTC), ``command`` (the commit message; None for the lake's own first snapshots), ``author``,
    ``changes`` (per dataset: rows added, updated, deleted, unchanged; {} when not recorded) and
    ``tables`` (DuckLake's own summary of the tables touched)."""
    rows = retrying(
        lambda: con.execute(
            f"SELECT snapshot_id, CAST(snapshot_time AS VARCHAR), changes, author, commit_message, "
            f"commit_extra_info FROM {ALIAS}.snapshots() ORDER BY snapshot_id"
        ).fetchall()
    )
    out = []
    for snap, when, touched, author, message, extra in rows:
        if upto is not None and snap > upto:
            continue
        try:
            per_dataset = json.loads(extra) if extra else {}
        except ValueError:
            per_dataset = {}
        out.append(
            {
                "snapshot_id": snap,
                "time": _iso(when),
                "command": message,
                "author": author,
                "changes": per_dataset.get("datasets", per_dataset) if isinstance(per_dataset, dict) else {},
                "tables": {k: list(v) for k, v in (touched or {}).items()},
            }
        )
    return out


def set_commit(con, message: str, per_dataset: dict[str, dict[str, int]]) -> None:
    """Set the commit message and extra info of the snapshot the open transaction will commit."""
    extra = json.dumps({"datasets": per_dataset}, sort_keys=True)
    con.execute(f"CALL {ALIAS}.set_commit_message(?, ?, extra_info => ?)", [AUTHOR, message[:4000], extra])


def _check(con, *snaps: int) -> None:
    lo, hi = snapshot_range(con)
    for s in snaps:
        if not isinstance(s, int) or isinstance(s, bool) or not lo <= s <= hi:
            raise StoreError(
                f"no snapshot {s!r}; this store holds snapshots {lo} to {hi}.",
                hint="Give one of those (`peacewatch snapshots` lists them with their commands).",
            )


def changes(con, from_snapshot: int, to_snapshot: int) -> dict[str, Any]:
    """The rows of events and counts that changed after ``from_snapshot`` up to ``to_snapshot``.

    Returns ``{"from": n, "to": m, "tables": {table: {dataset_id: {"inserted", "updated", "deleted"}}},
    "events": <Arrow table: change ("inserted", "updated", "deleted"), the event's fields after the
    change (before it, for a deletion)>}``. An event deleted and inserted again under the same id
    within the range is one update; one inserted then deleted within it is no change.
    """
    _check(con, from_snapshot, to_snapshot)
    if to_snapshot < from_snapshot:
        raise StoreError(
            f"expected --from ({from_snapshot}) at or before --to ({to_snapshot}).", hint="Swap them."
        )
    tables = {
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'main'",
            [ALIAS],
        ).fetchall()
    }
    result: dict[str, Any] = {"from": from_snapshot, "to": to_snapshot, "tables": {}, "events": None}
    if from_snapshot == to_snapshot:
        return result
    for table, key in (("events", "event_id"), ("counts", "source_row")):
        if table not in tables:
            continue
        feed = f"SELECT * FROM {ALIAS}.table_changes('{table}', {from_snapshot + 1}, {to_snapshot})"
        # The last state of each row key within the range, and whether it existed before the range
        # (its first change removed it). Within one snapshot a deletion comes before an insertion.
        ins = "change_type IN ('insert', 'update_postimage')"
        net = f"""
            WITH feed AS ({feed}),
            ranked AS (
                SELECT *,
                       row_number() OVER (PARTITION BY dataset_id, {key}
                                          ORDER BY snapshot_id DESC, {ins} DESC) AS __last,
                       first_value(NOT {ins}) OVER (PARTITION BY dataset_id, {key}
                                          ORDER BY snapshot_id, {ins}) AS __existed
                FROM feed)
            SELECT CASE WHEN NOT {ins} THEN 'deleted' WHEN __existed THEN 'updated' ELSE 'inserted' END
                       AS change,
                   * EXCLUDE (__last, __existed, change_type, rowid)
            FROM ranked
            WHERE __last = 1 AND (__existed OR {ins})
            ORDER BY dataset_id, {key}"""
        rows = retrying(lambda net=net: con.execute(net).to_arrow_table())
        per: dict[str, dict[str, int]] = {}
        for change, ds in zip(
            rows.column("change").to_pylist(), rows.column("dataset_id").to_pylist(), strict=True
        ):
            d = per.setdefault(ds, {"inserted": 0, "updated": 0, "deleted": 0})
            d[change] += 1
        result["tables"][table] = per
        if table == "events":
            result["events"] = rows
    return result


def compact(con, keep: int, archive_folder=None) -> dict[str, Any]:
    """Expire all but the newest ``keep`` snapshots and delete the files nothing refers to any more:
    data files of expired snapshots, files a killed writer left behind, and archived source files no
    release lists (copied by an ingest that did not commit). The caller holds the writer lock.
    Returns the expired snapshot ids (a brief that cites one can no longer be reproduced) and the
    files removed."""
    if not isinstance(keep, int) or isinstance(keep, bool) or keep < 1:
        raise StoreError(f"keep={keep!r}: expected a whole number of snapshots to keep, 1 or more.")
    ids = [r[0] for r in con.execute(f"SELECT snapshot_id FROM {ALIAS}.snapshots() ORDER BY 1").fetchall()]
    expired = ids[:-keep]
    if expired:
        con.execute(f"CALL ducklake_expire_snapshots('{ALIAS}', versions => ?)", [expired])
    old = con.execute(f"CALL ducklake_cleanup_old_files('{ALIAS}', cleanup_all => true)").fetchall()
    orphans = con.execute(f"CALL ducklake_delete_orphaned_files('{ALIAS}', cleanup_all => true)").fetchall()
    removed = [str(r[0]) for r in (*old, *orphans)]
    if archive_folder is not None and archive_folder.is_dir():
        listed = {r[0] for r in con.execute("SELECT sha256 FROM releases").fetchall()}
        # A sync's raw answers are archived too (store/syncs.py), also when it changed no rows.
        if con.execute(
            f"SELECT count(*) FROM duckdb_tables() WHERE database_name = '{ALIAS}' AND table_name = 'syncs'"
        ).fetchone()[0]:
            listed |= {r[0] for r in con.execute("SELECT sha256 FROM syncs").fetchall()}
        for f in sorted(archive_folder.iterdir()):
            if f.name.split(".", 1)[0] not in listed:
                f.unlink()
                removed.append(str(f))
    return {"expired": expired, "kept": ids[-keep:], "removed": removed}
