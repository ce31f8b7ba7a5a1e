"""What every dashboard page shares: the Jinja2 environment, the store read at the snapshot a request
names, number formatting and the error page.

Every text from data, case files or the request is escaped by the templates (autoescape on for every
template); chart specs go into ``<script type="application/json">`` blocks through Jinja's ``tojson``,
which escapes ``<``, ``>``, ``&`` and ``'``, so no data text can close the block or run as script.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
from collections.abc import Iterator
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from peacewatch.errors import ArgumentError, PeacewatchError

LICENCE_MODES = {
    False: "derived figures only",
    True: "event rows exposed",
}


def _number(x: Any, digits: int = 2) -> str:
    """A number for a page: thousands separated, ratios to ``digits`` decimals, ``n/a`` when missing."""
    if x is None:
        return "n/a"
    try:
        v = float(x)
    except (TypeError, ValueError):
        return str(x)
    if not math.isfinite(v):
        return "n/a"
    if v.is_integer() or abs(v) >= 100:
        return f"{v:,.0f}"
    return f"{v:.{digits}f}"


def _short(sha: str | None) -> str:
    return (sha or "")[:12]


_ENV = Environment(
    loader=PackageLoader("peacewatch.serve", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.filters["num"] = _number
_ENV.filters["short"] = _short


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """The page ``template`` rendered with ``context`` and what every page shows (the licence mode,
    the snapshot read, the request's query for links that keep it)."""
    config = request.app.state.config
    html = _ENV.get_template(template).render(
        request=request,
        licence_mode=LICENCE_MODES[bool(config.expose_events)],
        expose_events=bool(config.expose_events),
        **context,
    )
    return HTMLResponse(html, status_code=status_code)


def error_page(request: Request, exc: PeacewatchError, status_code: int = 400) -> HTMLResponse:
    """A user error as a page: the sentence, the hint, and the way back."""
    return render(
        request,
        "error.html.j2",
        status_code=status_code,
        title="Cannot show this page",
        message=exc.message,
        hint=exc.hint,
    )


@contextlib.contextmanager
def reading(request: Request, snapshot: str | None) -> Iterator[Any]:
    """The store read at ``snapshot`` (an id or an ISO time; none: the latest as of this request), as a
    :class:`peacewatch.store.Store` pinned on a connection of the API's pool
    (:class:`peacewatch.serve.reading.Reader`) for the ``with`` block: opening the lake is the costly
    part of a request, so connections are kept open between requests, and one request at a time reads
    each."""
    asked: int | str | None = None
    if snapshot not in (None, ""):
        text = snapshot.strip().removeprefix("@")
        if text.isdigit():
            asked = int(text)
        else:
            try:
                dt.datetime.fromisoformat(text)
            except ValueError:
                raise ArgumentError(
                    f"snapshot={snapshot!r}: expected a snapshot id or an ISO time.",
                    hint="See /datasets for the store's snapshots.",
                ) from None
            asked = text
    with request.app.state.reader.lease(asked) as store:
        yield store


def snapshot_of(request: Request, snapshot: str | None) -> int:
    """The id of the snapshot ``snapshot`` names (see :func:`reading`); the latest's is read from a
    local store's catalog without a connection (a page kept for it then costs none)."""
    if snapshot is None or not snapshot.strip():
        return int(request.app.state.reader.latest_id())
    with reading(request, snapshot) as store:
        return int(store.snapshot)


def api_at(request: Request, snapshot_id: int):
    """The Python API (:class:`peacewatch.api.StoreAPI`) read at ``snapshot_id``, for what is computed
    (and then kept) rather than read on every request."""
    return request.app.state.store.at(snapshot_id)


def query_link(request: Request, **changes: Any) -> str:
    """This page's URL with some query parameters changed (None drops one), for links that keep the
    rest of the view (the snapshot, the as-of date)."""
    params = dict(request.query_params)
    for k, v in changes.items():
        if v is None:
            params.pop(k, None)
        else:
            params[k] = str(v)
    from urllib.parse import urlencode

    return request.url.path + (f"?{urlencode(params)}" if params else "")


_ENV.globals["query_link"] = query_link
