"""YAML documents that remember where each value came from, so that errors can say file:line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

Loc = tuple[Any, ...]


class LineYAML:
    """A parsed YAML file and the line (1-based) of every mapping key and sequence item in it."""

    def __init__(self, path: Path):
        self.path = path
        self.lines: dict[Loc, int] = {}
        text = path.read_text(encoding="utf-8")
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark else 1
            raise ValueError(f"{path}:{line}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
        self.data = self._build(node, ()) if node is not None else None

    def _build(self, node, loc: Loc) -> Any:
        self.lines.setdefault(loc, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            out = {}
            for key_node, value_node in node.value:
                key = key_node.value
                self.lines[(*loc, key)] = key_node.start_mark.line + 1
                out[key] = self._build(value_node, (*loc, key))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self._build(item, (*loc, i)) for i, item in enumerate(node.value)]
        try:
            return yaml.SafeLoader("").construct_object(node, deep=True)
        except ValueError:  # e.g. 2020-02-30 looks like a date but is none: let validation say so
            return node.value

    def line(self, loc: Loc) -> int:
        """The line of ``loc``, or of its nearest enclosing value that has one."""
        loc = tuple(loc)
        while loc and loc not in self.lines:
            loc = loc[:-1]
        return self.lines.get(loc, 1)

    def where(self, loc: Loc) -> str:
        return f"{self.path}:{self.line(loc)}"
