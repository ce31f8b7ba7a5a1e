"""The JSON of a payload, as every interface writes it: what the CLI prints with ``--json``, the API
serves and a notebook's ``to_json()`` gives (one payload, ../shared/ARCHITECTURE.md principle 6).

Dates and times as ISO text, decimals as numbers, tuples and sets as lists, objects by their
``to_dict()``; NaN and infinities are refused (they are not JSON), never written as ``NaN``.

Sits beside errors at the bottom of the package and imports nothing from it: the CLI and the server
both write payloads, and neither may import the other.

>>> dumps({"day": dt.date(2020, 2, 29), "ids": ("a", "b")})
'{"day": "2020-02-29", "ids": ["a", "b"]}'
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any


def default(value: Any) -> Any:
    """A value json cannot write, as one it can (``json.dumps(..., default=default)``)."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def dumps(payload: Any, *, indent: int | None = None) -> str:
    """``payload`` as JSON text: indented for people (the CLI), compact for machines (the API)."""
    return json.dumps(payload, default=default, indent=indent, ensure_ascii=False, allow_nan=False)


__all__ = ["default", "dumps"]
