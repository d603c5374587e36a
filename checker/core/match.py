"""What a ``where`` condition means — defined once, here.

The engine compiler (``checker.engine.compile``) is tested against these functions
(``tests/test_match.py``), evaluation's Python paths call them (the facts that start a
clock), and the reference semantics of the property tests is built on them.

A ``where`` maps a field to a test:

* a bare value — equality (``kind: vsoko_regulation``);
* a list — any of the values (``kind: [ОГЭ, ЕГЭ]``);
* a condition — ``eq``, ``ne``, ``gt``, ``gte``, ``lt``, ``lte`` (numbers only) and
  ``present`` (the field is / is not in the fact).

**An absent field fails every test but ``present: false``.** A fact without ``relation``
is not «relation ≠ employee»: the school did not say, and «не сообщено» is never silently
true — not even for ``ne``. ``might_match`` is the other half of that rule: a fact that
fails only on absent fields *might* match once they are reported, so it blocks a «не
сделано» and makes a possible violation «не сообщено» (``present`` stays strict there:
it is about absence itself).

``explicitly_fails`` is the third: a fact that is the very thing a ``where`` asks about
(its identity fields pass, see ``checker.model.factkinds``) and has a field present that
fails — «не сделано», said outright, whatever the completeness of its section.

Dates are ISO strings in facts, so equality on a date is string equality.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from checker.model.rulepack import Condition, Where, WhereValue

_BOUNDS = (
    ("gt", int.__gt__),
    ("gte", int.__ge__),
    ("lt", int.__lt__),
    ("lte", int.__le__),
)


def test_field(fact: Mapping[str, Any], name: str, expected: WhereValue) -> bool:
    """Whether the fact's field ``name`` passes one test of a ``where``."""
    if isinstance(expected, Condition):
        return _condition(fact, name, expected)
    if name not in fact:
        return False
    actual = fact[name]
    if isinstance(expected, list):
        return any(_equal(actual, value) for value in expected)
    return _equal(actual, expected)


def _equal(actual: object, expected: object) -> bool:
    # bool is an int in Python; a catalogue field has one type, so keep them apart.
    return type(actual) is type(expected) and actual == expected


def _condition(fact: Mapping[str, Any], name: str, cond: Condition) -> bool:
    present = name in fact
    if cond.present is not None and present != cond.present:
        return False
    if not present:
        # Only a ``present: false`` test can pass on an absent field.
        return cond.present is False and all(
            getattr(cond, key) is None for key in ("eq", "ne", "gt", "gte", "lt", "lte")
        )
    actual = fact[name]
    if cond.eq is not None and not _equal(actual, cond.eq):
        return False
    if cond.ne is not None and _equal(actual, cond.ne):
        return False
    number = isinstance(actual, int) and not isinstance(actual, bool)
    for key, op in _BOUNDS:
        bound = getattr(cond, key)
        if bound is not None and not (number and op(actual, bound)):
            return False
    return True


def matches(fact: Mapping[str, Any], where: Where) -> bool:
    """Every test of ``where`` passes on the fact."""
    return all(test_field(fact, name, value) for name, value in where.items())


def might_match(fact: Mapping[str, Any], where: Where) -> bool:
    """The fact matches, or would were its absent fields reported (``present`` is strict)."""
    for name, value in where.items():
        if isinstance(value, Condition) and value.present is not None:
            if not test_field(fact, name, value):
                return False
        elif name in fact and not test_field(fact, name, value):
            return False
    return True


def matches_kind(fact: Mapping[str, Any], kind: str, where: Where) -> bool:
    """A fact of ``kind`` that matches ``where``."""
    return fact.get("t") == kind and matches(fact, where)


def explicitly_fails(fact: Mapping[str, Any], where: Where, identity: tuple[str, ...]) -> bool:
    """The fact is the thing ``where`` names by ``identity`` and says it is not as asked.

    Only a ``where`` that tests every identity field names one thing; an absent field
    never fails explicitly (that is «не сообщено»).
    """
    if not identity or any(name not in where for name in identity):
        return False
    if not all(test_field(fact, name, where[name]) for name in identity):
        return False
    return any(
        name in fact and not test_field(fact, name, value)
        for name, value in where.items()
        if name not in identity
    )


# --- the same tests, compiled once per rule ---------------------------------------------
# The Python evaluator (``checker.core.direct``) tests every fact of a kind for every rule
# of a school — about 180,000 ``matches`` calls per 100 synthetic schools, a third of its
# time in re-reading the ``where``. These closures mean exactly what the functions above
# mean (tests/test_match.py compares them on generated conditions and facts).

Predicate = Callable[[Mapping[str, Any]], bool]
_ABSENT = object()  # no field: its type is no scalar's, so it never equals a value


def _compiled_test(name: str, expected: WhereValue) -> Predicate:
    if isinstance(expected, Condition):
        return _compiled_condition(name, expected)
    if isinstance(expected, list):
        options = frozenset((type(value), value) for value in expected)

        def any_of(fact: Mapping[str, Any]) -> bool:
            actual = fact.get(name, _ABSENT)
            return (type(actual), actual) in options

        return any_of
    kind = type(expected)

    def equal(fact: Mapping[str, Any]) -> bool:
        actual = fact.get(name, _ABSENT)
        return type(actual) is kind and actual == expected

    return equal


def _compiled_condition(name: str, cond: Condition) -> Predicate:
    """``_condition`` with the condition read once instead of for every fact."""
    if cond.present is False:
        # only an absent field can pass, and only when nothing else is asked of it
        passes = all(getattr(cond, key) is None for key in ("eq", "ne", "gt", "gte", "lt", "lte"))
        return lambda fact: passes and name not in fact
    eq, ne = cond.eq, cond.ne
    bounds = [(op, getattr(cond, key)) for key, op in _BOUNDS if getattr(cond, key) is not None]

    def condition(fact: Mapping[str, Any]) -> bool:
        actual = fact.get(name, _ABSENT)
        if actual is _ABSENT:
            return False
        if eq is not None and not _equal(actual, eq):
            return False
        if ne is not None and _equal(actual, ne):
            return False
        if bounds and (not isinstance(actual, int) or isinstance(actual, bool)):
            return False
        for op, bound in bounds:  # noqa: SIM110 — a loop, not all(): no generator per fact
            if not op(actual, bound):
                return False
        return True

    return condition


def _all_of(tests: list[Predicate]) -> Predicate:
    if len(tests) == 1:
        return tests[0]
    if len(tests) == 2:  # the usual case: no generator per fact
        first, second = tests
        return lambda fact: first(fact) and second(fact)
    return lambda fact: all(test(fact) for test in tests)


def compile_matches(where: Where) -> Predicate:
    """``matches`` for one ``where``, as a function of the fact."""
    if not where:
        return lambda fact: True
    return _all_of([_compiled_test(name, value) for name, value in where.items()])


def compile_might_match(where: Where) -> Predicate:
    """``might_match`` for one ``where``: an absent field passes but under ``present``."""
    tests: list[Predicate] = []
    for name, value in where.items():
        strict = _compiled_test(name, value)
        if isinstance(value, Condition) and value.present is not None:
            tests.append(strict)
        else:
            tests.append(_unless_absent(name, strict))
    return _all_of(tests) if tests else (lambda fact: True)


def _unless_absent(name: str, test: Predicate) -> Predicate:
    return lambda fact: name not in fact or test(fact)
