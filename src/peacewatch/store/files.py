"""The store file on disk: one writer at a time, readers never blocked, no half-written state.

DuckDB lets one process write a database file, and other processes cannot open it while it does.
So an ingest never writes the store in place: it copies the file, writes the copy and renames the
copy over the original (an atomic step on POSIX file systems). Readers that opened the old file keep
reading it; readers that open after the rename see the new one; an ingest killed at any moment
leaves only a stray copy that the next writer removes, if the process that made it is gone (a store's
working files are matched by name literally, never as a glob). The store keeps its mode and owner.
See docs/adr/0003-copy-on-write-store.md.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from peacewatch.errors import StoreError


def _tmp_path(path: Path) -> Path:
    return path.with_name(f"{path.name}.tmp-{os.getpid()}")


def _remove(*paths: Path) -> None:
    for p in paths:
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a process of another user: alive
        return True
    return True


def _leftovers(path: Path, *, pid: int | None = None) -> list[Path]:
    """The working files of ``path``'s writers (``NAME.tmp-PID`` and ``NAME.tmp-PID.*``: the copy, its
    WAL and spill folder), matched literally: a ``*`` or ``[`` in the store's name is just a character.
    With ``pid``, only that writer's files; without, only those whose writer is no longer running."""
    prefix = f"{path.name}.tmp-"
    found = []
    try:
        names = os.listdir(path.parent)
    except OSError:
        return []
    for name in names:
        if not name.startswith(prefix):
            continue
        digits, _, _ = name[len(prefix) :].partition(".")
        if not digits.isdigit():
            continue
        owner = int(digits)
        if (pid is not None and owner == pid) or (pid is None and owner != os.getpid() and not _alive(owner)):
            found.append(path.parent / name)
    return found


def _remove_stale(path: Path) -> None:
    _remove(*_leftovers(path))


def _remove_own(path: Path) -> None:
    """Remove this process's working files of ``path`` but its zip folder (the ingest removes that)."""
    _remove(*(p for p in _leftovers(path, pid=os.getpid()) if p.suffix != ".unzip"))


def _copy_keeping_mode(path: Path, tmp: Path) -> None:
    """Copy the store into ``tmp``, created private (0600) so that a private store is never readable by
    others while it is copied; it takes the store's mode and owner (when this user may give it) before
    it replaces the store. A new store is made by DuckDB and follows the umask."""
    st = path.stat()
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as dst, open(path, "rb") as src:
        shutil.copyfileobj(src, dst, 1 << 22)
        with contextlib.suppress(PermissionError):  # another user's store becomes ours, as with any writer
            os.fchown(dst.fileno(), st.st_uid, st.st_gid)
        os.fchmod(dst.fileno(), stat.S_IMODE(st.st_mode))


def unzip_folder(path: Path) -> Path:
    """The working folder for unpacked zip members beside the store (``STORE.tmp-PID.unzip``), made
    only when a zip is read: the caller removes it; after a kill -9, the next writer does, as with the
    copy."""
    folder = Path(f"{_tmp_path(path)}.unzip")
    shutil.rmtree(folder, ignore_errors=True)
    return folder


@contextmanager
def writer_lock(path: Path) -> Iterator[None]:
    """Hold the store's writer lock (a ``.lock`` file beside it) for the duration of the block."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = path.with_name(f"{path.name}.lock")
    while True:
        fh = open(lock, "a+")  # noqa: SIM115 - closed below, after the lock is released
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            fh.close()
            raise StoreError(
                f"{path}: another peacewatch process is writing this store.",
                hint="Wait for it to finish, or use another --store.",
            ) from exc
        # A lock file deleted (or replaced) between our open and our lock is no lock: take it again.
        try:
            same = os.path.samestat(os.fstat(fh.fileno()), os.stat(lock))
        except FileNotFoundError:
            same = False
        if same:
            break
        fh.close()
    try:
        yield
    finally:
        fcntl.flock(fh, fcntl.LOCK_UN)
        fh.close()


@contextmanager
def copy_on_write(path: Path) -> Iterator[Path]:
    """Yield a private copy of the store to write; on success it replaces the store atomically.

    On any exception (including KeyboardInterrupt) the copy is removed and the store is untouched.
    """
    with writer_lock(path):
        _remove_stale(path)
        tmp = _tmp_path(path)
        _remove_own(path)  # a copy left under our PID by a killed process that had it before us
        try:
            if path.exists():
                _copy_keeping_mode(path, tmp)  # inside the try: a full disk mid-copy leaves no copy
            yield tmp
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, path)
            dir_fd = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        finally:
            _remove(tmp)
            _remove_own(path)
