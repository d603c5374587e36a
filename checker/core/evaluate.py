"""The engine's matches → findings per rule and per subject (pure)."""

from __future__ import annotations

import datetime as dt
import functools
import string
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import TypeVar

from checker.core.match import matches
from checker.core.timing import (
    Dated,
    TimeContext,
    Verdict,
    fmt,
    in_force_timing,
    judge,
    not_in_force,
)
from checker.engine.port import RELATED, SUBJECT, Match, RuleMatches
from checker.model.factkinds import FACT_KINDS, Fact, Facts
from checker.model.findings import (
    DONE,
    JUDGED,
    OPEN,
    Evidence,
    Finding,
    Outcome,
    RemediationRef,
    SourceRef,
    SubjectFinding,
    evaluated_finding,
    evaluated_subject_finding,
    worst,
)
from checker.model.profile import (
    ACTIVITY_KIND_TITLES,
    CHECKING_MODE_TITLES,
    DOCUMENT_KIND_TITLES,
    OBSERVER_RELATION_TITLES,
    OBSERVER_TYPE_TITLES,
)
from checker.model.rulepack import Remediation, Rule, Source, Timing
from checker.model.sources import SOURCES

DEFAULT_MESSAGES = {
    Outcome.MET: "выполнено: {subject}",
    Outcome.GAP: "не выполнено: {subject}",
    Outcome.VIOLATION: "нарушение: {subject}",
    Outcome.UNKNOWN: "в профиле нет сведений: {subject}",
    Outcome.FEW_DATA: "мало данных (меньше 10 участников): {subject}",
    Outcome.MET_LATE: "выполнено с опозданием: {subject}",
    Outcome.OVERDUE: "просрочено: {subject}",
    Outcome.DUE_SOON: "срок скоро: {subject}",
    Outcome.NOT_YET_DUE: "срок не наступил: {subject}",
    Outcome.STALE: "устарело: {subject}",
}
COUNTED = tuple(JUDGED)
# A time outcome without its own message extends the message of this outcome with dates.
TIME_BASE = {
    Outcome.MET_LATE: Outcome.MET,
    Outcome.OVERDUE: Outcome.GAP,
    Outcome.DUE_SOON: Outcome.GAP,
    Outcome.NOT_YET_DUE: Outcome.GAP,
}


def _day(value: object) -> str:
    """A fact's date as a Russian reader writes it: 2024-04-16 → 16.04.2024."""
    try:
        return f"{dt.date.fromisoformat(str(value)):%d.%m.%Y}"
    except ValueError:
        return str(value)


def label_of(fact: Fact) -> str:
    """A short Russian label of a fact for reports."""
    kind = fact["t"]
    if kind == "procedure":
        grade = f"{fact['grade']} кл." if "grade" in fact else None
        parts = [fact["kind"], fact.get("subject"), grade]
        date = fact.get("date")
        label = " · ".join(str(p) for p in parts if p)
        return f"{label} ({_day(date)})" if date else label
    if kind in ("document", "procedure_document"):
        title = DOCUMENT_KIND_TITLES.get(fact["kind"], fact["kind"])
        number = f" № {fact['number']}" if "number" in fact else ""
        date = f" от {_day(fact['date'])}" if "date" in fact else ""
        return f"{title}{number}{date}"
    if kind in ("activity", "procedure_activity"):
        title = str(ACTIVITY_KIND_TITLES.get(fact["kind"], fact["kind"]))
        return title + (f" ({_day(fact['date'])})" if "date" in fact else "")
    if kind == "school":
        return "школа"
    if kind == "class_result":
        grade = f"{fact['grade']} кл." if "grade" in fact else None
        work = " · ".join(str(p) for p in (fact.get("kind"), fact.get("subject"), grade) if p)
        return f"{work}, {fact.get('class', '')} (N = {fact.get('participants', 0)})"
    if kind == "work_result":
        return _work_result_label(fact)
    return f"{FACT_KINDS[kind].title} ({fact.get('ref', '')})"


