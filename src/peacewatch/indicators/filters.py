"""The filters shared by every command and the Python API, as Ibis expressions.

Nothing here executes a query or imports duckdb or pandas: the same expressions run on DuckDB, on
PySpark and on BigQuery. Decisions that need the catalog (which datasets are selected, whether they
have the fields a filter needs, whether two of them would be counted twice) are made before any query
is built, in ``peacewatch.indicators.datasets``.

Dates are inclusive on both ends: ``--from 2020-02-22 --to 2020-02-29`` is eight days. An event
belongs to the day of its ``date_start``.

An actor filter names one canonical key or a group of keys joined by ``+`` ("taliban+haqqani_network"):
an event matches a group when any of its keys is on the side the filter asks about, so a group counts
each event once however many of its members took part. Each side of a dyad may be a group too.

Places take lists the same way: ``country``, ``admin1`` and ``admin2`` hold one name or several joined by
``+`` ("Kachin state+Shan state"), and an event matches when it is in any of them. The names are matched
as the store writes them (ignoring case); ``peacewatch.analysis.places`` first resolves what a user wrote
("kachin", "Ouham-Pende") to those names, or refuses it with the close candidates.
"""

from __future__ import annotations

import datetime as dt
import os
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from peacewatch import schema
from peacewatch.errors import IndicatorError, MissingFieldError

ALL = "all"
# Joins the actor keys of a group: "taliban+haqqani_network" matches events of either.
GROUP = "+"


def actor_group(value: str | Sequence[str] | None) -> tuple[str, ...]:
    """The keys an actor filter names: one key, or a group written KEY+KEY (or given as a list).

    >>> actor_group("taliban + haqqani_network")
    ('taliban', 'haqqani_network')
    """
    if not value:
        return ()
    parts = value.split(GROUP) if isinstance(value, str) else [str(v) for v in value]
    return tuple(k.strip() for k in parts if k.strip())


def group_text(value: str | Sequence[str] | None) -> str | None:
    """An actor key or group as the filter writes it: KEY, or KEY+KEY (None when empty).

    >>> group_text(["taliban", " haqqani_network"])
    'taliban+haqqani_network'
    """
    return GROUP.join(actor_group(value)) or None


def place_group(value: str | Sequence[str] | None) -> tuple[str, ...]:
    """The names a place filter holds: one name, several joined by '+', or a list.

    >>> place_group("Kachin state + Shan state"), place_group(["Ouaka"])
    (('Kachin state', 'Shan state'), ('Ouaka',))
    """
    return actor_group(value)


def dyad_sides(value: str | Sequence[Any]) -> list[str | None]:
    """The two sides of a dyad given as "A,B" or [A, B], each a key or a group (KEY+KEY or a list).

    >>> dyad_sides("taliban+haqqani_network, us_forces")
    ['taliban+haqqani_network', 'us_forces']
    """
    sides = [p.strip() for p in value.split(",")] if isinstance(value, str) else list(value)
    return [group_text(side) for side in sides]


