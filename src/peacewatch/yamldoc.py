"""YAML documents that remember the line of every key and item, so that a problem can say file:line.

Three kinds of file are read through here: case files (agreement, chronology, claims, brief), mapping
files of user tables and actor taxonomy files. Each is composed once into a tree of :class:`Node`;
every node carries its value, its line, the line of its key and the text it was written as. Readers
that validate a whole file at once walk the tree; readers that hand the data to pydantic take
:meth:`Node.plain` and ask :meth:`LineYAML.line` where a failing location was written.

How a file is composed, and why:

- with libyaml (``CSafeLoader``) when PyYAML has it, since it composes the 2,000-line shipped actor
  taxonomy several times faster, and the nodes carry the same marks as the pure-Python loader's;
- on any error, again with the pure-Python ``SafeLoader``, whose messages are the clearer ones
  ("found character '\\t' that cannot start any token", "found undefined alias 'x'");
- keys are taken as written (``1: x`` has the key ``"1"``), a repeated key keeps its last value in
  :attr:`Node.value` and every occurrence in :attr:`Node.pairs`, so readers can report repeats;
- a scalar that looks like a value but is none (``2020-02-30``) keeps its text, so that validation,
  not the parser, says what is wrong with it; a tag the safe loader cannot build (``!foo``) or a list
  or mapping used as a key is a :class:`YAMLSyntaxError` at its line;
- hostile files are bounded before they cost anything: at most :data:`MAX_BYTES` of text, nesting
  at most :data:`MAX_DEPTH` deep (composing recurses once per level, so deeper files stop there),
  at most :data:`MAX_NODES` values once aliases are expanded (a 3.7 KB "billion laughs" would
  expand to 10^9), and no alias inside the value it names. Each is a :class:`YAMLSyntaxError` at its
  line, never a hang, a RecursionError or a memory error. :class:`LineYAML` (case, claims and brief
  files) refuses a key given twice in one mapping; mapping and taxonomy files report it with their
  other problems.

This module sits at the bottom of the import order (beside ``errors`` and ``schema``) and imports
nothing from peacewatch, so that every stage may read YAML with lines.

>>> doc = parse("name: x\\nitems:\\n  - 1\\n  - two\\n", "f.yaml")
>>> doc.plain(), doc.value["items"].key_line, doc.value["items"].value[1].line
({'name': 'x', 'items': [1, 'two']}, 2, 4)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Loc = tuple[Any, ...]
NULL_TAG = "tag:yaml.org,2002:null"
_STR_TAG = "tag:yaml.org,2002:str"
# The fast loader first; the pure-Python one for its messages and in case libyaml refuses a file.
_LOADERS = tuple(dict.fromkeys((getattr(yaml, "CSafeLoader", yaml.SafeLoader), yaml.SafeLoader)))

# Bounds far above any real file (the shipped actor taxonomy: 70 KB, 6 levels, ~15,000 values).
MAX_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 200_000


class YAMLSyntaxError(ValueError):
    """A file that cannot be read as YAML; ``line`` is None when the parser gave no position.

    A ValueError, so that a caller checking values may report it with the rest of its problems.
    """

    def __init__(self, path: str | Path, line: int | None, problem: str):
        self.path, self.line, self.problem = path, line, problem
        super().__init__(f"{path}:{line or 1}: not valid YAML: {problem}")


@dataclass(frozen=True, slots=True)
class Node:
    """One YAML value with its 1-based line and, inside a mapping, the line of its key.

    ``value`` is the constructed scalar, a ``list[Node]`` or a ``dict[str, Node]``; ``text`` is a
    scalar as written (column names, patterns and map keys are taken verbatim, so "NO" stays "NO").
    """

    value: Any
    line: int
    key_line: int = 0
    text: str = ""
    # Left out of the repr, which mapping files quote in messages about a list or mapping found.
    tag: str = field(default="", repr=False)
    pairs: tuple[tuple[Node, Node], ...] = field(default=(), repr=False)  # (key, value), repeats kept

    @property
    def is_mapping(self) -> bool:
        return isinstance(self.value, dict)

    @property
    def is_sequence(self) -> bool:
        return isinstance(self.value, list)

    @property
    def is_scalar(self) -> bool:
        return not isinstance(self.value, dict | list)

    @property
    def is_null(self) -> bool:
        return self.tag == NULL_TAG

    def child(self, part: Any) -> Node | None:
        """The value under a mapping key or at a list index, or None."""
        if isinstance(self.value, dict):
            return self.value.get(part) if isinstance(part, str) else None
        if isinstance(self.value, list) and isinstance(part, int) and 0 <= part < len(self.value):
            return self.value[part]
        return None

    def plain(self) -> Any:
        """The Python data ``yaml.safe_load`` would give (with keys as written).

        >>> parse("a: [1, {b: 2020-01-02}]", "f.yaml").plain()
        {'a': [1, {'b': datetime.date(2020, 1, 2)}]}
        """
        if isinstance(self.value, dict):
            return {k: v.plain() for k, v in self.value.items()}
        if isinstance(self.value, list):
            return [v.plain() for v in self.value]
        return self.value

    def repeats(self) -> Iterator[tuple[Node, Node]]:
        """Each key given again in one mapping, anywhere below: (its previous key node, the repeat).

        >>> [(a.line, b.line, b.text) for a, b in parse("a: 1\\nb: 2\\na: 3\\n", "f.yaml").repeats()]
        [(1, 3, 'a')]
        """
        last: dict[str, Node] = {}
        for key, value in self.pairs:
            if key.text in last:
                yield last[key.text], key
            last[key.text] = key
            yield from value.repeats()
        if isinstance(self.value, list):
            for item in self.value:
                yield from item.repeats()


def parse(text: str, path: str | Path) -> Node | None:
    """Compose ``text`` (read from ``path``, which messages name) into Nodes; None for an empty file.

    >>> try:
    ...     parse("a: [1", "f.yaml")
    ... except YAMLSyntaxError as exc:
    ...     print(exc)
    f.yaml:1: not valid YAML: expected ',' or ']', but got '<stream end>'
    """
    if len(text) > MAX_BYTES:
        raise YAMLSyntaxError(
            path,
            None,
            f"expected at most {MAX_BYTES // (1024 * 1024)} MB of YAML, found {len(text):,} characters",
        )
    error: yaml.YAMLError | None = None
    for loader_class in _LOADERS:
        loader = None
        try:
            loader = loader_class(text)  # the pure-Python reader checks the characters here
            try:
                root = loader.get_single_node()
            except RecursionError:  # composing recurses once per level: far past MAX_DEPTH
                raise _too_deep(path, None) from None
            return None if root is None else _Builder(loader, path).bounded(root)
        except yaml.YAMLError as exc:
            if "maximum nesting depth" in str(exc):  # libyaml's own bound (1,000 flow levels): ours is lower
                raise _too_deep(path, exc.problem_mark.line + 1 if exc.problem_mark else None) from None
            error = exc
        finally:
            if loader is not None:
                loader.dispose()
    raise _syntax_error(error, text, path) from None


def read(path: Path) -> Node | None:
    """Read and compose one UTF-8 file; an unreadable file raises OSError for the caller to report.

    At most :data:`MAX_BYTES` are read, so a link to an endless device is refused, not read forever.
    """
    with open(path, "rb") as fh:
        data = fh.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise YAMLSyntaxError(
            path, None, f"expected at most {MAX_BYTES // (1024 * 1024)} MB of YAML, found more"
        )
    return parse(data.decode("utf-8"), path)


def _too_deep(path: str | Path, line: int | None) -> YAMLSyntaxError:
    return YAMLSyntaxError(
        path, line, f"expected lists and mappings nested at most {MAX_DEPTH} levels deep, found deeper"
    )


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [x for pair in node.value for x in pair]
    return []


class _Builder:
    """Turns composed YAML nodes into :class:`Node`, expanding aliases within a budget."""

    def __init__(self, loader, path: str | Path):
        self.loader, self.path = loader, path
        self.measured: dict[int, tuple[int, int]] = {}  # id of a collection -> (values, levels)
        self.open: set[int] = set()  # the collections being measured, to catch an alias inside its own value

    def measure(self, node: yaml.Node) -> tuple[int, int]:
        """How many values ``node`` expands to and how many levels of collections it nests; a shared
        node is measured once, so a bomb of 10^9 values takes a few hundred steps. Raises for an
        alias inside the value it names."""
        if not isinstance(node, yaml.CollectionNode):
            return 1, 0
        key = id(node)
        if key in self.measured:
            return self.measured[key]
        if key in self.open:
            line = node.start_mark.line + 1
            raise YAMLSyntaxError(
                self.path, line, "expected an alias outside the value it names, found one inside it"
            )
        self.open.add(key)
        total, levels = 1, 0
        for child in _children(node):
            n, deep = self.measure(child)
            total, levels = total + n, max(levels, deep)
        self.open.discard(key)
        self.measured[key] = (total, levels + 1)
        return self.measured[key]

    def bounded(self, root: yaml.Node) -> Node:
        """The tree of ``root``, after checking its depth and expanded size (before any work
        proportional to the size)."""
        try:
            total, levels = self.measure(root)
        except RecursionError:
            raise _too_deep(self.path, None) from None
        if levels > MAX_DEPTH:
            node = root
            for _ in range(MAX_DEPTH):  # down the deepest branch, to name the line of the level too many
                node = max(_children(node), key=lambda c: self.measure(c)[1])
            raise _too_deep(self.path, node.start_mark.line + 1)
        if total > MAX_NODES:
            raise YAMLSyntaxError(
                self.path,
                root.start_mark.line + 1,
                f"expected at most {MAX_NODES:,} values with aliases expanded, found {total:,} (aliases "
                "of aliases multiply); write the values out or use fewer aliases",
            )
        return self.build(root, 0)

    def build(self, node: yaml.Node, key_line: int) -> Node:
        line = node.start_mark.line + 1
        if isinstance(node, yaml.CollectionNode):
            return self._collection(node, line, key_line)
        if node.tag == _STR_TAG:  # most scalars: what the constructor would give, without the call
            return Node(node.value, line, key_line, text=node.value, tag=node.tag)
        try:
            value = self.loader.construct_object(node)
        except ValueError:  # e.g. 2020-02-30 looks like a date but is none: let validation say so
            self.loader.recursive_objects.pop(node, None)
            value = node.value
        return Node(value, line, key_line, text=str(node.value), tag=node.tag)

    def _collection(self, node: yaml.CollectionNode, line: int, key_line: int) -> Node:
        if isinstance(node, yaml.SequenceNode):
            return Node([self.build(v, 0) for v in node.value], line, key_line, tag=node.tag)
        pairs = []
        for k, v in node.value:
            if not isinstance(k, yaml.ScalarNode):
                found = "a mapping" if isinstance(k, yaml.MappingNode) else "a list"
                problem = f"expected a single value as a key, found {found}"
                raise YAMLSyntaxError(self.path, k.start_mark.line + 1, problem)
            key_at = k.start_mark.line + 1
            pairs.append((Node(k.value, key_at, text=k.value, tag=k.tag), self.build(v, key_at)))
        return Node({k.text: v for k, v in pairs}, line, key_line, tag=node.tag, pairs=tuple(pairs))


def _syntax_error(exc: yaml.YAMLError, text: str, path: str | Path) -> YAMLSyntaxError:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        return YAMLSyntaxError(path, mark.line + 1 if mark else None, exc.problem or exc.context or str(exc))
    if isinstance(exc, yaml.reader.ReaderError):  # a control character or an undecodable byte
        line = text.count("\n", 0, exc.position) + 1 if isinstance(text, str) else None
        what = f"#x{exc.character:04x}" if isinstance(exc.character, int) else repr(exc.character)
        return YAMLSyntaxError(path, line, f"unacceptable character {what}: {exc.reason}")
    return YAMLSyntaxError(path, None, str(exc))


class LineYAML:
    """A parsed YAML file as plain data, and the line of every mapping key and sequence item in it.

    Reading raises OSError when the file cannot be read and :class:`YAMLSyntaxError` (a ValueError)
    when it is not YAML.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = (Path(d) / "c.yaml").write_text("parties:\\n  - key: a\\n  - key: b\\n", encoding="utf-8")
    ...     doc = LineYAML(Path(d) / "c.yaml")
    >>> doc.data["parties"][1], doc.line(("parties", 1, "key")), doc.line(("parties", 1, "actors"))
    ({'key': 'b'}, 3, 3)
    """

    def __init__(self, path: Path):
        self.path = path
        self.root = read(path)
        # A repeated key would keep its last value silently (a second `window:` flips a verdict).
        for earlier, again in self.root.repeats() if self.root is not None else ():
            first = f"first on line {earlier.line}"
            raise YAMLSyntaxError(
                path, again.line, f"expected each key once in a mapping, found {again.text!r} again ({first})"
            )
        self.data = self.root.plain() if self.root is not None else None

    def line(self, loc: Loc) -> int:
        """The line of ``loc``, or of its nearest enclosing value that has one."""
        node = self.root
        line = node.line if node is not None else 1
        for part in tuple(loc):
            node = node.child(part) if node is not None else None
            if node is None:
                break
            line = node.key_line or node.line
        return line

    def where(self, loc: Loc) -> str:
        return f"{self.path}:{self.line(loc)}"
