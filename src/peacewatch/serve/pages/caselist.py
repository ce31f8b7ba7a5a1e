"""The cases the dashboard shows: the built-in ones, then those of the operator's case folder.

serve/cases.py (the API's, by the serveapi branch) is the shared list once merged; until then this reads
the same two places: the package's cases/ and ``ServeConfig.cases`` (``peacewatch serve --cases``), each
sub-folder holding an agreement.yaml being one case, named by its folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from peacewatch.agreements.loading import BUILTIN
from peacewatch.errors import CaseError


@dataclass(frozen=True)
class CaseRef:
    """A case the server offers: its name in URLs, its folder, and whether it ships with peacewatch."""

    name: str
    folder: Path
    builtin: bool


def _folders(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if (p / "agreement.yaml").is_file())


def case_refs(config) -> list[CaseRef]:
    """Every case: built-in ones first, then the operator's (a name already taken is skipped)."""
    refs = {p.name: CaseRef(p.name, p, True) for p in _folders(BUILTIN)}
    extra = getattr(config, "cases", None)
    if extra:
        for p in _folders(Path(extra)):
            refs.setdefault(p.name, CaseRef(p.name, p, False))
    return list(refs.values())


def case_ref(config, name: str) -> CaseRef:
    """The case called ``name``, or a CaseError listing the cases there are."""
    for ref in case_refs(config):
        if ref.name == name:
            return ref
    known = ", ".join(r.name for r in case_refs(config))
    raise CaseError(
        f"no case called {name!r}; the cases are: {known}.", hint="See the list on the home page."
    )
