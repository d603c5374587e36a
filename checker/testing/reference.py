"""A small reference semantics of the check forms, in plain Python.

It is written from the rule vocabulary's definition, independently of the engine adapter,
so that property-based tests can show the durable_rules evaluation agrees with it on
generated profiles — the guard against the engine's known bugs (late negation, dropped
facts, mixed-type comparisons). A single ``where`` test means what ``checker.core.match``
says (that module is itself tested against the compiled engine); the joins, the «не
сообщено» flags and the forms are re-stated here from their definitions.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Iterator
from typing import Any

from checker.core import match
from checker.core.timing import Dated, TimeContext, in_force_timing, judge, not_in_force
from checker.model.factkinds import FACT_KINDS, Fact, Facts
from checker.model.findings import Outcome
from checker.model.rulepack import Pattern, Rule, Where

OPS: dict[str, Callable[[Any, Any], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
    "!=": operator.ne,
}


def matches(fact: Fact, kind: str, where: Where) -> bool:
    return match.matches_kind(fact, kind, where)


def might_match(fact: Fact, kind: str, where: Where) -> bool:
    """Matches, or would if its absent fields were reported (``present`` stays strict)."""
    return fact["t"] == kind and match.might_match(fact, where)


def _joined(child: Fact, subject: Fact, subject_kind: str) -> bool:
    kind = FACT_KINDS[child["t"]]
    if kind.parent == subject_kind and kind.parent_key:
        return bool(child.get(kind.parent_key) == subject["ref"])
    return True


def _reported(child_kind: str, subject: Fact, subject_kind: str, facts: Facts) -> bool:
    kind = FACT_KINDS[child_kind]
    holder = subject if kind.parent == subject_kind else facts.school
    return bool(holder.get(kind.flag))


def _school_applies(rule: Rule, facts: Facts) -> bool:
    """Applicability by school type and by the procedures the school held."""
    school = facts.school
    types = rule.applies.school_types
    if types and "type" in school and school["type"] not in types:
        return False
    if (
        rule.applies.procedures
        and rule.check.each.kind != "procedure"
        and school["procedures_reported"]
    ):
        held = {f["kind"] for f in facts.items if f["t"] == "procedure"}
        return bool(held & set(rule.applies.procedures))
    return True


def subjects_of(rule: Rule, facts: Facts) -> list[Fact]:
    if not _school_applies(rule, facts):
        return []
    where = dict(rule.check.each.where)
    if rule.check.each.kind == "procedure" and rule.applies.procedures and "kind" not in where:
        where["kind"] = list(rule.applies.procedures)
    found = [f for f in facts.items if matches(f, rule.check.each.kind, where)]
    return [f for f in found if controlled_as_required(rule, f)]


def controlled_as_required(rule: Rule, subject: Fact) -> bool:
    """``applies.federal_control`` / ``applies.remote_ppe``: false — not for a ВПР with
    federal objectivity control / a ППЭ in a remote area."""
    for name in ("federal_control", "remote_ppe"):
        wanted = getattr(rule.applies, name)
        if wanted is not None and (subject.get(name) is True) != wanted:
            return False
    return True


def reference_outcomes(rule: Rule, facts: Facts, params: dict[str, int]) -> dict[str, Outcome]:
    """Outcome per subject ref, by the definition of each check form."""
    kind = rule.check.each.kind
    result: dict[str, Outcome] = {}
    for subject in subjects_of(rule, facts):
        outcome = _outcome(rule, subject, kind, facts, params)
        if outcome is Outcome.GAP and _may_not_apply(rule, facts):
            outcome = Outcome.UNKNOWN
        result[subject["ref"]] = outcome
    return result


def _may_not_apply(rule: Rule, facts: Facts) -> bool:
    """A school-wide measure for procedures the school may have held unlisted: none of its
    procedures listed, the list not declared complete. Not done is then only «не сообщено»."""
    if not rule.applies.procedures or rule.check.each.kind == "procedure":
        return False
    held = {f["kind"] for f in facts.items if f["t"] == "procedure"}
    return not facts.school["procedures_reported"] and not held & set(rule.applies.procedures)


def _outcome(rule: Rule, subject: Fact, kind: str, facts: Facts, params: dict[str, int]) -> Outcome:
    check = rule.check
    if subject.get("few_data"):
        return Outcome.FEW_DATA  # a small class: no share, no sign (checker.core.results)
    if check.has is not None:
        related = [
            f
            for f in facts.items
            if matches(f, check.has.kind, check.has.where) and _joined(f, subject, kind)
        ]
        if related:
            return Outcome.MET
        possible = [
            f
            for f in facts.items
            if might_match(f, check.has.kind, check.has.where) and _joined(f, subject, kind)
        ]
        if possible:
            return Outcome.UNKNOWN
        identity = FACT_KINDS[check.has.kind].identity
        refused = [
            f
            for f in facts.items
            if f["t"] == check.has.kind
            and match.explicitly_fails(f, check.has.where, identity)
            and _joined(f, subject, kind)
        ]
        if refused or _reported(check.has.kind, subject, kind, facts):
            return Outcome.GAP
        return Outcome.UNKNOWN
    if check.compare is not None:
        cmp = check.compare
        value = params[cmp.param]
        if cmp.kind is None:
            candidates = [subject]
        else:
            candidates = [
                f for f in facts.items if f["t"] == cmp.kind and _joined(f, subject, kind)
            ]
        present = [f[cmp.field] for f in candidates if cmp.field in f]
        if any(OPS[cmp.op](v, value) for v in present):
            return Outcome.MET
        if present:
            return Outcome.GAP
        return Outcome.UNKNOWN
    assert check.forbid is not None
    if any(True for _ in _forbidden(check.forbid, subject, facts)):
        return Outcome.VIOLATION
    if any(True for _ in _forbidden(check.forbid, subject, facts, might_match)):
        return Outcome.UNKNOWN
    if all(_reported(p.kind, subject, kind, facts) for p in check.forbid):
        return Outcome.MET
    return Outcome.UNKNOWN


def reference_timed_outcomes(
    rule: Rule, facts: Facts, params: dict[str, int], time: TimeContext
) -> dict[str, Outcome]:
    """``reference_outcomes`` as of a date: the evidence and the clock-start events are
    gathered here from their definitions, and ``checker.core.timing.judge`` (pure, tested
    on its own) turns met / gap into the time outcomes."""
    if not_in_force(rule.valid_from, rule.valid_to, time) is not None:
        return {}  # not in force on the date: not applicable, no subject judged
    base = reference_outcomes(rule, facts, params)
    if rule.timing is None:
        return base
    # a deadline set before the act that imposes it falls due on the act's date
    timing = in_force_timing(rule.timing, rule.valid_from)
    kind = rule.check.each.kind
    result: dict[str, Outcome] = {}
    for subject in subjects_of(rule, facts):
        outcome = base[subject["ref"]]
        met = outcome is Outcome.MET
        evidence = _met_evidence(rule, subject, kind, facts, params) if met else []
        dated = [Dated(_day(f.get("date")), _day(f.get(timing.done_on))) for f in evidence]
        verdict = judge(
            timing, outcome, time, dated, anchors=_clock_starts(rule, subject, kind, facts),
            subject_date=_day(subject.get("date")),
        )
        result[subject["ref"]] = verdict.outcome
    return result


def _day(value: object) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) else None


def _met_evidence(
    rule: Rule, subject: Fact, kind: str, facts: Facts, params: dict[str, int]
) -> list[Fact]:
    """The facts that meet the rule for the subject (the related ones, else the subject)."""
    check = rule.check
    if check.has is not None:
        has = check.has
        return [f for f in facts.items
                if matches(f, has.kind, has.where) and _joined(f, subject, kind)]
    assert check.compare is not None
    cmp = check.compare
    value = params[cmp.param]
    if cmp.kind is None:
        return [subject]
    return [f for f in facts.items
            if f["t"] == cmp.kind and _joined(f, subject, kind) and cmp.field in f
            and OPS[cmp.op](f[cmp.field], value)]


def _clock_starts(rule: Rule, subject: Fact, kind: str, facts: Facts) -> list[dt.date]:
    """Dates of related facts that start «within N days after the document»: the facts of
    ``within.event`` when given, else those the rule asks for."""
    timing, has = rule.timing, rule.check.has
    if timing is None or has is None or timing.within is None:
        return []
    if timing.within.after != "document_date":
        return []
    where = timing.within.event if timing.within.event is not None else has.where
    days = [
        _day(f.get("date"))
        for f in facts.items
        if matches(f, has.kind, where) and _joined(f, subject, kind)
    ]
    return [day for day in days if day is not None]


def _forbidden(
    patterns: list[Pattern],
    subject: Fact,
    facts: Facts,
    test: Callable[[Fact, str, Where], bool] = matches,
) -> Iterator[dict[str, Fact]]:
    """Every assignment of distinct facts to the patterns that satisfies all joins."""

    def extend(index: int, bound: dict[str, Fact]) -> Iterator[dict[str, Fact]]:
        if index == len(patterns):
            yield bound
            return
        pattern = patterns[index]
        used = {id(f) for f in bound.values()}
        for fact in facts.items:
            if id(fact) in used or not test(fact, pattern.kind, pattern.where):
                continue
            if all(
                _ref_value(ref, bound) == fact.get(own) and own in fact
                for own, ref in pattern.match.items()
            ):
                yield from extend(index + 1, {**bound, pattern.alias: fact})

    yield from extend(0, {"subject": subject})


def _ref_value(ref: str, bound: dict[str, Fact]) -> Any:
    alias, _, name = ref.partition(".")
    return bound[alias].get(name, object())
