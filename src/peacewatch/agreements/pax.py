"""A skeleton agreement.yaml from one row of the PA-X Peace Agreements Database.

PA-X (Bell, C. & Badanjak, S. (2019) 'Introducing PA-X: A new peace agreement database and dataset',
Journal of Peace Research 56(3)) codes *which* provisions an agreement contains, at levels 1-3, but not
their wording nor who is bound by them. So the skeleton has the agreement's title, date and parties, and
one commitment of kind ``stub`` per provision category coded present; a person then quotes each clause
and gives it a testable kind (docs/agreement-format.md). ``peacewatch evaluate`` refuses stubs.

The CSV is read with the standard library: the all-agreements export has 1,868 rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import gzip
import hashlib
import io
import json
import math
import re
import textwrap
import unicodedata
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from peacewatch.errors import PeacewatchError, SourceError

PAX_CITATION = (
    "Bell, C. & Badanjak, S. (2019) 'Introducing PA-X: A new peace agreement database and dataset', "
    "Journal of Peace Research 56(3)"
)
REQUIRED = ("AgtId", "Agt", "Dat")

# Columns that describe the agreement rather than code a provision. ImSrc is here too: it is 1 in all
# 1,868 rows of the export (PA-X labels it "Source", the provenance of the text), so it says nothing
# about what an agreement provides.
METADATA = frozenset({
    "Con", "Contp", "PP", "PPName", "PP_name", "Reg", "AgtId", "Ver", "Agt", "Dat", "Year", "Status", "Lgt",
    "N_characters", "Agtp", "Stage", "StageSub", "Part", "ThrdPart", "OthAgr", "Loc1ISO", "Loc2ISO",
    "Loc1GWNO", "Loc2GWNO", "UcdpCon", "UcdpAgr", "PamAgr", "CowWar", "ImSrc",
})  # fmt: skip

_G = {"Rhet": "rhetorical", "Antid": "anti-discrimination", "Subs": "substantive", "Oth": "other"}


def _groups(prefix: str, *suffixes: str) -> dict[str, str]:
    return {prefix + s: _G[s] for s in suffixes or _G}


# The PA-X codebook: a category (its umbrella variable) -> (label, its sub-variables and their labels).
# Labels follow the codebook headings, shortened. Umbrella variables are 0 whenever all their
# sub-variables are 0 (checked on the 1,868 rows), so one stub per umbrella covers its sub-variables.
CODEBOOK: dict[str, tuple[str, dict[str, str]]] = {
    "GCh": ("children and youth", _groups("GCh")),
    "GDis": ("disabled persons", _groups("GDis")),
    "GAge": ("elderly and age", _groups("GAge")),
    "GMig": ("migrant workers", _groups("GMig")),
    "GRa": ("racial, ethnic and national groups", _groups("GRa")),
    "GRe": ("religious groups", _groups("GRe")),
    "GInd": ("indigenous people", _groups("GInd")),
    "GOth": ("other groups", _groups("GOth")),
    "GRef": ("refugees and displaced persons", _groups("GRef", "Rhet", "Subs", "Oth")),
    "GSoc": ("social class", _groups("GSoc")),
    "GeWom": ("women, girls and gender", {}),
    "GeMe": ("men and boys", {"GeMeNu": "gender-neutral wording", "GeMeOth": "other"}),
    "GeSo": ("sexual orientation", {}),
    "GeLgbti": ("LGBTI", {"GeLgbtiPos": "positive reference", "GeLgbtiNeg": "negative reference"}),
    "GeFa": ("family", {}),
    "StDef": ("state definition", {
        "StGen": "nature of the state, general", "StCon": "state configuration",
        "StSd": "self-determination", "StRef": "referendum", "StSym": "state symbols",
        "StInd": "independence or secession", "StUni": "accession or unification",
        "StBor": "border delimitation", "StXbor": "cross-border provision"}),
    "Pol": ("political institutions", {
        "PolGen": "general references", "PolNewInd": "new political institutions",
        "PolNewTemp": "temporary institutional arrangement"}),
    "ConRen": ("constitutional affirmation or renewal", {}),
    "Cons": ("constitutional reform or making", {}),
    "Ele": ("elections", {}),
    "ElecComm": ("electoral commission", {}),
    "PolPar": ("political parties reform", {
        "PolParTrans": "rebels becoming political parties", "PolParOth": "other party reform"}),
    "Civso": ("civil society", {}),
    "Tral": ("traditional and religious leaders", {}),
    "Pubad": ("public administration", {}),
    "Polps": ("political power sharing", {
        "PpsSt": "state level", "PpsSub": "sub-state level", "PpsEx": "executive coalition",
        "PpsOro": "proportionality in the legislature", "PpsOthPr": "other proportionality",
        "PpsVet": "veto or communal majority", "PpsAut": "segmental autonomy",
        "PpsInt": "international involvement", "PpsOth": "other"}),
    "Terps": ("territorial power sharing", {
        "TpsSub": "federal or similar", "TpsLoc": "local or municipal", "TpsAut": "autonomy",
        "TpsOth": "other"}),
    "Eps": ("economic power sharing", {
        "EpsRes": "sharing of resources", "EpsFis": "fiscal federalism", "EpsOth": "other"}),
    "Mps": ("military power sharing", {
        "MpsMe": "merger of forces", "MpsJt": "joint command structure", "MpsPro": "proportionality",
        "MpsOth": "other"}),
    "HrGen": ("human rights and rule of law", {}),
    "EqGen": ("equality", {}),
    "HrDem": ("democracy", {}),
    "Prot": ("protection measures", {
        "ProtCiv": "protection of civilians", "ProtGrp": "protection of groups",
        "ProtLgl": "rights and legal frameworks", "ProtOth": "other"}),
    "HrFra": ("human rights framework", {
        "HrfSp": "isolated rights", "HrfBor": "bill of rights", "HrfTinc": "treaty incorporation",
        "HrfOth": "other"}),
    "HrCp": ("civil and political rights", {
        "CprLife": "life", "CprTort": "torture", "CprEq": "equality", "CprSlav": "slavery",
        "CprLib": "liberty and security of person", "CprDet": "humane treatment in detention",
        "CprFmov": "freedom of movement", "CprFspe": "freedom of speech",
        "CprFass": "freedom of association", "CprTria": "fair trial", "CprPriv": "privacy and family",
        "CprVote": "vote and take part", "CprReli": "thought, conscience and religion", "CprOth": "other"}),
    "HrSec": ("socio-economic rights", {
        "SerProp": "property", "SerWork": "work", "SerHeal": "health", "SerEdu": "education",
        "SerStdl": "standard of living", "SerShel": "shelter and housing", "SerSs": "social security",
        "SerCult": "cultural life", "SerOth": "other"}),
    "HrNi": ("national human rights institution", {
        "HrNiMe": "mention", "HrNiNe": "new or revised institution", "HrNiOth": "other"}),
    "HrIi": ("regional or international human rights institutions", {
        "HrIiMon": "monitoring", "HrIiBod": "body tasked", "HrIiOth": "other"}),
    "HrMob": ("mobility and access", {}),
    "HrDet": ("detention procedures", {}),
    "Med": ("media and communication", {
        "MedGov": "governance of media", "MedSubs": "media roles", "MedLog": "media logistics",
        "MedOth": "other"}),
    "HrCit": ("citizenship", {
        "CitGen": "general", "CitRights": "specific rights", "CitDef": "delimitation", "CitOth": "other"}),
    "JusCr": ("criminal justice and emergency law", {
        "JusCrSp": "reform of specific laws", "JusCrSys": "criminal justice system reform",
        "JusCrPow": "delimitation of powers"}),
    "JusEm": ("state of emergency provisions", {}),
    "JusJu": ("judiciary and courts", {}),
    "JusPri": ("prisons and detention", {}),
    "JusTra": ("traditional and religious laws", {}),
    "Dev": ("development and socio-economic reconstruction", {
        "DevSoc": "development", "DevHum": "humanitarian assistance",
        "DevInfra": "infrastructure and reconstruction"}),
    "NEC": ("national economic plan", {}),
    "NatRes": ("natural resources", {}),
    "IntFu": ("international funds", {}),
    "Bus": ("business", {}),
    "Tax": ("taxation", {"TaxPo": "power to tax", "TaxRef": "reform of taxation", "TaxOth": "other"}),
    "Ban": ("banks", {
        "CenBan": "central bank", "BanPers": "personal or commercial banking",
        "BanInt": "international finance", "BanXb": "cross-border financial flows"}),
    "LaRef": ("land reform and rights", {
        "LaRefMan": "reform and management", "LaRefRet": "property return and restitution",
        "LaRefOth": "other"}),
    "LaNom": ("pastoralist and nomadic rights", {}),
    "LaCH": ("cultural heritage", {
        "LaCHTa": "tangible", "LaCHIt": "intangible", "LaCHPro": "promotion", "LaCHOth": "other"}),
    "LaEn": ("environment", {}),
    "Wat": ("water and riparian rights", {}),
    "SsrGua": ("security guarantees", {}),
    "Ce": ("ceasefire", {"CeProv": "ceasefire provisions", "CeGen": "general references to ceasefire"}),
    "SsrPol": ("police", {}),
    "SsrArm": ("armed forces", {}),
    "SsrDdr": ("DDR", {"DdrDemil": "demilitarisation", "DdrProg": "DDR programme"}),
    "SsrInt": ("intelligence services", {}),
    "SsrPsf": ("rebel, opposition and para-statal forces", {}),
    "SsrFf": ("withdrawal of foreign forces", {}),
    "Cor": ("corruption", {}),
    "SsrCrOcr": ("crime and organised crime", {}),
    "SsrDrugs": ("drugs", {}),
    "Terr": ("terrorism", {}),
    "TjGen": ("transitional justice, general", {}),
    "TjAm": ("amnesty and pardon", {
        "TjAmPro": "amnesty proper", "TjSan": "relief of other sanctions", "TjPower": "power to amnesty",
        "TjAmBan": "amnesty prohibition"}),
    "TjCou": ("courts", {"TjJaNc": "national courts", "TjJaIc": "international courts"}),
    "TjMech": ("transitional justice mechanism", {}),
    "TjPrire": ("prisoner release", {}),
    "TjVet": ("vetting", {}),
    "TjVic": ("victims", {}),
    "TjMis": ("missing persons", {}),
    "TjRep": ("reparations", {"TjRSym": "symbolic", "TjRMa": "material"}),
    "TjNR": ("reconciliation", {}),
    "ImUN": ("UN signatory", {}),
    "ImOth": ("other international signatory", {}),
    "ImRef": ("referendum on the agreement", {}),
    "ImPK": ("international mission or force", {}),
    "ImE": ("enforcement mechanism", {}),
}  # fmt: skip
_PARENT = {sub: head for head, (_, subs) in CODEBOOK.items() for sub in subs}

_VR = "violence_reduction (scope, window, baseline, target)"
_NA = "no_attacks (perpetrators, targets, period, tolerance)"
_MS = "milestone (due, satisfied_by)"
_QT = "quantity (metric, comparator, value, due)"
# The testable kinds that usually fit a category; any other category gets milestone or quantity.
KIND_HINTS: dict[str, tuple[str, ...]] = {
    "Ce": (_VR, _NA),
    "Prot": (_VR, _NA),
    "SsrPsf": (_NA, _VR),
    "Terr": (_NA, _MS),
    "SsrFf": (_QT, _MS),
    "TjPrire": (_QT, _MS),
    "SsrArm": (_QT, _MS),
    "SsrDdr": (_QT, _MS),
    "GRef": (_QT, _MS),
}


@dataclass(frozen=True)
class Provision:
    """One provision category coded present: its umbrella variable, level and sub-variables present."""

    variable: str
    category: str
    value: int | float
    parts: tuple[tuple[str, str, int | float], ...] = ()  # (variable, label, value)


@dataclass(frozen=True)
class Skeleton:
    """The agreement as plain data (what ``yaml.safe_load`` gives back) and as commented YAML text."""

    data: dict
    text: str
    path: Path | None = None

    @property
    def parties(self) -> int:
        return len(self.data["parties"])

    @property
    def stubs(self) -> int:
        return sum(c["kind"] == "stub" for c in self.data["commitments"])


def read_pax(path: str | Path) -> list[dict[str, str]]:
    """The rows of a PA-X agreements CSV (.csv or .csv.gz), checking for the AgtId, Agt and Dat columns.

    >>> len(read_pax("pax_peace_agreements/pax_afghanistan_agreements.csv"))  # doctest: +SKIP
    24
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as exc:
        raise SourceError(f"{path}: cannot read the PA-X file ({exc}).", hint="Check --pax-file.") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # older PA-X exports from Excel
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip().lstrip("\ufeff") for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        found = ", ".join(header[:12]) + (f", ... ({len(header)} columns)" if len(header) > 12 else "")
        raise SourceError(
            f"{path}: not a PA-X agreements table: expected the columns AgtId, Agt and Dat, "
            f"missing {', '.join(missing)}; found {found or 'no header'}.",
            hint="Give the PA-X all-agreements CSV (pax_all_agreements_data.csv[.gz]) with --pax-file.",
        )
    reader.fieldnames = header
    return list(reader)


