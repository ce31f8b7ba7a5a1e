"""A sync never stores an answer that holds one of its credentials (store/syncs.py): each answer is
checked as it arrives against the secrets the pull knows then, and the whole archive again when the
pull learnt a secret later (a token issued during the sync, or a pull that names its secrets only
when its pages end). Either way the store is left as it was."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from peacewatch.errors import SyncError
from peacewatch.sources.acled import api_plan
from peacewatch.store import Store
from peacewatch.sync.acled import COLUMNS
from peacewatch.sync.pages import Page, Pull, text_table

SECRET = "tok-9Qx!secret"


def _record(i: int) -> dict[str, str]:
    return {c: "" for c in COLUMNS} | {
        "event_id_cnty": f"AFG{i}",
        "event_date": "2020-03-01",
        "year": "2020",
        "event_type": "Battles",
        "sub_event_type": "Armed clash",
        "actor1": "Taliban",
        "country": "Afghanistan",
        "iso": "4",
        "fatalities": "1",
        "timestamp": str(1_700_000_000 + i),
    }


def _pull(echo_on: int | None, *, secrets_at_end: bool) -> Pull:
    pull = Pull(
        source="acled",
        dataset_id="acled-api-afghanistan",
        filters={"countries": ["Afghanistan"]},
        service="http://127.0.0.1:1/api/acled/read",
        pages=(),
        accessed_at=datetime(2026, 12, 7, tzinfo=UTC),
        secrets=() if secrets_at_end else (SECRET,),
    )

    def pages():
        for n in range(1, 4):
            records = [_record(10 * n + k) for k in range(3)]
            doc = {"data": records}
            if n == echo_on:
                doc["debug"] = {"your_token": SECRET}  # a service echoing the credential back
            body = json.dumps(doc).encode()
            yield Page(
                request=f"GET {pull.service}?page={n}", body=body, plan=api_plan(text_table(records, COLUMNS))
            )
        pull.cursor = {"timestamp": 1_700_000_033}
        if secrets_at_end:
            pull.secrets = (SECRET,)

    pull.pages = pages()
    return pull


@pytest.mark.parametrize("secrets_at_end", [False, True], ids=["known-from-the-start", "named-at-the-end"])
def test_an_answer_holding_a_credential_is_refused_and_nothing_is_kept(tmp_path, secrets_at_end):
    store = Store(tmp_path / "s")
    store.sync(_pull(None, secrets_at_end=secrets_at_end))  # a first sync, clean
    before = store.snapshot
    archived = sorted((tmp_path / "s" / "archive").rglob("*"))
    with pytest.raises(SyncError, match=r"\(page-00002\) holds one of the sync's credentials"):
        store.sync(_pull(2, secrets_at_end=secrets_at_end))
    assert Store(tmp_path / "s").snapshot == before
    assert sorted((tmp_path / "s" / "archive").rglob("*")) == archived  # the answers were not archived


def test_a_clean_pull_whose_secrets_come_at_the_end_is_applied(tmp_path):
    report = Store(tmp_path / "s").sync(_pull(None, secrets_at_end=True))
    assert (report.added, report.pages) == (9, 3)