@dataclass(frozen=True)
class Filters:
    """Which events to count. Every field is optional; empty means no restriction.

    ``country``, ``admin1`` and ``admin2`` hold one name or several joined by '+' (any of them).

    >>> Filters(country="Afghanistan", types=("battle",)).to_dict()["types"]
    ['battle']
    """

    datasets: tuple[str, ...] = ()  # ("all",) sums every dataset explicitly
    source: str | None = None
    country: str | None = None
    admin1: str | None = None
    admin2: str | None = None
    actor: str | None = None
    actor1: str | None = None
    actor2: str | None = None
    dyad: tuple[str, str] | None = None
    types: tuple[str, ...] = ()
    violence_type: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    precision: str | None = None  # the coarsest date precision kept (schema.DATE_PRECISIONS)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k in ("date_from", "date_to"):
            d[k] = d[k].isoformat() if d[k] else None
        d["datasets"] = list(self.datasets)
        d["types"] = list(self.types)
        d["dyad"] = list(self.dyad) if self.dyad else None
        return d

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any], *, where: str = "filters") -> Filters:
        """Filters from the names the CLI and the case files use: dataset (one or a list), source,
        country, admin1, admin2 (a name, names joined by '+', or a list), actor, actor1, actor2 (a key,
        a group KEY+KEY or a list of keys),
        dyad ("A,B" or [A, B], each side a key or a group), type (one, a list, or TYPE+TYPE), violence_type,
        from, to (dates or YYYY-MM-DD), precision (the coarsest date precision kept: day, week,
        month, year or range). ``where`` names the origin in error messages.

        >>> Filters.from_spec({"country": "Afghanistan", "type": "battle", "dyad": "taliban,iskp"}).dyad
        ('taliban', 'iskp')
        """
        unknown = sorted(set(spec) - _SPEC_KEYS)
        if unknown:
            import difflib

            hints = [
                f"{k!r} (did you mean {m[0]!r}?)"
                if (m := difflib.get_close_matches(k, _SPEC_KEYS, n=1))
                else repr(k)
                for k in unknown
            ]
            raise IndicatorError(
                f"{where}: unknown filter key(s) {', '.join(hints)}; expected "
                f"{', '.join(sorted(_SPEC_KEYS))}."
            )

        def listed(key):
            value = spec.get(key)
            return () if value in (None, "", []) else (value,) if isinstance(value, str) else tuple(value)

        dyad = spec.get("dyad")
        if dyad is not None:
            dyad = dyad_sides(dyad)
        if dyad is not None and (len(dyad) != 2 or not all(dyad)):
            raise IndicatorError(
                f"{where}: dyad {spec.get('dyad')!r}: expected two actor keys (or groups KEY+KEY) as KEY,KEY."
            )

        def day(key):
            value = spec.get(key)
            if value is None or isinstance(value, dt.date):
                return value
            try:
                return dt.date.fromisoformat(str(value).strip())
            except ValueError:
                flag = {"from": "--from", "to": "--to"}.get(key, key)
                raise IndicatorError(f"{where}: {flag} {value!r}: expected a date as YYYY-MM-DD.") from None

        return cls(
            datasets=listed("dataset"),
            source=spec.get("source"),
            country=group_text(spec.get("country")),
            admin1=group_text(spec.get("admin1")),
            admin2=group_text(spec.get("admin2")),
            actor=group_text(spec.get("actor")),
            actor1=group_text(spec.get("actor1")),
            actor2=group_text(spec.get("actor2")),
            dyad=tuple(dyad) if dyad else None,
            # one type, a list, or several joined by '+' like the other filters (--type battle+riot)
            types=tuple(
                part
                for value in listed("type")
                for part in (actor_group(value) if isinstance(value, str) else (value,))
            ),
            violence_type=spec.get("violence_type"),
            date_from=day("from"),
            date_to=day("to"),
            precision=spec.get("precision"),
        )

    def replace(self, **changes) -> Filters:
        return Filters(**{**asdict(self), **changes})

    def cli_args(self, store: str | os.PathLike | None = None, snapshot: int | None = None) -> str:
        """The CLI flags that reproduce these filters (for provenance), each word quoted for a POSIX
        shell (``shlex.quote``), so that pasting the command runs peacewatch and nothing else. With
        ``store``, the flags start with ``--store PATH``, and with ``snapshot`` then ``--snapshot N``:
        a reproduced number comes from the same store as it was then, whatever was ingested since.

        >>> Filters(admin1="Aleppo $(touch X)").cli_args(store="/data/store", snapshot=4)
        "--store /data/store --snapshot 4 --admin1 'Aleppo $(touch X)'"
        """
        words: list[str] = []
        if store is not None:
            words += ["--store", os.fspath(store)]
        if snapshot is not None:
            words += ["--snapshot", str(int(snapshot))]
        for ds in self.datasets:
            words += ["--dataset", ds]
        for name in ("source", "country", "admin1", "admin2", "actor", "actor1", "actor2", "violence_type"):
            value = getattr(self, name)
            if value:
                words += [f"--{name.replace('_', '-')}", value]
        if self.dyad:
            words += ["--dyad", f"{self.dyad[0]},{self.dyad[1]}"]
        for t in self.types:
            words += ["--type", t]
        if self.date_from:
            words += ["--from", self.date_from.isoformat()]
        if self.date_to:
            words += ["--to", self.date_to.isoformat()]
        if self.precision:
            words += ["--precision", self.precision]
        return shlex.join(words)


