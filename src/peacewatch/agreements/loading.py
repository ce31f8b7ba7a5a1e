"""Load a case folder, checking everything at once and reporting each problem with file:line."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from peacewatch import schema
from peacewatch.agreements import dates
from peacewatch.agreements.models import (
    Agreement,
    Chronology,
    Conditional,
    Contrast,
    Milestone,
    NoAttacks,
    Obligation,
    Quantity,
    Stub,
    ViolenceReduction,
)
from peacewatch.agreements.scope import OLD_KEYS, old_spellings
from peacewatch.errors import CaseError
from peacewatch.yamldoc import LineYAML

# Built-in cases ship inside the package (docs/adr/0008), so their names work from an installed wheel.
BUILTIN = Path(__file__).resolve().parents[1] / "cases"
_OBLIGATION = TypeAdapter(Obligation)
# A case folder may carry its own actor taxonomy beside agreement.yaml (format of taxonomy.yaml).
ACTORS_FILE = "actors.yaml"


def case_taxonomy_files(folder: str | Path) -> tuple[Path, ...]:
    """The case folder's own taxonomy file, when it has one."""
    path = Path(folder) / ACTORS_FILE
    return (path,) if path.is_file() else ()


def case_taxonomy(folder: str | Path | None, store=None, extra=()):
    """The actor taxonomy a case is read with: the shipped one, the store's files, the case folder's
    actors.yaml and ``extra`` (--taxonomy). With a store, the case's and extra files are adopted
    into it first (its events re-resolved with them when they are new or changed), so their keys
    both pass the checks and match events.

    >>> case_taxonomy("tests/data/car-2019", store="car-store").get("fprc").kind   # doctest: +SKIP
    'rebel'
    """
    from peacewatch.actors import Taxonomy
    from peacewatch.analysis.select import as_store

    files = (*(case_taxonomy_files(folder) if folder else ()), *(Path(p) for p in extra))
    if store is None:
        return Taxonomy.load(extra=files)
    s = as_store(store)
    if not s.exists():
        return s.taxonomy(extra=files)
    if files:
        s.adopt_taxonomies(files)
    return s.taxonomy()


@dataclass(frozen=True)
class Case:
    """A loaded case: the agreement, its chronology, and where they came from."""

    folder: Path
    agreement: Agreement
    chronology: Chronology
    files: tuple[Path, ...]
    obligations: dict[str, object] = field(default_factory=dict)  # conditional id -> its `then`
    taxonomy_files: tuple[Path, ...] = ()  # the case's own actors.yaml, when it has one
    notes: tuple[str, ...] = ()  # old spellings that still work, each with its file:line

    def commitment(self, cid: str):
        return next(c for c in self.agreement.commitments if c.id == cid)

    def stubs(self) -> list[Stub]:
        return [c for c in self.agreement.commitments if isinstance(c, Stub)]


def case_folder(name_or_path: str | Path) -> Path:
    """A case folder from a path, or the name of a built-in case in cases/."""
    path = Path(name_or_path)
    if path.is_file() and path.name == "agreement.yaml":
        return path.parent
    if path.is_dir():
        return path
    builtin = BUILTIN / str(name_or_path)
    if builtin.is_dir():
        return builtin
    known = (
        sorted(p.name for p in BUILTIN.glob("*") if (p / "agreement.yaml").exists())
        if BUILTIN.is_dir()
        else []
    )
    close = difflib.get_close_matches(str(name_or_path), known, n=1)
    hint = (
        f" Did you mean {close[0]!r}?"
        if close
        else (f" Built-in cases: {', '.join(known)}." if known else "")
    )
    raise CaseError(
        f"{name_or_path}: no such case folder.{hint}",
        hint="Give a folder holding agreement.yaml and chronology.yaml.",
    )


def _pydantic_problems(doc: LineYAML, exc: ValidationError, prefix: tuple = ()) -> list[str]:
    out = []
    for err in exc.errors():
        loc = (*prefix, *[p for p in err["loc"] if not (isinstance(p, str) and p in _KIND_TAGS)])
        found = err.get("input")
        shown = "" if isinstance(found, dict | list) else f", found {found!r}"
        where = ".".join(str(p) for p in loc) or "the file"
        out.append(f"{doc.where(loc)}: {where}: {err['msg']}{shown}")
    return out


_KIND_TAGS = {"violence_reduction", "no_attacks", "milestone", "quantity", "conditional", "contrast", "stub"}


