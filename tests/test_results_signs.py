"""Signs of unobjective results: class shares, «мало данных», the report section, the level
cap and the batch markers (the rules' own cases are in rules/federal/results.cases.yaml)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

from checker.batch.export import write_all
from checker.batch.run import BatchOptions, run_batch
from checker.core.check import Checker
from checker.core.results import MIN_PARTICIPANTS, peak_excess_pct, result_rows, work_marker
from checker.io.packs import load_rulebook
from checker.model.findings import Outcome
from checker.model.profile import MarkScale, Procedure, Results
from checker.render.text import render_report_plain
from checker.testing.results_confusion import confusion

from .conftest import FIXTURES, RULES

AS_OF = dt.date(2024, 5, 1)
SIGNS = FIXTURES / "school-results-signs.yaml"
EXEMPLARY = FIXTURES / "school-exemplary.yaml"


def test_good_measures_and_inflated_results_are_both_reported(checker: Checker) -> None:
    report = checker.check_file(SIGNS, AS_OF)
    plain = checker.check_file(EXEMPLARY, AS_OF)
    # the measures are the exemplary school's: the same share of measures done
    assert report.level.score == plain.level.score == 1.0
    assert plain.level.level == "высокий"
    assert report.level.level == "средний"
    assert [c.id for c in report.level.caps] == ["results_signs"]
    text = render_report_plain(report, width=120)
    assert "Признаки необъективности результатов" in text
    assert "5а: RES-JRN-001" in text and "параллель: RES-JRN-001" in text
    assert "мало данных" in text


def test_every_share_has_its_n_and_small_classes_are_not_judged(checker: Checker) -> None:
    report = checker.check_file(SIGNS, AS_OF)
    rows = {(w.procedure, r.name): r for w in report.results_signs for r in w.rows}
    small = rows[("vpr-ru-6", "6а")]
    assert small.participants == 8 < MIN_PARTICIPANTS and small.few_data and not small.flags
    assert rows[("vpr-ma-5", "параллель")].participants == 49
    assert rows[("vpr-ma-5", "5а")].raised_pct == 50
    jrn2 = next(f for f in report.findings if f.rule_id == "RES-JRN-002")
    assert {s.subject: s.outcome for s in jrn2.subjects}["vpr-ru-6:6а"] is Outcome.FEW_DATA


def test_a_small_class_is_few_data_however_inflated(checker: Checker, tmp_path: Path) -> None:
    """Regression guard: 9 of 9 «повысили» is «мало данных», never a sign or a cap."""
    text = SIGNS.read_text("utf-8").replace(
        "- {name: 6а, participants: 8, marks: {2: 0, 3: 1, 4: 3, 5: 4}, lowered: 0, "
        "confirmed: 2, raised: 6}",
        "- {name: 6а, participants: 9, lowered: 0, confirmed: 0, raised: 9}")
    text = text.replace("raised: 12\n", "raised: 2\n").replace("confirmed: 12\n",
                                                               "confirmed: 22\n")
    path = tmp_path / "school.yaml"
    path.write_text(text, "utf-8")
    report = checker.check_file(path, AS_OF)
    outcomes = {f.rule_id: f.outcome for f in report.findings}
    assert outcomes["RES-JRN-001"] is Outcome.FEW_DATA
    assert report.level.level == "высокий"


def test_parallel_total_adds_the_classes() -> None:
    results = Results.model_validate({"classes": [
        {"name": "5а", "participants": 12, "marks": {2: 1, 5: 11}, "lowered": 1,
         "confirmed": 1, "raised": 10},
        {"name": "5б", "participants": 8, "marks": {3: 8}, "lowered": 0, "confirmed": 8,
         "raised": 0},
    ]})
    rows = result_rows(results)
    total = rows[-1]
    assert total.is_parallel and total.participants == 20
    assert total.marks == {2: 1, 5: 11, 3: 8}
    assert total.journal_pct(total.raised) == 50
    assert not total.few_data and rows[1].few_data


def test_peak_is_the_share_of_the_class_above_the_neighbours() -> None:
    scale = MarkScale(min3=7, min4=11, min5=15)
    smooth = {6: 2, 7: 2, 8: 2, 10: 2, 11: 2, 12: 2, 14: 2, 15: 2, 16: 2}
    assert peak_excess_pct(smooth, scale) == 0
    assert peak_excess_pct({10: 1, 11: 9, 12: 1}, scale) == 73  # 8 of 11 above the mean 1
    # 3 at a boundary against 1 and 1 in a class of 20 is 10 %, under the threshold
    assert peak_excess_pct({10: 1, 11: 3, 12: 1, 5: 15}, scale) == 10
    assert peak_excess_pct({}, scale) == 0


def test_markers_name_the_work_as_the_federal_lists_do() -> None:
    def proc(subject: str, grade: int) -> Procedure:
        return Procedure.model_validate({"id": "v", "kind": "ВПР", "subject": subject,
                                         "grade": grade})

    assert work_marker(proc("Русский язык", 4)) == "4 РУ"
    assert work_marker(proc("математика", 5)) == "5 МА"


def test_batch_markers_and_municipal_share(tmp_path: Path) -> None:
    corpus = tmp_path / "in"
    corpus.mkdir()
    shutil.copyfile(SIGNS, corpus / "signs.yaml")
    shutil.copyfile(EXEMPLARY, corpus / "exemplary.yaml")
    result = run_batch([str(corpus)], BatchOptions(as_of=AS_OF), workers=1)
    markers = {s.school_id: s.markers for s in result.schools}
    assert markers == {"6901000009": ("5 МА",), "6901000001": ()}
    out = tmp_path / "out"
    write_all(result, out)
    data = json.loads((out / "summary.json").read_text("utf-8"))
    [town] = data["municipalities"]
    assert (town["schools"], town["with_signs"], town["share_with_signs"]) == (2, 1, 0.5)
    csv_text = (out / "summary.csv").read_text("utf-8-sig")
    assert "маркеры (признаки в результатах)" in csv_text and ";5 МА;1" in csv_text


def test_checks_separate_honest_and_inflating_synthetic_schools(checker: Checker) -> None:
    """The README's confusion table in small: by class, nearly every inflating class is
    flagged and few honest ones are (the thresholds are provisional; the data are ours)."""
    by_class, by_school = confusion(checker, 40, seed=1)
    assert by_class.flagged_inflating + by_class.missed_inflating > 50
    assert by_class.recall >= 0.9
    assert by_class.false_positive_rate <= 0.05
    assert by_school.recall == 1.0


def test_the_plan_says_what_to_do_about_a_sign() -> None:
    from typer.testing import CliRunner

    from checker.cli.main import app

    result = CliRunner().invoke(app, ["plan", str(SIGNS), "--format", "md", "--as-of",
                                      AS_OF.isoformat()])
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if "муниципальной комиссией" in x)
    assert "5а (N = 24)" in line and "параллель (N = 49)" in line


def test_the_cohort_rule_flags_inflating_schools_and_no_honest_one(checker: Checker) -> None:
    """The README's table of RES-OUT-001 in small: against the rest of the municipality,
    some inflating schools stand out and no honest one does (the inflation model moves the
    marks only by pulling pupils up to a boundary, so recall is low — see README)."""
    from checker.testing.results_confusion import outlier_confusion

    table = outlier_confusion(checker, 150, seed=1)
    assert table.flagged_inflating >= 1
    assert table.flagged_honest == 0 and table.clear_honest > 30


def test_a_work_is_titled_with_its_date_as_a_russian_reader_writes_it(checker: Checker) -> None:
    report = checker.check_file(SIGNS, AS_OF)
    titles = {w.procedure: w.title for w in report.results_signs}
    assert titles["vpr-ma-5"] == "ВПР · математика · 5 кл. (16.04.2024)"


def test_a_sign_names_its_threshold_by_value_after_the_region_tightens_it(
    tmp_path: Path,
) -> None:
    """The message says «выше порога 20 %» (the federal value), and the value a region's
    override sets when it tightens it — never the parameter's name."""
    plain = Checker().check_file(SIGNS, AS_OF)
    jrn = next(f for f in plain.findings if f.rule_id == "RES-JRN-001")
    gap = next(s for s in jrn.subjects if s.outcome is Outcome.GAP)
    assert "выше порога 20 %" in gap.message and "results_" not in gap.message
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    region = SIGNS.read_text("utf-8").split("region:", 1)[1].split("\n", 1)[0].strip()
    (rules / "regional" / "tight.yaml").write_text(
        "pack: tight\nversion: '1.0'\nlayer: regional\ntitle: Строже\n"
        f"scope: {{region: {region}}}\n"
        "overrides: {results_raised_max_pct: 15}\nrules: []\n", encoding="utf-8")
    tight = Checker(load_rulebook(rules)).check_file(SIGNS, AS_OF)
    jrn = next(f for f in tight.findings if f.rule_id == "RES-JRN-001")
    gap = next(s for s in jrn.subjects if s.outcome is Outcome.GAP)
    assert "выше порога 15 %" in gap.message