def _work_result_label(fact: Fact) -> str:
    """«ВПР · математика · 5 кл., все классы (N = 48): «4»+«5» 81 % против 52 % у г. N (без
    школы), +29 п. п., z = 4,1» — and why a high share is no sign, when it is not."""
    grade = f"{fact['grade']} кл." if "grade" in fact else None
    work = " · ".join(str(p) for p in (fact.get("kind"), fact.get("subject"), grade) if p)
    label = f"{work}, все классы"
    if "participants" in fact:
        label += f" (N = {fact['participants']})"
    if "ref_pct45" in fact:
        z = f"{fact['z10'] / 10:.1f}".replace(".", ",")
        z = f"≥ {z}" if fact["z10"] >= 999 else f"= {z}"  # 999: the cap (checker.core.cohort)
        label += (f": «4»+«5» {fact['pct45']} % против {fact['ref_pct45']} % "
                  f"({fact['ref_group']}), {fact['excess_pp']:+d} п. п., z {z}")
    if "not_sign" in fact:
        label += f"; не признак: {fact['not_sign']}"
    return label


_HIDDEN = frozenset({"t", "id", "ref", "path", "sid"})
# facts whose label already names their kind in words (label_of)
_LABELLED_BY_KIND = frozenset({"procedure", "document", "procedure_document", "activity",
                               "procedure_activity"})


# Enumerated fields are shown by the Russian titles of the profile's values: «связь со
# школой — родитель участника», not «parent».
_VALUE_TITLES: dict[tuple[str, str], Mapping[str, str]] = {
    ("observer", "type"): OBSERVER_TYPE_TITLES,
    ("observer", "relation"): OBSERVER_RELATION_TITLES,
    ("observer", "declared_relation"): OBSERVER_RELATION_TITLES,
    ("checking", "mode"): CHECKING_MODE_TITLES,
}


def _stated(kind: str, name: str, value: object) -> str:
    """One field of a fact in words: «у школы есть официальный сайт — да», not
    «has_website=True» (the catalogue's description, without its parenthesis)."""
    described = FACT_KINDS[kind].descriptions.get(name, name) if kind in FACT_KINDS else name
    title = described.split(" (", 1)[0].split(": ", 1)[0]
    if isinstance(value, bool):
        return f"{title} — {'да' if value else 'нет'}"
    titles = _VALUE_TITLES.get((kind, name))
    if titles is not None:
        return f"{title} — {titles.get(str(value), value)}"
    if kind in FACT_KINDS and FACT_KINDS[kind].fields.get(name) == "date":
        return f"{title} — {_day(value)}"
    return f"{title} — {value}"


def _evidence(fact: Fact) -> Evidence:
    details = "; ".join(
        _stated(fact["t"], k, v) for k, v in fact.items()
        # a field repeating the reference is already in the label: «видеонаблюдение (vpr)»
        if k not in _HIDDEN and not k.endswith("_reported") and v != fact.get("ref")
        and not (k == "kind" and fact["t"] in _LABELLED_BY_KIND)
    )
    return Evidence(
        kind=fact["t"], ref=str(fact.get("ref", "")), path=str(fact.get("path", "")),
        summary=f"{label_of(fact)}: {details}" if details else label_of(fact),
    )


def _date(value: object) -> dt.date | None:
    """An ISO date of a fact (facts carry dates as strings), or None."""
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _evidence_fact(match: Match) -> Fact:
    """The fact that shows a measure's state: the related fact, else the subject itself."""
    return match.get(RELATED) or match[SUBJECT]


class SchoolMemo:
    """What the rules of one school share: evidence and labels by fact id (the same
    procedure or document is a subject or evidence of many rules)."""

    def __init__(self) -> None:
        self.evidence: dict[str, Evidence] = {}
        self.labels: dict[str, str] = {}


T = TypeVar("T")


def _by_fact_id(known: dict[str, T], fact: Fact, make: Callable[[Fact], T]) -> T:
    """``make(fact)``, computed once per fact id of the school (``known`` is its memo)."""
    key = fact.get("id")
    if not isinstance(key, str):
        return make(fact)
    found = known.get(key)
    if found is None:
        found = known[key] = make(fact)
    return found


