"""A local stand-in for ACLED's API, speaking its documented protocol over real HTTP on loopback.

The protocol is ACLED's API documentation's (acleddata.com/api-documentation: getting-started,
elements of ACLED's API, acled-endpoint, deleted-endpoint; docs/sync.md names the sources).
:class:`FakeAcled` keeps events (ACLED JSON records: every value a string, as the API gives them) and
deletions, and serves on a pytest-httpserver ``HTTPServer``:

- ``POST /oauth/token``, a form: the password grant (``username``, ``password``, ``client_id=acled``)
  and the refresh_token grant (``refresh_token``, ``client_id=acled``), answering ``{token_type,
  expires_in, access_token, refresh_token}``; wrong credentials or an expired refresh token are a
  400 ``invalid_grant``; tokens expire after ``access_lifetime`` / ``refresh_lifetime`` seconds
  (86400 and 14 days, as documented); ``revoke_refresh()`` makes the next refresh fail;
- ``GET /api/acled/read`` (Bearer token, else 401; ``_format=json``; filters ``country`` and
  ``region`` (ACLED's region numbers) with ``|`` between values, ``event_date``, ``timestamp`` with
  their ``*_where`` operator (``=``, ``>``, ``<``, ``>=``, ``<=``, ``BETWEEN`` with ``FROM|TO``);
  ``limit`` (``0``: every row) and ``page`` from 1). The answer is ``{status, success, last_update,
  messages, data, filename}``; ``count`` and ``total_count`` only with ``with_total=true``;
- ``GET /api/deleted/read`` (``deleted_timestamp`` with ``deleted_timestamp_where``, ``limit``,
  ``page``): ``data`` of ``{event_id_cnty, deleted_timestamp}``.

Faults are queued per path with :meth:`FakeAcled.fail` ("429", "429-date", "500", "malformed",
"slow") and each served once, in order, before a normal answer. ``no_rights = True`` answers data
requests as ACLED does for an account without API access (or terms not accepted, or profile
incomplete): 403 ``{"message": "Access denied"}``. ``recency_cutoff`` (a date) plays an access level
that holds back recent events: events dated after it are left out of every read, and each answer says
so in ``data_query_restrictions`` (``{"date_recency": {"quantity": 12, "unit": "Months", "date":
"YYYY-MM-DD"}}``, as ACLED documents it). Setting it again moves the cut-off (a week later the account
sees a week more); the events it releases keep their ``timestamp``, as at ACLED; ``None`` plays an
account whose access level was raised.
Other helpers' tests import it from tests/sync (``from acled_service import FakeAcled``).

Run it alone for a manual try (it prints its base URL and the e-mail and password it accepts):
``python tests/sync/acled_service.py --events 2000``.
"""

from __future__ import annotations

import csv
import email.utils
import gzip
import json
import random
import tarfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

from werkzeug import Request, Response

EMAIL = "analyst@example.org"
PASSWORD = "pw-Zq81!x secret"  # a space and punctuation: URL-encoded forms must be redacted too
COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction",
    "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude",
    "longitude", "geo_precision", "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
)  # fmt: skip
_TYPES = (
    ("Battles", "Armed clash", "Political violence"),
    ("Explosions/Remote violence", "Air/drone strike", "Political violence"),
    ("Violence against civilians", "Attack", "Political violence"),
    ("Protests", "Peaceful protest", "Demonstrations"),
)
_ACTORS1 = ("Taliban", "Military Forces of Afghanistan (2004-2021)", "Protesters (Afghanistan)")
_ACTORS2 = ("Civilians (Afghanistan)", "", "Islamic State (Afghanistan)")
_NO_RIGHTS = "Access denied"
# ACLED's numbers of the regions its region filter takes (its API documentation's table).
REGION_NUMBERS = {"Caucasus and Central Asia": 13, "South Asia": 7, "Middle East": 11, "Eastern Africa": 3}
# Provinces and some of their districts (the built-in case afghanistan-2020 looks at Panjwayi).
_DISTRICTS = {
    "Kabul": ("Kabul", "Paghman"),
    "Helmand": ("Lashkargah", "Nad Ali", "Sangin"),
    "Kandahar": ("Kandahar", "Panjwayi", "Zhari"),
    "Nangarhar": ("Jalalabad", "Achin"),
    "Herat": ("Herat", "Shindand"),
    "Kunduz": ("Kunduz", "Imam Sahib"),
}
_PROVINCES = tuple(_DISTRICTS)
BASE_TS = 1_700_000_000


