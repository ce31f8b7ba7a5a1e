"""Mapping files: the small YAML that says how to read an analyst's own table, and its checks.

docs/mapping.md documents the format with complete examples. In short::

    name: district_incidents          # the source becomes "mapped:district_incidents"
    table: events                     # events (one row per event) or counts (one row per period)
    date_format: "%d/%m/%Y"           # optional: strptime format(s); default ISO dates
    renames: {"Killed (total)": Killed}   # optional: the file's header -> the name used below
    columns:                          # canonical field -> a column, or {value: constant}
      date: Date
      admin1: Province
      event_type: {column: Incident type, map: {Armed clash: battle}, default: other}
      actor1: Perpetrator
      fatalities: Killed

A counts mapping gives ``period: {column: week_ending, length: 7 days, label: end}`` (or
``period_start`` and ``period_end``) and may ``unpivot`` a wide table: each column whose whole name
matches a regular expression becomes a row, the expression's named groups become columns, and ``with``
pairs every matched column with another one (its fatalities) through a template over the groups.

:func:`load` checks the whole mapping against the file's header at once and raises one MappingError
that lists every problem as ``file:line: what was expected, what was found``, suggesting the closest
column when a name is misspelt; ``peacewatch.sources.mapped`` turns the checked mapping into a read plan.
"""

from __future__ import annotations

import difflib
import re
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from peacewatch import schema, yamldoc
from peacewatch.actors.patterns import backtracking
from peacewatch.errors import MappingError
from peacewatch.sources.detect import Probe
from peacewatch.yamldoc import Node

TOP_KEYS = ("name", "table", "version", "news_derived", "date_format", "renames", "columns", "unpivot")
# The fields a mapping may name: the canonical columns, plus an id, a single date or period column, and
# "fatalities" for the three estimates of a source with one figure.
COLUMNS = {
    "events": (
        *("id", "date", "date_start", "date_end", "event_type", "fatalities"),
        *(f for f in schema.OPTIONAL_EVENT_FIELDS if f != "source_event_id"),
    ),
    "counts": (
        *("period", "period_start", "period_end"),
        *(
            c.name
            for c in schema.COUNTS
            if c.name not in ("dataset_id", "source_row", "period_start", "period_end")
        ),
    ),
}
# Numeric fields and the range their values must lie in.
_RANGES = {"latitude": (-90, 90), "longitude": (-180, 180), "geo_precision": (None, None)}
NUMBER_FIELDS = {
    c.name: _RANGES.get(c.name, (0, None))
    for c in (*schema.EVENTS, *schema.COUNTS, schema.Column("fatalities", "DOUBLE", ""))
    if c.type in ("DOUBLE", "INTEGER")
}
# Keys an entry accepts besides column/value; the date fields must name a column.
OPTIONS = {
    "event_type": ("map", "default"),
    "violence_type": ("map", "default"),
    "date": ("format", "precision"),
    "date_start": ("format",),
    "date_end": ("format",),
    "period": ("format", "length", "label"),
    "period_start": ("format",),
    "period_end": ("format",),
    "id": (),
}
CHOICES = {"event_type": schema.EVENT_TYPES, "violence_type": schema.VIOLENCE_TYPES}
PRECISIONS = ("day", "month", "year")
# Columns an unpivot adds besides the named groups, the value and the partners.
RESERVED = ("file_row", "source_column")
LENGTH = re.compile(r"\s*(\d+)\s*(day|week|month|year)s?\s*", re.IGNORECASE)
_HINT = "See docs/mapping.md for the mapping format."


@dataclass(frozen=True)
class Entry:
    """Where one canonical field comes from: a column of the (renamed, unpivoted) table, or a constant."""

    field: str
    line: int
    column: str | None = None
    value: Any = None
    options: dict[str, Node] = field(default_factory=dict)


@dataclass(frozen=True)
class Unpivot:
    columns: tuple[str, ...]  # the matched columns, in file order
    groups: dict[str, tuple[str | None, ...]]  # named group -> its text in each matched column
    value: str  # the column that holds each matched cell
    partners: dict[str, tuple[str, ...]]  # paired column -> the partner of each matched column


@dataclass(frozen=True)
class Mapping:
    """A validated mapping."""

    path: Path
    name: str
    table: str
    version: str | None
    news_derived: bool
    formats: tuple[str, ...]
    names: tuple[str, ...]  # the file's columns after renames, in file order
    entries: dict[str, Entry]
    unpivot: Unpivot | None


