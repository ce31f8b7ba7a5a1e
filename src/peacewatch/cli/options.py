"""Options shared by commands: the store path and the common event filters."""

from __future__ import annotations

import datetime as dt
import functools
import inspect
from pathlib import Path
from typing import Annotated

import typer

from peacewatch.errors import PeacewatchError
from peacewatch.indicators.filters import Filters

# Text, not a Path: a team store's location (postgres:..., postgresql://...) is no path (a Path would
# fold its '//'); the store reads either (peacewatch.store.locate).
StoreOpt = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="Store folder, or a team store: postgres:KEY=VALUE... (docs/cli.md). Default: "
        "$PEACEWATCH_STORE, else ./peacewatch-store.",
        envvar="PEACEWATCH_STORE",
        metavar="PATH|postgres:...",
    ),
]

EngineOpt = Annotated[
    str,
    typer.Option(
        "--engine",
        help="Where the queries run: duckdb (the store itself), or spark (a local Spark session, or "
        "Spark Connect at $SPARK_REMOTE) over an export: --store names an export folder (peacewatch "
        "export), or a store, exported at its snapshot once (STORE/exports/) and reused.",
    ),
]

DataOpt = Annotated[
    str | None,
    typer.Option(
        "--data",
        help="A team store's folder for its data files and archive (--store postgres:...): needed by its "
        "first ingest, later found in its catalog. Default: $PEACEWATCH_STORE_DATA.",
        envvar="PEACEWATCH_STORE_DATA",
        metavar="FOLDER",
    ),
]


def reader(store, engine: str = "duckdb", snapshot: str | None = None):
    """The store (or export folder) of --store at --snapshot, pinned once for the whole command, read
    by --engine (peacewatch.store.spark.open_reader)."""
    from peacewatch.store.spark import open_reader

    return open_reader(store if snapshot is None else reading_store(store, snapshot), engine)


def with_store_data(fn):
    """Give a command that takes --store the --data of a team store. The two become one store location
    before the command runs, which it passes on wherever it passed the store path."""
    sig = inspect.signature(fn, eval_str=True)
    if "store" not in sig.parameters or "data" in sig.parameters:
        return fn

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from peacewatch.store.team import locate_cli

        data = kwargs.pop("data", None)
        kwargs["store"] = locate_cli(kwargs.get("store"), data)
        return fn(*args, **kwargs)

    extra = inspect.Parameter("data", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=DataOpt)
    wrapper.__signature__ = sig.replace(parameters=[*sig.parameters.values(), extra])
    return wrapper


SnapshotOpt = Annotated[
    str | None,
    typer.Option(
        "--snapshot",
        metavar="N|@TIME",
        help="Read the store as it was at snapshot N (`peacewatch snapshots` lists them), or at a time: "
        "@2026-12-07T10:00 reads the last snapshot committed at or before it (UTC unless the time says "
        "otherwise). Default: the latest.",
    ),
]


def snapshot_arg(value: str | None) -> int | str | None:
    """--snapshot's value as the Store takes it: an id (int), a time (ISO text), or None (the latest).

    >>> snapshot_arg("12"), snapshot_arg("@2026-12-07T10:00"), snapshot_arg(None)
    (12, '2026-12-07T10:00', None)
    """
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return int(text)
    if text.startswith("@") and text[1:].strip():
        return text[1:].strip()
    raise PeacewatchError(
        f"--snapshot {value!r}: expected a snapshot id (a whole number, see `peacewatch snapshots`) or "
        "@TIME (an ISO date and time, e.g. @2026-12-07T10:00)."
    )


def reading_store(store: Path | None, snapshot: str | None = None):
    """The Store a reading command reads, pinned once at its start: every query of the command reads
    the same snapshot (the one asked for, or the latest), whatever a writer commits meanwhile."""
    from peacewatch.store import Store

    return Store(store, snapshot_arg(snapshot)).pinned()


JsonFlag = Annotated[
    bool, typer.Option("--json", help="Print the result as JSON (the same as --format json).")
]


def output_format(fmt: str, json_flag: bool) -> str:
    """The output format of a command with both --format and --json: --json is --format json."""
    if not json_flag:
        return fmt
    if fmt not in ("table", "json"):
        raise PeacewatchError(f"--json and --format {fmt} ask for two formats; give one of them.")
    return "json"


TaxonomyOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--taxonomy",
        help="An actor taxonomy YAML to add to the store (repeatable): its keys become valid and the "
        "store's events are re-resolved with it.",
    ),
]


def adopt_taxonomies(files, store, snapshot: str | None = None) -> None:
    """Add --taxonomy files to the store before a command reads it (nothing to do when it has them).
    At a past --snapshot nothing is written: the files must be ones that snapshot already had."""
    if files:
        from peacewatch.store import Store
        from peacewatch.store.export import read_manifest
        from peacewatch.store.spark import SparkStore

        # An export folder holds the taxonomy files it was made with; it refuses others.
        is_export = store is not None and read_manifest(store) is not None
        s = SparkStore(store) if is_export else Store(store, snapshot_arg(snapshot))
        s.adopt_taxonomies(files)
        warn_taxonomy_overlaps(s.taxonomy(), s)


