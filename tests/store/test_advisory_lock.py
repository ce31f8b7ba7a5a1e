"""The team store's writer lock, a PostgreSQL advisory lock, between real processes on the session's
server: a second writer waits its bounded time and fails naming the holder; a holder that exits, or is
killed, frees it; another lake is not held up; the password never shows."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from peacewatch.errors import StoreError
from peacewatch.store.advisory import advisory_lock
from peacewatch.store.postgres import parse_postgres

HOLD = """
import sys, time
from peacewatch.store.advisory import advisory_lock
from peacewatch.store.postgres import parse_postgres
with advisory_lock(parse_postgres(sys.argv[1]), wait=5):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
print("released", flush=True)
"""


def _holder(location: str, seconds: float) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    child = subprocess.Popen(
        [sys.executable, "-c", HOLD, location, str(seconds)], stdout=subprocess.PIPE, text=True, env=env
    )
    assert child.stdout.readline().strip() == "held"
    return child


@pytest.fixture
def lake(postgres_server, postgres_database) -> str:
    return "postgres:" + postgres_server.conninfo(postgres_database)


def test_a_second_writer_waits_its_bounded_time_then_fails_naming_the_holder(lake):
    child = _holder(lake, 60)
    try:
        start = time.monotonic()
        with pytest.raises(StoreError) as err, advisory_lock(parse_postgres(lake), wait=1.5):
            pass
        waited = time.monotonic() - start
    finally:
        child.kill()
        child.wait()
    assert 1.5 <= waited < 10
    message = str(err.value)
    assert message.startswith(f"{lake}: another peacewatch process is writing this store")
    assert f"the session 'peacewatch pid {child.pid} on " in message and "from 127.0.0.1, since " in message
    assert "waited 1.5 s" in message


def test_the_lock_passes_to_the_waiting_writer_when_the_holder_finishes(lake):
    child = _holder(lake, 1.0)
    start = time.monotonic()
    with advisory_lock(parse_postgres(lake), wait=30):
        got = time.monotonic() - start
    assert child.wait(timeout=30) == 0 and child.stdout.read().strip() == "released"
    assert 0.5 < got < 30


def test_a_killed_writer_leaves_no_lock_behind(lake):
    child = _holder(lake, 60)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    start = time.monotonic()
    with advisory_lock(parse_postgres(lake), wait=30):
        assert time.monotonic() - start < 10  # the server ends the session when its socket closes


def test_another_lake_is_not_held_up(postgres_server, lake):
    other = "postgres:" + postgres_server.conninfo(postgres_server.create_database())
    child = _holder(lake, 60)
    try:
        with advisory_lock(parse_postgres(other), wait=0):
            pass
        with advisory_lock(parse_postgres(lake.replace("dbname=", "dbname=x")), wait=0):
            pytest.fail("a database that does not exist cannot be locked")
    except StoreError as exc:
        assert "does not exist" in str(exc)
    finally:
        child.kill()
        child.wait()


def test_a_wrong_password_is_refused_without_showing_it(postgres_server, postgres_database):
    secret = "Wr0ng-but-secret"
    where = postgres_server.conninfo(postgres_database, postgres_server.password_role)
    location = f"postgres:{where} password={secret}"
    with pytest.raises(StoreError) as err, advisory_lock(parse_postgres(location), wait=0):
        pass
    message = str(err.value)
    assert secret not in message
    assert "password authentication failed" in message
    assert message.startswith(
        f"postgres:{postgres_server.conninfo(postgres_database, postgres_server.password_role)}:"
    )
