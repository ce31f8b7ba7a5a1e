"""Regular expressions written by users (taxonomy aliases, a mapping's unpivot match), refused when
matching them could take exponential time.

Python's ``re`` backtracks: ``(a+)+b`` tried on thirty a's and no b runs for over a minute, and an
alias is tried on every actor name of every ingest. Linear-time engines (RE2) would avoid that but
lack the look-arounds the taxonomy relies on (``(?<!Former )``, the word boundaries of
``taxonomy_file.wrap``). So the shapes that backtrack exponentially are refused when a file is read,
with the reason: a variable quantifier inside a repeated group (``(a+)+``, ``(\\w+\\s?)*``), and
alternatives inside a repeated group that may begin with the same character (``(a|ab)*``). This is
conservative (``(?:ab|ac)+`` is refused though harmless); none of the 507 shipped aliases is refused.
Possessive quantifiers and atomic groups (``a++``, ``(?>...)``) never backtrack and are allowed.

>>> backtracking("(a+)+b")
'a quantifier inside a repeated group'
>>> backtracking("(?<!Former )(?:Military Forces|Police Forces) of Syria") is None
True
"""

from __future__ import annotations

import functools
import re
import re._constants as sre
import re._parser as sre_parse

MAX_LENGTH = 1000  # characters of one pattern; the longest shipped alias has 90

_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT)
# A group closed and then repeated: ")+", ")*", "){2,}" (an escaped "\)+" only costs a full parse).
_REPEATED_GROUP = re.compile(r"\)[*+{]")


def _first_literal(items) -> int | None:
    """The character a sequence must begin with, or None when it may begin with several."""
    items = list(items)
    if items and items[0][0] == sre.LITERAL:
        return items[0][1]
    if items and items[0][0] == sre.SUBPATTERN:
        return _first_literal(items[0][1][3])
    return None


def _risk(items, repeated: bool) -> str | None:
    for op, av in items:
        if op in _REPEATS:
            lo, hi, sub = av
            if repeated and lo != hi:
                return "a quantifier inside a repeated group"
            found = _risk(sub, repeated or hi > 1)
        elif op == sre.SUBPATTERN:
            found = _risk(av[3], repeated)
        elif op == sre.BRANCH:
            firsts = [_first_literal(b) for b in av[1]]
            if repeated and (None in firsts or len(set(firsts)) < len(firsts)):
                return "alternatives that may begin alike inside a repeated group"
            found = next((r for b in av[1] if (r := _risk(b, repeated))), None)
        elif op in (sre.ASSERT, sre.ASSERT_NOT):
            found = _risk(av[1], repeated)
        elif op == sre.GROUPREF_EXISTS:
            found = _risk(av[1], repeated) or (_risk(av[2], repeated) if av[2] else None)
        else:  # literals, classes, anchors; possessive repeats and atomic groups do not backtrack
            found = None
        if found:
            return found
    return None


@functools.lru_cache(maxsize=4096)
def backtracking(pattern: str) -> str | None:
    """Why matching ``pattern`` may take exponential time, or None when it cannot (or is not a valid
    expression at all, which the caller reports itself).

    >>> backtracking("(?:al[- ])?Qa'?ida") is None, backtracking("(x|y)*z") is None
    (True, True)
    >>> backtracking("(a|ab)*c")
    'alternatives that may begin alike inside a repeated group'
    """
    if len(pattern) > MAX_LENGTH:
        return f"more than {MAX_LENGTH} characters"
    if not _REPEATED_GROUP.search(pattern):  # the risky shapes all repeat a group; most aliases do not
        return None
    try:
        parsed = sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return None
    return _risk(parsed, False)
