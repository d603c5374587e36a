"""Outliers against the municipality (RES-OUT-001): the test, the leave-one-out references
of ``batch`` and ``check --reference`` (the rule's own cases are in
rules/federal/results.cases.yaml)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from checker.batch.run import BatchOptions, run_batch
from checker.core.check import Checker
from checker.core.cohort import (
    CohortMember,
    WorkTotals,
    excess,
    leave_one_out_references,
    references_for,
)
from checker.io.load import load_profile
from checker.io.packs import load_rulebook
from checker.model.findings import Outcome
from checker.model.reference import WorkReference
from checker.testing.synthetic import to_yaml

AS_OF = dt.date(2024, 5, 1)
PARAMS = {n: p.value for n, p in load_rulebook().select(None, None).parameters.items()}


def member(municipality: str | None, marks: tuple[int, int, int, int],
           region: str = "Тверская область") -> CohortMember:
    return CohortMember(municipality, region, (("ВПР", "математика", 5, *marks),))


def test_the_test_needs_both_the_points_and_the_standard_errors() -> None:
    """A class of 12 three «5» above a 50 % reference: +25 p.p. but 1.7 standard errors —
    chance; the same share in 60 pupils is 3.9 standard errors."""
    small = excess(WorkTotals("ВПР", "математика", 5, (0, 3, 5, 4)), 0.5)
    large = excess(WorkTotals("ВПР", "математика", 5, (0, 15, 25, 20)), 0.5)
    assert round(small.pp) == round(large.pp) == 25
    assert not small.is_outlier(15, 3) and large.is_outlier(15, 3)
    # far above in standard errors, but only a few points: not a sign either
    many = excess(WorkTotals("ВПР", "математика", 5, (100, 400, 400, 200)), 0.5)
    assert many.z > 3 and not many.is_outlier(15, 3)


def test_the_reference_leaves_the_school_out_and_ignores_the_order() -> None:
    town = [member("город Тверь", (5, 20, 18, 7)) for _ in range(6)]
    town.append(member("город Тверь", (0, 5, 25, 20)))
    refs = leave_one_out_references(town, lambda _m: PARAMS)
    mine = refs[-1][0]
    # the other six: 30 «2», 120 «3», 108 «4», 42 «5» of 300
    assert (mine.group, mine.participants, mine.schools, mine.leave_one_out) == (
        "город Тверь", 300, 6, True)
    assert mine.marks_pct == {2: 10.0, 3: 40.0, 4: 36.0, 5: 14.0}
    assert refs[0][0].participants == 5 * 50 + 50  # five others and the high school
    backwards = leave_one_out_references(town[::-1], lambda _m: PARAMS)
    assert backwards[::-1] == refs


def test_a_small_municipality_is_compared_with_the_region_and_a_small_region_with_none() -> None:
    small_town = [member("посёлок Малый", (5, 20, 18, 7)) for _ in range(3)]
    city = [member("город Тверь", (5, 20, 18, 7)) for _ in range(6)]
    refs = leave_one_out_references(small_town + city, lambda _m: PARAMS)
    # two others in the settlement (< 5 schools): the region without the school — 8 schools
    assert (refs[0][0].group, refs[0][0].schools) == ("Тверская область", 8)
    assert (refs[3][0].group, refs[3][0].schools) == ("город Тверь", 5)
    alone = leave_one_out_references(small_town, lambda _m: PARAMS)
    assert alone == [[], [], []]


def _reference(group: str) -> WorkReference:
    return WorkReference(subject="математика", grade=5, group=group, participants=5000,
                         schools=50, marks_pct={2: 10, 3: 40, 4: 35, 5: 15})


def test_a_published_file_gives_the_schools_own_municipality_then_its_region() -> None:
    rows = [_reference("Вся выборка"), _reference("Тверская область"),
            _reference("город Тверь")]
    assert references_for("Город  Тверь", "Тверская область", rows)[0].group == "город Тверь"
    assert references_for("город Ржев", "Тверская область", rows)[0].group == (
        "Тверская область")
    # several groups and none of the school's: which is «the municipality» would be a guess
    assert references_for("город Пенза", "Пензенская область", rows) == []
    assert references_for("город Пенза", None, rows[:1])[0].group == "Вся выборка"


def _profile(index: int, marks: dict[int, int], school_type: str = "СОШ") -> dict[str, Any]:
    return {
        "schema_version": 2,
        "school": {"id": f"s{index}", "name": f"Школа № {index}", "type": school_type,
                   "region": "Тверская область", "municipality": "город Тверь"},
        "procedures": [{
            "id": "v1", "kind": "ВПР", "subject": "математика", "grade": 5,
            "results": {"classes": [{"name": "5а", "participants": sum(marks.values()),
                                     "marks": marks}]},
        }],
    }


def _town(folder: Path) -> None:
    folder.mkdir()
    for index in range(6):
        (folder / f"s{index}.yaml").write_text(
            to_yaml(_profile(index, {2: 5, 3: 20, 4: 18, 5: 7})), "utf-8")
    (folder / "s6.yaml").write_text(to_yaml(_profile(6, {2: 0, 3: 5, 4: 25, 5: 20})), "utf-8")
    (folder / "s7.yaml").write_text(
        to_yaml(_profile(7, {2: 0, 3: 5, 4: 25, 5: 20}, "гимназия")), "utf-8")


def test_batch_flags_the_outlier_as_check_with_its_reference_does(tmp_path: Path) -> None:
    _town(tmp_path / "town")
    result = run_batch([str(tmp_path / "town")], BatchOptions(as_of=AS_OF), workers=2)
    rows = {s.school_id: s for s in result.schools}
    outcome = {
        school: next(f.outcome for f in result.findings_of(row) if f.rule_id == "RES-OUT-001")
        for school, row in rows.items()
    }
    assert outcome["s6"] == Outcome.GAP.value and rows["s6"].markers == ("5 МА",)
    # the gymnasium has the same marks: high results are expected of it, so no sign — and
    # the honest schools, far from the test, keep «не сообщено» (they are not re-checked)
    assert outcome["s7"] == Outcome.MET.value and rows["s7"].markers == ()
    assert {outcome[f"s{i}"] for i in range(6)} == {Outcome.UNKNOWN.value}
    # the row is the one `check --reference` gives with the rest of the town (s0–s5, s7)
    rest = WorkReference(subject="математика", grade=5, group="город Тверь",
                         participants=350, schools=7, leave_one_out=True,
                         marks_pct={2: 3000 / 350, 3: 12500 / 350, 4: 13300 / 350,
                                    5: 6200 / 350})
    path = tmp_path / "town" / "s6.yaml"
    report = Checker().check(load_profile(path.read_text("utf-8"), str(path)), AS_OF,
                             str(path), references=[rest], with_evidence=False)
    alone = next(f for f in report.findings if f.rule_id == "RES-OUT-001")
    batch = next(f for f in result.findings_of(rows["s6"]) if f.rule_id == "RES-OUT-001")
    assert batch.message == alone.message
    assert "«4»+«5» 90 % против 56 % (город Тверь (без школы))" in alone.message
    assert rows["s6"].level == report.level.level and rows["s6"].counts == dict(report.counts)


def test_the_cohort_rule_gives_the_same_rows_at_any_worker_count(tmp_path: Path) -> None:
    _town(tmp_path / "town")
    one = run_batch([str(tmp_path / "town")], BatchOptions(as_of=AS_OF), workers=1)
    two = run_batch([str(tmp_path / "town")], BatchOptions(as_of=AS_OF), workers=2)
    # (the place of a row's findings in the store depends on the order they came back)
    assert [(replace(s, findings_ref=-1), one.findings_of(s)) for s in one.schools] == [
        (replace(s, findings_ref=-1), two.findings_of(s)) for s in two.schools
    ]


def test_a_reference_without_fours_and_fives_is_beyond_any_number_of_errors() -> None:
    """Regression: a reference share of 0 has no spread (z infinite), which crashed the
    fact's rounding (found by the property test)."""
    reference = WorkReference(subject="математика", grade=5, group="город N",
                              participants=500, schools=10,
                              marks_pct={2: 40, 3: 60, 4: 0, 5: 0})
    profile = load_profile(to_yaml(_profile(1, {2: 0, 3: 10, 4: 10, 5: 10})), "s1.yaml")
    report = Checker().check(profile, AS_OF, references=[reference])
    finding = next(f for f in report.findings if f.rule_id == "RES-OUT-001")
    assert finding.outcome is Outcome.GAP
    assert "+67 п. п., z ≥ 99,9" in finding.subjects[0].message


