"""What the API tests share: a client over the app in-process, and a store with two releases.

The client is Starlette's TestClient: an httpx client whose transport runs the app on an event loop in
a thread of its own (anyio's blocking portal), so it works whether or not this thread already runs a
loop (pytest-playwright's sync API leaves one running in the same process).
"""

from __future__ import annotations

import contextlib
import json
import warnings
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"


@contextlib.contextmanager
def serve_client(store, **config):
    """A client of the app serving ``store`` with ``config`` (ServeConfig fields), lifespan included."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # starlette suggests httpx2, not installed here
        from starlette.testclient import TestClient

    from peacewatch.serve import ServeConfig
    from peacewatch.serve.app import create_app

    app = create_app(ServeConfig(store=str(getattr(store, "path", store)), **config))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def two_release_store(folder: Path):
    """Release A of tests/data (snapshot 1), then release B applied to it (snapshot 2)."""
    import peacewatch as pw

    s = pw.open_store(folder / "store")
    s.ingest([DATA / "acled_release_a.csv"], name="acled-afg")
    s.store.ingest([DATA / "acled_release_b.csv"], release_of="acled-afg")
    return s


def cli_json(*args: str):
    """What `peacewatch ARGS --json` prints, parsed (the CLI in-process)."""
    import io
    from contextlib import redirect_stdout

    from peacewatch.cli.app import main

    out = io.StringIO()
    with redirect_stdout(out):
        code = main([*args, "--json"])
    assert code == 0, out.getvalue()[-2000:]
    return json.loads(out.getvalue())


PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}


def assert_problem(response, status: int, kind: str | None = None) -> dict:
    """``response`` is an RFC 9457 problem with ``status`` (and ``kind``, the end of its type)."""
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert set(body) == PROBLEM_KEYS and body["status"] == status
    if kind is not None:
        assert body["type"].endswith("/" + kind), body
    return body
