"""One ``where`` semantics: ``checker.core.match`` against the compiled engine.

The engine compiler (``checker.engine.compile``) must mean exactly what ``core.match`` says,
including the rule for absent fields (every test fails on an absent field but
``present: false``; ``might_match`` treats an absent field as «could match»). Hypothesis
draws ``where`` conditions and facts with fields left out, compiles one rule per condition
and compares the engine's subjects and outcomes with ``match``.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from checker.core import match
from checker.engine import Engine
from checker.model.factkinds import Fact
from checker.model.rulepack import Condition, Rule, Where
from checker.testing import reference

KINDS = ["ВПР", "ОГЭ", "ЕГЭ"]
SUBJECTS = ["математика", "русский язык"]

# field → strategy of its values (the catalogue's types of the procedure fact)
VALUES: dict[str, st.SearchStrategy[Any]] = {
    "kind": st.sampled_from(KINDS),
    "subject": st.sampled_from(SUBJECTS),
    "grade": st.integers(min_value=4, max_value=11),
    "federal_control": st.booleans(),
}


def _condition(field: str) -> st.SearchStrategy[Any]:
    value = VALUES[field]
    options: list[st.SearchStrategy[Any]] = [
        value,
        st.lists(value, min_size=1, max_size=3, unique=True),
        st.builds(lambda v: Condition(eq=v), value),
        st.builds(lambda v: Condition(ne=v), value),
        st.builds(lambda p: Condition(present=p), st.booleans()),
    ]
    if field == "grade":
        options += [
            st.builds(lambda v: Condition(gt=v), value),
            st.builds(lambda v: Condition(gte=v), value),
            st.builds(lambda v: Condition(lt=v), value),
            st.builds(lambda v: Condition(lte=v), value),
            st.builds(lambda a, b: Condition(gte=min(a, b), lte=max(a, b)), value, value),
        ]
    return st.one_of(options)


@st.composite
def wheres(draw: st.DrawFn) -> Where:
    fields = draw(st.lists(st.sampled_from(sorted(VALUES)), min_size=1, max_size=3, unique=True))
    return {field: draw(_condition(field)) for field in fields}


@st.composite
def procedures(draw: st.DrawFn) -> list[Fact]:
    count = draw(st.integers(min_value=0, max_value=4))
    facts: list[Fact] = []
    for index in range(count):
        fact: Fact = {"t": "procedure", "ref": f"p{index}", "path": f"procedures[{index}]"}
        for field, value in VALUES.items():
            if draw(st.booleans()):  # about half the fields are left out: «не сообщено»
                fact[field] = draw(value)
        facts.append(fact)
    return facts


def _rules(where: Where) -> list[Rule]:
    """A subject rule (which procedures match) and an «exists» rule (met / gap / unknown)."""
    common: dict[str, Any] = {
        "direction": "procedure",
        "source": {"document": "тест", "item": "1", "quote": "проверка семантики where"},
        "severity": "medium",
        "remediation": {"measure": "—", "responsible": "—", "due": "—"},
    }
    subject = Rule.model_validate(
        {**common, "id": "TST-001", "title": "процедуры по условию",
         "check": {"each": {"kind": "procedure", "where": where},
                   "has": {"kind": "observer"}}},
        strict=False,
    )
    exists = Rule.model_validate(
        {**common, "id": "TST-002", "title": "есть процедура по условию",
         "check": {"each": {"kind": "school"}, "has": {"kind": "procedure", "where": where}}},
        strict=False,
    )
    return [subject, exists]


def _school(facts: list[Fact]) -> list[Fact]:
    school: Fact = {"t": "school", "ref": "s", "path": "school", "procedures_reported": True}
    return [{"id": f"f{n}", **fact} for n, fact in enumerate([school, *facts], start=1)]


@settings(max_examples=150, deadline=None)
@given(where=wheres(), facts=procedures())
def test_engine_means_what_match_says(where: Where, facts: list[Fact]) -> None:
    subject_rule, exists_rule = _rules(where)
    items = _school(facts)
    found = Engine([subject_rule, exists_rule], {}).run(items)

    engine_subjects = {f["ref"] for f in found.of("TST-001").subjects}
    expected = {f["ref"] for f in items[1:] if match.matches(f, where)}
    assert engine_subjects == expected

    exists = found.of("TST-002")
    if any(match.matches(f, where) for f in items[1:]):
        assert exists.met.get("s"), "a matching procedure exists: met"
    elif any(match.might_match(f, where) for f in items[1:]):
        assert not exists.gap.get("s"), "a procedure might match: not a gap"
    else:
        assert exists.gap.get("s"), "no procedure could match: gap"


def test_absent_field_is_not_a_silent_ne() -> None:
    """The three copies of ``where`` used to disagree here: an observer without
    ``relation`` passed ``relation ≠ employee`` in evaluation's Python path and failed it
    in the engine and the reference."""
    where: Where = {"relation": Condition(ne="employee")}
    observer: Fact = {"t": "observer", "ref": "v1", "procedure": "v1"}
    assert not match.matches(observer, where)
    assert match.might_match(observer, where)
    assert not reference.matches(observer, "observer", where)
    assert not match.matches({**observer, "relation": "employee"}, where)
    assert match.matches({**observer, "relation": "parent"}, where)


def test_present_false_is_the_only_test_an_absent_field_passes() -> None:
    fact: Fact = {"t": "procedure"}
    assert match.matches(fact, {"grade": Condition(present=False)})
    assert not match.matches(fact, {"grade": Condition(present=True)})
    assert not match.might_match(fact, {"grade": Condition(present=True)})
    for condition in (Condition(gt=1), Condition(eq=5), Condition(ne=5)):
        assert not match.matches(fact, {"grade": condition})
        assert match.might_match(fact, {"grade": condition})
    assert not match.matches(fact, {"grade": [5, 6]})


def test_types_are_kept_apart() -> None:
    """A bool is not the number 1 and a number is not its text (the engine would coerce)."""
    assert not match.matches({"grade": True}, {"grade": 1})
    assert not match.matches({"grade": "5"}, {"grade": 5})
    assert not match.matches({"grade": True}, {"grade": Condition(gte=1)})


@settings(max_examples=300, deadline=None)
@given(where=wheres(), facts=procedures())
def test_compiled_where_means_what_match_says(where: Where, facts: list[Fact]) -> None:
    """The closures of the Python evaluator (checker.core.direct) are ``matches`` and
    ``might_match``, fact by fact, absent fields and types included."""
    strict, loose = match.compile_matches(where), match.compile_might_match(where)
    odd_types: list[Fact] = [{"t": "procedure", "grade": True, "kind": 1, "federal_control": 1},
                 {"t": "procedure", "grade": "5", "subject": None, "federal_control": 0}]
    for fact in [*facts, *odd_types]:
        assert strict(fact) == match.matches(fact, where), fact
        assert loose(fact) == match.might_match(fact, where), fact
