"""The original text of a source file's rows, by the ``source_row`` numbers an ingest gave them.

An event keeps ``source_row``: the 1-based position of its row among the file's data rows, as the
reader's scan numbered them. This module turns such numbers back into the text of the rows, byte for
byte as in the file (decoded as the reader decoded it), in one sequential pass however many rows are
asked, streaming through gzip and zip members with bounded memory:

* CSV/TSV: the record, with the newlines inside quoted fields, without its line terminator. A
  quote opens a quoted field only at the start of a field (a quote inside an unquoted value is a
  character, as in DuckDB's reader); empty lines are no rows (DuckDB skips them); the header row,
  and HDX's row of HXL hashtags, are not data rows.
* GDELT's headerless exports: the physical line (an empty line is a row there, as the scan reads it).
* GeoJSON, UCDP API pages and JSON lists: the record's JSON text as it appears in the file (a
  feature with its geometry; see ``peacewatch.sources.json_records``).
* xlsx: a worksheet has no row text, so its cells as one CSV line, as the scan read them.

The file is read once, and its sha256 computed in the same pass: when it differs from the sha256 the
catalog recorded, the file changed since the ingest and its rows are refused, not guessed.

>>> ged = Path("ged.csv.gz")
>>> rows = original_rows(ged, [1, 500], reader="ucdp_ged.csv", source="ucdp_ged")  # doctest: +SKIP
>>> rows[500][:6]  # doctest: +SKIP
'244657'
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import re
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

from peacewatch.errors import SourceError
from peacewatch.sources.compressed import GZIP_MAGIC
from peacewatch.sources.detect import data_member, probe, workbook
from peacewatch.sources.json_records import RecordScan
from peacewatch.sources.registry import readers
from peacewatch.sources.scan import cell_text

_READ = 1 << 20
_JSON_KEYS = {"geojson": "features", "api.json": "Result", "json": None}


@dataclass(frozen=True)
class RowFormat:
    """How the data rows of a file are laid out, as the reader that ingested it scanned them.

    ``kind`` is ``csv`` (records, possibly spanning lines), ``lines`` (one row per physical line),
    ``json`` (the elements of a record list: ``key`` of the top-level object, or the top-level list
    when None) or ``xlsx``; ``skip`` is the number of rows before the first data row (header rows).
    """

    kind: Literal["csv", "lines", "json", "xlsx"]
    delimiter: str = ","
    encoding: str = "utf-8"
    skip: int = 1
    key: str | None = None


def row_format(path: Path, *, reader: str, source: str) -> RowFormat:
    """The layout of ``path``'s rows for the reader named in the catalog (``reader``, ``source``).

    JSON documents are told by the reader's name alone (reading their plan would load them whole);
    delimited files get the plan their reader makes today, from the file's header.

    >>> row_format(Path("ged.geojson"), reader="ucdp_ged.geojson", source="ucdp_ged")
    RowFormat(kind='json', delimiter=',', encoding='utf-8', skip=0, key='features')
    """
    for suffix, key in _JSON_KEYS.items():
        if reader.endswith("." + suffix):
            return RowFormat("json", skip=0, key=key)
    with tempfile.TemporaryDirectory(prefix="peacewatch-raw-") as work:
        found = probe(path, workdir=Path(work))
        if found.format == "xlsx":
            return RowFormat("xlsx", skip=1 if ".hdx." in reader else 0)
        if source.split(":")[0] == "mapped":  # its plan needs the mapping file, not kept in the catalog
            return RowFormat("csv", delimiter=found.delimiter or ",", skip=1)
        reader_module = readers().get(source)
        if reader_module is None:
            raise SourceError(
                f"{path}: was ingested by the reader {source!r}, which is not installed here; expected "
                f"one of {', '.join(sorted(readers()))}.",
                hint="Install the plugin that provides it to see the file's original rows.",
            )
        plan = reader_module.plan(found)
    # GDELT's headerless exports are scanned line by line and split by the reader (gdelt._raw_scan).
    kind: Literal["csv", "lines"] = "lines" if source == "gdelt" and plan.header_rows == 0 else "csv"
    return RowFormat(kind, delimiter=found.delimiter or ",", encoding=plan.encoding, skip=plan.header_rows)


def original_rows(
    path: Path,
    rows: Iterable[int],
    *,
    reader: str,
    source: str,
    sha256: str | None = None,
    what: str = "the file",
) -> dict[int, str]:
    """The text of each of ``rows`` (source_row numbers) of ``path``; a row past the end is absent.

    With ``sha256`` (the catalog's), a file whose content differs is a SourceError that says so;
    ``what`` names the file in that message (e.g. "dataset acled_afg").
    """
    wanted = {int(r) for r in rows}
    if reader.endswith(".api"):
        return _sync_rows(path, wanted, sha256, what)
    try:
        fmt = row_format(path, reader=reader, source=source)
    except SourceError:
        if sha256 is not None:  # a file that changed is the better explanation of a plan that fails
            digest = hashlib.sha256()
            with open(path, "rb") as fh:
                while chunk := fh.read(_READ):
                    digest.update(chunk)
            _same(path, digest.hexdigest(), sha256, what)
        raise
    digest = hashlib.sha256()
    try:
        with _opened(path, digest) as (stream, drain):
            if fmt.kind == "xlsx":
                found = _xlsx_rows(path, fmt, wanted)
            else:
                text = io.TextIOWrapper(stream, encoding=fmt.encoding, errors="replace", newline="")
                found = _json_rows(text, fmt, wanted) if fmt.kind == "json" else _text_rows(text, fmt, wanted)
            drain()
    except (OSError, EOFError, zlib.error, zipfile.BadZipFile) as exc:
        raise SourceError(
            f"{path}: could not be read to its end ({exc}), so its original rows cannot be shown.",
            hint="The file is damaged or truncated: put the original back, or ingest it again.",
        ) from exc
    if sha256 is not None:
        _same(path, digest.hexdigest(), sha256, what)
    return found


def _sync_rows(path: Path, wanted: set[int], sha256: str | None, what: str) -> dict[int, str]:
    """Records of a sync's archive (store/syncs.py): a tar.gz of the service's answers whose
    ``requests.jsonl`` lists each page's member and the rows it gave; rows are numbered through those
    pages in order. Each record is shown as its JSON."""
    import json
    import tarfile

    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if sha256 is not None:
        _same(path, digest, sha256, what)
    found: dict[int, str] = {}
    with tarfile.open(path, "r:gz") as tar:
        index = [
            json.loads(line)
            for line in tar.extractfile("requests.jsonl").read().decode().splitlines()
            if line
        ]
        n = 0
        for entry in index:
            rows = int(entry.get("rows") or 0)
            if rows and any(n < w <= n + rows for w in wanted):
                body = tar.extractfile(entry["member"]).read()
                if body.lstrip()[:1] not in (b"{", b"["):  # GDELT: the kept rows as GDELT wrote them
                    for i, line in enumerate(
                        body.decode("utf-8", "replace").splitlines()[:rows], start=n + 1
                    ):
                        if i in wanted:
                            found[i] = line
                    n += rows
                    continue
                doc = json.loads(body)
                records = _page_records(doc)
                for i, record in enumerate(records[:rows], start=n + 1):
                    if i in wanted:
                        found[i] = json.dumps(record, ensure_ascii=False)
            n += rows
    return found


def _page_records(doc) -> list:
    """The records of a service's JSON answer: ACLED's ``data``, UCDP's ``Result``, else the first list
    (an envelope's other lists, such as ACLED's ``messages``, are not records).

    >>> _page_records({"status": 200, "messages": [], "data": [{"event_id_cnty": "AFG1"}]})
    [{'event_id_cnty': 'AFG1'}]
    """
    if not isinstance(doc, dict):
        return doc
    for key in ("data", "Result"):
        if isinstance(doc.get(key), list):
            return doc[key]
    return next((v for v in doc.values() if isinstance(v, list)), [])


def _same(path: Path, found: str, expected: str, what: str) -> None:
    if found != expected:
        raise SourceError(
            f"{path}: expected the file ingested as {what} (sha256 {expected[:16]}...), found other "
            f"content (sha256 {found[:16]}...): it changed since the ingest, so its rows may not be "
            "the rows that were read.",
            hint="Put the original file back at that path, or ingest this version as a new dataset.",
        )


# -- opening: the bytes hashed as they are read, gzip and zip members streamed -----------------------


class _Hashing(io.RawIOBase):
    """A file whose bytes go through ``digest`` as they are read."""

    def __init__(self, fh: IO[bytes], digest):
        self.fh, self.digest = fh, digest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self.fh.readinto(buffer)
        if n:
            self.digest.update(memoryview(buffer)[:n])
        return n or 0


@contextmanager
def _opened(path: Path, digest) -> Iterator[tuple[IO[bytes], object]]:
    """The file's data as a byte stream (a zip's data member, a gzip file inflated) and a function
    that reads the rest of the file into ``digest``."""
    with open(path, "rb") as fh:
        magic = fh.read(4)
        fh.seek(0)
        if magic == b"PK\x03\x04" and path.suffix.lower() != ".xlsx":
            while chunk := fh.read(_READ):  # a zip is read by seeking, so its hash comes first
                digest.update(chunk)
            with zipfile.ZipFile(path) as zf, zf.open(data_member(zf, path)) as member:
                yield member, lambda: None
            return
        raw = io.BufferedReader(_Hashing(fh, digest), _READ)

        def drain() -> None:
            while raw.read(_READ):
                pass

        # Told by the first bytes, as the ingest's gzip proof tells it (an archived copy keeps the
        # original's suffixes too, which is what DuckDB's reader goes by).
        yield (gzip.GzipFile(fileobj=raw, mode="rb") if magic[:2] == GZIP_MAGIC else raw), drain


# -- the formats -------------------------------------------------------------------------------------

_BODY = re.compile(r'[^"]*(?:""[^"]*)*')  # the inside of a quoted field, "" being an escaped quote


def _still_quoted(line: str, quoted: bool, opener: re.Pattern[str]) -> bool:
    """Whether a record is inside a quoted field at the end of ``line``, given whether it was at its
    start. A quote opens a field only at the start of a line or right after a delimiter."""
    pos = 0
    if not quoted:
        if line.startswith('"'):
            pos = 1
        else:
            m = opener.search(line)
            if m is None:
                return False
            pos = m.end()
    while True:  # inside a quoted field at pos
        end = _BODY.match(line, pos).end()  # type: ignore[union-attr]
        if end >= len(line):
            return True
        m = opener.search(line, end + 1)  # line[end] is the closing quote
        if m is None:
            return False
        pos = m.end()


def _records(text: IO[str], fmt: RowFormat, *, empty: bool = False) -> Iterator[str]:
    """Each row of a delimited file as its text with the line terminator, header rows included (and,
    with ``empty``, each empty line between rows as itself)."""
    if fmt.kind == "lines":
        for line in text:  # not `yield from`: closing this generator early would close the file
            yield line
        return
    opener = re.compile(re.escape(fmt.delimiter) + '"')
    parts: list[str] = []
    quoted = False
    for line in text:
        if not parts and line in ("\n", "\r\n", "\r"):
            if empty:
                yield line
            continue  # DuckDB's reader skips empty lines: they are no rows
        quoted = _still_quoted(line, quoted, opener) if (quoted or '"' in line) else False
        parts.append(line)
        if not quoted:
            yield "".join(parts)
            parts = []
    if parts:
        yield "".join(parts)


def empty_lines_before(path: Path, lines: Iterable[int], *, reader: str, source: str) -> dict[int, int]:
    """For each of ``lines``, numbered as DuckDB's CSV reader numbers them in its reject table (the
    header is line 1, a record is one line however many newlines its quoted fields hold, and every
    empty line counts), how many empty lines come before it. The reader skips empty lines, so a
    rejected line's data row (its ``source_row``) is its line less the header rows and these.

    >>> path = Path("blank_then_reject.csv")
    >>> empty_lines_before(path, [5], reader="ucdp_ged.csv", source="ucdp_ged")  # doctest: +SKIP
    {5: 2}
    """
    wanted = {int(n) for n in lines}
    found: dict[int, int] = {}
    fmt = row_format(path, reader=reader, source=source)
    if not wanted or fmt.kind != "csv":
        return {n: 0 for n in wanted}
    try:
        with _opened(path, hashlib.sha256()) as (stream, _):
            text = io.TextIOWrapper(stream, encoding=fmt.encoding, errors="replace", newline="")
            empties = 0
            for line, record in enumerate(_records(text, fmt, empty=True), start=1):
                if record in ("\n", "\r\n", "\r"):
                    empties += 1
                elif line in wanted:
                    found[line] = empties
                    if len(found) == len(wanted):
                        break
    except (EOFError, zlib.error, gzip.BadGzipFile):
        # A truncated or corrupt compressed file: the lines read so far are counted; the ingest's own
        # check of the whole stream (sources/compressed.py) refuses the file with a clear message.
        pass
    return {n: found.get(n, 0) for n in wanted}


def _text_rows(text: IO[str], fmt: RowFormat, wanted: set[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    if not wanted:
        return found
    last = max(wanted)
    for n, record in enumerate(_records(text, fmt), start=1 - fmt.skip):
        if n in wanted:
            found[n] = record.removesuffix("\n").removesuffix("\r")
            if n >= last:
                break
    return found


def _json_rows(text: IO[str], fmt: RowFormat, wanted: set[int]) -> dict[int, str]:
    scan = RecordScan(key=fmt.key, wanted=wanted)
    while chunk := text.read(_READ):
        scan.feed(chunk)
    return scan.found


def _xlsx_rows(path: Path, fmt: RowFormat, wanted: set[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    with workbook(path, path) as wb:
        rows = wb.worksheets[0].iter_rows(values_only=True)
        next(rows, None)  # the header
        n = -fmt.skip
        for row in rows:
            if row is None or all(v is None for v in row):
                continue  # the scan leaves empty rows out
            n += 1
            if n in wanted:
                out = io.StringIO()
                csv.writer(out, lineterminator="").writerow(["" if v is None else cell_text(v) for v in row])
                found[n] = out.getvalue()
    return found
