"""Commands on the store's history: `snapshots`, `diff`, and `store compact`."""

from __future__ import annotations

import functools
from typing import Annotated

import typer
from rich.markup import escape

from peacewatch.cli import render
from peacewatch.cli.options import StoreOpt, with_filters
from peacewatch.errors import PeacewatchError
from peacewatch.indicators.filters import Filters

store_app = typer.Typer(
    name="store",
    help="Look after the store itself: compact its history.",
    no_args_is_help=True,
    add_completion=False,
)


def snapshots(
    json_out: Annotated[bool, typer.Option("--json", help="Print the snapshots as a JSON list.")] = False,
    store: StoreOpt = None,
) -> None:
    """List the store's snapshots: when, by what command, and per dataset the rows added, updated and
    deleted. Any of them can be read again with --snapshot N."""
    from peacewatch.analysis.diff import SNAPSHOT_CHANGES as CHANGES
    from peacewatch.analysis.diff import snapshot_rows
    from peacewatch.store import Store

    s = Store(store)
    snaps = s.snapshots()
    if json_out:
        render.print_json(snaps)
        return
    if not snaps:
        render.console.print(f"{s.path}: no store here yet. Ingest a file with `peacewatch ingest FILE`.")
        return
    rows = snapshot_rows(tuple(snaps))
    for r in rows:
        r["time"] = (r["time"] or "")[:19].replace("T", " ")
        r["command"] = escape(r["command"] or "(store created)")
        r["dataset_id"] = r["dataset_id"] or ""
        r["snapshot"] = r["snapshot_id"]
    render.print_table(
        rows,
        ("snapshot", "time", "command", "dataset_id", *CHANGES),
        numeric=("snapshot", *CHANGES),
        title=f"Snapshots of {s.path} (times in UTC)",
    )


def _snapshot_not_date(fn):
    """In `diff`, --from and --to are the date filters: a snapshot id given there gets a clear error."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        for flag, name in (("--from", "date_from"), ("--to", "date_to")):
            value = kwargs.get(name)
            if value is not None and value.strip().isdigit():
                raise PeacewatchError(
                    f"diff {flag} {value}: --from and --to are the date filters (YYYY-MM-DD), as in every "
                    "command; give the two snapshots as arguments: `peacewatch diff N M`."
                )
        return fn(*args, **kwargs)

    return wrapper


@_snapshot_not_date
@with_filters
def diff(
    filters: Filters,
    from_snapshot: Annotated[
        int | None, typer.Argument(metavar="FROM", help="The earlier snapshot id.", show_default=False)
    ] = None,
    to_snapshot: Annotated[
        int | None, typer.Argument(metavar="[TO]", help="The later snapshot id (default: the latest).")
    ] = None,
    estimate: Annotated[
        str, typer.Option("--estimate", help="Fatality estimate: best, low or high.")
    ] = "best",
    limit: Annotated[int, typer.Option(min=0, help="At most this many moved cells in the table.")] = 30,
    json_out: Annotated[bool, typer.Option("--json", help="Print the diff as JSON.")] = False,
    store: StoreOpt = None,
) -> None:
    """What changed from snapshot FROM to TO: rows inserted, updated and deleted per dataset, and the
    events and fatalities per country and month that moved (before, after, change), largest first."""
    from peacewatch.analysis.diff import diff as run
    from peacewatch.store import Store

    if from_snapshot is None:
        raise PeacewatchError(
            "diff: expected the earlier snapshot id as the first argument: `peacewatch diff N [M]` "
            "(`peacewatch snapshots` lists them)."
        )
    result = run(Store(store), from_snapshot, to_snapshot, filters, estimate=estimate)
    payload = result.to_dict()
    if json_out:
        render.print_json(payload)
        return
    rows = [
        {"table": table, "dataset_id": ds, **counts}
        for table, per in payload["rows"].items()
        for ds, counts in per.items()
    ]
    span = f"snapshot {result.start} to {result.end}"
    if rows:
        render.print_table(
            rows,
            ("table", "dataset_id", "inserted", "updated", "deleted"),
            numeric=("inserted", "updated", "deleted"),
            title=f"Rows changed from {span}",
        )
    else:
        render.console.print(f"No rows changed from {span}.")
    moves = payload["moves"]
    if moves:
        shown = [{**m, "events": _move(m, "events"), "fatalities": _move(m, "fatalities")} for m in moves]
        render.print_table(
            shown[:limit],
            ("dataset_id", "country", "month", "events", "fatalities"),
            title=f"Events and fatalities ({estimate}) per country and month that moved"
            + (f": the {limit} largest of {len(moves):,}" if len(moves) > limit else ""),
        )
    elif rows:
        render.console.print("No country and month moved in events or fatalities with these filters.")
    render.console.print(f"[dim]{escape(result.command)}[/dim]", highlight=False)


def _move(m: dict, what: str) -> str:
    before, after, change = m[f"{what}_before"], m[f"{what}_after"], m[f"{what}_change"]
    if before is None or after is None:
        return "no figures"
    return f"{before:,.0f} -> {after:,.0f} ({change:+,.0f})"


@store_app.command("compact")
def compact(
    keep: Annotated[
        int,
        typer.Option("--keep", min=1, help="How many of the latest snapshots to keep (1: only the current)."),
    ],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only say what would be dropped.")] = False,
    wait: Annotated[
        float, typer.Option("--wait", help="Seconds to wait for another writer to finish.")
    ] = 60.0,
    json_out: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    store: StoreOpt = None,
) -> None:
    """Expire all but the last --keep snapshots and delete the files only they needed (their data
    files, files of interrupted writers, archived sources no release lists). The current state is
    unchanged; the dropped snapshots can no longer be read with --snapshot."""
    from peacewatch.store import Store
    from peacewatch.store.maintenance import compact_report

    report = compact_report(Store(store), keep, dry_run=dry_run, wait=wait)
    if json_out:
        render.print_json(report.to_dict())
        return
    verb = "would drop" if dry_run else "dropped"
    if not report.expired:
        render.console.print(f"Nothing to drop: the store has {len(report.kept)} snapshot(s), --keep {keep}.")
    else:
        render.print_table(
            [{**e, "command": escape(e["command"] or "(store created)")} for e in report.expired],
            ("snapshot_id", "time", "command"),
            numeric=("snapshot_id",),
            title=f"{verb.capitalize()} {len(report.expired)} snapshot(s); kept: {_ids(report.kept)}",
        )
        names = _ids([e["snapshot_id"] for e in report.expired])
        fails = "" if dry_run else " (--snapshot N now fails)"
        render.console.print(
            f"[yellow]A brief, result or command that names snapshot {names} "
            f"{'would' if dry_run else 'can'} no longer be reproduced{fails}.[/yellow]"
        )
    files = len(report.data_files) + len(report.archive_files)
    render.console.print(
        f"Files {'to delete' if dry_run else 'deleted'}: {len(report.data_files)} in the data folder (of "
        f"expired snapshots, or left by an interrupted writer), {len(report.archive_files)} archived "
        f"source(s) no release lists; {files} in all, {report.bytes_freed:,} bytes."
    )


def _ids(ids: list[int]) -> str:
    """1, 2, 3, 7 -> '1-3, 7'."""
    parts: list[str] = []
    for n in sorted(ids):
        if parts and parts[-1].split("-")[-1] == str(n - 1):
            parts[-1] = f"{parts[-1].split('-')[0]}-{n}"
        else:
            parts.append(str(n))
    return ", ".join(parts)


def register(app: typer.Typer) -> None:
    app.command()(snapshots)
    app.command()(diff)
    app.add_typer(store_app, name="store")
