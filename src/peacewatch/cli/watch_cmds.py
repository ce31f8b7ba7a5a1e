"""`peacewatch watch CASE...`: sync, re-evaluate, and report what moved since the last run as alerts.

Exit codes (docs/watch.md): 0 the cycle(s) ran, with or without alerts; 1 a user error; 2 a bug;
3 with --strict, a sync failed (the cases were watched on the store as it was) or a webhook did not
accept every alert (they are kept, and sent again next run).
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.markup import escape

from peacewatch.cli import render
from peacewatch.cli.options import StoreOpt, TaxonomyOpt, parse_date

UNDELIVERED = 3
KIND_STYLE = {
    "verdict_changed": "magenta",
    "claim_changed": "magenta",
    "violence_change": "red",
    "highest_30_days": "red",
}


def watch(
    cases: Annotated[
        list[str],
        typer.Argument(
            metavar="CASE...",
            help="Case folders, or names of built-in cases (afghanistan-2020, myanmar-2015, syria-2016).",
        ),
    ],
    once: Annotated[
        bool,
        typer.Option("--once", help="Run one cycle and exit (the default; for cron and systemd timers)."),
    ] = False,
    every: Annotated[
        str | None,
        typer.Option(
            "--every",
            metavar="INTERVAL",
            help="Run in the foreground, a cycle every INTERVAL (1d, 6h, 15m, 30s) until Ctrl-C.",
        ),
    ] = None,
    cycles: Annotated[
        int | None,
        typer.Option(
            "--cycles", min=1, help="With --every: stop after N cycles (default: run until Ctrl-C)."
        ),
    ] = None,
    dataset: Annotated[
        str | None,
        typer.Option(
            "--dataset",
            metavar="ID",
            help="Watch the cases on this dataset (e.g. a synced acled-api-afghanistan) instead of the "
            "ones their files name: verdicts, claims and violence alike (default: those, or the case's "
            "stand-in when the store lacks them).",
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Judge verdicts and claims as of this date (default: today)."),
    ] = None,
    no_sync: Annotated[
        bool, typer.Option("--no-sync", help="Do not sync the cases' sources first; read the store as it is.")
    ] = False,
    webhook: Annotated[
        str | None,
        typer.Option(
            "--webhook",
            metavar="URL",
            envvar="PEACEWATCH_WEBHOOK",
            help="Also POST each new alert (JSON) to this URL. Default: $PEACEWATCH_WEBHOOK.",
            show_envvar=False,
        ),
    ] = None,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Exit 3 when a sync failed or the webhook did not take every alert (default: warn, exit 0).",
        ),
    ] = False,
    json_out: Annotated[
        bool, typer.Option("--json", help="Print each cycle as JSON (with --every, one object per line).")
    ] = False,
    taxonomy: TaxonomyOpt = None,
    store: StoreOpt = None,
) -> None:
    """Sync the cases' sources, re-evaluate the cases and their claims, and raise alerts for what moved."""
    from peacewatch.errors import WatchError
    from peacewatch.watch import parse_every, repeat, run_cycle
    from peacewatch.watch.webhook import check_url

    if once and every:
        raise WatchError("--once and --every: expected one of them (--once runs one cycle, --every repeats).")
    if cycles is not None and not every:
        raise WatchError("--cycles N: expected with --every INTERVAL (--once runs one cycle).")
    interval = parse_every(every) if every else None
    if webhook:
        check_url(webhook)
    day = parse_date(as_of, "--as-of")
    failed = False

    def cycle(n: int) -> None:
        nonlocal failed
        with _progress() as say:
            run = run_cycle(
                cases,
                store=store,
                dataset=dataset,
                as_of=day,
                sync=not no_sync,
                webhook_url=webhook,
                taxonomy=taxonomy or (),
                progress=say,
            )
        failed = failed or bool(run.delivery and run.delivery.failed) or any("error" in x for x in run.synced)
        if json_out:
            if interval is None:
                render.print_json(run.to_dict())
            else:
                sys.stdout.write(json.dumps(run.to_dict(), default=str, ensure_ascii=False) + "\n")
                sys.stdout.flush()
        else:
            _show(run, n if interval is not None else None)
        _warn_undelivered(run)

    if interval is None:
        cycle(1)
    else:
        done = repeat(cycle, interval, cycles=cycles)
        if not json_out and cycles is None:
            render.err_console.print(f"stopped after {done} cycle(s).")
    if failed and strict:
        raise typer.Exit(UNDELIVERED)