def make_events(
    n: int,
    *,
    country: str = "Afghanistan",
    iso: str = "4",
    prefix: str = "AFG",
    seed: int = 1,
    start: date = date(2019, 1, 1),
    days: int = 730,
    ts: int = BASE_TS,
    ts_step: int = 1,
) -> dict[str, dict]:
    """``n`` ACLED API records keyed by event_id_cnty, deterministic for a seed; the i-th was last
    changed at ``ts + i * ts_step``."""
    rnd = random.Random(seed)
    out = {}
    for i in range(1, n + 1):
        et, sub, disorder = rnd.choice(_TYPES)
        day = start + timedelta(days=rnd.randrange(days))
        province = rnd.choice(_PROVINCES)
        eid = f"{prefix}{i}"
        out[eid] = {
            "event_id_cnty": eid, "event_date": day.isoformat(), "year": str(day.year), "time_precision": "1",
            "disorder_type": disorder, "event_type": et, "sub_event_type": sub,
            "actor1": rnd.choice(_ACTORS1), "assoc_actor_1": "", "inter1": "2",
            "actor2": rnd.choice(_ACTORS2),
            "assoc_actor_2": "", "inter2": "7", "interaction": "27", "civilian_targeting": "",
            "iso": iso, "region": "Caucasus and Central Asia", "country": country, "admin1": province,
            "admin2": rnd.choice(_DISTRICTS[province]), "admin3": "", "location": f"{province} town {i % 7}",
            "latitude": f"{31 + rnd.random() * 5:.4f}", "longitude": f"{62 + rnd.random() * 8:.4f}",
            "geo_precision": "1", "source": "Pajhwok", "source_scale": "National",
            "notes": f"On {day.isoformat()}, event {eid} in {province}; report {rnd.randrange(10**6)}.",
            "fatalities": str(rnd.randrange(0, 12)), "tags": "", "timestamp": str(ts + i * ts_step),
        }  # fmt: skip
    return out


