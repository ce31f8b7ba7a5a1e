"""Where the store finds a dataset's source file: its archive (a store folder's archive/<sha256><ext>)
first, else the path it was ingested from; when neither is there, one sentence that says so."""

from __future__ import annotations

import pytest

from peacewatch.errors import StoreError
from peacewatch.store.archive import source_file

SHA = "ab" * 32


def _dataset(original):
    return {"dataset_id": "ged", "sha256": SHA, "path": str(original)}


def test_the_archived_copy_comes_before_the_original_path(tmp_path):
    store = tmp_path / "store"
    (store / "archive").mkdir(parents=True)
    archived = store / "archive" / f"{SHA}.csv.gz"
    archived.write_bytes(b"x")
    (store / "archive" / f"{SHA}0.csv").write_bytes(b"another sha's prefix")
    original = tmp_path / "ged.csv.gz"
    original.write_bytes(b"x")
    assert source_file(store, _dataset(original)) == archived
    archived.unlink()
    assert source_file(store, _dataset(original)) == original  # --no-archive: the path only


def test_the_catalog_original_column_of_the_coming_layout_is_read_too(tmp_path):
    original = tmp_path / "ged.csv"
    original.write_text("id\n1\n")
    d = {"dataset_id": "ged", "sha256": SHA, "original": str(original)}
    assert source_file(tmp_path / "s.duckdb", d) == original


def test_a_missing_archive_and_original_is_one_clear_error(tmp_path):
    store = tmp_path / "store"
    (store / "archive").mkdir(parents=True)
    with pytest.raises(StoreError, match="the archived file is missing and the original is gone") as err:
        source_file(store, _dataset(tmp_path / "gone.csv.gz"))
    assert SHA in str(err.value) and "gone.csv.gz" in str(err.value)
    assert "re-ingest" in err.value.hint


def test_a_store_file_without_archive_names_the_original_path(tmp_path):
    with pytest.raises(StoreError, match="the original is gone") as err:
        source_file(tmp_path / "s.duckdb", _dataset(tmp_path / "gone.csv.gz"))
    assert "keeps no archive" in str(err.value)


class _FolderStore:
    """The coming layout as far as the lookup sees it: a store folder and its catalog rows."""

    def __init__(self, path, catalog):
        self.path, self._catalog = path, catalog

    def datasets(self):
        return self._catalog

    def query(self, sql):
        raise LookupError("no releases table: one release per dataset")


def test_rows_come_from_the_archived_copy_when_the_original_is_gone(tmp_path, data_file):
    import hashlib
    import shutil

    from peacewatch.store.archive import original_rows

    real = data_file("gdelt_samples/gdelt1_events_raw_sample_20160728.tsv")
    sha = hashlib.sha256(real.read_bytes()).hexdigest()
    folder = tmp_path / "store"
    (folder / "archive").mkdir(parents=True)
    shutil.copyfile(real, folder / "archive" / f"{sha}.tsv")
    catalog = [
        {
            "dataset_id": "gdelt1",
            "source": "gdelt",
            "reader": "gdelt.tsv",
            "sha256": sha,
            "original": str(tmp_path / "moved-away" / real.name),
        }
    ]
    rows = original_rows(_FolderStore(folder, catalog), [("gdelt1", None, 1), ("gdelt1", sha, 710)])
    assert rows[(sha, 1)].startswith("564111644\t20060731\t")
    assert rows[(sha, 710)].startswith("230523753\t19821231\t")
