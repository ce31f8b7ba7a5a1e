"""Canonical actor keys and the resolution of source actor names (UCDP, ACLED, GTD, GDELT) to them.

The taxonomy is data: ``taxonomy.yaml`` beside this module, extended by user files in the same format
(``Taxonomy.load(extra=[...])``, ``peacewatch ingest --taxonomy FILE``).

Format of a taxonomy file::

    actors:
      hts:                                  # the key: lower-case letters, digits, '_'
        name: Hay'at Tahrir al-Sham         # required for a new key
        kind: rebel                         # required: state, rebel, militia, international,
                                            #   civilians or other
        countries: [SYR]                    # optional: ISO3 codes where it operates (descriptive)
        description: >                      # optional: who this is, and why the aliases are right
          Formed in January 2017 ...
        aliases:                            # patterns, grouped by the source that writes them:
          ucdp: [HTS]                       #   ucdp, acled, gtd, gdelt or other
          acled: ['HTS: Hayat Tahrir al[- ]Sham']
          other:
            - pattern: 'Tahrir al-Sham'     # a pattern scoped to the event's country
              countries: [SYR]

An alias is a case-insensitive Python regular expression matched anywhere in the name with word
boundaries on both sides (``(?<!\\w)(?:PATTERN)(?!\\w)``), after typographic apostrophes become ``'``
and runs of white space one space. ``(?-i:IS)`` makes a pattern case-sensitive where the acronym is
also an English word. A scoped pattern applies only to events in its countries, and on an equal
span it wins over unscoped patterns of other keys; resolution without a country uses unscoped
patterns only. Where matches of two keys overlap, the longer match wins, so a specific name
("Islamic State (Afghanistan)") needs no exception in the general one ("Islamic State").

A user file adds keys, or extends a shipped key with aliases and countries (give only ``aliases``
and ``countries``); it cannot change a key's kind or name, and one pattern cannot belong to two keys
in the same scope. Every problem of every file is reported at once, each with its ``file:line``.
"""

from peacewatch.actors.taxonomy import Actor, Alias, Taxonomy, normalise_name
from peacewatch.actors.taxonomy_file import KINDS, SOURCES

__all__ = ["KINDS", "SOURCES", "Actor", "Alias", "Taxonomy", "normalise_name"]
