"""A skeleton agreement.yaml from one row of the PA-X Peace Agreements Database.

PA-X (Bell, C. & Badanjak, S. (2019) 'Introducing PA-X: A new peace agreement database and dataset',
Journal of Peace Research 56(3)) codes *which* provisions an agreement contains, at levels 1-3, but not
their wording nor who is bound by them. So the skeleton has the agreement's title, date and parties, and
one commitment of kind ``stub`` per provision category coded present; a person then quotes each clause
and gives it a testable kind (docs/agreement-format.md). ``peacewatch evaluate`` refuses stubs.

The CSV is read with the standard library: the all-agreements export has 1,868 rows. The codebook is
data, in pax_codebook.yaml (read by pax_codebook.py).
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import gzip
import hashlib
import io
import json
import re
import textwrap
import unicodedata
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from peacewatch.agreements.pax_codebook import Provision, codebook, provisions
from peacewatch.agreements.pax_parties import split_parties
from peacewatch.errors import PeacewatchError, SourceError

PAX_CITATION = (
    "Bell, C. & Badanjak, S. (2019) 'Introducing PA-X: A new peace agreement database and dataset', "
    "Journal of Peace Research 56(3)"
)
REQUIRED = ("AgtId", "Agt", "Dat")
# A case id names a folder (the default --out is <case id>/agreement.yaml): one path segment of lower-case
# letters, digits, '-' and '_' (as claim ids and the slugs made here), never '..', '/' or a hidden name.
CASE_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,99}")

# The codebook is data (pax_codebook.yaml), read once; these are its values under their old names.
CODEBOOK: dict[str, tuple[str, dict[str, str]]] = codebook().categories
METADATA: frozenset[str] = codebook().metadata
KIND_HINTS: dict[str, tuple[str, ...]] = codebook().kind_hints
_DEFAULT_KINDS = codebook().default_kinds  # for a category without hints
_PARENT = codebook().parent  # sub-variable -> its umbrella variable


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
    try:
        return list(reader)
    except csv.Error as exc:  # a field over the csv module's limit (131,072 characters), a NUL byte
        raise SourceError(
            f"{path}:{reader.line_num}: not a PA-X agreements table there: {exc}.",
            hint="Check --pax-file: give the PA-X all-agreements CSV as downloaded.",
        ) from None


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


def skeleton(row: Mapping[str, str], *, case_id: str | None = None, source: str | None = None) -> Skeleton:
    """A skeleton agreement from a PA-X row: title, date, one document, parties and one stub per provision.

    >>> row = find_agreement(read_pax(PAX_FILE), 2271)  # doctest: +SKIP
    >>> skeleton(row).data["signed"]  # doctest: +SKIP
    datetime.date(2020, 2, 29)
    """
    if case_id is not None:
        check_case_id(case_id)
    agtid = (row.get("AgtId") or "").strip()
    title = _clean(row.get("Agt"))
    try:
        signed = dt.date.fromisoformat((row.get("Dat") or "").strip())
    except ValueError:
        where = f"{source or 'the PA-X file'}: AgtId {agtid}: column Dat"
        raise SourceError(f"{where}: expected a date YYYY-MM-DD, found {row.get('Dat')!r}.") from None
    doc_id = f"pax-{agtid}"
    names = split_parties(row.get("Part") or "")
    # A name ending in its acronym gives the acronym as key: "Front Populaire pour la Renaissance de la
    # Centrafrique (FPRC)" -> fprc.
    short = [m.group(1) if (m := re.search(r"\(([^\W_][\w -]{0,15})\)$", n)) else n for n in names]
    keys = _unique([slug(n, sep="_", words=3) or "party" for n in short], "_")
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


def check_case_id(case_id: str, flag: str = "--case-id") -> str:
    """``case_id`` when it is one safe folder name, else a PeacewatchError naming the rule.

    >>> check_case_id("doha-2020")
    'doha-2020'
    """
    if not CASE_ID.fullmatch(case_id):
        raise PeacewatchError(
            f"{flag} {case_id!r}: expected an id of lower-case letters, digits, '-' and '_' "
            "(at most 100, starting with a letter or digit), such as doha-2020.",
            hint="The id names the case folder, so it cannot hold '/', '..' or spaces.",
        )
    return case_id


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
    # The id came checked from skeleton(); a default id is a slug, which the same rule holds.
    path = (
        Path(out) if out is not None else Path(check_case_id(made.data["id"], "case id")) / "agreement.yaml"
    )
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


def _wrap(text: str, width: int = 96) -> list[str]:
    return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _shorten(text: str, width: int = 70) -> str:
    return textwrap.shorten(text, width=width, placeholder="...")


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
    kinds = " or ".join(KIND_HINTS.get(p.variable, _DEFAULT_KINDS))
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
        "#   1. parties: check the names read from PA-X's Part field; fill in `actors` with canonical",
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
    lines.append(
        "# PA-X Part (the parties below are the organisations it names; signatories, their titles and"
    )
    lines.append("# roles are left out: check, merge or rename as needed):")
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
