"""How each data source asks to be cited, and what its terms require; printed in every brief's
"Data and methods" appendix."""

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
