"""ACLED's API since its 2025 access change: OAuth, paged JSON reads, deletions, updates by timestamp.

The protocol as ACLED documents it (acleddata.com/api-documentation: getting-started, elements of
ACLED's API, acled-endpoint, deleted-endpoint; docs/sync.md lists the sources and what is assumed):

- ``POST {base}/oauth/token``, a form with ``grant_type=password``, ``client_id=acled``,
  ``username`` (the account's e-mail) and ``password``, answers ``{token_type, expires_in,
  access_token, refresh_token}``: the access token lasts ``expires_in`` seconds (86400), the refresh
  token 14 days; ``grant_type=refresh_token`` with ``refresh_token`` and ``client_id`` renews them.
  Wrong credentials are a 400 (``invalid_grant``), an invalid or expired token a 401.
  :class:`Session` refreshes ``REFRESH_MARGIN`` before expiry, logs in again when the refresh is
  refused, and once more after a 401.
- ``GET {base}/api/acled/read`` with ``Authorization: Bearer ...``, ``_format=json``, the filters
  (``country=A|B``; ``region`` by number; ``event_date=FROM|TO`` with ``event_date_where=BETWEEN``;
  ``timestamp=T`` with ``timestamp_where=>=``), ``limit`` and ``page`` (1, 2, ...) until a page
  shorter than ``limit`` (ACLED no longer sends ``count`` unless asked with ``with_total=true``):
  ``{"status": 200, "success": true, "last_update": ..., "messages": [...], "data": [{event_id_cnty,
  event_date, ..., timestamp}, ...]}``, every value a string.
- ``GET {base}/api/deleted/read`` (``deleted_timestamp`` with ``deleted_timestamp_where=>=``, paged
  alike): ``data`` of ``{event_id_cnty, deleted_timestamp}``.
- An account that has not accepted ACLED's terms, lacks required profile fields or has no API
  access gets a 403 (``{"message": "Access denied"}``); a 200 without a data list that says so
  (``success`` false, an ``error``, a message) is read the same way: :func:`pull` raises a
  SyncError quoting the service instead of reading it as an empty dataset.
- An account whose access level holds back recent events gets them left out of a 200 answer that
  says so in ``data_query_restrictions`` (``date_recency: {quantity, unit, date}``): the pull adds a
  note saying which events the dataset lacks, and records the cut-off date in its cursor.

The first sync of a set of filters pulls their whole range; later ones only the events whose
``timestamp`` (ACLED's time of last change) is at or after the cursor's less ``UPDATE_MARGIN``, and
the deletions since the last sync, applied by ``event_id_cnty`` (store/syncs.py).

A cut-off that moves forward releases events that keep their old ``timestamp``, so a read by
``timestamp`` never sees them. When the last sync's cursor recorded a cut-off date D, a later sync
therefore splits its read by ``event_date`` (within the user's own date range): the events dated
before D by ``timestamp`` as above, and every event dated D or later whatever its ``timestamp`` (those
the cut-off released since, or all of them when the account's restriction is gone). The two reads never
ask for the same event, so none is read twice; the store applies both as one upsert.

>>> p = pull(email="me@example.org", password="...", countries=["Afghanistan"])   # doctest: +SKIP
>>> store.sync(p).added                                                           # doctest: +SKIP
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from typing import Any

from peacewatch.errors import ArgumentError, CredentialsError, SyncError
from peacewatch.sources.acled import SOURCE, api_plan
from peacewatch.sync.http import ServiceClient, describe, now_utc
from peacewatch.sync.pages import Page, Pull, ahead, text_table

DEFAULT_BASE_URL = "https://acleddata.com"
TOKEN_PATH = "/oauth/token"
READ_PATH = "/api/acled/read"
DELETED_PATH = "/api/deleted/read"
CLIENT_ID = "acled"
PAGE_LIMIT = 5000  # ACLED's documented default page size
REFRESH_MARGIN = 300.0  # seconds before expiry a token is renewed
REFRESH_LIFETIME = 14 * 24 * 3600.0  # the refresh token's, when the answer does not say
UPDATE_MARGIN = (
    24 * 3600
)  # seconds re-read before the last sync's newest timestamp (clock skew, late commits)

# The columns of ACLED's export, in its order (a sync's rows get these columns, so that a sync and a
# file hash alike); other fields of an answer stay in the archive.
COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction",
    "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude",
    "longitude", "geo_precision", "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
)  # fmt: skip
# ACLED's region filter takes a region's number (its API documentation's table of regions).
REGIONS = {
    "Western Africa": 1, "Middle Africa": 2, "Eastern Africa": 3, "Southern Africa": 4, "Northern Africa": 5,
    "South Asia": 7, "Southeast Asia": 9, "Middle East": 11, "Europe": 12, "Caucasus and Central Asia": 13,
    "Central America": 14, "South America": 15, "Caribbean": 16, "East Asia": 17, "North America": 18,
    "Oceania": 19,
}  # fmt: skip
_REFUSAL = (
    "ACLED answers this when the account has not accepted its terms of use, lacks required profile "
    "fields, or its access level does not include API access to this data"
)
_TIER_WORDS = re.compile(r"access|tier|permission|authori[sz]|licen[cs]e|terms|subscription|upgrade", re.I)


class Session:
    """OAuth tokens of one ACLED account for one client; ``clock`` is time.time (tests move it)."""

    def __init__(self, client: ServiceClient, email: str, password: str, *, clock=time.time):
        self.client, self.email, self._password, self.clock = client, email, password, clock
        client.redactor.add(password)
        self._access: str | None = None
        self._refresh: str | None = None
        self._access_until = 0.0
        self._refresh_until = 0.0
        self.grants: list[str] = []  # the grant types used, in order (the tests read them)

    def headers(self) -> dict[str, str]:
        """The Authorization header, with a token valid for at least ``REFRESH_MARGIN`` more."""
        now = self.clock()
        if self._access is None or now >= self._access_until - REFRESH_MARGIN:
            if self._refresh is not None and now < self._refresh_until - REFRESH_MARGIN:
                self._grant({"grant_type": "refresh_token", "refresh_token": self._refresh}, fallback=True)
            else:
                self._login()
        return {"Authorization": f"Bearer {self._access}"}

    def rejected(self) -> None:
        """The service answered 401 to the access token: renew it before the next request."""
        self._access_until = 0.0

    def _login(self) -> None:
        self._grant(
            {
                "grant_type": "password",
                "client_id": CLIENT_ID,
                "username": self.email,
                "password": self._password,
            },
            fallback=False,
        )

    def _grant(self, form: dict[str, str], *, fallback: bool) -> None:
        url = self.client.url(TOKEN_PATH)
        what = describe("POST", url, {"grant_type": form["grant_type"]}, self.client.redactor)
        self.grants.append(form["grant_type"])
        if form["grant_type"] == "refresh_token":
            form = {**form, "client_id": CLIENT_ID}
        response = self.client.send("POST", url, data=form)
        if response.status_code in (400, 401, 403):
            if fallback:  # the refresh token expired or was revoked: log in again
                self._refresh = None
                self._login()
                return
            raise CredentialsError(
                f"{what}: ACLED refused the account's e-mail and password ({response.status_code} "
                f"{response.reason_phrase}).",
                hint="Check ACLED_EMAIL and ACLED_PASSWORD, or run `peacewatch login acled` again; "
                "the account must be able to log in at acleddata.com.",
            )
        if response.status_code != 200:
            raise self.client.failed(response, what, "a token (200)")
        doc = self.client.json(response, what)
        if not isinstance(doc, dict) or not doc.get("access_token"):
            raise SyncError(f"{what}: expected a JSON object with an access_token, found none.")
        now = self.clock()
        self._access = str(doc["access_token"])
        self._refresh = str(doc.get("refresh_token") or self._refresh or "") or None
        self.client.redactor.add(self._access, self._refresh)
        self._access_until = now + float(doc.get("expires_in") or 24 * 3600)
        self._refresh_until = now + float(doc.get("refresh_expires_in") or REFRESH_LIFETIME)


def dataset_id_for(
    countries: Sequence[str], regions: Sequence[str], since: date | None, until: date | None
) -> str:
    """The dataset a set of filters keeps current.

    >>> dataset_id_for(["Afghanistan"], [], None, None)
    'acled-api-afghanistan'
    >>> dataset_id_for(["South Sudan", "Sudan"], [], date(2020, 1, 1), None)
    'acled-api-south-sudan-sudan-from-2020-01-01'
    """
    parts = [*countries, *(f"region {r}" for r in regions)] or ["all"]
    if since:
        parts.append(f"from {since.isoformat()}")
    if until:
        parts.append(f"to {until.isoformat()}")
    return "acled-api-" + re.sub(r"[^a-z0-9]+", "-", " ".join(parts).lower()).strip("-")[:80]


def region_code(region: str) -> int:
    """ACLED's number of a region given by name (any case) or number.

    >>> region_code("middle east"), region_code("12")
    (11, 12)
    """
    text = str(region).strip()
    if text.isdigit() and int(text) in REGIONS.values():
        return int(text)
    for name, code in REGIONS.items():
        if name.lower() == text.lower():
            return code
    raise ArgumentError(
        f"--region {region!r}: expected one of ACLED's regions, by name or number: "
        + ", ".join(f"{name} ({code})" for name, code in REGIONS.items())
        + "."
    )


def _filters(countries, regions, since, until) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if countries:
        params["country"] = "|".join(countries)
    if regions:
        params["region"] = "|".join(str(region_code(r)) for r in regions)
    if since and until:
        params["event_date"], params["event_date_where"] = (
            f"{since.isoformat()}|{until.isoformat()}",
            "BETWEEN",
        )
    elif since:
        params["event_date"], params["event_date_where"] = since.isoformat(), ">="
    elif until:
        params["event_date"], params["event_date_where"] = until.isoformat(), "<="
    return params


def _reads(countries, regions, since, until, cursor) -> list[tuple[str, dict[str, Any]]]:
    """The reads of events a pull makes, as (kind, query): ("changed", ...) by ``timestamp`` (the
    whole range when there is no cursor), and ("released", ...) for the events dated after the cut-off
    the last sync's answers recorded (see the module docstring). Each keeps the user's filters and
    never widens their date range; a read whose date range is empty is left out.

    >>> cursor = {"timestamp": 1_700_090_000, "restrictions": {"date_recency": {"date": "2020-01-31"}}}
    >>> for kind, q in _reads(["Afghanistan"], [], date(2020, 1, 1), None, cursor):
    ...     print(kind, q["event_date_where"], q["event_date"], q.get("timestamp"))
    changed BETWEEN 2020-01-01|2020-01-30 1700003600
    released >= 2020-01-31 None
    """
    base = {"countries": countries, "regions": regions, "since": since, "until": until}
    if not cursor or cursor.get("timestamp") is None:  # a first sync (or after an empty one): all of it
        return [("changed", _filters(**base))]
    changed_since = {"timestamp": max(0, int(cursor["timestamp"]) - UPDATE_MARGIN), "timestamp_where": ">="}
    cut = recorded_cutoff(cursor)
    if cut is None:
        return [("changed", {**_filters(**base), **changed_since})]
    # The cut-off's own day goes to the read by date: whether ACLED's date is the last day it serves
    # or the first it holds back is not documented, and re-reading one day costs one short read.
    before = cut - timedelta(days=1)
    reads = []
    if since is None or since <= before:
        reads.append(
            ("changed", {**_filters(**{**base, "until": min(until or before, before)}), **changed_since})
        )
    after = max(since or cut, cut)
    if until is None or after <= until:
        reads.append(("released", _filters(**{**base, "since": after})))
    return reads


def _said(response) -> str:
    """What an error answer says (its JSON ``message``/``error``, else its text), shortened."""
    try:
        doc = response.json()
    except ValueError:
        return response.text[:200].strip()
    return _messages(doc) if isinstance(doc, dict) else str(doc)[:200]


def restriction_note(restrictions: dict) -> str:
    """A sentence for the catalog from an answer's ``data_query_restrictions``.

    >>> note = restriction_note({"date_recency": {"quantity": 12, "unit": "Months", "date": "2025-08-29"}})
    >>> "dated after 2025-08-29" in note and "at least 12 Months old" in note
    True
    """
    recency = restrictions.get("date_recency") if isinstance(restrictions, dict) else None
    if isinstance(recency, dict) and recency.get("date"):
        age = " ".join(str(recency[k]) for k in ("quantity", "unit") if recency.get(k) not in (None, ""))
        return (
            f"ACLED's answers to this account left out events dated after {recency['date']}"
            + (f" (its access level serves only events at least {age} old)" if age else "")
            + ": the dataset lacks them; each later sync reads the events dated from this cut-off on "
            "again, so it takes in those the account may see by then."
        )
    return (
        f"ACLED's answers to this account were restricted: {json.dumps(restrictions, sort_keys=True)[:300]}."
    )


def recorded_cutoff(cursor: dict[str, Any] | None) -> date | None:
    """The date after which the answers of the sync that wrote ``cursor`` left events out (None when
    they left none out, or said so in a way other than ``date_recency``).

    >>> recorded_cutoff({"restrictions": {"date_recency": {"unit": "Months", "date": "2025-08-29"}}})
    datetime.date(2025, 8, 29)
    >>> recorded_cutoff({"timestamp": 1700000000}) is None
    True
    """
    recency = ((cursor or {}).get("restrictions") or {}).get("date_recency")
    if not isinstance(recency, dict) or recency.get("date") in (None, ""):
        return None
    text = str(recency["date"]).strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise SyncError(
            f"The last sync's cursor records ACLED's cut-off date {text[:40]!r} "
            "(data_query_restrictions.date_recency.date); expected a date YYYY-MM-DD, so this sync "
            "cannot tell which held-back events the account may see now.",
            hint="Run the same `peacewatch sync acled ...` with --full to read the whole range again.",
        ) from None


def _messages(doc: dict) -> str:
    """The words of an answer's ``error``, ``message``, ``messages`` and ``detail`` fields."""
    said = []
    for key in ("error", "message", "messages", "detail"):
        v = doc.get(key)
        if isinstance(v, dict):
            v = v.get("message") or v.get("detail") or str(v)
        if isinstance(v, list):
            v = "; ".join(str(x) for x in v)
        if v:
            said.append(str(v))
    return "; ".join(said)


