"""examples/notebooks/reduction-in-violence.ipynb runs top to bottom in a fresh kernel (nbclient and
ipykernel) against the shared data, ingesting the reduced ACLED Afghanistan export inside the notebook,
and prints the figures the case is about, so the notebook can never rot."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parents[2] / "examples" / "notebooks" / "reduction-in-violence.ipynb"
SRC = Path(__file__).resolve().parents[2] / "src"


@pytest.fixture(scope="module")
def executed(data_dir):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    saved = {k: os.environ.get(k) for k in ("PEACEWATCH_DATA", "PEACEWATCH_STORE", "PYTHONPATH")}
    os.environ["PEACEWATCH_DATA"] = str(data_dir)
    os.environ.pop("PEACEWATCH_STORE", None)  # the notebook ingests into a scratch store itself
    # The kernel imports this checkout's peacewatch (as the tests do), not an installed one.
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), saved["PYTHONPATH"]) if p)
    try:
        nb = nbformat.read(NOTEBOOK, as_version=4)
        client = nbclient.NotebookClient(
            nb,
            kernel_name="python3",
            timeout=600,
            resources={"metadata": {"path": str(NOTEBOOK.parent)}},
        )
        client.execute()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return nb


def _printed(nb) -> str:
    return "".join(
        out.get("text", "")
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.get("output_type") == "stream"
    )


def _html(nb) -> str:
    return "".join(
        out.get("data", {}).get("text/html", "")
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.get("output_type") == "execute_result"
    )


def test_the_notebook_prints_the_riv_rate_ratio_with_its_interval(executed):
    text = _printed(executed)
    assert "rate ratio 0.21 (95% interval 0.15 to 0.31)" in text
    assert "18 weeks, 3,259 events" in text


def test_the_notebook_finds_the_riv_week_as_a_changepoint_and_judges_the_agreement(executed):
    text = _printed(executed)
    assert "changepoints: 2020-02-22, 2020-03-02" in text
    assert "riv: met" in text
    assert "March against the RiV week: rate ratio 3.5 (95% interval 2.3 to 5.5)" in text


def test_the_notebook_results_display_themselves(executed):
    html = _html(executed)
    assert "rate ratio <b>0.215</b> (95% interval 0.147 to 0.312)" in html
    assert "<svg" in html  # the weekly series draws its small chart
    assert "peacewatch compare --store " in html
    assert "--country Afghanistan --window 2020-02-22:2020-02-29" in html
    last = executed.cells[-1].outputs[0]["data"]  # the comparison's Altair chart, as Altair renders it
    assert "vegaEmbed" in last["text/html"] and "2020-02-22" in last["text/html"]
