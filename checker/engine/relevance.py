"""Which facts of a school some rule of a ruleset could match (pure: no engine call here).

A fact that no pattern can match changes nothing the engine fires: a positive element it
cannot fill, a negated element it cannot block. Asserting it only costs a dict, its share
of the JSON payload and the engine's own matching. ``FactFilter`` keeps the facts each
element of each engine rule *might* match, in two steps, both erring on the side of
keeping a fact:

* the element's own tests (``$and`` / ``$or`` / comparisons / ``$ex`` / ``$nex``), read
  the way the engine reads them — a test on an absent field fails, ``$nex`` fails on a
  present one (verified on durable_rules 2.0.28) — and decided only when the fact's value
  and the rule's literal are of the same type (str, int or bool): the engine coerces mixed
  types to strings, so any other pair, any other operator or form counts as a match;
* its joins to earlier elements: ``{"procedure": {"s": "ref"}}`` needs the fact's
  ``procedure`` among the ``ref`` of the facts the element ``s`` might match (compared as
  strings, the engine's byte-wise equality of UTF-8; a value of another type, or an
  earlier fact without the field, keeps the fact) — and, back along the same joins, a
  fact of ``s`` needs a candidate of the later element that names its ``ref``.

A rule whose positive element has no candidate cannot fire, so its facts are kept only if
another rule might use them (the evaluation trigger, asserted by the engine itself, always
fills its element). The facts kept go to the engine in their order.

Measured (``Engine(..., joins_only=True)``, the 8 shipped ``forbid`` rules, 60 synthetic
schools of ~764 facts): 611 facts asserted a school by kind alone, 313 with the tests and
the joins forward (the organizers, subjects taught and observers of procedures no rule
can fire for stay out), 237 also back along the joins (checkers who teach no class of
the procedure's, classes no checker teaches); ~0.3 ms of Python a school for ~1 ms of
payload and engine saved.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from checker.engine.compile import TRIGGER, Json
from checker.model.factkinds import Fact

# False only when the engine certainly does not match the fact; None: matches any fact.
Test = Callable[[Fact], bool]

_ABSENT = object()
_SCALARS = (str, int, bool)
_HOLDS: dict[str, Callable[[Any, Any], bool]] = {
    "$eq": operator.eq,
    "$neq": operator.ne,
    "$gt": operator.gt,
    "$gte": operator.ge,
    "$lt": operator.lt,
    "$lte": operator.le,
}


def _comparison(op: str, name: str, literal: object) -> Test | None:
    """A test of one field against a literal: an absent field fails; a value of the
    literal's own type is decided (order only between ints); any other value passes."""
    kind = type(literal)
    holds = _HOLDS[op]
    if kind not in _SCALARS or (op not in ("$eq", "$neq") and kind is not int):
        return lambda fact: name in fact

    def test(fact: Fact) -> bool:
        value = fact.get(name, _ABSENT)
        if value is _ABSENT:
            return False
        return type(value) is not kind or holds(value, literal)

    return test


def _one_of(name: str, literals: list[object], or_absent: bool) -> Test | None:
    """``$or`` of equalities on one field (a list in a ``where``), perhaps or the field
    absent (a relaxed test): one set lookup instead of a test per literal."""
    kind = type(literals[0])
    if kind not in _SCALARS or any(type(literal) is not kind for literal in literals):
        return None
    allowed = frozenset(literals)

    def test(fact: Fact) -> bool:
        value = fact.get(name, _ABSENT)
        if value is _ABSENT:
            return or_absent
        return value in allowed or type(value) is not kind

    return test


def _equality(item: object) -> tuple[str, object] | None:
    """``{"kind": "ВПР"}`` / ``{"$eq": {"kind": "ВПР"}}`` as (field, literal)."""
    if isinstance(item, dict) and len(item) == 1:
        ((key, value),) = item.items()
        if key == "$eq" and isinstance(value, dict) and len(value) == 1:
            ((key, value),) = value.items()
        if not key.startswith("$") and not isinstance(value, (dict, list)):
            return key, value
    return None