class _progress:
    """A spinner naming the step on a terminal; nothing elsewhere (cron mails stay clean)."""

    def __enter__(self):
        from rich.progress import Progress, SpinnerColumn, TextColumn

        self.bar = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            console=render.err_console,
            transient=True,
            disable=not render.err_console.is_terminal,
        )
        self.bar.__enter__()
        task = self.bar.add_task("watching", total=None)
        return lambda message: self.bar.update(task, description=message)

    def __exit__(self, *exc):
        return self.bar.__exit__(*exc)


def _show(run, n: int | None) -> None:
    from rich.table import Table

    out = render.console
    head = f"cycle {n}: " if n is not None else ""
    out.print(f"{head}run {run.run_id} on {escape(run.store)}, snapshot {run.snapshot}", highlight=False)
    for s in run.synced:
        _show_sync(s)
    for c in run.cases:
        read_on = (c.stand_in or {}).get("read_on")
        on = (
            f" on {escape(c.dataset)}"
            if c.dataset
            else f" on {escape(read_on)} (stand-in)"
            if read_on
            else ""
        )
        verdicts = ", ".join(f"{k} {v}" for k, v in c.verdicts.items())
        if c.first_run:
            out.print(
                f"{escape(c.name)}{on}: first run: baseline recorded at snapshot {c.snapshot} ({verdicts}; "
                f"{sum(c.claims.values())} claims); only violence alerts are raised on a first run.",
                highlight=False,
            )
        else:
            out.print(
                f"{escape(c.name)}{on}: snapshot {c.previous_snapshot} -> {c.snapshot} ({verdicts})",
                highlight=False,
            )
        for note in c.notes:
            out.print(f"[dim]  note: {escape(note)}[/dim]", highlight=False)
    if run.alerts:
        table = Table(title=f"{len(run.alerts)} new alert(s)", show_lines=True, header_style="bold")
        for col in ("kind", "case", "subject", "what moved"):
            table.add_column(col, overflow="fold", no_wrap=col == "kind")
        for a in run.alerts:
            style = KIND_STYLE.get(a.kind, "")
            table.add_row(f"[{style}]{a.kind}[/]", escape(a.case), escape(a.subject), escape(a.summary))
        out.print(table)
        for a in run.alerts:
            command = a.evidence.get("command")
            if command:
                out.print(f"[dim]{a.id}: {escape(command)}[/dim]", highlight=False)
    else:
        out.print("no new alerts.")
    if run.alerts:
        out.print(f"[dim]stored in {escape(run.alerts_file)}[/dim]", highlight=False)
    if run.delivery is not None and run.delivery.sent:
        out.print(f"webhook: {len(run.delivery.sent)} alert(s) posted.")


def _show_sync(s: dict) -> None:
    """A sync's summary as `peacewatch sync` prints it, or its failure as a warning."""
    if "error" in s:
        render.err_console.print(
            f"warning: sync of {escape(s['dataset'])} ({s['source']}) failed: {escape(s['error'])} The cases "
            "were watched on the store as it was.",
            highlight=False,
        )
        return
    r = s["report"]
    if r.get("by_country_month"):
        render.print_table(
            r["by_country_month"],
            ("country", "month", "added", "updated", "deleted"),
            title=f"Events changed in {r['dataset_id']}, by country and month",
            numeric=("added", "updated", "deleted"),
        )
    render.console.print(
        f"synced {escape(r['dataset_id'])}: {r['added']:,} new, {r['updated']:,} changed, {r['deleted']:,} "
        f"deleted events ({r['unchanged']:,} unchanged) from {r['pages']:,} page(s) of "
        f"{escape(r['service'])}; "
        f"snapshot {r['snapshot_id']}; accessed {r['accessed_at']}.",
        highlight=False,
    )


def _warn_undelivered(run) -> None:
    d = run.delivery
    if d is not None and d.failed:
        render.err_console.print(
            f"warning: the webhook did not take {len(d.failed)} alert(s): {escape(d.error or '')}. They are "
            f"kept in {escape(run.alerts_file)} and sent again first by the next run with this --webhook.",
            highlight=False,
        )


def register(app: typer.Typer) -> None:
    app.command()(watch)
