"""Proof that a compressed file is whole, run beside the ingest that reads it.

DuckDB reads a gzip stream that ends early as if it were complete: half of a .csv.gz ingests as the
first half of the events, and its last row may lose digits (fatalities 10 read as 1) without any
error. So every gzip file an ingest reads is also inflated here, in a background thread (zlib
releases the GIL, so on two cores this costs the ingest almost nothing), bounded in memory whatever
the compression ratio; a stream that stops before its end-of-stream marker, fails its CRC or carries
trailing garbage is a SourceError, checked before the ingest commits.

>>> with GzipProofs([Path("ged.csv.gz")]) as proofs:  # doctest: +SKIP
...     proofs.check()  # raises SourceError when the file ends early
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Iterable
from pathlib import Path

from peacewatch.errors import SourceError

GZIP_MAGIC = b"\x1f\x8b"
_READ = 1 << 22  # bytes read per step
_INFLATE = 1 << 20  # at most this much inflated output held at once, whatever the ratio


class _GzipCheck:
    """Inflates gzip members as their bytes arrive, keeping nothing; says whether the last one ended."""

    def __init__(self, path: Path):
        self.path = path
        self.member: zlib._Decompress | None = None
        self.members = 0
        self.inflated = 0

    def feed(self, data: bytes) -> None:
        while data:
            if self.member is None:
                if not data.strip(b"\x00"):
                    return  # zero padding after the last member, as some tape and archive tools write
                self.member = zlib.decompressobj(16 + zlib.MAX_WBITS)
                self.members += 1
            try:
                out = self.member.decompress(data, _INFLATE)
                self.inflated += len(out)
                # At the end of a member zlib keeps the rest of the input in unused_data (and, as
                # well, in unconsumed_tail): stop there and start the next member from unused_data.
                while not self.member.eof and (self.member.unconsumed_tail or len(out) == _INFLATE):
                    out = self.member.decompress(self.member.unconsumed_tail, _INFLATE)
                    self.inflated += len(out)
                    if not out and not self.member.unconsumed_tail:
                        break
            except zlib.error as exc:
                raise SourceError(
                    f"{self.path}: expected a complete gzip stream, found corrupt data in member "
                    f"{self.members} after {self.inflated:,} inflated bytes ({exc}).",
                    hint="The file is damaged: download or copy it again. Nothing was ingested.",
                ) from exc
            if not self.member.eof:
                return
            data = self.member.unused_data
            self.member = None

    def finish(self) -> None:
        if self.member is not None and not self.member.eof:
            raise SourceError(
                f"{self.path}: expected a complete gzip stream, found one that ends early (truncated "
                f"after {self.inflated:,} inflated bytes): reading it would count only part of the file "
                "and could cut its last row short.",
                hint="The file is incomplete: download or copy it again. Nothing was ingested.",
            )


def prove_whole(path: Path, stop: threading.Event | None = None) -> None:
    """Inflate ``path`` to its end if it is gzip (told by its first bytes, whatever its name); raise
    SourceError when it ends early or is corrupt. Memory stays a few MB for any file and ratio."""
    check: _GzipCheck | None = None
    with open(path, "rb") as fh:
        first = True
        while chunk := fh.read(_READ):
            if first:
                if chunk[:2] != GZIP_MAGIC:
                    return
                check, first = _GzipCheck(path), False
            if stop is not None and stop.is_set():
                return
            check.feed(chunk)
    if check is not None:
        check.finish()


class GzipProofs:
    """Prove files whole one after another in a background thread while the caller reads them.

    :meth:`check` waits for one file's proof (or all of them) and raises its SourceError; leaving the
    block stops the thread within one read step.
    """

    def __init__(self, paths: Iterable[Path]):
        self.paths = list(dict.fromkeys(paths))
        self.done = {p: threading.Event() for p in self.paths}
        self.errors: dict[Path, SourceError] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="peacewatch-gzip-proof", daemon=True)

    def _run(self) -> None:
        for path in self.paths:
            try:
                prove_whole(path, self.stop)
            except SourceError as exc:
                self.errors[path] = exc
            except OSError as exc:  # the file vanished or became unreadable: the ingest reports that
                self.errors[path] = SourceError(f"{path}: could not be read to its end ({exc}).")
            finally:
                self.done[path].set()

    def __enter__(self) -> GzipProofs:
        if self.paths:
            self.thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop.set()
        if self.thread.is_alive():
            self.thread.join()

    def check(self, path: Path | None = None) -> None:
        """Wait for the proof of ``path`` (default: every file) and raise its SourceError, if any."""
        for p in [path] if path is not None else self.paths:
            if p in self.done:
                self.done[p].wait()
                if p in self.errors:
                    raise self.errors[p]
