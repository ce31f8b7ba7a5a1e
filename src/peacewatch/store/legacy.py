"""Stores written by an earlier peacewatch (one DuckDB file, docs/adr/0003): refused with the commands
that rebuild them as a store folder, from the files listed in their catalog.

The old catalog keeps each file's original path, its reader and source, and the reader's notes (a
mapping file's path among them), so the commands are grouped by what ``peacewatch ingest`` needs to be
told: files read by a user mapping get ``--mapping`` (the path the reader noted); the rest are
recognised from their header again.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import duckdb

from peacewatch.errors import StoreError

_MAPPING_NOTE = re.compile(r"^mapped by (/.+?) \(sha256 [0-9a-f]+\)")


def _catalog(path: Path) -> list[dict] | None:
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return None
    try:
        cur = con.execute("SELECT * FROM datasets ORDER BY ingested_at, dataset_id")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    except duckdb.Error:
        return None
    finally:
        con.close()


def rebuild_commands(rows: list[dict], new_store: Path) -> list[str]:
    """The ``peacewatch ingest`` commands that rebuild a store from its old catalog rows, one per
    way of reading (mapping file, else forced mapped source, else the readers' own detection), in the
    order the files were first ingested.

    >>> rebuild_commands([{"path": "/d/a.csv", "source": "acled", "notes": []}], Path("/s"))
    ['peacewatch ingest --store /s /d/a.csv']
    """
    groups: dict[tuple[str, ...], list[str]] = {}
    for r in rows:
        original = r.get("path") or r.get("original")
        if not original:
            continue
        options: tuple[str, ...] = ()
        source = str(r.get("source") or "")
        if source.startswith("mapped:"):
            mapping = next(
                (m.group(1) for n in (r.get("notes") or []) if (m := _MAPPING_NOTE.search(str(n)))), None
            )
            # Without its path in the notes the mapping file must be named by the user.
            options = ("--mapping", mapping or f"<the mapping file of {source}>")
        groups.setdefault(options, []).append(original)
    return [
        shlex.join(["peacewatch", "ingest", "--store", str(new_store), *options, *files])
        for options, files in groups.items()
    ]


def legacy_store_error(path: Path) -> StoreError:
    rows = _catalog(path)
    if rows is None:
        return StoreError(
            f"{path}: a DuckDB database file, but not a peacewatch store (it has no datasets table).",
            hint="Point --store or PEACEWATCH_STORE at a store folder made by `peacewatch ingest`.",
        )
    new = path.with_name(path.stem + "-store") if path.suffix else path.with_name(path.name + "-store")
    commands = rebuild_commands(rows, new)
    listing = "\n  ".join(commands) if commands else "(its catalog lists no files)"
    return StoreError(
        f"{path}: this store was written by an earlier peacewatch (one DuckDB file); rebuild it:"
        f"\n  {listing}",
        hint="A store is now a folder (docs/adr/0012); the old file can be deleted once the new store "
        "holds the same datasets (`peacewatch datasets --store NEW`).",
    )
