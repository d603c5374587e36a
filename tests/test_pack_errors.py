"""Rule packs that cannot be used: a located Russian message and exit 2 from the command line.

Cross-pack checks (duplicate and retired ids, parameters, the level policy and the layers)
and the engine's limits (checker.engine.limits), which must be enforced when the packs are
loaded: past some of them durable_rules hangs forever or fails only on a school's facts.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from checker.cli.main import app
from checker.engine import Engine, EngineError
from checker.engine.compile import compile_rules
from checker.engine.limits import (
    MAX_LISTED_TESTS,
    MAX_SHARED_CONDITION,
    MAX_SIBLING_TESTS,
    limit_issues,
)
from checker.model.rulepack import Rule

from .conftest import FIXTURES, RULES

runner = CliRunner()

PACK = """\
pack: broken
title: Сломанный пакет
layer: regional
scope: {region: Нигде}
rules:
"""

RULE = """\
  - id: {id}
    title: Проверка сломанного пакета
    direction: procedure
    source: {{document: "seed:000", item: "1.1", quote: Изучение нормативных документов}}
    severity: low
    check:
      each: {{kind: {each}}}
      {form}
    message: {{gap: "{message}"}}
    remediation: {{measure: сделать, responsible: директор, due: сразу}}
"""

HAS_OBSERVER = "has: {kind: observer, where: {independent: true}}"


def rule(rule_id: str = "BRK-001", form: str = HAS_OBSERVER, each: str = "procedure",
         message: str = "{subject}: нет") -> str:
    return RULE.format(id=rule_id, form=form, each=each, message=message)


def _rules_dir(tmp_path: Path, packs: dict[str, str]) -> Path:
    """The shipped federal packs plus ``packs`` (path under rules/ → text)."""
    rules = tmp_path / "rules"
    shutil.copytree(RULES / "federal", rules / "federal")
    for name, text in packs.items():
        path = rules / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return rules


def _check(rules: Path) -> tuple[int, str]:
    result = runner.invoke(
        app, ["check", str(FIXTURES / "school-silent.yaml"), "--rules", str(rules)],
        env={"COLUMNS": "300"},
    )
    return result.exit_code, result.output


def _line_of(text: str, fragment: str, occurrence: int = 1) -> int:
    """1-based line of the ``occurrence``-th line containing ``fragment``."""
    lines = [n for n, line in enumerate(text.splitlines(), 1) if fragment in line]
    return lines[occurrence - 1]


def _assert_located(output: str, file: str, line: int, phrase: str) -> None:
    assert "Traceback" not in output
    assert re.search(rf"{re.escape(file)}:{line}: ", output), output
    assert phrase in output, output


def test_the_broken_pack_itself_is_valid(tmp_path: Path) -> None:
    """Every failing case below differs from this pack only in what it tests."""
    code, output = _check(_rules_dir(tmp_path, {"regional/broken.yaml": PACK + rule()}))
    assert code == 0, output


# --- the level and the parameters belong to the federal layer -----------------------------


def test_no_pack_sets_the_level(tmp_path: Path) -> None:
    rules = _rules_dir(tmp_path, {})
    federal = rules / "federal" / "federal.yaml"
    text = federal.read_text("utf-8")
    start, end = text.index("\nlevel:"), text.index("\nrules:")
    federal.write_text(text[:start] + text[end:], "utf-8")
    code, output = _check(rules)
    assert code == 2
    _assert_located(output, "federal/federal.yaml", 1, "не задаёт политику уровня")


def test_regional_pack_cannot_set_the_level(tmp_path: Path) -> None:
    """Issue 17: a regional level with zero thresholds and no caps made a critical conflict of
    interest «высокий»."""
    level = "level: {min_coverage: 0, basis: нулевые пороги, bands: [{level: высокий, min_score: 0}]}\n"
    text = PACK + rule()
    text = text.replace("rules:\n", level + "rules:\n")
    code, output = _check(_rules_dir(tmp_path, {"regional/broken.yaml": text}))
    assert code == 2
    _assert_located(output, "broken.yaml", _line_of(text, "level:"), "задаёт только федеральный")


def test_regional_pack_cannot_redeclare_a_federal_parameter(tmp_path: Path) -> None:
    """Issue 17: value 0 made FED-VID-002 «met» for half-filmed procedures."""
    params = (
        "parameters:\n"
        "  video_coverage_min: {value: 0, title: Доля, stricter: higher, loosen_allowed: true}\n"
    )
    text = (PACK + rule()).replace("rules:\n", params + "rules:\n")
    code, output = _check(_rules_dir(tmp_path, {"regional/broken.yaml": text}))
    assert code == 2
    _assert_located(output, "broken.yaml", _line_of(text, "parameters:"),
                    "параметры объявляет только федеральный пакет")


def test_regional_pack_cannot_loosen_a_parameter(tmp_path: Path) -> None:
    text = (PACK + rule()).replace("rules:\n", "overrides: {video_coverage_min: 50}\nrules:\n")
    code, output = _check(_rules_dir(tmp_path, {"regional/broken.yaml": text}))
    assert code == 2
    _assert_located(output, "broken.yaml", _line_of(text, "overrides:"),
                    "ослабление параметра «video_coverage_min» (100 → 50) запрещено")


def test_federal_layer_outside_the_federal_folder(tmp_path: Path) -> None:
    text = PACK.replace("layer: regional\nscope: {region: Нигде}\n", "layer: federal\n") + rule()
    code, output = _check(_rules_dir(tmp_path, {"regional/broken.yaml": text}))
    assert code == 2
    _assert_located(output, "broken.yaml", 3, "должен лежать в federal/")


def test_regional_layer_inside_the_federal_folder(tmp_path: Path) -> None:
    code, output = _check(_rules_dir(tmp_path, {"federal/broken.yaml": PACK + rule()}))
    assert code == 2
    _assert_located(output, "broken.yaml", 3, "там только федеральные пакеты")


@pytest.mark.parametrize(
    ("head", "line", "phrase"),
    [
        ("layer: regional\n", 3, "не задан scope.region"),
        ("layer: municipal\nscope: {region: Нигде}\n", 4, "не задан scope.municipality"),
    ],
)
def test_pack_below_federal_needs_a_scope(tmp_path: Path, head: str, line: int, phrase: str) -> None:
    """A pack with no scope would apply to every school in the country."""
    text = PACK.replace("layer: regional\nscope: {region: Нигде}\n", head) + rule()
    code, output = _check(_rules_dir(tmp_path, {"regional/broken.yaml": text}))
    assert code == 2
    _assert_located(output, "broken.yaml", line, phrase)


# --- ids and parameters across packs -------------------------------------------------------


def test_duplicate_id_across_packs(tmp_path: Path) -> None:
    text = PACK + rule("FED-ORG-001")
    code, output = _check(_rules_dir(tmp_path, {"regional/broken.yaml": text}))
    assert code == 2
    _assert_located(output, "broken.yaml", 6, "id FED-ORG-001 уже есть в пакете federal")


def test_reuse_of_a_retired_id(tmp_path: Path) -> None:
    text = PACK.replace("rules:\n", "retired: [BRK-002]\nrules:\n") + rule() + rule("BRK-002")
    code, output = _check(_rules_dir(tmp_path, {"regional/broken.yaml": text}))
    assert code == 2
    _assert_located(output, "broken.yaml", _line_of(text, "id: BRK-002"),
                    "id BRK-002 выведен из употребления")


def test_undeclared_parameter(tmp_path: Path) -> None:
    form = "compare: {kind: video, field: coverage_pct, op: '>=', param: video_share_min}"
    text = PACK + rule(form=form)
    code, output = _check(_rules_dir(tmp_path, {"regional/broken.yaml": text}))
    assert code == 2
    _assert_located(output, "broken.yaml", _line_of(text, "param:"),
                    "параметр «video_share_min» нигде не объявлен")


# --- message templates: plain placeholders only -------------------------------------------


@pytest.mark.parametrize(
    ("template", "phrase"),
    [
        ("{subject:d}", "с форматом или преобразованием не допускается"),
        ("{subject:>1500000000}", "с форматом или преобразованием не допускается"),
        ("{subject!r}", "с форматом или преобразованием не допускается"),
        ("{subject.__class__}", "неизвестная подстановка"),
        # {value} was listed as allowed but never filled: a report printed «{value}»
        ("{subject}: {value}", "неизвестная подстановка {value}"),
        # a has rule compares with nothing: {threshold} would stay unfilled
        ("{subject}: выше {threshold}", "у правила нет check.compare"),
        ("нет {", "непарная фигурная скобка"),
    ],
)
def test_message_template_with_format_spec(tmp_path: Path, template: str, phrase: str) -> None:
    text = PACK + rule(message=template)
    code, output = _check(_rules_dir(tmp_path, {"regional/broken.yaml": text}))
    assert code == 2
    _assert_located(output, "broken.yaml", _line_of(text, "message:"), phrase)


# --- the engine's limits -------------------------------------------------------------------


def _values(prefix: str, count: int) -> str:
    return "[" + ", ".join(f"{prefix}{i}" for i in range(count)) + "]"


def test_where_list_longer_than_the_engine_takes(tmp_path: Path) -> None:
    """513 values: create_ruleset never returned (and ignored Ctrl-C)."""
    form = f"has: {{kind: document, where: {{kind: {_values('k', 513)}}}}}"
    text = PACK + rule(form=form, each="school")
    code, output = _check(_rules_dir(tmp_path, {"regional/broken.yaml": text}))
    assert code == 2
    _assert_located(output, "broken.yaml", _line_of(text, "has:"),
                    "в списке 513 значений, допустимо не больше 512")


def test_where_lists_of_two_rules_together_beyond_the_engine(tmp_path: Path) -> None:
    """Two lists of 300 are each fine, but the engine puts all 600 tests under one node."""
    first = rule(form=f"has: {{kind: document, where: {{kind: {_values('a', 300)}}}}}",
                 each="school")
    second = rule("BRK-002", form=f"has: {{kind: document, where: {{kind: {_values('b', 300)}}}}}",
                  each="school")
    text = PACK + first + second
    code, output = _check(_rules_dir(tmp_path, {"regional/broken.yaml": text}))
    assert code == 2
    _assert_located(output, "broken.yaml", _line_of(text, "check:", 2),
                    "BRK-002: вместе с другими правилами больше 512 разных условий")


def test_too_many_rules_with_one_condition(tmp_path: Path) -> None:
    """Engine error 108: 130 rules that each use the bare document pattern twice."""
    text = PACK + "".join(
        rule(f"BRK-{n:03d}", form="has: {kind: document}", each="school") for n in range(1, 131)
    )
    code, output = _check(_rules_dir(tmp_path, {"regional/broken.yaml": text}))
    assert code == 2
    assert "Traceback" not in output
    assert "правил движка с одинаковым условием" in output, output
    assert re.search(r"broken\.yaml:\d+: rules\[\d+\]\.check: BRK-\d{3}: ", output), output


def test_forbidden_pattern_of_more_than_sixteen_facts(tmp_path: Path) -> None:
    """The subject and 16 forbidden facts: engine error 304, but only once a school arrives."""
    patterns = ", ".join(f"{{as: c{i}, kind: checker}}" for i in range(16))
    text = PACK + rule(form=f"forbid: [{patterns}]")
    code, output = _check(_rules_dir(tmp_path, {"regional/broken.yaml": text}))
    assert code == 2
    _assert_located(output, "broken.yaml", _line_of(text, "forbid:"),
                    "в запрете 16 фактов, допустимо не больше 15")


def test_condition_on_one_fact_beyond_the_expression_slots(tmp_path: Path) -> None:
    """Engine error 113: each field with a condition of two parts takes 4 slots."""
    fields = ", ".join(
        f"{name}: {{eq: true, ne: false}}"
        for name in ("during_work", "checking_filmed", "storage_known", "storage_until_march",
                     "hq", "entrance")
    )
    where = f"{{{fields}, coverage_pct: {{gte: 1, lte: 100}}, ref: {{eq: a, ne: b}}}}"
    text = PACK + rule(form=f"has: {{kind: video, where: {where}}}")
    code, output = _check(_rules_dir(tmp_path, {"regional/broken.yaml": text}))
    assert code == 2
    _assert_located(output, "broken.yaml", _line_of(text, "check:"),
                    "BRK-001: слишком сложное условие на один факт")


# --- the limits themselves, on the engine ---------------------------------------------------


def _document_rule(rule_id: str, kinds: list[str] | None) -> Rule:
    related: dict[str, object] = {"kind": "document"}
    if kinds is not None:
        related["where"] = {"kind": kinds}
    return Rule.model_validate({
        "id": rule_id, "title": "Проверка пределов", "direction": "procedure",
        "source": {"document": "seed:000", "item": "1", "quote": "цитата"},
        "severity": "low",
        "check": {"each": {"kind": "school"}, "has": related},
        "remediation": {"measure": "м", "responsible": "р", "due": "с"},
    })


def _issues(rules: list[Rule]) -> list[str]:
    return [issue.message for issue in limit_issues(compile_rules(rules, {}))]


def test_equality_tests_at_the_limit_reach_the_engine() -> None:
    """512 distinct tests under one node are accepted by the engine, so the check is not
    stricter than the engine (at 513 create_ruleset hangs: that side is not run here). The
    gap pattern tests the field's absence too: 511 values and that test make 512."""
    at_limit = [_document_rule("LIM-001", [f"k{i}" for i in range(MAX_SIBLING_TESTS - 1)])]
    assert not _issues(at_limit)
    Engine(at_limit, {})  # returns: the engine took it
    over = [_document_rule("LIM-001", [f"k{i}" for i in range(MAX_SIBLING_TESTS)])]
    assert len(_issues(over)) == 1
    with pytest.raises(EngineError, match="пределы движка"):
        Engine(over, {})


def test_listed_tests_at_the_limit_reach_the_engine() -> None:
    """Each rule's gap pattern has an ``$or`` (the value, or the field absent): 128 rules
    are accepted by the engine, the 129th is error 107."""
    rules = [_document_rule(f"LIM-{n:03d}", [f"k{n}"]) for n in range(MAX_LISTED_TESTS)]
    assert not _issues(rules)
    Engine(rules, {})
    more = [*rules, _document_rule("LIM-999", ["k999"])]
    assert [i.rule_id for i in limit_issues(compile_rules(more, {}))] == ["LIM-999"]


def test_rules_sharing_a_condition_at_the_limit_reach_the_engine() -> None:
    """A «has a document» rule uses the bare document pattern twice (met, and the absence
    behind a gap): 128 such rules make 256 engine rules on one condition, which the engine
    accepts; with 129 it answers error 108."""
    rules = [_document_rule(f"LIM-{n:03d}", None) for n in range(MAX_SHARED_CONDITION // 2)]
    assert not _issues(rules)
    Engine(rules, {})
    more = [*rules, _document_rule("LIM-999", None)]
    assert any("одинаковым условием" in message for message in _issues(more))
