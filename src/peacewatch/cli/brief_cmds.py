"""Commands on briefings: check the quantitative claims of a case against the loaded data."""

from __future__ import annotations

import datetime as dt
import shlex
from typing import Annotated

import typer
from rich.markup import escape

from peacewatch.cli import render
from peacewatch.cli.options import (
    EngineOpt,
    SnapshotOpt,
    StoreOpt,
    TaxonomyOpt,
    parse_date,
    reader,
    warn_taxonomy_overlaps,
)

STYLE = {
    "supported": "green",
    "contradicted": "red",
    "inconclusive": "magenta",
    "insufficient_data": "cyan",
}


def check(
    claims_or_case: Annotated[
        str,
        typer.Argument(
            metavar="CLAIMS_OR_CASE",
            help="A claims.yaml file, a case folder, or the name of a built-in case "
            "(afghanistan-2020, myanmar-2015, syria-2016).",
        ),
    ],
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Judge as of this date: no period may end after it (default: today)."),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
    dataset: Annotated[
        str | None,
        typer.Option(
            "--dataset",
            metavar="ID",
            help="Check every claim on this dataset instead of the ones claims.yaml names (default: "
            "those, or the case's stand-in when the store lacks them: docs/agreement-format.md).",
        ),
    ] = None,
    taxonomy: TaxonomyOpt = None,
    show_events: Annotated[
        str | None,
        typer.Option(
            "--show-events",
            metavar="ID",
            help="List the events claim ID's check counted (window and baseline, or period), "
            "imprecisely dated ones flagged.",
        ),
    ] = None,
    store: StoreOpt = None,
    engine: EngineOpt = "duckdb",
    snapshot: SnapshotOpt = None,
) -> None:
    """Check each claim of a briefing: supported, contradicted, inconclusive or insufficient_data."""
    from peacewatch.agreements import case_taxonomy, standin
    from peacewatch.briefs.claims import check_claims, claims_path, load_claims
    from peacewatch.errors import BriefError

    path = claims_path(claims_or_case)
    s = reader(store, engine, snapshot)
    actors = case_taxonomy(path.parent, s, taxonomy or ())
    warn_taxonomy_overlaps(actors, s)
    claims = load_claims(path, taxonomy=actors)
    reading = standin.for_folder(path.parent, s, dataset=dataset, taxonomy=actors)
    if show_events:
        claims = [render.pick(claims, show_events, "claim", "--show-events", BriefError)]
    day = parse_date(as_of, "--as-of")
    results = check_claims(claims, store=s, as_of=day, reading=reading)
    stand_in = reading.to_dict(d for c in claims for d in c.check.filters.dataset)
    notes = [stand_in["note"]] if stand_in else []
    render.notes(notes)
    if show_events:
        render.show_events(results[0], "claim", s, json_out=json_out, error=BriefError)
        return
    payload = {
        "claims": [r.to_dict() for r in results],
        "snapshot": s.snapshot,
        "stand_in": stand_in,
        "notes": notes,
    }
    if json_out:
        render.print_json(payload)
        return
    from rich.table import Table

    table = Table(title=f"Claims of {path}", show_lines=True, header_style="bold")
    for col in ("claim", "result", "summary"):
        table.add_column(col, overflow="fold", no_wrap=col == "result")
    for r in results:
        summary = r.summary + (f"\n[dim]Dates: {r.imprecise['note']}[/dim]" if r.imprecise else "")
        table.add_row(f"{r.id}\n[dim]{r.text}[/dim]", f"[{STYLE[r.result]}]{r.result}[/]", summary)
    render.console.print(table)
    counts = {k: sum(r.result == k for r in results) for k in STYLE}
    render.console.print(", ".join(f"{k} {n}" for k, n in counts.items() if n))
    for r in results:
        render.console.print(f"[dim]{r.id}: {r.evidence.get('command', '')}[/dim]")
    again = ["peacewatch", "check", claims_or_case, "--store", str(s.path), "--snapshot", str(s.snapshot)]
    again += ["--as-of", (day or dt.date.today()).isoformat(), *(["--dataset", dataset] if dataset else [])]
    render.console.print(f"[dim]{escape(shlex.join(again))}[/dim]", highlight=False)


def register(app: typer.Typer) -> None:
    app.command()(check)
