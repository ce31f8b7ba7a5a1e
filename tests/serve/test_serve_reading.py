"""The server's Reader: the latest snapshot id and a cached answer at it cost no DuckDB connection on
a thread that has none (a local store's catalog is read with sqlite3), and a new snapshot committed
while serving is seen at once."""

from __future__ import annotations

import threading

from serve_api_support import DATA

from peacewatch.serve.reading import Reader


def _on_a_new_thread(fn):
    out: list = []
    t = threading.Thread(target=lambda: out.append(fn()))
    t.start()
    t.join()
    return out[0]


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