_SPEC_KEYS = frozenset(
    {
        "dataset",
        "source",
        "country",
        "admin1",
        "admin2",
        "actor",
        "actor1",
        "actor2",
        "dyad",
        "type",
        "violence_type",
        "from",
        "to",
        "precision",
    }
)


def validate(f: Filters, taxonomy=None) -> None:
    """Check the vocabulary of a filter: event types, violence types, actor keys, date order."""
    for t in f.types:
        if t not in schema.EVENT_TYPES:
            raise IndicatorError(
                f"--type {t!r} is not a canonical event type; expected one of "
                f"{', '.join(schema.EVENT_TYPES)}."
            )
    if f.violence_type and f.violence_type not in schema.VIOLENCE_TYPES:
        raise IndicatorError(
            f"--violence-type {f.violence_type!r} is not one of {', '.join(schema.VIOLENCE_TYPES)}."
        )
    if f.precision and f.precision not in schema.DATE_PRECISIONS:
        raise IndicatorError(
            f"--precision {f.precision!r} is not a date precision; expected one of "
            f"{', '.join(schema.DATE_PRECISIONS)} (finest first; events dated this precisely or better are "
            "kept)."
        )
    if f.date_from and f.date_to and f.date_from > f.date_to:
        raise IndicatorError(
            f"--from {f.date_from} is after --to {f.date_to}; dates are inclusive, from <= to."
        )
    if taxonomy is not None:
        for value in (f.actor, f.actor1, f.actor2, *(f.dyad or ())):
            for key in actor_group(value):
                taxonomy.check_key(key)


@dataclass(frozen=True)
class Selection:
    """Filtered rows as an unexecuted Ibis expression, with the datasets they come from."""

    expr: Any
    table: str = "events"
    datasets: tuple[Mapping[str, Any], ...] = field(default_factory=tuple)
    filters: Filters = field(default_factory=Filters)

    def provenance(self) -> list[dict[str, Any]]:
        """The datasets behind a number: id, source, version, sha256 (for the JSON payloads)."""
        keys = (
            "dataset_id",
            "source",
            "version",
            "sha256",
            "date_min",
            "date_max",
            "news_derived",
            "ingested_at",
        )
        return [
            {**{k: e.get(k) for k in keys}, "caveats": list(schema.dataset_caveats(e))} for e in self.datasets
        ]


def country_codes(f: Filters, iso3: str | Sequence[str | None] | None) -> list[tuple[str, str | None]]:
    """Each country name of ``f`` with its ISO3 code (None where the gazetteer does not know it);
    ``iso3`` is one code for a single country, or one per name in order.

    >>> country_codes(Filters(country="Mali+Narnia"), ["MLI", None])
    [('Mali', 'MLI'), ('Narnia', None)]
    """
    names = place_group(f.country)
    codes = [iso3] * len(names) if iso3 is None or isinstance(iso3, str) else list(iso3)
    return list(zip(names, codes, strict=True))


def _country(t, f: Filters, iso3):
    # The store gave every row whose country the gazetteer knows its iso3 at ingest, with this same
    # gazetteer; a name it does not know is matched as written.
    codes = [code for _, code in country_codes(f, iso3) if code]
    names = [name.lower() for name, code in country_codes(f, iso3) if not code]
    preds = ([t.iso3.isin(codes)] if codes else []) + ([t.country.lower().isin(names)] if names else [])
    return preds[0] if len(preds) == 1 else preds[0] | preds[1]


def _place(column, value: str):
    return column.lower().isin([name.lower() for name in place_group(value)])


