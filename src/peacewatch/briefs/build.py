"""Build a brief's payload: every section's blocks computed from the store and the case files.

The payload (brief.json) is what the HTML and the PDF render, and what a future API would return:
one structure, with every number traceable to its datasets and to the command that reproduces it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from peacewatch import schema
from peacewatch.agreements import case_folder, case_taxonomy, evaluate, load_case, standin
from peacewatch.briefs import attribution, markdown
from peacewatch.briefs.spec import Brief, filters_from, load_brief, read_on
from peacewatch.errors import (
    AmbiguousDatasetsError,
    CaseError,
    CoverageError,
    MissingFieldError,
    PeacewatchError,
    PlaceError,
    StatisticsError,
    UnmatchedActorError,
)

# What the data cause when a figure cannot be drawn from them (not a mistake in brief.yaml).
_NO_DATA = (
    CoverageError,
    MissingFieldError,
    AmbiguousDatasetsError,
    PlaceError,
    StatisticsError,
    UnmatchedActorError,
)


@dataclass
class BuiltBrief:
    """The payload and the figures to write beside it."""

    payload: dict[str, Any]
    figures: list[Any] = field(default_factory=list)


def brief_path(case_or_brief: str | Path) -> tuple[Path, Path]:
    """(brief.yaml, case folder) from a case folder, a built-in case name, or a brief.yaml path."""
    p = Path(case_or_brief)
    if p.is_file():
        return p, p.parent
    folder = case_folder(case_or_brief)
    path = folder / "brief.yaml"
    if not path.exists():
        raise CaseError(
            f"{folder}: no brief.yaml in this case folder.",
            hint="Write one (docs/brief-format.md), or give the path of a brief.yaml.",
        )
    return path, folder


def build(
    case_or_brief: str | Path,
    *,
    store,
    taxonomy=(),
    dataset: str | None = None,
    progress=lambda message: None,
) -> BuiltBrief:
    """Compute every block of the brief. ``store`` is a peacewatch Store; ``taxonomy`` names extra
    actor taxonomy files, adopted into it with the case folder's actors.yaml. ``dataset`` (--dataset)
    replaces every dataset the case files name; without it, a dataset the store lacks is read on the
    case's stand-in when it has one (agreements/standin.py), and the brief says so."""
    from peacewatch.analysis import as_store

    path, folder = brief_path(case_or_brief)
    written = load_brief(path)
    store = as_store(store)  # one snapshot for the whole brief (after adopting the case's taxonomy)
    actors = case_taxonomy(folder, store, taxonomy)
    case = load_case(folder, taxonomy=actors) if (folder / "agreement.yaml").exists() else None
    reading = standin.reading(store, standin.case_countries(case), dataset=dataset)
    catalog = {d["dataset_id"]: d for d in store.datasets()}
    missing = [d for d in reading.datasets(written.datasets) if d not in catalog]
    if missing:
        why = reading.missing(written.datasets, "brief.yaml `datasets`")
        raise PeacewatchError(
            f"{path}: the brief measures on {', '.join(missing)}, which the store {store.path} does not "
            "hold" + (f": {why}" if why else "."),
            hint="Ingest it first (peacewatch ingest FILE), or name a dataset of the store with --dataset ID "
            "(peacewatch datasets).",
        )
    brief = read_on(written, reading.datasets)
    progress("evaluating commitments")
    # The verdicts are measured on the brief's one dataset when it names one the store holds; else on
    # the agreement's (or their stand-in: the same rule gives the same one).
    own = written.datasets[0] if len(written.datasets) == 1 and written.datasets[0] in catalog else None
    evaluation = evaluate(case, as_of=brief.as_of, store=store, dataset=dataset or own) if case else None
    claims = _claims(folder, store, brief, progress, actors, reading)
    built = BuiltBrief(payload={})
    # On data the brief was not written for (--dataset, a stand-in), a figure those data cannot draw
    # (years they do not cover, a field they lack) says so in its place; on its own data, it is the
    # brief's error to fix, and stops the build.
    lenient = bool(dataset) or reading.stand_in is not None
    sections = []
    for i, section in enumerate(brief.sections, start=1):
        progress(f"section {i} of {len(brief.sections)}: {section.question}")
        blocks = [
            _block(b, brief, evaluation, claims, store, built, f"s{i}b{j}", lenient=lenient)
            for j, b in enumerate(section.blocks, start=1)
        ]
        sections.append(
            {
                "question": section.question,
                "narrative_html": markdown.to_html(section.narrative),
                "cannot_show_html": markdown.to_html(section.cannot_show),
                "blocks": blocks,
            }
        )
    stand_in = reading.to_dict(_named(written, case))
    used = sorted(
        {ds["dataset_id"] for f in built.figures for ds in f.datasets if ds.get("dataset_id")}
        | set(brief.datasets)
    )
    built.payload = {
        "title": brief.title,
        "subtitle": brief.subtitle,
        "as_of": brief.as_of.isoformat(),
        "case": evaluation.to_dict()["agreement"] if evaluation else None,
        "sections": sections,
        "datasets": [_candidate_days(_dataset(catalog[d]), store, brief.as_of) for d in used if d in catalog],
        "stand_in": stand_in,
        "notes": [stand_in["note"]] if stand_in else [],
        "dataset": dataset,
        "figures": [_figure_payload(f) for f in built.figures],
        "snapshot": store.snapshot,
        "generated_by": "peacewatch",
    }
    return built


