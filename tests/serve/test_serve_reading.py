"""The server's Reader: the latest snapshot id and a cached answer at it cost no DuckDB connection (a
local store's catalog is read with sqlite3), a new snapshot committed while serving is seen at once, and
its open Stores are a pool that requests on any thread take and hand back: never two requests on one
connection, a timed-out query interrupted on its own, every connection closed at shutdown."""

from __future__ import annotations

import threading

from serve_api_support import DATA, two_release_store

from peacewatch.serve.reading import Reader


def _on_a_new_thread(fn):
    """``fn()`` on a thread of its own; what it raised is raised here."""
    out: list = []

    def call():
        try:
            out.append((fn(), None))
        except BaseException as exc:  # handed to the caller's thread
            out.append((None, exc))

    t = threading.Thread(target=call)
    t.start()
    t.join()
    value, raised = out[0]
    if raised is not None:
        raise raised
    return value


def test_the_latest_snapshot_id_and_a_cached_answer_open_no_connection(tmp_path):
    import peacewatch as pw

    s = pw.open_store(tmp_path / "store")
    s.ingest([DATA / "acled_release_a.csv"], name="acled-afg")
    reader = Reader(str(tmp_path / "store"), timeout_s=30)  # as create_app passes a folder: its path
    try:
        assert _on_a_new_thread(reader.latest_id) == 1 and reader._opened == []
        first = _on_a_new_thread(lambda: reader.answer_now(("q",), None, lambda st: {"n": st.snapshot}))
        opened = len(reader._opened)
        again = _on_a_new_thread(lambda: reader.answer_now(("q",), None, lambda st: {"n": -1}))
        assert again is first and len(reader._opened) == opened  # the cache, on no new connection
        assert (reader.hits, reader.misses) == (1, 1)
        s.store.ingest([DATA / "acled_release_b.csv"], release_of="acled-afg")
        assert _on_a_new_thread(reader.latest_id) == 2
        after = _on_a_new_thread(lambda: reader.answer_now(("q",), None, lambda st: {"n": st.snapshot}))
        assert after.snapshot == 2 and after.payload == {"n": 2}
    finally:
        reader.close()


def test_requests_on_new_threads_reuse_the_pools_open_store(tmp_path):
    two_release_store(tmp_path)
    reader = Reader(str(tmp_path / "store"), timeout_s=30)
    try:
        for i in range(3):  # anyio ends idle worker threads: each request may come on a new one
            answer = _on_a_new_thread(lambda i=i: reader.answer_now((i,), None, lambda st: st.snapshot))
            assert answer.payload == 2
        assert len(reader._opened) == 1 and reader._latest_idle == reader._opened
    finally:
        reader.close()


def test_a_kept_store_follows_a_new_snapshot_on_its_own_connection(tmp_path):
    import peacewatch as pw

    s = pw.open_store(tmp_path / "store")
    s.ingest([DATA / "acled_release_a.csv"], name="acled-afg")
    reader = Reader(str(tmp_path / "store"), timeout_s=30)
    try:
        first = reader.answer_now(("n",), None, lambda st: len(st.query("SELECT * FROM events")))
        (kept,) = reader._opened
        con = kept._con
        s.store.ingest([DATA / "acled_release_b.csv"], release_of="acled-afg")
        after = reader.answer_now(("n",), None, lambda st: len(st.query("SELECT * FROM events")))
        assert (first.snapshot, after.snapshot) == (1, 2)  # a new snapshot: computed afresh
        assert reader._opened == [kept] and kept._con is con  # the same connection, attached again
        assert after.payload == s.at(2).store.query("SELECT count(*) FROM events")[0][0].as_py()
    finally:
        reader.close()


def test_past_snapshots_are_pooled_apart_and_bounded(tmp_path):
    two_release_store(tmp_path)
    reader = Reader(str(tmp_path / "store"), timeout_s=30, threads=1)
    try:
        with reader.lease(1) as past:
            assert past.snapshot == 1 and past.is_pinned
        with reader.lease(1) as again:
            assert again is past  # kept for the next request at that snapshot
        with reader.lease(None) as latest:
            assert latest.snapshot == 2
        assert len(reader._opened) == 2 and reader._past_idle == [past]
    finally:
        reader.close()


def test_a_store_in_use_is_not_handed_to_another_request(tmp_path):
    two_release_store(tmp_path)
    reader = Reader(str(tmp_path / "store"), timeout_s=30)
    try:
        with reader.lease(None) as held:
            other = _on_a_new_thread(lambda: _leased_con(reader))
            assert other is not held._con
        assert _on_a_new_thread(lambda: _leased_con(reader)) in (held._con, other)
        assert len(reader._opened) == 2
    finally:
        reader.close()


def _leased_con(reader):
    with reader.lease(None) as store:
        return store._con


def test_a_timed_out_query_is_interrupted_and_its_store_kept_only_once_it_has_returned(tmp_path):
    import anyio
    import duckdb
    import pytest

    from peacewatch.serve.problems import Problem

    two_release_store(tmp_path)
    reader = Reader(str(tmp_path / "store"), timeout_s=1)
    reader.answer_now(("open",), None, lambda st: st.snapshot)  # the pool's Store opened, not timed
    done = threading.Event()
    outcome: list = []

    def slow(store):
        try:
            with store.raw() as con:
                # Minutes of work when not stopped (a sum over ten billion numbers).
                return con.execute("SELECT sum(a) FROM range(10000000000) t(a)").fetchall()
        except duckdb.InterruptException as exc:
            outcome.append(exc)
            raise
        finally:
            done.set()

    try:
        with pytest.raises(Problem) as caught:
            # On a thread of its own: the main thread may hold a running event loop for the session
            # (Playwright's sync API in the browser tests keeps one), where anyio.run refuses to start.
            _on_a_new_thread(lambda: anyio.run(lambda: reader.answer(("slow",), None, slow)))
        assert caught.value.status == 503
        assert done.wait(60) and len(outcome) == 1  # stopped by the interrupt, not run to its end
        for _ in range(100):  # the abandoned thread hands the store back once its work has returned
            if reader._latest_idle:
                break
            threading.Event().wait(0.05)
        (kept,) = reader._latest_idle
        again = reader.answer_now(("n",), None, lambda st: st.query("SELECT 1 AS x")[0][0].as_py())
        assert again.payload == 1 and reader._opened == [kept]
    finally:
        reader.close()


def test_close_closes_every_store_and_one_handed_back_later(tmp_path):
    two_release_store(tmp_path)
    reader = Reader(str(tmp_path / "store"), timeout_s=30)
    with reader.lease(1):
        pass
    with reader.lease(None) as held:
        reader.close()  # shutdown while a request holds a store
        assert reader._opened == [] and reader._latest_idle == reader._past_idle == []
    assert held._con is None or _closed(held._con)
    assert reader._opened == [] and reader._latest_idle == []  # not kept after close


def _closed(con) -> bool:
    import duckdb

    try:
        con.execute("SELECT 1")
    except duckdb.ConnectionException:
        return True
    return False
