"""Look at a file before reading it: its container, format and header.

Detection is cheap and never reads a whole delimited file: readers score a :class:`Probe` and the
best score wins (see ``peacewatch.sources.registry``).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from peacewatch.errors import SourceError

Format = Literal["csv", "tsv", "json", "geojson", "xlsx", "unknown"]

_HEAD_BYTES = 256 * 1024
# The widest files read as events have 135 columns (GTD); a 60 KB CSV of 10,000 columns made DuckDB's
# sniffer and the staging of raw rows exhaust the memory limit, and 2,000 took 25 s for three rows.
MAX_COLUMNS = 1000


@dataclass(frozen=True)
class Probe:
    """What detection learnt about a file.

    ``path`` is the file to scan: the original, or a member extracted from a zip archive into the
    ingest's working folder (removed when the ingest ends). ``header`` holds the column names
    (delimited and xlsx files) or the property names of the first record (JSON). ``rows`` are the
    first few data rows as text.
    """

    original: Path
    path: Path
    format: Format
    delimiter: str | None
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    json_doc: Any = None

    @property
    def lower_header(self) -> frozenset[str]:
        return frozenset(h.strip().lower() for h in self.header)

    def describe(self) -> str:
        shown = ", ".join(self.header[:12]) + (", ..." if len(self.header) > 12 else "")
        return f"{self.format} with columns [{shown}]" if self.header else f"{self.format} (no header found)"


def _open_text(path: Path) -> io.TextIOBase:
    if path.suffix.lower() == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", errors="replace", newline="")
    return open(path, encoding="utf-8", errors="replace", newline="")


# Bounds on a zip member, checked while it is written out (the sizes in a zip's directory can lie):
# the largest real release (UCDP GED global, about 0.4 GB as CSV) fits many times over, a zip bomb
# (1 MB of compressed zeros that becomes 1 GiB) does not. Text data compresses 5 to 20 times.
MAX_UNZIPPED_BYTES = 8 * 1024**3
MAX_RATIO = 200
_RATIO_FROM = 16 * 1024**2  # small members may compress better (a header and a few rows)


def data_member(zf: zipfile.ZipFile, path: Path) -> zipfile.ZipInfo:
    """The one data file of a zip archive (.csv, .tsv, .json, .geojson, .txt), which is what an
    ingest reads; a SourceError when there is none or more than one."""
    members = [m for m in zf.infolist() if not m.is_dir() and not m.filename.startswith("__MACOSX")]
    data = [m for m in members if m.filename.lower().endswith((".csv", ".tsv", ".json", ".geojson", ".txt"))]
    if len(data) != 1:
        names = ", ".join(m.filename for m in members) or "nothing"
        raise SourceError(
            f"{path}: expected a zip archive holding exactly one data file (.csv, .tsv, .json), "
            f"found {names}.",
            hint="Extract the file you want and ingest it directly.",
        )
    return data[0]


def _unzip(path: Path, workdir: Path | None) -> Path:
    with zipfile.ZipFile(path) as zf:
        member = data_member(zf, path)
        if workdir is not None:
            workdir.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(dir=workdir if workdir is not None else _fallback_workdir()))
        # Only the base name, never the member's path (a name like ../../x must not leave the folder).
        target = folder / (Path(member.filename.replace("\\", "/")).name or "member")
        written = 0
        try:
            with zf.open(member) as src, open(target, "wb") as dst:
                while chunk := src.read(1 << 20):
                    written += len(chunk)
                    ratio = written / max(member.compress_size, 1)
                    if written > MAX_UNZIPPED_BYTES or (written > _RATIO_FROM and ratio > MAX_RATIO):
                        raise SourceError(
                            f"{path}: {member.filename} unpacks to more than "
                            + (
                                f"{MAX_UNZIPPED_BYTES:,} bytes"
                                if written > MAX_UNZIPPED_BYTES
                                else f"{MAX_RATIO} times its compressed size ({member.compress_size:,} bytes)"
                            )
                            + ", which no conflict-event table does: refused as a possible zip bomb.",
                            hint="If the file is genuine, extract it yourself and ingest the extracted file.",
                        )
                    dst.write(chunk)
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:  # zipfile checks the CRC at the end
            target.unlink(missing_ok=True)
            raise SourceError(
                f"{path}: expected a complete zip member {member.filename}, found one that ends early or "
                f"is corrupt ({exc}).",
                hint="Download or copy the file again. Nothing was ingested.",
            ) from None
        except BaseException:
            target.unlink(missing_ok=True)  # the folder itself goes with the caller's workdir
            raise
        return target


_FALLBACK: list[Path] = []


def _fallback_workdir() -> Path:
    """A folder for zip members when the caller gave none (probe() called on its own): removed when
    the process exits. Ingest always passes its own folder, which it removes when it ends."""
    if not _FALLBACK:
        import atexit
        import shutil

        _FALLBACK.append(Path(tempfile.mkdtemp(prefix="peacewatch-unzip-")))
        atexit.register(shutil.rmtree, _FALLBACK[0], True)
    return _FALLBACK[0]


@contextmanager
def workbook(original: Path, path: Path) -> Iterator[Any]:
    """The workbook at ``path``, read-only, closed after the block. A file openpyxl cannot read, or
    a sheet it fails on, is a SourceError: it raises zipfile, KeyError, XML and its own exceptions for
    damaged files, none of which is a bug of ours."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise SourceError(
            f"{original}: expected an Excel workbook (.xlsx, a zip archive of XML sheets), found a file "
            f"that cannot be read as one ({type(exc).__name__}: {str(exc)[:200]}).",
            hint="Open it in a spreadsheet and save it as .xlsx or .csv, or rename it if it is a CSV.",
        ) from exc
    try:
        yield wb
    except SourceError:
        raise
    except Exception as exc:
        raise SourceError(
            f"{original}: the first worksheet could not be read ({type(exc).__name__}: {str(exc)[:200]})."
        ) from exc
    finally:
        wb.close()