def _any_of(parts: list[object]) -> Test | None:
    equalities = [_equality(part) for part in parts]
    names = {found[0] for found in equalities if found is not None}
    absent = [part for part, found in zip(parts, equalities, strict=True) if found is None]
    if len(names) == 1 and absent in ([], [{"$nex": {next(iter(names)): 1}}]):
        fast = _one_of(next(iter(names)), [f[1] for f in equalities if f is not None],
                       bool(absent))
        if fast is not None:
            return fast
    tests = [_test(part) for part in parts]
    if any(test is None for test in tests):
        return None
    chosen = [test for test in tests if test is not None]
    return lambda fact: any(test(fact) for test in chosen)


def _all_of(parts: list[object]) -> Test | None:
    chosen = [test for test in map(_test, parts) if test is not None]
    if not chosen:
        return None
    if len(chosen) == 1:
        return chosen[0]
    if len(chosen) == 2:  # the usual pair, without a generator per fact
        first, second = chosen
        return lambda fact: first(fact) and second(fact)
    return lambda fact: all(test(fact) for test in chosen)


def _test(item: object) -> Test | None:
    """The test of one pattern item; ``None`` when it might match any fact (joins, forms
    not decided here)."""
    if not isinstance(item, dict) or len(item) != 1:
        return None
    ((key, value),) = item.items()
    if key in ("$and", "$or") and isinstance(value, list) and value:
        return _all_of(value) if key == "$and" else _any_of(value)
    if key in ("$ex", "$nex") and isinstance(value, dict) and len(value) == 1:
        (name,) = value
        return (lambda fact: name in fact) if key == "$ex" else (lambda fact: name not in fact)
    if key in _HOLDS and isinstance(value, dict) and len(value) == 1:
        ((name, literal),) = value.items()
        return None if isinstance(literal, (dict, list)) else _comparison(key, name, literal)
    if key.startswith("$") or isinstance(value, (dict, list)):
        return None
    return _comparison("$eq", key, value)


def _is_join(test: Json) -> bool:
    """``{"procedure": {"s": "ref"}}``: a field compared with a field of an earlier alias."""
    if len(test) != 1:
        return False
    ((key, value),) = test.items()
    return not key.startswith("$") and isinstance(value, dict)


@dataclass(frozen=True)
class _Join:
    field: str
    source: str  # the signature of the earlier element joined to
    position: int  # and its place in the rule
    source_field: str


@dataclass(frozen=True)
class _Element:
    """One pattern element of an engine rule, as the filter reads it."""

    signature: str  # equal for elements that always have the same candidates
    kind: str | None  # None: a fact of any kind might match
    negated: bool
    test: Test | None  # its tests but the kind and the joins
    joins: tuple[_Join, ...]


def _is_kind(item: object) -> bool:
    return isinstance(item, dict) and len(item) == 1 and isinstance(item.get("t"), str)


def _element(alias: str, pattern: Json, earlier: Mapping[str, tuple[str, int]]) -> _Element:
    items = pattern["$and"] if set(pattern) == {"$and"} and isinstance(pattern["$and"], list) \
        else [pattern]
    kinds = [item["t"] for item in items if _is_kind(item)]
    joins: list[_Join] = []
    for item in items:
        if isinstance(item, dict) and _is_join(item):
            ((name, ref),) = item.items()
            if len(ref) == 1:
                ((other, other_field),) = ref.items()
                if other in earlier and isinstance(other_field, str):
                    joins.append(_Join(name, *earlier[other], other_field))
    own = json.dumps(pattern, ensure_ascii=False, sort_keys=True)
    sources = [f"{j.field}={j.source}.{j.source_field}" for j in joins]
    kind = kinds[0] if len(kinds) == 1 else None
    return _Element(
        signature=f"{own}|{'|'.join(sources)}",
        kind=kind,
        negated=alias.endswith("$not"),
        # the facts are taken by kind: its test would only repeat that
        test=_all_of([item for item in items if kind is None or not _is_kind(item)]),
        joins=tuple(joins),
    )


def _elements(definition: Json) -> list[_Element] | None:
    """The elements of a rule in order; ``None`` for a form read as «might match anything»
    (an ``any`` rule, nested groups)."""
    found: list[_Element] = []
    earlier: dict[str, tuple[str, int]] = {}  # alias → signature, place
    for element in definition.get("all", [None]):
        if not isinstance(element, dict) or len(element) != 1:
            return None
        ((alias, pattern),) = element.items()
        if not isinstance(pattern, dict) or alias.endswith(("$all", "$any")):
            return None
        parsed = _element(alias, pattern, earlier)
        if not parsed.negated and parsed.kind != TRIGGER:  # a join to those: not followed
            earlier[alias] = (parsed.signature, len(found))
        found.append(parsed)
    return found