class _RuleEvaluation:
    def __init__(
        self,
        rule: Rule,
        found: RuleMatches,
        facts: Facts,
        people: Mapping[str, str],
        time: TimeContext | None = None,
        memo: SchoolMemo | None = None,
        with_evidence: bool = True,
        parameters: Mapping[str, int] | None = None,
    ):
        self.parameters = parameters or {}
        self.people = people
        self.with_evidence = with_evidence
        self._memo = SchoolMemo() if memo is None else memo
        self.rule = rule
        self.found = found
        self.facts = facts
        self.time = time
        # outcome → (message template, whether it names only the subject), once per rule
        self._templates: dict[Outcome, tuple[str, bool]] = {}
        self._timing: Timing | None = None

    def evidence(self, fact: Fact) -> Evidence:
        return _by_fact_id(self._memo.evidence, fact, _evidence)

    def label(self, fact: Fact) -> str:
        found = self._memo.labels.get(fact.get("id"))  # type: ignore[arg-type]
        return found if found is not None else _by_fact_id(self._memo.labels, fact, label_of)

    def evidence_of(self, facts: Iterable[Fact]) -> list[Evidence]:
        """The evidence of the facts; the facts are not even gathered without evidence."""
        return [self.evidence(f) for f in facts] if self.with_evidence else []

    def subject_finding(self, subject: Fact, unknown: frozenset[str]) -> SubjectFinding:
        ref = subject["ref"]
        check = self.rule.check
        person = place = None
        evidence: list[Evidence] = []
        if subject.get("few_data"):
            # Results of a small class: no share was computed, so neither a sign nor
            # «не сообщено» (checker.core.results).
            outcome = Outcome.FEW_DATA
        elif check.forbid is not None:
            hits = self.found.violation.get(ref, ())
            if hits:
                outcome = Outcome.VIOLATION
                evidence = self.evidence_of(
                    f for hit in hits for role, f in hit.items() if role != SUBJECT
                )
                person = self._from_hit(hits[0], check.person)
                place = self._from_hit(hits[0], check.place)
            else:
                outcome = Outcome.UNKNOWN if ref in unknown else Outcome.MET
        else:
            met, gap = self.found.met.get(ref), self.found.gap.get(ref)
            if met:
                outcome = Outcome.MET
                evidence = self.evidence_of(map(_evidence_fact, met))
            elif gap:
                outcome = Outcome.GAP
                evidence = self.evidence_of(map(_evidence_fact, gap))
            else:
                outcome = Outcome.UNKNOWN
            if self.time is not None and self.rule.timing is not None:
                return self._timed(subject, outcome, met or (), evidence)
        label = self.label(subject)
        return evaluated_subject_finding(
            ref, label, outcome, self.message(outcome, label, person, place=place),
            person=person, evidence=evidence,
        )

    # --- time (checker.core.timing decides; here only the dates are gathered) ---------------

    def _timed(
        self, subject: Fact, outcome: Outcome, met: Sequence[Match],
        evidence: list[Evidence],
    ) -> SubjectFinding:
        assert self.rule.timing is not None and self.time is not None
        timing = self._in_force_timing(self.rule.timing)
        facts = [_evidence_fact(m) for m in met]
        dated = [
            Dated(anchor=_date(f.get("date")), done=_date(f.get(timing.done_on))) for f in facts
        ]
        verdict = judge(
            timing, outcome, self.time, dated,
            anchors=self._clock_anchors(subject), subject_date=_date(subject.get("date")),
        )
        label = own = self.label(subject)
        if verdict.outcome is Outcome.STALE and facts:
            stale = [f for f in facts if _date(f.get(timing.done_on)) == verdict.done]
            label = self.label((stale or facts)[0])
        return evaluated_subject_finding(
            subject["ref"], own, verdict.outcome, self.time_message(verdict, label),
            evidence=evidence, due=verdict.due, done=verdict.done,
        )

    def _in_force_timing(self, timing: Timing) -> Timing:
        """The rule's timing as in force (``in_force_timing``), once per rule."""
        if self._timing is None:
            self._timing = in_force_timing(timing, self.rule.valid_from)
        return self._timing

    def _clock_anchors(self, subject: Fact) -> list[dt.date]:
        """Dates of the related facts that start «within N days after the document»."""
        timing = self.rule.timing
        has = self.rule.check.has
        if timing is None or timing.within is None or timing.within.after != "document_date":
            return []
        if has is None:
            return []
        where = timing.within.event if timing.within.event is not None else has.where
        kind = FACT_KINDS[has.kind]
        linked = kind.parent == self.rule.check.each.kind and kind.parent_key
        anchors = []
        for fact in self.facts.of_kind(has.kind):
            if linked and fact.get(kind.parent_key) != subject["ref"]:
                continue
            day = _date(fact.get("date"))
            if day is not None and matches(fact, where):
                anchors.append(day)
        return anchors

    def time_message(self, verdict: Verdict, label: str) -> str:
        outcome = verdict.outcome
        own = getattr(self.rule.message, outcome.value, None)
        if own or (outcome not in TIME_BASE and outcome is not Outcome.STALE):
            return self.message(outcome, label, due=verdict.due, done=verdict.done)
        if outcome is Outcome.STALE:
            return f"{label}: {verdict.note}"
        base = self.message(TIME_BASE[outcome], label, due=verdict.due, done=verdict.done)
        return f"{base} ({verdict.note})" if verdict.note else base

    @staticmethod
    def _from_hit(hit: Match, ref: str | None) -> str | None:
        """The value of «alias.field» in a forbid match (None if the rule names none)."""
        if ref is None:
            return None
        alias, _, name = ref.partition(".")
        value = hit.get(alias, {}).get(name)
        return None if value is None else str(value)

    def message(
        self, outcome: Outcome, subject: str, person: str | None = None,
        due: dt.date | None = None, done: dt.date | None = None, place: str | None = None,
    ) -> str:
        template, plain = self._template(outcome)
        if plain:
            return template.replace("{subject}", subject)
        values = _Defaults(
            subject=subject,
            person=self.people.get(person, person) if person else "",
            place=place or "",
            school=self.facts.school_id,
        )
        if due is not None:
            values["due"] = fmt(due)
        if done is not None:
            values["done"] = fmt(done)
        if self.time is not None:
            values["year"] = self.time.year.label
        threshold = self.threshold()
        if threshold is not None:
            values["threshold"] = threshold
        return template.format_map(values)

    def _template(self, outcome: Outcome) -> tuple[str, bool]:
        found = self._templates.get(outcome)
        if found is None:
            template = getattr(self.rule.message, outcome.value, None) or DEFAULT_MESSAGES.get(
                outcome, "{subject}"
            )
            found = self._templates[outcome] = (template, names_only_the_subject(template))
        return found

    def threshold(self) -> str | None:
        """The value the rule compares with — its parameter after the region's overrides —,
        so a message says «выше порога 20» instead of naming the parameter."""
        compare = self.rule.check.compare
        if compare is None or compare.param not in self.parameters:
            return None
        return str(self.parameters[compare.param])


