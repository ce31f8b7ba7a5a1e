"""User taxonomy files: what they may add, and how their mistakes are reported (all at once, file:line)."""

from __future__ import annotations

import textwrap

import pytest

from peacewatch.actors import Taxonomy
from peacewatch.actors.taxonomy_file import read_entries
from peacewatch.errors import TaxonomyError


def write(tmp_path, text: str, name: str = "mine.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def problems_of(path) -> tuple[str, ...]:
    with pytest.raises(TaxonomyError) as caught:
        Taxonomy.load(extra=[path])
    return caught.value.problems


def test_a_user_file_adds_keys_and_aliases_that_resolve(tmp_path):
    path = write(
        tmp_path,
        """
        actors:
          tlp:
            name: Tehreek-e-Labbaik Pakistan
            kind: other
            countries: [PAK]
            aliases:
              acled: ['TLP: Tehreek-e-Labbaik Pakistan', 'Tehreek-e-Labbaik']
          taliban:
            aliases:
              other: ['Talibs']
          syrian_insurgents:
            aliases:
              other:
                - pattern: 'Opposition fighters'
                  countries: [SYR]
    """,
    )
    t = Taxonomy.load(extra=[path])
    assert t.resolve("TLP: Tehreek-e-Labbaik Pakistan", "PAK") == ("tlp",)
    assert t.resolve("Talibs", "AFG") == ("taliban",)
    assert t.resolve("Opposition fighters", "SYR") == ("syrian_insurgents",)
    assert t.resolve("Opposition fighters", "IRQ") == ()
    assert t.get("tlp").kind == "other" and t.get("taliban").kind == "rebel"
    # The shipped taxonomy itself is unchanged.
    assert Taxonomy.load().get("tlp") is None


def test_a_user_file_cannot_change_the_kind_or_name_of_a_shipped_key(tmp_path):
    path = write(
        tmp_path,
        """
        actors:
          taliban:
            kind: state
            name: Islamic Emirate
    """,
    )
    found = problems_of(path)
    assert len(found) == 2
    assert found[0].startswith(f"{path}:2: 'taliban' is defined at ")
    assert "taxonomy.yaml:" in found[0] and "with kind 'rebel'" in found[0] and "'state'" in found[0]
    assert "with name 'Taliban'" in found[1]


def test_a_pattern_already_belonging_to_another_key_is_refused(tmp_path):
    path = write(
        tmp_path,
        """
        actors:
          my_taliban:
            name: Taliban (mine)
            kind: rebel
            aliases:
              ucdp: [Taleban]
    """,
    )
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:6: alias 'Taleban' of 'my_taliban' is already an alias of 'taliban'")


def test_every_problem_of_a_broken_file_is_reported_at_once_with_its_line(tmp_path):
    path = write(
        tmp_path,
        """
        actors:
          good_one:
            name: Fine
            kind: rebel
            aliases:
              other: ['Fine Group']
          bad_regex:
            name: Broken regex
            kind: rebel
            aliases:
              ucdp: ['Jaysh (al-Islam']
          bad_kind:
            name: Wrong kind
            kind: rebels
          good_one:
            name: Again
            kind: rebel
          bad_country:
            name: Wrong country
            kind: militia
            countries: [AFN]
          catch_all:
            name: Everything
            kind: other
            aliases:
              other: ['.*']
          Bad-Key:
            name: x
            kind: rebel
          no_kind:
            name: Without kind
          typo_field:
            name: Typo
            kind: rebel
            alias: {ucdp: [X]}
          bad_source:
            name: Source
            kind: rebel
            aliases:
              ucpd: [Y]
    """,
    )
    found = problems_of(path)
    expected_starts = [
        f"{path}:11: alias of 'bad_regex': 'Jaysh (al-Islam' is not a valid regular expression",
        f"{path}:14: kind of 'bad_kind': expected one of state, rebel, militia, international, civilians, "
        "other, found 'rebels'; did you mean 'rebel'?",
        f"{path}:15: actor key 'good_one' is defined twice (first at {path}:2)",
        f"{path}:21: countries of 'bad_country': expected an ISO 3166-1 alpha-3 code from the gazetteer, "
        "found 'AFN'; did you mean 'AFG'?",
        f"{path}:26: alias of 'catch_all': '.*' matches empty text",
        f"{path}:27: actor key 'Bad-Key': expected lower-case letters",
        f"{path}:35: actor 'typo_field': unknown field 'alias'; expected one of name, kind, countries, "
        "description, aliases; did you mean 'aliases'?",
        f"{path}:40: aliases of 'bad_source': expected a source among ucdp, acled, gtd, gdelt, other, "
        "found 'ucpd'; did you mean 'ucdp'?",
        f"{path}:30: new actor 'no_kind' needs kind",
    ]
    assert len(found) == len(expected_starts), "\n".join(found)
    for problem, start in zip(found, expected_starts, strict=True):
        assert problem.startswith(start), f"{problem!r} does not start with {start!r}"


def test_the_error_message_lists_the_problems_and_where_the_format_is(tmp_path):
    path = write(tmp_path, "actors:\n  x:\n    name: X\n    kind: rebels\n")
    with pytest.raises(TaxonomyError) as caught:
        Taxonomy.load(extra=[path])
    message = str(caught.value)
    assert message.startswith("the actor taxonomy has 1 problem:\n")
    assert f"{path}:4: kind of 'x'" in message
    assert (
        'format is described in docs/agreement-format.md ("actors.yaml") and at the top of '
        "peacewatch/actors/taxonomy.yaml" in message
    )


def test_invalid_yaml_is_reported_with_its_line(tmp_path):
    path = write(
        tmp_path,
        """
        actors:
          x:
            name: [unclosed
            kind: rebel
    """,
    )
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:4: not valid YAML")


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("", ":1: empty file; expected a mapping with an 'actors' key"),
        ("- a\n- b\n", ":1: the file: expected a mapping, found a list"),
        ("actors: []\n", ":1: actors: expected a mapping, found a list"),
        ("keys:\n  x: {}\n", ":1: unknown top-level key 'keys'"),
    ],
)
def test_files_of_the_wrong_shape_are_reported(tmp_path, text, start):
    path = write(tmp_path, text)
    assert problems_of(path)[0].startswith(f"{path}{start}")


