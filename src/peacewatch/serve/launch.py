"""Running the app under uvicorn with several worker processes (``peacewatch serve``).

Workers are separate processes that import the app themselves, so uvicorn needs an import string, not
an app object: :func:`app_from_env` is that factory, and it reads the server's :class:`ServeConfig`
from the environment variable ``PEACEWATCH_SERVE_CONFIG`` (JSON) that :func:`run` sets before
starting them. The write token is never put there: each worker reads ``$PEACEWATCH_SERVE_TOKEN``.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import os
import sys
from pathlib import Path
from typing import Any

from peacewatch.serve.config import ServeConfig

CONFIG_ENV = "PEACEWATCH_SERVE_CONFIG"
FACTORY = "peacewatch.serve.launch:app_from_env"


def to_env(config: ServeConfig) -> str:
    """The config as the JSON the workers read (paths as text, no token)."""
    d = dataclasses.asdict(config)
    d["write_token"] = None
    return json.dumps({k: str(v) if isinstance(v, Path) else v for k, v in d.items()})


def from_env(text: str) -> ServeConfig:
    """The config :func:`to_env` wrote."""
    d: dict[str, Any] = json.loads(text)
    d["cors_origins"] = tuple(d.get("cors_origins") or ())
    return ServeConfig(**d)


def app_from_env():
    """The app of the config in $PEACEWATCH_SERVE_CONFIG (uvicorn's ``--factory`` entry)."""
    from peacewatch.serve.app import create_app

    text = os.environ.get(CONFIG_ENV)
    if not text:
        raise RuntimeError(f"${CONFIG_ENV} is not set: start the server with `peacewatch serve`.")
    return create_app(from_env(text))


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable from this machine only (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def exposure_warning(host: str, port: int, config: ServeConfig) -> str | None:
    """The warning for a server bound beyond loopback (None on loopback)."""
    if is_loopback(host):
        return None
    what = "event rows (--expose-events)" if config.expose_events else "derived figures"
    writes = " and, with the token, change the store (--allow-writes)" if config.allow_writes else ""
    return (
        f"warning: listening on {host}:{port}, beyond this machine: anyone who can reach it can read the "
        f"store's {what}{writes}. The server speaks plain HTTP: put it behind a TLS proxy, or bind "
        "127.0.0.1 (the default)."
    )


def run(config: ServeConfig, *, host: str, port: int, workers: int, log_level: str = "info") -> None:
    """Check the config (the store opens, a write token is set when writes are allowed), then serve
    it with uvicorn and ``workers`` processes until interrupted."""
    import uvicorn

    from peacewatch.serve.app import create_app

    create_app(config)  # every configuration error now, once, before any worker starts
    os.environ[CONFIG_ENV] = to_env(config)
    warning = exposure_warning(host, port, config)
    if warning:
        sys.stderr.write(warning + "\n")
    shown = f"[{host}]" if ":" in host else host
    mode = "event rows exposed" if config.expose_events else "derived figures only"
    sys.stderr.write(
        f"peacewatch serve: http://{shown}:{port}/ (the API at /api/, its OpenAPI at /api/docs); "
        f"{mode}; {'writes allowed with the token' if config.allow_writes else 'read-only'}; "
        f"{workers} worker(s). Ctrl-C stops it.\n"
    )
    uvicorn.run(
        FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        server_header=False,
        proxy_headers=False,
    )
