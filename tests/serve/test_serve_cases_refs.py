"""serve/cases.py: the cases a server offers, looked up by name only."""

from __future__ import annotations

import shutil

import pytest

from peacewatch.agreements.loading import BUILTIN
from peacewatch.errors import CaseError
from peacewatch.serve import ServeConfig
from peacewatch.serve.cases import UnknownCaseError, case_ref, case_refs


def test_builtin_cases_are_listed_with_their_titles():
    refs = case_refs(ServeConfig(store="s"))
    names = [r.name for r in refs]
    assert {"afghanistan-2020", "myanmar-2015", "syria-2016"} <= set(names)
    afg = case_ref(ServeConfig(store="s"), "afghanistan-2020")
    assert afg.builtin and afg.has_claims and afg.has_brief
    assert afg.title != "afghanistan-2020"


def test_user_cases_are_listed_after_the_builtin_ones(tmp_path):
    shutil.copytree(BUILTIN / "afghanistan-2020", tmp_path / "my-case")
    (tmp_path / "not-a-case").mkdir()
    config = ServeConfig(store="s", cases=tmp_path)
    refs = case_refs(config)
    assert refs[-1].name == "my-case" and not refs[-1].builtin
    assert "not-a-case" not in [r.name for r in refs]
    assert case_ref(config, "my-case").folder == (tmp_path / "my-case").resolve()


@pytest.mark.parametrize("name", ["../etc", "/etc/passwd", "afghanistan-2020/../syria-2016", "nope"])
def test_a_name_that_is_no_offered_case_is_refused_without_touching_paths(name):
    with pytest.raises(UnknownCaseError, match="offers no case"):
        case_ref(ServeConfig(store="s"), name)


def test_a_close_name_is_suggested():
    with pytest.raises(UnknownCaseError, match="did you mean 'afghanistan-2020'"):
        case_ref(ServeConfig(store="s"), "afghanistan-2021")


def test_a_user_case_named_like_a_builtin_one_is_refused(tmp_path):
    shutil.copytree(BUILTIN / "syria-2016", tmp_path / "syria-2016")
    with pytest.raises(CaseError, match="named like the built-in case"):
        case_refs(ServeConfig(store="s", cases=tmp_path))
