"""How each data source asks to be cited, and what its terms require; printed in every brief's
"Data and methods" appendix, and, as :func:`lines`, at the top of every CSV export and in every chart.
"""

from __future__ import annotations

SOURCES = {
    "acled": {
        "name": "Armed Conflict Location & Event Data (ACLED)",
        "citation": "Raleigh, C., Linke, A., Hegre, H. and Karlsen, J. (2010). Introducing ACLED: An Armed "
        "Conflict Location and Event Dataset. Journal of Peace Research 47(5), 651-660.",
        "url": "https://acleddata.com",
        "terms": "ACLED's Terms of Use and Attribution Policy require this attribution and restrict public "
        "redistribution of its event data: publish aggregates, not ACLED rows.",
    },
    "ucdp_ged": {
        "name": "UCDP Georeferenced Event Dataset (GED), Uppsala Conflict Data Program",
        "citation": "Sundberg, R. and Melander, E. (2013). Introducing the UCDP Georeferenced Event Dataset. "
        "Journal of Peace Research 50(4), 523-532; and the release paper of the version used "
        "(e.g. Davies, Pettersson and Öberg 2023, Journal of Peace Research 60(4), for GED 23.1).",
        "url": "https://ucdp.uu.se",
        "terms": "Free to use with citation (UCDP states CC BY 4.0).",
    },
    "gdelt": {
        "name": "The GDELT Project",
        "citation": "Leetaru, K. and Schrodt, P. (2013). GDELT: Global Data on Events, Location and Tone.",
        "url": "https://www.gdeltproject.org",
        "terms": "Unrestricted use with citation. Machine-coded from news: rows count reports, not verified "
        "events.",
    },
    "gtd": {
        "name": "Global Terrorism Database (GTD), START, University of Maryland",
        "citation": "National Consortium for the Study of Terrorism and Responses to Terrorism (START). "
        "Global Terrorism Database.",
        "url": "https://www.start.umd.edu/gtd",
        "terms": "Non-commercial use with citation; START does not permit redistribution of the GTD.",
    },
}


def for_source(source: str) -> dict[str, str]:
    """The attribution of a catalog source (mapped:NAME sources cite themselves through their notes)."""
    if source in SOURCES:
        return SOURCES[source]
    return {
        "name": source,
        "citation": "A table loaded through a user mapping; see the dataset's notes for its origin.",
        "url": "",
        "terms": "As set by the table's publisher.",
    }


def access(dataset: dict) -> str:
    """When and how the data of a catalog row was obtained (``peacewatch.schema.dataset_access``): the
    sync's note (service, filters, access time) for a dataset kept by `peacewatch sync`, else the
    ingest day.

    >>> access({"ingested_at": "2026-12-07T00:00:00"})
    'accessed (ingested) 2026-12-07'
    """
    from peacewatch.schema import dataset_access

    return dataset_access(dataset)


def lines(payload: dict) -> list[str]:
    """The attribution of a result (a series, compare, ... payload with ``datasets``, ``filters``,
    ``command`` and ``caveats``), as lines of plain text: the source and its citation, the dataset
    (version, sha256, the day it was ingested, which is the access date peacewatch knows), the filters,
    the change made (counted by peacewatch, with the command that reproduces it) and every caveat. CSV
    exports write them as ``#`` comment lines; charts print them under the plot.

    >>> lines({"datasets": [{"dataset_id": "d", "source": "gdelt", "version": "GDELT 2.0",
    ...   "sha256": "ab" * 32, "ingested_at": "2026-12-07T00:00:00"}], "filters": {"country": "AM"},
    ...   "command": "peacewatch series --country AM", "caveats": []})[2]
    'Filters: country=AM'
    """
    out = []
    datasets = payload.get("datasets") or []
    for source in dict.fromkeys(d["source"] for d in datasets):
        a = for_source(source)
        out.append(f"Source: {a['name']}{', ' + a['url'] if a['url'] else ''} ({a['citation']})")
    for d in datasets:
        out.append(
            f"Dataset: {d['dataset_id']} ({d.get('version') or 'version unknown'}, sha256 "
            f"{str(d.get('sha256') or '')[:12]}), {access(d)}"
        )
    if "filters" in payload:  # a figure of a brief gives its filters in its commands only
        shown = {k: v for k, v in (payload["filters"] or {}).items() if v not in (None, [], (), "")}
        out.append("Filters: " + ("; ".join(f"{k}={_value(v)}" for k, v in shown.items()) or "none"))
    if payload.get("snapshot") is not None:
        out.append(f"Read from snapshot {payload['snapshot']} of the store")
    commands = str(payload.get("command") or "").splitlines()
    if len(commands) == 1:
        out.append(f"Counted by peacewatch from the source rows; reproduce with: {commands[0]}")
    elif commands:  # a figure's total, each stacked type and its changepoints: one line each
        out.append("Counted by peacewatch from the source rows; reproduce with:")
        out += [f"  {c}" for c in commands]
    out += [f"Caveat: {c['text']}" for c in payload.get("caveats") or []]
    return out


def _value(v) -> str:
    return ",".join(str(x) for x in v) if isinstance(v, list | tuple) else str(v)


def figure_lines(figure) -> list[str]:
    """The attribution of a brief's figure (its datasets, commands and their caveats), for the comment
    lines of its CSV."""
    from peacewatch.schema import caveat_list

    datasets = [dict(d) for d in figure.datasets]
    return lines({"datasets": datasets, "command": figure.command, "caveats": caveat_list(datasets)})