def load_case(name_or_path: str | Path, *, taxonomy=None, store=None) -> Case:
    """Load and check a case folder (agreement.yaml and chronology.yaml, and actors.yaml when the
    case defines its own actor keys). Actor keys are checked against ``taxonomy``, by default the
    one :func:`case_taxonomy` gives for the folder and ``store``.

    >>> load_case("afghanistan-2020").agreement.signed   # doctest: +SKIP
    datetime.date(2020, 2, 29)
    """
    folder = case_folder(name_or_path)
    if taxonomy is None:
        taxonomy = case_taxonomy(folder, store)
    problems: list[str] = []
    docs = {}
    for name in ("agreement.yaml", "chronology.yaml"):
        path = folder / name
        if not path.exists():
            problems.append(f"{path}: missing; a case folder needs agreement.yaml and chronology.yaml")
            continue
        if not path.is_file():  # a folder, or a link to a device such as /dev/zero: never read it
            found = "a folder" if path.is_dir() else "a device or other special file"
            problems.append(f"{path}: expected a YAML file, found {found}")
            continue
        try:
            docs[name] = LineYAML(path)
        except ValueError as exc:
            problems.append(str(exc))
    if problems:
        raise CaseError("the case could not be read:\n  " + "\n  ".join(problems))
    adoc, cdoc = docs["agreement.yaml"], docs["chronology.yaml"]
    agreement = chronology = None
    try:
        agreement = Agreement.model_validate(adoc.data if isinstance(adoc.data, dict) else {})
    except ValidationError as exc:
        problems += _pydantic_problems(adoc, exc)
    try:
        chronology = Chronology.model_validate(cdoc.data if isinstance(cdoc.data, dict) else {})
    except ValidationError as exc:
        problems += _pydantic_problems(cdoc, exc)
    obligations: dict[str, object] = {}
    if agreement is not None:
        problems += _check_agreement(agreement, adoc, taxonomy, obligations)
    if agreement is not None and chronology is not None:
        keys = {p.key for p in agreement.parties}
        for i, fact in enumerate(chronology.facts):
            for p in fact.parties:
                if p not in keys:
                    problems.append(_unknown(cdoc, ("facts", i, "parties"), "party", p, keys))
        problems += _check_fact_kinds(agreement, chronology, adoc, cdoc, obligations)
    if problems:
        raise CaseError(f"{len(problems)} problem(s) in the case {folder}:\n  " + "\n  ".join(problems))
    commitments = adoc.data.get("commitments") if isinstance(adoc.data, dict) else None
    notes = tuple(
        f"{adoc.where(path)}: {key!r} is an old spelling that still works; write {OLD_KEYS[key]} "
        "(docs/agreement-format.md, 'Scopes')"
        for path, key in old_spellings(commitments, ("commitments",))
    )
    return Case(
        folder, agreement, chronology, (adoc.path, cdoc.path), obligations, case_taxonomy_files(folder), notes
    )