def _tier_problem(doc: dict) -> str | None:
    """The service's words when a 200 answer refuses the data (None: it is data)."""
    text = _messages(doc)
    if doc.get("success") is False or doc.get("error"):
        return text or "success: false"
    if not doc.get("data") and text and _TIER_WORDS.search(text):
        return text
    return None


def _page(
    client: ServiceClient,
    session: Session,
    path: str,
    params: dict[str, Any],
    restrictions: dict | None = None,
) -> tuple[bytes, list, str]:
    """One page: (raw answer, its records, the request named with secrets redacted); the answer's
    ``data_query_restrictions``, if any, are put in ``restrictions``."""
    url = client.url(path)
    what = describe("GET", url, params, client.redactor)
    for _ in range(2):  # a 401 renews the token once
        response = client.send("GET", url, params=params, headers=session.headers())
        if response.status_code != 401:
            break
        session.rejected()
    if response.status_code == 403:
        said = client.redactor(_said(response))
        raise SyncError(
            f"{what}: ACLED refused the data (403 Forbidden"
            + (f": {said[:300]}" if said else "")
            + f"); {_REFUSAL}, so the sync stopped instead of storing an empty dataset.",
            hint="Log in at acleddata.com to accept the terms and complete the profile, and ask "
            "access@acleddata.com for API access if the account lacks it; the store is unchanged.",
        )
    if response.status_code != 200:
        raise client.failed(response, what, "a page of JSON (200)")
    doc = client.json(response, what)
    if not isinstance(doc, dict):
        raise SyncError(f"{what}: expected a JSON object with a data list, found {type(doc).__name__}.")
    problem = _tier_problem(doc)
    if problem is not None:
        raise SyncError(
            f"{what}: ACLED answered 200 without the data; its answer says: "
            f"{client.redactor(problem)[:300]}. "
            f"{_REFUSAL}, not an empty dataset.",
            hint="Log in at acleddata.com to accept the terms and complete the profile, and ask "
            "access@acleddata.com for API access if the account lacks it; the store is unchanged.",
        )
    data = doc.get("data")
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise SyncError(
            f"{what}: expected a JSON object whose data is a list of records, found "
            f"{type(data).__name__ if data is not None else 'no data'}.",
            hint="The sync kept nothing; run it again, or check --base-url.",
        )
    held_back = doc.get("data_query_restrictions")
    if restrictions is not None and isinstance(held_back, dict) and held_back:
        restrictions.update(held_back)
    return response.content, data, what


