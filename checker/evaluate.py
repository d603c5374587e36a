"""Firings of the engine → findings per rule and per subject (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from checker.engine import CompiledRule, Firings, forbid_aliases
from checker.factkinds import FACT_KINDS
from checker.facts import Fact, Facts
from checker.findings import (
    Evidence,
    Finding,
    Outcome,
    RemediationRef,
    SourceRef,
    SubjectFinding,
    worst,
)
from checker.profile import ACTIVITY_KIND_TITLES, DOCUMENT_KIND_TITLES
from checker.rulepack import Rule

DEFAULT_MESSAGES = {
    Outcome.MET: "выполнено: {subject}",
    Outcome.GAP: "не выполнено: {subject}",
    Outcome.VIOLATION: "нарушение: {subject}",
    Outcome.UNKNOWN: "в профиле нет сведений: {subject}",
}
COUNTED = (Outcome.MET, Outcome.GAP, Outcome.VIOLATION)


def label_of(fact: Fact) -> str:
    """A short Russian label of a fact for reports."""
    kind = fact["t"]
    if kind == "procedure":
        grade = f"{fact['grade']} кл." if "grade" in fact else None
        parts = [fact["kind"], fact.get("subject"), grade]
        date = fact.get("date")
        label = " · ".join(str(p) for p in parts if p)
        return f"{label} ({date})" if date else label
    if kind == "document":
        title = DOCUMENT_KIND_TITLES.get(fact["kind"], fact["kind"])
        number = f" № {fact['number']}" if "number" in fact else ""
        date = f" от {fact['date']}" if "date" in fact else ""
        return f"{title}{number}{date}"
    if kind == "activity":
        title = str(ACTIVITY_KIND_TITLES.get(fact["kind"], fact["kind"]))
        return title + (f" ({fact['date']})" if "date" in fact else "")
    if kind == "school":
        return "школа"
    return f"{FACT_KINDS[kind].title} ({fact.get('ref', '')})"


def _evidence(fact: Fact) -> Evidence:
    shown = {k: v for k, v in fact.items() if k not in {"t", "id", "ref", "path", "sid"}}
    details = ", ".join(f"{k}={v}" for k, v in shown.items() if not k.endswith("_reported"))
    return Evidence(
        kind=fact["t"], ref=str(fact.get("ref", "")), path=str(fact.get("path", "")),
        summary=f"{label_of(fact)}: {details}" if details else label_of(fact),
    )


def _by_subject(matches: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for match in matches:
        grouped.setdefault(match["s"]["ref"], []).append(match)
    return grouped


class _RuleEvaluation:
    def __init__(
        self,
        rule: Rule,
        compiled: CompiledRule,
        firings: Firings,
        facts: Facts,
        people: Mapping[str, str],
    ):
        self.people = people
        self.rule = rule
        self.compiled = compiled
        self.firings = firings
        self.facts = facts

    def role(self, role: str) -> dict[str, list[dict[str, Any]]]:
        name = self.compiled.roles.get(role)
        return _by_subject(self.firings.get(name, [])) if name else {}

    def unknown_subjects(self) -> set[str]:
        refs: set[str] = set()
        for role in self.compiled.roles:
            if role.startswith("u"):
                refs.update(self.role(role))
        return refs

    def subjects(self) -> list[Fact]:
        matches = self.firings.get(self.compiled.subject_rule, [])
        subjects = {m["s"]["id"]: m["s"] for m in matches}
        return sorted(subjects.values(), key=lambda f: int(f["id"][1:]))

    def subject_finding(self, subject: Fact, unknown: set[str]) -> SubjectFinding:
        ref = subject["ref"]
        check = self.rule.check
        person = None
        evidence: list[Evidence] = []
        if check.forbid is not None:
            hits = self.role("v").get(ref, [])
            if hits:
                outcome = Outcome.VIOLATION
                evidence = [_evidence(f) for hit in hits for k, f in hit.items() if k != "s"]
                person = self._person(hits[0])
            else:
                outcome = Outcome.UNKNOWN if ref in unknown else Outcome.MET
        else:
            met, gap = self.role("m").get(ref), self.role("g").get(ref)
            if met:
                outcome = Outcome.MET
                evidence = [_evidence(m.get("r", m["s"])) for m in met]
            elif gap:
                outcome = Outcome.GAP
                evidence = [_evidence(g.get("r", g["s"])) for g in gap]
            else:
                outcome = Outcome.UNKNOWN
        label = label_of(subject)
        return SubjectFinding(
            subject=ref,
            label=label,
            outcome=outcome,
            message=self.message(outcome, label, person),
            person=person,
            evidence=evidence,
        )

    def _person(self, hit: dict[str, Any]) -> str | None:
        if self.rule.check.person is None:
            return None
        alias, _, name = self.rule.check.person.partition(".")
        fact = hit.get(forbid_aliases(self.rule)[alias], {})
        value = fact.get(name)
        return None if value is None else str(value)

    def message(self, outcome: Outcome, subject: str, person: str | None = None) -> str:
        template = getattr(self.rule.message, outcome.value, None) or DEFAULT_MESSAGES.get(
            outcome, "{subject}"
        )
        return template.format_map(
            _Defaults(
                subject=subject,
                person=self.people.get(person, person) if person else "",
                school=self.facts.school_id,
            )
        )


class _Defaults(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _not_applicable(rule: Rule, facts: Facts) -> bool:
    """Applicability that depends on the school, not on a subject."""
    school = facts.school
    types = rule.applies.school_types
    if types and "type" in school and school["type"] not in types:
        return True
    if rule.applies.procedures and rule.check.each.kind != "procedure":
        held = {p["kind"] for p in facts.of_kind("procedure")}
        return bool(school["procedures_reported"]) and not held & set(rule.applies.procedures)
    return False


def _no_subjects_outcome(rule: Rule, facts: Facts) -> Outcome:
    kind = FACT_KINDS[rule.check.each.kind]
    reported = facts.school.get(kind.flag, True) if kind.parent == "school" else True
    return Outcome.NOT_APPLICABLE if reported else Outcome.UNKNOWN


def evaluate_rule(
    rule: Rule,
    compiled: CompiledRule,
    firings: Firings,
    facts: Facts,
    pack: str = "",
    people: Mapping[str, str] | None = None,
) -> Finding:
    """The finding of one rule from the engine's firings.

    ``people`` maps staff ids to names for messages; names never enter the engine.
    """
    evaluation = _RuleEvaluation(rule, compiled, firings, facts, people or {})
    if _not_applicable(rule, facts):
        subjects: list[SubjectFinding] = []
        outcome = Outcome.NOT_APPLICABLE
    else:
        unknown = evaluation.unknown_subjects()
        subjects = [evaluation.subject_finding(s, unknown) for s in evaluation.subjects()]
        outcome = worst([s.outcome for s in subjects]) if subjects else _no_subjects_outcome(
            rule, facts
        )
    met = sum(1 for s in subjects if s.outcome is Outcome.MET)
    known = sum(1 for s in subjects if s.outcome in COUNTED)
    total = len(subjects) if subjects else (1 if outcome is Outcome.UNKNOWN else 0)
    return Finding(
        rule_id=rule.id,
        title=rule.title,
        pack=pack,
        direction=rule.direction,
        severity=rule.severity,
        weight=rule.effective_weight,
        outcome=outcome,
        message=_rule_message(evaluation, outcome, subjects),
        subjects=subjects,
        total=total,
        met=met,
        known=known,
        source=SourceRef(**rule.source.model_dump()),
        remediation=RemediationRef(**rule.remediation.model_dump()),
    )


def _rule_message(
    evaluation: _RuleEvaluation, outcome: Outcome, subjects: list[SubjectFinding]
) -> str:
    if outcome is Outcome.NOT_APPLICABLE:
        return "не применимо к этой школе"
    if not subjects:
        return evaluation.message(outcome, "раздел профиля не заполнен")
    worst_subjects = [s for s in subjects if s.outcome is outcome]
    first = worst_subjects[0].message
    if len(worst_subjects) == 1:
        return first
    return f"{first} (и ещё {len(worst_subjects) - 1} из {len(subjects)})"