class _Problems:
    """Every problem of one mapping, reported together."""

    def __init__(self, path: Path):
        self.path, self.items = path, []

    def add(self, line: int, where: str, expected: str, found: str, options=()) -> None:
        close = difflib.get_close_matches(found.strip("'\""), list(options), n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        end = "" if hint else "."
        self.items.append(
            (line, f"{self.path}:{line}: {where}: expected {expected}, found {found}{hint}{end}")
        )

    def raise_any(self) -> None:
        lines = [m for _, m in sorted(self.items, key=lambda x: x[0])]
        if len(lines) == 1:
            raise MappingError(lines[0], hint=_HINT)
        if lines:
            joined = "\n  ".join(lines)
            raise MappingError(f"{self.path}: {len(lines)} problems in the mapping:\n  {joined}", hint=_HINT)


def _read_yaml(path: Path, problems: _Problems) -> Node:
    try:
        root = yamldoc.read(path)
    except OSError as exc:
        raise MappingError(f"{path}: the mapping file could not be read ({exc.strerror}).") from exc
    except yamldoc.YAMLSyntaxError as exc:
        raise MappingError(
            f"{path}:{exc.line or 1}: expected valid YAML, found an error: {exc.problem}."
        ) from exc
    if root is None:
        return Node(None, 1)
    for earlier, again in root.repeats():
        problems.add(again.line, again.text, "each key once", f"it again (first on line {earlier.line})")
    return root


def _known_keys(node: Node, allowed, where: str, problems: _Problems) -> None:
    for key, child in node.value.items():
        if key not in allowed:
            problems.add(child.key_line, where, f"one of {', '.join(allowed)}", repr(key), allowed)


def own_names(probe: Probe) -> list[str]:
    """The file's header as SQL column names: blanks named by position, repeats numbered."""
    names: list[str] = []
    for i, h in enumerate(probe.header):
        name = h.strip() or f"column_{i + 1}"
        names.append(name if name not in names else f"{name}_{i + 1}")
    return names


def _renamed(probe: Probe, renames: Node | None, problems: _Problems) -> list[str]:
    names = own_names(probe)
    if renames is None:
        return names
    if not isinstance(renames.value, dict):
        problems.add(renames.line, "renames", "a mapping of header -> new name", repr(renames.value))
        return names
    for old, new in renames.value.items():
        if old not in names:
            problems.add(new.key_line, "renames", f"a column of {probe.original.name}", repr(old), names)
        elif not isinstance(new.value, str) or not new.value.strip() or new.value in names:
            problems.add(new.line, f"renames.{old}", "a new column name", repr(new.value))
        else:
            names[names.index(old)] = new.value.strip()
    return names


def _unpivot(node: Node, names: list[str], problems: _Problems) -> Unpivot | None:
    spec = node.value if isinstance(node.value, dict) else {}
    if "match" not in spec:
        problems.add(node.line, "unpivot", "a 'match' regular expression naming the columns", "none")
        return None
    _known_keys(node, ("match", "value", "with"), "unpivot", problems)
    try:
        pattern = re.compile(spec["match"].text)
    except re.error as exc:
        problems.add(spec["match"].line, "unpivot.match", "a regular expression", f"an error ({exc})")
        return None
    if slow := backtracking(spec["match"].text):
        problems.add(
            spec["match"].line, "unpivot.match", "a regular expression without nested quantifiers", slow
        )
        return None
    matched = [n for n in names if pattern.fullmatch(n)]
    if not matched:
        shown_names = ", ".join(names[:10]) + (", ..." if len(names) > 10 else "")
        problems.add(
            spec["match"].line, "unpivot.match", "whole column names to match", f"none in {shown_names}"
        )
        return None
    groups = {g: tuple(pattern.fullmatch(n).group(g) for n in matched) for g in pattern.groupindex}
    partners: dict[str, tuple[str, ...]] = {}
    pairs = spec["with"].value if "with" in spec and isinstance(spec["with"].value, dict) else {}
    for new, template in pairs.items():
        wanted = [f for _, f, _, _ in string.Formatter().parse(template.text) if f is not None]
        if unknown := [f for f in wanted if f not in groups]:
            braced = ", ".join("{" + g + "}" for g in groups) or "(no named groups)"
            problems.add(
                template.line, f"unpivot.with.{new}", f"placeholders among {braced}", f"{{{unknown[0]}}}"
            )
            continue
        cols = tuple(
            template.text.format(**{g: groups[g][i] or "" for g in groups}) for i in range(len(matched))
        )
        others = [n for n in names if n not in matched]
        for col, source in zip(cols, matched, strict=True):
            if col not in others:
                problems.add(
                    template.line,
                    f"unpivot.with.{new}",
                    f"a column to pair with {source!r}",
                    repr(col),
                    others,
                )
                break
        partners[new] = cols
    value = spec["value"].text if "value" in spec else "value"
    for name in (*RESERVED, *groups, value, *partners):
        if name in names:
            problems.add(node.line, "unpivot", "new column names", f"{name!r}, which the file already has")
    return Unpivot(tuple(matched), groups, value, partners)


def _entry(
    name: str, node: Node, available: list[str], hidden: set[str], file_name: str, problems: _Problems
) -> Entry | None:
    where = f"columns.{name}"
    spec = node.value if isinstance(node.value, dict) else {"column": node}
    if isinstance(node.value, dict):
        _known_keys(node, ("column", "value", *OPTIONS.get(name, ())), where, problems)
        if ("column" in spec) == ("value" in spec):
            problems.add(
                node.line, where, "either 'column' or 'value'", "both" if "column" in spec else "neither"
            )
            return None
    options = {k: v for k, v in spec.items() if k not in ("column", "value")}
    if "value" in spec:
        value = spec["value"].value
        if name in OPTIONS and name not in CHOICES:
            problems.add(spec["value"].line, where, "a column of the file", "a constant")
        elif name in CHOICES and value not in CHOICES[name]:
            problems.add(
                spec["value"].line, where, f"one of {', '.join(CHOICES[name])}", repr(value), CHOICES[name]
            )
        elif name in NUMBER_FIELDS and not isinstance(value, int | float):
            problems.add(spec["value"].line, where, "a number", repr(value))
        return Entry(name, node.line, value=value, options=options)
    col = spec["column"].text.strip()
    if col not in available:
        folded = [a for a in available if a.lower() == col.lower()]
        if len(folded) != 1:
            found = f"{col!r}, which unpivot.match turns into rows" if col in hidden else repr(col)
            problems.add(spec["column"].line, where, f"a column of {file_name}", found, available)
            return None
        col = folded[0]
    return Entry(name, node.line, column=col, options=options)


def _check_options(e: Entry, problems: _Problems) -> None:
    opts, where = e.options, f"columns.{e.field}"
    if "map" in opts and not isinstance(opts["map"].value, dict):
        problems.add(opts["map"].line, f"{where}.map", "a mapping of value -> type", repr(opts["map"].value))
    elif "map" in opts:
        seen: dict[str, str] = {}
        for key, target in opts["map"].value.items():
            if target.value not in CHOICES[e.field]:
                choices = CHOICES[e.field]
                problems.add(
                    target.line,
                    f"{where}.map.{key}",
                    f"one of {', '.join(choices)}",
                    repr(target.value),
                    choices,
                )
            elif seen.get(key.strip().lower(), target.value) != target.value:
                problems.add(target.key_line, f"{where}.map", "each value once (case is ignored)", repr(key))
            seen[key.strip().lower()] = target.value
    if "default" in opts and opts["default"].value not in CHOICES[e.field]:
        choices = CHOICES[e.field]
        problems.add(
            opts["default"].line,
            f"{where}.default",
            f"one of {', '.join(choices)}",
            repr(opts["default"].value),
            choices,
        )
    if "precision" in opts and opts["precision"].value not in PRECISIONS:
        problems.add(
            opts["precision"].line,
            f"{where}.precision",
            f"one of {', '.join(PRECISIONS)}",
            repr(opts["precision"].value),
            PRECISIONS,
        )
    if "format" in opts and "%" not in opts["format"].text:
        problems.add(
            opts["format"].line,
            f"{where}.format",
            "a strptime format such as '%d/%m/%Y'",
            repr(opts["format"].text),
        )
    if e.field == "period" and e.column is not None:
        length = opts.get("length")
        if length is None or not LENGTH.fullmatch(length.text):
            problems.add(
                length.line if length else e.line,
                f"{where}.length",
                "a length such as '7 days', '1 week' or '1 month'",
                repr(length.text) if length else "none",
            )
        if "label" in opts and opts["label"].value not in ("start", "end"):
            problems.add(opts["label"].line, f"{where}.label", "start or end", repr(opts["label"].value))


def _required(table: str, entries: dict[str, Entry], given: set[str], line: int, problems: _Problems) -> None:
    def one_of(a: str, *others: str) -> None:
        for b in others:
            if a in entries and b in entries:
                problems.add(entries[b].line, f"columns.{b}", f"either {a} or {b}", "both")

    needs = [("event_type", "an event_type entry (a column with a map, or {value: other})")]
    if table == "events":
        needs.append(("date date_start", "a date column (date, or date_start and date_end)"))
        one_of("date", "date_start", "date_end")
        one_of("fatalities", "fatalities_best", "fatalities_low", "fatalities_high")
    else:
        needs.append(
            ("period period_start", "a period (period with a length, or period_start and period_end)")
        )
        needs.append(("events fatalities", "what the table counts: events, fatalities or both"))
        one_of("period", "period_start", "period_end")
        if ("period_start" in entries) != ("period_end" in entries):
            needs.append(("period_start-and-end", "both period_start and period_end"))
    for keys, what in needs:
        if not any(k in given for k in keys.split()):
            problems.add(line, "columns", what, "none")


def load(mapping_path: Path, probe: Probe) -> Mapping:
    """Read ``mapping_path`` and check it against the file ``probe`` describes; raise one MappingError
    listing every problem."""
    path = Path(mapping_path)
    problems = _Problems(path)
    root = _read_yaml(path, problems)
    if not isinstance(root.value, dict):
        found = "an empty file" if root.value is None else f"a {type(root.value).__name__}"
        problems.add(root.line, "mapping", "a mapping with name, table and columns", found)
        problems.raise_any()
    top = root.value
    _known_keys(root, TOP_KEYS, "top level", problems)
    name = top["name"].text if "name" in top else ""
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name):
        line = top["name"].line if "name" in top else 1
        problems.add(
            line, "name", "a short name of letters, digits, '_', '-' or '.'", repr(name) if name else "none"
        )
    table = top["table"].value if "table" in top else None
    if not isinstance(table, str) or table not in COLUMNS:
        line = top["table"].line if "table" in top else 1
        problems.add(line, "table", "events or counts", repr(table), tuple(COLUMNS))
        table = "events"
    formats = ["%Y-%m-%d"]
    if "date_format" in top:
        node = top["date_format"]
        formats = [f.text for f in node.value] if isinstance(node.value, list) else [node.text]
        if not all("%" in f for f in formats) or not formats:
            problems.add(
                node.line, "date_format", "a strptime format such as '%d/%m/%Y', or a list", repr(formats)
            )
    names = _renamed(probe, top.get("renames"), problems)
    unpivot = _unpivot(top["unpivot"], names, problems) if "unpivot" in top else None
    available = list(names)
    if unpivot:
        used = {*unpivot.columns, *(c for cols in unpivot.partners.values() for c in cols)}
        available = [n for n in names if n not in used]
        available += [*RESERVED, *unpivot.groups, unpivot.value, *unpivot.partners]
    entries: dict[str, Entry] = {}
    columns = top.get("columns")
    if columns is None or not isinstance(columns.value, dict):
        found = "none" if columns is None else repr(columns.value)
        problems.add(columns.line if columns else root.line, "columns", "a mapping of field -> column", found)
    else:
        _known_keys(columns, COLUMNS[table], f"columns (of an {table} table)", problems)
        hidden = set(names) - set(available)
        for key, node in columns.value.items():
            if key not in COLUMNS[table]:
                continue
            if entry := _entry(key, node, available, hidden, probe.original.name, problems):
                _check_options(entry, problems)
                entries[key] = entry
        _required(table, entries, set(columns.value), columns.key_line, problems)
    news = top["news_derived"].value if "news_derived" in top else False
    if not isinstance(news, bool):
        problems.add(top["news_derived"].line, "news_derived", "true or false", repr(news))
    problems.raise_any()
    version = top["version"].text if "version" in top else None
    return Mapping(path, name, table, version, news, tuple(formats), tuple(names), entries, unpivot)
