"""The cases a server offers: the built-in ones and, with ``--cases FOLDER``, the user's own.

A request names a case by name only, never by path: :func:`case_ref` looks the name up among the
built-in cases and the sub-folders of ``--cases`` and refuses anything else, so a URL can never make
the server read a file outside them. The API (serve/api) and the dashboard (serve/pages) share this.

>>> from peacewatch.serve import ServeConfig
>>> [c.name for c in case_refs(ServeConfig(store="s"))]                      # doctest: +SKIP
['afghanistan-2020', 'myanmar-2015', 'syria-2016']
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from peacewatch.agreements.loading import BUILTIN
from peacewatch.errors import CaseError

# A case name as a URL carries it: letters, digits, '.', '_' and '-', not starting with a dot.
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


class UnknownCaseError(CaseError):
    """A request named a case the server does not offer (the API answers 404)."""


@dataclass(frozen=True)
class CaseRef:
    """A case the server offers: its ``name`` (the URL's), its ``folder`` and whether it is
    ``builtin`` (shipped with peacewatch) or the user's own (from ``--cases``)."""

    name: str
    folder: Path
    builtin: bool

    @property
    def title(self) -> str:
        """The agreement's title (agreement.yaml's ``title``), else the name; never raises, so a list
        of cases shows even when one case file is broken (evaluating it says what is wrong)."""
        return str(_agreement_field(self.folder, "title") or self.name)

    @property
    def has_claims(self) -> bool:
        """Whether the case has a claims.yaml (the claim checks)."""
        return (self.folder / "claims.yaml").is_file()

    @property
    def has_brief(self) -> bool:
        """Whether the case has a brief.yaml (a briefing can be built)."""
        return (self.folder / "brief.yaml").is_file()

    def to_dict(self) -> dict[str, Any]:
        """The case as the API lists it."""
        return {
            "name": self.name,
            "title": self.title,
            "builtin": self.builtin,
            "claims": self.has_claims,
            "brief": self.has_brief,
        }


def _folders(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(
        p for p in root.iterdir() if p.is_dir() and NAME.match(p.name) and (p / "agreement.yaml").is_file()
    )


def case_refs(config: Any) -> list[CaseRef]:
    """Every case the server offers, built-in first then the user's (``config.cases``), each in name
    order. A user case named like a built-in one is refused: a URL must name one case."""
    refs = [CaseRef(p.name, p, True) for p in _folders(BUILTIN)]
    user_root = getattr(config, "cases", None)
    if user_root is not None:
        builtin = {r.name for r in refs}
        for p in _folders(Path(user_root)):
            if p.name in builtin:
                raise CaseError(
                    f"{p}: a case folder named like the built-in case {p.name!r}; the server could not "
                    "tell them apart.",
                    hint="Rename the folder in --cases.",
                )
            refs.append(CaseRef(p.name, p.resolve(), False))
    return refs


def case_ref(config: Any, name: str) -> CaseRef:
    """The case called ``name``, or an :class:`UnknownCaseError` listing the close names."""
    refs = case_refs(config)
    for ref in refs:
        if ref.name == name:
            return ref
    names = [r.name for r in refs]
    close = difflib.get_close_matches(name, names, n=1) if NAME.match(name) else []
    hint = f"did you mean {close[0]!r}?" if close else f"the cases are {', '.join(names) or 'none'}."
    raise UnknownCaseError(
        f"case {name!r}: the server offers no case by this name; {hint}",
        hint="GET /api/cases lists them; add your own with `peacewatch serve --cases FOLDER`.",
    )


def _agreement_field(folder: Path, key: str) -> Any:
    import yaml

    try:
        with open(folder / "agreement.yaml", encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except (OSError, ValueError, yaml.YAMLError):
        return None
    return data.get(key) if isinstance(data, dict) else None
