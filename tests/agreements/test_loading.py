"""Case files: the documented example loads and evaluates; every broken file gets a file:line message."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from peacewatch.agreements import evaluate, load_case
from peacewatch.errors import CaseError

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "doha-mini"


def test_the_documented_example_loads_with_every_kind():
    case = load_case(EXAMPLE)
    kinds = [c.kind for c in case.agreement.commitments]
    assert kinds == ["violence_reduction", "no_attacks", "milestone", "quantity", "conditional"]
    assert case.agreement.signed.isoformat() == "2020-02-29"
    assert len(case.chronology.facts) == 4


def test_the_format_doc_points_at_the_example():
    doc = (EXAMPLE.parents[1] / "agreement-format.md").read_text(encoding="utf-8")
    assert "docs/examples/doha-mini" in doc


def _broken(tmp_path: Path, file: str, old: str, new: str) -> tuple[Path, int]:
    """Copy the example with one change; return the folder and the line the change is on."""
    folder = tmp_path / "case"
    shutil.copytree(EXAMPLE, folder)
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    at = text.index(old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder, text[:at].count("\n") + 1 + new.count("\n")


BROKEN = {
    "unknown actor key suggests the closest": (
        "agreement.yaml",
        "    actors: [taliban]",
        "    actors: [talibn]",
        r"unknown actor key 'talibn'; did you mean 'taliban'",
    ),
    "unknown party of a commitment": (
        "agreement.yaml",
        "  - id: talks-start\n    party: taliban",
        "  - id: talks-start\n    party: talban",
        r"unknown party 'talban'; did you mean 'taliban'",
    ),
    "impossible signing date": (
        "agreement.yaml",
        "signed: 2020-02-29",
        "signed: 2020-02-30",
        r"signed: .*date",
    ),
    "unreadable relative date": (
        "agreement.yaml",
        "due: signed + 135 days",
        "due: signed + 135 dayz",
        r"due: expected a date .*'signed \+ 135 dayz'",
    ),
    "window that ends before it starts": (
        "agreement.yaml",
        "window: 2020-02-22:2020-02-29",
        "window: 2020-02-29:2020-02-22",
        r"window: the span .* ends before it starts",
    ),
    "baseline with two definitions": (
        "agreement.yaml",
        "baseline: {preceding: 21}",
        "baseline: {preceding: 21, years: 2}",
        r"exactly one of preceding, span or years",
    ),
    "condition on an unknown commitment": (
        "agreement.yaml",
        "depends_on: [talks-start]",
        "depends_on: [talk-start]",
        r"unknown commitment 'talk-start'; did you mean 'talks-start'",
    ),
    "commitment id used twice": (
        "agreement.yaml",
        "  - id: troops-8600",
        "  - id: talks-start",
        r"commitment id 'talks-start' is used twice",
    ),
    "unknown kind": (
        "agreement.yaml",
        "kind: milestone",
        "kind: deadline",
        r"(kind|tag).*(deadline|does not match)",
    ),
    "unknown event type": (
        "agreement.yaml",
        "type: [battle, explosion_remote_violence",
        "type: [battles, explosion_remote_violence",
        r"unknown event type 'battles'; did you mean 'battle'",
    ),
    "unknown field": (
        "agreement.yaml",
        "    satisfied_by: intra_afghan_talks_started",
        "    satisfied_by: intra_afghan_talks_started\n    satisfied: yes",
        r"satisfied: Extra inputs are not permitted",
    ),
    "milestone naming a fact kind the chronology does not have": (
        "agreement.yaml",
        "    satisfied_by: intra_afghan_talks_started",
        "    satisfied_by: intra_afghan_talk_started",
        r"satisfied_by 'intra_afghan_talk_started' is not a fact kind of chronology.yaml; "
        r"did you mean 'intra_afghan_talks_started'",
    ),
    "fact with a metric but no value": (
        "chronology.yaml",
        "    value: 2500\n",
        "",
        r"metric and value go together",
    ),
    "fact naming an unknown party": (
        "chronology.yaml",
        "    parties: [taliban]",
        "    parties: [taleban]",
        r"unknown party 'taleban'; did you mean 'taliban'",
    ),
    "fact without a source": (
        "chronology.yaml",
        "    source: https://ariananews.af/us-force-levels-reached-2500-us-acting-defense-secretary/\n",
        "",
        r"source: Field required",
    ),
    "invalid YAML": (
        "chronology.yaml",
        "    kind: intra_afghan_talks_started",
        "    kind: [intra_afghan_talks_started",
        r"not valid YAML",
    ),
}


@pytest.mark.parametrize("name", list(BROKEN))
def test_a_broken_case_file_gives_one_message_with_its_file_and_line(tmp_path, name):
    file, old, new, pattern = BROKEN[name]
    folder, line = _broken(tmp_path, file, old, new)
    with pytest.raises(CaseError) as info:
        load_case(folder)
    message = str(info.value)
    located = re.findall(rf"{re.escape(str(folder / file))}:(\d+): (.*)", message)
    assert located, message
    assert any(re.search(pattern, text) for _, text in located), message
    lines = {int(n) for n, text in located if re.search(pattern, text)}
    # The line of the changed value, or of the item that lacks one (a missing field has no line).
    assert any(line - 8 <= n <= line + 1 for n in lines), (lines, line, message)


def test_a_missing_chronology_is_named(tmp_path):
    folder = tmp_path / "case"
    shutil.copytree(EXAMPLE, folder)
    (folder / "chronology.yaml").unlink()
    with pytest.raises(CaseError, match=r"chronology.yaml: missing"):
        load_case(folder)


def test_an_unknown_case_name_suggests_a_built_in_one():
    with pytest.raises(CaseError, match="no such case folder"):
        load_case("afghanistan-202")


def test_evaluate_refuses_a_stub_and_says_what_to_complete(tmp_path):
    folder = tmp_path / "case"
    shutil.copytree(EXAMPLE, folder)
    path = folder / "agreement.yaml"
    path.write_text(
        path.read_text(encoding="utf-8") + "  - id: ceasefire\n    kind: stub\n    category: Ceasefire\n",
        encoding="utf-8",
    )
    case = load_case(folder)
    with pytest.raises(CaseError, match=r"1 stub commitment\(s\) to complete: ceasefire \(Ceasefire\)"):
        evaluate(case)


def test_every_file_of_every_built_in_case_ships_in_the_package():
    """Built-in cases are package data (docs/adr/0008): each of their files must match a pattern of
    [tool.setuptools.package-data], or `pip install` would leave it out."""
    import fnmatch
    import tomllib

    from peacewatch.agreements.loading import BUILTIN

    root = BUILTIN.parent  # the peacewatch package folder
    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    patterns = tomllib.loads(pyproject.read_text(encoding="utf-8"))["tool"]["setuptools"]["package-data"][
        "peacewatch"
    ]
    files = [f.relative_to(root).as_posix() for f in BUILTIN.rglob("*") if f.is_file()]
    assert {f.split("/")[1] for f in files} >= {"afghanistan-2020", "myanmar-2015", "syria-2016"}
    left_out = [f for f in files if not any(fnmatch.fnmatch(f, p) for p in patterns)]
    assert not left_out


def test_a_kind_declared_under_kinds_is_a_valid_satisfied_by_before_any_fact_has_it(tmp_path):
    folder, _ = _broken(
        tmp_path,
        "agreement.yaml",
        "    satisfied_by: intra_afghan_talks_started",
        "    satisfied_by: sanctions_lifted",
    )
    chronology = folder / "chronology.yaml"
    chronology.write_text(
        "kinds:\n  sanctions_lifted: the sanctions are lifted\n" + chronology.read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    case = load_case(folder)
    assert case.chronology.kinds == {"sanctions_lifted": "the sanctions are lifted"}


def test_an_obligation_cannot_depend_on_a_contrast(tmp_path):
    folder, line = _broken(
        tmp_path, "agreement.yaml", "depends_on: [talks-start]", "depends_on: [riv-significant]"
    )
    path = folder / "agreement.yaml"
    text = path.read_text(encoding="utf-8").replace("    kind: violence_reduction", "    kind: contrast", 1)
    path.write_text(text.replace("    target: significant_reduction\n", "", 1), encoding="utf-8")
    with pytest.raises(CaseError) as info:
        load_case(folder)
    assert f"agreement.yaml:{line - 1}: 'riv-significant' is a contrast, shown for comparison only" in str(
        info.value
    )
