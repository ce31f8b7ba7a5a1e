"""How the store's failures read to a user: one sentence naming the file, what went wrong and what to
do, for a store path that is no store, a damaged store, and an ingest that DuckDB stopped (a full
disk, too little memory, a line longer than DuckDB reads, a file not as its reader planned)."""

from __future__ import annotations

import gzip
import re
import stat
from contextlib import contextmanager
from pathlib import Path

import duckdb

from peacewatch.errors import IngestError, PeacewatchError, StoreError


def check_store_folder(path: Path) -> None:
    """Refuse, with one sentence, a store path that cannot be a store folder: a file (a store written
    by an earlier peacewatch, one DuckDB file, gets the commands that rebuild it), a device such as
    /dev/null, or a path that cannot be read. A path that does not exist yet is fine (an ingest makes it)."""
    where = "Point --store or PEACEWATCH_STORE at a store folder made by `peacewatch ingest`."
    try:
        st = path.stat()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StoreError(f"{path}: cannot read the store ({exc.strerror}).", hint=where) from None
    if stat.S_ISDIR(st.st_mode):
        return
    if not stat.S_ISREG(st.st_mode):
        raise StoreError(
            f"{path}: expected a store folder, found a device or other special file.", hint=where
        )
    try:
        with open(path, "rb") as fh:
            head = fh.read(12)
    except OSError as exc:
        raise StoreError(f"{path}: cannot read the store ({exc.strerror}).", hint=where) from None
    if head[8:12] == b"DUCK":  # DuckDB's magic bytes, after the 8-byte checksum of the first block
        from peacewatch.store.legacy import legacy_store_error

        raise legacy_store_error(path)
    raise StoreError(f"{path}: expected a store folder, found a file.", hint=where)


_DAMAGE = (duckdb.IOException, duckdb.SerializationException, duckdb.InternalException)
# What DuckDB, its Parquet reader and SQLite say of a damaged catalog or data file.
_DAMAGE_MESSAGES = (
    "malformed",
    "not a database",
    "Failed to read file",
    "Failed to probe DuckLake metadata",
    "decompression failure",
    "Corrupt",
    "corrupt",
    "Invalid Parquet",
    "No magic bytes",
)


@contextmanager
def unreadable(path: Path):
    """DuckDB's errors on reading a damaged store file, as one StoreError naming the file."""
    try:
        yield
    except duckdb.Error as exc:
        if not isinstance(exc, _DAMAGE) and not any(m in str(exc) for m in _DAMAGE_MESSAGES):
            raise
        raise StoreError(
            f"{path}: the store is damaged and cannot be read ({_first_line(exc)}).",
            hint="Restore it from a backup, or rebuild it by ingesting the source files into a new --store.",
        ) from None


def _first_line(exc: Exception) -> str:
    """The first line of the error's message, or its name when it has none."""
    message = str(exc).strip()
    return message.splitlines()[0] if message else type(exc).__name__


def ingest_error(path: Path, exc: duckdb.Error, memory_limit: str = "") -> PeacewatchError:
    """The IngestError for a DuckDB error while reading ``path`` into the store."""
    message, first = str(exc), _first_line(exc)
    if "No space left on device" in message or "Disk quota exceeded" in message:
        return IngestError(
            f"{path}: the disk is full: the ingest could not write the store's new files ({first}).",
            hint="Nothing was committed. Free disk space in the store's folder and run it again.",
        )
    if isinstance(exc, duckdb.OutOfMemoryException):
        return IngestError(
            f"{path}: the ingest ran out of memory (DuckDB's limit here is {memory_limit}): {first}",
            hint="Nothing was committed. Free memory or disk space for spilling (the store's folder), or "
            "split the file and ingest the parts.",
        )
    too_long = _LINE_SIZE.search(message)
    if too_long:
        limit, actual = int(too_long.group(1)), int(too_long.group(2))
        original = _ORIGINAL.search(message)
        line = _line_starting(path, original.group(1)[:200]) if original else None
        where = f"{path}:{line}" if line else str(path)
        return IngestError(
            f"{where}: a line of {actual:,} bytes, longer than the {limit:,} bytes a line may have "
            "(a field that never closes its quote, or a file that is not a delimited table).",
            hint="Nothing was committed. Fix or remove that line, or split the field, and ingest again.",
        )
    return IngestError(
        f"{path}: the file could not be read as planned: {first}",
        hint="Check the file's format, or force a reader with --source / --mapping.",
    )


_LINE_SIZE = re.compile(r"Maximum line size of (\d+) bytes exceeded\. Actual Size:\s*(\d+) bytes")
_ORIGINAL = re.compile(r"Original Line: ([^\n]{1,200})")


def _line_starting(path: Path, prefix: str) -> int | None:
    """The number of the first physical line of ``path`` (plain or gzip) that starts with ``prefix``.
    DuckDB names the line by its text but numbers it within a parallel chunk ("Line: 1"), so the
    line is found again here, reading the file as a stream."""
    wanted = prefix.encode("utf-8", errors="replace")
    opener = gzip.open if path.suffix.lower() == ".gz" else open
    try:
        with opener(path, "rb") as fh:
            for number, raw in enumerate(_lines(fh), start=1):
                if raw.startswith(wanted):
                    return number
    except (OSError, EOFError):
        return None
    return None


def _lines(fh, chunk: int = 1 << 20):
    """Physical lines as bytes, each cut to its first 4 KB (a 10 MB line is not held whole)."""
    head, keep = b"", True
    while block := fh.read(chunk):
        start = 0
        while (end := block.find(b"\n", start)) != -1:
            if keep:
                head += block[start:end]
            yield head[:4096]
            head, keep, start = b"", True, end + 1
        if keep:
            head += block[start:]
            if len(head) > 4096:
                head, keep = head[:4096], False
    if head:
        yield head
