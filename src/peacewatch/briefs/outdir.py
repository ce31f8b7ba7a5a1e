"""A brief's output folder replaced whole: never a mix of two briefs, never a stale file.

A brief is written into a private folder beside ``--out`` (``.OUT.brief-tmp-XXXX``, same file system).
Only when every file is written are the previous brief's files (brief.html, brief.pdf, brief.json,
figures/) moved out of ``--out`` and the new ones moved in, one rename each, under an exclusive lock
on the folder, so two briefs written into one folder at once end as one or the other, whole. Other
files in ``--out`` are left alone. On any error (a full disk, Ctrl-C) the private folder is removed and
``--out`` is as it was.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from peacewatch.errors import BriefError

# Everything a brief writes into its folder; what a previous brief left there under these names goes.
BRIEF_ENTRIES = ("brief.html", "brief.pdf", "brief.json", "figures")


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def write_whole(out: Path, write: Callable[[Path], dict[str, Path]]) -> dict[str, Path]:
    """Call ``write(folder)`` on a private folder beside ``out``, then put its files in ``out`` in place
    of the previous brief's; returns ``write``'s paths, moved to ``out``."""
    out = Path(out).resolve()  # a link to a folder: write beside the folder, on its file system
    if out.exists() and not out.is_dir():
        raise BriefError(
            f"--out {out}: expected a folder for the brief, found a file.", hint="Give a folder."
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.brief-tmp-", dir=out.parent))
    old = tmp.with_name(tmp.name.replace(".brief-tmp-", ".brief-old-", 1))
    try:
        paths = write(tmp)
        new = sorted(tmp.iterdir())
        replaced = dict.fromkeys([*BRIEF_ENTRIES, *(p.name for p in new)])
        out.mkdir(exist_ok=True)
        fd = os.open(out, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # another brief moving into the same folder waits here
            old.mkdir()
            for name in replaced:
                if os.path.lexists(out / name):
                    os.replace(out / name, old / name)
            for entry in new:
                os.replace(entry, out / entry.name)
            os.fsync(fd)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
    finally:
        _remove(tmp)
        _remove(old)
    return {kind: out / p.relative_to(tmp) for kind, p in paths.items()}
