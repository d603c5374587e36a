"""Evaluation as of a date: the same profile gives different outcomes on different dates."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from checker.core.check import Checker
from checker.core.timing import AcademicYear, Dated, TimeContext, judge
from checker.io.calendar import russian_calendar
from checker.io.packs import load_pack, load_rulebook
from checker.model.errors import InputError
from checker.model.findings import Finding, Outcome
from checker.model.profile import Profile
from checker.model.report import Report
from checker.model.rulepack import Timing, Within
from checker.render.text import render_report

from .conftest import RULES

D = dt.date
TEST_RULES = Path(__file__).resolve().parent / "data" / "timing" / "rules"
NESTEROV = {
    "id": "nes-1",
    "name": "МАОУ СОШ г. Нестерова им. В. И. Пацаева",
    "type": "СОШ",
    "region": "Калининградская область",
    "municipality": "Нестеровский муниципальный округ",
}


@pytest.fixture(scope="module")
def isolated_checker() -> Checker:
    """A one-rule federal pack plus a copy of NES-001/NES-002 (tests/data/timing): the level
    and the deadline list then depend on the Нестеровский deadlines alone."""
    return Checker(load_rulebook(TEST_RULES))


@pytest.fixture(scope="module")
def nesterov_checker() -> Checker:
    """The real Нестеровский pack (rules/regional/kaliningrad/nesterov.yaml) over the federal ones."""
    return Checker(load_rulebook(RULES))


def _profile(documents: list[dict[str, Any]], **extra: Any) -> Profile:
    school = extra.pop("school", {"id": "s1", "name": "Тестовая школа", "type": "СОШ"})
    # The documents given are all the school has: a missing one is «не сделано» (its clock
    # runs), not «не сообщено».
    extra.setdefault("complete", ["documents"])
    return Profile.model_validate(
        {"schema_version": 1, "school": school, "documents": documents, **extra}
    )


def _finding(report: Report, rule_id: str) -> Finding:
    return next(f for f in report.findings if f.rule_id == rule_id)


# --- the Нестеровский plan «до 01.11.2023» of an order of 17.11.2023 -------------------
# The duty cannot exist before the order that imposes it: not applicable before 17.11.2023,
# due on that day (the plan's own deadline has passed by then), late if done afterwards.

VSOKO = {"id": "vsoko", "kind": "vsoko_regulation", "date": D(2020, 8, 31)}
ORDER_525 = D(2023, 11, 17)


@pytest.mark.parametrize(
    ("plan_date", "as_of", "expected"),
    [
        (None, D(2023, 10, 18), Outcome.NOT_APPLICABLE),  # приказа ещё нет
        (None, D(2023, 11, 2), Outcome.NOT_APPLICABLE),  # срок плана прошёл, приказа нет
        (None, D(2023, 11, 17), Outcome.DUE_SOON),  # день приказа: срок наступил, не просрочен
        (None, D(2023, 11, 18), Outcome.OVERDUE),
        (D(2023, 10, 20), D(2023, 10, 25), Outcome.NOT_APPLICABLE),
        (D(2023, 10, 20), D(2024, 2, 1), Outcome.MET),
        (D(2023, 11, 10), D(2023, 11, 20), Outcome.MET),  # до приказа — вовремя
        (D(2023, 11, 17), D(2023, 11, 17), Outcome.MET),
        (D(2023, 11, 20), D(2023, 11, 18), Outcome.OVERDUE),  # ещё не утверждён
        (D(2023, 11, 20), D(2023, 12, 1), Outcome.MET_LATE),
    ],
)
def test_nesterov_plan(
    nesterov_checker: Checker, plan_date: dt.date | None, as_of: dt.date, expected: Outcome
) -> None:
    documents: list[dict[str, Any]] = [VSOKO]
    if plan_date:
        documents.append({"id": "plan", "kind": "objectivity_plan", "date": plan_date})
    report = nesterov_checker.check(_profile(documents, school=NESTEROV), as_of)
    finding = _finding(report, "NES-001")
    assert finding.outcome is expected, finding.message
    if expected in (Outcome.OVERDUE, Outcome.DUE_SOON, Outcome.MET_LATE):
        assert finding.due == ORDER_525
    if expected is Outcome.NOT_APPLICABLE:
        assert "17.11.2023" in finding.message


def test_not_yet_due_never_lowers_the_level(isolated_checker: Checker) -> None:
    profile = _profile([VSOKO], school=NESTEROV)
    before = isolated_checker.check(profile, D(2023, 10, 1))
    after = isolated_checker.check(profile, D(2023, 11, 2))
    assert _finding(before, "NES-001").total == 0
    assert before.level.score == 1.0
    assert before.level.level == "высокий"
    assert after.level.score is not None and after.level.score < 1.0
    assert after.level.level != "высокий"


def test_due_soon_listed_in_nearest_deadlines(isolated_checker: Checker) -> None:
    plan = {"id": "plan", "kind": "objectivity_plan", "date": D(2023, 10, 20)}
    report = isolated_checker.check(_profile([VSOKO, plan], school=NESTEROV), D(2024, 9, 20))
    assert _finding(report, "NES-001").outcome is Outcome.MET
    assert [(d.rule_id, d.outcome, d.due) for d in report.deadlines] == [
        ("NES-002", Outcome.DUE_SOON, D(2024, 9, 30))
    ]
    dumped = report.model_dump(mode="json")
    assert dumped["deadlines"][0]["due"] == "2024-09-30"
    assert dumped["academic_year"] == "2024/2025"
    console = Console(width=120, record=True)
    console.print(render_report(report))
    text = console.export_text()
    assert "Ближайшие сроки" in text
    assert "30.09.2024" in text


def test_horizon_is_configurable(isolated_checker: Checker) -> None:
    profile = _profile([VSOKO], school=NESTEROV)
    assert _finding(isolated_checker.check(profile, D(2023, 10, 1)), "NES-001").outcome is (
        Outcome.NOT_YET_DUE
    )
    wide = isolated_checker.check(profile, D(2023, 10, 1), horizon_days=31)
    assert _finding(wide, "NES-001").outcome is Outcome.DUE_SOON


# --- FED-ORG-001: an order of the previous academic year goes stale on 1 September --------


ORDER = {"id": "o1", "kind": "order_responsible", "number": "12-од", "date": D(2022, 9, 1)}


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (D(2022, 8, 31), Outcome.GAP),  # приказа ещё нет
        (D(2022, 9, 1), Outcome.MET),
        (D(2023, 8, 31), Outcome.MET),
        (D(2023, 9, 1), Outcome.STALE),
        (D(2024, 3, 1), Outcome.STALE),
    ],
)
def test_order_goes_stale_on_first_of_september(
    checker: Checker, as_of: dt.date, expected: Outcome
) -> None:
    report = checker.check(_profile([ORDER]), as_of)
    finding = _finding(report, "FED-ORG-001")
    assert finding.outcome is expected, finding.message
    if expected is Outcome.STALE:
        assert "01.09.2022" in finding.message
        assert "прошлому учебному году" in finding.message


def test_profile_academic_year_overrides_the_date(checker: Checker) -> None:
    report = checker.check(_profile([ORDER], academic_year="2022/2023"), D(2023, 9, 1))
    assert report.academic_year == "2022/2023"
    assert _finding(report, "FED-ORG-001").outcome is Outcome.MET


def test_new_order_covers_the_new_year(checker: Checker) -> None:
    new = {**ORDER, "id": "o2", "date": D(2023, 8, 30)}
    report = checker.check(_profile([ORDER, new]), D(2023, 9, 1))
    # An order signed on 30 August for the coming year is still of the previous year.
    assert _finding(report, "FED-ORG-001").outcome is Outcome.STALE
    newer = {**ORDER, "id": "o3", "date": D(2023, 9, 1)}
    report = checker.check(_profile([ORDER, newer]), D(2023, 9, 1))
    assert _finding(report, "FED-ORG-001").outcome is Outcome.MET


def test_stale_counts_as_not_met(checker: Checker) -> None:
    fresh = checker.check(_profile([ORDER]), D(2023, 8, 31))
    stale = checker.check(_profile([ORDER]), D(2023, 9, 1))
    assert _finding(fresh, "FED-ORG-001").met == 1
    assert _finding(stale, "FED-ORG-001").met == 0
    assert _finding(stale, "FED-ORG-001").known == 1


# --- FED-DOC-002: publication within 10 working days after adoption -----------------------

# Adopted on Friday 26.04.2024: the 10th working day is 16.05.2024 (27.04 is a working
# Saturday; 29.04–01.05 and 09–12.05 are days off), the 11th is 17.05.2024.


def _regulation(published: dict[str, Any] | bool) -> dict[str, Any]:
    return {"id": "r1", "kind": "vsoko_regulation", "date": D(2024, 4, 26), "published": published}


@pytest.mark.parametrize(
    ("published", "as_of", "expected"),
    [
        ({"date": D(2024, 5, 16)}, D(2024, 6, 1), Outcome.MET),  # 10-й рабочий день
        ({"date": D(2024, 5, 17)}, D(2024, 6, 1), Outcome.MET_LATE),  # 11-й рабочий день
        ({"url": "https://school.ru/vsoko.pdf"}, D(2024, 6, 1), Outcome.MET),  # без даты
        ({"date": D(2024, 5, 17)}, D(2024, 5, 10), Outcome.DUE_SOON),  # ещё не опубликовано
        (False, D(2024, 4, 29), Outcome.NOT_YET_DUE),  # 17 календарных дней до срока
        (False, D(2024, 5, 2), Outcome.DUE_SOON),
        (False, D(2024, 5, 16), Outcome.DUE_SOON),
        (False, D(2024, 5, 17), Outcome.OVERDUE),
    ],
)
def test_publication_within_ten_working_days(
    checker: Checker, published: dict[str, Any] | bool, as_of: dt.date, expected: Outcome
) -> None:
    report = checker.check(_profile([_regulation(published)]), as_of)
    finding = _finding(report, "FED-DOC-002")
    assert finding.outcome is expected, finding.message
    subject = finding.subjects[0]
    if expected is not Outcome.MET or (isinstance(published, dict) and "date" in published):
        assert subject.due == D(2024, 5, 16)
    if expected is Outcome.MET_LATE:
        assert subject.done == D(2024, 5, 17)
        assert "16.05.2024" in subject.message and "17.05.2024" in subject.message


def test_a_working_day_deadline_in_an_unknown_year_is_warned(checker: Checker) -> None:
    """The production calendar of a year without a transfer decree in the data is only the
    Labour-Code rule: a deadline in working days there may be off by a day, so say so."""
    year = russian_calendar().last_year + 1
    regulation = {"id": "r1", "kind": "vsoko_regulation", "date": D(year, 4, 26),
                  "published": False}
    report = checker.check(_profile([regulation]), D(year, 6, 1))
    assert _finding(report, "FED-DOC-002").subjects[0].due is not None
    calendar_warnings = [w for w in report.warnings if "производственный календарь" in w]
    assert len(calendar_warnings) == 1
    assert f"{year} г." in calendar_warnings[0]
    known = checker.check(_profile([_regulation(False)]), D(2024, 6, 1))
    assert not any("производственный календарь" in w for w in known.warnings)


def test_met_late_counts_as_met(checker: Checker) -> None:
    report = checker.check(_profile([_regulation({"date": D(2024, 5, 17)})]), D(2024, 6, 1))
    finding = _finding(report, "FED-DOC-002")
    assert (finding.met, finding.known, finding.total) == (1, 1, 1)
    assert report.deadlines == []


def test_overdue_is_listed_with_its_date(checker: Checker) -> None:
    report = checker.check(_profile([_regulation(False)]), D(2024, 5, 20))
    assert [(d.rule_id, d.outcome, d.due) for d in report.deadlines] == [
        ("FED-DOC-002", Outcome.OVERDUE, D(2024, 5, 16))
    ]


def test_without_a_date_time_is_ignored(checker: Checker) -> None:
    profile = _profile([{"id": "o1", "kind": "order_responsible"}])
    assert _finding(checker.check(profile, D(2024, 3, 1)), "FED-ORG-001").outcome is Outcome.MET


# --- the pure timing module ------------------------------------------------------------


def _ctx(as_of: dt.date, horizon: int = 14) -> TimeContext:
    return TimeContext(as_of, AcademicYear.of(as_of), horizon)


def test_academic_year() -> None:
    assert AcademicYear.of(D(2023, 8, 31)).label == "2022/2023"
    assert AcademicYear.of(D(2023, 9, 1)).label == "2023/2024"
    assert AcademicYear.parse("2023/2024").end == D(2024, 8, 31)
    with pytest.raises(ValueError, match="2023/2024"):
        AcademicYear.parse("2023/2025")


def test_deadline_month_is_the_end_of_the_month() -> None:
    timing = Timing(deadline_month="2021-02")
    verdict = judge(timing, Outcome.GAP, _ctx(D(2021, 2, 20)), [])
    assert (verdict.outcome, verdict.due) == (Outcome.DUE_SOON, D(2021, 2, 28))
    done = judge(timing, Outcome.MET, _ctx(D(2021, 4, 1)), [Dated(D(2021, 3, 1), D(2021, 3, 1))])
    assert done.outcome is Outcome.MET_LATE


PER_PROCEDURE = Timing(period="per_procedure", within=Within(days=30, after="procedure_date"))


@pytest.mark.parametrize(
    ("as_of", "evidence", "expected"),
    [
        (D(2024, 3, 20), [], Outcome.NOT_YET_DUE),  # ВПР ещё впереди
        (D(2024, 4, 20), [], Outcome.DUE_SOON),
        (D(2024, 5, 1), [], Outcome.OVERDUE),
        (D(2024, 5, 1), [Dated(D(2024, 4, 20), D(2024, 4, 20))], Outcome.MET),
        (D(2024, 5, 1), [Dated(D(2024, 4, 30), D(2024, 4, 30))], Outcome.MET_LATE),
    ],
)
def test_analysis_within_days_after_each_procedure(
    as_of: dt.date, evidence: list[Dated], expected: Outcome
) -> None:
    outcome = Outcome.MET if evidence else Outcome.GAP
    verdict = judge(PER_PROCEDURE, outcome, _ctx(as_of), evidence, subject_date=D(2024, 3, 29))
    assert verdict.outcome is expected
    assert verdict.due == D(2024, 4, 28)


@pytest.mark.parametrize(
    ("period", "as_of", "done", "expected", "due"),
    [
        ("quarter", D(2024, 2, 10), [D(2024, 1, 15)], Outcome.MET, None),
        # nothing yet this quarter, the previous one covered: open until the quarter ends
        ("quarter", D(2024, 2, 10), [D(2023, 11, 15)], Outcome.NOT_YET_DUE, D(2024, 3, 31)),
        ("quarter", D(2024, 3, 25), [D(2023, 11, 15)], Outcome.DUE_SOON, D(2024, 3, 31)),
        # the previous quarter was missed: overdue since its end
        ("quarter", D(2024, 5, 10), [D(2023, 11, 15)], Outcome.OVERDUE, D(2024, 3, 31)),
        ("quarter", D(2024, 5, 10), [], Outcome.OVERDUE, D(2024, 3, 31)),
        # the first half-year of the academic year has no previous one to miss
        ("half_year", D(2023, 10, 1), [], Outcome.NOT_YET_DUE, D(2023, 12, 31)),
        ("half_year", D(2024, 2, 1), [], Outcome.OVERDUE, D(2023, 12, 31)),
        ("half_year", D(2024, 2, 1), [D(2023, 12, 20)], Outcome.NOT_YET_DUE, D(2024, 8, 31)),
    ],
)
def test_periodic_measures(
    period: str, as_of: dt.date, done: list[dt.date], expected: Outcome, due: dt.date | None
) -> None:
    timing = Timing.model_validate({"period": period})
    evidence = [Dated(d, d) for d in done]
    verdict = judge(timing, Outcome.MET if done else Outcome.GAP, _ctx(as_of), evidence)
    assert (verdict.outcome, verdict.due) == (expected, due)


def test_until_replaced_keeps_old_evidence() -> None:
    timing = Timing(period="academic_year", validity="until_replaced")
    old = [Dated(D(2019, 5, 1), D(2019, 5, 1))]
    assert judge(timing, Outcome.MET, _ctx(D(2024, 3, 1)), old).outcome is Outcome.MET
    yearly = Timing(period="academic_year", validity="academic_year")
    assert judge(yearly, Outcome.MET, _ctx(D(2024, 3, 1)), old).outcome is Outcome.STALE


def test_other_outcomes_pass_through() -> None:
    timing = Timing(deadline=D(2023, 11, 1))
    for outcome in (Outcome.VIOLATION, Outcome.UNKNOWN, Outcome.NOT_APPLICABLE):
        assert judge(timing, outcome, _ctx(D(2024, 1, 1)), []).outcome is outcome


# --- pack checks of the timing block ---------------------------------------------------

BAD_PACK = """
pack: bad_timing
title: Пакет с ошибками в сроках
layer: regional
scope: {region: Тестовая область}
rules:
  - id: BAD-001
    title: План утверждён вовремя
    direction: prevention
    source: {document: "seed:004", item: "1.2", quote: до 01.11.2023}
    severity: low
    check:
      each: {kind: school}
      has: {kind: document, where: {kind: objectivity_plan}}
    timing:
      done_on: signed_on
      within: {days: 5, after: procedure_date, event: {colour: red}}
    remediation: {measure: Утвердить план, responsible: директор, due: в срок}
