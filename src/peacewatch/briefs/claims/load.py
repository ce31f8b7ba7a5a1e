"""Loading claims.yaml: from a file, a case folder or a built-in case name, with every problem of the
file reported at once, each at its file:line, and the closest valid key, kind or vocabulary word
suggested.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from peacewatch import schema
from peacewatch.agreements import case_folder
from peacewatch.agreements.scope import _listed
from peacewatch.briefs.claims.model import (
    ChangeCheck,
    Claim,
    ClaimFilters,
    ClaimsFile,
    RankCheck,
    TrendCheck,
)
from peacewatch.errors import CaseError
from peacewatch.indicators.filters import actor_group
from peacewatch.yamldoc import LineYAML

_TAGS = {"change", "rank", "trend"}
_KINDS = {"change": ChangeCheck, "rank": RankCheck, "trend": TrendCheck}


def _keys(model: type[BaseModel]) -> list[str]:
    return sorted(f.alias or name for name, f in model.model_fields.items())


def claims_path(value: str | os.PathLike) -> Path:
    """A claims.yaml path from itself, its case folder, or a built-in case name."""
    path = Path(value)
    if path.is_file():
        return path
    found = (path if path.is_dir() else case_folder(value)) / "claims.yaml"
    if not found.exists():
        raise CaseError(f"{found}: missing; the case has no claims.yaml.", hint="See docs/brief-format.md.")
    return found


def load_claims(path_or_case: str | os.PathLike, *, taxonomy=None) -> list[Claim]:
    """Load and check a claims.yaml (or the one of a case folder or built-in case), reporting every
    problem at once with its file:line. Actor keys are checked against ``taxonomy`` (default: the
    shipped one and the actors.yaml beside the claims file).

    >>> [c.id for c in load_claims("afghanistan-2020")][:2]   # doctest: +SKIP
    ['riv-cut-violence', 'violence-resumed']
    """
    path = claims_path(path_or_case)
    try:
        doc = LineYAML(path)
    except ValueError as exc:
        raise CaseError(str(exc)) from None
    data = doc.data if isinstance(doc.data, dict) else {}
    if taxonomy is None:
        from peacewatch.agreements.loading import case_taxonomy

        taxonomy = case_taxonomy(path.parent)
    problems = _vocabulary(doc, data, set(taxonomy.keys()))
    parsed = None
    try:
        parsed = ClaimsFile.model_validate(data)
    except ValidationError as exc:
        problems = _pydantic_problems(doc, exc, data) + problems
    if problems:
        problems.sort(key=lambda p: int(p[len(str(path)) + 1 :].split(":", 1)[0]))
        raise CaseError(f"{len(problems)} problem(s) in {path}:\n  " + "\n  ".join(problems))
    for i, claim in enumerate(parsed.claims):
        filters = ("claims", i, "check", "filters")
        key = next((k for k in ("admin2", "admin1", "country") if getattr(claim.check.filters, k)), "")
        claim._written = (doc.where((*filters, key) if key else filters), tuple(claim.check.filters.dataset))
    return list(parsed.claims)


def _pydantic_problems(doc: LineYAML, exc: ValidationError, data: dict) -> list[str]:
    out = []
    for err in exc.errors():
        loc = err["loc"]
        if len(loc) > 3 and loc[2] == "check" and loc[3] in _TAGS:  # the discriminated union's tag
            loc = (*loc[:3], *loc[4:])
        where = ".".join(str(p) for p in loc) or "the file"
        if err["type"] == "extra_forbidden":
            key = str(loc[-1])
            known = _allowed(loc[:-1], data)
            close = difflib.get_close_matches(key, known, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"expected one of {', '.join(known)}"
            out.append(f"{doc.where(loc)}: {where}: unknown key {key!r}; {hint}")
            continue
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
            loc = (*loc, "kind")
            where += ".kind"
        if err["type"] == "union_tag_invalid":
            close = difflib.get_close_matches(str(err["ctx"]["tag"]), sorted(_TAGS), n=1)
            msg = f"unknown check kind {err['ctx']['tag']!r}; " + (
                f"did you mean {close[0]!r}?" if close else "expected change, rank or trend"
            )
        found = err.get("input")
        quiet = isinstance(found, dict | list) or err["type"] in (
            "missing",
            "value_error",
            "union_tag_invalid",
        )
        shown = "" if quiet else f", found {found!r}"
        out.append(f"{doc.where(loc)}: {where}: {msg}{shown}")
    return out


def _allowed(parent: tuple, data: dict) -> list[str]:
    if not parent:
        return ["claims"]
    if parent[-1] == "filters":
        return _keys(ClaimFilters)
    if parent[-1] == "expect":
        return ["max", "min"]
    if parent[-1] == "check":
        node: Any = data
        for p in parent:
            node = node[p] if isinstance(node, dict | list) else None
        kind = _KINDS.get(node.get("kind")) if isinstance(node, dict) else None
        return _keys(kind) if kind else sorted({k for m in _KINDS.values() for k in _keys(m)})
    return _keys(Claim)


def _vocabulary(doc: LineYAML, data: dict, actor_keys: set[str]) -> list[str]:
    """Event types, violence types and actor keys, checked on the raw document so that every problem
    is reported together with the structural ones."""
    problems: list[str] = []

    def unknown(loc, what, value, known) -> None:
        if what == "actor key":
            from peacewatch.actors.taxonomy_file import closest

            hint = closest(str(value), known) or (
                "; define it in the case's actors.yaml or a --taxonomy file, or find a key with "
                "`peacewatch actors --search NAME`"
            )
            problems.append(f"{doc.where(loc)}: unknown {what} {value!r}{hint}")
            return
        close = difflib.get_close_matches(str(value), sorted(known), n=1, cutoff=0.5)
        hint = f"did you mean {close[0]!r}?" if close else f"expected one of {', '.join(sorted(known))}"
        problems.append(f"{doc.where(loc)}: unknown {what} {value!r}; {hint}")

    claims = data.get("claims") if isinstance(data.get("claims"), list) else []
    seen: set[str] = set()
    for i, claim in enumerate(claims):
        if not isinstance(claim, dict):
            continue
        cid = claim.get("id")
        if isinstance(cid, str):
            if cid in seen:
                problems.append(f"{doc.where(('claims', i, 'id'))}: claim id {cid!r} is used twice")
            seen.add(cid)
        check = claim.get("check")
        filters = check.get("filters") if isinstance(check, dict) else None
        if not isinstance(filters, dict):
            continue
        loc = ("claims", i, "check", "filters")
        types = filters.get("type")
        for j, t in enumerate(_listed(types) if isinstance(types, str | list) else []):
            if t not in schema.EVENT_TYPES:
                unknown((*loc, "type", j), "event type", t, schema.EVENT_TYPES)
        vt = filters.get("violence_type")
        if vt is not None and vt not in schema.VIOLENCE_TYPES:
            unknown((*loc, "violence_type"), "violence type", vt, schema.VIOLENCE_TYPES)
        for key in ("actor", "actor1", "actor2"):
            value = filters.get(key)
            if isinstance(value, list):  # a group given as a list: each member where it stands
                for j, member in enumerate(value):
                    if isinstance(member, str) and member not in actor_keys:
                        unknown((*loc, key, j), "actor key", member, actor_keys)
            elif isinstance(value, str):
                for member in actor_group(value):
                    if member not in actor_keys:
                        unknown((*loc, key), "actor key", member, actor_keys)
        dyad = filters.get("dyad")
        if isinstance(dyad, str):
            dyad = dyad.split(",")
        for j, value in enumerate(dyad if isinstance(dyad, list) else []):
            for member in actor_group(value) if isinstance(value, str | list) else ():
                if member not in actor_keys:
                    unknown((*loc, "dyad", j), "actor key", member, actor_keys)
    return problems
