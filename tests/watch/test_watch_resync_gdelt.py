"""The watch's re-sync of a GDELT dataset: from its ``syncs`` row (filters, service, cursor) it resumes
after the last file applied, so with no new file it adds nothing and fails nothing."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "sync"))

from gdelt_service import GdeltService
from ucdpgdelt_checks import events as stored
from ucdpgdelt_checks import run

from peacewatch.store import Store
from peacewatch.watch import sources

DATASET = "gdelt-api-armenia"


def test_a_watch_resync_of_a_gdelt_dataset_resumes_after_the_last_file_and_keeps_its_events(
    httpserver, data_dir, tmp_path, capsys
):
    service = GdeltService.from_sample(data_dir)
    base = service.install(httpserver)
    store = tmp_path / "store"
    args = ["sync", "gdelt", "--base-url", base, "--store", str(store), "--since", "2020-11-13"]
    code, _, err = run(capsys, *args, "--country", "Armenia")
    assert code == 0, err
    before = stored(store, DATASET)
    cursor = Store(store).last_sync("gdelt", DATASET)["cursor"]

    summaries = sources.sync_datasets(Store(store), [DATASET])

    assert [(s["dataset"], s.get("error"), s["new"], s["deleted"]) for s in summaries] == [
        (DATASET, None, 0, 0)
    ]
    assert stored(store, DATASET) == before and before
    assert Store(store).last_sync("gdelt", DATASET)["cursor"] == cursor
