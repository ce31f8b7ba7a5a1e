"""The source file behind a dataset, found for ``peacewatch events --raw``.

Events keep ``source_row`` and their dataset's catalog row keeps the file's sha256, its reader and
the path it was ingested from. The store finds the file (:func:`source_file`: archived in the store
folder by its sha256, else at its original path) and ``peacewatch.sources.raw_rows``, which knows the
formats, reads the rows back from it, refusing a file whose sha256 is no longer the catalog's.

>>> store = Store("peacewatch.duckdb")                           # doctest: +SKIP
>>> rows = original_rows(store, [("acled_afghanistan", 1)])       # doctest: +SKIP
>>> rows[("acled_afghanistan", 1)].split(",")[0]                 # doctest: +SKIP
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


def original_rows(store: Store, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], str]:
    """The original text of each ``(dataset_id, source_row)``, one pass over each dataset's file.

    A StoreError when a file is missing, a SourceError when it changed since the ingest."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for dataset_id, row in keys:
        wanted[dataset_id].add(int(row))
    catalog = {d["dataset_id"]: d for d in store.datasets()}
    found: dict[tuple[str, int], str] = {}
    for dataset_id, rows in sorted(wanted.items()):
        d = catalog.get(dataset_id)
        if d is None:
            raise StoreError(f"{dataset_id}: no such dataset in the catalog of {store.path}.")
        texts = raw_rows.original_rows(
            source_file(store.path, d),
            rows,
            reader=d["reader"],
            source=d["source"],
            sha256=d["sha256"],
            what=f"dataset {dataset_id}",
        )
        missing = sorted(rows - texts.keys())
        if missing:  # pragma: no cover - the file matches its sha256, so its rows are there
            raise AssertionError(f"{dataset_id}: rows {missing[:5]} not found in its file")
        found.update(((dataset_id, r), t) for r, t in texts.items())
    return found


def with_original_rows(store: Store, table: pa.Table) -> pa.Table:
    """``table`` (events with dataset_id and source_row) with a ``raw`` column holding each row's
    original text, in place of the JSON copy where the table has one."""
    import pyarrow as pa

    keys = list(
        zip(table.column("dataset_id").to_pylist(), table.column("source_row").to_pylist(), strict=True)
    )
    texts = original_rows(store, keys)
    if "source_event_id" in table.column_names:
        _check_ids(keys, table.column("source_event_id").to_pylist(), texts)
    column = pa.array([texts[k] for k in keys], pa.string())
    if "raw" in table.column_names:
        return table.set_column(table.column_names.index("raw"), "raw", column)
    return table.append_column("raw", column)


def _check_ids(keys, ids, texts) -> None:
    """Refuse to show a row that does not hold its event's source id: the store's row numbers and
    the file disagree there, and another event's row would be shown as this one's."""
    for (dataset_id, row), source_id in zip(keys, ids, strict=True):
        if source_id is not None and source_id not in texts[(dataset_id, row)]:
            raise StoreError(
                f"{dataset_id}: row {row} of its source file does not hold event id {source_id}: the row "
                "numbers the ingest recorded disagree with the file, so its original rows are not shown.",
                hint="Please report it with the file: a wrong row is never shown in its place.",
            )
