"""The parties of a PA-X agreement, from its own party field ``Part``.

``Part`` is free text copied from the signature block: sometimes a plain list ("United States\\r\\n
Islamic Emirate of Afghanistan"), often a block of headings, signatories with their titles and roles,
and the organisations they sign for, laid out in columns that the export flattens into runs of spaces
("Anti-Balaka – Mokom Branch\\xa0\\xa0 \\xa0Mr. Dieudonné NDOMATE"), with names broken across lines
("Front Démocratique du\\nPeuple Centrafricain (FDPC)"). Split naively, a title, a person and a role
become three "parties" ("His Excellency Professor Faustin Archange TOUADERA", "President of the
Central African Republic", "Head of State").

So each line is first classified: a signatory (it starts with an honorific: His Excellency, Mr.,
Professor, Gen., ...), a role (President of ..., Head of State, Minister of ..., alias ...), a heading
(Armed groups, Signatory parties, Witnesses, ...), or an organisation. Organisation lines broken
mid-name are joined back; a signatory line that carries its organisation ("Mr. Agathon Rwasa,
President of the PALIPEHUTU-FNL"; "Mr. X DJONO-AHABA Rassemblement Patriotique ...") gives that
organisation. The parties are the organisations, in order; only when the field names no organisation
at all are the signatories themselves the parties.
"""

from __future__ import annotations

import re

_HONORIFIC = re.compile(
    r"^(?:\(?signed\)?\s*(?:by\s+)?)?(?:"
    r"h\.?\s?e\.?|his[.\s]+excellency|his\s+majesty|her\s+majesty|his\s+highness|her\s+highness|her[.\s]+excellency|their\s+excellencies|excellency|"
    r"the\s+right\s+honou?rable|rt\.?\s+hon\.?|honou?rable|hon\.|"
    r"mr|mrs|ms|mme|m|dr|prof|professor|sheikh|shaikh|sheik|ambassador|amb|"
    r"general|gen|lt|lieutenant|maj|major|col|colonel|brig|brigadier|capt|captain|cdr|commander|"
    r"field\s+marshal|marshal|admiral|adm|king|queen|prince|sultan|emir|imam|bishop|archbishop|father|"
    r"reverend|rev|chief|comrade|sir|lord|lady|dame|mullah|mawlawi|maulvi|haji|ustaz"
    r")\b\.?",
    re.IGNORECASE,
)
_ROLE = re.compile(
    r"^(?:(?:the\s+)?(?:acting\s+|deputy\s+|vice[\s-]|first\s+|interim\s+|special\s+|permanent\s+|"
    r"legal\s+|chief\s+)*"
    r"(?:president|vice-president|prime\s+minister|minister|head|chair|chairman|chairperson|"
    r"secretary|secretary-general|representative|envoy|leader|commander|chief|ambassador|"
    r"spokesman|spokesperson|mediator|facilitator|negotiator|coordinator|director|governor|"
    r"member|delegate|witness|guarantor)\b|alias\b|a\.k\.a\b)",
    re.IGNORECASE,
)
_HEADING = re.compile(
    r"^(?:signed|signature[s]?|signatory\s+parties|signatories|parties|the\s+parties|armed\s+groups|"
    r"witness(?:es|ed\s+by)?|guarantors?|observers?|in\s+the\s+presence\s+of|heads?\s+of\s+delegations?\b.*|"
    r"\(?in\s+alphabetical\s+order\b.*|for\s+the\s+mediation|mediators?|facilitators?|"
    r"on\s+behalf\s+of|(?:[ivxlc]+|\d+)[.)]\s*(?:the\s+)?(?:guarantors?|witnesses|parties|signatories))\s*:?$"
    # the export's own annotations and the agreement's section numbers, not names
    r"|^(?:pages?\s+\d|not\s+signed\b|section\s+\d|\d+(?:\.\d+)+\s|annex\b).*$|^.*\s(?:are|is|were)$",
    re.IGNORECASE,
)
# The words of a signatory's role: "Commissioner for Peace and Security" names no party after "for".
_ROLE_WORDS = frozenset({
    "president", "minister", "commissioner", "secretary", "representative", "envoy", "ambassador",
    "chairman", "chair", "chairperson", "director", "governor", "delegate", "head", "leader", "commander",
    "coordinator", "mediator", "facilitator", "deputy",
})  # fmt: skip
# A line that ends like this continues on the next one ("Front Démocratique du" / "Peuple ...").
_OPEN_END = re.compile(
    r"(?:\b(?:of|the|for|and|du|de|des|la|le|les|pour|en|et|et\s+la|del|y|da|do|dos|das)|[-–,&])$",
    re.IGNORECASE,
)
_COMPOUND = re.compile(
    r"\b(Bosnia|Trinidad|Antigua|Serbia|Sao Tome|São Tomé|Saint Kitts|Turks) and "
    r"(Herzegovina|Tobago|Barbuda|Montenegro|Principe|Príncipe|Nevis|Caicos)\b"
)
# A run of spaces with a no-break space in it: two columns of the signature page side by side.
_COLUMNS = re.compile(r"[ \t]*\xa0[\xa0 \t]*[ \t\xa0][\xa0 \t]*")