def pull(
    *,
    email: str,
    password: str,
    countries: Sequence[str] = (),
    regions: Sequence[str] = (),
    since: date | None = None,
    until: date | None = None,
    cursor: dict[str, Any] | None = None,
    base_url: str = DEFAULT_BASE_URL,
    dataset_id: str | None = None,
    client: ServiceClient | None = None,
    page_limit: int = PAGE_LIMIT,
    clock=time.time,
) -> Pull:
    """A pull of ACLED events for the filters: everything in range, or (given the last sync's
    ``cursor``) what changed since, with the deletions. Nothing is requested until the store reads
    the pull's pages."""
    client = client or ServiceClient(base_url)
    client.redactor.add(password)
    session = Session(client, email, password, clock=clock)
    # An unknown region, or a cursor's unreadable cut-off, fails here, before any request.
    reads = _reads(countries, regions, since, until, cursor)
    accessed = now_utc()
    filters = {"countries": list(countries), "regions": list(regions), "since": since, "until": until}
    filters = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in filters.items() if v}
    the_pull = Pull(
        source=SOURCE,
        dataset_id=dataset_id or dataset_id_for(countries, regions, since, until),
        filters=filters,
        service=client.base_url + READ_PATH,
        pages=(),
        accessed_at=accessed,
        notes=(
            f"synced from ACLED's API ({client.base_url}{READ_PATH}) with "
            + (
                ", ".join(f"{k}={'|'.join(v) if isinstance(v, list) else v}" for k, v in filters.items())
                or "no filters"
            )
            + f"; accessed {accessed.isoformat()}",
        ),
        requests=lambda: client.requests,
    )
    the_pull.session = session  # type: ignore[attr-defined]  # the tests read its grants

    restrictions: dict = {}
    deleted_since = (cursor or {}).get("deleted_timestamp")

    def answers() -> Iterator[tuple[str, bytes, list, str]]:
        """The service's answers, in order: the events' pages (read by read), then the deletions'
        (when a cursor says since when); each page is asked for only after the one before it came
        back full."""
        for kind, query in reads:
            for body, records, what in paged(READ_PATH, query, restrictions):
                yield kind, body, records, what
        if deleted_since is not None:
            dq = {
                "deleted_timestamp": max(0, int(deleted_since) - UPDATE_MARGIN),
                "deleted_timestamp_where": ">=",
            }
            for body, records, what in paged(DELETED_PATH, dq):
                yield "deleted", body, records, what

    def paged(path: str, query: dict, held: dict | None = None) -> Iterator[tuple[bytes, list, str]]:
        """The pages of one read of ``path``, until a page shorter than ``page_limit``."""
        for page in range(1, 1_000_000):
            body, records, what = _page(
                client, session, path, {**query, "_format": "json", "limit": page_limit, "page": page}, held
            )
            yield body, records, what
            if len(records) < page_limit:
                break

    def pages() -> Iterator[Page]:
        newest = int((cursor or {}).get("timestamp") or 0)
        newest_deletion = 0
        released = 0
        # The next page is requested (and its JSON read) while this one is converted and archived.
        for kind, body, records, what in ahead(answers()):
            if kind != "deleted":
                table = text_table(records, COLUMNS)
                newest = max(newest, _newest(table.column("timestamp")))
                released += len(records) if kind == "released" else 0
                the_pull.secrets = client.redactor.secrets  # the store checks each answer as it comes
                yield Page(request=what, body=body, plan=api_plan(table), rows=len(records))
                continue
            ids = tuple(str(r["event_id_cnty"]).strip() for r in records if r.get("event_id_cnty"))
            for r in records:
                ts = str(r.get("deleted_timestamp") or "").split(".")[0]
                if ts.isdigit():
                    newest_deletion = max(newest_deletion, int(ts))
            the_pull.secrets = client.redactor.secrets
            yield Page(request=what, body=body, deleted=ids)
        # The deletions cursor is the service's own time, never this machine's: the newest deletion
        # seen, else (a first sync) the newest change of an event it read.
        newest_deletion = max(int(deleted_since or 0) or newest, newest_deletion)
        # With nothing read yet (an empty range), the next sync reads the range whole again.
        the_pull.cursor = {"timestamp": newest or None, "deleted_timestamp": newest_deletion or None}
        if not reads and (cursor or {}).get("restrictions"):
            restrictions.update(cursor["restrictions"])  # no answer said otherwise: the cut-off stands
        cut = recorded_cutoff(cursor)
        if any(kind == "released" for kind, _ in reads):
            the_pull.notes = (
                *the_pull.notes,
                f"read every event dated {cut.isoformat()} or later (the cut-off of the last sync's "
                "answers) whatever its timestamp, since events a cut-off releases keep their old "
                f"timestamp: {released:,} event(s)"
                + (
                    ""
                    if restrictions.get("date_recency")
                    else "; ACLED's answers no longer held recent events back"
                ),
            )
        if restrictions:
            the_pull.notes = (*the_pull.notes, restriction_note(restrictions))
            the_pull.cursor["restrictions"] = dict(restrictions)
        the_pull.secrets = client.redactor.secrets

    the_pull.pages = pages()
    return the_pull


def _newest(timestamps) -> int:
    """The newest ``timestamp`` of a page's events (0 when none has one): the whole seconds of each
    value (ACLED writes them as text; a fraction is cut), as the cursor records them.

    >>> import pyarrow as pa
    >>> _newest(pa.chunked_array([["1700000100", None, "1700000200.5", "soon"]]))
    1700000200
    """
    import pyarrow.compute as pc

    whole = pc.list_element(pc.split_pattern(timestamps, ".", max_splits=1), 0)
    digits = whole.filter(pc.match_substring_regex(whole, r"^[0-9]{1,18}$"))
    top = pc.max(digits.cast("int64")).as_py() if len(digits) else None
    return top or 0


def credentials_for(values: dict[str, str]) -> tuple[str, str]:
    """(email, password) from what sync/credentials.py found."""
    return values["email"], values["password"]
