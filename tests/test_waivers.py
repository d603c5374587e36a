"""Exceptions (waivers, issue 16): a valid one turns what is not done into «исключение»;
expired ones, ones for a severity the pack does not allow, and ones naming an unknown rule
or subject change nothing and are warned about with their line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pydantic import ValidationError

from checker.core.check import Checker
from checker.core.verdicts import disagreements
from checker.model.findings import Finding, Outcome
from checker.model.report import Report
from checker.model.rulepack import LevelPolicy
from tests.conftest import FIXTURES

AS_OF = dt.date(2024, 5, 1)
# The exemplary school, except that the checking of the olympiad was not filmed: FED-VID-003
# is a gap for vsosh-ma only.
UNFILMED = (FIXTURES / "school-exemplary.yaml").read_text("utf-8").replace(
    '    video: {rooms: ["21"], checking_filmed: true}',
    '    video: {rooms: ["21"], checking_filmed: false}',
)


def _exception(rule: str, until: str = "2024-08-31", subject: str | None = None) -> str:
    where = f"\n    subject: {subject}" if subject else ""
    return f"""
  - rule: {rule}{where}
    reason: видеонаблюдение при проверке олимпиады обеспечивал муниципальный центр
    agreed: {{name: Кравцова Елена Викторовна, position: начальник управления образования,
              number: 12-од, date: 2023-10-01}}
    until: {until}
