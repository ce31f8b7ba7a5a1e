"""A third peace process, on a third kind of conflict: syria-2016 (the February 2016 cessation of
hostilities) on UCDP GED Syria, with actor groups, joint commitments and claims about magnitude."""

from __future__ import annotations

import datetime as dt
import shutil

from peacewatch.agreements import case_folder, evaluate, load_case
from peacewatch.agreements.evaluate import JOINT
from peacewatch.briefs import build, render
from peacewatch.briefs.claims import check_claims, load_claims


def test_the_cessation_cut_fighting_without_stopping_it(syria_store):
    result = evaluate(load_case("syria-2016"), as_of=dt.date(2016, 12, 31), store=syria_store)
    v = {x.id: x for x in result.verdicts}
    assert v["accept-government"].verdict == "met" and v["accept-opposition"].verdict == "met"
    # Measured: 173 lethal government-opposition events in the first four weeks against 297 in the four
    # weeks before, rate ratio 0.58 (95% 0.43-0.78).
    reduction = v["coh-reduction"].evidence["comparison"]
    assert v["coh-reduction"].verdict == "met"
    assert (reduction["window"]["total"], reduction["baseline"]["total"]) == (173, 297)
    assert reduction["ci_high"] < 0.8
    assert v["coh-cessation"].verdict == "not_met" and v["coh-cessation"].evidence["events"] == 173
    assert result.by_party()[JOINT] == {"met": 1, "not_met": 1}


def test_the_claims_of_2016_get_one_answer_each(syria_store):
    results = {
        r.id: r
        for r in check_claims(load_claims(case_folder("syria-2016") / "claims.yaml"), store=syria_store)
    }
    # Kerry's 80-90%: the fall is real but certainly smaller (interval 0.38-0.83 lies above 0.2).
    assert results["kerry-80-90"].result == "contradicted"
    assert results["kerry-beneficial-reduction"].result == "supported"
    # SOHR's "almost half" in March: GED's deaths fell 46%, but the interval cannot rule out less than 40%.
    assert results["sohr-march-half"].result == "inconclusive"
    assert results["snhr-broke-down"].result == "supported"


def test_the_syria_brief_renders_its_questions_and_says_what_the_data_cannot_show(syria_store, tmp_path):
    built = build.build("syria-2016", store=syria_store)
    paths = render.write(built, tmp_path / "out", pdf=False)
    html = paths["html"].read_text(encoding="utf-8")
    assert "Did the war on the excluded groups go on?" in html
    assert "no separate dyad for the government and the Nusra Front" in html
    assert "--dyad syrian_government,is" in html
    assert len(built.payload["figures"]) == 3
    # UCDP dates some events only to a month or a year: the figures and comparisons say so.
    assert "are dated only to a window wider than a week" in html
    assert "of the events compared" in html and "--precision day leaves them out" in html


def test_the_brief_s_verdict_and_claim_rows_carry_id_note_and_imprecise_dates(syria_store, tmp_path):
    built = build.build("syria-2016", store=syria_store)
    rows = {
        r["id"]: r
        for s in built.payload["sections"]
        for b in s["blocks"]
        if b["kind"] in ("verdicts", "claims")
        for r in b["rows"]
    }
    cessation = rows["coh-cessation"]
    assert cessation["note"].startswith("Putin's summary of the terms")
    # 2 of the 173 events of the first four weeks are dated only to a week (76 deaths).
    assert cessation["imprecise"]["events"] == 2 and cessation["imprecise"]["fatalities"] == 76
    assert rows["kerry-80-90"]["imprecise"]["events"] == 8
    html = render.write(built, tmp_path / "out", pdf=False)["html"].read_text(encoding="utf-8")
    assert '<span class="cid">coh-cessation</span>' in html
    # The note runs the table's width in a row of its own under its commitment's row.
    assert '<span class="cid">coh-cessation</span>: Putin&#39;s summary of the terms' in html
    assert "Dates: 2 of the events counted (76 fatalities)" in html
    assert "Dates: 8 of the events compared (236 fatalities)" in html


def test_a_series_chart_stops_at_the_brief_s_as_of(syria_store, tmp_path):
    folder = tmp_path / "syria"
    shutil.copytree(case_folder("syria-2016"), folder)
    brief = folder / "brief.yaml"
    brief.write_text(brief.read_text(encoding="utf-8").replace("as_of: 2016-12-31", "as_of: 2016-06-30"))
    built = build.build(folder, store=syria_store)
    assert built.payload["as_of"] == "2016-06-30"
    for f in built.figures:
        days = [str(r.get("period_start") or r.get("date") or "") for r in f.to_dict()["data"]]
        assert max(d for d in days if d) <= "2016-06-30", f.id


def test_a_series_chart_stops_where_the_data_end_and_says_so(syria_store, tmp_path):
    # GED Syria ends on 2019-11-30: a chart asked to run to 2020-06-28 would draw seven months of zeros.
    folder = tmp_path / "syria"
    shutil.copytree(case_folder("syria-2016"), folder)
    brief = folder / "brief.yaml"
    text = brief.read_text(encoding="utf-8").replace("as_of: 2016-12-31", "as_of: 2020-06-30")
    brief.write_text(text.replace("to: 2016-12-25", "to: 2020-06-28", 1), encoding="utf-8")
    built = build.build(folder, store=syria_store)
    first = built.figures[0]
    days = [r["period_start"] for r in first.to_dict()["data"]]
    assert max(days) <= "2019-11-30"
    assert first.notes[-1].startswith(
        "The data end on 2019-11-30 (ucdp-ged-syria-2016-01-01-2019-11-30 covers"
    )
    assert first.notes[-1].endswith(
        "the chart stops there rather than draw the days to 2020-06-28 as days without events."
    )
    # and in the caption printed under the chart, not only in the notes folded away with its data
    assert first.notes[-1] in first.caption


def test_a_contrast_row_in_the_brief_is_outside_the_agreement_and_not_a_compliance_verdict(
    syria_store, tmp_path
):
    folder = tmp_path / "syria"
    shutil.copytree(case_folder("syria-2016"), folder)
    agreement = folder / "agreement.yaml"
    agreement.write_text(
        agreement.read_text(encoding="utf-8")
        + "\n  - id: is-outside\n    kind: contrast\n    text: The Islamic State, which the terms excluded\n"
        "    scope: {country: Syria, perpetrators: [is]}\n    window: 2016-02-27:2016-03-25\n"
        "    baseline: {preceding: 28}\n",
        encoding="utf-8",
    )
    brief = folder / "brief.yaml"
    brief.write_text(
        brief.read_text(encoding="utf-8").replace(
            "verdicts: [coh-reduction, coh-cessation]", "verdicts: [coh-reduction, coh-cessation, is-outside]"
        ),
        encoding="utf-8",
    )
    built = build.build(folder, store=syria_store)
    rows = {
        r["id"]: r
        for s in built.payload["sections"]
        for b in s["blocks"]
        if b["kind"] == "verdicts"
        for r in b["rows"]
    }
    assert rows["is-outside"]["verdict"] == "contrast"
    assert "rate ratio 1.53, 95% interval 1.23 to 1.91" in rows["is-outside"]["summary"]
    html = render.write(built, tmp_path / "out", pdf=False)["html"].read_text(encoding="utf-8")
    row = html[html.index('<span class="cid">is-outside</span>') :].split("</tr>")[0]
    assert "outside the agreement" in row and 'class="verdict v-contrast"' in row
