"""docs/python.md runs: its examples are doctests on the reduced ACLED Afghanistan export, opened as
.peacewatch/demo (the path the page uses, the store `make demo` builds) from a scratch folder."""

from __future__ import annotations

import doctest
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "python.md"


def test_every_example_of_docs_python_md_gives_the_output_shown(afghan_store, tmp_path, monkeypatch):
    (tmp_path / ".peacewatch").mkdir()
    (tmp_path / ".peacewatch" / "demo").symlink_to(afghan_store.path)
    monkeypatch.chdir(tmp_path)
    result = doctest.testfile(
        str(DOC),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        raise_on_error=False,
        verbose=False,
    )
    assert result.attempted >= 20
    assert result.failed == 0, f"{result.failed} example(s) of {DOC.name} failed; see the output above"
