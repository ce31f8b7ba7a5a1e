"""The actor taxonomy: canonical keys, and resolution of source actor names to those keys.

Resolution finds every key whose alias pattern occurs in a name, because one side of an event often
names several groups ("Ahrar al-Sham, HTS, Southern Front"; "Taliban; Haqqani Network"). Where matches
of different keys overlap, the longer one wins ("Islamic State (Afghanistan)" is iskp, not also is), and
on an equal span a pattern scoped to the event's country wins over an unscoped one ("IS" in AFG is
iskp). The file format is described in ``peacewatch.actors``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from peacewatch.actors.taxonomy_file import (
    Alias,
    EntrySpec,
    closest,
    raise_problems,
    read_entries,
    read_file,
    wrap,
)
from peacewatch.errors import TaxonomyError

# Distinct (name, iso3) pairs resolved per taxonomy before the cache starts afresh; a bulk ingest has a
# few thousand, so this bounds memory without ever evicting during one ingest.
_CACHE_LIMIT = 200_000
_QUOTES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'", "\u00a0": " "})


@dataclass(frozen=True)
class Actor:
    """One canonical actor. ``countries`` are where it operates (descriptive, not used to match)."""

    key: str
    name: str
    kind: str
    countries: tuple[str, ...]
    description: str
    aliases: tuple[Alias, ...]
    where: str


def normalise_name(name: str) -> str:
    """How a source name is prepared for matching: typographic quotes as ', white space collapsed.

    >>> normalise_name("Jaysh al-Asha’er  ")
    "Jaysh al-Asha'er"
    """
    return " ".join(unicodedata.normalize("NFC", name).translate(_QUOTES).split())


def _known_iso3() -> frozenset[str]:
    from peacewatch.gazetteer import countries

    return frozenset(c.iso3 for c in countries())


@functools.cache
def _shipped() -> tuple[tuple[EntrySpec, ...], tuple[str, ...]]:
    source = resources.files("peacewatch.actors").joinpath("taxonomy.yaml")
    text = source.read_text(encoding="utf-8")
    entries, problems = read_entries(text, str(source), _known_iso3(), check_patterns=False)
    return tuple(entries), tuple(problems)


class Taxonomy:
    """Canonical actor keys and the compiled patterns that resolve source names to them.

    >>> t = Taxonomy.load()
    >>> t.resolve("IS", "AFG"), t.resolve("IS", "SYR"), t.resolve("Taliban; Haqqani Network")
    (('iskp',), ('is',), ('taliban', 'haqqani_network'))
    """

    def __init__(self, actors: dict[str, Actor]):
        self._actors = dict(actors)
        order = {key: i for i, key in enumerate(self._actors)}
        plain, scoped = [], {}
        for actor in self._actors.values():
            for a in actor.aliases:
                if not a.countries:
                    plain.append((a.pattern, actor.key, False, order[actor.key]))
                for iso3 in a.countries:
                    scoped.setdefault(iso3, []).append((a.pattern, actor.key, True, order[actor.key]))
        self._unscoped = _Matcher(plain)
        self._scoped = {iso3: _Matcher(entries) for iso3, entries in scoped.items()}
        self._cache: dict[tuple[str, str | None], tuple[str, ...]] = {}

    @classmethod
    def load(cls, extra: Iterable[Path | str] = (), *, texts: Iterable[tuple[str, str]] = ()) -> Taxonomy:
        """The shipped taxonomy, extended by user taxonomy files in the same format: ``texts`` are
        files already read, as (where, text) pairs (a store keeps them so), then the paths ``extra``.

        A user file may add keys, and add aliases or countries to existing keys; it may not give an
        existing key another kind or name. Every problem in every file is reported in one
        TaxonomyError, each with its file:line.

        >>> Taxonomy.load().get("taliban").kind
        'rebel'
        """
        paths = tuple(Path(p) for p in extra)
        texts = tuple(texts)
        if not paths and not texts:
            return _shipped_taxonomy()
        known = _known_iso3()
        entries, problems = (list(x) for x in _shipped())
        for where, text in texts:
            more, found = read_entries(text, where, known)
            entries += more
            problems += found
        for path in paths:
            more, found = read_file(path, known)
            entries += more
            problems += found
        actors = _merge(entries, problems)
        raise_problems(problems)
        return cls(actors)

    def keys(self) -> tuple[str, ...]:
        """Every canonical key, in the order the files define them."""
        return tuple(self._actors)

    def __iter__(self):
        return iter(self._actors)

    def __len__(self) -> int:
        return len(self._actors)

    def __contains__(self, key: object) -> bool:
        return key in self._actors

    def get(self, key: str) -> Actor | None:
        """The actor of a key, or None when the key is unknown (use check_key to fail loudly)."""
        return self._actors.get(key)

    def check_key(self, key: str) -> str:
        """Return ``key`` if it is a canonical key; otherwise raise TaxonomyError naming the closest key.

        >>> Taxonomy.load().check_key("talibn")
        Traceback (most recent call last):
        ...
        peacewatch.errors.TaxonomyError: unknown actor key 'talibn'; did you mean 'taliban'? ...
        """
        if key in self._actors:
            return key
        raise TaxonomyError(
            f"unknown actor key {key!r}{closest(str(key), self._actors) or '.'}",
            hint="Keys come from the shipped taxonomy, the taxonomy files the store was resolved with, a "
            "case folder's actors.yaml and --taxonomy FILE: a key a case's actors.yaml defines is known "
            "once that file is given (`--taxonomy CASE/actors.yaml`, or `evaluate`, `check` or `brief` "
            "on the case, which keep it in the store). Find keys with `peacewatch actors --search NAME` "
            '(file format: docs/agreement-format.md, "actors.yaml").',
        )

    def resolve(self, name: str | None, iso3: str | None = None) -> tuple[str, ...]:
        """All canonical keys named in ``name``, in order of appearance; empty when none is.

        ``iso3`` is the country of the event; patterns scoped to countries apply only there, and not
        at all when ``iso3`` is None.

        >>> Taxonomy.load().resolve("Ahrar al-Sham, HTS, Southern Front", "SYR")
        ('ahrar_al_sham', 'hts', 'southern_front')
        """
        if not name:
            return ()
        iso = iso3.strip().upper() if iso3 else None
        cached = self._cache.get((name, iso))
        if cached is not None:
            return cached
        keys = self._resolve(normalise_name(name), iso)
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[(name, iso)] = keys
        return keys

    def resolve_many(self, pairs: Iterable[tuple[str | None, str | None]]) -> dict[tuple, tuple[str, ...]]:
        """Resolve the distinct (name, iso3) pairs of a whole file at once.

        >>> Taxonomy.load().resolve_many([("Taleban", "AFG"), ("Civilians", "SYR")])
        {('Taleban', 'AFG'): ('taliban',), ('Civilians', 'SYR'): ('civilians',)}
        """
        return {pair: self.resolve(*pair) for pair in dict.fromkeys(tuple(p) for p in pairs)}

    def _resolve(self, text: str, iso3: str | None) -> tuple[str, ...]:
        matchers = [self._unscoped]
        if iso3 in self._scoped:
            matchers.append(self._scoped[iso3])
        found = [
            hit
            for start in _STARTS.finditer(text)
            for m in matchers
            for hit in m.matches(text, start.start())
        ]
        if not found:
            return ()
        # Longest first, then country-scoped before unscoped, then leftmost, then file order.
        found.sort(key=lambda f: (f[0] - f[1], not f[2], f[0], f[3]))
        taken: list[tuple[int, int, str]] = []
        for start, end, _, _, key in found:
            if all(end <= s or start >= e for s, e, _ in taken):
                taken.append((start, end, key))
        return tuple(dict.fromkeys(key for _, _, key in sorted(taken)))


# Where a match may begin: a non-space character not preceded by a word character.
_STARTS = re.compile(r"(?<!\w)(?=\S)")


class _Matcher:
    """The alias patterns of one scope, compiled to find every (key, span) starting at a position.

    A single alternation of all patterns tells cheaply whether anything matches at a position (in
    real files most word starts match nothing); only where it does is each pattern tried on its own,
    because an alternation reports just its first matching alternative, which need not be the longest.
    This costs one match per word start plus a few hundred at the rare hits, about ten times less
    than scanning each key's patterns over the whole name.
    """

    def __init__(self, entries: list[tuple[str, str, bool, int]]):
        self._entries = list(dict.fromkeys(entries))

    # Both compiled on the first name resolved, not when the taxonomy loads: listing keys
    # (`peacewatch actors`) needs neither.
    @functools.cached_property
    def _any(self) -> re.Pattern[str]:
        body = "|".join(f"(?:{pattern})" for pattern, *_ in self._entries)
        return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)

    @functools.cached_property
    def _each(self) -> list[tuple[re.Pattern[str], str, bool, int]]:
        return [
            (re.compile(wrap(pattern), re.IGNORECASE), key, scoped, order)
            for pattern, key, scoped, order in self._entries
        ]

    def matches(self, text: str, pos: int) -> list[tuple[int, int, bool, int, str]]:
        if self._any.match(text, pos) is None:
            return []
        return [
            (pos, m.end(), scoped, order, key)
            for regex, key, scoped, order in self._each
            if (m := regex.match(text, pos))
        ]


def _merge(entries: list[EntrySpec], problems: list[str]) -> dict[str, Actor]:
    """Combine entries of all files into actors, appending cross-file problems to ``problems``."""
    actors: dict[str, Actor] = {}
    for e in entries:
        old = actors.get(e.key)
        if old is None:
            missing = [f for f in ("name", "kind") if getattr(e, f) is None]
            if missing and e.broken:
                continue  # the entry's own problem is reported already
            if missing:
                hint = closest(e.key, actors)
                problems.append(
                    f"{e.where}: new actor {e.key!r} needs {' and '.join(missing)} "
                    f"(or, to extend an existing key, check its spelling{hint})"
                )
                continue
            actors[e.key] = Actor(
                key=e.key,
                name=e.name,
                kind=e.kind,
                countries=e.countries or (),
                description=e.description or "",
                aliases=e.aliases,
                where=e.where,
            )
            continue
        for field in ("kind", "name"):
            new = getattr(e, field)
            if new is not None and new != getattr(old, field):
                problems.append(
                    f"{e.where}: {e.key!r} is defined at {old.where} with {field} "
                    f"{getattr(old, field)!r}; a taxonomy file cannot change it to {new!r} "
                    "(choose a new key instead)"
                )
        countries = tuple(dict.fromkeys(old.countries + (e.countries or ())))
        actors[e.key] = Actor(
            key=old.key,
            name=old.name,
            kind=old.kind,
            countries=countries,
            description=old.description if e.description is None else e.description,
            aliases=old.aliases + e.aliases,
            where=old.where,
        )
    claimed: dict[tuple[str, tuple[str, ...]], tuple[str, str]] = {}
    for actor in actors.values():
        for a in actor.aliases:
            scope = tuple(sorted(a.countries))
            other = claimed.setdefault((a.pattern.casefold(), scope), (actor.key, a.where))
            if other[0] != actor.key:
                problems.append(
                    f"{a.where}: alias {a.pattern!r} of {actor.key!r} is already an alias of "
                    f"{other[0]!r} at {other[1]}; scope one of them to countries or remove one"
                )
    return actors


@functools.cache
def _shipped_taxonomy() -> Taxonomy:
    entries, problems = (list(x) for x in _shipped())
    actors = _merge(entries, problems)
    raise_problems(problems)
    return Taxonomy(actors)
