"""The school's own level against the computed one (issue 12), and its list history."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from typer.testing import CliRunner

from checker.cli.main import app
from checker.core.check import Checker

from .conftest import FIXTURES


def test_kamenskaya_high_self_assessment_is_not_confirmed(checker: Checker) -> None:
    """Seed 002 ends with «Уровень объективности – высокий», but its справка documents too
    little to judge (level «не определён»), with partial ВПР video: the report says the
    self-assessment is not confirmed and why. (Checking by the school's own commission is no
    longer a reason: municipal or cross checking is organised by the education authority and
    is a rule of the municipal plan that asks for it, not of the federal packs.)"""
    report = checker.check_file(FIXTURES / "kamenskaya-2022.yaml", dt.date(2022, 4, 1))
    check = report.self_assessment
    assert check is not None
    assert (check.claimed, check.computed, check.confirmed) == ("высокий", "не определён", False)
    assert "не подтверждается" in check.verdict
    reasons = " ".join(check.reasons)
    assert "видеонаблюдение только в части аудиторий" in reasons
    assert "только школьная комиссия" not in reasons
    assert "нет сведений" in reasons


def _exemplary_claiming(level: str, tmp_path: Path) -> Path:
    """The exemplary school (level «высокий») with a self-assessment added."""
    text = (FIXTURES / "school-exemplary.yaml").read_text(encoding="utf-8")
    path = tmp_path / "school.yaml"
    path.write_text(text + f"self_assessment: {{level: {level}}}\n", encoding="utf-8")
    return path


def test_self_assessment_matching_the_computed_level_is_confirmed(
    checker: Checker, tmp_path: Path
) -> None:
    report = checker.check_file(_exemplary_claiming("высокий", tmp_path), dt.date(2024, 5, 1))
    assert report.level.level == "высокий"
    check = report.self_assessment
    assert check is not None and check.confirmed and check.reasons == []
    assert "подтверждается" in check.verdict


def test_school_rating_itself_lower_is_told_so(checker: Checker, tmp_path: Path) -> None:
    report = checker.check_file(_exemplary_claiming("средний", tmp_path), dt.date(2024, 5, 1))
    check = report.self_assessment
    assert check is not None and not check.confirmed
    assert "строже расчёта" in check.verdict


def test_list_history_is_named_in_the_report(checker: Checker) -> None:
    report = checker.check_file(FIXTURES / "regional" / "nesterov-sosh.yaml", dt.date(2024, 6, 30))
    assert [(item.kind, item.year) for item in report.list_history] == [("regional", 2023)]
    assert report.level.level == "низкий"
    assert "regional_list" in {cap.id for cap in report.level.caps}
    output = CliRunner().invoke(
        app, ["check", str(FIXTURES / "regional" / "nesterov-sosh.yaml"), "--as-of", "2024-06-30"]
    ).output
    assert "Перечни ОО с признаками необъективности: региональный перечень 2023" in " ".join(
        output.split()
    )