def test_a_missing_file_is_reported_like_a_problem(tmp_path):
    (problem,) = problems_of(tmp_path / "absent.yaml")
    assert problem.startswith(f"{tmp_path / 'absent.yaml'}: cannot read the taxonomy file")


def test_patterns_that_cannot_be_combined_are_refused():
    text = "actors:\n  x:\n    name: X\n    kind: rebel\n    aliases:\n"
    text += "      other: ['(a)\\1', '(?P<n>b)', 'c\\\\1']\n"
    entries, problems = read_entries(text, "t.yaml")
    assert [p.split(": ")[2] for p in problems] == [
        "'(a)\\\\1' uses a backreference or a named group, which "
        "cannot work once all patterns are combined into one "
        "expression; use (?:...)",
        "'(?P<n>b)' uses a backreference or a named group, which "
        "cannot work once all patterns are combined into one "
        "expression; use (?:...)",
    ]
    assert [a.pattern for a in entries[0].aliases] == ["c\\\\1"]


def test_problems_in_two_files_are_reported_together(tmp_path):
    one = write(tmp_path, "actors:\n  x:\n    name: X\n    kind: rebels\n", "one.yaml")
    two = write(tmp_path, "actors:\n  y:\n    name: Y\n    kind: army\n", "two.yaml")
    found = problems_of_many([one, two])
    assert [p.split(": ")[0] for p in found] == [f"{one}:4", f"{two}:4"]


def problems_of_many(paths) -> tuple[str, ...]:
    with pytest.raises(TaxonomyError) as caught:
        Taxonomy.load(extra=paths)
    return caught.value.problems


def test_yaml_values_are_read_as_written_text(tmp_path):
    # YAML would read NO as false and 1990 as a number; a pattern is the text as written.
    path = write(
        tmp_path,
        """
        actors:
          norway_group:
            name: 1990 Group
            kind: other
            aliases:
              other: [NO, 1990]
    """,
    )
    t = Taxonomy.load(extra=[path])
    assert t.get("norway_group").name == "1990 Group"
    assert t.resolve("NO") == t.resolve("1990") == ("norway_group",)


def test_the_shipped_file_passes_every_pattern_check_it_is_loaded_without():
    # The shipped taxonomy is read with check_patterns=False (peacewatch actors compiles none of its
    # five hundred patterns); this is where its patterns are checked instead.
    from importlib import resources

    from peacewatch.actors.taxonomy import _known_iso3

    source = resources.files("peacewatch.actors").joinpath("taxonomy.yaml")
    text = source.read_text(encoding="utf-8")
    checked, problems = read_entries(text, "taxonomy.yaml", _known_iso3())
    unchecked, _ = read_entries(text, "taxonomy.yaml", _known_iso3(), check_patterns=False)
    assert problems == []
    assert checked == unchecked
    assert sum(len(e.aliases) for e in checked) > 400
