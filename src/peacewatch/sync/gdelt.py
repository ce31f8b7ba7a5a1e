"""GDELT 2.0: the 15-minute event exports, verified, downloaded in parallel and filtered.

The protocol (GDELT 2.0 Event Database, data.gdeltproject.org/gdeltv2/): ``lastupdate.txt`` lists the
newest 15-minute files and ``masterfilelist.txt`` every file since February 2015, one per line as
``size md5 url``; the events are ``YYYYMMDDHHMMSS.export.CSV.zip``, a zip holding one tab-separated file
of 61 fields without a header (the mentions and GKG files on the same lists are skipped). Each download
is checked against its listed size and MD5 and opened as a zip; a file that fails is fetched again
(``attempts`` times) and then fails the sync, naming the file, so that nothing of it is kept.

What is kept: the rows whose ActionGeo_CountryCode (FIPS 10-4, where the event took place, which is the
country the ``gdelt`` reader gives an event) is among the asked countries, and whose EventRootCode is among
the asked CAMEO roots. A page is the kept rows as GDELT wrote them, so the ``gdelt`` reader reads a synced
file exactly as it reads a downloaded one.

The cursor is the timestamp of the last file applied; the next sync asks for the files after it (from
``lastupdate.txt`` alone when it is the next one, else from the master list). GDELT's exports are
append-only, so a sync adds events and never edits or deletes them.

>>> parse_list("150 0f343b0931126a20f133d67c2b018a3b http://h/gdeltv2/20250101000000.export.CSV.zip")[0].stamp
'20250101000000'
"""

from __future__ import annotations

import hashlib
import io
import re
import threading
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from peacewatch.errors import ArgumentError, SyncError
from peacewatch.sources.gdelt import SOURCE, export_plan, export_table
from peacewatch.sources.gdelt_layouts import GDELT2_FIELDS
from peacewatch.sync.http import ServiceClient, now_utc
from peacewatch.sync.pages import Page, Pull

BASE_URL = "http://data.gdeltproject.org/gdeltv2"
LAST_UPDATE = "lastupdate.txt"
MASTER_LIST = "masterfilelist.txt"
_EXPORT = re.compile(r"/(\d{14})\.export\.CSV\.zip$", re.IGNORECASE)
_ROOT = GDELT2_FIELDS.index("EventRootCode")
_COUNTRY = GDELT2_FIELDS.index("ActionGeo_CountryCode")
FIRST_FILE = "20150218224500"  # GDELT 2.0's first export


@dataclass(frozen=True)
class ListedFile:
    """One export on GDELT's lists: its listed size and MD5, its URL and its 15-minute timestamp."""

    size: int
    md5: str
    url: str
    stamp: str

    @property
    def name(self) -> str:
        return self.url.rsplit("/", 1)[-1]


def parse_list(text: str, source: str = MASTER_LIST) -> list[ListedFile]:
    """The event exports of a ``lastupdate.txt`` or ``masterfilelist.txt`` (``size md5 url`` lines),
    in time order; other files are skipped, a line that is not three fields is an error naming it."""
    out = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 3 or not parts[0].isdigit() or not re.fullmatch(r"[0-9a-fA-F]{32}", parts[1]):
            raise SyncError(
                f"{source} line {n}: expected 'size md5 url', found {line[:120]!r}.",
                hint="Check --base-url: it should be a GDELT 2.0 folder holding lastupdate.txt and "
                "masterfilelist.txt.",
            )
        found = _EXPORT.search(parts[2])
        if found:
            out.append(ListedFile(int(parts[0]), parts[1].lower(), parts[2], found.group(1)))
    return sorted(out, key=lambda f: f.stamp)


def stamp_of(day: date) -> str:
    """The timestamp of the first 15-minute file of a day."""
    return day.strftime("%Y%m%d") + "000000"


def check_roots(roots: Iterable[str]) -> tuple[str, ...]:
    """CAMEO root codes as GDELT writes them (two digits: '18', '04'), checked to be 01-20."""
    out = []
    for r in roots:
        r = r.strip()
        if not r.isdigit() or not 1 <= int(r) <= 20:
            raise ArgumentError(
                f"--cameo-root {r!r}: expected CAMEO root codes 01 to 20 (e.g. 18,19,20 for assault, "
                "fight and mass violence)."
            )
        out.append(f"{int(r):02d}")
    return tuple(dict.fromkeys(out))


@dataclass
class GdeltPage:
    """One export, verified and filtered: its request, the kept rows (raw bytes as GDELT wrote them),
    the zip as GDELT sent it (for the archive) and the counts."""

    request: str
    name: str
    stamp: str
    body: bytes
    raw: bytes
    rows_read: int
    rows_kept: int
    md5: str = ""


