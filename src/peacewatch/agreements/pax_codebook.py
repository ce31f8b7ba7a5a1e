"""The PA-X codebook (pax_codebook.yaml) and the provisions a PA-X row codes present.

PA-X codes each provision category in an umbrella variable (0 = absent, 1-3 = its level) and, for many,
in sub-variables that say which aspect the text addresses. The codebook is data: its categories, labels,
sub-variables, metadata columns and the testable kinds that usually fit a category are in
``pax_codebook.yaml``, read once.

>>> [(p.variable, p.value, p.parts) for p in provisions({"AgtId": "1", "Ce": "1", "CeGen": "1"})]
[('Ce', 1, (('CeGen', 'general references to ceasefire', 1),))]
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources

import yaml


@dataclass(frozen=True)
class Codebook:
    """The codebook as pax.py uses it; the module-level names of ``pax`` are its fields."""

    categories: dict[str, tuple[str, dict[str, str]]]  # umbrella variable -> (label, sub-variable -> label)
    metadata: frozenset[str]  # columns that describe the agreement rather than code a provision
    kind_hints: dict[str, tuple[str, ...]]  # category -> kinds that usually fit, as a stub's note names them
    default_kinds: tuple[str, ...]  # the kinds named for any other category
    parent: dict[str, str]  # sub-variable -> its umbrella variable


@functools.cache
def codebook() -> Codebook:
    """The shipped codebook, read from pax_codebook.yaml on first use.

    >>> codebook().categories["Ce"][0], codebook().kind_hints["Ce"][0]
    ('ceasefire', 'violence_reduction (scope, window, baseline, target)')
    """
    text = resources.files("peacewatch.agreements").joinpath("pax_codebook.yaml").read_text(encoding="utf-8")
    data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    kinds = {kind: f"{kind} ({', '.join(fields)})" for kind, fields in data["kinds"].items()}
    categories = {v: (c["label"], dict(c.get("sub") or {})) for v, c in data["categories"].items()}
    return Codebook(
        categories=categories,
        metadata=frozenset(data["metadata"]),
        kind_hints={v: tuple(kinds[k] for k in ks) for v, ks in data["kind_hints"].items()},
        default_kinds=tuple(kinds[k] for k in data["default_kinds"]),
        parent={sub: head for head, (_, subs) in categories.items() for sub in subs},
    )


@dataclass(frozen=True)
class Provision:
    """One provision category coded present: its umbrella variable, level and sub-variables present."""

    variable: str
    category: str
    value: int | float
    parts: tuple[tuple[str, str, int | float], ...] = ()  # (variable, label, value)


def provisions(row: Mapping[str, str]) -> list[Provision]:
    """Provision categories coded present (non-zero) in a PA-X row, in codebook order.

    A sub-variable counts with its umbrella category; a column the codebook does not know becomes a
    category named after the column.
    """
    book = codebook()
    categories, parent = book.categories, book.parent
    out = []
    for column, raw in row.items():
        if column is None or column in book.metadata or (column in parent and parent[column] in row):
            continue
        value = _number(raw)
        if not value:
            continue
        label, subs = categories.get(column, (column, {}))
        if column in parent:  # a sub-variable whose umbrella column is absent from this export
            label = f"{categories[parent[column]][0]}: {categories[parent[column]][1][column]}"
        parts = tuple((s, lab, v) for s, lab in subs.items() if (v := _number(row.get(s))))
        out.append(Provision(column, label, value, parts))
    return out


def _number(raw: str | None) -> int | float:
    try:
        value = float((raw or "").strip())
    except ValueError:
        return 0  # NA, empty or text: not coded present
    if not math.isfinite(value):
        return 0
    return int(value) if value.is_integer() else value
