"""A user key whose pattern matches the same words of a name as another key's is resolved by the
taxonomy's rule, silently; taxonomy_overlaps finds such names and the CLI warns, naming both entries."""

from __future__ import annotations

from peacewatch.actors import Taxonomy
from peacewatch.actors.overlaps import taxonomy_overlaps
from peacewatch.cli.app import main

SSPDF = """actors:
  sspdf:
    name: South Sudan People's Defence Forces
    kind: state
    aliases:
      acled: ['Military Forces of South Sudan']
  nas:
    name: National Salvation Front
    kind: rebel
    aliases:
      acled: ['NAS: National Salvation Front']
"""


def test_a_user_alias_that_a_shipped_pattern_also_matches_is_an_overlap_naming_both_entries():
    found = taxonomy_overlaps(Taxonomy.load(texts=[("mine.yaml", SSPDF)]))
    assert [(o.name, o.key_a, o.where_a, o.key_b) for o in found] == [
        ("Military Forces of South Sudan", "sspdf", "mine.yaml:6", "south_sudanese_government")
    ]
    assert found[0].where_b.endswith("taxonomy.yaml:1710")
    # equal spans, neither scoped: the shipped key, defined first, takes the name
    assert found[0].resolves_to == ("south_sudanese_government",)
    assert "'sspdf' (mine.yaml:6)" in found[0].message()


def test_names_from_the_data_are_tried_with_their_country():
    found = taxonomy_overlaps(
        Taxonomy.load(texts=[("mine.yaml", SSPDF)]), [("Military Forces of South Sudan (2011-)", "SSD")]
    )
    assert {o.key_b for o in found} == {"south_sudanese_government"}


def test_shipped_overlaps_and_distinct_user_keys_are_not_reported(test_data):
    assert taxonomy_overlaps(Taxonomy.load()) == []  # iskp inside is: by design, and shipped
    assert taxonomy_overlaps(Taxonomy.load(extra=[test_data / "car-2019" / "actors.yaml"])) == []


def test_the_cli_warns_when_a_taxonomy_overlaps_on_the_store_names(
    car_store_copy, test_data, tmp_path, capsys
):
    mine = tmp_path / "fprc_ak.yaml"
    mine.write_text("actors:\n  fprc_ak:\n    name: FPRC (Abdoulaye Hissène)\n    kind: rebel\n"
                    "    aliases:\n      ucdp: ['FPRC-A\\w']\n")  # fmt: skip
    case = test_data / "car-2019" / "actors.yaml"
    store = str(car_store_copy.path)
    assert main(["actors", "--store", store, "--taxonomy", str(case), "--json"]) == 0
    assert "warning" not in capsys.readouterr().err
    assert main(["actors", "--store", store, "--taxonomy", str(case), "--taxonomy", str(mine), "--json"]) == 0
    err = " ".join(capsys.readouterr().err.split())
    # two user files: each entry named with its file:line
    assert "warning: actor name 'FPRC-AK' is matched by 'fprc' (" in err
    assert "car-2019/actors.yaml:23) and by 'fprc_ak' (" in err
    assert "fprc_ak.yaml:6); it resolves to fprc" in err
