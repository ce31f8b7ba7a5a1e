"""A case on UCDP GED Syria 2016-2019 built in memory, for tests that need commitments of their own."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import TypeAdapter

from peacewatch.agreements.loading import Case
from peacewatch.agreements.models import Agreement, Chronology, Obligation


@pytest.fixture(scope="session")
def syria_case():
    """Build a case on UCDP GED Syria from commitment dicts (conditionals' obligations included)."""
    return _syria_case


def _syria_case(*commitments: dict) -> Case:
    agreement = Agreement.model_validate(
        {
            "id": "t",
            "title": "A test agreement on Syria",
            "signed": "2016-02-22",
            "dataset": "ucdp-ged-syria-2016-01-01-2019-11-30",
            "parties": [{"key": "government", "name": "Government", "actors": ["syrian_government"]}],
            "commitments": list(commitments),
        }
    )
    obligations = {
        c["id"]: TypeAdapter(Obligation).validate_python({**c["then"], "id": c["id"]})
        for c in commitments
        if c["kind"] == "conditional"
    }
    files = (Path("agreement.yaml"), Path("chronology.yaml"))
    return Case(Path("."), agreement, Chronology(), files, obligations)
