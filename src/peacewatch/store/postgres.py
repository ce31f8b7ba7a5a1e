"""A team's store: the DuckLake catalog in PostgreSQL, the data files in a shared folder or bucket.

The location a user types is libpq's keyword form after ``postgres:`` (or a ``postgres://`` URI, which
is read into the same keywords), and the data files' place is given apart (``--data``):

>>> where = parse_postgres("postgres:dbname=lake host=db.example port=5432 user=pw password=s3cret")
>>> str(where)
'postgres:dbname=lake host=db.example port=5432 user=pw'
>>> scrub("could not connect: dbname=lake password=s3cret host=db", where)
'could not connect: dbname=lake password=<hidden> host=db'

The password is PostgreSQL's business, read by libpq from PGPASSWORD or ~/.pgpass (or given inline,
discouraged): the location prints without it everywhere (error messages, payloads' reproduce commands,
briefs), and DuckDB's own errors, which quote the connection string, pass through :func:`scrub`.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from peacewatch.errors import StoreError

PREFIX = "postgres:"
URI_PREFIXES = ("postgres://", "postgresql://")
EXAMPLE = "postgres:dbname=lake host=db.example port=5432 user=pw"
HIDDEN = "<hidden>"
SECRET_KEYS = frozenset({"password", "sslpassword"})

# libpq's connection keywords (PostgreSQL 17's "Parameter Key Words"): a key outside this list is a
# typo that libpq would refuse later with less context.
# fmt: off
KEYWORDS = frozenset({
    "host", "hostaddr", "port", "dbname", "user", "password", "passfile", "require_auth", "channel_binding",
    "connect_timeout", "client_encoding", "options", "application_name", "fallback_application_name",
    "keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout",
    "replication", "gssencmode", "sslmode", "sslnegotiation", "requiressl", "sslcompression", "sslcert",
    "sslkey", "sslkeylogfile", "sslpassword", "sslcertmode", "sslrootcert", "sslcrl", "sslcrldir", "sslsni",
    "requirepeer", "ssl_min_protocol_version", "ssl_max_protocol_version", "krbsrvname", "gsslib",
    "gssdelegation", "service", "target_session_attrs", "load_balance_hosts",
})
# fmt: on

_WHERE = "Fix --store or PEACEWATCH_STORE"
# Secrets in text we did not write (DuckDB's and libpq's messages quote the connection string).
_SECRET_FIELD = re.compile(
    r"(?<![A-Za-z_])((?:ssl)?password)(\s*=\s*)(?:'(?:[^'\\]|\\.)*'?|(?:\\.|[^\s\\])+)"
)
_URI_PASSWORD = re.compile(r"(postgres(?:ql)?://[^:/@\s]*:)[^@\s]*(@)")


def is_postgres(location: str) -> bool:
    """Whether a --store value names a PostgreSQL catalog rather than a store folder.

    >>> is_postgres("postgres:dbname=lake"), is_postgres("./peacewatch-store")
    (True, False)
    """
    return location.startswith(PREFIX) or location.startswith(URI_PREFIXES)


@dataclass(frozen=True)
class PostgresCatalog:
    """Where a team's DuckLake catalog lives: libpq keywords in the order given (the last of a repeated
    one wins, as in libpq). ``str()`` is the location without its password, safe to print."""

    params: tuple[tuple[str, str], ...]

    def get(self, key: str) -> str | None:
        return dict(self.params).get(key)

    @property
    def has_password(self) -> bool:
        return any(k in SECRET_KEYS and v for k, v in self.params)

    @property
    def name(self) -> str:
        """The lake's name for locks and messages: the database (or the service file entry)."""
        return self.get("dbname") or f"service {self.get('service')}"

    def conninfo(self, *, secrets: bool = False) -> str:
        """libpq's keyword form; with ``secrets`` it keeps the password (for ATTACH only)."""
        return " ".join(f"{k}={_quote(v)}" for k, v in self.params if secrets or k not in SECRET_KEYS)

    def __str__(self) -> str:
        return PREFIX + self.conninfo()

    def scrub(self, text: str) -> str:
        """``text`` with this location's secrets, and any password field or URI password, hidden."""
        return scrub(text, self)


def scrub(text: str, where: PostgresCatalog | None = None) -> str:
    """Hide passwords in text: ``password=...`` and ``sslpassword=...`` fields (quoted or not), the
    password of a ``postgres://user:secret@host`` URI, and every occurrence of ``where``'s own secret
    values, however the text quoted them.

    >>> scrub("postgres://pw:s3cret@db/lake and password='a b'")
    'postgres://pw:<hidden>@db/lake and password=<hidden>'
    """
    text = _SECRET_FIELD.sub(lambda m: m.group(1) + m.group(2) + HIDDEN, text)
    text = _URI_PASSWORD.sub(lambda m: m.group(1) + HIDDEN + m.group(2), text)
    if where is not None:
        for key, value in where.params:
            if key in SECRET_KEYS and value:
                for form in sorted({_quote(value), value}, key=len, reverse=True):
                    # whole tokens only, so that a short password does not eat letters of words
                    text = re.sub(rf"(?<![A-Za-z0-9]){re.escape(form)}(?![A-Za-z0-9])", HIDDEN, text)
    return text


def without_password(word: str) -> str:
    """One word of a command line as it may be recorded or shown: a team store's location without its
    password (still a location that runs), any other word with password fields hidden.

    >>> without_password("postgres:dbname=lake password=s3cret"), without_password("--store=x password=y")
    ('postgres:dbname=lake', '--store=x password=<hidden>')
    """
    if is_postgres(word):
        try:
            return str(parse_postgres(word))
        except StoreError:
            pass
    return scrub(word)