def _xlsx_probe(original: Path, path: Path) -> Probe:
    with workbook(original, path) as wb:
        ws = wb.worksheets[0]
        rows = []
        for i, row in enumerate(ws.iter_rows(values_only=True)):
            rows.append(tuple("" if v is None else str(v) for v in row))
            if i >= 5:
                break
    header = rows[0] if rows else ()
    return bounded(Probe(original, path, "xlsx", None, tuple(header), tuple(rows[1:])))


def _json_probe(original: Path, path: Path) -> Probe:
    with _open_text(path) as fh:
        try:
            doc = json.load(fh)
        except json.JSONDecodeError as exc:
            raise SourceError(
                f"{original}:{exc.lineno}: expected valid JSON, found an error: {exc.msg}."
            ) from exc
        except RecursionError:
            # Records are a level or two deep; Python's parser recurses once per level of nesting.
            raise SourceError(
                f"{original}: expected JSON records nested a few levels deep, found nesting too deep to read."
            ) from None
    first: dict = {}
    fmt: Format = "json"
    if isinstance(doc, dict) and doc.get("type") == "FeatureCollection":
        fmt = "geojson"
        feats = doc.get("features")
        if not isinstance(feats, list):
            raise SourceError(
                f"{original}: expected a GeoJSON FeatureCollection with a list of features, found "
                f"{type(feats).__name__ if feats is not None else 'none'}."
            )
        head = feats[0] if feats else {}
        first = (head.get("properties") or {}) if isinstance(head, dict) else {}
    elif isinstance(doc, dict) and isinstance(doc.get("Result"), list):
        first = doc["Result"][0] if doc["Result"] else {}
    elif isinstance(doc, list) and doc and isinstance(doc[0], dict):
        first = doc[0]
    header = tuple(str(k) for k in first) if isinstance(first, dict) else ()
    return bounded(Probe(original, path, fmt, None, header, (), json_doc=doc))


_WIDE = {
    b"\xff\xfe\x00\x00": "UTF-32 (little-endian)",
    b"\x00\x00\xfe\xff": "UTF-32 (big-endian)",
    b"\xff\xfe": "UTF-16 (little-endian)",
    b"\xfe\xff": "UTF-16 (big-endian)",
}


