"""What a served store is and may do, fixed when the server starts (`peacewatch serve` flags)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ServeConfig:
    """The server's settings. Defaults are the safe ones: loopback, read-only, derived figures only.

    >>> ServeConfig(store="peacewatch-store").expose_events
    False
    """

    store: str | Path
    # A team store's shared data folder (`--data`), as for every command that takes `--store`.
    data: str | Path | None = None
    # Event rows (notes, actor names, sources) are served only when the operator says so: ACLED's and
    # GTD's terms forbid giving others their raw rows (issue 13, item 4).
    expose_events: bool = False
    # Endpoints that change the store exist only with --allow-writes and a bearer token.
    allow_writes: bool = False
    write_token: str | None = None
    # Bounded work per request: a maximum date span, row count and query time.
    max_days: int = 366 * 30
    max_rows: int = 10_000
    query_timeout_s: float = 30.0
    # Queries run at once per worker process (the others wait; the wait counts toward the timeout).
    query_threads: int = 4
    # Origins allowed by CORS; none unless configured.
    cors_origins: tuple[str, ...] = ()
    # A folder of the user's own case folders (`--cases`), offered beside the built-in cases.
    cases: str | Path | None = None
    # Evaluate every case once at start-up so that the first page view reads the cache (`--warm`).
    warm: bool = False
    # Where `peacewatch watch` writes its alerts (the home page shows the latest), if anywhere.
    alerts: str | Path | None = None
