"""Checks shared by the UCDP and GDELT sync tests: the store's events of a dataset, and no secret in
anything a sync wrote (the store's files, compressed or not, and the command's output)."""

from __future__ import annotations

import gzip
import tarfile
from pathlib import Path

from peacewatch.cli.app import main
from peacewatch.store import Store


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def events(store: Path, dataset_id: str, columns: str = "source_event_id") -> list[tuple]:
    """The dataset's events (the given columns), sorted."""
    s = Store(store)
    if not s.exists() or not any(d["dataset_id"] == dataset_id for d in s.datasets()):
        return []
    rows = s.query(
        f"SELECT {columns} FROM events WHERE dataset_id = ? ORDER BY ALL", [dataset_id]
    ).to_pylist()
    return [tuple(r.values()) for r in rows]


def snapshots(store: Path) -> list[int]:
    s = Store(store)
    return [r["snapshot_id"] for r in s.snapshots()] if s.exists() else []


def _texts(path: Path) -> list[bytes]:
    data = path.read_bytes()
    out = [data]
    if path.name.endswith(".tar.gz"):
        with tarfile.open(path, "r:gz") as tar:
            out += [tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()]
    elif path.suffix == ".gz":
        out.append(gzip.decompress(data))
    elif path.suffix == ".parquet":
        import pyarrow.parquet as pq

        out.append(str(pq.read_table(path).to_pylist()).encode())
    return out


def assert_no_secret(secret: str, folder: Path, *outputs: str) -> None:
    """``secret`` is in no file under ``folder`` (decompressed, Parquet read) and in no output."""
    for text in outputs:
        assert secret not in text
    for path in folder.rglob("*"):
        if path.is_file():
            for data in _texts(path):
                assert secret.encode() not in data, path