def split_parties(part: str) -> list[str]:
    """Party names from PA-X's ``Part`` field (see the module docstring for the rules).

    >>> split_parties("Government of Sudan and the Sudan Liberation Army.")
    ['Government of Sudan', 'The Sudan Liberation Army']
    >>> split_parties("United States\\r\\nIslamic Emirate of Afghanistan\\r\\n")
    ['United States', 'Islamic Emirate of Afghanistan']
    >>> split_parties("Government of X\\n\\nHis Excellency Professor A B\\nPresident of X\\nHead of State")
    ['Government of X']
    """
    raw = re.split(r"[\r\n;]+|" + _COLUMNS.pattern, part or "")
    # "(Signed) Jean-Bertrand Aristide": a signature, whatever the name looks like
    signed = {_tidy(x) for x in raw if re.match(r"^\W*signed\W+\S", x, re.IGNORECASE)}
    lines = [x for x in (_tidy(x) for x in raw) if re.search(r"[^\W\d_]", x)]
    # "... for Britain / and His Excellency ... for the Argentine Republic": the "and" joins signatories
    lines = [
        re.sub(r"^and\s+(?=(?:[\w.]+\s+){0,2}[\w.]*\s*excellency|mr\b|dr\b)", "", x, flags=re.I)
        for x in lines
    ]
    if len(lines) == 1 and not _HONORIFIC.match(lines[0]):
        lines = [_capital(_tidy(p)) for p in _split_and(lines[0])]
    kinds = ["person" if x in signed and _kind(x) == "org" else _kind(x) for x in lines]
    block = "person" in kinds  # a signature block: organisations sit between signatories
    if not block:  # a plain list: "President of Sudan" is a party there, not a signatory's role
        kinds = ["org" if k == "role" else k for k in kinds]
    # "For the CNDD-FDD Movement:" headings name the parties; the signatories under them do not.
    headed = any(re.match(r"^(?:for|on\s+behalf\s+of)\s+\S", x, re.IGNORECASE) for x in lines)
    orgs: list[str] = []
    people: list[str] = []
    previous = None
    for line, kind in zip(lines, kinds, strict=True):
        if kind == "person":
            person, own = _person_and_party(line)
            people.append(person)
            if own and not headed:
                orgs.append(own)
                previous = "own"
            else:
                previous = "person"
            continue
        if kind == "org" and _ROLE.match(line) and (own := _role_party(line)):
            orgs.append(own)  # a plain list of offices: "President of the Republic of Croatia, Dr. F. T."
            previous = "own"
            continue
        if kind in ("role", "heading"):
            for_ = re.match(r"^(?:for|on\s+behalf\s+of)\s+(.+?):?$", line, re.IGNORECASE)
            if for_:
                orgs.append(_tidy(for_.group(1)))
                previous = "heading"
            else:
                previous = kind
            continue
        starts_low = line[:1].islower() or line[:1] in "(-–"
        # the second half of a name broken across lines, ending with its acronym: "Mouvement des
        # Libérateurs" / "Centrafricains pour la Justice (MLCJ)"
        acronym = (
            block and "(" not in orgs[-1] and re.search(r"\([A-Z0-9][\w -]*\)$", line) if orgs else False
        )
        joins = (
            orgs
            and previous in ("org", "own")
            and (_OPEN_END.search(orgs[-1]) or starts_low or (previous == "org" and acronym))
        )
        if joins:
            glue = "" if orgs[-1].endswith(("-", "–")) else " "
            orgs[-1] = _tidy(orgs[-1] + glue + line)
        else:
            orgs.append(line)
        previous = "org"
    # A block of signatories and their roles only: "President of the Interim Government of Liberia".
    roles = [r for line, k in zip(lines, kinds, strict=True) if k == "role" and (r := _role_party(line))]
    names = orgs or roles or people
    out, seen = [], set()
    for n in (_capital(x) for x in names):
        if n and n.lower() not in seen:
            seen.add(n.lower())
            out.append(n)
    return out