def test_a_rule_book_without_the_results_pack_ignores_the_reference(tmp_path: Path) -> None:
    """Regression: `--rules DIR` (or --compare-rules OLD_DIR) without rules/federal/results.yaml
    has no cohort thresholds; a reference then must not crash the check."""
    import shutil

    from checker.io.packs import load_rulebook as load

    rules = tmp_path / "rules" / "federal"
    rules.mkdir(parents=True)
    for pack in (Path(__file__).resolve().parent.parent / "rules" / "federal").glob("federal*.yaml"):
        shutil.copyfile(pack, rules / pack.name)
    reference = WorkReference(subject="математика", grade=5, group="город Тверь",
                              participants=500, schools=10, marks_pct={2: 10, 3: 40, 4: 35, 5: 15})
    profile = load_profile(to_yaml(_profile(1, {2: 0, 3: 10, 4: 20, 5: 20})), "s1.yaml")
    report = Checker(load(tmp_path / "rules")).check(profile, AS_OF, references=[reference])
    assert all(f.rule_id != "RES-OUT-001" for f in report.findings)
    town = tmp_path / "town"
    _town(town)
    result = run_batch([str(town)], BatchOptions(as_of=AS_OF, rules_dir=tmp_path / "rules"),
                       workers=1)
    assert len(result.schools) == 8 and all(s.markers == () for s in result.schools)