"""


def _check(checker: Checker, tmp_path: Path, text: str, *exceptions: str,
           as_of: dt.date = AS_OF) -> tuple[Report, str]:
    if exceptions:
        text += "\nexceptions:" + "".join(exceptions)
    path = tmp_path / "school.yaml"
    path.write_text(text, encoding="utf-8")
    return checker.check_file(path, as_of), text


def _finding(report: Report, rule_id: str) -> Finding:
    return next(f for f in report.findings if f.rule_id == rule_id)


def _line_of(text: str, fragment: str, occurrence: int = 0) -> int:
    lines = [i for i, line in enumerate(text.splitlines(), start=1) if fragment in line]
    return lines[occurrence]


def test_valid_exception_waives_the_subject_and_leaves_the_score(
    checker: Checker, tmp_path: Path
) -> None:
    without, _ = _check(checker, tmp_path, UNFILMED)
    gap = _finding(without, "FED-VID-003")
    assert gap.outcome is Outcome.GAP
    assert without.level.score is not None and without.level.score < 1.0

    report, _ = _check(checker, tmp_path, UNFILMED,
                       _exception("FED-VID-003", subject="vsosh-ma"))
    finding = _finding(report, "FED-VID-003")
    waived = next(s for s in finding.subjects if s.subject == "vsosh-ma")
    assert waived.outcome is Outcome.WAIVED
    assert waived.waived_outcome is Outcome.GAP
    assert waived.waiver is not None and waived.waiver.document == "№ 12-од от 01.10.2023"
    # The waived subject leaves the total: the other procedures are all met, so the score
    # is whole again, and the rule is counted apart as «исключение».
    assert finding.total == gap.total - 1 and finding.met == finding.total
    assert report.level.score == 1.0
    assert report.counts["waived"] == 1 and report.counts["gap"] == without.counts["gap"] - 1
    assert [w.status for w in report.waivers] == ["applied"]
    assert report.warnings == []


def test_exception_without_subject_covers_every_subject_without_its_own(
    checker: Checker, tmp_path: Path
) -> None:
    report, _ = _check(checker, tmp_path, UNFILMED, _exception("FED-VID-003"))
    finding = _finding(report, "FED-VID-003")
    outcomes = {s.subject: s.outcome for s in finding.subjects}
    # Only what was not done is waived; the filmed procedures stay met.
    assert outcomes["vsosh-ma"] is Outcome.WAIVED
    assert {o for s, o in outcomes.items() if s != "vsosh-ma"} == {Outcome.MET}


def test_expired_exception_is_ignored_and_reported_with_its_line(
    checker: Checker, tmp_path: Path
) -> None:
    report, text = _check(checker, tmp_path, UNFILMED,
                          _exception("FED-VID-003", until="2024-04-30", subject="vsosh-ma"))
    assert _finding(report, "FED-VID-003").outcome is Outcome.GAP
    assert [w.status for w in report.waivers] == ["expired"]
    line = _line_of(text, "until: 2024-04-30")
    assert report.warnings == [
        f"строка {line}: исключение по правилу FED-VID-003 истекло 30.04.2024 и не применено: "
        "мера оценена как обычно"
    ]


def test_exception_valid_on_its_last_day(checker: Checker, tmp_path: Path) -> None:
    report, _ = _check(checker, tmp_path, UNFILMED,
                       _exception("FED-VID-003", until="2024-05-01", subject="vsosh-ma"))
    assert _finding(report, "FED-VID-003").outcome is Outcome.WAIVED


def test_critical_measure_cannot_be_waived(checker: Checker, tmp_path: Path) -> None:
    text = (FIXTURES / "school-conflict.yaml").read_text("utf-8")
    before, _ = _check(checker, tmp_path, text)
    report, text = _check(checker, tmp_path, text, _exception("FED-COI-001"))
    assert _finding(report, "FED-COI-001").outcome is Outcome.VIOLATION
    assert report.level == before.level
    assert [w.status for w in report.waivers] == ["not_allowed"]
    line = _line_of(text, "- rule: FED-COI-001")
    assert report.warnings[-1].startswith(
        f"строка {line}: исключение по правилу FED-COI-001 не применено: меры важности "
        "«критично» исключать нельзя"
    )


def test_level_policy_may_not_list_critical_as_waivable() -> None:
    with pytest.raises(ValidationError, match="критичные меры"):
        LevelPolicy(min_coverage=0.5, bands=[], waivable=["high", "critical"], basis="тестовая шкала")


def test_severity_outside_the_policy_is_not_waived(checker: Checker, tmp_path: Path) -> None:
    """The pack decides: a policy that allows only recommendations refuses a medium rule."""
    from checker.io.packs import RuleBook

    only_recommendations = [
        p.model_copy(update={"level": p.level.model_copy(update={"waivable": ["recommendation"]})})
        if p.level is not None else p
        for p in checker.rulebook.packs
    ]
    strict = Checker(RuleBook(only_recommendations))
    report, _ = _check(strict, tmp_path, UNFILMED, _exception("FED-VID-003"))
    assert _finding(report, "FED-VID-003").outcome is Outcome.GAP
    assert report.waivers[0].status == "not_allowed"
    assert "«средняя»" in report.waivers[0].message


def test_unknown_rule_or_subject_is_a_warning_with_its_line(
    checker: Checker, tmp_path: Path
) -> None:
    report, text = _check(
        checker, tmp_path, UNFILMED,
        _exception("FED-XYZ-999"), _exception("FED-VID-003", subject="vpr-ma-9"),
    )
    assert [w.status for w in report.waivers] == ["unknown_rule", "unknown_subject"]
    assert report.warnings == [
        f"строка {_line_of(text, '- rule: FED-XYZ-999')}: исключение по правилу FED-XYZ-999 не "
        "применено: такого правила для этой школы нет",
        f"строка {_line_of(text, 'subject: vpr-ma-9')}: исключение по правилу FED-VID-003 для "
        "«vpr-ma-9» не применено: у этой меры нет такого субъекта",
    ]
    assert _finding(report, "FED-VID-003").outcome is Outcome.GAP


def test_exception_for_a_met_measure_is_not_needed(checker: Checker, tmp_path: Path) -> None:
    report, _ = _check(checker, tmp_path, UNFILMED, _exception("FED-DOC-001"))
    assert _finding(report, "FED-DOC-001").outcome is Outcome.MET
    assert report.waivers[0].status == "not_needed"


def test_exception_expiring_soon_is_among_the_deadlines(checker: Checker, tmp_path: Path) -> None:
    soon, _ = _check(checker, tmp_path, UNFILMED,
                     _exception("FED-VID-003", until="2024-05-10", subject="vsosh-ma"))
    assert [(d.rule_id, d.outcome, d.due) for d in soon.deadlines] == [
        ("FED-VID-003", Outcome.WAIVED, dt.date(2024, 5, 10))
    ]
    later, _ = _check(checker, tmp_path, UNFILMED,
                      _exception("FED-VID-003", until="2024-08-31", subject="vsosh-ma"))
    assert later.deadlines == []


def test_exception_never_lifts_a_cap(checker: Checker, tmp_path: Path) -> None:
    """A listed school stays «низкий» even with an exception for the listing rule (high)."""
    text = (FIXTURES / "school-history-2023.yaml").read_text("utf-8")
    report, _ = _check(checker, tmp_path, text, _exception("FED-ID-001"),
                       as_of=dt.date(2023, 5, 15))
    assert _finding(report, "FED-ID-001").outcome is Outcome.WAIVED
    assert report.level.level == "низкий"
    assert [c.id for c in report.level.caps] == ["federal_list"]


def test_inspector_can_reject_an_exception(checker: Checker, tmp_path: Path) -> None:
    rejected = """