def _named(brief: Brief, case) -> list[str]:
    """The datasets the brief rests on as its files name them: brief.yaml's, its blocks', the
    agreement's."""
    names = list(brief.datasets)
    for section in brief.sections:
        for b in section.blocks:
            own = getattr(getattr(b, b.kind()), "filters", None) or {}
            names += (
                [own["dataset"]] if isinstance(own.get("dataset"), str) else list(own.get("dataset") or ())
            )
    names += list(standin.named_by_agreement(case)) if case else []
    return list(dict.fromkeys(names))


def _claims(folder: Path, store, brief: Brief, progress, taxonomy=None, reading=None) -> dict[str, Any]:
    if not (folder / "claims.yaml").exists():
        return {}
    from peacewatch.briefs.claims import check_claims, load_claims

    progress("checking claims")
    claims = load_claims(folder / "claims.yaml", taxonomy=taxonomy)
    return {r.id: r for r in check_claims(claims, store=store, as_of=brief.as_of, reading=reading)}


def _dataset(entry: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "dataset_id",
        "source",
        "reader",
        "version",
        "sha256",
        "path",
        "rows_ingested",
        "date_min",
        "date_max",
        "fields_missing",
        "news_derived",
        "ingested_at",
    )
    out = {k: entry.get(k) for k in keys}
    out["path"] = Path(str(out["path"])).name
    out["attribution"] = attribution.for_source(entry["source"])
    out["accessed"] = attribution.access(entry)  # ACLED's and UCDP's terms ask for the access date
    out["caveats"] = [schema.CAVEATS[k] for k in schema.dataset_caveats(entry)]
    return out


def _candidate_days(out: dict[str, Any], store, as_of) -> dict[str, Any]:
    """Which days of the brief rest on UCDP Candidate data (preliminary, until a final GED release covers
    them): the span and number of days with events in a Candidate dataset, read from its events (a sync
    deletes the ones GED supersedes: sync/ucdp.py)."""
    if schema.CAVEATS["candidate"] not in out["caveats"]:
        return out
    first, last, days = (
        store.query(
            "SELECT min(date_start), max(date_start), count(DISTINCT date_start) FROM events "
            "WHERE dataset_id = ? AND date_start <= ?",
            [out["dataset_id"], as_of],
        )
        .to_pylist()[0]
        .values()
    )
    out["candidate_days"] = (
        f"{first} to {last} ({days:,} days with events)" if days else "none up to the brief's date"
    )
    return out


def _figure_payload(figure) -> dict:
    """A figure as the payload carries it: everything but the Vega-Lite spec, which is in figures/."""
    d = figure.to_dict()
    d.pop("spec", None)
    d["files"] = {ext: f"figures/{figure.id}.{ext}" for ext in ("svg", "vl.json", "csv")}
    return d


def _block(
    b,
    brief: Brief,
    evaluation,
    claims: dict,
    store,
    built: BuiltBrief,
    block_id: str,
    base_dir: Path | None = None,
    *,
    lenient: bool = False,
) -> dict:
    kind = b.kind()
    if kind == "verdicts":
        if evaluation is None:
            raise CaseError("a verdicts block needs agreement.yaml in the case folder.")
        rows = [v.to_dict() for v in evaluation.verdicts if b.verdicts == "all" or v.id in b.verdicts]
        return {"kind": "verdicts", "rows": [_verdict_row(r) for r in rows]}
    if kind == "claims":
        rows = [r.to_dict() for cid, r in claims.items() if b.claims == "all" or cid in b.claims]
        return {"kind": "claims", "rows": rows}
    if kind == "evidence":
        facts = []
        for cid in b.evidence:
            v = next((v for v in evaluation.verdicts if v.id == cid), None) if evaluation else None
            for fact in v.evidence.get("facts", []) if v else []:
                facts.append({"commitment": cid, **fact})
        return {"kind": "evidence", "rows": facts}
    if kind == "compare":
        return _compare_block(b.compare, brief, store)
    if kind == "events":
        return _events_block(b.events, brief, store)
    if kind in ("series", "map", "points"):
        from peacewatch.briefs import figures

        try:
            figure = figures.make(kind, getattr(b, kind), brief, store, block_id, base_dir=base_dir)
        except _NO_DATA as exc:
            if not lenient:
                raise
            return {
                "kind": "unavailable",
                "title": getattr(b, kind).title,
                "sentence": f"The data read cannot show this figure: {exc.message}",
            }
        built.figures.append(figure)
        return {"kind": "figure", "figure": _figure_payload(figure)}
    raise CaseError(f"unknown block kind {kind!r}")  # pragma: no cover - spec.Block guards this


