"""The SQL of Ibis expressions, compiled once per shape and filled in with each call's dates.

Compiling an Ibis expression to SQL (Ibis's rewrites, then sqlglot) costs 10 to 60 ms of CPU, as much
as the query itself on a few hundred thousand events, and the served API asks the same questions with
other dates all day (a series to another day, a compare window moved by a week). An expression's
*shape* is the expression with its date literals taken out: the SQL of a shape is compiled once, as a
template whose dates are filled in for each call, and the expression itself is never changed (the
indicators stay Ibis expressions; this is only how the store runs them).

A template is kept only once it has reproduced a second compilation exactly: the same shape with every
date moved by one day, compiled by Ibis, must give the SQL the template gives for those dates. A shape
whose SQL depends on its dates in any other way (a date that is also written elsewhere, two equal
dates, a rendering this module does not know) is compiled every time, as without templates.

>>> TEMPLATES.sql(backend, expr)   # doctest: +SKIP
'SELECT ... WHERE "t0"."date_start" >= MAKE_DATE(2017, 1, 1) ...'
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import ibis.expr.operations as ops

# Shapes kept per process (each a few kB of SQL text): far more than the questions a dashboard asks.
MAX_TEMPLATES = 512


def _render(day: dt.date) -> str:
    # How Ibis's DuckDB compiler writes a date literal; a template whose dates are written otherwise
    # fails its check and is not kept.
    return f"MAKE_DATE({day.year}, {day.month}, {day.day})"


class _Unshaped(Exception):
    """The expression has a part a shape cannot describe (an in-memory table, an unhashable value)."""


def shape(op: ops.Node) -> tuple[tuple, list[dt.date]] | None:
    """The shape of ``op`` (a hashable key: every node with its arguments, date literals as numbered
    holes, tables by name and schema) and the dates that fill its holes, in order; None for an
    expression with an in-memory table (its data are not part of a key)."""
    index: dict[ops.Node, int] = {}
    nodes: list[tuple] = []
    dates: list[dt.date] = []

    def arg(value: Any) -> Any:
        if isinstance(value, ops.Node):
            return ("n", visit(value))
        if isinstance(value, dict):
            return ("d", tuple((k, arg(v)) for k, v in value.items()))
        if isinstance(value, tuple | list):
            return ("t", tuple(arg(v) for v in value))
        if isinstance(value, set | frozenset):
            raise _Unshaped  # no order to number its holes by
        hash(value)  # an unhashable value: no key
        return value

    def visit(node: ops.Node) -> int:
        found = index.get(node)
        if found is not None:
            return found
        if isinstance(node, ops.InMemoryTable):
            raise _Unshaped
        if isinstance(node, ops.Literal) and type(node.value) is dt.date:
            dates.append(node.value)
            desc: tuple = ("date", node.dtype, len(dates) - 1)
        elif isinstance(node, ops.DatabaseTable):
            # Not its source: the same table on another connection (another thread's, another
            # snapshot's) compiles to the same SQL.
            desc = ("table", node.name, node.schema, node.namespace)
        else:
            desc = (type(node), tuple(arg(v) for v in node.__args__))
        index[node] = len(nodes)
        nodes.append(desc)
        return index[node]

    try:
        visit(op)
        key = tuple(nodes)
        hash(key)
    except (_Unshaped, TypeError, RecursionError):
        return None
    return key, dates


@dataclass(frozen=True)
class Template:
    """The SQL of one shape, split at its dates: ``parts[0] date parts[1] date ... parts[-1]``, with
    ``holes[i]`` the number of the date between ``parts[i]`` and ``parts[i + 1]``."""

    parts: tuple[str, ...]
    holes: tuple[int, ...]

    def fill(self, dates: list[dt.date]) -> str:
        out = [self.parts[0]]
        for hole, part in zip(self.holes, self.parts[1:], strict=True):
            out += (_render(dates[hole]), part)
        return "".join(out)

    @classmethod
    def of(cls, sql: str, dates: list[dt.date]) -> Template | None:
        """The template of ``sql``, compiled with ``dates``: each date's rendering marks a hole. None
        when two dates are equal (a hole could not be told from the other)."""
        if not dates or len(set(dates)) != len(dates) or "\x00" in sql:
            return None
        marks = {f"\x00{secrets.token_hex(8)}:{i}\x00": i for i in range(len(dates))}
        text = sql
        for mark, i in marks.items():
            text = text.replace(_render(dates[i]), mark)
        parts, holes = [], []
        for piece in text.split("\x00"):
            hole = marks.get(f"\x00{piece}\x00")
            if hole is None:
                parts.append(piece)
            else:
                holes.append(hole)
        # split() leaves an empty piece between two adjacent marks: parts and holes alternate.
        if len(parts) != len(holes) + 1:
            return None
        return cls(tuple(parts), tuple(holes))


def _moved(op: ops.Node) -> ops.Node:
    """``op`` with every date literal one day later."""
    subs = {
        n: ops.Literal(n.value + dt.timedelta(days=1), n.dtype)
        for n in op.find(ops.Literal)
        if type(n.value) is dt.date
    }
    return op.replace(subs)


_NONE = object()  # a shape whose SQL is compiled every time


class Templates:
    """The templates of the shapes compiled in this process (least recently used dropped first),
    shared by every thread and Store: a shape's SQL does not depend on the connection."""

    def __init__(self, size: int = MAX_TEMPLATES):
        self.size = size
        self._kept: OrderedDict[tuple, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def sql(self, backend: Any, expr: Any) -> str | None:
        """The SQL of ``expr`` on ``backend`` (an Ibis SQL backend), as ``backend.compile(expr)``
        gives it; None when ``expr`` holds an in-memory table (the backend must register it first)."""
        op = expr.op()
        found = shape(op)
        if found is None:
            return None if op.find(ops.InMemoryTable) else backend.compile(expr)
        key, dates = found
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None:
                self._kept.move_to_end(key)
                self.hits += 1
            else:
                self.misses += 1
        if isinstance(kept, Template):
            return kept.fill(dates)
        sql = backend.compile(expr)
        if kept is None:
            self._keep(key, self._make(backend, op, dates, sql))
        return sql

    def _make(self, backend: Any, op: ops.Node, dates: list[dt.date], sql: str) -> Any:
        template = Template.of(sql, dates)
        if template is None or template.fill(dates) != sql:
            return _NONE
        try:
            later = [d + dt.timedelta(days=1) for d in dates]
            moved = backend.compile(_moved(op).to_expr())
        except OverflowError:  # a date of 9999-12-31
            return _NONE
        return template if template.fill(later) == moved else _NONE

    def _keep(self, key: tuple, value: Any) -> None:
        with self._lock:
            self._kept[key] = value
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


TEMPLATES = Templates()

__all__ = ["MAX_TEMPLATES", "TEMPLATES", "Template", "Templates", "shape"]