def filter_events(
    events,
    f: Filters,
    datasets: Sequence[Mapping[str, Any]],
    *,
    iso3: str | Sequence[str | None] | None = None,
    all_datasets: bool = False,
):
    """Apply ``f`` to the Ibis ``events`` table, restricted to ``datasets`` and to current rows.
    ``all_datasets`` says that ``datasets`` are every event dataset of the store, so the restriction
    can be left out of the query.

    The predicates go into one ``filter`` call: Ibis builds each call as a new relation, and with a
    dozen of them the building took longer than DuckDB took to answer.
    """
    t = events
    ids = [e["dataset_id"] for e in datasets]
    # The store's current state holds only current rows (a newer release deletes the rows it replaces).
    preds = []
    if not (all_datasets and ids):
        preds.append(t.dataset_id.isin(ids) if ids else t.dataset_id.isnull())
    if f.source:
        preds.append(t.source == f.source)
    if f.country:
        preds.append(_country(t, f, iso3))
    if f.admin1:
        preds.append(_place(t.admin1, f.admin1))
    if f.admin2:
        preds.append(_place(t.admin2, f.admin2))
    if f.types:
        preds.append(t.event_type.isin(list(f.types)))
    if f.violence_type:
        preds.append(t.violence_type == f.violence_type)
    if f.actor:
        preds.append(_on(t.actor1_keys, f.actor) | _on(t.actor2_keys, f.actor))
    if f.actor1:
        preds.append(_on(t.actor1_keys, f.actor1))
    if f.actor2:
        preds.append(_on(t.actor2_keys, f.actor2))
    if f.dyad:
        a, b = f.dyad
        preds.append(
            (_on(t.actor1_keys, a) & _on(t.actor2_keys, b)) | (_on(t.actor1_keys, b) & _on(t.actor2_keys, a))
        )
    if f.date_from:
        preds.append(t.date_start >= f.date_from)
    if f.date_to:
        preds.append(t.date_start <= f.date_to)
    if f.precision:
        preds.append(t.date_precision.isin(list(precisions_up_to(f.precision))))
    return t.filter(*preds) if preds else t


def precisions_up_to(coarsest: str) -> tuple[str, ...]:
    """The date precisions as fine as ``coarsest`` or finer.

    >>> precisions_up_to("week")
    ('day', 'week')
    """
    return schema.DATE_PRECISIONS[: schema.DATE_PRECISIONS.index(coarsest) + 1]


def _on(side, value: str):
    """True where the side's key list holds any key of the actor group ``value``."""
    keys = actor_group(value)
    match = side.contains(keys[0])
    for key in keys[1:]:
        match = match | side.contains(key)
    return match


# Filters an aggregate (counts) table cannot answer: it has no actors, districts or violence types.
_COUNTS_UNSUPPORTED = {
    "admin2": "admin2",
    "actor": "actor1",
    "actor1": "actor1",
    "actor2": "actor2",
    "dyad": "actor1",
    "violence_type": "violence_type",
    "precision": "date_precision",
}


def filter_counts(
    counts,
    f: Filters,
    datasets: Sequence[Mapping[str, Any]],
    *,
    iso3: str | Sequence[str | None] | None = None,
):
    """Apply ``f`` to the Ibis ``counts`` table (aggregates) restricted to ``datasets``."""
    for name, field_name in _COUNTS_UNSUPPORTED.items():
        if getattr(f, name):
            ids = tuple(e["dataset_id"] for e in datasets)
            raise MissingFieldError(
                f"--{name.replace('_', '-')} needs the field {field_name!r}, which aggregated dataset(s) "
                f"{', '.join(ids)} do not have.",
                fields=(field_name,),
                datasets=ids,
                filters=(name,),
                hint="Use an event dataset with --dataset ID.",
            )
    t = counts
    preds = [t.dataset_id.isin([e["dataset_id"] for e in datasets])]
    if f.country:
        preds.append(_country(t, f, iso3))
    if f.admin1:
        preds.append(_place(t.admin1, f.admin1))
    if f.types:
        preds.append(t.event_type.isin(list(f.types)))
    if f.date_from:
        preds.append(t.period_start >= f.date_from)
    if f.date_to:
        preds.append(t.period_end <= f.date_to)
    return t.filter(*preds) if preds else t
