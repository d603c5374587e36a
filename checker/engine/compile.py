"""Rules → a durable_rules JSON ruleset (pure: no engine call here).

Follows the engine's research note to the letter, because every deviation gives silently
wrong answers: JSON rulesets (no ``durable.lang`` globals); every rule with ``$not``
anchored on an evaluation trigger fact asserted last (the engine does not retract a queued
match when the negated fact arrives later); a sentinel rule that always fires; the fact
kind first in every pattern; joins before any ``$or`` (see ``_pattern``).

Each rule compiles into a few *roles*, each an engine rule named ``<rule id>|<role>``:

``s`` the subjects · ``m`` met · ``g`` gap · ``n…`` gap said outright (an explicit
negative, ``checker.core.match.explicitly_fails``) · ``v`` violation · ``w`` possible
violation · ``u…`` not reported. Subject rules with an identical pattern are shared between
rules. With ``joins_only`` a ``forbid`` rule keeps only ``v`` and ``w`` (``compile_rules``).
The role letters and engine aliases stay inside ``checker.engine``: ``CompiledRule.aliases``
translates them into the port's role names (``checker.engine.port``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from checker.engine.port import RELATED, SUBJECT
from checker.model.factkinds import FACT_KINDS
from checker.model.rulepack import Compare, Condition, Pattern, Rule, Where

TRIGGER = "$eval"
SENTINEL = "$evaluated"

_OPS = {">=": "$gte", ">": "$gt", "<=": "$lte", "<": "$lt", "==": "$eq", "!=": "$neq"}
_NEGATED = {">=": "<", ">": "<=", "<=": ">", "<": ">=", "==": "!=", "!=": "=="}
_CONDITION_OPS = {"ne": "$neq", "gt": "$gt", "gte": "$gte", "lt": "$lt", "lte": "$lte"}

Json = dict[str, Any]


def _tests(kind: str, where: Where) -> list[Json]:
    """Alpha tests of one fact; the fact kind first, as it discriminates fastest."""
    tests: list[Json] = [{"t": kind}]
    for name, value in where.items():
        tests.append(_test(name, value))
    return tests


def _test(name: str, value: object) -> Json:
    if isinstance(value, list):
        return {"$or": [{name: v} for v in value]} if len(value) > 1 else {name: value[0]}
    if isinstance(value, Condition):
        return _condition(name, value)
    return {name: value}


def _relaxed_tests(kind: str, where: Where) -> list[Json]:
    """Tests of a fact that matches ``where`` *or would, were its absent fields reported*.

    «не сообщено» is not «не сделано»: a video record without the ``entrance`` field does
    not show that the entrance was unfilmed. Such a fact blocks a gap (and makes a possible
    violation unknown). A ``present`` condition is about absence itself, so it stays strict.
    """
    tests: list[Json] = [{"t": kind}]
    for name, value in where.items():
        strict = _test(name, value)
        if isinstance(value, Condition) and value.present is not None:
            tests.append(strict)
            continue
        options = strict.get("$or", [strict])
        tests.append({"$or": [*options, {"$nex": {name: 1}}]})
    return tests


def _refusals(name: str, value: object) -> list[list[Json]]:
    """The ways a present field fails one test, each as a list of tests (all must hold).

    A test is a conjunction (a condition's parts, a list's «not any of»), so it fails when
    any part fails: one alternative per part. ``present: true`` cannot fail on a present
    field; ``present: false`` fails on any present one.
    """
    exists: Json = {"$ex": {name: 1}}
    if isinstance(value, list):
        return [[exists, *({"$neq": {name: v}} for v in value)]]
    if not isinstance(value, Condition):
        return [[exists, {"$neq": {name: value}}]]
    ways: list[list[Json]] = []
    if value.eq is not None:
        ways.append([exists, {"$neq": {name: value.eq}}])
    if value.ne is not None:
        ways.append([{name: value.ne}])
    for key, op in _FAILED_BOUNDS.items():
        bound = getattr(value, key)
        if bound is not None:
            ways.append([{op: {name: bound}}])
    if value.present is False:
        ways.append([exists])
    return ways


_FAILED_BOUNDS = {"gt": "$lte", "gte": "$lt", "lt": "$gte", "lte": "$gt"}


def _condition(name: str, cond: Condition) -> Json:
    parts: list[Json] = []
    if cond.eq is not None:
        parts.append({name: cond.eq})
    for key, op in _CONDITION_OPS.items():
        bound = getattr(cond, key)
        if bound is not None:
            parts.append({op: {name: bound}})
    if cond.present is not None:
        parts.append({"$ex" if cond.present else "$nex": {name: 1}})
    return parts[0] if len(parts) == 1 else {"$and": parts}


def _is_join(test: Json) -> bool:
    """``{"procedure": {"s": "ref"}}``: a comparison with a field of an earlier alias."""
    ((key, value),) = test.items()
    return not key.startswith("$") and isinstance(value, dict)


def _pattern(tests: list[Json]) -> Json:
    """One fact pattern: the kind test first, then the joins, then the other tests.

    NOTE: the order is not cosmetic. durable_rules 2.0.28 silently drops a join test that
    follows an ``$or`` inside an ``$and`` (found by tests/test_engine_properties.py:
    ``[t, $or, join]`` matched observers of *every* procedure). Joins before any ``$or``
    are honoured.
    """
    ordered = sorted(tests, key=lambda test: 0 if "t" in test else 1 if _is_join(test) else 2)
    return ordered[0] if len(ordered) == 1 else {"$and": ordered}


def _join(child_kind: str, subject_kind: str, alias: str = "s") -> list[Json]:
    """Join a child fact to the subject by its parent key (nothing to join to the school)."""
    kind = FACT_KINDS[child_kind]
    if kind.parent == subject_kind and kind.parent_key:
        return [{kind.parent_key: {alias: "ref"}}]
    return []


def _flag_elements(child_kind: str, subject_kind: str, reported: bool) -> list[Json]:
    """Pattern elements requiring the child's section to be (not) reported."""
    kind = FACT_KINDS[child_kind]
    if kind.parent == subject_kind:
        return []  # the flag is tested on the subject itself, see _subject_with_flag
    return [{"sc": _pattern([{"t": "school"}, {kind.flag: reported}])}]


