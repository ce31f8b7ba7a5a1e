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

import contextlib
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

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
    try:  # the usual case (ACLED sends text): Arrow reads the records as structs, in C
        table = pa.Table.from_struct_array(pa.array(records, type=pa.struct(list(schema))))
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


_T = TypeVar("_T")


def ahead(items: Iterator[_T], *, depth: int = 1) -> Iterator[_T]:
    """``items``, produced in a worker thread at most ``depth`` items ahead of the consumer.

    A service module fetches its next page here while the store spools and converts the last one:
    the time the service takes to answer (its latency, its own work) overlaps with ours instead of
    adding to it. ``depth`` bounds the requests in flight beyond the page being consumed (one), so a
    sync never asks the service faster than one request ahead of what it has used. An exception of
    ``items`` is raised to the consumer at the item it would have been; when the consumer stops early
    (an error of its own, an interrupt), the worker starts no further item and ``items`` is closed
    in the worker (a request already in flight ends or times out; the thread is a daemon, so it
    never keeps a process alive).

    >>> list(ahead(iter(range(5))))
    [0, 1, 2, 3, 4]
    """
    slots = threading.Semaphore(depth)
    handed: queue.Queue = queue.Queue()
    stop = threading.Event()

    def work() -> None:
        try:
            while True:
                slots.acquire()
                if stop.is_set():
                    return
                try:
                    item = next(items)
                except StopIteration:
                    handed.put((False, None))
                    return
                handed.put((True, item))
        except BaseException as exc:  # handed to the consumer, raised there
            handed.put((False, exc))
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                with contextlib.suppress(Exception):
                    close()

    worker = threading.Thread(target=work, name="peacewatch-sync-ahead", daemon=True)
    worker.start()
    try:
        while True:
            ok, item = handed.get()
            if not ok:
                if item is not None:
                    raise item
                return
            slots.release()  # the worker may start the next item while this one is consumed
            yield item
    finally:
        stop.set()
        slots.release()  # wake a worker waiting for a slot, so that it sees the stop
