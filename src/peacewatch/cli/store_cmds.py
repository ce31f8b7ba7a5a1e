"""Commands on the store itself: ingest, datasets, events, actors, export."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from peacewatch.cli import render
from peacewatch.cli.options import (
    JsonFlag,
    SnapshotOpt,
    StoreOpt,
    TaxonomyOpt,
    adopt_taxonomies,
    output_format,
    reading_store,
    warn_taxonomy_overlaps,
    with_filters,
)
from peacewatch.indicators.filters import Filters

CATALOG_COLUMNS = (
    "dataset_id",
    "source",
    "version",
    "rows_read",
    "rows_ingested",
    "rows_quarantined",
    "date_min",
    "date_max",
    "covers_to",
)
REPORT_COLUMNS = (
    "dataset_id",
    "status",
    "reader",
    "rows_read",
    "rows_ingested",
    "rows_quarantined",
    "rows_duplicate",
    "rows_superseded",
)


def ingest(
    paths: Annotated[
        list[Path], typer.Argument(help="Files to ingest (CSV, TSV, .gz, .zip, xlsx, JSON, GeoJSON).")
    ],
    source: Annotated[str | None, typer.Option(help="Force a reader: ucdp_ged, acled, gdelt, gtd.")] = None,
    mapping: Annotated[
        Path | None, typer.Option(help="YAML mapping for any other table (docs/mapping.md).")
    ] = None,
    name: Annotated[
        str | None, typer.Option(help="Dataset id to use instead of one from the file name.")
    ] = None,
    taxonomy: Annotated[
        list[Path] | None, typer.Option(help="Extra actor taxonomy YAML (repeatable).")
    ] = None,
    earliest_date: Annotated[
        datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"],
            help="Quarantine rows dated before this day as implausible (default 1946-01-01).",
        ),
    ] = None,
    latest_date: Annotated[
        datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"],
            help="Quarantine rows dated after this day as implausible (default: a year from today).",
        ),
    ] = None,
    release_of: Annotated[
        str | None,
        typer.Option(
            "--release-of",
            help="Apply the file as a new release of this dataset (a change set by event id). Without "
            "it a file is taken as a new release when it has the same source and reader as a dataset "
            "and carries 90% or more of its event ids.",
        ),
    ] = None,
    covers_to: Annotated[
        datetime | None,
        typer.Option(
            "--covers-to",
            formats=["%Y-%m-%d"],
            help="The last day the file covers, when later than its last event (a quiet end, a reduced "
            "export): coverage then ends there instead of at the last event (docs/adr/0009).",
        ),
    ] = None,
    no_archive: Annotated[
        bool,
        typer.Option(
            "--no-archive",
            help="Do not copy the file into the store's archive; only its path is kept (events --raw "
            "then needs the file where it was).",
        ),
    ] = False,
    wait: Annotated[
        float,
        typer.Option("--wait", min=0, help="Seconds to wait for another process writing the store."),
    ] = 60.0,
    json_out: Annotated[bool, typer.Option("--json", help="Print the reports as JSON.")] = False,
    store: StoreOpt = None,
) -> None:
    """Ingest files into the store, atomically, as one snapshot: all of them or none."""
    from peacewatch.store import Store

    s = Store(store)
    with render.progress_bar(quiet=json_out) as bar:
        task = bar.add_task("starting", total=None)

        def progress(stage: str, fraction: float | None) -> None:
            bar.update(
                task, description=stage, total=1.0 if fraction is not None else None, completed=fraction or 0
            )

        reports = s.ingest(
            paths,
            source=source,
            mapping=mapping,
            dataset_id=name,
            taxonomy_files=taxonomy or (),
            progress=progress,
            plausible_dates=(
                earliest_date.date() if earliest_date else None,
                latest_date.date() if latest_date else None,
            ),
            release_of=release_of,
            archive=not no_archive,
            wait=wait,
            covers_to=covers_to.date() if covers_to else None,
        )
    if taxonomy:
        warn_taxonomy_overlaps(s.taxonomy(), s)
    if json_out:
        render.print_json([r.to_dict() for r in reports])
        return
    render.print_table(
        [r.to_dict() for r in reports],
        REPORT_COLUMNS,
        title=f"Ingested into {s.path}",
        numeric=(
            "rows_read",
            "rows_ingested",
            "rows_quarantined",
            "rows_duplicate",
            "rows_superseded",
            "seconds",
        ),
    )
    for r in reports:
        for note in r.notes:
            # Superseding changes what other datasets count, a release changes a dataset, and a file
            # given twice is counted once: say each, every time.
            if "superseded" in note or "given earlier in this ingest" in note or "new release of" in note:
                render.console.print(f"[yellow]{r.dataset_id}: {note}[/yellow]")
        if r.fields_missing and r.status == "ingested":
            render.console.print(
                f"[dim]{r.dataset_id}: fields this file cannot supply: {', '.join(r.fields_missing)}[/dim]"
            )
        if r.release_of and r.status == "ingested":
            render.console.print(
                f"{r.dataset_id}: {r.rows_added:,} rows added, {r.rows_updated:,} updated, "
                f"{r.rows_deleted:,} deleted, {r.rows_unchanged:,} unchanged (snapshot {r.snapshot_id})"
            )
        if r.rows_quarantined:
            render.console.print(
                f"[yellow]{r.dataset_id}: {r.rows_quarantined:,} rows quarantined; see "
                f"`peacewatch quarantine --dataset {r.dataset_id}`[/yellow]"
            )


def datasets(
    json_out: Annotated[bool, typer.Option("--json", help="Print the catalog as a JSON list.")] = False,
    store: StoreOpt = None,
    snapshot: SnapshotOpt = None,
) -> None:
    """List the datasets in the store (the catalog)."""
    s = reading_store(store, snapshot)
    rows = s.catalog()
    if json_out:
        render.print_json(rows)
        return
    if not rows:
        render.console.print(f"{s.path}: no datasets yet. Ingest one with `peacewatch ingest FILE`.")
        return
    render.print_table(
        rows,
        CATALOG_COLUMNS,
        title=f"Datasets in {s.path} at snapshot {s.snapshot}",
        numeric=("rows_read", "rows_ingested", "rows_quarantined", "rows_duplicate", "rows_superseded"),
    )


def quarantine(
    dataset: Annotated[str | None, typer.Option(help="Only this dataset.")] = None,
    limit: Annotated[int, typer.Option(min=0, help="At most this many rows.")] = 50,
    fmt: Annotated[str, typer.Option("--format", help="table, csv, json or parquet.")] = "table",
    out: Annotated[Path | None, typer.Option(help="Write to this file.")] = None,
    json_out: JsonFlag = False,
    store: StoreOpt = None,
    snapshot: SnapshotOpt = None,
) -> None:
    """Show quarantined rows with the reason each could not be read."""
    fmt = output_format(fmt, json_out)
    where, params = ("WHERE dataset_id = ?", [dataset]) if dataset else ("", [])
    s = reading_store(store, snapshot)
    table = s.query(
        f"SELECT dataset_id, source_row, reason, raw FROM quarantine {where} "
        f"ORDER BY dataset_id, source_row LIMIT {int(limit)}",
        params,
    )
    render.write_rows(table, fmt, out, title=f"Quarantined rows (snapshot {s.snapshot})")


EVENT_COLUMNS = (
    "event_id",
    "dataset_id",
    "date_start",
    "country",
    "admin1",
    "event_type",
    "actor1",
    "actor2",
    "fatalities_best",
)


@with_filters
def events(
    filters: Filters,
    limit: Annotated[
        int | None, typer.Option(min=0, help="At most this many rows (default 20 for the table).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv, json or parquet.")] = "table",
    out: Annotated[Path | None, typer.Option(help="Write to this file (required for parquet).")] = None,
    json_out: JsonFlag = False,
    raw: Annotated[
        bool,
        typer.Option(
            "--raw",
            help="Add each event's original row (column raw): its text exactly as in the source file, "
            "read back from the file by the event's source_row.",
        ),
    ] = False,
    store: StoreOpt = None,
    snapshot: SnapshotOpt = None,
) -> None:
    """List events that match the filters."""
    from peacewatch import analysis

    fmt = output_format(fmt, json_out)
    f = filters
    if limit is None and fmt == "table":
        limit = 20
    s = reading_store(store, snapshot)
    table = analysis.events(f, store=s, limit=limit, raw=raw)
    if raw:
        columns: tuple[str, ...] = ("event_id", "dataset_id", "source_row", "raw")
        if fmt == "table":  # a source file's text reaches the terminal: no markup, no control characters
            from rich.markup import escape

            from peacewatch.textsafe import printable

            shown = [escape(printable(t)) for t in table.column("raw").to_pylist()]
            table = table.select(list(columns[:3])).append_column("raw", [shown])
    else:
        columns = EVENT_COLUMNS
        if fmt != "parquet" and fmt != "table" and "raw" in table.column_names:
            table = table.drop_columns(["raw"])
    render.write_rows(table, fmt, out, columns=columns, title=f"Events (snapshot {s.snapshot})")
    if fmt == "table":
        from peacewatch.schema import caveat_list

        _, sel = analysis.selection(f, s)
        render.print_caveats({"caveats": caveat_list(sel.provenance())})


def actors(
    unresolved: Annotated[
        bool, typer.Option(help="List the most frequent names that resolve to no key.")
    ] = False,
    search: Annotated[
        str | None,
        typer.Option(help="Find keys whose key, name or aliases match this text, with events per dataset."),
    ] = None,
    limit: Annotated[int, typer.Option(min=0, help="At most this many rows.")] = 30,
    json_out: Annotated[bool, typer.Option("--json", help="Print the rows as JSON.")] = False,
    taxonomy: TaxonomyOpt = None,
    store: StoreOpt = None,
    snapshot: SnapshotOpt = None,
) -> None:
    """Canonical actor keys found in the store, or the names left unresolved."""
    from peacewatch import analysis

    adopt_taxonomies(taxonomy, store, snapshot)
    s = reading_store(store, snapshot)
    if search is not None:
        found = analysis.find_actors(search, store=s)[:limit]
        if json_out:
            render.print_json(found)
            return
        for r in found:
            r["datasets"] = ", ".join(f"{d} {n:,}" for d, n in r["by_dataset"].items()) or "-"
        render.print_table(
            found,
            ("key", "name", "kind", "events", "datasets", "matched"),
            numeric=("events",),
            title=f"Actor keys matching {search!r} (snapshot {s.snapshot})",
        )
        return
    rows = analysis.actor_summary(store=s, unresolved=unresolved, limit=limit)
    if json_out:
        render.print_json(rows)
        return
    if unresolved:
        shown = [{**r, "event countries": _first(r["event_countries"])} for r in rows]
        render.print_table(
            shown,
            ("name", "events", "event countries", "datasets"),
            numeric=("events",),
            title=f"Most frequent unresolved actor names at snapshot {s.snapshot} (add aliases in a "
            "taxonomy file)",
        )
    else:
        render.print_table(
            rows,
            ("key", "name", "kind", "events", "datasets"),
            numeric=("events",),
            title=f"Actor keys in the store at snapshot {s.snapshot}",
        )


def _first(codes: list[str], n: int = 4) -> str:
    """The busiest few ISO3 codes of the places a name's events are in, and how many more."""
    more = f" +{len(codes) - n} more" if len(codes) > n else ""
    return ", ".join(codes[:n]) + more


