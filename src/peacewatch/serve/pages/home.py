"""The home page: every case with its verdict counts per party, the data's freshness, the latest
alerts of ``peacewatch watch`` and the licence mode the server runs in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from peacewatch.errors import PeacewatchError
from peacewatch.serve.cases import case_refs
from peacewatch.serve.pages import casework
from peacewatch.serve.pages.views import error_page, reading, render

router = APIRouter()

# Alerts shown on the home page, newest first; the file keeps them all.
ALERTS_SHOWN = 10
# Bytes read from the end of alerts.jsonl: a watch that ran for years must not slow the home page.
ALERTS_TAIL_BYTES = 256 * 1024


def alerts_path(config) -> Path | None:
    """Where ``peacewatch watch`` writes its alerts: ``ServeConfig.alerts``, else STORE/watch/alerts.jsonl
    for a store that is a folder."""
    if getattr(config, "alerts", None):
        return Path(config.alerts)
    store = Path(str(config.store))
    return store / "watch" / "alerts.jsonl" if not str(config.store).startswith("postgres:") else None


def latest_alerts(path: Path | None, limit: int = ALERTS_SHOWN) -> list[dict[str, Any]]:
    """The last ``limit`` alerts of a JSON-lines file, newest first; nothing when there is no file.
    Read defensively: the file belongs to another command and may be mid-write or of a newer
    format, so an unreadable line is skipped and unknown fields are ignored."""
    if path is None or not path.is_file():
        return []
    try:
        with path.open("rb") as fh:
            size = fh.seek(0, 2)
            fh.seek(max(0, size - ALERTS_TAIL_BYTES))
            tail = fh.read().decode("utf-8", errors="replace")
    except OSError:
        return []
    lines = tail.splitlines()
    if len(tail.encode("utf-8", errors="replace")) >= ALERTS_TAIL_BYTES:
        lines = lines[1:]  # the first line may be cut
    out = []
    for line in reversed(lines):
        try:
            item = json.loads(line)
        except ValueError:
            continue
        if isinstance(item, dict):
            out.append(_alert(item))
        if len(out) >= limit:
            break
    return out


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _alert(item: dict[str, Any]) -> dict[str, Any]:
    """The fields the page shows, each as text (whatever type a newer watch writes)."""
    return {
        "time": _text(item.get("time") or item.get("created_at") or item.get("at")),
        "case": _text(item.get("case")),
        "commitment": _text(item.get("commitment") or item.get("id")),
        "kind": _text(item.get("kind")),
        "message": _text(item.get("message") or item.get("summary") or item.get("text")),
        "before": _text(item.get("before") or item.get("from")),
        "after": _text(item.get("after") or item.get("to")),
        "snapshot": _text(item.get("snapshot")),
        "command": _text(item.get("command")),
    }


@router.get("/", response_class=HTMLResponse, summary="The dashboard's home page")
def home(request: Request, snapshot: str | None = None):
    """Every case with its verdicts per party, freshness, alerts and the licence mode."""
    config = request.app.state.config
    try:
        with reading(request, snapshot) as store:
            catalog = store.datasets()
            snapshots = store.snapshots()
            snap, path = store.snapshot, store.path
    except PeacewatchError as exc:
        return error_page(request, exc)
    cases = [casework.case_view(request.app.state.store, ref, snap, None) for ref in case_refs(config)]
    current = next((s for s in snapshots if s["snapshot_id"] == snap), None)
    return render(
        request,
        "home.html.j2",
        title="peacewatch dashboard",
        cases=cases,
        catalog=catalog,
        snapshot=current,
        store={"snapshot": snap, "path": path},
        alerts=latest_alerts(alerts_path(config)),
        alerts_file=alerts_path(config),
    )
