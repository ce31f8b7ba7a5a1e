"""Resolution of source actor names to canonical keys, on the spellings the real files use."""

from __future__ import annotations

import re

import pytest

from peacewatch.actors import KINDS, Taxonomy, normalise_name
from peacewatch.actors.taxonomy_file import wrap
from peacewatch.errors import TaxonomyError


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return Taxonomy.load()


# Keys the rest of peacewatch (cases, briefs, filters) may name.
REQUIRED_KEYS = {
    "taliban",
    "iskp",
    "afghan_government",
    "us_forces",
    "coalition_forces",
    "al_qaida",
    "hizb_i_islami",
    "civilians",
    "syrian_government",
    "syrian_insurgents",
    "is",
    "sdf",
    "hts",
    "russia",
    "turkey",
    "myanmar_government",
    "kia",
    "tnla",
    "mndaa",
    "arakan_army",
    "knu",
    "rcss",
    "sspp",
    "uwsa",
    "knpp",
    "dkba",
    "absdf",
    "nmsp",
    "cnf",
    "alp",
    "pnlo",
    "arsa",
}


def test_shipped_taxonomy_defines_every_required_key(taxonomy):
    assert set(taxonomy) >= REQUIRED_KEYS


def test_every_actor_has_a_name_and_a_known_kind(taxonomy):
    for key in taxonomy:
        actor = taxonomy.get(key)
        assert actor.name and actor.kind in KINDS, key
        assert actor.aliases, f"{key} has no alias, so nothing can resolve to it"


@pytest.mark.parametrize(
    ("name", "iso3", "expected"),
    [
        # UCDP GED
        ("Taleban", "AFG", ("taliban",)),
        ("IS", "AFG", ("iskp",)),
        ("IS", "SYR", ("is",)),
        ("IS", "IRQ", ("is",)),
        ("Government of Afghanistan", "AFG", ("afghan_government",)),
        ("Government of United States of America", "SYR", ("us_forces",)),
        (
            "Government of United Kingdom, Government of United States of America",
            "AFG",
            ("uk_forces", "us_forces"),
        ),
        ("Hizb-i Islami-yi Afghanistan", "AFG", ("hizb_i_islami",)),
        ("Hizb-i Islami-yi Afghanistan - Khalis faction", "AFG", ("hizb_i_islami_khalis",)),
        ("al-Qaida", "SYR", ("al_qaida",)),
        ("Civilians", "SYR", ("civilians",)),
        ("Government of Myanmar (Burma)", "MMR", ("myanmar_government",)),
        ("KIO", "MMR", ("kia",)),
        ("PSLF", "MMR", ("tnla",)),
        ("ULA", "MMR", ("arakan_army",)),
        ("AA", "MMR", ("arakan_army",)),
        ("DKBA 5", "MMR", ("dkba_5",)),
        ("DKBA", "MMR", ("dkba",)),
        ("Tahrir al- Sham Army", "SYR", ("jaysh_tahrir_al_sham",)),
        ("Jaysh al-Asha’er", "SYR", ("jaysh_al_ashaer",)),
        # ACLED
        ("Taliban", "AFG", ("taliban",)),
        ("Military Forces of Afghanistan (2014-2021)", "AFG", ("afghan_government",)),
        ("Police Forces of Afghanistan (2014-2021)", "AFG", ("afghan_government",)),
        ("Military Forces of Afghanistan (2021-)", "AFG", ("taliban",)),
        ("Military Forces of the United States (2017-2021)", "AFG", ("us_forces",)),
        ("NATO: North Atlantic Treaty Organization", "AFG", ("coalition_forces",)),
        ("Civilians (Afghanistan)", "AFG", ("civilians",)),
        ("Islamic State (Afghanistan)", "AFG", ("iskp",)),
        ("Islamic State (Syria)", "SYR", ("is",)),
        ("QSD: Syrian Democratic Forces", "SYR", ("sdf",)),
        ("HTS: Hayat Tahrir al Sham", "SYR", ("hts",)),
        ("Military Forces of Syria (2000-) 4th Armored Division", "SYR", ("syrian_government",)),
        ("Global Coalition Against Daesh", "SYR", ("anti_is_coalition",)),
        ("KIO/KIA: Kachin Independence Organization/Kachin Independence Army", "MMR", ("kia",)),
        ("PSLF/TNLA: Palaung State Liberation Front/Ta'ang National Liberation Army", "MMR", ("tnla",)),
        ("People's Defense Force - Kalay", "MMR", ("nug",)),
        ("Military Forces of Myanmar (2021-) Border Guard Force", "MMR", ("myanmar_government",)),
        # GTD
        ("Taliban", "AFG", ("taliban",)),
        ("Khorasan Chapter of the Islamic State", "AFG", ("iskp",)),
        ("Islamic State of Iraq and the Levant (ISIL)", "IRQ", ("is",)),
        ("Al-Qaida in Iraq", "IRQ", ("is",)),
        ("Al-Qaida in the Arabian Peninsula (AQAP)", "YEM", ("aqap",)),
        ("Tehrik-i-Taliban Pakistan (TTP)", "PAK", ("ttp",)),
        ("Al-Nusrah Front", "SYR", ("jabhat_al_nusra",)),
        ("Hizb-I-Islami", "AFG", ("hizb_i_islami",)),
        # GDELT actor codes
        ("AFGINSTAL", None, ("taliban",)),
        ("IGOWSTNAT", None, ("coalition_forces",)),
    ],
)
def test_source_spellings_resolve_to_their_keys(taxonomy, name, iso3, expected):
    assert taxonomy.resolve(name, iso3) == expected