@dataclass
class GdeltSync:
    """The files after the cursor (or from ``since``), fetched ``parallel`` at a time, in time order.

    ``countries`` are FIPS 10-4 codes (``peacewatch.sources.gdelt.fips_to_iso3`` inverted); empty keeps
    every country, as empty ``roots`` keep every root. Iterate :meth:`pages`; :attr:`cursor` is then the
    last file's timestamp.
    """

    client: ServiceClient
    since: date | None = None
    countries: tuple[str, ...] = ()
    roots: tuple[str, ...] = ()
    parallel: int = 4
    saved: dict | None = None
    until: str | None = None  # a timestamp; files after it wait for a later sync
    attempts: int = 3
    cursor: dict = field(default_factory=dict)
    in_flight_peak: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.parallel <= 16:
            raise ArgumentError(f"--parallel {self.parallel}: expected 1 to 16 downloads at a time.")
        self._lock = threading.Lock()
        self._in_flight = 0

    def start(self) -> str:
        """The timestamp after which files are wanted: the cursor's, else the day before ``since``."""
        last = (self.saved or {}).get("last_file")
        if last:
            return last
        if self.since is None:
            raise ArgumentError(
                "peacewatch sync gdelt: the first sync of these filters needs --since (GDELT 2.0 holds "
                "every 15 minutes since February 2015, about 100 files a day).",
                hint="Add --since YYYY-MM-DD; later syncs continue from the last file applied.",
            )
        return max(stamp_of(self.since), FIRST_FILE)

    def listed(self) -> list[ListedFile]:
        """The exports after the start: from lastupdate.txt when that is enough, else the master list."""
        after = self.start()
        wanted_from = after if (self.saved or {}).get("last_file") else None
        latest = parse_list(self._text(LAST_UPDATE), LAST_UPDATE)
        newest = latest[-1].stamp if latest else None
        if newest is not None and newest <= after and wanted_from:
            return []  # nothing new since the last sync
        if latest and wanted_from and _next_stamp(after) == latest[0].stamp:
            files = latest
        else:
            files = parse_list(self._text(MASTER_LIST), MASTER_LIST)
        keep = (lambda s: s > after) if wanted_from else (lambda s: s >= after)
        return [f for f in files if keep(f.stamp) and (self.until is None or f.stamp <= self.until)]

    def _text(self, path: str) -> str:
        response = self.client.send("GET", path)
        if response.status_code != 200:
            raise self.client.failed(response, f"GET {self.client.url(path)}", "200 and a list of files")
        return response.text

    def pages(self) -> Iterator[GdeltPage]:
        """The filtered exports, in time order, at most ``parallel`` downloads at a time."""
        files = self.listed()
        self.cursor = dict(self.saved or {})
        pool = ThreadPoolExecutor(max_workers=self.parallel, thread_name_prefix="gdelt")
        try:
            # map() keeps the order; it queues every file at once, but only `parallel` run at a time.
            for listed, page in zip(files, pool.map(self._fetch, files), strict=True):
                self.cursor = {"last_file": listed.stamp}
                yield page
        finally:
            # A failed file (or a stop) fails the sync: the files still queued are not fetched.
            pool.shutdown(wait=True, cancel_futures=True)

    def _fetch(self, listed: ListedFile) -> GdeltPage:
        with self._lock:
            self._in_flight += 1
            self.in_flight_peak = max(self.in_flight_peak, self._in_flight)
        try:
            return self._verified(listed)
        finally:
            with self._lock:
                self._in_flight -= 1

    def _verified(self, listed: ListedFile) -> GdeltPage:
        problem = ""
        what = f"GET {self.client.redactor(listed.url)}"
        for _ in range(self.attempts):
            response = self.client.send("GET", listed.url)
            if response.status_code != 200:
                raise self.client.failed(response, what, "200 and the zipped export")
            raw = response.content
            digest = hashlib.md5(raw, usedforsecurity=False).hexdigest()
            if len(raw) != listed.size:
                problem = f"{len(raw):,} bytes where the list says {listed.size:,}"
                continue
            if digest != listed.md5:
                problem = f"MD5 {digest} where the list says {listed.md5}"
                continue
            try:
                text = _unzipped(raw)
            except (zipfile.BadZipFile, OSError, EOFError, KeyError) as exc:
                problem = f"a zip that cannot be opened ({exc})"
                continue
            body, read, kept = self._filter(text)
            return GdeltPage(what, listed.name, listed.stamp, body, raw, read, kept, digest)
        raise SyncError(
            f"{listed.name}: expected the zipped export GDELT lists ({listed.size:,} bytes, MD5 "
            f"{listed.md5}), found {problem} on all {self.attempts} downloads ({what}).",
            hint="The sync kept nothing; run it again later (GDELT may still be writing the file).",
        )

    def _filter(self, data: bytes) -> tuple[bytes, int, int]:
        lines = data.splitlines(keepends=True)
        if not self.countries and not self.roots:
            return data, len(lines), len(lines)
        kept = []
        countries, roots = set(self.countries), set(self.roots)
        for line in lines:
            parts = line.split(b"\t")
            if len(parts) <= _COUNTRY:
                kept.append(line)  # a row of the wrong width: the reader quarantines it with its reason
                continue
            if countries and parts[_COUNTRY].decode("ascii", "replace").upper() not in countries:
                continue
            if roots and parts[_ROOT].decode("ascii", "replace").zfill(2) not in roots:
                continue
            kept.append(line)
        return b"".join(kept), len(lines), len(kept)


