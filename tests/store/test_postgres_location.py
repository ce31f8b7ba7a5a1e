"""A team store's location as users type it (`--store postgres:...`, `--data`), read without a database,
and the password that never comes back out of it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from peacewatch.errors import StoreError
from peacewatch.store.postgres import (
    HIDDEN,
    PostgresCatalog,
    data_location,
    is_postgres,
    parse_postgres,
    scrub,
)


def test_keyword_form_is_read_in_order_and_prints_without_the_password():
    where = parse_postgres("postgres:dbname=lake host=db.example port=5432 user=pw password=s3cret")
    assert where.params == (
        ("dbname", "lake"),
        ("host", "db.example"),
        ("port", "5432"),
        ("user", "pw"),
        ("password", "s3cret"),
    )
    assert str(where) == "postgres:dbname=lake host=db.example port=5432 user=pw"
    assert where.conninfo(secrets=True).endswith("password=s3cret")
    assert where.has_password and where.name == "lake"


def test_spaces_around_equals_quoted_values_and_escapes_are_libpqs():
    where = parse_postgres(r"postgres: dbname = 'my lake'  user=o\'brien password='it\'s'")
    assert where.params == (("dbname", "my lake"), ("user", "o'brien"), ("password", "it's"))


def test_a_word_without_equals_is_located_and_never_quoted():
    # a password with a space, unquoted: the second word must not appear in the message
    with pytest.raises(StoreError) as err:
        parse_postgres("postgres:dbname=lake password=first s3cret host=db")
    message = str(err.value)
    assert "s3cret" not in message and "first" not in message
    assert "found a word with no '=' after the value of password= (character 37)" in message


def test_a_repeated_key_takes_the_last_value_as_libpq_does():
    assert parse_postgres("postgres:dbname=a host=x dbname=b").params == (("host", "x"), ("dbname", "b"))


def test_uri_form_becomes_the_same_keywords():
    where = parse_postgres("postgresql://pw:s%40cret@db.example:5433/lake?sslmode=require")
    assert where.params == (
        ("host", "db.example"),
        ("port", "5433"),
        ("dbname", "lake"),
        ("user", "pw"),
        ("password", "s@cret"),
        ("sslmode", "require"),
    )
    assert str(where) == "postgres:host=db.example port=5433 dbname=lake user=pw sslmode=require"
    several = parse_postgres("postgres://a:5432,[::1]:5433/lake")
    assert several.get("host") == "a,::1" and several.get("port") == "5432,5433"


def test_an_unknown_keyword_is_refused_with_the_close_one():
    with pytest.raises(
        StoreError, match=r"'dbnmae' is not a PostgreSQL connection keyword \(did you mean dbname\?\)"
    ):
        parse_postgres("postgres:dbnmae=lake")


def test_a_location_without_a_database_is_refused():
    with pytest.raises(StoreError, match=r"must name its database \(dbname=\.\.\.\); found none"):
        parse_postgres("postgres:host=db.example user=pw")
    assert parse_postgres("postgres:service=team").name == "service team"


def test_an_unclosed_quote_names_the_key_and_never_the_value():
    with pytest.raises(StoreError) as err:
        parse_postgres("postgres:dbname=lake password='s3cret host=db")
    assert "password= opens a quote" in str(err.value)
    assert "s3cret" not in str(err.value)


def test_is_postgres_tells_locations_from_folders():
    assert is_postgres("postgres:dbname=lake")
    assert is_postgres("postgresql://db/lake")
    assert not is_postgres("postgres-store")  # a folder that happens to be called so
    assert not is_postgres("/srv/peacewatch")


def test_scrub_hides_fields_uris_and_the_known_secret_in_duckdbs_messages():
    where = parse_postgres("postgres:dbname=lake host=127.0.0.1 user=pw password='p@ss word'")
    message = (
        "IO Error: Unable to connect to Postgres at \"dbname=lake host=127.0.0.1 user=pw password='p@ss "
        "word'\": connection refused; retried with p@ss word"
    )
    clean = scrub(message, where)
    assert "p@ss" not in clean and "word'" not in clean
    assert "password=<hidden>" in clean and "user=pw" in clean
    # a value runs to the next space, punctuation included (a password may hold any of it)
    assert (
        scrub("sslpassword=k3y, postgres://u:pw1@h/db") == f"sslpassword={HIDDEN} postgres://u:{HIDDEN}@h/db"
    )
    # a short password does not eat the letters of other words
    assert scrub("failed: a password=a", parse_postgres("postgres:dbname=d password=a")) == (
        f"failed: {HIDDEN} password={HIDDEN}"
    )


_values = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=20)


@given(dbname=_values.filter(bool), user=_values, password=_values)
def test_any_values_survive_printing_and_reading_back(dbname, user, password):
    where = PostgresCatalog((("dbname", dbname), ("user", user), ("password", password)))
    assert parse_postgres("postgres:" + where.conninfo(secrets=True)) == where


@given(password=st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), min_size=6))
def test_a_password_never_survives_scrubbing_of_a_message_quoting_the_location(password):
    where = parse_postgres("postgres:dbname=lake host=127.0.0.1 user=pw")
    where = PostgresCatalog((*where.params, ("password", password)))
    fixed = 'IO Error: Unable to connect to Postgres at "": timeout'
    assume(password not in fixed)
    message = f'IO Error: Unable to connect to Postgres at "{where.conninfo(secrets=True)}": timeout'
    clean = scrub(message, where)
    assert password not in clean
    assert "password=<hidden>" in clean
    assert password not in str(where)


def test_data_location_is_required_and_made_absolute(tmp_path, monkeypatch):
    with pytest.raises(StoreError, match=r"no place for them was given.*--data FOLDER_OR_URL"):
        data_location(None)
    with pytest.raises(StoreError):
        data_location("  ")
    monkeypatch.chdir(tmp_path)
    assert data_location("team/") == (tmp_path / "team").resolve().as_posix()
    assert data_location("s3://bucket/lake/") == "s3://bucket/lake"


def test_a_team_stores_attach_carries_the_password_and_nothing_else_shows_it():
    from peacewatch.store.team import locate_postgres

    where = locate_postgres("postgres:dbname=lake host=db password=it's", "/srv/team lake")
    assert where.attach_sql(read_only=False) == (
        "ATTACH 'ducklake:postgres:dbname=lake host=db password=''it\\''s''' AS lake "
        "(DATA_PATH '/srv/team lake/data/', OVERRIDE_DATA_PATH true)"
    )
    assert (str(where), os.fspath(where), where.describe()) == ("postgres:dbname=lake host=db",) * 3
    assert repr(where) == "PostgresStore('postgres:dbname=lake host=db', data='/srv/team lake')"
    assert (where.data_path, where.archive_path) == (
        Path("/srv/team lake/data"),
        Path("/srv/team lake/archive"),
    )
    # without --data the catalog's record of the folder serves: no DATA_PATH
    assert locate_postgres("postgres:dbname=lake").attach_sql(read_only=True, snapshot=2) == (
        "ATTACH 'ducklake:postgres:dbname=lake' AS lake (READ_ONLY, SNAPSHOT_VERSION 2)"
    )


def test_store_and_environment_choose_a_team_store_or_a_folder(monkeypatch, tmp_path):
    from peacewatch.store import Store
    from peacewatch.store.location import LocalStore
    from peacewatch.store.team import PostgresStore

    monkeypatch.setenv("PEACEWATCH_STORE", "postgres:dbname=lake host=db password=s3cret")
    monkeypatch.setenv("PEACEWATCH_STORE_DATA", str(tmp_path))
    store = Store()  # nothing is opened until the first read
    assert isinstance(store.location, PostgresStore) and store.location.given
    assert store.location.folder == tmp_path and str(store.path) == "postgres:dbname=lake host=db"
    assert "s3cret" not in repr(store)
    assert isinstance(Store(tmp_path / "folder").location, LocalStore)  # --store beats the environment
    assert Store(store.location).location is store.location
    with pytest.raises(StoreError, match="object-store URLs are not supported yet"):
        PostgresStore(parse_postgres("postgres:dbname=x"), "s3://bucket/lake")


def test_a_snapshots_recorded_command_line_carries_no_password(monkeypatch):
    from peacewatch.store.batch import command_line

    argv = [
        "/venv/bin/peacewatch",
        "ingest",
        "--store",
        "postgres:dbname=lake user=pw password='a b'",
        "f.csv",
    ]
    monkeypatch.setattr("sys.argv", argv)
    assert command_line() == "peacewatch ingest --store 'postgres:dbname=lake user=pw' f.csv"
    monkeypatch.setattr("sys.argv", ["peacewatch", "ingest", "--store=postgres:dbname=lake password=s3cret"])
    assert command_line() == "peacewatch ingest '--store=postgres:dbname=lake password=<hidden>'"
