"""--cases FOLDER offers the user's own cases beside the built-in ones; --warm evaluates them all at
start-up, so that the first request for a case's verdicts is served from the cache."""

from __future__ import annotations

import shutil

from serve_api_support import assert_problem, serve_client, two_release_store

from peacewatch.agreements.loading import BUILTIN


def test_user_cases_are_listed_evaluated_and_warmed(tmp_path):
    store = two_release_store(tmp_path)
    cases = tmp_path / "cases"
    shutil.copytree(BUILTIN / "afghanistan-2020", cases / "my-doha")
    with serve_client(store, cases=cases, warm=True) as c:
        listed = {x["name"]: x for x in c.get("/api/cases").json()}
        assert listed["my-doha"]["builtin"] is False and listed["afghanistan-2020"]["builtin"] is True
        reader = c.app.state.reader
        hits = reader.hits
        r = c.get("/api/cases/my-doha/evaluate")
        assert r.status_code == 200 and reader.hits == hits + 1  # computed at start-up
        assert {v["id"] for v in r.json()["commitments"]} >= {"riv", "talks-start"}
        assert_problem(c.get("/api/cases/my-dohaa/evaluate"), 404, "unknown-case")
