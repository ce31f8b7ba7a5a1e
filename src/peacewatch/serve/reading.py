"""How a request reads the store: the snapshot resolved first, then the cache, then the query in a
worker thread under a time limit.

The cache is keyed by (path, normalized query, snapshot id). A request without ``snapshot`` asks for
the latest: its id is read from the store before the cache is consulted, so an ingest that commits a
new snapshot makes the next request miss the cache and compute afresh; a cached answer is never stale.
Each worker thread keeps its own read connection (DuckDB connections are not shared across threads),
reused between requests.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anyio

from peacewatch import payloads
from peacewatch.serve.problems import Problem


def dumps(payload: Any) -> bytes:
    """The JSON of a payload, as the CLI's ``--json`` writes it (peacewatch.payloads), compactly."""
    return payloads.dumps(payload).encode()


@dataclass(frozen=True)
class Answer:
    """A computed answer: the snapshot it read, its body, media type and ETag (and the payload for
    in-process callers such as the dashboard's pages)."""

    snapshot: int
    body: bytes
    media_type: str
    etag: str
    payload: Any = None


def snapshot_param(value: str | None) -> int | str | None:
    """``snapshot`` as a request gives it: an id, an ISO time (``@`` in front optional, as the CLI's
    ``--snapshot @TIME``), or nothing for the latest."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return int(text)
    when = text.removeprefix("@")
    try:
        dt.datetime.fromisoformat(when)
    except ValueError:
        raise Problem(
            400,
            "bad-parameter",
            "Bad parameter",
            f"snapshot={value!r}: expected a snapshot id (a whole number; GET /api/snapshots lists them) "
            "or an ISO time such as 2026-12-07T10:00 (the last snapshot committed by then).",
        ) from None
    return when


def resolve(store: Any, snapshot: int | str) -> int:
    """The id of ``snapshot`` (an id, or an ISO time: the last snapshot committed at or before it, UTC
    unless it says otherwise) in ``store``'s history, or a StoreError naming the ones it holds."""
    from peacewatch.errors import StoreError

    history = store.snapshots()
    ids = [x["snapshot_id"] for x in history]
    where = f"{store.location.describe()}"
    if isinstance(snapshot, str):
        when = _utc(dt.datetime.fromisoformat(snapshot))
        before = [
            x["snapshot_id"]
            for x in history
            if x["time"] and _utc(dt.datetime.fromisoformat(x["time"])) <= when
        ]
        if not before:
            raise StoreError(
                f"{where}: no snapshot at or before {snapshot}; the first was committed later "
                f"(snapshot {min(ids) if ids else 'none'}).",
                hint="Give a later time, or a snapshot id (GET /api/snapshots lists them).",
            )
        return before[-1]
    if snapshot not in ids:
        lo, hi = (min(ids), max(ids)) if ids else (None, None)
        raise StoreError(
            f"{where}: no snapshot {snapshot}; this store holds snapshots {lo} to {hi}.",
            hint="Give one of those (GET /api/snapshots lists them with their commands).",
        )
    return snapshot


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


