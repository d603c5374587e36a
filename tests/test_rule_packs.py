"""Meta-tests over every pack: ids, sources, cases, placeholders, unconfirmed sources."""

from __future__ import annotations

import string
from pathlib import Path

import pytest

from checker.core.check import engine_limit_problems
from checker.io.packs import MESSAGE_PLACEHOLDERS, RuleBook, discover_packs
from checker.model.findings import Outcome
from checker.model.rulepack import RulePack
from checker.model.sources import SOURCES
from checker.testing.cases import Case, load_cases

from .conftest import RULES

NOT_MET = {Outcome.GAP, Outcome.VIOLATION, Outcome.OVERDUE, Outcome.STALE}


def _cases_of(book: RuleBook, pack: RulePack) -> dict[str, list[Outcome]]:
    return {rid: [c.expect for c in cases] for rid, cases in _full_cases_of(book, pack).items()}


def _full_cases_of(book: RuleBook, pack: RulePack) -> dict[str, list[Case]]:
    path = Path(book.origins[pack.pack])
    cases_path = path.with_name(path.stem + ".cases.yaml")
    if not cases_path.exists():
        return {}
    return load_cases(cases_path)


def test_rule_ids_are_unique_across_packs(rulebook: RuleBook) -> None:
    ids = [rule.id for rule in rulebook.rules]
    duplicates = sorted({rid for rid in ids if ids.count(rid) > 1})
    assert not duplicates


def test_every_pack_file_is_loaded() -> None:
    assert len(discover_packs(RULES)) >= 7


def test_only_one_pack_sets_the_level(rulebook: RuleBook) -> None:
    assert [p.pack for p in rulebook.packs if p.level is not None] == ["federal"]


def test_every_rule_cites_a_known_source(rulebook: RuleBook) -> None:
    for rule in rulebook.rules:
        src = rule.source
        assert src.document in SOURCES, f"{rule.id}: неизвестный документ {src.document}"
        assert src.item.strip(), f"{rule.id}: нет пункта"
        assert src.quote.strip(), f"{rule.id}: нет цитаты"


def test_unconfirmed_sources_are_recommendations(rulebook: RuleBook) -> None:
    """A rule none of whose sources was seen is only a recommendation."""
    for rule in rulebook.rules:
        if not any(source.confirmed for source in rule.sources):
            assert rule.severity == "recommendation", rule.id


def test_every_rule_has_met_and_not_met_cases(rulebook: RuleBook) -> None:
    missing = []
    for pack in rulebook.packs:
        cases = _cases_of(rulebook, pack)
        for rule in pack.rules:
            outcomes = set(cases.get(rule.id, []))
            if Outcome.MET not in outcomes or not outcomes & NOT_MET:
                missing.append(rule.id)
    assert not missing, f"нет случая «выполнено» или «не выполнено»: {missing}"


def test_every_rule_has_a_not_reported_case(rulebook: RuleBook) -> None:
    """«не сообщено» is not «не сделано»: every rule shows what it says on silence."""
    missing = []
    for pack in rulebook.packs:
        cases = _cases_of(rulebook, pack)
        for rule in pack.rules:
            if Outcome.UNKNOWN not in cases.get(rule.id, []):
                missing.append(rule.id)
    assert not missing, f"нет случая «не сообщено»: {missing}"


def test_every_per_subject_rule_has_a_case_with_subjects_of_different_outcomes(
    rulebook: RuleBook,
) -> None:
    """A rule over procedures (documents, …) judges each one: a case with two subjects of
    different outcomes shows the outcomes are not mixed up between subjects."""
    missing = []
    for pack in rulebook.packs:
        cases = _full_cases_of(rulebook, pack)
        for rule in pack.rules:
            if rule.check.each.kind == "school":
                continue
            mixed = [c for c in cases.get(rule.id, []) if len(set(c.subjects.values())) >= 2]
            if not mixed:
                missing.append(rule.id)
    assert not missing, f"нет случая с субъектами разных исходов: {missing}"


def test_every_case_names_a_rule_of_its_pack(rulebook: RuleBook) -> None:
    for pack in rulebook.packs:
        ids = {rule.id for rule in pack.rules}
        unknown = set(_cases_of(rulebook, pack)) - ids
        assert not unknown, f"{pack.pack}: случаи для неизвестных правил {sorted(unknown)}"


def test_messages_use_known_placeholders(rulebook: RuleBook) -> None:
    for rule in rulebook.rules:
        for text in rule.message.model_dump().values():
            if text is None:
                continue
            names = {name for _, name, _, _ in string.Formatter().parse(text) if name}
            assert names <= MESSAGE_PLACEHOLDERS, f"{rule.id}: {names - MESSAGE_PLACEHOLDERS}"


def test_rules_stay_within_engine_limits(rulebook: RuleBook) -> None:
    """Every rule set a school can get (federal alone, with each regional pack) fits the
    engine's tables (checker.engine.limits); loading would refuse it otherwise."""
    assert engine_limit_problems(rulebook) == []
    assert len(rulebook.selections()) == 1 + len([p for p in rulebook.packs if p.layer != "federal"])


@pytest.mark.parametrize(
    ("pack", "region", "municipality", "prefix"),
    [
        ("boguchany", "Красноярский край", "Богучанский район", "BOG-"),
        ("sosnovy_bor", "Ленинградская область", "Сосновоборский городской округ", "SBR-"),
        ("shebalino", "Республика Алтай", "Шебалинский район", "SHB-"),
        ("nesterov", "Калининградская область", "Нестеровский муниципальный округ", "NES-"),
    ],
)
def test_regional_pack_scope_and_ids(
    rulebook: RuleBook, pack: str, region: str, municipality: str, prefix: str
) -> None:
    found = next(p for p in rulebook.packs if p.pack == pack)
    assert (found.scope.region, found.scope.municipality) == (region, municipality)
    assert found.rules and all(rule.id.startswith(prefix) for rule in found.rules)