def find_agreement(rows: list[dict[str, str]], agtid: int | str, *, source: str = "the PA-X file") -> dict:
    """The row of ``agtid``; an unknown id raises PeacewatchError naming the nearest ids and titles."""
    wanted = str(agtid).strip()
    for row in rows:
        if (row.get("AgtId") or "").strip() == wanted:
            return row
    titles = {(r.get("AgtId") or "").strip(): _clean(r.get("Agt")) for r in rows}
    if wanted.isdigit():
        ids = sorted((int(i) for i in titles if i.isdigit()), key=lambda i: (abs(i - int(wanted)), i))
        near = [str(i) for i in ids[:3]]
        what = f"AgtId {wanted} is not in {source} ({len(rows):,} agreements)."
    else:
        near = _title_matches(wanted, titles)
        what = f"{wanted!r} is not an AgtId (expected a whole number such as 2271)."
    listed = "; ".join(f"{i} {_shorten(titles[i])!r}" for i in near[:5])
    raise PeacewatchError(what, hint=f"Closest: {listed}." if listed else "No agreement title matches it.")


def _title_matches(query: str, titles: dict[str, str], n: int = 5) -> list[str]:
    """AgtIds whose titles share the most (fuzzily matched, misspelt) words with ``query``."""
    words = {i: set(re.findall(r"\w+", t.lower())) for i, t in titles.items()}
    vocabulary = sorted(set().union(*words.values()))
    wanted = [
        set(difflib.get_close_matches(w, vocabulary, n=3, cutoff=0.8)) | {w}
        for w in re.findall(r"\w+", query.lower())
        if w not in _FILLER
    ]
    score = {i: sum(bool(ws & w) for ws in wanted) for i, w in words.items()}
    ranked = sorted((i for i in score if score[i]), key=lambda i: (-score[i], len(titles[i])))
    return ranked[:n]


