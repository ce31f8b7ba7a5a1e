"""The actor taxonomies a store was resolved with, and re-resolving its events when they change.

A store keeps the text of every user taxonomy file its events were resolved with (table
``taxonomies``: the file's path, sha256 and text). Its keys are therefore valid in queries on that
store from any folder, and a later ingest resolves new rows with the same keys. Adding a file, or a
changed version of one, re-resolves the actor keys of every stored event from the names the rows
keep (``actor1_names``/``actor2_names`` where the reader resolved more than ``actor1``/``actor2``, e.g.
ACLED's associated actors): no re-ingest needed.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from peacewatch.errors import TaxonomyError


@dataclass(frozen=True)
class TaxonomyFile:
    """One user taxonomy file: where it was read from, its sha256 and its text."""

    path: str
    sha256: str
    text: str

    @classmethod
    def read(cls, path: str | Path) -> TaxonomyFile:
        p = Path(path).expanduser().resolve()
        try:
            data = p.read_bytes()
        except OSError as exc:
            raise TaxonomyError(
                f"{p}: cannot read the taxonomy file ({exc.strerror or exc}).",
                hint="Check the path given to --taxonomy (or the case folder's actors.yaml).",
            ) from None
        return cls(str(p), hashlib.sha256(data).hexdigest(), data.decode("utf-8", errors="replace"))


def recorded(con) -> list[TaxonomyFile]:
    """The taxonomy files of a store, oldest first (none for a store without any)."""
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'main' AND table_name = 'taxonomies'"
    ).fetchone()[0]
    if not exists:
        return []
    rows = con.execute("SELECT path, sha256, text FROM taxonomies ORDER BY added_at, path").fetchall()
    return [TaxonomyFile(*r) for r in rows]


def merged(old: Sequence[TaxonomyFile], new: Sequence[TaxonomyFile]) -> tuple[list[TaxonomyFile], bool]:
    """The files after adding ``new`` (a new version of a path replaces the old one, in place), and
    whether anything changed."""
    by_path = {t.path: t for t in old}
    changed = False
    for t in new:
        if by_path.get(t.path) != t:
            by_path[t.path] = t
            changed = True
    return list(by_path.values()), changed


def load(files: Sequence[TaxonomyFile]):
    """The shipped taxonomy extended by ``files``; problems are reported with the recorded path.
    Compiled once per set of file versions: every query of a store checks its keys against it."""
    return _load(tuple(files))


@functools.lru_cache(maxsize=16)
def _load(files: tuple[TaxonomyFile, ...]):
    from peacewatch.actors import Taxonomy

    return Taxonomy.load(texts=[(t.path, t.text) for t in files])


def record(con, files: Sequence[TaxonomyFile]) -> None:
    """Write ``files`` into the store's taxonomies table (a new version of a path replaces the text
    of the old one and keeps its place in the order)."""
    held = dict(con.execute("SELECT path, sha256 FROM taxonomies").fetchall())
    for t in files:
        if t.path not in held:
            con.execute(
                "INSERT INTO taxonomies VALUES (?, ?, ?, now()::TIMESTAMP)", [t.path, t.sha256, t.text]
            )
        elif held[t.path] != t.sha256:
            con.execute(
                "UPDATE taxonomies SET sha256 = ?, text = ? WHERE path = ?", [t.sha256, t.text, t.path]
            )


def keys_table(resolved: dict) -> Any:
    """``Taxonomy.resolve_many``'s answer, {(name, iso3): keys}, as an Arrow table (name, iso3,
    keys) to register as a lookup table; used at ingest (store/staging.py) and when re-resolving."""
    # Imported here: reading the catalog (`peacewatch datasets`) loads this module but needs no
    # pyarrow (and with it NumPy).
    import pyarrow as pa

    return pa.table(
        {
            "name": pa.array([p[0] for p in resolved], pa.string()),
            "iso3": pa.array([p[1] for p in resolved], pa.string()),
            "keys": pa.array([list(v) for v in resolved.values()], pa.list_(pa.string())),
        }
    )


# The names resolved at ingest: the side's name, or what the reader resolved instead of it (ACLED's
# associated actors joined to it, "Taliban; Haqqani Network"), kept as actorN_names.
def _names(n: int, t: str = "") -> str:
    return f"coalesce({t}actor{n}_names, {t}actor{n})"


def reresolve(con, taxonomy) -> int:
    """Resolve the actor names of every stored event again with ``taxonomy``; returns how many
    sides of events (actor1 or actor2) got other keys."""
    pairs = con.execute(
        f"SELECT DISTINCT {_names(1)} AS name, iso3 FROM events WHERE {_names(1)} IS NOT NULL "
        f"UNION SELECT DISTINCT {_names(2)}, iso3 FROM events WHERE {_names(2)} IS NOT NULL"
    ).fetchall()
    resolved = taxonomy.resolve_many((name, iso3) for name, iso3 in pairs if name)
    con.register("pw_rekeys", keys_table(resolved))
    try:
        changed = 0
        for n in (1, 2):
            changed += con.execute(f"""
                UPDATE events SET actor{n}_keys = coalesce(k.keys, []::VARCHAR[])
                FROM (SELECT e.event_id, e.dataset_id, k.keys FROM events e
                      LEFT JOIN pw_rekeys k ON k.name = {_names(n, "e.")}
                      AND coalesce(k.iso3, '') = coalesce(e.iso3, '')) k
                WHERE events.event_id = k.event_id AND events.dataset_id = k.dataset_id
                  AND events.actor{n}_keys IS DISTINCT FROM coalesce(k.keys, []::VARCHAR[])
            """).fetchone()[0]
    finally:
        con.unregister("pw_rekeys")
    return changed
