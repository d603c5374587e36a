"""The coverage map: every seed item exactly once, mapped to known rules or given a reason."""

from __future__ import annotations

import pytest

from checker.io.packs import RuleBook
from checker.render.coverage import CoverageMap, load_coverage, unknown_rules

from .conftest import RULES

# Item numbers of each seed document, written once from shared/seeds (tests do not read it).
EXPECTED_ITEMS: dict[str, list[str]] = {
    "seed:000": [
        "1", "1.1", "1.2", "1.3", "1.4", "1.5", "2", "2.1", "2.2", "2.3", "3",
        *[f"3.{n}" for n in range(1, 16)],
    ],
    "seed:001": [str(n) for n in range(1, 13)],
    "seed:002": [
        "1", "1.1", "1.2", "1.3", "1.4", "2", "2.1", "2.2", "3", "3.1", "3.2",
        "Выводы 1)", "Выводы 2)",
    ],
    "seed:003": [
        "1", *[f"1.{n}" for n in range(1, 8)],
        "2", *[f"2.{n}" for n in range(1, 7)],
        "3", *[f"3.{n}" for n in range(1, 9)],
        "4", "4.1", "4.2", "4.3", "4.5", "4.6", "4.7", "4.8", "4.9",
        "5", *[f"5.{n}" for n in range(1, 9)], "5.10", "5.11",
    ],
    "seed:004": [
        "приказ, 1", "приказ, 2", "приказ, 2.1", "приказ, 2.2", "приказ, 3",
        "план, 1", "план, 1.2", "план, 2", "план, 2.2 (первая строка)",
        *[f"план, 2.{n}" for n in range(1, 14)],
        "план, 3", "план, 3.1", "план, 3.2", "план, 3.3",
        "план, 4", *[f"план, 4.{n}" for n in range(1, 6)],
    ],
    # Not a seed: the thresholds of the regional example monit95 that its pack carries.
    "monit95": ["max4", "min2 4 РУ", "min2 4 МА", "min2 4 ОМ", "min2 8 РУ", "max5 4 МА",
                "max5 7 ГЕ", "сумма"],
}


@pytest.fixture(scope="module")
def maps() -> dict[str, CoverageMap]:
    return {cov.document: cov for cov in load_coverage(RULES)}


def test_one_map_per_seed(maps: dict[str, CoverageMap]) -> None:
    assert sorted(maps) == sorted(EXPECTED_ITEMS)


@pytest.mark.parametrize("document", sorted(EXPECTED_ITEMS))
def test_every_item_appears_exactly_once(maps: dict[str, CoverageMap], document: str) -> None:
    items = [item.item for item in maps[document].items]
    assert len(items) == len(set(items)), "пункт указан дважды"
    missing = [n for n in EXPECTED_ITEMS[document] if n not in items]
    extra = [n for n in items if n not in EXPECTED_ITEMS[document]]
    assert not missing, f"пропущены пункты: {missing}"
    assert not extra, f"лишние пункты: {extra}"


def test_every_item_has_rules_or_reason(maps: dict[str, CoverageMap]) -> None:
    for cov in maps.values():
        for item in cov.items:
            assert bool(item.rules) != bool(item.reason), f"{cov.document} п. {item.item}"


def test_mapped_rules_exist(maps: dict[str, CoverageMap], rulebook: RuleBook) -> None:
    assert unknown_rules(list(maps.values()), rulebook) == []


def test_every_regional_rule_is_mapped(maps: dict[str, CoverageMap], rulebook: RuleBook) -> None:
    mapped = {rid for cov in maps.values() for item in cov.items for rid in item.rules}
    regional = {r.id for p in rulebook.packs if p.layer != "federal" for r in p.rules}
    assert regional <= mapped, sorted(regional - mapped)


def test_conflicting_item_is_mapped_to_the_winning_rule(maps: dict[str, CoverageMap]) -> None:
    item = next(i for i in maps["seed:000"].items if i.item == "3.4")
    assert item.rules == ["FED-POS-006"]


# --- issue 12: coverage honesty ---------------------------------------------------------


def _item(maps: dict[str, CoverageMap], document: str, number: str) -> tuple[list[str], str]:
    item = next(i for i in maps[document].items if i.item == number)
    return item.rules, item.reason or ""


@pytest.mark.parametrize(
    ("document", "number", "rule_id"),
    [
        # school-level measures that a rule checks (were mapped to a reason)
        ("seed:001", "1", "FED-ORG-002"),
        ("seed:003", "1.5", "FED-ANL-001"),
        ("seed:003", "2.5", "FED-POS-009"),
        ("seed:003", "5.2", "FED-ANL-001"),
        ("seed:004", "план, 2.4", "FED-ANL-002"),
        ("seed:004", "план, 2.5", "FED-ANL-002"),
        # the municipal / cross checking of seed 000 item 1.5 lives in its own pack
        ("seed:000", "1.5", "BOG-006"),
    ],
)
def test_school_level_measures_map_to_the_rule_that_checks_them(
    maps: dict[str, CoverageMap], document: str, number: str, rule_id: str
) -> None:
    rules, _reason = _item(maps, document, number)
    assert rule_id in rules


@pytest.mark.parametrize(
    ("document", "number"),
    [
        ("seed:004", "приказ, 2.1"),  # «весь план в полном объёме» is not four rules
        ("seed:004", "план, 2.2"),  # individual work with teachers: not the ВПР–journal check
        ("seed:003", "1.6"),  # the УО's analysis at the school: not the ВПР–journal check
    ],
)
def test_no_over_claiming(maps: dict[str, CoverageMap], document: str, number: str) -> None:
    rules, reason = _item(maps, document, number)
    assert rules == [] and reason


def test_the_unchecked_part_of_an_item_is_said(maps: dict[str, CoverageMap]) -> None:
    item = next(i for i in maps["seed:000"].items if i.item == "1.5")
    assert item.note is not None and "выезды" in item.note


def test_rules_coverage_prints_each_document_with_its_totals() -> None:
    from typer.testing import CliRunner

    from checker.cli.main import app

    result = CliRunner().invoke(app, ["rules", "coverage", "--rules", str(RULES)])
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())  # the terminal wraps long lines
    maps = load_coverage(RULES)
    for cov in maps:
        assert cov.totals_line() in output
    seed4 = next(cov for cov in maps if cov.document == "seed:004")
    assert seed4.unmapped == 0
    assert f"пунктов {len(seed4.items)}; проверяются правилами — {seed4.mapped}" in output
    assert "не сопоставлено" in output  # the totals table names the column
