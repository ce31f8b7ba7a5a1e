"""`brief --out DIR` replaces a previous brief whole: no mix of two briefs, no stale PDF, and a brief
that fails half-way (a full disk) leaves the folder as it was and nothing beside it."""

from __future__ import annotations

import errno
import json
import threading

import pytest

from peacewatch.briefs import build, render
from peacewatch.cli.app import main

SYRIA = "ucdp-ged-syria-2016-01-01-2019-11-30"


def _brief_yaml(folder, title: str, country: str = "Syria", by: str = "month"):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "brief.yaml").write_text(
        f"""title: {title}
as_of: 2019-11-30
datasets: [{SYRIA}]
sections:
  - question: How many events?
    blocks:
      - series: {{filters: {{country: {country}}}, by: {by}, from: 2016-01-01, to: 2016-12-31,
                  title: {title}}}
""",
        encoding="utf-8",
    )
    return folder / "brief.yaml"


@pytest.fixture(scope="module")
def briefs(syria_store, tmp_path_factory):
    root = tmp_path_factory.mktemp("cases")
    return {
        name: build.build(_brief_yaml(root / name, f"Brief {name}", by=by), store=syria_store)
        for name, by in (("monthly", "month"), ("weekly", "week"))
    }


def _state(out):
    return sorted(str(p.relative_to(out)) for p in out.rglob("*"))


def test_a_no_pdf_brief_removes_the_previous_brief_s_pdf_and_figures_but_not_other_files(briefs, tmp_path):
    out = tmp_path / "out"
    (out / "figures").mkdir(parents=True)
    (out / "brief.pdf").write_bytes(b"%PDF- an earlier brief")
    (out / "figures" / "old-figure.svg").write_text("<svg/>", encoding="utf-8")
    (out / "my-notes.txt").write_text("mine", encoding="utf-8")
    paths = render.write(briefs["monthly"], out, pdf=False)
    assert not (out / "brief.pdf").exists() and not (out / "figures" / "old-figure.svg").exists()
    assert (out / "my-notes.txt").read_text(encoding="utf-8") == "mine"
    assert paths["html"] == out / "brief.html" and paths["html"].exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # nothing left beside it


def test_a_full_disk_half_way_leaves_the_previous_brief_whole_and_nothing_beside_it(
    briefs, tmp_path, monkeypatch
):
    out = tmp_path / "out"
    render.write(briefs["monthly"], out, pdf=False)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    real = render.json.dumps

    def full_disk(*args, **kwargs):
        if kwargs.get("ensure_ascii") is False:  # the payload: after the figures were written
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(render.json, "dumps", full_disk)
    with pytest.raises(OSError):
        render.write(briefs["weekly"], out, pdf=False)
    monkeypatch.undo()
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_two_briefs_into_one_folder_at_once_leave_one_of_them_whole(briefs, tmp_path):
    out = tmp_path / "out"
    errors = []

    def run(name):
        try:
            render.write(briefs[name], out, pdf=False)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    for _ in range(3):
        threads = [
            threading.Thread(target=run, args=(n,)) for n in ("monthly", "weekly", "monthly", "weekly")
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        payload = json.loads((out / "brief.json").read_text(encoding="utf-8"))
        html = (out / "brief.html").read_text(encoding="utf-8")
        assert payload["title"] in html
        figures = {f["id"] for f in payload["figures"]}
        assert {p.name.split(".")[0] for p in (out / "figures").iterdir()} == figures
        table = (out / "figures" / f"{next(iter(figures))}.csv").read_text(encoding="utf-8")
        rows = len([line for line in table.splitlines() if not line.startswith("#")]) - 1  # attribution
        assert rows == (12 if payload["title"] == "Brief monthly" else len(payload["figures"][0]["data"]))
        assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_the_cli_refuses_an_out_that_is_a_file(tmp_path, capsys, syria_store):
    target = tmp_path / "taken"
    target.write_text("not a folder", encoding="utf-8")
    case = _brief_yaml(tmp_path / "case", "t")
    code = main(["brief", str(case), "--out", str(target), "--no-pdf", "--store", str(syria_store.path)])
    err = capsys.readouterr().err
    assert code == 1 and "expected a folder" in err and "Traceback" not in err
    assert target.read_text(encoding="utf-8") == "not a folder"