def provisions(row: Mapping[str, str]) -> list[Provision]:
    """Provision categories coded present (non-zero) in a PA-X row, in codebook order.

    A sub-variable counts with its umbrella category; a column the codebook does not know becomes a
    category named after the column.
    """
    out = []
    for column, raw in row.items():
        if column is None or column in METADATA or (column in _PARENT and _PARENT[column] in row):
            continue
        value = _number(raw)
        if not value:
            continue
        label, subs = CODEBOOK.get(column, (column, {}))
        if column in _PARENT:  # a sub-variable whose umbrella column is absent from this export
            label = f"{CODEBOOK[_PARENT[column]][0]}: {CODEBOOK[_PARENT[column]][1][column]}"
        parts = tuple((s, lab, v) for s, lab in subs.items() if (v := _number(row.get(s))))
        out.append(Provision(column, label, value, parts))
    return out


def split_parties(part: str) -> list[str]:
    """Party names from PA-X's free-text ``Part`` field.

    Splits on line breaks and semicolons; a single remaining name is split on " and " when a capitalised
    name follows it (so "known as the Taliban and the United States" splits but "X and its members" not).

    >>> split_parties("Government of Sudan and the Sudan Liberation Army.")
    ['Government of Sudan', 'The Sudan Liberation Army']
    >>> split_parties("United States\\r\\nIslamic Emirate of Afghanistan\\r\\n")
    ['United States', 'Islamic Emirate of Afghanistan']
    """
    pieces = [_party_name(p) for p in re.split(r"[\r\n;]+", part or "")]
    pieces = [p for p in pieces if re.search(r"[^\W\d_]", p)]
    if len(pieces) == 1:
        pieces = [_party_name(p) for p in _split_and(pieces[0])]
    out, seen = [], set()
    for p in pieces:
        if p and p.lower() not in seen:
            seen.add(p.lower())
            out.append(p)
    return out