def test_a_side_naming_several_groups_resolves_to_each_in_order(taxonomy):
    keys = taxonomy.resolve("Ahrar al-Sham, HTS, Southern Front", "SYR")
    assert keys == ("ahrar_al_sham", "hts", "southern_front")
    assert taxonomy.resolve("Taliban; Haqqani Network", "AFG") == ("taliban", "haqqani_network")
    name = (
        "23rd Division, Ahrar al-Sham, Jaysh al Nasr, Jaysh al-Nukhba, Nour al-Din al-Zenki, Sham Legion, SNA"
    )
    assert taxonomy.resolve(name, "SYR") == (
        "ahrar_al_sham",
        "jaysh_al_nukhba",
        "nour_al_din_al_zenki",
        "sham_legion",
        "sna",
    )


def test_a_key_named_twice_in_one_side_appears_once(taxonomy):
    assert taxonomy.resolve("Taliban; Taleban; Taliban", "AFG") == ("taliban",)


def test_the_longer_match_wins_where_two_keys_overlap(taxonomy):
    # "Islamic State" (is) lies inside each of these; only the specific key is returned.
    assert taxonomy.resolve("Islamic State (Afghanistan)") == ("iskp",)
    assert taxonomy.resolve("Khorasan Chapter of the Islamic State") == ("iskp",)
    assert taxonomy.resolve("Fatah Halab, Jabhat Fateh al-Sham", "SYR") == ("fatah_halab", "jabhat_al_nusra")
    assert taxonomy.resolve("Tehrik-i-Taliban Pakistan", "PAK") == ("ttp",)


def test_country_scoped_patterns_need_the_country(taxonomy):
    assert taxonomy.resolve("IS") == ("is",)
    assert taxonomy.resolve("SNA", "SYR") == ("sna",)
    assert taxonomy.resolve("SNA") == ()
    assert taxonomy.resolve("AA", "SYR") == ()


def test_former_members_of_a_force_are_not_the_force(taxonomy):
    assert taxonomy.resolve("Former Military Forces of Afghanistan (2021-)", "AFG") == ()
    assert taxonomy.resolve("Former Government of Afghanistan (2014-2021); Women (Afghanistan)", "AFG") == ()


def test_acronyms_that_are_english_words_match_only_in_capitals(taxonomy):
    assert taxonomy.resolve("this is a test", "SYR") == ()
    assert taxonomy.resolve("IS", "SYR") == ("is",)


def test_names_that_only_contain_a_known_word_do_not_resolve(taxonomy):
    assert taxonomy.resolve("CDSOM: Civilians Defense Security Organization Myaung", "MMR") == ()
    assert taxonomy.resolve("Jaish al-Fatah (Syria)", "SYR") == ("jaish_al_fatah",)


@pytest.mark.parametrize(
    "text",
    [
        "Government",
        "Military Forces",
        "Police Forces",
        "Army",
        "Front",
        "Brigade",
        "Forces",
        "Group",
        "Movement",
        "Operations Room",
        "Rebels",
        "Militia",
        "Unknown armed men",
        "Ministry of Health",
        "Syria",
        "Afghanistan",
        "Myanmar (Burma)",
        "Islamic",
        "State",
        "National Army",
        "Liberation Front",
    ],
)
def test_generic_words_name_no_actor(taxonomy, text):
    # A guard against catch-all patterns: none of these words alone identifies an actor.
    assert taxonomy.resolve(text) == ()
    assert taxonomy.resolve(text, "SYR") == ()
    assert taxonomy.resolve(text, "AFG") == ()


def test_empty_names_resolve_to_nothing(taxonomy):
    assert taxonomy.resolve(None) == ()
    assert taxonomy.resolve("") == ()
    assert taxonomy.resolve("   ", "AFG") == ()


