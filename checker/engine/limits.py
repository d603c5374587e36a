"""The engine's compiled-in limits, checked on a compiled ruleset before the engine sees it.

durable_rules 2.0.28 has fixed-size tables (research note on the engine, section 1); past
some of them it does not fail but **hangs forever** in ``create_ruleset`` (more than 512
distinct tests under one node) or fails only when a school's facts arrive (more than 16
facts joined in one rule). Each limit below was reproduced on the engine (see
``tests/test_pack_errors.py``); they are checked here, on the JSON this package writes, so
that a pack that would break them is rejected when it is loaded, naming its rule.

* ``MAX_JOINED_FACTS`` — facts (pattern elements) in one engine rule, error 304 at assert;
* ``MAX_EXPRESSION_SLOTS`` — per pattern, 2 for each ``$and``/``$or`` and 1 for each join,
  error 113 at compile;
* ``MAX_SIBLING_TESTS`` — distinct tests under one node of the alpha network:
  ``create_ruleset`` hangs at 513 (512 values in a list and ``$nex`` on the same field
  hung). The tests of all patterns of one fact kind are counted together (the kind test
  aside), an upper bound of those under any node below it;
* ``MAX_LISTED_TESTS`` — the other tests under one node, error 107 at 129: every ``$or``
  counts (the engine does not share them between rules: 128 rules with one identical
  ``$or`` each were accepted, 129 were not), as does each distinct ``$nex``/``$neq``/
  comparison outside an ``$or``; counted per fact kind like the equality tests;
* ``MAX_SHARED_CONDITION`` — engine rules whose element has one identical pattern (the
  beta successors of its alpha node), error 108 from 258 (256 is the table's size, kept).

The boundaries are exercised on the engine by ``tests/test_pack_errors.py`` (accepted at
the limit); beyond them the engine hangs or fails, as the research note records.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from checker.engine.compile import SENTINEL, CompiledRuleset, Json, compile_rules
from checker.model.rulepack import Rule

MAX_JOINED_FACTS = 16
MAX_EXPRESSION_SLOTS = 31
MAX_SIBLING_TESTS = 512
MAX_LISTED_TESTS = 128
MAX_SHARED_CONDITION = 256


@dataclass(frozen=True)
class LimitIssue:
    """A rule of a pack that the engine cannot hold; ``message`` is Russian."""

    rule_id: str
    message: str


def _rule_id(engine_rule: str) -> str:
    return engine_rule.partition("|")[0]


def _slots(test: Json) -> int:
    """Expression slots one test takes: 2 per ``$and``/``$or``, 1 per join."""
    ((key, value),) = test.items()
    if key in ("$and", "$or"):
        return 2 + sum(_slots(item) for item in value)
    if not key.startswith("$") and isinstance(value, dict):
        return 1  # {field: {alias: field}}: a join to an earlier fact
    return 0


def _atoms(test: Json, in_or: bool = False) -> Iterator[tuple[str, bool]]:
    """The alpha tests of a pattern (``$and``/``$or`` opened, joins and the kind test left
    out), each with whether it is inside an ``$or``; an ``$or`` itself yields ``"$or"``."""
    ((key, value),) = test.items()
    if key in ("$and", "$or"):
        if key == "$or":
            yield key, in_or
        for item in value:
            yield from _atoms(item, in_or or key == "$or")
    elif key != "t" and (key.startswith("$") or not isinstance(value, dict)):
        yield json.dumps(test, ensure_ascii=False, sort_keys=True), in_or


def _is_equality(atom: str) -> bool:
    return not atom.startswith('{"$') and atom != "$or"


def _kind_of(pattern: Json) -> str | None:
    tests = pattern.get("$and", [pattern])
    kinds = [t["t"] for t in tests if isinstance(t.get("t"), str)]
    return kinds[0] if len(kinds) == 1 else None


class _Census:
    """What one ruleset puts under the engine's tables, counted per fact kind and pattern."""

    def __init__(self) -> None:
        self.tests: dict[str, list[str]] = {}  # kind → distinct alpha tests, first seen first
        self.listed: dict[str, list[str]] = {}  # kind → engine rule of each listed test
        self.first_rule: dict[tuple[str, str], str] = {}  # (kind, test) → where first seen
        self.sharing: dict[str, list[str]] = {}  # pattern → engine rules with an element on it

    def add_pattern(self, engine_rule: str, pattern: Json) -> None:
        key = json.dumps(pattern, ensure_ascii=False, sort_keys=True)
        self.sharing.setdefault(key, []).append(engine_rule)
        kind = _kind_of(pattern)
        if kind is None:
            return
        listed = self.listed.setdefault(kind, [])
        tests = self.tests.setdefault(kind, [])
        for atom, in_or in _atoms(pattern):
            if atom == "$or":  # never shared between rules
                listed.append(engine_rule)
                continue
            if (kind, atom) in self.first_rule:
                continue
            self.first_rule[(kind, atom)] = engine_rule
            tests.append(atom)
            if not _is_equality(atom) and not in_or:
                listed.append(engine_rule)

    def issues(self) -> Iterator[tuple[str, str]]:
        """(engine rule, Russian message) for each table that overflows."""
        for kind, tests in self.tests.items():
            if len(tests) > MAX_SIBLING_TESTS:
                yield self.first_rule[(kind, tests[MAX_SIBLING_TESTS])], (
                    f"вместе с другими правилами больше {MAX_SIBLING_TESTS} разных условий "
                    f"(значений в списках) на факт «{kind}» — предел движка (сократите списки)"
                )
        for kind, listed in self.listed.items():
            if len(listed) > MAX_LISTED_TESTS:
                yield listed[MAX_LISTED_TESTS], (
                    f"вместе с другими правилами больше {MAX_LISTED_TESTS} условий-списков, "
                    f"неравенств и проверок отсутствия поля на факт «{kind}» — предел движка"
                )
        for names in self.sharing.values():
            rules = [name for name in names if name != SENTINEL]
            if len(names) > MAX_SHARED_CONDITION:
                yield rules[min(MAX_SHARED_CONDITION, len(rules) - 1)], (
                    f"больше {MAX_SHARED_CONDITION} правил движка с одинаковым условием — "
                    "предел движка (объедините правила)"
                )