def skeleton(row: Mapping[str, str], *, case_id: str | None = None, source: str | None = None) -> Skeleton:
    """A skeleton agreement from a PA-X row: title, date, one document, parties and one stub per provision.

    >>> row = find_agreement(read_pax(PAX_FILE), 2271)  # doctest: +SKIP
    >>> skeleton(row).data["signed"]  # doctest: +SKIP
    datetime.date(2020, 2, 29)
    """
    agtid = (row.get("AgtId") or "").strip()
    title = _clean(row.get("Agt"))
    try:
        signed = dt.date.fromisoformat((row.get("Dat") or "").strip())
    except ValueError:
        where = f"{source or 'the PA-X file'}: AgtId {agtid}: column Dat"
        raise SourceError(f"{where}: expected a date YYYY-MM-DD, found {row.get('Dat')!r}.") from None
    doc_id = f"pax-{agtid}"
    names = split_parties(row.get("Part") or "")
    keys = _unique([slug(n, sep="_", words=3) or "party" for n in names], "_")
    parties = [{"key": k, "name": n, "actors": []} for k, n in zip(keys, names, strict=True)]
    found = provisions(row)
    ids = _unique([slug(p.category, words=6) or slug(p.variable) for p in found], "-")
    commitments = [_stub(p, cid, doc_id) for p, cid in zip(found, ids, strict=True)]
    data = {
        "id": case_id or f"{slug(title, words=4) or 'pax-' + agtid}-{signed.year}",
        "title": title,
        "signed": signed,
        "documents": [
            {
                "id": doc_id,
                "title": title,
                "date": signed,
                "citation": f"PA-X AgtId {agtid}, https://pax.peaceagreements.org/agreements/{agtid}",
                "pax_agtid": int(agtid) if agtid.isdigit() else None,
            }
        ],
        "parties": parties,
        "commitments": commitments,
    }
    text = _render(data, agtid, row.get("Part") or "", found, source)
    if yaml.safe_load(text) != data:  # pragma: no cover - a bug in _render, never the user's input
        raise AssertionError("the skeleton YAML does not read back as the agreement it was made from")
    return Skeleton(data, text)