def _unzipped(raw: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        names = [n for n in z.namelist() if not n.endswith("/")]
        if len(names) != 1:
            raise zipfile.BadZipFile(f"{len(names)} files in the zip where GDELT writes one")
        return z.read(names[0])


def _next_stamp(stamp: str) -> str:
    from datetime import timedelta

    when = datetime.strptime(stamp, "%Y%m%d%H%M%S").replace(tzinfo=UTC) + timedelta(minutes=15)
    return when.strftime("%Y%m%d%H%M%S")


def dataset_id_for(countries: Sequence[str], roots: Sequence[str]) -> str:
    """The dataset a set of filters keeps current.

    >>> dataset_id_for(["Armenia", "AJ"], ["18", "19"])
    'gdelt-api-armenia-aj-cameo-18-19'
    """
    parts = [*countries] or ["all"]
    if roots:
        parts.append("cameo " + " ".join(roots))
    return "gdelt-api-" + re.sub(r"[^a-z0-9]+", "-", " ".join(parts).lower()).strip("-")[:80]


def pull(
    *,
    since: date | None = None,
    countries: Sequence[str] = (),
    fips: Sequence[str] = (),
    roots: Sequence[str] = (),
    parallel: int = 4,
    cursor: dict | None = None,
    base_url: str = BASE_URL,
    dataset_id: str | None = None,
    client: ServiceClient | None = None,
    until: str | None = None,
) -> Pull:
    """A pull of the exports after ``cursor`` (or from ``since``): ``countries`` as the user named them,
    ``fips`` their FIPS 10-4 codes (what the rows carry), ``roots`` the CAMEO roots to keep. GDELT needs
    no credentials. Nothing is requested until the store reads the pull's pages."""
    client = client or ServiceClient(base_url)
    sync = GdeltSync(
        client, since=since, countries=tuple(fips), roots=tuple(roots), parallel=parallel, saved=cursor,
        until=until,
    )  # fmt: skip
    sync.start()  # a first sync without --since fails here, before anything is requested
    filters: dict = {"country": list(countries), "cameo_root": list(roots)}
    if since:
        filters["since"] = since.isoformat()
    filters = {k: v for k, v in filters.items() if v}
    accessed = now_utc()
    shown = ", ".join(f"{k}={'|'.join(v) if isinstance(v, list) else v}" for k, v in filters.items())
    the_pull = Pull(
        source=SOURCE,
        dataset_id=dataset_id or dataset_id_for(countries, roots),
        filters=filters,
        service=client.base_url,
        pages=(),
        accessed_at=accessed,
        version="GDELT 2.0",
        cursor=dict(cursor or {}),
        # The access note briefs print (briefs/attribution.py: access).
        notes=(
            f"synced from GDELT 2.0's event exports ({client.base_url}) with {shown or 'no filters'}; "
            f"accessed {accessed.isoformat()}",
        ),
        requests=lambda: client.requests,
    )

    def pages() -> Iterator[Page]:
        read = kept = 0
        for page in sync.pages():
            read, kept = read + page.rows_read, kept + page.rows_kept
            plan = export_plan(export_table(page.body))
            # The archive keeps the rows kept, as GDELT wrote them, and names the file, its size and
            # MD5 (verified): the whole zips of a filtered sync would be ~100 times the rows kept.
            request = f"{page.request} ({len(page.raw):,} bytes, MD5 {page.md5}: verified; rows kept)"
            yield Page(request=request, body=page.body, plan=plan, rows=page.rows_kept)
        the_pull.cursor = sync.cursor
        if read:
            the_pull.notes = (*the_pull.notes, f"{kept:,} of {read:,} rows kept by the filters")

    the_pull.pages = pages()
    the_pull.sync = sync  # type: ignore[attr-defined]  # the tests read its in_flight_peak
    return the_pull
