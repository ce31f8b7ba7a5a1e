"""UCDP: keep GED and GED Candidate events current from the UCDP API (the protocol: sync/ucdp_api.py).

A sync keeps one dataset current per dataset kind and filters: ``ucdp-ged-api-...`` holds one final GED
release (a new release replaces the previous one as a change set), ``ucdp-candidate-api-...`` gathers the
monthly Candidate releases (each covers one month: a new Candidate version of a month replaces that
month's events, the other months stay).

One event per real event: Candidate events are preliminary, and a final GED release covers their dates
a year or so later. A Candidate sync leaves out the events dated on or before the end of the GED release
the store holds for the same countries (``superseded``), and a GED sync that completes is followed
by :func:`supersede_pull`, which deletes the Candidate events its release now covers. Which days of a
result rest on Candidate data is told from the Candidate datasets' events (briefs say so in their data
notes).

Deletions need the whole version: a pass read in one sync is applied as a release (``complete``); a pass
split by the quota is applied page by page as upserts, and its last part lists the ids the version lacks
(``known_ids`` of the dataset, less the ids the pass saw).

>>> dataset_id_for("ged", ["Afghanistan"], None, None)
'ucdp-ged-api-afghanistan'
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

from peacewatch.sources.ucdp import SOURCE, api_plan
from peacewatch.sources.ucdp_formats import records_table
from peacewatch.sync.http import ServiceClient, now_utc
from peacewatch.sync.pages import Page, Pull
from peacewatch.sync.ucdp_api import BASE_URL, DAILY_QUOTA, RESOURCE, UcdpQuery, UcdpSync

# The fields of a GED record as the API writes them (its order); the columns of a synced page when its
# records do not say (an empty first page).
COLUMNS = (
    "id", "relid", "year", "active_year", "code_status", "type_of_violence", "conflict_dset_id",
    "conflict_new_id", "conflict_name", "dyad_dset_id", "dyad_new_id", "dyad_name", "side_a_dset_id",
    "side_a_new_id", "side_a", "side_b_dset_id", "side_b_new_id", "side_b", "number_of_sources",
    "source_article", "source_office", "source_date", "source_headline", "source_original", "where_prec",
    "where_coordinates", "where_description", "adm_1", "adm_2", "latitude", "longitude", "geom_wkt",
    "priogrid_gid", "country", "country_id", "region", "event_clarity", "date_prec", "date_start",
    "date_end", "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown", "best", "high", "low",
    "gwnoa", "gwnob",
)  # fmt: skip

KnownIds = Callable[[date | None, date | None], set[str]]


def dataset_id_for(dataset: str, countries: Sequence[str], since: date | None, until: date | None) -> str:
    """The dataset a kind (ged, candidate) and filters keep current."""
    parts = [*countries] or ["all"]
    if since:
        parts.append(f"from {since.isoformat()}")
    if until:
        parts.append(f"to {until.isoformat()}")
    return f"ucdp-{dataset}-api-" + re.sub(r"[^a-z0-9]+", "-", " ".join(parts).lower()).strip("-")[:80]


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None  # the reader quarantines the row with its reason


def _covered(record: dict, superseded: Sequence[tuple[frozenset[int] | None, date]]) -> bool:
    """Whether a GED release in the store covers a Candidate record (its country and start day)."""
    start = _day(record.get("date_start"))
    if start is None:
        return False
    try:
        country = int(record.get("country_id"))
    except (TypeError, ValueError):
        country = None
    return any((gws is None or country in gws) and start <= until for gws, until in superseded)


def pull(
    *,
    token: str,
    query: UcdpQuery,
    cursor: dict[str, Any] | None = None,
    base_url: str = BASE_URL,
    dataset_id: str | None = None,
    names: Sequence[str] = (),
    known_ids: KnownIds | None = None,
    superseded: Sequence[tuple[frozenset[int] | None, date]] = (),
    client: ServiceClient | None = None,
    now: datetime | None = None,
    quota_limit: int = DAILY_QUOTA,
) -> Pull:
    """A pull of the version ``query`` asks for (resuming the pass ``cursor`` holds). ``names`` are the
    countries as the user named them (for the dataset id and the catalog); ``known_ids(first, last)``
    gives the source ids the dataset holds dated in that range (the command reads them from the store);
    ``superseded`` lists the GED releases in the store as (their Gleditsch-Ward countries, None for
    all; the last day they cover): Candidate events they cover are left out."""
    client = client or ServiceClient(base_url)
    sync = UcdpSync(client, query, token, cursor, now=now, quota_limit=quota_limit)
    filters = {**query.filters(), "country": list(names)}
    filters = {k: v for k, v in filters.items() if v}
    accessed = now_utc()
    shown = ", ".join(
        f"{k}={'|'.join(map(str, v)) if isinstance(v, list) else v}" for k, v in filters.items()
    )
    the_pull = Pull(
        source=SOURCE,
        dataset_id=dataset_id or dataset_id_for(query.dataset, names, query.since, query.until),
        filters=filters,
        service=f"{client.base_url}/{RESOURCE}",
        pages=(),
        accessed_at=accessed,
        # The access note briefs print (briefs/attribution.py: access), as UCDP's terms ask.
        notes=(
            f"synced from the UCDP API ({client.base_url}/{RESOURCE}) with {shown}; "
            f"accessed {accessed.isoformat()}",
        ),
        requests=lambda: client.requests,
        secrets=(token,),
    )

    def pages() -> Iterator[Page]:
        columns: tuple[str, ...] | None = None
        left_out = 0
        for page in sync.pages():
            records = page.records
            # Candidate events a GED release covers are read (the page's rows stay the page's records,
            # as the archive holds them) and listed as deletions, which the store applies over them.
            covered = [str(r.get("id")) for r in records if _covered(r, superseded)] if superseded else []
            left_out += len(covered)
            if columns is None:
                # The service's own field order (a file of the page reads its columns so): the columns
                # of every page of the pull, so that they share one plan.
                columns = tuple(page.records[0]) if page.records else COLUMNS
            plan = api_plan(records_table(records, columns), sync.query.version)
            yield Page(
                request=page.request, body=page.body, plan=plan, rows=len(records), deleted=tuple(covered)
            )
        the_pull.version = f"GED {sync.query.version}"
        the_pull.cursor = sync.cursor
        if left_out:
            the_pull.notes = (
                *the_pull.notes,
                f"{left_out:,} Candidate events left out: a GED release in the store covers their dates "
                f"(to {max(d for _, d in superseded).isoformat()})",
            )
        if sync.stopped:
            the_pull.notes = (*the_pull.notes, sync.stopped)
        if not sync.complete:
            return  # a part of a pass: upserts only, its deletions wait for its last part
        if query.dataset == "ged" and sync.first_page == 0:
            the_pull.complete = True  # the whole release in one sync: applied as a release
            return
        first, last = sync.query.coverage() if query.dataset == "candidate" else (None, None)
        first = max(d for d in (first, query.since) if d) if (first or query.since) else None
        last = min(d for d in (last, query.until) if d) if (last or query.until) else None
        stored = known_ids(first, last) if known_ids else set()
        gone = sorted(stored - sync.seen())
        if gone:
            body = json.dumps({"absent_from": sync.query.version, "ids": gone}).encode()
            what = f"(ids of {the_pull.dataset_id} absent from UCDP {query.dataset} {sync.query.version})"
            yield Page(request=what, body=body, deleted=tuple(gone))

    the_pull.pages = pages()
    the_pull.sync = sync  # type: ignore[attr-defined]  # the command reads the stop message and the pass state
    return the_pull


def supersede_pull(
    *,
    dataset_id: str,
    ids: Sequence[str],
    ged_version: str,
    covered_until: date,
    last: dict[str, Any],
    base_url: str,
) -> Pull:
    """A pull that deletes from Candidate dataset ``dataset_id`` the events (``ids``) a final GED release
    now covers; ``last`` is the dataset's last ``syncs`` row, whose cursor and filters are kept."""
    body = json.dumps(
        {"superseded_by": ged_version, "covered_until": covered_until.isoformat(), "ids": list(ids)}
    )
    page = Page(
        request=f"(Candidate events of {dataset_id} dated to {covered_until.isoformat()}, superseded by GED "
        f"{ged_version})",
        body=body.encode(),
        deleted=tuple(ids),
    )
    return Pull(
        source=SOURCE,
        dataset_id=dataset_id,
        filters=dict(last["filters"]),
        service=f"{base_url.rstrip('/')}/{RESOURCE}",
        pages=[page],
        accessed_at=now_utc(),
        cursor=dict(last["cursor"]),
        notes=(f"Candidate events to {covered_until.isoformat()} superseded by GED {ged_version}",),
    )
