"""What a watch remembers between runs, kept in the store's folder (``STORE/watch/``):

``state.json``
    Per watched case (its id and dataset): the snapshot and as-of date of the last run, each
    commitment's verdict and each claim's result then, and the keys of the violence findings already
    raised; and the alerts a webhook has not accepted yet. Written whole to a temporary file and renamed
    over the old one, so a run killed while writing leaves the previous state.
``alerts.jsonl``
    Every alert ever raised, one JSON object a line, appended and never rewritten, each with its run id,
    snapshot and evidence. It is written before state.json: a run killed between the two raises its
    alerts again on the next run (at least once), never loses them.
``watch.lock``
    One watch at a time per store (two would raise the same alerts twice).

>>> folder = WatchFolder(Path("/tmp/store"))   # doctest: +SKIP
>>> folder.load()["cases"]                      # doctest: +SKIP
{}
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from peacewatch.errors import StoreError, WatchError
from peacewatch.store.location import file_lock
from peacewatch.watch.alerts import Alert

FOLDER = "watch"
VERSION = 1


def empty() -> dict[str, Any]:
    return {"version": VERSION, "cases": {}, "undelivered": {}}


def url_key(url: str) -> str:
    """A webhook URL as state.json names it: a hash, since such URLs often carry their secret token."""
    return hashlib.sha256(url.encode()).hexdigest()[:16]


class WatchFolder:
    """``STORE/watch/``: the state, the alerts and the lock of the watches of one store."""

    def __init__(self, store_folder: str | os.PathLike):
        self.path = Path(store_folder) / FOLDER
        self.state_path = self.path / "state.json"
        self.alerts_path = self.path / "alerts.jsonl"

    @contextmanager
    def lock(self, wait: float = 0.0) -> Iterator[None]:
        """Hold the watch lock; another watch of the store is a WatchError naming it."""
        try:
            with file_lock(self.path / "watch.lock", wait, "peacewatch watch"):
                yield
        except StoreError:
            raise WatchError(
                f"{self.path / 'watch.lock'}: another `peacewatch watch` is running on this store.",
                hint="Let it finish, or stop it; one watch per store raises each alert once.",
            ) from None

    def load(self) -> dict[str, Any]:
        """The state of the last run (an empty one before the first)."""
        if not self.state_path.exists():
            return empty()
        try:
            data = json.loads(self.state_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise WatchError(
                f"{self.state_path}: cannot read the watch state ({exc}).",
                hint="Move the file aside to start again from a new baseline (the next run records one); "
                "alerts.jsonl beside it keeps every alert raised so far.",
            ) from None
        if not isinstance(data, dict) or data.get("version") != VERSION:
            raise WatchError(
                f"{self.state_path}: expected a watch state of version {VERSION}, found "
                f"{data.get('version') if isinstance(data, dict) else type(data).__name__!r}.",
                hint="Move the file aside to start again from a new baseline.",
            )
        return {**empty(), **data}

    def save(self, state: dict[str, Any]) -> None:
        """Replace state.json atomically (a temporary file in the same folder, then rename)."""
        self.path.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".state-", suffix=".json", dir=self.path)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(state, fh, indent=1, sort_keys=True, ensure_ascii=False, allow_nan=False)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.state_path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def append(self, alerts: Iterable[Alert]) -> None:
        """Append alerts to alerts.jsonl and flush them to disk before returning."""
        lines = [json.dumps(a.to_dict(), ensure_ascii=False, allow_nan=False, default=str) for a in alerts]
        if not lines:
            return
        self.path.mkdir(parents=True, exist_ok=True)
        with open(self.alerts_path, "a", encoding="utf-8") as fh:
            fh.write("".join(line + "\n" for line in lines))
            fh.flush()
            os.fsync(fh.fileno())

    def alerts(self, ids: Iterable[str] | None = None) -> list[Alert]:
        """The alerts of alerts.jsonl, oldest first (only those of ``ids`` when given). A line cut short
        by a crash is skipped: the lines before and after it are whole."""
        if not self.alerts_path.exists():
            return []
        wanted = None if ids is None else set(ids)
        out = []
        with open(self.alerts_path, encoding="utf-8") as fh:
            for line in fh:
                try:
                    data = json.loads(line)
                except ValueError:
                    continue
                if wanted is None or data.get("id") in wanted:
                    out.append(Alert.from_dict(data))
        return out