def _kind(line: str) -> str:
    if re.match(r"^(?:for|on\s+behalf\s+of)\s+\S", line, re.IGNORECASE) and line.endswith(":"):
        return "heading"
    if re.match(r"^(?:for|on\s+behalf\s+of)\s+\S", line, re.IGNORECASE):
        return "heading"  # "For the Transitional Government of Burundi": the party it names is kept
    if _HEADING.match(line):
        return "heading"
    if _HONORIFIC.match(line) and not re.match(r"^(?:m|general|chief|king|prince)\s+(?:of|de)\b", line, re.I):
        return "person"
    if _ROLE.match(line) or re.fullmatch(r"head\s+of\s+(?:state|government|delegation)", line, re.IGNORECASE):
        return "role"
    return "org"


def _person_and_party(line: str) -> tuple[str, str | None]:
    """A signatory line: the person, and the organisation it names, if any."""
    body = re.sub(r"^\(?signed\)?\s*(?:by\s+)?", "", line, flags=re.IGNORECASE).strip()
    # "..., President of the PALIPEHUTU-FNL" or "... for the Argentine Republic"
    for m in (
        re.search(r"\s+for\s+(?:the\s+)?(.+)$", body),
        re.search(r",\s*((?:[\w-]+\s+){0,4}?)(?:of|for)\s+(?:the\s+)?(.+)$", body),
    ):
        if m is None:
            continue
        before = (m.group(1) if m.lastindex == 2 else body[: m.start()]).lower().split()
        if m.lastindex == 2:  # ", <role> of X": the words before "of" must be a role
            if not before or not set(before) & _ROLE_WORDS:
                continue
        elif set(before[-2:]) & _ROLE_WORDS:  # "Commissioner for Peace": a portfolio, not a party
            continue
        own = _tidy(m.group(m.lastindex))
        if _HONORIFIC.match(own):  # "Representative of Mr. A, President of the Republic of B"
            own = _person_and_party(own)[1]
        return _tidy(body[: m.start()]), own
    # "Mr. Herbert Gotran DJONO-AHABA Rassemblement Patriotique ...": a name ends at its capitalised
    # surname; what follows, when it starts a name of its own, is the organisation.
    words = body.split()
    caps = [i for i, w in enumerate(words[:8]) if len(w.strip(",.")) > 1 and w.strip(",.").isupper()]
    if caps:
        i = caps[-1] + 1
        rest = " ".join(words[i:])
        rest = re.sub(r"^(?:alias|a\.k\.a\.?)\s+\S+?,\s*", "", rest, flags=re.IGNORECASE)
        if rest and rest[:1].isupper() and _kind(rest) == "org":
            return " ".join(words[:i]), _tidy(rest)
    return _tidy(body), None


def _role_party(line: str) -> str | None:
    """The body an office belongs to: "Head of the National Patriotic Front of Liberia (NPFL)" gives
    "National Patriotic Front of Liberia (NPFL)"; a signatory's name after a comma is dropped."""
    m = re.match(r"^(?:[\w-]+\s+){1,4}?of\s+(?:the\s+)?(.+)$", line, re.IGNORECASE)
    if not m or not set(line[: m.start(1)].lower().split()) & _ROLE_WORDS:
        return None
    body = re.split(r",\s*(?=" + _HONORIFIC.pattern.lstrip("^") + r"|[A-Z][\w.-]+\s+[A-Z])", m.group(1))[0]
    return _tidy(body) or None


def _split_and(name: str) -> list[str]:
    protected = _COMPOUND.sub(lambda m: m.group(0).replace(" and ", " \0 "), name)
    depth, cuts = 0, []
    for m in re.finditer(r"[(\[]|[)\]]|,? and (?=(?:the )?[A-Z])", protected):
        token = m.group(0)
        if token in "([":
            depth += 1
        elif token in ")]":
            depth = max(0, depth - 1)
        elif depth == 0:
            cuts.append(m.span())
    pieces, start = [], 0
    for a, b in cuts:
        pieces.append(protected[start:a])
        start = b
    pieces.append(protected[start:])
    return [p.replace(" \0 ", " and ") for p in pieces]


def _tidy(text: str) -> str:
    text = re.sub(r"[\[(]\s*(signed|illegible|sgd\.?)\s*[\])]", " ", text, flags=re.IGNORECASE)
    text = re.sub(r"^\s*[-–•*]\s+", "", text)
    return " ".join(text.split()).strip(" .,:;…[]")


def _capital(name: str) -> str:
    return name[:1].upper() + name[1:]