def _rule_issues(engine_rule: str, elements: list[Json]) -> Iterator[str]:
    """Limits of one engine rule on its own."""
    if len(elements) > MAX_JOINED_FACTS:
        yield f"правило связывает больше {MAX_JOINED_FACTS} фактов — предел движка"
    if any(_slots(p) > MAX_EXPRESSION_SLOTS for e in elements for p in e.values()):
        yield (
            f"слишком сложное условие на один факт: больше {MAX_EXPRESSION_SLOTS} ячеек "
            "выражений движка (по 2 на каждое поле со списком или условием, по 1 на связь "
            "с другим фактом)"
        )


def limit_issues(ruleset: CompiledRuleset) -> list[LimitIssue]:
    """Every place where ``ruleset`` exceeds a limit of the engine, by objcheck rule."""
    census = _Census()
    found: list[tuple[str, str]] = []
    for name, definition in ruleset.definitions.items():
        elements = definition["all"]
        found.extend((name, message) for message in _rule_issues(name, elements))
        for element in elements:
            for pattern in element.values():
                census.add_pattern(name, pattern)
    found.extend(census.issues())
    issues = {(_rule_id(rule), message): None for rule, message in found}
    return [LimitIssue(rule_id, message) for rule_id, message in issues if rule_id != SENTINEL]


def rules_limit_issues(rules: Iterable[Rule], parameters: Mapping[str, int]) -> list[LimitIssue]:
    """``limit_issues`` of the ruleset ``rules`` compile to (nothing reaches the engine)."""
    return limit_issues(compile_rules(rules, parameters))