@functools.lru_cache(maxsize=1024)
def names_only_the_subject(template: str) -> bool:
    """The template's one substitution is a plain ``{subject}`` (no other field, format or
    escaped brace): most messages are, and replacing it is what ``format_map`` would do
    without building the substitutions of every other field."""
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError:
        return False  # format_map raises its own error
    return all(
        "{" not in text and "}" not in text
        and (name is None or (name == "subject" and not spec and conversion is None))
        for text, name, spec, conversion in parts
    )


class _Defaults(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _may_not_apply(rule: Rule, facts: Facts) -> bool:
    """A school-wide measure for procedures none of which is listed, in a procedures list
    not declared complete: the school may not have held them, so «не сделано» would be a
    guess — it is «не сообщено» (done is still done)."""
    if not rule.applies.procedures or rule.check.each.kind == "procedure":
        return False
    held = {p["kind"] for p in facts.of_kind("procedure")}
    return not facts.school["procedures_reported"] and not held & set(rule.applies.procedures)


FEDERAL_CONTROL_REASON = (
    "ВПР с контролем объективности: работы проверяет федеральный организатор, мера школы "
    "не требуется"
)
REMOTE_PPE_REASON = (
    "ППЭ в труднодоступной и отдалённой местности: Порядок ГИА допускает в нём организаторов "
    "из учителей сдающих"
)


def _without_exempt_subjects(rule: Rule, found: RuleMatches) -> tuple[RuleMatches, str]:
    """Drop the subjects ``applies`` exempts (a ВПР with federal objectivity control for a
    measure of the school's own checking; a ППЭ in a remote area for the organisers' rule);
    return the reason when any was dropped."""
    kept = list(found.subjects)
    reasons = []
    for name, reason in (("federal_control", FEDERAL_CONTROL_REASON),
                         ("remote_ppe", REMOTE_PPE_REASON)):
        wanted = getattr(rule.applies, name)
        if wanted is None:
            continue
        matching = [s for s in kept if (s.get(name) is True) == wanted]
        if len(matching) < len(kept):
            reasons.append(reason)
        kept = matching
    if not reasons:
        return found, ""
    return replace(found, subjects=kept), "; ".join(reasons)


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
    if kind.name in ("class_result", "work_result"):
        # No class results: «не сообщено» unless every procedure the rule is about gave
        # them (and then had none) or the school surely held none.
        kinds = rule.applies.procedures
        held = [p for p in facts.of_kind("procedure") if not kinds or p["kind"] in kinds]
        if held:
            reported = all(p.get(kind.flag) for p in held)
        else:
            reported = bool(facts.school.get("procedures_reported"))
    return Outcome.NOT_APPLICABLE if reported else Outcome.UNKNOWN


def evaluate_rule(
    rule: Rule,
    found: RuleMatches,
    facts: Facts,
    pack: str = "",
    people: Mapping[str, str] | None = None,
    time: TimeContext | None = None,
    memo: SchoolMemo | None = None,
    with_evidence: bool = True,
    parameters: Mapping[str, int] | None = None,
) -> Finding:
    """The finding of one rule from the engine's matches of it (``found``).

    ``people`` maps person ids (staff, outside persons, inline observers) to names for
    messages; names never enter the engine. With
    ``time`` (the as-of date, academic year and horizon), a rule's ``timing`` turns met /
    gap into the time outcomes of ``checker.core.timing``; without it time is ignored.
    ``memo`` (a fresh ``SchoolMemo`` per school) shares evidence and labels between rules;
    ``with_evidence=False`` leaves every subject's evidence empty (a batch without reports
    shows none of it). ``parameters`` (the selection's values) fill ``{threshold}`` in messages.
    """
    if _may_not_apply(rule, facts):
        found = replace(found, gap={})  # not done, if it applies at all: «не сообщено»
    found, exempt_reason = _without_exempt_subjects(rule, found)
    evaluation = _RuleEvaluation(
        rule, found, facts, people or {}, time, memo, with_evidence, parameters
    )
    reason_not_applicable = (
        None if time is None else not_in_force(rule.valid_from, rule.valid_to, time)
    )
    if reason_not_applicable is None and exempt_reason and not found.subjects:
        reason_not_applicable = exempt_reason
    subjects: list[SubjectFinding] = []
    # The subjects counted by outcome once (a rule has a few outcomes, a school ~590 subjects).
    by_outcome: Counter[Outcome] = Counter()
    if reason_not_applicable is not None or _not_applicable(rule, facts):
        outcome = Outcome.NOT_APPLICABLE
    else:
        unknown = found.unknown
        subjects = [evaluation.subject_finding(s, unknown) for s in found.subjects]
        by_outcome.update([s.outcome for s in subjects])
        outcome = worst(list(by_outcome)) if subjects else _no_subjects_outcome(rule, facts)
    # Subjects whose deadline has not passed are left out of total: never lower the level.
    met = known = counted = 0
    for each, count in by_outcome.items():
        met += count if each in DONE else 0
        known += count if each in JUDGED else 0
        counted += 0 if each in OPEN else count
    total = counted if subjects else (1 if outcome is Outcome.UNKNOWN else 0)
    dues = [s.due for s in subjects if s.outcome is outcome and s.due is not None]
    return evaluated_finding(
        rule.id, rule.title, pack, rule.direction, rule.severity,
        float(rule.effective_weight),  # as validation would make an int weight
        outcome,
        f"не применимо: {reason_not_applicable}" if reason_not_applicable
        else _rule_message(evaluation, outcome, subjects, by_outcome[outcome]),
        subjects, total, met, known,
        _source_ref(rule.source), _remediation_ref(rule.remediation),
        min(dues) if dues else None,
    )


# The source and remediation references are the same for every school: built once per rule
# text. (Findings are built without validating again: checker.model.findings says why.)


def _source_ref(source: Source) -> SourceRef:
    return _source_ref_of(source.document, source.item, source.quote, source.confirmed,
                          source.conflicts_with)


@functools.lru_cache(maxsize=4096)
def _source_ref_of(
    document: str, item: str, quote: str, confirmed: bool, conflicts_with: str | None
) -> SourceRef:
    return SourceRef(document=document, item=item, quote=quote, confirmed=confirmed,
                     conflicts_with=conflicts_with, title=SOURCES.get(document, document))


def _remediation_ref(remediation: Remediation) -> RemediationRef:
    return _remediation_ref_of(remediation.measure, remediation.responsible, remediation.due)


@functools.lru_cache(maxsize=4096)
def _remediation_ref_of(measure: str, responsible: str, due: str) -> RemediationRef:
    return RemediationRef(measure=measure, responsible=responsible, due=due)


def _rule_message(
    evaluation: _RuleEvaluation, outcome: Outcome, subjects: list[SubjectFinding],
    worst_count: int,
) -> str:
    """The rule's message: its first subject of the worst outcome (``worst_count`` of them)."""
    if outcome is Outcome.NOT_APPLICABLE:
        return "не применимо к этой школе"
    if not subjects:
        return evaluation.message(outcome, "раздел профиля не заполнен")
    first = next(s.message for s in subjects if s.outcome is outcome)
    if worst_count == 1:
        return first
    return f"{first} (и ещё {worst_count - 1} из {len(subjects)})"
