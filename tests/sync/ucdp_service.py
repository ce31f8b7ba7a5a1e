"""A UCDP API for the sync tests, speaking the documented protocol on loopback.

``GET /api/gedevents/{version}?pagesize=&page=&Country=&StartDate=&EndDate=`` with the token in the
``x-ucdp-access-token`` header (401 "API token required" without it, as UCDP answers); answers
``{TotalCount, TotalPages, PreviousPageUrl, NextPageUrl, Result}`` with absolute page links; an unknown
version is a 404. Faults are scheduled by the number of the request (0-based, counting every request the
service receives): ``429`` (with ``Retry-After``), ``500``, ``malformed`` (JSON cut short).

The events are GED records with the API's fields; :func:`events` makes them from a seed, with real
countries and their Gleditsch-Ward numbers.
"""

from __future__ import annotations

import json
import random
import threading
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from math import ceil

from werkzeug import Request, Response

TOKEN = "ucdp-test-token-Zq8v"  # a secret the tests look for in every output
COUNTRIES = [("Afghanistan", 700), ("Syria", 652), ("Myanmar (Burma)", 775)]


def event(eid: int, day: date, country: tuple[str, int], best: int, violence: int = 1) -> dict:
    """One GED record as the API writes it."""
    name, gw = country
    return {
        "id": eid,
        "relid": f"X-{eid}",
        "year": day.year,
        "active_year": True,
        "code_status": "Clear",
        "type_of_violence": violence,
        "conflict_new_id": 333,
        "dyad_new_id": 406,
        "side_a": f"Government of {name}",
        "side_b": "Civilians" if violence == 3 else "Armed group",
        "number_of_sources": 1,
        "source_article": "Agence France-Presse",
        "source_headline": f"Clashes {eid}",
        "where_prec": 1,
        "where_coordinates": f"Town {eid % 17}",
        "adm_1": "Province",
        "latitude": 33.0 + (eid % 10) / 10,
        "longitude": 65.0 + (eid % 7) / 10,
        "country": name,
        "country_id": gw,
        "event_clarity": 1,
        "date_prec": 1,
        "date_start": f"{day.isoformat()}T00:00:00",
        "date_end": f"{day.isoformat()}T00:00:00",
        "deaths_a": 0,
        "deaths_b": best,
        "deaths_civilians": 0,
        "deaths_unknown": 0,
        "best": best,
        "high": best + 2,
        "low": best,
    }


def events(n: int, start: date, days: int, seed: int = 1, first_id: int = 1000) -> list[dict]:
    """``n`` events over ``days`` days from ``start``, in the three test countries."""
    rng = random.Random(seed)
    return [
        event(
            first_id + i,
            start + timedelta(days=rng.randrange(days)),
            COUNTRIES[rng.randrange(len(COUNTRIES))],
            rng.randrange(0, 30),
            rng.choice((1, 2, 3)),
        )
        for i in range(n)
    ]


@dataclass
class UcdpService:
    """The versions a UCDP API serves (version -> events) and the faults it plays."""

    versions: dict[str, list[dict]]
    token: str = TOKEN
    faults: dict[int, str] = field(default_factory=dict)
    retry_after: str = "1"
    requests: list[str] = field(default_factory=list)
    base: str = ""
    delay: float = 0.0  # seconds each answer waits (a kill test's window)
    reached: threading.Event = field(default_factory=threading.Event)  # set when a request is answered

    def install(self, httpserver, prefix: str = "/api") -> str:
        """Serve under ``prefix``; returns the base URL to give ``--base-url``."""
        self.base = httpserver.url_for(prefix)
        import re

        httpserver.expect_request(re.compile(rf"^{prefix}/gedevents/[^/]+$")).respond_with_handler(
            self.handle
        )
        return self.base

    def matching(self, version: str, args) -> list[dict]:
        rows = self.versions[version]
        if args.get("Country"):
            wanted = {int(c) for c in args["Country"].split(",")}
            rows = [r for r in rows if r["country_id"] in wanted]
        if args.get("StartDate"):
            rows = [r for r in rows if r["date_end"][:10] >= args["StartDate"]]
        if args.get("EndDate"):
            rows = [r for r in rows if r["date_start"][:10] <= args["EndDate"]]
        return sorted(rows, key=lambda r: r["id"])

    def handle(self, request: Request) -> Response:
        n = len(self.requests)
        self.requests.append(request.full_path)
        self.reached.set()
        if self.delay:
            time.sleep(self.delay)
        if request.headers.get("x-ucdp-access-token") != self.token:
            return Response("API token required. Add header: x-ucdp-access-token", status=401)
        fault = self.faults.get(n)
        if fault == "429":
            return Response("Too many requests", status=429, headers={"Retry-After": self.retry_after})
        if fault == "500":
            return Response("Internal Server Error", status=500)
        version = request.path.rsplit("/", 1)[-1]
        if version not in self.versions:
            return Response(json.dumps({"Message": "No such version"}), status=404)
        args = request.args
        size = int(args.get("pagesize", 100))
        page = int(args.get("page", 0))
        rows = self.matching(version, args)
        pages = max(1, ceil(len(rows) / size))

        def link(p: int) -> str:
            if not 0 <= p < pages:
                return ""
            query = {k: v for k, v in args.items() if k != "page"}
            query["page"] = str(p)
            return f"{self.base}/gedevents/{version}?" + "&".join(f"{k}={v}" for k, v in query.items())

        body = json.dumps(
            {
                "TotalCount": len(rows),
                "TotalPages": pages,
                "PreviousPageUrl": link(page - 1),
                "NextPageUrl": link(page + 1),
                "Result": rows[page * size : (page + 1) * size],
            }
        )
        if fault == "malformed":
            body = body[: len(body) // 2]
        return Response(body, content_type="application/json")
