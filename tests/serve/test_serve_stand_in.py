"""The served case pages and the case API follow the stand-in rule of evaluate, check and brief
(agreements/standin.py): a store without the dataset afghanistan-2020 names, holding one Afghanistan
dataset, serves the case read on it, saying so."""

from __future__ import annotations

from serve_api_support import serve_client, two_release_store


def test_the_case_api_and_page_read_the_case_on_the_stand_in_and_say_so(tmp_path):
    store = two_release_store(tmp_path)  # only acled-afg, an Afghanistan dataset
    with serve_client(store, warm=False) as c:
        ev = c.get("/api/cases/afghanistan-2020/evaluate").json()
        assert ev["stand_in"]["read_on"] == "acled-afg"
        assert ev["stand_in"]["named"] == ["acled-afghanistan-2017-01-01-2026-03-13-reduced"]
        assert ev["notes"] == [ev["stand_in"]["note"]] and "accessed (ingested)" in ev["notes"][0]
        claims = c.get("/api/cases/afghanistan-2020/claims").json()
        assert claims["stand_in"] == {**ev["stand_in"], "named": claims["stand_in"]["named"]}
        assert all("Checked on acled-afg, standing in for" in x["summary"] for x in claims["claims"])
        page = c.get("/cases/afghanistan-2020")
        assert page.status_code == 200
        assert "Data read:" in page.text and "read on acled-afg (accessed (ingested)" in page.text
