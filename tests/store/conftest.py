"""A real PostgreSQL server on loopback for the team store's tests, started once per session and stopped
at its end whatever happens (a failure, Ctrl-C, SIGTERM, or an exit before the fixture's teardown).

The server binaries are the Debian ``postgresql`` package's (``make system`` installs it), found by
``pg_config --bindir``, then /usr/lib/postgresql/<newest>/bin, then PATH. ``initdb`` writes a cluster in
a new temporary folder that also holds the server's socket and log; the server listens on 127.0.0.1 only,
at a free port, and trusts local connections but one role kept for password tests. PostgreSQL refuses
to run as root, so under root (CI runs ``.ci/run`` as root) its tools run as the ``postgres`` system
user, which owns the folder. Without the binaries the tests skip, saying ``make system`` installs them;
under CI=true they fail instead, so that a CI run cannot pass by skipping the team store.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import importlib.util
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

SUPERUSER = "peacewatch"
# A role that must give a password (scram-sha-256), to test that libpq's means of giving one work and
# that the password never comes back out of peacewatch.
PASSWORD_ROLE, PASSWORD = "pw_secret_role", "Corr3ct-h0rse b@ttery"


def _unavailable(reason: str):
    message = f"{reason}: `make system` installs PostgreSQL (the Debian postgresql package)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def server_binaries() -> Path | None:
    """The folder holding initdb and pg_ctl: pg_config's bindir, Debian's newest, or PATH's."""
    candidates: list[Path] = []
    if pg_config := shutil.which("pg_config"):
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, timeout=30)
            candidates.append(Path(out.stdout.strip()))

    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(x) for x in re.findall(r"\d+", path.parent.name)) or (0,)

    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version, reverse=True)
    if pg_ctl := shutil.which("pg_ctl"):
        candidates.append(Path(pg_ctl).resolve().parent)
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    return None


@dataclass(frozen=True)
class PostgresServer:
    """A running server: where it listens and how to run its client tools."""

    bin_dir: Path
    port: int
    root: Path
    host: str = "127.0.0.1"
    user: str = SUPERUSER
    password_role: str = PASSWORD_ROLE  # must give its password (scram-sha-256)
    password: str = PASSWORD

    def conninfo(self, dbname: str, user: str | None = None) -> str:
        return f"dbname={dbname} host={self.host} port={self.port} user={user or self.user}"

    def sql(self, statement: str, dbname: str = "postgres") -> str:
        """Run one statement with psql (as the superuser, over TCP) and return its unaligned output."""
        argv = [str(self.bin_dir / "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", statement]
        where = ["-h", self.host, "-p", str(self.port), "-U", self.user, "-d", dbname]
        out = subprocess.run(
            [*argv, *where],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if out.returncode:
            raise RuntimeError(f"psql failed on {statement!r}: {out.stderr.strip()}")
        return out.stdout.strip()

    def create_database(self, prefix: str = "lake", owner: str | None = None) -> str:
        """A new empty database, owned by ``owner`` (default: the superuser); its name."""
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        self.sql(f"CREATE DATABASE {name} OWNER {owner or self.user}")
        return name


def _as_server_user(argv: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return argv
    if shutil.which("runuser"):
        return ["runuser", "-u", "postgres", "--", *argv]
    import shlex

    return ["su", "postgres", "-s", "/bin/sh", "-c", shlex.join(argv)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


HBA = f"""\
# written by tests/store/conftest.py: loopback only; one role must give its password
local all all trust
host all {PASSWORD_ROLE} 127.0.0.1/32 scram-sha-256
host all all 127.0.0.1/32 trust
"""


def _start(bin_dir: Path) -> tuple[PostgresServer, Callable[[], None]]:
    # Under root, in /tmp: a TMPDIR of root's own may be closed to the postgres user.
    root = Path(tempfile.mkdtemp(prefix="pw-pg-", dir="/tmp" if os.geteuid() == 0 else None))
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(root, ignore_errors=True)
            _unavailable("running as root, and there is no postgres system user to run the server as")
        shutil.chown(root, "postgres", "postgres")
    data, log = root / "data", root / "server.log"

    def run(argv: list[str], check: bool = True) -> subprocess.CompletedProcess:
        # cwd: the server's own folder, since the postgres user may not enter the caller's (/root)
        out = subprocess.run(_as_server_user(argv), capture_output=True, text=True, timeout=120, cwd=root)
        if check and out.returncode:
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{Path(argv[0]).name} failed: {out.stderr.strip()}\n{tail}")
        return out

    run([str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", SUPERUSER, "-E", "UTF8",
         "--locale=C", "--no-sync"])  # fmt: skip
    hba = data / "pg_hba.conf"
    hba.write_text(HBA)
    if os.geteuid() == 0:
        shutil.chown(hba, "postgres", "postgres")
    pg_ctl = str(bin_dir / "pg_ctl")
    stopped = False

    def stop() -> None:
        nonlocal stopped
        if stopped:
            return
        stopped = True
        if run([pg_ctl, "-D", str(data), "-m", "fast", "-w", "-t", "30", "stop"], check=False).returncode:
            run([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"], check=False)
        shutil.rmtree(root, ignore_errors=True)

    for attempt in range(3):  # a free port can be taken between choosing and binding it
        port = _free_port()
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        started = run([pg_ctl, "-D", str(data), "-o", options, "-l", str(log), "-w", "-t", "60", "start"],
                      check=False)  # fmt: skip
        if started.returncode == 0:
            break
        if attempt == 2 or "could not bind" not in log.read_text(errors="replace"):
            stop()
            raise RuntimeError(f"pg_ctl start failed: {started.stderr.strip()}")
    server = PostgresServer(bin_dir=bin_dir, port=port, root=root)
    try:
        server.sql(f"CREATE ROLE {PASSWORD_ROLE} LOGIN PASSWORD '{PASSWORD}'")
    except BaseException:
        stop()
        raise
    return server, stop


@pytest.fixture(scope="session")
def postgres_server():
    """A PostgreSQL server on 127.0.0.1 for this session (see the module's docstring)."""
    bin_dir = server_binaries()
    if bin_dir is None:
        _unavailable("PostgreSQL's server binaries (initdb, pg_ctl) are not installed")
    if importlib.util.find_spec("duckdb_extension_postgres") is None:
        _unavailable(
            "the Python package duckdb-extension-postgres is not installed (pip install -e '.[postgres]'; "
            "`make test` installs it)"
        )
    server, stop = _start(bin_dir)
    atexit.register(stop)  # an interpreter that exits before the teardown below still stops it
    # SIGTERM (a CI timeout) would end Python without teardown or atexit: make it an interruption.
    previous = signal.getsignal(signal.SIGTERM)
    if previous in (signal.SIG_DFL, None):
        signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        yield server
    finally:
        if previous in (signal.SIG_DFL, None):
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
        # DuckDB connections still attached to the server close first: one that outlives the server
        # aborts the interpreter when it is collected at exit.
        gc.collect()
        stop()
        atexit.unregister(stop)


@pytest.fixture
def postgres_database(postgres_server) -> str:
    """A new, empty database on the session's server, for one test: its name."""
    return postgres_server.create_database()