def write_skeleton(
    agtid: int | str, pax_file: str | Path, *, out: str | Path | None = None, case_id: str | None = None
) -> Skeleton:
    """Write the skeleton agreement.yaml of ``agtid`` and return it with the path written.

    ``out`` defaults to ``<case id>/agreement.yaml`` in the current folder; a folder means agreement.yaml
    inside it. An existing file is never overwritten (it may hold completed commitments).

    >>> write_skeleton(2271, PAX_FILE, out="cases/doha/agreement.yaml").stubs  # doctest: +SKIP
    8
    """
    pax_file = Path(pax_file)
    row = find_agreement(read_pax(pax_file), agtid, source=str(pax_file))
    digest = hashlib.sha256(pax_file.read_bytes()).hexdigest()
    made = skeleton(row, case_id=case_id, source=f"{pax_file.name} (sha256 {digest})")
    path = Path(out) if out is not None else Path(made.data["id"]) / "agreement.yaml"
    if path.is_dir() or str(out).endswith(("/", "\\")):
        path = path / "agreement.yaml"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as f:
            f.write(made.text)
    except FileExistsError:
        raise PeacewatchError(
            f"{path} already exists; not overwriting it.", hint="Give another --out, or move the file away."
        ) from None
    except OSError as exc:
        raise PeacewatchError(f"{path}: cannot write the skeleton ({exc}).", hint="Check --out.") from None
    return Skeleton(made.data, made.text, path)


