"""Exceptions (waivers) applied to findings (pure; after evaluation, before the verdicts).

An exception of the profile (``exceptions:``) names a rule and, optionally, one of its
subjects; an exception without a subject covers every subject of the rule that has none of
its own. A valid exception turns what is not done (gap, violation, overdue, unknown…) into
``waived``: the subject leaves the finding's total, so it neither earns nor costs score.
Done measures stay done — the exception was not needed.

An exception is ignored, and the report says why, when its rule is unknown for this school,
its subject is not a subject of the rule, the rule's severity is not in the level policy's
``waivable`` (never critical), or it expired before the as-of date. One that expires
within the «due soon» horizon is listed under «Ближайшие сроки».

The outcome an exception replaced is kept in ``waived_outcome``: an inspector who rejects
the exception restores it (``checker.core.verdicts``), and the level's caps still fire on
it, so an exception never lifts the level above what the pack allows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from checker.model.errors import Loc
from checker.model.findings import (
    DONE,
    JUDGED,
    NOT_IN_TOTAL,
    Finding,
    Outcome,
    SubjectFinding,
    WaiverInfo,
    worst,
)
from checker.model.report import Deadline, WaiverStatus, WaiverStatusKind
from checker.model.rulepack import SEVERITY_TITLES
from checker.model.waivers import Waiver

# Outcomes an exception leaves as they are: the measure is done, or does not apply at all.
KEPT = frozenset({Outcome.MET, Outcome.MET_LATE, Outcome.NOT_APPLICABLE, Outcome.WAIVED})
WHOLE = ""  # the key of an exception without a subject


@dataclass
class WaiverResult:
    findings: list[Finding]
    statuses: list[WaiverStatus] = field(default_factory=list)
    notes: list[tuple[Loc, str]] = field(default_factory=list)  # warnings, with their place
    deadlines: list[Deadline] = field(default_factory=list)


def waiver_info(waiver: Waiver) -> WaiverInfo:
    agreed = waiver.agreed
    return WaiverInfo(
        reason=waiver.reason,
        agreed_by=f"{agreed.position} {agreed.name}",
        document=f"№ {agreed.number} от {agreed.date:%d.%m.%Y}",
        until=waiver.until,
    )


def _waived_message(label: str, info: WaiverInfo) -> str:
    return f"{label}: исключение до {info.until:%d.%m.%Y} — {info.reason}"


def _waive_subject(subject: SubjectFinding, info: WaiverInfo) -> SubjectFinding:
    return subject.model_copy(update={
        "outcome": Outcome.WAIVED,
        "waived_outcome": subject.outcome,
        "waiver": info,
        "message": _waived_message(subject.label, info),
    })


def _waive_finding(finding: Finding, by_subject: dict[str, Waiver]) -> tuple[Finding, set[str]]:
    """The finding with its exceptions applied, and the keys of those that changed it."""
    whole = by_subject.get(WHOLE)
    if not finding.subjects:
        if whole is None or finding.outcome in KEPT:
            return finding, set()
        info = waiver_info(whole)
        return finding.model_copy(update={
            "outcome": Outcome.WAIVED, "waived_outcome": finding.outcome, "waiver": info,
            "message": _waived_message("мера в целом", info), "total": 0, "met": 0, "known": 0,
        }), {WHOLE}
    used: set[str] = set()
    subjects = []
    for subject in finding.subjects:
        key = subject.subject if subject.subject in by_subject else WHOLE
        waiver = by_subject.get(key)
        if waiver is None or subject.outcome in KEPT:
            subjects.append(subject)
            continue
        subjects.append(_waive_subject(subject, waiver_info(waiver)))
        used.add(key)
    if not used:
        return finding, used
    return _recounted(finding, subjects), used


def _recounted(finding: Finding, subjects: list[SubjectFinding]) -> Finding:
    outcome = worst([s.outcome for s in subjects])
    worst_subjects = [s for s in subjects if s.outcome is outcome]
    message = worst_subjects[0].message
    if len(worst_subjects) > 1:
        message += f" (и ещё {len(worst_subjects) - 1} из {len(subjects)})"
    dues = [s.due for s in worst_subjects if s.due is not None]
    return finding.model_copy(update={
        "subjects": subjects,
        "outcome": outcome,
        "waived_outcome": finding.outcome if outcome is not finding.outcome else None,
        "message": message,
        "total": sum(1 for s in subjects if s.outcome not in NOT_IN_TOTAL),
        "met": sum(1 for s in subjects if s.outcome in DONE),
        "known": sum(1 for s in subjects if s.outcome in JUDGED),
        "due": min(dues) if dues else None,
    })


def _problem(
    waiver: Waiver, finding: Finding | None, waivable: Sequence[str], as_of: dt.date
) -> tuple[WaiverStatusKind, str, str] | None:
    """Why the exception cannot apply (status, field, Russian message), or None."""
    head = f"исключение по правилу {waiver.rule}"
    if finding is None:
        return "unknown_rule", "rule", f"{head} не применено: такого правила для этой школы нет"
    if finding.severity not in waivable:
        allowed = ", ".join(f"«{SEVERITY_TITLES[s]}»" for s in waivable) or "никакой"
        return "not_allowed", "rule", (
            f"{head} не применено: меры важности «{SEVERITY_TITLES[finding.severity]}» "
            f"исключать нельзя (набор правил допускает исключения для важности: {allowed})"
        )
    if finding.outcome is Outcome.NOT_APPLICABLE:
        return None
    subjects = {s.subject for s in finding.subjects}
    if waiver.subject is not None and waiver.subject not in subjects:
        return "unknown_subject", "subject", (
            f"{head} для «{waiver.subject}» не применено: у этой меры нет такого субъекта"
        )
    if waiver.until < as_of:
        return "expired", "until", (
            f"{head} истекло {waiver.until:%d.%m.%Y} и не применено: мера оценена как обычно"
        )
    return None


Refused = dict[int, tuple[WaiverStatusKind, str]]
Valid = dict[str, dict[str, tuple[int, Waiver]]]  # rule → subject (or WHOLE) → the last one


def _sort_out(
    waivers: Sequence[Waiver], by_rule: dict[str, Finding], waivable: Sequence[str],
    as_of: dt.date, notes: list[tuple[Loc, str]],
) -> tuple[Valid, Refused]:
    """The exceptions that may apply, and why the others may not (also added to ``notes``)."""
    valid: Valid = {}
    refused: Refused = {}
    for index, waiver in enumerate(waivers):
        problem = _problem(waiver, by_rule.get(waiver.rule), waivable, as_of)
        if problem is None:
            valid.setdefault(waiver.rule, {})[waiver.subject or WHOLE] = (index, waiver)
            continue
        status, place, message = problem
        refused[index] = (status, message)
        notes.append((("exceptions", index, place), message))
    return valid, refused


def apply_waivers(
    findings: list[Finding],
    waivers: Sequence[Waiver] | None,
    waivable: Sequence[str],
    as_of: dt.date,
    horizon_days: int,
) -> WaiverResult:
    """Every finding with the profile's valid exceptions applied, and what became of each."""
    if not waivers:
        return WaiverResult(findings)
    by_rule = {f.rule_id: f for f in findings}
    result = WaiverResult([])
    valid, refused = _sort_out(waivers, by_rule, waivable, as_of, result.notes)
    used: dict[str, set[str]] = {}
    for finding in findings:
        chosen = valid.get(finding.rule_id)
        if chosen:
            finding, used[finding.rule_id] = _waive_finding(
                finding, {key: waiver for key, (_index, waiver) in chosen.items()}
            )
        result.findings.append(finding)
    live = {index for chosen in valid.values() for (index, _waiver) in chosen.values()}
    for index, waiver in enumerate(waivers):
        status, message = refused.get(index) or _valid_status(
            waiver, index in live, (waiver.subject or WHOLE) in used.get(waiver.rule, set()),
        )
        result.statuses.append(_status(waiver, status, message))
        deadline = _expiring(waiver, by_rule[waiver.rule], as_of, horizon_days) if (
            status == "applied") else None
        if deadline is not None:
            result.deadlines.append(deadline)
    return result


