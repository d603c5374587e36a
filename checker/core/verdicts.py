"""Inspectors' verdicts applied to findings (pure; runs after the engine, before the level).

The school's statements stay as they are; an inspector's verdict overrides what they
lead to:

* «не подтверждено» (rejected): a measure the school claims (met) or did not report
  (unknown) is a gap; an exception (waived) is rejected: the outcome it replaced returns;
* «подтверждено» (confirmed): an unknown or a gap is met — the inspector saw it done;
* «не проверялось» (not_checked): nothing changes.

A verdict names a rule and, optionally, a subject (a procedure, a document…); a verdict
without a subject applies to every subject of the rule that has no verdict of its own.
The outcome the profile alone led to is kept in ``self_outcome`` so reports can show
where the self-assessment and the inspection disagree.
"""

from __future__ import annotations

from checker.model.findings import NOT_IN_TOTAL, Finding, Outcome, SubjectFinding, worst
from checker.model.profile import VERDICT_TITLES, Inspection, InspectionVerdict

COUNTED = (Outcome.MET, Outcome.GAP, Outcome.VIOLATION)
REJECTED_BECOMES_GAP = frozenset({Outcome.MET, Outcome.MET_LATE, Outcome.UNKNOWN})
CONFIRMED_BECOMES_MET = frozenset({Outcome.UNKNOWN, Outcome.GAP})
# A rule with no subjects is judged as one thing: this key stands for it.
WHOLE = ""


def _index(inspection: Inspection) -> dict[str, dict[str, InspectionVerdict]]:
    """rule → subject (or WHOLE) → the last verdict recorded for it."""
    index: dict[str, dict[str, InspectionVerdict]] = {}
    for verdict in inspection.verdicts:
        index.setdefault(verdict.rule, {})[verdict.subject or WHOLE] = verdict
    return index


def overridden(outcome: Outcome, verdict: str, waived: Outcome | None = None) -> Outcome:
    """The outcome after a verdict. Rejecting an exception (``waived``) restores what the
    exception replaced (an unknown one becomes a gap, as any rejected claim)."""
    if outcome is Outcome.WAIVED:
        if verdict != "rejected":
            return outcome
        return overridden(waived or Outcome.GAP, verdict)
    if verdict == "rejected" and outcome in REJECTED_BECOMES_GAP:
        return Outcome.GAP
    if verdict == "confirmed" and outcome in CONFIRMED_BECOMES_MET:
        return Outcome.MET
    return outcome


def _message(label: str, verdict: InspectionVerdict) -> str:
    text = f"{label}: по итогам проверки — {VERDICT_TITLES[verdict.verdict]}"
    return f"{text} ({verdict.note})" if verdict.note else text


def _apply_subject(subject: SubjectFinding, verdict: InspectionVerdict) -> SubjectFinding:
    outcome = overridden(subject.outcome, verdict.verdict, subject.waived_outcome)
    changed = outcome is not subject.outcome
    return subject.model_copy(
        update={
            "outcome": outcome,
            "verdict": verdict.verdict,
            "note": verdict.note,
            "self_outcome": subject.outcome if changed else None,
            "message": _message(subject.label, verdict) if changed else subject.message,
        }
    )


def apply_to_finding(finding: Finding, verdicts: dict[str, InspectionVerdict]) -> Finding:
    """One finding with the verdicts on its rule applied."""
    if finding.outcome is Outcome.NOT_APPLICABLE or not verdicts:
        return finding
    whole = verdicts.get(WHOLE)
    if not finding.subjects:
        if whole is None:
            return finding
        outcome = overridden(finding.outcome, whole.verdict, finding.waived_outcome)
        if outcome is finding.outcome:
            return finding
        return finding.model_copy(
            update={
                "outcome": outcome,
                "self_outcome": finding.outcome,
                "message": _message("мера в целом", whole),
                "total": 1,
                "met": int(outcome is Outcome.MET),
                "known": int(outcome in COUNTED),
            }
        )
    subjects = []
    for subject in finding.subjects:
        verdict = verdicts.get(subject.subject, whole)
        subjects.append(subject if verdict is None else _apply_subject(subject, verdict))
    outcome = worst([s.outcome for s in subjects])
    changed = [s for s in subjects if s.self_outcome is not None]
    if not changed:
        return finding.model_copy(update={"subjects": subjects})
    worst_subjects = [s for s in subjects if s.outcome is outcome]
    message = worst_subjects[0].message
    if len(worst_subjects) > 1:
        message += f" (и ещё {len(worst_subjects) - 1} из {len(subjects)})"
    return finding.model_copy(
        update={
            "subjects": subjects,
            "outcome": outcome,
            "self_outcome": finding.outcome if outcome is not finding.outcome else None,
            "message": message,
            "met": sum(1 for s in subjects if s.outcome is Outcome.MET),
            "known": sum(1 for s in subjects if s.outcome in COUNTED),
            # A rejected exception brings its subject back into the total.
            "total": sum(1 for s in subjects if s.outcome not in NOT_IN_TOTAL),
        }
    )


def apply_verdicts(findings: list[Finding], inspection: Inspection | None) -> list[Finding]:
    """Every finding with the inspection's verdicts applied (unchanged without one)."""
    if inspection is None or not inspection.verdicts:
        return findings
    index = _index(inspection)
    return [apply_to_finding(f, index.get(f.rule_id, {})) for f in findings]


def unmatched_verdicts(findings: list[Finding], inspection: Inspection | None) -> list[str]:
    """Russian warnings for verdicts that name a rule or subject this evaluation lacks.

    Such a verdict changes nothing; saying so keeps a typo in a hand-edited profile (or a
    rule retired since the inspection) from passing unnoticed.
    """
    if inspection is None:
        return []
    subjects = {f.rule_id: {s.subject for s in f.subjects} for f in findings}
    warnings = []
    for rule_id, by_subject in _index(inspection).items():
        if rule_id not in subjects:
            warnings.append(f"вердикт инспектора по правилу {rule_id} не применён: такого правила "
                            "для этой школы нет")
            continue
        for subject in by_subject:
            if subject != WHOLE and subject not in subjects[rule_id]:
                warnings.append(f"вердикт инспектора по правилу {rule_id} для «{subject}» не "
                                "применён: нет такого субъекта")
    return warnings


def disagreements(findings: list[Finding]) -> list[tuple[Finding, SubjectFinding | None]]:
    """Where the inspection changed what the school's statements led to."""
    found: list[tuple[Finding, SubjectFinding | None]] = []
    for finding in findings:
        if not finding.subjects and finding.self_outcome is not None:
            found.append((finding, None))
        found.extend((finding, s) for s in finding.subjects if s.self_outcome is not None)
    return found
