"""Sample schools: each of the four municipalities gets its pack on top of the federal ones;
a school from another region gets the federal packs only. Also: conflicts and the layer that
set a parameter appear in the report."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path

import pytest
from rich.console import Console

from checker.core.check import Checker
from checker.io.packs import RuleBook, load_rulebook
from checker.model.errors import InputError
from checker.model.profile import Profile
from checker.model.report import Report
from checker.render.text import render_report

from .conftest import FIXTURES, RULES

AS_OF = dt.date(2024, 6, 30)
REGIONAL = FIXTURES / "regional"
FEDERAL_PACKS = {"federal", "federal_0571", "federal_gia", "results"}


def _render(report: Report) -> str:
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(render_report(report))
    return console.export_text()


@pytest.mark.parametrize(
    ("fixture", "pack", "prefix"),
    [
        ("boguchany-sosh.yaml", "boguchany", "BOG-"),
        ("sosnovy-bor-sosh.yaml", "sosnovy_bor", "SBR-"),
        ("shebalino-sosh.yaml", "shebalino", "SHB-"),
        ("nesterov-sosh.yaml", "nesterov", "NES-"),
    ],
)
def test_school_gets_its_regional_rules(
    checker: Checker, rulebook: RuleBook, fixture: str, pack: str, prefix: str
) -> None:
    report = checker.check_file(REGIONAL / fixture, AS_OF)
    assert {p.pack for p in report.packs} == FEDERAL_PACKS | {pack}
    expected = {r.id for p in rulebook.packs if p.pack == pack for r in p.rules}
    found = {f.rule_id for f in report.findings}
    assert expected <= found
    federal = {r.id for p in rulebook.packs if p.layer == "federal" for r in p.rules}
    # a federal rule the regional pack restates (override_of) is replaced, not doubled
    overridden = {r.override_of for p in rulebook.packs if p.pack == pack for r in p.rules}
    assert federal - overridden <= found
    assert not overridden & found
    assert all(not f.rule_id.startswith(prefix) or f.pack == pack for f in report.findings)


def test_school_from_another_region_gets_federal_rules_only(
    checker: Checker, rulebook: RuleBook
) -> None:
    report = checker.check_file(REGIONAL / "tomsk-gimnaziya.yaml", AS_OF)
    assert {p.pack for p in report.packs} == FEDERAL_PACKS
    federal = {r.id for p in rulebook.packs if p.layer == "federal" for r in p.rules}
    assert {f.rule_id for f in report.findings} == federal
    assert report.conflicts == []
    assert "Противоречия источников" not in _render(report)


def test_boguchany_report_marks_item_3_4_as_conflict(checker: Checker) -> None:
    report = checker.check_file(REGIONAL / "boguchany-sosh.yaml", AS_OF)
    assert [(c.item, c.overridden_by) for c in report.conflicts] == [("3.4", "FED-POS-006")]
    text = _render(report)
    assert "Противоречия источников" in text and "FED-POS-006" in text


def test_shebalino_parent_observer_is_found_in_the_register(checker: Checker) -> None:
    """The observer of ВПР 6 is registered as the mother of a 6 А pupil: the conflict follows
    from the register (the school's own «parent» agrees with it, so no contradiction)."""
    report = checker.check_file(REGIONAL / "shebalino-sosh.yaml", AS_OF)
    outcomes = {f.rule_id: f for f in report.findings}
    coi = outcomes["FED-COI-002"]
    assert coi.outcome.value == "violation"
    assert [s.subject for s in coi.subjects if s.outcome.value == "violation"] == ["vpr-ru-6"]
    assert "наблюдатель Кергилова Эмилия Сергеевна" in coi.message
    assert outcomes["FED-COI-004"].outcome.value == "met"
    assert report.warnings == []


def test_nesterov_sample_has_both_deadline_rules(checker: Checker) -> None:
    report = checker.check_file(REGIONAL / "nesterov-sosh.yaml", AS_OF)
    ids = {f.rule_id for f in report.findings}
    assert {"NES-001", "NES-002"} <= ids
    assert report.warnings == []  # «Нестеровский МО» is the pack's municipality


def test_nesterov_ege_sat_elsewhere_is_no_subject_of_the_school_measures(
    checker: Checker,
) -> None:
    """The ЕГЭ in another school's ППЭ: no «видеонаблюдение не велось», no organiser check."""
    report = checker.check_file(REGIONAL / "nesterov-sosh.yaml", AS_OF)
    for rule_id in ("FED-VID-001", "FED-VID-002", "FED-GIA-004", "FED-GIA-005"):
        finding = next(f for f in report.findings if f.rule_id == rule_id)
        assert "ege-ma" not in {s.subject for s in finding.subjects}, rule_id
    vid = next(f for f in report.findings if f.rule_id == "FED-VID-001")
    assert {s.subject for s in vid.subjects} == {"vpr-ru-5", "vpr-en-7", "oge-ru", "vsosh"}


# --- parameters: a lower layer may tighten, not loosen; the report shows who set the value ---

EXTRA_FEDERAL = """
pack: federal_test
title: Тестовый параметр
layer: federal
parameters:
  recheck_min:
    value: 5
    title: Минимальная доля перепроверенных работ, %
    stricter: higher
"""

REGIONAL_PACK = """
pack: test_region
title: Тестовый региональный набор
layer: regional
scope: {{region: Тестовая область}}
overrides:
  recheck_min: {value}
"""


def _rules_with(tmp_path: Path, value: int) -> Path:
    rules = tmp_path / "rules"
    shutil.copytree(RULES / "federal", rules / "federal")
    (rules / "federal" / "federal-test.yaml").write_text(EXTRA_FEDERAL, encoding="utf-8")
    regional = rules / "regional" / "test"
    regional.mkdir(parents=True)
    (regional / "test.yaml").write_text(REGIONAL_PACK.format(value=value), encoding="utf-8")
    return rules


def test_regional_tightening_is_shown_in_the_report(tmp_path: Path) -> None:
    book = load_rulebook(_rules_with(tmp_path, 10))
    school = {"id": "x", "name": "Школа", "region": "Тестовая область"}
    profile = Profile.model_validate({"schema_version": 1, "school": school})
    report = Checker(book).check(profile, AS_OF)
    param = next(p for p in report.parameters if p.name == "recheck_min")
    assert (param.value, param.set_by, param.default_by) == (10, "test_region", "federal_test")
    assert "задано набором «test_region»" in _render(report)


def test_regional_loosening_is_a_load_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="ослабление"):
        load_rulebook(_rules_with(tmp_path, 3))
