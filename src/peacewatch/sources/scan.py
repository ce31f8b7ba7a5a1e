"""Scans shared by the readers: delimited text through DuckDB's CSV reader, spreadsheets through
openpyxl into an in-memory Arrow table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from peacewatch.errors import SourceError
from peacewatch.sources.base import csv_scan
from peacewatch.sources.detect import Probe, workbook

XLSX_TABLE = "pw_xlsx"


def xlsx_table(path: Path) -> Any:
    """The first worksheet of ``path`` as a pyarrow table of text columns named by its first row."""
    import pyarrow as pa

    with workbook(path, path) as wb:
        rows = wb.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if not header:
            raise SourceError(f"{path}: expected a header row in the first worksheet, found an empty sheet.")
        names = [str(h).strip() if h is not None else f"column_{i + 1}" for i, h in enumerate(header)]
        columns: list[list[str | None]] = [[] for _ in names]
        for row in rows:
            if row is None or all(v is None for v in row):
                continue
            for i in range(len(names)):
                columns[i].append(cell_text(row[i] if i < len(row) else None))
    return pa.table({n: pa.array(c, type=pa.string()) for n, c in zip(names, columns, strict=True)})


def cell_text(v: Any) -> str | None:
    """A worksheet cell as the text the xlsx scan gives it: dates as ISO dates (with the time only
    when there is one), everything else as ``str``.

    >>> import datetime; cell_text(datetime.datetime(2020, 2, 29))
    '2020-02-29'
    """
    if v is None:
        return None
    if hasattr(v, "isoformat"):
        return v.isoformat()[:10] if getattr(v, "hour", 0) == 0 else v.isoformat()
    return str(v)


def scan_for(probe: Probe, reader: str, **csv_options) -> tuple[str, dict[str, Any], str]:
    """The scan SQL, in-memory tables and reader name for a delimited or xlsx file."""
    if probe.format == "xlsx":
        return f"SELECT * FROM {XLSX_TABLE}", {XLSX_TABLE: xlsx_table(probe.path)}, f"{reader}.xlsx"
    if probe.format in ("csv", "tsv"):
        csv_options.setdefault("delim", probe.delimiter or ",")
        return csv_scan(probe.path, **csv_options), {}, f"{reader}.{probe.format}"
    raise SourceError(
        f"{probe.original}: the {reader} reader expected CSV, TSV or xlsx, found {probe.format}."
    )
