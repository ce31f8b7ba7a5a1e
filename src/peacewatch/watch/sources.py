"""Syncing the sources a watched case uses, before it is evaluated.

A registry maps a source name (the catalog's ``source`` of a dataset: ``acled``, ``ucdp_ged``, ...) to
a :class:`Syncer`: whether a dataset of the store was made by a sync (and so can be brought up to date
by one), and the function that syncs it again with the filters it was first synced with. Datasets
ingested from files are read as they are: there is no service to ask.

A source with a sync module registers here: the syncs table (``Store.last_sync``) says which datasets a
sync made, with the filters, the service's address and the cursor to resume from; the syncer asks the
service module for a pull with them and hands it to ``Store.sync``, as ``peacewatch sync SOURCE`` does.

A sync that fails (the service down, credentials missing) does not stop the watch: the cases are
watched on the store as it is, and the run reports the failure (docs/watch.md).

>>> sorted(SYNCERS)          # doctest: +SKIP
['acled', 'gdelt', 'ucdp_ged']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from peacewatch.errors import SyncError
from peacewatch.store import interrupts


@dataclass(frozen=True)
class Syncer:
    """How to bring a synced dataset up to date: ``synced(store, dataset_id)`` says whether the store
    holds a sync's record for it; ``sync(store, dataset_id)`` syncs it again and returns the sync's
    summary (a dict: new, changed and deleted events, and the snapshot written)."""

    source: str
    synced: Callable[[Any, str], bool]
    sync: Callable[[Any, str], dict[str, Any]]


SYNCERS: dict[str, Syncer] = {}


def register(syncer: Syncer) -> None:
    """Add a source's syncer (a sync module calls this for itself)."""
    SYNCERS[syncer.source] = syncer


def sync_datasets(store, datasets: Iterable[str]) -> list[dict[str, Any]]:
    """Sync every dataset of ``datasets`` that a sync made, once each; returns their summaries,
    each with ``dataset`` and ``source``. A dataset not in the store, or ingested from a file, is left
    as it is."""
    catalog = {e["dataset_id"]: e for e in store.datasets()}
    out = []
    for ds in dict.fromkeys(datasets):
        entry = catalog.get(ds)
        syncer = SYNCERS.get(entry["source"]) if entry else None
        if syncer is None or not syncer.synced(store, ds):
            continue
        try:
            out.append({"dataset": ds, "source": syncer.source, **syncer.sync(store, ds)})
            at = f" to snapshot {out[-1]['snapshot']}" if out[-1].get("snapshot") is not None else ""
            interrupts.record_done(
                f"synced {ds}{at}",
                "the cases were not re-evaluated and no alerts were raised; run `peacewatch watch` again",
            )
        except SyncError as exc:  # CredentialsError included: said, and the watch goes on
            out.append({"dataset": ds, "source": syncer.source, "error": str(exc)})
    return out


def synced_datasets(store, source: str) -> list[str]:
    """The datasets a sync of ``source`` made (those a re-sync can bring up to date), sorted."""
    if not store.exists() or not store._has_table("syncs"):
        return []
    rows = store.query("SELECT DISTINCT dataset_id FROM syncs WHERE source = ?", [source]).to_pylist()
    return sorted(r["dataset_id"] for r in rows)


def _summary(report) -> dict[str, Any]:
    """A sync's report as a watch shows it: the counts, the snapshot, and the whole report."""
    return {
        "new": report.added,
        "changed": report.updated,
        "deleted": report.deleted,
        "snapshot": report.snapshot_id,
        "accessed_at": report.accessed_at,
        "report": report.to_dict(),
    }


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _acled_synced(store, dataset_id: str) -> bool:
    return store.last_sync("acled", dataset_id) is not None


def _acled_sync(store, dataset_id: str) -> dict[str, Any]:
    """Sync an ACLED dataset again with the filters, address and cursor of its last sync."""
    from peacewatch.sync import acled
    from peacewatch.sync.credentials import credentials

    last = store.last_sync("acled", dataset_id)
    f = last["filters"]
    email, password = acled.credentials_for(credentials("acled"))
    pull = acled.pull(
        email=email,
        password=password,
        countries=f.get("countries", []),
        regions=f.get("regions", []),
        since=_day(f.get("since")),
        until=_day(f.get("until")),
        cursor=last["cursor"],
        # The syncs row names the service's read address: the same service (or mirror) again.
        base_url=last["service"].removesuffix(acled.READ_PATH),
        dataset_id=dataset_id,
    )
    return _summary(store.sync(pull, message=f"peacewatch watch: sync acled {dataset_id}"))


register(Syncer("acled", _acled_synced, _acled_sync))


def _ucdp_sync(store, dataset_id: str) -> dict[str, Any]:
    """Sync a UCDP dataset again: its kind and filters from its last sync, the latest version of the
    same service, its cursor and today's quota (watch/resync.py); a complete GED release then deletes
    the Candidate events it covers, as ``peacewatch sync ucdp`` does."""
    from peacewatch.sync.credentials import credentials
    from peacewatch.sync.ucdp_api import DAILY_QUOTA, RESOURCE, UcdpQuery
    from peacewatch.watch import resync

    last = store.last_sync(resync.UCDP, dataset_id)
    f = last["filters"]
    base_url = last["service"].removesuffix(f"/{RESOURCE}")
    query = UcdpQuery(
        f["dataset"], "latest", tuple(f.get("gw_countries") or ()), _day(f.get("since")), _day(f.get("until"))
    )
    pull = resync.ucdp_pull(
        store,
        query,
        token=credentials("ucdp")["token"],
        names=f.get("country") or [],
        dataset_id=dataset_id,
        base_url=base_url,
        quota=DAILY_QUOTA,
    )
    out = _summary(store.sync(pull, message=f"peacewatch watch: sync ucdp {dataset_id}"))
    if pull.sync.stopped:
        out["stopped"] = pull.sync.stopped
    for superseding in resync.supersede_pulls(store, pull, base_url):
        store.sync(superseding, message=f"peacewatch watch: sync ucdp {superseding.dataset_id}")
    return out


def _gdelt_sync(store, dataset_id: str) -> dict[str, Any]:
    """Sync a GDELT dataset again from the file after the last one applied, with its filters."""
    from peacewatch.watch import resync

    last = store.last_sync("gdelt", dataset_id)
    f = last["filters"]
    pull = resync.gdelt_pull(
        store,
        since=_day(f.get("since")),
        countries=f.get("country") or [],
        roots=f.get("cameo_root") or [],
        parallel=4,
        dataset_id=dataset_id,
        base_url=last["service"],
    )
    return _summary(store.sync(pull, message=f"peacewatch watch: sync gdelt {dataset_id}"))


register(Syncer("ucdp_ged", lambda store, ds: store.last_sync("ucdp_ged", ds) is not None, _ucdp_sync))
register(Syncer("gdelt", lambda store, ds: store.last_sync("gdelt", ds) is not None, _gdelt_sync))
