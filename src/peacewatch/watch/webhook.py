"""POST alerts to a webhook URL the user gives (``--webhook URL``).

One POST per alert, its body the alert's JSON (``Alert.to_dict()``) plus ``text``, one line for chat
services whose incoming webhooks show a ``text`` field; the header ``Idempotency-Key`` carries the
alert's id, which a receiver can use to drop a repeat. A timeout, a connection error, 429 and any 5xx
answer are retried (3 attempts, backing off from 0.5 s); another 4xx or a redirect is not (the URL or
its token is wrong, and asking again will not change that). When an alert fails, the ones after it are
not tried: the service is down, and they wait with it for the next run, which sends them first.

The URL is never printed or stored whole (webhook URLs usually hold their secret): messages name its
scheme and host only, and state.json keys pending alerts by a hash of it.

>>> redact("https://hooks.example.org/services/T000/B000/XXXX")
'https://hooks.example.org/...'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx
import stamina

from peacewatch.errors import WatchError
from peacewatch.watch.alerts import Alert

ATTEMPTS = 3
TIMEOUT = 10.0  # seconds per request: a webhook that takes longer is down for our purposes
WAIT_INITIAL = 0.5


class _Retry(Exception):
    """An answer worth asking again (429, 5xx)."""

    def __init__(self, status: int):
        self.status = status
        super().__init__(f"HTTP {status}")


def redact(url: str) -> str:
    """The URL's scheme and host, without the path or query that may hold a token."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}{f':{parts.port}' if parts.port else ''}/..."


def check_url(url: str) -> str:
    """Refuse a --webhook value that is no http(s) URL, before any work is done."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WatchError(
            f"--webhook {redact(url) if parts.hostname else url[:40]!r}: expected an http(s):// URL.",
            hint="Give the full address of the webhook, e.g. --webhook https://hooks.example.org/...",
        )
    return url


@dataclass
class Delivery:
    """What a webhook accepted (alert ids) and what it did not, with the reason."""

    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    error: str | None = None

    def to_dict(self) -> dict:
        return {"sent": self.sent, "failed": self.failed, "error": self.error}


def deliver(
    url: str,
    alerts: Sequence[Alert],
    *,
    attempts: int = ATTEMPTS,
    timeout: float = TIMEOUT,
    wait_initial: float = WAIT_INITIAL,
) -> Delivery:
    """POST each alert to ``url``; stop at the first that fails after its retries."""
    done = Delivery()
    if not alerts:
        return done
    with httpx.Client(timeout=timeout, follow_redirects=False) as client:
        for i, alert in enumerate(alerts):
            try:
                _post(client, url, alert, attempts, wait_initial)
            except (_Retry, httpx.HTTPError, _Refused) as exc:
                done.failed = [a.id for a in alerts[i:]]
                done.error = f"{redact(url)} answered {_reason(exc)} after {attempts} attempt(s)"
                if isinstance(exc, _Refused):
                    done.error = f"{redact(url)} refused the alert ({_reason(exc)}); not retried"
                return done
            done.sent.append(alert.id)
    return done


class _Refused(Exception):
    def __init__(self, status: int):
        self.status = status
        super().__init__(f"HTTP {status}")


def _reason(exc: Exception) -> str:
    if isinstance(exc, _Retry | _Refused):
        return f"HTTP {exc.status}"
    if isinstance(exc, httpx.TimeoutException):
        return "no answer in time"
    # httpx's message may quote the URL: name the kind of failure only.
    return f"a connection error ({type(exc).__name__})"


def _post(client: httpx.Client, url: str, alert: Alert, attempts: int, wait_initial: float) -> None:
    body = {**alert.to_dict(), "text": alert.text()}
    headers = {"Idempotency-Key": alert.id, "User-Agent": "peacewatch-watch"}
    for attempt in stamina.retry_context(
        on=(_Retry, httpx.TransportError), attempts=attempts, wait_initial=wait_initial, wait_max=5.0
    ):
        with attempt:
            answer = client.post(url, json=body, headers=headers)
            if answer.status_code == 429 or answer.status_code >= 500:
                raise _Retry(answer.status_code)
            if answer.status_code >= 300:  # a redirect is not a delivery: the hook moved
                raise _Refused(answer.status_code)
