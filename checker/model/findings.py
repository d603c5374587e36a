"""Outcomes and findings: what the evaluation says about each rule and each subject."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Outcome(StrEnum):
    """The outcome of a measure. «не сообщено» (unknown) is not «не сделано» (gap)."""

    MET = "met"
    MET_LATE = "met_late"
    GAP = "gap"
    VIOLATION = "violation"
    UNKNOWN = "unknown"
    # Too few participants for a share to say anything (results signs): neither a finding
    # nor «не сообщено».
    FEW_DATA = "few_data"
    NOT_APPLICABLE = "not_applicable"
    NOT_YET_DUE = "not_yet_due"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    STALE = "stale"
    WAIVED = "waived"


OUTCOME_TITLES: dict[Outcome, str] = {
    Outcome.MET: "выполнено",
    Outcome.MET_LATE: "выполнено с опозданием",
    Outcome.GAP: "не выполнено",
    Outcome.VIOLATION: "нарушение",
    Outcome.UNKNOWN: "не сообщено",
    Outcome.FEW_DATA: "мало данных",
    Outcome.NOT_APPLICABLE: "не применимо",
    Outcome.NOT_YET_DUE: "срок не наступил",
    Outcome.DUE_SOON: "срок скоро",
    Outcome.OVERDUE: "просрочено",
    Outcome.STALE: "устарело",
    Outcome.WAIVED: "исключение",
}

# Worst first: a rule's outcome is the worst outcome among its subjects.
SEVERITY_OF_OUTCOME: tuple[Outcome, ...] = (
    Outcome.VIOLATION,
    Outcome.OVERDUE,
    Outcome.GAP,
    Outcome.STALE,
    Outcome.DUE_SOON,
    Outcome.UNKNOWN,
    Outcome.FEW_DATA,
    Outcome.MET_LATE,
    Outcome.NOT_YET_DUE,
    Outcome.WAIVED,
    Outcome.MET,
    Outcome.NOT_APPLICABLE,
)

# Measures done (score credit) and measures judged (counted in the level's denominator).
DONE = frozenset({Outcome.MET, Outcome.MET_LATE})
JUDGED = frozenset(
    {Outcome.MET, Outcome.MET_LATE, Outcome.GAP, Outcome.VIOLATION, Outcome.OVERDUE, Outcome.STALE}
)
# Open: the deadline has not passed; neither credit nor penalty (never lowers the level).
OPEN = frozenset({Outcome.NOT_YET_DUE, Outcome.DUE_SOON})
# Subjects left out of a finding's total: open ones, and those under an agreed exception.
NOT_IN_TOTAL = OPEN | {Outcome.WAIVED}

# Outcomes that count as a problem in reports and for --fail-on.
PROBLEMS = frozenset({Outcome.VIOLATION, Outcome.GAP, Outcome.OVERDUE, Outcome.STALE})


def worst(outcomes: list[Outcome]) -> Outcome:
    return min(outcomes, key=SEVERITY_OF_OUTCOME.index)


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Evidence(Model):
    """A fact the finding rests on, and where it is in the profile."""

    kind: str
    ref: str
    path: str
    summary: str


class WaiverInfo(Model):
    """An exception from the profile that turned an outcome into ``waived``."""

    reason: str
    agreed_by: str  # «должность ФИО»
    document: str  # «№ 12 от 01.09.2024»
    until: dt.date


class SubjectFinding(Model):
    """The outcome of one rule for one subject (a procedure, a document, the school)."""

    subject: str
    label: str
    outcome: Outcome
    message: str
    person: str | None = None
    evidence: list[Evidence] = []
    due: dt.date | None = None  # the deadline, when the rule has timing and it is known
    done: dt.date | None = None  # when the measure was done, by the evidence's date
    # Set by checker.core.verdicts when an inspector's verdict applies to this subject:
    # the verdict, the inspector's note and what the profile alone concluded.
    verdict: str | None = None
    note: str | None = None
    self_outcome: Outcome | None = None
    # Set by checker.core.waivers when an exception applies: it, and the outcome it replaced.
    waiver: WaiverInfo | None = None
    waived_outcome: Outcome | None = None


# Built by the evaluator without validation (``evaluated_subject_finding``, ``evaluated_finding``)
# — ~590 subject findings and ~52 findings a synthetic school. Their values are built and
# typed (mypy strict) by the evaluator itself; the instances are what the validating
# constructor makes of them: the same fields in the same order, no extra or private values
# (tests/test_fast_paths.py compares both). Measured on one machine, per instance: a subject
# finding 2.5–3.6 µs validated, 1.5 µs built; a finding 6 µs validated, ~2 µs built;
# ``model_construct`` is slower than either (8.4 µs a subject finding: it walks every field
# in Python and deep-copies each default).
_set_slot = object.__setattr__  # a frozen model refuses its own __setattr__
_SUBJECT_SET = frozenset(
    {"subject", "label", "outcome", "message", "person", "evidence", "due", "done"}
)


def _built(instance: BaseModel, fields: dict[str, object], fields_set: frozenset[str]) -> None:
    _set_slot(instance, "__dict__", fields)
    _set_slot(instance, "__pydantic_fields_set__", set(fields_set))
    _set_slot(instance, "__pydantic_extra__", None)
    _set_slot(instance, "__pydantic_private__", None)


def evaluated_subject_finding(
    subject: str, label: str, outcome: Outcome, message: str, *,
    person: str | None = None, evidence: list[Evidence] | None = None,
    due: dt.date | None = None, done: dt.date | None = None,
) -> SubjectFinding:
    """A ``SubjectFinding`` of the evaluator's own values, not validated again (see above)."""
    finding = SubjectFinding.__new__(SubjectFinding)
    _built(finding, {
        "subject": subject, "label": label, "outcome": outcome, "message": message,
        "person": person, "evidence": [] if evidence is None else evidence,
        "due": due, "done": done, "verdict": None, "note": None, "self_outcome": None,
        "waiver": None, "waived_outcome": None,
    }, _SUBJECT_SET)
    return finding


