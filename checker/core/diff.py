"""Compare two reports of one school: what changed since the last audit (pure).

Each rule is classed by its outcome in the two runs — a problem (violation, gap, overdue,
stale), done (met, met late) or neither (unknown, not applicable, open, waived):

* problem → done: **resolved**; done → problem: **regressed**;
* neither (or absent) → problem: **new**;
* the same outcome, or done → done: **unchanged**; any other move: **changed** — a gap
  that is now «не сообщено» is not resolved, nobody showed it done;
* a rule only the new run has and that is not a problem: **added**;
* a rule only the old run has: **retired** when a pack of the new run retired it,
  otherwise **dropped** (it no longer applies: another pack or region). Never «resolved».

A rule a pack renamed (``renamed: {OLD: NEW}``) is compared under its new id, with
``renamed_from`` set.
"""

from __future__ import annotations

from checker.model.diff import (
    ChangeStatus,
    MeasureChange,
    PackChange,
    ReportDiff,
    SubjectChange,
    Trend,
    YearRecord,
)
from checker.model.findings import DONE, PROBLEMS, Finding, Outcome
from checker.model.report import Report
from checker.model.rulepack import LEVELS

STATUS_ORDER: tuple[ChangeStatus, ...] = (
    "regressed", "new", "changed", "resolved", "retired", "dropped", "added", "unchanged",
)


def _kind(outcome: Outcome | None) -> str:
    if outcome in PROBLEMS:
        return "problem"
    return "done" if outcome in DONE else "other"


def classify(old: Outcome | None, new: Outcome | None) -> ChangeStatus:
    """The status of a rule from its old and new outcome (None: the run lacks the rule)."""
    before, after = _kind(old), _kind(new)
    if old is None:
        return "new" if after == "problem" else "added"
    if new is None:
        return "dropped"
    if old is new or before == after == "done":
        return "unchanged"
    if before == "problem" and after == "done":
        return "resolved"
    if before == "done" and after == "problem":
        return "regressed"
    if before == "other" and after == "problem":
        return "new"
    return "changed"


def trend(
    old_level: str, old_score: float | None, new_level: str, new_score: float | None
) -> Trend:
    """Better or worse: by the level when both are determined, else (or when equal) by
    the score; without two scores to compare, «без изменений»."""
    if old_level in LEVELS and new_level in LEVELS and old_level != new_level:
        return "improved" if LEVELS.index(new_level) > LEVELS.index(old_level) else "worsened"
    if old_score is None or new_score is None or old_score == new_score:
        return "unchanged"
    return "improved" if new_score > old_score else "worsened"


def year_record(report: Report) -> YearRecord:
    return YearRecord(
        academic_year=report.academic_year, as_of=report.as_of, level=report.level.level,
        score=report.level.score, federal_list=report.listing.federal,
        regional_list=report.listing.regional,
    )


def history(old: Report, new: Report) -> list[YearRecord]:
    """Every known audit, one per academic year (the later report wins), oldest first."""
    by_year: dict[str, YearRecord] = {}
    for record in (*old.history, year_record(old), *new.history, year_record(new)):
        if record.academic_year not in by_year or record.as_of >= by_year[
            record.academic_year
        ].as_of:
            by_year[record.academic_year] = record
    return sorted(by_year.values(), key=lambda r: (r.academic_year, r.as_of))


def _packs(old: Report, new: Report) -> list[PackChange]:
    before = {p.pack: p.version for p in old.packs}
    after = {p.pack: p.version for p in new.packs}
    changes = []
    for pack in sorted(before.keys() | after.keys()):
        if pack not in after:
            changes.append(PackChange(pack=pack, old_version=before[pack], new_version=None,
                                      status="removed"))
        elif pack not in before:
            changes.append(PackChange(pack=pack, old_version=None, new_version=after[pack],
                                      status="added"))
        elif before[pack] != after[pack]:
            changes.append(PackChange(pack=pack, old_version=before[pack],
                                      new_version=after[pack], status="changed"))
    return changes


