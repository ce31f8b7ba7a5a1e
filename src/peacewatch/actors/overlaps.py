"""Names that two actor keys both match, where one of the keys' patterns comes from a user file.

The taxonomy resolves such a name by its rule (the longer match, else a pattern scoped to the event's
country, else the file order: docs/agreement-format.md), and says nothing: a user key written for
"Military Forces of South Sudan" beside the shipped ``south_sudanese_government`` takes those events
from it, or gets none of them, silently. :func:`taxonomy_overlaps` finds such names so that the CLI can
warn when a taxonomy file is loaded, naming both entries (file:line) and the key the name resolves to.

Which names: those given (a store's actor names) and the text of every alias that is a plain name
rather than a pattern ("SPLM-IO", "Military Forces of South Sudan"), since a user's alias is itself a
name the user expects it to match. Overlaps among the shipped entries alone are by design ("Islamic
State (Afghanistan)" is iskp, not also is) and are not reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

from peacewatch.actors.taxonomy import Alias, Taxonomy, normalise_name
from peacewatch.actors.taxonomy_file import wrap

# An alias that is a plain name: letters, digits, spaces and the punctuation of names, no regex syntax
# (an escaped character such as "\(" counts as its character).
_PLAIN = re.compile(r"(?:[\w ,.'/&-]|\\[().\-/ ])+")


@dataclass(frozen=True)
class Overlap:
    """A name matched by aliases of two keys: each entry's key and file:line, and what it resolves to."""

    name: str
    iso3: str | None
    key_a: str
    where_a: str
    key_b: str
    where_b: str
    resolves_to: tuple[str, ...]

    def message(self) -> str:
        """One sentence for the CLI's warning."""
        place = f" (in {self.iso3})" if self.iso3 else ""
        to = ", ".join(self.resolves_to) or "no key"
        return (
            f"actor name {self.name!r}{place} is matched by {self.key_a!r} ({self.where_a}) and by "
            f"{self.key_b!r} ({self.where_b}); it resolves to {to}. Use one key (extend the other with "
            "aliases), scope one pattern to countries, or group the keys in a scope (actor: [a, b])."
        )


def taxonomy_overlaps(
    taxonomy: Taxonomy, names: Iterable[str | tuple[str, str | None]] = ()
) -> list[Overlap]:
    """Every pair of keys whose aliases match overlapping words of one name, one of them from a user
    taxonomy file; one Overlap per pair of entries, with the first name found.

    >>> t = Taxonomy.load(texts=[("my.yaml", "actors:\\n  sspdf:\\n    name: SSPDF\\n    kind: state\\n"
    ...     "    aliases:\\n      acled: ['Military Forces of South Sudan']\\n")])
    >>> [(o.key_a, o.key_b) for o in taxonomy_overlaps(t)]
    [('sspdf', 'south_sudanese_government')]
    """
    shipped = str(resources.files("peacewatch.actors").joinpath("taxonomy.yaml"))
    entries = [(key, a) for key in taxonomy for a in taxonomy.get(key).aliases]  # type: ignore[union-attr]
    compiled = [(key, a, re.compile(wrap(a.pattern), re.IGNORECASE)) for key, a in entries]
    user = [c for c in compiled if not c[1].where.startswith(shipped)]
    if not user:
        return []
    examples: dict[tuple[str, str | None], None] = {}
    for _, a in entries:
        if not a.where.startswith(shipped) and _PLAIN.fullmatch(a.pattern):
            examples[(re.sub(r"\\(.)", r"\1", a.pattern), None)] = None
    for n in names:
        name, iso3 = (n, None) if isinstance(n, str) else n
        if name:
            examples[(normalise_name(name), iso3)] = None
    found: dict[tuple[str, str], Overlap] = {}
    for name, iso3 in examples:
        if not any(rx.search(name) for _, _, rx in user):
            continue  # most names match no user alias: skip the shipped patterns for them
        spans = [
            (m.start(), m.end(), key, a)
            for key, a, rx in compiled
            if _applies(a, iso3)
            for m in rx.finditer(name)
        ]
        for i, (s1, e1, k1, a1) in enumerate(spans):
            for s2, e2, k2, a2 in spans[i + 1 :]:
                if k1 == k2 or e1 <= s2 or e2 <= s1:
                    continue
                if a1.where.startswith(shipped) and a2.where.startswith(shipped):
                    continue
                (ka, aa), (kb, ab) = sorted(
                    [(k1, a1), (k2, a2)], key=lambda x: x[1].where.startswith(shipped)
                )
                found.setdefault(
                    (aa.where, ab.where),
                    Overlap(name, iso3, ka, aa.where, kb, ab.where, taxonomy.resolve(name, iso3)),
                )
    return list(found.values())


def _applies(alias: Alias, iso3: str | None) -> bool:
    """A scoped alias applies to names of its countries; to a bare name (no country) any alias may."""
    return not alias.countries or iso3 is None or iso3 in alias.countries