class Reader:
    """The stores, the cache and the time limit of one server process."""

    def __init__(
        self,
        location: Any,
        *,
        timeout_s: float,
        threads: int = 4,
        max_entries: int = 512,
        max_bytes: int = 256 << 20,
    ):
        self.location = location
        self.timeout_s = timeout_s
        # At most this many queries at once per worker; more requests wait their turn. Each query uses
        # every core already (DuckDB's threads): more at once only adds connections and contention.
        self.threads = threads
        self._limiters: dict[int, anyio.CapacityLimiter] = {}
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._local = threading.local()
        self._cache: OrderedDict[tuple, Answer] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._opened: list[Any] = []  # every Store of every thread, closed at shutdown
        self._generation = 0
        self.hits = self.misses = 0
        # The latest snapshot id without a DuckDB connection, for a local store (lake.CatalogPeek): a
        # cached answer or a kept page then costs no connection on a thread that has none yet.
        from peacewatch.store import locate
        from peacewatch.store.lake import CatalogPeek
        from peacewatch.store.location import LocalStore

        found = locate(location)  # the folder's location for a path; a team store's as given
        self._peek = CatalogPeek(found.catalog_path) if isinstance(found, LocalStore) else None

    # -- stores, one set per worker thread ----------------------------------------------------------

    def _latest(self):
        from peacewatch.store import Store

        if getattr(self._local, "generation", None) != self._generation:
            # First use on this thread, or the stores were closed since (an app's lifespan ended).
            self._local.generation = self._generation
            self._local.store = Store(self.location)
            self._local.pinned = OrderedDict()
            with self._lock:
                self._opened.append(self._local.store)
        return self._local.store

    def latest_id(self) -> int:
        """The id of the latest snapshot now: read from a local store's catalog (no connection opened),
        else on this thread's connection."""
        found = self._peek.latest() if self._peek is not None else None
        return found if found is not None else self._latest().snapshot

    def store_at(self, snapshot: int | str | None):
        """A Store pinned at ``snapshot`` (None: the latest now), on this thread's connections.

        Opening a connection at a snapshot costs seconds (the lake's extensions and catalog), so a
        time is first resolved to its snapshot id from the store's history, the latest snapshot is
        read on the thread's open connection, and an unknown id is refused without opening one."""
        latest = self._latest()
        if snapshot is None:
            return latest.pinned()
        wanted = resolve(latest, snapshot)
        if wanted == latest.snapshot:
            return latest.pinned()
        pinned: OrderedDict = self._local.pinned
        if wanted not in pinned:
            from peacewatch.store import Store

            found = Store(self.location, wanted)
            found.snapshot  # noqa: B018 - attach now, on this thread
            pinned[wanted] = found
            with self._lock:
                self._opened.append(found)
            while len(pinned) > 4:  # a few past snapshots per thread; older connections are closed
                pinned.popitem(last=False)[1].close()
        return pinned[wanted]

    def close(self) -> None:
        """Close every thread's connections (at shutdown: DuckDB aborts the process when connections
        of finished threads are left to the interpreter's exit)."""
        with self._lock:
            opened, self._opened = self._opened, []
            self._generation += 1
        for store in opened:
            with contextlib.suppress(Exception):
                store.close()

    # -- the cache ---------------------------------------------------------------------------------

    def _get(self, key: tuple, *, count_miss: bool = True) -> Answer | None:
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                self.hits += 1
            elif count_miss:
                self.misses += 1
            return found

    def _put(self, key: tuple, answer: Answer) -> None:
        with self._lock:
            if key in self._cache:
                return
            self._cache[key] = answer
            self._bytes += len(answer.body)
            while self._cache and (len(self._cache) > self.max_entries or self._bytes > self.max_bytes):
                _, old = self._cache.popitem(last=False)
                self._bytes -= len(old.body)

    def clear(self) -> None:
        """Forget every cached answer (after this process wrote to the store, for one)."""
        with self._lock:
            self._cache.clear()
            self._bytes = 0

    # -- answering ---------------------------------------------------------------------------------

    def answer_now(
        self,
        key: tuple,
        snapshot: int | str | None,
        work: Callable[[Any], Any],
        *,
        media_type: str = "application/json",
        encode: Callable[[Any], bytes] = dumps,
        running: dict | None = None,
    ) -> Answer:
        """The answer to ``key`` at ``snapshot`` in this thread: resolved, then cached or computed by
        ``work(store)`` and encoded. ``running`` receives the store being read (to interrupt it).

        The latest snapshot's answer is looked up before a store is opened on this thread: a hit needs
        only the snapshot id, read from a local store's catalog."""
        if snapshot is None and self._peek is not None:
            latest = self._peek.latest()
            found = self._get((*key, latest), count_miss=False) if latest is not None else None
            if found is not None:
                return found
        store = self.store_at(snapshot)
        if running is not None:
            running["store"] = store
        full = (*key, store.snapshot)
        found = self._get(full)
        if found is not None:
            return found
        payload = work(store)
        body = encode(payload)
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        answer = Answer(store.snapshot, body, media_type, etag, payload)
        self._put(full, answer)
        return answer

    def _limiter(self) -> anyio.CapacityLimiter:
        """The limiter of the running event loop (one per loop: a limiter belongs to the loop that
        made it, and tests drive one app from several)."""
        import asyncio

        loop = id(asyncio.get_running_loop())
        if loop not in self._limiters:
            self._limiters[loop] = anyio.CapacityLimiter(self.threads)
        return self._limiters[loop]

    async def answer(
        self,
        key: tuple,
        snapshot: int | str | None,
        work: Callable[[Any], Any],
        *,
        slow: float = 1.0,
        **kw: Any,
    ) -> Answer:
        """:meth:`answer_now` in a worker thread, within the server's query time limit (times ``slow``
        for work made of many queries, a brief): past it the query is interrupted and the request gets
        a 503 problem."""
        running: dict = {}
        limit = self.timeout_s * slow
        with anyio.move_on_after(limit) as scope:
            return await anyio.to_thread.run_sync(
                lambda: self.answer_now(key, snapshot, work, running=running, **kw),
                abandon_on_cancel=True,
                limiter=self._limiter(),
            )
        if scope.cancelled_caught:
            store = running.get("store")
            con = getattr(store, "_con", None)
            if con is not None:
                with contextlib.suppress(Exception):
                    con.interrupt()
            raise Problem(
                503,
                "timeout",
                "Query took too long",
                f"The query ran past the server's limit of {limit:g} s and was stopped. Narrow it "
                "(a shorter --from/--to span, fewer datasets, a coarser 'by'), or ask the operator for a "
                "higher limit (`peacewatch serve --query-timeout`).",
                headers={"Retry-After": "5"},
            )
        raise AssertionError("unreachable")  # pragma: no cover
