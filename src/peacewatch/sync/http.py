"""The HTTP side of every sync: one client with retries, backoff and secrets kept out of every message.

:class:`ServiceClient` wraps an ``httpx.Client`` on one service's base URL. :meth:`ServiceClient.send`
retries, with exponential backoff and jitter (stamina), on timeouts and broken connections, on 429
(waiting as long as ``Retry-After`` asks, in seconds or as an HTTP date, up to ``max_retry_after``)
and on 5xx answers; any other answer is returned for the service module to judge (401: refresh the
token). :meth:`ServiceClient.json` reads a page's JSON and turns a malformed page into a
:class:`~peacewatch.errors.SyncError` that names the request.

Every message that leaves this package goes through a :class:`Redactor`: the secrets a service module
registers (passwords, tokens, in their URL-encoded spellings too) become ``***``, and so do the values
of query parameters whose names say they are secret (``password``, ``token``, ``key``, ...). Requests
are described (:func:`describe`) as ``METHOD URL?query`` with secrets redacted; that is also how a
page names its request in the store's archive.

>>> r = Redactor(["s3cr3t pass"])
>>> r("login failed for s3cr3t%20pass and s3cr3t+pass")
'login failed for *** and ***'
>>> describe("GET", "https://x.org/read", {"country": "Afghanistan", "key": "abc"}, r)
'GET https://x.org/read?country=Afghanistan&key=***'
"""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, quote_plus, urlencode

import httpx
import stamina

from peacewatch.errors import SyncError

# Query parameter names whose values are always redacted, whoever registered them.
SECRET_PARAMS = frozenset({"password", "token", "access_token", "refresh_token", "key", "secret", "api_key"})
MASK = "***"
USER_AGENT = "peacewatch-sync"


class Redactor:
    """Replaces registered secrets (and their URL-encoded forms) with ``***`` in any text."""

    def __init__(self, secrets: Iterable[str | None] = ()):
        self._forms: list[str] = []
        self.add(*secrets)

    def add(self, *secrets: str | None) -> None:
        """Register more secrets (a token the service just issued)."""
        for s in secrets:
            if not s:
                continue
            for form in {s, quote(s, safe=""), quote_plus(s), json.dumps(s)[1:-1]}:
                if form and form not in self._forms:
                    self._forms.append(form)
        self._forms.sort(key=len, reverse=True)  # a secret that contains another goes first

    @property
    def secrets(self) -> tuple[str, ...]:
        return tuple(self._forms)

    def __call__(self, text: str) -> str:
        for form in self._forms:
            text = text.replace(form, MASK)
        return text