def write_csv(events: dict[str, dict], path: Path) -> Path:
    """The events as ACLED's CSV export (the same columns, in its order), gzipped."""
    with gzip.open(path, "wt", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        for r in events.values():
            w.writerow([r.get(c, "") for c in COLUMNS])
    return path


class FakeAcled:
    """ACLED's API on an ``HTTPServer`` (see the module docstring)."""

    def __init__(self, server, events: dict[str, dict] | None = None, *, access_lifetime: float = 86400,
                 refresh_lifetime: float = 14 * 86400, max_limit: int = 5000):  # fmt: skip
        self.server = server
        self.events: dict[str, dict] = dict(events or {})
        self.deleted: dict[str, int] = {}
        self.access_lifetime, self.refresh_lifetime, self.max_limit = (
            access_lifetime,
            refresh_lifetime,
            max_limit,
        )
        self.no_rights = False
        self.recency_cutoff: date | None = None
        self._newest: int | None = None  # the newest service time handed out (now_ts)
        self.clock = time.time
        self._access: dict[str, float] = {}
        self._refresh: dict[str, float] = {}
        self._n = 0
        self._faults: dict[str, list[str]] = {}
        self.log: list[tuple[str, str, dict]] = []  # (method, path, args) of every request
        self.grants: list[str] = []
        self.issued: list[str] = []  # every token handed out: secrets the tests look for everywhere
        self.hit = threading.Event()  # set when a request matching ``hit_when`` arrives
        self.hit_when = None
        self.delay = 0.0  # seconds every data page waits before answering
        # The benchmark's opt-in ({}): every page of one read is cut from one filtered, sorted list, as
        # a service's database answers by index, instead of filtering and sorting all events per page
        # (0.25 s a page of 100,000 events, on the cores the sync under test uses). Emptied by add,
        # edit and delete; tests leave it None, since they may change ``events`` in place.
        self.page_cache: dict | None = None
        self.lock = threading.Lock()
        server.expect_request("/oauth/token", method="POST").respond_with_handler(self._token)
        server.expect_request("/api/acled/read", method="GET").respond_with_handler(self._read)
        server.expect_request("/api/deleted/read", method="GET").respond_with_handler(self._deleted)

    @property
    def base_url(self) -> str:
        return self.server.url_for("/").rstrip("/")

    # -- the data's changes between syncs ------------------------------------------------------

    def now_ts(self) -> int:
        """A service time after every change so far (the newest is remembered: edits of a large
        store stay cheap)."""
        if self._newest is None:
            times = [BASE_TS, *(int(e["timestamp"]) for e in self.events.values()), *self.deleted.values()]
            self._newest = max(times)
        self._newest += 1
        return self._newest

    def add(self, records: dict[str, dict]) -> None:
        self._changed()
        for k, r in records.items():
            self.events[k] = {**r, "timestamp": str(self.now_ts())}

    def edit(self, event_id: str, **fields) -> None:
        self._changed()
        self.events[event_id] = {**self.events[event_id], **fields, "timestamp": str(self.now_ts())}

    def delete(self, event_id: str) -> None:
        self._changed()
        ts = self.now_ts()
        del self.events[event_id]
        self.deleted[event_id] = ts

    def _changed(self) -> None:
        if self.page_cache is not None:
            self.page_cache.clear()

    def fail(self, path: str, *faults: str, page: int | None = None) -> None:
        """Queue faults for the next requests of ``path`` (of its ``page`` only, when given): 429
        (Retry-After: 1), 429-0 (Retry-After: 0), 429-date (an HTTP date a second ahead), 500,
        malformed (JSON cut short), slow (3 s before answering)."""
        self._faults.setdefault((path, page), []).extend(faults)

    def revoke_refresh(self) -> None:
        self._refresh.clear()

    # -- handlers ------------------------------------------------------------------------------

    def _fault(self, path: str, page: int | None = None) -> Response | None:
        with self.lock:
            queue = self._faults.get((path, page)) or self._faults.get((path, None)) or []
            fault = queue.pop(0) if queue else None
        if fault == "429":
            return Response("slow down", status=429, headers={"Retry-After": "1"})
        if fault == "429-0":
            return Response("slow down", status=429, headers={"Retry-After": "0"})
        if fault == "429-date":
            when = email.utils.formatdate(time.time() + 1, usegmt=True)
            return Response("slow down", status=429, headers={"Retry-After": when})
        if fault == "500":
            return Response("internal error", status=500)
        if fault == "malformed":
            return Response('{"status": 200, "success": true, "data": [{"event_id_cnty": "AF', status=200,
                            content_type="application/json")  # fmt: skip
        if fault == "slow":
            time.sleep(3)
        return None

    def _token(self, request: Request) -> Response:
        form = request.form
        self.log.append(("POST", request.path, {"fields": sorted(form)}))  # the names only: no secret
        grant = form.get("grant_type")
        self.grants.append(grant or "")
        fault = self._fault(request.path)
        if fault is not None:
            return fault
        now = self.clock()
        if grant == "password":
            if (form.get("client_id"), form.get("username"), form.get("password")) != (
                "acled",
                EMAIL,
                PASSWORD,
            ):
                return _json({"error": "invalid_grant", "error_description": "Invalid credentials"}, 400)
        elif grant == "refresh_token":
            if self._refresh.get(form.get("refresh_token", ""), 0) <= now:
                return _json({"error": "invalid_grant", "error_description": "Expired refresh token"}, 400)
            del self._refresh[form["refresh_token"]]
        else:
            return _json({"error": "unsupported_grant_type"}, 400)
        self._n += 1
        access, refresh = f"acc-{self._n}-x9Tq", f"ref-{self._n}-Lm2p"
        self.issued += [access, refresh]
        self._access[access] = now + self.access_lifetime
        self._refresh[refresh] = now + self.refresh_lifetime
        return _json({"token_type": "Bearer", "expires_in": self.access_lifetime, "access_token": access,
                      "refresh_token": refresh})  # fmt: skip

    def _authorised(self, request: Request) -> bool:
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ").strip()
        return auth.startswith("Bearer ") and self._access.get(token, 0) > self.clock()

    def _paged(self, request: Request, rows: list[dict], extra: dict | None = None) -> Response:
        args = request.args
        limit = int(args.get("limit", 5000))
        limit = len(rows) or 1 if limit == 0 else min(limit, self.max_limit)
        page = int(args.get("page", 1))
        chunk = rows[(page - 1) * limit : page * limit]
        doc = {"status": 200, "success": True, "last_update": self._newest or BASE_TS, "messages": [],
               "data": chunk, "filename": f"ACLED Data_{date.today().isoformat()}"}  # fmt: skip
        if args.get("with_total") == "true":
            doc["count"], doc["total_count"] = len(chunk), len(rows)
        return _json({**doc, **(extra or {})})

    def _read(self, request: Request) -> Response:
        args = dict(request.args)
        self.log.append(("GET", request.path, args))
        if self.hit_when is not None and self.hit_when(request.path, args):  # before the fault: may act
            self.hit.set()
        if self.delay:
            time.sleep(self.delay)
        fault = self._fault(request.path, int(args.get("page", 1)))
        if fault is not None:
            return fault
        if not self._authorised(request):
            return _json({"status": 401, "success": False, "error": {"message": "Unauthenticated."}}, 401)
        if self.no_rights:
            return _json({"message": _NO_RIGHTS}, 403)
        query = tuple(sorted((k, v) for k, v in args.items() if k not in ("page", "limit")))
        rows = self.page_cache.get(query) if self.page_cache is not None else None
        if rows is None:
            rows = sorted(
                (r for r in self.events.values() if _matches(r, args)), key=lambda r: r["event_id_cnty"]
            )
            if self.page_cache is not None:
                self.page_cache[query] = rows
        extra = None
        if self.recency_cutoff is not None:
            cutoff = self.recency_cutoff.isoformat()
            rows = [r for r in rows if r["event_date"] <= cutoff]
            extra = {"data_query_restrictions": {"date_recency": {"quantity": 12, "unit": "Months",
                                                                  "date": cutoff}}}  # fmt: skip
        return self._paged(request, rows, extra)

    def _deleted(self, request: Request) -> Response:
        args = dict(request.args)
        self.log.append(("GET", request.path, args))
        fault = self._fault(request.path)
        if fault is not None:
            return fault
        if not self._authorised(request):
            return _json({"status": 401, "success": False, "error": {"message": "Unauthenticated."}}, 401)
        if self.no_rights:
            return _json({"message": _NO_RIGHTS}, 403)
        rows = [
            {"event_id_cnty": k, "deleted_timestamp": str(v)}
            for k, v in sorted(self.deleted.items())
            if _where(v, args, "deleted_timestamp", int)
        ]
        return self._paged(request, rows)


def _matches(r: dict, args: dict) -> bool:
    if "country" in args and r["country"] not in args["country"].split("|"):
        return False
    if "region" in args and str(REGION_NUMBERS.get(r["region"])) not in args["region"].split("|"):
        return False
    return _where(r["event_date"], args, "event_date", str) and _where(
        int(r["timestamp"]), args, "timestamp", int
    )


def _where(value, args: dict, field: str, kind) -> bool:
    """ACLED's ``{field}={x}&{field}_where={op}`` filter (``=`` when no operator is given)."""
    if field not in args:
        return True
    op, given = args.get(f"{field}_where", "="), args[field]
    if op == "BETWEEN":
        lo, hi = (kind(x) for x in given.split("|"))
        return lo <= value <= hi
    x = kind(given)
    tests = {"=": value == x, ">": value > x, "<": value < x, ">=": value >= x, "<=": value <= x}
    if op not in tests:
        raise ValueError(f"{field}_where={op!r}: not an operator ACLED documents")
    return tests[op]


def _json(doc, status: int = 200) -> Response:
    return Response(json.dumps(doc), status=status, content_type="application/json")


def assert_no_secret(secrets, *, folders=(), texts=()) -> None:
    """No secret (nor its URL-encoded forms) in any text given, nor in any file under ``folders``
    (gzip and tar.gz files are read decompressed, every member)."""
    from urllib.parse import quote, quote_plus

    forms = {f for s in secrets if s for f in (s, quote(s, safe=""), quote_plus(s))}
    for t in texts:
        for f in forms:
            assert f not in (t or ""), f"a secret appears in output: ...{t[max(0, t.find(f) - 40) :][:100]}"
    for folder in folders:
        for path in Path(folder).rglob("*"):
            if not path.is_file():
                continue
            for name, data in _contents(path):
                for f in forms:
                    assert f.encode() not in data, f"a secret appears in {name}"


def _contents(path: Path):
    data = path.read_bytes()
    yield str(path), data
    if data[:2] == b"\x1f\x8b":
        try:
            with tarfile.open(path, "r:gz") as tar:
                for m in tar.getmembers():
                    if m.isfile():
                        yield f"{path}:{m.name}", tar.extractfile(m).read()
            return
        except tarfile.TarError:
            pass
        try:
            unpacked = gzip.decompress(data)
        except (OSError, EOFError):
            return
        yield f"{path} (gunzipped)", unpacked


if __name__ == "__main__":  # pragma: no cover - a manual try
    import argparse

    from pytest_httpserver import HTTPServer

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--start", type=date.fromisoformat, default=date(2017, 1, 1), help="first event date")
    parser.add_argument("--days", type=int, default=4 * 365, help="days the events spread over")
    opts = parser.parse_args()
    srv = HTTPServer(host="127.0.0.1", port=opts.port)
    fake = FakeAcled(srv, make_events(opts.events, start=opts.start, days=opts.days))
    srv.start()
    print(f"{fake.base_url}  (ACLED_EMAIL={EMAIL!r} ACLED_PASSWORD={PASSWORD!r})", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        srv.stop()
