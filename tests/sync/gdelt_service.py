"""A GDELT 2.0 file server for the sync tests: lastupdate.txt, masterfilelist.txt and 15-minute zips.

It serves real GDELT 2.0 event rows (the shared sample of 2020-11-13, ../shared/data/gdelt_samples),
regrouped into the 15-minute export files their DATEADDED names and written as GDELT writes them: 61
tab-separated fields, no header, zipped, listed with their size and MD5. Faults are scheduled per file:
``truncate`` (the zip cut short), ``bad_md5`` (one byte changed, so the MD5 is not the listed one),
each for the first ``n`` downloads of that file or for all of them (-1); ``stall`` holds a download so
that the test can count how many run at once.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import threading
import time
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from werkzeug import Request, Response

SAMPLE = "gdelt_samples/gdelt2_events_20201113_relabelled_headers.csv.gz"
DATEADDED = 59


def sample_rows(data_dir: Path) -> list[list[str]]:
    """The sample's rows as the 61 GDELT 2.0 fields (its pandas index and joined Confidence dropped)."""
    with gzip.open(data_dir / SAMPLE, "rt", encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        return [row[1:62] for row in reader]


def zipped(name: str, rows: list[list[str]]) -> bytes:
    text = "".join("\t".join(r) + "\n" for r in rows).encode("utf-8")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        # A fixed time: the same file must zip to the same bytes (and MD5) at every request.
        z.writestr(zipfile.ZipInfo(name, date_time=(2020, 11, 13, 0, 0, 0)), text)
    return buf.getvalue()


@dataclass
class GdeltService:
    """The files (stamp -> rows) a GDELT folder serves, and the faults it plays."""

    files: dict[str, list[list[str]]]
    faults: dict[str, tuple[str, int]] = field(default_factory=dict)  # stamp -> (kind, times; -1: always)
    stall: float = 0.0
    hits: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    requests: list[str] = field(default_factory=list)
    in_flight: int = 0
    peak: int = 0
    base: str = ""
    reached: threading.Event = field(default_factory=threading.Event)  # set when a file is asked for

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    @classmethod
    def from_sample(cls, data_dir: Path, **kw) -> GdeltService:
        by_stamp: dict[str, list[list[str]]] = defaultdict(list)
        for row in sample_rows(data_dir):
            by_stamp[row[DATEADDED]].append(row)
        return cls(dict(sorted(by_stamp.items())), **kw)

    def blob(self, stamp: str) -> bytes:
        return zipped(f"{stamp}.export.CSV", self.files[stamp])

    def listing(self, stamps) -> str:
        lines = []
        for stamp in stamps:
            blob = self.blob(stamp)
            md5 = hashlib.md5(blob).hexdigest()
            lines.append(f"{len(blob)} {md5} {self.base}/{stamp}.export.CSV.zip")
            # The mentions and GKG files share the lists; a sync skips them.
            lines.append(f"1234 {'0' * 32} {self.base}/{stamp}.mentions.CSV.zip")
        return "\n".join(lines) + "\n"

    def install(self, httpserver, prefix: str = "/gdeltv2") -> str:
        """Serve this folder under ``prefix``; returns its base URL."""
        self.base = httpserver.url_for(prefix)
        httpserver.expect_request(f"{prefix}/lastupdate.txt").respond_with_handler(self._last)
        httpserver.expect_request(f"{prefix}/masterfilelist.txt").respond_with_handler(self._master)
        for stamp in self.files:
            httpserver.expect_request(f"{prefix}/{stamp}.export.CSV.zip").respond_with_handler(self._zip)
        return self.base

    def _last(self, request: Request) -> Response:
        self.requests.append(request.path)
        return Response(self.listing(list(self.files)[-1:]), content_type="text/plain")

    def _master(self, request: Request) -> Response:
        self.requests.append(request.path)
        return Response(self.listing(list(self.files)), content_type="text/plain")

    def _zip(self, request: Request) -> Response:
        stamp = request.path.rsplit("/", 1)[-1][:14]
        with self._lock:
            self.requests.append(request.path)
            self.hits[stamp] += 1
            n = self.hits[stamp]
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
        self.reached.set()
        try:
            if self.stall:
                time.sleep(self.stall)
            blob = self.blob(stamp)
            kind, times = self.faults.get(stamp, ("", 0))
            if kind == "truncate" and (times < 0 or n <= times):
                blob = blob[: len(blob) // 2]
            elif kind == "bad_md5" and (times < 0 or n <= times):
                # Same size, one byte changed: only the MD5 tells.
                middle = len(blob) // 2
                blob = blob[:middle] + bytes([blob[middle] ^ 0xFF]) + blob[middle + 1 :]
            return Response(blob, content_type="application/zip")
        finally:
            with self._lock:
                self.in_flight -= 1
