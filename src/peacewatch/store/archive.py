"""The source file behind a dataset, found for ``peacewatch events --raw``.

Events keep ``source_row`` and their dataset's catalog row keeps the file's sha256, its reader and
the path it was ingested from. The store finds the file (:func:`source_file`: archived in the store
folder by its sha256, else at its original path) and ``peacewatch.sources.raw_rows``, which knows the
formats, reads the rows back from it, refusing a file whose sha256 is no longer the catalog's.

>>> store = Store("peacewatch.duckdb")                           # doctest: +SKIP
>>> rows = original_rows(store, [("acled_afghanistan", None, 1)])  # doctest: +SKIP
>>> next(iter(rows.values())).split(",")[0]                        # doctest: +SKIP
'AFG49133'
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from peacewatch.errors import StoreError
from peacewatch.sources import raw_rows

if TYPE_CHECKING:
    import pyarrow as pa

    from peacewatch.store import Store


def source_file(store_path: Path, dataset: Mapping[str, Any]) -> Path:
    """The file ``dataset`` (a catalog row) was ingested from: ``STORE/archive/<sha256><ext>`` when
    the store is a folder that archived it, else the path it was ingested from; a StoreError when
    neither is there."""
    sha, original = dataset["sha256"], Path(dataset.get("original") or dataset["path"])
    archive = store_path / "archive"
    if archive.is_dir():
        for found in sorted(archive.glob(f"{sha}*")):
            if found.name == sha or found.name.startswith(sha + "."):
                return found
    if original.is_file():
        return original
    if archive.is_dir():
        looked = (
            f"the archived file is missing and the original is gone: no {archive}/{sha}.* and no file "
            f"at {original}"
        )
    else:
        looked = f"the original is gone (no file at {original}) and this store keeps no archive of it"
    raise StoreError(
        f"{dataset['dataset_id']}: {looked}, so the original rows of its events cannot be shown.",
        hint=f"Put the file back at {original}, or re-ingest it (peacewatch ingest {original} --store "
        f"{store_path}).",
    )


def _files(store: Store) -> dict[str, dict[str, Any]]:
    """Every source file the store's events may point at, by sha256: each dataset's latest release
    (its catalog row) and its earlier releases (the ``releases`` table), which unchanged events of a
    release applied as a change set still point at."""
    catalog = {d["dataset_id"]: d for d in store.datasets()}
    files: dict[str, dict[str, Any]] = {d["sha256"]: d for d in catalog.values()}
    try:
        earlier = store.query("SELECT dataset_id, sha256, path, archive FROM releases").to_pylist()
    except Exception:  # a store without a releases table (written before releases were kept)
        earlier = []
    for r in earlier:
        d = catalog.get(r["dataset_id"])
        if d is not None and r["sha256"] not in files:
            files[r["sha256"]] = {**d, "sha256": r["sha256"], "path": r["path"], "archive": r["archive"]}
    return files


def original_rows(store: Store, keys: Iterable[tuple[str, str | None, int]]) -> dict[tuple[str, int], str]:
    """The original text of each ``(dataset_id, source_file, source_row)`` (``source_file``: the
    sha256 of the file the row came from, or None for the dataset's current file), keyed by
    ``(sha256, source_row)``; one pass over each file.

    A StoreError when a file is missing, a SourceError when it changed since the ingest."""
    files = _files(store)
    catalog = {d["dataset_id"]: d for d in store.datasets()}
    wanted: dict[str, set[int]] = defaultdict(set)
    named: dict[str, str] = {}
    for dataset_id, sha, row in keys:
        if sha is None:
            d = catalog.get(dataset_id)
            if d is None:
                raise StoreError(f"{dataset_id}: no such dataset in the catalog of {store.path}.")
            sha = d["sha256"]
        wanted[sha].add(int(row))
        named[sha] = dataset_id
    found: dict[tuple[str, int], str] = {}
    for sha, rows in sorted(wanted.items()):
        d = files.get(sha)
        if d is None:
            raise StoreError(f"{named[sha]}: no file with sha256 {sha} in the catalog of {store.path}.")
        texts = raw_rows.original_rows(
            source_file(store.path, d),
            rows,
            reader=d["reader"],
            source=d["source"],
            sha256=sha,
            what=f"dataset {d['dataset_id']}",
        )
        missing = sorted(rows - texts.keys())
        if missing:  # pragma: no cover - the file matches its sha256, so its rows are there
            raise AssertionError(f"{d['dataset_id']}: rows {missing[:5]} not found in its file")
        found.update(((sha, r), t) for r, t in texts.items())
    return found


def with_original_rows(store: Store, table: pa.Table) -> pa.Table:
    """``table`` (events with dataset_id and source_row, and source_file where the store has it) with
    a ``raw`` column holding each row's original text, in place of the JSON copy where the table has
    one."""
    import pyarrow as pa

    n = table.num_rows
    shas = table.column("source_file").to_pylist() if "source_file" in table.column_names else [None] * n
    keys = list(
        zip(table.column("dataset_id").to_pylist(), shas, table.column("source_row").to_pylist(), strict=True)
    )
    texts = original_rows(store, keys)
    current = {d["dataset_id"]: d["sha256"] for d in store.datasets()}
    wanted = [(sha or current[dataset_id], row) for dataset_id, sha, row in keys]
    if "source_event_id" in table.column_names:
        _check_ids(wanted, table.column("source_event_id").to_pylist(), texts)
    column = pa.array([texts[k] for k in wanted], pa.string())
    if "raw" in table.column_names:
        return table.set_column(table.column_names.index("raw"), "raw", column)
    return table.append_column("raw", column)


def _check_ids(keys, ids, texts) -> None:
    """Refuse to show a row that does not hold its event's source id: the store's row numbers and
    the file disagree there, and another event's row would be shown as this one's."""
    for (sha, row), source_id in zip(keys, ids, strict=True):
        if source_id is not None and source_id not in texts[(sha, row)]:
            raise StoreError(
                f"row {row} of the source file {sha[:12]}… does not hold event id {source_id}: the row "
                "numbers the ingest recorded disagree with the file, so its original rows are not shown.",
                hint="Please report it with the file: a wrong row is never shown in its place.",
            )