def warn_taxonomy_overlaps(taxonomy, store=None) -> None:
    """Warn on stderr about each actor name that a user taxonomy file's key and another key both match
    (peacewatch.actors.overlaps): the taxonomy's rule picks one of them, and nothing else would say so.
    The names tried are the store's actor names and the user aliases that are plain names."""
    from rich.markup import escape

    from peacewatch.actors.overlaps import taxonomy_overlaps
    from peacewatch.cli import render
    from peacewatch.store.spark import SparkStore

    names: list[tuple[str, str | None]] = []
    query = getattr(store, "query", None)
    # A Spark export reads no SQL (SparkStore.query refuses): there only the plain-name aliases are tried.
    if query is not None and not isinstance(store, SparkStore) and getattr(store, "exists", lambda: False)():
        sides = " UNION ".join(
            f"SELECT DISTINCT coalesce(actor{n}_names, actor{n}) AS name, iso3 FROM events "
            f"WHERE coalesce(actor{n}_names, actor{n}) IS NOT NULL"
            for n in (1, 2)
        )
        names = [(r["name"], r["iso3"]) for r in query(sides).to_pylist()]
    for overlap in taxonomy_overlaps(taxonomy, names):
        render.err_console.print(f"[yellow]warning: {escape(overlap.message())}[/yellow]", highlight=False)


def parse_date(value: str | None, flag: str) -> dt.date | None:
    """A YYYY-MM-DD date from a flag, or a clear error naming the flag."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise PeacewatchError(f"{flag} {value!r}: expected a date as YYYY-MM-DD.") from None


def _opt(help_text: str, *names: str):
    return typer.Option(*names, help=help_text, rich_help_panel="Filters")


_FILTER_PARAMS = {
    "dataset": (
        list[str] | None,
        _opt("Dataset id (repeatable), or 'all' to sum every dataset.", "--dataset"),
    ),
    "source": (str | None, _opt("Source: ucdp_ged, acled, gdelt, gtd, mapped:NAME.", "--source")),
    "country": (
        list[str] | None,
        _opt("Country name or ISO3 code; several as A+B or repeated (any of them).", "--country"),
    ),
    "admin1": (
        list[str] | None,
        _opt(
            "First-level unit (province), matched ignoring case, accents and a unit word ('Kachin' = "
            "'Kachin state'; see `peacewatch places`); several as A+B or repeated.",
            "--admin1",
        ),
    ),
    "admin2": (
        list[str] | None,
        _opt("Second-level unit (district), matched as --admin1 is; several as A+B or repeated.", "--admin2"),
    ),
    "actor": (
        str | None,
        _opt(
            "Actor key on either side (see `peacewatch actors`), or a group KEY+KEY (any of them).", "--actor"
        ),
    ),
    "actor1": (str | None, _opt("Actor key (or group KEY+KEY) on side 1.", "--actor1")),
    "actor2": (str | None, _opt("Actor key (or group KEY+KEY) on side 2.", "--actor2")),
    "dyad": (
        str | None,
        _opt("Two actor keys KEY,KEY, in either order; each side may be a group KEY+KEY.", "--dyad"),
    ),
    "type": (list[str] | None, _opt("Canonical event type (repeatable, or TYPE+TYPE).", "--type")),
    "violence_type": (str | None, _opt("state_based, non_state or one_sided.", "--violence-type")),
    "precision": (
        str | None,
        _opt("Keep events dated this precisely or better: day, week, month, year or range.", "--precision"),
    ),
    "date_from": (str | None, _opt("First day, YYYY-MM-DD (inclusive).", "--from")),
    "date_to": (str | None, _opt("Last day, YYYY-MM-DD (inclusive).", "--to")),
}


def build_filters(values: dict) -> Filters:
    """Filters from the parsed options (their names are the spec's, but for the two dates)."""
    spec = {k: v for k, v in values.items() if v not in (None, [], ())}
    spec["from"], spec["to"] = spec.pop("date_from", None), spec.pop("date_to", None)
    return Filters.from_spec(spec, where="options")


def with_filters(fn):
    """Give a command the common filter options; it receives them as ``filters: Filters``."""
    sig = inspect.signature(fn, eval_str=True)
    own = [p for p in sig.parameters.values() if p.name != "filters"]
    extra = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[tp, opt])
        for name, (tp, opt) in _FILTER_PARAMS.items()
    ]
    if "taxonomy" not in sig.parameters:
        extra.append(
            inspect.Parameter(
                "taxonomy", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=TaxonomyOpt
            )
        )
    own = [
        p.replace(kind=inspect.Parameter.KEYWORD_ONLY)
        if p.kind == inspect.Parameter.POSITIONAL_OR_KEYWORD and p.default is not inspect.Parameter.empty
        else p
        for p in own
    ]

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        values = {name: kwargs.pop(name, None) for name in _FILTER_PARAMS}
        if "taxonomy" not in sig.parameters:
            adopt_taxonomies(kwargs.pop("taxonomy", None), kwargs.get("store"), kwargs.get("snapshot"))
        return fn(*args, filters=build_filters(values), **kwargs)

    wrapper.__signature__ = sig.replace(parameters=own + extra)
    return wrapper