inspection:
  inspector: Иванов И. И.
  verdicts:
    - {rule: FED-VID-003, subject: vsosh-ma, verdict: rejected, note: согласования нет}
"""
    report, _ = _check(checker, tmp_path, UNFILMED + rejected,
                       _exception("FED-VID-003", subject="vsosh-ma"))
    finding = _finding(report, "FED-VID-003")
    subject = next(s for s in finding.subjects if s.subject == "vsosh-ma")
    # The exception is rejected: what it replaced (a gap) returns, and it counts again.
    assert subject.outcome is Outcome.GAP
    assert subject.self_outcome is Outcome.WAIVED
    assert finding.outcome is Outcome.GAP
    assert finding.total == len(finding.subjects)
    assert [(f.rule_id, s.subject if s else None) for f, s in disagreements(report.findings)] == [
        ("FED-VID-003", "vsosh-ma")
    ]


def test_inspection_asks_about_exceptions_early_and_shows_them(
    checker: Checker, tmp_path: Path
) -> None:
    from rich.console import Console

    from checker.cli.inspect import describe, items_to_inspect

    report, _ = _check(checker, tmp_path, UNFILMED,
                       _exception("FED-VID-003", subject="vsosh-ma"))
    items = items_to_inspect(report.findings)
    waived = next(i for i, item in enumerate(items) if item.key == ("FED-VID-003", "vsosh-ma"))
    first_met = next(i for i, item in enumerate(items) if item.self_outcome is Outcome.MET)
    assert waived < first_met
    console = Console(width=200, record=True, color_system=None)
    console.print(describe(items[waived], 1, len(items)))
    shown = console.export_text()
    assert "По профилю: исключение" in shown
    assert "согласовано: начальник управления образования Кравцова Елена Викторовна" in shown


@pytest.mark.parametrize(("verdict", "replaced", "expected"), [
    ("rejected", Outcome.VIOLATION, Outcome.VIOLATION),  # a violation stays one
    ("rejected", Outcome.UNKNOWN, Outcome.GAP),  # as any rejected «не сообщено»
    ("rejected", Outcome.OVERDUE, Outcome.OVERDUE),
    ("confirmed", Outcome.GAP, Outcome.WAIVED),  # the inspector confirms the exception
    ("not_checked", Outcome.GAP, Outcome.WAIVED),
])
def test_verdict_on_an_exception(verdict: str, replaced: Outcome, expected: Outcome) -> None:
    from checker.core.verdicts import overridden

    assert overridden(Outcome.WAIVED, verdict, replaced) is expected
