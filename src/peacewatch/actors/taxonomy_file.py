"""Reading one actor taxonomy file and checking it, with every problem reported at once.

The format is documented in ``peacewatch.actors`` and at the top of ``taxonomy.yaml``. This module
only checks what a single file can show (structure, kinds, country codes, regular expressions,
duplicate keys); ``peacewatch.actors.taxonomy`` checks what needs all files together (a key defined
twice with different kinds, one alias claimed by two keys). Problems are ``file:line: message``
strings, because a user fixes them in an editor.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from peacewatch import yamldoc
from peacewatch.actors.patterns import backtracking
from peacewatch.errors import TaxonomyError
from peacewatch.yamldoc import Node

KINDS = ("state", "rebel", "militia", "international", "civilians", "other")
SOURCES = ("ucdp", "acled", "gtd", "gdelt", "other")
FIELDS = ("name", "kind", "countries", "description", "aliases")
KEY_RE = re.compile(r"[a-z][a-z0-9_]*\Z")
ISO3_RE = re.compile(r"[A-Z]{3}\Z")
# Patterns are joined into one alternation to find matches fast (see taxonomy._Matcher), where group
# numbers and names are shared: a backreference would point at another pattern's group.
_UNCOMBINABLE = re.compile(r"(?<!\\)(?:\\\\)*\\[1-9]|\(\?P[<=]")


def wrap(pattern: str) -> str:
    """The regular expression an alias pattern is matched with: the pattern between word boundaries.

    The boundaries are look-arounds rather than ``\\b`` so that a pattern may start or end with
    punctuation, as ACLED's "Civilians (Afghanistan)" does.

    >>> bool(re.search(wrap("IS"), "IS, Taleban")), bool(re.search(wrap("IS"), "ISIS"))
    (True, False)
    """
    return rf"(?<!\w)(?:{pattern})(?!\w)"


@dataclass(frozen=True)
class Alias:
    """An alias pattern of an actor as written in a taxonomy file: the sources that write it, the
    countries it is scoped to (empty: everywhere) and the file:line it came from."""

    pattern: str
    source: str
    countries: tuple[str, ...]
    where: str


@dataclass(frozen=True)
class EntrySpec:
    """One actor entry as written in a file; fields left out of the entry are None."""

    key: str
    where: str
    name: str | None
    kind: str | None
    countries: tuple[str, ...] | None
    description: str | None
    aliases: tuple[Alias, ...]
    broken: bool = False  # a problem was reported for this entry; its absent fields are not news


def closest(word: str, choices) -> str:
    """A ``; did you mean 'x'?`` suffix naming the closest choice, or an empty string.

    Ties of similarity go to the choice sharing the longest beginning with the word, as a typo
    rarely hits the first letters ("AFN" is more likely AFG than ZAF). For the same reason a choice
    must share the first two characters: a key for another group ('farc' for 'fprc', 'drc_government'
    for 'car_government') is wrong advice, and no suggestion is better.

    >>> closest("talibn", ["taliban", "iskp"]), closest("AFN", ["ZAF", "AFG"]), closest("xyz", ["taliban"])
    ("; did you mean 'taliban'?", "; did you mean 'AFG'?", '')
    >>> closest("fprc", ["farc"]), closest("car_government", ["drc_government"])
    ('', '')
    """

    def score(choice: str) -> tuple[float, int]:
        shared = 0
        while shared < min(len(word), len(choice)) and word[shared] == choice[shared]:
            shared += 1
        return difflib.SequenceMatcher(None, word, choice).ratio(), shared

    best = max(choices, key=score, default=None)
    close = best is not None and score(best)[0] >= 0.6 and score(best)[1] >= min(2, len(word))
    return f"; did you mean {best!r}?" if close else ""


class _Reader:
    """Walks the YAML nodes of one file and collects problems instead of stopping."""

    def __init__(self, path: str, known_iso3: frozenset[str], check_patterns: bool = True):
        self.path = path
        self.known_iso3 = known_iso3
        self.check_patterns = check_patterns
        self.problems: list[str] = []

    def at(self, node: Node) -> str:
        return f"{self.path}:{node.line}"

    def problem(self, node: Node, message: str) -> None:
        self.problems.append(f"{self.at(node)}: {message}")

    def scalar(self, node: Node, what: str) -> str | None:
        # The raw text, not the YAML-typed value: a pattern "NO" or "1st" is text to the user.
        if node.is_scalar and not node.is_null and node.text.strip():
            return node.text
        self.problem(node, f"{what}: expected a non-empty text, found {_describe(node)}")
        return None

    def mapping(self, node: Node, what: str) -> list[tuple[Node, Node]]:
        if node.is_mapping:
            return list(node.pairs)  # repeated keys included: they are reported, not merged
        self.problem(node, f"{what}: expected a mapping, found {_describe(node)}")
        return []

    def sequence(self, node: Node, what: str) -> list[Node]:
        if node.is_sequence:
            return list(node.value)
        self.problem(node, f"{what}: expected a list, found {_describe(node)}")
        return []

    def countries(self, node: Node, what: str) -> tuple[str, ...]:
        codes = []
        for item in self.sequence(node, what):
            code = self.scalar(item, what)
            if code is None:
                continue
            if not ISO3_RE.match(code) or (self.known_iso3 and code not in self.known_iso3):
                self.problem(
                    item,
                    f"{what}: expected an ISO 3166-1 alpha-3 code from the gazetteer, "
                    f"found {code!r}{closest(code.upper(), self.known_iso3)}",
                )
                continue
            codes.append(code)
        return tuple(codes)

    def alias(self, node: Node, key: str, source: str) -> Alias | None:
        what = f"alias of {key!r}"
        scope: tuple[str, ...] = ()
        if node.is_mapping:
            fields = {k.text: v for k, v in self.mapping(node, what)}
            for k in fields:
                if k not in ("pattern", "countries"):
                    self.problem(
                        node, f"{what}: unknown field {k!r}; an alias mapping has 'pattern' and 'countries'"
                    )
            if "pattern" not in fields:
                self.problem(node, f"{what}: a scoped alias needs a 'pattern'")
                return None
            if "countries" in fields:
                scope = self.countries(fields["countries"], f"countries of {what}")
            node = fields["pattern"]
        pattern = self.scalar(node, what)
        if pattern is None:
            return None
        if not self.check_patterns:
            return Alias(pattern=pattern, source=source, countries=scope, where=self.at(node))
        try:
            compiled = re.compile(wrap(pattern), re.IGNORECASE)
        except re.error as exc:
            self.problem(node, f"{what}: {pattern!r} is not a valid regular expression ({exc})")
            return None
        if slow := backtracking(pattern):
            self.problem(
                node,
                f"{what}: {pattern!r} has {slow}, which can take exponential time on a long name (as "
                "'(a+)+b' does); write it without nesting quantifiers, e.g. 'a+b' or '(?:ab)+'",
            )
            return None
        if _UNCOMBINABLE.search(pattern):
            self.problem(
                node,
                f"{what}: {pattern!r} uses a backreference or a named group, which cannot "
                "work once all patterns are combined into one expression; use (?:...)",
            )
            return None
        if compiled.search(""):
            self.problem(
                node,
                f"{what}: {pattern!r} matches empty text, so it would name {key!r} "
                "in every string; make it match at least one character",
            )
            return None
        return Alias(pattern=pattern, source=source, countries=scope, where=self.at(node))

    def entry(self, key_node: Node, node: Node) -> EntrySpec:
        key = key_node.text
        before = len(self.problems)
        fields: dict[str, Node] = {}
        for k, v in self.mapping(node, f"actor {key!r}"):
            name = k.text
            if name not in FIELDS:
                self.problem(
                    k,
                    f"actor {key!r}: unknown field {name!r}; expected one of "
                    f"{', '.join(FIELDS)}{closest(str(name), FIELDS)}",
                )
            elif name in fields:
                self.problem(k, f"actor {key!r}: field {name!r} is given twice")
            else:
                fields[name] = v
        kind = self.scalar(fields["kind"], f"kind of {key!r}") if "kind" in fields else None
        if kind is not None and kind not in KINDS:
            self.problem(
                fields["kind"],
                f"kind of {key!r}: expected one of {', '.join(KINDS)}, found {kind!r}{closest(kind, KINDS)}",
            )
        aliases: list[Alias] = []
        if "aliases" in fields:
            for src_node, patterns in self.mapping(fields["aliases"], f"aliases of {key!r}"):
                source = src_node.text
                if source not in SOURCES:
                    hint = closest(str(source), SOURCES)
                    self.problem(
                        src_node,
                        f"aliases of {key!r}: expected a source among "
                        f"{', '.join(SOURCES)}, found {source!r}{hint}",
                    )
                    continue
                for item in self.sequence(patterns, f"{source} aliases of {key!r}"):
                    spec = self.alias(item, key, source)
                    if spec is not None:
                        aliases.append(spec)
        name = self.scalar(fields["name"], f"name of {key!r}") if "name" in fields else None
        countries = (
            self.countries(fields["countries"], f"countries of {key!r}") if "countries" in fields else None
        )
        description = (
            self.scalar(fields["description"], f"description of {key!r}") if "description" in fields else None
        )
        return EntrySpec(
            key=key,
            where=self.at(key_node),
            name=name,
            kind=kind if kind in KINDS else None,
            countries=countries,
            description=description,
            aliases=tuple(aliases),
            broken=len(self.problems) > before,
        )


def _describe(node: Node) -> str:
    if node.is_scalar:
        return f"{node.text!r}" if node.text else "nothing"
    return "a mapping" if node.is_mapping else "a list"


def read_entries(
    text: str, path: str, known_iso3: frozenset[str] = frozenset(), *, check_patterns: bool = True
) -> tuple[list[EntrySpec], list[str]]:
    """Parse one taxonomy file's text into entries and the problems found in it.

    ``check_patterns=False`` leaves out the checks of each alias pattern (valid, not exponential, no
    backreference, not matching empty text), which compile every pattern: for the shipped file only,
    whose patterns the test suite checks (tests/actors/test_actor_taxonomy_files.py), so that a
    command that lists keys does not compile five hundred patterns it never matches.

    >>> entries, problems = read_entries("actors:\\n  x:\\n    name: X\\n    kind: rebels\\n", "t.yaml")
    >>> print(problems[0])  # doctest: +ELLIPSIS
    t.yaml:4: kind of 'x': expected one of state, ..., found 'rebels'; did you mean 'rebel'?
    """
    try:
        root = yamldoc.parse(text, path)
    except yamldoc.YAMLSyntaxError as exc:
        line = f":{exc.line}" if exc.line else ""
        return [], [f"{path}{line}: not valid YAML: {exc.problem}"]
    reader = _Reader(path, known_iso3, check_patterns)
    if root is None:
        return [], [f"{path}:1: empty file; expected a mapping with an 'actors' key"]
    top = {k.text: v for k, v in reader.mapping(root, "the file")}
    # A repeated field keeps its last value silently; repeated actor keys are reported below.
    actors_node = top.get("actors")
    actor_keys = {id(k) for k, _ in actors_node.pairs} if actors_node is not None else set()
    for earlier, again in root.repeats():
        if id(again) not in actor_keys:
            reader.problem(
                again, f"{again.text!r} is given twice (first on line {earlier.line}); give each key once"
            )
    for name in top:
        if name != "actors":
            reader.problem(root, f"unknown top-level key {name!r}; a taxonomy file has only 'actors'")
    if "actors" not in top:
        reader.problem(root, "expected a top-level 'actors' mapping of actor keys")
        return [], reader.problems
    entries: list[EntrySpec] = []
    seen: dict[str, str] = {}
    for key_node, node in reader.mapping(top["actors"], "actors"):
        key = key_node.text
        if not KEY_RE.match(key):
            reader.problem(
                key_node,
                f"actor key {key!r}: expected lower-case letters, digits and '_', "
                "starting with a letter (e.g. 'hts', 'afghan_government')",
            )
            continue
        if key in seen:
            reader.problem(
                key_node, f"actor key {key!r} is defined twice (first at {seen[key]}); merge the two entries"
            )
            continue
        seen[key] = reader.at(key_node)
        entries.append(reader.entry(key_node, node))
    return entries, reader.problems


def read_file(path: Path, known_iso3: frozenset[str] = frozenset()) -> tuple[list[EntrySpec], list[str]]:
    """Read and check one taxonomy file from disk; a missing file is a problem, not an exception."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        return [], [f"{path}: cannot read the taxonomy file ({exc.strerror or exc})"]
    return read_entries(text, str(path), known_iso3)


def raise_problems(problems: list[str]) -> None:
    """Raise one TaxonomyError listing every problem, or return when there are none."""
    if not problems:
        return
    noun = "problem" if len(problems) == 1 else "problems"
    err = TaxonomyError(
        f"the actor taxonomy has {len(problems)} {noun}:\n  " + "\n  ".join(problems),
        hint="\nFix them at the file:line given; the format is described in docs/agreement-format.md "
        '("actors.yaml") and at the top of peacewatch/actors/taxonomy.yaml.',
    )
    err.problems = tuple(problems)
    raise err
