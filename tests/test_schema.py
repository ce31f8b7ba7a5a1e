"""docs/schema.md documents exactly the columns that schema.py defines."""

from __future__ import annotations

import re
from pathlib import Path

from peacewatch import schema

DOC = Path(__file__).resolve().parents[1] / "docs" / "schema.md"


def test_schema_doc_lists_every_column_of_every_table_in_order():
    text = DOC.read_text(encoding="utf-8")
    for table, columns in schema.TABLES.items():
        section = text.split(f"## `{table}`", 1)[1].split("\n## ", 1)[0]
        documented = re.findall(r"^\| `([a-z0-9_]+)` \| ([A-Z\[\]]+) \|", section, flags=re.M)
        assert documented == [(c.name, c.type) for c in columns], table


def test_vocabularies_are_documented():
    text = DOC.read_text(encoding="utf-8")
    for value in (*schema.EVENT_TYPES, *schema.VIOLENCE_TYPES, *schema.DATE_PRECISIONS):
        assert f"`{value}`" in text