class _School:
    """One school's candidates per element signature, computed once."""

    def __init__(self, by_kind: Mapping[str, Sequence[Fact]]) -> None:
        self.by_kind = by_kind
        self.candidates: dict[str, list[Fact]] = {}
        self._values: dict[tuple[str, str], frozenset[str] | None] = {}

    def values(self, join: _Join) -> frozenset[str] | None:
        """The strings in ``source_field`` of the joined element's candidates; ``None``
        when one is absent or not a string (then the join keeps every fact)."""
        key = (join.source, join.source_field)
        if key not in self._values:
            found: set[str] = set()
            for fact in self.candidates[join.source]:
                value = fact.get(join.source_field)
                if type(value) is not str:
                    self._values[key] = None
                    break
                found.add(value)
            else:
                self._values[key] = frozenset(found)
        return self._values[key]

    def of(self, element: _Element) -> list[Fact]:
        found = self.candidates.get(element.signature)
        if found is None:
            assert element.kind is not None
            found = list(self.by_kind.get(element.kind, ()))
            if element.test is not None:
                found = list(filter(element.test, found))
            for join in element.joins:
                values = self.values(join)
                if values is not None:
                    found = _joined(found, join.field, values)
            self.candidates[element.signature] = found
        return found


def _joined(facts: list[Fact], field: str, values: frozenset[str]) -> list[Fact]:
    """The facts whose ``field`` is one of ``values``, or not a string (or absent): those
    the filter cannot rule out."""
    return [fact for fact in facts
            if fact.get(field) in values or type(fact.get(field)) is not str]


def _strings(facts: list[Fact], field: str) -> frozenset[str] | None:
    """The values of ``field``; ``None`` unless every fact has a string there."""
    values = [fact.get(field) for fact in facts]
    if all(type(value) is str for value in values):
        return frozenset(values)  # type: ignore[arg-type]
    return None


def _narrowed(rule: list[_Element], found: list[list[Fact]]) -> bool:
    """Back along the joins: an element's candidates keep only the facts some candidate
    of a later positive element joins to (no match holds any other). Last to first, so
    each element is final before it narrows the ones it joins. False when an element is
    left without candidates: the rule cannot fire. (A negated element narrows nothing:
    matching none of its facts is how its rule fires.)"""
    for index in range(len(rule) - 1, -1, -1):
        element = rule[index]
        if element.negated:
            continue
        for join in element.joins:
            values = _strings(found[index], join.field)
            if values is not None:
                source = _joined(found[join.position], join.source_field, values)
                if not source:
                    return False
                found[join.position] = source
    return True


class FactFilter:
    """The facts of a school that some rule of ``definitions`` might match."""

    def __init__(self, definitions: Mapping[str, Json]) -> None:
        rules: list[list[_Element]] = []
        self.everything = False
        for definition in definitions.values():
            elements = _elements(definition)
            if elements is None or any(e.kind is None for e in elements):
                self.everything = True
            else:
                rules.append(elements)
        self._rules = rules
        self._kinds = frozenset(e.kind for rule in rules for e in rule if e.kind is not None)

    def select(self, facts: Sequence[Fact],
               by_kind: Mapping[str, Sequence[Fact]] | None = None) -> list[Fact]:
        """The facts some rule might match, in their order; ``by_kind``, when given, holds
        the same facts by kind, in their order."""
        if self.everything:
            return list(facts)
        if by_kind is None:
            grouped: dict[str, list[Fact]] = {}
            kinds = self._kinds
            for fact in facts:
                if fact["t"] in kinds:
                    grouped.setdefault(fact["t"], []).append(fact)
            by_kind = grouped
        school = _School(by_kind)
        kept: set[int] = set()
        for rule in self._rules:
            used: list[list[Fact]] = []
            for element in rule:
                if element.kind == TRIGGER:
                    used.append([])  # asserted last by the engine itself
                    continue
                found = school.of(element)
                if not found and not element.negated:
                    break  # the rule cannot fire: its facts are kept only for others
                used.append(found)
            else:
                if _narrowed(rule, used):
                    for found in used:
                        kept.update(map(id, found))
        return [fact for fact in facts if id(fact) in kept]
