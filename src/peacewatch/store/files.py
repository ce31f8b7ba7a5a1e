"""The store's own files besides the lake: the archive of source files, and a writer's working folders.

Every source file an ingest reads is copied once into ``STORE/archive/<sha256><suffixes>`` (the raw row
of an event is kept by reference: its file's sha256 and its ``source_row``, docs/adr/0012). The copy is
written under a temporary name and renamed into place, so a killed writer never leaves half a file
under an archive name; a file already archived is not copied again. The writer's working folder (for
DuckDB's spill files) live in ``STORE/tmp/<kind>-<pid>`` and are removed when the write ends however
it ends, or by the next writer when the process that made them is gone; an unpacked zip member is read
from the system's temp folder.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path


def suffixes(path: Path) -> str:
    """The file's type suffixes as kept in the archive name ('.csv.gz', '.geojson', '.zip').

    >>> suffixes(Path("/d/ucdp_ged_syria_2016-01-01_2019-11-30.csv.gz"))
    '.csv.gz'
    >>> suffixes(Path("/d/GEDEvent_v23_1_CAR.geojson.gz"))
    '.geojson.gz'
    """
    parts = [s for s in Path(path.name).suffixes if re.fullmatch(r"\.[A-Za-z0-9]{1,8}", s)]
    keep: list[str] = []
    for s in reversed(parts):
        if not re.fullmatch(r"\.[A-Za-z][A-Za-z0-9]{0,7}", s) or len(keep) == 2:
            break
        keep.insert(0, s)
    return "".join(keep).lower()


def archive_name(sha256: str, original: Path) -> str:
    """The archive's name for a file, relative to the store: ``archive/<sha256><suffixes>``."""
    return f"archive/{sha256}{suffixes(original)}"


def archive(folder: Path, sha256: str, original: Path) -> str:
    """Copy ``original`` into the store's archive unless a copy is there; returns its relative name."""
    name = archive_name(sha256, original)
    target = folder / name
    if target.is_file() and target.stat().st_size == original.stat().st_size:
        return name
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(original, tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return name


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a process of another user: alive
        return True
    return True


def working_folder(folder: Path, kind: str) -> Path:
    """``STORE/tmp/<kind>-<pid>`` (not made; the caller makes and removes it). Folders there whose
    process is gone (a writer killed with -9) are removed first."""
    tmp = folder / "tmp"
    try:
        names = os.listdir(tmp)
    except OSError:
        names = []
    for name in names:
        _, _, digits = name.rpartition("-")
        if digits.isdigit() and int(digits) != os.getpid() and not _alive(int(digits)):
            shutil.rmtree(tmp / name, ignore_errors=True)
    return tmp / f"{kind}-{os.getpid()}"


def unzip_folder() -> Path:
    """The working folder for unpacked zip members, in the system's temp folder (made only when a zip
    is read, before the store is touched; the ingest removes it however it ends)."""
    import tempfile

    path = Path(tempfile.gettempdir()) / f"peacewatch-unzip-{os.getpid()}"
    shutil.rmtree(path, ignore_errors=True)
    return path
