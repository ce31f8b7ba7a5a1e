"""The UCDP API's protocol: GED and GED Candidate events (ucdpapi.pcr.uu.se), page by page.

The protocol (UCDP's API docs, ucdp.uu.se/apidocs): ``GET {base}/gedevents/{version}`` with ``pagesize``
and a zero-based ``page``; filters ``Country`` (Gleditsch-Ward numbers, comma-separated), ``StartDate`` and
``EndDate`` (YYYY-MM-DD); the token in the ``x-ucdp-access-token`` header (401 without it, since
February 2026). Each answer is ``{TotalCount, TotalPages, PreviousPageUrl, NextPageUrl, Result}``; the
client follows ``NextPageUrl`` until the last of ``TotalPages``. A page is handed on as UCDP sent it: it
is the API page format ``peacewatch.sources.ucdp`` reads from a file, so a synced event equals the event
read from a saved page.

Versions: a final GED release is ``YY.1`` (25.1 holds 1989 to the end of 2024); a Candidate release is
``YY.0.M``, the events of month M of 20YY (26.0.10: October 2026). ``latest`` is found by asking for one
event of each likely version, newest first. A version's data never change (UCDP guarantees that an API
call returns the same data forever), so a sync of one version is a pass over its pages: new and edited
events arrive when the version changes, and the ids the new version lacks are deletions.

The quota: UCDP allows 5,000 requests a day per token. Every answer counts (retries too); the count per
UTC day travels in the cursor, and a pass stops before the request that could cross the quota, keeping
the pages it has, with a cursor that resumes at the next page the next UTC day.

>>> UcdpQuery("candidate", "26.0.10").coverage()
(datetime.date(2026, 10, 1), datetime.date(2026, 10, 31))
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from peacewatch.errors import ArgumentError, CredentialsError, SyncError
from peacewatch.sync.http import ServiceClient

BASE_URL = "https://ucdpapi.pcr.uu.se/api"
RESOURCE = "gedevents"
TOKEN_HEADER = "x-ucdp-access-token"
DAILY_QUOTA = 5000
PAGESIZE = 1000  # UCDP's largest page
DATASETS = ("ged", "candidate")
_GED = re.compile(r"^(\d{2})\.1$")
_CANDIDATE = re.compile(r"^(\d{2})\.0\.(\d{1,2})$")


def check_version(dataset: str, version: str) -> str:
    """``version`` if it names a release of ``dataset`` (or is ``latest``), else an ArgumentError."""
    if dataset not in DATASETS:
        raise ArgumentError(f"--dataset {dataset!r}: expected ged or candidate.")
    if version == "latest":
        return version
    pattern, example = (_GED, "25.1") if dataset == "ged" else (_CANDIDATE, "26.0.10")
    found = pattern.match(version)
    if not found or (dataset == "candidate" and not 1 <= int(found.group(2)) <= 12):
        raise ArgumentError(
            f"--version {version!r}: expected a UCDP {dataset} version such as {example}, or latest.",
            hint="Final GED releases are YY.1 (yearly); Candidate releases are YY.0.M (month M of 20YY).",
        )
    return version


@dataclass(frozen=True)
class UcdpQuery:
    """What a UCDP sync asks for: the dataset, its version and the filters the service applies."""

    dataset: str
    version: str
    countries: tuple[int, ...] = ()  # Gleditsch-Ward numbers
    since: date | None = None
    until: date | None = None
    pagesize: int = PAGESIZE

    def coverage(self) -> tuple[date, date]:
        """The days the version covers: GED YY.1 from 1989 to the end of 20YY-1, Candidate YY.0.M month M."""
        if self.dataset == "ged":
            year = 2000 + int(self.version.split(".")[0]) - 1
            return date(1989, 1, 1), date(year, 12, 31)
        yy, _, month = (int(p) for p in self.version.split("."))
        last = calendar.monthrange(2000 + yy, month)[1]
        return date(2000 + yy, month, 1), date(2000 + yy, month, last)

    def params(self, page: int) -> dict[str, Any]:
        """The query of one page: paging first, then the filters."""
        out: dict[str, Any] = {"pagesize": self.pagesize, "page": page}
        if self.countries:
            out["Country"] = ",".join(str(c) for c in self.countries)
        if self.since:
            out["StartDate"] = self.since.isoformat()
        if self.until:
            out["EndDate"] = self.until.isoformat()
        return out

    def filters(self) -> dict[str, Any]:
        """The filters as the catalog records them (the version apart)."""
        return {
            "dataset": self.dataset,
            "gw_countries": list(self.countries),
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }


@dataclass
class UcdpPage:
    """One answer of the API: its request (described, no secret), its body as sent, and its records."""

    request: str
    body: bytes
    records: list[dict]
    page: int
    total_pages: int

    @property
    def ids(self) -> list[str]:
        return [str(r.get("id")) for r in self.records]


@dataclass
class Quota:
    """Requests spent on one UTC day against UCDP's daily quota."""

    day: str
    used: int = 0
    limit: int = DAILY_QUOTA

    @classmethod
    def today(cls, saved: dict | None, now: datetime | None = None, limit: int = DAILY_QUOTA) -> Quota:
        day = (now or datetime.now(UTC)).date().isoformat()
        if saved and saved.get("day") == day:
            return cls(day, int(saved.get("used", 0)), limit)
        return cls(day, 0, limit)

    def resume_at(self) -> str:
        """When the quota renews: the next UTC midnight."""
        return (date.fromisoformat(self.day) + timedelta(days=1)).isoformat() + " 00:00 UTC"

    def to_dict(self) -> dict:
        return {"day": self.day, "used": self.used}