def _change(
    status: ChangeStatus, old: Finding | None, new: Finding | None, **extra: str | None
) -> MeasureChange:
    shown = new or old
    assert shown is not None
    title_moved = old is not None and new is not None and old.title != new.title
    return MeasureChange(
        rule_id=shown.rule_id, title=shown.title, severity=shown.severity, status=status,
        old_outcome=old.outcome if old else None, new_outcome=new.outcome if new else None,
        old_title=old.title if title_moved and old else None,
        where=_problem_labels(new),
        subjects=_subject_changes(old, new), **extra,
    )


def _problem_labels(finding: Finding | None) -> list[str]:
    """Where the measure fails now; a school-wide measure says nothing more than its title."""
    if finding is None:
        return []
    return [s.label for s in finding.subjects if s.outcome in PROBLEMS and s.label != "школа"]


def _subject_changes(old: Finding | None, new: Finding | None) -> list[SubjectChange]:
    """Subjects with the same id in both runs (the school, a document kept from year to
    year…) whose outcome differs; a year's procedures usually have new ids."""
    if old is None or new is None:
        return []
    before = {s.subject: s.outcome for s in old.subjects}
    return [
        SubjectChange(subject=s.subject, label=s.label, old_outcome=before[s.subject],
                      new_outcome=s.outcome)
        for s in new.subjects
        if s.subject in before and before[s.subject] is not s.outcome
    ]


def diff_reports(old: Report, new: Report) -> ReportDiff:
    """What changed from ``old`` to ``new`` (two reports of the same school)."""
    renamed = {o: n for p in new.packs for o, n in p.renamed.items()}
    retired = {r for p in new.packs for r in p.retired}
    before = {f.rule_id: f for f in old.findings}
    after = {f.rule_id: f for f in new.findings}
    # A renamed rule's old finding stands in for the new id when the old run lacks the new id.
    paired = {n: o for o, n in renamed.items() if o in before and n in after and n not in before}
    measures = []
    for rule_id, finding in after.items():
        was = before.get(rule_id) or before.get(paired.get(rule_id, ""))
        status = classify(was.outcome if was else None, finding.outcome)
        measures.append(_change(status, was, finding, renamed_from=paired.get(rule_id)))
    for rule_id, was in before.items():
        if rule_id in after or rule_id in paired.values():
            continue
        if rule_id in retired or rule_id in renamed:
            measures.append(_change("retired", was, None, replaced_by=renamed.get(rule_id)))
        else:
            measures.append(_change("dropped", was, None))
    measures.sort(key=lambda m: (STATUS_ORDER.index(m.status), m.rule_id))
    counts = dict.fromkeys(STATUS_ORDER, 0)
    for measure in measures:
        counts[measure.status] += 1
    warnings = []
    if old.school.id != new.school.id:
        warnings.append(f"отчёты относятся к разным школам: {old.school.id} и {new.school.id}")
    if old.as_of > new.as_of:
        warnings.append(f"прежний отчёт ({old.as_of:%d.%m.%Y}) новее нового "
                        f"({new.as_of:%d.%m.%Y}): проверьте порядок файлов")
    return ReportDiff(
        old_as_of=old.as_of, new_as_of=new.as_of,
        old_academic_year=old.academic_year, new_academic_year=new.academic_year,
        old_level=old.level.level, new_level=new.level.level,
        old_score=old.level.score, new_score=new.level.score,
        trend=trend(old.level.level, old.level.score, new.level.level, new.level.score),
        counts=counts, measures=measures, packs=_packs(old, new),
        history=history(old, new), warnings=warnings,
    )


def with_changes(new: Report, old: Report) -> Report:
    """``new`` carrying what changed since ``old`` and the history so far (``--since``)."""
    changes = diff_reports(old, new)
    earlier = [r for r in changes.history if r.academic_year != new.academic_year]
    return new.model_copy(update={"changes": changes, "history": earlier})