def _verdict_row(r: dict) -> dict:
    ev = r["evidence"]
    return {
        "id": r["id"],
        "party": r["party"],
        "kind": r["kind"],
        "verdict": r["verdict"],
        "days_late": r["days_late"],
        "summary": r["summary"],
        "imprecise": r.get("imprecise"),
        "note": ev.get("note"),
        "text": ev.get("text"),
        "source": ev.get("source"),
        "verified": ev.get("verified", True),
        "command": ev.get("command"),
    }


def _scope_words(f) -> str:
    """The opening of a compare block's sentence: "In Marib, Yemen (battle events), f" naming the
    filters' places, actors and event types, or "F" when it has none.

    >>> from peacewatch.indicators.filters import Filters
    >>> _scope_words(Filters(country="Yemen", admin1="Marib+Sadah", types=("battle",), actor="houthis"))
    'In Marib or Sadah, Yemen (battle events involving houthis), f'
    >>> _scope_words(Filters())
    'F'
    """
    places = ", ".join(" or ".join(x.split("+")) for x in (f.admin2, f.admin1, f.country) if x)
    what = []
    if f.types:
        what.append(f"{' and '.join(f.types)} events")
    if f.actor or f.actor1 or f.actor2:
        what.append("involving " + " and ".join(a for a in (f.actor, f.actor1, f.actor2) if a))
    if f.dyad:
        what.append(f"between {f.dyad[0]} and {f.dyad[1]}")
    detail = f" ({' '.join(what)})" if what else ""
    if not places and not detail:
        return "F"
    return f"In {places or 'the data'}{detail}, f"


def _compare_block(c, brief: Brief, store) -> dict:
    from peacewatch import analysis

    f = filters_from(c.filters, brief.datasets)
    try:
        d = analysis.compare(
            f, window=c.window, baseline=c.baseline, measure=c.measure, store=store
        ).to_dict()
    except PeacewatchError as exc:
        return {
            "kind": "compare",
            "title": c.title,
            "sentence": f"The data cannot tell: {exc}",
            "result": None,
        }
    w, base = d["window"], d["baseline"]
    direction = "fewer" if d["rate_ratio"] < 1 else "more"
    # The sentence stands alone under a heading that may not say what it counts: it names its
    # places, actors and event types, and rates to 3 significant digits (0.081 and 0.23, not 0.1 and
    # 0.2 beside "65% fewer").
    sentence = (
        f"{_scope_words(f)}rom {w['start']} to {w['end']} there were {w['rate']:.3g} {c.measure} a day "
        f"against {base['rate']:.3g} from {base['start']} to {base['end']}: {abs(d['percent_change']):.0f}% "
        f"{direction} (rate ratio {d['rate_ratio']:.2f}, 95% interval {d['ci_low']:.2f} to "
        f"{d['ci_high']:.2f})."
    )
    if d.get("imprecise"):
        sentence += " " + d["imprecise"]["note"]
    return {"kind": "compare", "title": c.title, "sentence": sentence, "result": d, "command": d["command"]}


def _events_block(e, brief: Brief, store) -> dict:
    from peacewatch import analysis

    f = filters_from(e.filters, brief.datasets, as_of=brief.as_of)
    table = analysis.events(f, store=store, limit=e.limit)
    keep = ("event_id", "date_start", "event_type", "admin1", "actor1", "actor2", "fatalities_best", "notes")
    rows = [{k: r.get(k) for k in keep} for r in table.to_pylist()]
    for r in rows:
        r["date_start"] = r["date_start"].isoformat() if r["date_start"] else None
    return {
        "kind": "events",
        "title": e.title,
        "rows": rows,
        "command": f"peacewatch events {analysis.reproduce_flags(f, store)} --limit {e.limit}",
    }