@dataclass
class UcdpSync:
    """A pass over one UCDP version's pages, resumable from its cursor.

    ``cursor`` (from the catalog's last sync of the same dataset and filters) holds the version being
    read, the next page, the ids seen so far in the pass and the quota spent today. Iterate
    :meth:`pages`; afterwards :attr:`cursor` is what to record, :attr:`complete` says whether the pass
    reached the last page (only then are the version's deletions known: :meth:`deleted`), and
    :attr:`stopped` holds the message of a stop before the quota.
    """

    client: ServiceClient
    query: UcdpQuery
    token: str
    saved: dict | None = None
    now: datetime | None = None
    quota_limit: int = DAILY_QUOTA
    cursor: dict = field(default_factory=dict)
    complete: bool = False
    stopped: str | None = None
    first_page: int = 0  # the page this sync began at (0: the pass began with it)

    def __post_init__(self) -> None:
        self.client.redactor.add(self.token)
        self.quota = Quota.today((self.saved or {}).get("quota"), self.now, self.quota_limit)

    # -- requests ----------------------------------------------------------------------------------

    def _room(self) -> bool:
        # One send may be retried up to `attempts` times, and each try counts against the quota.
        return self.quota.used + self.client.attempts <= self.quota.limit

    def _get(self, path: str, params: dict | None):
        before = self.client.requests
        try:
            response = self.client.send("GET", path, params=params, headers={TOKEN_HEADER: self.token})
        finally:
            self.quota.used += self.client.requests - before
        if response.status_code in (401, 403):
            raise CredentialsError(
                f"{self.client.url(path)}: UCDP answered {response.status_code}: the access token was "
                "missing or refused.",
                hint="Set UCDP_TOKEN or run `peacewatch login ucdp` with the token UCDP's API maintainer "
                "issued (ucdp.uu.se/apidocs).",
            )
        return response

    def _same_host(self, url: str) -> str:
        """A next-page link on the base URL's host: the token goes to no other host (a mirror's links
        may name the public service)."""
        base, link = urlsplit(self.client.base_url), urlsplit(url)
        if (link.scheme, link.netloc) == (base.scheme, base.netloc) or not link.netloc:
            return url if link.netloc else self.client.url(url)
        return urlunsplit((base.scheme, base.netloc, link.path, link.query, ""))

    def resolve_version(self) -> str:
        """The version to read: the one a pass under way reads, else the asked one, else the newest that
        answers (``latest``: one probe of pagesize 1 per version, newest first, at most 15)."""
        saved = self.saved or {}
        if (
            saved.get("version")
            and not saved.get("complete")
            and self.query.version in ("latest", saved["version"])
        ):
            return saved["version"]
        if self.query.version != "latest":
            return self.query.version
        today = (self.now or datetime.now(UTC)).date()
        yy = today.year - 2000
        if self.query.dataset == "ged":
            tried = [f"{y}.1" for y in range(yy, yy - 4, -1)]
        else:
            tried = [
                f"{y}.0.{m}" for y in (yy, yy - 1) for m in range(12, 0, -1) if (y, m) <= (yy, today.month)
            ]
            tried = tried[:15]
        for version in tried:
            if not self._room():
                break
            response = self._get(f"{RESOURCE}/{version}", {"pagesize": 1, "page": 0})
            if response.status_code == 200:
                body = self.client.json(response)
                if isinstance(body, dict) and body.get("TotalCount"):
                    return version
        raise SyncError(
            f"UCDP: expected a {self.query.dataset} release among versions {', '.join(tried)}, found none "
            "with events.",
            hint="Name the version with --version (UCDP's API docs list them: ucdp.uu.se/apidocs).",
        )

    # -- the pass ----------------------------------------------------------------------------------

    def pages(self) -> Iterator[UcdpPage]:
        """The pages of the pass, from the cursor's next page to the last or to the quota's edge."""
        saved = self.saved or {}
        if not self._room():
            self._stop(saved)
            return
        version = self.resolve_version()
        query = UcdpQuery(**{**self.query.__dict__, "version": version})
        if saved.get("complete") and saved.get("version") == version:
            # A version never changes: the one the store holds whole needs no request.
            self.query, self.cursor = query, {**saved, "quota": self.quota.to_dict()}
            return
        resuming = saved.get("version") == version and not saved.get("complete")
        page = int(saved.get("next_page", 0)) if resuming else 0
        seen: list[str] = list(saved.get("seen", [])) if resuming else []
        self.query = query
        self.first_page = page
        url: str | None = f"{RESOURCE}/{version}"
        params: dict | None = query.params(page)
        total = int(saved.get("total_pages", 1)) if resuming else 1
        while url is not None:
            if not self._room():
                self.cursor = self._cursor(version, page, total, seen, complete=False)
                self._stop(saved, page, total)
                return
            response = self._get(url, params)
            what = f"GET {self.client.redactor(str(response.request.url))}"
            if response.status_code != 200:
                raise self.client.failed(response, what, "200 and a page of events")
            body = self.client.json(response, what)
            result = body.get("Result") if isinstance(body, dict) else None
            if not isinstance(result, list) or not isinstance(body.get("TotalPages"), int):
                raise SyncError(
                    f"{what}: expected a UCDP API page ({{TotalCount, TotalPages, NextPageUrl, Result: "
                    f"[...]}}), found {type(body).__name__} without them.",
                    hint="The sync kept nothing; check --base-url, then run it again.",
                )
            if not all(isinstance(r, dict) for r in result):
                raise SyncError(
                    f"{what}: expected a UCDP API page whose Result is a list of event objects, found "
                    "other values in it.",
                    hint="The sync kept nothing; check --base-url, then run it again.",
                )
            total = max(body["TotalPages"], 1)
            seen.extend(str(r.get("id")) for r in result)
            yield UcdpPage(what, response.content, result, page, total)
            page += 1
            link = body.get("NextPageUrl") or ""
            if page >= total or not link:
                url, params = None, None
            else:
                url, params = self._same_host(link), None
        self.complete = True
        self.cursor = self._cursor(version, page, total, seen, complete=True)

    def _cursor(self, version: str, page: int, total: int, seen: list[str], *, complete: bool) -> dict:
        cursor = {
            "version": version,
            "next_page": page,
            "total_pages": total,
            "complete": complete,
            "quota": self.quota.to_dict(),
        }
        if not complete:  # the ids of a pass under way, to tell its deletions when it completes
            cursor["seen"] = sorted(set(seen), key=lambda s: (len(s), s))
        else:
            cursor["events"] = len(set(seen))
        self._seen = set(seen)
        return cursor

    def _stop(self, saved: dict, page: int | None = None, total: int | None = None) -> None:
        if not self.cursor:
            self.cursor = {**saved, "quota": self.quota.to_dict()}
        where = f" at page {page + 1} of {total}" if page is not None else ""
        self.stopped = (
            f"UCDP quota: {self.quota.used:,} of {self.quota.limit:,} requests used today "
            f"({self.quota.day} UTC); the sync stopped{where} before crossing it, keeping the pages it "
            f"read. Run the same command after {self.quota.resume_at()} to resume."
        )

    def seen(self) -> set[str]:
        """The ids of every event of the pass (its earlier parts too)."""
        return getattr(self, "_seen", set())

    def deleted(self, stored: set[str]) -> set[str]:
        """Of the ids ``stored`` for this dataset and filters, those the completed version lacks."""
        if not self.complete:
            return set()
        return stored - self.seen()
