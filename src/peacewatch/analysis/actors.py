"""Finding actor keys by what a user knows of them: a name, an acronym, part of either.

>>> from peacewatch import analysis
>>> analysis.find_actors("kachin", store="mmr-store")[0]["key"]   # doctest: +SKIP
'kia'
"""

from __future__ import annotations

import re
from typing import Any

from peacewatch.analysis.select import StoreLike, as_store
from peacewatch.gazetteer.placenames import place_key


def _matches(actor, needle: str, text: str) -> str | None:
    """How ``actor`` matches the search: 'key', 'name', or 'alias PATTERN'; None when it does not."""
    if needle in place_key(actor.key.replace("_", " ")):
        return "key"
    if needle in place_key(actor.name):
        return "name"
    for a in actor.aliases:
        # An alias matches when it finds the text ("Kachin Independence Army" finds kia's pattern),
        # or the text is part of the pattern's plain words ("kachin" in "Kachin Independence").
        try:
            hit = re.search(rf"(?<!\w)(?:{a.pattern})(?!\w)", text, re.IGNORECASE)
        except re.error:
            hit = None
        if hit or needle in place_key(re.sub(r"\\.|[^\w\s-]", " ", a.pattern)):
            return f"alias {a.pattern}"
    return None


def find_actors(text: str, store: StoreLike = None) -> list[dict[str, Any]]:
    """Actor keys of the store's taxonomy (shipped, and the store's own files) whose key, name or
    aliases match ``text`` (ignoring case and accents), with their events in the store per dataset;
    keys with events first.
    """
    s = as_store(store)
    taxonomy = s.taxonomy()
    needle = place_key(text)
    found = {}
    for key in taxonomy:
        actor = taxonomy.get(key)
        how = _matches(actor, needle, text)
        if how:
            found[key] = (actor, how)
    counts: dict[str, dict[str, int]] = {}
    if found and s.exists():
        table = s.query(
            """
            WITH k AS (
                SELECT unnest(list_distinct(list_concat(actor1_keys, actor2_keys))) AS key, dataset_id
                FROM events)
            SELECT key, dataset_id, count(*) AS n FROM k WHERE key IN (SELECT unnest(?))
            GROUP BY ALL ORDER BY dataset_id""",
            [list(found)],
        )
        for r in table.to_pylist():
            counts.setdefault(r["key"], {})[r["dataset_id"]] = r["n"]
    rows = [
        {
            "key": key,
            "name": actor.name,
            "kind": actor.kind,
            "matched": how,
            "events": sum(counts.get(key, {}).values()),
            "by_dataset": counts.get(key, {}),
            "defined_at": actor.where,
        }
        for key, (actor, how) in found.items()
    ]
    rows.sort(key=lambda r: (-r["events"], r["key"]))
    return rows