"""


def test_pack_timing_is_checked_against_the_catalogue() -> None:
    with pytest.raises(InputError) as caught:
        load_pack(BAD_PACK, "bad.yaml")
    messages = " | ".join(p.message for p in caught.value.problems)
    assert "signed_on" in messages
    assert "procedure_date" in messages
    assert "colour" in messages


# --- effective dates: a measure not in force in the evaluated period does not apply -------


def _in_force(valid_from: str | None, valid_to: str | None, as_of: dt.date,
              year: str | None = None) -> str | None:
    from checker.core.timing import not_in_force

    return not_in_force(
        dt.date.fromisoformat(valid_from) if valid_from else None,
        dt.date.fromisoformat(valid_to) if valid_to else None,
        TimeContext.for_date(as_of, year),
    )


def test_measure_not_yet_in_force_does_not_apply() -> None:
    # ВПР with objectivity control under the letter of 10.03.2025, judged on a 2022 справка
    reason = _in_force("2025-03-10", None, dt.date(2022, 4, 1))
    assert reason is not None and "действует с 10.03.2025" in reason
    assert _in_force("2025-03-10", None, dt.date(2025, 3, 10)) is None


def test_period_is_the_profiles_year_up_to_the_as_of_date() -> None:
    """A 2021/2022 profile judged today is still about 2021/2022: a measure from 2025 did
    not apply to it."""
    assert _in_force("2025-03-10", None, dt.date(2026, 12, 1), "2021/2022") is not None
    assert _in_force("2022-05-01", None, dt.date(2026, 12, 1), "2021/2022") is None


def test_repealed_measure_applies_only_to_years_it_was_in_force() -> None:
    assert _in_force(None, "2023-03-31", dt.date(2023, 5, 1)) is None  # repealed mid-year
    reason = _in_force(None, "2023-03-31", dt.date(2024, 5, 1))
    assert reason is not None and "утратила силу 31.03.2023" in reason


def test_rule_out_of_force_is_not_applicable_with_its_reason(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    pack = rules / "federal" / "federal.yaml"
    text = pack.read_text(encoding="utf-8")
    start = text.index("  - id: FED-ORG-001\n")
    own = text.index("    valid_from: 2018-03-16\n", start)
    text = text[:own] + "    valid_from: 2024-01-01\n" + text[own + len("    valid_from: 2018-03-16\n"):]
    pack.write_text(text, encoding="utf-8")
    checker = Checker(load_rulebook(rules))
    profile = _profile([{"id": "d1", "kind": "vsoko_regulation"}])
    early = _finding(checker.check(profile, dt.date(2023, 10, 1)), "FED-ORG-001")
    assert early.outcome is Outcome.NOT_APPLICABLE
    assert early.message == "не применимо: мера действует с 01.01.2024, а оценивается период по 01.10.2023"
    late = _finding(checker.check(profile, dt.date(2024, 2, 1)), "FED-ORG-001")
    assert late.outcome is not Outcome.NOT_APPLICABLE


# --- a measure asked several times a year (seed 004 plan 2.6/2.7: «январь, май») ---------

TWICE = Timing(occurrences=[1, 5])


@pytest.mark.parametrize(
    ("done", "as_of", "expected", "due"),
    [
        ([], D(2024, 1, 20), Outcome.DUE_SOON, D(2024, 1, 31)),
        ([D(2024, 1, 20)], D(2024, 3, 1), Outcome.MET, None),  # May not yet due
        ([D(2024, 1, 20)], D(2024, 6, 5), Outcome.OVERDUE, D(2024, 5, 31)),  # May missed
        ([D(2024, 1, 20), D(2024, 5, 25)], D(2024, 6, 5), Outcome.MET, None),
        ([D(2024, 5, 25)], D(2024, 6, 5), Outcome.OVERDUE, D(2024, 1, 31)),  # January missed
        ([D(2023, 12, 28), D(2024, 5, 25)], D(2024, 6, 5), Outcome.MET, None),  # since 1 Sept
    ],
)
def test_each_occurrence_is_judged(
    done: list[dt.date], as_of: dt.date, expected: Outcome, due: dt.date | None
) -> None:
    """Regression: a plan item due «январь, май» collapsed to one event a year, so the
    January analysis alone met it."""
    ctx = TimeContext.for_date(as_of)
    outcome = Outcome.MET if done else Outcome.GAP
    verdict = judge(TWICE, outcome, ctx, [Dated(anchor=d, done=d) for d in done])
    assert verdict.outcome is expected, verdict.note
    if due is not None:
        assert verdict.due == due


def test_missed_occurrences_are_named() -> None:
    verdict = judge(TWICE, Outcome.GAP, TimeContext.for_date(D(2024, 6, 5)), [])
    assert verdict.note == "не выполнено за: январь 2024, май 2024"


def test_occurrences_set_their_own_deadlines() -> None:
    with pytest.raises(ValueError, match="occurrences задаёт сроки сам"):
        Timing(occurrences=[1, 5], period="academic_year")
    with pytest.raises(ValueError, match="повторяются"):
        Timing(occurrences=[1, 1])
