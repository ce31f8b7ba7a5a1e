"""The new user's path, with a local ACLED service on loopback standing in for acleddata.com:
`peacewatch sync acled --country Afghanistan`, then `peacewatch watch afghanistan-2020 --dataset
acled-api-afghanistan --once`, which syncs again, prints the sync summary and the alerts, and leaves no
secret anywhere."""

from __future__ import annotations

import json
import re
import sys
from datetime import date
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sync"))
from acled_service import EMAIL, PASSWORD, FakeAcled, assert_no_secret, make_events

from peacewatch.cli.app import main

DATASET = "acled-api-afghanistan"


@pytest.fixture
def user(tmp_path, monkeypatch, httpserver):
    """A user with ACLED credentials in the environment, an empty store, and the service."""
    monkeypatch.setenv("ACLED_EMAIL", EMAIL)
    monkeypatch.setenv("ACLED_PASSWORD", PASSWORD)
    monkeypatch.setenv("PEACEWATCH_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("PEACEWATCH_KEYRING", "0")
    monkeypatch.delenv("PEACEWATCH_WEBHOOK", raising=False)
    # Two years of events, 2019-2020: the reduction in violence of February 2020 inside them.
    fake = FakeAcled(httpserver, make_events(3000, start=date(2019, 1, 1), days=730))
    return fake, tmp_path / "store"


def _run(capsys, *args) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_sync_then_watch_prints_the_sync_summary_and_the_alerts(user, capsys):
    fake, store = user
    code, out, err = _run(
        capsys,
        "sync",
        "acled",
        "--country",
        "Afghanistan",
        "--base-url",
        fake.base_url,
        "--store",
        str(store),
    )
    assert code == 0, err
    assert f"{DATASET}: 3,000 new" in out
    # A week of heavy fighting reported after the first sync: 150 events, 21 to 27 December 2020.
    fake.add(make_events(150, prefix="AFGS", seed=2, start=date(2020, 12, 21), days=7))
    watch = ["watch", "afghanistan-2020", "--dataset", DATASET, "--once", "--store", str(store)]
    code, out, err = _run(capsys, *watch)
    assert code == 0, err
    assert f"synced {DATASET}: 150 new, 0 changed, 0 deleted" in out
    assert "first run: baseline recorded" in out
    # The table wraps its cells at the terminal's width: read its text without the borders.
    words = " ".join(re.sub("[│┃]", " ", out).split())
    assert "violence_change" in words and "the week 2020-12-21 to 2020-12-27" in words
    # The parties are watched too: the service's events name their actors. (How many of the week's
    # synthetic events name the Taliban depends on the fake service's random actors: not pinned.)
    taliban = re.search(r"party taliban: (\d+) events in the week 2020-12-21", words)
    week = re.search(r"Afghanistan: (\d+) events in the week 2020-12-21", words)
    assert taliban and week and 0 < int(taliban.group(1)) <= int(week.group(1))

    code, out2, err2 = _run(capsys, *watch, "--json")
    assert code == 0, err2
    run = json.loads(out2)
    assert run["synced"][0]["new"] == 0 and run["alerts"] == []
    assert run["cases"][0]["first_run"] is False and run["cases"][0]["dataset"] == DATASET
    assert_no_secret([PASSWORD], folders=[store], texts=[out, err, out2, err2])


def test_a_sync_that_fails_is_a_warning_and_the_cases_are_watched_all_the_same(user, capsys):
    fake, store = user
    code, _, err = _run(
        capsys,
        "sync",
        "acled",
        "--country",
        "Afghanistan",
        "--base-url",
        fake.base_url,
        "--store",
        str(store),
    )
    assert code == 0, err
    fake.no_rights = True  # the account lost its data rights since
    watch = ["watch", "afghanistan-2020", "--dataset", DATASET, "--store", str(store)]
    code, out, err = _run(capsys, *watch)
    assert code == 0
    assert f"warning: sync of {DATASET} (acled) failed" in err
    assert "first run: baseline recorded" in out
    code, _, err = _run(capsys, *watch, "--strict")
    assert code == 3
    assert_no_secret([PASSWORD], folders=[store], texts=[out, err])