def describe(method: str, url: str, params: Mapping[str, Any] | None, redactor: Redactor) -> str:
    """``METHOD URL?query`` with secret parameters and registered secrets redacted."""
    shown = {k: (MASK if k.lower() in SECRET_PARAMS else v) for k, v in (params or {}).items()}
    query = urlencode(shown, safe="|:,*")
    return redactor(f"{method} {url}{'?' + query if query else ''}")


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: a number of seconds or an HTTP date.

    >>> retry_after("7")
    7.0
    >>> retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0)
    10.0
    >>> retry_after("soon") is None
    True
    """
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


class _Retry(Exception):
    """A failed attempt worth another: ``wait`` is what the service asked for (Retry-After)."""

    def __init__(self, message: str, wait: float | None = None):
        super().__init__(message)
        self.wait = wait


class ServiceClient:
    """An HTTP client on one service, retrying what is worth retrying.

    ``attempts`` bounds the tries of one request; ``wait_initial``/``wait_max`` the exponential
    backoff between them; ``max_retry_after`` the longest ``Retry-After`` honoured (a longer one is an
    error that says when to come back). ``transport`` is httpx's (tests pass none: they use real HTTP).
    """

    def __init__(
        self,
        base_url: str,
        *,
        redactor: Redactor | None = None,
        timeout: float = 60.0,
        attempts: int = 6,
        wait_initial: float = 1.0,
        wait_max: float = 60.0,
        max_retry_after: float = 900.0,
        transport: httpx.BaseTransport | None = None,
    ):
        self.base_url = base_url.rstrip("/")
        self.redactor = redactor or Redactor()
        self.attempts = attempts
        self.wait_initial = wait_initial
        self.wait_max = wait_max
        self.max_retry_after = max_retry_after
        self.requests = 0  # answers received, retried ones included (UCDP counts them against its quota)
        self._http = httpx.Client(
            timeout=timeout, headers={"User-Agent": USER_AGENT}, transport=transport, follow_redirects=True
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ServiceClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def url(self, path: str) -> str:
        """``path`` under the base URL (an absolute URL, such as a service's next-page link, as is)."""
        return path if path.startswith(("http://", "https://")) else f"{self.base_url}/{path.lstrip('/')}"

    def send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Send one request, retrying timeouts, broken connections, 429 and 5xx; return the first
        other answer. A SyncError naming the request when every attempt failed."""
        url = self.url(path)
        what = describe(method, url, params, self.redactor)

        def backoff(exc: Exception) -> bool | float:
            if not isinstance(exc, _Retry):
                return False
            return True if exc.wait is None else exc.wait

        last = ""
        try:
            for attempt in stamina.retry_context(
                on=backoff,
                attempts=self.attempts,
                timeout=None,
                wait_initial=self.wait_initial,
                wait_max=self.wait_max,
                wait_jitter=min(1.0, self.wait_initial),
            ):
                with attempt:
                    try:
                        response = self._http.request(method, url, params=params, data=data, headers=headers)
                    except httpx.TimeoutException as exc:
                        last = f"no answer in time ({type(exc).__name__})"
                        raise _Retry(last) from None
                    except httpx.TransportError as exc:
                        last = f"the connection failed ({type(exc).__name__}: {self.redactor(str(exc))})"
                        raise _Retry(last) from None
                    self.requests += 1
                    if response.status_code == 429:
                        wait = retry_after(response.headers.get("Retry-After"))
                        if wait is not None and wait > self.max_retry_after:
                            raise SyncError(
                                f"{what}: the service limits requests and asks to wait {wait:,.0f} s "
                                f"(Retry-After), more than the {self.max_retry_after:,.0f} s a sync waits.",
                                hint="Run the sync again later; the store is unchanged.",
                            )
                        last = "429 Too Many Requests" + (f" (Retry-After {wait:g} s)" if wait else "")
                        raise _Retry(last, wait)
                    if response.status_code >= 500:
                        last = f"{response.status_code} {response.reason_phrase}"
                        raise _Retry(last)
                    return response
        except _Retry:
            pass
        raise SyncError(
            f"{what}: expected an answer, found {self.redactor(last)} on all {self.attempts} attempts.",
            hint="Check the service (or --base-url) and run the sync again; the store is unchanged.",
        )

    def json(self, response: httpx.Response, what: str | None = None) -> Any:
        """The JSON of an answer; a SyncError naming the request when it is not JSON."""
        what = what or describe(response.request.method, str(response.request.url), None, self.redactor)
        try:
            return json.loads(response.content)
        except (ValueError, UnicodeDecodeError) as exc:
            head = self.redactor(response.content[:80].decode("utf-8", "replace"))
            raise SyncError(
                f"{what}: expected a JSON page, found malformed JSON ({self.redactor(str(exc))}; it begins "
                f"{head!r}).",
                hint="The sync kept nothing; run it again (the service may have cut the answer short).",
            ) from None

    def failed(self, response: httpx.Response, what: str, expected: str) -> SyncError:
        """A SyncError for an answer the service module did not expect, with its redacted text."""
        body = self.redactor(response.text[:200].strip())
        return SyncError(
            f"{what}: expected {expected}, found {response.status_code} {response.reason_phrase}"
            + (f" ({body})" if body else "")
            + ".",
            hint="Check the filters and credentials given to the sync; the store is unchanged.",
        )


def now_utc() -> datetime:
    """The access time a sync records (UTC, to the second)."""
    return datetime.now(UTC).replace(microsecond=0)
