"""Output for people (rich tables) and for machines (JSON, CSV, Parquet), shared by every command."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from peacewatch import payloads
from peacewatch.errors import PeacewatchError
from peacewatch.textsafe import csv_cell

console = Console()
err_console = Console(stderr=True)


def dumps(payload: Any) -> str:
    """The JSON every interface shares (peacewatch.payloads), indented: ISO dates, no NaN."""
    return payloads.dumps(payload, indent=2)


def print_json(payload: Any) -> None:
    sys.stdout.write(dumps(payload) + "\n")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


def print_table(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    *,
    title: str | None = None,
    numeric: Iterable[str] = (),
) -> None:
    numeric = set(numeric)
    table = Table(title=title, show_lines=False, header_style="bold")
    for c in columns:
        # Short headers keep tables readable in an 80-column terminal; JSON keeps the full names.
        header = c.removeprefix("rows_").replace("_", " ")
        table.add_column(
            header,
            justify="right" if c in numeric else "left",
            overflow="fold",
            no_wrap=c in ("key", "date", "period_start", "date_min", "date_max", "verdict"),
        )
    for r in rows:
        table.add_row(*(_cell(r.get(c)) for c in columns))
    console.print(table)


def notes(texts: Sequence[str]) -> None:
    """Notes on what a command read (a case read on a stand-in dataset) on stderr, so that stdout
    stays the table or the JSON (whose payload carries them too)."""
    for text in texts:
        err_console.print(f"note: {escape(text)}", highlight=False, soft_wrap=True)


def print_caveats(payload: Mapping[str, Any]) -> None:
    """The footer of a table resting on datasets with caveats (schema.CAVEATS): one line each. The
    imprecise-dates caveat is printed by the command itself, with its counts."""
    for c in payload.get("caveats") or []:
        if c["key"] != "imprecise_dates":
            console.print(f"[yellow]Caveat:[/yellow] {c['text']}")


def write_rows(
    arrow_table,
    fmt: str,
    out: Path | None,
    *,
    columns: Sequence[str] | None = None,
    title: str | None = None,
    comments: Sequence[str] = (),
) -> None:
    """Write an Arrow table (or a list of row dicts) as table, csv, json or parquet (to ``out`` or
    standard output). A CSV starts with ``comments`` as ``# `` lines (the attribution; readers skip them
    with comment='#'). Rows are for results made in Python: building an Arrow array from Python values
    makes pyarrow import pandas (half a second), which only Parquet needs."""
    if isinstance(arrow_table, list):
        if fmt != "parquet":
            return _write_dicts(arrow_table, fmt, out, columns=columns, title=title, comments=comments)
        import pyarrow as pa

        arrow_table = pa.Table.from_pylist(arrow_table)
    if fmt == "parquet":
        if out is None:
            raise PeacewatchError("--format parquet needs --out FILE.parquet (Parquet is binary).")
        import pyarrow.parquet as pq

        pq.write_table(arrow_table, out)
        err_console.print(f"wrote {arrow_table.num_rows:,} rows to {out}")
        return
    header = arrow_table.column_names
    _write_dicts(
        arrow_table.to_pylist(), fmt, out, columns=columns, title=title, header=header, comments=comments
    )


def _write_dicts(
    rows: list[dict[str, Any]],
    fmt: str,
    out: Path | None,
    *,
    columns: Sequence[str] | None,
    title: str | None,
    header: Sequence[str] | None = None,
    comments: Sequence[str] = (),
) -> None:
    header = list(header) if header is not None else (list(rows[0]) if rows else list(columns or ()))
    if fmt == "json":
        text = dumps(rows) + "\n"
    elif fmt == "csv":
        import io

        buf = io.StringIO()
        buf.writelines(f"# {line}\n" for line in comments)
        writer = csv.writer(buf)
        writer.writerow(header)
        for r in rows:
            writer.writerow(
                [
                    csv_cell(
                        payloads.default(v)
                        if isinstance(v, dt.date)
                        else json.dumps(v)
                        if isinstance(v, list)
                        else v
                    )
                    for v in r.values()
                ]
            )
        text = buf.getvalue()
    elif fmt == "table":
        print_table(rows, columns or header, title=title)
        return
    else:
        raise PeacewatchError(f"--format {fmt!r}: expected table, csv, json or parquet.")
    if out:
        Path(out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def pick(items: Sequence[Any], wanted: str, what: str, flag: str, error: type[PeacewatchError]) -> Any:
    """The item whose ``id`` is ``wanted``, or a user error naming the close ids."""
    found = next((x for x in items if x.id == wanted), None)
    if found is None:
        import difflib

        ids = [x.id for x in items]
        close = difflib.get_close_matches(wanted, ids, n=3)
        listed = (
            f"did you mean {', '.join(repr(c) for c in close)}?"
            if close
            else f"expected one of {', '.join(ids)}."
        )
        raise error(f"{flag} {wanted!r}: no {what} has this id; {listed}")
    return found


def show_events(item: Any, what: str, store, *, json_out: bool, error: type[PeacewatchError]) -> None:
    """Print the events a verdict or claim counted (window, baseline or period), imprecise ones
    flagged; as JSON, the item's payload with an ``events_behind`` key."""
    from peacewatch.analysis import events_behind
    from peacewatch.analysis.evidence import rows_for_table

    payload = item.counted()
    if payload is None:
        kind = getattr(item, "kind", None) or item.evidence.get("kind", "")
        raise error(
            f"--show-events {item.id}: this {what} ({kind}, {item.to_dict().get('verdict') or item.result}) "
            "counted no events: it rests on "
            + (
                "chronology facts"
                if kind in ("milestone", "quantity", "conditional")
                else "no data it could read"
            )
            + "; see its evidence with --json."
        )
    behind = events_behind(payload, store)
    if json_out:
        print_json({**item.to_dict(), "events_behind": behind.to_dict()})
        return
    counts = ", ".join(f"{n:,} in the {part}" for part, n in behind.counts().items())
    rows = rows_for_table(behind)
    print_table(
        rows,
        ("part", "event_id", "date", "precision", "place", "actors", "deaths"),
        title=f"Events counted by {item.id}: {counts}",
        numeric=("deaths",),
    )
    if behind.imprecise():
        console.print(
            f"{behind.imprecise():,} of these events are dated only to a window wider than a {behind.bin}; "
            "each is counted on the first day it may have happened (marked 'imprecise')."
        )


def progress_bar(*, quiet: bool):
    """The progress bar of a command that writes the store (ingest, the syncs), on stderr; shown only
    on a terminal and not with ``quiet`` (--json), and gone when the command ends."""
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=quiet or not err_console.is_terminal,
    )