def test_resolution_ignores_case_spacing_and_typographic_quotes(taxonomy):
    assert taxonomy.resolve("  TALEBAN ", "afg") == ("taliban",)
    assert taxonomy.resolve("Hay’at  Tahrir   al-Sham") == ("hts",)
    assert normalise_name("a\u00a0 b’c") == "a b'c"


def test_resolve_many_answers_each_distinct_pair(taxonomy):
    pairs = [("IS", "AFG"), ("IS", "SYR"), ("IS", "AFG"), (None, "SYR"), ("Nobody", None)]
    assert taxonomy.resolve_many(pairs) == {
        ("IS", "AFG"): ("iskp",),
        ("IS", "SYR"): ("is",),
        (None, "SYR"): (),
        ("Nobody", None): (),
    }


def test_get_returns_the_actor_or_none(taxonomy):
    actor = taxonomy.get("iskp")
    assert (actor.name, actor.kind, actor.countries) == (
        "Islamic State Khorasan Province (ISKP)",
        "rebel",
        ("AFG", "PAK"),
    )
    assert taxonomy.get("no_such_key") is None


def test_check_key_suggests_the_closest_key(taxonomy):
    assert taxonomy.check_key("taliban") == "taliban"
    with pytest.raises(TaxonomyError, match=r"unknown actor key 'talibn'; did you mean 'taliban'\?"):
        taxonomy.check_key("talibn")
    # ... and says where the file format is documented (for a user's actors.yaml)
    with pytest.raises(TaxonomyError, match=r"docs/agreement-format\.md, \"actors\.yaml\""):
        taxonomy.check_key("zzzz")


def _by_definition(taxonomy: Taxonomy):
    """Resolution by its definition: every pattern searched alone through the name, longest match wins."""
    patterns = [
        (re.compile(wrap(alias.pattern), re.IGNORECASE), alias.countries, order, key)
        for order, key in enumerate(taxonomy)
        for alias in taxonomy.get(key).aliases
    ]

    def resolve(name: str | None, iso3: str | None) -> tuple[str, ...]:
        if not name:
            return ()
        text = normalise_name(name)
        found = [
            (m.start(), m.end(), bool(countries), order, key)
            for regex, countries, order, key in patterns
            if not countries or (iso3 or "").upper() in countries
            for pos in range(len(text))
            if (m := regex.match(text, pos))
        ]
        return _longest_first(found)

    return resolve


def _longest_first(found) -> tuple[str, ...]:
    found.sort(key=lambda f: (f[0] - f[1], not f[2], f[0], f[3]))
    taken = []
    for start, end, _, _, key in found:
        if all(end <= s or start >= e for s, e, _ in taken):
            taken.append((start, end, key))
    return tuple(dict.fromkeys(key for _, _, key in sorted(taken)))


def test_fast_resolution_agrees_with_the_definition_on_real_names(taxonomy, real_actor_names):
    # The combined expression of _Matcher is an optimisation; it must not change any answer.
    definition = _by_definition(taxonomy)
    sample = sorted(real_actor_names, key=lambda p: (p[0] or "", p[1] or ""))[::5]
    wrong = [
        (n, i, taxonomy.resolve(n, i), definition(n, i))
        for n, i in sample
        if taxonomy.resolve(n, i) != definition(n, i)
    ]
    assert not wrong, wrong[:10]


def test_resolve_many_tries_each_pattern_only_where_the_single_alternation_hits(taxonomy, real_actor_names):
    # What keeps resolving thousands of names fast (about 0.5 s), held by counting instead of timing
    # (speed is measured in benchmarks/, never by timed tests): one alternation of every alias tells
    # whether anything starts at a word, and the patterns one by one run only where it does. Scanning
    # each key's patterns over every name, the slow design, would try them at every word start.
    fresh = Taxonomy({k: taxonomy.get(k) for k in taxonomy})  # an empty cache
    matcher = fresh._unscoped
    tries = 0

    class Counted:
        def __init__(self, regex):
            self.regex = regex

        def match(self, text, pos):
            nonlocal tries
            tries += 1
            return self.regex.match(text, pos)

    matcher._each = [(Counted(r), *rest) for r, *rest in matcher._each]
    names = list(dict.fromkeys(tuple(p) for p in real_actor_names))
    resolved = fresh.resolve_many((name, None) for name, _ in names)
    assert len(resolved) > 3000
    from peacewatch.actors.taxonomy import _STARTS

    starts = sum(1 for name, _ in names for _ in _STARTS.finditer(normalise_name(name or "")))
    every_start = starts * len(matcher._each)
    print(f"\n{tries:,} pattern tries; at every word start it would be {every_start:,}")
    assert tries < every_start / 10