@dataclass
class CompiledRule:
    """The engine rules one objcheck rule became, by role."""

    rule_id: str
    subject_rule: str  # "" when the caller finds the subjects (``joins_only``)
    roles: dict[str, str] = field(default_factory=dict)  # role → engine rule name
    # engine alias → the port's role name (subject, related, a forbid pattern's alias)
    aliases: dict[str, str] = field(default_factory=lambda: {"s": SUBJECT, "r": RELATED})


@dataclass
class CompiledRuleset:
    definitions: dict[str, Json]
    rules: dict[str, CompiledRule]


def subject_where(rule: Rule) -> Where:
    """What a subject of the rule must match: ``each.where``, and for procedures the kinds
    the rule applies to (shared with the Python evaluator, ``checker.core.direct``)."""
    each = rule.check.each
    where = dict(each.where)
    if each.kind == "procedure" and rule.applies.procedures and "kind" not in where:
        where["kind"] = list(rule.applies.procedures)
    return where


class _Compiler:
    def __init__(self, parameters: Mapping[str, int], joins_only: bool = False) -> None:
        self.parameters = parameters
        self.joins_only = joins_only
        self.definitions: dict[str, Json] = {}
        self.subject_names: dict[str, str] = {}

    def subject_tests(self, rule: Rule) -> list[Json]:
        return _tests(rule.check.each.kind, subject_where(rule))

    def compile(self, rule: Rule) -> CompiledRule:
        subject = self.subject_tests(rule)
        if self.joins_only and rule.check.forbid is not None:
            compiled = CompiledRule(rule.id, "")  # the caller finds the subjects
        else:
            compiled = CompiledRule(rule.id, self._subject_rule(rule, subject))
        if rule.check.forbid is not None:
            compiled.aliases = {engine: own for own, engine in forbid_aliases(rule).items()}
            compiled.aliases["s"] = SUBJECT
        check = rule.check
        if check.has is not None:
            self._has(rule, compiled, subject)
        elif check.compare is not None:
            self._compare(rule, compiled, subject, check.compare)
        elif check.forbid is not None:
            self._forbid(rule, compiled, subject, check.forbid)
        return compiled

    def _subject_rule(self, rule: Rule, subject: list[Json]) -> str:
        """The engine rule firing once per subject, shared by rules with the same pattern."""
        key = json.dumps(subject, ensure_ascii=False, sort_keys=True)
        if key not in self.subject_names:
            name = f"{rule.id}|s"
            self.subject_names[key] = name
            self.definitions[name] = {"all": [{"s": _pattern(subject)}]}
        return self.subject_names[key]

    def _add(self, compiled: CompiledRule, role: str, elements: list[Json]) -> None:
        name = f"{compiled.rule_id}|{role}"
        self.definitions[name] = {"all": elements}
        compiled.roles[role] = name

    def _with_flag(self, subject: list[Json], child: str, subject_kind: str, value: bool) -> Json:
        kind = FACT_KINDS[child]
        tests = list(subject)
        if kind.parent == subject_kind:
            tests.append({kind.flag: value})
        return {"s": _pattern(tests)}

    def _has(self, rule: Rule, compiled: CompiledRule, subject: list[Json]) -> None:
        has = rule.check.has
        assert has is not None
        subject_kind = rule.check.each.kind
        join = _join(has.kind, subject_kind)
        related = _tests(has.kind, has.where) + join
        self._add(compiled, "m", [{"s": _pattern(subject)}, {"r": _pattern(related)}])
        # A gap needs the section reported and no related fact that matches or might match.
        self._add(
            compiled,
            "g",
            [
                {"go": {"t": TRIGGER}},
                self._with_flag(subject, has.kind, subject_kind, True),
                *_flag_elements(has.kind, subject_kind, True),
                {"r$not": _pattern(_relaxed_tests(has.kind, has.where) + join)},
            ],
        )
        self._refused(compiled, subject, has.kind, has.where, join)
        self._unknown(compiled, subject, subject_kind, [has.kind])

    def _refused(
        self, compiled: CompiledRule, subject: list[Json], kind: str, where: Where,
        join: list[Json],
    ) -> None:
        """Gap roles for a related fact that says outright it is not as asked (``n…``)."""
        identity = FACT_KINDS[kind].identity
        if not identity or any(name not in where for name in identity):
            return
        named = _tests(kind, {name: where[name] for name in identity}) + join
        ways = [
            way for name, value in where.items() if name not in identity
            for way in _refusals(name, value)
        ]
        for index, way in enumerate(ways):
            self._add(
                compiled,
                f"n{index}",
                [
                    {"go": {"t": TRIGGER}},
                    {"s": _pattern(subject)},
                    {"r": _pattern(named + way)},
                    {"x$not": _pattern(_relaxed_tests(kind, where) + join)},
                ],
            )

    def _unknown(
        self, compiled: CompiledRule, subject: list[Json], subject_kind: str, kinds: Iterable[str]
    ) -> None:
        flags: dict[str, str] = {}
        for child in kinds:
            flags.setdefault(FACT_KINDS[child].flag, child)
        for index, child in enumerate(flags.values()):
            elements = [self._with_flag(subject, child, subject_kind, False)]
            elements += _flag_elements(child, subject_kind, False)
            self._add(compiled, f"u{index}", elements)

    def _compare(
        self, rule: Rule, compiled: CompiledRule, subject: list[Json], cmp: Compare
    ) -> None:
        value = self.parameters[cmp.param]
        subject_kind = rule.check.each.kind
        for role, op in (("m", cmp.op), ("g", _NEGATED[cmp.op])):
            test = {_OPS[op]: {cmp.field: value}}
            if cmp.kind is None:
                self._add(compiled, role, [{"s": _pattern([*subject, test])}])
            else:
                related = [{"t": cmp.kind}, *_join(cmp.kind, subject_kind), test]
                self._add(compiled, role, [{"s": _pattern(subject)}, {"r": _pattern(related)}])
        if cmp.kind is not None:
            self._unknown(compiled, subject, subject_kind, [cmp.kind])

    def _forbid(
        self, rule: Rule, compiled: CompiledRule, subject: list[Json], patterns: list[Pattern]
    ) -> None:
        self._add(compiled, "v", self._forbid_elements(subject, patterns, _tests))
        if any(p.where for p in patterns):
            # A pattern that would match were absent fields reported: possibly a violation.
            self._add(compiled, "w", self._forbid_elements(subject, patterns, _relaxed_tests))
        if not self.joins_only:
            self._unknown(compiled, subject, rule.check.each.kind, [p.kind for p in patterns])

    @staticmethod
    def _forbid_elements(
        subject: list[Json],
        patterns: list[Pattern],
        tests_of: Callable[[str, Where], list[Json]],
    ) -> list[Json]:
        elements: list[Json] = [{"s": _pattern(subject)}]
        aliases = {"subject": "s"}
        for index, pattern in enumerate(patterns):
            alias = f"p{index}"
            tests = tests_of(pattern.kind, pattern.where)
            for own, ref in pattern.match.items():
                other, _, other_field = ref.partition(".")
                tests.append({own: {aliases[other]: other_field}})
            elements.append({alias: _pattern(tests)})
            aliases[pattern.alias] = alias
        return elements


