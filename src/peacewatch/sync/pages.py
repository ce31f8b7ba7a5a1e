"""What a sync hands to the store: a :class:`Pull` of :class:`Page` s, each page reader output.

A service module (sync/acled.py, sync/ucdp.py, sync/gdelt.py) turns a cursor and credentials into
a :class:`Pull`. Its ``pages`` iterator talks to the service as the store consumes it; each
:class:`Page` carries the request that fetched it (secrets redacted), the raw answer (which the
store archives, compressed) and the events it holds as the same :class:`ReadPlan` a file reader
gives (its rows in an in-memory Arrow table of text columns, :func:`text_table`), so the store reads
synced and file rows by one path. Deletions the service reports are source event ids on a page.

When ``pages`` is exhausted the pull's ``cursor`` holds where the next sync starts (JSON-able), and
the store records it with the snapshot that applies the pull; a pull that fails or is interrupted
before that leaves the store, and the recorded cursor, as they were.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from peacewatch.sources.base import ReadPlan

PAGE_TABLE = "pw_sync_page"


@dataclass(frozen=True)
class Page:
    """One answer of a service.

    ``request``: how it was asked for (``GET URL?query``, secrets redacted); ``body``: the answer as
    received; ``plan``: its events as reader output (None when it holds none, e.g. a deletions page);
    ``deleted``: source event ids (without the source prefix) the service reports deleted.
    The plans of one pull must differ only in their rows (the store reads them as one table)."""

    request: str
    body: bytes
    plan: ReadPlan | None = None
    deleted: tuple[str, ...] = ()
    rows: int = 0


@dataclass
class Pull:
    """One sync of one dataset, ready for ``Store.sync``.

    ``source``: the catalog source ("acled", "ucdp_ged", "gdelt"); ``dataset_id``: the dataset the
    sync keeps current; ``filters``: what the user asked for (recorded for attribution, and compared
    with the next sync's); ``service``: the base URL; ``complete``: True when the pages hold the
    dataset's whole content (a release: ids absent from it are deleted), False when they hold only
    what changed (an upsert by event id, plus the deletions the pages list); ``version``: the
    release, where the service has them; ``notes``: sentences for the catalog; ``cursor``: set by the
    pages iterator when it ends; ``accessed_at``: when the sync began (UTC).
    """

    source: str
    dataset_id: str
    filters: dict[str, Any]
    service: str
    pages: Iterable[Page]
    accessed_at: datetime
    complete: bool = False
    version: str | None = None
    notes: tuple[str, ...] = ()
    cursor: dict[str, Any] = field(default_factory=dict)
    requests: Callable[[], int] | None = None  # answers received so far, for the summary
    secrets: Sequence[str] = ()  # what must appear in nothing the store writes (checked there)


def text_table(records: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None):
    """A pyarrow table of text columns from JSON records: every value as the text a CSV export
    holds (numbers as written; None and "" as NULL, as DuckDB reads an empty CSV field), columns in
    first-seen order unless given.

    >>> text_table([{"a": 1, "b": ""}, {"a": 2.5, "c": "x"}]).to_pydict()
    {'a': ['1', '2.5'], 'b': [None, None], 'c': [None, 'x']}
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if columns is None:
        columns = list(dict.fromkeys(k for r in records for k in r))
    schema = pa.schema([(c, pa.string()) for c in columns])
    try:  # the usual case (ACLED sends text): Arrow converts the records in C
        table = pa.Table.from_pylist(list(records), schema=schema)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # numbers, lists: as the text a CSV export holds
        table = pa.table(
            {
                c: pa.array([None if r.get(c) is None else _text(r[c]) for r in records], pa.string())
                for c in columns
            },
            schema=schema,
        )
    empty = pa.scalar(None, pa.string())
    return pa.table(
        {c: pc.if_else(pc.equal(table.column(c), ""), empty, table.column(c)) for c in columns}, schema=schema
    )


def _text(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (list, dict)):
        import json

        return json.dumps(v, ensure_ascii=False)
    return str(v)


def exhausted(pages: Iterable[Page], on_page: Callable[[Page], None] | None = None) -> Iterator[Page]:
    """The pages, each reported to ``on_page`` as it arrives (the store's progress)."""
    for page in pages:
        if on_page is not None:
            on_page(page)
        yield page