def _valid_status(waiver: Waiver, live: bool, used: bool) -> tuple[WaiverStatusKind, str]:
    head = f"исключение по правилу {waiver.rule}"
    if not live:
        return "not_needed", f"{head} заменено более поздним исключением для той же меры"
    if not used:
        return "not_needed", f"{head} не понадобилось: мера выполнена или не применима"
    return "applied", f"{head} действует до {waiver.until:%d.%m.%Y}"


def _status(waiver: Waiver, status: WaiverStatusKind, message: str) -> WaiverStatus:
    info = waiver_info(waiver)
    return WaiverStatus(
        rule_id=waiver.rule, subject=waiver.subject, reason=waiver.reason,
        agreed_by=info.agreed_by, document=info.document, until=waiver.until,
        status=status, message=message,
    )


def _expiring(
    waiver: Waiver, finding: Finding, as_of: dt.date, horizon_days: int
) -> Deadline | None:
    """A «Ближайшие сроки» entry when the exception ends within the horizon."""
    if not as_of <= waiver.until <= as_of + dt.timedelta(days=horizon_days):
        return None
    label = next((s.label for s in finding.subjects if s.subject == waiver.subject),
                 "мера в целом")
    return Deadline(
        due=waiver.until, outcome=Outcome.WAIVED, rule_id=finding.rule_id, title=finding.title,
        subject=waiver.subject or WHOLE, label=label,
        message=f"исключение истекает {waiver.until:%d.%m.%Y} ({label}): после этой даты мера "
        "снова проверяется — продлите согласование или выполните меру",
    )
