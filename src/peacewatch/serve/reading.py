"""How a request reads the store: the snapshot resolved first, then the cache, then the query in a
worker thread under a time limit.

The cache is keyed by (path, normalized query, snapshot id). A request without ``snapshot`` asks for
the latest: its id is read from the store before the cache is consulted, so an ingest that commits a
new snapshot makes the next request miss the cache and compute afresh; a cached answer is never stale.

The connections are a pool per server process, not a connection per thread. Opening one costs about a
second of CPU (the lake's extensions loaded, the catalog attached, the Store's catalog and cut-offs read
again: docs/adr/0015's second addendum), and the worker threads that run queries come and go (anyio ends one
idle for 10 s), so a connection tied to a thread was opened again after any quiet moment. A request
takes an open Store from the pool (or opens one when all are in use), reads through it alone, and hands
it back when its work returns; the pool keeps at most ``threads`` (``--query-threads``) Stores for the
latest snapshot and as many pinned at past snapshots, closing the least recently used beyond that. A
kept Store moves to a newer snapshot by attaching the lake again on its connection (``Store.follow``),
a fraction of opening one. A request past its time limit has its query interrupted on its own
connection, which goes back to the pool only when the abandoned work has returned: never to another
request while it still runs. At shutdown every connection, idle or held, is closed (DuckDB aborts the
process when connections are left to the interpreter's exit).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
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


class _Lease:
    """One request's use of a pooled Store: ``store`` is the pooled one (its own connection), ``view``
    what the request reads (for the latest, a Store pinned from it, as ``Store.pinned`` gives; for a
    past snapshot, the store itself). ``out`` holds while the request has it: only then is its
    connection interrupted."""

    __slots__ = ("generation", "out", "store", "view")

    def __init__(self, store: Any, generation: int, view: Any = None):
        self.store, self.generation, self.view, self.out = store, generation, view, True


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
        # The pool keeps as many open Stores for the latest snapshot, and as many for past ones.
        self.threads = threads
        self._limiters: dict[int, anyio.CapacityLimiter] = {}
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._cache: OrderedDict[tuple, Answer] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._latest_idle: list[Any] = []  # unpinned Stores no request holds, the last used last
        self._past_idle: list[Any] = []  # Stores pinned at a past snapshot, likewise
        self._opened: list[Any] = []  # every open Store, held or idle: closed at shutdown
        self._generation = 0
        self.hits = self.misses = 0
        # The latest snapshot id without a DuckDB connection, for a local store (lake.CatalogPeek): a
        # cached answer or a kept page then costs no connection.
        from peacewatch.store import locate
        from peacewatch.store.lake import CatalogPeek
        from peacewatch.store.location import LocalStore

        found = locate(location)  # the folder's location for a path; a team store's as given
        self._peek = CatalogPeek(found.catalog_path) if isinstance(found, LocalStore) else None

    # -- the pool of open Stores --------------------------------------------------------------------

    def _open(self, store: Any) -> Any:
        """``store`` connected now (it joins the Stores closed at shutdown first)."""
        with self._lock:
            self._opened.append(store)
        try:
            store.snapshot  # noqa: B018 - attach now
        except BaseException:
            self._discard([store])
            raise
        return store

    def _discard(self, stores: list[Any]) -> None:
        with self._lock:
            self._opened = [s for s in self._opened if all(s is not d for d in stores)]
        for store in stores:
            with contextlib.suppress(Exception):
                store.close()

    def _checkout(self, snapshot: int | str | None) -> _Lease:
        """A Store reading ``snapshot`` (None: the latest now) that no other request holds: an idle one
        from the pool, else one opened. An unknown snapshot is refused without opening a connection."""
        from peacewatch.store import Store

        with self._lock:
            store = self._latest_idle.pop() if self._latest_idle else None
            generation = self._generation
        if store is None:
            store = self._open(Store(self.location))
        lease = _Lease(store, generation)
        try:
            store.follow()  # the newest snapshot, on the same connection
            wanted = None if snapshot is None else resolve(store, snapshot)
            if wanted is None or wanted == store.snapshot:
                lease.view = store.pinned()
                return lease
        except BaseException:
            self._checkin(lease)
            raise
        self._checkin(lease)
        with self._lock:
            found = next((s for s in reversed(self._past_idle) if s.snapshot == wanted), None)
            if found is not None:
                self._past_idle.remove(found)
            generation = self._generation
        if found is None:
            found = self._open(Store(self.location, wanted))
        return _Lease(found, generation, found)

    def _checkin(self, lease: _Lease) -> None:
        """Return a lease's Store to the pool (closed instead when the pool has enough idle ones, or
        when the Stores were closed since it was taken)."""
        store, view = lease.store, lease.view
        if view is not None and view is not store and view._con not in (None, store._con):
            # The request wrote (a case adopting its taxonomy) and its view reopened on its own.
            with contextlib.suppress(Exception):
                view.close()
        closing: list[Any] = []
        with self._lock:
            lease.out = False
            idle = self._past_idle if store.is_pinned else self._latest_idle
            if lease.generation == self._generation and store._con is not None:
                idle.append(store)
            else:
                closing.append(store)
            while len(idle) > self.threads:
                closing.append(idle.pop(0))
        if closing:
            self._discard(closing)

    @contextlib.contextmanager
    def lease(self, snapshot: int | str | None) -> Iterator[Any]:
        """A Store fixed at ``snapshot`` (None: the latest now) for the ``with`` block, on a connection
        of the pool that no other request uses meanwhile.

        Opening a connection at a snapshot costs about a second (the lake's extensions and catalog),
        so the pool keeps them open across requests, and a time is first resolved to its snapshot id
        from the store's history (an unknown id is refused without opening one)."""
        lease = self._checkout(snapshot)
        try:
            yield lease.view
        finally:
            self._checkin(lease)

    def _interrupt(self, running: dict) -> None:
        """Stop the query a timed-out request runs, on its own connection, and its work if it has not
        started (its thread may still be opening a Store). The lock orders this with the request's
        checkout and checkin, so a connection already handed back (and perhaps to another request) is
        never interrupted."""
        with self._lock:
            running["abandoned"] = True
            lease = running.get("lease")
            if lease is None or not lease.out:
                return
            con = getattr(lease.view, "_con", None)
            if con is not None:
                with contextlib.suppress(Exception):
                    con.interrupt()

    def latest_id(self) -> int:
        """The id of the latest snapshot now: read from a local store's catalog (no connection used),
        else on a connection of the pool."""
        found = self._peek.latest() if self._peek is not None else None
        if found is not None:
            return found
        with self.lease(None) as store:
            return store.snapshot

    def close(self) -> None:
        """Close every connection of the pool, idle or held (at shutdown: DuckDB aborts the process
        when connections are left to the interpreter's exit); a Store handed back after this is
        closed, not kept."""
        with self._lock:
            opened, self._opened = self._opened, []
            self._latest_idle, self._past_idle = [], []
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
        """The answer to ``key`` at ``snapshot``, in the calling thread: resolved, then cached or
        computed by ``work(store)`` on a Store of the pool and encoded. ``running`` receives the lease
        being read (to interrupt it).

        The latest snapshot's answer is looked up before a Store is taken from the pool: a hit needs
        only the snapshot id, read from a local store's catalog."""
        if snapshot is None and self._peek is not None:
            latest = self._peek.latest()
            found = self._get((*key, latest), count_miss=False) if latest is not None else None
            if found is not None:
                return found
        lease = self._checkout(snapshot)
        try:
            if running is not None:
                with self._lock:
                    if running.get("abandoned"):  # timed out while the Store was opened: nobody waits
                        raise _timed_out(self.timeout_s)
                    running["lease"] = lease
            store = lease.view
            full = (*key, store.snapshot)
            found = self._get(full)
            if found is not None:
                return found
            payload = work(store)
            snap = store.snapshot
        finally:
            self._checkin(lease)
        body = encode(payload)
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        answer = Answer(snap, body, media_type, etag, payload)
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
            self._interrupt(running)
            raise _timed_out(limit)
        raise AssertionError("unreachable")  # pragma: no cover


def _timed_out(limit: float) -> Problem:
    return Problem(
        503,
        "timeout",
        "Query took too long",
        f"The query ran past the server's limit of {limit:g} s and was stopped. Narrow it (a shorter "
        "--from/--to span, fewer datasets, a coarser 'by'), or ask the operator for a higher limit "
        "(`peacewatch serve --query-timeout`).",
        headers={"Retry-After": "5"},
    )
