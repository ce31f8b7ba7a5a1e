"""Output for people (rich tables) and for machines (JSON, CSV, Parquet), shared by every command."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from peacewatch.errors import PeacewatchError

console = Console()
err_console = Console(stderr=True)


def _default(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def dumps(payload: Any) -> str:
    """The JSON every interface shares: sorted keys off, ISO dates, no NaN."""
    return json.dumps(payload, default=_default, indent=2, ensure_ascii=False, allow_nan=False)


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


def write_rows(
    arrow_table, fmt: str, out: Path | None, *, columns: Sequence[str] | None = None, title: str | None = None
) -> None:
    """Write an Arrow table (or a list of row dicts) as table, csv, json or parquet (to ``out`` or
    standard output). Rows are for results made in Python: building an Arrow array from Python values
    makes pyarrow import pandas (half a second), which only Parquet needs."""
    if isinstance(arrow_table, list):
        if fmt != "parquet":
            return _write_dicts(arrow_table, fmt, out, columns=columns, title=title)
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
    _write_dicts(arrow_table.to_pylist(), fmt, out, columns=columns, title=title, header=header)


def _write_dicts(
    rows: list[dict[str, Any]],
    fmt: str,
    out: Path | None,
    *,
    columns: Sequence[str] | None,
    title: str | None,
    header: Sequence[str] | None = None,
) -> None:
    header = list(header) if header is not None else (list(rows[0]) if rows else list(columns or ()))
    if fmt == "json":
        text = dumps(rows) + "\n"
    elif fmt == "csv":
        import io

        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(header)
        for r in rows:
            writer.writerow(
                [
                    _default(v) if isinstance(v, dt.date) else json.dumps(v) if isinstance(v, list) else v
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