def _check_fact_kinds(a: Agreement, chron: Chronology, adoc, cdoc, obligations) -> list[str]:
    """Every milestone's satisfied_by names a fact kind of the chronology (a fact's, or one declared
    under ``kinds``): a typo would otherwise be a silent not_met."""
    known = {f.kind for f in chron.facts} | set(chron.kinds)
    problems = []
    for i, c in enumerate(a.commitments):
        loc, target = ("commitments", i), obligations.get(c.id, c)
        if target is not c:
            loc = (*loc, "then")
        if isinstance(target, Milestone) and target.satisfied_by not in known:
            close = difflib.get_close_matches(target.satisfied_by, sorted(known), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.append(
                f"{adoc.where((*loc, 'satisfied_by'))}: satisfied_by {target.satisfied_by!r} is not a fact "
                f"kind of {cdoc.path.name}{hint} A kind no fact has yet (a step still to come) is "
                f"declared under `kinds:` there, with a line saying what it means."
            )
    return problems


def _unknown(doc: LineYAML, loc: tuple, what: str, value: str, known) -> str:
    if what == "actor key":
        from peacewatch.actors.taxonomy_file import closest

        # Never the whole taxonomy once per problem: a close key, or where keys come from.
        hint = closest(value, known) or (
            f"; define it in the case's {ACTORS_FILE} or a --taxonomy file, or find a key with "
            "`peacewatch actors --search NAME`"
        )
        return f"{doc.where(loc)}: unknown {what} {value!r}{hint}"
    close = difflib.get_close_matches(value, sorted(known), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else f"; expected one of {', '.join(sorted(known))}"
    return f"{doc.where(loc)}: unknown {what} {value!r}{hint}"


def _check_agreement(a: Agreement, doc: LineYAML, taxonomy, obligations: dict) -> list[str]:
    problems: list[str] = []
    actor_keys = set(taxonomy.keys())
    party_keys = {p.key for p in a.parties}
    doc_ids = {d.id for d in a.documents}
    for i, p in enumerate(a.parties):
        for j, key in enumerate(p.actors):
            if key not in actor_keys:
                problems.append(_unknown(doc, ("parties", i, "actors", j), "actor key", key, actor_keys))
    seen: set[str] = set()
    ids = {c.id for c in a.commitments}
    for i, c in enumerate(a.commitments):
        loc = ("commitments", i)
        if c.id in seen:
            problems.append(f"{doc.where((*loc, 'id'))}: commitment id {c.id!r} is used twice")
        seen.add(c.id)
        if c.party is not None and c.party not in party_keys:
            problems.append(_unknown(doc, (*loc, "party"), "party", c.party, party_keys))
        if c.document is not None and c.document not in doc_ids:
            problems.append(_unknown(doc, (*loc, "document"), "document", c.document, doc_ids or {"(none)"}))
        target = c
        if isinstance(c, Conditional):
            contrasts = {x.id for x in a.commitments if isinstance(x, Contrast)}
            for j, dep in enumerate(c.depends_on):
                if dep not in ids or dep == c.id:
                    problems.append(_unknown(doc, (*loc, "depends_on", j), "commitment", dep, ids - {c.id}))
                elif dep in contrasts:
                    problems.append(
                        f"{doc.where((*loc, 'depends_on', j))}: {dep!r} is a contrast, shown for comparison "
                        "only; it binds no one, so no obligation can depend on it"
                    )
            try:
                target = _OBLIGATION.validate_python({**c.then, "id": c.id, "party": c.party})
                obligations[c.id] = target
            except ValidationError as exc:
                problems += _pydantic_problems(doc, exc, (*loc, "then"))
                continue
            loc = (*loc, "then")
        problems += _check_obligation(target, loc, a, doc, actor_keys, party_keys)
    return problems


def _check_obligation(c, loc, a: Agreement, doc: LineYAML, actor_keys, party_keys) -> list[str]:
    problems = []

    def check_date(key, value):
        try:
            dates.resolve(value, a.signed)
        except ValueError as exc:
            problems.append(f"{doc.where((*loc, key))}: {key}: {exc}")

    def check_span(key, value):
        try:
            dates.resolve_span(value, a.signed)
        except ValueError as exc:
            problems.append(f"{doc.where((*loc, key))}: {key}: {exc}")

    def check_types(key, values):
        path = key if isinstance(key, tuple) else (key,)
        for j, v in enumerate(values):
            if v not in schema.EVENT_TYPES:
                problems.append(_unknown(doc, (*loc, *path, j), "event type", v, schema.EVENT_TYPES))

    def check_scope(prefix: tuple, scope) -> None:
        raw = doc.data
        for step in (*loc, *prefix):
            raw = raw[step] if isinstance(raw, dict | list) else None
        raw = raw if isinstance(raw, dict) else {}
        for key, member in scope.actor_keys():
            if member not in actor_keys:
                # Point at the key as written (an old 'perpetrators' or 'targets' counts too).
                written = (
                    key if key in raw else next((k for k in ("perpetrators", "targets") if k in raw), key)
                )
                problems.append(_unknown(doc, (*loc, *prefix, written), "actor key", member, actor_keys))
        written = "type" if "type" in raw else "types"
        check_types((*prefix, written), scope.types)
        if scope.violence_type and scope.violence_type not in schema.VIOLENCE_TYPES:
            problems.append(
                _unknown(
                    doc,
                    (*loc, *prefix, "violence_type"),
                    "violence type",
                    scope.violence_type,
                    schema.VIOLENCE_TYPES,
                )
            )

    if isinstance(c, ViolenceReduction | Contrast):
        check_span("window", c.window)
        if c.baseline.span is not None:
            check_span("baseline", c.baseline.span)
        check_scope(("scope",), c.scope)
    elif isinstance(c, NoAttacks):
        check_span("period", c.period)
        check_scope((), c)
    elif isinstance(c, Milestone | Quantity):
        check_date("due", c.due)
        if isinstance(c, Milestone):
            for j, p in enumerate(c.parties):
                if p not in party_keys:
                    problems.append(_unknown(doc, (*loc, "parties", j), "party", p, party_keys))
    return problems


def as_date(value, signed: dt.date) -> dt.date:
    return dates.resolve(value, signed)
