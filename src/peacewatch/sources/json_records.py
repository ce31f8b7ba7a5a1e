"""The records of a JSON document as the text they have in the file, found by a streaming scan.

``ucdp_formats.json_table`` reads a GeoJSON FeatureCollection, a UCDP API page or a JSON list whole
(``json.load``) and numbers its records 1, 2, ... in document order; that number is the events'
``source_row``. To show an event's original record without loading a large document, this scanner
walks the text once, in chunks, tracking only strings, nesting and the key of each top-level value,
and keeps the text of the wanted elements of the record list: ``features`` or ``Result`` of the
top-level object, or the top-level list itself. A later duplicate of that key wins, as in
``json.load``.

>>> scan = RecordScan(key="features", wanted={2})
>>> scan.feed('{"type": "FeatureCollection", "features": [{"a": 1},\\n {"b": [2, "]"]}]}')
>>> scan.found
{2: '{"b": [2, "]"]}'}
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_OUTSIDE = re.compile(r'["{}\[\],]')  # what matters between strings, directly in the record list
# Elsewhere (inside a record, or before the list) only brackets count: skip to the next one past
# whole strings in one step. A string that runs past the chunk stops the run at its opening quote.
_DEEP = re.compile(r'(?:[^"{}\[\]]+|"[^"\\]*(?:\\.[^"\\]*)*")*')
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)  # a whole string, skipped in one step
_INSIDE = re.compile(r'["\\]')  # what matters inside one
_VALUE = re.compile(r"\S")
_KEY_CHARS = 64  # top-level keys longer than this cannot be a record list's name


class RecordScan:
    """Feed text in order with :meth:`feed`; ``found`` maps each wanted record number (1-based) to its
    text and ``count`` is the number of records in the list (after the whole text was fed)."""

    def __init__(self, *, key: str | None, wanted: Iterable[int]):
        self.key = key
        self.wanted = frozenset(wanted)
        self.found: dict[int, str] = {}
        self.count = 0
        self._stack: list[str] = []  # '{' and '[' of the open containers
        self._in_string = False
        self._escape = False
        self._top: list[str] | None = None  # text of a string of the top-level object, while read
        self._top_len = 0  # its length: past _KEY_CHARS, the rest is not kept
        self._last_top: str | None = None  # the last such string: a key, when a value follows it
        self._depth: int | None = None  # len(_stack) directly inside the record list, while in it
        self._expect = False  # in the list, before a record's first character
        self._kind: str | None = None  # the record being read: "container", "string" or "scalar"
        self._text: list[str] | None = None  # its text so far, when it is wanted
        self._start = -1  # where its unsaved text begins in the current chunk

    def _keep(self, piece: str) -> None:
        if self._top is not None and self._top_len <= _KEY_CHARS:
            self._top.append(piece)
            self._top_len += len(piece)

    def _begin(self, at: int, c: str) -> None:
        self.count += 1
        self._expect = False
        self._kind = "container" if c in "{[" else "string" if c == '"' else "scalar"
        self._text = [] if self.count in self.wanted else None
        self._start = at

    def _end(self, chunk: str, stop: int) -> None:
        if self._text is not None:
            self._text.append(chunk[self._start : stop])
            text = "".join(self._text)
            self.found[self.count] = text.rstrip() if self._kind == "scalar" else text
        self._kind, self._text, self._start = None, None, -1

    def _opens_list(self) -> bool:
        if self.key is None:
            return not self._stack
        return self._stack == ["{"] and self._last_top == self.key

    def feed(self, chunk: str) -> None:
        """Scan the next piece of the document's text."""
        i, n = 0, len(chunk)
        if self._kind is not None:
            self._start = 0
        while i < n:
            if self._escape:  # the character after a backslash, perhaps in the previous chunk
                self._escape = False
                self._keep(chunk[i])
                i += 1
                continue
            if self._in_string:
                m = _INSIDE.search(chunk, i)
                j = m.start() if m else n
                self._keep(chunk[i:j])
                if m is None:
                    break
                if chunk[j] == "\\":
                    self._escape = True
                    self._keep("\\")
                    i = j + 1
                    continue
                self._in_string = False
                i = j + 1
                if self._top is not None:
                    self._last_top = "".join(self._top) if self._top_len <= _KEY_CHARS else None
                    self._top = None
                if self._kind == "string" and len(self._stack) == self._depth:
                    self._end(chunk, i)
                continue
            if self._expect:
                m = _VALUE.search(chunk, i)
                if m is None:
                    break
                i = m.start()
                if chunk[i] == ",":  # json.load refuses such a document; nothing to number here
                    i += 1
                    continue
                if chunk[i] != "]":
                    self._begin(i, chunk[i])
                    if self._kind == "scalar":
                        i += 1
                        continue
                self._expect = False
            in_list = len(self._stack) == self._depth
            if in_list or self._stack == ["{"]:  # commas and the top-level keys count here
                m = _OUTSIDE.search(chunk, i)
                if m is None:
                    break
                j = m.start()
            else:
                j = _DEEP.match(chunk, i).end()  # type: ignore[union-attr]
                if j >= n:
                    break
            c = chunk[j]
            if self._kind == "scalar" and c in ",]" and in_list:
                self._end(chunk, j)
            if c == '"':
                whole = _STRING.match(chunk, j) if self._stack != ["{"] else None
                if whole is not None:  # no key to remember, and the string ends in this chunk
                    i = whole.end()
                    if self._kind == "string" and in_list:
                        self._end(chunk, i)
                    continue
                self._in_string = True
                self._top, self._top_len = ([] if self._stack == ["{"] else None), 0
            elif c in "{[":
                opens = c == "[" and self._opens_list()
                self._stack.append(c)
                if opens:  # a later list of the same key replaces an earlier one, as in json.load
                    self.found, self.count = {}, 0
                    self._depth, self._expect = len(self._stack), True
            elif c in "}]":
                if self._stack:
                    self._stack.pop()
                if self._depth is not None and len(self._stack) == self._depth - 1:
                    self._depth = None  # the record list closed
                elif self._kind == "container" and len(self._stack) == self._depth:
                    self._end(chunk, j + 1)
            elif c == "," and len(self._stack) == self._depth:
                self._expect = True
            i = j + 1
        if self._text is not None and self._start >= 0:
            self._text.append(chunk[self._start :])
