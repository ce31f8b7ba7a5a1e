"""Agreements as data: commitments and a chronology loaded from a case folder, evaluated into
verdicts that carry their evidence (docs/agreement-format.md)."""

from peacewatch.agreements.evaluate import VERDICTS, Evaluation, Verdict, evaluate
from peacewatch.agreements.loading import Case, case_folder, case_taxonomy, load_case

__all__ = [
    "VERDICTS",
    "Case",
    "Evaluation",
    "Verdict",
    "case_folder",
    "case_taxonomy",
    "evaluate",
    "load_case",
]