def compile_rules(
    rules: Iterable[Rule], parameters: Mapping[str, int], joins_only: bool = False
) -> CompiledRuleset:
    """The JSON ruleset for ``rules`` (with the sentinel) and the role map per rule.

    ``joins_only``: a ``forbid`` rule becomes only its joins — the violation and possible
    violation roles (``v``, ``w``). Its subjects and its sections not reported (the ``s`` and
    ``u…`` roles: single facts tested alone) are then the caller's to find, with the same
    semantics (``checker.core.direct``); its ``subject_rule`` is empty.
    """
    compiler = _Compiler(parameters, joins_only)
    compiled = {rule.id: compiler.compile(rule) for rule in rules}
    compiler.definitions[SENTINEL] = {"all": [{"go": {"t": TRIGGER}}]}
    return CompiledRuleset(compiler.definitions, compiled)


def forbid_aliases(rule: Rule) -> dict[str, str]:
    """objcheck alias → engine alias of a forbid rule (``subject`` is ``s``)."""
    aliases = {SUBJECT: "s"}
    for index, pattern in enumerate(rule.check.forbid or []):
        aliases[pattern.alias] = f"p{index}"
    return aliases


def referenced_kinds(definitions: Mapping[str, Json]) -> frozenset[str] | None:
    """Fact kinds some pattern requires by equality on ``t``; ``None`` if any pattern could
    match a fact of any kind (then every fact must be asserted)."""
    kinds: set[str] = set()
    for definition in definitions.values():
        for element in definition["all"]:
            for pattern in element.values():
                tests = pattern.get("$and", [pattern])
                own = [t["t"] for t in tests if isinstance(t.get("t"), str)]
                if len(own) != 1:
                    return None
                kinds.add(own[0])
    return frozenset(kinds)