def places(
    country: Annotated[str | None, typer.Option(help="Only this country (name or ISO3 code).")] = None,
    search: Annotated[
        str | None, typer.Option(help="Only names containing this text (ignoring case and accents).")
    ] = None,
    level: Annotated[str | None, typer.Option(help="Only one level: country, admin1 or admin2.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many rows.")] = 200,
    json_out: Annotated[bool, typer.Option("--json")] = False,
    store: StoreOpt = None,
    snapshot: SnapshotOpt = None,
) -> None:
    """Countries, admin1 and admin2 names in the store (as --country/--admin1/--admin2 take them), with
    events per dataset."""
    from peacewatch import analysis

    s = reading_store(store, snapshot)
    rows = analysis.places(s, country=country, search=search, level=level)[:limit]
    if json_out:
        render.print_json(rows)
        return
    for r in rows:
        r["datasets"] = ", ".join(f"{d} {n:,}" for d, n in r["by_dataset"].items())
        r["in"] = r.get("country_name") or " / ".join(x for x in (r["country"], r["admin1"]) if x)
    render.print_table(
        rows,
        ("level", "name", "in", "events", "datasets"),
        numeric=("events",),
        title=f"Places (snapshot {s.snapshot})",
    )


def export(
    folder: Annotated[
        Path, typer.Argument(metavar="DIR", help="The folder to write (new or empty, else --overwrite).")
    ],
    snapshot: Annotated[
        int | None, typer.Option("--snapshot", help="Export this snapshot (default: the latest).")
    ] = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace what DIR holds (once the new export is whole).")
    ] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print the manifest as JSON.")] = False,
    store: StoreOpt = None,
) -> None:
    """Write the store at one snapshot as partitioned Parquet, with a manifest (for Spark and others)."""
    from peacewatch.store.export import export as run

    manifest = run(_pinned(store, snapshot), folder, overwrite=overwrite)
    if json_out:
        render.print_json(manifest)
        return
    rows = [{"table": t, "rows": e["rows"], "path": e["path"]} for t, e in manifest["tables"].items()]
    render.print_table(rows, ("table", "rows", "path"), numeric=("rows",), title="Tables exported")
    render.console.print(f"{folder.resolve()}: snapshot {manifest['snapshot']} of {manifest['store']}")


def _pinned(store, snapshot: int | None):
    from peacewatch.store import Store

    return Store(store, snapshot=snapshot).pinned()


def register(app: typer.Typer) -> None:
    app.command()(ingest)
    app.command()(datasets)
    app.command()(events)
    app.command()(actors)
    app.command()(places)
    app.command()(quarantine)
    app.command()(export)