def slug(text: str, *, sep: str = "-", words: int | None = None) -> str:
    """Lower-case ASCII words joined by ``sep``, without filler words, at most ``words`` of them.

    >>> slug("Islamic Emirate of Afghanistan which is not recognized", sep="_", words=3)
    'islamic_emirate_afghanistan'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    parts = [w for w in re.findall(r"[a-z0-9]+", ascii_text.lower()) if w not in _FILLER]
    return sep.join(parts[:words] if words else parts)


_FILLER = frozenset({
    "a", "an", "and", "as", "at", "between", "by", "concerning", "for", "from", "in", "is", "its", "of",
    "on", "or", "regarding", "the", "to", "which", "who", "with",
})  # fmt: skip
_COMPOUND = re.compile(
    r"\b(Bosnia|Trinidad|Antigua|Serbia|Sao Tome|São Tomé|Saint Kitts|Turks) and "
    r"(Herzegovina|Tobago|Barbuda|Montenegro|Principe|Príncipe|Nevis|Caicos)\b"
)


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


def _party_name(text: str) -> str:
    text = re.sub(r"[\[(]\s*(signed|illegible|sgd\.?)\s*[\])]", " ", text, flags=re.IGNORECASE)
    name = _clean(text).strip(" .,:;-–—…")
    return name[:1].upper() + name[1:]


def _wrap(text: str, width: int = 96) -> list[str]:
    return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _shorten(text: str, width: int = 70) -> str:
    return textwrap.shorten(text, width=width, placeholder="...")


def _number(raw: str | None) -> int | float:
    try:
        value = float((raw or "").strip())
    except ValueError:
        return 0  # NA, empty or text: not coded present
    if not math.isfinite(value):
        return 0
    return int(value) if value.is_integer() else value


def _unique(keys: list[str], sep: str) -> list[str]:
    out: list[str] = []
    for k in keys:
        candidate, n = k, 2
        while candidate in out:
            candidate, n = f"{k}{sep}{n}", n + 1
        out.append(candidate)
    return out


def _stub(p: Provision, cid: str, doc_id: str) -> dict:
    coded = f"{p.variable}={p.value}" + "".join(f"; {v}={x} ({lab})" for v, lab, x in p.parts)
    level = f"at level {p.value} of 3" if isinstance(p.value, int) and p.value > 1 else "as present"
    kinds = " or ".join(KIND_HINTS.get(p.variable, (_MS, _QT)))
    note = (
        f"PA-X codes {p.category} {level} ({coded}). To complete: quote the clause (text, source, "
        "verified), set party, and replace kind: stub with violence_reduction, no_attacks, milestone or "
        f"quantity and its fields; likely {kinds} (docs/agreement-format.md). Or delete this commitment "
        "if the clause promises nothing testable."
    )
    return {
        "id": cid,
        "party": None,
        "document": doc_id,
        "kind": "stub",
        "category": p.category,
        "pax_variable": p.variable,
        "pax_value": p.value,
        "text": "TODO: quote the clause",
        "verified": False,
        "note": note,
    }


def _render(data: dict, agtid: str, part: str, found: list[Provision], source: str | None) -> str:
    party_keys = [p["key"] for p in data["parties"]]
    lines = [
        f"# Generated by `peacewatch agreements from-pax {agtid}` from the PA-X Peace Agreements Database:",
        *(f"#   {w}" for w in _wrap(f"{PAX_CITATION}.", 94)),
        *(f"#   {w}" for w in _wrap(f"File: {source or 'PA-X agreements CSV'}, row AgtId {agtid}.", 94)),
        "#",
        "# INCOMPLETE: this is a skeleton. PA-X codes which provisions an agreement contains, not their",
        "# wording nor who is bound by them. `peacewatch evaluate` refuses this file until every commitment",
        "# of kind `stub` is completed or deleted:",
        "#   1. parties: check the names split from PA-X's Part field; fill in `actors` with canonical",
        "#      actor keys (`peacewatch actors` lists them).",
        "#   2. each stub: quote the clause (text, source, verified), set party, and replace `kind: stub`",
        "#      with violence_reduction, no_attacks, milestone or quantity and its fields",
        "#      (docs/agreement-format.md).",
        "#   3. write chronology.yaml beside this file.",
        f"id: {_scalar(data['id'], 0)}",
        f"title: {_scalar(data['title'], 0)}",
        f"signed: {data['signed'].isoformat()}",
        "documents:",
    ]
    for d in data["documents"]:
        lines += [
            f"  - id: {_scalar(d['id'], 4)}",
            f"    title: {_scalar(d['title'], 4)}",
            f"    date: {d['date'].isoformat()}",
            f"    citation: {_scalar(d['citation'], 4)}",
            f"    pax_agtid: {json.dumps(d['pax_agtid'])}",
        ]
    lines.append("# PA-X Part, split on line breaks, semicolons or 'and' (merge or rename as needed):")
    shown = [w for line in part.splitlines() for w in _wrap(_clean(line), 94)]
    lines += [f"#   {w}" for w in shown[:20]] + (["#   ..."] if len(shown) > 20 else [])
    lines += [] if shown else ["#   (empty)"]
    if not data["parties"]:
        lines.append("parties: []  # add the parties: key, name, actors")
    else:
        lines.append("parties:")
    for p in data["parties"]:
        lines += [
            f"  - key: {_scalar(p['key'], 4)}",
            f"    name: {_scalar(p['name'], 4)}",
            "    actors: []  # TODO: canonical actor keys (see `peacewatch actors`)",
        ]
    if not data["commitments"]:
        lines.append("commitments: []  # PA-X codes no provision for this agreement")
    else:
        lines.append("commitments:")
    bound = ", ".join(party_keys) if party_keys else "a party key"
    for c, p in zip(data["commitments"], found, strict=True):
        label = CODEBOOK.get(p.variable, (p.variable,))[0]
        coded = f"PA-X {p.variable} ({label}) = {p.value}" + "".join(
            f", {v} ({lab}) = {x}" for v, lab, x in p.parts
        )
        lines += [f"  # {w}" for w in _wrap(coded, 96)]
        lines += [
            f"  - id: {_scalar(c['id'], 4)}",
            f"    party: null  # TODO: who is bound: {bound}",
            f"    document: {_scalar(c['document'], 4)}",
            "    kind: stub",
            f"    category: {_scalar(c['category'], 4)}",
            f"    pax_variable: {_scalar(c['pax_variable'], 4)}",
            f"    pax_value: {json.dumps(c['pax_value'])}",
            f"    text: {_scalar(c['text'], 4)}",
            "    verified: false",
            f"    note: {_scalar(c['note'], 4)}",
        ]
    return "\n".join(lines) + "\n"


def _scalar(value: str, indent: int) -> str:
    """A YAML scalar that reads back as ``value``: plain when safe, folded when long, else quoted."""
    if (
        len(value) <= 90
        and re.fullmatch(r"[A-Za-z0-9][\w ,.()/-]*", value)
        and yaml.safe_load(value) == value
    ):
        return value
    if len(value) > 90:
        folded = ">-\n" + "\n".join(" " * (indent + 2) + w for w in _wrap(value))
        if yaml.safe_load("k: " + folded) == {"k": value}:
            return folded
    quoted = json.dumps(value, ensure_ascii=False)
    return quoted if yaml.safe_load(quoted) == value else json.dumps(value)
