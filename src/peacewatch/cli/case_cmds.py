"""Commands on case files: evaluate an agreement's commitments."""

from __future__ import annotations

import shlex
from pathlib import Path
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
    "met": "green",
    "late": "yellow",
    "not_met": "red",
    "inconclusive": "magenta",
    "insufficient_data": "cyan",
    "not_due": "dim",
    "contrast": "blue",
}


def evaluate(
    case: Annotated[
        str,
        typer.Argument(
            help="A case folder, or the name of a built-in case (afghanistan-2020, myanmar-2015, syria-2016)."
        ),
    ],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Judge as of this date (default: today).")
    ] = None,
    dataset: Annotated[
        str | None,
        typer.Option(
            "--dataset",
            metavar="ID",
            help="Measure violence on this dataset instead of the ones agreement.yaml names (default: "
            "those, or the case's stand-in when the store lacks them: docs/agreement-format.md).",
        ),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the evaluation as JSON.")] = False,
    taxonomy: TaxonomyOpt = None,
    show_events: Annotated[
        str | None,
        typer.Option(
            "--show-events",
            metavar="ID",
            help="List the events commitment ID counted (window and baseline, or period), imprecisely "
            "dated ones flagged.",
        ),
    ] = None,
    store: StoreOpt = None,
    engine: EngineOpt = "duckdb",
    snapshot: SnapshotOpt = None,
) -> None:
    """Evaluate each commitment of an agreement into a verdict with its evidence."""
    from peacewatch.agreements import case_folder, case_taxonomy, load_case
    from peacewatch.agreements import evaluate as run
    from peacewatch.errors import CaseError

    s = reader(store, engine, snapshot)
    actors = case_taxonomy(case_folder(case), s, taxonomy or ())
    warn_taxonomy_overlaps(actors, s)
    loaded = load_case(case, taxonomy=actors)
    for note in loaded.notes:
        render.err_console.print(f"[dim]note: {note}[/dim]")
    if show_events:
        render.pick(loaded.agreement.commitments, show_events, "commitment", "--show-events", CaseError)
    result = run(loaded, as_of=parse_date(as_of, "--as-of"), store=s, dataset=dataset)
    render.notes(result.notes)
    if show_events:
        chosen = render.pick(result.verdicts, show_events, "commitment", "--show-events", CaseError)
        render.show_events(chosen, "commitment", s, json_out=json_out, error=CaseError)
        return
    payload = result.to_dict()
    if json_out:
        render.print_json(payload)
        return
    from rich.table import Table

    table = Table(title=f"{loaded.agreement.title} (as of {payload['as_of']})", show_lines=True)
    for col in ("commitment", "party", "verdict", "summary"):
        table.add_column(col, overflow="fold", no_wrap=col in ("verdict",))
    for v in payload["commitments"]:
        verdict = v["verdict"] + (f" ({v['days_late']} d)" if v["days_late"] else "")
        flag = "" if v["evidence"].get("verified", True) else " [dim](wording unverified)[/dim]"
        summary = v["summary"]
        if v["imprecise"]:
            summary += f"\n[dim]Dates: {v['imprecise']['note']}[/dim]"
        party = "outside (contrast)" if v["kind"] == "contrast" else v["party"] or "joint"
        table.add_row(v["id"] + flag, party, f"[{STYLE[v['verdict']]}]{verdict}[/]", summary)
    render.console.print(table)
    for party, counts in payload["by_party"].items():
        render.console.print(f"{party}: " + ", ".join(f"{k} {n}" for k, n in sorted(counts.items())))
    again = ["peacewatch", "evaluate", case, "--store", str(s.path), "--snapshot", str(s.snapshot)]
    again += ["--as-of", payload["as_of"]] + (["--dataset", dataset] if dataset else [])
    render.console.print(f"[dim]{escape(shlex.join(again))}[/dim]", highlight=False)


def brief(
    case: Annotated[
        str, typer.Argument(help="A case folder or built-in case name (with brief.yaml), or a brief.yaml.")
    ],
    out: Annotated[
        Path, typer.Option("--out", help="Folder to write brief.html, brief.pdf, brief.json, figures/.")
    ],
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="Also write brief.pdf.")] = True,
    dataset: Annotated[
        str | None,
        typer.Option(
            "--dataset",
            metavar="ID",
            help="Build the brief on this dataset instead of the ones its case files name: verdicts, "
            "claims and figures alike (default: those, or the case's stand-in when the store lacks them).",
        ),
    ] = None,
    taxonomy: TaxonomyOpt = None,
    store: StoreOpt = None,
    engine: EngineOpt = "duckdb",
    snapshot: SnapshotOpt = None,
) -> None:
    """Write the briefing: HTML (one self-contained file), PDF, the JSON payload and the figures."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from peacewatch.briefs import build as brief_build
    from peacewatch.briefs import render as brief_render

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=render.err_console,
        transient=True,
        disable=not render.err_console.is_terminal,
    ) as bar:
        task = bar.add_task("building the brief", total=None)
        s = reader(store, engine, snapshot)
        built = brief_build.build(
            case,
            store=s,
            taxonomy=taxonomy or (),
            dataset=dataset,
            progress=lambda message: bar.update(task, description=message),
        )
        bar.update(task, description="rendering HTML" + (" and PDF" if pdf else ""))
        paths = brief_render.write(built, out, pdf=pdf)
    if taxonomy or (Path(case).is_dir() and (Path(case) / "actors.yaml").is_file()):
        warn_taxonomy_overlaps(s.taxonomy(), s)  # adopted by the build: the store has them now
    print(f"brief.html: {paths['html'].resolve()}")
    if "pdf" in paths:
        print(f"brief.pdf:  {paths['pdf'].resolve()}")
    render.notes(built.payload["notes"])
    print(f"read at snapshot {built.payload['snapshot']} (brief.json's commands name it)")
    again = ["peacewatch", "brief", case, "--out", str(out), "--store", str(s.path), "--snapshot"]
    again += [str(s.snapshot), *([] if pdf else ["--no-pdf"]), *(["--dataset", dataset] if dataset else [])]
    render.console.print(f"[dim]{escape(shlex.join(again))}[/dim]", highlight=False)


def register(app: typer.Typer) -> None:
    app.command()(evaluate)
    app.command()(brief)
