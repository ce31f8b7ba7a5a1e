"""A small case on the real ACLED Afghanistan rows, and stores made of the first rows of that export up
to a day, for the watch tests (written to the test's own folder; the export itself is never copied)."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

DATASET = "acled-watch-test"
VIOLENCE = "[battle, explosion_remote_violence, violence_against_civilians]"

AGREEMENT = f"""\
id: watch-test
title: The reduction in violence of February 2020, watched
signed: 2020-02-29
dataset: {DATASET}
parties:
  - key: taliban
    name: Taliban
    actors: [taliban]
commitments:
  - id: riv
    party: taliban
    text: "a significant and nationwide reduction in violence"
    source: https://www.politico.eu/article/pompeo-announces-understanding-between-us-and-taliban/
    verified: true
    kind: violence_reduction
    scope: {{country: Afghanistan, type: {VIOLENCE}, measure: events}}
    window: 2020-02-22:2020-02-29
    baseline: {{span: 2020-02-01:2020-02-21}}
    target: significant_reduction
  - id: riv-started
    party: taliban
    text: "the reduction in violence begins"
    source: https://www.irishexaminer.com/
    verified: true
    kind: milestone
    due: 2020-02-22
    satisfied_by: riv_started
"""

CHRONOLOGY = """\
facts:
  - date: 2020-02-22
    kind: riv_started
    parties: [taliban]
    text: The reduction in violence begins at midnight into 22 February 2020.
    source: https://www.irishexaminer.com/
"""

CLAIMS = f"""\
claims:
  - id: riv-cut-violence
    text: The week of the reduction in violence cut the violence of the three weeks before.
    source: https://tech-consultingstudies.eu/2020/03/31/are-the-taliban-serious-about-peace-negotiations/
    check:
      kind: change
      filters: {{dataset: {DATASET}, country: Afghanistan, type: {VIOLENCE}}}
      window: 2020-02-22:2020-02-29
      baseline: 2020-02-01:2020-02-21
      expect: decrease
"""


def write_case(folder: Path, *, claims: bool = True) -> Path:
    """The watch-test case folder (agreement, chronology and, by default, claims)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "agreement.yaml").write_text(AGREEMENT, encoding="utf-8")
    (folder / "chronology.yaml").write_text(CHRONOLOGY, encoding="utf-8")
    if claims:
        (folder / "claims.yaml").write_text(CLAIMS, encoding="utf-8")
    return folder


def write_prefix(export: Path, out: Path, first: str, last: str) -> Path:
    """The export's rows dated ``first`` to ``last`` (ISO dates), in the export's order (it is sorted
    by date, so a shorter cut is a prefix of a longer one, as a source's earlier release would be)."""
    with (
        gzip.open(export, "rt", encoding="utf-8", newline="") as src,
        open(out, "w", encoding="utf-8", newline="") as dst,
    ):
        rows = csv.reader(src)
        w = csv.writer(dst)
        w.writerow(next(rows))
        for row in rows:
            if first <= row[3] <= last:
                w.writerow(row)
    return out
