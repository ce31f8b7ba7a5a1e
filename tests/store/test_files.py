"""The store's files on disk: ingest keeps a store's mode, new stores follow the umask, and clean-up
removes only this store's working files, matched literally, and only those of writers that are gone."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from peacewatch.store import Store

ARGENTINA = "acled_global_sample_2022/acled_argentina_2022-06_326_events.csv.gz"


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def two_files(data_file, tmp_path):
    """Two real files: the Argentina export, and its first half under another name (another sha256)."""
    first = data_file(ARGENTINA)
    import gzip

    lines = gzip.decompress(first.read_bytes()).decode().splitlines(keepends=True)
    half = tmp_path / "acled_argentina_first_half.csv"
    half.write_text("".join(lines[: len(lines) // 2]), encoding="utf-8")
    return first, half


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o604])
def test_ingest_keeps_the_mode_of_an_existing_store(tmp_path, two_files, mode):
    store = Store(tmp_path / "s.duckdb")
    store.ingest([two_files[0]])
    os.chmod(store.path, mode)
    owner = os.stat(store.path).st_uid, os.stat(store.path).st_gid
    store.ingest([two_files[1]])
    assert len(store.datasets()) == 2
    assert _mode(store.path) == mode
    assert (os.stat(store.path).st_uid, os.stat(store.path).st_gid) == owner


@pytest.mark.parametrize("umask, expected", [(0o077, 0o600), (0o022, 0o644), (0o027, 0o640)])
def test_a_new_store_follows_the_umask(tmp_path, data_file, umask, expected):
    code = (
        "import os, sys; os.umask(int(sys.argv[3], 8)); from peacewatch.store import Store; "
        "Store(sys.argv[1]).ingest([sys.argv[2]])"
    )
    path = tmp_path / "new.duckdb"
    done = subprocess.run(
        [sys.executable, "-c", code, str(path), str(data_file(ARGENTINA)), oct(umask)[2:]],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert _mode(path) == expected


def _live_writer_files(folder, name):
    """The working files of a writer that is still running (a sleeping child process)."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    copy = folder / f"{name}.tmp-{proc.pid}"
    copy.write_bytes(b"a copy being written")
    spill = folder / f"{name}.tmp-{proc.pid}.spill"
    spill.mkdir()
    (spill / "block").write_bytes(b"spilled")
    return proc, [copy, spill]


def test_a_star_in_the_store_name_touches_no_other_store_s_working_files(tmp_path, two_files):
    other = tmp_path / "store.duckdb"
    proc, files = _live_writer_files(tmp_path, other.name)
    try:
        starred = Store(tmp_path / "s*.duckdb")
        starred.ingest([two_files[0]])
        assert starred.path.name == "s*.duckdb" and len(starred.datasets()) == 1
        assert all(p.exists() for p in files)
        assert (files[1] / "block").read_bytes() == b"spilled"
    finally:
        proc.kill()
        proc.wait()


def test_a_live_writer_s_copy_survives_a_deleted_lock_file_and_a_dead_writer_s_is_removed(
    tmp_path, two_files
):
    store = Store(tmp_path / "s.duckdb")
    store.ingest([two_files[0]])
    proc, live = _live_writer_files(tmp_path, store.path.name)
    dead_proc = subprocess.Popen([sys.executable, "-c", "pass"])
    dead_proc.wait()
    dead = [tmp_path / f"s.duckdb.tmp-{dead_proc.pid}", tmp_path / f"s.duckdb.tmp-{dead_proc.pid}.wal"]
    for p in dead:
        p.write_bytes(b"left by a killed ingest")
    (tmp_path / "s.duckdb.lock").unlink(missing_ok=True)  # as a user might, by hand
    try:
        store.ingest([two_files[1]])
        assert all(p.exists() for p in live)
        assert not any(p.exists() for p in dead)
        assert len(store.datasets()) == 2
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_ingest_keeps_the_owner_of_a_store_owned_by_another_user(tmp_path, two_files):
    store = Store(tmp_path / "s.duckdb")
    store.ingest([two_files[0]])
    os.chown(store.path, 65534, 65534)
    os.chmod(store.path, 0o640)
    store.ingest([two_files[1]])
    st = os.stat(store.path)
    assert (st.st_uid, st.st_gid, _mode(store.path)) == (65534, 65534, 0o640)


def test_a_full_disk_while_copying_the_store_leaves_no_partial_copy(tmp_path, two_files, monkeypatch):
    import errno

    from peacewatch.store import files

    store = Store(tmp_path / "s.duckdb")
    store.ingest([two_files[0]])
    before = store.path.read_bytes()

    def full(src, dst, length=0):
        dst.write(src.read(4096))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.shutil, "copyfileobj", full)
    with pytest.raises(OSError):
        store.ingest([two_files[1]])
    assert store.path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "acled_argentina_first_half.csv",
        "s.duckdb",
        "s.duckdb.lock",
    ]