_COMPARISONS = frozenset({"$eq", "$neq", "$gt", "$gte", "$lt", "$lte", "$ex", "$nex"})


def referenced_fields(definitions: Mapping[str, Json]) -> dict[str, frozenset[str]] | None:
    """By fact kind, every field some test names on a fact of that kind — its own field, or
    a field of it another pattern joins to; ``None`` if a test has a form this compiler does
    not write, or a pattern no single kind (then facts are asserted whole)."""
    fields: dict[str, set[str]] = {}

    def test(item: object, kind: str, kinds: Mapping[str, str]) -> bool:
        if not isinstance(item, dict):
            return False
        for key, value in item.items():
            if key in ("$and", "$or"):
                if not isinstance(value, list) or not all(test(t, kind, kinds) for t in value):
                    return False
            elif key in _COMPARISONS:
                if not isinstance(value, dict) or not test(value, kind, kinds):
                    return False
            elif key.startswith("$"):
                return False
            else:
                fields[kind].add(key)
                if isinstance(value, dict):  # a join: {alias: field of that alias's fact}
                    for alias, other in value.items():
                        if alias not in kinds or not isinstance(other, str):
                            return False
                        fields[kinds[alias]].add(other)
                elif isinstance(value, list):
                    return False
        return True

    for definition in definitions.values():
        kinds: dict[str, str] = {}  # alias → the kind of its facts
        for element in definition["all"]:
            for alias, pattern in element.items():
                tests = pattern.get("$and", [pattern]) if isinstance(pattern, dict) else []
                own = [t["t"] for t in tests if isinstance(t, dict) and isinstance(t.get("t"), str)]
                if len(own) != 1:
                    return None
                kinds[alias] = own[0]
                fields.setdefault(own[0], set()).add("id")
                if not test(pattern, own[0], kinds):
                    return None
    return {kind: frozenset(names) for kind, names in fields.items()}
