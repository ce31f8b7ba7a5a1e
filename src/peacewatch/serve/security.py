"""What keeps a served store safe: security headers on every response, CORS only when configured,
and the bearer token that write endpoints require (docs/serve.md, "Security").

The Content-Security-Policy allows scripts, styles and images from the server itself only: no inline
script, no remote resource, no framing. Data text (actor names, case titles) is escaped by the
templates, and even an escaping mistake could not run a script this policy does not allow.
"""

from __future__ import annotations

import hmac
import os

from fastapi import FastAPI, Request

from peacewatch.errors import PeacewatchError
from peacewatch.serve.problems import Problem

TOKEN_ENV = "PEACEWATCH_SERVE_TOKEN"
# At least this many characters: a short token can be guessed over the network.
MIN_TOKEN = 16

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class SecurityHeaders:
    """ASGI middleware: the headers of :data:`HEADERS` on every HTTP response (pure ASGI, so it
    adds no task per request as a BaseHTTPMiddleware would)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def sending(message):
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in HEADERS if k not in names
                ]
            await send(message)

        return await self.app(scope, receive, sending)


def write_token(config_token: str | None, allow_writes: bool) -> str | None:
    """The token write requests must carry: ``config_token``, else $PEACEWATCH_SERVE_TOKEN. Without
    ``allow_writes`` none (the write endpoints do not exist); with it, a missing or short token is an
    error at start-up, never a server that accepts writes from anyone."""
    if not allow_writes:
        return None
    token = config_token or os.environ.get(TOKEN_ENV) or ""
    if len(token) < MIN_TOKEN:
        found = "none" if not token else f"{len(token)} characters"
        raise PeacewatchError(
            f"--allow-writes needs a bearer token of at least {MIN_TOKEN} characters in ${TOKEN_ENV}; "
            f"found {found}.",
            hint=f"Set it first, e.g. export {TOKEN_ENV}=\"$(python -c 'import secrets; "
            "print(secrets.token_urlsafe(32))')\", or serve read-only without --allow-writes.",
        )
    return token


def require_token(request: Request) -> None:
    """A FastAPI dependency of every write endpoint: the request's ``Authorization: Bearer TOKEN``
    must be the server's token, compared in constant time (hmac.compare_digest)."""
    expected: str | None = request.app.state.write_token
    given = request.headers.get("authorization", "")
    scheme, _, token = given.partition(" ")
    challenge = {"WWW-Authenticate": 'Bearer realm="peacewatch"'}
    if scheme.lower() != "bearer" or not token.strip():
        raise Problem(
            401,
            "unauthorized",
            "Unauthorized",
            "This endpoint changes the store: send the server's token as 'Authorization: Bearer TOKEN' "
            f"(the value of ${TOKEN_ENV} where the server runs).",
            headers=challenge,
        )
    if expected is None or not hmac.compare_digest(token.strip().encode(), expected.encode()):
        raise Problem(
            403, "forbidden", "Forbidden", "The bearer token is not the server's.", headers=challenge
        )


def install(app: FastAPI, cors_origins: tuple[str, ...]) -> None:
    """Security headers on every response; CORS for ``cors_origins`` only (none: no CORS headers, so
    browsers keep other sites' pages from reading the API)."""
    if cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(cors_origins),
            allow_methods=["GET", "HEAD", "OPTIONS"],
            allow_headers=["If-None-Match"],
            expose_headers=["ETag", "Peacewatch-Snapshot"],
        )
    app.add_middleware(SecurityHeaders)
