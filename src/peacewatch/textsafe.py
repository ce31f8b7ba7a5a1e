"""Text that leaves peacewatch for a terminal or a spreadsheet, made safe to show.

Two rules, each in one place:

* :func:`printable` escapes control characters (and lone surrogates, bidi overrides and other
  invisible format characters) in text shown on a terminal, so that an error message quoting a
  hostile file or flag cannot move the cursor, recolour the screen or hide text. Line breaks stay.
* :func:`csv_cell` neutralises CSV cells that a spreadsheet would run as a formula (OWASP, "CSV
  Injection"): a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
  leading apostrophe, which spreadsheets show as text and do not display. Only text is changed:
  numbers (ints, floats, decimals) are written as numbers, so a negative count in a numeric column
  stays ``-3``; a text cell ``-3`` becomes ``'-3``.

Sits beside errors at the bottom of the package and imports nothing from it.
"""

from __future__ import annotations

import unicodedata
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _escape(ch: str) -> str:
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def printable(text: str) -> str:
    r"""``text`` with every control or invisible format character written as an escape (``\x1b``).

    >>> printable("bad header 'a\x1b[2Jb\x00' in f.csv\nsecond line")
    "bad header 'a\\x1b[2Jb\\x00' in f.csv\nsecond line"
    """
    out = []
    for ch in text:
        if ch == "\n" or (ch.isprintable() and unicodedata.category(ch) not in ("Cf", "Cs", "Co")):
            out.append(ch)
        else:
            out.append(_escape(ch))
    return "".join(out)


def csv_cell(value: Any) -> Any:
    """A value as a CSV cell a spreadsheet will not run: text starting with = + - @ tab or CR gets a
    leading apostrophe; anything that is not text is returned unchanged.

    >>> csv_cell("=HYPERLINK(\\"http://x\\")"), csv_cell("-3"), csv_cell(-3), csv_cell("Helmand")
    ('\\'=HYPERLINK("http://x")', "'-3", -3, 'Helmand')
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
