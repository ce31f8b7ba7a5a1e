"""A team's store location: the DuckLake catalog in PostgreSQL, the data files and the archive in a
folder the team shares. The same members as a store folder's location (store/location.py:
``attach_sql``, ``data_path``, ``archive_path``, ``lock``, ``exists``, ``describe``, ``prepare``), so the
store reads and writes both alike; the writer lock is PostgreSQL's (store/advisory.py).
"""

from __future__ import annotations

import os
from pathlib import Path

from peacewatch.errors import StoreError
from peacewatch.store.location import ALIAS, sql_literal
from peacewatch.store.postgres import PostgresCatalog, data_location, is_postgres, parse_postgres


class PostgresStore:
    """A team's store: the catalog in PostgreSQL, the files in a folder the team shares. It has the
    members of a store folder's location (store/location.py), so the store reads and writes it alike.

    ``data`` (``--data``) is needed to create the lake; later the catalog's own record of its data
    folder serves when it is not given, so reproduce commands need only ``--store`` (a machine that
    mounts the folder elsewhere passes ``--data``: it overrides the record).

    >>> where = PostgresStore(parse_postgres("postgres:dbname=lake host=db password=x"), "/srv/lake")
    >>> where.attach_sql(read_only=True, snapshot=4)
    "ATTACH 'ducklake:postgres:dbname=lake host=db password=x' AS lake (DATA_PATH '/srv/lake/data/', \
OVERRIDE_DATA_PATH true, READ_ONLY, SNAPSHOT_VERSION 4)"
    >>> where.describe()
    'postgres:dbname=lake host=db'
    """

    extension_packages = ("ducklake", "postgres")

    def __init__(self, catalog: PostgresCatalog, data: str | None = None):
        self.catalog = catalog
        self.given = data is not None
        self._exists = False  # once a lake is found it stays: no second probe
        self._folder = data_location(data) if data is not None else None
        if self._folder is not None and "://" in self._folder:
            raise StoreError(
                f"--data {self._folder}: object-store URLs are not supported yet; the archive of source "
                "files needs a folder.",
                hint="Give a folder every member of the team reaches at the same path (a network mount).",
            )

    def __repr__(self) -> str:
        return f"PostgresStore({self.describe()!r}, data={self._folder!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PostgresStore) and (other.catalog, other._folder) == (
            self.catalog,
            self._folder,
        )

    __hash__ = None  # type: ignore[assignment]

    def describe(self) -> str:
        """How the store is named to a user: the location without its password."""
        return str(self.catalog)

    # A team store goes where a store path goes (``--store`` of reproduce commands: os.fspath), and
    # is written there without its password.
    __str__ = __fspath__ = describe

    def scrub(self, text: str) -> str:
        return self.catalog.scrub(text)

    @property
    def folder(self) -> Path:
        """The shared folder: ``--data``, else the one the catalog records (the lake must exist)."""
        if self._folder is None:
            self._folder = self._recorded_folder()
        return Path(self._folder)

    @property
    def data_path(self) -> Path:
        return self.folder / "data"

    @property
    def archive_path(self) -> Path:
        return self.folder / "archive"

    def attach_sql(self, *, read_only: bool, snapshot: int | None = None) -> str:
        """The ATTACH statement of this lake as ``lake``; the only text that carries the password."""
        options = []
        if self.given:
            options += [f"DATA_PATH {sql_literal(str(self.data_path) + '/')}", "OVERRIDE_DATA_PATH true"]
        if read_only:
            options.append("READ_ONLY")
        if snapshot is not None:
            options.append(f"SNAPSHOT_VERSION {int(snapshot)}")
        target = sql_literal("ducklake:postgres:" + self.catalog.conninfo(secrets=True))
        return f"ATTACH {target} AS {ALIAS}" + (f" ({', '.join(options)})" if options else "")

    def attach_error(self, exc: Exception) -> StoreError:
        """A DuckDB error on attaching, as one StoreError without the password."""
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return StoreError(
            f"{self.describe()}: cannot open the team store's catalog in PostgreSQL ({self.scrub(first)}).",
            hint="Check --store (the server, port, database and role; the password comes from "
            "PGPASSWORD or ~/.pgpass) and that the database exists.",
        )

    def _probe(self):
        """A connection with the lake attached read-only, or None when the database holds no lake."""
        import duckdb

        from peacewatch.store import extensions

        con = duckdb.connect(
            config={"autoinstall_known_extensions": False, "autoload_known_extensions": False}
        )
        try:
            extensions.load(con, self.extension_packages)
            con.execute(self.attach_sql(read_only=True))
        except duckdb.InvalidInputException as exc:
            con.close()
            if "does not exist" in str(exc):
                return None
            raise self.attach_error(exc) from None
        except duckdb.Error as exc:
            con.close()
            raise self.attach_error(exc) from None
        return con

    def exists(self) -> bool:
        """Whether the database holds a lake (a read-only attach finds one). A lake whose --data
        folder is missing here is refused: a mistyped --data would read no files, or write new ones
        where the team cannot see them."""
        if not self._exists:
            con = self._probe()
            if con is None:
                return False
            try:
                if self.given and not self.data_path.is_dir():
                    raise StoreError(
                        f"--data {self.folder}: no data folder there ({self.data_path} is missing), and "
                        f"the team store {self.describe()} exists; its catalog records "
                        f"{self._recorded(con) or 'no folder'}.",
                        hint="Give the folder where this machine mounts the team's files, or leave --data "
                        "out to use the recorded one.",
                    )
            finally:
                con.close()
            self._exists = True
        return True

    @staticmethod
    def _recorded(con) -> str:
        """The folder the catalog records (the lake's DATA_PATH less its data/)."""
        row = con.execute(
            f"SELECT value FROM __ducklake_metadata_{ALIAS}.ducklake_metadata WHERE key = 'data_path'"
        ).fetchone()
        return row[0].rstrip("/").removesuffix("/data") if row and row[0] else ""

    def _recorded_folder(self) -> str:
        con = self._probe()
        if con is None:
            raise self._needs_data()
        try:
            return self._recorded(con)
        finally:
            con.close()

    def prepare(self) -> None:
        """Before a write: a new lake needs ``--data``; make its data folder."""
        if not self.exists() and not self.given:
            raise self._needs_data()
        self.data_path.mkdir(parents=True, exist_ok=True)

    def _needs_data(self) -> StoreError:
        return StoreError(
            f"{self.describe()}: a new team store needs a folder for its data files, and none was given.",
            hint="Pass --data FOLDER (or set PEACEWATCH_STORE_DATA): a folder every member of the team "
            "reaches at the same path. Later commands find it in the catalog.",
        )

    def lock(self, wait: float, command: str | None = None):
        """The writer lock: a PostgreSQL advisory lock on the lake's key (store/advisory.py)."""
        from peacewatch.store.advisory import advisory_lock

        return advisory_lock(self.catalog, wait, command)


def locate_postgres(store: str, data: str | None = None) -> PostgresStore:
    """The location of a team store from ``--store`` and ``--data``.

    >>> locate_postgres("postgres:dbname=lake", "/srv/lake").data_path
    PosixPath('/srv/lake/data')
    """
    return PostgresStore(parse_postgres(store), data)


def locate_cli(store: str | None, data: str | None):
    """What a command passes on as its store: a team store's location for ``--store postgres:...``
    (with ``--data``), else the ``--store`` value as given. ``--data`` for a store folder is refused,
    unless it came from PEACEWATCH_STORE_DATA (set for the team store, while this command reads a
    folder).

    >>> locate_cli("postgres:dbname=lake password=x", None).describe()
    'postgres:dbname=lake'
    """
    if store is not None and is_postgres(str(store)):
        return locate_postgres(str(store), data)
    if data is not None and data != os.environ.get("PEACEWATCH_STORE_DATA"):
        raise StoreError(
            f"--data {data}: only a team store (--store postgres:...) keeps its files apart from its "
            "catalog; a store folder holds its own.",
            hint="Drop --data, or give --store postgres:KEY=VALUE ... (docs/cli.md, 'A team store').",
        )
    return store