def parse_postgres(location: str) -> PostgresCatalog:
    """Read ``postgres:KEY=VALUE ...`` (libpq's keyword form: values quoted with single quotes when
    they hold spaces, backslash escapes) or a ``postgres://user@host:port/dbname?key=value`` URI.
    Refuses, naming the key (never a value: it may be the password), an unknown key, a pair without
    ``=``, an unclosed quote, or a location that names no database.

    >>> parse_postgres("postgresql://pw@db.example:5432/lake?sslmode=require").conninfo()
    'host=db.example port=5432 dbname=lake user=pw sslmode=require'
    """
    if location.startswith(URI_PREFIXES):
        pairs = _uri_pairs(location)
    elif location.startswith(PREFIX):
        pairs = _keyword_pairs(location[len(PREFIX) :])
    else:
        raise StoreError(
            "expected a PostgreSQL store location starting with 'postgres:' "
            f"(for example --store '{EXAMPLE}').",
            hint=_WHERE + ".",
        )
    for key, _ in pairs:
        if key not in KEYWORDS:
            close = difflib.get_close_matches(key, sorted(KEYWORDS), n=1)
            also = f" (did you mean {close[0]}?)" if close else ""
            raise StoreError(
                f"--store: {key!r} is not a PostgreSQL connection keyword{also}.",
                hint=f"{_WHERE}: it takes libpq's keywords, for example '{EXAMPLE}'.",
            )
    merged: dict[str, str] = {}
    for key, value in pairs:
        merged.pop(key, None)  # the last one wins, in the place it was given last
        merged[key] = value
    if not merged.get("dbname") and not merged.get("service"):
        raise StoreError(
            "--store: a PostgreSQL store must name its database (dbname=...); found none.",
            hint=f"{_WHERE}, for example '{EXAMPLE}'.",
        )
    return PostgresCatalog(tuple(merged.items()))


def _keyword_pairs(text: str) -> list[tuple[str, str]]:
    pairs, i, n = [], 0, len(text)
    while True:
        while i < n and text[i].isspace():
            i += 1
        if i == n:
            return pairs
        start = i
        while i < n and text[i] != "=" and not text[i].isspace():
            i += 1
        key = text[start:i]
        while i < n and text[i].isspace():
            i += 1
        if i == n or text[i] != "=":
            # Never quote the word: it may be the rest of a password with a space in it.
            after = f"after the value of {pairs[-1][0]}=" if pairs else "at the start"
            raise StoreError(
                f"--store: expected KEY=VALUE pairs after 'postgres:', found a word with no '=' {after} "
                f"(character {start + len(PREFIX) + 1}).",
                hint=f"{_WHERE}: libpq's keyword form, for example '{EXAMPLE}'; put a value with spaces "
                "in single quotes.",
            )
        if not key:
            raise StoreError(
                f"--store: found '=' with no key before it (at character {start + len(PREFIX) + 1}).",
                hint=f"{_WHERE}: libpq's keyword form, for example '{EXAMPLE}'.",
            )
        i += 1
        while i < n and text[i].isspace():
            i += 1
        value: list[str] = []
        if i < n and text[i] == "'":
            i += 1
            while i < n and text[i] != "'":
                if text[i] == "\\" and i + 1 < n:
                    i += 1
                value.append(text[i])
                i += 1
            if i == n:
                raise StoreError(
                    f"--store: the value of {key}= opens a quote (') that is never closed.",
                    hint=f"{_WHERE}: close the quote; write \\' for a quote inside the value.",
                )
            i += 1
        else:
            while i < n and not text[i].isspace():
                if text[i] == "\\" and i + 1 < n:
                    i += 1
                value.append(text[i])
                i += 1
        pairs.append((key, "".join(value)))


def _uri_pairs(uri: str) -> list[tuple[str, str]]:
    # urlsplit parses one host; libpq allows host1:p1,host2:p2 in the authority, so split it by hand.
    parts = urlsplit(uri)
    userinfo, _, hosts = parts.netloc.rpartition("@")
    pairs: list[tuple[str, str]] = []
    if hosts:
        names, ports = [], []
        for spec in hosts.split(","):
            host, _, port = spec.rpartition(":") if not spec.endswith("]") else (spec, "", "")
            if not host:
                host, port = spec, ""
            names.append(unquote(host.strip("[]")))
            ports.append(port)
        pairs.append(("host", ",".join(names)))
        if any(ports):
            pairs.append(("port", ",".join(ports)))
    if parts.path.strip("/"):
        pairs.append(("dbname", unquote(parts.path.lstrip("/"))))
    if userinfo:
        user, has_password, password = userinfo.partition(":")
        if user:
            pairs.append(("user", unquote(user)))
        if has_password:
            pairs.append(("password", unquote(password)))
    pairs += parse_qsl(parts.query, keep_blank_values=True)
    return pairs


def _quote(value: str) -> str:
    if value and not any(c.isspace() or c in "'\\" for c in value):
        return value
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def data_location(value: str | None) -> str:
    """The folder (or bucket URL) that holds a team store's files, from ``--data``: a local path made
    absolute, or a ``scheme://`` URL kept as given; without a trailing slash. The lake's Parquet files
    go in ``<data>/data/`` and the archived source files in ``<data>/archive/``, as in a store folder.

    >>> data_location("s3://team-bucket/lake/")
    's3://team-bucket/lake'
    """
    if value is None or not value.strip():
        raise StoreError(
            "a PostgreSQL store keeps its data files apart from its catalog, and no place for them was "
            "given.",
            hint="Pass --data FOLDER_OR_URL (or set PEACEWATCH_STORE_DATA): a folder every member of the "
            "team reaches at the same path, or an object-store URL such as s3://bucket/lake.",
        )
    value = value.strip()
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", value):
        return value.rstrip("/")
    return Path(value).expanduser().resolve().as_posix()