class SourceRef(Model):
    document: str  # the stable key (seed:002, 273-ФЗ): for programs
    title: str = ""  # the document's title: for people (empty in reports before 1.3)
    item: str
    quote: str
    confirmed: bool
    conflicts_with: str | None = None


class RemediationRef(Model):
    measure: str
    responsible: str
    due: str


class Finding(Model):
    """The outcome of one rule for one school."""

    rule_id: str
    title: str
    pack: str
    direction: str
    severity: str
    weight: float
    outcome: Outcome
    message: str
    subjects: list[SubjectFinding]
    total: int
    met: int
    known: int
    source: SourceRef
    remediation: RemediationRef
    due: dt.date | None = None  # the nearest deadline among the subjects of the worst outcome

    # The outcome from the school's own statements, when inspectors' verdicts changed it.
    self_outcome: Outcome | None = None
    # The outcome before exceptions, when an exception changed it (caps still see it), and
    # the exception of a rule judged as a whole (without subjects).
    waived_outcome: Outcome | None = None
    waiver: WaiverInfo | None = None


_FINDING_SET = frozenset({
    "rule_id", "title", "pack", "direction", "severity", "weight", "outcome", "message",
    "subjects", "total", "met", "known", "source", "remediation", "due",
})


def evaluated_finding(
    rule_id: str, title: str, pack: str, direction: str, severity: str, weight: float,
    outcome: Outcome, message: str, subjects: list[SubjectFinding], total: int, met: int,
    known: int, source: SourceRef, remediation: RemediationRef, due: dt.date | None,
) -> Finding:
    """A ``Finding`` of the evaluator's own values, not validated again (see above)."""
    finding = Finding.__new__(Finding)
    _built(finding, {
        "rule_id": rule_id, "title": title, "pack": pack, "direction": direction,
        "severity": severity, "weight": weight, "outcome": outcome, "message": message,
        "subjects": subjects, "total": total, "met": met, "known": known, "source": source,
        "remediation": remediation, "due": due, "self_outcome": None, "waived_outcome": None,
        "waiver": None,
    }, _FINDING_SET)
    return finding