def _refuse_utf16(original: Path, path: Path) -> None:
    """Name a UTF-16 or UTF-32 text file as such (Excel's "Unicode text" export) instead of showing its
    header as letters with NUL bytes between them."""
    try:
        opener = gzip.open if path.suffix.lower() == ".gz" else open
        with opener(path, "rb") as fh:
            head = fh.read(4096)
    except (OSError, EOFError, zlib.error):
        return  # the text reader below reports a file that cannot be decompressed
    found = next((name for bom, name in _WIDE.items() if head.startswith(bom)), None)
    if found is None and len(head) >= 64:
        evens, odds = head[0::2], head[1::2]
        if odds.count(0) > 0.4 * len(odds) and evens.count(0) < 0.05 * len(evens):
            found = "UTF-16 (little-endian, without a byte-order mark)"
        elif evens.count(0) > 0.4 * len(evens) and odds.count(0) < 0.05 * len(odds):
            found = "UTF-16 (big-endian, without a byte-order mark)"
    if found:
        raise SourceError(
            f"{original}: the text is encoded as {found}; expected UTF-8 (or Latin-1).",
            hint="Save it again as UTF-8 (in Excel: CSV UTF-8), or convert it, e.g. "
            "iconv -f UTF-16 -t UTF-8 FILE > FILE.utf8.csv.",
        )


def probe(path: Path, *, workdir: Path | None = None) -> Probe:
    """Inspect ``path``: unpack zip archives (the data member into ``workdir``, which the caller
    removes; bounded in size and ratio), recognise JSON/GeoJSON/xlsx, and read the header and first
    rows of delimited text.

    >>> probe(Path("tests/data/acled_mini.csv")).format  # doctest: +SKIP
    'csv'
    """
    original = Path(path)
    if not original.exists():
        raise SourceError(f"{original}: no such file.", hint="Check the path you gave to ingest.")
    if original.is_dir():
        raise SourceError(f"{original}: expected a data file, found a folder.")
    scan_path = original
    with open(original, "rb") as fh:
        magic = fh.read(4)
    if magic == b"PK\x03\x04" and original.suffix.lower() != ".xlsx":
        try:
            with zipfile.ZipFile(original) as zf:
                names = zf.namelist()
        except zipfile.BadZipFile as exc:
            # A zip that ends early loses its central directory, which sits at the end.
            raise SourceError(
                f"{original}: expected a complete zip archive, found one that is truncated or corrupt "
                f"({exc}).",
                hint="Download or copy the file again. Nothing was ingested.",
            ) from exc
        if any(n.endswith("xl/workbook.xml") for n in names):
            return _xlsx_probe(original, original)
        scan_path = _unzip(original, workdir)
    if scan_path.suffix.lower() == ".xlsx":
        return _xlsx_probe(original, scan_path)
    _refuse_utf16(original, scan_path)

    with _open_text(scan_path) as fh:
        try:
            head = fh.read(_HEAD_BYTES)
        except (OSError, EOFError) as exc:
            raise SourceError(f"{original}: could not be decompressed ({exc}).") from exc
    stripped = head.lstrip("\ufeff \r\n\t")
    if stripped[:1] in ("{", "["):
        return _json_probe(original, scan_path)

    lines = head.splitlines()
    if len(head) == _HEAD_BYTES and lines:
        lines = lines[:-1]  # the last line may be cut
    if not lines:
        return Probe(original, scan_path, "unknown", None, (), ())
    first = lines[0].lstrip("\ufeff")
    counts = {d: first.count(d) for d in (",", "\t", ";", "|")}
    delimiter = max(counts, key=lambda d: counts[d])
    if counts[delimiter] == 0:
        return Probe(original, scan_path, "unknown", None, (first[:200],), ())
    try:
        parsed = list(csv.reader(io.StringIO("\n".join([first, *lines[1:7]])), delimiter=delimiter))
    except csv.Error as exc:  # e.g. a field longer than the csv module's limit in the first lines
        raise SourceError(
            f"{original}: expected a delimited header and rows, found an error: {exc}."
        ) from exc
    header = tuple(h.strip() for h in parsed[0]) if parsed else ()
    fmt: Format = "tsv" if delimiter == "\t" else "csv"
    return bounded(Probe(original, scan_path, fmt, delimiter, header, tuple(tuple(r) for r in parsed[1:])))


def bounded(found: Probe, columns: int | None = None) -> Probe:
    """``found``, unless its header (or ``columns``, the number of fields its records use) passes
    MAX_COLUMNS."""
    n = len(found.header) if columns is None else columns
    if n > MAX_COLUMNS:
        raise SourceError(
            f"{found.original}: expected at most {MAX_COLUMNS:,} columns, found {n:,} in the header.",
            hint="Keep only the columns you need (e.g. with csvcut or a spreadsheet) and ingest that file.",
        )
    return found