def test_a_school_checked_again_is_not_left_with_its_streamed_rows(tmp_path: Path) -> None:
    """The export streams rows while schools are checked; the outlier s6 is checked again
    after that with its town's reference. Its streamed rows («не сообщено») must not reach
    the outputs: they equal what is written from the final rows, and name the sign."""
    from checker.batch.export import BatchStream, write_all

    _town(tmp_path / "town")
    stream = BatchStream(tmp_path / "streamed")
    streamed = run_batch([str(tmp_path / "town")], BatchOptions(as_of=AS_OF), workers=2,
                         sink=stream)
    assert streamed.streamed_rows_stale
    write_all(streamed, tmp_path / "streamed", stream=stream)
    after = run_batch([str(tmp_path / "town")], BatchOptions(as_of=AS_OF), workers=1)
    write_all(after, tmp_path / "after")
    names = ("findings.csv", "summary.csv", "summary.json", "summary.xlsx")
    assert {n: (tmp_path / "streamed" / n).read_bytes() for n in names} == {
        n: (tmp_path / "after" / n).read_bytes() for n in names}
    findings = (tmp_path / "streamed" / "findings.csv").read_text("utf-8-sig").splitlines()
    s6 = [line for line in findings if "RES-OUT-001" in line and "s6.yaml" in line]
    assert len(s6) == 1 and "не выполнено" in s6[0]
    # the tallies counted on arrival would miss the re-check: they are counted anew
    summary = (tmp_path / "streamed" / "summary.json").read_text("utf-8")
    assert summary == (tmp_path / "after" / "summary.json").read_text("utf-8")


def test_schools_checked_again_in_worker_processes_get_the_same_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Many candidates are checked again in the worker pool, few in the coordinator: the
    rows are the same either way."""
    import checker.batch.run as batch_run

    _town(tmp_path / "town")
    serial = run_batch([str(tmp_path / "town")], BatchOptions(as_of=AS_OF), workers=2)
    pooled: list[int] = []
    in_pool = batch_run._recheck_in_pool

    def spy(tasks: Any, workers: int, initargs: Any) -> Any:
        done = in_pool(tasks, workers, initargs)
        pooled.append(len(done))
        return done

    monkeypatch.setattr(batch_run, "RECHECK_IN_POOL_MIN", 1)
    monkeypatch.setattr(batch_run, "_recheck_in_pool", spy)
    pool = run_batch([str(tmp_path / "town")], BatchOptions(as_of=AS_OF), workers=2)
    assert pooled and pooled[0] >= 1  # the candidates came back from the workers
    assert [(replace(s, findings_ref=-1), serial.findings_of(s)) for s in serial.schools] == [
        (replace(s, findings_ref=-1), pool.findings_of(s)) for s in pool.schools
    ]
    s6 = next(s for s in pool.schools if s.school_id == "s6")
    assert s6.markers == ("5 МА",)
